"""The browser's engine (playground/boundary/web/engine.js, run under node) against the numpy engine:
from the same start weights, data and batch order, 50 epochs end at the same weights within 1e-9,
with the same per-epoch losses and accuracies and the same "exploded" epoch, for every optimizer,
loss, output, hidden activation, regularization, batch size and both start-weight conventions;
the forward pass (neuron maps, output map) and features.js's columns are the numpy ones too.

The numpy side is session.Run itself (its train loop, metrics and set_training); the numpy engine
equals GradientTape and Keras (tests/test_boundary_engine.py), so the chain of references holds.
All cases go to one node process (tests/js/run_cases.mjs).

Two float64 engines agree to the last bit only in their formulas, not in the order BLAS sums a
product nor in the last bit of exp or tanh: they differ by ~1e-16 after the first batch. A
well-behaved run keeps that below 1e-12 for 50 epochs; a chaotic one (the loss jumping up and down
at too high a learning rate, an L1 weight hopping across 0) multiplies it by ~5 per epoch, and
then numpy does not even agree with itself started one ulp away. So every case is also checked to be
well conditioned (numpy from weights one ulp away ends within 1e-10), which makes 1e-9 a real test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

from playground.boundary import datasets, features, network
from playground.boundary.network import Architecture, Network, Objective
from playground.boundary.session import Run, Training

REPO = Path(__file__).resolve().parents[1]
HARNESS = REPO / "tests" / "js" / "run_cases.mjs"
EPOCHS = 50
TOLERANCE = dict(rtol=1e-9, atol=1e-9)


@dataclass
class Case:
    name: str
    data: str
    output: str  # network.OUTPUTS id
    loss: str
    optimizer: str
    activations: tuple[str, ...]
    hidden: tuple[int, ...]
    regularization: str = "none"
    init: str = "glorot"
    batch_size: int = 10
    learning_rate: float = 0.03
    feature_ids: tuple[str, ...] = ("x1", "x2")
    points: int = 120
    noise: float = 0.1
    seed: int = 0
    changes: dict[int, dict] = field(default_factory=dict)  # epoch -> Training fields changed before it
    epochs: int = EPOCHS


OUTPUT_LOSSES = [("sigmoid", "cross_entropy", "spiral"), ("sigmoid", "squared_error", "xor"),
                 ("tanh", "squared_error", "circle"), ("softmax", "cross_entropy", "blobs3"),
                 ("softmax", "squared_error", "blobs3"), ("linear", "squared_error", "reg_gauss")]
LAYERS = [(("tanh", "tanh"), (8, 8)), (("relu",), (5,)), (("sigmoid", "elu"), (6, 4)),
          (("leaky_relu", "swish", "linear"), (4, 3, 5)), ((), ()), (("elu", "relu"), (3, 7)),
          (("swish",), (8,)), (("linear", "leaky_relu"), (2, 6)), (("tanh", "sigmoid", "relu"), (5, 5, 5))]
FEATURE_SETS = [("x1", "x2"), tuple(features.names()), ("x1", "x2", "x1x2", "sin1"), ("x1", "x2sq", "sin2"),
                ("x1", "x2", "x1sq", "x2sq")]
LEARNING_RATES = {"sgd": 0.1, "momentum": 0.01, "adam": 0.01}


def _cases() -> list[Case]:
    cases = []
    for k, ((output, loss, data), optimizer) in enumerate(
            (ol, opt) for ol in OUTPUT_LOSSES for opt in network.OPTIMIZERS):
        activations, hidden = LAYERS[k % len(LAYERS)]
        batch_size, regularization = (10, 7, 50, 1, 3)[k % 5], ("none", "l1", "l2")[k % 3]
        if batch_size == 1 and regularization == "l1":  # L1 step by step dithers weights across 0: chaotic
            regularization = "l2"
        cases.append(Case(
            f"{output}-{loss}-{optimizer}-{'-'.join(activations) or 'no_hidden'}", data, output, loss, optimizer,
            activations, hidden, regularization=regularization, init=("glorot", "uniform")[k // 3 % 2],
            batch_size=batch_size, learning_rate=LEARNING_RATES[optimizer],
            feature_ids=FEATURE_SETS[k % len(FEATURE_SETS)], seed=k))
    cases += [
        # the page's spiral preset (8,8 tanh on x1, x2, sin x1, sin x2, 500 points, batch 10), then
        # with all seven features, the tanh output and the uniform start
        Case("spiral-preset", "spiral", "sigmoid", "cross_entropy", "sgd", ("tanh", "tanh"), (8, 8),
             feature_ids=("x1", "x2", "sin1", "sin2"), points=500, noise=0.0),
        Case("spiral-uniform-tanh-output", "spiral", "tanh", "squared_error", "sgd", ("tanh", "tanh"), (8, 8),
             init="uniform", learning_rate=0.01, feature_ids=tuple(features.names()), points=500, noise=0.0),
        Case("six-layers-of-eight", "moons", "sigmoid", "cross_entropy", "adam", ("tanh", "relu", "elu", "swish", "leaky_relu", "sigmoid"),
             (8,) * 6, regularization="l2", learning_rate=0.003, feature_ids=tuple(features.names())),
        # settings changed mid-run keep the weights; a new optimizer starts fresh, the same one keeps its state
        Case("settings-change-mid-run", "gauss", "sigmoid", "cross_entropy", "momentum", ("tanh",), (4,), regularization="l1",
             changes={10: {"learning_rate": 0.1}, 20: {"optimizer": "adam", "learning_rate": 0.01},
                      30: {"batch_size": 4, "regularization": "l2", "rate": 0.01}, 40: {"loss": "squared_error"}}),
        # the training blows up: both stop at the same epoch, with the last sound weights
        Case("explodes", "reg_plane", "linear", "squared_error", "sgd", ("linear", "linear"), (8, 8), learning_rate=0.03,
             batch_size=50),  # at epoch 2, by its loss
        Case("explodes-momentum-relu", "reg_gauss", "linear", "squared_error", "momentum", ("relu",), (8,), learning_rate=2.0,
             batch_size=1, feature_ids=("x1sq", "x2sq")),  # within epoch 1
    ]
    return cases


CASES = _cases()


def _rate(regularization):
    return {"none": 0.0, "l1": 0.003, "l2": 0.01}[regularization]


def _settings(case: Case) -> dict:
    """The case's Training fields, flat (what set_training changes mid-run)."""
    return dict(optimizer=case.optimizer, learning_rate=case.learning_rate, batch_size=case.batch_size,
                loss=case.loss, regularization=case.regularization, rate=_rate(case.regularization))


