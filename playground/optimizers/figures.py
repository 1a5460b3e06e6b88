"""Figures of an optimizer race: animated contour with paths, 3D surface, loss curves.

Pure functions: a Surface and a RaceResult in, a plotly Figure out. The animation runs in the
browser (plotly frames, play/pause, step slider): the contour sits in the base figure once,
each frame carries only the moving traces (paths so far, heads, stop marks), in float32.
Every builder takes `_`, the session's translation function (playground.i18n).
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
import plotly.graph_objects as go
from plotly.colors import sequential

from playground.i18n import Translate, identity
from playground.optimizers.race import RaceResult
from playground.optimizers.surfaces import Surface

COLOURS = ("#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#111111")
FONT = dict(size=15)
LOG_FLOOR = 1e-3  # contour colours use log10(loss - min + floor) on steep surfaces
LOSS_FLOOR = 1e-12  # the loss plot's log axis cannot show 0: gaps below this are drawn at it
MAX_FRAMES = 200
CLICK_TRACE = 0  # index of the transparent clickable grid in race_contour's figure
BLUES = np.array([[int(c) for c in colour[4:-1].split(",")] for colour in sequential.Blues], dtype=float)


def colour(run: int) -> str:
    return COLOURS[run % len(COLOURS)]


def display_values(surface: Surface, loss: np.ndarray) -> np.ndarray:
    """What the colours show: the loss, or log10 of its gap to the minimum on steep surfaces."""
    if surface.log_colour:
        return np.log10(np.maximum(loss - surface.min_value, 0.0) + LOG_FLOOR)
    return loss


def _colourbar(surface: Surface, values: np.ndarray, _: Translate = identity) -> dict:
    if not surface.log_colour:
        return dict(title=dict(text=_("loss"), side="right"))
    exponents = np.arange(np.ceil(values.min()), np.floor(values.max()) + 1)
    return dict(
        title=dict(text=_("loss − min (log)"), side="right"),
        tickvals=exponents.tolist(),
        ticktext=[f"{10.0 ** e:g}" for e in exponents],
    )


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _frame_steps(steps: int, max_frames: int, runs: int = 4) -> list[int]:
    """Steps that get a frame: every step up to `max_frames` frames for four runs; more runs or
    steps thin the frames out, since the JSON grows with runs x frames x path length."""
    stride = max(1, -(-steps // max_frames), -(-steps * runs // (max_frames * 4)))
    marks = list(range(0, steps + 1, stride))
    if marks[-1] != steps:
        marks.append(steps)
    return marks


def _moving_traces(result: RaceResult, step: int, stride: int) -> list[dict]:
    """Per run: the path up to `step` (every `stride`-th point) and the head; then, for each
    run that diverges, its stop mark (empty before the stop). Plain dicts: validating
    thousands of go.Scatter objects would cost a second per figure."""
    traces, marks = [], []
    for r in range(len(result.specs)):
        points = result.paths[r, : step + 1 : stride]
        if step % stride:
            points = np.vstack([points, result.paths[r, step]])
        head = result.paths[r, step]
        traces += [dict(x=_f32(points[:, 0]), y=_f32(points[:, 1])), dict(x=_f32(head[:1]), y=_f32(head[1:]))]
        if result.stopped_at[r]:
            shown = step >= result.stopped_at[r]
            marks.append(dict(x=_f32(head[:1] if shown else []), y=_f32(head[1:] if shown else [])))
    return traces + marks


def _png_data_uri(rgb: np.ndarray) -> str:
    """A (height, width, 3) uint8 array as a PNG data URI (zlib only; no imaging library)."""
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))
    return "data:image/png;base64," + base64.b64encode(png).decode()


def contour_image(surface: Surface, pixels: int = 320, levels: int = 24) -> tuple[str, float, float]:
    """The filled contour of the surface as a PNG (top row = largest y), with its colour range.

    Why an image and not a go.Contour trace: Streamlit's bundled plotly.js drops a contour trace
    the first time an animation frame is drawn, while layout images stay put.
    """
    (x0, x1), (y0, y1) = surface.bounds
    xs, ys = np.linspace(x0, x1, pixels), np.linspace(y1, y0, pixels)
    shown = display_values(surface, surface.f(xs[None, :], ys[:, None]))
    low, high = float(shown.min()), float(shown.max())
    level = np.clip(((shown - low) / (high - low or 1.0) * levels).astype(int), 0, levels - 1)
    # Colour of each band: the Blues scale at the band's middle, linearly interpolated.
    position = (np.arange(levels) + 0.5) / levels * (len(BLUES) - 1)
    lower = np.floor(position).astype(int)
    upper = np.minimum(lower + 1, len(BLUES) - 1)
    band = BLUES[lower] + (BLUES[upper] - BLUES[lower]) * (position - lower)[:, None]
    rgb = band[level]
    # Iso-lines: darken pixels whose band differs from the neighbour to the right or below.
    edge = np.zeros(level.shape, dtype=bool)
    edge[:, :-1] |= level[:, :-1] != level[:, 1:]
    edge[:-1, :] |= level[:-1, :] != level[1:, :]
    rgb[edge] *= 0.75
    return _png_data_uri(np.round(rgb).astype(np.uint8)), low, high


def race_contour(
    surface: Surface,
    result: RaceResult,
    click_grid: int = 25,
    max_frames: int = MAX_FRAMES,
    height: int = 620,
    _: Translate = identity,
) -> go.Figure:
    """Contour of the surface with every run's path, animated step by step.

    The contour is a layout image. Trace order: 0 clickable grid (transparent points that carry
    the colour bar and the hover loss, for choosing a start with a click), 1 minima, 2 starts,
    then per run a path and a head, then a stop mark per diverged run.
    """
    image, low, high = contour_image(surface)
    (x0, x1), (y0, y1) = surface.bounds
    fig = go.Figure()
    fig.add_layout_image(source=image, xref="x", yref="y", x=x0, y=y1, sizex=x1 - x0, sizey=y1 - y0,
                         sizing="stretch", layer="below")
    cx, cy = np.meshgrid(np.linspace(x0, x1, click_grid), np.linspace(y0, y1, click_grid))
    grid_loss = surface.f(cx.ravel(), cy.ravel())
    fig.add_trace(go.Scatter(
        x=_f32(cx.ravel()), y=_f32(cy.ravel()), mode="markers", name=_("click to start here"), showlegend=False,
        marker=dict(size=14, opacity=0, color=_f32(display_values(surface, grid_loss)), colorscale="Blues",
                    cmin=low, cmax=high, showscale=True, colorbar=_colourbar(surface, np.array([low, high]), _)),
        customdata=_f32(grid_loss),
        hovertemplate=_("click to start here: (%{x:.2f}, %{y:.2f})<br>loss %{customdata:.4g}") + "<extra></extra>",
        selected=dict(marker=dict(opacity=0.35)), unselected=dict(marker=dict(opacity=0)),
    ))
    minima = np.array(surface.minima)
    fig.add_trace(go.Scatter(
        x=minima[:, 0], y=minima[:, 1], mode="markers", name=_("minimum"),
        marker=dict(symbol="star", size=16, color="gold", line=dict(width=1.5, color="black")),
        hovertemplate=_("minimum (%{x:.3f}, %{y:.3f})") + "<extra></extra>",
    ))
    starts = result.paths[:, 0]
    fig.add_trace(go.Scatter(
        x=starts[:, 0], y=starts[:, 1], mode="markers", name=_("start"),
        marker=dict(symbol="circle-open", size=14, color="black", line=dict(width=3)),
        hovertemplate=_("start (%{x:.2f}, %{y:.2f})") + "<extra></extra>",
    ))
    labels = result.run_labels(_)
    unselected = dict(marker=dict(opacity=1))
    for r, label in enumerate(labels):
        c = colour(r)
        fig.add_trace(go.Scatter(mode="lines", name=f"{r + 1}: {label}", legendgroup=str(r),
                                 line=dict(color=c, width=3), hoverinfo="skip", unselected=unselected))
        fig.add_trace(go.Scatter(mode="markers", legendgroup=str(r), showlegend=False, unselected=unselected,
                                 marker=dict(size=13, color=c, line=dict(width=2, color="white")),
                                 hovertemplate=_("run {run}: (%{{x:.3f}}, %{{y:.3f}})").format(run=r + 1)
                                 + "<extra></extra>"))
    for r in result.diverged():
        fig.add_trace(go.Scatter(mode="markers+text", legendgroup=str(r), showlegend=False, unselected=unselected,
                                 marker=dict(symbol="x", size=18, color=colour(r), line=dict(width=2, color="black")),
                                 text=[_("diverged at step {step}").format(step=int(result.stopped_at[r]))],
                                 textposition="top center",
                                 textfont=dict(color=colour(r), size=14), hoverinfo="skip"))
    moving = list(range(3, len(fig.data)))

    marks = _frame_steps(result.steps, max_frames, len(result.specs))
    stride = marks[1] - marks[0] if len(marks) > 1 else 1
    # The base figure shows the finished race at full resolution; frames replay it.
    for index, trace in zip(moving, _moving_traces(result, result.steps, 1)):
        fig.data[index].update(trace)
    fig.frames = [dict(name=str(step), data=_moving_traces(result, step, stride), traces=moving) for step in marks]
    frame_args = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    fig.update_layout(
        updatemenus=[dict(
            type="buttons", direction="left", showactive=False, x=0.0, y=-0.13, xanchor="left", yanchor="top",
            pad=dict(t=0, r=0), font=dict(size=14),
            buttons=[
                dict(label="▶ " + _("Play"), method="animate",
                     args=[None, dict(mode="immediate", fromcurrent=True, frame=dict(duration=60, redraw=True),
                                      transition=dict(duration=0))]),
                dict(label="❚❚ " + _("Pause"), method="animate", args=[[None], frame_args]),
            ],
        )],
        sliders=[dict(
            active=len(marks) - 1, x=0.27, len=0.73, y=-0.08, yanchor="top", pad=dict(t=10, b=0),
            currentvalue=dict(prefix=_("step") + " ", xanchor="right", font=dict(size=15)), font=dict(size=12),
            steps=[dict(label=str(step), method="animate", args=[[str(step)], frame_args]) for step in marks],
        )],
    )
    xt, yt = map(_, surface.axis_titles)
    fig.update_layout(
        height=height, font=FONT, margin=dict(l=60, r=20, t=70, b=120), clickmode="event+select",
        legend=dict(orientation="h", yanchor="bottom", y=1.01, x=0, font=dict(size=14)),
        xaxis=dict(title=dict(text=xt), range=list(surface.bounds[0]), constrain="domain"),
        yaxis=dict(title=dict(text=yt), range=list(surface.bounds[1]), scaleanchor="x", scaleratio=1,
                   constrain="domain"),
        hovermode="closest", plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=False, zeroline=False)
    fig.update_yaxes(showgrid=False, zeroline=False)
    return fig


def surface_3d(
    surface: Surface, result: RaceResult | None = None, grid: int = 60, height: int = 620, _: Translate = identity
) -> go.Figure:
    """The loss as a 3D surface, with each run's path lying on it (clipped to the plotted box)."""
    xs, ys, loss = surface.grid(grid)
    shown = display_values(surface, loss)
    fig = go.Figure(go.Surface(x=xs, y=ys, z=shown, colorscale="Blues", opacity=0.92, showscale=True,
                               colorbar=_colourbar(surface, shown, _), name=_("loss"), hoverinfo="skip"))
    lift = 0.01 * float(np.ptp(shown))
    if result is not None:
        (x0, x1), (y0, y1) = surface.bounds
        for r, label in enumerate(result.run_labels(_)):
            end = int(result.stopped_at[r]) or result.steps
            px = np.clip(result.paths[r, : end + 1, 0], x0, x1)
            py = np.clip(result.paths[r, : end + 1, 1], y0, y1)
            pz = np.clip(display_values(surface, surface.f(px, py)), shown.min(), shown.max()) + lift
            fig.add_trace(go.Scatter3d(x=_f32(px), y=_f32(py), z=_f32(pz), mode="lines", name=f"{r + 1}: {label}",
                                       line=dict(color=colour(r), width=6)))
    xt, yt = map(_, surface.axis_titles)
    fig.update_layout(
        height=height, font=FONT, margin=dict(l=0, r=0, t=40, b=0),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14)),
        scene=dict(xaxis_title=xt, yaxis_title=yt,
                   zaxis_title=_("log10(loss − min)") if surface.log_colour else _("loss"),
                   xaxis=dict(range=list(surface.bounds[0])), yaxis=dict(range=list(surface.bounds[1]))),
    )
    return fig


