"""A whole class on one server: N students press Train at the same moment, one more moves a slider.

Usage: .venv/bin/python bench/bench_classroom.py [--sessions 30] [--epochs 100] [--workers N] [--browser-nice 10]

Starts one `streamlit run app.py` (random port), opens N Churn ANN tabs in one headless chromium
(one context each) with the tutorial recipe at --epochs, waits until the training workers have
loaded TensorFlow, then has every tab click Train at the same instant. Meanwhile one more tab
moves a slider on the Activations page every second and times the round trip, from the key
press to the chart's new values in the DOM. Prints: the wall time until every training has
finished, each session's wait in the queue, p50/p95 of the slider's round trip, the peak
resident memory of the server plus its workers and of chromium, and the exceptions shown.
Goals with N = 30 and 100 epochs: all finish within 90 s, Activations p95 <= 1 s, 0 exceptions.

The 31 tabs run on the server's own machine here, where in a class they run on 31 laptops: by
default the class's chromium runs at nice 10, so the server and its workers keep the CPU they
would have (`--browser-nice 0` to compare); the slider's tab has a chromium of its own at the
normal priority, as one student's laptop would. The waits and training times are the server's own figures,
which each tab shows in its run line.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import (  # noqa: E402
    MemorySampler, browsers, count_exceptions, machine_state, new_tab, open_churn_tabs, percentile, serve,
    train_all_at, training_times, wait_for_workers, wait_settled,
)
from playground.workers import default_size  # noqa: E402
from playwright.sync_api import TimeoutError as PlaywrightTimeout  # noqa: E402

ELU_CHART = "document.querySelectorAll('.js-plotly-plot')[0]?._fullData?.find(t => t.name === 'elu')"


def open_activations(page, url: str) -> None:
    page.goto(f"{url}/activations?act.fns=elu")
    wait_settled(page)
    page.wait_for_function(f"() => {ELU_CHART}?.y?.length > 0", timeout=120_000)


def slider_round_trip(page, direction: str, timeout_ms: float = 30_000) -> float:
    """Seconds from one key press on the ELU alpha slider to the chart's new values in the DOM (inf: none)."""
    before = page.evaluate(f"() => {ELU_CHART}?.y?.[0]")
    slider = page.get_by_role("slider", name="ELU: alpha")
    slider.focus()
    started = time.perf_counter()
    slider.press(direction)
    try:
        page.wait_for_function(f"(before) => {ELU_CHART}?.y?.[0] !== before", arg=before, timeout=timeout_ms,
                               polling="raf")
    except PlaywrightTimeout:
        return float("inf")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="PLAYGROUND_WORKERS (default: the app's own)")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds of training")
    parser.add_argument("--log", type=Path, default=None, help="write the server's log here")
    parser.add_argument("--browser-nice", type=int, default=10,
                        help="run chromium at this nice level (default 10: in a class the browsers are on other "
                             "machines; 0: same priority as the server)")
    args = parser.parse_args()
    workers = args.workers or default_size()
    print(f"machine at start: {machine_state()}; {args.sessions} sessions x {args.epochs} epochs, {workers} workers, "
          f"chromium at nice {args.browser_nice}")
    with serve(workers=workers, log_path=args.log) as (url, server_pid), \
            browsers(args.browser_nice, 0) as (browser, own_browser):
        watcher = new_tab(own_browser)  # the student who moves a slider: a browser of its own, not niced
        open_activations(watcher, url)  # also runs app.py once: the pool starts warming up
        students = [new_tab(browser) for _ in range(args.sessions)]
        opened = time.monotonic()
        open_churn_tabs(students, url, args.epochs)
        print(f"{args.sessions} Churn tabs open after {time.monotonic() - opened:.0f} s", flush=True)
        wait_for_workers(students[-1], workers)
        print(f"{workers} training workers ready after {time.monotonic() - opened:.0f} s; "
              f"machine: {machine_state()}", flush=True)
        round_trips = []
        with MemorySampler(server_pid) as memory:
            click_at = time.time() * 1000 + 2000
            train_all_at(students, click_at)
            time.sleep(2)
            deadline = time.monotonic() + args.timeout
            pending = list(students)
            last_check = 0.0
            step = 0
            while pending and time.monotonic() < deadline:
                tick = time.monotonic()
                round_trips.append(slider_round_trip(watcher, "ArrowRight" if step % 20 < 10 else "ArrowLeft"))
                step += 1
                if time.monotonic() - last_check > 3:
                    pending = [tab for tab in pending if training_times(tab)["finished"] is None]
                    last_check = time.monotonic()
                    print(f"  {time.time() - click_at / 1000:5.0f} s after the click: "
                          f"{args.sessions - len(pending)}/{args.sessions} finished, last slider round trip "
                          f"{round_trips[-1]:.2f} s", flush=True)
                time.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
            times = [training_times(tab) for tab in students]
        finished = [t for t in times if t["finished"] is not None]
        exceptions = sum(count_exceptions(tab) for tab in [watcher, *students])
        errors = sum(tab.locator("[data-testid=stAlert]").filter(has_text="failed").count() for tab in students)
        print(f"machine at end:   {machine_state()}")
        print(f"trainings finished: {len(finished)}/{args.sessions} "
              f"(statuses: {sorted({t['status'] for t in finished})})")
        if finished:
            wall = (max(t["finished"] for t in finished) - click_at) / 1000
            waits = sorted(t["waited"] for t in finished)  # the server's own figure, shown on the page
            durations = [t["seconds"] for t in finished]
            print(f"wall time until every training finished: {wall:.1f} s (goal with 30 x 100 epochs: <= 90 s)")
            print(f"wait in the queue per session (s): median {statistics.median(waits):.1f}, max {max(waits):.1f}")
            print("   " + " ".join(f"{w:.1f}" for w in waits))
            print(f"training time per session once started (s): median {statistics.median(durations):.1f}, "
                  f"max {max(durations):.1f}")
        print(f"Activations slider round trip over {len(round_trips)} moves: p50 {percentile(round_trips, 0.5):.2f} s, "
              f"p95 {percentile(round_trips, 0.95):.2f} s, max {max(round_trips, default=float('nan')):.2f} s "
              f"(goal p95 <= 1 s); moves with no chart update within 30 s: {sum(t == float('inf') for t in round_trips)}")
        print(f"peak RSS: server + workers {memory.peak_server:.0f} MB (goal <= 2,500 MB); "
              f"chromium {memory.peak_chromium:.0f} MB")
        print(f"exceptions shown on pages: {exceptions}; 'training failed' messages: {errors}")


if __name__ == "__main__":
    main()
