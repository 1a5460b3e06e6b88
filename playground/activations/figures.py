"""Figures and tables for the Activations page: pure functions, data in, plotly/pandas out.

Every trace carries `meta = {"activation": id, "kind": ...}` so tests (and readers of the JSON)
can tell f, f', tangents and points apart without parsing legend text. Every builder takes `_`,
the session's translation function (playground.i18n), and shows English without it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from playground.activations import functions as activations
from playground.i18n import Translate, identity

FONT = dict(size=15)
PALETTE = qualitative.Dark24
PRIME = "\u2032"  # the prime in f′


def color(name: str) -> str:
    """A fixed colour per activation, so it keeps its colour in every chart and selection."""
    return PALETTE[activations.names().index(name) % len(PALETTE)]


@dataclass(frozen=True)
class Curve:
    """One activation evaluated on a grid, plus the point inspector's values at x0."""

    name: str
    title: str
    x: np.ndarray
    y: np.ndarray
    dy: np.ndarray
    x0: float
    f_x0: float
    grad_x0: float


def curves(
    chosen: dict[str, dict], x_range: tuple[float, float], x0: float, points: int = 601, _: Translate = identity
) -> list[Curve]:
    """Evaluate each chosen activation (id -> params) and its derivative on the range and at x0."""
    low, high = x_range
    if not low < high:
        raise ValueError(f"the x-range must have low < high, got {x_range}")
    x = np.linspace(low, high, points)
    x = np.union1d(x, [0.0]) if low < 0 < high else x  # include the kink at 0 exactly
    result = []
    for name, params in chosen.items():
        entry = activations.get(name)
        result.append(
            Curve(
                name=name,
                title=_(entry.title),
                x=x,
                y=entry.fn(x, **params),
                dy=entry.grad(x, **params),
                x0=float(x0),
                f_x0=float(entry.fn(x0, **params)),
                grad_x0=float(entry.grad(x0, **params)),
            )
        )
    return result


def _padded_range(arrays: list[np.ndarray]) -> list[float]:
    values = np.concatenate([a[np.isfinite(a)] for a in arrays]) if arrays else np.array([0.0, 1.0])
    low, high = float(values.min()), float(values.max())
    pad = 0.08 * (high - low) if high > low else 0.5
    return [low - pad, high + pad]


def _figure(data: list[dict], layout: dict) -> go.Figure:
    """A Figure from plain dicts, skipping plotly's per-property validation.

    With all 16 activations the chart has ~50 traces, and validating them costs more than the
    rest of the page's rerun. The dicts are checked once in the tests instead
    (tests/test_activations_figures.py rebuilds every figure with validation on).
    """
    return go.Figure(data=data, layout=layout, _validate=False)


def _axis(title: str, **extra) -> dict:
    return dict(title=dict(text=title), **extra)


