"""The command line (`python -m playground.boundary.train`), run as a subprocess: it learns what it
should, its JSON equals the numpy engine run in-process the way the page builds its run (same
start weights, output, split and batches for the same seed), and bad arguments give one line and
exit status 2."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from apptest_utils import REPO
from playground.boundary import datasets, features, settings, train
from playground.boundary.session import Run


def _cli(*arguments):
    result = subprocess.run([sys.executable, "-m", "playground.boundary.train", *arguments, "--quiet"], cwd=REPO,
                            capture_output=True, text=True, timeout=120)
    return result


def _report(*arguments) -> dict:
    result = _cli(*arguments)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_cli_learns_xor_from_x1x2_alone_without_a_hidden_layer():
    report = _report("--data", "xor", "--features", "x1x2", "--hidden", "", "--epochs", "100")
    assert report["train_accuracy"] > 0.99 and report["test_accuracy"] > 0.98
    assert report["epochs_run"] == 100 and report["epochs_per_second"] > 0
    assert set(report) == {"train_loss", "test_loss", "train_accuracy", "test_accuracy", "epochs_run", "seconds",
                           "epochs_per_second"}


def test_cli_cannot_learn_the_spiral_with_a_straight_line():
    report = _report("--data", "spiral", "--features", "x1,x2", "--hidden", "0", "--epochs", "200")
    assert report["test_accuracy"] < 0.7


def test_cli_regression_has_no_accuracy_and_per_layer_activations():
    report = _report("--data", "reg_plane", "--hidden", "4,3", "--activation", "relu,tanh", "--epochs", "30")
    assert "train_accuracy" not in report and report["test_loss"] < 0.05


# -- the same run as the page ---------------------------------------------------------------------

def _page_run(page: dict) -> Run:
    """The run the page builds from these settings (pages/boundary.py: the generated points, then
    settings.spec_from_state, then Run with the spec's fields)."""
    state = {**settings.DEFAULTS, **page}
    points = datasets.generate(state["bd.data"], state["bd.points"], state["bd.noise"] / 100, state["bd.seed"])
    spec, _ = settings.spec_from_state(state, points.classes)
    return Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed,
               spec.init, spec.output)


def _page_settings(data, noise, seed, feature_ids, hidden, activations, loss, init, optimizer, rate, batch,
                   regularization="none", strength=0.0) -> dict:
    return {
        "bd.data": data, "bd.points": 200, "bd.noise": noise, "bd.train": 60, "bd.seed": seed,
        **{settings.feature_key(name): name in feature_ids for name in features.names()},
        "bd.layers": len(hidden), **{settings.neurons_key(i + 1): n for i, n in enumerate(hidden)},
        **{settings.activation_key(i + 1): a for i, a in enumerate(activations)},
        "bd.loss": loss, "bd.init": init, "bd.opt": optimizer, "bd.lr": rate, "bd.batch": batch,
        "bd.reg": regularization, "bd.rate": strength,
    }


# (the command's arguments, the same settings on the page); every case a different output or start
SAME_RUN = {
    "tanh output, uniform start": (
        ["--data", "xor", "--noise", "0.1", "--seed", "5", "--features", "x1,x2,x1x2", "--hidden", "4,3",
         "--activation", "tanh,relu", "--init", "uniform", "--output", "tanh", "--optimizer", "adam",
         "--learning-rate", "0.01", "--batch-size", "8", "--l2", "0.001"],
        _page_settings("xor", 10, 5, ["x1", "x2", "x1x2"], (4, 3), ("tanh", "relu"), "tanh", "uniform", "adam", 0.01, 8,
                       "l2", 0.001)),
    "sigmoid output, uniform start": (
        ["--data", "spiral", "--seed", "2", "--features", "x1,x2,sin1,sin2", "--hidden", "8,8", "--init", "uniform",
         "--batch-size", "10"],
        _page_settings("spiral", 0, 2, ["x1", "x2", "sin1", "sin2"], (8, 8), ("tanh", "tanh"), "cross_entropy",
                       "uniform", "sgd", 0.03, 10)),
    "sigmoid output with squared error, Glorot start": (
        ["--data", "circle", "--noise", "0.2", "--output", "sigmoid", "--loss", "squared_error", "--hidden", "5",
         "--activation", "swish", "--init", "glorot", "--optimizer", "momentum", "--learning-rate", "0.1"],
        _page_settings("circle", 20, 0, ["x1", "x2"], (5,), ("swish",), "squared_error", "glorot", "momentum", 0.1, 10)),
    "softmax output, uniform start": (
        ["--data", "blobs3", "--seed", "3", "--output", "softmax", "--init", "uniform", "--hidden", "6",
         "--activation", "elu", "--l1", "0.003"],
        _page_settings("blobs3", 0, 3, ["x1", "x2"], (6,), ("elu",), "cross_entropy", "uniform", "sgd", 0.03, 10,
                       "l1", 0.003)),
    "linear output, uniform start": (
        ["--data", "reg_gauss", "--seed", "1", "--output", "linear", "--init", "uniform", "--hidden", "",
         "--features", "x1,x2,sin1", "--learning-rate", "0.01"],
        _page_settings("reg_gauss", 0, 1, ["x1", "x2", "sin1"], (), (), "squared_error", "uniform", "sgd", 0.01, 10)),
}


