"""What the class board draws: each page's spread (one dot per run), its ranking as a table, a run's
settings in a few words, and the whole class as CSV.

Pure functions, rows in (as ``Board.runs`` returns them), a plotly Figure / pandas DataFrame / text out.
Nicknames never go into a chart (Plotly reads a subset of HTML in its texts); the table shows them as
plain text cells, and the CSV defuses cells a spreadsheet would run as a formula.
"""

from __future__ import annotations

import io
import math

import pandas as pd
import plotly.graph_objects as go

from playground.board import challenges
from playground.boundary.datasets import DATASETS
from playground.churn import fields as churn_fields
from playground.board.challenges import TUTORIAL_ACCURACY, Challenge, Standing
from playground.i18n import N_, Translate, identity

FONT = dict(size=15)
TUTORIAL_HIDDEN, TUTORIAL_ACTIVATION = [6, 6], ["relu", "relu"]
VERDICTS = {"better": N_("better"), "worse": N_("worse"), "noise": N_("within the seed noise")}
COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


OPTIMIZER_NAMES = {"momentum": N_("SGD + momentum 0.9")}  # the others are names (adam, sgd) in every language


def data_title(name: str, _: Translate = identity) -> str:
    """A Decision boundary data set's name as the page shows it ("Spiral", "螺旋")."""
    return _(DATASETS[name].title) if name in DATASETS else str(name)


def _optimizer(name, _: Translate) -> str:
    return _(OPTIMIZER_NAMES[name]) if name in OPTIMIZER_NAMES else str(name)


def _percent(value) -> str:
    return "" if value is None else f"{100 * value:.1f} %"


def setting_label(setting: dict, _: Translate = identity) -> str:
    """An experiment's setting ({"label", "values"} as posted) in the board's language, e.g. "批量 32"."""
    values = setting.get("values") or {}
    try:
        shown = [churn_fields.FIELDS[field].show(churn_fields.parse_value(field, text), _)
                 for field, text in values.items()]
    except (KeyError, ValueError, TypeError):
        return str(setting.get("label", ""))
    return " · ".join(shown) if shown else _("base")


def compared_label(figures: dict, index, fallback, _: Translate = identity) -> str:
    """Setting `index` of a posted experiment, shown by :func:`setting_label`; `fallback` if it is not there."""
    compared = figures.get("settings") or []
    if isinstance(index, int) and 0 <= index < len(compared) and isinstance(compared[index], dict):
        return setting_label(compared[index], _)
    return str(fallback or "")


def settings_text(page: str, settings: dict, _: Translate = identity) -> str:
    """A run's settings in a few words, e.g. "6-6 relu · adam 0.001 · batch 10 · 100 epochs · seed 0"."""
    if page == "boundary":
        hidden = "-".join(str(n) for n in settings.get("hidden", ())) or _("no hidden layer")
        activations = "/".join(dict.fromkeys(settings.get("activations", ())))
        return " · ".join(part for part in (
            data_title(settings.get("data", ""), _), ", ".join(settings.get("features", ())),
            f"{hidden} {activations}".strip(), f"{_optimizer(settings.get('optimizer', ''), _)} "
                                               f"{settings.get('learning_rate', '')}",
            _("batch {size}").format(size=settings.get("batch_size", "")),
        ) if part)
    hidden = "-".join(str(n) for n in settings.get("hidden", ()))
    activations = "/".join(dict.fromkeys(settings.get("activation", ())))
    parts = [f"{hidden} {activations}", f"{settings.get('optimizer', '')} {settings.get('learning_rate', '')}",
             _("batch {size}").format(size=settings.get("batch_size", "")),
             _("{epochs} epochs").format(epochs=settings.get("epochs", ""))]
    if page == "experiment":
        parts.append(_("{seeds} seeds").format(seeds=len(settings.get("seeds", ()))))
        parts.append(_("compared: {labels}").format(labels="; ".join(
            setting_label(setting, _) if isinstance(setting, dict) else str(setting)
            for setting in settings.get("compared", ()))))
    elif "seed" in settings:
        parts.append(_("seed {seed}").format(seed=settings["seed"]))
    return " · ".join(parts)


def score_text(challenge: Challenge, score: float) -> str:
    if challenge.unit == "%":
        return _percent(score)
    if challenge.unit == "points":
        return f"{score:+.2f}"
    if challenge.unit in ("neurons", "parameters"):
        return f"{score:.0f}"
    return f"{score:.4f}"


