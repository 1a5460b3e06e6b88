"""The browser's training engine (playground/boundary/web/engine.js, under node) beside the numpy engine.

Usage: .venv/bin/python bench/bench_boundary_engine.py [--seconds 2] [--runs 5]
Trains the 8,8 tanh spiral (500 points, half for training, batch 10: 25 batches an epoch) with
the page's preset inputs (x1, x2, sin x1, sin x2) and with all seven features, and prints epochs a
second, the median of --runs runs of about --seconds each: engine.js alone (no drawing) per epoch
as the page needs it (train, then the train and test loss and accuracy), and numpy's session.Run
(the same work) in the same process. Target (issue 20): engine.js >= 2,000 epochs a second.
Each figure is given per second of wall time and per second of the process's own CPU time (the
latter moves less when other programs share the cores), with the load average.
Numbers from a shared machine vary: run it twice, and say how busy the machine was.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO)]

from playground.boundary import datasets, features, network  # noqa: E402
from playground.boundary.network import Objective  # noqa: E402
from playground.boundary.session import Run, Training  # noqa: E402

TARGET = 2000

# The node side: read the job from stdin, warm up, then time `runs` runs of about `seconds` each.
NODE_SCRIPT = r"""
import { readFileSync } from "node:fs";
import { createModel } from ENGINE;
const job = JSON.parse(readFileSync(0, "utf8"));
const part = (p) => ({ x: Float64Array.from(p.x), labels: Float64Array.from(p.labels), n: p.labels.length });
const train = part(job.train), test = part(job.test);
const model = createModel(job.spec);
const epoch = () => model.trainEpoch(train.x, train.labels, train.n, undefined, test);
for (let k = 0; k < 300; k++) epoch(); // warm-up: let V8 optimise the loops
const rates = [], cpuRates = [];
for (let run = 0; run < job.runs; run++) {
  let done = 0, elapsed = 0;
  const started = performance.now(), cpu = process.cpuUsage();
  while (elapsed < job.seconds * 1000) {
    for (let k = 0; k < 50; k++) epoch();
    done += 50;
    elapsed = performance.now() - started;
  }
  const used = process.cpuUsage(cpu);
  rates.push(done / (elapsed / 1000));
  cpuRates.push(done / ((used.user + used.system) / 1e6));
}
process.stdout.write(JSON.stringify({ rates, cpuRates, exploded: model.exploded }));
"""


def make_run(feature_ids) -> Run:
    points = datasets.generate("spiral", 500, 0.0, seed=0)
    return Run(points, feature_ids, (8, 8), ("tanh", "tanh"), Training("sgd", 0.03, 10, Objective()), 0.5, 0)


def numpy_rates(feature_ids, seconds: float, runs: int) -> tuple[list[float], list[float]]:
    """Epochs a second of wall time and of this process's CPU time."""
    rates, cpu_rates = [], []
    for _ in range(runs):
        run = make_run(feature_ids)
        run.train(epochs=20)  # warm-up (buffers)
        started, cpu, before = time.perf_counter(), time.process_time(), run.epoch
        run.train(seconds=seconds)
        rates.append((run.epoch - before) / (time.perf_counter() - started))
        cpu_rates.append((run.epoch - before) / (time.process_time() - cpu))
    return rates, cpu_rates


def node_rates(feature_ids, seconds: float, runs: int) -> list[float]:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("node is not installed: the JavaScript engine cannot be measured")
    run = make_run(feature_ids)
    t = run.training
    job = {
        "spec": network.js_spec(run.architecture, run.network.params, t.optimizer, t.learning_rate, t.batch_size,
                                t.objective, run.seed),
        "train": {"x": run.x_train.ravel().tolist(), "labels": run.y_train.tolist()},
        "test": {"x": run.x_test.ravel().tolist(), "labels": run.y_test.tolist()},
        "seconds": seconds, "runs": runs,
    }
    engine = json.dumps((REPO / "playground" / "boundary" / "web" / "engine.js").as_uri())
    completed = subprocess.run([node, "--input-type=module", "-e", NODE_SCRIPT.replace("ENGINE", engine)],
                               input=json.dumps(job), capture_output=True, text=True, check=True)
    answer = json.loads(completed.stdout)
    return answer["rates"], answer["cpuRates"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    for label, feature_ids in (("preset inputs x1, x2, sin x1, sin x2", ("x1", "x2", "sin1", "sin2")),
                               ("all seven features", tuple(features.names()))):
        js, js_cpu = node_rates(feature_ids, args.seconds, args.runs)
        numpy, numpy_cpu = numpy_rates(feature_ids, min(args.seconds, 1.0), args.runs)
        js_median, numpy_median = statistics.median(js), statistics.median(numpy)
        print(f"8,8 tanh spiral, {label}: epochs a second (median; runs) - of wall time | of CPU time")
        print(f"  engine.js (node)  {js_median:7.0f} ({', '.join(f'{r:.0f}' for r in js)})"
              f" | {statistics.median(js_cpu):7.0f}  target >= {TARGET}: wall {'met' if js_median >= TARGET else 'NOT met'},"
              f" CPU {'met' if statistics.median(js_cpu) >= TARGET else 'NOT met'}")
        print(f"  numpy (Run.train) {numpy_median:7.0f} ({', '.join(f'{r:.0f}' for r in numpy)})"
              f" | {statistics.median(numpy_cpu):7.0f}")
        print(f"  ratio js / numpy  {js_median / numpy_median:7.1f} | {statistics.median(js_cpu) / statistics.median(numpy_cpu):7.1f}")
    print(f"load average {' '.join(f'{v:.1f}' for v in os.getloadavg())} on {os.cpu_count()} CPUs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
