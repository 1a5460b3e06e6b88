"""The churn network: what it is (spec, settings, a run's record), its weights, predictions and Keras file.

Start with :class:`NetworkSpec` and :class:`FitSettings`, then :class:`TrainingRun` and its
:class:`RunStatus`; training lives in engine.py (a whole epoch per compiled call), the training
API in train.py, the command line in cli.py.

This module imports Keras only inside functions, so importing it costs nothing. No process-wide
state: no ``keras.utils.set_random_seed`` and no ``clear_session`` (both reach every user of the
server); each run is seeded through its own initializer seeds and a seeded numpy shuffle.
Predictions, and AUC, precision and recall per epoch, are computed in numpy from the weights
(an 8,000-row forward pass of this network costs about a millisecond).
"""

from __future__ import annotations

import math
import os
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from playground.activations import functions as activation_functions
from playground.i18n import N_, Translate, UserError, identity

# Hidden-layer activations: every one of the tutorial article (sigmoid, tanh, relu, leaky relu,
# parametric relu, swish; softmax only suits an output layer) plus elu, selu, gelu and linear.
# Ids are the Activations page's registry ids; its numpy functions are the forward pass used for
# predictions (checked against Keras' model.predict in the tests).


@dataclass(frozen=True)
class HiddenActivation:
    """A hidden-layer activation: its numpy form and how Keras builds it.

    `keras_name` is the ``keras.activations`` name given to ``Dense(activation=...)``. PReLU has
    none: it is a ``Dense`` layer followed by a ``keras.layers.PReLU`` layer whose slope for
    negative inputs is learnt, one per unit (`learns_slope`; it starts at 0 like Keras').
    """

    keras_name: str | None
    numpy: Callable[..., np.ndarray]  # numpy(z), or numpy(z, slope) when learns_slope
    learns_slope: bool = False

    def __call__(self, z: np.ndarray, slope: np.ndarray | None = None) -> np.ndarray:
        return self.numpy(z, slope) if self.learns_slope else self.numpy(z)


def _from_activations_page(name: str) -> HiddenActivation:
    """The Activations page's function with its default parameters (they equal Keras' defaults)."""
    entry = activation_functions.get(name)
    return HiddenActivation(entry.keras_name, lambda z, _fn=entry.fn: _fn(np.asarray(z, dtype=np.float64)))


# Keras' PReLU: relu(z) - alpha * relu(-z), i.e. z for z > 0 and alpha * z below.
_prelu = HiddenActivation(None, lambda z, slope: np.where(z > 0, z, slope * z), learns_slope=True)

ACTIVATIONS: dict[str, HiddenActivation] = {
    "relu": _from_activations_page("relu"),
    "tanh": _from_activations_page("tanh"),
    "sigmoid": _from_activations_page("sigmoid"),
    "elu": _from_activations_page("elu"),
    "linear": _from_activations_page("linear"),
    "leaky_relu": _from_activations_page("leaky_relu"),  # slope 0.2 below 0: Keras' default
    "prelu": _prelu,
    "swish": _from_activations_page("swish"),  # x * sigmoid(x), also called silu
    "selu": _from_activations_page("selu"),
    "gelu": _from_activations_page("gelu"),  # the exact erf form, Keras' default (approximate=False)
}

# Weight initializers: label shown in the page, and the Keras config (a seed is added per layer).
INITIALIZERS: dict[str, tuple[str, dict]] = {
    "uniform": (N_("Uniform ±0.05 (the tutorial's 'uniform')"), {"class_name": "RandomUniform",
                                                            "config": {"minval": -0.05, "maxval": 0.05}}),
    "glorot_uniform": (N_("Glorot uniform (Keras default)"), {"class_name": "GlorotUniform", "config": {}}),
    "he_uniform": (N_("He uniform (suits relu)"), {"class_name": "HeUniform", "config": {}}),
    "random_normal": (N_("Normal, sd 0.05"), {"class_name": "RandomNormal", "config": {"stddev": 0.05}}),
}

# Optimizers with a sensible default learning rate each.
OPTIMIZERS: dict[str, float] = {"adam": 0.001, "sgd": 0.01, "rmsprop": 0.001, "adagrad": 0.01}

MAX_LAYERS, MAX_UNITS, MAX_EPOCHS = 6, 64, 200


