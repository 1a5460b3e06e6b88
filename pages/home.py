"""Home: what the playground is, and a link to each topic."""

import streamlit as st

from pages import use_app_shell
from pages.shell.language import gettext
from playground import catalog

use_app_shell()
_ = gettext()

st.title(_("Neural Network Playground"))
st.markdown(
    _(
        "See how a neural network works by changing it and watching what happens. "
        "Each page takes one idea from a first course on neural networks and makes it "
        "something you can move: a function, a gradient step, a training run. "
        "Every number on these pages is checked against TensorFlow/Keras in the tests."
    )
)

for page in catalog.TOPICS:
    with st.container(border=True):
        st.page_link(page.script, label=_(page.title), icon=page.icon)
        st.caption(_(page.blurb))

st.caption(_("Every view lives in the page address: copy the link to reopen exactly what you see."))