def function_figure(
    curve_list: list[Curve], derivative: str = "overlay", tangent: bool = True, _: Translate = identity
) -> go.Figure:
    """f solid and f' dashed in the same colour; `derivative` is "overlay" (same axes) or "panel".

    With tangent=True, each f gets the tangent line y = f(x0) + f'(x0)(x - x0) (dotted) and a
    marker at (x0, f(x0)); each f' a diamond at (x0, f'(x0)).
    """
    if derivative not in ("overlay", "panel"):
        raise ValueError(f"derivative must be 'overlay' or 'panel', got {derivative!r}")
    panel = derivative == "panel"
    grad_axes = dict(xaxis="x2", yaxis="y2") if panel else {}
    data = []
    for c in curve_list:
        colour = color(c.name)
        data.append(dict(type="scatter", x=c.x, y=c.y, mode="lines", name=c.name, legendgroup=c.name,
                         line=dict(color=colour, width=3), meta={"activation": c.name, "kind": "f"}))  # fmt: skip
        data.append(dict(type="scatter", x=c.x, y=c.dy, mode="lines", name=f"{c.name}{PRIME}",
                         legendgroup=c.name, line=dict(color=colour, width=2, dash="dash"),
                         meta={"activation": c.name, "kind": "grad"}, **grad_axes))  # fmt: skip
        if tangent:
            span = (c.x[-1] - c.x[0]) / 6
            tx = np.array([c.x0 - span, c.x0 + span])
            data.append(dict(type="scatter", x=tx, y=c.f_x0 + c.grad_x0 * (tx - c.x0), mode="lines",
                             name=_("{function} tangent at x0").format(function=c.title), legendgroup=c.name, showlegend=False,
                             line=dict(color=colour, width=1.5, dash="dot"), hoverinfo="skip",
                             meta={"activation": c.name, "kind": "tangent"}))  # fmt: skip
    if tangent and curve_list:
        # One trace for all the points at x0 (colour per point): fewer traces, faster page.
        colours = [color(c.name) for c in curve_list]
        ids = [c.name for c in curve_list]
        data.append(dict(type="scatter", x=[c.x0 for c in curve_list], y=[c.f_x0 for c in curve_list],
                         mode="markers", name="f(x0)", showlegend=False, text=[c.title for c in curve_list],
                         marker=dict(color=colours, size=11, line=dict(color="white", width=1.5)),
                         hovertemplate="%{text}<br>x0 = %{x:.4g}<br>f(x0) = %{y:.4g}<extra></extra>",
                         meta={"activations": ids, "kind": "point"}))  # fmt: skip
        data.append(dict(type="scatter", x=[c.x0 for c in curve_list], y=[c.grad_x0 for c in curve_list],
                         mode="markers", name=f"f{PRIME}(x0)", showlegend=False, text=[c.title for c in curve_list],
                         marker=dict(color=colours, size=9, symbol="diamond"),
                         hovertemplate=f"%{{text}}<br>x0 = %{{x:.4g}}<br>f{PRIME}(x0) = %{{y:.4g}}<extra></extra>",
                         meta={"activations": ids, "kind": "grad_point"}, **grad_axes))  # fmt: skip

    x_title = _("input x (pre-activation)")
    # Axis ranges come from the curves only, so a steep tangent never squashes the picture.
    f_range = _padded_range([c.y for c in curve_list] + ([] if panel else [c.dy for c in curve_list]))
    layout = dict(
        font=FONT,
        height=640 if panel else 520,
        margin=dict(l=70, r=20, t=40, b=60),
        legend=dict(title=dict(text=_("f solid, f′ dashed")), font=dict(size=13)),
        hovermode="closest",
        template="plotly_white",
    )
    x0_line = dict(type="line", xref="x", yref="paper", y0=0, y1=1, line=dict(color="grey", width=1, dash="dot"))
    if panel:
        layout.update(
            xaxis=_axis("", anchor="y", showticklabels=False, matches="x2"),
            yaxis=_axis("f(x)", domain=[0.54, 1.0], range=f_range),
            xaxis2=_axis(x_title, anchor="y2"),
            yaxis2=_axis(f"f{PRIME}(x)", domain=[0.0, 0.46], range=_padded_range([c.dy for c in curve_list])),
        )
    else:
        layout.update(xaxis=_axis(x_title), yaxis=_axis(_("f(x) and f′(x)"), range=f_range))
    if curve_list:
        layout["shapes"] = [dict(x0_line, x0=curve_list[0].x0, x1=curve_list[0].x0)]
    return _figure(data, layout)


def properties_row(name: str, params: dict | None = None, _: Translate = identity) -> dict[str, str]:
    """The derived properties of one activation with `params`, as display text (one table row)."""
    p = activations.properties(name, **(params or {}))
    yes_no = {True: _("yes"), False: _("no")}
    return {
        _("function"): _(activations.get(name).title),
        _("output range"): p.output_range,
        _("monotonic"): yes_no[p.monotonic],
        _("zero-centred"): _("{answer} (mean {mean})").format(answer=yes_no[p.zero_centred], mean=f"{p.mean_output:+.2f}"),
        _("smooth (C¹)"): yes_no[p.smooth],
        _("bounded"): _(p.bounded),
        _("saturating"): _(p.saturating),
        f"f{PRIME}(0)": f"{p.grad_at_zero:.4g}",
        _("Keras name"): p.keras_name or "—",
    }


def properties_table(chosen: dict[str, dict], _: Translate = identity) -> pd.DataFrame:
    """One row per chosen activation (id -> params)."""
    return pd.DataFrame([properties_row(name, params, _) for name, params in chosen.items()])