def ranking_frame(standings: list[Standing], page: str, challenge: Challenge, names: dict,
                  _: Translate = identity) -> pd.DataFrame:
    """The ranking as a table: place, student, settings, the score, and the page's other figures."""
    rows = []
    for standing in standings:
        figures = standing.figures
        row = {_("place"): standing.rank, _("student"): names.get(standing.member_id, standing.nickname),
               _(challenge.score_name): score_text(challenge, standing.score),
               _("settings"): settings_text(page, standing.settings, _)}
        if page == "churn":
            row[_("AUC")] = None if figures.get("auc") is None else round(figures["auc"], 3)
            row[_("epochs")] = figures.get("epochs_run")
        elif page == "experiment":
            row[_("best setting")] = compared_label(figures, figures.get("best_index"), figures.get("best_label"), _)
            row[_("verdicts")] = "; ".join(
                _("{label}: {verdict} ({low} to {high} points)").format(
                    label=compared_label(figures, c.get("index"), c.get("label"), _),
                    verdict=_(VERDICTS.get(c.get("verdict"), c.get("verdict", ""))),
                    low=f"{c.get('low') or 0.0:+.1f}", high=f"{c.get('high') or 0.0:+.1f}")
                for c in figures.get("comparisons", ()))
        else:
            row[_("test loss")] = None if figures.get("test_loss") is None else round(figures["test_loss"], 4)
            row[_("epochs")] = figures.get("epochs")
        row[_("run")] = ", ".join(f"#{run_id}" for run_id in standing.run_ids)
        rows.append(row)
    return pd.DataFrame(rows)


def is_tutorial_recipe(settings: dict) -> bool:
    return list(settings.get("hidden", ())) == TUTORIAL_HIDDEN and list(settings.get("activation", ())) == \
        TUTORIAL_ACTIVATION and settings.get("optimizer") == "adam" and settings.get("batch_size") == 10


EMPTY_RANGES = {"churn": [50, 100], "experiment": [-5, 5]}  # the y axis of a page's spread before its first run


