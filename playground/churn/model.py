"""The churn network: build it from a plain spec, train it with live reports, predict in numpy.

This is the only module of the playground that imports Keras, and it does so inside functions,
so importing it costs nothing. Three rules keep one Streamlit server healthy for many users:

- No process-wide state: no ``keras.utils.set_random_seed`` and no ``clear_session`` (both reach
  every user of the server). Each run is seeded through its own initializer seeds and a seeded
  ``tf.data`` shuffle.
- Reuse compiled models: every newly built and fitted Keras model leaves ~6 MB of TensorFlow
  graphs alive for good. A :class:`ModelCache` (one per browser session) keeps one compiled model
  per architecture and re-initialises its weights and optimizer state for the next run.
- Speed: a tiny network at batch 10 is dominated by Keras' per-step overhead, so the model is
  compiled with ``steps_per_execution`` (a whole epoch per TensorFlow call) and XLA
  (``jit_compile``), and fed from ``tf.data``: ~5x faster than a plain ``fit``. Validation
  metrics, AUC, precision and recall are computed in numpy from the weights after each epoch
  (an 8,000-row forward pass of this network costs about a millisecond), not by Keras loops.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from playground.churn import metrics

# Hidden-layer activations, each with its numpy form (the forward pass the page uses for
# predictions, checked against Keras in the tests).
ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "relu": lambda z: np.maximum(z, 0.0),
    "tanh": np.tanh,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "elu": lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
    "linear": lambda z: z,
}

# Weight initializers: label shown in the page, and the Keras config (a seed is added per layer).
INITIALIZERS: dict[str, tuple[str, dict]] = {
    "uniform": ("Uniform ±0.05 (the tutorial's 'uniform')", {"class_name": "RandomUniform",
                                                            "config": {"minval": -0.05, "maxval": 0.05}}),
    "glorot_uniform": ("Glorot uniform (Keras default)", {"class_name": "GlorotUniform", "config": {}}),
    "he_uniform": ("He uniform (suits relu)", {"class_name": "HeUniform", "config": {}}),
    "random_normal": ("Normal, sd 0.05", {"class_name": "RandomNormal", "config": {"stddev": 0.05}}),
}

# Optimizers with a sensible default learning rate each.
OPTIMIZERS: dict[str, float] = {"adam": 0.001, "sgd": 0.01, "rmsprop": 0.001, "adagrad": 0.01}

# Batches run inside one TensorFlow call (a whole epoch at the tutorial's batch 10): this cuts
# Keras' Python overhead per batch (~4x faster at batch 10) with identical results.
STEPS_PER_EXECUTION = 1000

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
            raise ValueError(f"Use between 1 and {MAX_LAYERS} hidden layers (got {len(self.hidden)}).")
        for number, (units, activation) in enumerate(self.hidden, start=1):
            if not 1 <= units <= MAX_UNITS:
                raise ValueError(f"Hidden layer {number} needs 1 to {MAX_UNITS} units (got {units}).")
            if activation not in ACTIVATIONS:
                raise ValueError(f"Hidden layer {number}: unknown activation {activation!r}; "
                                 f"choose one of {', '.join(ACTIVATIONS)}.")
        if self.initializer not in INITIALIZERS:
            raise ValueError(f"Unknown initializer {self.initializer!r}; choose one of {', '.join(INITIALIZERS)}.")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
        if not (math.isfinite(self.learning_rate) and 0 < self.learning_rate <= 10):
            raise ValueError(f"The learning rate must be above 0 and at most 10 (got {self.learning_rate}).")

    @property
    def architecture_key(self) -> tuple:
        """What a compiled Keras model fixes; learning rate, initializer and seed are reset per run."""
        return (self.n_inputs, self.hidden, self.optimizer)

    @property
    def layer_sizes(self) -> list[int]:
        return [self.n_inputs, *(units for units, _ in self.hidden), 1]

    @property
    def n_parameters(self) -> int:
        sizes = self.layer_sizes
        return sum((a + 1) * b for a, b in zip(sizes[:-1], sizes[1:]))


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
            raise ValueError(f"The validation share must be between 0 and 0.5 (got {self.validation_share}).")
        if self.early_stopping and self.validation_share == 0:
            raise ValueError("Early stopping watches the validation loss: set a validation share above 0.")
        if not 1 <= self.epochs <= MAX_EPOCHS:
            raise ValueError(f"Train for 1 to {MAX_EPOCHS} epochs (got {self.epochs}).")
        if self.batch_size < 1:
            raise ValueError(f"The batch size must be at least 1 (got {self.batch_size}).")
        if self.patience < 1:
            raise ValueError(f"Early-stopping patience must be at least 1 epoch (got {self.patience}).")


@dataclass
class TrainingRun:
    """One training run, filled in epoch by epoch; survives an interrupted ``fit``."""

    spec: NetworkSpec
    settings: FitSettings
    history: list[dict] = field(default_factory=list)  # one row per epoch
    weights: list[np.ndarray] | None = None  # latest (or restored best) weights
    best_weights: list[np.ndarray] | None = None
    best_epoch: int | None = None
    status: str = "running"  # running | finished | stopped | early-stopped | diverged
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


def predict_proba(weights: Sequence[np.ndarray], spec: NetworkSpec, x: np.ndarray) -> np.ndarray:
    """Forward pass in numpy: a = act(a @ W + b) per hidden layer, then sigmoid(a @ W + b)."""
    activation = np.asarray(x, dtype=np.float64)
    names = [name for _, name in spec.hidden] + ["sigmoid"]
    for (kernel, bias), name in zip(zip(weights[0::2], weights[1::2]), names):
        activation = ACTIVATIONS[name](activation @ kernel + bias)
    return activation[:, 0]


def class_weights_for(y: np.ndarray) -> dict[int, float]:
    """Balanced class weights n / (2 n_c): both classes weigh the same in the loss overall."""
    y = np.asarray(y).astype(int)
    counts = np.bincount(y, minlength=2)
    return {c: float(len(y) / (2 * counts[c])) if counts[c] else 1.0 for c in (0, 1)}


def initial_weights(spec: NetworkSpec, seed: int) -> list[np.ndarray]:
    """Seeded starting weights: kernels from the chosen initializer (seed + layer index), zero biases."""
    import keras

    weights = []
    sizes = spec.layer_sizes
    for index, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        config = INITIALIZERS[spec.initializer][1]
        initializer = keras.initializers.get(
            {"class_name": config["class_name"], "config": {**config["config"], "seed": seed * 1000 + index}}
        )
        weights.append(np.asarray(initializer((fan_in, fan_out), dtype="float32")))
        weights.append(np.zeros(fan_out, dtype="float32"))
    return weights


def build_model(spec: NetworkSpec):
    """A compiled Keras model for `spec`: binary cross-entropy loss, accuracy, XLA-compiled steps.

    AUC, precision and recall are reported per epoch from numpy (see :func:`train`), not as compiled
    Keras metrics: Keras' confusion-matrix metrics keep the train step out of XLA and made every
    epoch ~1.7x slower here (0.27 against 0.16 s at batch 10, measured in bench conditions).
    """
    import keras

    layers = [keras.Input(shape=(spec.n_inputs,))]
    for units, activation in spec.hidden:
        layers.append(keras.layers.Dense(units, activation=activation))
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    optimizer = keras.optimizers.get({"class_name": spec.optimizer, "config": {"learning_rate": spec.learning_rate}})
    model.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"],
                  steps_per_execution=STEPS_PER_EXECUTION, jit_compile=True)
    model.optimizer.build(model.trainable_variables)
    return model


def reset_model(model, spec: NetworkSpec, seed: int) -> None:
    """Fresh seeded weights, a zeroed optimizer state (step count, moments) and spec's learning rate."""
    model.set_weights(initial_weights(spec, seed))
    learning_rate = model.optimizer._learning_rate
    for variable in model.optimizer.variables:
        if variable is not learning_rate:
            variable.assign(np.zeros(variable.shape, dtype=variable.dtype))
    model.optimizer.learning_rate = spec.learning_rate
    model.reset_metrics()


