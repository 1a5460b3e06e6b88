"""One browser session's runs on the Churn ANN page: the table of finished runs (the page keeps a
:class:`ChurnSession` in ``st.session_state``).

Start with :meth:`ChurnSession.keep`: a run trained in a worker process (jobs.Training) joins
the table with its test scores; :class:`RunEntry` is one row of it with what the results
section shows (test probabilities, the .keras file of the latest run, the wait in line).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.churn import data
from playground.churn.model import RunStatus, TrainingRun, history_frame
from playground.churn.train import score_on_test


@dataclass
class RunEntry:
    """A finished (or stopped) run with everything the results section shows."""

    number: int
    data_label: str
    run: TrainingRun
    prepared: data.PreparedData
    test_probabilities: np.ndarray
    report: dict
    keras_file: bytes | None = None
    waited_seconds: float | None = None  # time in the worker pool's queue before it started

    def history_csv(self) -> str:
        return history_frame(self.run).to_csv(index=False)

    def row(self) -> dict:
        """One line of the run table: settings, test metrics, time."""
        spec, settings = self.run.spec, self.run.settings
        return {
            "run": self.number,
            "data": self.data_label,
            "hidden layers": " - ".join(f"{units} {activation}" for units, activation in spec.hidden),
            "init": spec.initializer,
            "optimizer": spec.optimizer,
            "learning rate": spec.learning_rate,
            "batch": settings.batch_size,
            "epochs": f"{self.run.epochs_run}/{settings.epochs}",
            "val share": settings.validation_share,
            "early stop": settings.early_stopping,
            "class weights": settings.class_weights,
            "seed": settings.seed,
            "status": str(self.run.status),
            "test accuracy": self.report["test_accuracy"],
            "AUC": self.report["auc"],
            "F1": self.report["f1"],
            "seconds": round(self.run.seconds, 1),
        }


class ChurnSession:
    """The finished runs of one browser session (the latest max_entries)."""

    max_entries = 12

    def __init__(self):
        self.entries: list[RunEntry] = []
        self._count = 0

    def keep(self, run: TrainingRun, prepared: data.PreparedData, data_label: str,
             keras_file: bytes | None = None, waited_seconds: float | None = None) -> RunEntry | None:
        """Add a closed run (trained in a worker process) with its test scores to the table."""
        if run.weights is None or (not run.history and run.status != RunStatus.DIVERGED):
            return None  # stopped before the first epoch ended
        self._count += 1
        entry = RunEntry(self._count, data_label, run, prepared, run.predict(prepared.x_test),
                         score_on_test(run, prepared), keras_file, waited_seconds)
        for older in self.entries:
            older.keras_file = None  # only the latest model is offered for download
        self.entries = [*self.entries, entry][-self.max_entries:]
        return entry

    @property
    def latest(self) -> RunEntry | None:
        return self.entries[-1] if self.entries else None

    def table(self):
        import pandas as pd

        return pd.DataFrame([entry.row() for entry in self.entries])
