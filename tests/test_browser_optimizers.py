"""The Optimizers page in a real chromium: the animation plays in the browser."""

import pytest
from playwright.sync_api import expect

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

CHART = "[data-testid=stPlotlyChart] .js-plotly-plot"


def _wait_for_contour(page):
    page.wait_for_function(
        f"() => {{ const p = document.querySelector('{CHART}');"
        " return p && p._fullData && p._fullData.length > 4 && p._transitionData && p._transitionData._frames.length > 0; }",
        timeout=90_000,
    )


def _slider_state(page):
    return page.evaluate(
        f"() => {{ const p = document.querySelector('{CHART}');"
        " return {active: p._fullLayout.sliders[0].active, frame: p._transitionData._frameHash ? "
        "Object.keys(p._transitionData._frameHash).length : 0,"
        " head: p._fullData[5].x ? Array.from(p._fullData[5].x) : null}; }"
    )


def test_play_button_moves_the_step_slider(page):
    page.goto(page.app_url + "/optimizers?opt.steps=100")
    wait_for_app(page)
    _wait_for_contour(page)
    assert_no_exception(page)
    before = _slider_state(page)
    assert before["active"] == before["frame"] - 1, "the slider starts at the finished race"
    chart = page.locator(CHART).first
    chart.scroll_into_view_if_needed()
    chart.locator(".updatemenu-button", has_text="Play").click()
    # Wait for the animation to be under way (on a loaded machine its first frames can come late).
    page.wait_for_function(
        f"(last) => {{ const active = document.querySelector('{CHART}')._fullLayout.sliders[0].active;"
        " return 0 < active && active < last; }", arg=before["active"], timeout=30_000)
    during = _slider_state(page)
    # Playing restarts from step 0 and advances frame by frame, without any server rerun.
    assert 0 < during["active"] < before["active"], (before, during)
    assert during["head"] != before["head"], "the moving points follow the frames"
    screenshot(page, "optimizers-playing")
    chart.locator(".updatemenu-button", has_text="Pause").click()
    page.wait_for_timeout(300)
    paused = _slider_state(page)["active"]
    page.wait_for_timeout(600)
    assert _slider_state(page)["active"] == paused, "pause stops the animation"
    assert page.locator("[data-testid=stStatusWidget]").count() == 0, "no rerun was triggered"


def _open_preset(page, preset: str, query: str = "") -> None:
    """The Optimizers page with `preset` clicked and its contour drawn, without an exception."""
    page.goto(page.app_url + "/optimizers" + query)
    wait_for_app(page)
    page.get_by_role("button", name=preset).click()
    wait_for_app(page)
    _wait_for_contour(page)
    assert_no_exception(page)


def test_preset_loads_in_browser(page):
    _open_preset(page, "Himmelblau")
    # Choices write their id into the URL (pages.shell.language.choice), not their translated label.
    assert "opt.surface=himmelblau" in page.url  # the id: the same link in every language
    page.get_by_text("One step, with its numbers").scroll_into_view_if_needed()
    screenshot(page, "optimizers-himmelblau")


def _start_slider_values(page):
    return [float(page.get_by_role("slider", name=f"Start {axis}").input_value()) for axis in "xy"]


def test_click_on_the_contour_sets_the_start(page):
    page.goto(page.app_url + "/optimizers?opt.surface=Round+bowl&opt.steps=50")
    wait_for_app(page)
    _wait_for_contour(page)
    assert _start_slider_values(page) == [-2.5, 2.0]
    chart = page.locator(CHART).first
    chart.scroll_into_view_if_needed()
    box = chart.locator(".nsewdrag").first.bounding_box()
    # The bowl spans -3..3 on both axes: a click 3/4 across and 3/4 down is near (1.5, -1.5).
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.75 * box["height"])
    page.wait_for_timeout(1000)
    wait_for_app(page)
    _wait_for_contour(page)
    x, y = _start_slider_values(page)
    assert abs(x - 1.5) < 0.5 and abs(y + 1.5) < 0.5, (x, y)
    assert_no_exception(page)
    screenshot(page, "optimizers-clicked-start")


def test_3d_view_and_explainer_render(page):
    page.goto(page.app_url + "/optimizers?opt.view=surface&opt.ex.step=3")
    wait_for_app(page)
    page.wait_for_function(
        "() => { const p = document.querySelector('[data-testid=stPlotlyChart] .js-plotly-plot');"
        " return p && p._fullData && p._fullData[0].type === 'surface'; }", timeout=90_000)
    assert_no_exception(page)
    page.locator("[data-testid=stPlotlyChart]").first.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    screenshot(page, "optimizers-3d")
    page.get_by_text("One step, with its numbers").scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert page.locator(".katex").count() >= 4
    screenshot(page, "optimizers-explainer")


def test_local_minimum_preset_shows_where_runs_end_over_50_seeds(page):
    _open_preset(page, "逃出局部极小值", "?lang=zh")
    assert "opt.surface=two_wells" in page.url
    heading = page.get_by_role("heading", name="50 个随机种子下，各次运行停在哪里")
    heading.scroll_into_view_if_needed()
    table = page.locator("[data-testid=stDataFrame]").nth(1)
    expect(table).to_be_visible(timeout=30_000)
    assert "停在最深的极小值" in table.inner_text() or table.locator("canvas").count() > 0
    page.wait_for_timeout(1000)
    screenshot(page, "optimizers-local-minimum-zh")