def spread_figure(page: str, rows: list, _: Translate = identity) -> go.Figure:
    """One dot per run, by run number (x, the order posted) against its test figure (y): the spread of the class.

    Churn: test accuracy in %, the tutorial's recipe apart from other settings, and the tutorial's
    ~86 % as a dashed line. Experiment: each variant's difference from its base in points, with its
    95 % interval as an error bar, and 0 as the line. Boundary: test accuracy in % (classes) or test
    loss (regression), one colour per data set."""
    mine = sorted((row for row in rows if row.page == page), key=lambda row: row.id)
    figure = go.Figure()
    x_title = _("run number (#)")
    regression = False
    if page == "churn":
        groups = {N_("tutorial recipe (6-6 relu, adam, batch 10)"): [r for r in mine if is_tutorial_recipe(r.settings)],
                  N_("other settings"): [r for r in mine if not is_tutorial_recipe(r.settings)]}
        for (name, group), colour in zip(groups.items(), COLOURS):
            group = [row for row in group if row.figures.get("test_accuracy") is not None]
            figure.add_trace(go.Scatter(
                x=[row.id for row in group], y=[100 * row.figures["test_accuracy"] for row in group], mode="markers",
                name=_(name), marker=dict(size=12, color=colour),
                text=[settings_text(page, row.settings, _) for row in group],
                hovertemplate="#%{x}: %{y:.1f} %<br>%{text}<extra></extra>"))
        figure.add_hline(y=100 * TUTORIAL_ACCURACY, line=dict(dash="dash", color="#444"))
        figure.add_trace(go.Scatter(x=[None], y=[None], mode="lines", line=dict(dash="dash", color="#444"),
                                    name=_("the tutorial: about {accuracy}").format(accuracy="86 %")))
        y_title = _("test accuracy (%)")
    elif page == "experiment":
        points = [(row, c) for row in mine for c in row.figures.get("comparisons", ())]
        for verdict, colour in zip(VERDICTS, ("#2ca02c", "#d62728", "#7f7f7f")):
            group = [(row, c) for row, c in points if c.get("verdict") == verdict]
            figure.add_trace(go.Scatter(
                x=[row.id for row, _c in group], y=[c["mean_diff"] for _r, c in group], mode="markers",
                name=_(VERDICTS[verdict]), marker=dict(size=12, color=colour),
                error_y=dict(type="data", symmetric=False, array=[c["high"] - c["mean_diff"] for _r, c in group],
                             arrayminus=[c["mean_diff"] - c["low"] for _r, c in group]),
                text=[compared_label(row.figures, c.get("index"), c.get("label"), _) for row, c in group],
                hovertemplate="#%{x}: %{y:+.2f}<br>%{text}<extra></extra>"))
        figure.add_hline(y=0, line=dict(dash="dash", color="#444"))
        y_title = _("variant − base: test accuracy (points, {level} interval)").format(level="95 %")
    else:
        classified = [row for row in mine if row.figures.get("test_accuracy") is not None]
        regression = not classified and any(row.figures.get("test_loss") is not None for row in mine)
        shown = [row for row in mine if row.figures.get("test_loss") is not None] if regression else classified
        for data, colour in zip(dict.fromkeys(row.settings.get("data", "") for row in shown), COLOURS * 4):
            group = [row for row in shown if row.settings.get("data", "") == data]
            figure.add_trace(go.Scatter(
                x=[row.id for row in group],
                y=[row.figures["test_loss"] if regression else 100 * row.figures["test_accuracy"] for row in group],
                mode="markers", name=data_title(data, _), marker=dict(size=12, color=colour),
                text=[settings_text(page, row.settings, _) for row in group],
                hovertemplate="#%{x}: %{y:.3g}<br>%{text}<extra></extra>"))
        y_title = _("test loss") if regression else _("test accuracy (%)")
    figure.update_layout(
        font=FONT, height=360, margin=dict(l=70, r=20, t=10, b=110), template="plotly_white",
        # whole run numbers only: about 8 ticks, never 0.5
        xaxis=dict(title=dict(text=x_title), rangemode="tozero",
                   dtick=max(1, math.ceil(max((row.id for row in mine), default=1) / 8))),
        yaxis=dict(title=dict(text=y_title)),
        legend=dict(orientation="h", yanchor="top", y=-0.25, xanchor="left", x=0.0), showlegend=True)
    if page == "churn" or (page == "boundary" and not regression):  # never past 100 % (one dot at 100 % showed 99-101)
        figure.update_yaxes(autorangeoptions=dict(maxallowed=100))
        figure.update_traces(cliponaxis=False, selector=dict(type="scatter"))  # a dot at 100 % whole, not halved
    if not mine:  # before the first run: axes the first dots will fall in (and the reference line's legend)
        figure.update_xaxes(range=[0, 10])
        figure.update_yaxes(range=EMPTY_RANGES.get(page, [0, 100]))
    return figure


def _cell(value) -> str:
    """A CSV cell a spreadsheet shows as text: a leading = + - @ (a formula) gets a quote before it."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") and not _is_number(text) else text


def _is_number(text: str) -> bool:
    try:
        return math.isfinite(float(text))
    except ValueError:
        return False


def class_csv(rows: list, names: dict) -> str:
    """Every run of the class, one line each: run, page, student (as the board shows them), time, then
    every setting and figure as its own column."""
    records = []
    for row in sorted(rows, key=lambda row: row.id):
        record = {"run": row.id, "page": row.page, "student": names.get(row.member_id, row.nickname),
                  "posted_at": getattr(row, "posted_at", "")}
        for prefix, values in (("setting", row.settings), ("figure", row.figures)):
            for key, value in values.items():
                if key in ("settings", "comparisons"):  # the experiment's lists: one readable cell
                    value = "; ".join(f"{item.get('label')}: " + ", ".join(
                        f"{k}={v}" for k, v in item.items() if k not in ("label", "values")) for item in value)
                elif isinstance(value, (list, tuple)):
                    value = "; ".join(item.get("label", "") if isinstance(item, dict) else str(item) for item in value) \
                        if any(isinstance(item, dict) for item in value) else " ".join(str(item) for item in value)
                record[f"{prefix}.{key}"] = value
        records.append({key: _cell(value) for key, value in record.items()})
    buffer = io.StringIO()
    pd.DataFrame(records).to_csv(buffer, index=False)
    return buffer.getvalue()


def page_title(page: str, _: Translate = identity) -> str:
    return _(challenges.PAGE_TITLES[page])
