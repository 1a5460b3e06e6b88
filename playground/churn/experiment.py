"""Experiments over seeds: train up to 4 settings on the same k seeds and compare them, paired.

    python -m playground.churn.experiment [--csv PATH] [--seeds 10] [--epochs 100]
        [--compare FIELD=V1,V2,...] [--compare ...] [--threads 1] [any option of playground.churn.train as the base]

One training cannot settle a claim such as "swish beats relu by 0.5 %": on the real churn data
the tutorial recipe alone gives 0.824 to 0.861 test accuracy depending on the seed. So every
setting here is trained once per seed s = first, first + 1, ..., and seed s fixes, for every
setting alike, the 80/20 split (``data.prepare(frame, seed=s)``), the initial weights (where the
shapes match) and the shuffle order. The differences between two settings are then paired seed
by seed (``stats.paired_t``). The settings whose weights have the same shapes (and that share
optimizer, learning rate and batch size) train together, all their seeds in one
``engine.train_stacked`` call, even when their activations differ (relu against swish: one
compilation, not two); each model equals its own single run.

Settings are a base network plus changes to one or two fields of the :data:`FIELDS` registry,
which also drives the page's widgets, the URL and the CLI's ``--compare``. Several ``--compare``
flags give every combination of their values (at most 4 settings); the first is the baseline.

The command prints one line per finished setting and, last, one JSON object with every seed's
test accuracy and AUC, each setting's mean, SD and 95 % interval, and each setting against the
first: mean paired difference, its 95 % interval and the paired t-test's p-value.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from playground.churn import data, engine, stats
from playground.churn.model import (
    ACTIVATIONS,
    INITIALIZERS,
    MAX_LAYERS,
    MAX_UNITS,
    OPTIMIZERS,
    FitSettings,
    NetworkSpec,
    TrainingRun,
)
from playground.i18n import N_, Translate, identity

MAX_SETTINGS = 4
MAX_CHANGES = 2  # fields a setting may change against the base
MIN_SEEDS, MAX_SEEDS, DEFAULT_SEEDS = 3, 30, 10
METRICS = {"test_accuracy": N_("test accuracy"), "auc": "AUC"}


# --------------------------------------------------------------------------------------
# The fields a setting can change (one registry: page widgets, URL, CLI, labels)
# --------------------------------------------------------------------------------------


def _choice(allowed: Callable[[], Sequence[str]], what: str):
    def parse(text: str) -> str:
        if text not in allowed():
            raise ValueError(f"{text!r} is not {what}; allowed: {', '.join(allowed())}")
        return text
    return parse


def _number(kind: type, low: float, high: float, what: str):
    def parse(text: str):
        try:
            value = kind(text)
        except (TypeError, ValueError):
            raise ValueError(f"{text!r} is not {what}") from None
        if not (math.isfinite(value) and low < value <= high if kind is float else low <= value <= high):
            raise ValueError(f"{text!r} is out of range: {what}")
        return value
    return parse


def _parse_hidden(text: str) -> tuple[int, ...]:
    try:
        units = tuple(int(part) for part in str(text).split(",") if part.strip())
    except ValueError:
        units = ()
    if not 1 <= len(units) <= MAX_LAYERS or not all(1 <= u <= MAX_UNITS for u in units):
        raise ValueError(f"{text!r} is not a list of hidden-layer sizes; allowed: 1 to {MAX_LAYERS} whole numbers "
                         f"from 1 to {MAX_UNITS} separated by commas, e.g. 16,8")
    return units


def _with_hidden(spec: NetworkSpec, units: tuple[int, ...]) -> NetworkSpec:
    """New layer sizes; layer i keeps the base's activation of layer i (or of its last layer)."""
    activations = [activation for _, activation in spec.hidden]
    return replace(spec, hidden=tuple((u, activations[min(i, len(activations) - 1)]) for i, u in enumerate(units)))


