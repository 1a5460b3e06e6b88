"""Plotly figures of the Neuron & backprop page: pure functions, data in, Figure out.

Every builder takes `_`, the session's translation function (playground.i18n).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from playground.i18n import Translate, identity
from playground.neuron.backprop import Pass, parameter_names
from playground.neuron.perceptron import LayerCount, NeuronOutput, PerceptronVisit, layer_names

FONT = dict(size=15, color="#111827")
POSITIVE, NEGATIVE = "#1f77b4", "#d62728"  # weight colours: blue for w > 0, red for w < 0
NODE = dict(size=46, color="#f5f5f5", line=dict(color="#333", width=2))


class _Sketch:
    """Collects traces and annotations, then builds the Figure once.

    Plotly re-validates every annotation on each `fig.add_annotation`, so a diagram with 25 labels
    built that way costs ~150 ms; building in one go costs a fraction of it.
    """

    def __init__(self):
        self.traces, self.annotations, self.layout = [], [], {}

    def add_trace(self, trace):
        self.traces.append(trace)

    def add_annotation(self, **annotation):
        self.annotations.append(annotation)

    def update_layout(self, **layout):
        self.layout.update(layout)

    def figure(self) -> go.Figure:
        return go.Figure(data=self.traces, layout=dict(self.layout, annotations=self.annotations))


def _diagram_layout(fig: _Sketch, title: str, height: int, x_range, y_range) -> go.Figure:
    """No axes on a diagram: the positions carry no units. The legend sits in its own margin below
    the drawing (it wraps to three rows in a narrow column and used to cover the bottom nodes)."""
    axis = dict(visible=False, fixedrange=True)
    fig.update_layout(
        title=title, height=height + 70, font=FONT, margin=dict(l=10, r=10, t=60, b=80),
        xaxis=dict(axis, range=x_range), yaxis=dict(axis, range=y_range),
        plot_bgcolor="white", legend=dict(orientation="h", yanchor="top", y=-0.01, x=0),
    )  # fmt: skip
    return fig.figure()


def _edge(fig, x0, y0, x1, y1, weight, name, showlegend, max_abs=1.0):
    """A connection drawn with width ~ |w| and colour ~ sign(w)."""
    colour = POSITIVE if weight >= 0 else NEGATIVE
    width = 1.5 + 6 * min(abs(weight) / max(max_abs, 1e-12), 1.0)
    fig.add_trace(
        go.Scatter(
            x=[x0, x1], y=[y0, y1], mode="lines", line=dict(color=colour, width=width), hoverinfo="skip",
            name=name, legendgroup=name, showlegend=showlegend,
        )
    )  # fmt: skip


def _sign_edges(fig, edges, _: Translate = identity):
    """Draw (x0, y0, x1, y1, w) edges, one legend entry per sign."""
    max_abs = max((abs(e[4]) for e in edges), default=1.0) or 1.0
    shown = set()
    for x0, y0, x1, y1, w in edges:
        name = _("positive weight") if w >= 0 else _("negative weight")
        _edge(fig, x0, y0, x1, y1, w, name, name not in shown, max_abs)
        shown.add(name)


def neuron_diagram(result: NeuronOutput, activation_label: str, _: Translate = identity) -> go.Figure:
    """Inputs -> weighted edges -> sum node (z) -> activation node (a) -> output."""
    n = result.inputs.size
    ys = np.linspace(1, -1, n) if n > 1 else np.array([0.0])
    fig = _Sketch()
    edges = [(0, y, 2, 0, w) for y, w in zip(ys, result.weights)] + [(1, -1.3, 2, 0, result.bias)]
    _sign_edges(fig, edges, _)
    fig.add_trace(go.Scatter(x=[2, 3], y=[0, 0], mode="lines", line=dict(color="#555", width=2),
                             showlegend=False, hoverinfo="skip"))  # fmt: skip
    fig.add_trace(go.Scatter(x=[3, 3.9], y=[0, 0], mode="lines", line=dict(color="#555", width=2),
                             showlegend=False, hoverinfo="skip"))  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[0] * n + [1], y=[*ys, -1.3], mode="markers+text", marker=NODE, name=_("inputs (and bias 1)"),
            text=[f"x{i + 1}={x:.2f}" for i, x in enumerate(result.inputs)] + ["1"],
            # Above the node, not beside it: plotly does not widen the axis range for text, and a
            # label left of the node was cut at the figure's edge on a narrow (projector) column.
            textposition=["top center"] * n + ["middle center"],
        )
    )  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[2, 3], y=[0, 0], mode="markers+text", name=_("neuron: sum, then activation"),
            marker=dict(NODE, size=64, color="#fff3cd"), text=["Σ", "f"], textfont=dict(size=22),
            customdata=[[result.z], [result.a]], hovertemplate="%{customdata[0]:.6g}<extra></extra>",
        )
    )  # fmt: skip
    for y, w, i in zip(ys, result.weights, range(n)):
        fig.add_annotation(x=1.0, y=y / 2 + 0.12, text=f"w{i + 1} = {w:.2f}", showarrow=False, font=FONT,
                           bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    fig.add_annotation(x=1.55, y=-0.8, text=f"b = {result.bias:.2f}", showarrow=False, font=FONT,
                       bgcolor="rgba(255,255,255,0.8)")  # fmt: skip
    fig.add_annotation(x=2, y=0.55, text=f"z = {result.z:.4g}", showarrow=False, font=FONT)
    fig.add_annotation(x=3, y=-0.55, text=f"{activation_label}(z)", showarrow=False, font=FONT)  # below: no clash with z
    # The output sits centred above the end of its arrow, inside the x range even on a narrow column.
    fig.add_annotation(x=4.15, y=0.0, yshift=24, text=f"<b>a = {result.a:.4g}</b>", showarrow=False,
                       font=dict(size=17))  # fmt: skip
    return _diagram_layout(fig, _("One neuron: z = w·x + b, a = f(z)"), 400, [-0.7, 5.0], [-2.0, 1.6])


def decision_boundary(
    inputs: np.ndarray,
    targets: np.ndarray,
    weights,
    bias: float,
    grid_x: np.ndarray,
    grid_y: np.ndarray,
    outputs: np.ndarray,
    activation_label: str,
    highlight: PerceptronVisit | None = None,
    title: str = "",
    _: Translate = identity,
) -> go.Figure:
    """Heatmap of the neuron's output over the plane, the line w·x + b = 0, and the labelled points."""
    fig = _Sketch()
    low, high = min(float(np.min(outputs)), 0.0), max(float(np.max(outputs)), 1.0)
    fig.add_trace(
        go.Heatmap(
            x=grid_x, y=grid_y, z=outputs, colorscale="RdBu", zmin=low, zmax=high, opacity=0.6,
            colorbar=dict(title=dict(text=_("output {f}(z)").format(f=activation_label), side="right")),
            name=_("neuron output"),
            hovertemplate="x1=%{x:.2f}<br>x2=%{y:.2f}<br>" + _("output") + "=%{z:.3f}<extra></extra>",
        )
    )  # fmt: skip
    w1, w2 = float(weights[0]), float(weights[1])
    lo, hi = float(grid_x[0]), float(grid_x[-1])
    if abs(w2) > 1e-12:
        xs = np.array([lo, hi])
        line_x, line_y = xs, -(w1 * xs + bias) / w2
    elif abs(w1) > 1e-12:
        line_x, line_y = np.array([-bias / w1] * 2), np.array([float(grid_y[0]), float(grid_y[-1])])
    else:
        line_x, line_y = np.array([]), np.array([])  # w = 0: no boundary, one class everywhere
    fig.add_trace(go.Scatter(x=line_x, y=line_y, mode="lines", name=_("boundary w·x + b = 0"),
                             line=dict(color="black", width=3, dash="dash")))  # fmt: skip
    for label, symbol, colour in ((0.0, "circle", "white"), (1.0, "x", "black")):
        mask = targets == label
        fig.add_trace(
            go.Scatter(
                x=inputs[mask, 0], y=inputs[mask, 1], mode="markers", name=_("target {y}").format(y=int(label)),
                marker=dict(symbol=symbol, size=20, color=colour, line=dict(color="black", width=2)),
            )
        )  # fmt: skip
        for a, b in inputs[mask]:
            fig.add_annotation(x=a, y=b, yshift=26, text=f"({int(a)},{int(b)}) → {int(label)}", showarrow=False,
                               font=FONT, bgcolor="rgba(255,255,255,0.85)")  # fmt: skip
    if highlight is not None:
        fig.add_trace(go.Scatter(x=[highlight.x[0]], y=[highlight.x[1]], mode="markers", name=_("point just visited"),
                                 marker=dict(size=36, color="rgba(0,0,0,0)", line=dict(color="gold", width=4))))
    fig.update_layout(
        title=title, height=560, font=FONT, margin=dict(l=80, r=10, t=60, b=70),
        xaxis=dict(title=_("input x1"), range=[lo, hi], constrain="domain"),
        yaxis=dict(title=_("input x2"), range=[float(grid_y[0]), float(grid_y[-1])], scaleanchor="x"),
        legend=dict(orientation="h", yanchor="top", y=-0.2, x=0),
    )  # fmt: skip
    return fig.figure()


