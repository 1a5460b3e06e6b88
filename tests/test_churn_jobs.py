"""playground.churn.jobs: real trainings through the worker pool (one warmed-up TensorFlow worker)."""

import tempfile
from pathlib import Path

import numpy as np
import pytest

from playground.churn import data, jobs
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.session import ChurnSession
from playground.churn.train import train_prepared
from playground.i18n import translator
from playground.workers import WorkerPool

keras = pytest.importorskip("keras")

SMALL = NetworkSpec(((5, "relu"), (4, "tanh")), "glorot_uniform", "adam", 0.01)


@pytest.fixture(scope="module")
def small_data():
    return data.prepare(data.synthetic_churn(n_rows=600, seed=1), seed=0)


@pytest.fixture(scope="module")
def pool():
    pool = WorkerPool(size=1, initializer=jobs.prepare_worker, max_memory_mb=10_000)
    yield pool
    pool.shutdown()


def test_a_training_in_a_worker_streams_every_epoch_and_matches_an_in_process_training(pool, small_data):
    settings = FitSettings(epochs=4, batch_size=32, validation_share=0.2, seed=3)
    training = jobs.Training.submit(pool, SMALL, settings, small_data, "synthetic")
    assert training.ticket.wait(240), training.ticket
    assert training.ticket.state == "done", training.ticket.error
    assert pool.status().start_error is None
    run = training.ticket.result["run"]
    assert [row["epoch"] for row in training.history] == [1, 2, 3, 4]
    assert training.history == run.history, "one progress event per epoch: the history row"
    assert {"loss", "accuracy", "val_loss", "auc", "seconds"} <= set(training.history[0])

    reference = train_prepared(small_data, SMALL, settings)  # the same recipe in this process
    for ours, theirs in zip(run.weights, reference.weights):
        np.testing.assert_allclose(ours, theirs, atol=1e-4)

    session = ChurnSession()
    entry, message = training.keep_result(session)
    assert message is None and session.latest is entry and entry.run.status == "finished"
    path = Path(tempfile.mkdtemp()) / "model.keras"
    path.write_bytes(entry.keras_file)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.predict(small_data.x_test, verbose=0)[:, 0], entry.test_probabilities, atol=2e-6)


def test_stop_ends_a_training_after_the_current_epoch_and_keeps_the_partial_run(pool, small_data):
    training = jobs.Training.submit(pool, SMALL, FitSettings(epochs=200, batch_size=8, seed=1), small_data, "synthetic")
    while len(training.history) < 2 and not training.ticket.ended:
        training.ticket.wait(0.05)
    training.ticket.stop()
    assert training.ticket.wait(60) and training.ticket.state == "stopped"
    session = ChurnSession()
    entry, message = training.keep_result(session)
    assert message is None and entry.run.status == "stopped"
    assert 2 <= entry.run.epochs_run < 200 and entry.keras_file is not None


def test_a_training_that_waited_in_line_keeps_its_wait(pool, small_data):
    """The page's run line says how long a training waited for a worker (the classroom bench reads it)."""
    first = jobs.Training.submit(pool, SMALL, FitSettings(epochs=60, batch_size=8, seed=1), small_data, "synthetic")
    second = jobs.Training.submit(pool, SMALL, FitSettings(epochs=2, batch_size=32, seed=2), small_data, "synthetic")
    assert second.ticket.position == 1 or first.ticket.state == "queued"
    assert first.ticket.wait(120) and second.ticket.wait(120)
    session = ChurnSession()
    first_entry, _ = first.keep_result(session)
    second_entry, _ = second.keep_result(session)
    assert second_entry.waited_seconds == pytest.approx(second.ticket.started_at - second.ticket.submitted_at)
    # it waited at least as long as the first one ran (one worker)
    assert second_entry.waited_seconds >= first.ticket.ended_at - first.ticket.started_at - 0.5
    assert first_entry.waited_seconds < second_entry.waited_seconds


def test_an_error_inside_the_worker_comes_back_as_a_message(pool, small_data):
    narrow = data.PreparedData(small_data.x_train[:, :5], small_data.x_test[:, :5], small_data.y_train,
                               small_data.y_test, small_data.mean[:5], small_data.scale[:5])
    training = jobs.Training.submit(pool, SMALL, FitSettings(epochs=2, batch_size=32), narrow, "synthetic")
    assert training.ticket.wait(120) and training.ticket.state == "failed"
    entry, why = training.keep_result(ChurnSession())
    message = why.translate()
    assert entry is None and message.startswith("The training failed: ")
    assert "\n" not in message and "File " not in message and len(message) < 600, "no stack trace for the user"
    assert why.translate(translator("zh")).startswith(translator("zh")("The training failed: {error}").split("{")[0])
    after = jobs.Training.submit(pool, SMALL, FitSettings(epochs=1, batch_size=32), small_data, "synthetic")
    assert after.ticket.wait(120) and after.ticket.state == "done", "the worker carries on"