@dataclass(frozen=True)
class Field:
    """One thing a setting can change: how to read it as text, apply it, and show it."""

    id: str
    label: str  # the page's widget label (a msgid, shown translated)
    parse: Callable[[str], object]  # language-neutral text (URL, CLI, CSV) -> value; ValueError says what is allowed
    read: Callable[[NetworkSpec, FitSettings], object]
    apply: Callable[[NetworkSpec, FitSettings, object], tuple[NetworkSpec, FitSettings]]
    choices: Callable[[], tuple[str, ...]]  # the page's menu (as text)
    show: Callable[[object, Translate], str]  # short label part, e.g. "batch 10", in the language of `_`

    def text(self, value) -> str:
        if isinstance(value, bool):
            return "on" if value else "off"
        if isinstance(value, tuple):
            return ",".join(str(v) for v in value)
        return f"{value:g}" if isinstance(value, float) else str(value)


LEARNING_RATES = ("0.0001", "0.0003", "0.001", "0.002", "0.003", "0.01", "0.03", "0.1", "0.3", "1")
BATCH_SIZES = ("1", "5", "10", "16", "32", "64", "128", "256", "512", "1000", "8000")
HIDDEN_SHAPES = ("6", "6,6", "6,6,6", "16,8", "32,16", "64,64", "64,64,64")

FIELDS: dict[str, Field] = {f.id: f for f in (
    Field("activation", N_("Activation (every hidden layer)"), _choice(lambda: tuple(ACTIVATIONS), "an activation"),
          lambda spec, settings: "/".join(dict.fromkeys(a for _, a in spec.hidden)),
          lambda spec, settings, v: (replace(spec, hidden=tuple((u, v) for u, _ in spec.hidden)), settings),
          lambda: tuple(ACTIVATIONS), lambda v, _: str(v)),
    Field("hidden", N_("Hidden units per layer"), _parse_hidden,
          lambda spec, settings: tuple(u for u, _ in spec.hidden),
          lambda spec, settings, v: (_with_hidden(spec, v), settings),
          lambda: HIDDEN_SHAPES, lambda v, _: _("hidden {units}").format(units="-".join(str(u) for u in v))),
    Field("initializer", N_("Initial weights"), _choice(lambda: tuple(INITIALIZERS), "an initializer"),
          lambda spec, settings: spec.initializer,
          lambda spec, settings, v: (replace(spec, initializer=v), settings),
          lambda: tuple(INITIALIZERS), lambda v, _: str(v)),
    Field("optimizer", N_("Optimizer"), _choice(lambda: tuple(OPTIMIZERS), "an optimizer"),
          lambda spec, settings: spec.optimizer,
          lambda spec, settings, v: (replace(spec, optimizer=v), settings),
          lambda: tuple(OPTIMIZERS), lambda v, _: str(v)),
    Field("learning_rate", N_("Learning rate"),
          _number(float, 0, 10, "a learning rate; allowed: a number above 0 and at most 10, e.g. 0.001"),
          lambda spec, settings: spec.learning_rate,
          lambda spec, settings, v: (replace(spec, learning_rate=v), settings),
          lambda: LEARNING_RATES, lambda v, _: "lr {v:g}".format(v=v)),
    Field("batch_size", N_("Batch size"),
          _number(int, 1, 1_000_000, "a batch size; allowed: a whole number from 1, e.g. 10 (8000 = every training row)"),
          lambda spec, settings: settings.batch_size,
          lambda spec, settings, v: (spec, replace(settings, batch_size=v)),
          lambda: BATCH_SIZES, lambda v, _: _("batch {size}").format(size=v)),
    Field("class_weights", N_("Class weights"), _choice(lambda: ("on", "off"), "on or off"),
          lambda spec, settings: settings.class_weights,
          lambda spec, settings, v: (spec, replace(settings, class_weights=v in (True, "on"))),
          lambda: ("on", "off"), lambda v, _: _("class weights") if v in (True, "on") else _("no class weights")),
)}
# Applied in this order whatever order the changes come in: new layer sizes keep the base's
# activations, so "hidden" must come before "activation".
APPLY_ORDER = tuple(FIELDS)


