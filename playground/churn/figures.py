"""Plotly figures for the Churn ANN page: pure functions, data in, Figure out."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from playground.churn.metrics import Confusion
from playground.i18n import N_, Translate, identity

FONT = dict(size=15)
TRAIN_COLOR, VALIDATION_COLOR = "#1f5fbf", "#d95f02"
POSITIVE_COLOR, NEGATIVE_COLOR = "#1f5fbf", "#d95f02"  # blue/orange: readable for red-green colour blindness
METRICS = (N_("loss"), N_("accuracy"))  # the metrics a chart can show, translated where shown
RUN_COLORS = ("#1f5fbf", "#d95f02", "#1b9e77", "#7570b3", "#e7298a", "#66a61e", "#a6761d", "#666666")


def _layout(fig: go.Figure, title: str, height: int = 380) -> go.Figure:
    # No plotly template: Streamlit's theme styles the charts, and copying a template costs ~10 ms
    # per figure, which matters for the curves redrawn every epoch.
    fig.update_layout(
        title=dict(text=title, font=dict(size=18)), font=FONT, height=height,
        margin=dict(l=70, r=20, t=60, b=60), legend=dict(orientation="h", y=-0.2, x=0),
    )
    return fig


def live_curves(history: Sequence[dict], epochs: int, _: Translate = identity) -> go.Figure:
    """Loss (left) and accuracy (right) per epoch, training and validation, x fixed to 1..epochs.

    Built by hand (two x/y axis pairs) rather than with make_subplots: it is redrawn every epoch.
    """
    epoch = [row["epoch"] for row in history]
    fig = go.Figure()
    for metric, axis in (("loss", ""), ("accuracy", "2")):
        for prefix, label, color in (("", _("training"), TRAIN_COLOR), ("val_", _("validation"), VALIDATION_COLOR)):
            values = [row.get(prefix + metric) for row in history]
            if not any(value is not None for value in values):
                continue
            fig.add_trace(go.Scatter(
                x=epoch, y=values, mode="lines+markers" if len(epoch) < 30 else "lines",
                name=_("{part} {metric}").format(part=label, metric=_(metric)), line=dict(color=color, dash="solid" if metric == "loss" else "dot"),
                xaxis=f"x{axis}", yaxis=f"y{axis}",
            ))
    span = [0.5, max(epochs, 1) + 0.5]
    fig.update_layout(
        xaxis=dict(domain=[0, 0.46], title=_("epoch"), range=span),
        yaxis=dict(title=_("binary cross-entropy loss")),
        xaxis2=dict(domain=[0.56, 1], title=_("epoch"), range=span, anchor="y2"),
        yaxis2=dict(title=_("accuracy"), anchor="x2", tickformat=".1%"),
    )
    return _layout(fig, _("Training curves: loss (left) and accuracy (right)"))


def network_diagram(weights: Sequence[np.ndarray], input_names: Sequence[str], _: Translate = identity) -> go.Figure:
    """Input, hidden and output layers as dots; each link coloured by its weight's sign, width by size.

    Links are grouped into a few traces (sign x width band) so a 64-unit network stays fast.
    """
    kernels = [w for w in weights if np.ndim(w) == 2]  # biases and PReLU slopes are 1-D
    sizes = [kernels[0].shape[0], *(kernel.shape[1] for kernel in kernels)]
    tallest = max(sizes)
    positions = [np.linspace(0, 1, size) if size > 1 else np.array([0.5]) for size in sizes]
    positions = [0.5 + (pos - 0.5) * (size / tallest) ** 0.5 for pos, size in zip(positions, sizes)]
    biggest = max(float(np.abs(kernel).max()) for kernel in kernels) or 1.0
    fig = go.Figure()
    bands = (0.25, 0.5, 0.75, 1.0)
    for sign, color, label in ((1, POSITIVE_COLOR, _("positive weight")), (-1, NEGATIVE_COLOR, _("negative weight"))):
        for band_index, upper in enumerate(bands):
            lower = 0.0 if band_index == 0 else bands[band_index - 1]
            xs, ys = [], []
            for layer, kernel in enumerate(kernels):
                share = np.abs(kernel) / biggest
                chosen = (np.sign(kernel) == sign) & (share > lower) & (share <= upper)
                for i, j in zip(*np.nonzero(chosen)):
                    xs += [layer, layer + 1, None]
                    ys += [positions[layer][i], positions[layer + 1][j], None]
            if xs:
                fig.add_trace(go.Scatter(
                    x=xs, y=ys, mode="lines", hoverinfo="skip", opacity=0.35 + 0.6 * upper,
                    line=dict(color=color, width=0.5 + 5 * upper), name=label,
                    legendgroup=label, showlegend=not any(trace.legendgroup == label for trace in fig.data),
                ))
    names = [list(input_names)] + [[_("hidden {layer}, unit {unit}").format(layer=n + 1, unit=u + 1) for u in range(size)]
                                   for n, size in enumerate(sizes[1:-1])] + [[_("output: churn probability")]]
    for layer, (pos, labels) in enumerate(zip(positions, names)):
        fig.add_trace(go.Scatter(
            x=[layer] * len(pos), y=pos, mode="markers+text" if layer == 0 else "markers",
            text=labels if layer == 0 else None, textposition="middle left", hovertext=labels, hoverinfo="text",
            marker=dict(size=14 if sizes[layer] <= 16 else 8, color="white", line=dict(color="#111827", width=2)),
            showlegend=False,
        ))
    layer_names = [_("input")] + [_("hidden {layer}").format(layer=n + 1) for n in range(len(sizes) - 2)] + [_("output")]
    fig.update_layout(
        xaxis=dict(tickvals=list(range(len(sizes))), ticktext=[f"{name} ({size})" for name, size in zip(layer_names, sizes)],
                   range=[-1.1, len(sizes) - 0.7], showgrid=False, zeroline=False, title=_("layer (units)")),
        yaxis=dict(visible=False, range=[-0.05, 1.05]),
    )
    return _layout(fig, _("Network: link colour = sign of the weight, width = its size"), height=460)


def confusion_figure(counts: Confusion, threshold: float, _: Translate = identity) -> go.Figure:
    """2x2 heatmap: rows actual, columns predicted, with counts and row shares written in."""
    matrix = counts.matrix
    shares = matrix / np.maximum(matrix.sum(axis=1, keepdims=True), 1)
    text = [[_("{count}<br>({share} of row)").format(count=f"{matrix[r, c]:,}", share=f"{shares[r, c]:.0%}") for c in range(2)] for r in range(2)]
    fig = go.Figure(go.Heatmap(
        z=matrix, x=[_("predicted: stays"), _("predicted: churns")], y=[_("actual: stays"), _("actual: churns")],
        text=text, texttemplate="%{text}", textfont=dict(size=16), colorscale="Blues", showscale=False,
        hovertemplate="%{y}, %{x}: %{z}<extra></extra>", name=_("customers"),
    ))
    fig.update_layout(yaxis=dict(autorange="reversed", title=_("actual")), xaxis=dict(title=_("predicted"), side="bottom"))
    return _layout(fig, _("Confusion matrix on the test set (threshold {threshold})").format(threshold=f"{threshold:.2f}"),
                   height=360)


def roc_figure(fpr: np.ndarray, tpr: np.ndarray, auc_value: float, point: tuple[float, float], threshold: float,
               _: Translate = identity) -> go.Figure:
    """ROC curve with the chance diagonal and the current threshold's operating point."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=fpr, y=tpr, mode="lines", name=_("network (AUC {auc})").format(auc=f"{auc_value:.3f}"),
                             line=dict(color=TRAIN_COLOR, width=3)))
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name=_("chance (AUC 0.5)"),
                             line=dict(color="#888888", dash="dash")))
    fig.add_trace(go.Scatter(x=[point[0]], y=[point[1]], mode="markers", name=_("threshold {threshold}").format(threshold=f"{threshold:.2f}"),
                             marker=dict(size=14, color=VALIDATION_COLOR, symbol="diamond")))
    fig.update_layout(xaxis=dict(title=_("false-positive rate (stayers flagged)"), range=[0, 1], tickformat=".0%"),
                      yaxis=dict(title=_("true-positive rate (churners caught)"), range=[0, 1.02], tickformat=".0%"))
    return _layout(fig, _("ROC curve on the test set"), height=380)


