"""Optimizers page (coming next)."""

import streamlit as st

st.title("Optimizers")
st.info("Coming next: this page is being built.")
