"""The Decision boundary page through AppTest and node: the live component gets the settings, the
points and the numpy start weights; what the browser's engine reports back (run under node from
the very data the page sends) is checked and kept, and equals a numpy run; settings that keep or
reset the weights, URL state, upload, drawing, presets, the conventions, export."""

from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest

from apptest_utils import modules_after_page_run, open_page
from playground.boundary import datasets, export, live, network, presets, settings
from playground.boundary.session import Run
from test_boundary_js_engine import REPO, _node, run_node

PAGE = "pages/boundary.py"


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def _data(at) -> dict:
    """The data the live component was mounted with in the last run."""
    (element,) = [e for e in at.main if type(e).__name__ == "UnknownElement" and e.type == "bidi_component"]
    sent = json.loads(element.proto.bytes)  # {"fixed": ..., "changing": ...}, merged by web/live.js
    return {**sent["fixed"], **sent["changing"]}


def _headless(values=None, epochs=0):
    values = {**settings.DEFAULTS, **(values or {})}
    spec, _ = settings.spec_from_state(values, datasets.get(values["bd.data"]).classes)
    points = datasets.generate(spec.data, spec.points, spec.noise, spec.seed)
    run = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed,
              spec.init, spec.output)
    run.train(epochs=epochs) if epochs else None
    return run


def _browser_epochs(data: dict, epochs: int, orders, changes=None) -> dict:
    """engine.js (under node) trained as the page's component trains it: from the data's spec,
    weights and feature columns; returns the report live.js sends back ("sync")."""
    case = {"spec": {**data["spec"], **data["training"], "params": data["params"]}, "train": data["train"], "test": data["test"],
            "orders": [order.tolist() for order in orders], "changes": changes or {}, "grid": None, "features": None}
    (result,) = run_node([case])
    assert "error" not in result, result.get("error")
    done = len(result["history"])
    rows = [[data["epoch"] + i + 1, *row] for i, row in enumerate(result["history"])]
    return {"run": data["run"], "epoch": data["epoch"] + done, "params": result["params"], "rows": rows,
            "exploded": data["epoch"] + done + 1 if result["explodedAt"] else None}


def _orders(run: Run, epochs: int):
    """The batch orders a numpy run of the same seed draws (the browser then trains the same epochs)."""
    shuffle = np.random.default_rng(run.seed + 1)
    return [shuffle.permutation(len(run.y_train)) for _ in range(epochs)]


def test_the_component_gets_settings_points_and_the_numpy_start_weights():
    at = open_page(PAGE)
    _ok(at)
    data, reference = _data(at), _headless()
    run = at.session_state["bd.run"]
    assert data["run"] == run.token and data["epoch"] == 0
    assert data["spec"]["sizes"] == [2, 4, 2, 1] and data["spec"]["activations"] == ["tanh", "tanh"]
    assert data["spec"]["output"] == "sigmoid" and data["spec"]["loss"] == "cross_entropy"
    np.testing.assert_array_equal(data["params"], reference.network.params)  # same seed, same start as the CLI
    np.testing.assert_array_equal(np.reshape(data["train"]["x"], (-1, 2)), reference.x_train)
    assert len(data["points"]["labels"]) == 500 and len(data["points"]["train"]) == 250
    assert data["texts"]["play"] == "Play" and data["texts"]["reset"] == "Reset"
    assert [f["id"] for f in data["allFeatures"] if f["on"]] == ["x1", "x2"]
    assert data["history"][0][0] == 0 and data["history"][0][1] == pytest.approx(reference.history[0]["train_loss"])


def test_chinese_texts_reach_the_component_as_data():
    at = open_page(PAGE, query_params={"lang": "zh"})
    _ok(at)
    texts = _data(at)["texts"]
    assert texts["play"] != "Play" and texts["pause"] != "Pause" and texts["epoch"] != "Epoch"