def layer_diagram(sizes, counts: list[LayerCount], max_drawn: int = 8, _: Translate = identity) -> go.Figure:
    """Columns of neurons (at most `max_drawn` drawn per layer), all connections, and the counts."""
    names = layer_names(sizes, _)
    columns = []
    for n in sizes:
        drawn = min(n, max_drawn)
        columns.append(np.linspace((drawn - 1) / 2, -(drawn - 1) / 2, drawn))
    edge_x, edge_y = [], []
    for k in range(len(sizes) - 1):
        for y0 in columns[k]:
            for y1 in columns[k + 1]:
                edge_x += [k, k + 1, None]
                edge_y += [y0, y1, None]
    fig = _Sketch()
    fig.add_trace(go.Scatter(x=edge_x, y=edge_y, mode="lines", line=dict(color="#9aa", width=1),
                             name=_("connections (one weight each)"), hoverinfo="skip"))  # fmt: skip
    colours = ["#cfe2ff"] + ["#fff3cd"] * (len(sizes) - 2) + ["#d1e7dd"]
    top = (max_drawn - 1) / 2
    for k, (n, ys) in enumerate(zip(sizes, columns)):
        fig.add_trace(
            go.Scatter(
                x=[k] * len(ys), y=ys, mode="markers", name=f"{names[k]} ({n})",
                marker=dict(size=22, color=colours[k], line=dict(color="#333", width=1.5)),
                hovertemplate=_("{layer}: {n} neurons").format(layer=names[k], n=n) + "<extra></extra>",
            )
        )  # fmt: skip
        count_text = _("{n} neurons").format(n=n) if n > 1 else _("{n} neuron").format(n=n)
        label = f"<b>{names[k]}</b><br>{count_text}"
        if n > max_drawn:
            label += "<br>" + _("({n} drawn)").format(n=max_drawn)
        fig.add_annotation(x=k, y=top + 1.3, text=label, showarrow=False, font=FONT)
    for k, count in enumerate(counts):
        fig.add_annotation(
            x=k + 0.5, y=-top - 1.2, showarrow=False, font=FONT,
            text=f"{count.n_in}×{count.n_out} + {count.n_out}<br>= "
            + _("<b>{total}</b> parameters").format(total=count.total),
        )  # fmt: skip
    return _diagram_layout(
        fig, _("{shape} network: {total} trainable parameters").format(
            shape="-".join(map(str, sizes)), total=sum(c.total for c in counts)),
        470, [-0.5, len(sizes) - 0.5], [-top - 1.8, top + 2.0],
    )  # fmt: skip


