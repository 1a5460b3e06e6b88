"""The 2-D data sets: the TensorFlow Playground's four classification and two regression sets,
two more (moons, three blobs), and points a student draws or uploads.

Every generator takes (number of points, noise share 0..0.5, numpy Generator) and returns
`Points`: coordinates within -6..6 and labels (class numbers 0, 1, 2 or regression targets in
-1..1). `generate(name, ...)` is seeded; `parse_csv` reads `x1,x2,label` files with one clear
message per problem; `to_csv` writes them back.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from playground.i18n import N_, UserError

VIEW = 6.0  # every point lies within -VIEW..VIEW on both axes (the Playground's extent)
MIN_POINTS, MAX_POINTS, DEFAULT_POINTS = 100, 2000, 500
MAX_NOISE = 0.5
MAX_UPLOAD_BYTES = 2_000_000
MAX_UPLOAD_ROWS = 5000


class DataError(UserError):
    """A data file or setting a student can fix; the message says what and where (a page shows
    `error.translate(_)`: the file's own values stay as they are)."""


@dataclass(frozen=True)
class Points:
    """Points in the plane with their labels. `classes` is 2 or 3, or 0 for regression."""

    xy: np.ndarray  # (n, 2) float
    labels: np.ndarray  # (n,) float: class numbers, or targets for regression
    classes: int

    @property
    def is_regression(self) -> bool:
        return self.classes == 0

    def __len__(self) -> int:
        return len(self.labels)

    def add(self, x: float, y: float, label: float) -> "Points":
        """A copy with one more point (a drawn one). A label 2 makes a two-class set three-class."""
        classes = self.classes if self.is_regression else max(self.classes, int(label) + 1, 2)
        return Points(np.vstack([self.xy, [[x, y]]]), np.append(self.labels, float(label)), classes)

    def without_last(self) -> "Points":
        return Points(self.xy[:-1], self.labels[:-1], self.classes)


def empty(classes: int = 2) -> Points:
    return Points(np.zeros((0, 2)), np.zeros(0), classes)


@dataclass(frozen=True)
class DataSet:
    name: str
    title: str
    classes: int  # 0 for regression
    make: Callable[[int, float, np.random.Generator], tuple[np.ndarray, np.ndarray]] = field(repr=False)
    note: str = ""


def _uniform(rng, low, high, size):
    return rng.uniform(low, high, size)


def _circle(n, noise, rng):
    # Playground: label 1 inside radius 2.5, points drawn at r in 0..2.5 (inside) and 3.5..5
    # (outside); the label is decided at the point moved by noise, so noise flips labels.
    radius = 5.0
    half = n // 2
    r = np.concatenate([rng.uniform(0, radius * 0.5, half), rng.uniform(radius * 0.7, radius, n - half)])
    angle = rng.uniform(0, 2 * math.pi, n)
    xy = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
    shifted = xy + rng.uniform(-radius, radius, (n, 2)) * noise
    labels = (np.hypot(shifted[:, 0], shifted[:, 1]) < radius * 0.5).astype(float)
    return xy, labels


def _xor(n, noise, rng):
    xy = rng.uniform(-5, 5, (n, 2))
    xy += np.where(xy > 0, 0.3, -0.3)  # padding keeps points off the axes
    shifted = xy + rng.uniform(-5, 5, (n, 2)) * noise
    labels = (shifted[:, 0] * shifted[:, 1] >= 0).astype(float)
    return xy, labels


def _gauss(n, noise, rng):
    variance = 0.5 + noise / MAX_NOISE * 3.5  # Playground: noise 0..0.5 -> variance 0.5..4
    half = n // 2
    centres = np.array([[2.0, 2.0]] * half + [[-2.0, -2.0]] * (n - half))
    xy = centres + rng.normal(0, math.sqrt(variance), (n, 2))
    labels = np.array([1.0] * half + [0.0] * (n - half))
    return np.clip(xy, -VIEW, VIEW), labels


def _spiral(n, noise, rng):
    half = n // 2
    xy, labels = [], []
    for count, delta, label in ((half, 0.0, 1.0), (n - half, math.pi, 0.0)):
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * math.pi + delta
        points = np.column_stack([r * np.sin(t), r * np.cos(t)]) + rng.uniform(-1, 1, (count, 2)) * noise
        xy.append(points)
        labels.append(np.full(count, label))
    return np.vstack(xy), np.concatenate(labels)


def _moons(n, noise, rng):
    # Two interleaving half circles (as scikit-learn's make_moons), scaled by 3 into the view.
    half = n // 2
    upper = rng.uniform(0, math.pi, half)
    lower = rng.uniform(0, math.pi, n - half)
    xy = np.vstack([np.column_stack([np.cos(upper), np.sin(upper)]),
                    np.column_stack([1 - np.cos(lower), 0.5 - np.sin(lower)])])
    xy = (xy - [0.5, 0.25]) * 3.0 + rng.normal(0, 1, (n, 2)) * noise * 2
    labels = np.array([0.0] * half + [1.0] * (n - half))
    return np.clip(xy, -VIEW, VIEW), labels


def _blobs3(n, noise, rng):
    angles = np.radians([90.0, 210.0, 330.0])
    centres = 3.0 * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = np.arange(n) % 3
    spread = math.sqrt(0.3 + noise / MAX_NOISE * 2.7)
    xy = centres[labels] + rng.normal(0, spread, (n, 2))
    return np.clip(xy, -VIEW, VIEW), labels.astype(float)


def _regression_inputs(n, noise, rng):
    xy = rng.uniform(-VIEW, VIEW, (n, 2))
    return xy, xy + rng.uniform(-VIEW, VIEW, (n, 2)) * noise


def _reg_plane(n, noise, rng):
    xy, shifted = _regression_inputs(n, noise, rng)
    return xy, np.clip((shifted[:, 0] + shifted[:, 1]) / 10.0, -1.0, 1.0)  # Playground: x+y in -10..10 -> -1..1


_GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]])


