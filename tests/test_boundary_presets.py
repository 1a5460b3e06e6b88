"""Each preset makes its point: train it headless with the engine and check the claim."""

from __future__ import annotations

import numpy as np
import pytest

from playground.boundary import datasets, presets, settings
from playground.boundary.session import Run


def _trained(name: str) -> Run:
    values = presets.preset_values(name)
    classes = datasets.get(values["bd.data"]).classes
    spec, _ = settings.spec_from_state(values, classes)
    points = datasets.generate(spec.data, spec.points, spec.noise, spec.seed)
    run = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed,
              spec.init, spec.output)
    run.train(epochs=presets.PRESETS[name].epochs)
    return run


def _last(run, key):
    return run.history[-1][key]


CHECKS = {
    "xor_line": lambda run: _last(run, "train_accuracy") < 0.8 and _last(run, "test_accuracy") < 0.8,
    "xor_hidden": lambda run: _last(run, "train_accuracy") > 0.95 and _last(run, "test_accuracy") > 0.95,
    "circle_squares": lambda run: run.architecture.hidden == () and _last(run, "test_accuracy") > 0.97,
    "spiral_sin": lambda run: _last(run, "test_accuracy") > 0.9 and run.architecture.output_activation == "tanh",
    "spiral_deep": lambda run: set(run.feature_ids) == {"x1", "x2"} and _last(run, "test_accuracy") > 0.9,
    "explode": lambda run: run.exploded and run.exploded_at <= 20,
    "overfit": lambda run: (_last(run, "train_loss") < 0.05
                            and _last(run, "test_loss") > 3 * min(row["test_loss"] for row in run.history)),
}


def test_every_preset_has_a_check():
    assert set(CHECKS) | {"overfit_l2"} == set(presets.PRESETS)


@pytest.mark.parametrize("name", CHECKS)
def test_preset_makes_its_point(name):
    run = _trained(name)
    assert CHECKS[name](run), (name, run.history[-1])


def test_no_nan_anywhere_after_the_explosion():
    run = _trained("explode")
    for row in run.history:
        assert all(np.isfinite(value) for value in row.values()), row
    assert np.isfinite(run.network.params).all()
    assert np.isfinite(run.grid(40).output).all()


def test_l2_fixes_the_overfitting():
    plain, regularised = _trained("overfit"), _trained("overfit_l2")
    assert _last(regularised, "test_loss") < 0.25 * _last(plain, "test_loss")
    assert _last(regularised, "train_loss") > _last(plain, "train_loss")  # it fits the noise less


def test_spiral_with_x1_x2_and_no_hidden_layer_is_not_learnt():
    points = datasets.generate("spiral", 500, 0.0, 0)
    spec, _ = settings.spec_from_state({**settings.DEFAULTS, "bd.data": "spiral", "bd.layers": 0}, 2)
    run = Run(points, ("x1", "x2"), (), (), spec.training, 0.5, 0)
    run.train(epochs=300)
    assert _last(run, "test_accuracy") < 0.7
