"""Loss surfaces of two parameters: formula test functions and one loss computed on data.

Every surface gives `f(x, y)` and `grad(x, y)` (numpy, broadcasting), its `bounds`, its
`minima` and a `default_start`. The data-driven surface ("churn") is the mean binary
cross-entropy of a one-feature logistic regression on the app's churn data; it can also give
the gradient on any subset of rows (`batch_grad`), which is what makes SGD differ from GD.

Pure numpy: no streamlit, no tensorflow.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from playground.i18n import N_, Translate, identity

Array = np.ndarray


@dataclass(frozen=True)
class DataLoss:
    """Rows of a two-parameter model, for gradients on a sampled batch.

    Model: p = sigmoid(w * z + b); loss = mean over rows of the binary cross-entropy.
    """

    z: Array  # the standardised feature, one value per row
    y: Array  # the 0/1 target, one value per row
    feature: str
    target: str

    @property
    def n_rows(self) -> int:
        return int(self.z.size)

    def batch_grad(self, w: Array, b: Array, rows: Array) -> tuple[Array, Array]:
        """Gradient of the mean cross-entropy over `rows` (shape (R, B)) at R points (w, b).

        d/dw = mean((p - y) z), d/db = mean(p - y), with p = sigmoid(w z + b).
        """
        z = self.z[rows]
        residual = _sigmoid(np.asarray(w)[:, None] * z + np.asarray(b)[:, None]) - self.y[rows]
        return (residual * z).mean(axis=1), residual.mean(axis=1)


@dataclass(frozen=True)
class Surface:
    """A loss of two parameters with what the page and the tests need to know about it."""

    key: str
    title: str
    formula: str  # LaTeX
    f: Callable[[Array, Array], Array]
    grad: Callable[[Array, Array], tuple[Array, Array]]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    minima: tuple[tuple[float, float], ...]
    default_start: tuple[float, float]
    lesson: str  # English, marked with N_; `lesson_text` translates it
    log_colour: bool = False  # colour the contour by log(loss - min): for steep walls
    axis_titles: tuple[str, str] = ("x", "y")
    data: DataLoss | None = field(default=None, repr=False)

    def lesson_text(self, _: Translate = identity) -> str:
        """The lesson in the language of `_`, with the data's row count filled in."""
        return _(self.lesson).format(rows=f"{self.data.n_rows:,}" if self.data is not None else "")

    @property
    def min_value(self) -> float:
        """The lowest listed minimum's loss (the global minimum)."""
        return float(min(self.f(np.float64(x), np.float64(y)) for x, y in self.minima))

    def nearest_minimum(self, x: Array, y: Array) -> tuple[Array, Array]:
        """Distance to the nearest listed minimum, and that minimum's index, for each point."""
        minima = np.asarray(self.minima, dtype=float)
        d = np.hypot(np.asarray(x)[..., None] - minima[:, 0], np.asarray(y)[..., None] - minima[:, 1])
        return d.min(axis=-1), d.argmin(axis=-1)

    def grid(self, n: int) -> tuple[Array, Array, Array]:
        """An n x n grid over the bounds: xs (n,), ys (n,), loss (n, n) indexed [y, x]."""
        (x0, x1), (y0, y1) = self.bounds
        xs, ys = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
        return xs, ys, self.f(xs[None, :], ys[:, None])


