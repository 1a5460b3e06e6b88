"""Churn ANN, the last section: an experiment over seeds - the page's network against up to 3 variants.

The whole experiment is one job of the server's worker pool (pages/server/training_pool.py), the
same pool as Train: the page never imports TensorFlow. While it is queued or running this
session keeps a ``jobs.ExperimentJob`` in ``st.session_state``, followed by churn_training's
``follow_job`` fragment (place in line, then one progress bar for every training and the dots
finished so far). When it has ended, the page's next run (:func:`keep_ended_experiment`) keeps
its result, or why there is none.
"""

from dataclasses import replace

import streamlit as st

from pages.parts.churn_training import follow_job
from pages.parts.class_posting import post_experiment
from pages.shell.language import choice, gettext
from pages.server.training_pool import this_session_is_alive, training_pool
from playground.churn import experiment as exp
from playground.churn import figures, jobs, report
from playground.churn.fields import FIELDS, parse_value
from playground.churn.model import RunStatus
from playground.churn.presets import EXPERIMENT_PRESETS
from playground.i18n import N_, UserError

BIND = dict(bind="query-params")
CONFIG = {"displaylogo": False}
NONE = "none"
JOB = "churn.exp._job"  # the queued or running jobs.ExperimentJob of this session
RESULT = "churn.exp._result"  # the last experiment's ExperimentResult
MESSAGE = "churn.exp._message"  # why the last experiment gave no (complete) result: a Message
FIELD_NAMES = {NONE: N_("none"), **{field_id: field.label for field_id, field in FIELDS.items()}}
state = st.session_state


def apply_preset(name):
    preset = EXPERIMENT_PRESETS[name]
    state.update(preset.widget_values())
    state["churn.exp._lesson"] = preset.name  # its id: the lesson is shown in the language of each run


def variant_picker(slot):
    """Up to two changed fields for variant `slot`; returns its changes or None if it changes nothing.

    A value menu starts empty (a fixed default, so a link means the same whatever the base network).
    """
    _ = gettext()
    changes = []
    columns = st.columns(4)
    for change in (1, 2):
        with columns[2 * change - 2]:
            field_id = choice(st.selectbox, _("Variant {slot}: change").format(slot=slot) if change == 1 else _("and change"),
                              [NONE, *FIELDS], key=f"churn.exp.v{slot}.{change}", default=NONE, names=FIELD_NAMES,
                              help=" · ".join(_(f.label) for f in FIELDS.values()))
        if field_id != NONE:
            field = FIELDS[field_id]
            text = columns[2 * change - 1].selectbox(_(field.label), field.choices(), None,
                                                     key=f"churn.exp.v{slot}.{change}.{field_id}",
                                                     placeholder=_("pick a value"), **BIND)
            if text is not None:
                changes.append((field_id, parse_value(field_id, text)))
    return tuple(changes) or None


def keep_ended_experiment():
    """If this session's experiment job has ended, keep its result (or why there is none)."""
    job = state.get(JOB)
    if job is not None and job.ticket.ended:
        del state[JOB]
        result, state[MESSAGE] = job.outcome()
        if result is not None:
            state[RESULT] = result
            post_experiment(result)  # to the class board, if this session is in a class


def start_experiment(frame, experiment):
    """Run experiment's on_click: queue the job (before the page script, so the buttons show it at once)."""
    if state.get(JOB) is None:
        state[MESSAGE] = None
        state[JOB] = jobs.ExperimentJob.submit(training_pool(), frame, experiment, owner=this_session_is_alive())


def stop_experiment():
    job = state.get(JOB)
    if job is not None:
        job.ticket.stop()


def show_live(job: jobs.ExperimentJob):
    """One progress bar for the whole experiment, and the accuracy dots of the trainings finished so far."""
    _ = gettext()
    update = job.latest
    if update is None:
        text = _("0/{total} trainings · starting (the first epoch compiles the network)").format(
            total=job.experiment.trainings)
        fraction = 0.0
    else:
        text, fraction = update.text(job.experiment, _), update.fraction
    if job.ticket.stop_requested:
        text += _(" · stopping after this epoch")
    st.progress(fraction, text=text)
    so_far = job.result_so_far()
    if so_far.records:
        labels = so_far.experiment.shown_labels(_)
        st.plotly_chart(figures.seed_strip(labels, [so_far.values(i) for i in range(len(labels))], _=_),
                        key="churn.exp.live", config=CONFIG)


def show_last_result():
    _ = gettext()
    result = state.get(RESULT)
    if result is None:
        st.caption(_("No experiment yet: pick the variants and press Run experiment."))
        return
    st.progress(len(result.records) / result.experiment.trainings,
                text=_("Experiment {status}: {done}/{total} trainings in {seconds} s").format(
                    status=result.status.shown(_), done=len(result.records),
                    total=result.experiment.trainings, seconds=f"{result.seconds:.0f}"))
    show_results(result)


