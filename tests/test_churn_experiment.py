"""Experiments over seeds: the fields registry (fields.py), settings (experiment.py), paired runs, progress
and stop (runner.py), verdicts (report.py), the CLI (cli.py)."""

import json
import os
import pickle
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from playground.churn import cli, data, experiment, fields, report, runner, stats
from playground.churn import train as churn_train
from playground.churn.experiment import Experiment, Setting
from playground.i18n import translator
from playground.churn.model import FitSettings, NetworkSpec

# CHURN_CSV names the file where ../shared is not beside the checkout (e.g. in a git worktree).
REPO = Path(__file__).resolve().parent.parent
REAL_CSV = Path(os.environ.get("CHURN_CSV", Path(__file__).resolve().parents[2] / "shared" / "data" / "Churn_Modelling.csv"))
BASE = NetworkSpec(((6, "relu"), (6, "relu")), "uniform", "adam", 0.001)
QUICK = FitSettings(epochs=2, batch_size=64)


@pytest.fixture(scope="module")
def frame():
    return data.synthetic_churn(n_rows=1500, seed=2)


# ---- the settings registry ----------------------------------------------------------------------


def test_every_field_parses_its_menu_and_changes_only_itself():
    base_values = Experiment(BASE, QUICK, (Setting(),), (0, 1, 2)).values(0, all_fields=True)
    for field_id, field in fields.FIELDS.items():
        for text in field.choices():
            value = fields.parse_value(field_id, text)
            spec, settings = Setting(((field_id, value),)).resolve(BASE, QUICK)
            assert field.text(field.read(spec, settings)) == text, (field_id, text)
            changed = {f: field_.text(field_.read(spec, settings)) for f, field_ in fields.FIELDS.items()}
            assert {f for f in changed if changed[f] != base_values[f]} <= {field_id}


def test_hidden_keeps_the_activation_and_is_applied_before_it():
    spec, _ = Setting((("activation", "tanh"), ("hidden", (16, 8, 4)))).resolve(BASE, QUICK)
    assert spec.hidden == ((16, "tanh"), (8, "tanh"), (4, "tanh"))
    mixed = NetworkSpec(((6, "relu"), (6, "tanh")))
    assert Setting((("hidden", (3, 3, 3)),)).resolve(mixed, QUICK)[0].hidden == ((3, "relu"), (3, "tanh"), (3, "tanh"))


def test_labels_show_only_what_differs():
    sgd = Setting((("optimizer", "sgd"), ("learning_rate", 0.01)))
    two = Experiment(BASE, QUICK, (Setting(), Setting((("batch_size", 8000),)), sgd))
    assert two.labels == ["adam · lr 0.001 · batch 64", "adam · lr 0.001 · batch 8000", "sgd · lr 0.01 · batch 64"]
    assert two.values(1) == {"optimizer": "adam", "learning_rate": "0.001", "batch_size": "8000"}
    assert Experiment(BASE, QUICK).labels == ["base"]


