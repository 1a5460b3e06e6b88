"""Activations: every activation function, its derivative, its properties, softmax, and why
gradients vanish in deep sigmoid stacks."""

import numpy as np
import pandas as pd
import streamlit as st

from pages import use_app_shell
from pages.shell.classroom import Classroom
from pages.shell.language import choice, current_language, gettext
from playground.activations import vanishing
from playground.activations import functions as activations
from playground.activations import figures
from playground.i18n import N_, translator

use_app_shell()
_ = gettext()
LANG = current_language()
room = Classroom("activations", _)

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
BIND = dict(bind="query-params")
DEFAULT_CHOICE = ["sigmoid", "tanh", "relu"]
DEFAULT_LOGITS = [2.0, 1.0, 0.1, -1.0, 0.5]
DERIVATIVE_VIEWS = {"overlay": N_("overlay"), "panel": N_("panel")}  # URL value -> label


def title(name: str) -> str:
    return _(activations.get(name).title)


@st.cache_data(max_entries=512, show_spinner=False)
def gradient_norms(name: str, depth: int, initializer: str, params: tuple) -> np.ndarray:
    return vanishing.gradient_flow(name, depth=depth, initializer=initializer, params=dict(params)).weight_grad_norms


@st.cache_data(max_entries=512, show_spinner=False)
def properties_row(name: str, params: tuple, lang: str) -> dict:
    # One cache entry per function, parameters and language: moving one slider recomputes one row.
    return figures.properties_row(name, dict(params), _=translator(lang))


st.title(_("Activations"))
st.caption(_(
    "A neuron's activation f turns its weighted sum x into its output f(x); backpropagation multiplies "
    "the gradient by f′(x) on the way back. Pick functions, move their parameters and a point x0, and "
    "compare. Every value here is checked against keras.activations and TensorFlow in the tests."
))

# --- Functions and derivatives ------------------------------------------------------------------
# Options are the registry ids (= Keras names), which is also what the URL stores.
with room.control("act.fns", _("Functions")):
    names = st.multiselect(_("Functions"), activations.names(), default=DEFAULT_CHOICE, key="act.fns",
                           help=_("Click a name in the chart's legend to hide or show that function"), **BIND)  # fmt: skip
controls, view = st.columns([1, 3])
with controls:
    with room.control("act.deriv", _("Derivative f′ (dashed)")):
        derivative = choice(st.radio, _("Derivative f′ (dashed)"), DERIVATIVE_VIEWS, key="act.deriv",
                            default="overlay", names=DERIVATIVE_VIEWS, horizontal=True,
                            help=_("overlay: on the same axes as f; panel: in a second panel below"))  # fmt: skip
    with room.control("act.range", _("x-range")):
        x_range = st.slider(_("x-range"), -20.0, 20.0, (-6.0, 6.0), 0.5, key="act.range", **BIND)
    with room.control("act.x0", _("Inspect the point x0")):
        x0 = st.slider(_("Inspect the point x0"), -20.0, 20.0, 1.0, 0.1, key="act.x0", **BIND)
    chosen = {}
    with room.control("act.params", _("Parameters of the functions")):
        for name in names:
            entry = activations.get(name)
            chosen[name] = {
                param: st.slider(f"{_(entry.title)}: {spec.label}", spec.low, spec.high, entry.params[param],
                                 spec.step, help=_(spec.help), key=f"act.{name}.{param}", **BIND)  # fmt: skip
                for param, spec in entry.param_specs.items()
            }

with view:
    if not chosen:
        st.info(_("Choose at least one function on the left."))
    elif x_range[0] >= x_range[1]:
        st.warning(_("The x-range is empty: move the two ends of the slider apart."))
    else:
        curve_list = figures.curves(chosen, x_range, x0, _=_)
        st.plotly_chart(figures.function_figure(curve_list, derivative, _=_), key="act.chart", config=CONFIG,
                        theme=None)
        if not x_range[0] <= x0 <= x_range[1]:
            st.warning(_("x0 = {x0} lies outside the plotted range; its values are still listed below.").format(
                x0=f"{x0:g}"))
        st.dataframe(figures.inspector_table(curve_list, _=_), hide_index=True, key="act.inspector")

