"""The Decision boundary page in a real chromium: the live component (it trains and draws in the
browser) redraws while playing, widgets answer while playing, pause, step and replay, the weights
reach Python, drawing points with clicks, uploading a CSV, one screen on a projector."""

from __future__ import annotations

import json
import os
import time

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

MAP = "[data-testid=boundary-map]"
TARGET_REDRAWS_PER_SECOND = 20  # issue 20: the browser trains and draws at its frame rate
EPOCH = "() => +document.querySelector('[data-testid=boundary-epoch]').innerText.replace(/,/g, '')"


def _epoch(page) -> int:
    return page.evaluate(EPOCH)


def _wait_for_map(page):
    """The live component has drawn its map (it counts its redraws in data-frame)."""
    page.wait_for_selector(f"{MAP}[data-frame]", timeout=90_000)


# What each live part shows, as a string that changes when its picture or number does: the map's
# redraw count, the links' widths (they move with the weights), the loss curve's last epoch, the epoch.
LIVE_PARTS = {
    "map": f"() => document.querySelector('{MAP}')?.dataset.frame",
    "diagram": "() => [...document.querySelectorAll('.bd-links line:not(.bd-hit)')].map(l => l.getAttribute('stroke-width')).join()",
    "loss curve": "() => document.querySelector('.bd-loss')?.dataset.epoch",
    "metrics": "() => document.querySelector('[data-testid=boundary-epoch]')?.innerText",
}


def count_redraws(page, seconds: float) -> dict[str, float]:
    """How many new pictures (or numbers) each live part showed a second over `seconds`: at every
    frame the browser renders (requestAnimationFrame), what `LIVE_PARTS` reads is compared with
    the last frame's, so a picture replaced before a frame showed it does not count. Also the
    browser's main thread: the summed length of its long tasks (> 50 ms, when it could not draw or
    answer), ms a second."""
    parts = "{" + ", ".join(f"{json.dumps(name)}: {read}" for name, read in LIVE_PARTS.items()) + "}"
    page.evaluate(f"""() => {{ const parts = {parts};
        window.__redraws = {{}}; window.__shown = {{}}; window.__busy = 0; window.__counting = true;
        window.__tasks && window.__tasks.disconnect();
        const check = () => {{ if (!window.__counting) return;
          for (const [name, read] of Object.entries(parts)) {{ const now = read();
            if (now && now !== window.__shown[name]) {{
              if (window.__shown[name]) window.__redraws[name] = (window.__redraws[name] || 0) + 1;
              window.__shown[name] = now; }} }}
          requestAnimationFrame(check); }};
        window.__tasks = new PerformanceObserver(list => list.getEntries().forEach(e => window.__busy += e.duration));
        window.__tasks.observe({{type: 'longtask'}});
        check(); }}""")
    page.wait_for_timeout(seconds * 1000)
    counts = page.evaluate("() => { window.__counting = false; window.__tasks.disconnect();"
                           " return {...window.__redraws, busy: window.__busy}; }")
    rates = {f"{name} redraws/s": counts.get(name, 0) / seconds for name in LIVE_PARTS}
    rates["browser long tasks ms/s"] = counts["busy"] / seconds
    return rates


