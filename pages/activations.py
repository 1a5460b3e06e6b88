"""Activations: every activation function, its derivative, its properties, softmax, and why
gradients vanish in deep sigmoid stacks."""

import numpy as np
import pandas as pd
import streamlit as st

from pages import use_app_shell
from playground.activations import vanishing
from playground.activations import functions as activations
from playground.activations import figures

use_app_shell()

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
BIND = dict(bind="query-params")
DEFAULT_CHOICE = ["sigmoid", "tanh", "relu"]
DEFAULT_LOGITS = [2.0, 1.0, 0.1, -1.0, 0.5]


def title(name: str) -> str:
    return activations.get(name).title


@st.cache_data(max_entries=512, show_spinner=False)
def gradient_norms(name: str, depth: int, initializer: str, params: tuple) -> np.ndarray:
    return vanishing.gradient_flow(name, depth=depth, initializer=initializer, params=dict(params)).weight_grad_norms


@st.cache_data(max_entries=512, show_spinner=False)
def properties_row(name: str, params: tuple) -> dict:
    # One cache entry per function and parameters: moving one slider recomputes one row.
    return figures.properties_row(name, dict(params))


st.title("Activations")
st.caption(
    "A neuron's activation f turns its weighted sum x into its output f(x); backpropagation multiplies "
    "the gradient by f′(x) on the way back. Pick functions, move their parameters and a point x0, and "
    "compare. Every value here is checked against keras.activations and TensorFlow in the tests."
)

# --- Functions and derivatives ------------------------------------------------------------------
# Options are the registry ids (= Keras names), which is also what the URL stores.
names = st.multiselect("Functions", activations.names(), default=DEFAULT_CHOICE, key="act.fns",
                       help="Click a name in the chart's legend to hide or show that function", **BIND)  # fmt: skip
controls, view = st.columns([1, 3])
with controls:
    derivative = st.radio("Derivative f′ (dashed)", ["overlay", "panel"], horizontal=True, key="act.deriv",
                          help="overlay: on the same axes as f; panel: in a second panel below", **BIND)  # fmt: skip
    x_range = st.slider("x-range", -20.0, 20.0, (-6.0, 6.0), 0.5, key="act.range", **BIND)
    x0 = st.slider("Inspect the point x0", -20.0, 20.0, 1.0, 0.1, key="act.x0", **BIND)
    chosen = {}
    for name in names:
        entry = activations.get(name)
        chosen[name] = {
            param: st.slider(f"{entry.title}: {spec.label}", spec.low, spec.high, entry.params[param], spec.step,
                             help=spec.help, key=f"act.{name}.{param}", **BIND)  # fmt: skip
            for param, spec in entry.param_specs.items()
        }

with view:
    if not chosen:
        st.info("Choose at least one function on the left.")
    elif x_range[0] >= x_range[1]:
        st.warning("The x-range is empty: move the two ends of the slider apart.")
    else:
        curve_list = figures.curves(chosen, x_range, x0)
        st.plotly_chart(figures.function_figure(curve_list, derivative), key="act.chart", config=CONFIG, theme=None)
        if not x_range[0] <= x0 <= x_range[1]:
            st.warning(f"x0 = {x0:g} lies outside the plotted range; its values are still listed below.")
        st.dataframe(figures.inspector_table(curve_list), hide_index=True, key="act.inspector")

if chosen:
    st.subheader("Properties")
    rows = [properties_row(name, tuple(sorted(params.items()))) for name, params in chosen.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="act.properties")
    st.caption(
        "Derived numerically with the parameters above. Zero-centred: for inputs z ~ N(0, 1) the mean output "
        "is within 0.1 standard deviations of 0. Smooth: f′ is continuous. Saturating: f′ → 0 on that side. "
        "Brackets: [ ] the bound is reached, ( ) only approached. f′(0) at a kink is TensorFlow's choice."
    )
    for tab, name in zip(st.tabs([title(name) for name in chosen]), chosen):
        with tab:
            entry = activations.get(name)
            st.latex(entry.formula)
            st.latex(entry.grad_formula)
            st.markdown(entry.note)

# --- Softmax --------------------------------------------------------------------------------
st.subheader("Softmax: scores to probabilities")
st.latex(activations.SOFTMAX_FORMULA + r"\qquad" + activations.SOFTMAX_JACOBIAN_FORMULA)
sm_controls, sm_bars, sm_heat = st.columns([1, 2, 2])
with sm_controls:
    count = st.slider("Number of classes", 3, 5, 3, key="act.k", **BIND)
    logits = np.array([st.slider(f"logit z{i + 1}", -10.0, 10.0, DEFAULT_LOGITS[i], 0.1, key=f"act.z{i + 1}", **BIND)
                       for i in range(count)])  # fmt: skip
    temperature = st.slider("Temperature T", 0.05, 5.0, 1.0, 0.05, key="act.T", **BIND)
sm_bars.plotly_chart(figures.softmax_figure(logits, temperature), key="act.softmax", config=CONFIG, theme=None)
sm_heat.plotly_chart(figures.jacobian_figure(logits, temperature), key="act.jacobian", config=CONFIG, theme=None)
st.caption(
    "Low T sharpens the distribution towards the largest logit; high T flattens it towards uniform. "
    "The Jacobian's diagonal is positive (raising z_i raises p_i) and every row sums to zero "
    "(the probabilities always add up to 1)."
)

# --- Vanishing gradients --------------------------------------------------------------------
st.subheader("Vanishing gradients in a deep stack")
st.markdown(
    f"A batch of {vanishing.BATCH} random inputs goes through a stack of {vanishing.WIDTH}-unit dense layers "
    "(no biases) using each chosen activation, "
    "and a fixed random loss sends a gradient back down. Each layer multiplies it by f′(x) and by its "
    "weights; the sigmoid's f′ ≤ 1/4 makes the product shrink geometrically, ReLU's f′ = 1 does not. "
    "The chart shows the size of the gradient each layer's weights receive, ‖∂L/∂W‖ (log scale)."
)
v_controls, v_view = st.columns([1, 3])
with v_controls:
    depth = st.slider("Depth (layers)", 2, 50, 30, key="act.depth", **BIND)
    initializer = st.radio("Initial weights (Keras initializer)", list(vanishing.INITIALIZERS), key="act.init",
                           help=" · ".join(vanishing.INITIALIZERS.values()), **BIND)  # fmt: skip
    relative = st.toggle("Relative to the last layer", value=True, key="act.relative",
                         help="Divide each line by its own norm at the last layer", **BIND)  # fmt: skip
with v_view:
    if chosen:
        norms = {name: gradient_norms(name, depth, initializer, tuple(sorted(p.items()))) for name, p in chosen.items()}
        st.plotly_chart(figures.vanishing_figure(norms, relative), key="act.vanishing", config=CONFIG, theme=None)
        st.caption(
            "A flat line means every layer learns at the same pace; a falling one means the first layers "
            "barely learn. With Glorot weights ReLU's gradient is flat but small in absolute terms (switch off "
            "'relative'); He weights, made for ReLU, keep it near 1."
            + (" The step function's gradient is exactly 0 at every layer, so it has no line." if "step" in norms else "")
        )
    else:
        st.info("Choose at least one function above.")
