"""playground.churn.model / train / session: the network, its Keras form, training, the session's runs; accuracy on real data."""

import statistics
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from playground.churn import data, jobs, metrics
from playground.churn import presets as churn_presets
from playground.churn import model as churn_model
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.session import ChurnSession
from playground.churn.train import score_on_test, train_prepared, train_prepared_stacked

keras = pytest.importorskip("keras")

REAL_CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "Churn_Modelling.csv"
SMALL = NetworkSpec(((5, "relu"), (4, "tanh")), "glorot_uniform", "adam", 0.01)


@pytest.fixture(scope="module")
def small_data():
    return data.prepare(data.synthetic_churn(n_rows=600, seed=1), seed=0)


def flat(weights):
    return np.concatenate([np.ravel(w) for w in weights])


@pytest.mark.parametrize("activation", list(churn_model.ACTIVATIONS))
def test_numpy_forward_pass_matches_keras_predict(activation, small_data):
    spec = NetworkSpec(((7, activation), (3, activation)), "glorot_uniform", "adam", 0.01)
    model = churn_model.keras_model(spec)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.8, w.shape).astype("float32") for w in model.get_weights()]  # PReLU slopes too
    model.set_weights(weights)
    expected = model.predict(small_data.x_test, verbose=0)[:, 0]
    np.testing.assert_allclose(churn_model.predict_proba(weights, spec, small_data.x_test), expected, atol=2e-6)


def test_keras_model_has_the_layers_of_the_spec_and_counts_its_parameters():
    model = churn_model.keras_model(SMALL)
    assert [layer.units for layer in model.layers] == [5, 4, 1]
    assert [layer.activation.__name__ for layer in model.layers] == ["relu", "tanh", "sigmoid"]
    assert model.count_params() == SMALL.n_parameters
    with_prelu = NetworkSpec(((6, "prelu"), (4, "leaky_relu")))
    model = churn_model.keras_model(with_prelu)
    assert [type(layer).__name__ for layer in model.layers] == ["Dense", "PReLU", "Dense", "Dense"]
    assert model.count_params() == with_prelu.n_parameters == 12 * 6 + 6 + 7 * 4 + 5
    assert [w.shape for w in churn_model.initial_weights(with_prelu, 0)] == [w.shape for w in model.get_weights()]


def test_initial_weights_are_seeded_per_layer_and_follow_the_initializer():
    spec = NetworkSpec(((6, "relu"), (6, "relu")), "uniform")
    first, again, other = (churn_model.initial_weights(spec, seed) for seed in (0, 0, 1))
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[0], other[0])
    kernels = first[0::2]
    assert [k.shape for k in kernels] == [(11, 6), (6, 6), (6, 1)]
    assert all(np.abs(k).max() <= 0.05 for k in kernels)  # the tutorial's 'uniform' is U(-0.05, 0.05)
    assert not np.array_equal(kernels[1][:1], kernels[2].T[:, :1])
    assert all(np.all(b == 0) for b in first[1::2])


def test_history_and_validation_metrics_match_keras(small_data):
    run = train_prepared(small_data, SMALL, FitSettings(epochs=4, batch_size=32, seed=2, validation_share=0.25))
    assert [row["epoch"] for row in run.history] == [1, 2, 3, 4]
    assert run.status == "finished"
    _, _, x_val, y_val = data.validation_split(small_data.x_train, small_data.y_train, 0.25, 2)
    model = churn_model.keras_model(SMALL)
    model.compile(loss="binary_crossentropy", metrics=["accuracy"])
    model.set_weights(run.weights)
    logs = model.evaluate(x_val, y_val, verbose=0, return_dict=True)
    assert run.history[-1]["val_loss"] == pytest.approx(logs["loss"], rel=1e-4)
    assert run.history[-1]["val_accuracy"] == pytest.approx(logs["accuracy"], abs=1e-6)
    # AUC, precision and recall of each epoch (numpy) against keras.metrics on the same weights
    x_fit, y_fit, _, _ = data.validation_split(small_data.x_train, small_data.y_train, 0.25, 2)
    for x, y, prefix in ((x_fit, y_fit, ""), (x_val, y_val, "val_")):
        probabilities = model.predict(x, verbose=0)
        for metric in (keras.metrics.AUC(num_thresholds=5001), keras.metrics.Precision(), keras.metrics.Recall()):
            metric.update_state(y, probabilities)
            name = {"AUC": "auc"}.get(type(metric).__name__, type(metric).__name__.lower())
            assert run.history[-1][prefix + name] == pytest.approx(float(metric.result()), abs=2e-3), prefix + name
    report = score_on_test(run, small_data)
    test_logs = model.evaluate(small_data.x_test, small_data.y_test, verbose=0, return_dict=True)
    assert report["test_accuracy"] == pytest.approx(test_logs["accuracy"], abs=1e-6)
    assert report["test_loss"] == pytest.approx(test_logs["loss"], rel=1e-4)
    assert run.seconds_left() == 0.0


