"""Pictures of a decision-boundary run: the output map with the points, the network diagram
(every neuron's own little map, links coloured by sign and sized by weight), and the loss curve.

Pure functions: a `Grid` (the network evaluated over the plane) and points in, a plotly Figure
out. They are redrawn several times a second while training plays, so they stay lean: float32
arrays, few traces, neuron maps as small PNG images.
"""

from __future__ import annotations

import base64
import html
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image, ImageDraw

from playground.boundary import datasets, features
from playground.boundary.datasets import Points
from playground.boundary.network import Network
from playground.boundary.session import Grid
from playground.i18n import N_, Translate, identity

FONT = dict(size=15)
ORANGE, WHITE, BLUE, GREEN = (np.array(c, dtype=float) for c in ((245, 147, 34), (255, 255, 255), (8, 119, 189), (30, 150, 90)))
CLASS_COLOURS = (ORANGE, BLUE, GREEN)
POINT_PARTS = (N_("train"), N_("test"))  # training and test points, translated where shown
CLASS_NAMES = (N_("class 0 (orange)"), N_("class 1 (blue)"), N_("class 2 (green)"))  # translated where shown
DIVERGING = [[0.0, "rgb(245,147,34)"], [0.5, "rgb(255,255,255)"], [1.0, "rgb(8,119,189)"]]
CLICK_TRACE = 0  # when drawing, the boundary map's trace 0 is the invisible grid that takes the clicks


def _f32(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float32)


def _rgb(css: np.ndarray) -> str:
    return "rgb({:.0f},{:.0f},{:.0f})".format(*css)


def diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Values in -1..1 (clipped) to colours: orange at -1, white at 0, blue at +1. Shape (..., 3)."""
    v = np.clip(values, -1.0, 1.0)[..., None]
    return np.where(v < 0, WHITE + (ORANGE - WHITE) * -v, WHITE + (BLUE - WHITE) * v)


def class_rgb(probabilities: np.ndarray) -> np.ndarray:
    """Three class probabilities (..., 3) to a blend of the class colours, paler where unsure."""
    blend = probabilities @ np.stack(CLASS_COLOURS)
    certainty = (probabilities.max(axis=-1, keepdims=True) - 1 / 3) * 1.5  # 0 when 1/3 each, 1 when sure
    return WHITE + (blend - WHITE) * np.clip(certainty, 0, 1)


def image_uri(image: Image.Image, format: str = "PNG", **options) -> str:
    """A PIL image as a data URI (options go to ``Image.save``)."""
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return f"data:image/{format.lower()};base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def png_uri(rgb: np.ndarray) -> str:
    """An (rows, cols, 3) image, row 0 at the bottom of the plane, as a PNG data URI."""
    return image_uri(Image.fromarray(np.flipud(np.clip(rgb, 0, 255)).astype(np.uint8)), compress_level=1)


def map_values(grid: Grid, classes: int, discrete: bool) -> np.ndarray:
    """What the heatmap shows: P(class 1) for two classes, the value for regression."""
    output = grid.output
    if discrete:
        return (output > 0.5).astype(float) if classes == 2 else np.clip(np.round(output), -1, 1)
    return output


def output_image(grid: Grid, classes: int, discrete: bool = False) -> np.ndarray:
    """The output over the plane as colours (rows, cols, 3): orange-white-blue for P(class 1) or
    the value, a blend of the three class colours for three classes."""
    if classes == 3:
        probabilities = grid.output
        if discrete:
            probabilities = np.eye(3)[np.argmax(probabilities, axis=-1)]
        return class_rgb(probabilities)
    values = map_values(grid, classes, discrete)
    return diverging_rgb(values * 2 - 1 if classes == 2 else values)


POINTS_IMAGE_SIDE = 480  # pixels of the map's picture when the points are painted into it (about its size on screen)


def paint_points(picture: np.ndarray, points: Points, parts, extent: list[float], side: int = POINTS_IMAGE_SIDE) -> Image.Image:
    """The output's picture (rows, cols, 3; row 0 at the bottom) scaled to `side` pixels, with the
    points painted on as the map's markers look: discs of the class colour (or the target's) with
    a white edge for training points, squares with a black edge for test points.
    `parts` is [(part, index), ...]. Painted at twice the size and halved, for smooth edges."""
    big = side * 2
    image = Image.fromarray(np.flipud(np.clip(picture, 0, 255)).astype(np.uint8)).resize((big, big), Image.BILINEAR)
    draw = ImageDraw.Draw(image)
    scale = big / (extent[1] - extent[0])
    for part, index in parts:
        xy, labels = points.xy[index], points.labels[index]
        colours = (np.stack(CLASS_COLOURS)[labels.astype(int)] if points.classes else diverging_rgb(labels))
        radius, edge = (4 * 2, 1.2 * 2) if part == "train" else (4.5 * 2, 1.2 * 2)
        outline = (255, 255, 255) if part == "train" else (0, 0, 0)
        for (x, y), colour in zip(xy, colours):
            px, py = (x - extent[0]) * scale, (extent[1] - y) * scale
            box = [px - radius, py - radius, px + radius, py + radius]
            shape = draw.ellipse if part == "train" else draw.rectangle
            shape(box, fill=tuple(int(c) for c in colour), outline=outline, width=round(edge))
    return image.resize((side, side), Image.LANCZOS)


def map_extent(grid: Grid) -> list[float]:
    """The plane the map covers: the grid's first to last cell, edges included."""
    step = float(grid.axis[1] - grid.axis[0])
    return [float(grid.axis[0]) - step / 2, float(grid.axis[-1]) + step / 2]


