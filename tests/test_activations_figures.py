"""playground.activations.figures: valid plotly figures (validated here, since the builders skip
plotly's validation for speed), readable axes and legends, and the numbers they carry."""

import numpy as np
import plotly.graph_objects as go
import pytest

from playground.activations import figures
from playground.activations import vanishing
from playground.activations import functions as activations

CHOSEN = {"sigmoid": {}, "leaky_relu": {"alpha": 0.3}, "gelu": {}, "step": {}}


def validated(fig: go.Figure) -> go.Figure:
    """Rebuild with plotly's validation on: raises ValueError on any invalid property."""
    return go.Figure(fig.to_dict())


def all_figures():
    curve_list = figures.curves(CHOSEN, (-4.0, 5.0), 0.5)
    logits = np.array([1.0, -0.5, 2.0, 0.0])
    norms = {name: vanishing.gradient_flow(name, depth=8).weight_grad_norms for name in CHOSEN}
    return {
        "overlay": figures.function_figure(curve_list, "overlay"),
        "panel": figures.function_figure(curve_list, "panel"),
        "softmax": figures.softmax_figure(logits, 0.7),
        "jacobian": figures.jacobian_figure(logits, 0.7),
        "vanishing": figures.vanishing_figure(norms, relative=True),
        "vanishing_absolute": figures.vanishing_figure(norms, relative=False),
    }


@pytest.mark.parametrize("key", list(all_figures()))
def test_every_figure_is_valid_plotly_with_titled_axes_and_projector_fonts(key):
    fig = validated(all_figures()[key])
    layout = fig.layout
    assert layout.font.size >= 14
    assert layout.xaxis.title.text or layout.xaxis2.title.text
    assert layout.yaxis.title.text
    if key != "jacobian":  # the heatmap's legend is its colour bar
        assert any(trace.showlegend is not False for trace in fig.data)
    else:
        assert fig.data[0].colorbar.title.text


def test_curves_hold_the_registry_values_and_include_zero():
    curve_list = figures.curves(CHOSEN, (-4.0, 5.0), 0.5)
    for curve in curve_list:
        entry = activations.get(curve.name)
        assert 0.0 in curve.x and curve.x[0] == -4.0 and curve.x[-1] == 5.0
        np.testing.assert_array_equal(curve.y, entry.fn(curve.x, **CHOSEN[curve.name]))
        np.testing.assert_array_equal(curve.dy, entry.grad(curve.x, **CHOSEN[curve.name]))
        assert curve.f_x0 == entry.fn(0.5, **CHOSEN[curve.name])
    with pytest.raises(ValueError, match="low < high"):
        figures.curves(CHOSEN, (2.0, 2.0), 0.0)


def test_function_figure_traces_and_tangents():
    curve_list = figures.curves(CHOSEN, (-4.0, 5.0), -1.0)
    fig = figures.function_figure(curve_list, "overlay")
    kinds = [(t.meta["kind"], t.meta.get("activation")) for t in fig.data]
    for name in CHOSEN:
        assert ("f", name) in kinds and ("grad", name) in kinds and ("tangent", name) in kinds
    for trace in fig.data:
        if trace.meta["kind"] == "tangent":
            curve = next(c for c in curve_list if c.name == trace.meta["activation"])
            x, y = np.asarray(trace.x), np.asarray(trace.y)
            np.testing.assert_allclose(y, curve.f_x0 + curve.grad_x0 * (x - curve.x0))
    # The y-range comes from the curves, not the tangent lines.
    low, high = fig.layout.yaxis.range
    values = np.concatenate([np.r_[c.y, c.dy] for c in curve_list])
    assert low <= values.min() and high >= values.max() and high - low < 1.3 * (values.max() - values.min())
    panel = figures.function_figure(curve_list, "panel")
    assert {t.yaxis for t in panel.data if t.meta["kind"] == "grad"} == {"y2"}
    with pytest.raises(ValueError):
        figures.function_figure(curve_list, "sideways")


def test_softmax_and_jacobian_figures_carry_the_numbers():
    logits = np.array([3.0, 1.0, -2.0])
    bars = figures.softmax_figure(logits, 2.0).data[0]
    np.testing.assert_allclose(bars.y, activations.softmax(logits, 2.0))
    heat = figures.jacobian_figure(logits, 2.0).data[0]
    np.testing.assert_allclose(heat.z, activations.softmax_jacobian(logits, 2.0))
    assert heat.zmid == 0 and heat.zmin == -heat.zmax


def test_vanishing_figure_relative_and_zero_gradients():
    norms = {"sigmoid": np.array([1e-6, 1e-3, 0.5]), "step": np.zeros(3)}
    fig = figures.vanishing_figure(norms, relative=True)
    assert fig.layout.yaxis.type == "log"
    sigmoid, step = fig.data
    np.testing.assert_allclose(sigmoid.y, [2e-6, 2e-3, 1.0])
    assert list(sigmoid.x) == [1, 2, 3]
    assert np.all(np.isnan(np.asarray(step.y, dtype=float)))


def test_tables():
    table = figures.properties_table(CHOSEN)
    assert list(table["function"]) == [activations.get(n).title for n in CHOSEN]
    leaky = table.set_index("function").loc["Leaky ReLU"]
    assert leaky["f′(0)"] == "0.3" and leaky["Keras name"] == "leaky_relu" and leaky["output range"] == "(−∞, ∞)"
    inspector = figures.inspector_table(figures.curves({"relu": {}, "tanh": {}}, (-3.0, 3.0), -1.5))
    assert list(inspector["tangent line"]) == ["y = 0 + 0·(x + 1.5)", "y = −0.9051 + 0.1807·(x + 1.5)"]
