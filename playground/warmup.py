"""Import Keras (and TensorFlow) once, in a background thread.

``import keras`` costs 4-9 s and ~650 MB. The app starts this warm-up after the
first page has rendered, so no page script ever waits for it; the Churn ANN page
shows :func:`status` while it runs and only blocks on :func:`wait` when the user
asks to train.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

_lock = threading.Lock()
_done = threading.Event()


@dataclass
class WarmupStatus:
    state: str = "idle"  # idle | loading | ready | failed
    seconds: float | None = None
    error: str | None = None


_status = WarmupStatus()


def _load() -> None:
    started = time.perf_counter()
    try:
        import keras  # noqa: F401  (the import itself is the work)

        _status.state = "ready"
    except Exception as exc:  # pragma: no cover - depends on the install
        _status.state = "failed"
        _status.error = f"{type(exc).__name__}: {exc}"
    finally:
        _status.seconds = time.perf_counter() - started
        _done.set()


def enabled() -> bool:
    """False when PLAYGROUND_WARMUP=0 (a tiny host, or a test that must not load Keras)."""
    return os.environ.get("PLAYGROUND_WARMUP", "1") != "0"


def start(force: bool = False) -> None:
    """Start the background import once per process; later calls do nothing.

    Does nothing when warm-up is disabled, unless `force` (a page that is about to train).
    """
    if not (force or enabled()):
        return
    with _lock:
        if _status.state != "idle":
            return
        _status.state = "loading"
    threading.Thread(target=_load, name="keras-warmup", daemon=True).start()


def status() -> WarmupStatus:
    """The warm-up's state now (a copy)."""
    return WarmupStatus(_status.state, _status.seconds, _status.error)


def wait(timeout: float | None = None) -> WarmupStatus:
    """Start the import if needed and wait for it; returns the final status."""
    start(force=True)
    _done.wait(timeout)
    return status()
