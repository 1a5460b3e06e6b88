"""Helpers shared by the tests: AppTest set-up, figure decoding, fresh-process probes."""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

REPO = Path(__file__).resolve().parent.parent
APP = str(REPO / "app.py")


def app_test(timeout: float = 60) -> AppTest:
    """A fresh AppTest of app.py (not yet run)."""
    return AppTest.from_file(APP, default_timeout=timeout)


def open_page(script: str, timeout: float = 60, query_params: dict | None = None) -> AppTest:
    """Run app.py, switch to `script` (e.g. "pages/activations.py") and return the AppTest."""
    at = app_test(timeout)
    for key, value in (query_params or {}).items():
        at.query_params[key] = value
    at.run()
    if script != "pages/home.py":
        at.switch_page(script).run()
    return at


def run_until_trained(at: AppTest, timeout: float = 300, key: str = "churn._training") -> AppTest:
    """Rerun the Churn ANN page until its training (in a worker process) has ended and is kept.

    `key` is the session-state key of the job followed: "churn.exp._job" for the Experiment section's.

    The page polls the job from an `st.fragment(run_every=...)`, which AppTest does not tick;
    a full rerun reads the same job, so rerunning until the page has taken the result in is
    what the browser sees, one poll at a time.
    """
    deadline = time.monotonic() + timeout
    while key in at.session_state:  # set by Train (Run experiment), removed once the result is kept
        if time.monotonic() > deadline:
            raise AssertionError(f"the job {key} did not end within {timeout} s")
        time.sleep(0.25)
        at.run()
    return at


def decode(value):
    """Plotly 7 stores number arrays as {"dtype", "bdata"}; turn them (recursively) into numpy."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            if "shape" in value:
                shape = [int(n) for n in str(value["shape"]).split(",")]
                array = array.reshape(shape)
            return array
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def chart_specs(at: AppTest) -> list[dict]:
    """Every plotly chart on the page as a decoded figure dict (data, layout, frames)."""
    return [decode(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def run_in_fresh_process(code: str, env: dict | None = None, timeout: float = 180) -> dict:
    """Run `code` in a new interpreter at the repo root; it must print one JSON line last."""
    full_env = {**os.environ, **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def modules_after_page_run(script: str) -> dict:
    """Run one page through AppTest in a fresh process, without the Keras warm-up.

    Returns {"heavy": [...tensorflow/keras modules loaded...], "seconds": run time of the page,
    "exceptions": [...], "sqlalchemy": whether the class board's database library was imported};
    pages that do not train must leave "heavy" empty.
    """
    code = f"""
        import json, sys, time
        sys.path.insert(0, {str(REPO / "tests")!r})
        from apptest_utils import open_page
        started = time.perf_counter()
        at = open_page({script!r})
        seconds = time.perf_counter() - started
        heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "keras"))
        print(json.dumps({{"heavy": heavy, "seconds": seconds, "sqlalchemy": "sqlalchemy" in sys.modules,
                          "exceptions": [e.value for e in at.exception]}}))
    """
    return run_in_fresh_process(code, env={"PLAYGROUND_WARMUP": "0"})
