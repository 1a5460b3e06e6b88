"""The Decision boundary page through AppTest: numbers equal a headless run, Step/Play/Pause,
replay, settings that keep or reset the weights, URL state, upload, drawing, presets, export."""

from __future__ import annotations

import numpy as np
import pytest

from apptest_utils import chart_specs, modules_after_page_run, open_page
from playground.boundary import datasets, export, presets, settings
from playground.boundary.session import Run

PAGE = "pages/boundary.py"


def _metrics(at):
    return {m.label: m.value for m in at.metric}


def _headless(values=None, epochs=0):
    values = {**settings.DEFAULTS, **(values or {})}
    spec, _ = settings.spec_from_state(values, datasets.get(values["bd.data"]).classes)
    points = datasets.generate(spec.data, spec.points, spec.noise, spec.seed)
    run = Run(points, spec.features, spec.hidden, spec.activations, spec.training, spec.train_share, spec.seed)
    run.train(epochs=epochs) if epochs else None
    return run


def _ok(at):
    assert not at.exception, [e.value for e in at.exception]


def test_default_page_shows_the_untrained_network_numbers_and_three_charts():
    at = open_page(PAGE)
    _ok(at)
    row = _headless().history[-1]
    assert _metrics(at) == {"Epoch": "0", "Train loss": f"{row['train_loss']:.4f}", "Test loss": f"{row['test_loss']:.4f}",
                            "Train accuracy": f"{row['train_accuracy']:.1%}", "Test accuracy": f"{row['test_accuracy']:.1%}"}
    diagram, boundary, loss = chart_specs(at)
    assert len(diagram["layout"]["images"]) == 2 + 4 + 2 + 1  # every input, hidden neuron and the output has a map
    assert boundary["layout"]["images"][0]["source"].startswith("data:image/png;base64,")
    assert boundary["layout"]["xaxis"]["title"]["text"] and boundary["layout"]["yaxis"]["title"]["text"]
    assert [t["name"] for t in loss["data"]] == ["training loss", "test loss"]


def test_step_trains_exactly_one_epoch_like_the_engine():
    at = open_page(PAGE)
    at.button(key="bd.step").click().run()
    _ok(at)
    row = _headless(epochs=1).history[-1]
    assert _metrics(at)["Epoch"] == "1" and _metrics(at)["Train loss"] == f"{row['train_loss']:.4f}"


def test_play_trains_pause_stops_and_replay_shows_old_epochs_without_training():
    at = open_page(PAGE)
    at.button(key="bd.play").click().run()  # AppTest runs the fragment once (it does not tick)
    _ok(at)
    trained = int(_metrics(at)["Epoch"].replace(",", ""))
    assert trained >= 1
    at.button(key="bd.pause").click().run()
    run = at.session_state["bd.run"]
    assert not at.session_state["bd.playing"] and run.epoch == trained
    at.select_slider(key=f"bd.replay.{trained}").set_value(0).run()
    _ok(at)
    assert _metrics(at)["Epoch"] == "0" and run.epoch == trained, "replay does not train"
    assert _metrics(at)["Train loss"] == f"{run.history[0]['train_loss']:.4f}"


def test_step_after_pause_shows_the_new_epoch_not_the_replay_slider_s_old_one():
    """Issue 12: the replay slider kept the epoch it was first drawn at (a keyed widget keeps its
    value when its options change), so a Step after Pause trained but the page kept showing the
    old epoch. Each Step must show the epoch it reached."""
    at = open_page(PAGE)
    for epoch in (1, 2, 3):
        at.button(key="bd.step").click().run()
        _ok(at)
        assert at.session_state["bd.run"].epoch == epoch
        assert _metrics(at)["Epoch"] == str(epoch)


def test_learning_rate_keeps_the_weights_and_structure_resets_them():
    at = open_page(PAGE)
    at.button(key="bd.step").click().run()
    run = at.session_state["bd.run"]
    at.select_slider(key="bd.lr").set_value(0.3).run()
    assert at.session_state["bd.run"] is run and run.optimizer.learning_rate == 0.3 and _metrics(at)["Epoch"] == "1"
    at.slider(key="bd.layers").set_value(1).run()
    _ok(at)
    assert at.session_state["bd.run"] is not run and _metrics(at)["Epoch"] == "0"
    assert at.session_state["bd.run"].architecture.hidden == (4,)


def test_a_url_restores_every_setting():
    params = {"bd.data": "Spiral", "bd.points": "300", "bd.noise": "20", "bd.train": "70", "bd.seed": "3",
              "bd.f.x1": "false", "bd.f.sin1": "true", "bd.layers": "3", "bd.n3": "6", "bd.a2": "relu",
              "bd.opt": "Adam", "bd.lr": "0.1", "bd.batch": "25", "bd.reg": "L2", "bd.rate": "0.01",
              "bd.show_test": "true", "bd.loss": "Squared error"}
    at = open_page(PAGE, query_params=params)
    _ok(at)
    run = at.session_state["bd.run"]
    assert run.feature_ids == ("x2", "sin1") and run.architecture.hidden == (4, 2, 6)
    assert run.architecture.activations == ("tanh", "relu", "tanh") and len(run.points) == 300
    assert len(run.train_index) == 210 and run.training.batch_size == 25 and run.training.optimizer == "adam"
    assert run.training.objective.regularization == "l2" and run.training.objective.rate == 0.01
    assert run.training.objective.loss == "squared_error" and run.training.learning_rate == 0.1
    names = [t.get("name", "") for t in chart_specs(at)[1]["data"]]
    assert any(name.endswith(", test") for name in names), "test points are shown"


