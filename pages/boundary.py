"""Decision boundary: a small network carves up the plane, live (after TensorFlow Playground).

The live view (Play/Pause/Step/Reset, numbers, network diagram, map, loss curve) is one component
that trains and draws in the browser; the settings live in the sidebar and the URL."""

import streamlit as st

from pages import use_app_shell
from pages.parts import boundary_live
from pages.parts.boundary_data import data_sidebar
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


st.title(_("Decision boundary"))
st.caption(_("A small network learns to tell the classes apart (or to fit a value) from points in the plane. Press "
             "**Play**; hover a neuron to see its map, click an input to switch it, click a link to edit its weight."))

with st.sidebar:
    st.header(_("Presets"))
    with st.container(horizontal=True), room.control("bd.presets", _("Preset buttons")):
        for name, preset in presets.PRESETS.items():
            st.button(_(preset.title), key=f"bd.preset.{name}", help=_(preset.point), width="content",
                      on_click=lambda name=name: (presets.apply_preset(state, name), reset()))
    points, version = data_sidebar(widget_args, pick, room, _)
    st.header(_("Network"))
    with st.container(horizontal=True), room.control("bd.features", _("Inputs")):
        for name, feature in features.FEATURES.items():
            st.checkbox(feature.title, **widget_args(feature_key(name)))
    with room.control("bd.layers", _("Number of hidden layers")):
        count = st.slider(_("Number of hidden layers"), 0, network.MAX_LAYERS, **widget_args("bd.layers"))
    for layer in range(1, count + 1):
        with st.container(horizontal=True):
            with room.control("bd.neurons", _("Neurons per layer")):
                st.number_input(_("Layer {layer}: neurons").format(layer=layer), 1, network.MAX_NEURONS, step=1,
                                **widget_args(neurons_key(layer)))
            with room.control("bd.activations", _("Activation functions")):
                st.selectbox(_("Layer {layer}: activation").format(layer=layer), network.ACTIVATIONS,
                             **widget_args(activation_key(layer), network.ACTIVATIONS))
    st.header(_("Training"))
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
        pick(st.selectbox, _("Output and loss"), "bd.loss", settings.LOSS_CHOICES, settings.LOSS_CHOICES,
             help=_("For two classes. Three classes always use softmax with cross-entropy, a regression a linear "
                    "output with squared error."))
    with room.control("bd.init", _("Start weights")):
        pick(st.selectbox, _("Start weights"), "bd.init", network.START_WEIGHTS, network.START_WEIGHTS,
             help=_("Glorot (Keras' default) scales each layer's random weights to its size; TensorFlow Playground "
                    "starts every weight uniform in ±0.5 and every bias at 0.1."))
    with room.control("bd.reg", _("Regularization")):
        pick(st.selectbox, _("Regularization"), "bd.reg", network.REGULARIZATIONS, network.REGULARIZATIONS)
        st.select_slider(_("Regularization rate"), settings.REGULARIZATION_RATES, format_func=lambda v: f"{v:g}",
                         **widget_args("bd.rate"), disabled=state.get("bd.reg", "none") == "none")
    st.header(_("View"))
    with room.control("bd.show_test", _("Show test points")):
        show_test = st.checkbox(_("Show test points"), **widget_args("bd.show_test"))
    with room.control("bd.discrete", _("Discretize output")):
        discrete = st.checkbox(_("Discretize output"), **widget_args("bd.discrete"))

spec, loss_note = settings.spec_from_state(state, points.classes)
run = None
if spec.features and len(points) >= 2:
    structure = spec.structure(version)
    if state.get("bd.run") is None or state.get("bd.structure") != structure:
        state["bd.run"] = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share,
                              spec.seed, spec.init, spec.output)
        state["bd.structure"] = structure
    else:
        state["bd.run"].set_training(spec.training)
    run = state["bd.run"]

boundary_live.show(run, points, spec.features, show_test, discrete, bool(state.get("bd.drawing")),
                   "bd.features" in room.hidden, _)
# The messages under the live view: above it, the map would move from under the pointer when they go.
if not spec.features:
    st.warning(_("Switch on at least one input feature: the network has nothing to look at (click an input in "
                 "the diagram, or tick one under Network in the sidebar)."))
elif len(points) < 2:
    st.info(_("A network needs at least two points to learn from: click on the map to add them (Draw points in "
              "the sidebar), or go back to the generated data."))
boundary_live.loss_sentence(run, points.classes, loss_note, _)
room.panel()
