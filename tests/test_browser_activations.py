"""The Activations page in a real chromium: it renders its charts, and a slider moves the chart."""

import json

import pytest

from conftest import assert_no_exception, screenshot, wait_for_app

pytestmark = pytest.mark.browser

FIRST_CHART = "document.querySelectorAll('.js-plotly-plot')[0]"


def first_chart_traces(page) -> list[dict]:
    """Name and first y values of each trace of the function chart, as the browser holds them."""
    return json.loads(
        page.evaluate(
            f"""() => JSON.stringify(({FIRST_CHART}._fullData || []).map(t => ({{
                name: t.name, kind: t.meta && t.meta.kind, y: Array.from(t.y || []).slice(0, 5)}})))"""
        )
    )


def test_page_renders_charts_and_a_parameter_slider_moves_the_chart(page):
    # Open the app once first: on a server whose main script has not run yet, Streamlit serves
    # pages/*.py directly (file-name navigation, no app.py layout); see the report to the lead.
    page.goto(page.app_url)
    wait_for_app(page)
    page.goto(page.app_url + "/activations?act.fns=sigmoid&act.fns=elu&act.fns=relu")
    wait_for_app(page)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 4")
    page.wait_for_function(f"{FIRST_CHART}._fullData?.length > 0")
    assert_no_exception(page)
    assert page.locator("h1").first.text_content().strip() == "Activations"
    before = first_chart_traces(page)
    names = [t["name"] for t in before if t["kind"] == "f"]
    assert names == ["sigmoid", "elu", "relu"]
    # Every chart drew SVG paths (a blank chart has none).
    assert page.locator(".js-plotly-plot .scatterlayer path.js-line").count() >= 6
    screenshot(page, "activations-initial")

    slider = page.get_by_role("slider", name="ELU: alpha")
    slider.focus()
    for _ in range(10):  # alpha 1.0 -> 1.5 in steps of 0.05
        slider.press("ArrowRight")
    wait_for_app(page)
    page.wait_for_function(
        f"""() => {{ const t = {FIRST_CHART}._fullData.find(t => t.name === 'elu');
                   return t && Math.abs(t.y[0] - 1.5 * (Math.exp(-6) - 1)) < 1e-3; }}""",
        timeout=30_000,
    )
    after = first_chart_traces(page)
    elu_before = next(t for t in before if t["name"] == "elu")["y"][0]
    elu_after = next(t for t in after if t["name"] == "elu")["y"][0]
    assert elu_before == pytest.approx(-(1 - 2.718281828 ** -6), abs=1e-6)
    assert elu_after == pytest.approx(-1.5 * (1 - 2.718281828 ** -6), abs=1e-6)
    assert "act.elu.alpha=1.5" in page.url
    assert_no_exception(page)
    screenshot(page, "activations-elu-alpha-1.5")
