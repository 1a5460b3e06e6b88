"""AppTest of the Churn ANN page: data, a small end-to-end training, every result checked against Keras."""

import io
import re
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest

from apptest_utils import chart_specs, modules_after_page_run, open_page, run_until_trained
from playground.churn import data, metrics
from playground.churn import presets as churn_presets

PAGE = "pages/churn_ann.py"
SMALL_RUN = {"churn.epochs": "3", "churn.layers": "1", "churn.units1": "5", "churn.batch": "64", "churn.val": "0.2",
             "churn.seed": "4"}


def charts_by_title(at):
    return {spec["layout"]["title"]["text"].split(":")[0].split(" (")[0]: spec for spec in chart_specs(at)}


RESULT_TABS = {"test": "Test set", "network": "Trained network", "whatif": "What if?", "runs": "All runs",
               "downloads": "Downloads"}


def open_result_tab(at, tab: str):
    """Select a tab of the results, as a click on it does (only the open tab's content is built)."""
    at.session_state["churn.view.en"] = RESULT_TABS[tab]
    return at.run()


def metric_values(at):
    return {metric.label: metric.value for metric in at.metric}


def test_page_opens_without_loading_tensorflow():
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == []
    assert result["heavy"] == [], "the page must not import tensorflow/keras before Train is pressed"


def test_data_section_shows_balance_and_churn_by_feature():
    at = open_page(PAGE, query_params={"churn.explore": "NumOfProducts"})
    assert not at.exception
    charts = charts_by_title(at)
    frame = data.synthetic_churn(seed=0)
    balance = charts["Class balance"]["data"][0]
    assert list(balance["y"]) == [int((frame.Exited == 0).sum()), int((frame.Exited == 1).sum())]
    by_products = charts["Churn rate by NumOfProducts"]["data"][0]
    expected = frame.groupby("NumOfProducts").Exited.mean()
    np.testing.assert_allclose(by_products["y"], expected.to_numpy())
    assert any("synthetic" in caption.value for caption in at.caption)


@pytest.fixture(scope="module")
def trained():
    """The page after one small training run (3 epochs), plus the Keras model it offers for download."""
    keras = pytest.importorskip("keras")
    at = open_page(PAGE, timeout=300, query_params=SMALL_RUN)
    at.button(key="churn.train").click().run()
    assert "churn._training" in at.session_state, "Train queues a job for the worker pool"
    run_until_trained(at)
    assert not at.exception, [e.value for e in at.exception]
    session = at.session_state["churn._session"]
    entry = session.latest
    path = Path(tempfile.mkdtemp()) / "model.keras"
    path.write_bytes(entry.keras_file)
    model = keras.saving.load_model(path)
    return at, entry, model


def test_training_shows_every_result_element(trained):
    keras = pytest.importorskip("keras")
    at, entry, model = trained
    assert entry.run.status == "finished" and entry.run.epochs_run == 3
    assert entry.run.spec.hidden == ((5, "relu"),) and entry.run.settings.batch_size == 64
    prepared = data.prepare(data.synthetic_churn(seed=0), seed=4)
    np.testing.assert_array_equal(entry.prepared.y_test, prepared.y_test)
    keras_probabilities = model.predict(prepared.x_test, verbose=0)[:, 0]
    counts = metrics.confusion(prepared.y_test, keras_probabilities, 0.5)

    values = metric_values(at)
    assert values["Test accuracy"] == f"{counts.accuracy:.1%}"
    assert values["Always 'stays' baseline"] == f"{1 - prepared.y_test.mean():.1%}"
    assert values["Precision"] == f"{counts.precision:.1%}"
    assert values["Recall"] == f"{counts.recall:.1%}"
    assert values["F1"] == f"{counts.f1:.3f}"

    charts = charts_by_title(at)
    # the first tab is open: the test set's confusion matrix and ROC curve, and nothing of the other tabs
    assert {"Training curves", "Confusion matrix on the test set", "ROC curve on the test set", "Class balance"} <= set(charts)
    assert "Network" not in charts and "Runs of this session" not in charts
    assert not [d for d in at.get("download_button") if d.proto.label == "History (CSV)"]
    assert [tab.label for tab in at.tabs] == list(RESULT_TABS.values())
    assert np.array_equal(np.asarray(charts["Confusion matrix on the test set"]["data"][0]["z"]), counts.matrix)
    roc = charts["ROC curve on the test set"]["data"]
    keras_auc = keras.metrics.AUC(num_thresholds=5001)
    keras_auc.update_state(prepared.y_test, keras_probabilities)
    assert float(roc[0]["name"].split("AUC ")[1].rstrip(")")) == pytest.approx(float(keras_auc.result()), abs=2e-3)
    curves = charts["Training curves"]["data"]
    assert [trace["name"] for trace in curves] == ["training loss", "validation loss", "training accuracy",
                                                   "validation accuracy"]
    assert list(curves[0]["x"]) == [1, 2, 3]
    np.testing.assert_allclose(curves[0]["y"], [row["loss"] for row in entry.run.history])
    assert any("Run 1: finished, 3/3 epochs" in str(element.proto) for element in at.get("progress"))

    open_result_tab(at, "network")
    network = charts_by_title(at)["Network"]
    layer_labels = network["layout"]["xaxis"]["ticktext"]
    assert layer_labels == ["input (11)", "hidden 1 (5)", "output (1)"]

    open_result_tab(at, "runs")
    assert "Runs of this session" in charts_by_title(at)
    table = at.dataframe[-1].value  # the run table is the last table of the page
    assert len(table) == 1 and table.loc[0, "status"] == "finished"
    assert table.loc[0, "test accuracy"] == pytest.approx(counts.accuracy)

    open_result_tab(at, "downloads")
    downloads = [element.proto.label for element in at.get("download_button")]
    assert {"Trained model (.keras)", "History (CSV)", "Keras script (.py)"} <= set(downloads)
    open_result_tab(at, "test")


