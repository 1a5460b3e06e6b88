"""Decision boundary engine and page: training speed of the numpy engine, page rerun; in Chromium
the live component's redraws, epochs and start-up.

Usage: .venv/bin/python bench/bench_boundary.py [--seconds 3] [--browser [--runs 3]]
Prints epochs per second of the numpy engine (500 points, half for training, all seven
features, two hidden layers of 8 tanh, batch 10: 25 batches an epoch; target >= 300), the same
with the per-epoch loss/accuracy bookkeeping of a training run, and the page's server-side rerun
when a setting changes (target < 150 ms). The browser's engine alone: bench/bench_boundary_engine.py.
Numbers from a shared machine vary: run it twice.

With --browser it serves the app and plays the spiral (8-8 tanh, four inputs) in headless
Chromium instead (the component trains and draws in the tab), and prints per run the seconds from
opening the page to Play usable with the map drawn (target <= 3 s), how many new pictures each
live part showed a second, counted at the frames Chromium renders (target: the map >= 20), the
epochs a second (target >= 20), how busy the browser's main thread was (long tasks, ms a second),
the server's CPU share, and the reports the tab sent back (count, median size, the server's CPU
above its idle rate per report: what 30 students' laptops at full speed cost it); then the median
over the runs, and open to Play apart for the fresh server's first visit (its imports) and the
later ones. Do not run it beside browser tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("PLAYGROUND_WARMUP", "0")

from playground.boundary import datasets, features  # noqa: E402
from playground.boundary.network import Objective, make_optimizer  # noqa: E402
from playground.boundary.session import Run, Training  # noqa: E402


def make_run() -> Run:
    points = datasets.generate("spiral", 500, 0.0, seed=0)
    return Run(points, features.names(), (8, 8), ("tanh", "tanh"), Training("sgd", 0.03, 10, Objective()), 0.5, 0)


def engine_epochs_per_second(seconds: float) -> float:
    run = make_run()
    optimizer, objective = make_optimizer("sgd", 0.03), Objective()
    rng = np.random.default_rng(0)
    epochs, started = 0, time.perf_counter()
    while time.perf_counter() - started < seconds:
        run.network.train_epoch(run.x_train, run.y_train, 10, optimizer, objective, rng.permutation(len(run.y_train)))
        epochs += 1
    return epochs / (time.perf_counter() - started)


def run_epochs_per_second(seconds: float) -> float:
    run = make_run()
    started = time.perf_counter()
    run.train(seconds=seconds)
    return run.epoch / (time.perf_counter() - started)


def page_rerun_milliseconds(repeats: int = 7) -> list[float]:
    from apptest_utils import open_page

    at = open_page("pages/boundary.py", timeout=300)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        at.run()
        times.append((time.perf_counter() - started) * 1000)
    return times


def browser_redraws(runs: int, seconds: float) -> list[dict]:
    """Play the spiral in Chromium `runs` times (a new tab each; the first is the fresh server's first
    visit): seconds from opening the page to Play usable with the map drawn, then each live part's
    redraws and the epochs a second, the server's CPU share meanwhile, and the reports the tab sent
    (websocket frames over 2 kB) with the server's CPU above its idle rate per report."""
    from browser_sessions import chromium, cpu_seconds, serve
    from test_browser_boundary import EPOCH, play_and_count_redraws

    results = []
    with serve() as (url, server_pid), chromium() as browser:
        for _run in range(runs):
            context = browser.new_context(viewport={"width": 1400, "height": 900})
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.app_url = url
            reports = []
            page.on("websocket", lambda socket: socket.on(
                "framesent", lambda payload: reports.append(len(payload)) if len(payload) > 2000 else None))
            opened = time.perf_counter()
            page.goto(url + "/boundary?bd.data=Spiral&bd.f.sin1=true&bd.f.sin2=true&bd.n1=8&bd.n2=8")
            page.wait_for_function("() => document.querySelector('[data-testid=boundary-map][data-frame]')"
                                   " && !document.querySelector('.bd-play').disabled")
            ready = time.perf_counter() - opened
            cpu_before, started = cpu_seconds(server_pid), time.perf_counter()
            time.sleep(3)  # the server with this tab open, not playing
            idle = (cpu_seconds(server_pid) - cpu_before) / (time.perf_counter() - started)
            reports.clear()
            cpu_before, started = cpu_seconds(server_pid), time.perf_counter()
            counts = play_and_count_redraws(page, seconds, epochs=True)
            page.wait_for_timeout(5500)  # at least one report at the tab's pace (live.js SYNC_EVERY_MS)
            cpu, window = cpu_seconds(server_pid) - cpu_before, time.perf_counter() - started
            counts["server CPU %"] = 100 * cpu / window
            counts["reports"] = len(reports)
            counts["report kB"] = statistics.median(reports) / 1000 if reports else float("nan")
            counts["server ms a report"] = 1000 * (cpu - idle * window) / len(reports) if reports else float("nan")
            counts["open to Play with the map, s"] = ready
            context.close()
            results.append(counts)
            print(f"  run{' (the fresh server' + chr(39) + 's first visit)' if not _run else ''}: "
                  + ", ".join(f"{name} {value:.1f}" for name, value in counts.items()), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--browser", action="store_true", help="measure redraws a second in Chromium instead")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    print(f"machine load: {load:.1f} per core ({os.cpu_count()} cores)")
    if args.browser:
        sys.path.insert(0, str(REPO / "bench"))
        results = browser_redraws(args.runs, args.seconds if args.seconds != 3.0 else 8.0)
        later = results[1:] or results
        print(f"Chromium while playing, median of {len(results)} runs: " + ", ".join(
            f"{name} {statistics.median(r[name] for r in results):.1f}" for name in results[0]
            if name != "open to Play with the map, s"))
        print(f"open to Play with the map drawn: {statistics.median(r['open to Play with the map, s'] for r in later):.1f} s "
              f"(median of the {len(later)} later visits), {results[0]['open to Play with the map, s']:.1f} s for the fresh "
              f"server's first visit  (targets on a quiet machine: map >= 20 redraws/s, >= 20 epochs/s, open to Play "
              f"<= 3 s; load after: {os.getloadavg()[0]:.1f})")
        return
    print(f"engine, 25 batches of 10 per epoch: {engine_epochs_per_second(args.seconds):8.0f} epochs/s  (target >= 300)")
    print(f"training run incl. per-epoch metrics: {run_epochs_per_second(args.seconds):6.0f} epochs/s")
    print("(the browser's engine alone: bench/bench_boundary_engine.py)")
    times = page_rerun_milliseconds()
    print(f"page rerun (a setting changed): median {statistics.median(times):.0f} ms, min {min(times):.0f} ms  (target < 150)")


if __name__ == "__main__":
    main()
