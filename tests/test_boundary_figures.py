"""Decision boundary figures: the live map (HTML, while playing) shows the points where the
chart's markers are, with the same legend, axes and colour bar."""

from __future__ import annotations

import base64
import io
import re
from html.parser import HTMLParser

import numpy as np
from PIL import Image

from playground.boundary import datasets, figures, features
from playground.boundary.network import Objective
from playground.boundary.session import Run, Training


def _run(data="xor", classes_hidden=(4,)):
    points = datasets.generate(data, 200, 0.0, seed=1)
    return Run(points, features.names()[:2], classes_hidden, ("tanh",) * len(classes_hidden),
               Training("sgd", 0.03, 10, Objective()), 0.5, 0)


class _LiveMap(HTMLParser):
    """The parts of `live_map_html`'s markup: the picture, the text of each class of element, the
    tick labels with their positions (percent from the left or the bottom)."""

    def __init__(self, markup: str):
        super().__init__()
        self.picture, self.texts, self.ticks, self._open = None, {}, {}, []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            data = attrs["src"]
            assert data.startswith("data:image/jpeg;base64,")
            self.picture = np.asarray(Image.open(io.BytesIO(base64.b64decode(data.split(",", 1)[1]))).convert("RGB"),
                                      dtype=float)
        if tag in ("div", "span"):
            self._open.append((attrs.get("class"), attrs.get("style", "")))

    def handle_endtag(self, tag):
        if tag in ("div", "span"):
            self._open.pop()

    def handle_data(self, data):
        if not data.strip():
            return
        owner = next((cls for cls, _style in reversed(self._open) if cls), None)
        self.texts.setdefault(owner, []).append(data.strip())
        position = re.search(r"(left|bottom):([-\d.]+)%", self._open[-1][1])
        if position:
            self.ticks.setdefault(owner, []).append((float(data), float(position.group(2))))


def test_live_map_paints_the_points_where_the_chart_puts_its_markers():
    run = _run()
    grid = run.grid(81)
    chart = figures.boundary_map(grid, run.points, run.train_index, run.test_index, show_test=True)
    live = _LiveMap(figures.live_map_html(grid, run.points, run.train_index, run.test_index, show_test=True))
    # the same legend as the chart's (its traces with a legend entry), the same axis titles
    assert live.texts["bd-legend"] == [t.name for t in chart.data if t.showlegend is not False]
    assert live.texts["bd-xtitle"] == [chart.layout.xaxis.title.text]
    assert live.texts["bd-ytitle"] == [chart.layout.yaxis.title.text]
    assert live.texts["bd-ctitle"] == ["P(class 1)"]
    # tick labels at their values' places on the chart's range
    low, high = chart.layout.xaxis.range
    for axis in ("bd-xticks", "bd-yticks"):
        ticks = live.ticks[axis]
        assert [value for value, _at in ticks] == [-6, -4, -2, 0, 2, 4, 6]
        for value, at in ticks:
            assert abs(at - 100 * (value - low) / (high - low)) < 0.01
    assert [value for value, _at in live.ticks["bd-cticks"]] == [0, 0.25, 0.5, 0.75, 1]
    # every point that no other point covers has its class colour at its place in the picture
    picture = live.picture
    side = picture.shape[0]
    assert picture.shape == (figures.POINTS_IMAGE_SIDE, figures.POINTS_IMAGE_SIDE, 3)
    checked = 0
    for part, index in (("train", run.train_index), ("test", run.test_index)):
        for (x, y), label in zip(run.points.xy[index], run.points.labels[index]):
            if any(0 < np.hypot(*(p - (x, y))) < 0.3 for p in run.points.xy):
                continue  # another point's disc may cover this one's centre
            column, row = int((x - low) / (high - low) * side), int((high - y) / (high - low) * side)
            assert np.abs(picture[row, column] - figures.CLASS_COLOURS[int(label)]).max() < 40, (part, x, y)
            checked += 1
    assert checked >= 20
    # without test points: neither painted nor in the legend
    bare = _LiveMap(figures.live_map_html(grid, run.points, run.train_index, run.test_index, show_test=False))
    assert bare.texts["bd-legend"] == ["class 0 (orange), train", "class 1 (blue), train"]
    assert np.abs(bare.picture - picture).max() > 100


def test_live_map_of_a_regression_takes_the_target_colour_and_its_scale():
    points = datasets.generate("reg_plane", 100, 0.0, seed=0)
    run = Run(points, ["x1", "x2"], (), (), Training("sgd", 0.01, 10, Objective("squared_error")), 0.5, 0)
    live = _LiveMap(figures.live_map_html(run.grid(81), run.points, run.train_index, run.test_index))
    assert live.texts["bd-legend"] == ["train points (colour = target)"]
    assert live.texts["bd-ctitle"] == ["predicted value"]
    assert [value for value, _at in live.ticks["bd-cticks"]] == [-1, -0.5, 0, 0.5, 1]
    x, y = run.points.xy[run.train_index[0]]
    side = live.picture.shape[0]
    column, row = int((x + 6.075) / 12.15 * side), int((6.075 - y) / 12.15 * side)
    target = figures.diverging_rgb(np.array(run.points.labels[run.train_index[0]]))
    assert np.abs(live.picture[row, column] - target).max() < 40


def test_three_classes_have_no_colour_bar_and_a_translated_legend_entry_per_class():
    points = datasets.generate("blobs3", 150, 0.0, seed=0)
    run = Run(points, ["x1", "x2"], (3,), ("tanh",), Training("sgd", 0.03, 10, Objective()), 0.5, 0)
    live = _LiveMap(figures.live_map_html(run.grid(81), run.points, run.train_index, run.test_index, show_test=True,
                                          _=lambda text: "~" + text))
    assert "bd-ctitle" not in live.texts
    assert len(live.texts["bd-legend"]) == 6 and all(text.startswith("~~class") for text in live.texts["bd-legend"])