if chosen:
    st.subheader(_("Properties"))
    rows = [properties_row(name, tuple(sorted(params.items())), LANG) for name, params in chosen.items()]
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="act.properties")
    st.caption(_(
        "Derived numerically with the parameters above. Zero-centred: for inputs z ~ N(0, 1) the mean output "
        "is within 0.1 standard deviations of 0. Smooth: f′ is continuous. Saturating: f′ → 0 on that side. "
        "Brackets: [ ] the bound is reached, ( ) only approached. f′(0) at a kink is TensorFlow's choice."
    ))
    for tab, name in zip(st.tabs([title(name) for name in chosen]), chosen):
        with tab:
            entry = activations.get(name)
            st.latex(_(entry.formula))  # formulas with words are marked N_ in the registry
            st.latex(_(entry.grad_formula))
            st.markdown(_(entry.note))

# --- Softmax --------------------------------------------------------------------------------
st.subheader(_("Softmax: scores to probabilities"))
st.latex(activations.SOFTMAX_FORMULA + r"\qquad" + activations.SOFTMAX_JACOBIAN_FORMULA)
sm_controls, sm_bars, sm_heat = st.columns([1, 2, 2])
with sm_controls:
    with room.control("act.logits", _("Number of classes and logits")):
        count = st.slider(_("Number of classes"), 3, 5, 3, key="act.k", **BIND)
        logits = np.array([st.slider(_("logit z{i}").format(i=i + 1), -10.0, 10.0, DEFAULT_LOGITS[i], 0.1,
                                     key=f"act.z{i + 1}", **BIND) for i in range(count)])  # fmt: skip
    with room.control("act.T", _("Temperature T")):
        temperature = st.slider(_("Temperature T"), 0.05, 5.0, 1.0, 0.05, key="act.T", **BIND)
sm_bars.plotly_chart(figures.softmax_figure(logits, temperature, _=_), key="act.softmax", config=CONFIG, theme=None)
sm_heat.plotly_chart(figures.jacobian_figure(logits, temperature, _=_), key="act.jacobian", config=CONFIG, theme=None)
st.caption(_(
    "Low T sharpens the distribution towards the largest logit; high T flattens it towards uniform. "
    "The Jacobian's diagonal is positive (raising z_i raises p_i) and every row sums to zero "
    "(the probabilities always add up to 1)."
))

# --- Vanishing gradients --------------------------------------------------------------------
st.subheader(_("Vanishing gradients in a deep stack"))
st.markdown(_(
    "A batch of {batch} random inputs goes through a stack of {width}-unit dense layers "
    "(no biases) using each chosen activation, "
    "and a fixed random loss sends a gradient back down. Each layer multiplies it by f′(x) and by its "
    "weights; the sigmoid's f′ ≤ 1/4 makes the product shrink geometrically, ReLU's f′ = 1 does not. "
    "The chart shows the size of the gradient each layer's weights receive, ‖∂L/∂W‖ (log scale)."
).format(batch=vanishing.BATCH, width=vanishing.WIDTH))
v_controls, v_view = st.columns([2, 3])  # [1, 3] cut the toggle's label on a projector
with v_controls:
    with room.control("act.depth", _("Depth (layers)")):
        depth = st.slider(_("Depth (layers)"), 2, 50, 30, key="act.depth", **BIND)
    with room.control("act.init", _("Initial weights (Keras initializer)")):
        initializer = st.radio(_("Initial weights (Keras initializer)"), list(vanishing.INITIALIZERS),
                               key="act.init", help=" · ".join(map(_, vanishing.INITIALIZERS.values())), **BIND)  # fmt: skip
    with room.control("act.relative", _("Relative to the last layer")):
        relative = st.toggle(_("Relative to the last layer"), value=True, key="act.relative",
                             help=_("Divide each line by its own norm at the last layer"), **BIND)  # fmt: skip
with v_view:
    if chosen:
        norms = {name: gradient_norms(name, depth, initializer, tuple(sorted(p.items()))) for name, p in chosen.items()}
        st.plotly_chart(figures.vanishing_figure(norms, relative, _=_), key="act.vanishing", config=CONFIG, theme=None)
        st.caption(
            _("A flat line means every layer learns at the same pace; a falling one means the first layers "
              "barely learn. With Glorot weights ReLU's gradient is flat but small in absolute terms (switch off "
              "'relative'); He weights, made for ReLU, keep it near 1.")
            + (" " + _("The step function's gradient is exactly 0 at every layer, so it has no line.")
               if "step" in norms else "")
        )
    else:
        st.info(_("Choose at least one function above."))

room.panel()