def test_what_the_browser_trains_is_kept_and_equals_numpy():
    """The browser's report after 30 epochs (engine.js from the page's own data) is checked and
    kept: Python's run then holds the same weights and numbers as a numpy run of the same epochs,
    and the page sends the new epoch back as acknowledged."""
    at = open_page(PAGE)
    run, data = at.session_state["bd.run"], _data(at)
    orders = _orders(run, 30)
    report = _browser_epochs(data, 30, orders)
    assert live.accept_sync(run, report)
    reference = _headless(epochs=30)
    assert run.epoch == 30 and len(run.history) == 31
    np.testing.assert_allclose(run.network.params, reference.network.params, rtol=0, atol=1e-9)
    for ours, theirs in zip(run.history, reference.history):
        assert ours["epoch"] == theirs["epoch"]
        assert ours["train_loss"] == pytest.approx(theirs["train_loss"], abs=1e-9)
        assert ours["test_accuracy"] == pytest.approx(theirs["test_accuracy"], abs=1e-12)
    at.run()
    _ok(at)
    data = _data(at)
    assert data["run"] == run.token and data["epoch"] == 30 and data["history"][-1][0] == 30
    assert '"epoch": 30' in export.weights_json(run)


def _evenly_thinned(epochs: list[int], last: int) -> None:
    assert epochs[0] == 0 and epochs[-1] == last and epochs == sorted(set(epochs)), epochs
    beat = epochs[1] - epochs[0]
    assert beat & (beat - 1) == 0 and all(e % beat == 0 for e in epochs[:-1]), (beat, epochs)


def test_a_long_run_keeps_an_evenly_thinned_history(monkeypatch):
    """A tab plays ~1,500 epochs a second: the history stays short (every 2nd, 4th, ... epoch, the
    first and the newest), in the numpy engine and from the browser's reports alike."""
    from playground.boundary import session

    monkeypatch.setattr(session, "MAX_HISTORY", 10)
    run = _headless({"bd.data": "circle", "bd.points": 100})
    run.train(epochs=37)
    epochs = [row["epoch"] for row in run.history]
    assert len(epochs) <= 11 and run.epoch == 37, epochs
    _evenly_thinned(epochs, 37)
    assert run.history[-1] == {"epoch": 37, **run.metrics()}
    # From the browser: a report of 5,000 epochs whose rows the browser thinned (every 8th here)
    params = run.network.params.tolist()
    rows = [[e, 0.5, 0.4, 0.8, 0.7] for e in range(40, 5037, 8)] + [[5037, 0.5, 0.4, 0.8, 0.7]]
    assert live.accept_sync(run, {"run": run.token, "epoch": 5037, "params": params, "rows": rows, "exploded": None})
    epochs = [row["epoch"] for row in run.history]
    assert len(epochs) <= 11 and run.epoch == 5037, epochs
    _evenly_thinned(epochs, 5037)
    assert run.history[-2]["train_loss"] == 0.5 and run.history[-1] == {"epoch": 5037, **run.metrics()}


