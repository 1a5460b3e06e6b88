"""The live view's side in Python: the component's sources (files in web/, no build step), the data
it is mounted with, and what comes back from it.

The browser trains (web/engine.js) and draws (web/draw.js, web/live.js); Python stays the source
of truth for the settings, the points and the start weights, and keeps what the browser sends back
(`accept_sync`): epoch, weights and loss rows, checked for shape and finite values before they
touch the run. No streamlit import: the page mounts the component.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from playground.boundary import features
from playground.boundary.network import EXPLODED, js_spec
from playground.boundary.session import Run
from playground.i18n import N_, Translate

WEB = Path(__file__).resolve().parent / "web"
MODULES = ("features.js", "engine.js", "draw.js", "live.js")  # live.js imports the others
MAX_HISTORY_SENT = 120  # loss rows sent with the data (thinned evenly): the curve of a remounted view

# The component's texts (msgids), translated by the page and passed as data, set as text in the browser.
TEXTS = {
    "play": N_("Play"), "pause": N_("Pause"), "step": N_("Step"), "reset": N_("Reset"),
    "epoch": N_("Epoch"), "trainLoss": N_("Train loss"), "testLoss": N_("Test loss"),
    "trainAccuracy": N_("Train accuracy"), "testAccuracy": N_("Test accuracy"),
    "stepHelp": N_("Train one epoch, then pause."),
    "resetHelp": N_("New starting weights (the same seed gives the same ones)."),
    "drawingPauses": N_("Training pauses while you draw points (switch Draw points off to play)."),
    "replay": N_("Replay: the network at epoch"), "pauseToReplay": N_("Pause to replay epochs."),
    "mapLabel": N_("The network's output over the plane, with the points"),
    "networkLabel": N_("The network: every input and neuron drawn as its own map, links coloured by the sign "
                       "of their weight and as wide as it is large"),
    "inputs": N_("inputs"), "output": N_("output"), "layerTitle": N_("layer {layer}"),
    "neuronName": N_("neuron {neuron} of layer {layer}"), "showing": N_("Showing: {name} (move away for the output)"),
    "outputCaption": N_("The network's output over the plane"),
    "toggleFeature": N_("{feature}: click to switch this input on or off"),
    "weight": N_("weight {value} (click to edit)"), "editWeight": N_("Weight (Enter to set):"),
    "trainLine": N_("training loss"), "testLine": N_("test loss"),
    "lossAxis": N_("loss"), "epochAxis": N_("epoch"), "classLabel": N_("class {label}"), "valueLabel": N_("value"),
    "exploded": N_("Training exploded in epoch {epoch}: with learning rate {rate} each step overshot the minimum by more "
                   "than it started away from it, so the loss grew without bound (past 10⁶ or to infinity). The page "
                   "kept the weights of epoch {kept}. Lower the learning rate and press Reset."),
}


@lru_cache(maxsize=1)
def _sources(stamp: tuple) -> tuple[str, str, str]:
    html = (WEB / "boundary.html").read_text(encoding="utf-8")
    css = (WEB / "boundary.css").read_text(encoding="utf-8")
    modules = {name: (WEB / name).read_text(encoding="utf-8") for name in MODULES}
    # Streamlit loads the component's js as one module from a blob URL, where "./engine.js" means
    # nothing: each file becomes its own blob URL, and the imports between them are pointed at
    # those (the files stay plain ES modules, the same ones node runs in the tests).
    loader = f"""const SOURCES = {json.dumps(modules)};
