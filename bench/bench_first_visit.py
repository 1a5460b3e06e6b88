"""First visit of every page on a fresh server, in Chromium, while the training workers warm up.

Usage: .venv/bin/python bench/bench_first_visit.py [--rounds 3] [--workers 2]

Each round starts a new `streamlit run app.py` with PLAYGROUND_WARMUP=1 (the workers import
TensorFlow and compile the recipe at start, as in the image), and as soon as it answers its
health check, opens every page of the catalogue by its own address, one after the other, each in
a new tab (a new session: its first visit). A visit's time runs from `goto` until the page's
title is there and no script runs (Streamlit's status widget gone). The first visits compete with
the workers' warm-up for the cores: that is what this measures. Target: every page <= 3 s.
Prints each page's time per round, the median and the worst, and when the workers were ready.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import children_of, chromium, machine_state, new_tab, serve, wait_settled  # noqa: E402
from playground import catalog  # noqa: E402

TARGET_SECONDS = 3.0


def page_address(url: str, info: catalog.PageInfo) -> str:
    return f"{url}/" if info is catalog.HOME else f"{url}/{info.url_path}"


def first_visits(browser, workers: int) -> tuple[dict[str, float], float | None]:
    """One fresh server: seconds of each page's first visit, and the seconds until a page said the
    workers were ready (None if not within the round)."""
    os.environ["PLAYGROUND_WARMUP"] = "1"
    with serve(workers=workers) as (url, server_pid):
        healthy_at = time.monotonic()
        seconds = {}
        for info in catalog.PAGES:
            tab = new_tab(browser)
            started = time.monotonic()
            tab.goto(page_address(url, info), wait_until="commit")
            wait_settled(tab)
            seconds[info.url_path] = time.monotonic() - started
            tab.context.close()
        print(f"  worker processes: {len(children_of(server_pid))}; visits took "
              f"{time.monotonic() - healthy_at:.1f} s after the health check", flush=True)
        tab = new_tab(browser)
        tab.goto(f"{url}/churn_ann", wait_until="commit")
        try:
            tab.wait_for_function(
                f"() => document.body.innerText.includes('Training workers ready: {workers} of {workers}')",
                timeout=180_000)
            ready = time.monotonic() - healthy_at
        except Exception:
            ready = None
        tab.context.close()
    return seconds, ready


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    print(f"machine at start: {machine_state()}; {args.workers} workers, PLAYGROUND_WARMUP=1")
    rounds = []
    with chromium() as browser:
        for number in range(1, args.rounds + 1):
            seconds, ready = first_visits(browser, args.workers)
            rounds.append(seconds)
            warm = f"workers ready {ready:.1f} s after the health check" if ready is not None else \
                "workers not ready within 180 s"
            print(f"round {number}: " + ", ".join(f"{page} {value:.2f} s" for page, value in seconds.items())
                  + f"; {warm}", flush=True)
    print(f"\n{'page':<18}{'rounds (s)':<28}{'median':>8}{'worst':>8}  target <= {TARGET_SECONDS:.0f} s")
    for info in catalog.PAGES:
        values = [seconds[info.url_path] for seconds in rounds]
        worst = max(values)
        print(f"{info.url_path:<18}{', '.join(f'{v:.2f}' for v in values):<28}{statistics.median(values):>8.2f}"
              f"{worst:>8.2f}  {'ok' if worst <= TARGET_SECONDS else 'OVER'}")
    print(f"machine at end:   {machine_state()}")


if __name__ == "__main__":
    main()