def play_and_count_redraws(page, seconds: float = 5, epochs: bool = False) -> dict[str, float]:
    """Open the spiral (8-8 tanh; x1, x2, sin1, sin2; unless the page is there already), press Play,
    and count each live part's redraws a second over `seconds` (`count_redraws`), and with `epochs`
    the epochs a second. bench/bench_boundary.py --browser uses it too."""
    if "bd.data=Spiral" not in page.url:
        page.goto(page.app_url + "/boundary?bd.data=Spiral&bd.f.sin1=true&bd.f.sin2=true&bd.n1=8&bd.n2=8")
    wait_for_app(page)
    _wait_for_map(page)
    assert_no_exception(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(1500)
    before = _epoch(page)
    rates = count_redraws(page, seconds)
    if epochs:
        rates["epochs/s"] = (_epoch(page) - before) / seconds  # the shown epoch: updated twice a second
    return rates


def _map_redraws_while_playing(page, seconds: float = 5) -> float:
    rates = play_and_count_redraws(page, seconds)
    print(f"while playing, a second: {rates} (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return rates["map redraws/s"]


def test_the_map_redraws_while_playing(page):
    """Counted in the frames chromium renders. Issue 20's target is 20 a second on a quiet machine
    (bench/bench_boundary.py --browser prints it); the test asks for 5 a second, which a machine
    shared with other test runs still gives."""
    page.set_default_timeout(90_000)
    rate = _map_redraws_while_playing(page)
    screenshot(page, "boundary-playing")
    assert rate >= 5


def _size(payload) -> int:
    return len(payload.encode() if isinstance(payload, str) else payload)


def test_reports_while_playing_do_not_bring_the_points_back(page):
    """A playing tab reports its weights every few seconds, and each report reruns the live part on
    the server. The browser already has the points and the settings, so what comes back is a few
    bytes, not the ~80 kB the view was mounted with (30 tabs on one classroom network)."""
    page.set_default_timeout(90_000)
    frames = {"in": [], "out": []}

    def watch(socket):
        socket.on("framereceived", lambda payload: frames["in"].append(payload))
        socket.on("framesent", lambda payload: frames["out"].append(payload))

    page.on("websocket", watch)
    page.goto(page.app_url + "/boundary?bd.data=Spiral&bd.n1=8&bd.n2=8")
    _wait_for_map(page)
    wait_for_app(page)
    mounted = max(map(_size, frames["in"]))
    assert mounted > 40_000, f"the view was mounted with {mounted} bytes: the points should be in them"
    frames["in"].clear(), frames["out"].clear()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(11_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_timeout(2_000)
    reports = [f for f in frames["out"] if b'"params"' in (f.encode() if isinstance(f, str) else f)]
    assert len(reports) >= 3, f"{len(reports)} reports in 11 s of playing and a pause"
    received = sorted(map(_size, frames["in"]))
    assert received and received[-1] < mounted / 4, (
        f"the server sent {received[-3:]} bytes back while the tab played (mounted with {mounted})")
    assert _downloaded_weights(page)["epoch"] == _epoch(page), "the pause's report was kept"
    assert_no_exception(page)


def _replay_epoch(page) -> int:
    return int(page.get_by_role("slider", name="Replay: the network at epoch").get_attribute("aria-valuetext").replace(",", ""))


def _downloaded_weights(page) -> dict:
    with page.expect_download() as download:
        page.get_by_role("button", name="Weights (.json)").click()
    return json.loads(open(download.value.path()).read())


def test_playing_redraws_live_and_widgets_still_answer(page):
    """While playing the map keeps redrawing, the other widgets answer (the learning rate keeps the
    weights), Pause stops training and the weights reach Python (the export), Step trains one epoch."""
    page.set_default_timeout(90_000)  # each step waits for a rerun; on an overloaded machine one takes tens of seconds
    assert _map_redraws_while_playing(page, seconds=3) >= 1 / 3, "no new picture of the map in 3 s of playing"
    # Change widgets while playing: each takes effect and training goes on.
    before = _epoch(page)
    learning_rate = page.get_by_role("slider", name="Learning rate")
    learning_rate.focus()
    learning_rate.press("ArrowRight")  # 0.03 -> 0.1
    page.wait_for_function("() => location.search.includes('bd.lr=0.1')", timeout=90_000)
    page.get_by_role("checkbox", name="Discretize output").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => location.search.includes('bd.discrete=true')", timeout=90_000)
    # The map keeps redrawing and training goes on from where it was (the weights were kept).
    picture = LIVE_PARTS["map"]
    shown = page.evaluate(picture)
    page.wait_for_function(f"() => ({picture})() !== {json.dumps(shown)}", timeout=60_000)
    page.wait_for_function(f"() => ({EPOCH})() > {before}", timeout=60_000)
    assert page.get_by_role("button", name="Pause", exact=True).count() == 1
    page.get_by_role("button", name="Pause", exact=True).click()
    paused = _epoch(page)
    assert _replay_epoch(page) == paused, "the replay slider stands at the epoch reached"
    page.wait_for_timeout(1000)
    assert _epoch(page) == paused, "pause stops training"
    # The weights of that epoch reach Python: the export (rebuilt by the rerun Pause causes) has them.
    wait_for_app(page)
    # (the report and the rerun it causes may still be on their way: download again until it came, 30 s at most)
    deadline, kept = time.monotonic() + 30, None
    while kept != paused and time.monotonic() < deadline:
        kept = _downloaded_weights(page)["epoch"]
        page.wait_for_timeout(500)
    assert kept == paused, f"Python kept epoch {kept}, the browser paused at {paused}"
    # Issue 12: the Step right after Pause trained, but the page went on showing the old epoch.
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => ({EPOCH})() === {paused + 1}", timeout=30_000)
    # Replay: back to epoch 0 without training, and forward again.
    replay = page.get_by_role("slider", name="Replay: the network at epoch")
    replay.focus()
    replay.press("Home")
    page.wait_for_function(f"() => ({EPOCH})() === 0", timeout=30_000)
    assert _replay_epoch(page) == 0
    replay.press("End")
    page.wait_for_function(f"() => ({EPOCH})() === {paused + 1}", timeout=30_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "boundary-spiral")


def _map_box(page) -> dict:
    return page.locator(MAP).bounding_box()


def _click_map(page, fx: float, fy: float) -> dict:
    """Click at a fraction (fx, fy) across the map's plotting area (0, 0 = top left); returns the
    area's box. The spot must be inside the window: a click outside it reaches no element."""
    box = _map_box(page)
    x, y = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
    viewport = page.viewport_size
    assert 0 < x < viewport["width"] and 0 < y < viewport["height"], f"the spot {x:.0f}, {y:.0f} is off screen"
    page.mouse.click(x, y)
    return box


def test_drawing_points_with_clicks(page):
    """Every click adds one point, the first one on the live map too (issue 12: the map moved down
    and shrank when the second point turned the empty canvas into the live view, so the next click
    at the same spot reached no map). One click each, no retries."""
    page.set_default_timeout(90_000)  # each click waits for a rerun; on an overloaded machine one takes tens of seconds
    page.goto(page.app_url + "/boundary")
    wait_for_app(page)
    _wait_for_map(page)
    page.get_by_text("Draw points: click on the map").click()
    wait_for_app(page)
    page.get_by_role("button", name="Clear").click()
    wait_for_app(page)
    _wait_for_map(page)
    clicks = [(0.25, 0.25, "class 0 (orange)"), (0.75, 0.75, "class 1 (blue)"), (0.3, 0.7, "class 0 (orange)"),
              (0.6, 0.3, "class 1 (blue)")]
    boxes = []
    for number, (fx, fy, label) in enumerate(clicks, start=1):
        page.get_by_role("radiogroup").get_by_text(label).click()
        wait_for_app(page)
        _wait_for_map(page)
        boxes.append(_click_map(page, fx, fy))
        page.get_by_text(f"Using your {number} points").wait_for(timeout=90_000)
        wait_for_app(page)
        _wait_for_map(page)
    canvas, live = boxes[1], boxes[2]  # the map without a network (one point) and with one (two points)
    assert all(abs(canvas[k] - live[k]) < 2 for k in canvas), f"the map moved from {canvas} to {live}"
    assert_no_exception(page)
    page.get_by_role("button", name="Undo").click()
    page.get_by_text(f"Using your {len(clicks) - 1} points").wait_for(timeout=90_000)
    wait_for_app(page)
    page.get_by_text("Draw points: click on the map").click()  # training pauses while drawing: off again
    wait_for_app(page)
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => ({EPOCH})() === 1", timeout=30_000)
    screenshot(page, "boundary-drawn")


def test_uploading_a_csv_and_a_bad_one(page, tmp_path):
    good = tmp_path / "mine.csv"
    good.write_text("x1,x2,label\n" + "".join(f"{x},{y},{int(x * y > 0)}\n" for x in range(-4, 5) for y in (-3, -1, 2, 4)))
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,label\n1,2,0\n3,abc,1\n")
    page.goto(page.app_url + "/boundary")
    wait_for_app(page)
    page.locator("[data-testid=stSidebar] input[type=file]").set_input_files(str(good))
    page.get_by_text("Using your 36 points").wait_for(timeout=60_000)
    wait_for_app(page)
    _wait_for_map(page)
    page.locator("[data-testid=stSidebar] input[type=file]").set_input_files(str(bad))
    page.get_by_text("row 2 (line 3 of the file), column x2").wait_for(timeout=60_000)
    assert page.get_by_text("Using your 36 points").count() == 1, "the previous points stay"
    assert_no_exception(page)


# What must be on the first screen (issue 20), by role or test id, and the texts of the buttons.
FIRST_SCREEN = ("boundary-epoch", "boundary-train-loss", "boundary-test-loss", "boundary-network", "boundary-map")
BUTTONS = {"en": ("Play", "Step", "Reset", "Pause"), "zh": ("播放", "单步", "重置", "暂停")}


def _boxes(page, lang) -> dict:
    boxes = {test_id: page.get_by_test_id(test_id).bounding_box() for test_id in FIRST_SCREEN}
    for name in BUTTONS[lang][:3] if _epoch(page) == 0 else ():
        boxes[name] = page.get_by_role("button", name=name, exact=True).bounding_box()
    return boxes


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_one_screen_on_a_projector_and_nothing_jumps_at_pause(browser, streamlit_server, lang):
    """At 1280x720 and 1024x768, in English and Chinese: Play/Step/Reset, the epoch and losses,
    the network diagram and the map lie inside the first screen, unscrolled; Pause moves nothing."""
    play, step, reset, pause = BUTTONS[lang]
    for width, height in ((1280, 720), (1024, 768)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        page.set_default_timeout(90_000)
        try:
            page.goto(f"{streamlit_server}/boundary?lang={lang}")
            wait_for_app(page, timeout=120_000)
            _wait_for_map(page)
            assert_no_exception(page)
            for name in (play, step, reset):
                assert page.get_by_role("button", name=name, exact=True).count() == 1, name
            for test_id in ("boundary-map", "boundary-network"):
                assert page.get_by_test_id(test_id).get_attribute("aria-label"), test_id
            assert page.locator("[aria-live=polite]").get_by_test_id("boundary-epoch").count() == 1
            boxes = _boxes(page, lang)
            outside = {name: box for name, box in boxes.items()
                       if box is None or box["x"] < 0 or box["y"] < 0 or box["x"] + box["width"] > width
                       or box["y"] + box["height"] > height}
            screenshot(page, f"boundary-one-screen-{width}x{height}-{lang}")
            assert not outside, f"{width}x{height} {lang}: outside the first screen: {outside}"
            page.get_by_role("button", name=play, exact=True).click()
            page.wait_for_function(f"() => ({EPOCH})() > 5", timeout=60_000)
            playing = {k: page.get_by_test_id(k).bounding_box() for k in FIRST_SCREEN}
            page.get_by_role("button", name=pause, exact=True).click()
            wait_for_app(page)
            paused = {k: page.get_by_test_id(k).bounding_box() for k in FIRST_SCREEN}
            moved = {k: (playing[k], paused[k]) for k in FIRST_SCREEN
                     if any(abs(playing[k][c] - paused[k][c]) > 1 for c in ("x", "y", "width", "height"))}
            assert not moved, f"{width}x{height} {lang}: pausing moved {moved}"
        finally:
            context.close()


def test_tensorflow_playground_interactions(page):
    """Hover a neuron: its map in the big panel. Click an input's map: the feature switches on (a
    setting: in the URL, a new network with one more input). Click a link: edit its weight, which
    the diagram shows and Python keeps (the export)."""
    page.set_default_timeout(90_000)
    page.goto(page.app_url + "/boundary")
    wait_for_app(page)
    _wait_for_map(page)
    caption = page.locator(".bd-map-caption")
    output_caption = caption.inner_text()
    page.locator(".bd-node[title='neuron 2 of layer 1']").hover()
    page.wait_for_function("() => document.querySelector('.bd-map-caption').innerText.includes('neuron 2 of layer 1')")
    page.mouse.move(5, 5)
    page.wait_for_function(f"() => document.querySelector('.bd-map-caption').innerText === {json.dumps(output_caption)}")
    # an input's map switches the feature
    square = page.get_by_role("button", name="x₁²: click to switch this input on or off")
    assert square.get_attribute("aria-pressed") == "false"
    square.click()
    page.wait_for_function("() => location.search.includes('bd.f.x1sq=true')")
    wait_for_app(page)
    page.wait_for_function("() => document.querySelector('.bd-input[aria-label^=\"x₁²\"]')?.getAttribute('aria-pressed') === 'true'")
    assert page.get_by_role("checkbox", name="x₁²").is_checked(), "the sidebar's checkbox follows"
    # a link's weight, edited
    page.locator(".bd-links line.bd-hit").first.click()
    editor = page.locator(".bd-edit input")
    editor.fill("1.234")
    editor.press("Enter")
    page.wait_for_function("() => [...document.querySelectorAll('.bd-links title')].some(t => t.textContent.includes('+1.234'))")
    deadline, kernels = time.monotonic() + 30, []
    while 1.234 not in kernels and time.monotonic() < deadline:
        kernels = [w for layer in _downloaded_weights(page)["layers"] for row in layer["kernel"] for w in row]
        page.wait_for_timeout(500)
    assert 1.234 in kernels, "Python keeps the edited weight"
    assert_no_exception(page)
    screenshot(page, "boundary-interactions")