def _output_title(classes: int, _: Translate) -> str:
    return {2: _("P(class 1)"), 3: _("P(class 0, 1, 2)"), 0: _("predicted value")}[classes]


def _output_low(classes: int) -> float:
    """The colour bar's bottom (its top is 1): a probability's 0, a regression target's -1."""
    return 0.0 if classes == 2 else -1.0


def _points_name(part: str, label: int | None, _: Translate) -> str:
    """A legend entry for one part's points ("train"/"test") of one class (None: a regression's)."""
    if label is None:
        return _("{part} points (colour = target)").format(part=_(part))
    return _("{cls}, {part}").format(cls=_(CLASS_NAMES[label]), part=_(part))


def boundary_map(grid: Grid, points: Points, train_index, test_index, show_test: bool = False,
                 discrete: bool = False, drawing: bool = False, height: int = 560,
                 _: Translate = identity) -> go.Figure:
    """The output over the plane, the training points on top (test points too if asked).

    The output is a PNG layout image (cheaper for the browser to redraw than a heatmap trace, which
    matters at several redraws a second); a two-point invisible trace carries the colour bar. When
    drawing, trace 0 is a grid of invisible markers on every other cell that takes the clicks and
    shows the output value on hover. While training plays, the page shows `live_map_html` instead."""
    axis = grid.axis
    classes = points.classes
    extent = map_extent(grid)
    title = _output_title(classes, _)
    low = _output_low(classes)
    traces = []
    if drawing:  # 41 x 41 invisible click targets (they cost the browser ~100 ms a redraw, so only here)
        coarse = axis[::2]
        cx, cy = np.meshgrid(coarse, coarse)
        if classes == 3:
            customdata = _f32(grid.output[::2, ::2].reshape(-1, 3))
            hover = "P = %{customdata[0]:.2f}, %{customdata[1]:.2f}, %{customdata[2]:.2f}"
        else:
            customdata = _f32(map_values(grid, classes, discrete)[::2, ::2].ravel())
            hover = f"{title} %{{customdata:.3f}}"
        traces.append(dict(
            type="scatter", x=_f32(cx.ravel()), y=_f32(cy.ravel()), mode="markers", name=_("network output"),
            showlegend=False, customdata=customdata,
            hovertemplate=_("click: add a point here") + f"<br>x₁ %{{x:.2f}}, x₂ %{{y:.2f}}<br>{hover}<extra></extra>",
            marker=dict(size=10, opacity=0, color="black"),
            selected=dict(marker=dict(opacity=0)), unselected=dict(marker=dict(opacity=0))))
    traces += [
        dict(type="scatter", x=[None, None], y=[None, None], mode="markers", name=_("network output"), showlegend=False,
             hoverinfo="skip",
             marker=dict(color=[low, 1.0], colorscale=DIVERGING, cmin=low, cmax=1.0, showscale=classes != 3,
                         colorbar=dict(title=dict(text=title, side="right"), thickness=14, len=0.85))),
    ]
    parts = [("train", train_index, "white")] + ([("test", test_index, "black")] if show_test else [])
    image = dict(source=png_uri(output_image(grid, classes, discrete)), xref="x", yref="y", x=extent[0], y=extent[1],
                 sizex=extent[1] - extent[0], sizey=extent[1] - extent[0], sizing="stretch", layer="below")
    for part, index, outline in parts:
        xy, labels = points.xy[index], points.labels[index]
        marker = dict(size=8 if part == "train" else 9, line=dict(width=1.2, color=outline),
                      symbol="circle" if part == "train" else "square")
        if classes:
            for label in range(classes):
                mine = labels == label
                traces.append(dict(
                    type="scatter", x=_f32(xy[mine, 0]), y=_f32(xy[mine, 1]), mode="markers",
                    name=_points_name(part, label, _),
                    marker={**marker, "color": _rgb(CLASS_COLOURS[label])},
                    hovertemplate=_("{part} point of class {label}").format(part=_(part), label=label)
                    + "<br>(%{x:.2f}, %{y:.2f})<extra></extra>"))
        else:
            traces.append(dict(
                type="scatter", x=_f32(xy[:, 0]), y=_f32(xy[:, 1]), mode="markers", name=_points_name(part, None, _),
                marker={**marker, "color": _f32(labels), "colorscale": DIVERGING, "cmin": -1, "cmax": 1},
                hovertemplate=_("{part} point").format(part=_(part)) + "<br>(%{x:.2f}, %{y:.2f})<br>"
                + _("target") + " %{marker.color:.3f}<extra></extra>"))
    # Plain dicts validated once by go.Figure: add_trace/update_layout one by one cost ~10x more,
    # and this figure is rebuilt several times a second while training plays.
    return go.Figure(data=traces, layout=dict(
        images=[image], height=height, font=FONT, margin=dict(l=60, r=10, t=10, b=60), plot_bgcolor="white",
        clickmode="event+select" if drawing else "event", dragmode=False, hovermode="closest",
        legend=dict(orientation="h", yanchor="top", y=-0.13, x=0, font=dict(size=13)),
        xaxis=dict(title=dict(text=_("x₁ (coordinate in the plane)")), range=extent, constrain="domain", showgrid=False, zeroline=False,
                   automargin=False),
        yaxis=dict(title=dict(text=_("x₂ (coordinate)")), range=extent, scaleanchor="x", scaleratio=1, constrain="domain",
                   showgrid=False, zeroline=False, automargin=False),
        uirevision="boundary",
    ))


