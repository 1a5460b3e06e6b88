"""Running an experiment: every setting on every seed, the settings that share a network in one call.

Start with :func:`run_experiment` (a job of the worker pool, or run in the command line's
process); :func:`stacked_groups` says which trainings share a compiled call. Progress goes out
as :class:`ExperimentProgress`: numbers and ids only (which settings train now, how many seeds,
trainings done, time left), never a sentence; :meth:`ExperimentProgress.text` words it in the
language of the page that shows it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from playground.churn import data, engine
from playground.churn.experiment import Experiment, ExperimentResult, SeedResult
from playground.churn.model import RunStatus, TrainingRun
from playground.i18n import Translate, identity


@dataclass
class ExperimentProgress:
    """One progress update (sent through the pool's ticket, or to the command line's callback)."""

    fraction: float  # of every training's epochs (a training that ended early counts in full)
    trainings_done: int
    trainings_total: int
    seconds: float
    seconds_left: float | None
    status: RunStatus  # RUNNING while a call trains; FINISHED or STOPPED in the last update
    training_now: tuple[int, ...] = ()  # the settings (indices of experiment.variants) of the call training now
    seeds_at_once: int = 0  # models of each of those settings in the call: one per seed
    finished: list[SeedResult] = field(default_factory=list)  # trainings finished since the last update

    def __post_init__(self):
        self.status = RunStatus(self.status)  # ValueError for a state that does not exist

    def text(self, experiment: Experiment, _: Translate = identity) -> str:
        """The progress bar's line in the language of `_`: "2/6 trainings · relu and tanh, 3 seeds at
        once · about 12 s left", "6/6 trainings · finished"."""
        if self.status != RunStatus.RUNNING:
            doing = self.status.shown(_)
        else:
            labels = experiment.shown_labels(_)
            doing = _("{settings}, {seeds} seeds at once").format(
                settings=_(" and ").join(labels[index] for index in self.training_now), seeds=self.seeds_at_once)
        text = _("{done}/{total} trainings · {message}").format(done=self.trainings_done, total=self.trainings_total,
                                                               message=doing)
        if self.seconds_left is not None:
            text += _(" · about {seconds} s left").format(seconds=f"{self.seconds_left:.0f}")
        return text


def _score(run: TrainingRun, prepared: data.PreparedData, index: int, seed: int) -> SeedResult:
    from playground.churn.train import score_on_test

    scores = score_on_test(run, prepared)
    history = [{k: row[k] for k in ("epoch", "loss", "accuracy") if k in row} for row in run.history]
    return SeedResult(index, seed, scores["test_accuracy"], scores["auc"], scores["test_loss"], scores["f1"],
                      run.epochs_run, run.status, run.seconds, history)


def stacked_groups(experiment: Experiment) -> list[list[tuple[int, int]]]:
    """The (setting, seed) pairs of each compiled call: one per shape of the network's weights,
    optimizer, learning rate, batch size and validation share.

    Models trained together must share those; activations, initializers, seeds, class weights and
    early stopping may differ (relu against swish is one call: one compilation, not two).
    """
    groups: dict[tuple, list[tuple[int, int]]] = {}
    for index in range(len(experiment.variants)):
        spec, settings = experiment.resolved(index)
        key = (engine.stack_key(spec), settings.batch_size, settings.validation_share)
        groups.setdefault(key, []).extend((index, seed) for seed in experiment.seeds)
    return list(groups.values())


def run_experiment(
    frame,
    experiment: Experiment,
    progress=None,
    on_update: Callable[[ExperimentProgress, ExperimentResult], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    result: ExperimentResult | None = None,
) -> ExperimentResult:
    """Train every setting on every seed; return (and fill in as it goes) an :class:`ExperimentResult`.

    A job of the worker pool (`progress` has `send(obj)` and `stop_requested()`; every update is an
    :class:`ExperimentProgress`), or run in-process (the CLI) with `on_update(progress, result)` after
    every epoch and `should_stop()`. The settings that share a network train together in one
    ``engine.train_stacked`` call (see :func:`stacked_groups`). A stop ends the current call; only
    finished trainings are kept and compared (on the seeds both sides finished).
    """
    from playground.churn.train import train_prepared_stacked

    result = result or ExperimentResult(experiment)
    if progress is not None:
        should_stop = should_stop or progress.stop_requested
    started = time.perf_counter()
    prepared = {seed: data.prepare(frame, seed=seed) for seed in experiment.seeds}
    epochs = experiment.settings.epochs
    epochs_done = {}  # (setting, seed) -> epochs run (a training that ended early counts in full)
    sent = [0]  # records already sent (the page draws the dots from the updates)

    def report(training_now: tuple[int, ...] = ()) -> None:
        done = min(sum(epochs_done.values()) / (experiment.trainings * epochs), 1.0)
        seconds = result.seconds = time.perf_counter() - started
        update = ExperimentProgress(done, len(result.records), experiment.trainings, seconds,
                                    seconds / done * (1 - done) if done > 0 else None, result.status,
                                    training_now, len(experiment.seeds) if training_now else 0,
                                    result.records[sent[0]:])
        sent[0] = len(result.records)
        if progress is not None:
            progress.send(update)
        if on_update is not None:
            on_update(update, result)

    for members in stacked_groups(experiment):
        training_now = tuple(dict.fromkeys(index for index, _ in members))

        def on_epoch(runs, members=members, training_now=training_now):
            for member, run in zip(members, runs):
                epochs_done[member] = run.epochs_run if run.status in (RunStatus.RUNNING, RunStatus.STOPPED) else epochs
            report(training_now)

        specs, settings = zip(*(experiment.resolved(index, seed) for index, seed in members))
        runs = train_prepared_stacked([prepared[seed] for _, seed in members], specs[0], settings,
                                      on_epoch=on_epoch, should_stop=should_stop, epoch_scores=False, specs=specs)
        if any(run.status == RunStatus.STOPPED for run in runs):
            result.status = RunStatus.STOPPED
            break
        for (index, seed), run in zip(members, runs):
            epochs_done[index, seed] = epochs
            result.records.append(_score(run, prepared[seed], index, seed))
    if result.status == RunStatus.RUNNING:
        result.status = RunStatus.FINISHED
    result.seconds = time.perf_counter() - started
    report()
    return result
