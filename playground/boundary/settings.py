"""The page's settings: one table of widget keys and defaults (`DEFAULTS`) drives the widgets,
the URL (every key here is bound to the query string) and the tests; `spec_from_state` turns
any mapping (Streamlit's session_state, a dict in a test) into what a training run needs.

No streamlit import. (A value in the URL outside a widget's choices or range is dropped by
Streamlit itself, which then shows the default; the page tests check that.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from playground.boundary import datasets, features, network
from playground.boundary.network import Objective
from playground.boundary.session import Training
from playground.i18n import N_

LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
REGULARIZATION_RATES = (0.0, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
DEFAULT_NEURONS = (4, 2, 4, 4, 4, 4)
# The output and its loss, one choice (for two classes; three classes and regression have one output):
# sigmoid + cross-entropy, sigmoid + squared error, or TensorFlow Playground's tanh + squared error on -1/+1.
LOSS_CHOICES = {"cross_entropy": N_("Sigmoid, cross-entropy"), "squared_error": N_("Sigmoid, squared error"),
                "tanh": N_("Tanh, squared error on −1/+1")}


def feature_key(name: str) -> str:
    return f"bd.f.{name}"


def neurons_key(layer: int) -> str:
    return f"bd.n{layer}"


def activation_key(layer: int) -> str:
    return f"bd.a{layer}"


DEFAULTS: dict[str, object] = {
    "bd.data": "circle",
    "bd.points": datasets.DEFAULT_POINTS,
    "bd.noise": 0,  # percent
    "bd.train": 50,  # percent
    "bd.seed": 0,
    **{feature_key(name): name in features.DEFAULT for name in features.names()},
    "bd.layers": 2,
    **{neurons_key(layer): DEFAULT_NEURONS[layer - 1] for layer in range(1, network.MAX_LAYERS + 1)},
    **{activation_key(layer): "tanh" for layer in range(1, network.MAX_LAYERS + 1)},
    "bd.loss": "cross_entropy",
    "bd.opt": "sgd",
    "bd.lr": 0.03,
    "bd.batch": 10,
    "bd.reg": "none",
    "bd.rate": 0.0,
    "bd.init": "glorot",
    "bd.show_test": False,
    "bd.discrete": False,
}

# Allowed values per key (a tuple of choices, or (low, high) for numbers).
CHOICES: dict[str, tuple] = {
    "bd.data": tuple(datasets.names()),
    "bd.loss": tuple(LOSS_CHOICES),
    "bd.init": tuple(network.START_WEIGHTS),
    "bd.opt": network.OPTIMIZERS,
    "bd.lr": LEARNING_RATES,
    "bd.reg": tuple(network.REGULARIZATIONS),
    "bd.rate": REGULARIZATION_RATES,
    **{activation_key(layer): network.ACTIVATIONS for layer in range(1, network.MAX_LAYERS + 1)},
}
RANGES: dict[str, tuple[int, int]] = {
    "bd.points": (datasets.MIN_POINTS, datasets.MAX_POINTS),
    "bd.noise": (0, 50),
    "bd.train": (10, 90),
    "bd.seed": (0, 9999),
    "bd.layers": (0, network.MAX_LAYERS),
    "bd.batch": (1, 50),
    **{neurons_key(layer): (1, network.MAX_NEURONS) for layer in range(1, network.MAX_LAYERS + 1)},
}


@dataclass(frozen=True)
class Spec:
    """What a training run needs, read from the settings."""

    data: str
    points: int
    noise: float  # share 0..0.5
    train_share: float
    seed: int
    features: tuple[str, ...]
    hidden: tuple[int, ...]
    activations: tuple[str, ...]
    training: Training
    init: str = "glorot"  # start weights (network.START_WEIGHTS)
    output: str | None = None  # None: the data's default output; "tanh" (two classes)

    def structure(self, data_version: object = None) -> tuple:
        """Everything that resets the weights when it changes."""
        return (self.data, self.points, self.noise, self.train_share, self.seed, self.features,
                self.hidden, self.activations, self.init, self.output, data_version)


def spec_from_state(state: Mapping, classes: int) -> tuple[Spec, str | None]:
    """The run `state` describes, for data with `classes` (0: regression). The note explains a
    setting the page had to overrule (cross-entropy on a regression target)."""
    def get(key):
        return state.get(key, DEFAULTS[key])

    layers = int(get("bd.layers"))
    chosen = tuple(name for name in features.names() if get(feature_key(name)))
    loss, note, output = get("bd.loss"), None, None
    if loss == "tanh":
        loss, output = "squared_error", "tanh"
        if classes != 2:
            output = None
            loss = "squared_error" if classes == 0 else "cross_entropy"
            note = N_("The tanh output is for two classes: three classes use softmax with cross-entropy, a "
                      "regression a linear output with squared error.")
    if classes == 0 and loss == "cross_entropy":
        loss = "squared_error"
        note = N_("This is a regression task (a number per point, not a class): it is fitted with squared "
                  "error. Cross-entropy needs class probabilities.")  # a msgid: the page shows it translated
    rate = float(get("bd.rate")) if get("bd.reg") != "none" else 0.0
    training = Training(get("bd.opt"), float(get("bd.lr")), int(get("bd.batch")), Objective(loss, get("bd.reg"), rate))
    return Spec(
        data=get("bd.data"), points=int(get("bd.points")), noise=int(get("bd.noise")) / 100,
        train_share=int(get("bd.train")) / 100, seed=int(get("bd.seed")), features=chosen,
        hidden=tuple(int(get(neurons_key(layer))) for layer in range(1, layers + 1)),
        activations=tuple(get(activation_key(layer)) for layer in range(1, layers + 1)),
        training=training, init=get("bd.init"), output=output,
    ), note
