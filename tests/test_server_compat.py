"""pages/server/compat.py: each private Streamlit internal the app relies on still behaves as it did.

When one of these fails after an upgrade, the message names the internal; the fix belongs in
pages/server/compat.py (and nowhere else), with the new version pinned in requirements.txt.
"""

import inspect
import re
from pathlib import Path

import streamlit
from streamlit.testing.v1 import AppTest

from pages.server import compat

REPO = Path(__file__).resolve().parent.parent


def changed(what: str) -> str:
    return f"streamlit {streamlit.__version__} changed {what}: see pages/server/compat.py"


def test_the_pinned_streamlit_is_the_one_checked_here():
    pinned = re.search(r"^streamlit==(\S+)", (REPO / "requirements.txt").read_text(), re.MULTILINE)
    assert pinned and pinned.group(1) == compat.PINNED_STREAMLIT, (
        "requirements.txt pins another streamlit than pages/server/compat.py was checked against: run "
        "tests/test_server_compat.py and the page tests with it, then update PINNED_STREAMLIT")
    assert streamlit.__version__ == compat.PINNED_STREAMLIT, changed("its version (installed is not the pinned one)")


def test_the_legacy_pages_flag_is_set_by_a_pages_folder_and_cleared_by_navigation(tmp_path):
    from streamlit.runtime.pages_manager import PagesManager

    assert "uses_pages_directory" in vars(PagesManager), changed("PagesManager.uses_pages_directory (gone)")
    saved = PagesManager.uses_pages_directory
    try:
        (tmp_path / "pages").mkdir()
        (tmp_path / "main.py").write_text("")
        PagesManager.uses_pages_directory = None
        PagesManager(str(tmp_path / "main.py"))
        assert compat.legacy_pages_mode(), changed(
            "PagesManager.uses_pages_directory (a pages/ folder no longer sets it)")
        compat.leave_legacy_pages_mode()
        assert not compat.legacy_pages_mode()
        # st.navigation must clear the same flag, or a deep link would run a page outside app.py.
        source = inspect.getsource(streamlit.commands.navigation.navigation)
        assert "PagesManager.uses_pages_directory = False" in source, changed(
            "how st.navigation leaves the legacy pages mode")
    finally:
        PagesManager.uses_pages_directory = saved


def test_the_session_liveness_check_asks_the_runtime_by_session_id():
    from streamlit.runtime import Runtime
    from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

    assert callable(getattr(Runtime, "exists", None)) and callable(getattr(Runtime, "instance", None)), changed(
        "Runtime.exists / Runtime.instance")
    parameters = list(inspect.signature(Runtime.is_active_session).parameters)
    assert parameters == ["self", "session_id"], changed("Runtime.is_active_session(session_id)")
    assert "Threading: SAFE" in (Runtime.is_active_session.__doc__ or ""), changed(
        "Runtime.is_active_session (no longer documented as safe on any thread; the pool calls it "
        "from its own thread)")
    manager = WebsocketSessionManager.__new__(WebsocketSessionManager)
    manager._active_session_info_by_id = {"abc": object()}
    assert manager.is_active_session("abc") and not manager.is_active_session("gone"), changed(
        "WebsocketSessionManager.is_active_session")
    if not Runtime.exists():
        assert compat.session_liveness("abc") is None, "no server: no liveness check"


def nowhere_page():
    import streamlit as st

    from pages.server import compat

    st.slider("Shown", 0, 10, 3, key="shown")
    with compat.nowhere():
        st.slider("Hidden", 0, 10, 7, key="hidden", on_change=lambda: None)
        column, _ = st.columns(2)
        column.number_input("Hidden too", value=2.5, key="hidden_too")
        st.markdown("not on the page")
    st.write("hidden value", st.session_state["hidden"], st.session_state["hidden_too"])


def test_widgets_in_the_nowhere_container_are_registered_but_not_sent():
    at = AppTest.from_function(nowhere_page).run()
    assert not at.exception, [e.value for e in at.exception]
    assert [slider.label for slider in at.slider] == ["Shown"], changed(
        "DeltaGenerator(root_container=None, cursor=None) (its elements reach the page)")
    assert not at.number_input and not [m for m in at.markdown if "not on the page" in m.value], changed(
        "DeltaGenerator(root_container=None, cursor=None) (containers made in it reach the page)")
    assert at.session_state["hidden"] == 7 and at.session_state["hidden_too"] == 2.5, changed(
        "DeltaGenerator(root_container=None, cursor=None) (its widgets are no longer registered)")


def address_page():
    import streamlit as st

    from pages.server import compat

    run = compat.this_run()
    query = compat.run_query_string(run)  # read first: Streamlit rewrites it as it corrects the address
    labels = compat.widget_labels(run)
    st.number_input("Steps", 0, 10, 3, key="steps", bind="query-params")
    session = compat.raw_session_state(run)
    widget = compat.widget_from_address(session, "steps")
    st.session_state["seen"] = {
        "query": query, "page": compat.run_page(run), "labels": dict(labels),
        "widget": None if widget is None else (widget.kind, widget.url_form, widget.is_default),
        "parsed": compat.parse_address_value("7", widget.kind) if widget else None,
        "unknown": compat.widget_from_address(session, "nothing"),
    }
    if widget is not None:
        compat.correct_address(session, "steps", widget)


def test_what_a_link_asked_for_and_what_the_widget_holds_can_be_read():
    """pages/shell/url_check.py: the run's query string, its page, the widgets' labels as sent, the widget a
    URL parameter is bound to (with its value as the address writes it), URL values parsed as Streamlit
    parses them, and the address corrected."""
    at = AppTest.from_function(address_page)
    at.query_params["steps"] = "99"  # out of range: Streamlit keeps the default, 3
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    seen = at.session_state["seen"]
    assert "steps=99" in seen["query"], changed("ScriptRunContext.query_string (the browser's query string)")
    assert isinstance(seen["page"], str) and seen["page"], changed("ScriptRunContext.page_script_hash")
    assert "Steps" in seen["labels"].values(), changed("the messages a run sends (ScriptRunContext.enqueue, "
                                                       "a widget element's id and label)")
    assert seen["widget"] is not None, changed("QueryParams.get_binding_for_param / SessionState._old_state / "
                                               "_new_widget_state.widget_metadata")
    kind, url_form, is_default = seen["widget"]
    assert url_form == "3" and is_default, changed("a bound widget's serializer or _coerce_value_for_query_url")
    assert seen["parsed"] == 7, changed("query_params.parse_url_param")
    assert seen["unknown"] is None
    assert "steps" not in at.query_params, changed("QueryParams.remove_param (the default left out of the address)")