def _reg_gauss(n, noise, rng):
    xy, shifted = _regression_inputs(n, noise, rng)
    distance = np.hypot(shifted[:, None, 0] - _GAUSSIANS[:, 0], shifted[:, None, 1] - _GAUSSIANS[:, 1])
    values = _GAUSSIANS[:, 2] * np.clip(1.0 - distance / 2.0, 0.0, 1.0)  # 1 at a centre, 0 beyond 2
    strongest = np.argmax(np.abs(values), axis=1)  # the bump that is largest in absolute value
    return xy, values[np.arange(n), strongest]


DATASETS: dict[str, DataSet] = {d.name: d for d in (
    DataSet("circle", N_("Circle"), 2, _circle, N_("One class inside a circle, the other in a ring around it.")),
    DataSet("xor", N_("Exclusive or (XOR)"), 2, _xor, N_("Blue where x1 and x2 have the same sign.")),
    DataSet("gauss", N_("Two Gaussians"), 2, _gauss, N_("Two clouds; a straight line splits them.")),
    DataSet("spiral", N_("Spiral"), 2, _spiral, N_("Two interleaved spirals: the hardest of the four.")),
    DataSet("moons", N_("Two moons"), 2, _moons, N_("Two interleaving half circles.")),
    DataSet("blobs3", N_("Three blobs (3 classes)"), 3, _blobs3, N_("Three clouds, three classes: softmax output.")),
    DataSet("reg_plane", N_("Regression: plane"), 0, _reg_plane, N_("Target (x1 + x2) / 10: a tilted plane.")),
    DataSet("reg_gauss", N_("Regression: six bumps"), 0, _reg_gauss, N_("Target: six bumps of +1 and -1.")),
)}


def names() -> list[str]:
    return list(DATASETS)


def get(name: str) -> DataSet:
    if name not in DATASETS:
        raise DataError(f"Unknown data set {name!r}; choose one of {', '.join(DATASETS)}.")
    return DATASETS[name]


def generate(name: str, points: int = DEFAULT_POINTS, noise: float = 0.0, seed: int = 0) -> Points:
    """`points` points of data set `name` with noise share `noise` (0..0.5), seeded."""
    data_set = get(name)
    if not MIN_POINTS <= points <= MAX_POINTS:
        raise DataError(f"The number of points must be between {MIN_POINTS} and {MAX_POINTS:,}; got {points}.")
    if not 0.0 <= noise <= MAX_NOISE:
        raise DataError(f"Noise must be between 0 and {MAX_NOISE:.0%}; got {noise:g}.")
    xy, labels = data_set.make(int(points), float(noise), np.random.default_rng(seed))
    return Points(np.asarray(xy, dtype=float), np.asarray(labels, dtype=float), data_set.classes)


