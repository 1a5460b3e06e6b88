"""Churn trainings as jobs of the worker pool: the worker side and the server side in one place.

Start with :class:`Training` (what the page keeps per browser session while a job is queued or
running, and how its result joins the session's runs) and :class:`ExperimentJob` (the same for an
experiment over seeds, whose job is ``runner.run_experiment``), then :func:`train_job` (what
runs inside a worker process) and :func:`prepare_worker` (each worker's warm-up). :func:`new_pool` builds the
server's pool. The server imports this module but never TensorFlow: only the worker-side
functions import it, inside the worker process.

The worker sends numbers and ids, never sentences: a training sends each epoch's history row, an
experiment a ``runner.ExperimentProgress``. What the user reads when a job ends without a result
is a ``playground.i18n.Message``, which the page shows in its session's language.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from playground.churn import data
from playground.churn.experiment import Experiment, ExperimentResult
from playground.churn.model import FitSettings, NetworkSpec, RunStatus, TrainingRun
from playground.churn.runner import ExperimentProgress, run_experiment
from playground.churn.session import ChurnSession, RunEntry
from playground.i18n import N_, Message
from playground.workers import JobState, Ticket, WorkerPool

# One CPU thread per worker's TensorFlow: N workers use N cores, and a class training at once
# cannot oversubscribe the machine. Set before TensorFlow is imported in the worker.
SINGLE_THREAD_ENVIRONMENT = {
    "TF_NUM_INTRAOP_THREADS": "1",
    "TF_NUM_INTEROP_THREADS": "1",
    "OMP_NUM_THREADS": "1",
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "TF_CPP_MIN_LOG_LEVEL": "2",
}

def new_pool() -> WorkerPool:
    """The server's training pool: PLAYGROUND_WORKERS workers (default: cores, at most 4).

    They import TensorFlow and warm up at once, unless PLAYGROUND_WARMUP=0 (a tiny host, or a
    test that must not load Keras): then they start when someone first presses Train.
    """
    warm_at_start = os.environ.get("PLAYGROUND_WARMUP", "1") != "0"
    return WorkerPool(initializer=prepare_worker, start=warm_at_start)


# --------------------------------------------------------------------------------------
# The server side
# --------------------------------------------------------------------------------------


@dataclass
class Training:
    """A training one browser session submitted to the pool; the page keeps it until it ends."""

    ticket: Ticket
    spec: NetworkSpec
    settings: FitSettings
    prepared: data.PreparedData
    data_label: str

    @classmethod
    def submit(cls, pool: WorkerPool, spec: NetworkSpec, settings: FitSettings, prepared: data.PreparedData,
               data_label: str, owner: Callable[[], bool] | None = None) -> Training:
        ticket = pool.submit(train_job, {"prepared": prepared, "spec": spec, "settings": settings}, owner=owner)
        return cls(ticket, spec, settings, prepared, data_label)

    @property
    def history(self) -> list[dict]:
        """The epochs reported so far (one row per epoch, as TrainingRun.history)."""
        return list(self.ticket.events)

    def seconds_left(self) -> float | None:
        return TrainingRun(self.spec, self.settings, history=self.history).seconds_left()

    def keep_result(self, session: ChurnSession) -> tuple[RunEntry | None, Message | None]:
        """Once the job has ended: add its run to `session`; returns (entry, why there is none)."""
        ticket = self.ticket
        if ticket.state in (JobState.DONE, JobState.STOPPED) and ticket.result is not None:
            result = ticket.result
            return session.keep(result["run"], self.prepared, self.data_label, result["keras_file"],
                                waited_seconds=ticket.waited_seconds), None
        return None, _no_result(ticket, TRAINING_ENDINGS)


@dataclass
class ExperimentJob:
    """An experiment over seeds one browser session submitted to the pool: one job for all its trainings."""

    ticket: Ticket
    experiment: Experiment

    @classmethod
    def submit(cls, pool: WorkerPool, frame, experiment: Experiment,
               owner: Callable[[], bool] | None = None) -> ExperimentJob:
        """Queue ``run_experiment(frame, experiment)``; the worker prepares each seed's split itself."""
        return cls(pool.submit(run_experiment, {"frame": frame, "experiment": experiment}, owner=owner), experiment)

    @property
    def latest(self) -> ExperimentProgress | None:
        """The last progress update (fraction, trainings done, time left), None before the first epoch."""
        events = self.ticket.events
        return events[-1] if events else None

    def result_so_far(self) -> ExperimentResult:
        """The trainings finished so far, from the updates (each update carries the ones new since the last)."""
        records = [record for update in list(self.ticket.events) for record in update.finished]
        return ExperimentResult(self.experiment, records, status=RunStatus.RUNNING)

    def outcome(self) -> tuple[ExperimentResult | None, Message | None]:
        """Once the job has ended: (the result to show, why it is missing or incomplete)."""
        ticket = self.ticket
        if ticket.state in (JobState.DONE, JobState.STOPPED) and ticket.result is not None:
            return ticket.result, None
        result = None
        if ticket.state == JobState.STOPPED:  # the worker was ended before it returned: keep what it had reported
            result = self.result_so_far()
            result.status = RunStatus.STOPPED
        return result, _no_result(ticket, EXPERIMENT_ENDINGS)


