"""`python -m playground.churn.train`: trains, prints one JSON line last, saves a loadable .keras model."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from playground.churn import data
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.train import score_on_test, train_prepared

REPO = Path(__file__).resolve().parent.parent


def run_cli(*args, timeout=300):
    return subprocess.run([sys.executable, "-m", "playground.churn.train", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def test_cli_prints_metrics_as_its_last_line_and_matches_the_in_process_run(tmp_path):
    csv = tmp_path / "customers.csv"
    frame = data.synthetic_churn(n_rows=1500, seed=5)
    frame.to_csv(csv, index=False)
    saved = tmp_path / "model.keras"
    result = run_cli("--csv", str(csv), "--hidden", "8,4", "--activation", "tanh", "--epochs", "3",
                     "--batch-size", "32", "--optimizer", "rmsprop", "--learning-rate", "0.003", "--seed", "7",
                     "--validation-share", "0.1", "--save", str(saved))
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert [line.split()[:2] for line in lines[:3]] == [["epoch", "1/3"], ["epoch", "2/3"], ["epoch", "3/3"]]
    report = json.loads(lines[-1])
    assert {"test_accuracy", "test_loss", "auc", "precision", "recall", "f1", "epochs_run", "seconds"} <= set(report)
    assert report["epochs_run"] == 3 and report["seconds"] > 0

    # The same settings in this process give the same numbers: seeding is per model, not global.
    prepared = data.prepare(data.load_churn_csv(csv), seed=7)
    spec = NetworkSpec(((8, "tanh"), (4, "tanh")), "uniform", "rmsprop", 0.003)
    run = train_prepared(prepared, spec, FitSettings(epochs=3, batch_size=32, seed=7, validation_share=0.1))
    expected = score_on_test(run, prepared)
    for key in ("test_accuracy", "auc", "precision", "recall", "f1"):
        assert report[key] == pytest.approx(expected[key], abs=1e-9), key
    assert report["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-5)

    keras = pytest.importorskip("keras")
    model = keras.saving.load_model(saved)
    np.testing.assert_allclose(model.predict(prepared.x_test, verbose=0)[:, 0], run.predict(prepared.x_test),
                               atol=1e-5)


def test_cli_trains_several_seeds_together_and_summarises_them(tmp_path):
    csv = tmp_path / "customers.csv"
    frame = data.synthetic_churn(n_rows=800, seed=3)
    frame.to_csv(csv, index=False)
    result = run_cli("--csv", str(csv), "--hidden", "5", "--epochs", "3", "--batch-size", "16", "--seed", "4",
                     "--seeds", "3", "--threads", "1", "--validation-share", "0.2", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert len(lines) == 4
    per_seed, summary = lines[:3], lines[3]
    assert [line["seed"] for line in per_seed] == [4, 5, 6]
    assert summary["seeds"] == [4, 5, 6] and summary["seconds"] > 0
    for key in ("test_accuracy", "auc"):
        values = np.array([line[key] for line in per_seed])
        assert summary[key] == pytest.approx({"mean": values.mean(), "std": values.std(), "min": values.min(),
                                              "max": values.max()})
    # Each seed, trained alone in this process with its own split, gives the same test scores.
    spec = NetworkSpec(((5, "relu"),), "uniform", "adam", 0.001)
    for line in per_seed:
        prepared = data.prepare(data.load_churn_csv(csv), seed=line["seed"])
        run = train_prepared(prepared, spec, FitSettings(epochs=3, batch_size=16, seed=line["seed"],
                                                         validation_share=0.2))
        expected = score_on_test(run, prepared)
        assert line["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-5)
        assert line["auc"] == pytest.approx(expected["auc"], abs=1e-3)


def test_cli_without_csv_uses_the_synthetic_data():
    result = run_cli("--epochs", "1", "--batch-size", "64", "--quiet")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    report = json.loads(lines[0])
    assert report["data"] == "synthetic" and report["epochs_run"] == 1
    assert 0.5 < report["test_accuracy"] <= 1


def test_cli_reports_bad_input_without_a_traceback(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,2\n")
    result = run_cli("--csv", str(bad), "--epochs", "1")
    assert result.returncode == 2
    assert result.stderr.startswith("error:") and "Traceback" not in result.stderr
    result = run_cli("--hidden", "6,x")
    assert result.returncode == 2 and "whole numbers" in result.stderr
    result = run_cli("--seeds", "3", "--save", str(tmp_path / "model.keras"))
    assert result.returncode == 2 and "--save writes one model" in result.stderr
    result = run_cli("--activation", "swishy", "--epochs", "1")
    assert result.returncode == 2 and "unknown activation" in result.stderr and "Traceback" not in result.stderr
