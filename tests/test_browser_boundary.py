"""The Decision boundary page in a real chromium: live redraws while playing, widgets that answer
while playing, pause and step, drawing points with clicks, uploading a CSV."""

from __future__ import annotations

import json
import os

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

MAP = ("() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')].find(p => p._fullData"
       " && p._fullData.some(t => t.name === 'network output'))")
TARGET_REDRAWS_PER_SECOND = 5


def _epoch(page) -> int:
    return int(page.locator("[data-testid=stMetricValue]").first.inner_text().replace(",", ""))


def _wait_for_map(page):
    page.wait_for_function(f"() => !!({MAP})()", timeout=90_000)


# What each live part shows, as a string that changes when its picture or number does: the map's
# picture (an <img> while playing, a chart's PNG when paused), the diagram's output-neuron PNG (its last image), the loss curve's training line, the epoch.
LIVE_PARTS = {
    "map": f"() => document.querySelector('.bd-map img')?.getAttribute('src')"
           f" || ({MAP})()?.querySelector('.imagelayer image')?.getAttribute('href')",
    "diagram": "() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]"
               ".find(p => p._fullData?.some(t => t.name === 'weight (hover)'))"
               "?.querySelector('.layer-above .imagelayer image:last-child')?.getAttribute('href')",
    "loss curve": "() => [...document.querySelectorAll('[data-testid=stPlotlyChart] .js-plotly-plot')]"
                  ".find(p => p._fullData?.some(t => t.name === 'training loss'))?.querySelector('.scatterlayer path.js-line')"
                  "?.getAttribute('d')",
    "metrics": "() => document.querySelector('[data-testid=stMetricValue]')?.innerText",
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


def play_and_count_redraws(page, seconds: float = 5, fps: int = 10) -> dict[str, float]:
    """Open the spiral (8-8 tanh; x1, x2, sin1, sin2), press Play, and count each live part's
    redraws a second over `seconds` (`count_redraws`). The page ticks `fps` times a second (10, its
    highest: the rate then shows what the machine can do, not the timer). bench/bench_boundary.py
    --browser uses it too."""
    page.goto(page.app_url + f"/boundary?bd.data=Spiral&bd.f.sin1=true&bd.f.sin2=true&bd.n1=8&bd.n2=8&bd.fps={fps}")
    wait_for_app(page)
    _wait_for_map(page)
    assert_no_exception(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_timeout(1500)
    return count_redraws(page, seconds)


def _map_redraws_while_playing(page, seconds: float = 5, fps: int = 10) -> float:
    rates = play_and_count_redraws(page, seconds, fps)
    print(f"while playing, a second: {rates} (load {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    return rates["map redraws/s"]


def test_the_map_redraws_five_times_a_second_while_playing(page):
    """Issue 12's target, counted in the frames chromium renders (a picture replaced before a
    frame showed it does not count). bench/bench_boundary.py --browser prints the same figure."""
    page.set_default_timeout(90_000)
    rate = _map_redraws_while_playing(page)
    screenshot(page, "boundary-playing")
    assert rate >= TARGET_REDRAWS_PER_SECOND


def test_playing_redraws_live_and_widgets_still_answer(page):
    """While playing the map keeps redrawing (the 5-a-second target: the test above) and the other
    widgets answer."""
    page.set_default_timeout(90_000)  # each step waits for a rerun; on an overloaded machine one takes tens of seconds
    assert _map_redraws_while_playing(page, seconds=5, fps=5) >= 1 / 5, "no new picture of the map in 5 s of playing"
    # Change widgets while playing: each takes effect and training goes on.
    before = _epoch(page)
    learning_rate = page.get_by_role("slider", name="Learning rate")
    learning_rate.focus()
    learning_rate.press("ArrowRight")  # 0.03 -> 0.1
    page.wait_for_function("() => location.search.includes('bd.lr=0.1')", timeout=90_000)
    # By keyboard, like the slider: under heavy load Playwright's pointer click kept waiting for the
    # checkbox to count as "stable" (its box did not move: sampled every 100 ms while playing).
    page.get_by_role("checkbox", name="Discretize output").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => location.search.includes('bd.discrete=true')", timeout=90_000)
    # The map keeps redrawing and training goes on (waits, not fixed windows: a loaded machine is slow).
    picture = LIVE_PARTS["map"]
    shown = page.evaluate(picture)
    page.wait_for_function(f"() => ({picture})() !== {json.dumps(shown)}", timeout=60_000)
    page.wait_for_function(f"() => +document.querySelector('[data-testid=stMetricValue]').innerText.replace(/,/g, '') > {before}",
                           timeout=60_000)
    assert page.get_by_role("button", name="Pause", exact=True).count() == 1
    page.get_by_role("button", name="Pause", exact=True).click()
    # The replay slider is only drawn by a run that is not playing, and it stands at the epoch the
    # run reached. The metrics come after it in the same run, so wait until they show that epoch
    # too (on a loaded machine the page lags the server by seconds, and the run's parts arrive
    # one by one).
    replay = page.get_by_role("slider", name="Replay: the network at epoch")
    replay.wait_for(timeout=60_000)
    paused = int(replay.get_attribute("aria-valuetext").replace(",", ""))
    page.wait_for_function(f"() => document.querySelector('[data-testid=stMetricValue]').innerText.replace(',', '') == '{paused}'",
                           timeout=90_000)
    wait_for_app(page)
    page.wait_for_timeout(1000)
    assert _epoch(page) == paused, "pause stops training"
    # Issue 12: the Step right after Pause trained, but the page went on showing the old epoch.
    page.get_by_role("button", name="Step", exact=True).click()
    page.wait_for_function(f"() => document.querySelector('[data-testid=stMetricValue]').innerText.replace(',', '') == '{paused + 1}'",
                           timeout=90_000)
    wait_for_app(page)
    assert_no_exception(page)
    screenshot(page, "boundary-spiral")


def _map_box(page) -> dict:
    return page.evaluate(f"() => {{ const r = ({MAP})().querySelector('.nsewdrag').getBoundingClientRect();"
                         " return {x: r.x, y: r.y, width: r.width, height: r.height}; }")


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
    canvas, live = boxes[1], boxes[2]  # (the first click's box is smaller: a legend appears with the first point)
    assert all(abs(canvas[k] - live[k]) < 2 for k in canvas), f"the map moved from {canvas} to {live}"
    assert_no_exception(page)
    page.get_by_role("button", name="Undo").click()
    page.get_by_text(f"Using your {len(clicks) - 1} points").wait_for(timeout=90_000)
    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_app(page)
    assert _epoch(page) == 1
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
