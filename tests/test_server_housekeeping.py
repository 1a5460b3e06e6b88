"""pages/server/housekeeping.py: the server's periodic full garbage collection (postScriptGC is off)."""

import time
import tomllib
from pathlib import Path

from pages.server import housekeeping

REPO = Path(__file__).resolve().parent.parent


def test_streamlits_collection_after_every_run_is_off():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    assert config["runner"]["postScriptGC"] is False


def test_the_collector_runs_a_full_collection_periodically(monkeypatch):
    calls = []
    monkeypatch.setattr(housekeeping, "COLLECT_SECONDS", 0.05)
    monkeypatch.setattr(housekeeping.gc, "collect", lambda *args: calls.append(args) or 0)
    housekeeping.start_collector.clear()
    thread = housekeeping.start_collector()
    assert thread.daemon and thread.is_alive() and thread.name == "playground-gc"
    deadline = time.monotonic() + 5
    while len(calls) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(calls) >= 3, "a full collection every COLLECT_SECONDS"
    assert housekeeping.start_collector() is thread, "one collector per server process"