def loss_curves(result: RaceResult, height: int = 420, _: Translate = identity) -> go.Figure:
    """Loss minus the minimum loss against step, log axis, one line per run (up to its stop)."""
    fig = go.Figure()
    gap = np.maximum(result.losses - result.surface.min_value, LOSS_FLOOR)
    for r, label in enumerate(result.run_labels(_)):
        end = int(result.stopped_at[r]) - 1 if result.stopped_at[r] else result.steps
        fig.add_trace(go.Scatter(x=np.arange(end + 1), y=gap[r, : end + 1], mode="lines", name=f"{r + 1}: {label}",
                                 line=dict(color=colour(r), width=2.5)))
        if result.stopped_at[r]:
            fig.add_trace(go.Scatter(x=[end], y=[gap[r, end]], mode="markers", showlegend=False,
                                     marker=dict(symbol="x", size=14, color=colour(r)),
                                     hovertemplate=_("run {run} diverged at step {step}").format(run=r + 1, step=end + 1)
                                     + "<extra></extra>"))
    fig.update_layout(
        height=height, font=FONT, margin=dict(l=70, r=20, t=40, b=60),
        xaxis=dict(title=dict(text=_("step"))),
        yaxis=dict(title=dict(text=_("loss − minimum loss (log scale)")), type="log", exponentformat="power"),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0, font=dict(size=14)),
        plot_bgcolor="white",
    )
    fig.update_xaxes(showgrid=True, gridcolor="#ddd")
    fig.update_yaxes(showgrid=True, gridcolor="#ddd")
    return fig


def json_size(fig: go.Figure) -> int:
    """Bytes of the figure's JSON, what Streamlit sends to the browser."""
    return len(fig.to_json().encode())
