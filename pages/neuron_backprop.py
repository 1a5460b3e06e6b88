"""Neuron & backprop page (coming next)."""

import streamlit as st

st.title("Neuron & backprop")
st.info("Coming next: this page is being built.")