def history_overlay(runs: Sequence[tuple[str, Sequence[dict]]], metric: str = "loss", _: Translate = identity) -> go.Figure:
    """One line per run of the session: `metric` (and its validation twin, dotted) against epoch."""
    fig = go.Figure()
    for index, (label, history) in enumerate(runs):
        color = RUN_COLORS[index % len(RUN_COLORS)]
        epoch = [row["epoch"] for row in history]
        fig.add_trace(go.Scatter(x=epoch, y=[row.get(metric) for row in history], mode="lines",
                                 name=_("{run} training").format(run=label), line=dict(color=color), legendgroup=label))
        if any("val_" + metric in row for row in history):
            fig.add_trace(go.Scatter(x=epoch, y=[row.get("val_" + metric) for row in history], mode="lines",
                                     name=_("{run} validation").format(run=label), line=dict(color=color, dash="dot"), legendgroup=label))
    title = _("binary cross-entropy loss") if metric == "loss" else _(metric)
    fig.update_layout(xaxis=dict(title=_("epoch")), yaxis=dict(title=title))
    return _layout(fig, _("Runs of this session: {metric} per epoch (dotted = validation)").format(metric=_(metric)),
                   height=400)


def class_balance(y: Sequence[int], _: Translate = identity) -> go.Figure:
    """How many customers stayed and how many churned."""
    y = np.asarray(y).astype(int)
    counts = [int(np.sum(y == 0)), int(np.sum(y == 1))]
    shares = [count / max(len(y), 1) for count in counts]
    fig = go.Figure(go.Bar(x=[_("stayed (0)"), _("churned (1)")], y=counts, marker_color=[TRAIN_COLOR, VALIDATION_COLOR],
                           text=[f"{count:,} ({share:.1%})" for count, share in zip(counts, shares)],
                           textposition="auto", name=_("customers")))
    fig.update_layout(xaxis=dict(title="Exited"), yaxis=dict(title=_("customers")), showlegend=False)
    return _layout(fig, _("Class balance"), height=340)