class ModelCache:
    """Compiled Keras models of one session, one per architecture, least recently used dropped first."""

    def __init__(self, capacity: int = 4):
        self.capacity = capacity
        self._models: OrderedDict = OrderedDict()
        self.builds = 0  # how many models were built (the memory cost), for tests and benchmarks

    def model_for(self, spec: NetworkSpec, seed: int):
        """A compiled model for `spec`, reset to the seeded initial state."""
        key = spec.architecture_key
        if key in self._models:
            self._models.move_to_end(key)
        else:
            self._models[key] = build_model(spec)
            self.builds += 1
            while len(self._models) > self.capacity:
                self._models.popitem(last=False)
        model = self._models[key]
        reset_model(model, spec, seed)
        return model

    def keras_bytes(self, run: TrainingRun) -> bytes:
        """The run's network as a ``.keras`` file (its weights loaded into the cached model)."""
        key = run.spec.architecture_key
        model = self._models.get(key)
        if model is None:
            model = self.model_for(run.spec, run.settings.seed)
        model.set_weights(run.weights)
        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "churn_model.keras")
            model.save(path)
            with open(path, "rb") as file:
                return file.read()


def _dataset(x, y, sample_weight, batch_size: int, seed: int):
    """Seeded shuffle per epoch (an op-level seed: no global seeding), batched.

    Sample weights are always present (ones without class weights) so that every run of one
    architecture feeds the same signature to the traced train step: no new graphs.
    """
    import tensorflow as tf

    data = tf.data.Dataset.from_tensor_slices((x, y, sample_weight))
    data = data.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return data.batch(batch_size)