def parse_value(field_id: str, text: str):
    """A field's value from its text; ValueError naming the field and what it allows."""
    if field_id not in FIELDS:
        raise ValueError(f"unknown field {field_id!r}; allowed fields: {', '.join(FIELDS)}")
    try:
        value = FIELDS[field_id].parse(str(text).strip())
    except ValueError as error:
        raise ValueError(f"{field_id}: {error}") from None
    return value in (True, "on") if field_id == "class_weights" else value


# --------------------------------------------------------------------------------------
# Settings and experiments
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """The base network with up to two fields changed: ((field id, value), ...)."""

    changes: tuple[tuple[str, object], ...] = ()

    def resolve(self, spec: NetworkSpec, settings: FitSettings) -> tuple[NetworkSpec, FitSettings]:
        values = dict(self.changes)
        for field_id in APPLY_ORDER:
            if field_id in values:
                spec, settings = FIELDS[field_id].apply(spec, settings, values[field_id])
        return spec, settings


@dataclass(frozen=True)
class Experiment:
    """Settings (the first is the baseline) trained on the same seeds, from one base network."""

    spec: NetworkSpec
    settings: FitSettings  # epochs, batch size, validation share...; its seed is replaced per training
    variants: tuple[Setting, ...] = (Setting(),)
    seeds: tuple[int, ...] = tuple(range(DEFAULT_SEEDS))

    def __post_init__(self):
        object.__setattr__(self, "variants", tuple(self.variants))
        object.__setattr__(self, "seeds", tuple(int(s) for s in self.seeds))
        if not 1 <= len(self.variants) <= MAX_SETTINGS:
            raise ValueError(f"Compare 1 to {MAX_SETTINGS} settings (got {len(self.variants)}).")
        if not MIN_SEEDS <= len(self.seeds) <= MAX_SEEDS:
            raise ValueError(f"Use {MIN_SEEDS} to {MAX_SEEDS} seeds (got {len(self.seeds)}).")
        if len(set(self.seeds)) != len(self.seeds) or min(self.seeds) < 0:
            raise ValueError("The seeds must be different whole numbers from 0.")
        resolved = []
        for number, variant in enumerate(self.variants, start=1):
            if len(variant.changes) > MAX_CHANGES:
                raise ValueError(f"Setting {number} changes {len(variant.changes)} fields; at most {MAX_CHANGES}.")
            resolved.append(variant.resolve(self.spec, self.settings))  # NetworkSpec/FitSettings check the values
        for later in range(1, len(resolved)):
            if resolved[later] in resolved[:later]:
                raise ValueError(f"Setting {later + 1} ({self.label(later)}) is the same network as setting "
                                 f"{resolved.index(resolved[later]) + 1}: change a field to a different value.")

    def resolved(self, index: int, seed: int | None = None) -> tuple[NetworkSpec, FitSettings]:
        spec, settings = self.variants[index].resolve(self.spec, self.settings)
        return spec, settings if seed is None else replace(settings, seed=seed)

    @property
    def varied_fields(self) -> list[str]:
        """Fields that differ between the settings (registry order): what the labels show."""
        values = [self.values(index, all_fields=True) for index in range(len(self.variants))]
        return [f for f in FIELDS if len({str(v[f]) for v in values}) > 1]

    def values(self, index: int, all_fields: bool = False) -> dict:
        """Setting `index`'s value of each varied field (or of every field), as language-neutral text."""
        spec, settings = self.resolved(index)
        fields = FIELDS if all_fields else self.varied_fields
        return {f: FIELDS[f].text(FIELDS[f].read(spec, settings)) for f in fields}

    def label(self, index: int, _: Translate = identity) -> str:
        spec, settings = self.resolved(index)
        shown = [FIELDS[f].show(FIELDS[f].read(spec, settings), _) for f in self.varied_fields]
        return " · ".join(shown) if shown else _("base")

    @property
    def labels(self) -> list[str]:
        return [self.label(index) for index in range(len(self.variants))]

    def shown_labels(self, _: Translate = identity) -> list[str]:
        """The labels in the language of `_` (the page); `labels` stays English (CLI, CSV, JSON)."""
        return [self.label(index, _) for index in range(len(self.variants))]

    @property
    def trainings(self) -> int:
        return len(self.variants) * len(self.seeds)


