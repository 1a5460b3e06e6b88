"""Neuron & backprop: one neuron, the perceptron rule, layer sizes, and the chain rule with every number."""

import numpy as np
import pandas as pd
import streamlit as st

from pages import use_app_shell
from pages.shell.classroom import Classroom
from pages.shell.language import gettext, url_tabs
from playground.i18n import N_
from playground.neuron import backprop
from playground.neuron import perceptron as neuron
from playground.neuron import figures

use_app_shell()
_ = gettext()
room = Classroom("neuron_backprop", _)

CONFIG = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
BIND = dict(bind="query-params")
state = st.session_state

# The open tab lives in the URL as an id (?nb.tab=backprop); English labels of older links still work.
TABS = {"neuron": N_("One neuron"), "perceptron": N_("Perceptron & decision boundary"), "layers": N_("Layers"),
        "backprop": N_("Backpropagation")}  # fmt: skip

st.title(_("Neuron & backprop"))
st.caption(_(
    "A neuron weighs its inputs, adds a bias and passes the sum through an activation. Layers of them "
    "form a network, and backpropagation tells every weight which way to move. Every number below is "
    "computed with numpy and checked against TensorFlow in the tests."
))
tab_neuron, tab_boundary, tab_layers, tab_backprop = url_tabs(TABS, key="nb.tab").values()

# --- One neuron -----------------------------------------------------------------------------
with tab_neuron:
    controls, view = st.columns([1, 2])
    with controls:
        with room.control("nb.n.inputs", _("Number of inputs")):
            n_inputs = st.radio(_("Number of inputs"), [2, 3], horizontal=True, key="nb.n.inputs", **BIND)
        inputs, weights = [], []
        for i, (x0, w0) in enumerate([(1.0, 0.6), (0.5, -0.4), (-1.0, 0.3)][:n_inputs], start=1):
            left, right = st.columns(2)
            with left, room.control("nb.n.x", _("Inputs x")):
                inputs.append(st.slider(_("input x{i}").format(i=i), -2.0, 2.0, x0, 0.1, key=f"nb.n.x{i}", **BIND))
            with right, room.control("nb.n.w", _("Weights w")):
                weights.append(st.slider(_("weight w{i}").format(i=i), -2.0, 2.0, w0, 0.1, key=f"nb.n.w{i}", **BIND))
        with room.control("nb.n.b", _("bias b")):
            bias = st.slider(_("bias b"), -2.0, 2.0, 0.1, 0.1, key="nb.n.b", **BIND)
        names = neuron.activation_names()
        with room.control("nb.n.f", _("activation f")):
            chosen = st.selectbox(_("activation f"), names, index=names.index("sigmoid"), key="nb.n.f", **BIND)
    result = neuron.neuron_forward(inputs, weights, bias, chosen)
    entry = neuron.activation(chosen)
    with view:
        st.plotly_chart(figures.neuron_diagram(result, chosen, _=_), key="nb.neuron_chart", config=CONFIG, theme=None)
        for line in neuron.neuron_equations(result):
            st.latex(line)
        st.latex(_(entry.formula))
        defaults = ", ".join(f"{k} = {v:g}" for k, v in entry.params.items())
        title = _(entry.title)
        st.caption(_("{function}, with {defaults}.").format(function=title, defaults=defaults) if defaults
                   else f"{title}.")

# --- Perceptron -----------------------------------------------------------------------------
PC_VISITS = "nb.pc.visits"


def restart_perceptron():
    state[PC_VISITS] = 0


