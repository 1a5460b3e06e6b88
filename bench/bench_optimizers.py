"""Optimizers page: runner time, animation JSON size, the count over 50 seeds, and the page's server-side rerun time.

Usage: .venv/bin/python bench/bench_optimizers.py [--repeats 5]
Baselines measured in the same process: the runner against one plain-GD run of the same length,
the figure against the 2 MB budget, the page rerun against the Home page's rerun.
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

from apptest_utils import open_page  # noqa: E402
from playground.optimizers import endings, race, surfaces  # noqa: E402
from playground.optimizers import figures as optimizer_figures  # noqa: E402
from playground.optimizers import rules as optimizers  # noqa: E402
from playground.optimizers.race import RunSpec  # noqa: E402

BUDGET = 2_000_000


def timed(function, repeats):
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        value = function()
        times.append(time.perf_counter() - started)
    return statistics.median(times), min(times), value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (other work makes timings noisy)")

    print("\nRunner: every method at once, 1,000 steps (median / min of", args.repeats, "runs)")
    baseline = None
    print(f"{'surface':<12}{'runs':>6}{'source':>12}{'median ms':>11}{'min ms':>9}{'x 1 GD run':>12}")
    for name in ("rosenbrock", "churn"):
        surface = surfaces.get(name)
        one, *_ = timed(lambda: race.race(surface, [RunSpec("sgd", 0.001)], surface.default_start, 1000), args.repeats)
        baseline = one
        for source in ("full", "minibatch"):
            specs = [RunSpec(m, optimizers.default_learning_rate(m), source) for m in optimizers.names()]
            median, best, _ = timed(lambda: race.race(surface, specs, surface.default_start, 1000, batch_size=32),
                                    args.repeats)
            print(f"{name:<12}{len(specs):>6}{source:>12}{median * 1e3:>11.1f}{best * 1e3:>9.1f}{median / baseline:>12.1f}")

    print("\nAnimated contour figure JSON (budget 2 MB for 4 runs x 200 steps)")
    print(f"{'runs x steps':<14}{'frames':>8}{'JSON KB':>10}{'x budget':>10}{'build ms':>10}")
    surface = surfaces.get("rosenbrock")
    for runs, steps in ((4, 200), (6, 200), (4, 1000)):
        specs = [RunSpec(m, optimizers.default_learning_rate(m) * 5, "single") for m in optimizers.names()[:runs]]
        result = race.race(surface, specs, surface.default_start, steps)
        median, _, fig = timed(lambda: optimizer_figures.race_contour(surface, result), 3)
        size = optimizer_figures.json_size(fig)
        print(f"{f'{runs} x {steps}':<14}{len(fig.frames):>8}{size / 1e3:>10.0f}{size / BUDGET:>10.2f}{median * 1e3:>10.0f}")

    print("\nWhere runs end over 50 seeds (camel, every other method, 6 runs): all seeds in one race against")
    print("one race per seed (the same paths), and against one race of the view")
    print(f"{'steps':<8}{'one race ms':>12}{'50 in one ms':>14}{'x one race':>12}{'50 races ms':>13}{'speed-up':>10}")
    surface = surfaces.get("camel")
    specs = [RunSpec(m, optimizers.default_learning_rate(m), source)
             for m, source in zip(optimizers.names()[:6], ("full", "single", "minibatch") * 2)]
    for steps in (200, 1000):
        one, *_ = timed(lambda: race.race(surface, specs, surface.default_start, steps), args.repeats)
        wide, *_ = timed(lambda: endings.over_seeds(surface, specs, surface.default_start, steps), args.repeats)
        apart, *_ = timed(lambda: [race.race(surface, specs, surface.default_start, steps, seed=seed)
                                   for seed in endings.SEEDS], 1)
        print(f"{steps:<8}{one * 1e3:>12.1f}{wide * 1e3:>14.1f}{wide / one:>12.1f}{apart * 1e3:>13.0f}{apart / wide:>10.1f}")

    print("\nServer-side rerun (AppTest, same widget values, so race and figures come from the cache)")
    rows = []
    for script in ("pages/home.py", "pages/optimizers.py"):
        at = open_page(script, timeout=300)
        median, best, _ = timed(at.run, args.repeats)
        rows.append((script, median, best))
    home = rows[0][1]
    print(f"{'page':<24}{'median ms':>11}{'min ms':>9}{'x home':>9}")
    for script, median, best in rows:
        print(f"{script:<24}{median * 1e3:>11.1f}{best * 1e3:>9.1f}{median / home:>9.1f}")

    # A changed view: the race and figures are rebuilt (cache miss).
    at = open_page("pages/optimizers.py", timeout=300)
    misses = []
    for seed in range(1, args.repeats + 1):
        at.number_input(key="opt.seed").set_value(seed)
        at.selectbox(key="opt.r1.source").set_value("single")
        started = time.perf_counter()
        at.run()
        misses.append(time.perf_counter() - started)
    median = statistics.median(misses)
    print(f"{'optimizers, new view':<24}{median * 1e3:>11.1f}{min(misses) * 1e3:>9.1f}{median / home:>9.1f}")


if __name__ == "__main__":
    main()