def compare_settings(compares: Sequence[tuple[str, Sequence]]) -> tuple[Setting, ...]:
    """Every combination of the listed values ([(field, [v1, v2]), ...]); the first is the baseline."""
    if not compares:
        return (Setting(),)
    fields = [field_id for field_id, _ in compares]
    if len(set(fields)) != len(fields):
        raise ValueError("each field may be compared only once; list all its values in one --compare")
    if len(fields) > MAX_CHANGES:
        raise ValueError(f"compare at most {MAX_CHANGES} fields at once")
    combos = list(itertools.product(*(values for _, values in compares)))
    if len(combos) > MAX_SETTINGS:
        raise ValueError(f"that makes {len(combos)} settings; at most {MAX_SETTINGS}")
    return tuple(Setting(tuple(zip(fields, combo))) for combo in combos)


def parse_compare(text: str) -> tuple[str, list]:
    """"activation=relu,swish" -> ("activation", ["relu", "swish"]); ValueError names the field and the allowed values."""
    name, sign, values = text.partition("=")
    name = name.strip().replace("-", "_")
    if not sign or not values.strip():
        raise ValueError(f"--compare {text!r}: write FIELD=VALUE1,VALUE2 with FIELD one of {', '.join(FIELDS)}")
    if name not in FIELDS:
        raise ValueError(f"--compare {text!r}: unknown field {name!r}; allowed fields: {', '.join(FIELDS)}")
    # "hidden" values contain commas themselves: separate its shapes with ";" or "/" instead, e.g. hidden=6,6/16,8
    parts = values.replace(";", "/").split("/") if name == "hidden" else values.split(",")
    try:
        return name, [parse_value(name, part) for part in parts if part.strip()]
    except ValueError as error:
        raise ValueError(f"--compare {text!r}: {error}") from None


# --------------------------------------------------------------------------------------
# Running an experiment
# --------------------------------------------------------------------------------------


@dataclass
class SeedResult:
    """One training of one setting on one seed, scored on that seed's test part."""

    setting: int
    seed: int
    test_accuracy: float
    auc: float
    test_loss: float
    f1: float
    epochs_run: int
    status: str
    seconds: float
    history: list[dict] = field(default_factory=list)


@dataclass
class ExperimentProgress:
    """What the page's progress bar shows (sent through the pool's ticket or the callback)."""

    fraction: float
    trainings_done: int
    trainings_total: int
    seconds: float
    seconds_left: float | None
    message: str
    finished: list[SeedResult] = field(default_factory=list)  # trainings finished since the last update


