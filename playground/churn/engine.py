"""The training engine: a whole epoch per XLA-compiled TensorFlow call, for one model or many at once.

Start reading at :func:`train_stacked`; :func:`train` is the one-model case the page uses.

Why: Keras' ``model.fit`` pays Python overhead per batch, which dominates a network as small as
the tutorial's (11-6-6-1 at batch 10: ~1.3 s per epoch). Here one compiled call runs a whole
epoch: the epoch's batches, as row indices, go in as one tensor and a ``tf.while_loop`` walks
them (~0.015 s per epoch for the tutorial recipe). It is the tutorial's algorithm, step for step:

- the layers are Keras' maths: ``Dense`` (``x @ kernel + bias``), ``keras.activations``, and
  Keras' ``PReLU`` (``relu(z) - alpha * relu(-z)``);
- the loss is ``keras.losses.binary_crossentropy`` reduced like Keras' "sum_over_batch_size":
  per model and batch, sum(sample weight x loss) / number of rows in the batch (a partial last
  batch divides by its own size);
- the optimizer is a real ``keras.optimizers`` instance (``keras.optimizers.get(name)``) applied
  with ``optimizer.apply`` inside the compiled loop;
- the batch order of every epoch is a fresh permutation of the training rows drawn from
  ``numpy.random.default_rng(seed + 2)`` (see :func:`batch_orders`; the data split uses
  ``seed`` and the validation split ``seed + 1``);
- loss and accuracy per epoch are what ``fit`` reports: running means over the epoch's batches
  (both per row: loss weighted by batch size, accuracy unweighted); AUC, precision, recall and every
  validation number are computed in numpy from the weights at the epoch's end.
The tests check the weights after a few epochs against ``model.fit`` on the same batches.

Many models at once: N models of one architecture are stacked along a leading axis (kernels of
shape [N, inputs, units]) and trained in the same compiled call, each on its own data, seed and
batch order. The loss that is differentiated is the sum of the models' own mean losses, so each
model gets exactly its own gradient; Keras' optimizers update elementwise (adam, sgd, rmsprop,
adagrad), so one optimizer over stacked variables is N independent optimizers. All models share
the step count, which is why they share epochs and batch size (and need equally many rows).

Public API (kept stable: the page, the worker pool and the experiments code use it)::

    train_stacked(datasets, spec, settings, on_epoch=None, should_stop=None, runs=None, specs=None) -> list[TrainingRun]
        datasets: one (x_fit, y_fit, x_val or None, y_val or None) per model, equally many fit rows;
        specs: one NetworkSpec per model where their activations or initializers differ (same shapes,
               optimizer and learning rate): models with different activations share one call;
        settings: one FitSettings per model: same epochs and batch size; seed, class weights,
                  early stopping and patience may differ.
        on_epoch(runs) after every epoch; should_stop() after every epoch (True stops them all).
        A model that stops early, diverges or is stopped is frozen: its run keeps the weights it
        had, and the others go on. Pass `runs` to keep partial records if on_epoch raises.
    train(spec, settings, x_fit, y_fit, x_val=None, y_val=None, on_epoch=None, should_stop=None, run=None)
        -> TrainingRun: one model; on_epoch(run).
    batch_orders(seed, n_rows) -> iterator of each epoch's row permutation (what the engine uses).
    limit_threads(n): TensorFlow op threads for this process; call before any TensorFlow op runs.
    builds: how many compiled epochs this process has built (each one's memory stays).

Memory: each new traced and compiled function keeps TensorFlow graphs alive for good, so compiled
epochs are kept per (architecture, optimizer, number of models) and reused: a later run resets
the variables and the optimizer's state and learning rate (no retracing). A compiled epoch in use
by one thread is never handed to another (a second one is built, and kept, if needed);
:data:`COMPILED_EPOCHS_KEPT` bounds how many idle ones stay.
"""

from __future__ import annotations

import itertools
import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence

import numpy as np

from playground.churn import metrics
from playground.churn.model import (
    ACTIVATIONS,
    FitSettings,
    NetworkSpec,
    RunStatus,
    TrainingRun,
    class_weights_for,
    finish,
    initial_weights,
    predict_proba,
)

COMPILED_EPOCHS_KEPT = 8  # idle compiled epochs kept for reuse, least recently used dropped first
SHUFFLE_SEED_OFFSET = 2  # batch order: default_rng(seed + 2); split: seed; validation split: seed + 1

