"""The Optimizers page through AppTest: every surface x method renders, presets, URL state."""

from __future__ import annotations

import numpy as np
import pytest

from apptest_utils import chart_specs, modules_after_page_run, open_page
from playground.optimizers import race, surfaces
from playground.optimizers import presets as optimizer_presets
from playground.optimizers import rules as optimizers

PAGE = "pages/optimizers.py"


@pytest.fixture(scope="module")
def at():
    at = open_page(PAGE, timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    return at


def _latex(at):
    return [element.value.strip().removeprefix("$$").removesuffix("$$").strip() for element in at.latex]


def _table(at):
    return at.dataframe[0].value


def _view(at):
    """The race the page should be showing, recomputed here from its widget values."""
    state = {key: at.session_state[key] for key in optimizer_presets.DEFAULTS if key in at.session_state}
    view = optimizer_presets.view_from_state(state)
    return view, race.race(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch,
                           view.noise, view.seed)


def test_default_view_renders_animation_loss_table_and_explainer(at):
    contour, loss = chart_specs(at)
    view, result = _view(at)
    assert len(contour["frames"]) == view.steps + 1
    assert contour["layout"]["sliders"][0]["active"] == view.steps
    assert loss["layout"]["yaxis"]["type"] == "log"
    table = _table(at)
    assert len(table) == len(view.specs)
    np.testing.assert_allclose(table["final loss"].to_numpy(dtype=float), result.losses[:, -1], rtol=1e-12)
    # The explainer shows run 1, step 1 with the race's numbers.
    latex = _latex(at)
    for line in result.explain(0, 1):
        assert line in latex


@pytest.mark.parametrize("surface", surfaces.names())
def test_every_surface_with_every_method_renders(at, surface):
    at.selectbox(key="opt.surface").set_value(surface).run()
    at.slider(key="opt.steps").set_value(30).run()
    at.slider(key="opt.runs").set_value(5).run()
    methods = optimizers.names()
    sources = list(race.SOURCES)
    for chunk in (methods[:5], methods[5:]):
        for run, method in enumerate(chunk, start=1):
            at.selectbox(key=f"opt.r{run}.method").set_value(method)
            at.selectbox(key=f"opt.r{run}.source").set_value(sources[run % 3])
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        view, result = _view(at)
        assert [spec.method for spec in view.specs][: len(chunk)] == chunk
        contour = chart_specs(at)[0]
        assert len(contour["frames"]) == 31
        table = _table(at)
        np.testing.assert_allclose(table["final loss"].to_numpy(dtype=float), result.losses[:, -1], rtol=1e-12)
        # Each run's final point in the figure is the race's final point.
        for r in range(len(view.specs)):
            np.testing.assert_allclose(contour["data"][3 + 2 * r]["x"][-1], result.paths[r, -1, 0], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", optimizer_presets.PRESETS)
def test_presets_load_in_one_click(name):
    at = open_page(PAGE, timeout=120)
    at.button(key=f"opt.preset.{name}").click().run()
    assert not at.exception, [e.value for e in at.exception]
    preset = optimizer_presets.PRESETS[name]
    assert at.selectbox(key="opt.surface").value == preset.surface
    assert at.slider(key="opt.runs").value == len(preset.runs)
    view, result = _view(at)
    table = _table(at)
    np.testing.assert_allclose(table["final loss"].to_numpy(dtype=float), result.losses[:, -1], rtol=1e-12)
    assert view.specs[0].method == preset.runs[0][0]


def test_a_url_restores_the_view():
    # Bound selectboxes and select sliders carry their shown label in the URL.
    params = {
        "opt.surface": "Beale", "opt.steps": "50", "opt.runs": "2", "opt.x0": "1.5", "opt.y0": "-1",
        "opt.r1.method": "Adam", "opt.r1.lr": "0.05", "opt.r2.method": "Nadam", "opt.r2.source": "mini-batch",
        "opt.r2.lr": "0.02", "opt.batch": "8", "opt.seed": "7", "opt.noise": "0.3",
    }
    at = open_page(PAGE, timeout=120, query_params=params)
    assert not at.exception, [e.value for e in at.exception]
    view, result = _view(at)
    assert view.surface == "beale" and view.steps == 50 and view.start == (1.5, -1.0)
    assert [(s.method, s.learning_rate, s.source) for s in view.specs] == [
        ("adam", 0.05, "full"), ("nadam", 0.02, "minibatch")]
    assert (view.batch, view.seed, view.noise) == (8, 7, 0.3)
    np.testing.assert_allclose(_table(at)["final loss"].to_numpy(dtype=float), result.losses[:, -1], rtol=1e-12)


def test_a_diverging_run_is_a_warning_not_a_traceback():
    at = open_page(PAGE, timeout=120, query_params={"opt.r1.lr": "10", "opt.r1.method": "Plain step (Keras SGD)"})
    assert not at.exception
    assert any("diverged at step" in warning.value for warning in at.warning)
    assert _table(at)["diverged at step"].iloc[0] >= 1


def test_explainer_follows_run_and_step(at):
    at.selectbox(key="opt.surface").set_value("rosenbrock").run()
    at.slider(key="opt.runs").set_value(4).run()
    at.selectbox(key="opt.r4.method").set_value("adam").run()
    at.selectbox(key="opt.ex.run").set_value(4).run()
    at.slider(key="opt.ex.step").set_value(7).run()
    _, result = _view(at)
    latex = _latex(at)
    lines = result.explain(3, 7)
    assert lines and all(line in latex for line in lines)
    assert any("bias corrections" in line for line in lines)


def test_page_never_imports_tensorflow():
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == []
    assert result["heavy"] == [], result["heavy"][:5]


def test_local_minimum_preset_counts_where_runs_end_over_50_seeds():
    from playground.optimizers import endings

    at = open_page(PAGE, timeout=120)
    assert len(at.dataframe) == 1  # Rosenbrock has one minimum: no count over seeds
    at.button(key="opt.preset.local_minimum").click().run()
    assert not at.exception, [e.value for e in at.exception]
    view, _ = _view(at)
    expected = endings.over_seeds(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch, view.noise)
    counts = at.dataframe[1].value
    assert list(counts["in the deepest minimum"]) == [expected.count(r, "deepest") for r in range(2)]
    assert list(counts["in a shallower minimum"]) == [expected.count(r, "shallower") for r in range(2)]
    assert counts["in a shallower minimum"].iloc[0] == 50 and counts["in the deepest minimum"].iloc[1] >= 35
    assert any("too little noise" in block.value for block in at.markdown)
    # The seed in the sidebar picks the race above, not the count.
    at.number_input(key="opt.seed").set_value(5).run()
    assert at.dataframe[1].value.equals(counts)