def train(
    cache: ModelCache,
    spec: NetworkSpec,
    settings: FitSettings,
    x_fit: np.ndarray,
    y_fit: np.ndarray,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    on_epoch: Callable[[TrainingRun], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    run: TrainingRun | None = None,
) -> TrainingRun:
    """Train a (cached, re-initialised) model; report each epoch; return the run.

    `on_epoch(run)` is called after every epoch with the history so far. `should_stop()` is asked
    after every epoch; True ends training there (the partial weights and history are kept).
    Pass your own `run` to keep the partial record even if `on_epoch` raises (a page rerun).
    Early stopping watches the validation loss and restores the best epoch's weights.
    """
    import keras

    run = run or TrainingRun(spec, settings)
    x_fit = np.asarray(x_fit, dtype="float32")
    y_fit = np.asarray(y_fit, dtype="float32")
    has_validation = x_val is not None and len(x_val) > 0
    if settings.early_stopping and not has_validation:
        raise ValueError("Early stopping watches the validation loss: set a validation share above 0.")
    if settings.class_weights:
        weight_of = class_weights_for(y_fit)
        sample_weight = np.where(y_fit == 1, weight_of[1], weight_of[0]).astype("float32")
    else:
        sample_weight = np.ones_like(y_fit)
    model = cache.model_for(spec, settings.seed)
    run.weights = model.get_weights()
    started = time.perf_counter()

    class Reporter(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.epoch_started = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            logs = logs or {}
            run.weights = self.model.get_weights()
            # loss and accuracy: Keras' running means over the epoch's batches (what fit reports);
            # AUC, precision, recall: the whole training part at the epoch's end, in numpy.
            row = {"epoch": epoch + 1, "loss": float(logs["loss"]), "accuracy": float(logs["accuracy"])}
            scores = metrics.summary(y_fit, predict_proba(run.weights, spec, x_fit))
            row.update(auc=scores["auc"], precision=scores["precision"], recall=scores["recall"])
            if has_validation:
                scores = metrics.summary(y_val, predict_proba(run.weights, spec, x_val))
                row.update({f"val_{name}": scores[name] for name in ("loss", "accuracy", "auc", "precision", "recall")})
            row["seconds"] = time.perf_counter() - self.epoch_started
            run.history.append(row)
            run.seconds = time.perf_counter() - started
            if not math.isfinite(row["loss"]):
                run.status = "diverged"
                self.model.stop_training = True
            elif has_validation and (run.best_epoch is None or row["val_loss"] < run.history[run.best_epoch - 1]["val_loss"]):
                run.best_epoch, run.best_weights = row["epoch"], run.weights
            elif settings.early_stopping and row["epoch"] - run.best_epoch >= settings.patience:
                run.status = "early-stopped"
                self.model.stop_training = True
            if should_stop is not None and should_stop() and run.status == "running":
                run.status = "stopped"
                self.model.stop_training = True
            if on_epoch is not None:
                on_epoch(run)

    data = _dataset(x_fit, y_fit, sample_weight, settings.batch_size, settings.seed)
    model.fit(data, epochs=settings.epochs, verbose=0, shuffle=False, callbacks=[Reporter()])
    finish(run)
    return run


def finish(run: TrainingRun, interrupted: bool = False) -> TrainingRun:
    """Close a run: restore the best weights under early stopping; mark interrupted runs stopped."""
    if run.status == "running":
        run.status = "stopped" if interrupted and run.epochs_run < run.settings.epochs else "finished"
    if run.settings.early_stopping and run.best_weights is not None and run.status != "diverged":
        run.weights = run.best_weights
    return run


def history_frame(run: TrainingRun):
    """The run's per-epoch history as a DataFrame (for the table and the CSV download)."""
    import pandas as pd

    return pd.DataFrame(run.history)
