"""The app's one piece of CSS: pages that fit a classroom projector (1024 x 768, 1280 x 720).

Beside the sidebar, Streamlit's wide layout keeps ~5rem of empty margin on each side of the page;
at projector widths that margin is what the page's columns, buttons and formulas lack, and they
cut their text ("Apply 10 upd…"). tests/test_browser_classroom.py checks every page at both sizes.
"""

import streamlit as st

CSS = """<style>
@media (max-width: 1300px) {
  [data-testid="stMainBlockContainer"] { padding-left: 1.5rem; padding-right: 1.5rem; }
}
@media (max-width: 1100px) {  /* a metric's big number in a narrow column: 0.7896 lost its last digits */
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
}
/* A metric's label wraps onto a second line rather than ending in "...". */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}
</style>"""


def fit_projectors() -> None:
    """Put the CSS on the page (app.py calls it once per run, before the page)."""
    st.html(CSS)