@dataclass
class ExperimentResult:
    """Every finished training of an experiment, filled in as they finish (survives an interruption)."""

    experiment: Experiment
    records: list[SeedResult] = field(default_factory=list)
    status: str = "running"  # running | finished | stopped
    seconds: float = 0.0

    def values(self, index: int, metric: str = "test_accuracy") -> dict[int, float]:
        """seed -> score of setting `index` (finished trainings only)."""
        return {r.seed: getattr(r, metric) for r in self.records if r.setting == index}

    def summary(self, index: int, metric: str = "test_accuracy") -> stats.Summary | None:
        values = list(self.values(index, metric).values())
        return stats.summarize(values) if len(values) >= 2 else None

    def paired(self, index: int, metric: str = "test_accuracy", baseline: int = 0) -> stats.Paired | None:
        """Setting `index` minus the baseline on the seeds both have finished (None below 2 seeds)."""
        mine, theirs = self.values(index, metric), self.values(baseline, metric)
        seeds = [s for s in self.experiment.seeds if s in mine and s in theirs]
        if len(seeds) < 2:
            return None
        return stats.paired_t([mine[s] for s in seeds], [theirs[s] for s in seeds])

    def finished_settings(self) -> list[int]:
        return [i for i in range(len(self.experiment.variants))
                if len(self.values(i)) == len(self.experiment.seeds)]

    def verdict(self, index: int, metric: str = "test_accuracy", baseline: int = 0,
                _: Translate = identity) -> str | None:
        paired = self.paired(index, metric, baseline)
        if paired is None:
            return None
        labels = self.experiment.shown_labels(_)
        return verdict(labels[index], labels[baseline], paired, _(METRICS[metric]), _=_)

    def summary_table(self, _: Translate = identity):
        """Per setting and metric: seeds, mean, SD, 95 % interval (in percent for accuracy)."""
        import pandas as pd

        rows = []
        for index, label in enumerate(self.experiment.shown_labels(_)):
            row = {_("setting"): label, _("seeds"): len(self.values(index))}
            for metric, name in METRICS.items():
                summary, scale = self.summary(index, metric), 100 if metric == "test_accuracy" else 1
                unit = " (%)" if scale == 100 else ""
                digits = 2 if scale == 100 else 4
                name = _(name)
                row.update({_("mean {metric}").format(metric=name) + unit: summary and round(scale * summary.mean, digits),
                            _("SD {metric}").format(metric=name) + unit: summary and round(scale * summary.std, digits),
                            _("{level} interval {metric}").format(level="95 %", metric=name) + unit: summary and
                            _("{low} to {high}").format(low=f"{scale * summary.ci95[0]:.{digits}f}",
                                                        high=f"{scale * summary.ci95[1]:.{digits}f}")})
            rows.append(row)
        return pd.DataFrame(rows)

    def paired_table(self, _: Translate = identity):
        """Each setting minus the first, seed by seed: mean difference, 95 % interval, p-values (points = % for accuracy)."""
        import pandas as pd

        labels, rows = self.experiment.shown_labels(_), []
        for index in range(1, len(labels)):
            for metric, name in METRICS.items():
                paired = self.paired(index, metric)
                if paired is None:
                    continue
                rows.append({_("comparison"): f"{labels[index]} − {labels[0]}", _("metric"): _(name),
                             _("seeds"): paired.n,
                             _("mean difference (points)"): round(100 * paired.mean_diff, 2),
                             _("{level} interval (points)").format(level="95 %"):
                                 _("{low} to {high}").format(low=f"{100 * paired.ci95[0]:+.2f}",
                                                             high=f"{100 * paired.ci95[1]:+.2f}"),
                             _("p (paired t-test)"): round(paired.p_value, 4),
                             _("p (Wilcoxon)"): round(paired.wilcoxon_p, 4)})
        return pd.DataFrame(rows)

    def spread_sentence(self, index: int = 0, _: Translate = identity) -> str | None:
        """How much one run varies, in words."""
        summary = self.summary(index)
        if summary is None:
            return None
        return _("{label}: over {n} seeds the test accuracy ran from {minimum} to {maximum} (SD {sd} points); "
                 "the mean is {mean}, {level} interval {low} to {high}. One run can land anywhere in that range.").format(
            label=self.experiment.label(index, _), n=summary.n, minimum=f"{summary.minimum:.1%}",
            maximum=f"{summary.maximum:.1%}", sd=f"{100 * summary.std:.1f}", mean=f"{summary.mean:.1%}",
            level="95 %", low=f"{summary.ci95[0]:.1%}", high=f"{summary.ci95[1]:.1%}")

    def frame(self):
        """One row per finished training: setting, its field values, seed, test metrics (the CSV download)."""
        import pandas as pd

        labels = self.experiment.labels
        rows = []
        for r in sorted(self.records, key=lambda r: (r.setting, r.seed)):
            rows.append({"setting": labels[r.setting], **self.experiment.values(r.setting, all_fields=True),
                         "epochs": self.experiment.settings.epochs, "seed": r.seed,
                         "test_accuracy": r.test_accuracy, "auc": r.auc, "test_loss": r.test_loss, "f1": r.f1,
                         "epochs_run": r.epochs_run, "status": r.status, "seconds": round(r.seconds, 2)})
        return pd.DataFrame(rows)

    def report(self) -> dict:
        """The CLI's JSON: every seed's scores and the statistics."""
        experiment, labels = self.experiment, self.experiment.labels
        settings = []
        for index in range(len(experiment.variants)):
            accuracy = self.values(index)
            summary = self.summary(index)
            settings.append({
                "label": labels[index], "values": experiment.values(index),
                "seeds": list(accuracy), "test_accuracy": list(accuracy.values()),
                "auc": list(self.values(index, "auc").values()),
                "mean": summary.mean if summary else None, "std": summary.std if summary else None,
                "ci95": list(summary.ci95) if summary else None,
            })
        paired = []
        for index in range(1, len(experiment.variants)):
            result = self.paired(index)
            if result is not None:
                paired.append({"setting": labels[index], "baseline": labels[0], "n": result.n,
                               "mean_diff": result.mean_diff, "ci95": list(result.ci95), "p_value": result.p_value,
                               "wilcoxon_p": result.wilcoxon_p, "verdict": self.verdict(index)})
        return {"settings": settings, "paired": paired, "seconds": self.seconds, "status": self.status,
                "epochs": experiment.settings.epochs, "seeds": list(experiment.seeds)}