def _training(settings: dict) -> Training:
    settings = dict(settings)
    objective = Objective(settings.pop("loss"), settings.pop("regularization"), settings.pop("rate"))
    return Training(objective=objective, **settings)


def _numpy_run(case: Case, nudge: bool = False):
    """session.Run with the case's output and start weights; (run, start params, batch orders).
    `nudge`: start every weight one ulp up (to see whether the case is well conditioned)."""
    points = datasets.generate(case.data, case.points, case.noise, case.seed)
    settings = _settings(case)
    run = Run(points, case.feature_ids, case.hidden, case.activations, _training(settings), 0.5, case.seed)
    run.architecture = Architecture(run.architecture.inputs, case.hidden, case.activations, points.classes, case.output)
    network.check_objective(run.architecture, run.training.objective)
    run.network = Network(run.architecture, case.seed, init=case.init)
    if nudge:
        run.network.params[:] = np.nextafter(run.network.params, np.inf)
    run.history, run.snapshots = [], []
    run._record()
    start = run.network.params.copy()
    shuffle = np.random.default_rng(case.seed + 1)  # a twin of Run's own shuffle: the same orders
    orders = [shuffle.permutation(len(run.y_train)) for _ in range(case.epochs)]
    for epoch in range(case.epochs):
        if epoch in case.changes:
            settings.update(case.changes[epoch])
            run.set_training(_training(settings))
        if not run.train(epochs=1):
            break
    return run, start, orders


def _js_case(case: Case, run: Run, start, orders, grid) -> dict:
    training = _training(_settings(case))
    spec = network.js_spec(run.architecture, start, training.optimizer, training.learning_rate, training.batch_size,
                           training.objective, case.seed)
    js_changes = {}
    for epoch, change in case.changes.items():
        names = {"learning_rate": "learningRate", "batch_size": "batchSize"}
        js_changes[str(epoch)] = {names.get(k, k): v for k, v in change.items()}
    rng = np.random.default_rng(case.seed + 5)
    xy = rng.uniform(-6, 6, (60, 2))
    return {
        "spec": spec,
        "train": {"x": run.x_train.ravel().tolist(), "labels": run.y_train.tolist()},
        "test": {"x": run.x_test.ravel().tolist(), "labels": run.y_test.tolist()},
        "orders": [order.tolist() for order in orders],
        "changes": js_changes,
        "grid": grid.ravel().tolist(),
        "features": {"ids": list(case.feature_ids), "xs": xy[:, 0].tolist(), "ys": xy[:, 1].tolist(), "xy": xy},
    }


def _node() -> str:
    path = shutil.which("node")
    if path is None:
        message = "node is not installed (apt-get install -y nodejs): the JavaScript engine cannot be run"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"{message}; under CI a missing node is a failure", pytrace=False)
        pytest.skip(message)
    return path