def test_should_stop_halts_after_the_current_epoch_and_keeps_the_partial_run(small_data):
    run = train_prepared(small_data, SMALL, FitSettings(epochs=50, batch_size=32),
                         should_stop=lambda: True)
    assert run.status == "stopped" and run.epochs_run == 1
    assert run.weights is not None and np.all(np.isfinite(flat(run.weights)))


class StopAfter:
    """What the worker pool hands a job (playground.workers.Progress): collects what the job sends,
    and asks it to stop once `epochs` epochs have been sent (None: never)."""

    def __init__(self, epochs=None):
        self.sent, self.epochs = [], epochs

    def send(self, row):
        self.sent.append(row)

    def stop_requested(self):
        return self.epochs is not None and len(self.sent) >= self.epochs


def test_a_stopped_run_is_kept_as_stopped(small_data):
    """Stop in the page asks the worker's job to stop after the current epoch; the partial run joins the table.
    Here Stop comes once the page has shown epoch 3: the job ends the epoch it is in, the 4th."""
    progress = StopAfter(epochs=3)
    result = jobs.train_job(small_data, SMALL, FitSettings(epochs=20, batch_size=32, validation_share=0.2),
                            progress=progress)
    session = ChurnSession()
    assert session.entries == [] and session.latest is None, "nothing joins the table before the job's result is kept"
    assert progress.sent == result["run"].history, "one history row sent per epoch"
    entry = session.keep(result["run"], small_data, "synthetic", result["keras_file"])
    assert entry.run.status == "stopped" and entry.run.epochs_run == 4
    np.testing.assert_allclose(entry.test_probabilities, churn_model.predict_proba(entry.run.weights, SMALL,
                                                                                   small_data.x_test))
    loaded = keras.saving.load_model(_write(entry.keras_file))
    np.testing.assert_allclose(loaded.predict(small_data.x_test, verbose=0)[:, 0], entry.test_probabilities, atol=2e-6)
    assert session.table().loc[0, "status"] == "stopped"


def _write(content: bytes) -> str:
    import tempfile

    path = Path(tempfile.mkdtemp()) / "model.keras"
    path.write_bytes(content)
    return str(path)


def test_early_stopping_restores_the_best_validation_epoch(small_data):
    big = NetworkSpec(((64, "relu"), (64, "relu")), "glorot_uniform", "adam", 0.01)
    run = train_prepared(small_data, big, FitSettings(epochs=60, batch_size=16, validation_share=0.3,
                                                      early_stopping=True, patience=3))
    val_losses = [row["val_loss"] for row in run.history]
    best = int(np.argmin(val_losses)) + 1
    assert run.status == "early-stopped" and run.best_epoch == best
    assert run.epochs_run == best + 3
    assert flat(run.weights) == pytest.approx(flat(run.best_weights))
    _, _, x_val, y_val = data.validation_split(small_data.x_train, small_data.y_train, 0.3, 0)
    assert metrics.binary_cross_entropy(y_val, run.predict(x_val)) == pytest.approx(min(val_losses))


def test_class_weights_balance_the_classes_and_raise_recall(small_data):
    weights = churn_model.class_weights_for(np.array([0, 0, 0, 1]))
    assert weights == {0: pytest.approx(4 / 6), 1: pytest.approx(2.0)}  # n / (2 n_c)
    settings = FitSettings(epochs=8, batch_size=32, seed=1)
    plain = train_prepared(small_data, SMALL, settings)
    weighted = train_prepared(small_data, SMALL, replace(settings, class_weights=True))
    recall = [score_on_test(run, small_data)["recall"] for run in (plain, weighted)]
    assert recall[1] > recall[0] + 0.1, recall


