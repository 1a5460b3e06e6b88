"""An experiment's result for people: verdicts in words, tables with translated headers, the CSV and the JSON.

Start with :func:`verdict` (a setting against the baseline, in plain words), then the page's
tables (:func:`summary_table`, :func:`paired_table`) and :func:`spread_sentence`; the download
(:func:`seed_frame`) and the command line's JSON (:func:`to_json`) keep language-neutral ids and
English labels. Every function that shows text takes the page's gettext function `_`
(``identity``: English).
"""

from __future__ import annotations

from playground.churn import stats
from playground.churn.experiment import ExperimentResult
from playground.i18n import N_, Translate, identity

METRICS = {"test_accuracy": N_("test accuracy"), "auc": "AUC"}


def verdict_text(label: str, baseline_label: str, paired: stats.Paired, metric: str = "test accuracy",
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


def verdict(result: ExperimentResult, index: int, metric: str = "test_accuracy", baseline: int = 0,
            _: Translate = identity) -> str | None:
    """Setting `index` against the baseline in words; None until both have 2 seeds in common."""
    paired = result.paired(index, metric, baseline)
    if paired is None:
        return None
    labels = result.experiment.shown_labels(_)
    return verdict_text(labels[index], labels[baseline], paired, _(METRICS[metric]), _=_)


def summary_table(result: ExperimentResult, _: Translate = identity):
    """Per setting and metric: seeds, mean, SD, 95 % interval (in percent for accuracy)."""
    import pandas as pd

    rows = []
    for index, label in enumerate(result.experiment.shown_labels(_)):
        row = {_("setting"): label, _("seeds"): len(result.values(index))}
        for metric, name in METRICS.items():
            summary, scale = result.summary(index, metric), 100 if metric == "test_accuracy" else 1
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


def paired_table(result: ExperimentResult, _: Translate = identity):
    """Each setting minus the first, seed by seed: mean difference, 95 % interval, p-values (points = % for accuracy)."""
    import pandas as pd

    labels, rows = result.experiment.shown_labels(_), []
    for index in range(1, len(labels)):
        for metric, name in METRICS.items():
            paired = result.paired(index, metric)
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


def spread_sentence(result: ExperimentResult, index: int = 0, _: Translate = identity) -> str | None:
    """How much one run varies, in words."""
    summary = result.summary(index)
    if summary is None:
        return None
    return _("{label}: over {n} seeds the test accuracy ran from {minimum} to {maximum} (SD {sd} points); "
             "the mean is {mean}, {level} interval {low} to {high}. One run can land anywhere in that range.").format(
        label=result.experiment.label(index, _), n=summary.n, minimum=f"{summary.minimum:.1%}",
        maximum=f"{summary.maximum:.1%}", sd=f"{100 * summary.std:.1f}", mean=f"{summary.mean:.1%}",
        level="95 %", low=f"{summary.ci95[0]:.1%}", high=f"{summary.ci95[1]:.1%}")


def seed_frame(result: ExperimentResult):
    """One row per finished training: setting, its field values, seed, test metrics (the CSV download)."""
    import pandas as pd

    experiment, labels = result.experiment, result.experiment.labels
    rows = []
    for r in sorted(result.records, key=lambda r: (r.setting, r.seed)):
        rows.append({"setting": labels[r.setting], **experiment.values(r.setting, all_fields=True),
                     "epochs": experiment.settings.epochs, "seed": r.seed,
                     "test_accuracy": r.test_accuracy, "auc": r.auc, "test_loss": r.test_loss, "f1": r.f1,
                     "epochs_run": r.epochs_run, "status": str(r.status), "seconds": round(r.seconds, 2)})
    return pd.DataFrame(rows)


def to_json(result: ExperimentResult) -> dict:
    """The command line's JSON: every seed's scores and the statistics."""
    experiment, labels = result.experiment, result.experiment.labels
    settings = []
    for index in range(len(experiment.variants)):
        accuracy = result.values(index)
        summary = result.summary(index)
        settings.append({
            "label": labels[index], "values": experiment.values(index),
            "seeds": list(accuracy), "test_accuracy": list(accuracy.values()),
            "auc": list(result.values(index, "auc").values()),
            "mean": summary.mean if summary else None, "std": summary.std if summary else None,
            "ci95": list(summary.ci95) if summary else None,
        })
    paired = []
    for index in range(1, len(experiment.variants)):
        comparison = result.paired(index)
        if comparison is not None:
            paired.append({"setting": labels[index], "baseline": labels[0], "n": comparison.n,
                           "mean_diff": comparison.mean_diff, "ci95": list(comparison.ci95),
                           "p_value": comparison.p_value, "wilcoxon_p": comparison.wilcoxon_p,
                           "verdict": verdict(result, index)})
    return {"settings": settings, "paired": paired, "seconds": result.seconds, "status": str(result.status),
            "epochs": experiment.settings.epochs, "seeds": list(experiment.seeds)}
