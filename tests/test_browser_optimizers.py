"""The Optimizers page in a real chromium: the animation plays in the browser."""

import pytest

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
    page.wait_for_timeout(900)
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


def test_preset_loads_in_browser(page):
    page.goto(page.app_url + "/optimizers")
    wait_for_app(page)
    page.get_by_role("button", name="Himmelblau").click()
    wait_for_app(page)
    _wait_for_contour(page)
    assert_no_exception(page)
    # Bound selectboxes write their shown label into the URL.
    assert "opt.surface=Himmelblau" in page.url
    page.get_by_text("One step, with its numbers").scroll_into_view_if_needed()
    screenshot(page, "optimizers-himmelblau")
