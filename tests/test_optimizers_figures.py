"""Figure builders: animation structure, size budget, no non-finite numbers, data matches the race."""

from __future__ import annotations

import base64
import json
import zlib

import numpy as np
import pytest

from apptest_utils import decode
from playground.optimizers import figures
from playground.optimizers import race, surfaces
from playground.optimizers.race import RunSpec


def _numbers(value):
    """Every number in a decoded figure dict (recursively)."""
    if isinstance(value, np.ndarray):
        return [value.astype(float).ravel()] if value.dtype.kind in "fiu" else []
    if isinstance(value, dict):
        return [a for item in value.values() for a in _numbers(item)]
    if isinstance(value, list):
        if value and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value):
            return [np.array(value, dtype=float)]
        return [a for item in value for a in _numbers(item)]
    if isinstance(value, float):
        return [np.array([value])]
    return []


def _refuse(constant):
    raise AssertionError(f"{constant} in the figure JSON")


@pytest.fixture(scope="module")
def four_by_200():
    surface = surfaces.get("rosenbrock")
    specs = [RunSpec("sgd", 0.001), RunSpec("momentum", 0.001, "single"), RunSpec("adam", 0.05), RunSpec("rmsprop", 0.01)]
    return surface, race.race(surface, specs, surface.default_start, 200)


def test_animation_budget_4_runs_200_steps_under_2_mb(four_by_200):
    surface, result = four_by_200
    fig = figures.race_contour(surface, result)
    size = figures.json_size(fig)
    assert size < 2_000_000, size
    spec = json.loads(fig.to_json())
    assert len(spec["frames"]) == 201  # one frame per step, 0..200


def test_frames_carry_only_the_moving_traces(four_by_200):
    surface, result = four_by_200
    spec = decode(json.loads(figures.race_contour(surface, result).to_json()))
    moving = list(range(3, 3 + 2 * len(result.specs)))
    for frame in spec["frames"]:
        assert frame["traces"] == moving
        assert all(set(trace) <= {"x", "y", "type"} for trace in frame["data"])
    # Frame k: each run's path up to step k, and its head at step k (float32 in the JSON).
    frame = spec["frames"][57]
    assert frame["name"] == "57"
    for r in range(len(result.specs)):
        path, head = frame["data"][2 * r], frame["data"][2 * r + 1]
        np.testing.assert_allclose(path["x"], result.paths[r, :58, 0], rtol=1e-6)
        np.testing.assert_allclose(head["y"], result.paths[r, 57, 1:2], rtol=1e-6)
    # The base figure holds the contour (as an image) and the finished race; play and slider exist.
    assert spec["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]] == ["▶ Play", "❚❚ Pause"]
    slider = spec["layout"]["sliders"][0]
    assert len(slider["steps"]) == 201 and slider["active"] == 200
    assert slider["steps"][10]["args"][0] == ["10"]


def test_long_races_keep_at_most_200_frames():
    surface = surfaces.get("bowl")
    result = race.race(surface, [RunSpec("sgd", 0.01)] * 4, surface.default_start, 1000)
    fig = figures.race_contour(surface, result)
    assert len(fig.frames) <= figures.MAX_FRAMES + 1
    assert fig.frames[-1].name == "1000"
    assert figures.json_size(fig) < 2_000_000


def test_contour_image_colours_follow_the_loss():
    surface = surfaces.get("bowl")
    uri, low, high = figures.contour_image(surface, pixels=41)
    png = base64.b64decode(uri.split(",", 1)[1])
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (41, 41)
    idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
    rows = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(41, 1 + 41 * 3)[:, 1:].reshape(41, 41, 3)
    # Low loss (centre, the minimum) is light, the corners (high loss) are dark.
    assert rows[20, 20].sum() > 600 and rows[0, 0].sum() < 200
    assert low == pytest.approx(0.0) and high == pytest.approx(18.0)


def test_diverged_run_leaves_no_nan_or_inf_in_any_figure():
    surface = surfaces.get("rosenbrock")
    result = race.race(surface, [RunSpec("sgd", 10.0), RunSpec("adam", 10.0), RunSpec("sgd", 0.001)],
                       surface.default_start, 200)
    assert result.stopped_at[0] > 0
    for fig in (figures.race_contour(surface, result), figures.surface_3d(surface, result),
                figures.loss_curves(result)):
        # A NaN/Infinity literal in the JSON would reach parse_constant; base64 arrays are decoded.
        spec = json.loads(fig.to_json(), parse_constant=_refuse)
        arrays = _numbers(decode(spec))
        assert sum(array.size for array in arrays) > 100  # the check below really sees the data
        for array in arrays:
            assert np.all(np.isfinite(array))
    contour = figures.race_contour(surface, result)
    marks = [trace for trace in contour.data if trace.text and "diverged at step" in trace.text[0]]
    assert marks and f"diverged at step {result.stopped_at[0]}" == marks[0].text[0]


def test_loss_curves_are_loss_minus_minimum_on_a_log_axis():
    surface = surfaces.get("saddle")  # minimum loss -1/4: the curve shows loss + 1/4
    result = race.race(surface, [RunSpec("adam", 0.05), RunSpec("sgd", 0.1)], (2.0, 0.5), 80)
    spec = decode(json.loads(figures.loss_curves(result).to_json()))
    assert spec["layout"]["yaxis"]["type"] == "log"
    assert spec["layout"]["xaxis"]["title"]["text"] == "step"
    np.testing.assert_allclose(spec["data"][0]["y"], np.maximum(result.losses[0] + 0.25, figures.LOSS_FLOOR))
    assert spec["data"][0]["name"].startswith("1: Adam")


def test_3d_surface_has_the_surface_and_one_path_per_run(four_by_200):
    surface, result = four_by_200
    spec = decode(json.loads(figures.surface_3d(surface, result).to_json()))
    assert spec["data"][0]["type"] == "surface"
    assert [t["type"] for t in spec["data"][1:]] == ["scatter3d"] * 4
    np.testing.assert_allclose(spec["data"][1]["x"], result.paths[0, :, 0], rtol=1e-6)


def test_six_runs_thin_the_frames_to_stay_in_budget():
    surface = surfaces.get("rosenbrock")
    result = race.race(surface, [RunSpec("adam", 0.05, "single")] * 6, surface.default_start, 200)
    fig = figures.race_contour(surface, result)
    assert len(fig.frames) == 101 and fig.frames[1].name == "2"
    assert figures.json_size(fig) < 1_500_000