def churn_rate_bars(table: pd.DataFrame, column: str, overall_rate: float, _: Translate = identity) -> go.Figure:
    """Churn rate per group of one column, with the overall rate as a dashed line."""
    fig = go.Figure(go.Bar(
        x=table["group"].astype(str), y=table["churn_rate"], name=_("churn rate of the group"),
        marker_color=VALIDATION_COLOR, text=[f"{rate:.0%}" for rate in table["churn_rate"]], textposition="auto",
        customdata=np.c_[table["customers"], table["churned"]],
        hovertemplate=_("%{x}: %{y:.1%} (%{customdata[1]} of %{customdata[0]} customers)") + "<extra></extra>",
    ))
    fig.add_trace(go.Scatter(x=table["group"].astype(str), y=[overall_rate] * len(table), mode="lines",
                             name=_("all customers ({rate})").format(rate=f"{overall_rate:.1%}"), line=dict(color="#111827", dash="dash")))
    fig.update_layout(xaxis=dict(title=column, type="category"), yaxis=dict(title=_("churn rate"), tickformat=".0%"))
    return _layout(fig, _("Churn rate by {column}").format(column=column), height=360)


def seed_strip(labels: Sequence[str], values: Sequence[dict[int, float]], metric: str = "test accuracy",
               percent: bool = True, _: Translate = identity) -> go.Figure:
    """One dot per seed for each setting, grey lines joining a seed across settings, and each mean with its 95 % interval.

    `values[i]` maps seed -> score of setting `labels[i]`; `metric` is a msgid ("test accuracy", "AUC"). A seed keeps the same sideways offset in
    every setting, so the joining lines show the pairing the paired test uses.
    """
    from playground.churn import stats

    seeds = sorted({seed for scores in values for seed in scores})
    offset = {seed: (rank / max(len(seeds) - 1, 1) - 0.5) * 0.36 for rank, seed in enumerate(seeds)}
    fig = go.Figure()
    metric = _(metric)
    if len(labels) > 1:
        xs, ys = [], []
        for seed in seeds:
            points = [(i + offset[seed], scores[seed]) for i, scores in enumerate(values) if seed in scores]
            if len(points) > 1:
                xs += [x for x, _ in points] + [None]
                ys += [y for _, y in points] + [None]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", name=_("same seed (split, start weights, shuffle)"),
                                 line=dict(color="#b0b7c3", width=1), hoverinfo="skip"))
    value_format = ".2%" if percent else ".3f"
    for i, (label, scores) in enumerate(zip(labels, values)):
        ordered = sorted(scores)
        fig.add_trace(go.Scatter(
            x=[i + offset[seed] for seed in ordered], y=[scores[seed] for seed in ordered], mode="markers",
            name=_("one training (one seed)"), legendgroup="seeds", showlegend=i == 0,
            marker=dict(size=10, color=RUN_COLORS[i % len(RUN_COLORS)], line=dict(color="white", width=1)),
            customdata=ordered, hovertemplate=label + "<br>" + _("seed {seed}: {value}").format(
                seed="%{customdata}", value=f"%{{y:{value_format}}}") + "<extra></extra>",
        ))
    means, lows, highs, positions = [], [], [], []
    for i, scores in enumerate(values):
        if len(scores) >= 2:
            summary = stats.summarize(list(scores.values()))
            positions.append(i + 0.32)
            means.append(summary.mean)
            lows.append(summary.mean - summary.ci95[0])
            highs.append(summary.ci95[1] - summary.mean)
    if means:
        fig.add_trace(go.Scatter(
            x=positions, y=means, mode="markers", name=_("mean with its {level} interval").format(level="95 %"),
            marker=dict(symbol="diamond", size=13, color="#111827"),
            error_y=dict(type="data", array=highs, arrayminus=lows, color="#111827", thickness=2, width=8),
            hovertemplate=_("mean {value}").format(value=f"%{{y:{value_format}}}") + "<extra></extra>",
        ))
    fig.update_layout(
        xaxis=dict(title=_("setting"), tickvals=list(range(len(labels))), ticktext=list(labels),
                   range=[-0.6, len(labels) - 0.4], zeroline=False),
        yaxis=dict(title=_("{metric} on the test set").format(metric=metric) + (" (%)" if percent else ""),
                   tickformat=".1%" if percent else ".3f"),
    )
    return _layout(fig, _("{metric} per seed: one dot per training").format(metric=metric[0].upper() + metric[1:]),
                   height=420)