with tab_boundary:
    st.markdown(_(
        "Rosenblatt's perceptron (1957) is one neuron with a step activation. Its learning rule visits the "
        "points one by one; when a point is misclassified it moves the weights towards it (a point exactly "
        "on the line counts as 1, since step(0) = 1):"
    ))
    st.latex(r"w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y)")
    controls, view = st.columns([1, 2])
    with controls:
        with room.control("nb.pc.data", _("Data set")):
            gate = st.radio(_("Data set"), list(neuron.DATASETS), horizontal=True, key="nb.pc.data",
                            on_change=restart_perceptron, **BIND)  # fmt: skip
        with room.control("nb.pc.start", _("Start weights and bias")):
            start_w1 = st.slider(_("start w1"), -1.0, 1.0, 0.2, 0.1, key="nb.pc.w1", on_change=restart_perceptron,
                                 **BIND)  # fmt: skip
            start_w2 = st.slider(_("start w2"), -1.0, 1.0, -0.6, 0.1, key="nb.pc.w2", on_change=restart_perceptron,
                                 **BIND)  # fmt: skip
            start_b = st.slider(_("start b"), -1.0, 1.0, 0.3, 0.1, key="nb.pc.b", on_change=restart_perceptron, **BIND)
        with room.control("nb.pc.lr", _("Perceptron learning rate η")):
            eta = st.slider(_("learning rate η"), 0.1, 1.0, 0.5, 0.1, key="nb.pc.lr", on_change=restart_perceptron,
                            **BIND)  # fmt: skip
        with room.control("nb.pc.shade", _("shade the plane with")):
            shade = st.selectbox(_("shade the plane with"), ["step", "sigmoid", "tanh"], key="nb.pc.shade", **BIND)
    inputs_xy, targets = neuron.dataset(gate)
    run = neuron.perceptron_run(inputs_xy, targets, (start_w1, start_w2), start_b, eta)
    total = len(run.visits)
    if state.get(PC_VISITS, 0) > total:  # the run got shorter (new data set or start)
        state[PC_VISITS] = total
    with controls:
        step_col, run_col, reset_col = st.columns(3)
        step_col.button(_("Step"), key="nb.pc.step", on_click=lambda: state.update({PC_VISITS: min(state[PC_VISITS] + 1, total)}))
        run_col.button(_("Run"), key="nb.pc.run", on_click=lambda: state.update({PC_VISITS: total}))
        reset_col.button(_("Reset"), key="nb.pc.reset", on_click=restart_perceptron)
        # Fixed bounds: a widget whose bounds change gets a new identity, and the URL would win again.
        limit = neuron.MAX_EPOCHS * len(targets)
        shown = min(st.number_input(_("points visited"), 0, limit, step=1, key=PC_VISITS, **BIND), total)
        st.caption(_("This run ends after {total} visits ({passes} passes over the 4 points).").format(
            total=total, passes=run.epochs))
    weights_now, bias_now = run.state_after(shown)
    last = run.visits[shown - 1] if shown else None
    grid = np.linspace(-0.5, 1.5, 121)
    with view:
        title = _("After {shown} visits (pass {epoch}): w = ({w1}, {w2}), b = {b}").format(
            shown=shown, epoch=last.epoch if last else 0, w1=f"{weights_now[0]:.2f}", w2=f"{weights_now[1]:.2f}",
            b=f"{bias_now:.2f}")  # fmt: skip
        outputs = neuron.neuron_output_grid(weights_now, bias_now, shade, grid, grid)
        fig = figures.decision_boundary(inputs_xy, targets, weights_now, bias_now, grid, grid, outputs, shade, last, title,
                                        _=_)
        st.plotly_chart(fig, key="nb.boundary_chart", config=CONFIG, theme=None)
    correct = neuron.accuracy(inputs_xy, targets, weights_now, bias_now)
    st.metric(_("points classified correctly"), _("{correct} of 4").format(correct=round(correct * 4)))
    if shown == total and run.converged:
        st.success(_("Converged: pass {passes} made no mistake. The line separates the two classes.").format(
            passes=run.epochs))
    elif shown == total:
        st.error(_("Still wrong after {passes} passes: the perceptron rule never converges on {gate}.").format(
            passes=run.epochs, gate=gate))
    if gate == "XOR":
        st.info(_(
            "**Why XOR fails: it is not linearly separable.** A single neuron draws one straight line. "
            "For XOR it would need b < 0 (point (0,0) → 0), w1 + b ≥ 0 and w2 + b ≥ 0 ((1,0), (0,1) → 1), "
            "and w1 + w2 + b < 0 ((1,1) → 0). Adding the middle two gives w1 + w2 + 2b ≥ 0, so "
            "w1 + w2 + b ≥ −b > 0: a contradiction. No line exists, so the rule keeps correcting one point "
            "by breaking another. A hidden layer (see the Layers tab) solves it."
        ))
    if shown:
        st.dataframe(pd.DataFrame(neuron.visit_rows(run, shown, _=_)), hide_index=True)

