"""Every private internal of Streamlit the app relies on, in one place.

Streamlit is pinned (requirements.txt: ``streamlit==1.67.0``). The app needs three things its
public API does not offer; each is wrapped here, so an upgrade that breaks one breaks it here,
and ``tests/test_server_compat.py`` says which one ("streamlit X.Y changed ...: see
pages/server/compat.py"):

- ``PagesManager.uses_pages_directory``: Streamlit's class-wide flag for the legacy ``pages/``
  discovery. ``pages.use_app_shell`` reads and clears it so that a deep link on a fresh server
  runs through ``app.py``'s ``st.navigation`` (``st.navigation`` clears it the same way).
- ``Runtime.instance().is_active_session(session_id)``: whether a browser session still has its
  websocket. The training pool asks it to free the place of a closed tab.
- ``DeltaGenerator(root_container=None, cursor=None)``: a container with no place on the page
  (Streamlit's own "bare script" mode): widgets called inside are registered (value, URL binding,
  callbacks) but nothing of them is sent to the browser. Hidden classroom controls run in it.

(Keras' internals, where the churn engine needs any, are the churn package's business: it runs in
the worker processes, never in this server.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager

PINNED_STREAMLIT = "1.67.0"  # the version these wrappers were checked against (requirements.txt)


def legacy_pages_mode() -> bool:
    """True until ``st.navigation`` has run once in this process (Streamlit treats ``pages/``
    beside the main script as a legacy multipage app until then); None counts as not yet decided."""
    return bool(PagesManager.uses_pages_directory)


def leave_legacy_pages_mode() -> None:
    """What ``st.navigation`` does first: from now on ``pages/*.py`` are not pages of their own."""
    PagesManager.uses_pages_directory = False


def session_liveness(session_id: str) -> Callable[[], bool] | None:
    """A thread-safe check that says whether the browser session `session_id` is still connected
    (None where no Streamlit server runs: AppTest, plain Python)."""
    if not Runtime.exists():
        return None
    return functools.partial(Runtime.instance().is_active_session, session_id)


def nowhere() -> DeltaGenerator:
    """A container whose elements go nowhere: ``with nowhere(): st.slider(...)`` registers the
    widget (its value, URL binding and callbacks work) and sends nothing to the browser."""
    return DeltaGenerator(root_container=None, cursor=None)
