"""What the classroom and memory benchmarks share: one `streamlit run app.py`, headless Chromium tabs, RSS.

Start with :func:`serve` (the server on a random port 18000-28000, stopped by its pid at the end),
then :func:`open_churn_tabs` and :func:`train_all_at` (every tab clicks Train at the same instant,
scheduled inside the pages), :func:`training_times` (what each tab's recorder saw) and
:class:`MemorySampler` (summed resident memory of the server plus its workers, and of chromium).
Like Streamlit's own load tests, the sessions are real browser tabs (one chromium, one context
per session): an HTTP GET runs no script.
"""

from __future__ import annotations

import contextlib
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from deploy.health import ServerGone, wait_for_health  # noqa: E402
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                 # background tabs must keep polling like foreground ones (a class has one tab each)
                 "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                 "--disable-backgrounding-occluded-windows"]

# Injected into every Churn page: notes (Date.now) when the progress bar first shows an epoch
# (the training left the queue) and when the run's result line appears, and reads from that line
# the server's own figures: the training's seconds and its wait in the queue ("waited 12.3 s in
# line", absent when it started at once).
# A Decision boundary tab is ready: its live view has drawn the map and Play can be pressed.
BOUNDARY_READY = ("() => document.querySelector('[data-testid=boundary-map][data-frame]')"
                  " && !document.querySelector('[data-testid=stMain] .bd-play').disabled")
RECORDER = """() => {
    window.__bench = {clicked: null, started: null, finished: null, status: null, seconds: null, waited: null};
    setInterval(() => {
        const text = document.querySelector('[data-testid=stProgress]')?.textContent || '';
        if (window.__bench.started === null && /Epoch \\d+\\//.test(text)) window.__bench.started = Date.now();
        const run = text.match(/Run 1: (\\w[\\w-]*), \\d+\\/\\d+ epochs in ([\\d.]+) s(?: · waited ([\\d.]+) s in line)?/);
        if (window.__bench.finished === null && run) {
            window.__bench.finished = Date.now();
            window.__bench.status = run[1];
            window.__bench.seconds = parseFloat(run[2]);
            window.__bench.waited = run[3] ? parseFloat(run[3]) : 0;
            if (window.__bench.started === null) window.__bench.started = window.__bench.finished;
        }
    }, 200);  // 5 times a second: 30 tabs polling at 20 Hz woke 600 times a second, load the benchmark added
}"""


def process_tree_rss_mb(root: int) -> float:
    """Summed resident memory of `root` and all its descendants (Linux /proc)."""
    total = 0.0
    for pid in [root, *descendants(root)]:
        with contextlib.suppress(OSError, IndexError, ValueError):
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    return total


