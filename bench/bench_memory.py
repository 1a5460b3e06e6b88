"""Resident memory of repeated tutorial-recipe trainings in one process (one server, one session).

Usage: .venv/bin/python bench/bench_memory.py [--epochs 100] [--runs 10] [--fresh 5]

Trains the tutorial recipe once through the page's own path (`ChurnSession`: the engine's compiled
epoch, reused and re-initialised per run, .keras export), prints RSS, trains it `--runs` more times
and prints RSS again: the issue asks the growth over those runs to stay <= 10 %. For contrast it
then trains `--fresh` runs that each build a new compiled epoch (what happens without reuse) and
prints the growth per build.
Uses ../shared/data/Churn_Modelling.csv when present, else the synthetic data.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
REAL_CSV = REPO.parent / "shared" / "data" / "Churn_Modelling.csv"

from playground.churn import data, engine  # noqa: E402
from playground.churn import presets as churn_presets  # noqa: E402
from playground.churn.train import ChurnSession, train_prepared  # noqa: E402


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status (Linux only)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--fresh", type=int, default=5)
    args = parser.parse_args()
    frame = data.load_churn_csv(REAL_CSV) if REAL_CSV.exists() else data.synthetic_churn()
    prepared = data.prepare(frame, seed=0)
    preset = churn_presets.TUTORIAL
    print(f"RSS at start (numpy, pandas, plotly): {rss_mb():7.1f} MB")
    import keras  # noqa: F401

    print(f"RSS after import keras:              {rss_mb():7.1f} MB")
    session = ChurnSession()
    started = time.perf_counter()
    session.train(prepared, preset.spec, replace(preset.settings, epochs=args.epochs, seed=0))
    gc.collect()
    after_one = rss_mb()
    print(f"RSS after 1 training ({args.epochs} epochs, {time.perf_counter() - started:.0f} s): {after_one:7.1f} MB")
    for seed in range(1, args.runs + 1):
        session.train(prepared, preset.spec, replace(preset.settings, epochs=args.epochs, seed=seed))
    gc.collect()
    after_more = rss_mb()
    growth = (after_more - after_one) / after_one
    print(f"RSS after {args.runs} more trainings:       {after_more:7.1f} MB   growth {after_more - after_one:+.1f} MB "
          f"= {growth:+.1%} (target <= +10 %); compiled epochs built: {engine.builds}")

    if args.fresh:
        before = rss_mb()
        for seed in range(args.fresh):  # what happens without reuse: a new compiled epoch per run
            engine.forget_compiled_epochs()
            train_prepared(prepared, preset.spec, replace(preset.settings, epochs=2, seed=seed))
        gc.collect()
        print(f"contrast, {args.fresh} freshly built compiled epochs (2 epochs each): {rss_mb() - before:+.1f} MB "
              f"= {(rss_mb() - before) / args.fresh:+.1f} MB per model")


if __name__ == "__main__":
    main()
