"""The Churn ANN page's training section: Train and Stop, the place in line, live curves.

Trainings run in the server's worker pool (pages/parts/training_pool.py), never in the page's
own process. While one is queued or running, this session keeps a ``jobs.Training`` in
``st.session_state`` and a fragment polls it every POLL_SECONDS: it shows the place in line, or
the epochs reported so far. When the job has ended, the fragment reruns the whole page, whose
first step (:func:`keep_ended_training`) moves the result into the session's run table. Other
widgets can be used meanwhile: their reruns do not touch the training.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.parts.training_pool import this_session_is_alive, training_pool
from playground.churn import figures, jobs
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.train import ChurnSession, RunEntry

POLL_SECONDS = 0.5
TRAINING = "churn._training"  # the queued or running jobs.Training of this session
MESSAGE = "churn._training_message"  # why the last training gave no result (failed, taken out of the queue)
CONFIG = {"displaylogo": False}


def ordinal(number: int) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"."""
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def keep_ended_training(session: ChurnSession) -> None:
    """If this session's training has ended, add its run to the table (or keep why it failed)."""
    training = st.session_state.get(TRAINING)
    if training is not None and training.ticket.ended:
        del st.session_state[TRAINING]
        _, st.session_state[MESSAGE] = training.keep_result(session)


def start_training(spec, settings, prepared, data_label) -> None:
    """Train's on_click: queue the job (runs before the page script, so the buttons show it at once)."""
    if st.session_state.get(TRAINING) is None:
        st.session_state[MESSAGE] = None
        st.session_state[TRAINING] = jobs.Training.submit(training_pool(), spec, settings, prepared, data_label,
                                                          owner=this_session_is_alive())


def stop_training() -> None:
    training = st.session_state.get(TRAINING)
    if training is not None:
        training.ticket.stop()


def workers_status() -> None:
    """One line on the training workers: loading TensorFlow, ready, busy, or failed to start."""
    pool = training_pool()
    loading = pool.status().ready == 0 and pool.status().starting > 0

    @st.fragment(run_every=1.0 if loading else None)
    def show():
        status = pool.status()
        if status.start_error:
            st.error(f"Training is off: the training workers could not start. {status.start_error}")
        elif status.ready:
            st.caption(f":material/check_circle: Training workers ready: {status.ready} of {status.size} "
                       f"(TensorFlow runs in separate processes) · {status.busy} training · {status.queued} waiting.")
        elif status.starting:
            st.info(":material/hourglass_top: TensorFlow is loading in the training workers (4-9 s). "
                    "Explore the data meanwhile; a training you start waits for it.")
        else:  # PLAYGROUND_WARMUP=0: nothing loads until someone trains
            st.caption(":material/info: TensorFlow loads in a training worker when you first press Train (4-9 s).")

    show()


def training_controls(session: ChurnSession, spec: NetworkSpec | None, settings: FitSettings | None,
                      prepared, data_label: str, info: str | None) -> RunEntry | None:
    """Train / Stop, then the live progress or the latest run's curves; returns the latest run."""
    keep_ended_training(session)
    training = st.session_state.get(TRAINING)
    train_col, stop_col, info_col = st.columns([1, 1, 4])
    train_col.button("Train", key="churn.train", type="primary", width="stretch",
                     disabled=spec is None or training is not None,
                     on_click=start_training, args=(spec, settings, prepared, data_label))
    stop_col.button("Stop", key="churn.stop", width="stretch", on_click=stop_training, disabled=training is None,
                    help="Stops at the end of the current epoch and keeps what the network has learnt so far; "
                         "a training still waiting in line leaves the queue.")
    if info:
        info_col.caption(info)
    if st.session_state.get(MESSAGE):
        st.error(st.session_state[MESSAGE])

    follow_job(TRAINING, show_idle=lambda: show_run(session.latest), show_running=show_live)
    return session.latest


def follow_job(key: str, show_idle: Callable[[], None], show_running: Callable[[object], None]) -> None:
    """Poll the job kept in ``st.session_state[key]`` (anything with a pool ``ticket``) every POLL_SECONDS.

    Queued: the place in line. Running: ``show_running(job)``. Ended: a rerun of the whole page, whose
    first step takes the result in (and removes the key). No job: ``show_idle()``, and no polling.
    The Experiment section follows its job the same way.
    """

    @st.fragment(run_every=POLL_SECONDS if st.session_state.get(key) is not None else None)
    def progress():
        job = st.session_state.get(key)
        if job is None:
            show_idle()
        elif job.ticket.ended:
            st.rerun()  # the whole page: its first step keeps the result, the results appear
        elif job.ticket.state == "queued":
            show_place_in_line(job.ticket)
        else:
            show_running(job)

    progress()


def show_place_in_line(ticket) -> None:
    status = training_pool().status()
    text = f"Waiting: {ordinal(ticket.position)} in line"
    if status.ready == 0:
        text += " · the training workers are loading TensorFlow (4-9 s)"
    elif ticket.eta_seconds is not None:
        text += f", about {ticket.eta_seconds:.0f} s"
    st.progress(0.0, text=text)
    at_once = "1 job runs" if status.size == 1 else f"{status.size} jobs run"
    st.caption(f"{at_once} at once on this server (a training or a whole experiment each); yours starts when a "
               "worker is free. Stop takes it out of the queue.")


def show_live(training: jobs.Training) -> None:
    history, total = training.history, training.settings.epochs
    left = training.seconds_left()
    text = f"Epoch {len(history)}/{total}" + (f" · about {left:.0f} s left" if left is not None else " · starting")
    if training.ticket.stop_requested:
        text += " · stopping after this epoch"
    st.progress(len(history) / total, text=text)
    st.plotly_chart(figures.live_curves(history, total), key="churn.live", config=CONFIG)


def show_run(latest: RunEntry | None) -> None:
    if latest is None:
        st.caption("No run yet: press Train.")
        return
    run = latest.run
    st.progress(run.epochs_run / run.settings.epochs,
                text=f"Run {latest.number}: {run.status}, {run.epochs_run}/{run.settings.epochs} epochs "
                     f"in {run.seconds:.1f} s")
    st.plotly_chart(figures.live_curves(run.history, run.settings.epochs), key="churn.curves", config=CONFIG)
