"""What a page posts to the class board: (settings, figures) as plain JSON-able dicts, one builder per page.

Every figure comes from the server: the Churn ones from the worker's result the page received
(:func:`churn_post`, :func:`experiment_post`), the Decision boundary ones recomputed here by the
numpy engine from the weights the browser returns, on the server's own points and split
(:func:`boundary_post`). Nothing a browser says about a loss or an accuracy is ever used. Pure: no
streamlit; the page side is pages/parts/class_posting.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from playground.i18n import N_, UserError

POSTED_STATUSES = ("finished", "early-stopped")  # a stopped or diverged churn run is not a result to compare
MAX_EPOCHS = 1_000_000


class NotPosted(UserError):
    """Why a result is not a run to post (the page says so in the student's language)."""


def _plain(value):
    """numpy numbers and tuples -> JSON's numbers and lists; NaN and inf -> None."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    return value


def churn_settings(spec, settings, data_label: str = "synthetic") -> dict:
    """A churn network and its fit settings as the board shows and groups them."""
    return _plain({
        "data": "synthetic" if data_label == "synthetic" else "csv",  # an uploaded file's name stays private
        "hidden": [units for units, _activation in spec.hidden],
        "activation": [activation for _units, activation in spec.hidden],
        "initializer": spec.initializer, "optimizer": spec.optimizer, "learning_rate": spec.learning_rate,
        "batch_size": settings.batch_size, "epochs": settings.epochs, "validation_share": settings.validation_share,
        "early_stopping": settings.early_stopping, "class_weights": settings.class_weights, "seed": settings.seed,
    })


def churn_post(entry) -> tuple[dict, dict]:
    """A finished Churn training (a ``RunEntry``: the worker's run scored on the test part)."""
    run, report = entry.run, entry.report
    if run.status not in POSTED_STATUSES:
        raise NotPosted(N_("Only finished trainings go to the class board (this one {status})."), status=run.status)
    figures = {"test_accuracy": report["test_accuracy"], "auc": report["auc"], "test_loss": report["test_loss"],
               "epochs_run": run.epochs_run, "status": run.status, "parameters": run.spec.n_parameters}
    return churn_settings(run.spec, run.settings, entry.data_label), _plain(figures)


def experiment_post(result) -> tuple[dict, dict]:
    """A finished experiment (an ``ExperimentResult``): the settings compared, each one's mean test
    accuracy, and every variant against the base: mean difference, its 95 % interval and the verdict."""
    if result.status != "finished":
        raise NotPosted(N_("Only finished experiments go to the class board."))
    experiment = result.experiment
    labels = experiment.labels  # English; the board shows each setting from its language-neutral values
    compared = []
    for index, label in enumerate(labels):
        summary, auc = result.summary(index), result.summary(index, "auc")
        compared.append({"label": label, "values": experiment.values(index), "seeds": len(result.values(index)),
                         "mean_accuracy": summary.mean if summary else None, "mean_auc": auc.mean if auc else None})
    comparisons = []
    for index in range(1, len(labels)):
        paired = result.paired(index)
        if paired is None:
            continue
        low, high = paired.ci95
        comparisons.append({"index": index, "label": labels[index], "mean_diff": 100 * paired.mean_diff, "low": 100 * low,
                            "high": 100 * high, "p_value": paired.p_value,
                            "verdict": "noise" if low <= 0 <= high else ("better" if paired.mean_diff > 0 else "worse")})
    means = [(setting["mean_accuracy"], -index) for index, setting in enumerate(compared)
             if setting["mean_accuracy"] is not None]
    best_mean, best_index = max(means) if means else (None, None)
    settings = {**churn_settings(experiment.spec, experiment.settings), "seeds": list(experiment.seeds),
                "compared": [{"label": setting["label"], "values": setting["values"]} for setting in compared]}
    settings.pop("seed", None)
    figures = {"settings": compared, "comparisons": comparisons, "best_mean_accuracy": best_mean,
               "best_index": None if best_index is None else -best_index,
               "best_label": None if best_index is None else labels[-best_index], "trainings": len(result.records)}
    return _plain(settings), _plain(figures)


def flat_weights(weights, size: int) -> np.ndarray:
    """The browser's weights as the engine's flat vector: already flat, or per layer (kernel, bias, ...)
    in Keras' order. A wrong count or a value that is not a finite number is refused."""
    try:
        if isinstance(weights, np.ndarray) or (isinstance(weights, Sequence) and all(
                isinstance(value, (int, float)) and not isinstance(value, bool) for value in weights)):
            flat = np.asarray(weights, dtype=float).ravel()
        else:
            flat = np.concatenate([np.asarray(part, dtype=float).ravel() for part in weights])
    except (TypeError, ValueError):
        raise NotPosted(N_("The page sent weights that are not numbers; nothing was posted.")) from None
    if flat.size != size:
        raise NotPosted(N_("The page sent {got} weights for a network of {size}; nothing was posted."),
                        got=flat.size, size=size)
    if not np.all(np.isfinite(flat)):
        raise NotPosted(N_("The network's weights are not finite numbers (the training exploded); nothing was posted."))
    return flat


def boundary_post(run, spec, weights, epochs) -> tuple[dict, dict]:
    """A Decision boundary result at Pause: the browser's `weights` (and epoch count) evaluated by the
    numpy engine on `run`'s own points and train/test split (``playground.boundary.session.Run``);
    `spec` (``settings.Spec``) names the data set. Returns (settings, figures)."""
    try:
        epochs = int(epochs)
    except (TypeError, ValueError):
        epochs = -1
    if not 0 <= epochs <= MAX_EPOCHS:
        raise NotPosted(N_("The page sent an impossible epoch count; nothing was posted."))
    network = run.network_at(flat_weights(weights, run.network.size))
    metrics = run.metrics(network)
    architecture, training = run.architecture, run.training
    settings = {
        "data": spec.data, "points": len(run.points), "noise": spec.noise, "train_share": spec.train_share,
        "seed": run.seed, "features": list(run.feature_ids), "hidden": list(architecture.hidden),
        "activations": list(architecture.activations), "neurons": int(sum(architecture.hidden)),
        "optimizer": training.optimizer, "learning_rate": training.learning_rate, "batch_size": training.batch_size,
        "loss": training.objective.loss, "regularization": training.objective.regularization,
        "rate": training.objective.rate,
    }
    figures = {"epochs": epochs, "train_loss": metrics["train_loss"], "test_loss": metrics["test_loss"],
               "train_accuracy": metrics.get("train_accuracy"), "test_accuracy": metrics.get("test_accuracy")}
    return _plain(settings), _plain(figures)
