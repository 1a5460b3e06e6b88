"""Experiments over seeds: what one is (settings, seeds) and what its result holds.

One training cannot settle a claim such as "swish beats relu by 0.5 %": on the real churn data
the tutorial recipe alone gives 0.824 to 0.861 test accuracy depending on the seed. So every
setting here is trained once per seed s = first, first + 1, ..., and seed s fixes, for every
setting alike, the 80/20 split (``data.prepare(frame, seed=s)``), the initial weights (where the
shapes match) and the shuffle order. The differences between two settings are then paired seed
by seed (``stats.paired_t``).

Start with :class:`Experiment`: a base network, up to 4 :class:`Setting` (each changes one or
two fields of the registry in fields.py; the first is the baseline) and the seeds. Then
:class:`ExperimentResult`, the finished trainings (:class:`SeedResult`) and their statistics.
The rest of an experiment lives beside this module: runner.py trains it (in a worker of the
pool, or in the command line's process), report.py words and tabulates its result, and cli.py
is the command line::

    python -m playground.churn.experiment [--csv PATH] [--seeds 10] [--epochs 100]
        [--compare FIELD=V1,V2,...] [--compare ...] [--threads 1] [any option of playground.churn.train as the base]
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from playground.churn import stats
from playground.churn.fields import APPLY_ORDER, FIELDS, parse_value
from playground.churn.model import FitSettings, NetworkSpec, RunStatus
from playground.i18n import N_, Message, Translate, UserError, identity

MAX_SETTINGS = 4
MAX_CHANGES = 2  # fields a setting may change against the base
MIN_SEEDS, MAX_SEEDS, DEFAULT_SEEDS = 3, 30, 10


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
            raise UserError(N_("Compare 1 to {high} settings (got {count})."), high=MAX_SETTINGS,
                            count=len(self.variants))
        if not MIN_SEEDS <= len(self.seeds) <= MAX_SEEDS:
            raise UserError(N_("Use {low} to {high} seeds (got {count})."), low=MIN_SEEDS, high=MAX_SEEDS,
                            count=len(self.seeds))
        if len(set(self.seeds)) != len(self.seeds) or min(self.seeds) < 0:
            raise UserError(N_("The seeds must be different whole numbers from 0."))
        resolved = []
        for number, variant in enumerate(self.variants, start=1):
            if len(variant.changes) > MAX_CHANGES:
                raise UserError(N_("Setting {number} changes {count} fields; at most {high}."), number=number,
                                count=len(variant.changes), high=MAX_CHANGES)
            resolved.append(variant.resolve(self.spec, self.settings))  # NetworkSpec/FitSettings check the values
        for later in range(1, len(resolved)):
            if resolved[later] in resolved[:later]:
                raise UserError(N_("Setting {number} ({label}) is the same network as setting {other}: change a "
                                   "field to a different value."), number=later + 1, label=SettingLabel(self, later),
                                other=resolved.index(resolved[later]) + 1)

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


class SettingLabel(Message):
    """A setting's label as a field of a message: shown in the language the message is shown in."""

    def __init__(self, experiment: Experiment, index: int):
        super().__init__("")
        self.experiment, self.index = experiment, index

    def translate(self, _: Translate = identity) -> str:
        return self.experiment.label(self.index, _)


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
# The result
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
    status: RunStatus
    seconds: float
    history: list[dict] = field(default_factory=list)


@dataclass
class ExperimentResult:
    """Every finished training of an experiment, filled in as they finish (survives an interruption)."""

    experiment: Experiment
    records: list[SeedResult] = field(default_factory=list)
    status: RunStatus = RunStatus.RUNNING  # running, finished or stopped
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


if __name__ == "__main__":  # the command line lives in cli.py; this keeps `python -m playground.churn.experiment`
    from playground.churn.cli import experiment_main

    sys.exit(experiment_main())
