"""Resident memory of one server (server process plus its training workers) as sessions come and go.

Usage: .venv/bin/python bench/bench_memory.py [--sessions 60] [--batch 10] [--open 30] [--epochs 100]
           [--workers N] [--session-ttl 20]
       .venv/bin/python bench/bench_memory.py --one-worker [--trainings 3] [--epochs 100]

`--one-worker` measures the figure the docs give for one worker: a pool of one worker (as the
server makes it, warm-up included) trains the tutorial recipe `--trainings` times on the real
churn data (or the synthetic); the worker's resident memory (RSS, /proc) is printed when it is
warm and after each training. "A warm worker" in README and Dockerfile is the last of these.

Starts one `streamlit run app.py` and drives real browser sessions (headless chromium):
1. Sessions arrive `--batch` at a time; each opens the Churn ANN page, trains the tutorial recipe
   once (the batch presses Train together) and closes its tab. After each batch, once the server
   has dropped the closed sessions (`--session-ttl`, passed to the server as
   server.disconnectedSessionTTL), the summed RSS of the server and its workers is printed.
   Goal: after all `--sessions`, within +60 MB of the level after the first batch.
2. `--open` sessions are opened at once and train at the same moment; the peak summed RSS while
   they are open is printed. Goal: <= 2.5 GB in all.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import (  # noqa: E402
    MemorySampler, children_of, chromium, machine_state, new_tab, open_churn_tabs, process_tree_rss_mb, serve,
    train_all_at, training_times, wait_for_workers,
)
from playground.workers import WorkerPool, default_size, resident_mb  # noqa: E402

REAL_CSV = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "Churn_Modelling.csv"


def one_worker(trainings: int, epochs: int, csv: Path) -> None:
    """One warm worker's resident memory: after its warm-up, then after each tutorial training."""
    from dataclasses import replace

    from playground.churn import data, jobs, presets

    frame = data.load_churn_csv(csv) if csv.exists() else data.synthetic_churn()
    print(f"machine at start: {machine_state()}; data: {csv if csv.exists() else 'synthetic'}")
    pool = WorkerPool(size=1, initializer=jobs.prepare_worker)
    try:
        started = time.monotonic()
        while pool.status().ready < 1:
            if pool.status().start_error:
                raise SystemExit(pool.status().start_error)
            time.sleep(0.2)
        (pid,) = pool.worker_pids()
        print(f"warm (TensorFlow imported, recipe compiled) after {time.monotonic() - started:.1f} s: "
              f"{resident_mb(pid):.0f} MB resident")
        for number in range(1, trainings + 1):
            settings = replace(presets.TUTORIAL.with_seed(number), epochs=epochs)
            prepared = data.prepare(frame, seed=number)
            training = jobs.Training.submit(pool, presets.TUTORIAL.spec, settings, prepared, "bench")
            training.ticket.wait(3600)
            print(f"after training {number} ({epochs} epochs, {training.ticket.state}): "
                  f"{resident_mb(pid):.0f} MB resident", flush=True)
        print(f"machine at end:   {machine_state()}")
    finally:
        pool.shutdown()


def train_together(tabs, timeout: float = 3600) -> list[dict]:
    """Every tab presses Train at the same instant; returns each tab's recorded times once all finished."""
    train_all_at(tabs, time.time() * 1000 + 1000)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        times = [training_times(tab) for tab in tabs]
        if all(t["finished"] is not None for t in times):
            return times
        time.sleep(1)
    raise RuntimeError("trainings did not finish in time")


def settled_rss(server_pid: int, seconds: float) -> tuple[float, float]:
    """RSS of the server tree, and of the server process alone, after `seconds` (closed sessions
    are dropped after their TTL)."""
    time.sleep(seconds)
    return process_tree_rss_mb(server_pid), resident_mb(server_pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--batch", type=int, default=10)
    parser.add_argument("--open", type=int, default=30)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--session-ttl", type=float, default=20)
    parser.add_argument("--no-training", action="store_true", help="contrast: sessions only open the page")
    parser.add_argument("--one-worker", action="store_true", help="one warm worker's memory, no server")
    parser.add_argument("--trainings", type=int, default=3, help="with --one-worker")
    parser.add_argument("--csv", type=Path, default=REAL_CSV, help="with --one-worker: the real churn CSV")
    args = parser.parse_args()
    if args.one_worker:
        one_worker(args.trainings, args.epochs, args.csv)
        return
    workers = args.workers or default_size()
    print(f"machine at start: {machine_state()}; tutorial recipe at {args.epochs} epochs, {workers} workers")
    with serve(workers=workers, session_ttl=args.session_ttl) as (url, server_pid), chromium(10) as browser:
        worker_pids: set[int] = set()
        first_level = None
        for start in range(0, args.sessions, args.batch):
            tabs = [new_tab(browser) for _ in range(min(args.batch, args.sessions - start))]
            open_churn_tabs(tabs, url, args.epochs)
            if start == 0 and not args.no_training:
                wait_for_workers(tabs[0], workers)
            statuses = {"none"} if args.no_training else {t["status"] for t in train_together(tabs)}
            worker_pids |= set(children_of(server_pid))
            for tab in tabs:
                tab.context.close()
            level, server_alone = settled_rss(server_pid, args.session_ttl + 10)
            first_level = first_level or level
            print(f"after {start + len(tabs):3d} sessions trained and closed: server + workers {level:7.0f} MB "
                  f"({level - first_level:+.0f} MB against the first batch; server alone {server_alone:.0f} MB, "
                  f"workers {level - server_alone:.0f} MB; runs {sorted(statuses)})", flush=True)
        growth = level - first_level
        print(f"growth from session {args.batch} to {args.sessions}: {growth:+.0f} MB (goal <= +60 MB); "
              f"worker processes seen: {len(worker_pids)} for {workers} workers (more = recycled on memory)")

        tabs = [new_tab(browser) for _ in range(args.open)]
        open_churn_tabs(tabs, url, args.epochs)
        with MemorySampler(server_pid) as memory:
            train_together(tabs)
        print(f"{args.open} sessions open, all training at once: peak server + workers {memory.peak_server:.0f} MB "
              f"(goal <= 2,500 MB); chromium {memory.peak_chromium:.0f} MB")
        print(f"machine at end:   {machine_state()}")


if __name__ == "__main__":
    main()
