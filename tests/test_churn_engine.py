"""playground.churn.engine: the compiled-epoch trainer against Keras' own model.fit, one model and stacked."""

import gc
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from playground.churn import data, engine
from playground.churn import model as churn_model
from playground.churn.model import FitSettings, NetworkSpec

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def small_data():
    return data.prepare(data.synthetic_churn(n_rows=600, seed=1), seed=0)  # 480 training rows


def flat(weights):
    return np.concatenate([np.ravel(w) for w in weights])


def sample_weights(y, class_weights: bool):
    if not class_weights:
        return np.ones_like(y)
    weight_of = churn_model.class_weights_for(y)
    return np.where(y == 1, weight_of[1], weight_of[0]).astype("float32")


def keras_reference(spec, settings, x, y):
    """Keras' own Sequential model and model.fit(shuffle=False) on the engine's batch order, epoch by epoch."""
    reference = churn_model.keras_model(spec)
    reference.set_weights(churn_model.initial_weights(spec, settings.seed))
    optimizer = keras.optimizers.get({"class_name": spec.optimizer, "config": {"learning_rate": spec.learning_rate}})
    reference.compile(optimizer=optimizer, loss="binary_crossentropy", metrics=["accuracy"])
    weight = sample_weights(y, settings.class_weights)
    history = []
    orders = engine.batch_orders(settings.seed, len(x))
    for _ in range(settings.epochs):
        order = next(orders)
        logs = reference.fit(x[order], y[order], sample_weight=weight[order], batch_size=settings.batch_size,
                             epochs=1, shuffle=False, verbose=0).history
        history.append((logs["loss"][0], logs["accuracy"][0]))
    return reference.get_weights(), history


def assert_equals_keras(run, spec, settings, x, y):
    weights, history = keras_reference(spec, settings, x, y)
    assert run.epochs_run == settings.epochs
    for ours, theirs in zip(run.weights, weights):
        np.testing.assert_allclose(ours, theirs, atol=1e-4)
    for row, (loss, accuracy) in zip(run.history, history):
        assert row["loss"] == pytest.approx(loss, rel=1e-4)
        assert row["accuracy"] == pytest.approx(accuracy, abs=1e-6)


@pytest.mark.parametrize("optimizer, activation, batch_size, class_weights", [
    ("adam", "relu", 7, True),  # partial last batch (480 = 68 x 7 + 4), class weights
    ("sgd", "tanh", 25, False),  # partial last batch
    pytest.param("adam", "relu", 32, False, marks=pytest.mark.slow),  # 480 rows = 15 full batches
    pytest.param("sgd", "elu", 16, True, marks=pytest.mark.slow),
    pytest.param("rmsprop", "sigmoid", 50, False, marks=pytest.mark.slow),
    ("adagrad", "relu", 64, True),  # Adagrad's accumulators start at 0.1, not 0
])
def test_three_epochs_equal_keras_fit_on_the_same_batches(small_data, optimizer, activation, batch_size, class_weights):
    spec = NetworkSpec(((5, activation), (4, activation)), "glorot_uniform", optimizer, 0.01)
    settings = FitSettings(epochs=3, batch_size=batch_size, seed=3, class_weights=class_weights)
    run = engine.train(spec, settings, small_data.x_train, small_data.y_train)
    assert run.status == "finished"
    assert_equals_keras(run, spec, settings, small_data.x_train, small_data.y_train)


@pytest.mark.parametrize("activations", [("relu", "leaky_relu", "prelu", "swish", "selu"),
                                         ("gelu", "tanh", "elu", "sigmoid", "linear")], ids=lambda names: "-".join(names))
def test_every_activation_trains_like_keras(small_data, activations):
    """Five hidden layers, one activation each: two networks cover all ten (fewer compilations)."""
    spec = NetworkSpec(tuple((5, name) for name in activations), "glorot_uniform", "adam", 0.02)
    settings = FitSettings(epochs=2, batch_size=24, seed=5)
    x, y = small_data.x_train[:240], small_data.y_train[:240]
    run = engine.train(spec, settings, x, y)
    assert_equals_keras(run, spec, settings, x, y)
    if "prelu" in activations:  # the learnt slope moved away from Keras' starting 0
        slope = churn_model.split_layers(run.weights, spec)[activations.index("prelu")][2]
        assert np.abs(slope).max() > 1e-4


