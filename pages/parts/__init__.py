"""Sections of pages that grew their own module (a subfolder, so Streamlit does not list them as pages)."""
