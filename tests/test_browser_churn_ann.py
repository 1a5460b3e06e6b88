"""Churn ANN in a real chromium: trainings in the worker pool, the queue, Stop, other clicks, no TF in the server.

The test server has one training worker (PLAYGROUND_WORKERS=1 in conftest), so a second
session that trains at the same time waits in line and shows its place.
"""

import re
from pathlib import Path

import pytest

from conftest import SERVER_PIDS, assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

CURVES = "Training curves"


# A training that surely runs for minutes, however fast the engine gets: 200 epochs at batch 1 of a
# 64-64 network (~1.3 s an epoch on a quiet 2-core machine: ~4 minutes). The tutorial's 6-6 network
# at batch 1 ran 200 epochs in under 10 s, so on a loaded CI machine it could finish before the
# test clicked Stop (a CI run failed that way: the page said "finished", the test waited for "stopped").
LONG_RUN = {"epochs": 200, "batch": 1, "units1": 64, "units2": 64}


def open_churn(page, **params):
    query = "&".join(f"churn.{key}={value}" for key, value in params.items())
    page.goto(f"{page.app_url}/churn_ann?{query}")
    page.get_by_role("button", name="Train", exact=True).wait_for(timeout=90_000)
    wait_for_app(page)
    assert_no_exception(page)
    assert page.locator("[role=dialog]").count() == 0, page.locator("[role=dialog]").first.inner_text()


def progress_text(page) -> str:
    bar = page.locator("[data-testid=stProgress]")
    return bar.first.text_content() if bar.count() else ""


def curve_epochs(page) -> list[float]:
    """x values of the first trace of the training-curves chart (from plotly's own data)."""
    return page.evaluate(
        """(title) => {
            for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                const raw = (plot.layout && plot.layout.title && plot.layout.title.text) || "";
                const text = raw.replace(/<[^>]+>/g, "");  // Streamlit's theme wraps titles in <b>
                if (text.startsWith(title) && plot._fullData.length) return Array.from(plot._fullData[0].x);
            }
            return [];
        }""",
        CURVES,
    )


def epochs_done(page) -> int:
    match = re.search(r"Epoch (\d+)/", progress_text(page))
    return int(match.group(1)) if match else 0


def epochs_done_in_run(page) -> int:
    return int(re.search(r"Run \d+: \w+, (\d+)/", progress_text(page)).group(1))


