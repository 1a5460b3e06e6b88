"""AppTest of the Churn ANN page's Experiment section: a small paired experiment in the worker pool, Stop,
presets, URL state, bad input, and a page process that never imports TensorFlow."""

import io
import time
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from apptest_utils import chart_specs, open_page, run_in_fresh_process, run_until_trained
from i18n_utils import english_words, shown_texts
from playground.churn import experiment as exp
from playground.churn import fields, figures, jobs, report, runner
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.presets import EXPERIMENT_PRESETS
from playground.i18n import translator

PAGE = "pages/churn_ann.py"
SMALL = {"churn.exp.seeds": "3", "churn.exp.epochs": "2", "churn.batch": "64", "churn.layers": "1",
         "churn.units1": "4", "churn.exp.v1.1": "activation", "churn.exp.v1.1.activation": "tanh"}


def experiment_charts(at):
    return {spec["layout"]["title"]["text"].split(" per seed")[0]: spec for spec in chart_specs(at)
            if "per seed" in spec["layout"]["title"]["text"]}


@pytest.fixture(scope="module")
def ran():
    pytest.importorskip("keras")
    at = open_page(PAGE, timeout=600, query_params=SMALL)
    at.button(key="churn.exp.run").click().run()
    assert "churn.exp._job" in at.session_state, "Run experiment queues one job for the worker pool"
    assert at.button(key="churn.exp.run").disabled and not at.button(key="churn.exp.stop").disabled
    run_until_trained(at, key="churn.exp._job")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at, at.session_state["churn.exp._result"]


def test_small_experiment_shows_dots_table_and_verdict(ran):
    at, result = ran
    assert result.status == "finished" and len(result.records) == 6
    assert result.experiment.labels == ["relu", "tanh"] and result.experiment.seeds == (0, 1, 2)
    charts = experiment_charts(at)
    assert set(charts) == {"Test accuracy", "AUC"}
    for title, metric in (("Test accuracy", "test_accuracy"), ("AUC", "auc")):
        traces = {trace["name"]: trace for trace in charts[title]["data"] if trace.get("showlegend", True)}
        assert {"one training (one seed)", "mean with its 95 % interval", "same seed (split, start weights, shuffle)"} \
            <= set(traces)
        dots = [trace for trace in charts[title]["data"] if trace["name"] == "one training (one seed)"]
        for index, trace in enumerate(dots):
            expected = result.values(index, metric)
            np.testing.assert_allclose(trace["y"], [expected[s] for s in sorted(expected)])
        means = traces["mean with its 95 % interval"]
        np.testing.assert_allclose(means["y"], [result.summary(i, metric).mean for i in range(2)])
        layout = charts[title]["layout"]
        assert layout["xaxis"]["title"]["text"] == "setting" and layout["yaxis"]["title"]["text"]
        assert list(layout["xaxis"]["ticktext"]) == ["relu", "tanh"]
    summary = at.dataframe[-2].value
    assert list(summary["setting"]) == ["relu", "tanh"]
    assert summary.loc[1, "mean test accuracy (%)"] == pytest.approx(100 * np.mean(list(result.values(1).values())),
                                                                    abs=0.005)
    paired = at.dataframe[-1].value
    assert paired.loc[0, "comparison"] == "tanh − relu"
    assert paired.loc[0, "p (paired t-test)"] == pytest.approx(result.paired(1).p_value, abs=5e-5)
    verdict = report.verdict(result, 1)
    assert verdict.startswith("tanh − relu: ") and any(verdict in m.value for m in at.markdown)
    assert any(report.verdict(result, 1, "auc") == c.value for c in at.caption)
    assert any("Experiment finished: 6/6 trainings" in str(p.proto) for p in at.get("progress"))
    download = next(d for d in at.get("download_button") if d.proto.label == "Every seed's results (CSV)")
    assert download is not None
    csv = pd.read_csv(io.StringIO(report.seed_frame(result).to_csv(index=False)))
    assert len(csv) == 6 and set(csv["activation"]) == {"relu", "tanh"} and list(csv["seed"]) == [0, 1, 2] * 2


def test_results_stay_when_another_control_changes(ran):
    at, result = ran
    at.slider(key="churn.exp.seeds").set_value(4).run()
    assert not at.exception
    assert at.session_state["churn.exp._result"] is result, "no new experiment without pressing Run"
    assert set(experiment_charts(at)) == {"Test accuracy", "AUC"}


def test_every_preset_sets_the_base_and_the_variants():
    at = open_page(PAGE)
    for index, (name, preset) in enumerate(EXPERIMENT_PRESETS.items()):
        button = at.button(key=f"churn.exp.preset.{index}")
        assert not button.disabled, name
        button.click().run()
        assert not at.exception
        widgets = {w.key: w.value for kind in ("slider", "select_slider", "selectbox", "toggle", "number_input")
                   for w in getattr(at, kind)}
        for key, value in preset.widget_values().items():
            assert widgets[key] == value, (name, key)
        assert any(preset.lesson[:40] in info.value for info in at.info)
        assert not at.warning, [w.value for w in at.warning]
        assert not at.button(key="churn.exp.run").disabled, name
        caption = next(c.value for c in at.caption if "trainings of" in c.value)
        assert f"{preset.seeds} seeds" in caption and f"trainings of {preset.epochs} epochs" in caption