# Why a job has no result, per ticket state: the job's own words, then the pool's reason if it gave one.
TRAINING_ENDINGS = {JobState.FAILED: N_("The training failed: {error}"),
                    JobState.CANCELLED: N_("The training was taken out of the queue."),
                    JobState.STOPPED: N_("The training was stopped before it reported a result.")}
EXPERIMENT_ENDINGS = {JobState.FAILED: N_("The experiment failed: {error}"),
                      JobState.CANCELLED: N_("The experiment was taken out of the queue."),
                      JobState.STOPPED: N_("The experiment was stopped before it reported its result.")}


def _no_result(ticket: Ticket, endings: dict[JobState, str]) -> Message | None:
    """The message for a job that ended without a result (None while it has not ended that way).

    The pool's error (`ticket.error`: a text, or a Message the page translates) is the failure
    itself, or the reason after a cancel or stop."""
    template = endings.get(ticket.state)
    if template is None:
        return None
    if ticket.state == JobState.FAILED:
        return Message(template, error=ticket.error)
    if not ticket.error:
        return Message(template)
    return Message("{ending} {reason}", ending=Message(template), reason=ticket.error)


# --------------------------------------------------------------------------------------
# The worker side (runs in a worker process, which imports TensorFlow)
# --------------------------------------------------------------------------------------


def prepare_worker() -> None:
    """Each worker's warm-up: TensorFlow on one thread, then one epoch of the tutorial recipe.

    The epoch compiles the tutorial network's whole-epoch call on the built-in data, so the most common
    training starts at full speed; ``import keras`` alone costs 4-9 s.
    """
    for name, value in SINGLE_THREAD_ENVIRONMENT.items():
        os.environ.setdefault(name, value)
    from playground.churn import engine, presets

    engine.limit_threads(1)
    from playground.churn.train import train_prepared

    prepared = data.prepare(data.synthetic_churn(seed=0), seed=0)
    tutorial = presets.TUTORIAL
    train_prepared(prepared, tutorial.spec, FitSettings(**{**tutorial.settings.__dict__, "epochs": 1}))


def train_job(prepared: data.PreparedData, spec: NetworkSpec, settings: FitSettings, progress) -> dict:
    """Train in the worker, streaming each epoch's history row; returns the run and its .keras file.

    Stops after the current epoch once ``progress.stop_requested()``; the partial run comes back.
    """
    from playground.churn.model import keras_file_bytes
    from playground.churn.train import train_prepared

    run = train_prepared(prepared, spec, settings,
                         on_epoch=lambda run: progress.send(run.history[-1]),
                         should_stop=progress.stop_requested)
    keras_file = keras_file_bytes(run.spec, run.weights) if run.status != RunStatus.DIVERGED and run.history else None
    return {"run": run, "keras_file": keras_file}
