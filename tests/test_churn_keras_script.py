"""The generated standalone Keras script runs, trains, and reproduces the app's own run."""

import ast
import json
import subprocess
import sys
from dataclasses import replace

import pytest

from playground.churn import data, keras_script
from playground.churn import presets as churn_presets
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.train import score_on_test, train_prepared


@pytest.mark.parametrize("preset", list(churn_presets.PRESETS.values()), ids=lambda preset: preset.name)
def test_every_preset_gives_valid_python_with_its_settings(preset):
    source = keras_script.generate(preset.spec, preset.settings)
    tree = ast.parse(source)
    constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and node.targets[0].id.isupper()}
    assert constants["HIDDEN_LAYERS"] == [list(layer) for layer in preset.spec.hidden]
    assert constants["OPTIMIZER"] == preset.spec.optimizer
    assert constants["LEARNING_RATE"] == preset.spec.learning_rate
    assert constants["BATCH_SIZE"] == preset.settings.batch_size
    assert constants["EPOCHS"] == preset.settings.epochs
    assert constants["EARLY_STOPPING"] == preset.settings.early_stopping
    assert constants["CLASS_WEIGHTS"] == preset.settings.class_weights
    assert "import playground" not in source and "from playground" not in source, "the script must stand alone"


@pytest.mark.parametrize("hidden, settings", [
    (((6, "prelu"), (5, "gelu"), (4, "leaky_relu")), FitSettings(epochs=3, batch_size=16, seed=3)),
    (((6, "relu"), (5, "elu")), FitSettings(epochs=6, batch_size=32, seed=1, validation_share=0.2,
                                            early_stopping=True, patience=1, class_weights=True)),
], ids=["plain-prelu-gelu-leaky-relu", "early-stopping-class-weights"])
def test_generated_script_trains_and_reproduces_the_app(tmp_path, hidden, settings):
    frame = data.synthetic_churn(n_rows=1200, seed=2)
    csv = tmp_path / "customers.csv"
    frame.to_csv(csv, index=False)
    spec = NetworkSpec(hidden, "he_uniform", "adam", 0.01)
    script = tmp_path / "churn_ann.py"
    # Written with 100 epochs; the command line cuts it to the test's epochs (the --epochs option).
    script.write_text(keras_script.generate(spec, replace(settings, epochs=100)))
    result = subprocess.run([sys.executable, str(script), str(csv), "--epochs", str(settings.epochs)], cwd=tmp_path,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])

    prepared = data.prepare(frame, seed=settings.seed)
    run = train_prepared(prepared, spec, settings)
    expected = score_on_test(run, prepared)
    assert report["epochs_run"] == run.epochs_run
    assert report["test_accuracy"] == pytest.approx(expected["test_accuracy"], abs=1e-6)
    assert report["test_loss"] == pytest.approx(expected["test_loss"], rel=1e-4)

