"""pages/server/housekeeping.py: the server's periodic full garbage collection (postScriptGC is off)."""

import threading
import time
import tomllib
from pathlib import Path

import streamlit as st

from apptest_utils import run_in_fresh_process
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
    monkeypatch.setattr(housekeeping.gc, "freeze", lambda: None)  # (not this test process's objects)
    monkeypatch.setattr(housekeeping, "_collector", None)  # as in a fresh process (an earlier test may have started one)
    thread = housekeeping.start_collector()
    assert thread.daemon and thread.is_alive() and thread.name == "playground-gc"
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(calls) >= 3, "a full collection every COLLECT_SECONDS"


def test_the_first_collection_freezes_what_lives_on_and_later_ones_still_free_new_cycles():
    result = run_in_fresh_process(
        """
        import gc, json, sys, time, weakref
        sys.path.insert(0, ".")
        from pages.server import housekeeping
        import streamlit, numpy  # what a server has imported by its first page run
        gc.disable()  # only the collector collects here
        housekeeping.COLLECT_SECONDS = 0.05
        housekeeping.start_collector()
        deadline = time.monotonic() + 10
        while gc.get_freeze_count() == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        frozen = gc.get_freeze_count()

        class Node:
            pass

        node = Node()
        node.itself = node  # a cycle: reference counting alone never frees it
        alive = weakref.ref(node)
        del node
        while alive() is not None and time.monotonic() < deadline:
            time.sleep(0.01)
        started = time.perf_counter()
        gc.collect()
        print(json.dumps({"frozen": frozen, "freed": alive() is None, "left": len(gc.get_objects()),
                          "collect_ms": 1000 * (time.perf_counter() - started)}))
        """
    )
    assert result["frozen"] > 20_000, "the imports' objects are frozen at the first collection"
    assert result["freed"], "a cycle made after the freeze is still collected"
    assert result["left"] < result["frozen"] / 10, "a full collection no longer walks the frozen objects"


def test_one_collector_per_process_whatever_the_cache_does():
    first = housekeeping.start_collector()
    before = set(collectors())  # (an earlier test of this process may have left one of its own)
    for _ in range(3):
        st.cache_resource.clear()  # what "Clear cache" in the app's menu does
        st.cache_data.clear()
        assert housekeeping.start_collector() is first
    assert set(collectors()) == before, "no second collector thread"