def test_a_report_carries_at_most_a_hundred_rows_evenly_thinned():
    """A report from a tab at full speed: live.js's reportRows (under node) sends at most 100 of the
    rows Python has not acknowledged (every 2nd, 4th, ... of the history's beat, and the newest);
    Python keeps them. Fewer rows go as they are."""
    history = [[e, 0.5, 0.4, 0.8, 0.7] for e in range(0, 5000, 8)] + [[5037, 0.5, 0.4, 0.8, 0.7]]
    script = ('import { reportRows } from "./playground/boundary/web/live.js"; import { readFileSync } from "node:fs";'
              'const h = JSON.parse(readFileSync(0, "utf8"));'
              'console.log(JSON.stringify([reportRows(h, 40, 8, 100), reportRows(h, 4800, 8, 100)]));')
    completed = subprocess.run([_node(), "--input-type=module", "-e", script], input=json.dumps(history),
                               capture_output=True, text=True, timeout=60, cwd=REPO)
    assert completed.returncode == 0, completed.stderr
    many, few = json.loads(completed.stdout)
    assert few == [row for row in history if row[0] > 4800], "under 100 rows: all of them"
    epochs = [row[0] for row in many]
    assert 50 <= len(epochs) <= 100 and epochs[-1] == 5037 and epochs == sorted(set(epochs)), epochs
    beat = epochs[1] - epochs[0]
    assert beat > 8 and beat & (beat - 1) == 0 and all(e % beat == 0 and e > 40 for e in epochs[:-1]), epochs
    run = _headless({"bd.data": "circle", "bd.points": 100})
    run.train(epochs=40)
    assert live.accept_sync(run, {"run": run.token, "epoch": 5037, "params": run.network.params.tolist(), "rows": many,
                                  "exploded": None})
    assert [row["epoch"] for row in run.history][-len(epochs):] == epochs


@pytest.mark.parametrize("bad", [
    {"params": [1.0, 2.0]}, {"params": "nan"}, {"epoch": -1}, {"epoch": "3"}, {"rows": [[7, 0.1, 0.1, 0.5, 0.5]]},
    {"rows": [[-1, 0.1, 0.1, 0.5, 0.5]]}, {"rows": [[1, 0.1, 0.1]]},
    {"rows": [[1, -0.5, 0.1, 0.5, 0.5]]}, {"rows": "x"}, {"exploded": 99}, {"params": "inf"},
])
def test_a_report_that_does_not_fit_is_refused_and_the_run_untouched(bad):
    run = _headless()
    good = {"run": run.token, "epoch": 1, "params": run.network.params.tolist(), "rows": [[1, 0.5, 0.5, 0.5, 0.5]],
            "exploded": None}
    report = {**good, **bad}
    if bad.get("params") in ("nan", "inf"):
        report["params"] = [float(bad["params"])] * run.network.size
    before = run.network.params.copy()
    with pytest.raises(live.SyncError):
        live.accept_sync(run, report)
    assert run.epoch == 0 and len(run.history) == 1
    np.testing.assert_array_equal(run.network.params, before)
    assert not live.accept_sync(run, {**good, "run": "another run"}), "a late report of an old run is ignored"
    assert live.accept_sync(run, good) and run.epoch == 1
    # the next report may repeat rows Python has (it crossed the page's answer): they are skipped
    assert live.accept_sync(run, {**good, "epoch": 2, "rows": [[1, 9.0, 9.0, 0.0, 0.0], [2, 0.4, 0.4, 0.5, 0.5]]})
    assert run.epoch == 2 and [row["epoch"] for row in run.history] == [0, 1, 2] and run.history[1]["train_loss"] != 9.0
    assert not live.accept_sync(run, good), "an older report is overtaken"
    assert run.epoch == 2


def test_requests_from_the_browser_are_checked():
    assert live.action_of({"type": "feature", "id": "sin1", "on": True}) == {"type": "feature", "id": "sin1", "on": True}
    assert live.action_of({"type": "feature", "id": "<script>", "on": True}) is None
    assert live.action_of({"type": "point", "x": 1.234, "y": -2}) == {"type": "point", "x": 1.23, "y": -2.0}
    assert live.action_of({"type": "point", "x": float("nan"), "y": 0}) is None
    assert live.action_of({"type": "point", "x": 60, "y": 0}) is None
    assert live.action_of({"type": "reset", "run": "abc"}) == {"type": "reset", "run": "abc"}
    assert live.action_of("reset") is None and live.action_of({"type": "rm -rf"}) is None


