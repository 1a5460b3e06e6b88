"""Every update rule against keras.optimizers, step by step, in float64."""

from __future__ import annotations

import numpy as np
import pytest

from playground.optimizers import surfaces
from playground.optimizers import rules as optimizers

keras = pytest.importorskip("keras")

# Learning rates that make each rule move visibly in 100 steps without diverging.
LEARNING_RATES = {
    "quadratic": {"sgd": 0.05, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3, "rmsprop": 0.05,
                  "adam": 0.1, "nadam": 0.1, "adamw": 0.1, "adadelta": 1.0},
    "rosenbrock": {"sgd": 0.001, "momentum": 0.0005, "nesterov": 0.0005, "adagrad": 0.1, "rmsprop": 0.01,
                   "adam": 0.05, "nadam": 0.05, "adamw": 0.05, "adadelta": 1.0},
}
STARTS = {"quadratic": (-2.5, 1.5), "rosenbrock": (-1.5, 2.0)}


def _quadratic_grad(p):
    # An anisotropic quadratic with a cross term: f = 0.5 p^T A p + c^T p.
    a = np.array([[3.0, 0.8], [0.8, 1.0]])
    return a @ p + np.array([0.5, -1.0])


def _rosenbrock_grad(p):
    return np.array(surfaces.get("rosenbrock").grad(p[0], p[1]))


GRADIENTS = {"quadratic": _quadratic_grad, "rosenbrock": _rosenbrock_grad}


def _keras_path(name, problem, steps=100, **hyper):
    class_name, keras_hyper = optimizers.KERAS_EQUIVALENT[name]
    optimizer = getattr(keras.optimizers, class_name)(
        learning_rate=LEARNING_RATES[problem][name], **keras_hyper, **hyper
    )
    variable = keras.Variable(np.array(STARTS[problem], dtype=np.float64), dtype="float64")
    path = [variable.numpy().copy()]
    states = []
    for _ in range(steps):
        grad = GRADIENTS[problem](variable.numpy())
        optimizer.apply([keras.ops.convert_to_tensor(grad, dtype="float64")], [variable])
        path.append(variable.numpy().copy())
        states.append({v.path.split("/")[-1]: v.numpy().copy() for v in optimizer.variables[2:]})
    return np.array(path), states


def _numpy_path(name, problem, steps=100, **hyper):
    # Keras keeps the learning rate in a float32 variable and casts it to the parameters'
    # float64; use that same rounded value, so the test compares update rules, not storage.
    # (On Rosenbrock, RMSprop's sign-like steps amplify a 1e-10 difference in eta to 4e-3.)
    learning_rate = float(np.float32(LEARNING_RATES[problem][name]))
    optimizer = optimizers.make(name, learning_rate, **hyper)
    params = np.array(STARTS[problem], dtype=np.float64)
    path, states = [params], []
    for _ in range(steps):
        params = optimizer.step(params, GRADIENTS[problem](params))
        path.append(params)
        states.append(optimizer.state())
    return np.array(path), states


@pytest.mark.parametrize("problem", ["quadratic", "rosenbrock"])
@pytest.mark.parametrize("name", optimizers.names())
def test_rule_matches_keras_for_100_steps(name, problem):
    ours, _ = _numpy_path(name, problem)
    theirs, _ = _keras_path(name, problem)
    assert np.all(np.isfinite(theirs))
    # The run must really move, or the comparison proves nothing.
    assert np.linalg.norm(ours[-1] - ours[0]) > 0.05
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)


