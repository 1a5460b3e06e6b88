"""The Keras export against the numpy engine: the exported script's model, given the exported
weights JSON, predicts what the engine predicts and reports its loss and accuracy; one epoch of
Keras' `fit` with the script's compile settings ends at the engine's weights; the script's start
weights follow the start chosen on the page; the script runs on its own.

Keras runs in float64 here (keras.config.set_floatx), so the comparisons are tight and any real
difference (a wrong loss, target, activation or initializer) shows far above rounding."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np
import pytest

from playground.boundary import datasets, export, features, network
from playground.boundary.network import Objective
from playground.boundary.session import Run, Training

keras = pytest.importorskip("keras")

# One network per output of the engine, each with other features, activations and start weights.
CASES = {
    "sigmoid": ("xor", ["x1", "x2", "x1x2"], (5, 3), ("tanh", "relu"), "cross_entropy", "none", "glorot", None),
    "softmax": ("blobs3", ["x1", "x2", "sin1"], (4,), ("elu",), "cross_entropy", "l1", "uniform", None),
    "linear": ("reg_gauss", ["x1", "x2", "sin2"], (6, 4), ("swish", "leaky_relu"), "squared_error", "l2",
               "uniform", None),
    "tanh": ("spiral", ["x1", "x2", "sin1", "sin2"], (8, 8), ("tanh", "tanh"), "squared_error", "l2", "uniform",
             "tanh"),
    "tanh, no hidden layer": ("circle", ["x1sq", "x2sq"], (), (), "squared_error", "none", "glorot", "tanh"),
}


@pytest.fixture
def float64():
    """Keras in float64 for one test: floatx and the default dtype policy (cached by Keras once a
    layer was built, so setting floatx alone would not reach the layers after another test)."""
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx("float64")
    keras.config.set_dtype_policy("float64")
    yield
    keras.config.set_floatx(floatx)
    keras.config.set_dtype_policy(policy)


def _run(case: str, optimizer: str = "sgd", trained: int = 5) -> Run:
    data_set, feature_ids, hidden, activations, loss, regularization, init, output = CASES[case]
    objective = Objective(loss, regularization, 0.003 if regularization != "none" else 0.0)
    points = datasets.generate(data_set, 150, 0.1, seed=2)
    run = Run(points, feature_ids, hidden, activations, Training(optimizer, 0.05, 7, objective), 0.5, 4, init, output)
    if trained:  # weights away from the start, biases not zero (and not exploded)
        assert run.train(epochs=trained) == trained
    return run


def _script(run: Run) -> dict:
    """The exported script's names (its `__main__` part does not run)."""
    namespace = {"__name__": "exported"}
    exec(compile(export.keras_script(run), "exported.py", "exec"), namespace)
    return namespace


def _model_with_exported_weights(run: Run):
    script = _script(run)
    model = script["build_model"]()
    script["load_weights"](model, export.weights_json(run))
    return script, model


@pytest.mark.parametrize("case", CASES)
def test_exported_weights_give_the_engines_predictions_loss_and_accuracy(case, float64):
    run = _run(case)
    script, model = _model_with_exported_weights(run)
    assert run.architecture.output_activation == model.layers[-1].activation.__name__ == (CASES[case][-1] or case)
    grid = features.matrix(np.random.default_rng(0).uniform(-6, 6, (400, 2)), run.feature_ids)
    _, logits = run.network.layer_outputs(grid)
    ours = run.network.output_values(logits)  # sigmoid p, softmax rows, the value, or tanh(z) itself
    np.testing.assert_allclose(model.predict(grid, verbose=0).squeeze(), ours, rtol=0, atol=1e-6)
    assert np.ptp(ours) > 0.05, "a network that outputs one value everywhere would prove little"

    # The script's own data (features from the points written with 9 digits) and targets.
    x_test, y_test = script["data"](1)
    np.testing.assert_allclose(x_test, run.x_test, rtol=1e-7, atol=1e-7)
    expected = {"tanh": 2 * run.y_test - 1, "softmax": run.y_test}.get(CASES[case][-1] or case, run.y_test)
    np.testing.assert_allclose(y_test.squeeze(), expected, rtol=0, atol=1e-8)  # 9 digits in the file
    report = model.evaluate(run.x_test, y_test, verbose=0, return_dict=True)
    metrics = run.metrics()
    assert report["loss"] == pytest.approx(metrics["test_loss"] + run.network.penalty(run.training.objective), abs=1e-6)
    if run.architecture.classes:
        assert report["accuracy"] == pytest.approx(metrics["test_accuracy"], abs=1e-9)
        assert 0.2 < metrics["test_accuracy"] < 1, "some points right and some wrong: the rule is tested"
    else:
        assert "accuracy" not in report


def _float64_hyperparameters(optimizer):
    """The script's momentum / betas as float64 numbers. Keras casts these Python floats with
    tf.cast, which makes a float32 tensor first: under floatx float64 its 0.9 becomes
    0.8999999761581421 in the momentum and the Adam bias corrections (1e-8 to 1e-5 away from the
    engine after one epoch). A numpy float64 is cast exactly; the values stay the script's."""
    for name in ("momentum", "beta_1", "beta_2"):
        if hasattr(optimizer, name):
            setattr(optimizer, name, np.float64(getattr(optimizer, name)))