LIVE_MAP_CSS = """
.bd-map { display: grid; grid-template-columns: 22px 40px minmax(0, 1fr) 78px; max-width: 580px; font-size: 15px;
          color: rgb(42, 63, 95); font-family: "Open Sans", "Noto Sans CJK SC", sans-serif; }
.bd-map .bd-ytitle, .bd-map .bd-ctitle { writing-mode: vertical-rl; text-orientation: sideways; transform: rotate(180deg); text-align: center; white-space: nowrap; }
.bd-map .bd-yticks, .bd-map .bd-xticks, .bd-map .bd-cticks { position: relative; }
.bd-map .bd-yticks span { position: absolute; right: 6px; transform: translateY(50%); }
.bd-map .bd-xticks { height: 24px; }
.bd-map .bd-xticks span { position: absolute; top: 4px; transform: translateX(-50%); }
.bd-map .bd-plot { aspect-ratio: 1 / 1; border: 1px solid #444; box-sizing: border-box; }
.bd-map .bd-plot img { width: 100%; height: 100%; display: block; }
.bd-map .bd-cbar { display: grid; grid-template-columns: 14px 34px 22px; margin-left: 8px; height: 85%; align-self: center; }
.bd-map .bd-cbar .bd-ramp { border: 1px solid #888; }
.bd-map .bd-cticks span { position: absolute; left: 4px; transform: translateY(50%); font-size: 13px; }
.bd-map .bd-ctitle { font-size: 14px; }
.bd-map .bd-xtitle { grid-column: 3; text-align: center; }
.bd-map .bd-legend { grid-column: 2 / 5; display: flex; flex-wrap: wrap; gap: 2px 16px; margin-top: 6px; font-size: 13px; }
.bd-map .bd-legend span { white-space: nowrap; }
.bd-map .bd-legend i { display: inline-block; width: 10px; height: 10px; margin-right: 5px; vertical-align: -1px;
                      box-sizing: border-box; }
.bd-map .bd-legend i.bd-train { border-radius: 50%; border: 1px solid #888; }
.bd-map .bd-legend i.bd-test { border: 1px solid black; }
"""


