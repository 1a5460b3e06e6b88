"""Server-side run time of each page (AppTest), with the Home page as the baseline.

Usage: .venv/bin/python bench/bench_pages.py [--repeats 7]
Prints the median and min of a full rerun for every page of the catalog.
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
from playground import catalog  # noqa: E402


def time_reruns(script: str, repeats: int) -> list[float]:
    at = open_page(script, timeout=300)
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    baseline = None
    print(f"{'page':<22}{'median ms':>12}{'min ms':>10}{'x home':>10}")
    for page in catalog.PAGES:
        times = time_reruns(page.script, args.repeats)
        median = statistics.median(times)
        baseline = baseline or median
        print(f"{page.title:<22}{median * 1000:>12.1f}{min(times) * 1000:>10.1f}{median / baseline:>10.2f}")


if __name__ == "__main__":
    main()