@pytest.mark.parametrize("case, optimizer", [
    ("sigmoid", "sgd"), ("softmax", "momentum"), ("linear", "adam"), ("tanh", "sgd"), ("tanh", "adam"),
    ("tanh, no hidden layer", "momentum"),
])
def test_one_epoch_of_keras_fit_from_the_exported_weights_equals_the_engine(case, optimizer, float64):
    """The script's model as compiled there (loss, targets, optimizer, regularizers), fitted one
    epoch on the engine's batches from the exported weights, ends at the engine's weights."""
    run = _run(case, optimizer)
    script, model = _model_with_exported_weights(run)
    _, y_train = script["data"](0)
    _float64_hyperparameters(model.optimizer)
    order = np.random.default_rng(9).permutation(len(run.y_train))
    model.fit(run.x_train[order], y_train[order], batch_size=run.training.batch_size, epochs=1, shuffle=False,
              verbose=0)
    start = run.network.params.copy()
    run.network.train_epoch(run.x_train, run.y_train, run.training.batch_size,
                            network.make_optimizer(optimizer, run.training.learning_rate), run.training.objective, order)
    theirs = np.concatenate([w.ravel() for w in model.get_weights()])
    # Adam divides each gradient by its own size, so a tiny gradient (terms that cancel, summed
    # in another order by TensorFlow) turns its last-digit differences into ~1e-8 of a step.
    tolerance = 1e-7 if optimizer == "adam" else 1e-9
    np.testing.assert_allclose(theirs, run.network.params, rtol=tolerance, atol=tolerance)
    assert np.abs(run.network.params - start).max() > 1e-3, "the epoch moved the weights"


@pytest.mark.parametrize("case", ["tanh", "sigmoid"])
def test_script_starts_from_the_chosen_start_weights(case):
    run = _run(case, trained=0)
    script = _script(run)
    first, again = script["build_model"](), script["build_model"]()
    kernels, biases = first.get_weights()[0::2], first.get_weights()[1::2]
    if run.init == "uniform":  # RandomUniform(-0.5, 0.5), seeded per layer, and Constant(0.1)
        for kernel in kernels:
            assert -0.5 <= kernel.min() < -0.2 and 0.2 < kernel.max() <= 0.5
        for bias in biases:
            np.testing.assert_allclose(bias, 0.1, rtol=1e-7)
        for a, b in zip(first.get_weights(), again.get_weights()):
            np.testing.assert_array_equal(a, b)  # the same seed: the same start
        assert not np.array_equal(kernels[0].ravel()[:8], kernels[1].ravel()[:8]), "each layer its own draw"
        assert "RandomUniform" in export.keras_script(run)
    else:  # Keras' Dense default: Glorot uniform, zero biases
        for kernel in kernels:
            limit = np.sqrt(6.0 / sum(kernel.shape))
            assert np.abs(kernel).max() <= limit + 1e-7
            # Glorot's spread, not a narrower one. Asked of the hidden layers' 15 weights (all inside a third
            # of the limit: 1 draw in 14 million), not of the 3 of the 3-1 output layer (1 in 27: CI met it).
            assert kernel.size < 8 or np.abs(kernel).max() > limit / 3, (kernel.shape, np.abs(kernel).max(), limit)
        assert all((bias == 0).all() for bias in biases)
        assert "initializer" not in export.keras_script(run)


def test_weights_json_says_output_targets_and_start():
    saved = json.loads(export.weights_json(_run("tanh", trained=3)))
    assert saved["output"] == "tanh" and saved["layers"][-1]["activation"] == "tanh"
    assert saved["loss"] == "mean_squared_error" and saved["targets"].startswith("-1/+1")
    assert saved["start_weights"] == "uniform" and saved["seed"] == 4 and saved["epoch"] == 3
    plain = json.loads(export.weights_json(_run("sigmoid", trained=0)))
    assert (plain["output"], plain["loss"], plain["targets"], plain["start_weights"]) == (
        "sigmoid", "binary_crossentropy", "the labels", "glorot")


def test_exported_script_runs_alone_from_the_weights_json(tmp_path):
    """The file as a user runs it: no playground import; from the page's weights (`--weights`),
    0 epochs, its evaluation equals the engine's test loss and accuracy (Keras' float32)."""
    run = _run("tanh", "adam")
    source = export.keras_script(run, epochs=300)
    imports = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Import | ast.ImportFrom)
               for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module)])}
    assert imports == {"argparse", "io", "json", "keras", "numpy"}
    (tmp_path / "decision_boundary.py").write_text(source)
    (tmp_path / "weights.json").write_text(export.weights_json(run))
    result = subprocess.run([sys.executable, "decision_boundary.py", "--epochs", "0", "--weights", "weights.json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    loss, accuracy = ast.literal_eval(result.stdout.strip().splitlines()[-1])
    metrics = run.metrics()
    assert loss == pytest.approx(metrics["test_loss"] + run.network.penalty(run.training.objective), rel=1e-5)
    assert accuracy == pytest.approx(metrics["test_accuracy"], abs=1e-6)