def _ticks(low: float, high: float, most: int = 7) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 times a power of ten) within low..high, at most `most`."""
    span = high - low
    for step in (s * 10.0 ** e for e in range(-2, 4) for s in (1, 2, 5)):
        if span / step <= most:
            return [round(v, 10) for v in np.arange(np.ceil(low / step) * step, high + 1e-9, step)]
    return [low, high]


def _marker(part: str, colour: str) -> str:
    """A legend's marker, as the map paints its points: a disc (training) or a square with a black
    edge (test). A CSS box: st.html's sanitizer drops inline SVG."""
    return f'<i class="bd-{part}" style="background:{colour}"></i>'


def live_map_html(grid: Grid, points: Points, train_index, test_index, show_test: bool = False,
                  discrete: bool = False, _: Translate = identity) -> str:
    """The output map as plain HTML, for while training plays: the picture, axes, colour bar and
    legend of `boundary_map`, with the points painted into the picture (`paint_points`; they
    were half of a chart's drawing work), as an <img> in a grid of <span>s styled by
    LIVE_MAP_CSS. The points show no hover while playing.

    Why: Streamlit gives a Plotly chart a new element id whenever its figure changes, so the
    browser built the map from scratch at every tick (twice: before and after it knew its width)
    and reached about 4 redraws a second on a 2-core machine. An HTML element keeps its place in
    the page and only swaps its picture's source. Text keeps its pixel size however wide the
    column is; the picture stays square."""
    classes = points.classes
    low, high = map_extent(grid)
    parts = [("train", train_index)] + ([("test", test_index)] if show_test else [])
    picture = paint_points(output_image(grid, classes, discrete), points, parts, [low, high])
    source = image_uri(picture, "JPEG", quality=90)  # 1 ms and ~30 KB; a PNG of it: 20 ms and ~120 KB

    def at(value: float, a: float = low, b: float = high) -> str:
        return f"{100 * (value - a) / (b - a):.2f}%"

    ticks = _ticks(low, high)
    y_ticks = "".join(f'<span style="bottom:{at(v)}">{v:g}</span>' for v in ticks)
    x_ticks = "".join(f'<span style="left:{at(v)}">{v:g}</span>' for v in ticks)
    esc = html.escape
    if classes == 3:
        colour_bar = "<div></div>"
    else:
        title = _output_title(classes, _)
        c_low = _output_low(classes)
        c_ticks = "".join(f'<span style="bottom:{at(v, c_low, 1.0)}">{v:g}</span>'
                          for v in np.linspace(c_low, 1.0, 5))
        ramp = ", ".join(f"{colour} {100 * stop:g}%" for stop, colour in DIVERGING)
        colour_bar = (f'<div class="bd-cbar"><div class="bd-ramp" style="background: linear-gradient(to top, {ramp})">'
                      f'</div><div class="bd-cticks">{c_ticks}</div><div class="bd-ctitle">{esc(title)}</div></div>')
    legend = [_marker(part, _rgb(BLUE if label is None else CLASS_COLOURS[label])) + esc(_points_name(part, label, _))
              for part, _index in parts for label in (range(classes) if classes else [None])]
    return (f'<div class="bd-map" role="img" aria-label="{esc(_("network output"))}">'
            f'<div class="bd-ytitle">{esc(_("x₂ (coordinate)"))}</div><div class="bd-yticks">{y_ticks}</div>'
            f'<div class="bd-plot"><img src="{source}" alt="{esc(_("network output"))}"></div>{colour_bar}'
            f'<div></div><div></div><div class="bd-xticks">{x_ticks}</div><div></div>'
            f'<div class="bd-xtitle">{esc(_("x₁ (coordinate in the plane)"))}</div>'
            f'<div class="bd-legend">{"".join(f"<span>{item}</span>" for item in legend)}</div></div>')


def clicked_point(selection) -> tuple[float, float] | None:
    """The (x1, x2) of a click on the drawing grid, from st.plotly_chart's selection."""
    for point in (selection or {}).get("points") or []:
        if "x" in point and "y" in point and point.get("curve_number") == CLICK_TRACE:
            return round(float(point["x"]), 2), round(float(point["y"]), 2)
    return None