def test_every_hidden_activation_is_on_the_activations_page_or_is_prelu():
    from playground.activations import functions

    assert set(churn_model.ACTIVATIONS) == {"relu", "tanh", "sigmoid", "elu", "linear", "leaky_relu", "prelu",
                                            "swish", "selu", "gelu"}
    assert set(churn_model.ACTIVATIONS) <= set(functions.names())
    for name, activation in churn_model.ACTIVATIONS.items():
        if not activation.learns_slope:
            assert activation.keras_name == functions.get(name).keras_name == name


def test_batch_order_is_a_fresh_seeded_permutation_per_epoch():
    orders = engine.batch_orders(4, 10)
    first, second = next(orders), next(orders)
    rng = np.random.default_rng(4 + 2)
    np.testing.assert_array_equal(first, rng.permutation(10))
    np.testing.assert_array_equal(second, rng.permutation(10))
    indices, mask = engine._batch_indices([first, second], 4)
    assert indices.shape == mask.shape == (3, 2, 4)  # steps, models, batch
    np.testing.assert_array_equal(indices[:, 1].ravel()[:10], second)
    assert mask[2, 0].tolist() == [1, 1, 0, 0]


def stacked_inputs(small_data, seeds, validation_share=0.0):
    """Each seed its own split of a bigger data set, like `--seeds` does."""
    frame = data.synthetic_churn(n_rows=500, seed=9)
    datasets = []
    for seed in seeds:
        prepared = data.prepare(frame, seed=seed)
        x_fit, y_fit, x_val, y_val = data.validation_split(prepared.x_train, prepared.y_train, validation_share, seed)
        datasets.append((x_fit, y_fit, x_val if len(x_val) else None, y_val if len(y_val) else None))
    return datasets


def test_stacked_models_each_equal_their_own_single_run(small_data):
    spec = NetworkSpec(((6, "relu"), (4, "prelu")), "uniform", "adam", 0.01)
    settings = [FitSettings(epochs=4, batch_size=16, seed=seed, validation_share=0.2, class_weights=seed == 1)
                for seed in (0, 1, 2)]
    datasets = stacked_inputs(small_data, (0, 1, 2), validation_share=0.2)
    seen = []
    runs = engine.train_stacked(datasets, spec, settings, on_epoch=lambda runs: seen.append(len(runs)))
    assert seen == [3] * 4
    assert len({flat(run.weights)[0] for run in runs}) == 3  # different seeds, different models
    for run, dataset, setting in zip(runs, datasets, settings):
        single = engine.train(spec, setting, *dataset)
        assert run.status == single.status == "finished"
        np.testing.assert_allclose(flat(run.weights), flat(single.weights), atol=1e-5)
        for ours, theirs in zip(run.history, single.history):
            assert set(ours) == set(theirs)
            for key in ours:
                if key != "seconds":
                    assert ours[key] == pytest.approx(theirs[key], rel=1e-4, abs=1e-6), key


def test_stacked_models_with_different_activations_each_equal_their_own_single_run(small_data):
    """An experiment's relu, swish and tanh train in one call (one compilation): each model its own."""
    networks = [NetworkSpec(((6, first), (4, second)), initializer, "adam", 0.01) for first, second, initializer in (
        ("relu", "relu", "uniform"), ("swish", "relu", "glorot_uniform"), ("swish", "tanh", "he_uniform"),
        ("relu", "relu", "uniform"))]
    settings = [FitSettings(epochs=3, batch_size=16, seed=seed, validation_share=0.2) for seed in (0, 1, 2, 3)]
    datasets = stacked_inputs(small_data, (0, 1, 2, 3), validation_share=0.2)
    builds = engine.builds
    runs = engine.train_stacked(datasets, networks[0], settings, specs=networks)
    assert engine.builds - builds <= 1, "one compiled epoch for the four models"
    for run, dataset, setting, network in zip(runs, datasets, settings, networks):
        assert run.spec == network  # predictions on the page use the model's own activations
        single = engine.train(network, setting, *dataset)
        np.testing.assert_allclose(flat(run.weights), flat(single.weights), atol=1e-5)
        assert run.history[-1]["val_loss"] == pytest.approx(single.history[-1]["val_loss"], rel=1e-4)


