"""The compiled-epoch engine through the command line, against plain `model.fit` and against `fit` compiled
the way a Keras user who cares about speed writes it, at 1 thread and TensorFlow's default.

Usage: .venv/bin/python bench/bench_engine.py [--threads 1,0] [--epochs 100] [--seeds 10] [--plain-epochs 4]

For each thread setting (1 = how a worker-pool process runs; 0 = TensorFlow's default), in
fresh processes, so that every figure includes what a real run pays:
- plain: the tutorial's `model.fit(x, y, batch_size=10)` (same initial weights), median seconds
  per epoch over `--plain-epochs` epochs after the first (which traces);
- compiled fit: the same `fit` after `compile(jit_compile=True, steps_per_execution=<steps per
  epoch>)` (one XLA call per epoch, as the engine): its first epoch (tracing and compiling) plus
  (epochs - 1) x its median later epoch, so that it pays its compilation as the engine does;
- one: `python -m playground.churn.train` with the tutorial recipe (11-6-6-1 relu, uniform, adam,
  batch 10, `--epochs`): its JSON `seconds` (training incl. compilation; TensorFlow import and
  data loading excluded);
- stacked: the same command with `--seeds N` (N recipe models trained together).
It prints (a) one / (epochs x plain median epoch) (target <= 1/30), (a') one / the compiled
fit's `--epochs` (no target: the honest baseline), (b) stacked / one (target <= 3), and (c) the median test accuracy over seeds 0-2 (and over all N) of the stacked run
(target >= 0.835 on the real data). Each figure is the median over `--rounds` rounds; the
rounds alternate the three measurements so that load from other processes hits them alike.
Uses ../shared/data/Churn_Modelling.csv (or --csv) when present, else the synthetic data.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
REAL_CSV = REPO.parent / "shared" / "data" / "Churn_Modelling.csv"


def fit_epochs(threads: int, epochs: int, csv: Path, compiled: bool) -> list[float]:
    """Child process: seconds of each epoch of model.fit (the first, which traces, included):
    the tutorial's plain fit, or compiled with XLA and one call per epoch."""
    from bench_training import PlainFit  # the same fit bench_training.py times

    from playground.churn import data, engine

    engine.limit_threads(threads)
    frame = data.load_churn_csv(csv) if csv.exists() else data.synthetic_churn()
    prepared = data.prepare(frame, seed=0)
    steps_per_epoch = -(-len(prepared.y_train) // 10)
    return PlainFit(seed=0, steps_per_execution=steps_per_epoch if compiled else None).epochs(prepared, epochs + 1)


def measure_fit(threads: int, epochs: int, csv: Path, compiled: bool) -> list[float]:
    command = [sys.executable, __file__, "--child-fit", str(threads), "--plain-epochs", str(epochs), "--csv", str(csv)]
    result = subprocess.run(command + (["--compiled"] if compiled else []), cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"fit failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def run_json_lines(command: list[str]) -> list[dict]:
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.strip().splitlines() if line.startswith("{")]


def cli(threads: int, epochs: int, seeds: int, csv: Path) -> list[dict]:
    command = [sys.executable, "-m", "playground.churn.train", "--epochs", str(epochs), "--threads", str(threads),
               "--seeds", str(seeds), "--quiet"]
    if csv.exists():
        command += ["--csv", str(csv)]
    return run_json_lines(command)  # the tutorial recipe is the command's default


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", default="1,0", help="thread settings to measure, e.g. 1,0 (0: TF default)")
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--plain-epochs", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--csv", type=Path, default=REAL_CSV, help="the real churn CSV (default: ../shared/data)")
    parser.add_argument("--child-fit", type=int, help=argparse.SUPPRESS)  # internal: measure a fit at N threads
    parser.add_argument("--compiled", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_fit is not None:
        print(json.dumps(fit_epochs(args.child_fit, args.plain_epochs, args.csv, args.compiled)))
        return

    print(f"data: {args.csv if args.csv.exists() else 'synthetic'}; recipe 11-6-6-1 relu, batch 10, "
          f"{args.epochs} epochs")
    for threads in (int(value) for value in args.threads.split(",")):
        label = "1 thread" if threads == 1 else "TF default threads" if threads == 0 else f"{threads} threads"
        plain, compiled_first, compiled_later, one, stacked, accuracies = [], [], [], [], [], []
        for _ in range(args.rounds):
            plain.append(statistics.median(measure_fit(threads, args.plain_epochs, args.csv, compiled=False)[1:]))
            epochs = measure_fit(threads, args.plain_epochs, args.csv, compiled=True)
            compiled_first.append(epochs[0])
            compiled_later.append(statistics.median(epochs[1:]))
            one.append(cli(threads, args.epochs, 1, args.csv)[0]["seconds"])
            lines = cli(threads, args.epochs, args.seeds, args.csv)
            stacked.append(lines[-1]["seconds"])
            accuracies = [line["test_accuracy"] for line in lines[:-1]]
        plain_s, one_s, stacked_s = (statistics.median(values) for values in (plain, one, stacked))
        first_s, later_s = statistics.median(compiled_first), statistics.median(compiled_later)
        compiled_total = first_s + later_s * (args.epochs - 1)
        print(f"\n[{label}]")
        print(f"plain model.fit: median {plain_s:.3f} s/epoch -> {args.epochs} epochs ~ {plain_s * args.epochs:.1f} s")
        print(f"fit, jit_compile + steps_per_execution = steps per epoch: first epoch {first_s:.2f} s (compiling), "
              f"then median {later_s:.3f} s/epoch -> {args.epochs} epochs ~ {compiled_total:.1f} s")
        print(f"engine, 1 model:   {one_s:6.2f} s for {args.epochs} epochs (compilation included)")
        print(f"engine, {args.seeds} models: {stacked_s:6.2f} s for {args.epochs} epochs, together")
        ratio = one_s / (plain_s * args.epochs)
        print(f"(a) engine / plain fit: {ratio:.4f} = 1/{1 / ratio:.0f} (target <= 1/30)")
        compiled_ratio = one_s / compiled_total
        print(f"(a') engine / compiled fit: {compiled_ratio:.3f} = 1/{1 / compiled_ratio:.1f} (both pay their compilation)")
        print(f"(b) {args.seeds} models / 1 model: {stacked_s / one_s:.2f}x (target <= 3x)")
        print(f"(c) median test accuracy, seeds 0-2: {statistics.median(accuracies[:3]):.4f}; "
              f"all {len(accuracies)} seeds: median {statistics.median(accuracies):.4f}, "
              f"min {min(accuracies):.4f}, max {max(accuracies):.4f} (target >= 0.835 on the real data)")


if __name__ == "__main__":
    main()