def test_threshold_slider_updates_the_results_without_retraining(trained):
    at, entry, model = trained
    before = np.asarray(charts_by_title(at)["Confusion matrix on the test set"]["data"][0]["z"])
    at.slider(key="churn.threshold").set_value(0.25).run()
    assert not at.exception
    assert at.session_state["churn._session"].latest is entry, "no new run"
    probabilities = model.predict(entry.prepared.x_test, verbose=0)[:, 0]
    counts = metrics.confusion(entry.prepared.y_test, probabilities, 0.25)
    after = np.asarray(charts_by_title(at)["Confusion matrix on the test set"]["data"][0]["z"])
    assert np.array_equal(after, counts.matrix) and not np.array_equal(after, before)
    assert metric_values(at)["Recall"] == f"{counts.recall:.1%}"


def test_what_if_form_gives_the_models_churn_probability(trained):
    at, entry, model = trained
    open_result_tab(at, "whatif")
    form_inputs = {widget.label: widget for widget in at.number_input}
    form_inputs["Age"].set_value(55)
    form_inputs["Products"].set_value(3)
    next(button for button in at.button if button.label == "Predict").click().run()
    assert not at.exception
    message = [success.value for success in at.success]
    assert message, [e.value for e in at.error]
    raw = data.encode_customer({"Geography": "France", "Gender": "Female", "Age": 55, "CreditScore": 650, "Tenure": 5,
                                "Balance": 60_000.0, "NumOfProducts": 3, "HasCrCard": 1, "IsActiveMember": 1,
                                "EstimatedSalary": 100_000.0})
    expected = float(model.predict(entry.prepared.standardize(raw[None, :]), verbose=0)[0, 0])
    assert f"**{expected:.1%}**" in message[0]


def test_sections_are_numbered_without_a_gap_before_a_run():
    """The results (with their tabs) appear only after a training: the Experiment is section 3 until then."""
    at = open_page(PAGE)
    assert not at.exception
    assert [header.value for header in at.header] == [
        "1. Data", "2. Network and training", "3. Experiment: is a difference bigger than the seed noise?"]


def test_bad_upload_shows_its_message_and_the_previous_data_stays():
    at = open_page(PAGE, query_params={"churn.data": "upload"})
    good = io.StringIO()
    data.synthetic_churn(n_rows=400, seed=9).to_csv(good, index=False)
    at.file_uploader(key="churn.upload").upload("mine.csv", good.getvalue().encode(), "text/csv").run()
    assert not at.error and any("mine.csv" in caption.value and "400 rows" in caption.value for caption in at.caption)
    at.file_uploader(key="churn.upload").upload("broken.csv", b"name,age\nAnn,30\n", "text/csv").run()
    assert not at.exception
    with pytest.raises(data.ChurnDataError) as expected:
        data.load_churn_csv(io.BytesIO(b"name,age\nAnn,30\n"))
    assert at.error and str(expected.value) in at.error[0].value and "broken.csv" in at.error[0].value
    assert any("mine.csv" in caption.value and "400 rows" in caption.value for caption in at.caption), \
        "the previously loaded file stays in use"


@pytest.mark.parametrize("name", list(churn_presets.PRESETS))
def test_preset_button_sets_every_control(name):
    preset = churn_presets.PRESETS[name]
    at = open_page(PAGE)
    at.button(key=f"churn.preset.{name}").click().run()
    assert not at.exception
    widgets = {w.key: w.value for kind in ("slider", "select_slider", "selectbox", "toggle", "number_input")
               for w in getattr(at, kind)}
    for key, value in preset.widget_values().items():
        assert widgets[key] == value, key
    assert any(preset.lesson[:40] in info.value for info in at.info)
    assert not at.warning, [w.value for w in at.warning]  # every preset is a valid setting


