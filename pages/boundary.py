"""Decision boundary: a small network carves up the plane, live (after TensorFlow Playground)."""

import streamlit as st

from pages import use_app_shell
from pages.parts import boundary_live
from pages.parts.boundary_data import data_sidebar, once_per_click
from pages.shell.classroom import Classroom
from pages.shell.language import choice, gettext
from playground.boundary import features, network, presets, settings
from playground.boundary.session import Run
from playground.boundary.settings import DEFAULTS, activation_key, feature_key, neurons_key
from playground.i18n import N_

use_app_shell()
_ = gettext()
room = Classroom("boundary", _)
state = st.session_state
OPTIMIZER_NAMES = {"sgd": "SGD", "momentum": N_("SGD + momentum 0.9"), "adam": "Adam"}


def widget_args(key, options=None):
    """Key, URL binding and default (from the one DEFAULTS table) for a setting's widget."""
    if options is not None:
        return dict(key=key, bind="query-params", index=list(options).index(DEFAULTS[key]))
    return dict(key=key, bind="query-params", value=DEFAULTS[key])


def pick(widget, label, key, options, names, **kwargs):
    """A selectbox/radio of ids shown translated; the URL keeps the id (old English-label links still open)."""
    return choice(widget, label, list(options), key=key, default=DEFAULTS[key], names=names, **kwargs)


def reset() -> None:
    state.pop("bd.run", None)
    state["bd.playing"] = False


def set_playing(playing: bool) -> None:
    """Play and Pause say what they want, not "toggle": while the live part ticks, Streamlit has
    been seen to run one click's callback twice (in a fragment run, then in the full rerun), and a
    toggle then undid the Pause (issue 12)."""
    state["bd.playing"] = playing


def step() -> None:
    state["bd.playing"] = False
    if state.get("bd.run") is not None:
        state["bd.run"].train(epochs=1)


st.title(_("Decision boundary"))
st.markdown(_("A small neural network learns to tell the classes apart (or to fit a value) from points in the plane. "
              "The big map colours every spot by the network's output; each neuron's own little map shows the "
              "region it has learnt to respond to. Press **Play** and watch the boundary form."))

with st.container(horizontal=True), room.control("bd.presets", _("Preset buttons")):
    for name, preset in presets.PRESETS.items():
        st.button(_(preset.title), key=f"bd.preset.{name}", help=_(preset.point), width="content",
                  on_click=lambda name=name: (presets.apply_preset(state, name), reset()))

with st.sidebar:
    points, version = data_sidebar(widget_args, pick, room, _)

