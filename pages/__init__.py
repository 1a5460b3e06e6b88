"""The page scripts that app.py lists in st.navigation, and the guard they all call first."""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


def use_app_shell() -> None:
    """Send a deep link on a fresh server through app.py.

    Until st.navigation has run once in a server process, Streamlit treats a `pages/`
    folder beside the main script as a legacy multipage app, so the first visitor who
    opens `/activations?...` would get pages/activations.py alone (no wide layout, no
    page titles, no Keras warm-up). Switching that mode off and rerunning makes the same
    URL go through app.py; st.Page hashes depend only on the URL path, so the rerun lands
    on the same page with the same query parameters.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