# --- Layers ---------------------------------------------------------------------------------
LAYER_PRESETS = {N_("Churn tutorial 11-6-6-1"): "11, 6, 6, 1", "2-2-1": "2, 2, 1", "2-3-1": "2, 3, 1",
                 N_("Digits 784-32-10"): "784, 32, 10"}  # English label (translated where shown) -> sizes  # fmt: skip

with tab_layers:
    st.markdown(_(
        "The **input layer** only holds the features (no parameters). Each **hidden layer** and the "
        "**output layer** is dense: every neuron has one weight per neuron of the previous layer, plus a bias."
    ))
    with room.control("nb.layers", _("Layer sizes, input to output")):
        preset_columns = st.columns(len(LAYER_PRESETS))
        for column, (label, sizes_text) in zip(preset_columns, LAYER_PRESETS.items()):
            column.button(_(label), key=f"nb.layers.{sizes_text}", on_click=state.update,
                          args=({"nb.layers": sizes_text},))  # fmt: skip
        text = st.text_input(_("Layer sizes, input to output"), "11, 6, 6, 1", key="nb.layers", **BIND)
    try:
        sizes = neuron.parse_layer_sizes(text, _=_)
    except ValueError as error:
        st.error(str(error))
    else:
        counts = neuron.layer_parameter_counts(sizes, _=_)
        st.plotly_chart(figures.layer_diagram(sizes, counts, _=_), key="nb.layers_chart", config=CONFIG, theme=None)
        st.dataframe(pd.DataFrame(neuron.layer_rows(counts, _=_)), hide_index=True)
        st.latex(neuron.parameter_sum_latex(counts, _=_))

# --- Backpropagation ------------------------------------------------------------------------
BP_HISTORY = "nb.bp.history"


def bp_inputs():
    """The network, parameters and example as the widgets hold them (also used by the callbacks)."""
    loss = state["nb.bp.loss"].lower()
    output = "sigmoid" if loss == "bce" else state["nb.bp.g"]
    spec = backprop.NetworkSpec(int(state["nb.bp.arch"][2]), state["nb.bp.f"], output, loss)
    params = {name: state[f"nb.bp.{name}"] for name in backprop.parameter_names(spec.hidden)}
    return spec, backprop.Parameters.from_dict(params, spec.hidden), (state["nb.bp.x1"], state["nb.bp.x2"]), state["nb.bp.y"]


def apply_updates(steps: int):
    spec, params, x, y = bp_inputs()
    try:
        passes = backprop.train(spec, params, x, y, state["nb.bp.lr"], steps, _=gettext())
    except ValueError as error:
        state["nb.bp.error"] = str(error)
        return
    state[BP_HISTORY] = backprop.extend(state[BP_HISTORY], passes)
    state.update({f"nb.bp.{name}": value for name, value in passes[-1].params.to_dict().items()})


def sigmoid_for_bce():
    if state["nb.bp.loss"] == "BCE":  # cross-entropy needs a probability: show the sigmoid it uses
        state["nb.bp.g"] = "sigmoid"


def reset_weights():
    state.update({f"nb.bp.{name}": value for name, value in backprop.DEFAULT_PARAMETERS.items()})


