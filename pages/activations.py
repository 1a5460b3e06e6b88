"""Activations page (coming next)."""

import streamlit as st

st.title("Activations")
st.info("Coming next: this page is being built.")