@pytest.mark.parametrize("other, message", [
    (NetworkSpec(((6, "relu"), (4, "prelu")), "uniform", "adam", 0.01), "same weight shapes"),  # a learnt slope
    (NetworkSpec(((6, "relu"), (5, "relu")), "uniform", "adam", 0.01), "same weight shapes"),
    (NetworkSpec(((6, "relu"), (4, "relu")), "uniform", "sgd", 0.01), "optimizer"),
    (NetworkSpec(((6, "relu"), (4, "relu")), "uniform", "adam", 0.1), "learning rate"),
])
def test_stacked_models_must_share_shapes_optimizer_and_learning_rate(small_data, other, message):
    base = NetworkSpec(((6, "relu"), (4, "relu")), "uniform", "adam", 0.01)
    settings = [FitSettings(epochs=1, batch_size=32, seed=seed) for seed in (0, 1)]
    with pytest.raises(ValueError, match=message):
        engine.train_stacked(stacked_inputs(small_data, (0, 1)), base, settings, specs=[base, other])


def test_a_stacked_model_that_stops_early_or_diverges_is_frozen_while_the_others_go_on(small_data, monkeypatch):
    spec = NetworkSpec(((8, "relu"),), "glorot_uniform", "sgd", 0.5)
    datasets = stacked_inputs(small_data, (0, 1, 2), validation_share=0.3)
    # Model 3 diverges in its 4th epoch: its weights and loss come back as NaN, as from an
    # overflow (exactly when a real divergence overflows depends on float rounding;
    # test_churn_model has a real one, from an absurd learning rate, checked against Keras).
    real_epoch, epochs_seen = engine.CompiledEpoch.run_epoch, []

    def diverging(self, *args):
        loss_sum, correct_sum, weights = real_epoch(self, *args)
        epochs_seen.append(1)
        if len(epochs_seen) >= 4:
            loss_sum[2], weights[2] = np.nan, [np.full_like(w, np.nan) for w in weights[2]]
        return loss_sum, correct_sum, weights

    monkeypatch.setattr(engine.CompiledEpoch, "run_epoch", diverging)
    settings = [FitSettings(epochs=12, batch_size=8, seed=0, validation_share=0.3, early_stopping=True, patience=1),
                FitSettings(epochs=12, batch_size=8, seed=1, validation_share=0.3),
                FitSettings(epochs=12, batch_size=8, seed=2, validation_share=0.3)]
    early, plain, diverged = engine.train_stacked(datasets, spec, settings)
    monkeypatch.undo()
    assert early.status == "early-stopped" and early.epochs_run < 12
    assert plain.status == "finished" and plain.epochs_run == 12
    assert diverged.status == "diverged" and diverged.epochs_run == 3
    assert np.all(np.isfinite(flat(diverged.weights)))
    assert all(np.isfinite(value) for row in diverged.history for value in row.values())
    for run, dataset, setting in ((early, datasets[0], settings[0]), (plain, datasets[1], settings[1])):
        single = engine.train(spec, setting, *dataset)
        assert (single.status, single.epochs_run, single.best_epoch) == (run.status, run.epochs_run, run.best_epoch)
        np.testing.assert_allclose(flat(run.weights), flat(single.weights), atol=1e-5)