_pool_lock = threading.Lock()
_idle: OrderedDict[tuple, list[CompiledEpoch]] = OrderedDict()
builds = 0  # compiled epochs built in this process (each costs memory for good): for tests and benchmarks


def limit_threads(threads: int) -> None:
    """Run TensorFlow ops of this process on `threads` threads (0: TensorFlow's default).

    One thread per process is how a pool of training processes should run. It must be called
    before TensorFlow runs its first op; later it raises a ValueError saying so.
    """
    import tensorflow as tf

    if threads < 0:
        raise ValueError(f"The number of threads must be 0 (TensorFlow's default) or more (got {threads}).")
    try:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    except RuntimeError as error:
        raise ValueError(f"TensorFlow's threads can only be set before it runs anything ({error}).") from None


def batch_orders(seed: int, n_rows: int) -> Iterator[np.ndarray]:
    """Each epoch's order of the training rows: ``default_rng(seed + 2).permutation(n_rows)``, again per epoch."""
    rng = np.random.default_rng(seed + SHUFFLE_SEED_OFFSET)
    while True:
        yield rng.permutation(n_rows)


def _batch_indices(orders: Sequence[np.ndarray], batch_size: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-model row orders -> row indices [steps, models, batch] and a mask of real rows (the last
    batch is padded with row 0 and masked out when the rows do not fill it)."""
    n_rows = len(orders[0])
    steps = -(-n_rows // batch_size)
    padded = np.zeros((len(orders), steps * batch_size), dtype=np.int32)
    padded[:, :n_rows] = np.stack(orders)
    real = np.zeros(steps * batch_size, dtype=np.float32)
    real[:n_rows] = 1.0
    indices = padded.reshape(len(orders), steps, batch_size).transpose(1, 0, 2)
    mask = np.broadcast_to(real.reshape(steps, 1, batch_size), indices.shape)
    return np.ascontiguousarray(indices), np.ascontiguousarray(mask)


class CompiledEpoch:
    """The parameters of `n_models` networks, their Keras optimizer and the compiled epoch function.

    All of a model's parameters live in one row of one variable [models, parameters], in Keras'
    weight order (kernel, bias[, PReLU slope] per layer, flattened): the optimizer then updates one
    variable instead of one per array, with the same numbers, as every optimizer here is
    elementwise. That shortens tracing and XLA compilation, which every run of a new architecture
    pays (one A/B here, under heavy load: trace 2.6 -> 0.7 s, compile 7.7 -> 5.1 s); the time
    per epoch stayed about the same.
    """

    def __init__(self, spec: NetworkSpec, n_models: int, activations: tuple | None = None):
        import keras
        import tensorflow as tf

        self.key = _key(spec, n_models, activations)  # where _release puts it back for reuse
        self.n_models = n_models
        self.shapes = weight_shapes(spec)
        self.sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.activations = spec.layer_activations
        # per layer: (first model, end, activation) of each run of models that share it
        self.activation_runs = _activation_runs(activations or [spec.layer_activations] * n_models)
        self.parameters = keras.Variable(np.zeros((n_models, sum(self.sizes)), "float32"), name="parameters")
        self.optimizer = keras.optimizers.get({"class_name": spec.optimizer, "config": {"learning_rate": 0.001}})
        self.optimizer.build([self.parameters])
        # The optimizer's starting state (step count 0, zero moments, Adagrad's accumulators at 0.1),
        # restored before every run; the learning rate is set per run instead (see reset)
        rate = learning_rate_variable(self.optimizer)
        self._optimizer_start = [(variable, variable.numpy()) for variable in self.optimizer.variables
                                 if variable is not rate]
        self.function = tf.function(
            self._epoch,
            jit_compile=True,
            input_signature=[
                tf.TensorSpec([n_models, None, spec.n_inputs], tf.float32),  # x
                tf.TensorSpec([n_models, None], tf.float32),  # y
                tf.TensorSpec([n_models, None], tf.float32),  # sample weights
                tf.TensorSpec([None, n_models, None], tf.int32),  # row indices [steps, models, batch]
                tf.TensorSpec([None, n_models, None], tf.float32),  # 1 for a real row, 0 for padding
            ],
        )

    def _arrays(self, parameters):
        """The stacked parameters cut into Keras' arrays: kernels [models, in, out], biases and slopes [models, 1, out]."""
        import tensorflow as tf

        arrays, start = [], 0
        for shape, size in zip(self.shapes, self.sizes):
            piece = parameters[:, start:start + size]
            arrays.append(tf.reshape(piece, [self.n_models, *shape] if len(shape) == 2 else [self.n_models, 1, size]))
            start += size
        return arrays

    def _forward(self, x):
        """Keras' layer maths on stacked weights: act(x @ kernel + bias); PReLU as keras.layers.PReLU.

        x is [models, rows, features]. Inside, the models and rows are the innermost axes
        ([units, models, rows]) and each layer is a broadcast multiply and a sum over its inputs,
        not a batched matmul: XLA on a CPU fuses that into loops over models x rows at once, which
        the tiny matrices here (6 x 11) could never fill. Measured on 2 cores: an epoch of the
        recipe 15 -> 7 ms for one model, 51 -> 35 ms for ten (bench/bench_engine.py).
        """
        import keras
        import tensorflow as tf

        arrays = iter(self._arrays(self.parameters.value))
        activation = tf.transpose(x, [2, 0, 1])  # [in, models, rows]
        last = len(self.activations) - 1
        for number, name in enumerate(self.activations):
            kernel, bias = next(arrays), next(arrays)  # [models, in, out], [models, 1, out]
            weights = tf.transpose(kernel, [1, 2, 0])[..., None]  # [in, out, models, 1]
            z = tf.reduce_sum(activation[:, None] * weights, axis=0) + tf.transpose(bias, [2, 0, 1])  # [out, models, rows]
            if number == last:
                # back to [models, rows, 1] before the output's sigmoid: Keras' sigmoid tags its
                # result with the logits, and binary_crossentropy then works from them (as fit
                # does), which a later transpose would hide (the clipped probabilities have no
                # gradient once saturated: an absurd learning rate would stall instead of diverge)
                z = tf.transpose(z, [1, 2, 0])
            slope = next(arrays) if ACTIVATIONS[name].learns_slope else None
            if slope is not None and number != last:
                slope = tf.transpose(slope, [2, 0, 1])
            runs = self.activation_runs[number]
            if len(runs) == 1:
                activation = _activate(runs[0][2], z, slope)
            else:  # models with different activations here: each run of models its own (models: axis 1)
                activation = tf.concat([_activate(name, z[:, start:end],
                                                  None if slope is None else slope[:, start:end])
                                        for start, end, name in runs], axis=1)
        return activation  # [models, rows, 1]

    def _epoch(self, x, y, sample_weight, indices, mask):
        import keras
        import tensorflow as tf

        def step(number, loss_sum, correct_sum):
            rows, real = indices[number], mask[number]
            x_batch = tf.gather(x, rows, batch_dims=1)  # [models, batch, features]
            y_batch = tf.gather(y, rows, batch_dims=1)[..., None]  # [models, batch, 1]
            weight = tf.gather(sample_weight, rows, batch_dims=1) * real  # [models, batch]
            rows_in_batch = tf.reduce_sum(real, axis=1)  # [models]
            with tf.GradientTape() as tape:
                probabilities = self._forward(x_batch)
                losses = keras.losses.binary_crossentropy(y_batch, probabilities)  # [models, batch]
                # "sum_over_batch_size": each model's weighted sum / rows in the batch
                loss = tf.reduce_sum(losses * weight, axis=1) / rows_in_batch
                total = tf.reduce_sum(loss)  # d total / d (model k's weights) = d loss_k / d (...)
            gradients = tape.gradient(total, [self.parameters])
            self.optimizer.apply(gradients, [self.parameters])
            # Keras' binary accuracy (p > 0.5) on the same predictions; compile(metrics=...) metrics are
            # not weighted by sample weights (only weighted_metrics are)
            predicted = tf.cast(probabilities[..., 0] > 0.5, tf.float32)
            correct = tf.cast(tf.equal(predicted, y_batch[..., 0]), tf.float32)
            return number + 1, loss_sum + loss * rows_in_batch, correct_sum + tf.reduce_sum(correct * real, axis=1)

        zeros = tf.zeros([self.n_models])
        _, loss_sum, correct_sum = tf.while_loop(
            lambda number, *_: number < tf.shape(indices)[0], step, (tf.constant(0), zeros, zeros)
        )
        # the parameters come back with the sums: one call per epoch, no separate variable read
        return loss_sum, correct_sum, tf.identity(self.parameters.value)

    def reset(self, weights_per_model: Sequence[Sequence[np.ndarray]], learning_rate: float) -> None:
        """Load each model's starting weights, the optimizer's starting state and the learning rate."""
        self.parameters.assign(np.stack([np.concatenate([np.ravel(w) for w in weights])
                                         for weights in weights_per_model]).astype("float32"))
        for variable, value in self._optimizer_start:
            variable.assign(value)
        self.optimizer.learning_rate = learning_rate

    def run_epoch(self, x, y, sample_weight, indices, mask) -> tuple[np.ndarray, np.ndarray, list[list[np.ndarray]]]:
        """One epoch for every model: (sum of batch loss x batch rows, correct predictions, weights per model)."""
        loss_sum, correct_sum, parameters = self.function(x, y, sample_weight, indices, mask)
        return loss_sum.numpy(), correct_sum.numpy(), [self._unflatten(row) for row in parameters.numpy()]

    def _unflatten(self, row: np.ndarray) -> list[np.ndarray]:
        """One model's parameter row -> its weights in Keras' order."""
        pieces = np.split(row, np.cumsum(self.sizes)[:-1])
        return [piece.reshape(shape) for piece, shape in zip(pieces, self.shapes)]


def _activate(name: str, z, slope=None):
    """Keras' activation `name` on z; PReLU as keras.layers.PReLU (relu(z) - slope * relu(-z))."""
    import keras

    if ACTIVATIONS[name].learns_slope:
        return keras.activations.relu(z) - slope * keras.activations.relu(-z)
    return keras.activations.get(ACTIVATIONS[name].keras_name)(z)


def _activation_runs(per_model: Sequence[Sequence[str]]) -> list[list[tuple[int, int, str]]]:
    """Per layer, the runs of consecutive models that share its activation: (first, end, name)."""
    runs = []
    for layer in zip(*per_model):
        ends = list(itertools.accumulate(len(list(group)) for _name, group in itertools.groupby(layer)))
        runs.append([(start, end, layer[start]) for start, end in zip([0, *ends], ends)])
    return runs


def stack_key(spec: NetworkSpec) -> tuple:
    """What models trained in one call must share: their weights' shapes, optimizer and learning rate
    (activations, initializers, seeds and class weights may differ). Experiments group by it."""
    return tuple(weight_shapes(spec)), spec.optimizer, spec.learning_rate


def weight_shapes(spec: NetworkSpec) -> list[tuple[int, ...]]:
    """The shapes of `spec`'s weights in Keras' order: (in, out) kernel, (out,) bias[, (out,) PReLU slope] per layer."""
    shapes = []
    for (fan_in, fan_out), name in zip(zip(spec.layer_sizes[:-1], spec.layer_sizes[1:]), spec.layer_activations):
        shapes += [(fan_in, fan_out), (fan_out,)] + ([(fan_out,)] if ACTIVATIONS[name].learns_slope else [])
    return shapes


def forget_compiled_epochs() -> None:
    """Drop the idle compiled epochs of this process (benchmarks measure what no reuse would cost)."""
    with _pool_lock:
        _idle.clear()


def _key(spec: NetworkSpec, n_models: int, activations: tuple | None = None) -> tuple:
    return (*spec.architecture_key, n_models, activations)


def _acquire(spec: NetworkSpec, n_models: int, activations: tuple | None = None) -> CompiledEpoch:
    """An idle compiled epoch for this architecture, or a new one (never one another thread is using).

    `activations`: each model's layer activations where they differ between the models (else None)."""
    global builds
    key = _key(spec, n_models, activations)
    with _pool_lock:
        idle = _idle.get(key)
        if idle:
            return idle.pop()
        builds += 1
    return CompiledEpoch(spec, n_models, activations)


def _release(compiled: CompiledEpoch) -> None:
    with _pool_lock:
        _idle.setdefault(compiled.key, []).append(compiled)
        _idle.move_to_end(compiled.key)
        while sum(len(entries) for entries in _idle.values()) > COMPILED_EPOCHS_KEPT:
            oldest = next(iter(_idle))
            _idle[oldest].pop(0)
            if not _idle[oldest]:
                del _idle[oldest]


def _as_arrays(datasets, spec: NetworkSpec, settings: Sequence[FitSettings]):
    """Check the models' data and stack it: x [models, rows, features], y and sample weights [models, rows]."""
    if len(datasets) == 0:
        raise ValueError("Give at least one data set to train on.")
    if len(settings) != len(datasets):
        raise ValueError(f"Give one FitSettings per data set ({len(settings)} settings for {len(datasets)} data sets).")
    first = settings[0]
    for other in settings[1:]:
        if (other.epochs, other.batch_size) != (first.epochs, first.batch_size):
            raise ValueError("Models trained together must share the number of epochs and the batch size.")
    xs, ys, weights, validation = [], [], [], []
    for number, ((x_fit, y_fit, x_val, y_val), setting) in enumerate(zip(datasets, settings), start=1):
        x_fit, y_fit = np.asarray(x_fit, dtype="float32"), np.asarray(y_fit, dtype="float32")
        if x_fit.ndim != 2 or x_fit.shape[1] != spec.n_inputs or len(y_fit) != len(x_fit) or not len(x_fit):
            raise ValueError(f"Data set {number}: the training part needs rows of {spec.n_inputs} numbers and one "
                             f"0/1 answer per row (got inputs {x_fit.shape}, answers {y_fit.shape}).")
        if not np.all(np.isfinite(x_fit)):
            raise ValueError(f"Data set {number}: the training inputs contain missing or infinite values.")
        if len(x_fit) != len(xs[0] if xs else x_fit):
            raise ValueError("Models trained together need equally many training rows "
                             f"(data set {number} has {len(x_fit)}, data set 1 has {len(xs[0])}).")
        has_validation = x_val is not None and len(x_val) > 0
        if setting.early_stopping and not has_validation:
            raise ValueError("Early stopping watches the validation loss: set a validation share above 0.")
        if setting.class_weights:
            weight_of = class_weights_for(y_fit)
            sample_weight = np.where(y_fit == 1, weight_of[1], weight_of[0]).astype("float32")
        else:
            sample_weight = np.ones_like(y_fit)
        xs.append(x_fit), ys.append(y_fit), weights.append(sample_weight)
        validation.append((np.asarray(x_val, "float32"), np.asarray(y_val, "float32")) if has_validation else None)
    return np.stack(xs), np.stack(ys), np.stack(weights), validation


def learning_rate_variable(optimizer):
    """The optimizer's learning-rate variable, through Keras' public ``learning_rate`` property.

    With a float learning rate Keras 3 keeps it in one variable that the property returns itself
    (not a copy), and that variable is among ``optimizer.variables``. A Keras where this is no
    longer so would restore the learning rate of the previous run with the optimizer's start
    state: a clear error here instead (tests/test_churn_engine.py checks it on the pinned Keras).
    """
    rate = optimizer.learning_rate
    if not any(variable is rate for variable in optimizer.variables):
        raise RuntimeError(f"keras {_keras_version()}: optimizer.learning_rate is no longer the optimizer's own "
                           f"learning-rate variable (got {type(rate).__name__}); see engine.learning_rate_variable")
    return rate


def _keras_version() -> str:
    import keras

    return keras.__version__


def _record_epoch(run: TrainingRun, row: dict, weights: list[np.ndarray], x_fit, y_fit, validation,
                  epoch_scores: bool = True) -> None:
    """Add one epoch to a run: numpy metrics, best epoch, early stopping and divergence (which freeze it).

    Without `epoch_scores` only what early stopping needs is computed (validation loss and
    accuracy): no AUC, precision or recall per epoch.
    """
    settings = run.settings
    if not (math.isfinite(row["loss"]) and all(np.all(np.isfinite(w)) for w in weights)):
        # Keep the last finite weights and history: nothing downstream sees a NaN.
        run.status = RunStatus.DIVERGED
        return
    run.weights = weights
    if epoch_scores:
        row.update(metrics.ranking_scores(y_fit, predict_proba(weights, run.spec, x_fit)))
    if validation is not None:
        probabilities = predict_proba(weights, run.spec, validation[0])
        if epoch_scores:
            scores = metrics.summary(validation[1], probabilities)
        else:
            scores = {"loss": metrics.binary_cross_entropy(validation[1], probabilities),
                      "accuracy": metrics.confusion(validation[1], probabilities).accuracy}
        row.update({f"val_{name}": value for name, value in scores.items() if name != "f1"})
    run.history.append(row)
    if validation is not None and (run.best_epoch is None or row["val_loss"] < run.history[run.best_epoch - 1]["val_loss"]):
        run.best_epoch, run.best_weights = row["epoch"], weights
    elif settings.early_stopping and row["epoch"] - run.best_epoch >= settings.patience:
        run.status = RunStatus.EARLY_STOPPED


def train_stacked(
    datasets: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None, np.ndarray | None]],
    spec: NetworkSpec,
    settings: Sequence[FitSettings],
    on_epoch: Callable[[list[TrainingRun]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    runs: Sequence[TrainingRun] | None = None,
    epoch_scores: bool = True,
    specs: Sequence[NetworkSpec] | None = None,
) -> list[TrainingRun]:
    """Train one model per data set, all in the same compiled calls; return their runs (see the module doc).

    `epoch_scores=False` leaves AUC, precision and recall out of the per-epoch history (callers
    that show only final test figures, as the command line and experiments: they cost ~1 ms per
    model and epoch, a quarter of a stacked run's time).

    `specs` (one per model, instead of `spec` for all) lets the models differ in their hidden
    layers' activations and initializers (an experiment's relu and swish share one call and one
    compilation); they must share the weights' shapes, the optimizer and its learning rate.
    """
    import tensorflow as tf

    settings = list(settings)
    specs = list(specs) if specs is not None else [spec] * len(settings)
    if len(specs) != len(settings):
        raise ValueError(f"Give one network per data set ({len(specs)} networks for {len(settings)} data sets).")
    if any(stack_key(other) != stack_key(spec) for other in specs):
        raise ValueError("Models trained together need the same weight shapes, optimizer and learning rate.")
    mixed = len({other.hidden for other in specs}) > 1
    activations = tuple(tuple(other.layer_activations) for other in specs) if mixed else None
    x, y, sample_weight, validation = _as_arrays(datasets, spec, settings)
    n_models, n_rows = x.shape[0], x.shape[1]
    runs = list(runs) if runs is not None else [TrainingRun(other, setting) for other, setting in zip(specs, settings)]
    if len(runs) != n_models:
        raise ValueError(f"Give one run per data set ({len(runs)} runs for {n_models} data sets).")
    started = time.perf_counter()
    compiled = _acquire(spec, n_models, activations)
    try:
        starting = [initial_weights(other, setting.seed) for other, setting in zip(specs, settings)]
        compiled.reset(starting, spec.learning_rate)
        for run, weights in zip(runs, starting):
            run.weights = weights
        orders = [batch_orders(setting.seed, n_rows) for setting in settings]
        tensors = [tf.constant(array) for array in (x, y, sample_weight)]  # converted once, not per epoch
        batch_size, epochs = settings[0].batch_size, settings[0].epochs
        for epoch in range(1, epochs + 1):
            epoch_started = time.perf_counter()
            indices, mask = _batch_indices([next(order) for order in orders], batch_size)
            loss_sum, correct_sum, all_weights = compiled.run_epoch(*tensors, indices, mask)
            for k, run in enumerate(runs):
                if run.status != RunStatus.RUNNING:
                    continue  # frozen: its weights and history stay as they were
                # running means over the epoch's batches, as fit reports them: both per row
                row = {"epoch": epoch, "loss": float(loss_sum[k] / n_rows), "accuracy": float(correct_sum[k] / n_rows)}
                _record_epoch(run, row, all_weights[k], x[k], y[k], validation[k], epoch_scores)
                row["seconds"] = time.perf_counter() - epoch_started
                run.seconds = time.perf_counter() - started
            if should_stop is not None and should_stop():
                for run in runs:
                    if run.status == RunStatus.RUNNING:
                        run.status = RunStatus.STOPPED
            if on_epoch is not None:
                on_epoch(runs)
            if all(run.status != RunStatus.RUNNING for run in runs):
                break
    finally:
        _release(compiled)
    for run in runs:
        finish(run)
    return runs


def train(
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
    """Train one model; `on_epoch(run)` after every epoch that adds a row to the history (not after
    one that diverged); `should_stop()` after every epoch.

    Pass your own `run` to keep the partial record even if `on_epoch` raises (a page rerun).
    Early stopping watches the validation loss and restores the best epoch's weights.
    """
    run = run or TrainingRun(spec, settings)
    reported = [0]

    def report(runs):
        if run.epochs_run > reported[0]:  # an epoch that diverged adds no row: nothing new to show
            reported[0] = run.epochs_run
            on_epoch(run)

    train_stacked([(x_fit, y_fit, x_val, y_val)], spec, [settings], on_epoch=None if on_epoch is None else report,
                  should_stop=should_stop, runs=[run])
    return run
