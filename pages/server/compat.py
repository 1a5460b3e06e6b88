"""Every private internal of Streamlit the app relies on, in one place.

Streamlit is pinned (requirements.txt: ``streamlit==1.67.0``). The app needs four things its
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
- What a link's values became (``pages/shell/url_check.py``): this run's ``ScriptRunContext``
  (its query string, page, raw ``SessionState`` and the messages it sends, tapped for widget
  labels), a bound widget's URL binding and metadata (``QueryParams.get_binding_for_param``,
  ``SessionState._old_state`` / ``_new_widget_state.widget_metadata``), Streamlit's own parsing
  and writing of URL values (``parse_url_param``, ``_coerce_value_for_query_url``), the
  address's correction (``QueryParams.remove_param`` / ``set_corrected_value``) and
  ``ScriptControlException`` (what ``st.stop()`` raises).

(Keras' internals, where the churn engine needs any, are the churn package's business: it runs in
the worker processes, never in this server.)
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime import Runtime
from streamlit.runtime.pages_manager import PagesManager
from streamlit.runtime.scriptrunner_utils.exceptions import ScriptControlException  # noqa: F401 (re-exported)
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx
from streamlit.runtime.state.query_params import _coerce_value_for_query_url, parse_url_param

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


# -- what a link's values became (pages/shell/url_check.py) ------------------------------------------

def this_run():
    """This script run's ``ScriptRunContext``; None outside a run (plain Python)."""
    return get_script_run_ctx()


def run_query_string(run) -> str:
    """The query string the browser sent for this run."""
    return run.query_string or ""


def run_page(run) -> str:
    """An id of the page this run shows."""
    return run.page_script_hash


def raw_session_state(run):
    """This session's ``SessionState`` itself: unlike ``st.session_state`` it can still be read and
    written after ``st.stop()`` (which makes every ``st.*`` call raise again)."""
    return run.session_state._state


@dataclass(frozen=True)
class BoundWidget:
    """A widget bound to a URL parameter whose value this run took from the address."""

    widget_id: str
    kind: str  # Streamlit's value type ("int_value", "string_array_value", ...)
    serialized: object  # the value it holds, serialized
    url_form: object  # that value as the address writes it (a string, or a list of them)
    is_default: bool  # the value it holds is its default (which the address leaves out)


def widget_from_address(session, key: str) -> BoundWidget | None:
    """The widget bound to URL parameter `key`, if it was registered for the first time in this run of
    its page (so its value came from the address, not from a click or a preset); else None."""
    binding = session.query_params.get_binding_for_param(key)
    if binding is None or binding.widget_id in session._old_state:
        return None
    metadata = session._new_widget_state.widget_metadata.get(binding.widget_id)
    if metadata is None or binding.widget_id not in session:
        return None
    in_use = session[binding.widget_id]
    serialized = metadata.serializer(in_use)
    return BoundWidget(binding.widget_id, metadata.value_type, serialized,
                       _coerce_value_for_query_url(serialized, metadata.value_type),
                       in_use == metadata.deserializer(None))


def correct_address(session, key: str, widget: BoundWidget) -> None:
    """Make the address say what `widget` holds (a default is left out of the address)."""
    params = session.query_params
    if widget.is_default:
        params.remove_param(key)
    elif not params.stored_param_matches_corrected_value(key, widget.serialized, widget.kind):
        params.set_corrected_value(key, widget.serialized, widget.kind)


def parse_address_value(value, kind: str):
    """A URL value parsed as Streamlit parses it for a widget of `kind` (raises ValueError/TypeError)."""
    return parse_url_param(value, kind)


def widget_labels(run) -> dict[str, str]:
    """A dict that fills, during this run, with {widget id: label} of every widget element the run
    sends to the browser (a widget's label is only in its element; hidden widgets send none)."""
    labels: dict[str, str] = {}
    run._playground_widget_labels = labels
    if getattr(run, "_playground_tapped", False):
        return labels  # the context is the session's; its tap reads the newest dict
    send = run.enqueue

    def enqueue(msg):
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            proto = getattr(element, element.WhichOneof("type") or "", None)
            widget_id, label = getattr(proto, "id", ""), getattr(proto, "label", "")
            if widget_id and label:
                run._playground_widget_labels[widget_id] = label
        send(msg)

    run.enqueue = enqueue
    run._playground_tapped = True
    return labels
