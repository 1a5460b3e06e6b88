"""Churn ANN, section 6: an experiment over seeds - the page's network against up to 3 variants."""

from dataclasses import replace

import streamlit as st

from playground import warmup
from playground.churn import experiment as exp
from playground.churn import figures
from playground.churn.presets import EXPERIMENT_PRESETS

BIND = dict(bind="query-params")
CONFIG = {"displaylogo": False}
NONE = "none"
state = st.session_state


def apply_preset(name):
    preset = EXPERIMENT_PRESETS[name]
    state.update(preset.widget_values())
    state["churn.exp._lesson"] = preset.lesson


def variant_picker(slot):
    """Up to two changed fields for variant `slot`; returns its changes or None if it changes nothing.

    A value menu starts empty (a fixed default, so a link means the same whatever the base network).
    """
    changes = []
    columns = st.columns(4)
    for change in (1, 2):
        field_id = columns[2 * change - 2].selectbox(
            f"Variant {slot}: change" if change == 1 else "and change", [NONE, *exp.FIELDS], key=f"churn.exp.v{slot}.{change}",
            **BIND, help=" · ".join(f"{f.id}: {f.label}" for f in exp.FIELDS.values()))
        if field_id != NONE:
            field = exp.FIELDS[field_id]
            text = columns[2 * change - 1].selectbox(field.label, field.choices(), None, key=f"churn.exp.v{slot}.{change}.{field_id}",
                                                     placeholder="pick a value", **BIND)
            if text is not None:
                changes.append((field_id, exp.parse_value(field_id, text)))
    return tuple(changes) or None


def close_interrupted_run():
    """A click during a run reruns the page and interrupts the run (Stop works that way): keep what finished."""
    result = state.get("churn.exp._result")
    if result is not None and result.status == "running":
        result.status = "stopped"


def show_results(result, slot):
    labels = result.experiment.labels
    with slot.container():
        if result.status == "stopped":
            st.info(f"Stopped after {len(result.records)} of {result.experiment.trainings} trainings; "
                    "the statistics below use the finished ones (pairs only where both settings finished a seed).")
        accuracy_col, auc_col = st.columns(2)
        accuracy_col.plotly_chart(figures.seed_strip(labels, [result.values(i) for i in range(len(labels))]),
                                  key="churn.exp.accuracy", config=CONFIG)
        auc_col.plotly_chart(figures.seed_strip(labels, [result.values(i, "auc") for i in range(len(labels))], "AUC",
                                                percent=False), key="churn.exp.auc", config=CONFIG)
        st.dataframe(result.summary_table(), hide_index=True, key="churn.exp.summary")
        if any(result.verdict(i) for i in range(1, len(labels))):
            st.dataframe(result.paired_table(), hide_index=True, key="churn.exp.paired")
            for index in range(1, len(labels)):
                if result.verdict(index):
                    st.markdown(f"**{result.verdict(index)}**")
                    st.caption(result.verdict(index, "auc"))
            st.caption("Paired: seed s trains every setting on the same split from the same start weights, so the "
                       "difference is taken seed by seed. The interval is the 95 % t-interval of the mean difference; "
                       "if it contains 0, this many seeds cannot tell the settings apart.")
        else:
            spread = result.spread_sentence(0)
            if spread:
                st.markdown(f"**{spread}**")
        st.download_button("Every seed's results (CSV)", result.frame().to_csv(index=False), "churn_experiment.csv",
                           key="churn.exp.download", on_click="ignore", mime="text/csv")


def section(frame, spec, settings):
    """The Experiment section; `spec`/`settings` are the page's network (None while its controls are invalid)."""
    st.header("6. Experiment: is a difference bigger than the seed noise?")
    st.markdown("One training cannot settle a claim: the same recipe gives a different test accuracy for every seed. "
                "Train the network above (the base) and up to 3 variants on the same seeds, and compare them seed by seed.")
    close_interrupted_run()
    columns = st.columns(3)
    for index, (name, preset) in enumerate(EXPERIMENT_PRESETS.items()):
        missing = preset.missing()
        columns[index % 3].button(name, key=f"churn.exp.preset.{index}", on_click=apply_preset, args=(name,),
                                  width="stretch", disabled=bool(missing),
                                  help=f"Needs {', '.join(missing)}, which this version does not have yet." if missing else None)
    if "churn.exp._lesson" in state:
        st.info(state["churn.exp._lesson"])
    seeds_col, epochs_col = st.columns(2)
    seeds = seeds_col.slider("Seeds (trainings per setting)", exp.MIN_SEEDS, exp.MAX_SEEDS, exp.DEFAULT_SEEDS,
                             key="churn.exp.seeds", **BIND)
    epochs = epochs_col.slider("Epochs per training", 1, 200, 100, key="churn.exp.epochs", **BIND)
    variants = [variant_picker(slot) for slot in (1, 2, 3)]
    if spec is None:
        st.warning("Fix the network's settings above first: the experiment starts from them.")
        return
    try:
        experiment = exp.Experiment(spec, replace(settings, epochs=epochs),
                                    (exp.Setting(), *(exp.Setting(v) for v in variants if v)), tuple(range(seeds)))
        error = None
    except ValueError as problem:
        error = str(problem)
        st.warning(error)
    run_col, stop_col, info_col = st.columns([1, 1, 4])
    run_clicked = run_col.button("Run experiment", key="churn.exp.run", type="primary", disabled=error is not None,
                                 width="stretch")
    stop_col.button("Stop", key="churn.exp.stop", width="stretch", help="Stops the experiment; finished trainings are kept.")
    if error is None:
        info_col.caption(f"{len(experiment.variants)} setting(s): {', '.join(experiment.labels)} · {seeds} seeds "
                         f"(0 to {seeds - 1}) · {experiment.trainings} trainings of {epochs} epochs")
    progress_slot, results_slot = st.empty(), st.empty()

    def show_progress(update, result):
        left = f" · about {update.seconds_left:.0f} s left" if update.seconds_left is not None else ""
        progress_slot.progress(update.fraction, text=f"{update.trainings_done}/{update.trainings_total} trainings "
                                                     f"· {update.message}{left}")
        if update.finished:  # a new dot: redraw the accuracy strip while the others train
            labels = result.experiment.labels
            results_slot.plotly_chart(figures.seed_strip(labels, [result.values(i) for i in range(len(labels))]),
                                      key=f"churn.exp.live.{len(result.records)}", config=CONFIG)

    if run_clicked and error is None:
        with st.spinner("Waiting for TensorFlow to finish loading..."):
            tensorflow = warmup.wait()
        if tensorflow.state != "ready":
            st.error(f"The experiment needs TensorFlow, which failed to load: {tensorflow.error}")
        else:
            state["churn.exp._result"] = result = exp.ExperimentResult(experiment)
            progress_slot.progress(0.0, text=f"0/{experiment.trainings} trainings · starting")
            # Per-seed training reuses the compiled models of the page's own session (if it keeps any).
            cache = getattr(state.get("churn._session"), "cache", None)
            exp.run_experiment(frame, experiment, on_update=show_progress, result=result, cache=cache)
    result = state.get("churn.exp._result")
    if result is None:
        progress_slot.caption("No experiment yet: pick the variants and press Run experiment.")
        return
    progress_slot.progress(len(result.records) / result.experiment.trainings,
                           text=f"Experiment {result.status}: {len(result.records)}/{result.experiment.trainings} "
                                f"trainings in {result.seconds:.0f} s")
    show_results(result, results_slot)
