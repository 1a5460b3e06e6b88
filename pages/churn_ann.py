"""Churn ANN page (coming next)."""

import streamlit as st

st.title("Churn ANN")
st.info("Coming next: this page is being built.")
