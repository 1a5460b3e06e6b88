"""The race runner: vectorised runs equal one-by-one runs; GD/SGD sources; divergence stops."""

from __future__ import annotations

import numpy as np
import pytest

from playground.optimizers import race, surfaces
from playground.optimizers import rules as optimizers
from playground.optimizers.race import RunSpec


def _reference_path(surface, spec, start, steps, grads=None):
    """One run, one step at a time, with the optimizer module directly."""
    optimizer = optimizers.make(spec.method, spec.learning_rate)
    params = np.array(spec.start or start, dtype=float)
    path = [params]
    for t in range(steps):
        g = np.array(surface.grad(*params)) if grads is None else grads[t]
        params = optimizer.step(params, g)
        path.append(params)
    return np.array(path)


def test_vectorised_race_equals_runs_one_by_one():
    surface = surfaces.get("rosenbrock")
    specs = [RunSpec(m, lr) for m, lr in (("sgd", 0.001), ("adam", 0.05), ("adam", 0.01), ("momentum", 0.001),
                                          ("nadam", 0.02), ("rmsprop", 0.01))]
    result = race.race(surface, specs, surface.default_start, 150)
    for r, spec in enumerate(specs):
        np.testing.assert_allclose(result.paths[r], _reference_path(surface, spec, surface.default_start, 150),
                                   rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.losses, surface.f(result.paths[..., 0], result.paths[..., 1]))


def test_recorded_state_replays_the_optimizer():
    surface = surfaces.get("beale")
    spec = RunSpec("adam", 0.05)
    result = race.race(surface, [spec, RunSpec("sgd", 0.001)], surface.default_start, 40)
    optimizer = optimizers.make("adam", 0.05)
    params = np.array(surface.default_start)
    for t in range(40):
        params = optimizer.step(params, result.grads[0, t])
        for name, value in optimizer.state().items():
            np.testing.assert_allclose(result.states[0][name][t + 1], value, rtol=1e-12)
    np.testing.assert_array_equal(result.states[0]["m"][0], 0.0)


def test_full_batch_sgd_is_gradient_descent_exactly():
    # Formula surface: without noise a sampled gradient is the exact one.
    bowl = surfaces.get("ravine")
    noiseless = race.race(bowl, [RunSpec("sgd", 0.1, "full"), RunSpec("sgd", 0.1, "single"),
                                 RunSpec("sgd", 0.1, "minibatch")], (-7, 2), 60, noise=0.0)
    np.testing.assert_array_equal(noiseless.paths[0], noiseless.paths[1])
    np.testing.assert_array_equal(noiseless.paths[0], noiseless.paths[2])
    # Data surface: a mini-batch of every row is the full data set.
    churn = surfaces.get("churn")
    everything = race.race(churn, [RunSpec("sgd", 0.5, "full"), RunSpec("sgd", 0.5, "minibatch")],
                           churn.default_start, 30, batch_size=churn.data.n_rows)
    np.testing.assert_array_equal(everything.paths[0], everything.paths[1])


def test_minibatch_gradient_is_the_mean_over_really_sampled_rows():
    churn = surfaces.get("churn")
    data = churn.data
    result = race.race(churn, [RunSpec("sgd", 0.5, "minibatch"), RunSpec("adam", 0.1, "single")],
                       churn.default_start, 50, batch_size=16, seed=3)
    schedule16 = race._row_schedule(data.n_rows, 16, 50, 3)
    schedule1 = race._row_schedule(data.n_rows, 1, 50, 3)
    for t in (0, 17, 49):
        for r, rows in ((0, schedule16[t]), (1, schedule1[t])):
            w, b = result.paths[r, t]
            p = 1 / (1 + np.exp(-(w * data.z[rows] + b)))
            expected = [np.mean((p - data.y[rows]) * data.z[rows]), np.mean(p - data.y[rows])]
            np.testing.assert_allclose(result.grads[r, t], expected, rtol=1e-12)
            np.testing.assert_allclose(result.full_grads[r, t], churn.grad(w, b), rtol=1e-12)
    # Rows are drawn without replacement within a pass over the data.
    one_pass = race._row_schedule(1000, 10, 100, 0).ravel()
    assert sorted(one_pass) == list(range(1000))