@dataclass(frozen=True)
class NetworkSpec:
    """What the network is: hidden layers as (units, activation), initializer, optimizer."""

    hidden: tuple[tuple[int, str], ...] = ((6, "relu"), (6, "relu"))
    initializer: str = "uniform"
    optimizer: str = "adam"
    learning_rate: float = 0.001
    n_inputs: int = 11

    def __post_init__(self):
        object.__setattr__(self, "hidden", tuple((int(u), str(a)) for u, a in self.hidden))
        if not 1 <= len(self.hidden) <= MAX_LAYERS:
            raise UserError(N_("Use between {low} and {high} hidden layers (got {count})."), low=1, high=MAX_LAYERS,
                            count=len(self.hidden))
        for number, (units, activation) in enumerate(self.hidden, start=1):
            if not 1 <= units <= MAX_UNITS:
                raise UserError(N_("Hidden layer {number} needs 1 to {high} units (got {units})."), number=number,
                                high=MAX_UNITS, units=units)
            if activation not in ACTIVATIONS:
                raise UserError(N_("Hidden layer {number}: unknown activation {name}; choose one of {allowed}."),
                                number=number, name=repr(activation), allowed=", ".join(ACTIVATIONS))
        if self.initializer not in INITIALIZERS:
            raise UserError(N_("Unknown initializer {name}; choose one of {allowed}."), name=repr(self.initializer),
                            allowed=", ".join(INITIALIZERS))
        if self.optimizer not in OPTIMIZERS:
            raise UserError(N_("Unknown optimizer {name}; choose one of {allowed}."), name=repr(self.optimizer),
                            allowed=", ".join(OPTIMIZERS))
        if not (math.isfinite(self.learning_rate) and 0 < self.learning_rate <= 10):
            raise UserError(N_("The learning rate must be above 0 and at most 10 (got {value})."),
                            value=self.learning_rate)

    @property
    def architecture_key(self) -> tuple:
        """What a compiled training function fixes; learning rate, initializer and seed are reset per run."""
        return (self.n_inputs, self.hidden, self.optimizer)

    @property
    def layer_sizes(self) -> list[int]:
        return [self.n_inputs, *(units for units, _ in self.hidden), 1]

    @property
    def n_parameters(self) -> int:
        """Weights and biases, plus one learnt slope per unit of each PReLU layer."""
        sizes = self.layer_sizes
        slopes = sum(units for units, name in self.hidden if ACTIVATIONS[name].learns_slope)
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:])) + slopes

    @property
    def layer_activations(self) -> list[str]:
        """The activation of every layer, the sigmoid output included."""
        return [name for _, name in self.hidden] + ["sigmoid"]


@dataclass(frozen=True)
class FitSettings:
    """How to train: epochs, batch size, seed, validation share, early stopping, class weights."""

    epochs: int = 100
    batch_size: int = 10
    seed: int = 0
    validation_share: float = 0.0  # carved out of the training part; the test part is never seen
    early_stopping: bool = False
    patience: int = 10
    class_weights: bool = False

    def __post_init__(self):
        if not 0 <= self.validation_share <= 0.5:
            raise UserError(N_("The validation share must be between 0 and 0.5 (got {value})."),
                            value=self.validation_share)
        if self.early_stopping and self.validation_share == 0:
            raise UserError(N_("Early stopping watches the validation loss: set a validation share above 0."))
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise UserError(N_("Train for 1 to {high} epochs (got {epochs})."), high=MAX_EPOCHS, epochs=self.epochs)
        if self.batch_size < 1:
            raise UserError(N_("The batch size must be at least 1 (got {size})."), size=self.batch_size)
        if self.patience < 1:
            raise UserError(N_("Early-stopping patience must be at least 1 epoch (got {epochs})."),
                            epochs=self.patience)


class RunStatus(StrEnum):
    """The state of a training (:attr:`TrainingRun.status`) or of an experiment over seeds (only
    running, finished or stopped); the values are what the CLIs' JSON and the CSV downloads show."""

    RUNNING = "running"
    FINISHED = "finished"
    STOPPED = "stopped"  # a user pressed Stop: the weights of the last epoch run
    EARLY_STOPPED = "early-stopped"  # the validation loss stalled: rolled back to its best epoch
    DIVERGED = "diverged"  # the loss became infinite or NaN: the last finite weights

    def shown(self, _: Translate = identity) -> str:
        """The state in the language of `_`."""
        return _(STATUS_NAMES[self])


STATUS_NAMES = {RunStatus.RUNNING: N_("running"), RunStatus.FINISHED: N_("finished"), RunStatus.STOPPED: N_("stopped"),
                RunStatus.EARLY_STOPPED: N_("early-stopped"), RunStatus.DIVERGED: N_("diverged")}


@dataclass
class TrainingRun:
    """One training run, filled in epoch by epoch; survives an interrupted ``fit``."""

    spec: NetworkSpec
    settings: FitSettings
    history: list[dict] = field(default_factory=list)  # one row per epoch
    weights: list[np.ndarray] | None = None  # latest (or restored best) weights
    best_weights: list[np.ndarray] | None = None
    best_epoch: int | None = None
    status: RunStatus = RunStatus.RUNNING
    seconds: float = 0.0

    @property
    def epochs_run(self) -> int:
        return len(self.history)

    def seconds_left(self) -> float | None:
        """Estimated time to finish: mean time of the last (up to 5) epochs times the epochs to go.

        The first epoch is left out once there are others: it includes tracing the train step.
        """
        if not self.history:
            return None
        recent = [row["seconds"] for row in self.history[1:][-5:]] or [self.history[0]["seconds"]]
        return sum(recent) / len(recent) * (self.settings.epochs - len(self.history))

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Churn probabilities for standardised inputs, from this run's weights."""
        return predict_proba(self.weights, self.spec, x)