def test_learning_rate_keeps_the_weights_and_structure_resets_them():
    at = open_page(PAGE)
    run = at.session_state["bd.run"]
    live.accept_sync(run, _browser_epochs(_data(at), 1, _orders(run, 1)))
    at.select_slider(key="bd.lr").set_value(0.3).run()
    _ok(at)
    assert at.session_state["bd.run"] is run and run.optimizer.learning_rate == 0.3
    data = _data(at)
    assert data["run"] == run.token and data["epoch"] == 1 and data["training"]["learningRate"] == 0.3
    at.slider(key="bd.layers").set_value(1).run()
    _ok(at)
    assert at.session_state["bd.run"] is not run and _data(at)["epoch"] == 0
    assert at.session_state["bd.run"].architecture.hidden == (4,) and _data(at)["spec"]["sizes"] == [2, 4, 1]


def test_a_url_restores_every_setting():
    params = {"bd.data": "Spiral", "bd.points": "300", "bd.noise": "20", "bd.train": "70", "bd.seed": "3",
              "bd.f.x1": "false", "bd.f.sin1": "true", "bd.layers": "3", "bd.n3": "6", "bd.a2": "relu",
              "bd.opt": "Adam", "bd.lr": "0.1", "bd.batch": "25", "bd.reg": "L2", "bd.rate": "0.01",
              "bd.show_test": "true", "bd.loss": "squared_error", "bd.init": "uniform"}
    at = open_page(PAGE, query_params=params)
    _ok(at)
    run = at.session_state["bd.run"]
    assert run.feature_ids == ("x2", "sin1") and run.architecture.hidden == (4, 2, 6)
    assert run.architecture.activations == ("tanh", "relu", "tanh") and len(run.points) == 300
    assert len(run.train_index) == 210 and run.training.batch_size == 25 and run.training.optimizer == "adam"
    assert run.training.objective.regularization == "l2" and run.training.objective.rate == 0.01
    assert run.training.objective.loss == "squared_error" and run.training.learning_rate == 0.1
    data = _data(at)
    assert data["showTest"] is True and len(data["points"]["test"]) == 90
    np.testing.assert_array_equal(data["params"], network.start_weights(run.architecture, 3, "uniform"))


def test_the_tanh_convention_and_uniform_start_weights():
    at = open_page(PAGE, query_params={"bd.loss": "tanh", "bd.init": "uniform"})
    _ok(at)
    run, data = at.session_state["bd.run"], _data(at)
    assert run.architecture.output_activation == "tanh" and run.training.objective.loss == "squared_error"
    assert data["spec"]["output"] == "tanh" and data["spec"]["loss"] == "squared_error"
    biases = run.network.biases
    assert all(np.all(b == 0.1) for b in biases) and all(np.abs(k).max() <= 0.5 for k in run.network.kernels)
    assert any("−1/+1" in c.value for c in at.caption), "the page says what the chosen loss is"
    # three classes cannot have the tanh output: the page says so and uses softmax
    at = open_page(PAGE, query_params={"bd.loss": "tanh", "bd.data": "blobs3"})
    _ok(at)
    assert at.session_state["bd.run"].architecture.output_activation == "softmax"
    assert any("tanh output is for two classes" in c.value for c in at.caption)


def test_garbage_in_the_url_falls_back_to_defaults():
    at = open_page(PAGE, query_params={"bd.data": "nope", "bd.layers": "abc", "bd.lr": "7", "bd.points": "1e9",
                                       "bd.a1": "<script>", "bd.f.x1": "maybe", "bd.n1": "-4", "bd.init": "zeros",
                                       "bd.loss": "<b>x</b>"})
    _ok(at)
    run = at.session_state["bd.run"]
    assert run.architecture.hidden == (4, 2) and run.training.learning_rate == 0.03 and len(run.points) == 500
    assert run.init == "glorot" and run.architecture.output_activation == "sigmoid"


def test_regression_data_says_it_uses_squared_error():
    at = open_page(PAGE, query_params={"bd.data": "Regression: six bumps"})
    _ok(at)
    assert at.session_state["bd.run"].training.objective.loss == "squared_error"
    assert any("regression task" in c.value for c in at.caption)
    data = _data(at)
    assert data["points"]["classes"] == 0 and data["spec"]["output"] == "linear"