def test_without_epoch_scores_the_runs_are_the_same_but_lighter(small_data):
    """epoch_scores=False (the CLI, experiments): same weights, loss, accuracy, validation loss and
    early stopping; only the per-epoch AUC, precision and recall are left out."""
    spec = NetworkSpec(((6, "relu"),), "uniform", "adam", 0.05)
    settings = [FitSettings(epochs=8, batch_size=16, seed=seed, validation_share=0.3, early_stopping=seed == 0,
                            patience=1) for seed in (0, 1)]
    datasets = stacked_inputs(small_data, (0, 1), validation_share=0.3)
    full = engine.train_stacked(datasets, spec, settings)
    light = engine.train_stacked(datasets, spec, settings, epoch_scores=False)
    for ours, theirs in zip(light, full):
        assert (ours.status, ours.epochs_run, ours.best_epoch) == (theirs.status, theirs.epochs_run, theirs.best_epoch)
        np.testing.assert_allclose(flat(ours.weights), flat(theirs.weights), atol=1e-6)
        for row, reference in zip(ours.history, theirs.history):
            assert set(row) == {"epoch", "loss", "accuracy", "val_loss", "val_accuracy", "seconds"}
            assert {"auc", "precision", "recall", "val_auc"} <= set(reference)
            for key in ("loss", "accuracy", "val_loss", "val_accuracy"):
                assert row[key] == pytest.approx(reference[key], rel=1e-6), key


def test_should_stop_stops_every_stacked_model_after_the_epoch(small_data):
    spec = NetworkSpec(((4, "tanh"),), "uniform", "adam", 0.01)
    runs = engine.train_stacked(stacked_inputs(small_data, (0, 1)), spec,
                                [FitSettings(epochs=30, batch_size=32, seed=seed) for seed in (0, 1)],
                                should_stop=lambda: True)
    assert [(run.status, run.epochs_run) for run in runs] == [("stopped", 1), ("stopped", 1)]


@pytest.mark.parametrize("change, message", [
    (lambda d, s: (d, [s[0], replace(s[1], epochs=5)]), "share the number of epochs"),
    (lambda d, s: ([d[0], (d[1][0][:-1], d[1][1][:-1], None, None)], s), "equally many training rows"),
    (lambda d, s: ([(d[0][0][:, :5], d[0][1], None, None), d[1]], s), "rows of 11 numbers"),
    (lambda d, s: ([(np.full_like(d[0][0], np.nan), d[0][1], None, None), d[1]], s), "missing or infinite"),
    (lambda d, s: (d, s[:1]), "one FitSettings per data set"),
    (lambda d, s: ([], []), "at least one data set"),
    (lambda d, s: (d, [replace(s[0], validation_share=0.2, early_stopping=True), s[1]]), "validation share above 0"),
])
def test_bad_stacked_input_says_what_is_wrong(small_data, change, message):
    spec = NetworkSpec(((4, "tanh"),), "uniform", "adam", 0.01)
    datasets = stacked_inputs(small_data, (0, 1))
    settings = [FitSettings(epochs=2, batch_size=32, seed=seed) for seed in (0, 1)]
    datasets, settings = change(datasets, settings)
    with pytest.raises(ValueError, match=message):
        engine.train_stacked(datasets, spec, settings)


def test_compiled_epochs_are_reused_across_runs_learning_rates_and_initializers(small_data):
    spec = NetworkSpec(((5, "relu"), (4, "tanh")), "glorot_uniform", "adam", 0.01)
    settings = FitSettings(epochs=3, batch_size=16, seed=4)
    x, y = small_data.x_train, small_data.y_train
    engine.forget_compiled_epochs()
    fresh = engine.train(spec, settings, x, y)
    builds = engine.builds
    engine.train(replace(spec, learning_rate=0.2, initializer="uniform"), replace(settings, seed=9), x, y)
    engine.train(spec, replace(settings, batch_size=8, epochs=1), x[:100], y[:100])  # other shapes: same function
    reused = engine.train(spec, settings, x, y)
    assert engine.builds == builds
    np.testing.assert_allclose(flat(reused.weights), flat(fresh.weights), atol=1e-6)
    assert [row["loss"] for row in reused.history] == pytest.approx([row["loss"] for row in fresh.history], rel=1e-6)


