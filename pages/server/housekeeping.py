"""Server housekeeping: one thread per server process that collects cyclic garbage now and then.

Streamlit's own ``runner.postScriptGC`` runs a full ``gc.collect()`` after every script and
fragment run; with a class of 30 sessions polling their trainings that took 38 % of the
server's CPU, so `.streamlit/config.toml` turns it off. Python's generational collector still
runs, but its oldest generation rarely: the objects of closed sessions (figures, data frames,
with reference cycles) could wait long. One full collection every COLLECT_SECONDS costs a few
tens of ms and keeps memory flat (bench/bench_memory.py).
"""

from __future__ import annotations

import gc
import threading
import time

import streamlit as st

COLLECT_SECONDS = 20.0


@st.cache_resource(show_spinner=False)
def start_collector() -> threading.Thread:
    """Started once per server process (on the first page run); runs until the process ends."""

    def collect_forever() -> None:
        while True:
            time.sleep(COLLECT_SECONDS)
            gc.collect()

    thread = threading.Thread(target=collect_forever, name="playground-gc", daemon=True)
    thread.start()
    return thread