def test_the_activation_presets_compare_swish_leaky_relu_and_prelu_with_relu():
    labels = {}
    for name, preset in EXPERIMENT_PRESETS.items():
        variants = [exp.Setting(tuple((field, fields.parse_value(field, text)) for field, text in changes))
                    for changes in preset.variants]
        setup = exp.Experiment(preset.base.spec, preset.base.settings, (exp.Setting(), *variants),
                               tuple(range(preset.seeds)))
        labels[name] = setup.labels
    assert labels["Swish vs ReLU (the article: +0.5 %)"] == ["relu", "swish"]
    assert labels["Leaky ReLU and PReLU vs ReLU"] == ["relu", "leaky_relu", "prelu"]


def test_the_url_holds_language_neutral_ids_and_bad_settings_give_a_warning():
    at = open_page(PAGE, query_params={"churn.exp.v1.1": "optimizer", "churn.exp.v1.1.optimizer": "sgd",
                                       "churn.exp.v1.2": "learning_rate", "churn.exp.v1.2.learning_rate": "0.01",
                                       "churn.exp.v2.1": "batch_size", "churn.exp.v2.1.batch_size": "8000"})
    assert not at.exception and not at.warning
    caption = next(c.value for c in at.caption if "trainings of" in c.value)
    assert "adam · lr 0.001 · batch 10, sgd · lr 0.01 · batch 10, adam · lr 0.001 · batch 8000" in caption
    assert at.query_params["churn.exp.v1.1.optimizer"] in ("sgd", ["sgd"])  # the id, not a translated label
    at.selectbox(key="churn.exp.v1.1.optimizer").set_value("adam")
    at.selectbox(key="churn.exp.v1.2").set_value("none").run()
    assert not at.exception
    assert any("same network as setting 1" in w.value for w in at.warning)
    assert at.button(key="churn.exp.run").disabled


def test_seed_strip_figure_joins_each_seed_across_settings():
    fig = figures.seed_strip(["a", "b"], [{0: 0.8, 1: 0.82, 2: 0.81}, {0: 0.79, 2: 0.83}])
    lines = next(trace for trace in fig.data if trace.mode == "lines")
    assert list(lines.y).count(None) == 2  # seeds 0 and 2 are in both settings; seed 1 only in "a"
    assert [y for y in lines.y if y is not None] == [0.8, 0.79, 0.81, 0.83]
    means = next(trace for trace in fig.data if trace.name == "mean with its 95 % interval")
    assert list(means.y) == pytest.approx([0.81, 0.81])
    low, high = exp.stats.summarize([0.8, 0.82, 0.81]).ci95
    assert means.error_y.array[0] == pytest.approx(high - 0.81)
    assert fig.layout.yaxis.title.text == "test accuracy on the test set (%)"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_invalid_network_settings_disable_the_experiment_with_a_message(lang):
    _ = translator(lang)
    at = open_page(PAGE, query_params={"churn.early": "true", "churn.val": "0.0", "lang": lang})  # needs validation
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert _("Early stopping watches the validation loss: set a validation share above 0.") in warnings
    assert any(_("Fix the network's settings in section 2 first (see the warning there): the experiment starts from "
                 "them.") == w for w in warnings)
    assert at.button(key="churn.exp.run").disabled
    if lang == "zh":
        assert not any(english_words(w) for w in warnings), warnings


def test_the_same_network_twice_is_named_in_the_language_of_the_page():
    zh = translator("zh")
    at = open_page(PAGE, query_params={"lang": "zh", "churn.exp.v1.1": "batch_size", "churn.exp.v1.1.batch_size": "10"})
    assert not at.exception
    (warning,) = [w.value for w in at.warning]
    assert warning == zh("Setting {number} ({label}) is the same network as setting {other}: change a field to a "
                         "different value.").format(number=2, label=zh("base"), other=1)
    assert not english_words(warning), warning


def test_stop_ends_the_running_experiment_and_says_what_finished():
    at = open_page(PAGE, timeout=600, query_params={**SMALL, "churn.batch": "10", "churn.exp.epochs": "200"})
    at.button(key="churn.exp.run").click().run()
    job = at.session_state["churn.exp._job"]
    deadline = time.monotonic() + 300
    while not job.ticket.events and not job.ticket.ended:  # running: the first epoch has been reported
        assert time.monotonic() < deadline, "the experiment did not start"
        time.sleep(0.25)
        at.run()
    at.run()
    assert any("0/6 trainings · relu and tanh, 3 seeds at once · about" in str(p.proto) for p in at.get("progress"))
    at.button(key="churn.exp.stop").click().run()
    run_until_trained(at, key="churn.exp._job")
    assert not at.exception and not at.error
    result = at.session_state["churn.exp._result"]
    assert job.ticket.state == "stopped" and result.status == "stopped" and result.records == []
    assert any("Stopped after 0 of 6 trainings; none had finished" in info.value for info in at.info)
    assert any("Experiment stopped: 0/6 trainings" in str(p.proto) for p in at.get("progress"))
    assert not at.button(key="churn.exp.run").disabled and at.button(key="churn.exp.stop").disabled


