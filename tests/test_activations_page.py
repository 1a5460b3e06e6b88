"""The Activations page through AppTest: charts, tables and the URL, every number checked against
keras.activations / tf.GradientTape (or numbers derived independently in the test)."""

import math

import numpy as np
import pytest

from apptest_utils import chart_specs, modules_after_page_run, open_page
from playground.activations import vanishing
from playground.activations import functions as activations
from test_activations_functions import TOLERANCE, as_tf_sees_them, keras_reference, tape_value_and_grad

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

PAGE = "pages/activations.py"


def traces(spec: dict, kind: str) -> dict:
    """activation id -> trace of the given kind ("f", "grad", "tangent", ...)."""
    return {t["meta"]["activation"]: t for t in spec["data"] if t.get("meta", {}).get("kind") == kind}


def assert_matches_keras(name: str, params: dict, x: np.ndarray, y: np.ndarray, dy: np.ndarray) -> None:
    expected_y, expected_dy = tape_value_and_grad(keras_reference(name, params), x)
    # The page uses the exact parameter the user set; TF keeps some as float32 (see test_activations).
    entry = activations.get(name)
    tf_params = as_tf_sees_them(name, params)
    tolerance = TOLERANCE.get(name, {"rtol": 1e-11, "atol": 1e-12})
    np.testing.assert_allclose(entry.fn(x, **tf_params), expected_y, **tolerance)
    np.testing.assert_allclose(entry.grad(x, **tf_params), expected_dy, **tolerance)
    np.testing.assert_allclose(y, entry.fn(x, **params), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(dy, entry.grad(x, **params), rtol=1e-12, atol=1e-15)
    if tf_params == entry.with_defaults(params):  # no float32 rounding of a parameter involved
        np.testing.assert_allclose(y, expected_y, **tolerance)
        np.testing.assert_allclose(dy, expected_dy, **tolerance)


@pytest.fixture(scope="module")
def page():
    at = open_page(PAGE)
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_default_view_has_four_charts_and_no_tensorflow_needed(page):
    specs = chart_specs(page)
    assert len(specs) == 4
    assert sorted(traces(specs[0], "f")) == ["relu", "sigmoid", "tanh"]
    assert page.title[0].value == "Activations"
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == []
    assert result["heavy"] == [], "the Activations page must not import tensorflow/keras"


@pytest.mark.parametrize("name", activations.names())
def test_every_function_can_be_selected_with_f_and_derivative_traces(page, name):
    page.multiselect(key="act.fns").set_value([name]).run()
    assert not page.exception, [e.value for e in page.exception]
    spec = chart_specs(page)[0]
    f_trace, grad_trace = traces(spec, "f")[name], traces(spec, "grad")[name]
    x = np.asarray(f_trace["x"], dtype=float)
    assert x.min() == -6.0 and x.max() == 6.0 and len(x) > 500
    np.testing.assert_array_equal(np.asarray(grad_trace["x"]), x)
    assert_matches_keras(name, {}, x, np.asarray(f_trace["y"]), np.asarray(grad_trace["y"]))
    assert grad_trace["line"]["dash"] == "dash" and f_trace["line"]["color"] == grad_trace["line"]["color"]
    # The formula, the derivative's formula and the note are shown for the function.
    latex = [element.value.strip("$\n") for element in page.latex]
    assert activations.get(name).formula in latex and activations.get(name).grad_formula in latex
    assert any(activations.get(name).note == md.value for md in page.markdown)


def test_all_functions_at_once_with_the_properties_table(page):
    page.multiselect(key="act.fns").set_value(activations.names()).run()
    assert not page.exception
    spec = chart_specs(page)[0]
    assert sorted(traces(spec, "f")) == sorted(activations.names())
    assert sorted(traces(spec, "grad")) == sorted(activations.names())
    table = page.dataframe[1].value
    assert list(table["function"]) == [activations.get(n).title for n in activations.names()]
    f_traces = traces(spec, "f")
    for row, name in zip(table.to_dict("records"), activations.names()):
        props = activations.properties(name)
        assert row["output range"] == props.output_range
        assert row["Keras name"] == (props.keras_name or "—")
        # Re-derive from the plotted trace and from GradientTape, independently of the registry:
        x, y = np.asarray(f_traces[name]["x"]), np.asarray(f_traces[name]["y"])
        _, tape_grads = tape_value_and_grad(keras_reference(name, {}), x)
        if np.any(np.diff(y) < -1e-12):  # a dip in the plotted curve: not monotonic
            assert row["monotonic"] == "no"
        if row["monotonic"] == "yes":
            assert np.all(np.diff(y) >= 0) and np.all(tape_grads >= 0)
        lo, hi = props.low, props.high
        assert y.min() >= lo - 1e-12 and y.max() <= hi + 1e-12
        _, grad0 = tape_value_and_grad(keras_reference(name, {}), np.array([0.0]))
        assert float(row["f′(0)"]) == pytest.approx(float(grad0[0]), rel=1e-3, abs=1e-12)
        z = np.random.default_rng(1).standard_normal(400_000)
        mean = float(np.mean(activations.get(name).fn(z)))
        shown_mean = float(row["zero-centred"].split("mean ")[1].rstrip(")"))
        assert shown_mean == pytest.approx(mean, abs=0.01)
        assert row["zero-centred"].startswith("yes" if abs(mean) <= 0.1 * np.std(activations.get(name).fn(z)) else "no")


def test_parameter_slider_changes_the_trace():
    at = open_page(PAGE, query_params={"act.fns": ["elu"]})
    before = np.asarray(traces(chart_specs(at)[0], "f")["elu"]["y"])
    at.slider(key="act.elu.alpha").set_value(2.0).run()
    assert not at.exception
    spec = chart_specs(at)[0]
    x = np.asarray(traces(spec, "f")["elu"]["x"])
    after = np.asarray(traces(spec, "f")["elu"]["y"])
    negative = x < 0
    np.testing.assert_allclose(after[negative], 2.0 * before[negative], rtol=1e-12)
    np.testing.assert_array_equal(after[~negative], before[~negative])
    expected, expected_grad = tape_value_and_grad(lambda v: keras.activations.elu(v, alpha=2.0), x)
    np.testing.assert_allclose(after, expected, rtol=1e-12)
    np.testing.assert_allclose(traces(spec, "grad")["elu"]["y"], expected_grad, rtol=1e-12)
    # A function without parameters gets no slider; one with parameters does.
    keys = {s.key for s in at.slider}
    assert "act.elu.alpha" in keys and not any(k.startswith("act.relu.") for k in keys)


def test_url_with_parameters_restores_the_view():
    query = {
        "act.fns": ["leaky_relu", "swish", "relu6"],
        "act.leaky_relu.alpha": "0.5",
        "act.swish.beta": "2.0",
        "act.range": ["-3", "4"],
        "act.x0": "-1.5",
        "act.deriv": "panel",
    }
    at = open_page(PAGE, query_params=query)
    assert not at.exception
    assert at.multiselect(key="act.fns").value == ["leaky_relu", "swish", "relu6"]
    assert at.slider(key="act.leaky_relu.alpha").value == 0.5
    assert at.slider(key="act.swish.beta").value == 2.0
    assert at.slider(key="act.range").value == (-3.0, 4.0)
    assert at.slider(key="act.x0").value == -1.5
    spec = chart_specs(at)[0]
    assert "yaxis2" in spec["layout"], "the derivative is in a second panel"
    assert all(t.get("yaxis") == "y2" for t in traces(spec, "grad").values())
    for name, params in {"leaky_relu": {"alpha": 0.5}, "swish": {"beta": 2.0}, "relu6": {}}.items():
        f_trace, grad_trace = traces(spec, "f")[name], traces(spec, "grad")[name]
        x = np.asarray(f_trace["x"])
        assert x[0] == -3.0 and x[-1] == 4.0
        assert_matches_keras(name, params, x, np.asarray(f_trace["y"]), np.asarray(grad_trace["y"]))
    # Swish with beta = 2 is not keras' silu any more; the table says so.
    table = at.dataframe[1].value.set_index("function")
    assert table.loc["Swish / SiLU", "Keras name"] == "—"
    assert table.loc["Leaky ReLU", "Keras name"] == "leaky_relu"


def test_point_inspector_values_and_tangent_line():
    at = open_page(PAGE, query_params={"act.fns": ["sigmoid", "gelu", "relu"], "act.x0": "-0.7"})
    spec = chart_specs(at)[0]
    inspector = at.dataframe[0].value.set_index("function")
    for name in ("sigmoid", "gelu", "relu"):
        value, slope = tape_value_and_grad(keras_reference(name, {}), np.array([-0.7]))
        row = inspector.loc[activations.get(name).title]
        assert row["f(x0)"] == pytest.approx(value[0], rel=1e-6, abs=1e-12)
        assert row["f′(x0)"] == pytest.approx(slope[0], rel=1e-6, abs=1e-12)
        tangent = traces(spec, "tangent")[name]
        tx, ty = np.asarray(tangent["x"]), np.asarray(tangent["y"])
        # The line passes through (x0, f(x0)) with slope f'(x0).
        assert (ty[1] - ty[0]) / (tx[1] - tx[0]) == pytest.approx(slope[0], rel=1e-6, abs=1e-12)
        assert ty[0] + slope[0] * (-0.7 - tx[0]) == pytest.approx(value[0], rel=1e-6, abs=1e-12)
    points = next(t for t in spec["data"] if t["meta"]["kind"] == "point")
    assert list(points["x"]) == [-0.7] * 3


def test_x0_outside_the_range_warns_and_an_empty_range_is_handled():
    at = open_page(PAGE, query_params={"act.x0": "15"})
    assert not at.exception
    assert any("outside the plotted range" in w.value for w in at.warning)
    at.slider(key="act.range").set_value((2.0, 2.0)).run()
    assert not at.exception
    assert any("x-range is empty" in w.value for w in at.warning)
    at.multiselect(key="act.fns").set_value([]).run()
    assert not at.exception and len(at.info) >= 1


@pytest.mark.parametrize("temperature", [0.25, 1.0, 3.0])
def test_softmax_bars_and_jacobian_match_gradient_tape(temperature):
    query = {"act.k": "4", "act.z1": "3.0", "act.z2": "-1.0", "act.z3": "0.5", "act.z4": "2.5", "act.T": str(temperature)}
    at = open_page(PAGE, query_params=query)
    assert not at.exception
    specs = chart_specs(at)
    bars = specs[1]["data"][0]
    heatmap = specs[2]["data"][0]
    z = tf.constant([3.0, -1.0, 0.5, 2.5], tf.float64)
    with tf.GradientTape() as tape:
        tape.watch(z)
        p = keras.activations.softmax(z / temperature)
    np.testing.assert_allclose(np.asarray(bars["y"]), p.numpy(), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(heatmap["z"]), tape.jacobian(p, z).numpy(), atol=1e-14)
    assert math.isclose(float(np.sum(bars["y"])), 1.0)


def test_vanishing_chart_shows_each_function_and_sigmoid_collapses():
    at = open_page(PAGE, query_params={"act.fns": ["sigmoid", "relu", "step"], "act.depth": "25"})
    assert not at.exception
    spec = chart_specs(at)[3]
    assert spec["layout"]["yaxis"]["type"] == "log"
    lines = traces(spec, "gradient_norm")
    assert sorted(lines) == ["relu", "sigmoid", "step"]
    for name in ("sigmoid", "relu"):
        raw = vanishing.gradient_flow(name, depth=25).weight_grad_norms
        np.testing.assert_allclose(np.asarray(lines[name]["y"]), raw / raw[-1], rtol=1e-12)
        assert len(lines[name]["x"]) == 25
    assert np.asarray(lines["sigmoid"]["y"])[0] < 1e-10
    assert 0.1 < np.asarray(lines["relu"]["y"])[0] < 10
    assert np.all(np.isnan(np.asarray(lines["step"]["y"], dtype=float)))  # zero gradients: not drawn
    at.toggle(key="act.relative").set_value(False).run()
    raw = vanishing.gradient_flow("sigmoid", depth=25).weight_grad_norms
    np.testing.assert_allclose(np.asarray(traces(chart_specs(at)[3], "gradient_norm")["sigmoid"]["y"]), raw, rtol=1e-12)


def test_bad_url_values_are_ignored_or_explained():
    query = {"act.fns": ["bogus", "relu"], "act.x0": "100", "act.elu.alpha": "abc", "act.range": ["5", "-5"],
             "act.T": "0", "act.depth": "500"}  # fmt: skip
    at = open_page(PAGE, query_params=query)
    assert not at.exception, [e.value for e in at.exception]
    assert at.multiselect(key="act.fns").value == ["relu"]
    assert at.slider(key="act.x0").value == 1.0 and at.slider(key="act.T").value == 1.0
    assert at.slider(key="act.depth").value == 30
    # A reversed range from the URL is accepted by the slider: the page explains instead of failing.
    assert any("x-range is empty" in w.value for w in at.warning)