def split_layers(weights: Sequence[np.ndarray], spec: NetworkSpec) -> list[tuple[np.ndarray, np.ndarray, np.ndarray | None]]:
    """Keras' flat weight list (kernel, bias[, PReLU slope] per layer) -> (kernel, bias, slope or None) per layer."""
    arrays_per_layer = [3 if ACTIVATIONS[name].learns_slope else 2 for name in spec.layer_activations]
    if sum(arrays_per_layer) != len(weights):
        raise ValueError(f"These weights do not fit the network {spec.layer_sizes}: {len(weights)} arrays "
                         f"where it has {sum(arrays_per_layer)}.")
    layers, position = [], 0
    for count in arrays_per_layer:
        layers.append((weights[position], weights[position + 1], weights[position + 2] if count == 3 else None))
        position += count
    return layers


def predict_proba(weights: Sequence[np.ndarray], spec: NetworkSpec, x: np.ndarray) -> np.ndarray:
    """Forward pass in numpy: a = act(a @ W + b) per hidden layer, then sigmoid(a @ W + b)."""
    activation = np.asarray(x, dtype=np.float64)
    for (kernel, bias, slope), name in zip(split_layers(weights, spec), spec.layer_activations):
        activation = ACTIVATIONS[name](activation @ kernel + bias, slope)
    return activation[:, 0]


def class_weights_for(y: np.ndarray) -> dict[int, float]:
    """Balanced class weights n / (2 n_c): both classes weigh the same in the loss overall."""
    y = np.asarray(y).astype(int)
    counts = np.bincount(y, minlength=2)
    return {c: float(len(y) / (2 * counts[c])) if counts[c] else 1.0 for c in (0, 1)}


def initial_weights(spec: NetworkSpec, seed: int) -> list[np.ndarray]:
    """Seeded starting weights in Keras' order: per layer the kernel from the chosen initializer
    (seed * 1000 + layer index), a zero bias, and for PReLU a zero slope per unit (Keras' default)."""
    import keras

    weights = []
    sizes = spec.layer_sizes
    for index, ((fan_in, fan_out), name) in enumerate(zip(zip(sizes[:-1], sizes[1:]), spec.layer_activations)):
        config = INITIALIZERS[spec.initializer][1]
        initializer = keras.initializers.get(
            {"class_name": config["class_name"], "config": {**config["config"], "seed": seed * 1000 + index}}
        )
        weights.append(np.asarray(initializer((fan_in, fan_out), dtype="float32")))
        weights.append(np.zeros(fan_out, dtype="float32"))
        if ACTIVATIONS[name].learns_slope:
            weights.append(np.zeros(fan_out, dtype="float32"))
    return weights


def keras_model(spec: NetworkSpec):
    """The Keras Sequential model of `spec` (not compiled): Dense layers, a PReLU layer after a
    Dense layer where the activation is prelu. Training does not use it (see engine.py); it is the
    reference the tests compare the engine with, and what the .keras download holds."""
    import keras

    layers = [keras.Input(shape=(spec.n_inputs,))]
    for units, name in spec.hidden:
        if ACTIVATIONS[name].learns_slope:
            layers += [keras.layers.Dense(units), keras.layers.PReLU()]
        else:
            layers.append(keras.layers.Dense(units, activation=ACTIVATIONS[name].keras_name))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    return keras.Sequential(layers)


_export_lock = threading.Lock()
_export_models: OrderedDict = OrderedDict()  # architecture -> Keras model, reused (a new model costs memory for good)
EXPORT_MODELS_KEPT = 4


def keras_file_bytes(spec: NetworkSpec, weights: Sequence[np.ndarray]) -> bytes:
    """The network as a ``.keras`` file (a Keras Sequential with these weights), for a download.

    Loadable with ``keras.saving.load_model``; it predicts what :func:`predict_proba` predicts.
    Safe from threads and worker processes: one model per architecture is kept and reused.
    """
    split_layers(weights, spec)  # a clear error for weights of another network
    key = (spec.n_inputs, spec.hidden)
    with _export_lock:
        model = _export_models.pop(key, None) or keras_model(spec)
        _export_models[key] = model
        while len(_export_models) > EXPORT_MODELS_KEPT:
            _export_models.popitem(last=False)
        model.set_weights([np.asarray(w, dtype="float32") for w in weights])
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "churn_model.keras")
            model.save(path)
            with open(path, "rb") as file:
                return file.read()


def finish(run: TrainingRun) -> TrainingRun:
    """Close a run: a run still running has finished; restore the best weights under early stopping."""
    if run.status == RunStatus.RUNNING:
        run.status = RunStatus.FINISHED
    if run.settings.early_stopping and run.best_weights is not None and run.status != RunStatus.DIVERGED:
        run.weights = run.best_weights
    return run


def history_frame(run: TrainingRun):
    """The run's per-epoch history as a DataFrame (for the table and the CSV download)."""
    import pandas as pd

    return pd.DataFrame(run.history)
