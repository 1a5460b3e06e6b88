"""Churn ANN in a real chromium: two sessions train at once with their own curves; Stop works."""

import re

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

CURVES = "Training curves"


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


def click_button(page, name):
    page.get_by_role("button", name=name, exact=True).first.click()


def test_two_sessions_train_at_once_with_their_own_curves(browser, streamlit_server):
    pages = []
    for epochs, units in ((8, 3), (12, 9)):
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        tab = context.new_page()
        tab.app_url = streamlit_server
        open_churn(tab, epochs=epochs, batch=64, units1=units, val=0.2, seed=units)
        pages.append((tab, epochs))
    try:
        for tab, _ in pages:  # start both before either finishes
            click_button(tab, "Train")
        # live progress: each session counts its own epochs while the other one trains too
        for tab, epochs in pages:
            tab.wait_for_function(
                f"() => /Epoch [1-9][0-9]*\\/{epochs}/.test(document.querySelector('[data-testid=stProgress]')?.textContent || '')",
                timeout=120_000)
        for tab, epochs in pages:
            tab.wait_for_function(f"() => document.body.innerText.includes('Run 1: finished, {epochs}/{epochs} epochs')",
                                  timeout=180_000)
            wait_for_app(tab)
            assert_no_exception(tab)
            assert curve_epochs(tab) == list(range(1, epochs + 1))
            assert "Test accuracy" in tab.locator("[data-testid=stMetric]").first.text_content()
        screenshot(pages[0][0], "churn-trained-session-a")
        screenshot(pages[1][0], "churn-trained-session-b")
    finally:
        for tab, _ in pages:
            tab.context.close()


def test_stop_halts_training_and_keeps_the_partial_run(page):
    open_churn(page, epochs=200, batch=10, val=0.1)
    click_button(page, "Train")
    page.wait_for_function(
        "() => /Epoch ([3-9]|[1-9][0-9]+)\\/200/.test(document.querySelector('[data-testid=stProgress]')?.textContent || '')",
        timeout=120_000)
    screenshot(page, "churn-training-live")
    click_button(page, "Stop")
    page.wait_for_function("() => document.body.innerText.includes('Run 1: stopped')", timeout=60_000)
    wait_for_app(page)
    assert_no_exception(page)
    text = progress_text(page)
    done = int(re.search(r"stopped, (\d+)/200 epochs", text).group(1))
    assert 3 <= done < 200
    assert curve_epochs(page) == list(range(1, done + 1)), "the partial history is kept"
    assert page.get_by_text("Trained model (.keras)").count() == 1, "the partial model can be downloaded"
    screenshot(page, "churn-stopped")
