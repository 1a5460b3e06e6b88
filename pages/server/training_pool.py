"""The server's one pool of training worker processes, and the liveness check of a browser session.

Every session of the server shares the pool through ``st.cache_resource`` (the pool is
thread-safe); it is shut down when the cache is cleared or the server exits. See
``playground.workers`` for the pool itself.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pages.server import compat
from playground.workers import WorkerPool


@st.cache_resource(show_spinner=False, on_release=lambda pool: pool.shutdown())
def training_pool() -> WorkerPool:
    """Created on the first page run of the server, after the page has been sent (app.py); its
    workers start warming up at once. The churn modules (pandas) are imported here, not before
    every page's first run."""
    from playground.churn import jobs

    return jobs.new_pool()


def this_session_is_alive() -> Callable[[], bool] | None:
    """A thread-safe check the pool calls to see whether this browser session is still connected.

    A session stays active while its websocket is open, also while it shows another page of the
    app; closing the tab ends it (a reconnect within the pool's grace period keeps the place).
    None where there is no Streamlit runtime (AppTest, plain Python): the job is then never dropped.
    """
    context = compat.this_run()
    return None if context is None else compat.session_liveness(context.session_id)
