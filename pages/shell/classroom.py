"""Classroom links: a teacher ticks controls to hide; the link fixes their values for the students.

A page makes one `Classroom` and wraps each control it offers in `room.control(id, label)`;
at the end `room.panel()` puts the "Classroom link" expander in the sidebar. One id may wrap
several widgets (``opt.lr`` stands for every run's learning rate). The link carries the
page's current URL (every bound widget's value, the language) plus ``hide=id1,id2``.

A hidden control is never sent to the browser: its widgets are called inside a container with
no place on the page (``pages.server.compat.nowhere``, Streamlit's own "bare script" mode, where
elements are dropped). The widget is still registered, so Streamlit's URL binding keeps parsing and
checking its value (from the link, or the default), callbacks and presets keep working, and
the student sees the value's effect but no control, not even in the page's HTML.
"""

from __future__ import annotations

from contextlib import contextmanager
from urllib.parse import urlencode

import streamlit as st

from pages.server import compat
from playground.i18n import Translate

PARAM = "hide"


class Classroom:
    """The hideable controls of one page, and which of them this link hides."""

    def __init__(self, url_path: str, _: Translate):
        self.url_path = url_path
        self._ = _
        self.labels: dict[str, str] = {}  # control id -> label, in page order
        asked = st.query_params.get(PARAM, "")
        self.hidden = [part.strip() for part in asked.split(",") if part.strip()][:100]

    @contextmanager
    def control(self, control_id: str, label: str):
        """Wrap the widget(s) of one control; a hidden one runs but puts nothing on the page.

        Inside, call widgets as ``st.slider(...)`` (or on containers made inside the block):
        ``st.sidebar.slider`` or a column made outside would bypass the hiding.
        """
        self.labels.setdefault(control_id, label)
        if control_id not in self.hidden:
            yield
            return
        # Streamlit registers the widgets (value, URL binding, callbacks) but enqueues none of
        # their elements, and containers made inside are the same.
        with compat.nowhere():
            yield

    def link(self, hide: list[str]) -> str:
        """This page's URL with every current setting, and `hide` (ids) to hide."""
        params = {key: value for key, value in st.query_params.to_dict().items() if key != PARAM}
        if hide:
            params[PARAM] = ",".join(hide)
        # st.context.url is the address in the browser without the query; it may end in this page's path.
        base = (st.context.url or "").rstrip("/").removesuffix(f"/{self.url_path}")
        return f"{base}/{self.url_path}" + (f"?{urlencode(params, safe=',')}" if params else "")

    def panel(self) -> None:
        """The sidebar expander: tick controls, copy the link. Warns about unknown ids in the URL."""
        _ = self._
        unknown = [control_id for control_id in self.hidden if control_id not in self.labels]
        with st.sidebar:
            if unknown:
                st.warning(_("This link hides controls this page does not have: {ids}. They are ignored.").format(
                    ids=", ".join(unknown[:10])))  # fmt: skip
                kept = ",".join(control_id for control_id in self.hidden if control_id in self.labels)
                st.query_params.pop(PARAM)  # the address says what is hidden: the known ids only
                st.query_params.update({PARAM: kept} if kept else {})
            if self.hidden and not unknown:
                st.caption(_("Some controls are fixed by this classroom link."))
            # Drawn only when opened: closed, its st.code alone made every page's first load fetch and run
            # Streamlit's 1.5 MB syntax highlighter, ~0.5 s of a student's browser (bench_boundary --browser).
            panel = st.expander(_("Classroom link"), icon=":material/link:",  # bundled icon font: no emoji font
                                key=f"classroom.open.{self.url_path}", on_change="rerun")
            if not panel.open:
                return
            with panel:
                st.caption(_("Tick the controls your students should not change, then share the link: it opens "
                             "this page with your current settings, those controls fixed and out of sight."))
                known = [control_id for control_id in self.hidden if control_id in self.labels]
                key = f"classroom.pick.{self.url_path}"
                # Set every run, so the browser shows the choices in this run's language (and the picks stay
                # while the panel is closed: the key is set here, not by the widget alone).
                st.session_state[key] = st.session_state.get(key, known)
                chosen = st.multiselect(_("Controls to hide"), list(self.labels), format_func=self.labels.get, key=key,
                                        placeholder=_("pick the controls"))
                st.code(self.link(chosen), language=None, wrap_lines=True)
