"""Posting a student's results to the class board: one call per result, from the page that has it.

Churn ANN calls :func:`post_churn_run` when a training's result is kept and :func:`post_experiment`
when an experiment's is; the Decision boundary page calls :func:`post_boundary_result` at Pause with
the weights its browser component returned. Each posts only when this session is in a class (its
member token is in ``st.session_state``), and only figures the server computed itself (see
``playground.board.posts``). Whatever goes wrong - the class ended, too many posts too fast, the
database down - the student gets a short message and the page goes on.
"""

from __future__ import annotations

import streamlit as st

from pages.server.board import BoardUnavailable, ClassEnded, class_board
from pages.shell.class_member import MEMBER, member, notify
from pages.shell.language import gettext
from playground.board import posts
from playground.i18n import UserError


def _post(page: str, build, toast_now: bool = True) -> int | None:
    """Build (settings, figures) with `build()` and post them as this session's run; returns its id.
    `toast_now` False from a widget's callback: the page shows the toast (``show_toast``) in its body."""
    membership = member()
    if membership is None:
        return None
    _ = gettext()
    try:
        settings, figures = build()
        run_id = class_board().post(membership.token, page, settings, figures)
    except posts.NotPosted as reason:
        notify("warning", reason.translate(_), toast_now)
        return None
    except BoardUnavailable:
        notify("error", _("The class board cannot be reached just now: this result was not posted. Training "
                          "goes on as usual."), toast_now)
        return None
    except ClassEnded as ended:  # closed, expired, or left: this session is in no class any more
        st.session_state.pop(MEMBER, None)
        notify("warning", ended.translate(_), toast_now)
        return None
    except UserError as refused:  # posting too fast, a class that is full
        notify("warning", _("Not posted to the class board: {reason}").format(reason=refused.translate(_)), toast_now)
        return None
    notify("success", _("Posted to the class board (run #{run})").format(run=run_id), toast_now)
    return run_id


def post_churn_run(entry) -> int | None:
    """A Churn training's kept result (a RunEntry; None when the job gave none)."""
    if entry is None:
        return None
    return _post("churn", lambda: posts.churn_post(entry))


def post_experiment(result) -> int | None:
    """An experiment's result (ExperimentResult; None when the job gave none)."""
    if result is None:
        return None
    return _post("experiment", lambda: posts.experiment_post(result))


def post_boundary_result(run, spec, weights, epochs) -> int | None:
    """A Decision boundary result at Pause: `weights` and `epochs` as the browser returned them, `run`
    the page's ``session.Run`` (the server's own points, split and network shape) and `spec` its
    ``settings.Spec``. The figures are recomputed by the numpy engine; the browser's own are never read.
    Called in the component's callback: the page shows the toast in its body."""
    return _post("boundary", lambda: posts.boundary_post(run, spec, weights, epochs), toast_now=False)