@pytest.mark.parametrize("name", list(churn_model.OPTIMIZERS))
def test_the_learning_rate_is_the_optimizers_own_variable_through_public_keras_api(name):
    """engine resets every optimizer variable but the learning rate between runs, and sets the rate through
    ``optimizer.learning_rate``: both need the public property to be the optimizer's own variable. If a Keras
    upgrade breaks that, this fails first, naming engine.learning_rate_variable."""
    optimizer = keras.optimizers.get({"class_name": name, "config": {"learning_rate": 0.001}})
    optimizer.build([keras.Variable(np.zeros((2, 3), "float32"))])
    rate = engine.learning_rate_variable(optimizer)
    assert sum(variable is rate for variable in optimizer.variables) == 1, (
        f"keras {keras.__version__}: optimizer.learning_rate is not one of optimizer.variables")
    optimizer.learning_rate = 0.25  # what CompiledEpochs.reset does per run
    assert engine.learning_rate_variable(optimizer) is rate and float(rate.numpy()) == pytest.approx(0.25), (
        f"keras {keras.__version__}: setting optimizer.learning_rate no longer assigns the same variable")

    class Copying:  # a Keras whose property hands out a copy: a clear error, not a silent wrong reset
        variables = optimizer.variables
        learning_rate = keras.Variable(0.25)

    with pytest.raises(RuntimeError, match="no longer the optimizer's own learning-rate variable"):
        engine.learning_rate_variable(Copying())


def test_two_threads_training_at_once_each_get_their_own_result(small_data):
    spec = NetworkSpec(((5, "relu"),), "glorot_uniform", "adam", 0.01)
    x, y = small_data.x_train, small_data.y_train
    expected = [engine.train(spec, FitSettings(epochs=3, batch_size=16, seed=seed), x, y) for seed in (0, 1)]
    results = {}

    def train(seed):
        results[seed] = engine.train(spec, FitSettings(epochs=3, batch_size=16, seed=seed), x, y)

    threads = [threading.Thread(target=train, args=(seed,)) for seed in (0, 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for seed in (0, 1):
        np.testing.assert_allclose(flat(results[seed].weights), flat(expected[seed].weights), atol=1e-6)


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    pytest.skip("no /proc/self/status (Linux only)")


def test_thirty_trainings_of_one_architecture_keep_memory_flat(small_data):
    spec = NetworkSpec(((6, "relu"), (6, "prelu")), "uniform", "adam", 0.001)
    x, y = small_data.x_train, small_data.y_train

    def train_and_export(seed):
        run = engine.train(spec, FitSettings(epochs=2, batch_size=10, seed=seed, validation_share=0.1),
                           x[:400], y[:400], x[400:], y[400:])
        churn_model.keras_file_bytes(spec, run.weights)  # what the page does after each run

    for seed in range(3):  # warm up: trace, compile, first export
        train_and_export(seed)
    gc.collect()
    before = rss_mb()
    for seed in range(30):
        train_and_export(seed)
    gc.collect()
    assert rss_mb() - before < 30, f"grew {rss_mb() - before:.1f} MB over 30 trainings"


def test_keras_file_holds_the_network_and_predicts_like_numpy(small_data, tmp_path):
    spec = NetworkSpec(((5, "prelu"), (4, "gelu"), (3, "leaky_relu")), "glorot_uniform", "adam", 0.01)
    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.7, w.shape).astype("float32") for w in churn_model.initial_weights(spec, 0)]
    path = tmp_path / "model.keras"
    path.write_bytes(churn_model.keras_file_bytes(spec, weights))
    loaded = keras.saving.load_model(path)
    assert [type(layer).__name__ for layer in loaded.layers] == ["Dense", "PReLU", "Dense", "Dense", "Dense"]
    np.testing.assert_allclose(loaded.predict(small_data.x_test, verbose=0)[:, 0],
                               churn_model.predict_proba(weights, spec, small_data.x_test), atol=2e-6)
    with pytest.raises(ValueError, match="do not fit the network"):
        churn_model.keras_file_bytes(spec, weights[:-1])


def test_limit_threads_after_tensorflow_started_says_so():
    import tensorflow as tf

    tf.constant(1.0) + 1.0  # TensorFlow is running now
    with pytest.raises(ValueError):
        engine.limit_threads(1)
    with pytest.raises(ValueError, match="0 .* or more"):
        engine.limit_threads(-1)