const URLS = {{}};
function load(name) {{
  if (!URLS[name]) {{
    const code = SOURCES[name].replace(/(from\\s*)["']\\.\\/([\\w.-]+\\.js)["']/g, (whole, from, dependency) => from + JSON.stringify(load(dependency)));
    URLS[name] = URL.createObjectURL(new Blob([code], {{type: "text/javascript"}}));
  }}
  return URLS[name];
}}
export default async function (component) {{
  const live = await import(load("live.js"));
  return live.mount(component);
}}
"""
    return html, css, loader


def component_sources() -> tuple[str, str, str]:
    """(html, css, js) of the live view, read from web/ (again when a file changed)."""
    stamp = tuple((WEB / name).stat().st_mtime_ns for name in ("boundary.html", "boundary.css", *MODULES))
    return _sources(stamp)


def _rows(history: list[dict]) -> list[list]:
    rows = history[:: max(1, math.ceil(len(history) / MAX_HISTORY_SENT))]
    if rows and rows[-1] is not history[-1]:
        rows.append(history[-1])
    keys = ("epoch", "train_loss", "test_loss", "train_accuracy", "test_accuracy")
    return [[_number(row.get(key)) for key in keys] for row in rows]


def _number(value):
    return float(value) if value is not None and math.isfinite(value) else None


def _static_part(run: Run | None, points, feature_ids, _: Translate) -> dict:
    """What stays the same for a run (and a language): the texts, the points, the feature columns,
    the network's shape."""
    data = {
        "texts": {key: _(msgid) for key, msgid in TEXTS.items()},
        "allFeatures": [{"id": name, "title": feature.title, "on": name in feature_ids}
                        for name, feature in features.FEATURES.items()],
        "featureIds": list(feature_ids),
        "points": {"xy": points.xy.ravel().tolist(), "labels": points.labels.tolist(), "classes": points.classes,
                   "train": run.train_index.tolist() if run else list(range(len(points))),
                   "test": run.test_index.tolist() if run else []},
    }
    if run is not None:
        spec = js_spec(run.architecture, run.network.params, run.training.optimizer, run.training.learning_rate,
                       run.training.batch_size, run.training.objective, run.seed)
        for key in ("params", "optimizer", "learningRate", "batchSize", "regularization", "rate"):
            spec.pop(key)  # the weights and the training settings are in the part that changes
        data.update(spec=spec, train={"x": run.x_train.ravel().tolist(), "labels": run.y_train.tolist()},
                    test={"x": run.x_test.ravel().tolist(), "labels": run.y_test.tolist()})
    return data


@lru_cache(maxsize=64)
def _static_json(run: Run, _: Translate) -> bytes:
    """`_static_part` of a run as JSON, made once: the page sends it again at every report of a
    playing tab, where only the small part changes (at 30 tabs, dumping ~80 kB each time was most of
    the server's work)."""
    return json.dumps(_static_part(run, run.points, run.feature_ids, _)).encode()


def live_data(run: Run | None, points, feature_ids, show_test: bool, discrete: bool, drawing: bool,
              lock_features: bool, _: Translate) -> dict:
    """What the component is mounted with (JSON-ready). `run` None: fewer than two points, the map
    alone (to draw on). Texts are translated here and set as text in the browser."""
    return {**_static_part(run, points, feature_ids, _), **_changing_part(run, show_test, discrete, drawing, lock_features)}


def _changing_part(run: Run | None, show_test: bool, discrete: bool, drawing: bool, lock_features: bool) -> dict:
    data = {"showTest": bool(show_test), "discrete": bool(discrete), "drawing": bool(drawing),
            "lockFeatures": bool(lock_features), "run": None}
    if run is not None:
        training, objective = run.training, run.training.objective
        data.update(
            run=run.token, epoch=run.epoch, params=run.network.params.tolist(), history=_rows(run.history),
            exploded=run.exploded_at,
            training={"optimizer": training.optimizer, "learningRate": training.learning_rate,
                      "batchSize": training.batch_size, "regularization": objective.regularization,
                      "rate": objective.rate, "loss": objective.loss},
        )
    return data


def live_bytes(run: Run | None, points, feature_ids, show_test: bool, discrete: bool, drawing: bool,
               lock_features: bool, _: Translate) -> bytes:
    """`live_data` as the page sends it: JSON bytes {"fixed": ..., "changing": ...} (web/live.js
    merges them), the fixed part made once per run and language."""
    fixed = (_static_json(run, _) if run is not None and run.feature_ids == tuple(feature_ids)
             else json.dumps(_static_part(run, points, feature_ids, _)).encode())
    changing = json.dumps(_changing_part(run, show_test, discrete, drawing, lock_features)).encode()
    return b'{"fixed": ' + fixed + b', "changing": ' + changing + b"}"


class SyncError(ValueError):
    """What came back from the browser does not fit the run (kept out of the run)."""


def accept_sync(run: Run, payload) -> bool:
    """Keep what the browser reports for `run`: its epoch, weights and the loss rows since the
    epoch Python had (rows it already has are skipped: a report may cross the page's answer to the
    last one). Checked first (a result to keep, not an input to trust): the run it belongs to, the
    number of weights, finite values, epochs in order. Returns False for another run's report (a
    late one after Reset) or one older than what Python has; raises SyncError for one that does
    not fit."""
    if not isinstance(payload, dict) or payload.get("run") != run.token:
        return False
    epoch, params, rows = payload.get("epoch"), payload.get("params"), payload.get("rows") or []
    if not isinstance(epoch, int) or isinstance(epoch, bool) or not 0 <= epoch <= run.epoch + 10_000_000:
        raise SyncError(f"epoch {epoch!r} does not follow epoch {run.epoch}")
    if epoch < run.epoch:  # an older report overtaken by a newer one
        return False
    if not isinstance(params, list) or len(params) != run.network.size:
        raise SyncError(f"{len(params) if isinstance(params, list) else params!r} weights for a network of {run.network.size}")
    try:
        weights = np.array(params, dtype=float)
    except (TypeError, ValueError):
        raise SyncError("the weights are not numbers") from None
    if not np.isfinite(weights).all() or np.abs(weights).max(initial=0) > 1e6:
        raise SyncError("the weights are not finite")
    if not isinstance(rows, list) or len(rows) > 100_000:
        raise SyncError("the loss rows are not a list")
    checked = []
    for row in rows:
        if not (isinstance(row, list) and len(row) == 5 and isinstance(row[0], int) and 0 <= row[0] <= epoch):
            raise SyncError(f"a loss row {str(row)[:40]} outside epochs 0..{epoch}")
        if row[0] <= run.epoch:
            continue  # sent again: the browser had not yet heard that Python kept it
        values = [v if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) else None for v in row[1:]]
        if any(v is not None and not 0 <= v <= EXPLODED for v in values):
            raise SyncError(f"a loss row {str(row)[:40]} out of range")
        checked.append((row[0], values))
    exploded = payload.get("exploded")
    if exploded is not None and not (isinstance(exploded, int) and not isinstance(exploded, bool) and exploded == epoch + 1):
        raise SyncError(f"exploded at {exploded!r} after epoch {epoch}")
    run.receive(epoch, weights, checked, exploded)
    return True


def action_of(payload) -> dict | None:
    """A request from the browser (Reset, an input switched, a point drawn), checked: None if it is
    none of them."""
    if not isinstance(payload, dict):
        return None
    kind = payload.get("type")
    if kind == "reset" and isinstance(payload.get("run"), str):
        return {"type": "reset", "run": payload["run"]}
    if kind == "feature" and payload.get("id") in features.FEATURES and isinstance(payload.get("on"), bool):
        return {"type": "feature", "id": payload["id"], "on": payload["on"]}
    if kind == "point":
        x, y = payload.get("x"), payload.get("y")
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and abs(v) <= 6 for v in (x, y)):
            return {"type": "point", "x": round(float(x), 2), "y": round(float(y), 2)}
    return None

