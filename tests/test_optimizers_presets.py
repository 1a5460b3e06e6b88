"""Presets make their point; the view state parses; a click on the grid sets the start."""

from __future__ import annotations

import numpy as np

from playground.optimizers import presets
from playground.optimizers import race, surfaces


def _run(name):
    view = presets.view_from_state(presets.preset_values(name))
    return race.race(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch, view.noise, view.seed)


def test_every_preset_sets_only_known_keys_with_valid_values():
    for name in presets.PRESETS:
        values = presets.preset_values(name)
        assert set(values) == set(presets.DEFAULTS)
        for run in range(1, values["opt.runs"] + 1):
            assert values[presets.run_key(run, "lr")] in presets.LEARNING_RATES


def test_gd_sgd_minibatch_differ_only_by_the_gradient():
    result = _run("gd_sgd")
    assert result.surface.key == "churn"
    assert {s.method for s in result.specs} == {"sgd"} and len({s.learning_rate for s in result.specs}) == 1
    # More rows per gradient: a calmer walk that stays lower. One final value of a noisy run is
    # itself noisy, so compare where each run sits over its last 20 steps.
    gd, sgd, mini = result.losses[:, -20:].mean(axis=1)
    assert gd < mini < sgd
    assert np.ptp(result.losses[0, -20:]) < np.ptp(result.losses[2, -20:]) < np.ptp(result.losses[1, -20:])


def test_learning_rate_small_right_large():
    result = _run("learning_rate")
    rows = result.summary(1e-3)
    assert rows[0]["steps to tolerance"] is None and rows[0]["diverged at step"] is None  # too small
    assert rows[1]["steps to tolerance"] is not None  # right
    assert rows[2]["diverged at step"] is not None  # too large


def test_momentum_gets_through_the_ravine():
    rows = _run("ravine").summary(1e-3)
    assert rows[2]["steps to tolerance"] is not None
    assert rows[0]["steps to tolerance"] is None and rows[1]["steps to tolerance"] is None


def test_himmelblau_starts_end_in_four_different_minima():
    result = _run("himmelblau")
    distance, nearest = result.surface.nearest_minimum(result.paths[:, -1, 0], result.paths[:, -1, 1])
    assert np.all(distance < 1e-6) and sorted(nearest) == [0, 1, 2, 3]


def test_saddle_exact_gradient_stays_noise_escapes():
    result = _run("saddle")
    assert np.hypot(*result.paths[0, -1]) < 1e-6  # GD sits on the saddle point
    for r in (1, 2):
        assert abs(abs(result.paths[r, -1, 1]) - 1) < 0.3  # noisy runs fell into a valley y = +-1


def test_click_on_the_grid_sets_the_start_and_other_clicks_do_not():
    state = dict(presets.DEFAULTS)
    assert not presets.start_from_click(state, {"points": [{"curve_number": 3, "x": 1, "y": 1}]}, trace=0)
    assert presets.start_from_click(state, {"points": [{"curve_number": 0, "x": 0.123, "y": -0.456}]}, trace=0)
    assert (state["opt.x0"], state["opt.y0"]) == (0.12, -0.46)
    assert not presets.start_from_click(state, None, trace=0)


def test_surface_change_resets_and_clamps_the_start():
    state = {"opt.surface": "camel", "opt.x0": 5.0, "opt.y0": -9.0}
    presets.clamp_start(state)
    assert (state["opt.x0"], state["opt.y0"]) == (2.0, -1.1)
    presets.reset_start(state)
    assert (state["opt.x0"], state["opt.y0"]) == surfaces.get("camel").default_start