@pytest.mark.parametrize("case", SAME_RUN)
def test_cli_starts_and_trains_as_the_page_for_the_same_settings(case):
    arguments, page = SAME_RUN[case]
    arguments = [*arguments, "--points", "200", "--train-share", "0.6"]
    page_run = _page_run(page)
    cli_run = train.run_from_arguments(train.parser().parse_args(arguments))
    assert cli_run.architecture == page_run.architecture and cli_run.training == page_run.training
    np.testing.assert_array_equal(cli_run.network.params, page_run.network.params)  # the same start
    np.testing.assert_array_equal(cli_run.train_index, page_run.train_index)

    epochs = 12
    report = _report(*arguments, "--epochs", str(epochs))  # the command, as a user runs it
    assert page_run.train(epochs=epochs) == epochs
    expected = {key: value for key, value in page_run.history[-1].items() if key != "epoch"}
    assert report["epochs_run"] == epochs
    assert {key: report[key] for key in expected} == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_cli_start_weights_and_tanh_output_change_the_numbers():
    """The two options reach the engine: each changes the run (and the tanh output, trained on
    -1/+1, reports its squared error on -1/+1, not on 0/1)."""
    base = ["--data", "xor", "--seed", "4", "--features", "x1,x2", "--hidden", "4", "--epochs", "20"]
    plain, uniform = _report(*base), _report(*base, "--init", "uniform")
    assert plain["train_loss"] != uniform["train_loss"]
    squared = _report(*base, "--loss", "squared_error")
    tanh = _report(*base, "--output", "tanh")
    assert tanh["train_loss"] != squared["train_loss"]
    run = train.run_from_arguments(train.parser().parse_args([*base, "--output", "tanh"]))
    assert run.architecture.output_activation == "tanh" and run.train(epochs=20) == 20
    _, logits = run.network.layer_outputs(run.x_train)
    assert tanh["train_loss"] == pytest.approx(np.mean((np.tanh(logits[:, 0]) - (2 * run.y_train - 1)) ** 2), rel=1e-12)


@pytest.mark.parametrize("arguments, message", [
    (("--hidden", "8,x"), "--hidden"),
    (("--hidden", "9"), "--hidden"),
    (("--data", "moon"), "invalid choice"),
    (("--features", "x1,x9"), "Unknown feature x9"),
    (("--hidden", "4,4", "--activation", "tanh,relu,relu"), "3 activations for 2 hidden layers"),
    (("--learning-rate", "20"), "between"),
    (("--loss", "cross_entropy", "--data", "reg_gauss"), "Cross-entropy needs classes"),
    (("--init", "he"), "argument --init: invalid choice: 'he'"),
    (("--output", "relu"), "argument --output: invalid choice: 'relu'"),
    (("--output", "tanh", "--data", "blobs3"), "--output tanh does not fit --data blobs3 (3 classes); choose softmax"),
    (("--output", "tanh", "--data", "reg_plane"), "--output tanh does not fit --data reg_plane (a regression); choose linear"),
    (("--output", "softmax"), "--output softmax does not fit --data circle (2 classes); choose sigmoid or tanh"),
    (("--output", "linear", "--data", "blobs3"), "choose softmax"),
    (("--output", "tanh", "--loss", "cross_entropy"), "--output tanh is trained with squared error"),
])
def test_cli_bad_arguments_give_one_line_and_exit_2(arguments, message):
    result = _cli(*arguments)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert result.stdout == ""