def split(points: Points, train_share: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Seeded (train, test) index arrays; the train share is 0.1..0.9. Each part keeps >= 1 point
    when there are at least two."""
    if not 0.1 <= train_share <= 0.9:
        raise DataError(f"The training share must be between 10 % and 90 %; got {train_share:.0%}.")
    n = len(points)
    order = np.random.default_rng(seed + 7919).permutation(n)
    n_train = int(round(n * train_share))
    if n >= 2:
        n_train = min(max(n_train, 1), n - 1)
    return np.sort(order[:n_train]), np.sort(order[n_train:])


# ----------------------------------------------------------------------------------------------
# CSV in and out

CSV_COLUMNS = ("x1", "x2", "label")


def to_csv(points: Points) -> str:
    lines = [",".join(CSV_COLUMNS)]
    for (x, y), label in zip(points.xy, points.labels):
        label_text = f"{int(label)}" if not points.is_regression else f"{label:.6g}"
        lines.append(f"{x:.6g},{y:.6g},{label_text}")
    return "\n".join(lines) + "\n"


def _cell_number(text: str, row: int, column: str) -> float:
    where = dict(row=row, line=row + 1, column=column)
    if text.strip() == "":
        raise DataError(N_("row {row} (line {line} of the file), column {column} is empty; every row needs x1, x2 "
                           "and a label."), **where)
    try:
        value = float(text)
    except ValueError:
        raise DataError(N_("row {row} (line {line} of the file), column {column} is {value}, which is not a number."),
                        **where, value=repr(text.strip()[:30])) from None
    if not math.isfinite(value):
        raise DataError(N_("row {row} (line {line} of the file), column {column} is {value}; only finite numbers are "
                           "allowed."), **where, value=repr(text.strip()))
    return value


def parse_csv(data: bytes | str) -> Points:
    """Points from a CSV with a header `x1,x2,label` (extra columns are ignored).

    Labels that are all 0/1 (or -1/1, the Playground's convention) make two classes, 0/1/2 three
    classes; any other numbers are regression targets, scaled into -1..1. The points are centred
    and scaled (same factor on both axes) into the view -6..6. Raises DataError naming the row and
    column of the first problem.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_UPLOAD_BYTES:
            raise DataError(N_("The file is {size} MB; at most {most} MB ({points} points) is allowed."),
                            size=f"{len(data) / 1e6:.1f}", most=f"{MAX_UPLOAD_BYTES / 1e6:.0f}",
                            points=f"{MAX_UPLOAD_ROWS:,}")
        if b"\x00" in data[:4096]:
            raise DataError(N_("This is not a text CSV file (it contains binary data). Save it as CSV and try again."))
        data = data.decode("utf-8-sig", errors="replace")
    lines = [line for line in io.StringIO(data).read().splitlines()]
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or not lines[0].strip():
        raise DataError(N_("The file is empty: it needs a header row x1,x2,label and one row per point."))
    header = [cell.strip().lower() for cell in lines[0].split(",")]
    if len(header) == 1 and (";" in lines[0] or "\t" in lines[0]):
        raise DataError(N_("The columns are separated by semicolons or tabs; use commas (x1,x2,label)."))
    missing = [column for column in CSV_COLUMNS if column not in header]
    if missing:
        raise DataError(N_("Missing columns {missing} in the header row (found: {found}). The file needs the columns "
                           "x1,x2,label.") if len(missing) > 1 else
                        N_("Missing column {missing} in the header row (found: {found}). The file needs the columns "
                           "x1,x2,label."), missing=", ".join(missing), found=", ".join(header))
    where = [header.index(column) for column in CSV_COLUMNS]
    rows = lines[1:]
    if not rows:
        raise DataError(N_("The file has a header row but no points."))
    if len(rows) > MAX_UPLOAD_ROWS:
        raise DataError(N_("The file has {count} points; at most {most} are allowed."), count=f"{len(rows):,}",
                        most=f"{MAX_UPLOAD_ROWS:,}")
    values = np.empty((len(rows), 3))
    for number, line in enumerate(rows, start=1):
        cells = line.split(",")
        if len(cells) < len(header):
            raise DataError(N_("row {row} (line {line} of the file) has {count} values; the header has {columns} "
                               "columns."), row=number, line=number + 1, count=len(cells), columns=len(header))
        for slot, (column, index) in enumerate(zip(CSV_COLUMNS, where)):
            values[number - 1, slot] = _cell_number(cells[index], number, column)
    if len(values) < 2:
        raise DataError(N_("The file has only one point; at least two are needed (one to train, one to test)."))
    return _scaled_points(values[:, :2], values[:, 2])


def _scaled_points(xy: np.ndarray, labels: np.ndarray) -> Points:
    centre = (xy.max(axis=0) + xy.min(axis=0)) / 2
    half_width = np.abs(xy - centre).max()
    scale = (VIEW * 0.95) / half_width if half_width > 0 else 1.0
    xy = (xy - centre) * scale
    distinct = set(np.unique(labels).tolist())
    if distinct <= {0.0, 1.0} or distinct == {-1.0, 1.0}:
        return Points(xy, (labels > 0).astype(float), 2)
    if distinct <= {0.0, 1.0, 2.0}:
        return Points(xy, labels.astype(float), 3)
    biggest = np.abs(labels).max()
    return Points(xy, labels / biggest if biggest > 1 else labels.copy(), 0)
