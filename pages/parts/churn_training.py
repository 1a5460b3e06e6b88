"""The Churn ANN page's training section: Train and Stop, the place in line, live curves.

Trainings run in the server's worker pool (pages/server/training_pool.py), never in the page's
own process. While one is queued or running, this session keeps a ``jobs.Training`` in
``st.session_state`` and a fragment polls it: every QUEUED_POLL_SECONDS while it waits far back
in line (the place changes slowly, and a class of 30 waiting must not load the server or their
browsers), every BUSY_POLL_SECONDS or POLL_SECONDS once it is next up or runs (the live curves).
When the job has ended, the fragment reruns the whole page, whose first step
(:func:`keep_ended_training`) moves the result into the session's run table. Other widgets can be
used meanwhile: their reruns do not touch the training.
"""

from __future__ import annotations

import math

from collections.abc import Callable

import streamlit as st

from pages.parts.class_posting import post_churn_run
from pages.shell.language import current_language
from pages.server.training_pool import this_session_is_alive, training_pool
from playground.churn import figures, jobs
from playground.churn.model import FitSettings, NetworkSpec
from playground.churn.session import ChurnSession, RunEntry
from playground.i18n import N_, Message, Translate, identity
from playground.workers import JobState

# How often a session's page asks about its job. Every poll makes the browser re-render the whole
# page (Streamlit's frontend re-renders every element for a fragment's update): ~150 ms of a
# core for this page while waiting, ~360 ms while training with its live curves (CDP, quiet
# 2-core machine). One student can afford the fast poll; a class of 30 on one machine cannot.
POLL_SECONDS = 0.5  # running, nobody waiting: smooth live curves
BUSY_POLL_SECONDS = 1.0  # running or next up while others wait in line
QUEUED_POLL_SECONDS = 3.0  # further back in line than there are workers: only the place changes
TRAINING = "churn._training"  # the queued or running jobs.Training of this session
MESSAGE = "churn._training_message"  # why the last training gave no result (failed, taken out of the queue): a Message
CURVES = "churn._curves"  # (run number, language) and the figure of the latest run's curves
CONFIG = {"displaylogo": False}


ORDINAL_SUFFIXES = {1: N_("st"), 2: N_("nd"), 3: N_("rd"), 0: N_("th")}  # Chinese: all 位 (第 1位)


def ordinal(number: int, _: Translate = str) -> str:
    """1 -> "1st", 2 -> "2nd", 11 -> "11th", 23 -> "23rd"; in Chinese "1位" (the message adds 第)."""
    last = 0 if 10 <= number % 100 <= 20 else number % 10
    return f"{number}{_(ORDINAL_SUFFIXES.get(last, ORDINAL_SUFFIXES[0]))}"


def keep_ended_training(session: ChurnSession) -> None:
    """If this session's training has ended, add its run to the table (or keep why it failed)."""
    training = st.session_state.get(TRAINING)
    if training is not None and training.ticket.ended:
        del st.session_state[TRAINING]
        entry, st.session_state[MESSAGE] = training.keep_result(session)
        post_churn_run(entry)  # to the class board, if this session is in a class


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


def workers_status(_: Translate, job_keys: tuple[str, ...] = (TRAINING,)) -> None:
    """One line on the training workers: loading TensorFlow, ready, busy, or failed to start.

    How many train and wait is left out while this session has a job of its own (under
    `job_keys`): the line is drawn when the page runs, the job's own progress line is live."""
    pool = training_pool()
    jobs_here = [st.session_state.get(key) for key in job_keys]
    own_job = any(job is not None and not job.ticket.ended for job in jobs_here)
    status = pool.status()
    loading = status.ready == 0 and (status.starting > 0 or status.retry_in_seconds is not None)

    @st.fragment(run_every=1.0 if loading else None)
    def show():
        status = pool.status()
        if loading and (status.ready or not (status.starting or status.retry_in_seconds is not None)):
            # Loaded (or given up): rerun the page once, so that this fragment stops polling (its
            # interval is fixed when the page runs). An idle tab that kept polling every second cost
            # 7 % of a core in its browser: a class of 30 such tabs alone would fill this 2-core machine.
            st.rerun()
        reason = Message("{reason}", reason=status.start_error).translate(_)  # a text, or the pool's Message
        if status.start_error and status.retry_in_seconds is not None and not status.ready:
            st.warning(_("The training workers could not start ({reason}); trying again in {seconds} s.").format(
                reason=reason, seconds=max(1, math.ceil(status.retry_in_seconds))),
                icon=":material/hourglass_top:")
        elif status.start_error and not status.ready:
            st.error(_("Training is off: the training workers could not start.") + f" {reason}")
        elif status.ready and own_job:
            # the job's own line (place in line, epoch) is the live figure; counts drawn here would
            # be those of the moment the page ran ("0 training · 1 waiting" while it trains)
            st.caption("✓ " + _("Training workers ready: {ready} of {size} (TensorFlow runs in separate "
                                "processes).").format(ready=status.ready, size=status.size))
        elif status.ready:
            st.caption("✓ " + _(
                "Training workers ready: {ready} of {size} (TensorFlow runs in separate processes) · {busy} "
                "training · {queued} waiting.").format(ready=status.ready, size=status.size, busy=status.busy,
                                                       queued=status.queued))
        elif status.starting:
            st.info(_("TensorFlow is loading in the training workers (4-9 s). Explore the data meanwhile; a "
                      "training you start waits for it."), icon=":material/hourglass_top:")
        else:  # PLAYGROUND_WARMUP=0: nothing loads until someone trains
            st.caption(_("TensorFlow loads in a training worker when you first press Train (4-9 s)."))

    show()


