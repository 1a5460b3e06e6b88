"""Fixtures shared by every test module.

Browser tests start `python -m streamlit run app.py` on a free port and drive Debian's
chromium through Playwright. Without chromium they skip with a reason, except under
CI=true where a missing browser is a failure.

Database tests take `database_url`, parametrized over a SQLite file and a fresh database in a
throwaway PostgreSQL cluster (deploy/postgres.py, one per test session). Without PostgreSQL's
server binaries the PostgreSQL half skips with a reason, except under CI=true (a failure).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from deploy.health import ServerGone, wait_for_health

REPO = Path(__file__).resolve().parent.parent
# One training worker for the tests' own AppTest pools and the servers they start (a CI runner has
# two cores; each warm worker holds ~700 MB, bench/bench_memory.py --one-worker). Tests that need
# more set it themselves.
os.environ.setdefault("PLAYGROUND_WORKERS", "1")
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _chromium_path() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium", shutil.which("chromium")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, process: subprocess.Popen, timeout: float = 90) -> None:
    try:
        wait_for_health(url, lambda: process.poll() is None, timeout)
    except ServerGone:
        raise RuntimeError(f"streamlit exited with code {process.returncode}") from None
    except TimeoutError:
        raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {timeout} s") from None


@pytest.fixture(scope="session")
def chromium_executable() -> str:
    path = _chromium_path()
    if path is None:
        message = "Debian's chromium is not installed (apt-get install -y chromium)"
        if _in_ci():
            pytest.fail(f"{message}; under CI a missing browser is a failure", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def nginx_executable() -> str:
    """Debian's nginx, for the replica tests; skip without it, except under CI=true (a failure)."""
    from deploy.run_replicas import find_nginx

    path = find_nginx()
    if path is None:
        message = "nginx is not installed (apt-get install -y nginx)"
        if _in_ci():
            pytest.fail(f"{message}; under CI a missing nginx is a failure", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster (initdb in a temporary folder, a free port), destroyed at the end."""
    from deploy.postgres import Cluster, unavailable_reason

    reason = unavailable_reason()
    if reason:
        if _in_ci():
            pytest.fail(f"{reason}; under CI a missing PostgreSQL is a failure", pytrace=False)
        pytest.skip(reason)
    cluster = Cluster()
    try:
        yield cluster.start()
    finally:
        cluster.destroy()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A SQLAlchemy URL of an empty database: a SQLite file, or a new database in the test cluster."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'board.sqlite3'}"
        return
    cluster = request.getfixturevalue("postgres_cluster")
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = cluster.create_database(name)
    yield url
    cluster.start_if_stopped()
    cluster.drop_database(name)


SERVER_PIDS: dict[str, int] = {}  # base URL -> process id of the `streamlit run` serving it


@contextlib.contextmanager
def running_app(log_dir: Path, env: dict | None = None):
    """`streamlit run app.py` on a free port; yields its base URL, stops it afterwards."""
    port = _free_port()
    log = log_dir / f"server-{port}.log"
    with open(log, "w") as log_file:
        process = subprocess.Popen(
            [
                sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.headless", "true",
                "--server.port", str(port),
                "--server.address", "127.0.0.1",
                "--server.fileWatcherType", "none",
                "--browser.gatherUsageStats", "false",
            ],
            cwd=REPO,
            env={**os.environ, **(env or {})},
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    SERVER_PIDS[url] = process.pid
    try:
        try:
            _wait_healthy(url, process)
        except RuntimeError as error:
            pytest.fail(f"{error}\n{log.read_text()[-3000:]}", pytrace=False)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory) -> str:
    """Base URL of one `streamlit run app.py` shared by the whole test session."""
    with running_app(tmp_path_factory.mktemp("streamlit")) as url:
        yield url


@pytest.fixture
def fresh_server(tmp_path) -> str:
    """Base URL of a new server process that no browser has visited yet."""
    with running_app(tmp_path) as url:
        yield url


@pytest.fixture(scope="session")
def browser(chromium_executable):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, streamlit_server):
    """A fresh browser tab (1400x900, like a laptop or projector) with `page.app_url` set."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    tab.app_url = streamlit_server
    yield tab
    context.close()


@pytest.fixture
def new_tab(browser):
    """A fresh browser tab with no server attached (pair it with `fresh_server`)."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    yield context.new_page()
    context.close()


def wait_for_app(page, timeout: float = 60_000) -> None:
    """Wait until the page script has run to the end and the page has settled.

    The status widget ("Running...") only appears once the script has started, so first
    wait for the page's title (every page starts with one), then for a quiet period with
    no script running.
    """
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
    idle = "() => !document.querySelector('[data-testid=stStatusWidget]')"
    for _ in range(2):
        page.wait_for_function(idle, timeout=timeout)
        page.wait_for_timeout(500)
    page.wait_for_function(idle, timeout=timeout)
    # Elements still being drawn show as skeletons for a moment on a loaded machine.
    page.wait_for_function("() => !document.querySelector('[data-testid=stSkeleton]')", timeout=timeout)


def assert_no_exception(page) -> None:
    boxes = page.locator("[data-testid=stException]")
    assert boxes.count() == 0, boxes.first.inner_text()


def screenshot(page, name: str) -> Path:
    """Save the whole page (Streamlit scrolls inside its main block, so grow the viewport to fit)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    viewport = page.viewport_size
    height = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('[data-testid=stMain], [data-testid=stSidebar]')]"
        ".map(element => element.scrollHeight), 0)"
    )
    if viewport and height > viewport["height"]:
        page.set_viewport_size({"width": viewport["width"], "height": min(int(height) + 40, 12_000)})
        page.wait_for_timeout(700)  # let plotly re-lay out its charts
    try:
        page.screenshot(path=str(path), full_page=True)
    finally:
        if viewport:
            page.set_viewport_size(viewport)
    return path
