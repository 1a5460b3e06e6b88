"""Wait for a Streamlit server (or nginx in front of it) to answer its health check.

One loop for every place that starts a server and must know when it serves: the replicas
script (deploy/run_replicas.py), the tests' server fixture (tests/conftest.py) and the browser
benchmarks (bench/browser_sessions.py). Standard library only.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable


class ServerGone(Exception):
    """The process ended before its health check answered."""


def wait_for_health(url: str, running: Callable[[], bool], timeout: float, interval: float = 0.25) -> None:
    """Return once `url`/_stcore/health answers "ok". Raises ServerGone as soon as `running()` is
    False, TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running():
            raise ServerGone(url)
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=3) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass
        time.sleep(interval)
    raise TimeoutError(f"{url}/_stcore/health did not answer within {timeout:.0f} s")
