"""Classification metrics in numpy, so the threshold slider needs no retraining (and no Keras).

Conventions follow Keras: a customer is predicted to churn when p > threshold (Keras'
``binary_accuracy`` uses ``p > 0.5``); precision, recall and F1 are 0 when undefined.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPSILON = 1e-7  # Keras clips probabilities to [eps, 1 - eps] inside binary cross-entropy


def binary_cross_entropy(y_true, probabilities) -> float:
    """Mean of -[y log p + (1 - y) log(1 - p)], p clipped like Keras."""
    y = np.asarray(y_true, dtype=np.float64)
    # Clip in float32 like Keras (1 - 1e-7 rounds to 1 - 1.19e-7 there), then take logs in float64.
    low, high = np.float32(EPSILON), np.float32(1) - np.float32(EPSILON)
    p = np.clip(np.asarray(probabilities, dtype=np.float32), low, high).astype(np.float64)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def accuracy(y_true, probabilities, threshold: float = 0.5) -> float:
    """Share of customers whose predicted class (p > threshold) matches the truth."""
    y = np.asarray(y_true).astype(int)
    return float(np.mean((np.asarray(probabilities) > threshold).astype(int) == y))


@dataclass(frozen=True)
class Confusion:
    """Counts of a binary confusion matrix (positive = churns)."""

    tn: int
    fp: int
    fn: int
    tp: int

    @property
    def matrix(self) -> np.ndarray:
        """Rows = actual (stays, churns), columns = predicted (stays, churns)."""
        return np.array([[self.tn, self.fp], [self.fn, self.tp]])

    @property
    def total(self) -> int:
        return self.tn + self.fp + self.fn + self.tp

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / self.total if self.total else 0.0

    @property
    def precision(self) -> float:
        """tp / (tp + fp): of the customers flagged, how many really churn."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn): of the customers who churn, how many are flagged."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        """Harmonic mean 2 P R / (P + R)."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def confusion(y_true, probabilities, threshold: float = 0.5) -> Confusion:
    """Confusion counts at a decision threshold (churn predicted when p > threshold)."""
    y = np.asarray(y_true).astype(int)
    predicted = (np.asarray(probabilities) > threshold).astype(int)
    return Confusion(
        tn=int(np.sum((y == 0) & (predicted == 0))),
        fp=int(np.sum((y == 0) & (predicted == 1))),
        fn=int(np.sum((y == 1) & (predicted == 0))),
        tp=int(np.sum((y == 1) & (predicted == 1))),
    )


def roc_curve(y_true, probabilities) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False- and true-positive rates at every distinct score, from (0, 0) to (1, 1).

    Sorting the scores from high to low and lowering the threshold past each distinct score
    adds that score's positives to tp and its negatives to fp.
    """
    y = np.asarray(y_true).astype(int)
    scores = np.asarray(probabilities, dtype=np.float64)
    # the order within a run of equal scores does not matter (a run counts as one step of the
    # curve), so the default quicksort does: ~4x faster than a stable sort on 8,000 scores
    order = np.argsort(-scores)
    scores, y = scores[order], y[order]
    last_of_each_score = np.r_[np.flatnonzero(np.diff(scores)), len(scores) - 1]
    tps = np.cumsum(y)[last_of_each_score]
    fps = (last_of_each_score + 1) - tps
    positives, negatives = max(int(y.sum()), 1), max(int(len(y) - y.sum()), 1)
    fpr = np.r_[0.0, fps / negatives]
    tpr = np.r_[0.0, tps / positives]
    thresholds = np.r_[np.inf, scores[last_of_each_score]]
    return fpr, tpr, thresholds


def auc(y_true, probabilities) -> float:
    """Area under the ROC curve by the trapezoid rule (exact for the empirical curve)."""
    fpr, tpr, _ = roc_curve(y_true, probabilities)
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2))


def majority_baseline(y_true) -> float:
    """Accuracy of always predicting the more common class."""
    y = np.asarray(y_true).astype(int)
    share = float(np.mean(y)) if len(y) else 0.0
    return max(share, 1 - share)


def ranking_scores(y_true, probabilities, threshold: float = 0.5) -> dict[str, float]:
    """AUC, precision and recall: what the training curves add to the engine's own loss and accuracy."""
    counts = confusion(y_true, probabilities, threshold)
    return {"auc": auc(y_true, probabilities), "precision": counts.precision, "recall": counts.recall}


def summary(y_true, probabilities, threshold: float = 0.5) -> dict[str, float]:
    """Every headline number at once (for the run table and the CLI)."""
    counts = confusion(y_true, probabilities, threshold)
    return {
        "accuracy": counts.accuracy,
        "loss": binary_cross_entropy(y_true, probabilities),
        "auc": auc(y_true, probabilities),
        "precision": counts.precision,
        "recall": counts.recall,
        "f1": counts.f1,
    }
