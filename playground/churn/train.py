"""Train the churn network on prepared data, from the page or the command line.

Start with :func:`train_prepared` (one run, what the page and the worker pool call); the
training itself is playground/churn/engine.py. The rest: the command line and ChurnSession, the
runs of one browser session.

    python -m playground.churn.train [--csv PATH] [--hidden 6,6] [--activation relu] [--epochs 100]
        [--batch-size 10] [--optimizer adam] [--learning-rate 0.001] [--seed 0] [--seeds 1]
        [--threads 1] [--save model.keras]

Without --csv it trains on the built-in synthetic data. It prints one line per epoch and then
one JSON object with the test metrics (test_accuracy, test_loss, auc, precision, recall, f1,
epochs_run, seed, seconds, ...). `seconds` is the wall time of the training itself, compilation
included, loading TensorFlow and the data not. With --seeds N it trains seeds --seed ..
--seed + N - 1 together (each with its own split, initial weights and batch order), prints one
such line per seed and, last, one line with the mean, std, min and max of test_accuracy and auc.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from playground.churn import data, metrics
from playground.churn import engine
from playground.churn.model import (
    ACTIVATIONS,
    INITIALIZERS,
    OPTIMIZERS,
    FitSettings,
    NetworkSpec,
    TrainingRun,
    finish,
    history_frame,
    keras_file_bytes,
)

MAX_SEEDS = 50  # --seeds: models trained together by the command line


def train_prepared(
    prepared: data.PreparedData,
    spec: NetworkSpec,
    settings: FitSettings,
    on_epoch: Callable[[TrainingRun], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    run: TrainingRun | None = None,
) -> TrainingRun:
    """Carve the validation part out of the training part, then train (the test part stays unseen).

    The engine keeps its compiled epochs per process (see engine.py), so nothing is cached here.
    """
    x_fit, y_fit, x_val, y_val = data.validation_split(
        prepared.x_train, prepared.y_train, settings.validation_share, settings.seed
    )
    return engine.train(
        spec, settings, x_fit, y_fit, x_val if len(x_val) else None, y_val if len(y_val) else None,
        on_epoch=on_epoch, should_stop=should_stop, run=run,
    )


def train_prepared_stacked(
    prepared: Sequence[data.PreparedData],
    spec: NetworkSpec,
    settings: Sequence[FitSettings],
    on_epoch: Callable[[list[TrainingRun]], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    epoch_scores: bool = True,
    specs: Sequence[NetworkSpec] | None = None,
) -> list[TrainingRun]:
    """:func:`train_prepared` for several models at once (one prepared data set and settings each),
    trained together by :func:`engine.train_stacked` (`epoch_scores`, `specs`: see there)."""
    datasets = []
    for part, setting in zip(prepared, settings):
        x_fit, y_fit, x_val, y_val = data.validation_split(part.x_train, part.y_train, setting.validation_share,
                                                           setting.seed)
        datasets.append((x_fit, y_fit, x_val if len(x_val) else None, y_val if len(y_val) else None))
    return engine.train_stacked(datasets, spec, settings, on_epoch=on_epoch, should_stop=should_stop,
                                epoch_scores=epoch_scores, specs=specs)


def score_on_test(run: TrainingRun, prepared: data.PreparedData, threshold: float = 0.5) -> dict:
    """The run's scores on the test part (never seen in training or early stopping)."""
    probabilities = run.predict(prepared.x_test)
    scores = metrics.summary(prepared.y_test, probabilities, threshold)
    return {
        "test_accuracy": scores["accuracy"],
        "test_loss": scores["loss"],
        "auc": scores["auc"],
        "precision": scores["precision"],
        "recall": scores["recall"],
        "f1": scores["f1"],
        "baseline_accuracy": metrics.majority_baseline(prepared.y_test),
        "epochs_run": run.epochs_run,
        "status": run.status,
        "seconds": run.seconds,
    }


def parse_hidden(text: str) -> list[int]:
    """"6,6" -> [6, 6]."""
    try:
        units = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--hidden wants whole numbers separated by commas, e.g. 6,6 (got {text!r})")
    if not units:
        raise argparse.ArgumentTypeError("--hidden needs at least one layer, e.g. 6,6")
    return units


