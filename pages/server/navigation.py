"""The st.Page list app.py hands to st.navigation, made once per server process and language, and
the app's icon (a path resolved once, not at every run).

Making the seven pages costs ~5 ms of every rerun of every page (each st.Page resolves its
script's path on disk and checks its icon; py-spy of the Activations page's slider reruns).
The pages are made once per language and each run gets copies: st.navigation marks its copy as
the page to run, so two sessions running at once never share that mark."""

from __future__ import annotations

import copy
import functools
import streamlit as st

from pages import APP
from playground import catalog
from playground.i18n import translator

REPO = APP.parent
ICON = REPO / "assets" / "icon.png"


@functools.lru_cache(maxsize=None)  # one entry per language
def _made(language: str) -> tuple[st.Page, ...]:
    _ = translator(language)
    return tuple(st.Page(REPO / page.script, title=_(page.title), icon=page.icon, url_path=page.url_path,
                         default=page is catalog.HOME)
                 for page in catalog.PAGES)


def pages(language: str) -> list[st.Page]:
    """This run's pages, titled in `language`."""
    return [copy.copy(page) for page in _made(language)]
