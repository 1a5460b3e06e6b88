"""The seven input features of the TensorFlow Playground, one registry for widgets, URL and engine.

`matrix(xy, ids)` turns points (n, 2) into the network's input columns, in registry order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class Feature:
    name: str
    title: str  # as the page shows it
    fn: Callable[[np.ndarray, np.ndarray], np.ndarray]
    keras_expression: str  # the same column in the exported script (x1, x2 are numpy arrays)


FEATURES: dict[str, Feature] = {f.name: f for f in (
    Feature("x1", "x₁", lambda x1, x2: x1, "x1"),
    Feature("x2", "x₂", lambda x1, x2: x2, "x2"),
    Feature("x1sq", "x₁²", lambda x1, x2: x1 * x1, "x1 ** 2"),
    Feature("x2sq", "x₂²", lambda x1, x2: x2 * x2, "x2 ** 2"),
    Feature("x1x2", "x₁·x₂", lambda x1, x2: x1 * x2, "x1 * x2"),
    Feature("sin1", "sin(x₁)", lambda x1, x2: np.sin(x1), "np.sin(x1)"),
    Feature("sin2", "sin(x₂)", lambda x1, x2: np.sin(x2), "np.sin(x2)"),
)}
DEFAULT = ("x1", "x2")


def names() -> list[str]:
    return list(FEATURES)


def check(ids) -> tuple[str, ...]:
    """The ids in registry order; a ValueError names an unknown one or an empty choice."""
    ids = list(ids)
    unknown = [i for i in ids if i not in FEATURES]
    if unknown:
        raise ValueError(f"Unknown feature {', '.join(unknown)}; choose from {', '.join(FEATURES)}.")
    if not ids:
        raise ValueError("Choose at least one input feature.")
    return tuple(name for name in FEATURES if name in ids)


def matrix(xy: np.ndarray, ids) -> np.ndarray:
    """The input columns for `ids` (registry order), shape (n, len(ids))."""
    xy = np.asarray(xy, dtype=float)
    x1, x2 = xy[:, 0], xy[:, 1]
    return np.column_stack([FEATURES[name].fn(x1, x2) for name in check(ids)]) if len(xy) else np.zeros((0, len(check(ids))))
