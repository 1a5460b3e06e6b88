"""Every surface: gradient against finite differences and TensorFlow, minima are minima."""

from __future__ import annotations

import numpy as np
import pytest

from playground.optimizers import surfaces

NAMES = surfaces.names()


def _sample_points(surface, n=25, seed=0):
    rng = np.random.default_rng(seed)
    (x0, x1), (y0, y1) = surface.bounds
    return rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)


def test_registry_has_the_required_surfaces():
    assert {"bowl", "ravine", "rosenbrock", "beale", "himmelblau", "rastrigin", "saddle", "camel", "churn"} <= set(NAMES)
    assert len(surfaces.get("himmelblau").minima) == 4
    assert surfaces.get("churn").data is not None
    with pytest.raises(ValueError, match="Unknown surface"):
        surfaces.get("moon")


@pytest.mark.parametrize("name", NAMES)
def test_grad_matches_central_differences(name):
    surface = surfaces.get(name)
    x, y = _sample_points(surface)
    h = 1e-6
    fd_x = (surface.f(x + h, y) - surface.f(x - h, y)) / (2 * h)
    fd_y = (surface.f(x, y + h) - surface.f(x, y - h)) / (2 * h)
    gx, gy = surface.grad(x, y)
    scale = 1 + np.abs(fd_x) + np.abs(fd_y)
    np.testing.assert_allclose(gx / scale, fd_x / scale, atol=1e-6)
    np.testing.assert_allclose(gy / scale, fd_y / scale, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_grad_matches_tensorflow_gradient_tape(name):
    tf = pytest.importorskip("tensorflow")
    surface = surfaces.get(name)
    x, y = _sample_points(surface, n=8, seed=1)
    if name == "churn":
        data = surface.data
        z, target = tf.constant(data.z), tf.constant(data.y)

        def loss(w, b):
            logits = w * z + b
            return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=logits))
    else:
        loss = lambda a, b: surface.f(a, b)  # noqa: E731 - the formulas are plain arithmetic: tf traces them
    for xi, yi in zip(x, y):
        a, b = tf.Variable(xi, dtype=tf.float64), tf.Variable(yi, dtype=tf.float64)
        with tf.GradientTape() as tape:
            value = loss(a, b) if name != "rastrigin" else (
                20 + a**2 - 10 * tf.cos(2 * np.pi * a) + b**2 - 10 * tf.cos(2 * np.pi * b))
        ga, gb = tape.gradient(value, [a, b])
        gx, gy = surface.grad(np.float64(xi), np.float64(yi))
        np.testing.assert_allclose([gx, gy], [ga.numpy(), gb.numpy()], rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(surface.f(np.float64(xi), np.float64(yi)), value.numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_every_minimum_is_a_local_minimum(name):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.bounds
    angles = np.linspace(0, 2 * np.pi, 16, endpoint=False)
    for mx, my in surface.minima:
        assert x0 <= mx <= x1 and y0 <= my <= y1
        assert np.hypot(*surface.grad(np.float64(mx), np.float64(my))) < 1e-8
        centre = surface.f(np.float64(mx), np.float64(my))
        for radius in (1e-3, 1e-2):
            ring = surface.f(mx + radius * np.cos(angles), my + radius * np.sin(angles))
            assert np.all(ring > centre), (name, (mx, my), radius)


def test_saddle_origin_is_a_saddle_not_a_minimum():
    surface = surfaces.get("saddle")
    assert surface.grad(0.0, 0.0) == (0.0, 0.0)
    assert surface.f(0.1, 0.0) > 0 > surface.f(0.0, 0.1)


@pytest.mark.parametrize("name", NAMES)
def test_default_start_is_inside_and_not_a_minimum(name):
    surface = surfaces.get(name)
    (x0, x1), (y0, y1) = surface.bounds
    sx, sy = surface.default_start
    assert x0 <= sx <= x1 and y0 <= sy <= y1
    assert surface.nearest_minimum(sx, sy)[0] > 0.5


def test_churn_loss_is_the_mean_cross_entropy_over_rows():
    surface = surfaces.get("churn")
    data = surface.data
    assert data.n_rows == 10_000
    assert abs(data.z.mean()) < 1e-12 and abs(data.z.std() - 1) < 1e-12
    w, b = 0.3, -0.7
    p = 1 / (1 + np.exp(-(w * data.z + b)))
    expected = -np.mean(data.y * np.log(p) + (1 - data.y) * np.log(1 - p))
    assert surface.f(w, b) == pytest.approx(expected, rel=1e-12)
    # The grouped (per distinct Age) gradient equals the per-row gradient over all rows.
    rows = np.arange(data.n_rows)[None, :]
    gw, gb = data.batch_grad(np.array([w]), np.array([b]), rows)
    np.testing.assert_allclose(surface.grad(w, b), (gw[0], gb[0]), rtol=1e-10)


def test_grid_is_vectorised_and_indexed_y_then_x():
    surface = surfaces.get("churn")
    xs, ys, loss = surface.grid(30)
    assert loss.shape == (30, 30)
    assert loss[7, 11] == pytest.approx(surface.f(xs[11], ys[7]), rel=1e-12)


def test_two_wells_has_a_shallow_and_a_deeper_minimum_split_by_a_ridge():
    surface = surfaces.get("two_wells")
    deep, shallow = surface.minima
    assert surface.f(*deep) < surface.f(*shallow) - 2 and surface.min_value == surface.f(*deep)
    # The ridge between them: the other zero of d/dx = x^3 - 2.5 x + 0.8 on y = 0, a maximum along x.
    ridge = sorted(np.roots([1, 0, -2.5, 0.8]).real)[1]
    assert deep[0] < ridge < shallow[0]
    assert surface.f(ridge, 0.0) > surface.f(ridge + 0.01, 0.0) and surface.f(ridge, 0.0) > surface.f(ridge - 0.01, 0.0)
    assert 0.4 < surface.f(ridge, 0.0) - surface.f(*shallow) < 0.6  # a low ridge for the shallow valley
    assert surface.f(ridge, 0.0) - surface.f(*deep) > 2.9  # a high one for the deep valley