@pytest.mark.parametrize("state, error, result, message", [
    ("failed", "ValueError: Early stopping watches the validation loss", None,
     "The experiment failed: ValueError: Early stopping watches the validation loss"),
    ("cancelled", None, None, "The experiment was taken out of the queue."),
    ("stopped", "Its worker was ended.", None, "The experiment was stopped before it reported its result."),
])
def test_an_experiment_without_a_result_says_why(state, error, result, message):
    setup = exp.Experiment(NetworkSpec(((4, "relu"),)), FitSettings(epochs=2, batch_size=64), seeds=(0, 1, 2))
    record = exp.SeedResult(0, 1, 0.8, 0.75, 0.4, 0.5, 2, "finished", 1.0)
    update = runner.ExperimentProgress(0.5, 1, 3, 1.0, 1.0, "running", (0,), 3, [record])
    job = jobs.ExperimentJob(SimpleNamespace(state=state, error=error, result=result, events=[update]), setup)
    kept, said = job.outcome()
    assert said.translate().startswith(message)
    if error:
        assert said.translate().endswith(error), "the pool's reason follows"
    if state == "stopped":  # the worker died after the stop: the trainings it reported are kept
        assert kept.status == "stopped" and kept.records == [record]
    else:
        assert kept is None
    at = open_page(PAGE)
    at.session_state["churn.exp._job"] = SimpleNamespace(ticket=SimpleNamespace(ended=True), outcome=job.outcome)
    at.run()
    assert not at.exception
    assert any(e.value.startswith(message) for e in at.error)
    assert "churn.exp._job" not in at.session_state and not at.button(key="churn.exp.run").disabled


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_progress_and_outcome_are_worded_in_the_language_of_the_page(lang):
    """The worker's update is numbers and ids; the page words it, and the outcome, in its session's language."""
    _ = translator(lang)
    setup = exp.Experiment(NetworkSpec(((4, "relu"),)), FitSettings(epochs=2, batch_size=64),
                           (exp.Setting(), exp.Setting((("batch_size", 8000),))), seeds=(0, 1, 2))
    record = exp.SeedResult(0, 1, 0.8, 0.75, 0.4, 0.5, 2, "finished", 1.0)
    update = runner.ExperimentProgress(0.5, 1, 6, 3.0, 3.2, "running", (0, 1), 3, [record])
    ticket = SimpleNamespace(state="running", ended=False, events=[update], stop_requested=True, position=0,
                             error=None, result=None)
    at = open_page(PAGE, query_params={"lang": lang})
    at.session_state["churn.exp._job"] = jobs.ExperimentJob(ticket, setup)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (line,) = [p.proto.text for p in at.get("progress") if "/6" in p.proto.text]
    assert line == update.text(setup, _) + _(" · stopping after this epoch")
    if lang == "en":
        assert line == ("1/6 trainings · batch 64 and batch 8000, 3 seeds at once · about 3 s left · stopping after "
                        "this epoch")
    else:
        assert line.startswith("1/6 次训练 · 批量 64 和 批量 8000") and not english_words(line), line

    ticket.state, ticket.ended = "stopped", True  # the worker was ended before it returned its result
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    (error,) = [e.value for e in at.error]
    assert error == _("The experiment was stopped before it reported its result.")
    kept = at.session_state["churn.exp._result"]
    assert kept.status == "stopped" and kept.records == [record]
    assert any(_("Experiment {status}: {done}/{total} trainings in {seconds} s").format(
        status=_("stopped"), done=1, total=6, seconds="0") in p.proto.text for p in at.get("progress"))
    if lang == "zh":
        leftovers = {text[:120]: sorted(words) for text in shown_texts(at) if (words := english_words(text))}
        assert not leftovers, leftovers


def test_running_an_experiment_never_imports_tensorflow_in_the_page_process():
    result = run_in_fresh_process(
        f"""
        import json, sys, time
        sys.path.insert(0, "tests")
        from apptest_utils import open_page, run_until_trained
        at = open_page({PAGE!r}, timeout=300, query_params={{**{SMALL!r}, "churn.exp.epochs": "1"}})
        at.button(key="churn.exp.run").click().run()
        run_until_trained(at, key="churn.exp._job")
        result = at.session_state["churn.exp._result"]
        print(json.dumps({{"status": result.status, "records": len(result.records),
                          "errors": [e.value for e in at.error], "exceptions": [e.value for e in at.exception],
                          "heavy": sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))}}))
        """,
        env={"PLAYGROUND_WARMUP": "0", "PLAYGROUND_WORKERS": "1"},
        timeout=400,
    )
    assert result["exceptions"] == [] and result["errors"] == []
    assert result["status"] == "finished" and result["records"] == 6
    assert result["heavy"] == [], "the experiment trains in a worker process; the page process never loads TensorFlow"
