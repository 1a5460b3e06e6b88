"""Where runs end, counted over many seeds: which listed minimum's valley each run finishes in.

One race shows one draw of the gradient noise; whether SGD "escapes" a shallow minimum is a
statement about how often it does. `over_seeds` runs the same race for every seed and sorts
each run's end point into the valley (basin of attraction) of a listed minimum, found by
letting the point roll downhill on the exact gradient (`settle`) - a point just past a ridge
belongs to the far valley even when it is still nearer the near minimum.

Pure numpy: no streamlit, no tensorflow.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.i18n import Translate, identity
from playground.optimizers import race as racing
from playground.optimizers.surfaces import Surface

SEEDS = tuple(range(50))  # the first 50 values of the page's "Random seed"
ELSEWHERE = -1  # a run that diverged, or ended in no listed minimum's valley


def has_shallow_minimum(surface: Surface) -> bool:
    """A formula surface whose listed minima are not all equally deep (a deepest one and others)."""
    depths = [float(surface.f(np.float64(x), np.float64(y))) for x, y in surface.minima]
    return surface.data is None and len(depths) > 1 and max(depths) - min(depths) > 1e-6


def settle(surface: Surface, points: np.ndarray, steps: int = 4000, rate: float = 0.01,
           longest: float = 0.05, within: float = 1e-3) -> np.ndarray:
    """Index of the listed minimum whose valley each point (shape (..., 2)) lies in, else ELSEWHERE.

    Gradient descent on the exact gradient with a small rate and a step capped at `longest`
    (a steep wall cannot throw a point over a ridge); a point that is not within `within` of a
    listed minimum afterwards (a saddle, an unlisted minimum, outside the surface) is ELSEWHERE.
    """
    p = np.array(points, dtype=float).reshape(-1, 2)
    finite = np.isfinite(p).all(axis=1)
    p[~finite] = 0.0
    with np.errstate(all="ignore"):
        for done in range(steps):
            gx, gy = surface.grad(p[:, 0], p[:, 1])
            step = rate * np.column_stack([gx, gy])
            length = np.hypot(step[:, 0], step[:, 1])
            p -= step * np.minimum(1.0, longest / np.maximum(length, 1e-300))[:, None]
            if done % 100 == 99 and not np.nanmax(length, initial=0.0) > 1e-12:
                break  # every point has stopped moving
    distance, nearest = surface.nearest_minimum(p[:, 0], p[:, 1])
    found = np.where(finite & (distance <= within), nearest, ELSEWHERE)
    return found.reshape(np.shape(points)[:-1])


@dataclass(frozen=True)
class Endings:
    """ends[r, s]: the minimum run r ended in with seeds[s] (index into surface.minima, or ELSEWHERE)."""

    surface: Surface
    specs: tuple[racing.RunSpec, ...]
    batch_size: int
    seeds: tuple[int, ...]
    ends: np.ndarray

    @property
    def deepest(self) -> int:
        """Index of the deepest listed minimum."""
        return int(np.argmin([self.surface.f(np.float64(x), np.float64(y)) for x, y in self.surface.minima]))

    def count(self, run: int, where: str) -> int:
        """Seeds in which run `run` (0-based) ended "deepest", in a "shallower" minimum, or "elsewhere"."""
        ends = self.ends[run]
        if where == "deepest":
            return int(np.sum(ends == self.deepest))
        if where == "shallower":
            return int(np.sum((ends != self.deepest) & (ends != ELSEWHERE)))
        if where == "elsewhere":
            return int(np.sum(ends == ELSEWHERE))
        raise ValueError(f"Unknown ending {where!r}; choose deepest, shallower or elsewhere.")

    def rows(self, _: Translate = identity) -> list[dict]:
        """One row per run for the page's table (column names in the language of `_`)."""
        return [{
            _("run"): r + 1,
            _("run settings"): spec.label(self.batch_size, _),
            _("in the deepest minimum"): self.count(r, "deepest"),
            _("in a shallower minimum"): self.count(r, "shallower"),
            _("elsewhere (diverged or not settled)"): self.count(r, "elsewhere"),
        } for r, spec in enumerate(self.specs)]


def over_seeds(surface: Surface, specs, start: tuple[float, float], steps: int, batch_size: int = 32,
               noise: float = 1.0, seeds=SEEDS) -> Endings:
    """Race `specs` once per seed and sort every run's end point into a minimum's valley.

    All seeds run as one race of len(specs) x len(seeds) runs, each with its own seed (the same
    paths as one race per seed, ~50x fewer numpy calls). A run that diverged is ELSEWHERE,
    whatever its last good point.
    """
    specs, seeds = tuple(specs), tuple(int(seed) for seed in seeds)
    wide = racing.race(surface, [spec for spec in specs for _seed in seeds], start, steps, batch_size, noise,
                       run_seeds=seeds * len(specs))  # row r * len(seeds) + s: run r with seeds[s]
    shape = (len(specs), len(seeds))
    finals = wide.paths[:, -1].reshape(*shape, 2)
    ends = np.where((wide.stopped_at > 0).reshape(shape), ELSEWHERE, settle(surface, finals))
    return Endings(surface=surface, specs=specs, batch_size=batch_size, seeds=seeds, ends=ends)
