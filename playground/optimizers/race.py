"""Race several optimizer runs over one loss surface, all runs advanced together with numpy.

A run is (update rule, gradient source, learning rate[, own start]). The gradient source is
what separates GD from SGD:

- "full": the exact gradient (on the churn surface: over all rows) - gradient descent;
- "minibatch": on the churn surface the mean over B rows drawn without replacement (reshuffled
  after each pass over the data); on a formula surface the exact gradient plus seeded Gaussian
  noise of standard deviation sigma / sqrt(B), like the mean of B noisy samples;
- "single": the same with B = 1 - stochastic gradient descent.

Every run with the same batch size sees the same sampled rows (or noise) for a given seed, so a
race compares update rules, not luck. A run that leaves the finite numbers, or goes more than two
widths of the plot beyond its bounds, is stopped and the step recorded; its path then stays at
its last good point, so nothing non-finite ever reaches a figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from playground.i18n import N_, Translate, identity
from playground.optimizers import rules as optimizers
from playground.optimizers.surfaces import Surface

SOURCES = {  # id -> English label (translated where shown)
    "full": N_("full batch (GD)"),
    "minibatch": N_("mini-batch"),
    "single": N_("single sample (SGD)"),
}
FAR_WIDTHS = 2.0  # a run more than this many plot widths outside the bounds has diverged


@dataclass(frozen=True)
class RunSpec:
    """One contestant."""

    method: str
    learning_rate: float
    source: str = "full"
    start: tuple[float, float] | None = None  # None: the race's shared start

    def __post_init__(self):
        optimizers.make(self.method)  # raises a clear ValueError for an unknown rule
        if self.source not in SOURCES:
            raise ValueError(f"Unknown gradient source {self.source!r}; choose one of {', '.join(SOURCES)}.")
        if not (np.isfinite(self.learning_rate) and self.learning_rate > 0):
            raise ValueError(f"The learning rate must be a positive number, not {self.learning_rate}.")

    def batch(self, batch_size: int) -> int | None:
        """Rows (or noisy samples) per gradient: None for the full batch."""
        return {"full": None, "single": 1, "minibatch": int(batch_size)}[self.source]

    def source_label(self, batch_size: int, _: Translate = identity) -> str:
        if self.source == "minibatch":
            return _("mini-batch {size}").format(size=batch_size)
        return _(SOURCES[self.source])

    def label(self, batch_size: int, _: Translate = identity) -> str:
        return f"{_(optimizers.label(self.method))}, η={self.learning_rate:g}, {self.source_label(batch_size, _)}"


@dataclass
class RaceResult:
    """Everything a race produced, per run r and step t (t = 0 is the start)."""

    surface: Surface
    specs: tuple[RunSpec, ...]
    steps: int
    batch_size: int
    noise: float
    seed: int
    paths: np.ndarray  # (R, steps + 1, 2)
    losses: np.ndarray  # (R, steps + 1)
    grads: np.ndarray  # (R, steps, 2): the gradient used by step t is grads[:, t - 1]
    full_grads: np.ndarray  # (R, steps, 2): the exact gradient at the same points
    states: list[dict[str, np.ndarray]] = field(repr=False)  # per run: name -> (steps + 1, 2)
    stopped_at: np.ndarray = None  # (R,) step at which the run diverged, 0 if it never did

    @property
    def labels(self) -> list[str]:
        return self.run_labels()

    def run_labels(self, _: Translate = identity) -> list[str]:
        """One legend label per run, in the language of `_`."""
        return [spec.label(self.batch_size, _) for spec in self.specs]

    def diverged(self) -> list[int]:
        return [r for r in range(len(self.specs)) if self.stopped_at[r]]

    def summary(self, tolerance: float, _: Translate = identity) -> list[dict]:
        """One row per run: final loss, distance to the nearest minimum, steps to reach
        loss - min <= tolerance, and the step where it diverged. Column names and labels in
        the language of `_` (the keys below are the English msgids)."""
        gaps = self.losses - self.surface.min_value
        distance, nearest = self.surface.nearest_minimum(self.paths[:, -1, 0], self.paths[:, -1, 1])
        rows = []
        for r, spec in enumerate(self.specs):
            reached = np.flatnonzero(gaps[r] <= tolerance)
            rows.append({
                _("run"): r + 1,
                _("method"): _(optimizers.label(spec.method)),
                _("gradient"): spec.source_label(self.batch_size, _),
                _("learning rate"): spec.learning_rate,
                _("final loss"): float(self.losses[r, -1]),
                _("distance to nearest minimum"): float(distance[r]),
                _("nearest minimum"): tuple(round(v, 3) for v in self.surface.minima[int(nearest[r])]),
                _("steps to tolerance"): int(reached[0]) if reached.size else None,
                _("diverged at step"): int(self.stopped_at[r]) or None,
            })
        return rows

    def explain(self, run: int, step: int, _: Translate = identity) -> list[str]:
        """LaTeX lines for step `step` (1-based) of run `run` (0-based), or [] after a stop."""
        if not 1 <= step <= self.steps or (self.stopped_at[run] and step >= self.stopped_at[run]):
            return []
        spec = self.specs[run]
        optimizer = optimizers.make(spec.method, spec.learning_rate)
        before = {name: values[step - 1] for name, values in self.states[run].items()}
        after = {name: values[step] for name, values in self.states[run].items()}
        lines = optimizer.explain(step, self.grads[run, step - 1], self.paths[run, step - 1],
                                  self.paths[run, step], before, after, _)
        if spec.source != "full":
            exact = optimizers._vec(self.full_grads[run, step - 1])
            words = _("(sampled; the full-batch gradient here is")
            lines.insert(1, rf"\text{{{words} }} \nabla L = {exact}\text{{)}}")
        return lines


def _far_outside(surface: Surface, points: np.ndarray) -> np.ndarray:
    (x0, x1), (y0, y1) = surface.bounds
    wx, wy = (x1 - x0) * FAR_WIDTHS, (y1 - y0) * FAR_WIDTHS
    x, y = points[:, 0], points[:, 1]
    return (x < x0 - wx) | (x > x1 + wx) | (y < y0 - wy) | (y > y1 + wy)


def _row_schedule(n_rows: int, batch: int, steps: int, seed: int) -> np.ndarray:
    """(steps, batch) row indices: passes over a fresh permutation of the rows, one after another."""
    rng = np.random.default_rng([seed, batch])
    needed = steps * batch
    passes = -(-needed // n_rows)
    order = rng.permuted(np.broadcast_to(np.arange(n_rows), (passes, n_rows)), axis=1)  # each row a new pass
    return order.reshape(-1)[:needed].reshape(steps, batch)


def race(
    surface: Surface,
    specs: list[RunSpec] | tuple[RunSpec, ...],
    start: tuple[float, float],
    steps: int,
    batch_size: int = 32,
    noise: float = 1.0,
    seed: int = 0,
    run_seeds: tuple[int, ...] | None = None,
) -> RaceResult:
    """Run every spec for `steps` steps from `start` (or its own start); see the module doc.

    `run_seeds` (formula surfaces only): a seed per run instead of `seed` for all, so many seeds of
    one race run at once (playground.optimizers.endings); each run's noise is then the noise it
    has in a race with its own seed."""
    specs = tuple(specs)
    if not specs:
        raise ValueError("Choose at least one run.")
    if run_seeds is not None and (surface.data is not None or len(run_seeds) != len(specs)):
        raise ValueError("A seed per run needs a formula surface and one seed for each run.")
    if steps < 1:
        raise ValueError("Run at least one step.")
    if batch_size < 1:
        raise ValueError("The batch size must be at least 1.")
    n_runs = len(specs)
    params = np.array([spec.start or start for spec in specs], dtype=float)
    paths = np.empty((n_runs, steps + 1, 2))
    paths[:, 0] = params
    grads = np.zeros((n_runs, steps, 2))
    full_grads = np.zeros((n_runs, steps, 2))
    stopped_at = np.zeros(n_runs, dtype=int)
    batches = [spec.batch(batch_size) for spec in specs]
    data = surface.data
    if data is not None:
        # A "batch" of every row is the full data set: the same gradient, computed the same way.
        batches = [None if b is not None and b >= data.n_rows else b for b in batches]

    # Sampling tables, drawn up front from the seed: rows for data, Gaussian noise for formulas.
    schedules = {}
    noise_table = np.zeros((n_runs, steps, 2))
    for r, b in enumerate(batches):
        if b is None:
            continue
        if data is not None:
            if b not in schedules:
                schedules[b] = _row_schedule(data.n_rows, b, steps, seed)
        else:
            rng = np.random.default_rng([seed if run_seeds is None else run_seeds[r], b])
            noise_table[r] = rng.standard_normal((steps, 2)) * noise / np.sqrt(b)

    # One optimizer per rule, advancing all of that rule's runs at once (learning rate per row).
    groups: dict[str, list[int]] = {}
    for r, spec in enumerate(specs):
        groups.setdefault(spec.method, []).append(r)
    rules = {
        method: (np.array(rows), optimizers.make(method, np.array([[specs[r].learning_rate] for r in rows])))
        for method, rows in groups.items()
    }
    # Optimizer state per rule: name -> (runs of that rule, steps + 1, 2); index 0 = before step 1.
    group_states = {}
    for method, (rows, optimizer) in rules.items():
        initial = optimizer.initial_state(params[rows])
        group_states[method] = {name: np.empty((len(rows), steps + 1, 2)) for name in initial}
        for name, value in initial.items():
            group_states[method][name][:, 0] = value

    data_runs = {b: [r for r in range(n_runs) if batches[r] == b] for b in schedules}
    with np.errstate(all="ignore"):
        for t in range(steps):
            gx, gy = surface.grad(params[:, 0], params[:, 1])
            exact = np.column_stack([gx, gy])
            g = exact + noise_table[:, t]
            for b, schedule in schedules.items():
                runs = data_runs[b]
                rows_t = np.broadcast_to(schedule[t], (len(runs), b))
                bx, by = data.batch_grad(params[runs, 0], params[runs, 1], rows_t)
                g[runs] = np.column_stack([bx, by])
            running = stopped_at == 0
            new = params.copy()
            for method, (rows, optimizer) in rules.items():
                moving = running[rows][:, None]
                new[rows] = np.where(moving, optimizer.step(params[rows], g[rows]), params[rows])
                for name, record in group_states[method].items():
                    record[:, t + 1] = np.where(moving, optimizer._state[name], record[:, t])
            bad = running & (~np.isfinite(new).all(axis=1) | _far_outside(surface, new))
            stopped_at[bad] = t + 1
            new[bad] = params[bad]  # a stopped run stays at its last good point
            grads[:, t] = np.where(running[:, None], g, 0.0)
            full_grads[:, t] = np.where(running[:, None], exact, 0.0)
            params = new
            paths[:, t + 1] = params
    states = [dict() for _ in specs]
    for method, (rows, _) in rules.items():
        for i, r in enumerate(rows):
            states[r] = {name: record[i] for name, record in group_states[method].items()}
    losses = surface.f(paths[..., 0], paths[..., 1])
    return RaceResult(
        surface=surface, specs=specs, steps=steps, batch_size=batch_size, noise=noise, seed=seed,
        paths=paths, losses=losses, grads=grads, full_grads=full_grads, states=states, stopped_at=stopped_at,
    )
