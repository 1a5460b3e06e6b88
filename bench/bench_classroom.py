"""A whole class on one server: N students press Train at the same moment, one more moves a slider.

Usage: .venv/bin/python bench/bench_classroom.py [--sessions 30] [--epochs 100] [--workers N] [--browser-nice 10]
       .venv/bin/python bench/bench_classroom.py --page boundary [--sessions 30] [--seconds 30]

With --page boundary the class plays the Decision boundary's 8,8 spiral instead (it trains and draws
in each tab): N tabs open it and press Play, and for --seconds the benchmark measures the server
process's CPU share (goal <= 0.1 core; beside its baseline in the same run: the server for --seconds/2
while the tabs have the page open but do not play and the slider student goes on), the slider student's round trips (goal p95 <= 1 s) and the
epochs each tab trained a second (its own figure, on a machine where the class's browsers share
2 cores at low priority; in a class each runs on its own laptop).

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
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import (  # noqa: E402
    BOUNDARY_READY, MemorySampler, browsers, count_exceptions, cpu_by_part, descendants, machine_state, new_tab,
    open_churn_tabs, percentile, serve, train_all_at, training_times, wait_for_workers, wait_settled,
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


def watch(url: str) -> None:
    """The slider student, in a process of its own (its own Playwright and chromium at the normal
    priority): moves the slider every second until stdin closes, one round trip per line."""
    import select

    with browsers(0) as (browser,):
        page = new_tab(browser)
        open_activations(page, url)
        print("ready", flush=True)
        step = 0
        while True:
            tick = time.monotonic()
            print(slider_round_trip(page, "ArrowRight" if step % 20 < 10 else "ArrowLeft"), flush=True)
            step += 1
            if select.select([sys.stdin], [], [], max(0.0, 1.0 - (time.monotonic() - tick)))[0]:
                print(count_exceptions(page), flush=True)  # stdin closed: the last line is the exceptions
                return


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None, help="PLAYGROUND_WORKERS (default: the app's own)")
    parser.add_argument("--timeout", type=float, default=1800, help="give up after this many seconds of training")
    parser.add_argument("--log", type=Path, default=None, help="write the server's log here")
    parser.add_argument("--page", choices=("churn", "boundary"), default="churn")
    parser.add_argument("--seconds", type=float, default=30, help="--page boundary: how long the class plays")
    parser.add_argument("--watch", help=argparse.SUPPRESS)  # internal: be the slider student against this URL
    parser.add_argument("--browser-nice", type=int, default=10,
                        help="run chromium at this nice level (default 10: in a class the browsers are on other "
                             "machines; 0: same priority as the server)")
    args = parser.parse_args()
    if args.watch:
        return watch(args.watch)
    if args.page == "boundary":
        return boundary_class(args)
    workers = args.workers or default_size()
    print(f"machine at start: {machine_state()}; {args.sessions} sessions x {args.epochs} epochs, {workers} workers, "
          f"chromium at nice {args.browser_nice}")
    with serve(workers=workers, log_path=args.log) as (url, server_pid), browsers(args.browser_nice) as (browser,):
        # the student who moves a slider: a process, Playwright and browser of its own at the normal
        # priority, so that its moves every second do not wait for the class's 30 tabs
        watcher = subprocess.Popen([sys.executable, __file__, "--watch", url], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        if watcher.stdout.readline().strip() != "ready":  # its first page run also starts the pool
            sys.exit("the slider student's page did not open")
        students = [new_tab(browser) for _ in range(args.sessions)]
        opened = time.monotonic()
        open_churn_tabs(students, url, args.epochs)
        print(f"{args.sessions} Churn tabs open after {time.monotonic() - opened:.0f} s", flush=True)
        wait_for_workers(students[-1], workers)
        print(f"{workers} training workers ready after {time.monotonic() - opened:.0f} s; "
              f"machine: {machine_state()}", flush=True)
        with MemorySampler(server_pid) as memory:
            click_at = time.time() * 1000 + 2000
            train_all_at(students, click_at)
            time.sleep(2)
            cpu_at_click = cpu_by_part(server_pid, browser_processes(server_pid, watcher.pid))
            deadline = time.monotonic() + args.timeout
            pending = list(students)
            while pending and time.monotonic() < deadline:
                time.sleep(2)
                pending = [tab for tab in pending if training_times(tab)["finished"] is None]
                print(f"  {time.time() - click_at / 1000:5.0f} s after the click: "
                      f"{args.sessions - len(pending)}/{args.sessions} finished", flush=True)
            times = [training_times(tab) for tab in students]
            cpu_used = {part: seconds - cpu_at_click.get(part, 0.0) for part, seconds in
                        cpu_by_part(server_pid, browser_processes(server_pid, watcher.pid)).items()}
            cpu_window = time.time() - click_at / 1000
        watcher.stdin.close()
        lines = watcher.stdout.read().split()
        watcher.wait(60)
        round_trips = [float(line) for line in lines[:-1]]
        finished = [t for t in times if t["finished"] is not None]
        exceptions = int(lines[-1]) + sum(count_exceptions(tab) for tab in students)
        errors = sum(tab.locator("[data-testid=stAlert]").filter(has_text="failed").count() for tab in students)
        print(f"machine at end:   {machine_state()}")
        print(f"trainings finished: {len(finished)}/{args.sessions} "
              f"(statuses: {sorted({t['status'] for t in finished})})")
        if finished:
            wall = (max(t["finished"] for t in finished) - click_at) / 1000
            waits = sorted(t["waited"] for t in finished)  # the server's own figure, shown on the page
            durations = [t["seconds"] for t in finished]
            print(f"wall time until every tab showed its result: {wall:.1f} s (goal with 30 x 100 epochs: <= 90 s)")
            if memory.workers_last_busy is not None:
                print(f"   server side: the training workers were last busy {memory.workers_last_busy - click_at / 1000:.1f} s "
                      "after the click (every training had ended; the rest is the tabs rerunning and drawing results)")
            print(f"wait in the queue per session (s): median {statistics.median(waits):.1f}, max {max(waits):.1f}")
            print("   " + " ".join(f"{w:.1f}" for w in waits))
            print(f"training time per session once started (s): median {statistics.median(durations):.1f}, "
                  f"max {max(durations):.1f}")
            clicks = sorted((t["clicked"] - click_at) / 1000 for t in times if t["clicked"] is not None)
            to_result = sorted((t["finished"] - t["clicked"]) / 1000 for t in finished if t["clicked"] is not None)
            print(f"browser side: Train clicked {clicks[0]:.1f}-{clicks[-1]:.1f} s after the planned instant (a tab "
                  f"busy rendering clicks late); click to result shown: median {statistics.median(to_result):.1f} s, "
                  f"max {max(to_result):.1f} s")
        print(f"Activations slider round trip over {len(round_trips)} moves: p50 {percentile(round_trips, 0.5):.2f} s, "
              f"p95 {percentile(round_trips, 0.95):.2f} s, max {max(round_trips, default=float('nan')):.2f} s "
              f"(goal p95 <= 1 s); moves with no chart update within 30 s: {sum(t == float('inf') for t in round_trips)}")
        print(f"peak RSS: server + workers {memory.peak_server:.0f} MB (goal <= 2,500 MB); "
              f"chromium {memory.peak_chromium:.0f} MB")
        print(f"exceptions shown on pages: {exceptions}; 'training failed' messages: {errors}")
        print(f"CPU seconds used from the click until the last result was seen ({cpu_window:.0f} s x "
              f"{os.cpu_count()} cores = {cpu_window * os.cpu_count():.0f} CPU s): " + ", ".join(
                  f"{part} {seconds:.0f}" for part, seconds in cpu_used.items()))


SPIRAL = "/boundary?bd.data=Spiral&bd.f.sin1=true&bd.f.sin2=true&bd.n1=8&bd.n2=8"
EPOCH = "() => +(document.querySelector('[data-testid=boundary-epoch]')?.innerText || '0').replace(/,/g, '')"


def boundary_class(args) -> None:
    """N tabs play the Decision boundary's spiral at once for args.seconds; see the module doc."""
    from browser_sessions import cpu_seconds

    print(f"machine at start: {machine_state()}; {args.sessions} Decision boundary tabs playing for {args.seconds:.0f} s, "
          f"chromium at nice {args.browser_nice}")
    with serve(log_path=args.log) as (url, server_pid), browsers(args.browser_nice) as (browser,):
        watcher = subprocess.Popen([sys.executable, __file__, "--watch", url], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, text=True)
        if watcher.stdout.readline().strip() != "ready":
            sys.exit("the slider student's page did not open")
        students = [new_tab(browser) for _ in range(args.sessions)]
        opened = time.monotonic()
        for tab in students:  # the whole class opens the page at once
            tab.goto(url + SPIRAL, wait_until="commit")
        ready = []
        for tab in students:  # (polling, not animation frames: a tab in the background may get none)
            tab.wait_for_function(BOUNDARY_READY, timeout=600_000, polling=500)
            ready.append(time.monotonic() - opened)
        print(f"{args.sessions} tabs opened together: Play usable with the map drawn after median {statistics.median(ready):.0f} s, "
              f"the last after {max(ready):.0f} s", flush=True)
        # The baseline, in the same process: the class has the page open but not playing, while the
        # slider student goes on (its page's reruns are the server's too).
        time.sleep(5)
        cpu_idle, idle_started = cpu_seconds(server_pid), time.monotonic()
        time.sleep(args.seconds / 2)
        idle_cores = (cpu_seconds(server_pid) - cpu_idle) / (time.monotonic() - idle_started)
        for tab in students:
            tab.locator(".bd-play").click()
        time.sleep(2)
        before = [tab.evaluate(EPOCH) for tab in students]
        cpu_before, started = cpu_seconds(server_pid), time.monotonic()
        cpu_parts_before = cpu_by_part(server_pid, browser_processes(server_pid, watcher.pid))
        time.sleep(args.seconds)
        window = time.monotonic() - started
        server_cores = (cpu_seconds(server_pid) - cpu_before) / window
        parts = {part: (seconds - cpu_parts_before.get(part, 0.0)) / window for part, seconds in
                 cpu_by_part(server_pid, browser_processes(server_pid, watcher.pid)).items()}
        rates = [(tab.evaluate(EPOCH) - epoch) / window for tab, epoch in zip(students, before)]
        playing = sum(tab.locator(".bd-play").inner_text() == "Pause" for tab in students)
        watcher.stdin.close()
        lines = watcher.stdout.read().split()
        watcher.wait(60)
        round_trips = [float(line) for line in lines[:-1]]
        exceptions = int(lines[-1]) + sum(count_exceptions(tab) for tab in students)
        print(f"machine at end:   {machine_state()}")
        print(f"server process while {playing}/{args.sessions} tabs played: {server_cores:.3f} cores on average "
              f"(goal <= 0.1); cores by part: " + ", ".join(f"{part} {cores:.2f}" for part, cores in parts.items()))
        print(f"baseline: the server while the {args.sessions} tabs had the page open, not playing, and the slider "
              f"student moved: {idle_cores:.3f} cores; so the class playing added {server_cores - idle_cores:.3f} cores")
        print(f"epochs a second per tab: median {statistics.median(rates):.1f}, min {min(rates):.1f}, "
              f"max {max(rates):.1f} (the class's browsers share this machine at nice {args.browser_nice})")
        print(f"Activations slider round trip over {len(round_trips)} moves: p50 {percentile(round_trips, 0.5):.2f} s, "
              f"p95 {percentile(round_trips, 0.95):.2f} s, max {max(round_trips, default=float('nan')):.2f} s "
              f"(goal p95 <= 1 s)")
        print(f"exceptions shown on pages: {exceptions}")


def browser_processes(server_pid: int, watcher_pid: int) -> dict[str, set[int]]:
    """This benchmark's processes other than the server's: the class's browser (with Playwright's
    driver) and the slider student (its process and browser)."""
    server = {server_pid, *descendants(server_pid)}
    watcher = {watcher_pid, *descendants(watcher_pid)}
    return {"class browser": set(descendants(os.getpid())) - server - watcher, "slider student": watcher}


if __name__ == "__main__":
    main()