def test_an_absurd_learning_rate_gives_a_warning_not_a_traceback():
    pytest.importorskip("keras")
    at = open_page(PAGE, timeout=300, query_params={
        "churn.layers": "1", "churn.act1": "linear", "churn.optimizer": "sgd", "churn.lr": "3.0",
        "churn.init": "random_normal", "churn.batch": "1", "churn.epochs": "3"})
    at.button(key="churn.train").click().run()
    run_until_trained(at)
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["churn._session"].latest.run.status == "diverged"
    assert any("learning rate is far too high" in warning.value for warning in at.warning)


@pytest.mark.parametrize("state, position, waiting, seconds", [
    ("queued", 5, 4, 3.0),  # far back (more jobs ahead than the 2 workers): only its place changes
    ("queued", 2, 1, 1.0),  # next up while another waits
    ("running", None, 3, 1.0),  # running while a class waits: once a second
    ("running", None, 0, 0.5),  # running alone: smooth live curves
])
def test_a_page_polls_its_job_slower_while_others_wait(state, position, waiting, seconds):
    """Every poll re-renders the whole page in the browser, so a class of 30 waiting must not poll fast."""
    from types import SimpleNamespace

    from pages.parts.churn_training import poll_seconds

    assert poll_seconds(SimpleNamespace(state=state, position=position), workers=2, waiting=waiting) == seconds


def test_the_workers_line_leaves_out_counts_drawn_while_this_session_trains():
    """Drawn when the page runs, "0 training · 1 waiting" beside a live "Epoch 5/20" was wrong:
    while this session has a job its own progress line speaks, the workers' line only says ready."""
    # 200 epochs at batch 1 (~10 s): still running when the page draws the line after the click (3
    # epochs could end first, and then the counts are rightly back); stopped below
    at = open_page(PAGE, query_params={**SMALL_RUN, "churn.epochs": "200", "churn.batch": "1"}, timeout=120)
    deadline = time.monotonic() + 120
    while not any("Training workers ready" in caption.value for caption in at.caption):
        assert time.monotonic() < deadline, "the training workers did not get ready"
        time.sleep(0.5)
        at.run()
    ready = next(caption.value for caption in at.caption if "Training workers ready" in caption.value)
    counts = r"\d+ training · \d+ waiting\.$"  # (the pool is the process's: other tests may use it)
    assert re.search(counts, ready)
    at.button(key="churn.train").click().run()
    during = next(caption.value for caption in at.caption if "Training workers ready" in caption.value)
    assert during == "✓ Training workers ready: 1 of 1 (TensorFlow runs in separate processes)."
    at.button(key="churn.stop").click().run()
    run_until_trained(at).run()  # (the job may end between the workers' line and the training section)
    after = next(caption.value for caption in at.caption if "Training workers ready" in caption.value)
    assert re.search(counts, after)


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("state, error, english", [
    ("cancelled", None, "The training was taken out of the queue."),
    ("stopped", None, "The training was stopped before it reported a result."),
])
def test_a_training_without_a_result_says_why_in_the_language_of_the_page(lang, state, error, english):
    from types import SimpleNamespace

    from i18n_utils import english_words
    from playground.churn import jobs
    from playground.churn.model import FitSettings, NetworkSpec
    from playground.i18n import translator

    ticket = SimpleNamespace(state=state, ended=True, error=error, result=None, waited_seconds=0.0)
    prepared = data.prepare(data.synthetic_churn(n_rows=200, seed=0), seed=0)
    at = open_page(PAGE, query_params={"lang": lang})
    at.session_state["churn._training"] = jobs.Training(ticket, NetworkSpec(), FitSettings(), prepared, "synthetic")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e.value for e in at.error] == [translator(lang)(english)]
    assert "churn._training" not in at.session_state and not at.button(key="churn.train").disabled
    if lang == "zh":
        assert not english_words(at.error[0].value), at.error[0].value


@pytest.mark.parametrize("retry, expected", [
    (2.3, "The training workers could not start (no TensorFlow here); trying again in 3 s."),
    (None, "Training is off: the training workers could not start. no TensorFlow here"),
])
def test_workers_that_fail_to_start_are_said_to_start_again_while_the_pool_retries(monkeypatch, retry, expected):
    from pages.parts import churn_training
    from playground.workers import PoolStatus

    status = PoolStatus(size=1, ready=0, starting=0, busy=0, queued=0, start_error="no TensorFlow here",
                        retry_in_seconds=retry)

    class FailingPool:
        def status(self):
            return status

    monkeypatch.setattr(churn_training, "training_pool", FailingPool)
    at = open_page("pages/churn_ann.py")
    assert not at.exception, [e.value for e in at.exception]
    shown = [element.value for element in [*at.warning, *at.error]]
    assert expected in shown, shown
