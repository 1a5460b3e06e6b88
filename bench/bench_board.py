"""The class board's store under a whole class: 30 students post at once while the board refreshes.

Usage: .venv/bin/python bench/bench_board.py [--databases sqlite postgresql] [--sessions 30] [--posts 5]
                                             [--poll 1.0]

For each database (a SQLite file in a temporary folder; a throwaway PostgreSQL cluster started by
deploy/postgres.py), one class with --sessions members: each member's thread posts --posts runs as
fast as the store allows (the per-member limit is 10 a minute, so 5 go straight through), all
starting at one instant, while one more thread plays the teacher's board: every --poll seconds it
reads every run of the class (``Board.runs(code)``, as the Class page does) and notes when each
run first appears. Prints per database: rows on the board, errors, the latency from a run's end
(the moment its post was sent) to the board's first sight of it (p50/p95/max), the time one post
takes (p50/p95) against a baseline of the same posts sent one at a time by one thread in the same
process, and the board's read time. Targets: every row, 0 errors, p95 latency <= 3 s.

These are the store's figures (the storage part of issue 21); a page-level run that drives the
Streamlit pages themselves can extend this script.
"""

from __future__ import annotations

import argparse
import contextlib
import tempfile
import threading
import time
from pathlib import Path
import sys

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parent.parent)]

from browser_sessions import machine_state, percentile  # noqa: E402
from playground.board.store import Board  # noqa: E402

SETTINGS = {"data": "synthetic", "hidden": [6, 6], "activation": ["relu", "relu"], "initializer": "glorot_uniform",
            "optimizer": "adam", "learning_rate": 0.001, "batch_size": 10, "epochs": 100, "validation_share": 0.0,
            "early_stopping": False, "class_weights": False}
FIGURES = {"test_accuracy": 0.8595, "auc": 0.8571, "test_loss": 0.3391, "epochs_run": 100, "status": "finished",
           "parameters": 127}


@contextlib.contextmanager
def database(kind: str):
    """A URL of an empty database of `kind`, deleted afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="bench-board-") as folder:
            yield f"sqlite:///{folder}/board.sqlite3"
    else:
        from deploy.postgres import throwaway_cluster

        with throwaway_cluster() as cluster:
            yield cluster.create_database("bench")


def baseline(board: Board, posts: int) -> list[float]:
    """Seconds per post when one student posts alone (another class, same database, same process)."""
    keys = board.start_class()
    member = board.join(keys.code, "alone")
    times = []
    for seed in range(posts):
        started = time.perf_counter()
        board.post(member.token, "churn", {**SETTINGS, "seed": seed}, FIGURES)
        times.append(time.perf_counter() - started)
    return times


def lesson(board: Board, sessions: int, posts: int, poll: float, timeout: float = 120.0) -> dict:
    keys = board.start_class()
    members = [board.join(keys.code, f"Student {number}") for number in range(1, sessions + 1)]
    start = threading.Barrier(sessions + 1)
    lock = threading.Lock()
    sent: dict[int, float] = {}  # run id -> monotonic time its post was sent (the run had ended)
    post_times: list[float] = []
    errors: list[str] = []
    seen: dict[int, float] = {}
    reads: list[float] = []

    def student(member) -> None:
        start.wait()
        for seed in range(posts):
            began = time.monotonic()
            try:
                run_id = board.post(member.token, "churn", {**SETTINGS, "seed": seed}, FIGURES)
            except Exception as error:  # noqa: BLE001 - every error is counted and shown
                with lock:
                    errors.append(f"{type(error).__name__}: {error}")
                continue
            with lock:
                sent[run_id] = began
                post_times.append(time.monotonic() - began)

    def teacher(deadline: float) -> None:
        while time.monotonic() < deadline and len(seen) < sessions * posts - len(errors):
            began = time.monotonic()
            rows = board.runs(keys.code)
            now = time.monotonic()
            reads.append(now - began)
            for row in rows:
                seen.setdefault(row.id, now)
            time.sleep(max(0.0, poll - (time.monotonic() - began)))

    threads = [threading.Thread(target=student, args=(member,)) for member in members]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.monotonic()
    board_thread = threading.Thread(target=teacher, args=(began + timeout,))
    board_thread.start()
    for thread in threads:
        thread.join()
    posting = time.monotonic() - began
    board_thread.join()
    latencies = [seen[run_id] - at for run_id, at in sent.items() if run_id in seen]
    return {"expected": sessions * posts, "posted": len(sent), "seen": len(set(seen) & set(sent)),
            "errors": errors, "latencies": latencies, "post_times": post_times, "reads": reads, "posting": posting}


def show(kind: str, result: dict, alone: list[float]) -> bool:
    latencies, posts, reads = result["latencies"], result["post_times"], result["reads"]
    p95 = percentile(latencies, 0.95)
    ok = result["seen"] == result["expected"] and not result["errors"] and p95 <= 3.0
    print(f"\n== {kind} ==")
    print(f"rows on the board: {result['seen']}/{result['expected']} (posted {result['posted']}), "
          f"errors: {len(result['errors'])}")
    for error in sorted(set(result["errors"]))[:5]:
        print(f"  error: {error}")
    print(f"run ended -> on the board: p50 {percentile(latencies, 0.5):.2f} s, p95 {p95:.2f} s, "
          f"max {max(latencies, default=float('nan')):.2f} s (target p95 <= 3 s)")
    alone_p50 = percentile(alone, 0.5)
    print(f"one post: p50 {percentile(posts, 0.5) * 1000:.1f} ms, p95 {percentile(posts, 0.95) * 1000:.1f} ms "
          f"with {len(posts)} posts from 30 threads at once; alone p50 {alone_p50 * 1000:.1f} ms "
          f"(ratio p50 {percentile(posts, 0.5) / alone_p50:.1f}x); all posted within {result['posting']:.2f} s")
    print(f"board read of the whole class: p50 {percentile(reads, 0.5) * 1000:.1f} ms, "
          f"max {max(reads, default=float('nan')) * 1000:.1f} ms over {len(reads)} reads")
    print("PASS" if ok else "FAIL")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"])
    parser.add_argument("--sessions", type=int, default=30)
    parser.add_argument("--posts", type=int, default=5)
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between two reads of the board")
    args = parser.parse_args()
    print(f"{args.sessions} sessions x {args.posts} posts, board read every {args.poll:g} s; {machine_state()}")
    results = []
    for kind in args.databases:
        with database(kind) as url:
            board = Board(url)
            board.check()
            alone = baseline(board, args.posts)
            results.append(show(kind, lesson(board, args.sessions, args.posts, args.poll), alone))
            board.close()
    print(f"\nafter: {machine_state()}")
    raise SystemExit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
