"""Entry point: `streamlit run app.py`. Page registry lives in playground/catalog.py."""

import streamlit as st

from pages.parts.training_pool import training_pool
from playground import catalog

st.set_page_config(
    page_title="Neural Network Playground",
    page_icon=":material/neurology:",
    layout="wide",
)

pages = [
    st.Page(page.script, title=page.title, icon=page.icon, url_path=page.url_path, default=page is catalog.HOME)
    for page in catalog.PAGES
]
st.navigation(pages).run()

# Start the training workers (they import TensorFlow and warm up in their own processes)
# after the page has been sent; once per server process. PLAYGROUND_WARMUP=0: on first Train.
training_pool()