@pytest.mark.parametrize(
    "name, hyper",
    [("rmsprop", {"momentum": 0.5, "rho": 0.8}), ("adam", {"beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-3}),
     ("adagrad", {"initial_accumulator_value": 1.0}), ("adamw", {"weight_decay": 0.1})],
)
def test_non_default_hyperparameters_match_keras(name, hyper):
    ours, _ = _numpy_path(name, "quadratic", 50, **hyper)
    theirs, _ = _keras_path(name, "quadratic", 50, **hyper)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-4)


@pytest.mark.parametrize(
    "name, mapping",
    [
        ("momentum", {"velocity": "sgd_momentum"}),
        ("adagrad", {"accumulator": "adagrad_accumulator"}),
        ("rmsprop", {"velocity": "rmsprop_velocity"}),
        ("adam", {"m": "adam_momentum", "v": "adam_velocity"}),
        ("nadam", {"m": "nadam_momentum", "v": "nadam_velocity"}),
        ("adadelta", {"accumulated_grad": "adadelta_accumulated_grad",
                      "accumulated_delta": "adadelta_accumulated_delta_var"}),
    ],
)
def test_exposed_state_matches_keras_variables(name, mapping):
    """The explainer shows our state; it must be Keras's optimizer variables, step by step.

    Both are fed the same gradient sequence, so only the arithmetic can differ.
    """
    learning_rate = float(np.float32(0.05))
    ours = optimizers.make(name, learning_rate)
    class_name, keras_hyper = optimizers.KERAS_EQUIVALENT[name]
    reference = getattr(keras.optimizers, class_name)(learning_rate=learning_rate, **keras_hyper)
    params = np.array(STARTS["quadratic"])
    variable = keras.Variable(params.copy(), dtype="float64")
    for step in range(30):
        grad = _quadratic_grad(params)
        params = ours.step(params, grad)
        reference.apply([keras.ops.convert_to_tensor(grad, dtype="float64")], [variable])
        theirs = {v.path.split("/")[-1]: v.numpy() for v in reference.variables[2:]}
        for our_name, keras_name in mapping.items():
            matches = [value for key, value in theirs.items() if key.endswith(keras_name.split("_", 1)[1])]
            assert matches, (keras_name, list(theirs))
            # Keras turns Python hyperparameters (0.9, 0.1, ...) into float32 constants: agreement
            # to float32 precision, not float64 (1 - 0.999 in float32 is off by 1.3e-5 relative).
            np.testing.assert_allclose(ours.state()[our_name], matches[0], rtol=5e-5, atol=1e-8)


def test_defaults_are_keras_defaults():
    for name in optimizers.names():
        class_name, keras_hyper = optimizers.KERAS_EQUIVALENT[name]
        reference = getattr(keras.optimizers, class_name)(**keras_hyper)
        ours = optimizers.make(name)
        assert ours.learning_rate == pytest.approx(float(reference.learning_rate.numpy()), rel=1e-6), name
        for key, value in ours.hyper.items():
            assert getattr(reference, key) == pytest.approx(value), (name, key)


def test_vectorised_runs_equal_separate_runs():
    """R runs in one (R, 2) array with per-run learning rates give each run's own path."""
    rates = np.array([[0.01], [0.05], [0.2]])
    together = optimizers.make("adam", rates)
    apart = [optimizers.make("adam", float(r)) for r in rates[:, 0]]
    params = np.tile([-1.5, 2.0], (3, 1))
    single = [np.array([-1.5, 2.0]) for _ in apart]
    grad = surfaces.get("rosenbrock").grad
    for _ in range(40):
        params = together.step(params, np.column_stack(grad(params[:, 0], params[:, 1])))
        single = [opt.step(p, np.array(grad(*p))) for opt, p in zip(apart, single)]
    np.testing.assert_array_equal(params, np.array(single))


def test_unknown_names_raise_a_clear_error():
    with pytest.raises(ValueError, match="Unknown optimizer"):
        optimizers.make("lbfgs")
    with pytest.raises(ValueError, match="no hyperparameter"):
        optimizers.make("sgd", 0.1, beta_1=0.9)


@pytest.mark.parametrize("name", optimizers.names())
def test_explain_shows_the_numbers_of_the_step(name):
    optimizer = optimizers.make(name, 0.05)
    params = np.array([-1.0, 1.5])
    before = optimizer.initial_state(params)
    for step in range(1, 4):
        grad = _quadratic_grad(params)
        new = optimizer.step(params, grad)
        after = optimizer.state()
        lines = optimizer.explain(step, grad, params, new, before, after)
        text = "\n".join(lines)
        assert f"{new[0]:.4g}" in text and f"{grad[0]:.4g}" in text
        params, before = new, after
