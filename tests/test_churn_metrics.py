"""playground.churn.metrics (numpy) against keras.metrics / keras.losses and a brute-force AUC."""

import numpy as np
import pytest

from playground.churn import metrics

keras = pytest.importorskip("keras")


@pytest.fixture(scope="module")
def scores():
    rng = np.random.default_rng(3)
    y = (rng.random(600) < 0.2).astype("float32")
    # informative but imperfect scores, with some exact ties (rounded) and extremes
    p = np.clip(1 / (1 + np.exp(-(2.0 * y - 1.0 + rng.normal(0, 1.2, y.size)))), 0, 1)
    p = np.round(p, 2).astype("float32")
    p[:3] = [0.0, 1.0, 0.5]
    return y, p


def keras_value(metric, y, p):
    metric.update_state(y[:, None], p[:, None])
    return np.asarray(metric.result())


@pytest.mark.parametrize("threshold", [0.1, 0.3, 0.5, 0.62, 0.9])
def test_confusion_counts_precision_recall_f1_match_keras(scores, threshold):
    y, p = scores
    counts = metrics.confusion(y, p, threshold)
    assert counts.tp == keras_value(keras.metrics.TruePositives(thresholds=threshold), y, p)
    assert counts.fp == keras_value(keras.metrics.FalsePositives(thresholds=threshold), y, p)
    assert counts.tn == keras_value(keras.metrics.TrueNegatives(thresholds=threshold), y, p)
    assert counts.fn == keras_value(keras.metrics.FalseNegatives(thresholds=threshold), y, p)
    assert counts.precision == pytest.approx(keras_value(keras.metrics.Precision(thresholds=threshold), y, p), abs=1e-6)
    assert counts.recall == pytest.approx(keras_value(keras.metrics.Recall(thresholds=threshold), y, p), abs=1e-6)
    f1 = keras_value(keras.metrics.F1Score(threshold=threshold), y, p)
    assert counts.f1 == pytest.approx(float(np.ravel(f1)[0]), abs=1e-5)
    accuracy = keras_value(keras.metrics.BinaryAccuracy(threshold=threshold), y, p)
    assert counts.accuracy == pytest.approx(accuracy, abs=1e-6)
    assert metrics.accuracy(y, p, threshold) == pytest.approx(accuracy, abs=1e-6)


def test_binary_cross_entropy_matches_keras(scores):
    y, p = scores  # includes p = 0 and p = 1: both clip at 1e-7 like Keras
    expected = float(keras.losses.BinaryCrossentropy()(y[:, None], p[:, None]))
    assert metrics.binary_cross_entropy(y, p) == pytest.approx(expected, rel=1e-5)


def test_auc_is_the_rank_probability_and_matches_keras(scores):
    y, p = scores
    positives, negatives = p[y == 1], p[y == 0]
    # P(score of a random churner > score of a random stayer), ties counting half (Mann-Whitney)
    pairs = positives[:, None] - negatives[None, :]
    brute_force = float(np.mean((pairs > 0) + 0.5 * (pairs == 0)))
    assert metrics.auc(y, p) == pytest.approx(brute_force, abs=1e-12)
    keras_auc = keras_value(keras.metrics.AUC(num_thresholds=5001), y, p)
    assert metrics.auc(y, p) == pytest.approx(float(keras_auc), abs=2e-3)


def test_roc_points_are_the_confusion_rates_at_each_threshold(scores):
    y, p = scores
    fpr, tpr, thresholds = metrics.roc_curve(y, p)
    assert (fpr[0], tpr[0], fpr[-1], tpr[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert np.all(np.diff(fpr) >= 0) and np.all(np.diff(tpr) >= 0)
    for point in range(1, len(thresholds), 7):
        # flagging every score >= t is the same as p > (the next lower distinct score)
        counts = metrics.confusion(y, p, np.nextafter(thresholds[point], -np.inf))
        assert fpr[point] == pytest.approx(counts.fp / (counts.fp + counts.tn))
        assert tpr[point] == pytest.approx(counts.tp / (counts.tp + counts.fn))


def test_perfect_and_useless_scores():
    y = np.array([0, 0, 1, 1])
    assert metrics.auc(y, [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert metrics.auc(y, [0.5, 0.5, 0.5, 0.5]) == 0.5
    counts = metrics.confusion(y, [0.1, 0.2, 0.3, 0.4], 0.5)  # nobody flagged
    assert (counts.precision, counts.recall, counts.f1) == (0.0, 0.0, 0.0)


def test_majority_baseline_and_summary(scores):
    y, p = scores
    assert metrics.majority_baseline(y) == pytest.approx(1 - y.mean())
    assert metrics.majority_baseline([1, 1, 1, 0]) == 0.75
    summary = metrics.summary(y, p, 0.4)
    counts = metrics.confusion(y, p, 0.4)
    assert summary["f1"] == counts.f1 and summary["accuracy"] == counts.accuracy
    assert summary["auc"] == metrics.auc(y, p)