def _neuron_image(values: np.ndarray) -> str:
    scale = max(1.0, float(np.abs(values).max()))  # unbounded (relu) neurons: scaled to their largest value
    return png_uri(diverging_rgb(values / scale))


HEADER_LINE_PX = 17  # one line of a column's caption (13 px font)


def diagram_height(network: Network, feature_ids) -> int:
    """Pixels for the diagram: ~52 a row of neurons, plus room for the captions and the legend."""
    tallest = max(len(feature_ids), *network.architecture.hidden, 1)
    return int(np.clip(150 + 52 * tallest, 330, 560))


def network_diagram(network: Network, feature_ids, grid: Grid, classes: int, height: int | None = None,
                    _: Translate = identity) -> go.Figure:
    """Columns of nodes (inputs, hidden layers, output), each drawn as its own map over the
    plane; links coloured by sign (blue +, orange -) and as wide as the weight is large. Hover
    a link's middle for its weight, a node for its bias.

    The figure does not know how wide it will be drawn (a projector's column: ~60 px a layer), so
    its text is sized in pixels: each caption is two short lines ("layer 1" over "8 × tanh") above
    the tallest column, and with more than four columns every other caption sits two lines
    higher, so neighbours never share a line. The maps keep their square shape ("contain") in
    whatever room their column gets."""
    arch = network.architecture
    sizes = [len(feature_ids), *arch.hidden, 1]
    tallest = max(sizes)
    columns = len(sizes)
    node = 0.78  # node side, in units of the row spacing
    height = height or diagram_height(network, feature_ids)
    staggered = columns > 4
    header_px = HEADER_LINE_PX * (4 if staggered else 2) + 6
    legend_px, margin_px = 30, 10
    row_px = (height - 2 * margin_px - legend_px - header_px) / (tallest + 0.3)  # pixels per row of neurons

    def position(column, row):
        # rows centred vertically; y grows upwards, first row at the top
        return 1.6 * column, (sizes[column] - 1) / 2 - row

    # Built as plain dicts and validated once at the end: add_layout_image/add_trace one by one
    # copies the figure each time (seconds for a big network; this must redraw 5 times a second).
    traces, images, annotations = [], [], []
    maps = [grid.inputs, *grid.hidden, [png_uri(output_image(grid, classes))]]
    for column, column_maps in enumerate(maps):
        for row, values in enumerate(column_maps):
            x, y = position(column, row)
            source = values if isinstance(values, str) else _neuron_image(values)
            images.append(dict(source=source, xref="x", yref="y", x=x, y=y, xanchor="center", yanchor="middle",
                               sizex=node, sizey=node, sizing="contain", layer="above"))
    # links, bucketed by sign and width: a handful of traces instead of one per link
    weights = np.concatenate([k.ravel() for k in network.kernels]) if network.kernels else np.zeros(1)
    biggest = max(float(np.abs(weights).max()), 1e-12)
    buckets: dict[tuple[bool, int], tuple[list, list]] = {}
    mid_x, mid_y, mid_text, mid_colour = [], [], [], []
    names = [[features.FEATURES[f].title for f in feature_ids]] + [
        [_("neuron {neuron} of layer {layer}").format(neuron=j + 1, layer=i + 1) for j in range(n)]
        for i, n in enumerate(arch.hidden)] + [[_("output")]]
    for layer, kernel in enumerate(network.kernels):
        for i in range(kernel.shape[0]):
            for j in range(kernel.shape[1] if layer < len(network.kernels) - 1 else 1):
                w = float(kernel[i, j]) if layer < len(network.kernels) - 1 or classes != 3 else float(kernel[i].mean())
                x0, y0 = position(layer, i)
                x1, y1 = position(layer + 1, j)
                width = int(np.clip(round(1 + 6 * abs(w) / biggest), 1, 7))
                xs, ys = buckets.setdefault((w >= 0, width), ([], []))
                xs += [x0, x1, None]  # centre to centre, under the maps: they meet each map's edge however wide it is drawn
                ys += [y0, y1, None]
                mid_x.append((x0 + x1) / 2)
                mid_y.append((y0 + y1) / 2)
                mid_text.append(f"{names[layer][i]} → {names[layer + 1][j]}<br>" + _("weight {value}").format(value=f"{w:+.3f}"))
                mid_colour.append(_rgb(BLUE if w >= 0 else ORANGE))
    for (positive, width), (xs, ys) in sorted(buckets.items()):
        traces.append(dict(type="scatter", x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False,
                           line=dict(color=_rgb(BLUE if positive else ORANGE), width=width)))
    traces.append(dict(type="scatter", x=mid_x, y=mid_y, mode="markers", name=_("weight (hover)"), text=mid_text,
                       hovertemplate="%{text}<extra></extra>", showlegend=False,
                       marker=dict(size=7, color=mid_colour, opacity=0.6)))
    # node hover: bias
    bx, by, btext = [], [], []
    for layer, bias in enumerate(network.biases):
        for j in range(bias.size if layer < len(network.biases) - 1 else 1):
            x, y = position(layer + 1, j)
            bx.append(x)
            by.append(y)
            value = float(bias[j]) if bias.size > 1 and layer < len(network.biases) - 1 or classes != 3 else float(bias.mean())
            btext.append(f"{names[layer + 1][j]}<br>" + _("bias {value}").format(value=f"{value:+.3f}"))
    traces.append(dict(type="scatter", x=bx, y=by, mode="markers", text=btext, hovertemplate="%{text}<extra></extra>",
                       marker=dict(size=28, opacity=0), showlegend=False))
    for positive in (True, False):  # legend entries for the link colours
        traces.append(dict(type="scatter", x=[None], y=[None], mode="lines",
                           name=_("positive weight") if positive else _("negative weight"),
                           line=dict(color=_rgb(BLUE if positive else ORANGE), width=4)))
    headers = [_("inputs")] + [_("layer {layer}").format(layer=i + 1) + f"<br>{n} × {a}"
                               for i, (n, a) in enumerate(zip(arch.hidden, arch.activations))] + [
        _("output") + f"<br>{arch.output_activation}"]
    top = (tallest - 1) / 2 + 0.5  # the tallest column's top edge, a little above its maps
    for column, text in enumerate(headers):
        raised = staggered and column % 2 == 1
        annotations.append(dict(x=1.6 * column, y=top, text=text, showarrow=False, font=dict(size=13), yanchor="bottom",
                                yshift=2 * HEADER_LINE_PX if raised else 0))
    bottom = -(tallest - 1) / 2 - 0.65
    return go.Figure(data=traces, layout=dict(
        images=images, annotations=annotations, height=height, font=FONT, plot_bgcolor="white", hovermode="closest",
        margin=dict(l=margin_px, r=margin_px, t=margin_px, b=margin_px + legend_px),
        dragmode=False, legend=dict(orientation="h", yanchor="top", y=0.0, x=0, font=dict(size=13)),
        xaxis=dict(visible=False, range=[-0.6, 1.6 * (columns - 1) + 0.6]),
        yaxis=dict(visible=False, range=[bottom, top + header_px / row_px]),
        uirevision="network",
    ))