def click_button(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()


def new_tab(browser, url):
    tab = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    tab.app_url = url
    return tab


def wait_for_progress(tab, pattern, timeout=120_000):
    """Wait until the progress bar's text matches the JavaScript regular expression `pattern`."""
    tab.wait_for_function(
        f"() => /{pattern}/.test(document.querySelector('[data-testid=stProgress]')?.textContent || '')",
        timeout=timeout)


def stop_if_training(tab):
    button = tab.get_by_role("button", name="Stop", exact=True)
    if button.count() and button.first.is_enabled():
        button.first.click()


def test_two_sessions_train_one_waits_in_line_and_clicks_elsewhere_do_not_stop_training(browser, streamlit_server):
    first, second = new_tab(browser, streamlit_server), new_tab(browser, streamlit_server)
    try:
        # A run that outlasts the test by far (see LONG_RUN), so it is surely still running while we click around
        open_churn(first, **LONG_RUN, val=0.2, seed=3)
        open_churn(second, epochs=12, batch=64, units1=9, val=0.2, seed=9)
        click_button(first, "Train")
        wait_for_progress(first, "Epoch [1-9][0-9]*\\/200")
        click_button(second, "Train")
        wait_for_progress(second, "Waiting: 1st in line")  # one worker: the second session queues
        screenshot(second, "churn-waiting-in-line")
        # Another widget while training: the page reruns, the training (another process) carries on.
        before = epochs_done(first)
        first.get_by_text("Class weights (count each churner ~4x)").click()
        first.wait_for_function(
            f"() => (document.querySelector('[data-testid=stProgress]')?.textContent || '').match(/Epoch (\\d+)\\/200/)?.[1] > {before}",
            timeout=120_000)
        click_button(first, "Stop")
        first.wait_for_function("() => document.body.innerText.includes('Run 1: stopped')", timeout=60_000)
        assert epochs_done_in_run(first) > before, "the training went on after the other click"
        second.wait_for_function("() => document.body.innerText.includes('Run 1: finished, 12/12 epochs')",
                                 timeout=240_000)
        for tab in (first, second):
            wait_for_app(tab)
            assert_no_exception(tab)
            assert "Test accuracy" in tab.locator("[data-testid=stMetric]").first.text_content()
        assert curve_epochs(second) == list(range(1, 13))
        assert curve_epochs(first) == list(range(1, epochs_done_in_run(first) + 1))
        screenshot(first, "churn-trained-session-a")
        screenshot(second, "churn-trained-session-b")
    finally:
        for tab in (first, second):
            stop_if_training(tab)
            tab.context.close()


def test_a_closed_tab_frees_its_place_in_line(browser, streamlit_server):
    running, leaving, staying = (new_tab(browser, streamlit_server) for _ in range(3))
    try:
        # The running one must outlast the closed tab's 15 s grace (see LONG_RUN).
        open_churn(running, **LONG_RUN, seed=1)
        for tab in (leaving, staying):
            open_churn(tab, epochs=200, batch=10, seed=1)
        click_button(running, "Train")
        wait_for_progress(running, "Epoch [1-9]")
        click_button(leaving, "Train")
        wait_for_progress(leaving, "Waiting: 1st in line")
        click_button(staying, "Train")
        wait_for_progress(staying, "Waiting: 2nd in line")
        leaving.context.close()  # the websocket closes; the pool drops the job after its grace period
        wait_for_progress(staying, "Waiting: 1st in line", timeout=60_000)
        click_button(staying, "Stop")  # Stop takes a queued training out of the queue
        staying.wait_for_function("() => document.body.innerText.includes('taken out of the queue')", timeout=30_000)
        assert "Run 1" not in staying.locator("[data-testid=stMain]").inner_text()
        # The first tab kept training throughout (stopping a running job is its own test below);
        # with the engine it may finish before this line, so stop it if it is still going.
        stop_if_training(running)
        running.wait_for_function("() => /Run 1: (stopped|finished)/.test(document.body.innerText)", timeout=120_000)
    finally:
        for tab in (running, staying):
            stop_if_training(tab)
            tab.context.close()


def test_the_server_process_never_loads_tensorflow_its_workers_do(page):
    open_churn(page, epochs=2, batch=128)
    click_button(page, "Train")
    page.wait_for_function("() => document.body.innerText.includes('Run 1: finished, 2/2 epochs')", timeout=240_000)
    server = SERVER_PIDS[page.app_url]
    assert "libtensorflow" not in Path(f"/proc/{server}/maps").read_text(), "the server mapped TensorFlow"
    children = [int(pid) for task in Path(f"/proc/{server}/task").iterdir()
                for pid in (task / "children").read_text().split()]
    with_tensorflow = [pid for pid in children if "libtensorflow" in Path(f"/proc/{pid}/maps").read_text()]
    assert len(with_tensorflow) == 1, "the one training worker holds TensorFlow"


def test_stop_halts_training_and_keeps_the_partial_run(page):
    open_churn(page, **LONG_RUN, val=0.1)  # long enough to stop in mid-run (see LONG_RUN)
    click_button(page, "Train")
    page.wait_for_function(
        "() => /Epoch ([3-9]|[1-9][0-9]+)\\/200/.test(document.querySelector('[data-testid=stProgress]')?.textContent || '')",
        timeout=120_000)
    screenshot(page, "churn-training-live")
    click_button(page, "Stop")
    page.wait_for_function("() => document.body.innerText.includes('Run 1: stopped')", timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    text = progress_text(page)
    done = int(re.search(r"stopped, (\d+)/200 epochs", text).group(1))
    assert 3 <= done < 200
    assert curve_epochs(page) == list(range(1, done + 1)), "the partial history is kept"
    screenshot(page, "churn-stopped")
    # The results are in tabs and only the open one is built; the open tab is in the URL (its id).
    assert page.get_by_text("Trained model (.keras)").count() == 0
    page.get_by_role("tab", name="Downloads").click()
    page.get_by_text("Trained model (.keras)").wait_for(timeout=60_000)
    assert page.get_by_text("Trained model (.keras)").count() == 1, "the partial model can be downloaded"
    page.wait_for_function("() => location.search.includes('churn.view=downloads')", timeout=30_000)
    assert_no_exception(page)


def test_an_idle_page_stops_polling_once_the_workers_are_ready(new_tab, fresh_server):
    """A page opened while TensorFlow loads polls the workers' status every second; once they are
    ready it must go quiet. (It kept polling for good: 7 % of a core per idle tab in the browser,
    30 tabs of a class would fill a 2-core machine.)"""
    new_tab.app_url = fresh_server
    frames = []
    new_tab.on("websocket", lambda socket: socket.on("framereceived", lambda payload: frames.append(payload)))
    open_churn(new_tab, epochs=5)
    new_tab.get_by_text("Training workers ready").wait_for(timeout=120_000)
    wait_for_app(new_tab)
    new_tab.wait_for_timeout(3000)  # the one rerun that ends the polling
    frames.clear()
    new_tab.wait_for_timeout(5000)
    assert frames == [], f"{len(frames)} messages from the server in 5 s of an idle page"
    assert_no_exception(new_tab)
