"""The session's language: chosen in the sidebar, kept in the URL (?lang=zh), else the browser's.

app.py calls `select_language()` once per run, before the page; pages call `gettext()` for
the session's translation function and pass it to playground's builders.
"""

from __future__ import annotations

import streamlit as st

from playground.i18n import LANGUAGES, Translate, language_from_locale, parse_language, translator

KEY = "ui.lang"
PARAM = "lang"


def _to_url() -> None:
    st.query_params[PARAM] = st.session_state[KEY]


def select_language() -> str:
    """Decide this run's language, show the switch in the sidebar, and keep it in the URL.

    Order: ?lang= in the URL (a shared link opens in its language), then this session's last
    choice (page links drop the query), then the browser's locale. A bad ?lang= gets a message.
    """
    state = st.session_state
    asked = st.query_params.get(PARAM)
    lang = parse_language(asked)
    if lang is None:
        lang = state.get(KEY) if state.get(KEY) in LANGUAGES else language_from_locale(st.context.locale)
    state[KEY] = lang  # before the widget exists in this run: the URL wins over the old choice
    _ = translator(lang)
    with st.sidebar:
        st.radio("Language · 语言", list(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True,
                 on_change=_to_url)  # fmt: skip
        if asked is not None and parse_language(asked) is None:
            st.warning(_("The link asks for an unknown language ({asked}); showing {language}.").format(
                asked=repr(asked[:20]), language=LANGUAGES[lang]))  # fmt: skip
    if st.query_params.get(PARAM) != lang:
        st.query_params[PARAM] = lang  # every copied link carries its language
    return lang


def current_language() -> str:
    """The language app.py chose for this run."""
    lang = st.session_state.get(KEY)
    return lang if lang in LANGUAGES else language_from_locale(st.context.locale)


def gettext() -> Translate:
    """This session's translation function."""
    return translator(current_language())
