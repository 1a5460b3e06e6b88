"""The session's language: chosen in the sidebar, kept in the URL (?lang=zh), else the browser's.

app.py calls `select_language()` once per run, before the page; pages call `gettext()` for
the session's translation function and pass it to playground's builders.
"""

from __future__ import annotations

import re

import streamlit as st

from playground.i18n import LANGUAGES, Translate, language_from_locale, parse_language, translator

KEY = "ui.lang"
PARAM = "lang"


REFUSED = "ui.lang.refused"  # a bad ?lang= value, told until the user picks a language


def _to_url() -> None:
    st.query_params[PARAM] = st.session_state[KEY]
    st.session_state.pop(REFUSED, None)


def select_language() -> str:
    """Decide this run's language, show the switch in the sidebar, and keep it in the URL.

    Order: ?lang= in the URL (a shared link opens in its language), then this session's last
    choice (page links drop the query), then the browser's locale. A bad ?lang= gets a message.
    """
    state = st.session_state
    asked = st.query_params.get(PARAM)
    lang = parse_language(asked)
    if asked is not None and lang is None:
        state[REFUSED] = asked[:20]
    if lang is None:
        lang = state.get(KEY) if state.get(KEY) in LANGUAGES else language_from_locale(st.context.locale)
    state[KEY] = lang  # before the widget exists in this run: the URL wins over the old choice
    _ = translator(lang)
    with st.sidebar:
        st.radio("Language · 语言", list(LANGUAGES), format_func=LANGUAGES.get, key=KEY, horizontal=True,
                 on_change=_to_url)  # fmt: skip
        if REFUSED in state:
            st.warning(_("The link asks for an unknown language ({asked}); showing {language}.").format(
                asked=repr(state[REFUSED]), language=LANGUAGES[lang]))  # fmt: skip
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


def choice(widget, label: str, options, *, key: str, default, names=None, format_func=None, **kwargs):
    """A selectbox or radio whose URL value is the option itself (an id), shown translated.

    Streamlit's bind="query-params" writes a choice's *formatted* label into the URL, so a
    translated label would make links differ by language and lose the choice when the language
    changes. Here session state holds the id, the URL mirrors it (?opt.surface=bowl; left out
    at the default), and `names` (id -> English name, a msgid) gives the shown label and lets
    links written with the English label (?opt.surface=Round+bowl) still open.
    """
    state, _ = st.session_state, gettext()
    options = list(options)
    refused = None
    if key not in state or state[key] not in options:
        asked = st.query_params.get(key)
        by_text = {str(option): option for option in options}
        if names is not None:
            by_text |= {names(option) if callable(names) else names[option]: option for option in options}
        state[key] = by_text.get(asked, default) if asked is not None else default
        refused = asked if asked is not None and asked not in by_text else None
    else:
        # Set it again: the browser then shows the value in this run's language (it otherwise
        # keeps the label it last showed, e.g. the English one after a switch to Chinese).
        state[key] = state[key]
    if format_func is None:
        shown = names if callable(names) else (names.get if names is not None else str)
        format_func = lambda option: _(shown(option))  # noqa: E731
    value = widget(label, options, format_func=format_func, key=key, **kwargs)
    if refused is not None:
        from pages.shell import url_check  # it uses this module's gettext: imported here, not at the top

        url_check.refuse(key, label, refused, format_func(value))
    if value == default:
        st.query_params.pop(key, None)
    else:
        st.query_params[key] = str(value)
    return value


def url_tabs(tabs: dict[str, str], *, key: str) -> dict:
    """st.tabs that keep the open tab in the URL as an id (?nb.tab=backprop), shown translated, and
    build only the open tab's content (each container's `.open`; on_change makes the tabs stateful).

    `tabs` is id -> English label (a msgid); the first is the default. Links written with the
    English label still open their tab. A tab's value is its shown label, so there is one widget
    per language. Returns id -> tab container."""
    _ = gettext()
    ids = list(tabs)
    asked = st.query_params.get(key, ids[0])
    opened = next((tab for tab, label in tabs.items() if asked in (tab, label)), None)
    if opened is None:
        opened = ids[0]
        from pages.shell import url_check  # it uses this module's gettext: imported here, not at the top

        url_check.refuse(key, _("Open tab"), asked, _(tabs[opened]))
        st.query_params.pop(key)
    widget = f"{key}.{current_language()}"

    def to_url() -> None:
        chosen = st.session_state[widget]
        st.query_params[key] = next((tab for tab, label in tabs.items() if _(label) == chosen), ids[0])

    containers = st.tabs([_(label) for label in tabs.values()], default=_(tabs[opened]), key=widget, on_change=to_url)
    return dict(zip(ids, containers))


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")


def as_text(text) -> str:
    """`text` for st.markdown and friends, shown as typed: every markdown, HTML and Streamlit
    directive character (``**``, ``<img>``, ``:red[...]``, ``$x$``) is escaped with a backslash.
    For what someone else typed: a nickname, a value from a shared link."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))
