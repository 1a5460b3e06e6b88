"""Decision boundary page, the live part: one component that trains and draws in the browser
(playground/boundary/web/), mounted in a fragment so what it sends back reruns only this part;
then the sentence about the loss and the exports, built from what Python keeps."""

from __future__ import annotations

import functools
import logging

import streamlit as st

from pages.parts.boundary_data import add_drawn_point
from pages.parts.class_posting import post_boundary_result
from pages.shell.class_member import show_toast
from playground.boundary import export, live, settings
from playground.boundary.datasets import Points
from playground.boundary.session import Run
from playground.boundary.settings import feature_key
from playground.i18n import Translate

state = st.session_state
KEY = "bd.live"
LOG = logging.getLogger(__name__)


@functools.lru_cache(maxsize=1)
def _registered(sources: tuple[str, str, str]):
    html, css, js = sources
    # Not style-isolated: tests and screen readers reach its elements like the page's own; every
    # CSS rule is scoped under .bd-live.
    return st.components.v2.component("boundary_live", html=html, css=css, js=js, isolate_styles=False)


def _component():
    """The component, registered once per version of its files (not at every run)."""
    return _registered(live.component_sources())


def _synced() -> None:
    """The browser's report (epoch, weights, losses): kept once checked."""
    run, payload = state.get("bd.run"), (state.get(KEY) or {}).get("sync")
    if run is None or payload is None:
        return
    try:
        kept = live.accept_sync(run, payload)
    except live.SyncError as error:  # kept out of the run; the browser goes on with its own
        LOG.warning("boundary: a sync from the browser was refused: %s", error)
        return
    if kept and payload.get("reason") == "pause" and state.get("bd.posted") != (run.token, run.epoch):
        # To the class board, if this session is in a class: the figures are the numpy engine's, from
        # the weights just checked and kept, on the server's own points (never the browser's numbers).
        state["bd.posted"] = (run.token, run.epoch)
        spec, _note = settings.spec_from_state(state, run.points.classes)
        post_boundary_result(run, spec, run.network.params, run.epoch)


def _acted() -> None:
    """A request only Python can serve: Reset, an input switched, a point drawn. Each changes a
    setting or the points, so the whole page runs again (see show)."""
    action = live.action_of((state.get(KEY) or {}).get("action"))
    if action is None:
        return
    if action["type"] == "reset":
        run = state.get("bd.run")
        if run is not None and run.token == action["run"]:
            state.pop("bd.run", None)
    elif action["type"] == "feature":
        state[feature_key(action["id"])] = action["on"]
    elif action["type"] == "point" and state.get("bd.drawing"):
        add_drawn_point(action["x"], action["y"])
    state["bd.rerun_page"] = True


@st.fragment
def _live_view(run: Run | None, points: Points, feature_ids, show_test: bool, discrete: bool, drawing: bool,
               lock_features: bool, _: Translate) -> None:
    if state.pop("bd.rerun_page", False):
        st.rerun(scope="app")
    show_toast()  # "Posted to the class board", left by the report's callback (_synced)
    page_run = state.pop("bd.page_run", False)
    run = state.get("bd.run") if run is not None else None  # a fragment rerun: the run as the sync left it
    mounted = (run.token if run else None, run.training if run else None, tuple(feature_ids), show_test, discrete,
               drawing, lock_features, _)
    sent = state.get("bd.sent")
    if not page_run and sent is not None and sent[0] == mounted:
        # This part alone runs again for a report from the browser, which is ahead of what it reported
        # and keeps its own weights while the run and its settings stay: the same bytes go again, and
        # Streamlit sends the browser a reference to the message it has (not ~80 kB per report and tab).
        data = sent[1]
    else:
        data = live.live_bytes(run, points, feature_ids, show_test, discrete, drawing, lock_features, _)
        state["bd.sent"] = (mounted, data)
    _component()(key=KEY, data=data, on_sync_change=_synced, on_action_change=_acted, height="content")


def show(run: Run | None, points: Points, feature_ids, show_test: bool, discrete: bool, drawing: bool,
         lock_features: bool, _: Translate) -> None:
    """The live view. While it plays, the browser trains and draws on its own and reports every
    few seconds (a rerun of this fragment only); the page itself reruns when a setting changes."""
    state["bd.page_run"] = True  # the page ran: the view is mounted with what Python has now
    _live_view(run, points, feature_ids, show_test, discrete, drawing, lock_features, _)
    if run is not None:
        # Outside the fragment: a third of each report's rerun was making these two buttons again (py-spy).
        # What they download is made at the click from the run, which every report updates in place.
        _downloads(run, _)


def loss_sentence(run: Run | None, classes: int, note: str | None, _: Translate) -> None:
    """One sentence: what the chosen loss is (and why the page overruled a choice, if it did)."""
    if note:
        st.caption(_(note))
    objective = run.training.objective.loss if run is not None else None
    output = run.architecture.output_activation if run is not None else None
    if classes == 0:
        text = _("The loss is squared error: the mean of (output − target)² over the points.")
    elif output == "tanh":
        text = _("The loss is squared error on labels −1/+1: the mean of (tanh output − label)², "
                 "as TensorFlow Playground trains.")
    elif classes == 3:
        text = _("The loss is cross-entropy over three classes: −log of the softmax probability of the right class."
                 ) if objective != "squared_error" else _(
            "The loss is squared error on the three class probabilities against the one-hot label.")
    elif objective == "squared_error":
        text = _("The loss is squared error on the sigmoid's probability: its gradient fades as the sigmoid "
                 "saturates, even when wrong.")
    else:
        text = _("The loss is cross-entropy: −log of the probability the network gives the right class, so a "
                 "confident mistake costs a lot.")
    st.caption(text)


def _downloads(run: Run, _: Translate) -> None:
    """The Keras script and the weights, from the weights the browser last reported. Made when
    clicked (Streamlit calls the function then): made at every report, they were a tenth of the
    server's work for a class playing this page (py-spy, bench/bench_classroom.py --page boundary)."""
    with st.container(horizontal=True):
        st.download_button(_("Keras script (.py)"), functools.partial(export.keras_script, run),
                           file_name="decision_boundary.py",
                           mime="text/x-python", width="content",
                           help=_("Rebuilds this network and these points in Keras and trains it."))
        st.download_button(_("Weights (.json)"), functools.partial(export.weights_json, run), file_name="weights.json",
                           mime="application/json", width="content")
