"""Server housekeeping: one thread per server process that collects cyclic garbage now and then.

Streamlit's own ``runner.postScriptGC`` runs a full ``gc.collect()`` after every script and
fragment run; with a class of 30 sessions polling their trainings that took 38 % of the
server's CPU, so `.streamlit/config.toml` turns it off. Python's generational collector still
runs, but its oldest generation rarely: the objects of closed sessions (figures, data frames,
with reference cycles) could wait long. One full collection every COLLECT_SECONDS keeps memory
flat (bench/bench_memory.py).

The first collection also freezes what is left (``gc.freeze``): the modules, classes and
caches of Streamlit, numpy, pandas and Plotly, ~120,000 objects that live as long as the process
and that every full collection walked again (~50-100 ms each on this machine; a quarter of the
server's CPU while a class of 10 played the Decision boundary, py-spy). Later collections walk
only what was made after, the sessions' objects; the few of the first session that were frozen
are still freed by reference counting, only their cycles stay.
"""

from __future__ import annotations

import gc
import threading
import time

COLLECT_SECONDS = 20.0

_started_lock = threading.Lock()
_collector: threading.Thread | None = None


def start_collector() -> threading.Thread:
    """Start the collector once per server process (on the first page run); later calls return it.

    A module-level flag, not ``st.cache_resource``: clearing Streamlit's cache (the "Clear cache"
    menu, ``st.cache_resource.clear()``) would forget a cached thread and start a second one,
    while the first runs on for ever.
    """
    global _collector
    with _started_lock:
        if _collector is None or not _collector.is_alive():
            _collector = threading.Thread(target=_collect_forever, name="playground-gc", daemon=True)
            _collector.start()
        return _collector


def _collect_forever() -> None:
    time.sleep(COLLECT_SECONDS)
    gc.collect()
    gc.freeze()
    while True:
        time.sleep(COLLECT_SECONDS)
        gc.collect()
