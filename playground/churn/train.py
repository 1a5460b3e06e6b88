"""Train the churn network on prepared data: the training API the worker pool, experiments and the CLI call.

Start with :func:`train_prepared` (one run, what a worker runs for the page's Train), then
:func:`train_prepared_stacked` (several models in one compiled call) and :func:`score_on_test`.
The training itself is engine.py; the command line is cli.py, run as

    python -m playground.churn.train [--csv PATH] [--hidden 6,6] [--activation relu] [--epochs 100]
        [--batch-size 10] [--optimizer adam] [--learning-rate 0.001] [--seed 0] [--seeds 1]
        [--threads 1] [--save model.keras]

(cli.py describes its options and output). The runs of one browser session are session.py.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from playground.churn import data, engine, metrics
from playground.churn.model import FitSettings, NetworkSpec, TrainingRun


def train_prepared(
    prepared: data.PreparedData,
    spec: NetworkSpec,
    settings: FitSettings,
    on_epoch: Callable[[TrainingRun], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> TrainingRun:
    """Carve the validation part out of the training part, then train (the test part stays unseen).

    The engine keeps its compiled epochs per process (see engine.py), so nothing is cached here.
    """
    x_fit, y_fit, x_val, y_val = data.validation_split(
        prepared.x_train, prepared.y_train, settings.validation_share, settings.seed
    )
    return engine.train(
        spec, settings, x_fit, y_fit, x_val if len(x_val) else None, y_val if len(y_val) else None,
        on_epoch=on_epoch, should_stop=should_stop,
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


if __name__ == "__main__":  # the command line lives in cli.py; this keeps `python -m playground.churn.train`
    from playground.churn.cli import train_main

    sys.exit(train_main())
