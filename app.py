"""Entry point: `streamlit run app.py`. Page registry lives in playground/catalog.py."""

import streamlit as st

from playground import catalog, warmup

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

# Import Keras in the background only after the page has been sent, so no page
# (Home included) waits for TensorFlow. It runs once per server process.
warmup.start()
