"""The Optimizers page's view state: widget keys with defaults, presets, and parsing the state
into a race. One table (`DEFAULTS`) drives the widgets, the URL and the tests.

Works on any mapping (Streamlit's session_state, a dict in a test): no streamlit import.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, MutableMapping

from playground.i18n import N_
from playground.optimizers import surfaces
from playground.optimizers import rules as optimizers
from playground.optimizers.race import SOURCES, RunSpec

PREFIX = "opt."
MAX_RUNS = 6
LEARNING_RATES = (1e-4, 3e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.5, 1.0, 1.1, 2.0, 5.0, 10.0)
BATCH_SIZES = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
TOLERANCES = (1e-1, 1e-2, 1e-3, 1e-4, 1e-6)
VIEWS = {"contour": N_("Contour (animated)"), "surface": N_("3D surface")}  # URL value -> label


def run_key(run: int, field: str) -> str:
    """Widget key of a run's field, run counted from 1: "opt.r2.lr"."""
    return f"{PREFIX}r{run}.{field}"


# Default runs: one of each family on the default surface.
_DEFAULT_RUNS = (("sgd", "full", 0.001), ("momentum", "full", 0.001), ("rmsprop", "full", 0.01),
                 ("adam", "full", 0.05), ("nesterov", "full", 0.001), ("adagrad", "full", 0.1))

DEFAULTS: dict[str, object] = {
    "opt.surface": "rosenbrock",
    "opt.x0": surfaces.get("rosenbrock").default_start[0],
    "opt.y0": surfaces.get("rosenbrock").default_start[1],
    "opt.steps": 200,
    "opt.batch": 32,
    "opt.noise": 1.0,
    "opt.seed": 0,
    "opt.tol": 1e-3,
    "opt.runs": 4,
    "opt.view": "contour",
    **{
        key: value
        for run, (method, source, lr) in enumerate(_DEFAULT_RUNS, start=1)
        for key, value in {
            run_key(run, "method"): method, run_key(run, "source"): source, run_key(run, "lr"): lr,
            run_key(run, "own"): False, run_key(run, "x"): 0.0, run_key(run, "y"): 0.0,
        }.items()
    },
}


@dataclass(frozen=True)
class Preset:
    title: str  # English, marked with N_; translated where shown
    point: str  # the one thing it shows
    surface: str
    runs: tuple[tuple, ...]  # (method, source, lr) or (method, source, lr, (x, y))
    start: tuple[float, float] | None = None
    steps: int = 200
    noise: float = 1.0
    batch: int = 32


PRESETS: dict[str, Preset] = {
    "gd_sgd": Preset(
        N_("GD vs SGD vs mini-batch"), N_("Same rule, same learning rate: only the gradient differs. GD uses all "
        "10,000 rows per step and glides; SGD uses one sampled row and wanders; a mini-batch of 32 is in between."),
        "churn", (("sgd", "full", 0.5), ("sgd", "single", 0.5), ("sgd", "minibatch", 0.5))),
    "learning_rate": Preset(
        N_("Learning rate: small / right / large"), N_("η = 0.02 crawls, η = 0.2 walks straight in, η = 1.1 "
        "overshoots further each step and diverges (each step multiplies the distance by 1 − 2η)."),
        "bowl", (("sgd", "full", 0.02), ("sgd", "full", 0.2), ("sgd", "full", 1.1)), steps=100),
    "ravine": Preset(
        N_("Momentum through a ravine"), N_("A learning rate near the steep wall's limit zig-zags, a small one "
        "crawls along the floor; momentum averages the zig-zag out and builds speed along the floor."),
        "ravine", (("sgd", "full", 0.45), ("sgd", "full", 0.1), ("momentum", "full", 0.1)), steps=150),
    "himmelblau": Preset(
        N_("Himmelblau: four starts, four minima"), N_("The same gradient descent from four nearby starts ends "
        "in four different minima: where you start decides where you end (the local-minimum problem)."),
        "himmelblau", tuple(("sgd", "full", 0.01, start) for start in ((1.0, 1.0), (-1.0, 1.0), (-1.0, -1.0), (1.0, -1.0)))),
    "saddle": Preset(
        N_("Escaping a saddle"), N_("Started on the ridge y = 0 the exact gradient has no y part: GD slides into "
        "the saddle point and stays. Gradient noise (SGD) tips it into a valley."),
        "saddle", (("sgd", "full", 0.1), ("sgd", "single", 0.1), ("momentum", "single", 0.02)),
        start=(2.0, 0.0), noise=0.5),
    "local_minimum": Preset(
        N_("Escaping a local minimum"), N_("GD and SGD start in the shallow right-hand valley with the same learning "
        "rate η = 0.1. GD follows the exact gradient to the bottom of that valley and stays there, since the gradient "
        "is zero at a local minimum. SGD's gradient carries noise (σ = 3): its kicks sooner or later carry it over "
        "the low ridge into the deeper valley, and from there the ridge is too high to kick it back. The table under "
        "the race counts this over 50 seeds. The claim has limits: with too little noise (σ = 1) SGD stays in the "
        "shallow valley too; with too much (σ = 5) it never settles, jumping about the bottom and now and then back "
        "over the ridge."),
        "two_wells", (("sgd", "full", 0.1), ("sgd", "single", 0.1)), start=(1.8, 1.0), steps=300, noise=3.0),
}


