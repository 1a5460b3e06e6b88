"""Decision boundary: a small network carves up the plane, live (after TensorFlow Playground)."""

import streamlit as st

from pages import use_app_shell
from pages.parts import boundary_live
from pages.parts.boundary_data import data_sidebar
from playground.boundary import features, network, presets, settings
from playground.boundary.session import Run
from playground.boundary.settings import DEFAULTS, activation_key, feature_key, neurons_key

use_app_shell()
state = st.session_state


def widget_args(key, options=None):
    """Key, URL binding and default (from the one DEFAULTS table) for a setting's widget."""
    if options is not None:
        return dict(key=key, bind="query-params", index=list(options).index(DEFAULTS[key]))
    return dict(key=key, bind="query-params", value=DEFAULTS[key])


def reset() -> None:
    state.pop("bd.run", None)
    state["bd.playing"] = False


def toggle_play() -> None:
    state["bd.playing"] = not state.get("bd.playing", False)


def step() -> None:
    state["bd.playing"] = False
    if state.get("bd.run") is not None:
        state["bd.run"].train(epochs=1)


st.title("Decision boundary")
st.markdown("A small neural network learns to tell the classes apart (or to fit a value) from points in the plane. "
            "The big map colours every spot by the network's output; each neuron's own little map shows the "
            "region it has learnt to respond to. Press **Play** and watch the boundary form.")

with st.container(horizontal=True):
    for name, preset in presets.PRESETS.items():
        st.button(preset.title, key=f"bd.preset.{name}", help=preset.point, width="content",
                  on_click=lambda name=name: (presets.apply_preset(state, name), reset()))

with st.sidebar:
    points, version = data_sidebar(widget_args)

controls, live = st.columns([1, 3], gap="medium")
with controls:
    # The buttons come first in the script: while playing, the fragment's ticks compete with a
    # full rerun, and the earlier a button is drawn the sooner its new label shows.
    playing, current = state.get("bd.playing", False), state.get("bd.run")
    exploded = current is not None and current.exploded
    with st.container(horizontal=True):
        st.button("Pause" if playing else "Play", key="bd.play", on_click=toggle_play, type="primary",
                  icon=":material/pause:" if playing else ":material/play_arrow:",
                  disabled=exploded or bool(state.get("bd.drawing")),
                  help="Training pauses while you draw points (switch Draw points off to play)."
                  if state.get("bd.drawing") else None)
        st.button("Step", key="bd.step", on_click=step, disabled=exploded, help="Train one epoch, then pause.")
        st.button("Reset", key="bd.reset", on_click=reset, help="New starting weights (the same seed gives the same ones).")
    st.subheader("Inputs")
    with st.container(horizontal=True):
        for name, feature in features.FEATURES.items():
            st.checkbox(feature.title, **widget_args(feature_key(name)))
    st.subheader("Hidden layers")
    count = st.slider("Number of hidden layers", 0, network.MAX_LAYERS, **widget_args("bd.layers"))
    for layer in range(1, count + 1):
        size, activation = st.columns([2, 3])
        size.number_input(f"Layer {layer}: neurons", 1, network.MAX_NEURONS, step=1, **widget_args(neurons_key(layer)))
        activation.selectbox(f"Layer {layer}: activation", network.ACTIVATIONS,
                             **widget_args(activation_key(layer), network.ACTIVATIONS))
    st.subheader("Training")
    left = right = st  # one column: labels and values stay readable on a projector
    left.select_slider("Learning rate", settings.LEARNING_RATES, format_func=lambda v: f"{v:g}", **widget_args("bd.lr"),
                       help="Changing it keeps the weights; changing the data, inputs or layers starts a new network.")
    right.selectbox("Optimizer", network.OPTIMIZERS, format_func={"sgd": "SGD", "momentum": "SGD + momentum 0.9",
                    "adam": "Adam"}.get, **widget_args("bd.opt", network.OPTIMIZERS))
    left.slider("Batch size", 1, 50, **widget_args("bd.batch"))
    right.selectbox("Loss", list(network.LOSSES), format_func=network.LOSSES.get, **widget_args("bd.loss", network.LOSSES))
    left.selectbox("Regularization", list(network.REGULARIZATIONS), format_func=network.REGULARIZATIONS.get,
                   **widget_args("bd.reg", network.REGULARIZATIONS))
    right.select_slider("Regularization rate", settings.REGULARIZATION_RATES, format_func=lambda v: f"{v:g}",
                        **widget_args("bd.rate"), disabled=state.get("bd.reg", "none") == "none")
    loss_caption = st.empty()

spec, loss_note = settings.spec_from_state(state, points.classes)
if points.is_regression:
    loss_caption.caption(loss_note or "A regression task (a number per point) is fitted with squared error: the mean of "
               "(output − target)².")
else:
    loss_caption.caption("Classes call for **cross-entropy**: −log of the probability the network gives the right class, "
               "so a confident mistake costs a lot and its gradient stays large. **Squared error** on the "
               "probabilities also trains, but its gradient fades as the sigmoid saturates, even when wrong. "
               f"Output: {'sigmoid (one probability)' if points.classes == 2 else 'softmax over three classes'}.")

if not spec.features:
    live.warning("Switch on at least one input feature: the network has nothing to look at.")
    st.stop()
if len(points) < 2:
    live.info("A network needs at least two points to learn from: click on the map to add them (Draw points in "
              "the sidebar), or go back to the generated data.")
    if state.get("bd.drawing"):
        with live:
            boundary_live.canvas(points, version)
    st.stop()
structure = spec.structure(version)
if state.get("bd.run") is None or state.get("bd.structure") != structure:
    state["bd.run"] = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    state["bd.structure"] = structure
else:
    state["bd.run"].set_training(spec.training)
run = state["bd.run"]

with live:
    with st.container(horizontal=True):
        show_test = st.checkbox("Show test points", **widget_args("bd.show_test"))
        discrete = st.checkbox("Discretize output", **widget_args("bd.discrete"))
    fps = st.select_slider("Redraws per second while playing", settings.REDRAW_RATES, **widget_args("bd.fps"),
                           help="Lower it if the pictures stay blank while playing: the computer needs longer "
                                "to draw them than the time between redraws.")
    boundary_live.show(run, version, show_test, discrete, bool(state.get("bd.drawing")), fps)