def run_node(cases: list[dict]) -> list[dict]:
    """engine.js on `cases` in one node process (tests/js/run_cases.mjs)."""
    completed = subprocess.run([_node(), str(HARNESS)], input=json.dumps({"cases": cases}), capture_output=True,
                               text=True, timeout=600, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)["results"]


@pytest.fixture(scope="module")
def outcomes():
    _node()
    numpy_side, js_cases = [], []
    for case in CASES:
        run, start, orders = _numpy_run(case)
        grid = features.matrix(np.random.default_rng(case.seed + 7).uniform(-6, 6, (150, 2)), case.feature_ids)
        js = _js_case(case, run, start, orders, grid)
        numpy_side.append((run, grid, js["features"].pop("xy")))
        js_cases.append(js)
    results = run_node(js_cases)
    return {case.name: (run, grid, xy, result) for case, (run, grid, xy), result in zip(CASES, numpy_side, results)}


def _nan_to_none(values):
    return [None if v is None or np.isnan(v) else v for v in values]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fifty_epochs_end_at_the_numpy_weights(outcomes, case):
    run, _, _, result = outcomes[case.name]
    assert "error" not in result, result.get("error")
    assert result["explodedAt"] == run.exploded_at
    np.testing.assert_allclose(result["params"], run.network.params, **TOLERANCE)
    assert len(result["history"]) == run.epoch == len(run.history) - 1
    keys = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")
    for js_row, row in zip(result["history"], run.history[1:]):
        expected = _nan_to_none([row.get(key, np.nan) for key in keys])
        assert [v is None for v in js_row] == [v is None for v in expected], (js_row, expected)
        np.testing.assert_allclose([v for v in js_row if v is not None], [v for v in expected if v is not None], **TOLERANCE)
    assert result["iterations"] == run.optimizer.iterations


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_the_case_is_well_conditioned(outcomes, case):
    """numpy started one ulp away ends within 1e-10 of numpy: differences in the last bit do not
    grow past the tolerance, so a JavaScript result outside 1e-9 is a real difference."""
    run = outcomes[case.name][0]
    nudged, _, _ = _numpy_run(case, nudge=True)
    assert nudged.exploded_at == run.exploded_at
    np.testing.assert_allclose(nudged.network.params, run.network.params, rtol=1e-10, atol=1e-10)


def test_the_cases_cover_every_choice():
    assert {c.optimizer for c in CASES} | {o for c in CASES for ch in c.changes.values() for k, o in ch.items() if k == "optimizer"} == set(network.OPTIMIZERS)
    assert {a for c in CASES for a in c.activations} == set(network.ACTIVATIONS)
    assert {(c.output, c.loss) for c in CASES} == {(o, l) for o, l, _ in OUTPUT_LOSSES}
    assert {c.regularization for c in CASES} == set(network.REGULARIZATIONS)
    assert {c.init for c in CASES} == set(network.START_WEIGHTS)
    assert {f for c in CASES for f in c.feature_ids} == set(features.names())
    assert {1, 50} <= {c.batch_size for c in CASES}


def test_explosions_happen_in_the_cases_meant_to_explode(outcomes):
    """So the exploded rule is really compared (a case that never explodes proves nothing)."""
    for case in CASES:
        run = outcomes[case.name][0]
        assert run.exploded == case.name.startswith("explodes"), case.name


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_forward_pass_gives_the_numpy_maps(outcomes, case):
    run, grid, _, result = outcomes[case.name]
    hidden, logits = run.network.layer_outputs(grid)
    forward = result["forward"]
    assert len(forward["layers"]) == len(hidden)
    for js_layer, layer in zip(forward["layers"], hidden):
        np.testing.assert_allclose(js_layer, layer.ravel(), **TOLERANCE)
    np.testing.assert_allclose(forward["logits"], logits.ravel(), **TOLERANCE)
    np.testing.assert_allclose(forward["output"], np.ravel(run.network.output_values(logits)), **TOLERANCE)
    np.testing.assert_allclose(forward["probability"], np.ravel(run.network.output_from_logits(logits)), **TOLERANCE)
    metrics = run.metrics()
    assert result["evaluate"]["loss"] == pytest.approx(metrics["train_loss"], rel=1e-9, abs=1e-12)
    assert result["evaluate"]["accuracy"] == (pytest.approx(metrics["train_accuracy"]) if run.points.classes else None)


@pytest.mark.parametrize("case", CASES[:len(FEATURE_SETS)], ids=lambda c: "-".join(c.feature_ids))
def test_features_js_gives_the_numpy_columns(outcomes, case):
    _, _, xy, result = outcomes[case.name]
    np.testing.assert_allclose(result["features"], features.matrix(xy, case.feature_ids).ravel(), rtol=1e-15, atol=1e-15)