def add_training_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that describe one training (data, network, fit settings); shared with the experiment CLI."""
    parser.add_argument("--csv", help="bank churn CSV (default: the built-in synthetic data)")
    parser.add_argument("--hidden", type=parse_hidden, default=[6, 6], help="units per hidden layer, e.g. 6,6")
    parser.add_argument("--activation", default="relu", help=f"hidden-layer activation: {', '.join(ACTIVATIONS)}")
    parser.add_argument("--initializer", default="uniform", choices=list(INITIALIZERS))
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=10)
    parser.add_argument("--optimizer", default="adam", choices=list(OPTIMIZERS))
    parser.add_argument("--learning-rate", type=float, default=0.001)
    parser.add_argument("--validation-share", type=float, default=0.0)
    parser.add_argument("--early-stopping", action="store_true", help="stop when the validation loss stalls")
    parser.add_argument("--patience", type=int, default=10)
    parser.add_argument("--class-weights", action="store_true", help="weigh the churners up to balance the classes")
    parser.add_argument("--seed", type=int, default=0, help="seed of the split, initial weights and batch order")


def training_from_arguments(args: argparse.Namespace):
    """(frame, spec, settings) from the parsed training options; raises ValueError with a message for the user."""
    frame = data.load_churn_csv(args.csv) if args.csv else data.synthetic_churn(seed=0)
    spec = NetworkSpec(
        hidden=tuple((units, args.activation) for units in args.hidden),
        initializer=args.initializer, optimizer=args.optimizer, learning_rate=args.learning_rate,
    )
    settings = FitSettings(
        epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
        validation_share=args.validation_share, early_stopping=args.early_stopping,
        patience=args.patience, class_weights=args.class_weights,
    )
    return frame, spec, settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m playground.churn.train", description=__doc__.split("\n\n")[0])
    add_training_arguments(parser)
    parser.add_argument("--seeds", type=int, default=1,
                        help="train this many seeds (--seed, --seed + 1, ...) together, each with its own split")
    # 1 by default: the engine's ops are tiny, and more threads only add contention (on 2 cores,
    # bench/bench_engine.py: ten stacked models took 9.7 s on one thread, 26 s on TensorFlow's default)
    parser.add_argument("--threads", type=int, default=1,
                        help="TensorFlow op threads (default 1, as a worker-pool process runs; 0: TensorFlow's default)")
    parser.add_argument("--save", help="write the trained model to this .keras file")
    parser.add_argument("--quiet", action="store_true", help="print only the JSON lines")
    args = parser.parse_args(argv)

    try:
        frame, spec, single = training_from_arguments(args)
        if not 1 <= args.seeds <= MAX_SEEDS:
            raise ValueError(f"--seeds takes 1 to {MAX_SEEDS} seeds (got {args.seeds}).")
        if args.save and args.seeds > 1:
            raise ValueError("--save writes one model: leave out --seeds, or pick one seed with --seed.")
        seeds = list(range(args.seed, args.seed + args.seeds))
        settings = [replace(single, seed=seed) for seed in seeds]
        import keras  # noqa: F401  (loading TensorFlow is not part of the training's time)

        engine.limit_threads(args.threads)
    except ValueError as error:  # ChurnDataError is a ValueError too
        print(f"error: {error}", file=sys.stderr)
        return 2

    prepared = [data.prepare(frame, seed=seed) for seed in seeds]

    def report(runs: list[TrainingRun]) -> None:
        running = [run for run in runs if run.history and run.history[-1]["epoch"] == max(r.epochs_run for r in runs)]
        if args.quiet or not running:
            return
        row = {key: float(np.mean([run.history[-1][key] for run in running])) for key in running[0].history[-1]
               if all(key in run.history[-1] for run in running)}
        extra = f"  val_loss {row['val_loss']:.4f}" if "val_loss" in row else ""
        models = f"  (mean of {len(running)} models)" if len(runs) > 1 else ""
        print(f"epoch {int(row['epoch']):>3}/{args.epochs}  loss {row['loss']:.4f}  "
              f"accuracy {row['accuracy']:.4f}{extra}{models}", flush=True)

    started = time.perf_counter()
    # the command line prints loss and accuracy per epoch and the test figures at the end: no
    # per-epoch AUC, precision or recall is computed (for --seeds 1 as for --seeds N)
    runs = train_prepared_stacked(prepared, spec, settings, on_epoch=report, epoch_scores=False)
    seconds = time.perf_counter() - started
    results = []
    for run, part in zip(runs, prepared):
        results.append({
            **score_on_test(run, part),
            "data": args.csv or "synthetic",
            "hidden": args.hidden,
            "activation": args.activation,
            "optimizer": args.optimizer,
            "learning_rate": args.learning_rate,
            "batch_size": args.batch_size,
            "seed": run.settings.seed,
            "seconds": seconds,
        })
    if args.save:
        with open(args.save, "wb") as file:
            file.write(keras_file_bytes(runs[0].spec, runs[0].weights))
        results[0]["saved"] = args.save
    for result in results:
        print(json.dumps(_plain(result)))
    if len(runs) > 1:
        summary = {"seeds": seeds, "models": len(runs), "seconds": seconds}
        for key in ("test_accuracy", "auc"):
            values = np.array([result[key] for result in results])
            summary[key] = {"mean": values.mean(), "std": values.std(), "min": values.min(), "max": values.max()}
        print(json.dumps(_plain(summary)))
    return 0


def _plain(value):
    """numpy numbers -> Python numbers, for json."""
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    return float(value) if isinstance(value, np.floating) else value


if __name__ == "__main__":
    sys.exit(main())


# --------------------------------------------------------------------------------------
# One browser session's runs (the page keeps one of these in st.session_state)
# --------------------------------------------------------------------------------------


@dataclass
class RunEntry:
    """A finished (or stopped) run with everything the results section shows."""

    number: int
    data_label: str
    run: TrainingRun
    prepared: data.PreparedData
    test_probabilities: np.ndarray
    report: dict
    keras_file: bytes | None = None
    waited_seconds: float | None = None  # time in the worker pool's queue before it started

    @property
    def label(self) -> str:
        return f"run {self.number}"

    def history_csv(self) -> str:
        return history_frame(self.run).to_csv(index=False)

    def row(self) -> dict:
        """One line of the run table: settings, test metrics, time."""
        spec, settings = self.run.spec, self.run.settings
        return {
            "run": self.number,
            "data": self.data_label,
            "hidden layers": " - ".join(f"{units} {activation}" for units, activation in spec.hidden),
            "init": spec.initializer,
            "optimizer": spec.optimizer,
            "learning rate": spec.learning_rate,
            "batch": settings.batch_size,
            "epochs": f"{self.run.epochs_run}/{settings.epochs}",
            "val share": settings.validation_share,
            "early stop": settings.early_stopping,
            "class weights": settings.class_weights,
            "seed": settings.seed,
            "status": self.run.status,
            "test accuracy": self.report["test_accuracy"],
            "AUC": self.report["auc"],
            "F1": self.report["f1"],
            "seconds": round(self.run.seconds, 1),
        }


class ChurnSession:
    """The run history and the run in progress of one browser session."""

    max_entries = 12

    def __init__(self):
        self.entries: list[RunEntry] = []
        self.active: tuple[TrainingRun, data.PreparedData, str] | None = None
        self._count = 0

    def start(self, spec: NetworkSpec, settings: FitSettings, prepared: data.PreparedData, data_label: str) -> TrainingRun:
        """Open a run; it stays `active` until :meth:`complete`, even if the page rerun interrupts it."""
        run = TrainingRun(spec, settings)
        self.active = (run, prepared, data_label)
        return run

    def train_active(self, on_epoch=None) -> RunEntry | None:
        """Train the run opened by :meth:`start`, then complete it.

        If `on_epoch` raises (Streamlit interrupts a script run that way when the user clicks
        anything, Stop included), the run stays active with its history and latest weights, and
        the next :meth:`complete` call closes it as stopped.
        """
        run, prepared, _ = self.active
        train_prepared(prepared, run.spec, run.settings, on_epoch=on_epoch, run=run)
        return self.complete()

    def train(self, prepared, spec, settings, data_label="synthetic", on_epoch=None) -> RunEntry | None:
        """Start, train and complete a run in one go."""
        self.start(spec, settings, prepared, data_label)
        return self.train_active(on_epoch)

    def complete(self, interrupted: bool = False) -> RunEntry | None:
        """Close the active run (stopped if `interrupted`), score it on the test part, keep it."""
        if self.active is None:
            return None
        run, prepared, data_label = self.active
        self.active = None
        if run.weights is None or (not run.history and run.status != "diverged"):
            return None  # interrupted before the first epoch ended
        finish(run, interrupted=interrupted)
        keras_file = None if run.status == "diverged" else keras_file_bytes(run.spec, run.weights)
        return self.keep(run, prepared, data_label, keras_file)

    def keep(self, run: TrainingRun, prepared: data.PreparedData, data_label: str,
             keras_file: bytes | None = None, waited_seconds: float | None = None) -> RunEntry | None:
        """Add a closed run (trained here or in a worker process) with its test scores to the table."""
        if run.weights is None or (not run.history and run.status != "diverged"):
            return None  # interrupted before the first epoch ended
        self._count += 1
        entry = RunEntry(self._count, data_label, run, prepared, run.predict(prepared.x_test),
                         score_on_test(run, prepared), keras_file, waited_seconds)
        for older in self.entries:
            older.keras_file = None  # only the latest model is offered for download
        self.entries = [*self.entries, entry][-self.max_entries:]
        return entry

    @property
    def latest(self) -> RunEntry | None:
        return self.entries[-1] if self.entries else None

    def table(self):
        import pandas as pd

        return pd.DataFrame([entry.row() for entry in self.entries])
