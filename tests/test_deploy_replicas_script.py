"""scripts/replicas.sh: start serves the app through nginx; stop (and a failed start) leave nothing.

Every process the script starts inherits a marker environment variable (nginx, which overwrites
its environment, is found by its prefix folder), so the test finds them all in /proc (runner,
replicas, nginx master and worker) and checks that none is left.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from deploy.run_replicas import REPO, free_port

MARKER = "PLAYGROUND_REPLICAS_TEST_RUN"


@pytest.fixture
def script_env(nginx_executable):
    # Not under pytest's tmp_path: that is private to its owner, and as root nginx's workers
    # run as `nobody`.
    state = Path(tempfile.mkdtemp(prefix="playground-replicas-test-"))
    marker = uuid.uuid4().hex
    env = {**os.environ, "PLAYGROUND_REPLICAS_DIR": str(state), "PLAYGROUND_WARMUP": "0", MARKER: marker}
    try:
        yield env
    finally:
        subprocess.run(["bash", "scripts/replicas.sh", "stop"], cwd=REPO, env=env, capture_output=True, timeout=60)
        for pid in processes_started(env):  # only if the test failed half-way
            os.kill(pid, 9)
        shutil.rmtree(state, ignore_errors=True)


def processes_started(env: dict) -> list[int]:
    """Processes carrying the marker, plus nginx (which overwrites its environment with its process
    title, so it is found by its -p prefix, in the state folder, in its command line) and children."""
    marker, state = env[MARKER], env["PLAYGROUND_REPLICAS_DIR"].encode()
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                environment = (entry / "environ").read_bytes().split(b"\0")
                command_line = (entry / "cmdline").read_bytes()
                parent = int(next(line for line in (entry / "status").read_text().splitlines()
                                  if line.startswith("PPid:")).split()[1])
            except (OSError, StopIteration):  # gone meanwhile, or not ours
                continue
            table[int(entry.name)] = (environment, command_line, parent)
    found = {pid for pid, (environment, command_line, _) in table.items()
             if f"{MARKER}={marker}".encode() in environment or state in command_line}
    while True:
        children = {pid for pid, (*_, parent) in table.items() if parent in found} - found
        if not children:
            return sorted(found)
        found |= children


def wait_until_none(env: dict, timeout: float = 20) -> list[int]:
    deadline = time.monotonic() + timeout
    while (left := processes_started(env)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return left


def replicas_sh(env, *arguments, timeout=240) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "scripts/replicas.sh", *arguments], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_start_serves_through_nginx_and_stop_kills_everything(script_env):
    port = free_port()
    started = replicas_sh(script_env, "start", "--replicas", "2", "--port", str(port))
    assert started.returncode == 0, started.stdout + started.stderr
    assert f"http://127.0.0.1:{port}" in started.stdout
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=10) as response:
        assert response.read() == b"ok"
        assert response.headers["X-Upstream"].startswith("127.0.0.1:")
        assert "playground_replica=" in response.headers["Set-Cookie"] or any(
            "playground_replica=" in value for value in response.headers.get_all("Set-Cookie"))
    started_pids = processes_started(script_env)
    names = {Path(f"/proc/{pid}/exe").resolve().name for pid in started_pids}
    assert "nginx" in names and len(started_pids) >= 5, names  # runner, 2 replicas, nginx x2
    assert replicas_sh(script_env, "status").returncode == 0
    assert replicas_sh(script_env, "start").returncode == 1, "a second start must refuse"

    stopped = replicas_sh(script_env, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert wait_until_none(script_env) == []
    assert replicas_sh(script_env, "status").returncode == 3


def test_a_failed_start_says_why_and_leaves_nothing_behind(script_env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        started = replicas_sh(script_env, "start", "--port", str(port))
    assert started.returncode == 1
    assert "Address already in use" in started.stderr, started.stderr
    assert wait_until_none(script_env) == []