def training_controls(session: ChurnSession, spec: NetworkSpec | None, settings: FitSettings | None,
                      prepared, data_label: str, info: str | None, _: Translate) -> RunEntry | None:
    """Train / Stop, then the live progress or the latest run's curves; returns the latest run."""
    keep_ended_training(session)
    training = st.session_state.get(TRAINING)
    train_col, stop_col, info_col = st.columns([1, 1, 4])
    train_col.button(_("Train"), key="churn.train", type="primary", width="stretch",
                     disabled=spec is None or training is not None,
                     on_click=start_training, args=(spec, settings, prepared, data_label))
    stop_col.button(_("Stop"), key="churn.stop", width="stretch", on_click=stop_training, disabled=training is None,
                    help=_("Stops at the end of the current epoch and keeps what the network has learnt so far; "
                           "a training still waiting in line leaves the queue."))
    if info:
        info_col.caption(info)
    if st.session_state.get(MESSAGE):
        st.error(st.session_state[MESSAGE].translate(_))

    follow_job(TRAINING, show_idle=lambda: show_run(session.latest, _),
               show_running=lambda training: show_live(training, _), _=_)
    return session.latest


def far_back(ticket, workers: int) -> bool:
    """Queued behind more jobs than there are workers: only its place in line changes for now."""
    return ticket.state == JobState.QUEUED and (ticket.position or 0) > workers


def poll_seconds(ticket, workers: int, waiting: int) -> float:
    """How often a page asks about its job: slowly while it is far back in line, once a second
    while it is next up or runs and `waiting` jobs wait, twice a second when nobody waits (see
    POLL_SECONDS)."""
    if far_back(ticket, workers):
        return QUEUED_POLL_SECONDS
    return BUSY_POLL_SECONDS if waiting else POLL_SECONDS


def follow_job(key: str, show_idle: Callable[[], None], show_running: Callable[[object], None],
               _: Translate = identity) -> None:
    """Poll the job kept in ``st.session_state[key]`` (anything with a pool ``ticket``).

    Queued with more jobs ahead than workers: the place in line, every QUEUED_POLL_SECONDS. Next
    up or running: every POLL_SECONDS (BUSY_POLL_SECONDS while others wait), ``show_running(job)``
    once it runs (a fragment's interval is fixed when the page runs, so the fragment reruns the
    whole page once when its job moves up). Ended: a rerun of the whole page, whose first step
    takes the result in (and removes the key). No job: ``show_idle()``, and no polling. The
    Experiment section follows its job the same way.
    """
    job = st.session_state.get(key)
    pool = training_pool()
    queued = job is not None and far_back(job.ticket, pool.size)
    every = None if job is None else poll_seconds(job.ticket, pool.size, pool.status().queued)

    @st.fragment(run_every=every)
    def progress():
        job = st.session_state.get(key)
        if job is None:
            show_idle()
        elif job.ticket.ended or (queued and (job.ticket.position or 0) <= training_pool().size):
            st.rerun()  # the whole page: it keeps the result, or polls the job faster now that it is next
        elif job.ticket.state == JobState.QUEUED:
            show_place_in_line(job.ticket, _)
        else:
            show_running(job)

    progress()


def show_place_in_line(ticket, _: Translate) -> None:
    status = training_pool().status()
    text = _("Waiting: {place} in line").format(place=ordinal(ticket.position, _))
    if status.ready == 0:
        text += " · " + _("the training workers are loading TensorFlow (4-9 s)")
    elif ticket.eta_seconds is not None:
        text += _(", about {seconds} s").format(seconds=f"{ticket.eta_seconds:.0f}")
    st.progress(0.0, text=text)
    at_once = (_("1 job runs at once on this server (a training or a whole experiment).") if status.size == 1
               else _("{size} jobs run at once on this server (a training or a whole experiment each).").format(
                   size=status.size))
    st.caption(at_once + " " + _("Yours starts when a worker is free. Stop takes it out of the queue."))


def show_live(training: jobs.Training, _: Translate) -> None:
    history, total = training.history, training.settings.epochs
    left = training.seconds_left()
    text = _("Epoch {epoch}/{total}").format(epoch=len(history), total=total) + " · " + (
        _("about {seconds} s left").format(seconds=f"{left:.0f}") if left is not None else _("starting"))
    if training.ticket.stop_requested:
        text += " · " + _("stopping after this epoch")
    st.progress(len(history) / total, text=text)
    st.plotly_chart(figures.live_curves(history, total, _=_), key="churn.live", config=CONFIG)


def show_run(latest: RunEntry | None, _: Translate) -> None:
    if latest is None:
        st.caption(_("No run yet: press Train."))
        return
    run = latest.run
    text = _("Run {number}: {status}, {done}/{total} epochs in {seconds} s").format(
        number=latest.number, status=run.status.shown(_), done=run.epochs_run,
        total=run.settings.epochs, seconds=f"{run.seconds:.1f}")
    if latest.waited_seconds is not None and latest.waited_seconds >= 0.5:
        text += " · " + _("waited {seconds} s in line").format(seconds=f"{latest.waited_seconds:.1f}")
    st.progress(run.epochs_run / run.settings.epochs, text=text)
    st.plotly_chart(finished_curves(latest, _), key="churn.curves", config=CONFIG)


def finished_curves(latest: RunEntry, _: Translate):
    """The latest run's curves, built once per run and language and kept in the session: every
    rerun of the page shows them, and building a Plotly figure costs tens of ms of server CPU."""
    key = (latest.number, current_language())
    kept = st.session_state.get(CURVES)
    if kept is None or kept[0] != key:
        kept = st.session_state[CURVES] = (key, figures.live_curves(latest.run.history, latest.run.settings.epochs,
                                                                    _=_))
    return kept[1]
