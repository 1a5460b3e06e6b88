"""One training run as the page (and the command line) keeps it: the data split into train and
test, the network, its optimizer, the loss history and snapshots of the weights for replay (both
thinned evenly as a run grows long: a tab trains ~1,500 epochs a second).

`Run.train(epochs=..., seconds=...)` trains; `Run.metrics()` gives the numbers the page shows;
`Run.grid(...)` evaluates the output and every neuron over the plane for the pictures.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field

import numpy as np

from playground.boundary import datasets, features
from playground.boundary.network import (EXPLODED, Architecture, Network, Objective, check_objective,
                                         make_optimizer)

MAX_SNAPSHOTS = 400  # replay keeps at most this many weight snapshots (thinned evenly)
# The history keeps every epoch up to this many rows, then every 2nd, 4th, ... epoch (and always the
# first and the newest): a browser playing ~1,500 epochs a second would otherwise add 90,000 rows a
# minute to its session, and the loss curve has no room for more points anyway.
MAX_HISTORY = 2000


@dataclass(frozen=True)
class Training:
    """Settings that can change mid-run without resetting the weights."""

    optimizer: str = "sgd"
    learning_rate: float = 0.03
    batch_size: int = 10
    objective: Objective = field(default_factory=Objective)

    def __post_init__(self):
        if not 1 <= self.batch_size <= 50:
            raise ValueError(f"The batch size must be between 1 and 50; got {self.batch_size}.")
        make_optimizer(self.optimizer, self.learning_rate)  # checks both


@dataclass
class Grid:
    """The network evaluated on a square grid over the view."""

    axis: np.ndarray  # (resolution,) coordinates, the same on x1 and x2
    output: np.ndarray  # (res, res) P(class 1) / value, or (res, res, 3) class probabilities
    inputs: list[np.ndarray]  # per input feature (res, res)
    hidden: list[list[np.ndarray]]  # per hidden layer, per neuron (res, res)


class Run:
    def __init__(self, points: datasets.Points, feature_ids, hidden, activations, training: Training,
                 train_share: float = 0.5, seed: int = 0, init: str = "glorot", output: str | None = None):
        if len(points) < 2:
            raise ValueError("There are fewer than two points: add some (draw or upload) to train on.")
        self.points = points
        self.feature_ids = features.check(feature_ids)
        self.train_index, self.test_index = datasets.split(points, train_share, seed)
        data = features.matrix(points.xy, self.feature_ids)
        self.x_train, self.y_train = data[self.train_index], points.labels[self.train_index]
        self.x_test, self.y_test = data[self.test_index], points.labels[self.test_index]
        self.architecture = Architecture(len(self.feature_ids), tuple(hidden), tuple(activations), points.classes,
                                         output)
        self.seed, self.init = seed, init
        self.network = Network(self.architecture, seed, init=init)
        self.token = uuid.uuid4().hex[:16]  # names this run to the browser (a late report of an old run is ignored)
        self.training = training
        check_objective(self.architecture, training.objective)
        self.optimizer = make_optimizer(training.optimizer, training.learning_rate)
        self._shuffle = np.random.default_rng(seed + 1)
        self.epoch = 0
        self.exploded_at: int | None = None
        self.history: list[dict] = []
        self.snapshots: list[tuple[int, np.ndarray]] = []
        self._snapshot_every = 1
        self._history_every = 1
        self._record()

    # -- settings that keep the weights ---------------------------------------------------------

    def set_training(self, training: Training) -> None:
        """New optimizer settings; the weights stay. A different optimizer starts its own state."""
        check_objective(self.architecture, training.objective)
        if training.optimizer != self.training.optimizer:
            self.optimizer = make_optimizer(training.optimizer, training.learning_rate)
        self.optimizer.learning_rate = training.learning_rate
        self.training = training

    # -- training ------------------------------------------------------------------------------

    @property
    def exploded(self) -> bool:
        return self.exploded_at is not None

    def train(self, epochs: int | None = None, seconds: float | None = None) -> int:
        """Train `epochs` epochs, or for about `seconds` (at least one epoch). Returns the number
        run. An epoch whose loss is not finite or above 1e6 is undone and stops training for good
        (`exploded_at` is its number): the weights and history keep their last sound values."""
        if self.exploded or len(self.y_train) == 0:
            return 0
        started, done = time.perf_counter(), 0
        while True:
            before = self.network.params.copy()
            finite = self.network.train_epoch(
                self.x_train, self.y_train, self.training.batch_size, self.optimizer,
                self.training.objective, self._shuffle.permutation(len(self.y_train)))
            losses = self.metrics()
            if not finite or not all(np.isfinite(v) and v <= EXPLODED for k, v in losses.items() if k.endswith("loss") and not np.isnan(v)):
                # Keep the last sound weights and numbers: nothing shown ever becomes NaN or inf.
                self.network.params[:] = before
                self.exploded_at = self.epoch + 1
                return done
            self.epoch += 1
            done += 1
            self._record(losses)
            if epochs is not None and done >= epochs:
                return done
            if epochs is None and time.perf_counter() - started >= (seconds or 0.0):
                return done

    def receive(self, epoch: int, params: np.ndarray, rows, exploded_at: int | None = None) -> None:
        """What the browser trained (checked by live.accept_sync first): the weights at `epoch`
        and the loss rows [(epoch, [train loss, test loss, train accuracy, test accuracy]), ...]
        since this run's epoch. The numbers of `epoch` itself are computed here from the weights
        (an edited weight at the same epoch recomputes them); of the epochs between, the history
        keeps the rows the browser sent (it thins its own the same way)."""
        keys = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
        self.network.params[:] = params
        last = self.history[-1]
        for number, values in sorted(rows, key=lambda row: row[0]):
            if last["epoch"] < number < epoch:  # the browser's history is thinned too: the rows it kept
                row = {k: v for k, v in zip(keys, values) if v is not None and k in last}
                last = {**last, **row, "epoch": number}
                self._keep(last)  # no snapshot: the weights of these epochs stayed in the browser
        if epoch > self.epoch:
            self.epoch = epoch
            self._record()
        else:
            self.history[-1] = {"epoch": epoch, **self.metrics()}
            if self.snapshots[-1][0] == epoch:
                self.snapshots[-1] = (epoch, self.network.params.copy())
        if exploded_at is not None:
            self.exploded_at = exploded_at

    def _record(self, metrics: dict | None = None) -> dict:
        row = {"epoch": self.epoch, **(metrics or self.metrics())}
        self._keep(row)
        if self.epoch % self._snapshot_every == 0:
            self.snapshots.append((self.epoch, self.network.params.copy()))
            if len(self.snapshots) > MAX_SNAPSHOTS:  # keep every other one, and take half as many
                self.snapshots = self.snapshots[::2]
                self._snapshot_every *= 2
        return row

    def _keep(self, row: dict) -> None:
        """Append `row` to the history, thinned: every `_history_every`-th epoch stays, the first
        and the newest row always (a newest row off that beat gives way to the next one)."""
        history = self.history
        if len(history) > 1 and history[-1]["epoch"] % self._history_every:
            history.pop()
        history.append(row)
        if len(history) > MAX_HISTORY:
            self._history_every *= 2
            self.history = [r for i, r in enumerate(history)
                            if i == 0 or i == len(history) - 1 or r["epoch"] % self._history_every == 0]

    def replay_points(self) -> list[tuple[int, np.ndarray]]:
        """(epoch, weights) for the replay slider: the snapshots, ending with the current weights."""
        if self.snapshots[-1][0] == self.epoch:
            return self.snapshots
        return [*self.snapshots, (self.epoch, self.network.params.copy())]

    # -- numbers -------------------------------------------------------------------------------

    def metrics(self, network: Network | None = None) -> dict:
        """Train/test loss (the data loss, without the penalty) and accuracy (classes only)."""
        network = network or self.network
        out = {}
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for part, x, y in (("train", self.x_train, self.y_train), ("test", self.x_test, self.y_test)):
                if len(y) == 0:
                    out[f"{part}_loss"] = float("nan")
                    continue
                _, logits = network.layer_outputs(x)
                out[f"{part}_loss"] = network.data_loss(logits, y, self.training.objective.loss)
                if self.points.classes:
                    out[f"{part}_accuracy"] = float(np.mean(predicted_class(network, logits) == y))
        return out

    def network_at(self, params: np.ndarray) -> Network:
        """A copy of the network with the weights `params` (a replayed snapshot)."""
        return Network(self.architecture, params=params)

    def grid(self, resolution: int = 80, network: Network | None = None, extent: float = datasets.VIEW) -> Grid:
        network = network or self.network
        axis = np.linspace(-extent, extent, resolution)
        gx, gy = np.meshgrid(axis, axis)  # row = x2, column = x1
        xy = np.column_stack([gx.ravel(), gy.ravel()])
        inputs = features.matrix(xy, self.feature_ids)
        with np.errstate(over="ignore", invalid="ignore"):
            hidden, logits = network.layer_outputs(inputs)
            output = network.output_from_logits(logits)
        shape = (resolution, resolution)
        return Grid(
            axis=axis,
            output=output.reshape(shape + ((3,) if output.ndim == 2 else ())),
            inputs=[inputs[:, i].reshape(shape) for i in range(inputs.shape[1])],
            hidden=[[layer[:, j].reshape(shape) for j in range(layer.shape[1])] for layer in hidden],
        )


def predicted_class(network: Network, logits: np.ndarray) -> np.ndarray:
    if network.architecture.classes == 3:
        return np.argmax(logits, axis=1).astype(float)
    return (logits[:, 0] > 0).astype(float)  # sigmoid(z) > 0.5 exactly when z > 0
