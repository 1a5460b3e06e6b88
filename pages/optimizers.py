"""Optimizers: race update rules and gradient sources across loss surfaces, animated."""

import pandas as pd
import streamlit as st

from pages import use_app_shell
from pages.parts.optimizers_endings import endings_section
from pages.shell.classroom import Classroom
from pages.shell.language import choice, current_language, gettext
from playground.i18n import translator
from playground.optimizers import figures
from playground.optimizers import presets as view_state
from playground.optimizers import race, surfaces
from playground.optimizers import rules as optimizers
from playground.optimizers.presets import DEFAULTS, PRESETS, run_key

use_app_shell()
_ = gettext()
LANG = current_language()
room = Classroom("optimizers", _)

CHART_CONFIG = {"displaylogo": False, "scrollZoom": False}
state = st.session_state


@st.cache_resource(max_entries=24, show_spinner=False)
def build(view: view_state.View, lang: str):
    """Race and figures for one view in one language. Cached as one shared object: nothing mutates them."""
    tr = translator(lang)
    surface = surfaces.get(view.surface)
    result = race.race(surface, view.specs, view.start, view.steps, view.batch, view.noise, view.seed)
    return result, figures.race_contour(surface, result, _=tr), figures.loss_curves(result, _=tr)


@st.cache_resource(max_entries=8)
def build_3d(view: view_state.View, lang: str):
    result = build(view, lang)[0]
    return figures.surface_3d(result.surface, result, _=translator(lang))


@st.fragment
def step_explainer(result):
    """Reruns on its own: moving through steps does not resend the big animated figure."""
    st.subheader(_("One step, with its numbers"))
    run_numbers = list(range(1, len(result.specs) + 1))
    labels = result.run_labels(_)
    # One under the other: beside the step slider a run's full label was cut on a projector.
    run_index = choice(st.selectbox, _("Run"), run_numbers, key="opt.ex.run", default=1,
                       format_func=lambda r: f"{r}: {labels[r - 1]}") - 1
    step = st.slider(_("Step k"), 1, result.steps, value=1, key="opt.ex.step", bind="query-params")
    st.latex(_(optimizers.summary(result.specs[run_index].method)))
    lines = result.explain(run_index, step, _)
    if not lines:
        st.info(_("Run {run} had stopped (diverged at step {stop}) before step {step}.").format(
            run=run_index + 1, stop=result.stopped_at[run_index], step=step))
    for line in lines:
        st.latex(line)


def pick_start_from_click():
    if view_state.start_from_click(state, state["opt.chart.contour"].selection, figures.CLICK_TRACE):
        for run in range(1, view_state.MAX_RUNS + 1):
            state[run_key(run, "own")] = False  # a click means "everyone from here"


def widget_args(key, default=None):
    """Key, URL binding and default (from the one DEFAULTS table) for a view widget. Choices with
    translated labels go through pages.shell.language.choice instead (the URL holds their id)."""
    default = DEFAULTS.get(key) if default is None else default
    return dict(key=key, bind="query-params", value=default)

st.title(_("Optimizers"))
st.markdown(_(
    "Gradient descent and its descendants differ in **two** ways: *which gradient* they use (all rows "
    "of the data, one sampled row, a mini-batch) and *how they turn it into a step* (plain, momentum, "
    "adaptive). Race them from the same start; press ▶ to replay the race step by step."
))

st.subheader(_("Presets"))
# Horizontal: buttons flow and wrap, so full titles stay readable.
with room.control("opt.presets", _("Presets")), st.container(horizontal=True):
    for name, preset in PRESETS.items():
        st.button(_(preset.title), key=f"opt.preset.{name}", help=_(preset.point), width="content",
                  on_click=view_state.apply_preset, args=(state, name))

with st.sidebar:
    st.header(_("Surface"))
    with room.control("opt.surface", _("Loss surface")):
        surface_name = choice(st.selectbox, _("Loss surface"), surfaces.names(), key="opt.surface",
                              default=DEFAULTS["opt.surface"], names=surfaces.TITLES,
                              on_change=view_state.reset_start, args=(state,))
    surface = surfaces.get(surface_name)
    view_state.clamp_start(state)
    (x0, x1), (y0, y1) = surface.bounds
    x_title, y_title = map(_, surface.axis_titles)
    start_x, start_y = surface.default_start
    with room.control("opt.start", _("Start")):
        st.slider(_("Start {axis}").format(axis=x_title), float(x0), float(x1), step=0.01,
                  **widget_args("opt.x0", default=start_x))
        st.slider(_("Start {axis}").format(axis=y_title), float(y0), float(y1), step=0.01,
                  **widget_args("opt.y0", default=start_y))
        st.caption(_("Or click anywhere on the contour to start there."))
    st.header(_("Race"))
    with room.control("opt.steps", _("Steps")):
        st.slider(_("Steps"), 10, 1000, step=10, **widget_args("opt.steps"))
    with room.control("opt.batch", _("Mini-batch size B")):
        st.select_slider(_("Mini-batch size B"), view_state.BATCH_SIZES, **widget_args("opt.batch"))
    if surface.data is None:
        with room.control("opt.noise", _("Gradient noise σ (formula surfaces)")):
            st.slider(_("Gradient noise σ (formula surfaces)"), 0.0, 5.0, step=0.1, **widget_args("opt.noise"),
                      help=_("A formula has no rows to sample, so SGD adds seeded Gaussian noise of size σ to "
                             "the exact gradient (σ/√B for a mini-batch of B, like averaging B noisy samples)."))
    with room.control("opt.seed", _("Random seed")):
        st.number_input(_("Random seed"), 0, 9999, step=1, **widget_args("opt.seed"))
    with room.control("opt.tol", _("Tolerance on loss − min")):
        tolerance = st.select_slider(_("Tolerance on loss − min"), view_state.TOLERANCES,
                                     format_func=lambda v: f"{v:g}", **widget_args("opt.tol"))

