"""The command line: ``python -m playground.churn.train`` and ``python -m playground.churn.experiment``.

    python -m playground.churn.train [--csv PATH] [--hidden 6,6] [--activation relu] [--epochs 100]
        [--batch-size 10] [--optimizer adam] [--learning-rate 0.001] [--seed 0] [--seeds 1]
        [--threads 1] [--save model.keras]

Without --csv it trains on the built-in synthetic data. It prints one line per epoch and then
one JSON object with the test metrics (test_accuracy, test_loss, auc, precision, recall, f1,
epochs_run, seed, seconds, ...). `seconds` is the wall time of the training itself, compilation
included, loading TensorFlow and the data not. With --seeds N it trains seeds --seed ..
--seed + N - 1 together (each with its own split, initial weights and batch order), prints one
such line per seed and, last, one line with the mean, std, min and max of test_accuracy and auc.

    python -m playground.churn.experiment [--csv PATH] [--seeds 10] [--epochs 100]
        [--compare FIELD=V1,V2,...] [--compare ...] [--threads 1] [any option of playground.churn.train as the base]

Trains up to 4 settings on the same seeds (experiment.py says why). Several ``--compare`` flags
give every combination of their values (at most 4 settings); the first is the baseline. It prints
one line per finished setting and, last, one JSON object with every seed's test accuracy and AUC,
each setting's mean, SD and 95 % interval, and each setting against the first: mean paired
difference, its 95 % interval and the paired t-test's p-value.

Start with :func:`train_main` and :func:`experiment_main`; train.py and experiment.py keep the
``python -m`` entry points and call them. :func:`add_training_arguments` is the options both share.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace

import numpy as np

from playground.churn import data, engine, report
from playground.churn.experiment import (
    DEFAULT_SEEDS,
    MAX_SEEDS,
    MIN_SEEDS,
    Experiment,
    ExperimentResult,
    compare_settings,
    parse_compare,
)
from playground.churn.fields import FIELDS
from playground.churn.model import (
    ACTIVATIONS,
    INITIALIZERS,
    OPTIMIZERS,
    FitSettings,
    NetworkSpec,
    TrainingRun,
    keras_file_bytes,
)
from playground.churn.runner import ExperimentProgress, run_experiment
from playground.churn.train import score_on_test, train_prepared_stacked

MAX_TRAIN_SEEDS = 50  # --seeds of the trainer: models trained together
TRAIN_DESCRIPTION = "Train the churn network on prepared data, from the page or the command line."
EXPERIMENT_DESCRIPTION = """\
One training cannot settle a claim such as "swish beats relu by 0.5 %": on the real churn data
the tutorial recipe alone gives 0.824 to 0.861 test accuracy depending on the seed. So every
setting here is trained once per seed s = first, first + 1, ..., and seed s fixes, for every
setting alike, the 80/20 split (``data.prepare(frame, seed=s)``), the initial weights (where the
shapes match) and the shuffle order. The differences between two settings are then paired seed
by seed (``stats.paired_t``). The settings whose weights have the same shapes (and that share
optimizer, learning rate and batch size) train together, all their seeds in one
``engine.train_stacked`` call, even when their activations differ (relu against swish: one
compilation, not two); each model equals its own single run.

Settings are a base network plus changes to one or two fields of the FIELDS registry,
which also drives the page's widgets, the URL and the CLI's ``--compare``. Several ``--compare``
flags give every combination of their values (at most 4 settings); the first is the baseline.

The command prints one line per finished setting and, last, one JSON object with every seed's
test accuracy and AUC, each setting's mean, SD and 95 % interval, and each setting against the
first: mean paired difference, its 95 % interval and the paired t-test's p-value."""


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


def train_main(argv: list[str] | None = None) -> int:
    """``python -m playground.churn.train``: one training, or several seeds trained together."""
    parser = argparse.ArgumentParser(prog="python -m playground.churn.train", description=TRAIN_DESCRIPTION)
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
        if not 1 <= args.seeds <= MAX_TRAIN_SEEDS:
            raise ValueError(f"--seeds takes 1 to {MAX_TRAIN_SEEDS} seeds (got {args.seeds}).")
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


def experiment_main(argv: list[str] | None = None) -> int:
    """``python -m playground.churn.experiment``: up to 4 settings over the same seeds, compared paired."""
    parser = argparse.ArgumentParser(prog="python -m playground.churn.experiment", description=EXPERIMENT_DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    add_training_arguments(parser)
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS,
                        help=f"trainings per setting, seeds --seed, --seed + 1, ... ({MIN_SEEDS} to {MAX_SEEDS})")
    parser.add_argument("--compare", action="append", default=[], metavar="FIELD=V1,V2",
                        help=f"a field and its values, e.g. activation=relu,swish; fields: {', '.join(FIELDS)} "
                             "(hidden: shapes separated by '/', e.g. hidden=6,6/16,8)")
    parser.add_argument("--threads", type=int, default=None,
                        help="TensorFlow op threads (default 1, as the trainer's CLI and a worker; 0: TensorFlow's default)")
    args = parser.parse_args(argv)
    try:
        variants = compare_settings([parse_compare(text) for text in args.compare])
        frame, spec, settings = training_from_arguments(args)
        experiment = Experiment(spec, settings, variants, tuple(range(args.seed, args.seed + args.seeds)))
    except ValueError as error:  # ChurnDataError is a ValueError too
        print(f"error: {error}", file=sys.stderr)
        return 2

    import keras  # noqa: F401  (loading TensorFlow is not part of the experiment's time, as in the trainer's CLI)

    try:
        engine.limit_threads(1 if args.threads is None else args.threads)
    except ValueError as error:
        # called from Python after TensorFlow has run (tests, a notebook): the default just keeps
        # the threads it has; an explicit --threads that cannot be honoured is an error
        if args.threads is not None:
            print(f"error: {error}", file=sys.stderr)
            return 2

    printed: set[int] = set()

    def print_finished(update: ExperimentProgress, result: ExperimentResult) -> None:
        for index in result.finished_settings():
            if index not in printed:
                printed.add(index)
                summary = result.summary(index)
                print(f"{experiment.label(index)}: test accuracy {summary.mean:.4f} ± {summary.std:.4f} "
                      f"(mean ± SD over {summary.n} seeds), 95 % interval {summary.ci95[0]:.4f} to "
                      f"{summary.ci95[1]:.4f}  [{update.seconds:.0f} s]", flush=True)

    result = run_experiment(frame, experiment, on_update=print_finished)
    print(json.dumps(report.to_json(result), default=lambda v: float(v) if isinstance(v, np.floating) else str(v)))
    return 0