def test_upload_uses_the_points_and_a_bad_file_names_row_and_column():
    at = open_page(PAGE)
    good = datasets.to_csv(datasets.generate("moons", 120, 0.1, seed=4)).encode()
    at.sidebar.file_uploader(key="bd.upload").upload("mine.csv", good, "text/csv").run()
    _ok(at)
    assert any("Using your 120 points" in i.value for i in at.info)
    assert len(at.session_state["bd.run"].points) == 120 and len(_data(at)["points"]["labels"]) == 120
    at.sidebar.file_uploader(key="bd.upload").upload("broken.csv", b"x1,x2,label\n1,2,0\n3,oops,1\n", "text/csv").run()
    _ok(at)
    assert any("broken.csv" in e.value and "row 2 (line 3 of the file), column x2" in e.value for e in at.error)
    assert len(at.session_state["bd.run"].points) == 120, "the previous points stay"


def test_drawing_clear_gives_an_empty_map_and_drawn_points_train():
    at = open_page(PAGE)
    at.sidebar.toggle(key="bd.drawing").set_value(True).run()
    _ok(at)
    at.sidebar.button[[b.label for b in at.sidebar.button].index("Clear")].click().run()
    _ok(at)
    assert any("at least two points" in i.value for i in at.info)
    data = _data(at)
    assert data["run"] is None and data["drawing"] is True and data["points"]["labels"] == []
    from pages.parts import boundary_data  # the component's "point" request calls this
    at.session_state["bd.draw_class"] = 1
    for x, y, label in ((-3, -3, 0), (3, 3, 1), (-3, 3, 2)):
        points = at.session_state["bd.custom"] or datasets.empty()
        at.session_state["bd.custom"] = points.add(x, y, label)
        at.session_state["bd.custom_version"] += 1
    at.run()
    _ok(at)
    run = at.session_state["bd.run"]
    assert len(run.points) == 3 and run.points.classes == 3 and run.architecture.outputs == 3
    assert _data(at)["spec"]["sizes"][-1] == 3
    assert callable(boundary_data.add_drawn_point)


def test_every_preset_button_sets_every_setting():
    at = open_page(PAGE)
    for name, preset in presets.PRESETS.items():  # one after another: each sets everything, whatever came before
        at.button(key=f"bd.preset.{name}").click().run()
        _ok(at)
        values = presets.preset_values(name)
        for key in settings.DEFAULTS:
            if key in at.session_state:
                assert at.session_state[key] == values[key], (name, key)
        run = at.session_state["bd.run"]
        assert run.feature_ids == preset.features and run.architecture.hidden == preset.hidden, name
        assert _data(at)["run"] == run.token


def test_the_explosion_is_kept_as_the_browser_reports_it_never_a_nan():
    at = open_page(PAGE)
    at.button(key="bd.preset.explode").click().run()
    run, data = at.session_state["bd.run"], _data(at)
    report = _browser_epochs(data, 1, _orders(run, 1))
    assert report["exploded"] == 1 and report["epoch"] == 0
    assert live.accept_sync(run, report)
    assert run.exploded_at == 1 and run.epoch == 0
    at.run()
    _ok(at)
    data = _data(at)
    assert data["exploded"] == 1 and all(v is None or np.isfinite(v) for row in data["history"] for v in row)


def test_export_offers_the_keras_script_and_weights_of_this_run():
    at = open_page(PAGE)
    labels = [b.label for b in at.get("download_button")]
    assert {"Keras script (.py)", "Weights (.json)", "Download these points (CSV)"} <= set(labels)
    run = at.session_state["bd.run"]
    assert "build_model" in export.keras_script(run) and '"epoch": 0' in export.weights_json(run)


def test_page_never_imports_tensorflow():
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == [] and result["heavy"] == [], result["heavy"][:5]
