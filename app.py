"""Entry point: `streamlit run app.py`. Page registry lives in playground/catalog.py."""

import streamlit as st

from pages.server.housekeeping import start_collector
from pages.server.navigation import ICON
from pages.server.navigation import pages as navigation_pages
from pages.shell.class_member import class_box
from pages.shell.language import select_language
from pages.shell.projector import fit_projectors
from pages.shell.url_check import checked
from pages.server.training_pool import training_pool
from playground.i18n import translator

st.set_page_config(
    page_title="Neural Network Playground",
    # A small PNG of our own (scripts/draw_icon.py), served by this server: an emoji showed as a
    # box on machines without an emoji font, and a ":material/...:" icon would be fetched from an
    # outside font host, which a classroom network may not reach. Set here, so on every page.
    page_icon=str(ICON),
    layout="wide",
)

fit_projectors()
language = select_language()
_ = translator(language)
navigation = st.navigation(navigation_pages(language))
class_box(_)  # ?class=CODE asks to join (above any page); the sidebar shows the class
with checked():  # a value from the address that the page cannot use: say so, correct the address
    navigation.run()

# Start the training workers (they import TensorFlow and warm up in their own processes)
# after the page has been sent; once per server process. PLAYGROUND_WARMUP=0: on first Train.
training_pool()
start_collector()  # a full garbage collection every 20 s instead of after every run