def test_garbage_in_the_url_falls_back_to_defaults():
    at = open_page(PAGE, query_params={"bd.data": "nope", "bd.layers": "abc", "bd.lr": "7", "bd.points": "1e9",
                                       "bd.a1": "<script>", "bd.f.x1": "maybe", "bd.n1": "-4"})
    _ok(at)
    run = at.session_state["bd.run"]
    assert run.architecture.hidden == (4, 2) and run.training.learning_rate == 0.03 and len(run.points) == 500


def test_regression_data_says_it_uses_squared_error():
    at = open_page(PAGE, query_params={"bd.data": "Regression: six bumps"})
    _ok(at)
    assert at.session_state["bd.run"].training.objective.loss == "squared_error"
    assert any("regression task" in c.value for c in at.caption)
    assert "Train accuracy" not in _metrics(at)


def test_upload_uses_the_points_and_a_bad_file_names_row_and_column():
    at = open_page(PAGE)
    good = datasets.to_csv(datasets.generate("moons", 120, 0.1, seed=4)).encode()
    at.sidebar.file_uploader(key="bd.upload").upload("mine.csv", good, "text/csv").run()
    _ok(at)
    assert any("Using your 120 points" in i.value for i in at.info)
    assert len(at.session_state["bd.run"].points) == 120
    at.sidebar.file_uploader(key="bd.upload").upload("broken.csv", b"x1,x2,label\n1,2,0\n3,oops,1\n", "text/csv").run()
    _ok(at)
    assert any("broken.csv" in e.value and "row 2 (line 3 of the file), column x2" in e.value for e in at.error)
    assert len(at.session_state["bd.run"].points) == 120, "the previous points stay"


def test_drawing_clear_gives_an_empty_canvas_and_drawn_points_train():
    at = open_page(PAGE)
    at.sidebar.toggle(key="bd.drawing").set_value(True).run()
    _ok(at)
    at.sidebar.button[[b.label for b in at.sidebar.button].index("Clear")].click().run()
    _ok(at)
    assert any("at least two points" in i.value for i in at.info)
    canvas = chart_specs(at)[0]
    assert canvas["data"][0]["name"] == "network output" and len(canvas["data"][0]["x"]) == 41 * 41
    from pages.parts import boundary_data  # the map's click handler calls this
    at.session_state["bd.draw_class"] = 1
    for x, y, label in ((-3, -3, 0), (3, 3, 1), (-3, 3, 2)):
        points = at.session_state["bd.custom"] or datasets.empty()
        at.session_state["bd.custom"] = points.add(x, y, label)
        at.session_state["bd.custom_version"] += 1
    at.run()
    _ok(at)
    run = at.session_state["bd.run"]
    assert len(run.points) == 3 and run.points.classes == 3 and run.architecture.outputs == 3
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


def test_the_explosion_is_a_message_never_a_nan():
    at = open_page(PAGE)
    at.button(key="bd.preset.explode").click().run()
    at.button(key="bd.step").click().run()
    _ok(at)
    assert any("Training exploded in epoch 1" in e.value for e in at.error)
    assert all("nan" not in m.value.lower() and "inf" not in m.value.lower() for m in at.metric)
    for spec in chart_specs(at):
        for trace in spec["data"]:
            for value in (trace.get("x"), trace.get("y")):
                if isinstance(value, np.ndarray):
                    assert np.isfinite(value[~np.isnan(value)] if value.dtype.kind == "f" else value).all()


def test_export_offers_the_keras_script_and_weights_of_this_run():
    at = open_page(PAGE)
    at.button(key="bd.step").click().run()
    labels = [b.label for b in at.get("download_button")]
    assert {"Keras script (.py)", "Weights (.json)", "Download these points (CSV)"} <= set(labels)
    run = at.session_state["bd.run"]
    assert "build_model" in export.keras_script(run) and '"epoch": 1' in export.weights_json(run)


def test_page_never_imports_tensorflow():
    result = modules_after_page_run(PAGE)
    assert result["exceptions"] == [] and result["heavy"] == [], result["heavy"][:5]


def test_a_click_delivered_twice_acts_once(monkeypatch):
    """Issue 12: while the live part ticks, Streamlit ran one click's callback twice (a fragment run,
    then the full rerun). Step, Undo and Regenerate act once per click; the next click acts again."""
    from pages.parts import boundary_data

    monkeypatch.setattr(boundary_data, "state", {})
    calls = []
    button = boundary_data.once_per_click("step", calls.append, "first")
    button["on_click"](*button["args"])
    button["on_click"](*button["args"])  # the same click, delivered again
    assert calls == ["first"]
    redrawn = boundary_data.once_per_click("step", calls.append, "second")
    redrawn["on_click"](*redrawn["args"])
    assert calls == ["first", "second"]