def softmax_figure(logits: np.ndarray, temperature: float, _: Translate = identity) -> go.Figure:
    """Bars of p = softmax(z / T), labelled with the logits that produced them."""
    probabilities = activations.softmax(logits, temperature)
    labels = [f"z{i + 1}<br>{z:.2g}" for i, z in enumerate(logits)]  # two short lines fit a narrow column
    bars = dict(type="bar", x=labels, y=probabilities, name=f"p = softmax(z / T), T = {temperature:g}",
                text=[f"{p:.3f}" for p in probabilities], textposition="outside", showlegend=True,
                marker=dict(color=list(PALETTE[: len(logits)])), meta={"kind": "softmax"})  # fmt: skip
    layout = dict(
        font=FONT, height=400, template="plotly_white", showlegend=True,
        legend=dict(orientation="h", y=1.14, x=0), margin=dict(l=60, r=10, t=60, b=70),
        yaxis=_axis(_("probability pᵢ"), range=[0, 1.12]), xaxis=_axis(_("class i")),
    )  # fmt: skip
    return _figure([bars], layout)


def jacobian_figure(logits: np.ndarray, temperature: float, _: Translate = identity) -> go.Figure:
    """Heatmap of J[i, j] = d p_i / d z_j: positive on the diagonal, negative off it."""
    jacobian = activations.softmax_jacobian(logits, temperature)
    bound = max(float(np.abs(jacobian).max()), 1e-12)
    heatmap = dict(type="heatmap", z=jacobian, x=[f"z{j + 1}" for j in range(len(logits))],
                   y=[f"p{i + 1}" for i in range(len(logits))], colorscale="RdBu", zmid=0, zmin=-bound, zmax=bound,
                   texttemplate="%{z:.3f}", textfont=dict(size=14), name="∂pᵢ/∂zⱼ", colorbar=dict(title=dict(text="∂pᵢ/∂zⱼ")),
                   meta={"kind": "jacobian"})  # fmt: skip
    layout = dict(
        font=FONT, height=400, template="plotly_white", margin=dict(l=70, r=20, t=30, b=60),
        yaxis=_axis(_("output pᵢ"), autorange="reversed"), xaxis=_axis(_("logit zⱼ")),
    )  # fmt: skip
    return _figure([heatmap], layout)


def vanishing_figure(norms: dict[str, np.ndarray], relative: bool = True, _: Translate = identity) -> go.Figure:
    """Gradient norm per layer on a log axis (layer 1 = nearest the input).

    relative=True divides each line by its last layer's norm, so every line starts at 1 at the top
    and its slope is the loss of gradient per layer. Exactly-zero gradients (the step function)
    cannot sit on a log axis and are left out (NaN).
    """
    data = []
    for name, values in norms.items():
        values = np.asarray(values, dtype=float)
        if relative and values[-1] > 0:
            values = values / values[-1]
        data.append(dict(type="scatter", x=np.arange(1, values.size + 1), y=np.where(values > 0, values, np.nan),
                         mode="lines+markers", name=name, line=dict(color=color(name), width=2.5),
                         marker=dict(size=5), meta={"activation": name, "kind": "gradient_norm"}))  # fmt: skip
    title = _("‖∂L/∂W‖ ÷ last layer's") if relative else "‖∂L/∂W‖"
    layout = dict(
        font=FONT, height=480, template="plotly_white", margin=dict(l=80, r=20, t=30, b=60),
        legend=dict(title=dict(text=_("activation"))), showlegend=True,
        yaxis=_axis(title, type="log", exponentformat="power"),
        xaxis=_axis(_("layer (1 = nearest the input)")),
    )  # fmt: skip
    return _figure(data, layout)


def inspector_table(curve_list: list[Curve], _: Translate = identity) -> pd.DataFrame:
    """f(x0), f'(x0) and the tangent line y = f(x0) + f'(x0)(x - x0) for each curve."""
    return pd.DataFrame(
        [
            {
                _("function"): c.title,
                "x0": c.x0,
                "f(x0)": c.f_x0,
                f"f{PRIME}(x0)": c.grad_x0,
                _("tangent line"): _tangent_text(c),
            }
            for c in curve_list
        ]
    )


def _tangent_text(c: Curve) -> str:
    """y = f(x0) + f'(x0)·(x − x0), with signs folded: 'y = 0.5 − 0.25·(x + 1.5)'."""
    slope_sign = "+" if c.grad_x0 >= 0 else "−"
    shift = f"x − {c.x0:g}" if c.x0 > 0 else (f"x + {-c.x0:g}" if c.x0 < 0 else "x")
    return f"y = {c.f_x0:.4g} {slope_sign} {abs(c.grad_x0):.4g}·({shift})".replace("y = -", "y = −")
