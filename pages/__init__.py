"""The page scripts that app.py lists in st.navigation, and the guard they all call first."""

import runpy
from pathlib import Path

import streamlit as st

from pages.server import compat

APP = Path(__file__).resolve().parent.parent / "app.py"


def use_app_shell() -> None:
    """Make sure this page runs inside app.py's navigation, whatever the entry route.

    Until st.navigation has run once in a server process, Streamlit treats a `pages/`
    folder beside the main script as a legacy multipage app: the first visitor who opens
    `/activations?...` would get pages/activations.py alone (no wide layout, no page
    titles, no Keras warm-up), and AppTest takes that route after every switch_page. In
    that mode this switches the legacy mode off, runs app.py in place (its st.navigation
    resolves the same page, since st.Page hashes depend only on the URL path, and runs it
    with this run's widget values, button clicks included) and ends the legacy run.
    """
    if not compat.legacy_pages_mode():
        return
    compat.leave_legacy_pages_mode()
    runpy.run_path(str(APP), run_name="__main__")
    st.stop()