def _sigmoid(s: Array) -> Array:
    # exp of a negative number never overflows: split by sign.
    e = np.exp(-np.abs(s))
    return np.where(s >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _softplus(s: Array) -> Array:
    """log(1 + e^s), stable for large |s|."""
    return np.maximum(s, 0.0) + np.log1p(np.exp(-np.abs(s)))


# ----------------------------------------------------------------------------------------
# Formula surfaces
# ----------------------------------------------------------------------------------------


def _bowl() -> Surface:
    return Surface(
        key="bowl",
        title=TITLES["bowl"],
        formula=r"f(x, y) = x^2 + y^2",
        f=lambda x, y: x**2 + y**2,
        grad=lambda x, y: (2 * x, 2 * y),
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=((0.0, 0.0),),
        default_start=(-2.5, 2.0),
        lesson=N_("The easy case: the gradient points straight at the minimum. "
        "Gradient descent with learning rate η multiplies the distance by |1 − 2η| each step."),
    )


def _ravine() -> Surface:
    # Curvatures 0.04 along x and 4 along y: condition number 100.
    return Surface(
        key="ravine",
        title=TITLES["ravine"],
        formula=r"f(x, y) = 0.02\,x^2 + 2\,y^2",
        f=lambda x, y: 0.02 * x**2 + 2 * y**2,
        grad=lambda x, y: (0.04 * x, 4 * y),
        bounds=((-8.0, 8.0), (-3.0, 3.0)),
        minima=((0.0, 0.0),),
        default_start=(-7.0, 2.0),
        lesson=N_("Steep across, flat along: a learning rate small enough for the steep direction "
        "crawls along the flat one, a larger one zig-zags. Momentum averages the zig-zag away."),
    )


def _rosenbrock() -> Surface:
    return Surface(
        key="rosenbrock",
        title=TITLES["rosenbrock"],
        formula=r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        f=lambda x, y: (1 - x) ** 2 + 100 * (y - x**2) ** 2,
        grad=lambda x, y: (-2 * (1 - x) - 400 * x * (y - x**2), 200 * (y - x**2)),
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        minima=((1.0, 1.0),),
        default_start=(-1.5, 2.0),
        lesson=N_("Finding the curved valley is easy; following it to the minimum at (1, 1) is slow."),
        log_colour=True,
    )


def _beale_terms(x, y):
    return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


def _beale_f(x, y):
    a, b, c = _beale_terms(x, y)
    return a**2 + b**2 + c**2


def _beale_grad(x, y):
    a, b, c = _beale_terms(x, y)
    gx = 2 * a * (y - 1) + 2 * b * (y**2 - 1) + 2 * c * (y**3 - 1)
    gy = 2 * a * x + 4 * b * x * y + 6 * c * x * y**2
    return gx, gy


def _beale() -> Surface:
    return Surface(
        key="beale",
        title=TITLES["beale"],
        formula=r"f = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2",
        f=_beale_f,
        grad=_beale_grad,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minima=((3.0, 0.5),),
        default_start=(1.0, 1.5),
        lesson=N_("Flat plateaus next to walls thousands of times steeper: adaptive methods "
        "(Adagrad, RMSprop, Adam) rescale each coordinate and cope far better."),
        log_colour=True,
    )


def _himmelblau_f(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


def _himmelblau_grad(x, y):
    a, b = x**2 + y - 11, x + y**2 - 7
    return 4 * a * x + 2 * b, 2 * a + 4 * b * y


def _himmelblau() -> Surface:
    return Surface(
        key="himmelblau",
        title=TITLES["himmelblau"],
        formula=r"f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        f=_himmelblau_f,
        grad=_himmelblau_grad,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=_polish(
            _himmelblau_grad,
            ((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186), (3.584428, -1.848126)),
        ),
        default_start=(0.0, 0.0),
        lesson=N_("Four equally deep minima: where gradient descent ends depends only on where it starts."),
        log_colour=True,
    )


def _rastrigin() -> Surface:
    tau = 2 * np.pi
    return Surface(
        key="rastrigin",
        title=TITLES["rastrigin"],
        formula=r"f(x, y) = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10\cos 2\pi u\right)",
        f=lambda x, y: 20 + x**2 - 10 * np.cos(tau * x) + y**2 - 10 * np.cos(tau * y),
        grad=lambda x, y: (2 * x + 10 * tau * np.sin(tau * x), 2 * y + 10 * tau * np.sin(tau * y)),
        bounds=((-5.12, 5.12), (-5.12, 5.12)),
        minima=((0.0, 0.0),),
        default_start=(3.2, -2.7),
        lesson=N_("An egg box: plain descent stops in the nearest dimple. Noise or momentum may hop out."),
    )


def _saddle() -> Surface:
    # Hessian at the origin is diag(2, -1): a saddle. Minima at (0, +-1), f = -1/4.
    return Surface(
        key="saddle",
        title=TITLES["saddle"],
        formula=r"f(x, y) = x^2 + \tfrac{1}{4}y^4 - \tfrac{1}{2}y^2",
        f=lambda x, y: x**2 + 0.25 * y**4 - 0.5 * y**2,
        grad=lambda x, y: (2 * x, y**3 - y),
        bounds=((-2.5, 2.5), (-2.0, 2.0)),
        minima=((0.0, -1.0), (0.0, 1.0)),
        default_start=(2.0, 0.05),
        lesson=N_("The origin is a saddle: the loss curves up along x but down along y. Started on the ridge y = 0 the exact gradient has no y part and never leaves it; "
        "a little gradient noise does."),
    )


def _camel_f(x, y):
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


def _camel_grad(x, y):
    return 8 * x - 8.4 * x**3 + 2 * x**5 + y, x - 8 * y + 16 * y**3


def _camel() -> Surface:
    return Surface(
        key="camel",
        title=TITLES["camel"],
        formula=r"f = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
        f=_camel_f,
        grad=_camel_grad,
        bounds=((-2.0, 2.0), (-1.1, 1.1)),
        minima=_polish(
            _camel_grad,
            (
                (0.0898, -0.7126), (-0.0898, 0.7126), (-1.7036, 0.7961),
                (1.7036, -0.7961), (-1.6071, -0.5687), (1.6071, 0.5687),
            ),
        ),
        default_start=(-0.8, -1.0),
        lesson=N_("Two global minima (f ≈ −1.03) and four shallower local ones."),
    )


def _two_wells_f(x, y):
    return x**4 / 4 - 1.25 * x**2 + 0.8 * x + y**2


def _two_wells_grad(x, y):
    return x**3 - 2.5 * x + 0.8, 2 * y


def _two_wells() -> Surface:
    # d/dx = x^3 - 2.5 x + 0.8 = 0 at x ~ -1.722 (deep, f ~ -2.89), 0.335 (the ridge, f ~ 0.13)
    # and 1.387 (shallow, f ~ -0.37): a ridge 0.5 above the shallow valley, 3.0 above the deep one.
    return Surface(
        key="two_wells",
        title=TITLES["two_wells"],
        formula=r"f(x, y) = \tfrac{1}{4}x^4 - \tfrac{5}{4}x^2 + 0.8\,x + y^2",
        f=_two_wells_f,
        grad=_two_wells_grad,
        bounds=((-3.0, 3.0), (-2.0, 2.0)),
        minima=_polish(_two_wells_grad, ((-1.72, 0.0), (1.39, 0.0))),
        default_start=(1.8, 1.0),
        lesson=N_("Two valleys split by a low ridge at x ≈ 0.34: a shallow one on the right (f ≈ −0.37) and a "
        "deeper one on the left (f ≈ −2.89). Exact gradient descent started on the right stays on the right."),
    )


def _polish(grad, points, iterations: int = 8) -> tuple[tuple[float, float], ...]:
    """Newton steps on grad = 0 (Hessian by central differences): turns rounded textbook
    coordinates of minima into ones where the gradient is ~1e-12."""
    polished = []
    for x, y in points:
        p = np.array([x, y], dtype=float)
        for _ in range(iterations):
            g = np.array(grad(p[0], p[1]))
            h = 1e-6
            hessian = np.column_stack(
                [(np.array(grad(*(p + h * e))) - np.array(grad(*(p - h * e)))) / (2 * h) for e in np.eye(2)]
            )
            p = p - np.linalg.solve(hessian, g)
        polished.append((float(p[0]), float(p[1])))
    return tuple(polished)


# ----------------------------------------------------------------------------------------
# The data-driven surface
# ----------------------------------------------------------------------------------------

CHURN_FEATURE = "Age"


@functools.lru_cache(maxsize=2)
def _churn_rows(n_rows: int = 10_000, seed: int = 0) -> DataLoss:
    """Standardised Age and Exited from the built-in synthetic churn data (cached: ~0.7 s)."""
    from playground.churn.data import TARGET, synthetic_churn

    frame = synthetic_churn(n_rows=n_rows, seed=seed)
    age = frame[CHURN_FEATURE].to_numpy(dtype=float)
    z = (age - age.mean()) / age.std()
    y = frame[TARGET].to_numpy(dtype=float)
    z.setflags(write=False)
    y.setflags(write=False)
    return DataLoss(z=z, y=y, feature=CHURN_FEATURE, target=TARGET)


def _grouped(data: DataLoss) -> tuple[Array, Array, Array]:
    """Distinct feature values with their row counts and positive counts.

    Age is a whole number, so 10,000 rows hold ~70 distinct z: the full-data loss and gradient
    are sums over those groups, exact and ~100x cheaper on a contour grid.
    """
    values, inverse = np.unique(data.z, return_inverse=True)
    counts = np.bincount(inverse).astype(float)
    positives = np.bincount(inverse, weights=data.y)
    return values, counts, positives


@functools.lru_cache(maxsize=2)
def _churn() -> Surface:
    data = _churn_rows()
    values, counts, positives = _grouped(data)
    n = counts.sum()

    def f(w, b):
        # Mean BCE = (1/N) sum_rows [softplus(s) - y s], s = w z + b, summed per distinct z.
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        s = w[..., None] * values + b[..., None]
        return (counts * _softplus(s) - positives * s).sum(axis=-1) / n

    def grad(w, b):
        w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
        s = w[..., None] * values + b[..., None]
        residual = counts * _sigmoid(s) - positives  # sum over the group's rows of (p - y)
        return (residual * values).sum(axis=-1) / n, residual.sum(axis=-1) / n

    return Surface(
        key="churn",
        title=TITLES["churn"],
        formula=r"L(w, b) = -\frac{1}{N}\sum_{i=1}^{N} \left[y_i \log p_i + (1 - y_i)\log(1 - p_i)\right],"
        r"\quad p_i = \sigma(w\,z_i + b)",
        f=f,
        grad=grad,
        bounds=((-3.0, 4.0), (-4.5, 2.5)),
        minima=_polish(grad, ((0.65, -1.46),)),
        default_start=(-2.5, 1.5),
        lesson=N_("A real loss: how well sigmoid(w·z + b) predicts churn from standardised Age z, over "
        "{rows} customers of the built-in data. GD uses every row for each step; SGD one "
        "sampled row; mini-batch B sampled rows."),
        axis_titles=(N_("weight w"), N_("bias b")),
        data=data,
    )


_FACTORIES: dict[str, Callable[[], Surface]] = {
    "bowl": functools.lru_cache(maxsize=1)(_bowl),
    "ravine": functools.lru_cache(maxsize=1)(_ravine),
    "rosenbrock": functools.lru_cache(maxsize=1)(_rosenbrock),
    "beale": functools.lru_cache(maxsize=1)(_beale),
    "himmelblau": functools.lru_cache(maxsize=1)(_himmelblau),
    "rastrigin": functools.lru_cache(maxsize=1)(_rastrigin),
    "saddle": functools.lru_cache(maxsize=1)(_saddle),
    "camel": functools.lru_cache(maxsize=1)(_camel),
    "two_wells": functools.lru_cache(maxsize=1)(_two_wells),
    "churn": _churn,
}

TITLES = {
    "bowl": N_("Round bowl"),
    "ravine": N_("Elongated valley (ravine)"),
    "rosenbrock": N_("Rosenbrock (banana valley)"),
    "beale": N_("Beale"),
    "himmelblau": N_("Himmelblau (four minima)"),
    "rastrigin": N_("Rastrigin (many local minima)"),
    "saddle": N_("Saddle with two valleys"),
    "camel": N_("Six-hump camel"),
    "two_wells": N_("Two valleys: a shallow and a deep minimum"),
    "churn": N_("Churn data: logistic regression on Age"),
}


def names() -> list[str]:
    """Keys of every surface, in menu order."""
    return list(_FACTORIES)


def get(name: str) -> Surface:
    """The surface called `name` (built once, then cached)."""
    if name not in _FACTORIES:
        raise ValueError(f"Unknown surface {name!r}; choose one of {', '.join(_FACTORIES)}.")
    return _FACTORIES[name]()