def cpu_seconds(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far (Linux /proc; 0 once it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def workers_cpu_seconds(server_pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's training workers (Linux /proc)."""
    return sum(cpu_seconds(pid) for pid in children_of(server_pid) if "_worker_main" in _command(pid))


def cpu_by_part(server_pid: int, browser_pids: dict[str, set[int]]) -> dict[str, float]:
    """CPU seconds used so far by the server process itself, its training workers, and each named
    browser (its processes as sampled: pass every pid seen, since renderers come and go)."""
    parts = {"server": cpu_seconds(server_pid), "workers": workers_cpu_seconds(server_pid)}
    for name, pids in browser_pids.items():
        parts[name] = sum(cpu_seconds(pid) for pid in pids)
    return parts


def chromium_rss_mb() -> float:
    """Summed resident memory of every chromium process of this benchmark (children of its Playwright driver)."""
    return sum(process_tree_rss_mb(pid) for pid in children_of(os.getpid())
               if "streamlit" not in _command(pid))


def descendants(root: int) -> list[int]:
    found, todo = [], children_of(root)
    while todo:
        pid = todo.pop()
        found.append(pid)
        with contextlib.suppress(OSError, FileNotFoundError):
            todo += children_of(pid)
    return found


def children_of(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            found += [int(child) for child in (task / "children").read_text().split()]
    return found


def _command(pid: int) -> str:
    with contextlib.suppress(OSError):
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    return ""


class MemorySampler:
    """Samples the server tree's and chromium's RSS every `interval` seconds; keeps the peaks."""

    def __init__(self, server_pid: int, interval: float = 0.5):
        self.server_pid, self.interval = server_pid, interval
        self.peak_server = self.peak_chromium = 0.0
        self.workers_last_busy: float | None = None  # time.time() of the last sample with a worker busy
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        last_cpu = None
        while not self._stop.is_set():
            self.peak_server = max(self.peak_server, process_tree_rss_mb(self.server_pid))
            self.peak_chromium = max(self.peak_chromium, chromium_rss_mb())
            # the training workers' CPU seconds: when they stop growing, every training has ended
            cpu = workers_cpu_seconds(self.server_pid)
            if last_cpu is not None and cpu - last_cpu > 0.02:  # an idle worker uses ~0
                self.workers_last_busy = time.time()
            last_cpu = cpu
            self._stop.wait(self.interval)


@contextlib.contextmanager
def serve(workers: int | None = None, session_ttl: float | None = None, log_path: Path | None = None,
          env: dict | None = None):
    """`streamlit run app.py` on a random free port 18000-28000, with `env` added to its environment;
    yields (url, pid)."""
    port = random.randint(18000, 28000)
    environment = {**os.environ, **(env or {})}
    if workers:
        environment["PLAYGROUND_WORKERS"] = str(workers)
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    if session_ttl is not None:
        command += ["--server.disconnectedSessionTTL", str(int(session_ttl))]
    log = open(log_path or os.devnull, "w")
    process = subprocess.Popen(command, cwd=REPO, env=environment, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for_health(url, lambda: process.poll() is None, timeout=120)
        except (ServerGone, TimeoutError):
            raise RuntimeError(f"streamlit did not start on port {port}") from None
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def chromium(nice: int = 0):
    """One headless chromium (see :func:`browsers`)."""
    with browsers(nice) as (browser,):
        yield browser


@contextlib.contextmanager
def browsers(*nices: int):
    """One headless chromium per nice level given. A level > 0 runs that browser at a lower CPU
    priority: in a class the 30 browsers run on 30 other machines, so on a benchmark's one machine
    they should not take the server's CPU (the server and its workers keep priority 0; the tabs
    still render everything). Chromium sets its own processes' priorities (even above 0), so a
    thread sets them back every second."""
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    stop = threading.Event()
    with sync_playwright() as playwright:
        launched = []
        try:
            for nice in nices:
                before = set(descendants(os.getpid()))
                launched.append(playwright.chromium.launch(executable_path=executable, headless=True,
                                                           args=CHROMIUM_ARGS))
                if nice:
                    ours = set(descendants(os.getpid())) - before  # this browser's processes so far
                    threading.Thread(target=_keep_niced, args=(nice, ours, stop), daemon=True).start()
            yield launched
        finally:
            stop.set()
            for browser in launched:
                browser.close()


def _keep_niced(nice: int, roots: set[int], stop: threading.Event) -> None:
    """Keep `roots` (one browser's processes) and every process they start at nice level `nice`.

    Playwright starts each chromium in a session of its own, and Linux (with autogroups, as here)
    shares the CPU fairly between sessions whatever the nice level of their processes: so the
    session's autogroup gets the nice level too (/proc/<pid>/autogroup).
    """
    for pid in roots:
        with contextlib.suppress(OSError):
            if os.getsid(pid) == pid and Path(f"/proc/{pid}/autogroup").exists():
                Path(f"/proc/{pid}/autogroup").write_text(str(nice))
    while not stop.is_set():
        family = set(roots)
        for pid in roots:
            with contextlib.suppress(OSError, FileNotFoundError):
                family.update(descendants(pid))
        for pid in family:
            if "chromium" not in _command(pid):
                continue
            for task in Path(f"/proc/{pid}/task").glob("*"):  # each thread has its own priority
                with contextlib.suppress(OSError, ValueError):
                    if os.getpriority(os.PRIO_PROCESS, int(task.name)) != nice:
                        os.setpriority(os.PRIO_PROCESS, int(task.name), nice)
        stop.wait(1.0)


def new_tab(browser):
    return browser.new_context(viewport={"width": 1280, "height": 800}).new_page()


def wait_settled(page, timeout: float = 120_000) -> None:
    page.wait_for_selector("[data-testid=stMain] h1", timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout)


def open_churn_tabs(pages, url: str, epochs: int) -> None:
    """The Churn page with the tutorial recipe (the page's defaults, no validation share) at `epochs`.

    Every tab starts loading at once (the browser loads them in parallel); then each is waited for.
    """
    for page in pages:
        page.goto(f"{url}/churn_ann?churn.epochs={epochs}&churn.val=0.0", wait_until="commit")
    for page in pages:
        page.get_by_role("button", name="Train", exact=True).wait_for(timeout=300_000)
        wait_settled(page, timeout=300_000)
        page.evaluate(RECORDER)


def wait_for_workers(page, workers: int, timeout: float = 180_000) -> None:
    """Wait until the page says every training worker has loaded TensorFlow."""
    page.wait_for_function(f"() => document.body.innerText.includes('Training workers ready: {workers} of {workers}')",
                           timeout=timeout)


def train_all_at(pages, at_ms: float) -> None:
    """Each page clicks its Train button at the same instant (Date.now() == at_ms), scheduled in the page."""
    for page in pages:
        page.evaluate("""(at) => setTimeout(() => {
            if (window.__bench) window.__bench.clicked = Date.now();
            [...document.querySelectorAll('button')].find(b => b.innerText.trim() === 'Train').click();
        }, Math.max(0, at - Date.now()))""", at_ms)


def training_times(page) -> dict:
    return page.evaluate("() => window.__bench")


def count_exceptions(page) -> int:
    return page.locator("[data-testid=stException]").count()


def percentile(values, share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))] if ordered else float("nan")


def machine_state() -> str:
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1/5/15 min)"