@pytest.mark.parametrize("text, message", [
    ("activation=relu,foo", "'foo' is not an activation; allowed: relu, tanh"),
    ("colour=red", "unknown field 'colour'; allowed fields: activation, hidden"),
    ("learning_rate=0.1,-3", "out of range"),
    ("batch_size=ten", "'ten' is not a batch size"),
    ("hidden=6,6/0", "1 to 6 whole numbers from 1 to 64"),
    ("optimizer", "write FIELD=VALUE1,VALUE2"),
])
def test_bad_compare_text_names_the_field_and_the_allowed_values(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        experiment.parse_compare(text)


def test_compare_gives_every_combination_and_refuses_too_many():
    assert experiment.parse_compare("hidden=6,6/16,8") == ("hidden", [(6, 6), (16, 8)])
    settings = experiment.compare_settings([("activation", ["relu", "tanh"]), ("class_weights", [False, True])])
    assert [dict(s.changes) for s in settings] == [
        {"activation": "relu", "class_weights": False}, {"activation": "relu", "class_weights": True},
        {"activation": "tanh", "class_weights": False}, {"activation": "tanh", "class_weights": True}]
    with pytest.raises(ValueError, match="5 settings; at most 4"):
        experiment.compare_settings([("batch_size", [1, 5, 10, 16, 32])])
    with pytest.raises(ValueError, match="same network as setting 1"):
        Experiment(BASE, QUICK, (Setting(), Setting((("activation", "relu"),))))
    with pytest.raises(ValueError, match="3 to 30 seeds"):
        Experiment(BASE, QUICK, seeds=(0, 1))
    with pytest.raises(ValueError, match="at most 2"):
        Experiment(BASE, QUICK, (Setting((("activation", "tanh"), ("optimizer", "sgd"), ("batch_size", 5))),))


# ---- running: paired seeds, progress, stop --------------------------------------------------------


class FakeTicket:
    """What the worker pool hands a job: send() collects, stop_requested() after `stop_after` sends."""

    def __init__(self, stop_after=None):
        self.sent, self.stop_after = [], stop_after

    def send(self, update):
        self.sent.append(pickle.loads(pickle.dumps(update)))  # must cross a process boundary

    def stop_requested(self):
        return self.stop_after is not None and len(self.sent) >= self.stop_after


def one_test_customer(frame):
    """Stacked and single runs agree to ~1e-5 in the weights: a prediction at 0.5 may flip, one test customer."""
    return 1 / len(data.prepare(frame, seed=0).y_test) + 1e-9


def test_seed_s_of_an_experiment_is_the_single_run_with_seed_s(frame):
    setup = Experiment(BASE, QUICK, (Setting(), Setting((("activation", "tanh"),))), (3, 4, 5))
    ticket = FakeTicket()
    result = runner.run_experiment(frame, setup, progress=ticket)
    assert result.status == "finished"
    assert len(result.records) == 6 and result.finished_settings() == [0, 1]
    for seed in (3, 5):
        prepared = data.prepare(frame, seed=seed)
        spec = replace(BASE, hidden=((6, "tanh"), (6, "tanh")))
        single = churn_train.score_on_test(
            churn_train.train_prepared(prepared, spec, replace(QUICK, seed=seed)), prepared)
        assert result.values(1)[seed] == pytest.approx(single["test_accuracy"], abs=one_test_customer(frame))
        assert result.values(1, "auc")[seed] == pytest.approx(single["auc"], abs=1e-3)
    # one progress stream for the whole experiment: rising fractions up to 1, one update per epoch of
    # the one call (relu and tanh share the weights' shapes, so their 6 models train together)
    fractions = [update.fraction for update in ticket.sent]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(fractions) == 2 + 1
    # numbers and ids, never a sentence: which settings train now, how many seeds at once
    first, last = ticket.sent[0], ticket.sent[-1]
    assert (first.status, first.training_now, first.seeds_at_once, first.trainings_done) == ("running", (0, 1), 3, 0)
    assert (last.status, last.training_now, last.trainings_done, last.seconds_left) == ("finished", (), 6, 0)
    streamed = [(r.setting, r.seed, r.test_accuracy) for update in ticket.sent for r in update.finished]
    assert streamed == [(r.setting, r.seed, r.test_accuracy) for r in result.records], "each finished training once"
    # statistics come from stats on the same numbers
    accuracy = [result.values(0)[s] for s in (3, 4, 5)]
    assert result.summary(0).ci95 == pytest.approx(stats.summarize(accuracy).ci95)
    paired = result.paired(1)
    assert paired.mean_diff == pytest.approx(np.mean([result.values(1)[s] - result.values(0)[s] for s in (3, 4, 5)]))
    shown = json.loads(json.dumps(report.to_json(result)))
    assert [s["label"] for s in shown["settings"]] == ["relu", "tanh"]
    assert shown["paired"][0]["setting"] == "tanh" and shown["paired"][0]["baseline"] == "relu"
    assert shown["status"] == "finished"
    csv = report.seed_frame(result)
    assert len(csv) == 6 and {"setting", "seed", "activation", "test_accuracy", "auc"} <= set(csv.columns)
    pickle.loads(pickle.dumps(result))  # a pool job's result travels back to the page


def test_stop_keeps_only_the_finished_calls(frame):
    """adam's 4 seeds train in one call, then sgd's (another optimizer: another call): a stop during
    sgd's keeps adam's four."""
    setup = Experiment(BASE, replace(QUICK, epochs=3), (Setting(), Setting((("optimizer", "sgd"),))), (0, 1, 2, 3))
    ticket = FakeTicket(stop_after=3 + 1)  # adam's three epochs and sgd's first; the stop lands in sgd's second
    result = runner.run_experiment(frame, setup, progress=ticket)
    assert result.status == "stopped"
    assert sorted((r.setting, r.seed) for r in result.records) == [(0, 0), (0, 1), (0, 2), (0, 3)]
    assert result.paired(1) is None and result.finished_settings() == [0]
    assert ticket.sent[-1].status == "stopped" and ticket.sent[-1].trainings_done == 4
    assert ticket.sent[-2].training_now == (1,) and ticket.sent[-2].status == "running"
    assert ticket.sent[-2].fraction == pytest.approx((4 * 3 + 4 * 2) / (8 * 3)), "a stopped call counts its epochs run"


def test_settings_sharing_a_network_train_in_one_stacked_call(frame, monkeypatch):
    """One engine.train_stacked call per shape of the weights, optimizer and batch size: seeds, class
    weights and activations may differ within it (each model with its own network spec)."""
    from playground.churn import engine

    calls = []
    real = engine.train_stacked

    def spy(datasets, spec, settings, **options):
        specs = options.get("specs") or [spec] * len(settings)
        calls.append(([other.hidden[0][1] for other in specs], [s.seed for s in settings],
                      [s.class_weights for s in settings], settings[0].batch_size))
        return real(datasets, spec, settings, **options)

    monkeypatch.setattr(engine, "train_stacked", spy)
    setup = Experiment(BASE, replace(QUICK, epochs=1), (
        Setting(), Setting((("activation", "tanh"), ("class_weights", True))),
        Setting((("batch_size", 128),)), Setting((("activation", "prelu"),))), (0, 1, 2))
    # prelu learns a slope per unit: other weight shapes, so a call of its own
    assert [len(group) for group in runner.stacked_groups(setup)] == [6, 3, 3]
    result = runner.run_experiment(frame, setup)
    assert result.status == "finished" and len(result.records) == 12
    assert calls == [(["relu"] * 3 + ["tanh"] * 3, [0, 1, 2] * 2, [False] * 3 + [True] * 3, 64),
                     (["relu"] * 3, [0, 1, 2], [False] * 3, 128), (["prelu"] * 3, [0, 1, 2], [False] * 3, 64)]
    # each model of a shared call is its own single training (seed 1 of tanh with class weights here)
    prepared = data.prepare(frame, seed=1)
    single = churn_train.score_on_test(churn_train.train_prepared(
        prepared, replace(BASE, hidden=((6, "tanh"), (6, "tanh"))), replace(QUICK, epochs=1, seed=1, class_weights=True)),
        prepared)
    assert result.values(1)[1] == pytest.approx(single["test_accuracy"], abs=one_test_customer(frame))


def test_verdict_wording_both_ways():
    noise = stats.Paired(10, 0.003, 0.01, (-0.004, 0.010), 0.9, 9, 0.39, 0.4)
    assert report.verdict_text("swish", "relu", noise) == (
        "swish − relu: +0.3 points of test accuracy, 95 % interval −0.4 to +1.0: "
        "not distinguishable from seed noise with 10 seeds (p = 0.390).")
    real = stats.Paired(10, -0.012, 0.01, (-0.019, -0.005), -3.8, 9, 0.0004, 0.002)
    assert report.verdict_text("batch 8000", "batch 10", real) == (
        "batch 8000 − batch 10: −1.2 points of test accuracy, 95 % interval −1.9 to −0.5: "
        "batch 8000 is worse, by more than the seed-to-seed noise with 10 seeds (p < 0.001).")


def test_progress_is_worded_by_the_page_in_its_language():
    """The worker sends ids and counts; ExperimentProgress.text words them with the page's gettext."""
    setup = Experiment(BASE, QUICK, (Setting(), Setting((("activation", "tanh"),)), Setting((("batch_size", 8000),))),
                       (0, 1, 2))
    running = runner.ExperimentProgress(0.25, 3, 9, 4.0, 12.4, "running", (0, 1), 3)
    assert running.text(setup) == "3/9 trainings · relu · batch 64 and tanh · batch 64, 3 seeds at once · about 12 s left"
    zh = translator("zh")
    assert running.text(setup, zh) == "3/9 次训练 · relu · 批量 64 和 tanh · 批量 64，3 个种子同时训练 · 约剩 12 秒"
    alone = runner.ExperimentProgress(0.75, 6, 9, 4.0, None, "running", (2,), 3)
    assert alone.text(setup) == "6/9 trainings · relu · batch 8000, 3 seeds at once"
    for status, english in (("finished", "finished"), ("stopped", "stopped")):
        ended = runner.ExperimentProgress(1.0, 9, 9, 30.0, 0.0, status)
        assert ended.text(setup) == f"9/9 trainings · {english} · about 0 s left"
        assert ended.text(setup, zh) == f"9/9 次训练 · {zh(english)} · 约剩 0 秒" and zh(english) != english
    # a label of the user's own values (an English word would be left in) is not in any update
    assert not any(isinstance(value, str) and " " in value for value in running.__dict__.values())


# ---- the command line -----------------------------------------------------------------------------


def last_json(text):
    return json.loads(text.strip().splitlines()[-1])


def test_cli_experiment_seed_equals_train_cli_seed(tmp_path, capsys):
    """The experiment CLI in this process; the single runs through the trainer's CLI in its own process."""
    csv = tmp_path / "customers.csv"
    data.synthetic_churn(n_rows=1200, seed=8).to_csv(csv, index=False)
    common = ["--csv", str(csv), "--epochs", "5", "--batch-size", "64", "--hidden", "5"]
    assert cli.experiment_main([*common, "--seeds", "3", "--seed", "2", "--compare", "optimizer=adam,rmsprop"]) == 0
    out = capsys.readouterr().out
    lines = out.strip().splitlines()
    assert lines[0].startswith("adam: test accuracy") and lines[1].startswith("rmsprop: test accuracy")
    report = last_json(out)
    assert set(report) >= {"settings", "paired", "seconds"}
    assert set(report["settings"][0]) >= {"label", "values", "test_accuracy", "auc", "mean", "std", "ci95"}
    assert set(report["paired"][0]) >= {"setting", "baseline", "mean_diff", "ci95", "p_value"}
    rmsprop = report["settings"][1]
    for seed in (2, 4):
        single = subprocess.run([sys.executable, "-m", "playground.churn.train", *common, "--optimizer", "rmsprop",
                                 "--seed", str(seed), "--quiet"], cwd=REPO, capture_output=True, text=True, timeout=300)
        assert single.returncode == 0, single.stderr[-2000:]
        assert abs(rmsprop["test_accuracy"][(2, 3, 4).index(seed)] - last_json(single.stdout)["test_accuracy"]) <= 0.005


def test_cli_bad_compare_is_one_line_and_exit_2(capsys):
    assert cli.experiment_main(["--compare", "activation=relu,mish"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert error.startswith("error: --compare 'activation=relu,mish': activation: 'mish' is not an activation; "
                            "allowed: relu, tanh")
    assert cli.experiment_main(["--seeds", "40"]) == 2
    assert "3 to 30 seeds" in capsys.readouterr().err


@pytest.mark.slow
def test_cli_threads_after_tensorflow_has_run_default_keeps_them_explicit_is_an_error(tmp_path, capsys):
    """Called from Python once TensorFlow has run: the default keeps TensorFlow's threads, an
    explicit --threads it cannot honour is a one-line error (exit 2), not a traceback."""
    tf = pytest.importorskip("tensorflow")
    _ = (tf.constant(1.0) + 1.0).numpy()  # TensorFlow has run an op: its threads are fixed now
    current = tf.config.threading.get_intra_op_parallelism_threads()
    assert cli.experiment_main(["--threads", str(current + 3), "--seeds", "3", "--epochs", "1"]) == 2
    assert "threads can only be set before" in capsys.readouterr().err


def test_real_data_experiment_seeds_match_single_cli_runs(capsys):
    if not REAL_CSV.exists():
        pytest.skip(f"the real churn data is not at {REAL_CSV} (it is never copied into the repository)")
    common = ["--csv", str(REAL_CSV), "--epochs", "5"]
    assert cli.experiment_main([*common, "--seeds", "3", "--compare", "activation=relu,tanh"]) == 0
    report = last_json(capsys.readouterr().out)
    for label_index, activation in enumerate(("relu", "tanh")):
        for seed in (0, 2):
            single = subprocess.run([sys.executable, "-m", "playground.churn.train", *common, "--activation", activation,
                                     "--seed", str(seed), "--quiet"], cwd=REPO, capture_output=True, text=True,
                                    timeout=600)
            assert single.returncode == 0, single.stderr[-2000:]
            assert abs(report["settings"][label_index]["test_accuracy"][seed]
                       - last_json(single.stdout)["test_accuracy"]) <= 0.005