def _label(fig, x, y, text, **kwargs):
    """A number on the diagram: an annotation on a white box so edges behind it stay readable."""
    fig.add_annotation(x=x, y=y, text=text, showarrow=False, font=dict(size=14, color="#111827"),
                       bgcolor="rgba(255,255,255,0.9)", borderpad=1, **kwargs)  # fmt: skip


def backprop_diagram(result: Pass, _: Translate = identity) -> go.Figure:
    """The 2-H-1 network with each node's z, a, delta and each weight's value and dL/dw on it.

    Full-precision numbers ride along as customdata (the tests read them): inputs [x],
    hidden neurons [z, a, b, dL/db], output neuron [z_o, y_hat, c, dL/dc], loss [L],
    weights [w, dL/dw] in parameter_names order (trace meta holds the names).
    """
    hidden = result.spec.hidden
    x_in, x_hidden, x_out, x_loss = 0.0, 1.6, 3.2, 4.3
    inputs_y = np.array([1.0, -1.0])
    hidden_y = np.linspace(1.5, -1.5, hidden) if hidden == 3 else np.array([1.0, -1.0])
    grad, params = result.grad.to_dict(), result.params.to_dict()
    fig = _Sketch()
    edges = [(x_in, inputs_y[i], x_hidden, hidden_y[j], result.params.W[i, j]) for i in range(2) for j in range(hidden)]
    edges += [(x_hidden, hidden_y[j], x_out, 0.0, result.params.v[j]) for j in range(hidden)]
    _sign_edges(fig, edges, _)
    fig.add_trace(go.Scatter(x=[x_out, x_loss], y=[0, 0], mode="lines", line=dict(color="#555", width=2),
                             showlegend=False, hoverinfo="skip"))  # fmt: skip
    # Weight labels sit 30% along the first-layer edges (they cross in the middle), halfway along the others.
    names = [n for n in parameter_names(hidden) if n[0] in "wv"]
    label_xy = []
    for name in names:
        if name[0] == "w":
            i, j = int(name[1]) - 1, int(name[2]) - 1
            label_xy.append((x_in + 0.3 * (x_hidden - x_in), inputs_y[i] + 0.3 * (hidden_y[j] - inputs_y[i])))
        else:
            j = int(name[1]) - 1
            label_xy.append(((x_hidden + x_out) / 2, hidden_y[j] / 2))
    for name, (x, y) in zip(names, label_xy):
        _label(fig, x, y, f"{name}={params[name]:.3g}<br>∂L/∂{name}={grad[name]:.3g}")
    fig.add_trace(
        go.Scatter(
            x=[xy[0] for xy in label_xy], y=[xy[1] for xy in label_xy], mode="markers", name=_("weight: value, dL/dw"),
            marker=dict(size=1, color="rgba(0,0,0,0)"), customdata=[[params[n], grad[n]] for n in names],
            meta=names, hoverinfo="skip", showlegend=False,
        )
    )  # fmt: skip
    fig.add_trace(go.Scatter(x=[x_in, x_in], y=inputs_y, mode="markers", marker=NODE, name=_("inputs x"),
                             customdata=[[x] for x in result.x], hoverinfo="skip"))  # fmt: skip
    for i, x in enumerate(result.x):
        _label(fig, x_in, inputs_y[i], f"x{i + 1}={x:.3g}", xanchor="right", xshift=-26)
    fig.add_trace(
        go.Scatter(
            x=[x_hidden] * hidden, y=hidden_y, mode="markers+text", marker=dict(NODE, color="#fff3cd"),
            name=_("hidden neurons: z, a, b, δ"), text=[f"h{j + 1}" for j in range(hidden)], hoverinfo="skip",
            customdata=np.column_stack([result.z_hidden, result.a_hidden, result.params.b, result.grad.b]),
        )
    )  # fmt: skip
    for j in range(hidden):
        _label(fig, x_hidden, hidden_y[j], f"z{j + 1}={result.z_hidden[j]:.3g}, a{j + 1}={result.a_hidden[j]:.3g}",
               yshift=34)  # fmt: skip
        _label(fig, x_hidden, hidden_y[j], f"b{j + 1}={result.params.b[j]:.3g}, δ{j + 1}={result.grad.b[j]:.3g}",
               yshift=-34)  # fmt: skip
    fig.add_trace(
        go.Scatter(
            x=[x_out], y=[0], mode="markers+text", name=_("output neuron: z, ŷ, c, δ"), text=["o"], hoverinfo="skip",
            marker=dict(NODE, color="#d1e7dd"), customdata=[[result.z_out, result.y_hat, result.params.c, result.grad.c]],
        )
    )  # fmt: skip
    _label(fig, x_out, 0, f"z_o={result.z_out:.3g}, ŷ={result.y_hat:.3g}", yshift=34)
    _label(fig, x_out, 0, f"c={result.params.c:.3g}, δ_o={result.grad.c:.3g}", yshift=-34)
    fig.add_trace(
        go.Scatter(
            x=[x_loss], y=[0], mode="markers", name=_("loss L"), customdata=[[result.loss]], hoverinfo="skip",
            marker=dict(NODE, color="#f8d7da", symbol="square"),
        )
    )  # fmt: skip
    _label(fig, x_loss, 0, f"<b>L={result.loss:.4g}</b><br>(y={result.y:.3g})", yshift=46)
    span = float(np.max(np.abs(hidden_y)))
    return _diagram_layout(
        fig, _("Forward values (z, a) and gradients (∂L/∂·)"), 480 + 80 * (hidden - 2),  # short: fits 1024 px
        [-0.7, 4.8], [-span - 0.7, span + 0.45],
    )  # fmt: skip


def loss_curve(losses: list[float], _: Translate = identity) -> go.Figure:
    """Loss of the one example after each update."""
    fig = go.Figure(
        go.Scatter(x=list(range(len(losses))), y=losses, mode="lines+markers", name=_("loss L"),
                   line=dict(width=3), marker=dict(size=8))  # fmt: skip
    )
    fig.update_layout(
        title=_("Loss over repeated updates"), height=360, font=FONT, margin=dict(l=70, r=20, t=70, b=70),
        xaxis=dict(title=_("updates applied"), rangemode="tozero"),  # short: the chart has half a column
        yaxis=dict(title=_("loss L (no unit)"), rangemode="tozero"), showlegend=True,
        legend=dict(orientation="h", yanchor="bottom", y=1.0, x=1, xanchor="right"),
    )  # fmt: skip
    return fig
