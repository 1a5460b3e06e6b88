"""A link with values a page cannot use: one notice naming each setting, the address corrected.

Every page of the catalogue, with one bad value per widget kind it has (number, choice, list, bool,
select slider): the widgets are found on the page itself, so a page rewritten elsewhere is covered too.
"""

from __future__ import annotations

import pytest

from apptest_utils import open_page
from playground import catalog

HEADING = "This link asks for values the page cannot use"
# widget kind -> AppTest element types, and a value no widget of that kind accepts
KINDS = {
    "number": (("slider", "number_input"), "abc"),
    "choice": (("selectbox", "radio"), "no-such-option"),
    "list": (("multiselect",), "no-such-option"),
    "choice slider": (("select_slider",), "no-such-option"),  # its URL value is a list, like a multiselect's
    "bool": (("checkbox", "toggle"), "maybe"),
}
NOT_SETTINGS = ("ui.", "classroom.")  # the language switch and the classroom panel are not page settings
TIMEOUT = 300


def _settings(at) -> dict[str, tuple[str, object]]:
    """kind -> (key, label, value) of the page's first setting widget of that kind."""
    found = {}
    for kind, (types, _bad) in KINDS.items():
        for element_type in types:
            for widget in at.get(element_type):
                key = getattr(widget, "key", None)
                if key and not key.startswith(NOT_SETTINGS) and not getattr(widget, "disabled", False):
                    found.setdefault(kind, (key, widget.label, widget.value))
    return found


WITHOUT_SETTINGS = {catalog.HOME.url_path, "class"}  # no setting of these pages lives in the address


def _notices(at) -> list[str]:
    return [warning.value for warning in at.warning if warning.value.startswith(HEADING)]


def _shown(text: str) -> str:
    """The notice's markdown as the reader sees it (the escapes removed)."""
    return text.replace("\\", "")


@pytest.mark.parametrize("page", catalog.PAGES, ids=lambda page: page.url_path)
def test_bad_values_in_the_address_are_named_once_and_the_address_is_corrected(page):
    fresh = open_page(page.script, timeout=TIMEOUT)
    assert not fresh.exception, [e.value for e in fresh.exception]
    assert not _notices(fresh)
    settings = _settings(fresh)
    if page.url_path not in WITHOUT_SETTINGS:
        assert {"number", "choice"} <= set(settings), settings  # every topic page has both

    bad = {key: KINDS[kind][1] for kind, (key, _label, _value) in settings.items()}
    at = open_page(page.script, timeout=TIMEOUT, query_params={**bad, "lang": "en"})
    assert not at.exception, [e.value for e in at.exception]
    notices = _notices(at)
    if not settings:
        assert not notices
        return
    assert len(notices) == 1, notices
    notice = _shown(notices[0])
    for kind, (key, label, value) in settings.items():
        line = next((line for line in notice.splitlines() if f"({key}):" in line), None)
        assert line is not None, (kind, key, notice)
        assert line.startswith(f"- {label} ({key})") and f"“{KINDS[kind][1]}”" in line, line
        # The page uses the value it has without the link, and the address no longer asks for the bad one.
        widget = next(w for t in KINDS[kind][0] for w in at.get(t) if getattr(w, "key", None) == key)
        assert widget.value == value, (key, widget.value, value)
        assert at.query_params.get(key) in (None, [], "") or KINDS[kind][1] not in str(at.query_params[key])
    assert at.query_params.get("lang") in ("en", ["en"])  # the rest of the address stays

    at.run()  # told once: not again on the next run
    assert not _notices(at)


def test_out_of_range_a_partly_known_list_and_values_that_are_fine():
    at = open_page("pages/optimizers.py", timeout=TIMEOUT, query_params={
        "opt.x0": "99", "opt.surface": "Round bowl", "opt.steps": "200", "opt.r1.lr": "0.5", "opt.noise": "0.50"})
    assert not at.exception
    notice = _shown(_notices(at)[0])
    # Streamlit refuses a number out of the slider's range: the page starts from the surface's default.
    assert "- Start x (opt.x0): the link says “99”, the page uses -2.5." in notice, notice
    assert at.slider(key="opt.x0").value == -2.5 and "opt.x0" not in at.query_params
    # The English name of a choice, a default written out, 0.50 for 0.5: all used, none named.
    for key in ("opt.surface", "opt.steps", "opt.r1.lr", "opt.noise"):
        assert f"({key})" not in notice
    assert at.selectbox(key="opt.surface").value == "bowl" and at.select_slider(key="opt.r1.lr").value == 0.5

    at = open_page("pages/activations.py", timeout=TIMEOUT, query_params={"act.fns": ["relu", "bogus"]})
    notice = _shown(_notices(at)[0])
    assert "(act.fns): the link says “relu, bogus”, the page uses relu." in notice, notice
    assert at.multiselect(key="act.fns").value == ["relu"] and at.query_params["act.fns"] in ("relu", ["relu"])


def test_in_chinese_a_hidden_setting_a_tab_and_hostile_text():
    at = open_page("pages/neuron_backprop.py", timeout=TIMEOUT, query_params={
        "lang": "zh", "nb.tab": "nowhere", "hide": "nb.n.b", "nb.n.b": "[x](javascript:alert(1))"})
    assert not at.exception
    assert not _notices(at)  # the notice is in Chinese
    notices = [w.value for w in at.warning if "nb\\.tab" in w.value]
    assert len(notices) == 1, [w.value for w in at.warning]
    shown = _shown(notices[0])
    assert shown.startswith("这个链接") and "(nb.tab)" in shown, shown
    # A hidden control shows no label: it is named by its key. The link's text is escaped: no link,
    # emphasis or HTML can come from it.
    assert "- nb.n.b：" in shown or "- nb.n.b:" in shown, shown
    assert "\\[x\\]\\(javascript\\:alert\\(1\\)\\)" in notices[0]
    assert "nb.tab" not in at.query_params and "nb.n.b" not in at.query_params


def test_unknown_hidden_controls_leave_the_address_the_known_ones_stay():
    at = open_page("pages/activations.py", timeout=TIMEOUT, query_params={"hide": "act.x0,no.such.control"})
    assert any("no.such.control" in warning.value for warning in at.sidebar.warning)
    assert at.query_params["hide"] in ("act.x0", ["act.x0"])
    at.run()
    assert not any("no.such.control" in warning.value for warning in at.sidebar.warning)
    at = open_page("pages/activations.py", timeout=TIMEOUT, query_params={"hide": "no.such.control"})
    assert "hide" not in at.query_params


def _page_that_stops():
    import streamlit as st

    from pages.shell.url_check import checked

    with checked():
        st.title("A page that stops")
        st.slider("Steps", 1, 10, 5, key="t.steps", bind="query-params")
        st.stop()


def test_a_page_that_stops_early_shows_the_notice_on_its_next_run():
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_page_that_stops, default_timeout=30)
    at.query_params["t.steps"] = "abc"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert "t.steps" not in at.query_params  # corrected at once
    assert not _notices(at)  # after st.stop() no element can be added in that run
    at.run()
    assert "Steps (t.steps): the link says “abc”, the page uses 5." in _shown(_notices(at)[0])
    at.run()
    assert not _notices(at)
