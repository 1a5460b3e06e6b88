"""pages/server/housekeeping.py: the server's periodic full garbage collection (postScriptGC is off)."""

import threading
import time
import tomllib
from pathlib import Path

import streamlit as st

from pages.server import housekeeping

REPO = Path(__file__).resolve().parent.parent


def test_streamlits_collection_after_every_run_is_off():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def collectors() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "playground-gc"]


def test_the_collector_runs_a_full_collection_periodically(monkeypatch):
    calls = []
    monkeypatch.setattr(housekeeping, "COLLECT_SECONDS", 0.05)
    monkeypatch.setattr(housekeeping.gc, "collect", lambda *args: calls.append(args) or 0)
    monkeypatch.setattr(housekeeping, "_collector", None)  # as in a fresh process (an earlier test may have started one)
    thread = housekeeping.start_collector()
    assert thread.daemon and thread.is_alive() and thread.name == "playground-gc"
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(calls) >= 3, "a full collection every COLLECT_SECONDS"


def test_one_collector_per_process_whatever_the_cache_does():
    first = housekeeping.start_collector()
    before = set(collectors())  # (an earlier test of this process may have left one of its own)
    for _ in range(3):
        st.cache_resource.clear()  # what "Clear cache" in the app's menu does
        st.cache_data.clear()
        assert housekeeping.start_collector() is first
    assert set(collectors()) == before, "no second collector thread"
