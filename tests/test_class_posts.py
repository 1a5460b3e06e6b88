"""playground.board.posts: what each page posts, every figure the server's own."""

import json

import numpy as np
import pytest

from playground.board import figures as board_figures
from playground.board import posts
from playground.boundary import datasets
from playground.boundary.session import Run, Training
from playground.boundary.settings import Spec
from playground.churn import data, stats
from playground.churn import report
from playground.churn.experiment import Experiment, ExperimentResult, SeedResult, Setting
from playground.churn.model import FitSettings, NetworkSpec, TrainingRun
from playground.churn.session import ChurnSession
from playground.churn.train import score_on_test
from playground.i18n import translator

SPEC = NetworkSpec(((6, "relu"), (6, "relu")), "uniform", "adam", 0.001)


def churn_entry(status="finished", seed=3):
    """A kept run with real (random) weights, scored on the test part by the numpy forward pass."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(0, 0.5, shape) for shape in ((11, 6), (6,), (6, 6), (6,), (6, 1), (1,))]
    settings = FitSettings(epochs=3, batch_size=64, seed=seed)
    run = TrainingRun(SPEC, settings, history=[{"epoch": e, "loss": 0.5, "accuracy": 0.8, "seconds": 0.1}
                                               for e in (1, 2, 3)], weights=weights, status=status)
    prepared = data.prepare(data.synthetic_churn(n_rows=600, seed=1), seed=seed)
    return ChurnSession().keep(run, prepared, "synthetic"), prepared


def test_a_churn_post_carries_the_scores_on_the_test_part():
    entry, prepared = churn_entry()
    settings, figures = posts.churn_post(entry)
    expected = score_on_test(entry.run, prepared)
    assert figures["test_accuracy"] == pytest.approx(expected["test_accuracy"])
    assert figures["auc"] == pytest.approx(expected["auc"])
    assert figures["parameters"] == SPEC.n_parameters == (11 + 1) * 6 + (6 + 1) * 6 + 7
    assert settings == {"data": "synthetic", "hidden": [6, 6], "activation": ["relu", "relu"], "initializer": "uniform",
                        "optimizer": "adam", "learning_rate": 0.001, "batch_size": 64, "epochs": 3,
                        "validation_share": 0.0, "early_stopping": False, "class_weights": False, "seed": 3}
    json.dumps([settings, figures])  # what the store keeps is plain JSON


def test_an_uploaded_files_name_is_not_posted_and_a_stopped_run_is_not_either():
    entry, _prepared = churn_entry()
    entry.data_label = "Smith family accounts.csv"
    assert posts.churn_post(entry)[0]["data"] == "csv"
    stopped, _prepared = churn_entry(status="stopped")
    with pytest.raises(posts.NotPosted, match="stopped"):
        posts.churn_post(stopped)


def test_an_experiment_post_carries_each_setting_and_the_paired_interval():
    experiment = Experiment(SPEC, FitSettings(epochs=2), (Setting(), Setting((("activation", "tanh"),))), (0, 1, 2))
    rng = np.random.default_rng(0)
    base, variant = rng.uniform(0.80, 0.86, 3), rng.uniform(0.80, 0.86, 3)
    records = [SeedResult(index, seed, values[seed], 0.8, 0.4, 0.5, 2, "finished", 1.0)
               for index, values in ((0, base), (1, variant)) for seed in range(3)]
    settings, figures = posts.experiment_post(ExperimentResult(experiment, records, status="finished"))
    paired = stats.paired_t(variant, base)
    (comparison,) = figures["comparisons"]
    assert comparison["mean_diff"] == pytest.approx(100 * (variant - base).mean())
    assert (comparison["low"], comparison["high"]) == pytest.approx((100 * paired.ci95[0], 100 * paired.ci95[1]))
    words = report.verdict(ExperimentResult(experiment, records, status="finished"), 1)  # the page's own sentence
    expected = "noise" if "not distinguishable" in words else "better" if "is better" in words else "worse"
    assert comparison["verdict"] == expected, words
    assert figures["best_mean_accuracy"] == pytest.approx(max(base.mean(), variant.mean()))
    assert [s["label"] for s in figures["settings"]] == experiment.labels == [s["label"] for s in settings["compared"]]
    assert [s["values"] for s in settings["compared"]] == [{"activation": "relu"}, {"activation": "tanh"}]
    zh = translator("zh")  # the board shows each setting in its own language, from the language-neutral values
    assert [board_figures.setting_label(s, zh) for s in settings["compared"]] == experiment.shown_labels(zh)
    assert board_figures.compared_label(figures, comparison["index"], "?", zh) == experiment.shown_labels(zh)[1]
    assert settings["seeds"] == [0, 1, 2] and "seed" not in settings
    with pytest.raises(posts.NotPosted):
        posts.experiment_post(ExperimentResult(experiment, records[:2], status="stopped"))


@pytest.fixture(scope="module")
def spiral_run():
    points = datasets.generate("spiral", 300, 0.1, seed=2)
    spec = Spec("spiral", 300, 0.1, 0.5, 2, ("x1", "x2"), (8, 8), ("tanh", "tanh"), Training("adam", 0.03, 10))
    run = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    return run, spec


def test_a_boundary_post_is_recomputed_from_the_weights_on_the_servers_points(spiral_run):
    run, spec = spiral_run
    trained = Run(run.points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    trained.train(epochs=30)
    weights = trained.network.params.tolist()  # what a browser sends back: plain numbers
    settings, figures = posts.boundary_post(run, spec, weights, 30)
    expected = trained.metrics()
    assert figures["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-12)
    assert figures["test_accuracy"] == pytest.approx(expected["test_accuracy"])
    assert figures["train_loss"] == pytest.approx(expected["train_loss"], rel=1e-12)
    assert figures["test_loss"] != pytest.approx(run.metrics()["test_loss"])  # the browser's weights, not the page's
    assert figures["epochs"] == 30
    assert settings["neurons"] == 16 and settings["features"] == ["x1", "x2"] and settings["data"] == "spiral"
    # Per layer (kernel, bias, ...) as a Keras-like export sends them: the same result.
    network = trained.network
    per_layer = [part.tolist() for pair in zip(network.kernels, network.biases) for part in pair]
    assert posts.boundary_post(run, spec, per_layer, 30)[1] == figures


@pytest.mark.parametrize("weights, message", [
    ([0.1] * 5, "5 weights"), (["a"] * 10, "not numbers"), (None, "not numbers")])
def test_weights_that_do_not_fit_are_refused(spiral_run, weights, message):
    run, spec = spiral_run
    with pytest.raises(posts.NotPosted, match=message):
        posts.boundary_post(run, spec, weights, 3)


def test_weights_that_exploded_or_an_absurd_epoch_count_are_refused(spiral_run):
    run, spec = spiral_run
    broken = run.network.params.copy()
    broken[0] = np.nan
    with pytest.raises(posts.NotPosted, match="finite"):
        posts.boundary_post(run, spec, broken.tolist(), 3)
    with pytest.raises(posts.NotPosted, match="epoch"):
        posts.boundary_post(run, spec, run.network.params.tolist(), -4)