def test_bad_specs_are_refused_with_a_message():
    script = """
import { createModel } from "./playground/boundary/web/engine.js";
const base = {sizes: [2, 3, 1], activations: ["tanh"], output: "sigmoid", loss: "cross_entropy",
              params: new Array(13).fill(0.1), optimizer: "sgd", learningRate: 0.03, batchSize: 10,
              regularization: "none", rate: 0};
const bad = [{params: [1, 2]}, {activations: ["softsign"]}, {output: "tanh"}, {optimizer: "lion"},
             {learningRate: 100}, {sizes: [2, 3, 3]}, {output: "linear", loss: "cross_entropy"}];
const messages = bad.map((change) => { try { createModel({...base, ...change}); return null; } catch (e) { return e.message; } });
const model = createModel(base);
let refused = null;
try { model.setTraining({regularization: "l3"}); } catch (e) { refused = e.message; }
console.log(JSON.stringify({messages, refused, kept: model.training.regularization}));
"""
    completed = subprocess.run([_node(), "--input-type=module", "-e", script], capture_output=True, text=True,
                               timeout=60, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    expected = ["Expected 13 parameters", "Unknown activation softsign", "squared error", "Unknown optimizer lion",
                "learning rate must be between", "does not fit 3 output", "squared error"]
    for message, part in zip(answer["messages"], expected):
        assert message and part in message, (message, part)
    assert "Unknown regularization l3" in answer["refused"] and answer["kept"] == "none"


def test_the_engines_tanh_is_numpys_within_a_few_ulp():
    """engine.js's own tanh (a rational approximation and a written-out exp, faster than
    Math.tanh) against numpy's tanh over the whole range, the cut at 0.625 and the ends."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.uniform(-1, 1, 20000), rng.uniform(-25, 25, 20000), rng.uniform(-1e-3, 1e-3, 2000),
                        np.nextafter(0.625, [0, 1]), -np.nextafter(0.625, [0, 1]), [0.0, -0.0, 21.99, 22.0, 1e300, -1e300]])
    script = ('import { tanh } from "./playground/boundary/web/engine.js"; import { readFileSync } from "node:fs";'
              'const x = JSON.parse(readFileSync(0, "utf8")); console.log(JSON.stringify(x.map(tanh)));')
    completed = subprocess.run([_node(), "--input-type=module", "-e", script], input=json.dumps(x.tolist()),
                               capture_output=True, text=True, timeout=60, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    ours, theirs = np.array(json.loads(completed.stdout)), np.tanh(x)
    ulp = np.spacing(np.abs(theirs))
    assert np.max(np.abs(ours - theirs) / ulp) <= 4


def test_the_models_own_shuffle_is_a_seeded_permutation():
    """Without an order the model shuffles the rows itself: a full batch then gives the ordered
    epoch's gradient (every row once), the same seed the same weights, another seed others."""
    script = """
import { createModel } from "./playground/boundary/web/engine.js";
const n = 40, sizes = [2, 5, 1];
const x = Float64Array.from({length: 2 * n}, (_, k) => Math.sin(7.3 * k) * 4);
const y = Float64Array.from({length: n}, (_, k) => (k * 7919) % 3 === 0 ? 1 : 0);
const params = Array.from({length: 2 * 5 + 5 + 5 + 1}, (_, k) => Math.cos(3.1 * k) / 2);
const make = (batchSize, seed) => createModel({sizes, activations: ["tanh"], output: "sigmoid", loss: "cross_entropy",
  params, optimizer: "adam", learningRate: 0.01, batchSize, regularization: "none", rate: 0, seed});
const run = (model, order) => { for (let e = 0; e < 5; e++) model.trainEpoch(x, y, n, order); return Array.from(model.params); };
const ordered = Int32Array.from({length: n}, (_, k) => k);
console.log(JSON.stringify({full: run(make(n, 1)), fullOrdered: run(make(n, 1), ordered),
  a: run(make(10, 1)), again: run(make(10, 1)), other: run(make(10, 2)), aOrdered: run(make(10, 1), ordered)}));
"""
    completed = subprocess.run([_node(), "--input-type=module", "-e", script], capture_output=True, text=True,
                               timeout=60, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    got = {key: np.array(value) for key, value in json.loads(completed.stdout).items()}
    np.testing.assert_allclose(got["full"], got["fullOrdered"], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(got["a"], got["again"])
    assert np.abs(got["a"] - got["other"]).max() > 1e-6
    assert np.abs(got["a"] - got["aOrdered"]).max() > 1e-6