def test_sgd_paths_depend_on_the_seed_only():
    for name in ("churn", "rosenbrock"):
        surface = surfaces.get(name)
        spec = [RunSpec("sgd", 0.001 if name == "rosenbrock" else 0.5, "single")]
        a = race.race(surface, spec, surface.default_start, 50, seed=1)
        b = race.race(surface, spec, surface.default_start, 50, seed=2)
        again = race.race(surface, spec, surface.default_start, 50, seed=1)
        assert np.abs(a.paths - b.paths).max() > 1e-3, name
        np.testing.assert_array_equal(a.paths, again.paths)


def test_formula_noise_has_the_stated_size():
    surface = surfaces.get("bowl")
    result = race.race(surface, [RunSpec("sgd", 0.01, "single"), RunSpec("sgd", 0.01, "minibatch")],
                       (0.0, 0.0), 2000, batch_size=16, noise=2.0)
    noise = result.grads - result.full_grads
    assert noise[0].std() == pytest.approx(2.0, rel=0.06)
    assert noise[1].std() == pytest.approx(2.0 / 4, rel=0.06)


def test_learning_rate_10_on_rosenbrock_is_stopped_and_stays_finite():
    surface = surfaces.get("rosenbrock")
    result = race.race(surface, [RunSpec("sgd", 10.0), RunSpec("adam", 0.05)], surface.default_start, 200)
    assert result.stopped_at[0] >= 1 and result.stopped_at[1] == 0
    assert result.diverged() == [0]
    assert np.all(np.isfinite(result.paths)) and np.all(np.isfinite(result.losses))
    # After the stop the run stays at its last good point.
    k = result.stopped_at[0]
    np.testing.assert_array_equal(result.paths[0, k:], np.broadcast_to(result.paths[0, k - 1], result.paths[0, k:].shape))
    row = result.summary(1e-3)[0]
    assert row["diverged at step"] == k and np.isfinite(row["final loss"])
    assert result.explain(0, k) == [] and result.explain(0, k - 1 or 1) is not None


def test_far_outside_the_bounds_counts_as_diverged():
    surface = surfaces.get("bowl")  # x <- x (1 - 2 eta): eta = 1.1 multiplies the distance by -1.2
    result = race.race(surface, [RunSpec("sgd", 1.1)], (-2.5, 2.0), 100)
    k = int(result.stopped_at[0])
    unstopped = _reference_path(surface, RunSpec("sgd", 1.1), (-2.5, 2.0), k)
    limit = 3 + 2 * 6  # bounds +-3, plus two widths of 6
    assert np.abs(unstopped[k]).max() > limit >= np.abs(unstopped[k - 1]).max()


def test_summary_matches_independent_computation():
    surface = surfaces.get("himmelblau")
    result = race.race(surface, [RunSpec("sgd", 0.01), RunSpec("adam", 0.1)], (0.0, 0.0), 300)
    for r, row in enumerate(result.summary(1e-4)):
        gaps = surface.f(result.paths[r, :, 0], result.paths[r, :, 1]) - 0.0
        first = next((t for t, gap in enumerate(gaps) if gap <= 1e-4), None)
        assert row["steps to tolerance"] == first
        end = result.paths[r, -1]
        assert row["distance to nearest minimum"] == pytest.approx(
            min(np.hypot(end[0] - mx, end[1] - my) for mx, my in surface.minima))


def test_explain_uses_the_recorded_numbers():
    surface = surfaces.get("rosenbrock")
    result = race.race(surface, [RunSpec("adam", 0.05, "single")], surface.default_start, 20, noise=0.5)
    lines = result.explain(0, 5)
    text = "\n".join(lines)
    assert f"{result.paths[0, 5, 0]:.4g}" in text and f"{result.grads[0, 4, 0]:.4g}" in text
    assert "full-batch gradient" in text  # a sampled gradient is shown next to the exact one
    assert "1-\\beta_1^{5}" in text


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="learning rate"):
        RunSpec("sgd", -1.0)
    with pytest.raises(ValueError, match="gradient source"):
        RunSpec("sgd", 0.1, "half")
    with pytest.raises(ValueError, match="at least one run"):
        race.race(surfaces.get("bowl"), [], (0, 0), 10)