controls, live = st.columns([1, 3], gap="medium")
with controls:
    # The buttons come first in the script: while playing, the fragment's ticks compete with a
    # full rerun, and the earlier a button is drawn the sooner its new label shows.
    playing, current = state.get("bd.playing", False), state.get("bd.run")
    exploded = current is not None and current.exploded
    with st.container(horizontal=True):
        st.button(_("Pause") if playing else _("Play"), key="bd.pause" if playing else "bd.play", type="primary",
                  on_click=set_playing, args=(not playing,), icon=":material/pause:" if playing else ":material/play_arrow:",
                  disabled=exploded or bool(state.get("bd.drawing")),
                  help=_("Training pauses while you draw points (switch Draw points off to play).")
                  if state.get("bd.drawing") else None)
        st.button(_("Step"), key="bd.step", **once_per_click("step", step), disabled=exploded,
                  help=_("Train one epoch, then pause."))
        st.button(_("Reset"), key="bd.reset", on_click=reset,
                  help=_("New starting weights (the same seed gives the same ones)."))
    st.subheader(_("Inputs"))
    with st.container(horizontal=True), room.control("bd.features", _("Inputs")):
        for name, feature in features.FEATURES.items():
            st.checkbox(feature.title, **widget_args(feature_key(name)))
    st.subheader(_("Hidden layers"))
    with room.control("bd.layers", _("Number of hidden layers")):
        count = st.slider(_("Number of hidden layers"), 0, network.MAX_LAYERS, **widget_args("bd.layers"))
    for layer in range(1, count + 1):
        # one under the other: side by side, the controls column of a 1024-pixel projector cut
        # the activation's name ("tan…")
        with room.control("bd.neurons", _("Neurons per layer")):
            st.number_input(_("Layer {layer}: neurons").format(layer=layer), 1, network.MAX_NEURONS, step=1,
                            **widget_args(neurons_key(layer)))
        with room.control("bd.activations", _("Activation functions")):
            st.selectbox(_("Layer {layer}: activation").format(layer=layer), network.ACTIVATIONS,
                         **widget_args(activation_key(layer), network.ACTIVATIONS))
    st.subheader(_("Training"))
    with room.control("bd.lr", _("Learning rate")):
        st.select_slider(_("Learning rate"), settings.LEARNING_RATES, format_func=lambda v: f"{v:g}",
                         **widget_args("bd.lr"),
                         help=_("Changing it keeps the weights; changing the data, inputs or layers starts a new "
                                "network."))
    with room.control("bd.opt", _("Optimizer")):
        pick(st.selectbox, _("Optimizer"), "bd.opt", network.OPTIMIZERS, OPTIMIZER_NAMES)
    with room.control("bd.batch", _("Batch size")):
        st.slider(_("Batch size"), 1, 50, **widget_args("bd.batch"))
    with room.control("bd.loss", _("Loss")):
        pick(st.selectbox, _("Loss"), "bd.loss", network.LOSSES, network.LOSSES)
    with room.control("bd.reg", _("Regularization")):
        pick(st.selectbox, _("Regularization"), "bd.reg", network.REGULARIZATIONS, network.REGULARIZATIONS)
        st.select_slider(_("Regularization rate"), settings.REGULARIZATION_RATES, format_func=lambda v: f"{v:g}",
                         **widget_args("bd.rate"), disabled=state.get("bd.reg", "none") == "none")
    loss_caption = st.empty()

spec, loss_note = settings.spec_from_state(state, points.classes)
if points.is_regression:
    loss_caption.caption(_(loss_note) if loss_note else _(
        "A regression task (a number per point) is fitted with squared error: the mean of (output − target)²."))
else:
    output = _("sigmoid (one probability)") if points.classes == 2 else _("softmax over three classes")
    loss_caption.caption(_(
        "Classes call for **cross-entropy**: −log of the probability the network gives the right class, so a "
        "confident mistake costs a lot and its gradient stays large. **Squared error** on the probabilities also "
        "trains, but its gradient fades as the sigmoid saturates, even when wrong. Output: {output}.").format(
            output=output))

if not spec.features:
    live.warning(_("Switch on at least one input feature: the network has nothing to look at."))
    room.panel()
    st.stop()
if len(points) < 2:
    if state.get("bd.drawing"):  # the map first, at the place where the live view will draw it
        with live:
            boundary_live.canvas(points, version, _)
    live.info(_("A network needs at least two points to learn from: click on the map to add them (Draw points in "
                "the sidebar), or go back to the generated data."))
    room.panel()
    st.stop()
structure = spec.structure(version)
if state.get("bd.run") is None or state.get("bd.structure") != structure:
    state["bd.run"] = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    state["bd.structure"] = structure
else:
    state["bd.run"].set_training(spec.training)
run = state["bd.run"]

with live:
    map_slot = st.container() if state.get("bd.drawing") else None  # the clickable map, where the canvas was
    with st.container(horizontal=True):
        with room.control("bd.show_test", _("Show test points")):
            show_test = st.checkbox(_("Show test points"), **widget_args("bd.show_test"))
        with room.control("bd.discrete", _("Discretize output")):
            discrete = st.checkbox(_("Discretize output"), **widget_args("bd.discrete"))
    fps = st.select_slider(_("Redraws per second while playing"), settings.REDRAW_RATES, **widget_args("bd.fps"),
                           help=_("Lower it if the pictures stay blank while playing: the computer needs longer "
                                  "to draw them than the time between redraws."))
    boundary_live.show(run, version, show_test, discrete, bool(state.get("bd.drawing")), fps, _, map_slot)
room.panel()