def preset_values(name: str) -> dict[str, object]:
    """Every widget value the preset sets (the rest of the view goes back to its default)."""
    preset = PRESETS[name]
    surface = surfaces.get(preset.surface)
    start = preset.start or surface.default_start
    values = {**DEFAULTS, "opt.surface": preset.surface, "opt.x0": start[0], "opt.y0": start[1],
              "opt.steps": preset.steps, "opt.noise": preset.noise, "opt.batch": preset.batch,
              "opt.runs": len(preset.runs)}
    for run, (method, source, lr, *own) in enumerate(preset.runs, start=1):
        values.update({run_key(run, "method"): method, run_key(run, "source"): source, run_key(run, "lr"): lr,
                       run_key(run, "own"): bool(own)})
        if own:
            values.update({run_key(run, "x"): own[0][0], run_key(run, "y"): own[0][1]})
    return values


def apply_preset(state: MutableMapping, name: str) -> None:
    """Write the preset's values into `state` (an on_click callback, before widgets render)."""
    for key, value in preset_values(name).items():
        state[key] = value


def reset_start(state: MutableMapping) -> None:
    """After a surface change: start from that surface's default start."""
    x, y = surfaces.get(state["opt.surface"]).default_start
    state["opt.x0"], state["opt.y0"] = x, y


def clamp_start(state: MutableMapping) -> None:
    """Keep the start inside the chosen surface's bounds (a URL may carry any numbers)."""
    (x0, x1), (y0, y1) = surfaces.get(state.get("opt.surface", DEFAULTS["opt.surface"])).bounds
    for key, low, high in (("opt.x0", x0, x1), ("opt.y0", y0, y1)):
        if key in state and not low <= float(state[key]) <= high:
            state[key] = float(min(max(float(state[key]), low), high))


def start_from_click(state: MutableMapping, selection: Mapping | None, trace: int) -> bool:
    """Set the start from a click on the contour's transparent grid (trace number `trace`).
    True if it did."""
    points = (selection or {}).get("points") or []
    for point in points:
        if point.get("curve_number") == trace and "x" in point and "y" in point:
            state["opt.x0"], state["opt.y0"] = round(float(point["x"]), 2), round(float(point["y"]), 2)
            return True
    return False


@dataclass(frozen=True)
class View:
    """Everything that defines a race (hashable, so a page can cache on it)."""

    surface: str
    start: tuple[float, float]
    specs: tuple[RunSpec, ...]
    steps: int
    batch: int
    noise: float
    seed: int


def view_from_state(state: Mapping) -> View:
    def get(key):
        return state.get(key, DEFAULTS[key])

    runs = int(get("opt.runs"))
    specs = []
    for run in range(1, runs + 1):
        own = bool(get(run_key(run, "own")))
        specs.append(RunSpec(
            method=get(run_key(run, "method")), learning_rate=float(get(run_key(run, "lr"))),
            source=get(run_key(run, "source")),
            start=(float(get(run_key(run, "x"))), float(get(run_key(run, "y")))) if own else None,
        ))
    return View(
        surface=get("opt.surface"), start=(float(get("opt.x0")), float(get("opt.y0"))), specs=tuple(specs),
        steps=int(get("opt.steps")), batch=int(get("opt.batch")), noise=float(get("opt.noise")),
        seed=int(get("opt.seed")),
    )


def method_options() -> list[str]:
    return optimizers.names()


def source_options() -> list[str]:
    return list(SOURCES)
