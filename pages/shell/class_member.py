"""Being in a class, on every page: the join form a student's link opens, the sidebar's class box,
and the teacher's key taken out of the address bar.

app.py calls :func:`class_box` once per run, before the page. A link ``?class=CODE`` asks for a
nickname and a Join button (above the page); once joined, the member's token lives in this session
only (``st.session_state``, never the URL, so a copied link never carries it) and the sidebar shows
the class with a Leave button. A teacher link ``?class=CODE&key=KEY`` is checked, kept in the
session, and the key is removed from the URL at once: the address bar of a projected screen, the
browser's history from then on and every link the app builds from the URL (classroom links) are
then free of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import streamlit as st

from pages.server.board import BoardUnavailable, class_board
from pages.shell.language import as_text  # noqa: F401 (the Class page shows nicknames with it)
from playground.i18n import Translate, UserError

CODE_PARAM, KEY_PARAM = "class", "key"
MEMBER = "class._member"  # the Membership of this session
TEACHER = "class._teacher"  # the TeacherOf this session (a class it started, or opened by its teacher link)
NOTICE = "class._notice"  # (kind, text) to show once in the sidebar: joined, left, a posting problem
TOAST = "class._toast"  # (text, icon) of a toast a callback left for the script's body
JOIN_ERROR = "class._join_error"  # why the last Join failed, shown in the form
UNKNOWN = "class._unknown"  # codes the store said no to in this session (its "no" is slow on purpose)
_CODE = re.compile(r"[A-Za-z0-9]{1,16}")


@dataclass(frozen=True)
class Membership:
    code: str
    token: str
    nickname: str
    member_id: object


@dataclass(frozen=True)
class TeacherOf:
    code: str
    key: str


def code_from_url() -> str | None:
    """The class code in the URL, upper-cased; None if absent; "" if it is no possible code."""
    asked = st.query_params.get(CODE_PARAM)
    if asked is None:
        return None
    asked = asked.strip()
    return asked.upper() if _CODE.fullmatch(asked) else ""


def member() -> Membership | None:
    return st.session_state.get(MEMBER)


def teacher() -> TeacherOf | None:
    return st.session_state.get(TEACHER)


def notify(kind: str, text: str, toast_now: bool = True) -> None:
    """A message for the sidebar's class box (kind: "success", "warning" or "error"), and a toast:
    now, or with `toast_now` False (in a widget's callback, where Streamlit warns in the server's log
    for every element shown) at the next :func:`show_toast` of the script's body."""
    st.session_state[NOTICE] = (kind, text)
    st.session_state[TOAST] = (text, ":material/groups:" if kind == "success" else ":material/warning:")
    if toast_now:
        show_toast()


def show_toast() -> None:
    """The toast a callback's :func:`notify` left for the body of the script, if any."""
    waiting = st.session_state.pop(TOAST, None)
    if waiting is not None:
        st.toast(waiting[0], icon=waiting[1])


def _join(code: str, _: Translate) -> None:
    nickname = st.session_state.get("class.nickname", "")
    try:
        joined = class_board().join(code, nickname)
    except BoardUnavailable:
        st.session_state[JOIN_ERROR] = _("The class board cannot be reached just now; try Join again in a moment. "
                                         "Everything else works as usual.")
        return
    except UserError as error:  # a nickname it refuses (length, taken, control characters), a class gone
        st.session_state[JOIN_ERROR] = error.translate(_)
        return
    st.session_state.pop(JOIN_ERROR, None)
    st.session_state[MEMBER] = Membership(code, joined.token, joined.nickname, joined.member_id)
    st.session_state[NOTICE] = ("success", _("You joined the class {code}: your finished runs now appear on your "
                                             "teacher's board.").format(code=code))
    st.query_params.pop(CODE_PARAM, None)  # the link has done its job; a reload will not ask again


def _leave(_: Translate) -> None:
    membership = st.session_state.pop(MEMBER, None)
    if membership is None:
        return
    try:
        class_board().leave(membership.token)
    except UserError:  # BoardUnavailable too
        pass  # the class may be gone, or the database down: this session has left either way
    st.session_state[NOTICE] = ("success", _("You left the class {code}.").format(code=membership.code))


def _take_teacher_key(code: str, _: Translate) -> None:
    """A teacher link: keep its key in the session if it is the class's, and take it out of the URL."""
    key = st.query_params.get(KEY_PARAM, "")
    st.query_params.pop(KEY_PARAM, None)
    try:
        valid = bool(code) and len(key) <= 200 and class_board().is_teacher(code, key)
    except BoardUnavailable:
        st.session_state[NOTICE] = ("error", _("The class board cannot be reached just now: open the teacher link "
                                               "again in a moment."))
        return
    if valid:
        st.session_state[TEACHER] = TeacherOf(code, key)
        st.session_state.pop(MEMBER, None)  # one role per session: a teacher posts no runs
        st.query_params.pop(CODE_PARAM, None)  # the session knows its class; a closed one asks nobody to join
    else:
        st.session_state[NOTICE] = ("error", _("This teacher link is not valid (or its class has ended)."))


def class_box(_: Translate) -> None:
    """The join form when the URL asks for a class, the teacher key's check, and the sidebar box."""
    code = code_from_url()
    if KEY_PARAM in st.query_params:
        _take_teacher_key(code or "", _)
    mine, taught = member(), teacher()
    if code == "":
        st.warning(_("The link's class code is not a code (letters and digits only): ask your teacher for the "
                     "link again."))
    elif code and not (taught and taught.code == code) and not (mine and mine.code == code):
        join_form(code, _)
    with st.sidebar:
        notice = st.session_state.pop(NOTICE, None)
        if notice:
            getattr(st, notice[0])(notice[1])
        mine, taught = member(), teacher()
        if taught is not None:
            with st.container(border=True):
                st.markdown(_("**Class {code}** · you are its teacher").format(code=taught.code))
                st.page_link("pages/class.py", label=_("Open the class board"), icon=":material/leaderboard:")
        elif mine is not None:
            with st.container(border=True):
                st.markdown(_("**Class {code}** · you are **{nickname}**").format(
                    code=mine.code, nickname=as_text(mine.nickname)))
                st.caption(_("Your finished trainings and experiments on Churn ANN, and your Decision boundary "
                             "results at Pause, go to your teacher's board."))
                st.button(_("Leave the class"), key="class.leave", on_click=_leave, args=(_,),
                          icon=":material/logout:")


def join_form(code: str, _: Translate) -> None:
    """Nickname and Join, above the page."""
    unknown = st.session_state.setdefault(UNKNOWN, set())
    try:  # asked once per session: a mistyped link would otherwise pay the slow "no" on every rerun
        known = code not in unknown and class_board().find_class(code) is not None
    except BoardUnavailable:
        st.warning(_("The class board cannot be reached just now, so you cannot join the class {code} yet. "
                     "Everything else works as usual.").format(code=code))
        return
    if not known:
        unknown.add(code)
        st.warning(_("There is no class {code}: it has ended, or the code is mistyped.").format(code=code))
        return
    with st.form("class.join", border=True):
        st.markdown(_("**Join the class {code}**: pick a nickname (1 to 24 characters, any script; no real name "
                      "needed). Your finished runs then appear on your teacher's board.").format(code=code))
        st.text_input(_("Nickname"), key="class.nickname", max_chars=24)
        if st.session_state.get(JOIN_ERROR):
            st.error(as_text(st.session_state[JOIN_ERROR]))
        st.form_submit_button(_("Join"), type="primary", on_click=_join, args=(code, _))
