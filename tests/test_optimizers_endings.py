"""Where runs end over seeds: the valley sorting, and the "Escaping a local minimum" preset's claim."""

from __future__ import annotations

import numpy as np
import pytest

from playground.optimizers import endings, presets, race, surfaces

PRESET = "local_minimum"


def _preset_view(**changes):
    values = {**presets.preset_values(PRESET), **changes}
    return presets.view_from_state(values)


def _over_seeds(view, seeds=endings.SEEDS):
    return endings.over_seeds(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch,
                              view.noise, seeds)


def test_settle_sorts_points_by_valley_not_by_distance():
    surface = surfaces.get("two_wells")
    deep, shallow = 0, 1
    ridge = sorted(np.roots([1, 0, -2.5, 0.8]).real)[1]
    points = np.array([[ridge - 0.05, 1.5], [ridge + 0.05, -1.5], [-2.9, 1.9], [2.9, 0.0], [np.nan, 0.0]])
    # Just left of the ridge is nearer the shallow minimum, but rolls into the deep valley.
    assert abs(points[0, 0] - surface.minima[shallow][0]) < abs(points[0, 0] - surface.minima[deep][0])
    assert list(endings.settle(surface, points)) == [deep, shallow, deep, shallow, endings.ELSEWHERE]
    # Every listed minimum of the camel is its own valley.
    camel = surfaces.get("camel")
    assert list(endings.settle(camel, np.array(camel.minima) + 0.01)) == list(range(len(camel.minima)))


def test_only_surfaces_with_minima_of_different_depths_get_the_count():
    assert endings.has_shallow_minimum(surfaces.get("two_wells"))
    assert endings.has_shallow_minimum(surfaces.get("camel"))
    for name in ("himmelblau", "saddle", "bowl", "churn"):
        assert not endings.has_shallow_minimum(surfaces.get(name))


def test_the_preset_starts_gd_and_sgd_alike_in_the_shallow_basin():
    preset = presets.PRESETS[PRESET]
    assert "local minimum" in preset.title
    view = _preset_view()
    surface = surfaces.get(view.surface)
    assert [(s.method, s.source) for s in view.specs] == [("sgd", "full"), ("sgd", "single")]
    assert len({s.learning_rate for s in view.specs}) == 1
    shallow = int(np.argmax([surface.f(*m) for m in surface.minima]))
    assert endings.settle(surface, np.array([view.start]))[0] == shallow
    assert surface.data is None and view.noise > 0  # noise as the page defines it for formula surfaces


def test_over_50_seeds_gd_stays_and_sgd_escapes():
    view = _preset_view()
    counted = _over_seeds(view)
    assert len(counted.seeds) == 50
    shallow = 1 - counted.deepest
    assert list(counted.ends[0]) == [shallow] * 50  # GD: the shallow minimum, every seed
    assert counted.count(1, "deepest") >= 35  # SGD: the deeper one in at least 70 % of seeds
    # The sorting agrees with where each seed's race really ends (the side of the ridge at the end).
    ridge = sorted(np.roots([1, 0, -2.5, 0.8]).real)[1]
    for seed in (0, 1, 2):
        result = race.race(surfaces.get(view.surface), view.specs, view.start, view.steps, view.batch, view.noise, seed)
        assert (result.paths[1, -1, 0] < ridge) == (counted.ends[1, seed] == counted.deepest)


def test_without_noise_sgd_is_gd_step_for_step():
    view = _preset_view(**{"opt.noise": 0.0})
    surface = surfaces.get(view.surface)
    for seed in (0, 17):
        result = race.race(surface, view.specs, view.start, view.steps, view.batch, view.noise, seed)
        np.testing.assert_array_equal(result.paths[0], result.paths[1])
        np.testing.assert_array_equal(result.grads[0], result.grads[1])


def test_the_explanations_limits_too_little_noise_stays_too_much_never_settles():
    little = _over_seeds(_preset_view(**{"opt.noise": 1.0}))
    assert little.count(1, "deepest") == 0  # sigma = 1: SGD stays in the shallow valley too
    right, much = _preset_view(), _preset_view(**{"opt.noise": 5.0})
    surface = surfaces.get(right.surface)
    deep = np.array(surface.minima[int(np.argmin([surface.f(*m) for m in surface.minima]))])

    def spread(view):  # how far SGD's last 50 points stray from the deep minimum, averaged over seeds
        return np.mean([np.hypot(*(race.race(surface, view.specs, view.start, view.steps, view.batch, view.noise,
                                             seed).paths[1, -50:] - deep).T).mean() for seed in range(20)])

    assert spread(much) > 2 * spread(right)
    assert 0 < _over_seeds(much).count(1, "shallower")  # and now and then it is back over the ridge


def test_rows_count_every_seed_once_and_translate():
    counted = _over_seeds(_preset_view(), seeds=range(5))
    rows = counted.rows()
    assert [row["run"] for row in rows] == [1, 2]
    for row in rows:
        assert row["in the deepest minimum"] + row["in a shallower minimum"] + row[
            "elsewhere (diverged or not settled)"] == 5
    with pytest.raises(ValueError, match="Unknown ending"):
        counted.count(0, "nowhere")


def test_all_seeds_in_one_race_are_the_races_of_each_seed():
    view = _preset_view(**{"opt.runs": 2})
    surface = surfaces.get(view.surface)
    seeds = (0, 3, 11)
    wide = race.race(surface, [spec for spec in view.specs for _s in seeds], view.start, 60, view.batch, view.noise,
                     run_seeds=seeds * len(view.specs))
    for s, seed in enumerate(seeds):
        alone = race.race(surface, view.specs, view.start, 60, view.batch, view.noise, seed)
        for r in range(len(view.specs)):
            np.testing.assert_array_equal(wide.paths[r * len(seeds) + s], alone.paths[r])
    with pytest.raises(ValueError, match="seed per run"):
        race.race(surfaces.get("churn"), view.specs, (0.0, 0.0), 5, run_seeds=(1, 2))
