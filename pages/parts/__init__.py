"""Parts of pages that would make a page script too long (imported by the page, never run as
pages: Streamlit's legacy discovery only scans pages/*.py)."""