def test_an_absurd_learning_rate_is_reported_as_diverged_with_no_nan_downstream(small_data):
    spec = NetworkSpec(((8, "linear"),), "random_normal", "sgd", 10.0)
    settings = FitSettings(epochs=10, batch_size=1, validation_share=0.2)
    run = train_prepared(small_data, spec, settings)
    assert run.status == "diverged" and run.epochs_run < 10
    session = ChurnSession()  # what the page shows: the last finite weights, finite numbers only
    result = jobs.train_job(small_data, spec, settings, progress=StopAfter())
    entry = session.keep(result["run"], small_data, "synthetic", result["keras_file"])
    assert entry.run.status == "diverged" and entry.keras_file is None
    assert np.all(np.isfinite(entry.test_probabilities)) and np.all(np.isfinite(flat(entry.run.weights)))
    numbers = [value for value in entry.report.values() if isinstance(value, float)]
    numbers += [value for row in entry.run.history for value in row.values()]
    assert numbers and all(np.isfinite(value) for value in numbers)


@pytest.mark.parametrize("spec_kwargs, message", [
    (dict(hidden=()), "between 1 and 6 hidden layers"),
    (dict(hidden=((65, "relu"),)), "1 to 64 units"),
    (dict(hidden=((6, "swishy"),)), "unknown activation"),
    (dict(optimizer="magic"), "Unknown optimizer"),
    (dict(learning_rate=0.0), "learning rate must be above 0"),
])
def test_bad_network_specs_say_what_is_wrong(spec_kwargs, message):
    with pytest.raises(ValueError, match=message):
        NetworkSpec(**spec_kwargs)


def test_bad_fit_settings_say_what_is_wrong():
    with pytest.raises(ValueError, match="1 to 200 epochs"):
        FitSettings(epochs=0)
    with pytest.raises(ValueError, match="validation share above 0"):
        FitSettings(early_stopping=True, validation_share=0.0)


def test_every_preset_is_valid_and_teaches_something():
    assert {"Tutorial recipe", "Overfitting", "Best found"} <= set(churn_presets.PRESETS)
    tutorial = churn_presets.TUTORIAL
    assert tutorial.spec.hidden == ((6, "relu"), (6, "relu")) and tutorial.spec.initializer == "uniform"
    assert (tutorial.spec.optimizer, tutorial.settings.batch_size, tutorial.settings.epochs) == ("adam", 10, 100)
    for preset in churn_presets.PRESETS.values():
        assert len(preset.lesson) > 60


@pytest.mark.slow
def test_tutorial_recipe_on_synthetic_data_reaches_the_expected_accuracy():
    prepared = data.prepare(data.synthetic_churn(seed=0), seed=0)
    run = train_prepared(prepared, churn_presets.TUTORIAL.spec, churn_presets.TUTORIAL.with_seed(0))
    accuracy = score_on_test(run, prepared)["test_accuracy"]
    assert 0.83 <= accuracy <= 0.90, accuracy


def _real_accuracies(preset, seeds):
    """Test accuracy of `preset` for each seed (own split, weights, batch order), the seeds trained together."""
    if not REAL_CSV.exists():
        pytest.skip(f"{REAL_CSV} is absent (it lives outside the repository; CI has it)")
    frame = data.load_churn_csv(REAL_CSV)
    prepared = [data.prepare(frame, seed=seed) for seed in seeds]
    runs = train_prepared_stacked(prepared, preset.spec, [preset.with_seed(seed) for seed in seeds])
    return [score_on_test(run, part)["test_accuracy"] for run, part in zip(runs, prepared)]


# One run lands anywhere in about +-1 % depending on its seed (split, initial weights, batch
# order), so the medians are over ten seeds. Measured with the engine's batch order: tutorial
# median 0.840 (0.829-0.858); Best found median 0.8585 (0.849-0.8695; seeds 0-2 alone: 0.852).
@pytest.mark.slow
def test_tutorial_recipe_on_the_real_data_matches_the_reference():
    accuracies = _real_accuracies(churn_presets.TUTORIAL, seeds=range(10))
    assert statistics.median(accuracies) >= 0.835, accuracies


@pytest.mark.slow
def test_best_preset_on_the_real_data_beats_the_tutorial():
    accuracies = _real_accuracies(churn_presets.BEST, seeds=range(10))
    assert statistics.median(accuracies) >= 0.855, accuracies