def loss_curve(history: list[dict], max_points: int = 600, height: int = 300, _: Translate = identity) -> go.Figure:
    """Train and test loss per epoch (the data loss, without the penalty)."""
    rows = history[:: max(1, len(history) // max_points)]
    if rows[-1] is not history[-1]:
        rows = [*rows, history[-1]]
    epochs = _f32([row["epoch"] for row in rows])
    traces = [dict(type="scatter", x=epochs, y=_f32([row[key] for row in rows]), mode="lines", name=name,
                   line=dict(width=3, dash=dash, color=colour),
                   hovertemplate=_("epoch") + f" %{{x:.0f}}<br>{name} %{{y:.4f}}<extra></extra>")
              for key, name, dash, colour in (("train_loss", _("training loss"), "solid", "#222222"),
                                              ("test_loss", _("test loss"), "dash", "#7f7f7f"))]
    return go.Figure(data=traces, layout=dict(
        height=height, font=FONT, margin=dict(l=60, r=10, t=10, b=50), plot_bgcolor="white",
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=0),
        xaxis=dict(title=dict(text=_("epoch (passes over the training points)")), rangemode="tozero", gridcolor="#eeeeee",
                   automargin=False),
        yaxis=dict(title=dict(text=_("loss (mean per point)")), rangemode="tozero", gridcolor="#eeeeee", automargin=False),
    ))