with tab_backprop:
    st.markdown(_("A 2-H-1 network learns one example. Edit anything; the forward pass, the loss and "
                  "every gradient follow. **Apply update** moves each parameter by −η ∂L/∂parameter."))  # fmt: skip
    net, example, weights_box = st.columns([1, 1, 2])
    with net:
        with room.control("nb.bp.arch", _("Network")):
            st.radio(_("Network"), ["2-2-1", "2-3-1"], horizontal=True, key="nb.bp.arch", **BIND)
        with room.control("nb.bp.f", _("hidden activation f")):
            st.selectbox(_("hidden activation f"), backprop.HIDDEN_ACTIVATIONS, key="nb.bp.f", **BIND)
        with room.control("nb.bp.loss", _("loss")):
            loss_id = st.radio(_("loss"), ["MSE", "BCE"], key="nb.bp.loss", horizontal=True,
                               on_change=sigmoid_for_bce, **BIND).lower()  # fmt: skip
        st.caption(_(backprop.LOSSES[loss_id].label))
        with room.control("nb.bp.g", _("output activation g")):
            st.selectbox(_("output activation g"), backprop.OUTPUT_ACTIVATIONS, key="nb.bp.g",
                         disabled=loss_id == "bce",
                         help=_("Cross-entropy needs a probability, so it always uses a sigmoid output."), **BIND)  # fmt: skip
    with example:
        x0, x1_default, y0 = backprop.DEFAULT_EXAMPLE
        with room.control("nb.bp.example", _("The example: inputs and target")):
            st.number_input(_("input x{i}").format(i=1), -5.0, 5.0, x0, 0.1, key="nb.bp.x1", **BIND)
            st.number_input(_("input x{i}").format(i=2), -5.0, 5.0, x1_default, 0.1, key="nb.bp.x2", **BIND)
            st.number_input(_("target y"), -2.0, 2.0, y0, 0.1, key="nb.bp.y", **BIND)
        with room.control("nb.bp.lr", _("Backpropagation learning rate η")):
            st.number_input(_("learning rate η"), 1e-4, 1e3, 0.5, 0.1, format="%.4g", key="nb.bp.lr", **BIND)
    with weights_box:
        hidden = int(state["nb.bp.arch"][2])
        groups = [("w", _("first-layer weights")), ("b", _("hidden biases")), ("v", _("output weights")),
                  ("c", _("output bias"))]  # fmt: skip
        # The hidden layer's parameters left, the output's right: in four columns a projector cut the numbers.
        hidden_col, output_col = st.columns(2)
        for column, (prefix, label) in zip([hidden_col, hidden_col, output_col, output_col], groups):
            with column, room.control("nb.bp.params", _("Weights and biases")):
                st.caption(label)
                for name in (n for n in backprop.parameter_names(hidden) if n[0] == prefix):
                    st.number_input(name, value=backprop.DEFAULT_PARAMETERS[name], step=0.05, format="%.4f",
                                    key=f"nb.bp.{name}", **BIND)  # fmt: skip
    spec, params, x, y = bp_inputs()
    if backprop.LOSSES[spec.loss].needs_probability and not 0 <= y <= 1:
        st.error(_("Binary cross-entropy needs a target between 0 and 1 (a probability). Change y or the loss."))
        room.panel()
        st.stop()
    result = backprop.run(spec, params, x, y)
    if not result.finite:
        st.warning(_("The output saturated (ŷ is exactly 0 or 1 in float64), so the loss is infinite. "
                     "Use smaller weights or inputs."))  # fmt: skip
    context = (spec, tuple(x), y)
    state[BP_HISTORY] = backprop.track(state.get(BP_HISTORY), context, result)
    st.plotly_chart(figures.backprop_diagram(result, _=_), key="nb.bp_chart", config=CONFIG, theme=None)
    # One after the other, each the page's width: in two columns a projector cut the longer lines.
    st.subheader(_("Forward pass"))
    for line in backprop.forward_equations(result):
        st.latex(line)
    st.subheader(_("Error signals δ = ∂L/∂z"))
    for line in backprop.delta_equations(result):
        st.latex(line)
    st.subheader(_("Backward pass: each gradient by the chain rule, output layer first"))
    steps = {step.parameter: step for step in backprop.chain_rule_steps(result)}
    for prefix in "cvbw":
        for name in (n for n in steps if n[0] == prefix):
            st.latex(steps[name].latex())
    st.subheader(_("Gradient descent"))
    update_col, curve_col = st.columns([1, 1])
    with update_col:
        with st.container(horizontal=True):  # a row that wraps: three columns cut the labels on a projector
            st.button(_("Apply update"), key="nb.bp.apply", on_click=apply_updates, args=(1,), type="primary")
            st.button(_("Apply 10 updates"), key="nb.bp.apply10", on_click=apply_updates, args=(10,))
            st.button(_("Reset weights"), key="nb.bp.reset", on_click=reset_weights)
        if message := state.pop("nb.bp.error", None):
            st.error(message)
        st.dataframe(pd.DataFrame(backprop.update_rows(result, state["nb.bp.lr"], _=_)), hide_index=True)
    with curve_col:
        st.plotly_chart(figures.loss_curve(state[BP_HISTORY].losses, _=_), key="nb.loss_chart", config=CONFIG, theme=None)

room.panel()