def show_results(result):
    _ = gettext()
    labels = result.experiment.shown_labels(_)
    if result.status == RunStatus.STOPPED:
        st.info(_("Stopped after {done} of {total} trainings; ").format(done=len(result.records),
                                                                     total=result.experiment.trainings)
                + (_("the statistics below use the finished ones (pairs only where both settings finished a seed).")
                   if result.records else _("none had finished, so there is nothing to compare.")))
    if not result.records:
        return
    accuracy_col, auc_col = st.columns(2)
    accuracy_col.plotly_chart(figures.seed_strip(labels, [result.values(i) for i in range(len(labels))], _=_),
                              key="churn.exp.accuracy", config=CONFIG)
    auc_col.plotly_chart(figures.seed_strip(labels, [result.values(i, "auc") for i in range(len(labels))], "AUC",
                                            percent=False, _=_), key="churn.exp.auc", config=CONFIG)
    st.dataframe(report.summary_table(result, _), hide_index=True, key="churn.exp.summary")
    if any(report.verdict(result, i) for i in range(1, len(labels))):
        st.dataframe(report.paired_table(result, _), hide_index=True, key="churn.exp.paired")
        for index in range(1, len(labels)):
            if report.verdict(result, index):
                st.markdown("**{verdict}**".format(verdict=report.verdict(result, index, _=_)))
                st.caption(report.verdict(result, index, "auc", _=_))
        st.caption(_("Paired: seed s trains every setting on the same split from the same start weights, so the "
                     "difference is taken seed by seed. The interval is the {level} t-interval of the mean difference; "
                     "if it contains 0, this many seeds cannot tell the settings apart.").format(level="95 %"))
    else:
        spread = report.spread_sentence(result, 0, _)
        if spread:
            st.markdown("**{spread}**".format(spread=spread))
    st.download_button(_("Every seed's results (CSV)"), report.seed_frame(result).to_csv(index=False), "churn_experiment.csv",
                       key="churn.exp.download", on_click="ignore", mime="text/csv")


def section(frame, spec, settings, number: int):
    """The Experiment section, headed `number`; `spec`/`settings` are the page's network (None while its
    controls are invalid)."""
    _ = gettext()
    keep_ended_experiment()
    st.header(f"{number}. " + _("Experiment: is a difference bigger than the seed noise?"))
    st.markdown(_("One training cannot settle a claim: the same recipe gives a different test accuracy for every seed. "
                  "Train the network above (the base) and up to 3 variants on the same seeds, and compare them seed by seed."))
    with st.container(horizontal=True):  # a row that wraps: every preset's full name, at any width
        for index, name in enumerate(EXPERIMENT_PRESETS):
            st.button(_(name), key=f"churn.exp.preset.{index}", on_click=apply_preset, args=(name,), width="content")
    if state.get("churn.exp._lesson") in EXPERIMENT_PRESETS:
        st.info(_(EXPERIMENT_PRESETS[state["churn.exp._lesson"]].lesson))
    seeds_col, epochs_col = st.columns(2)
    seeds = seeds_col.slider(_("Seeds (trainings per setting)"), exp.MIN_SEEDS, exp.MAX_SEEDS, exp.DEFAULT_SEEDS,
                             key="churn.exp.seeds", **BIND)
    epochs = epochs_col.slider(_("Epochs per training"), 1, 200, 100, key="churn.exp.epochs", **BIND)
    variants = [variant_picker(slot) for slot in (1, 2, 3)]
    experiment = error = None
    if spec is None or settings is None:
        error = _("Fix the network's settings in section 2 first (see the warning there): the experiment starts from them.")
    else:
        try:
            experiment = exp.Experiment(spec, replace(settings, epochs=epochs),
                                        (exp.Setting(), *(exp.Setting(v) for v in variants if v)), tuple(range(seeds)))
        except UserError as problem:  # the settings' own checks (fields, NetworkSpec, FitSettings, Experiment)
            error = problem.translate(_)
    if error:
        st.warning(error)
    job = state.get(JOB)
    with st.container(horizontal=True, vertical_alignment="center"):  # buttons as wide as their labels
        st.button(_("Run experiment"), key="churn.exp.run", type="primary", width="content",
                  disabled=experiment is None or job is not None, on_click=start_experiment, args=(frame, experiment))
        st.button(_("Stop"), key="churn.exp.stop", width="content", disabled=job is None, on_click=stop_experiment,
                  help=_("Stops at the end of the current epoch and keeps the trainings that finished; "
                         "an experiment still waiting in line leaves the queue."))
        info_col = st.container()
    if experiment is not None:
        info_col.caption(_("{count} setting(s): {labels} · {seeds} seeds (0 to {last}) · {trainings} trainings of "
                           "{epochs} epochs").format(count=len(experiment.variants),
                                                     labels=", ".join(experiment.shown_labels(_)), seeds=seeds,
                                                     last=seeds - 1, trainings=experiment.trainings, epochs=epochs))
    if state.get(MESSAGE):
        st.error(state[MESSAGE].translate(_))
    follow_job(JOB, show_idle=show_last_result, show_running=show_live)
