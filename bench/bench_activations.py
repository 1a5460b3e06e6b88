"""Server-side rerun time of the Activations page with every function selected (AppTest).

Usage: .venv/bin/python bench/bench_activations.py [--repeats 15]

Prints, for the same process and machine:
- baseline: a rerun of the Home page (the cheapest page; everything below is a ratio of it);
- default view: the page as it opens (3 functions);
- all functions, warm: all 16 selected, unchanged widgets (what a rerun costs when the caches
  for the properties table and the vanishing experiment are hit: e.g. moving x0);
- all functions, cold: the same after st.cache_data.clear() (worst case: a new parameter value
  or depth recomputes every property row and every 50-layer gradient flow);
- the pure engine pieces, without Streamlit.
Columns: wall-clock median/min/max, median as a multiple of the Home rerun, and the median CPU
time of this process (less disturbed than wall time when other jobs share the machine).
Target (issue 3): median under 150 ms for the all-functions rerun on the 2-core machine.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("PLAYGROUND_WARMUP", "0")

import streamlit as st  # noqa: E402

from apptest_utils import open_page  # noqa: E402
from playground.activations import vanishing  # noqa: E402
from playground.activations import figures as activation_figures  # noqa: E402
from playground.activations import functions as activations  # noqa: E402

PAGE = "pages/activations.py"


CPU_TIMES: list[float] = []  # process CPU seconds of the last time_it call, per repeat


def time_it(function, repeats: int) -> list[float]:
    """Wall-clock seconds per call; the process's CPU seconds go to CPU_TIMES.

    CPU time is much less disturbed by other work on a shared machine than wall time.
    """
    times = []
    CPU_TIMES.clear()
    for _ in range(repeats):
        started, cpu_started = time.perf_counter(), time.process_time()
        function()
        times.append(time.perf_counter() - started)
        CPU_TIMES.append(time.process_time() - cpu_started)
    return times


def report(label: str, times: list[float], baseline: float | None) -> None:
    median = statistics.median(times)
    ratio = f"{median / baseline:>9.2f}" if baseline else f"{'':>9}"
    cpu = statistics.median(CPU_TIMES)
    print(f"{label:<44}{median * 1000:>10.1f}{min(times) * 1000:>10.1f}{max(times) * 1000:>10.1f}{ratio}{cpu * 1000:>10.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    n = args.repeats
    print(f"{'measurement (ms)':<44}{'median':>10}{'min':>10}{'max':>10}{'x home':>9}{'cpu med':>10}")

    home = open_page("pages/home.py")
    home.run()
    baseline_times = time_it(home.run, n)
    baseline = statistics.median(baseline_times)
    report("home page rerun (baseline)", baseline_times, None)

    default = open_page(PAGE)
    default.run()
    report("activations, default view (3 functions)", time_it(default.run, n), baseline)

    everything = open_page(PAGE, query_params={"act.fns": activations.names(), "act.depth": "50"})
    assert not everything.exception, [e.value for e in everything.exception]
    everything.run()
    report("activations, all 16 functions, warm caches", time_it(everything.run, n), baseline)

    alphas = iter([0.1 + 0.01 * i for i in range(10 * n)])

    def move_one_parameter():
        everything.slider(key="act.leaky_relu.alpha").set_value(next(alphas)).run()

    report("activations, all 16, move one parameter", time_it(move_one_parameter, n), baseline)

    def cold():
        st.cache_data.clear()
        everything.run()

    report("activations, all 16 functions, cold caches", time_it(cold, max(3, n // 3)), baseline)

    chosen = {name: {} for name in activations.names()}
    report("  engine: curves + function figure (16)",
           time_it(lambda: activation_figures.function_figure(activation_figures.curves(chosen, (-6, 6), 1.0)), n),
           baseline)  # fmt: skip
    report("  engine: properties table (16 rows)", time_it(lambda: activation_figures.properties_table(chosen), n),
           baseline)  # fmt: skip
    report("  engine: vanishing flows, depth 50 (16)",
           time_it(lambda: [vanishing.gradient_flow(name, depth=50) for name in chosen], max(3, n // 3)),
           baseline)  # fmt: skip
    print(f"(load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; other work on the machine inflates these)")


if __name__ == "__main__":
    main()
