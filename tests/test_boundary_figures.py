"""Decision boundary figures: the map with its points painted into the picture (while playing)
shows the same points and legend as the map with markers."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image

from playground.boundary import datasets, figures, features
from playground.boundary.network import Objective
from playground.boundary.session import Run, Training


def _run(data="xor", classes_hidden=(4,)):
    points = datasets.generate(data, 200, 0.0, seed=1)
    return Run(points, features.names()[:2], classes_hidden, ("tanh",) * len(classes_hidden),
               Training("sgd", 0.03, 10, Objective()), 0.5, 0)


def _picture(figure) -> np.ndarray:
    source = figure.layout.images[0].source
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(source.split(",", 1)[1]))).convert("RGB")).astype(float)


def test_painted_points_keep_the_legend_and_sit_where_the_markers_were():
    run = _run()
    grid = run.grid(81)
    markers = figures.boundary_map(grid, run.points, run.train_index, run.test_index, show_test=True)
    painted = figures.boundary_map(grid, run.points, run.train_index, run.test_index, show_test=True,
                                   points_in_image=True)
    assert [t.name for t in painted.data] == [t.name for t in markers.data]
    assert all(np.isnan(np.asarray(t.x, dtype=float)).all() for t in painted.data[1:]), "no markers: the points are painted"
    assert painted.layout.images[0].source.startswith("data:image/jpeg;base64,")
    picture = _picture(painted)
    side = picture.shape[0]
    low, high = markers.layout.xaxis.range
    checked = 0
    for part, index in (("train", run.train_index), ("test", run.test_index)):
        for (x, y), label in zip(run.points.xy[index], run.points.labels[index]):
            if any(0 < np.hypot(*(p - (x, y))) < 0.3 for p in run.points.xy):
                continue  # another point's disc may cover this one's centre
            column, row = int((x - low) / (high - low) * side), int((high - y) / (high - low) * side)
            assert np.abs(picture[row, column] - figures.CLASS_COLOURS[int(label)]).max() < 40, (part, x, y)
            checked += 1
    assert checked >= 20


def test_painted_regression_points_take_the_target_colour():
    points = datasets.generate("reg_plane", 100, 0.0, seed=0)
    run = Run(points, ["x1", "x2"], (), (), Training("sgd", 0.01, 10, Objective("squared_error")), 0.5, 0)
    figure = figures.boundary_map(run.grid(81), run.points, run.train_index, run.test_index, points_in_image=True)
    assert [t.name for t in figure.data][1:] == ["train points (colour = target)"]
    assert _picture(figure).shape == (figures.POINTS_IMAGE_SIDE, figures.POINTS_IMAGE_SIDE, 3)