st.subheader(_("Runs"))
with room.control("opt.runs", _("Number of runs")):
    runs = st.slider(_("Number of runs"), 1, view_state.MAX_RUNS, **widget_args("opt.runs"))
for run in range(1, runs + 1):
    # A row that wraps, each control as wide as its longest choice: on a 1024 px projector a run takes
    # two lines instead of cutting "Plain step (Keras SGD)" in a sixth of the page.
    with st.container(horizontal=True, vertical_alignment="bottom"):
        with room.control("opt.method", _("Update rules")):
            choice(st.selectbox, _("Run {run}: rule").format(run=run), view_state.method_options(), width=240,
                   key=run_key(run, "method"), default=DEFAULTS[run_key(run, "method")], names=optimizers.label)
        with room.control("opt.source", _("Gradients")):
            choice(st.selectbox, _("Gradient"), view_state.source_options(), key=run_key(run, "source"), width=250,
                   default=DEFAULTS[run_key(run, "source")], names=race.SOURCES)
        with room.control("opt.lr", _("Learning rates η")):
            st.select_slider(_("Learning rate η"), view_state.LEARNING_RATES, format_func=lambda v: f"{v:g}",
                             width=200, **widget_args(run_key(run, "lr")))
        with room.control("opt.own", _("Own starts")):
            own_start = st.checkbox(_("own start"), width="content", **widget_args(run_key(run, "own")))
            if own_start:
                st.number_input(x_title, float(x0), float(x1), step=0.1, width=120, **widget_args(run_key(run, "x")))
                st.number_input(y_title, float(y0), float(y1), step=0.1, width=120, **widget_args(run_key(run, "y")))

if surface.data is not None:
    st.caption(_("GD: all {rows} rows per step. SGD: one row, mini-batch: B rows, drawn "
                 "without replacement and reshuffled after each pass over the data (seeded).").format(
        rows=f"{surface.data.n_rows:,}"))
else:
    st.caption(_("On a formula surface SGD = exact gradient + seeded Gaussian noise (σ for one sample, σ/√B "
                 "for a mini-batch); GD = the exact gradient."))

view = view_state.view_from_state(state)
try:
    with st.spinner(_("Racing the optimizers...")):
        result, contour, losses = build(view, LANG)
except ValueError as error:
    st.error(_("This race cannot run: {error}").format(error=error))
    room.panel()
    st.stop()

st.latex(surface.formula)
st.caption(surface.lesson_text(_))
run_labels = result.run_labels(_)
for r in result.diverged():
    st.warning(_("Run {run} ({label}) diverged at step {step}: the step overshot so far that the loss exploded. "
                 "Try a smaller learning rate. Its path stops there.").format(
        run=r + 1, label=run_labels[r], step=result.stopped_at[r]))

with room.control("opt.view", _("View: contour or 3D")):
    shown = choice(st.radio, _("View"), view_state.VIEWS, key="opt.view", default=DEFAULTS["opt.view"],
                   names=view_state.VIEWS, horizontal=True, label_visibility="collapsed")
if shown == "contour":
    st.plotly_chart(contour, key="opt.chart.contour", on_select=pick_start_from_click,
                    selection_mode="points", config=CHART_CONFIG)
else:
    st.plotly_chart(build_3d(view, LANG), key="opt.chart.surface", config=CHART_CONFIG)

st.plotly_chart(losses, key="opt.chart.loss", config=CHART_CONFIG)
table = pd.DataFrame(result.summary(tolerance, _)).set_index(_("run"))
st.dataframe(table, column_config={
    _("final loss"): st.column_config.NumberColumn(format="%.4g"),
    _("distance to nearest minimum"): st.column_config.NumberColumn(format="%.3g"),
    _("learning rate"): st.column_config.NumberColumn(format="%g"),
})
st.caption(_("Steps to tolerance: first step with loss − min ≤ the tolerance (sidebar); empty if never."))
endings_section(view)

step_explainer(result)
room.panel()