def verdict(label: str, baseline_label: str, paired: stats.Paired, metric: str = "test accuracy",
            _: Translate = identity) -> str:
    """The comparison in plain words: difference in points, its 95 % interval, and whether it exceeds seed noise."""
    difference, (low, high) = 100 * paired.mean_diff, (100 * paired.ci95[0], 100 * paired.ci95[1])
    digits = 1 if high - low >= 0.5 or high == low else 2

    def signed(value: float) -> str:
        return f"{value:+.{digits}f}".replace("-", "−")  # a true minus sign

    text = _("{label} − {baseline}: {difference} points of {metric}, {level} interval {low} to {high}").format(
        label=label, baseline=baseline_label, difference=signed(difference), metric=metric, level="95 %",
        low=signed(low), high=signed(high))
    p = f"p = {paired.p_value:.3f}" if paired.p_value >= 0.001 else "p < 0.001"
    if low <= 0 <= high:
        return _("{text}: not distinguishable from seed noise with {n} seeds ({p}).").format(text=text, n=paired.n, p=p)
    if difference > 0:
        return _("{text}: {label} is better, by more than the seed-to-seed noise with {n} seeds ({p}).").format(
            text=text, label=label, n=paired.n, p=p)
    return _("{text}: {label} is worse, by more than the seed-to-seed noise with {n} seeds ({p}).").format(
        text=text, label=label, n=paired.n, p=p)


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

    def report(message: str) -> None:
        done = min(sum(epochs_done.values()) / (experiment.trainings * epochs), 1.0)
        seconds = result.seconds = time.perf_counter() - started
        update = ExperimentProgress(done, len(result.records), experiment.trainings, seconds,
                                    seconds / done * (1 - done) if done > 0 else None, message,
                                    result.records[sent[0]:])
        sent[0] = len(result.records)
        if progress is not None:
            progress.send(update)
        if on_update is not None:
            on_update(update, result)

    labels = experiment.labels
    for members in stacked_groups(experiment):
        message = f"{' and '.join(dict.fromkeys(labels[i] for i, _ in members))}, {len(experiment.seeds)} seeds at once"

        def on_epoch(runs, members=members, message=message):
            for member, run in zip(members, runs):
                epochs_done[member] = run.epochs_run if run.status in ("running", "stopped") else epochs
            report(message)

        specs, settings = zip(*(experiment.resolved(index, seed) for index, seed in members))
        runs = train_prepared_stacked([prepared[seed] for _, seed in members], specs[0], settings,
                                      on_epoch=on_epoch, should_stop=should_stop, epoch_scores=False, specs=specs)
        if any(run.status == "stopped" for run in runs):
            result.status = "stopped"
            break
        for (index, seed), run in zip(members, runs):
            epochs_done[index, seed] = epochs
            result.records.append(_score(run, prepared[seed], index, seed))
    if result.status == "running":
        result.status = "finished"
    result.seconds = time.perf_counter() - started
    report("stopped" if result.status == "stopped" else "finished")
    return result


# --------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    from playground.churn.train import add_training_arguments, training_from_arguments

    parser = argparse.ArgumentParser(prog="python -m playground.churn.experiment",
                                     description=__doc__.split("\n\n")[1].strip(),
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

    from playground.churn import engine

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
    print(json.dumps(result.report(), default=lambda v: float(v) if isinstance(v, np.floating) else str(v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
