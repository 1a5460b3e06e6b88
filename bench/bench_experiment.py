"""Wall time of an experiment over seeds against one single training, both through their CLIs, in one run.

Usage: .venv/bin/python bench/bench_experiment.py [--seeds 10] [--epochs 100] [--compare activation=relu,swish]

Runs, one after the other on the real churn CSV (../shared/data/Churn_Modelling.csv or $CHURN_CSV;
synthetic data if absent):
  1. `python -m playground.churn.train` with the tutorial recipe (one training, seed 0);
  2. `python -m playground.churn.experiment --seeds K --compare ...` (2 x K trainings of the recipe);
  3. the single training again (the machine may be shared: the two single runs bracket the experiment).
It prints each one's training seconds (what the CLIs report: no Python/TensorFlow start-up) and
process wall time, and the ratio experiment / mean single training (the issue's target: <= 4 for
10 seeds x 2 settings x 100 epochs: each setting's 10 seeds train in one stacked engine call).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# A git worktree sits one level deeper than the main checkout: CHURN_CSV names the file there.
REAL_CSV = Path(os.environ.get("CHURN_CSV", REPO.parent / "shared" / "data" / "Churn_Modelling.csv"))


def run(module: str, *args: str) -> tuple[dict, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{module} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--compare", default="activation=relu,swish")
    args = parser.parse_args()
    data = ["--csv", str(REAL_CSV)] if REAL_CSV.exists() else []
    recipe = [*data, "--epochs", str(args.epochs), "--quiet"]  # the CLI's defaults are the tutorial recipe
    print(f"data: {'real CSV' if data else 'synthetic'}; recipe 11-6-6-1 relu, uniform, adam 0.001, batch 10, "
          f"{args.epochs} epochs; experiment {args.seeds} seeds x ({args.compare}); cpus {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    singles = []
    first, wall = run("playground.churn.train", *recipe)
    singles.append(first["seconds"])
    print(f"single training:   {first['seconds']:7.1f} s training, {wall:7.1f} s wall, test accuracy "
          f"{first['test_accuracy']:.4f}", flush=True)
    report, wall = run("playground.churn.experiment", *recipe[:-1], "--seeds", str(args.seeds),
                       "--compare", args.compare)
    trainings = sum(len(setting["test_accuracy"]) for setting in report["settings"])
    print(f"experiment:        {report['seconds']:7.1f} s training, {wall:7.1f} s wall, {trainings} trainings", flush=True)
    for setting in report["settings"]:
        print(f"  {setting['label']:<10} mean {setting['mean']:.4f}  SD {setting['std']:.4f}  95 % interval "
              f"{setting['ci95'][0]:.4f} to {setting['ci95'][1]:.4f}")
    for paired in report["paired"]:
        print(f"  {paired['verdict']}")
    second, wall = run("playground.churn.train", *recipe)
    singles.append(second["seconds"])
    print(f"single training:   {second['seconds']:7.1f} s training, {wall:7.1f} s wall (again)", flush=True)
    ratio = report["seconds"] / statistics.mean(singles)
    print(f"ratio experiment / single training: {ratio:.1f} (target <= 4 with the stacked engine; "
          f"{trainings} trainings one after another would be ~{trainings})")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
