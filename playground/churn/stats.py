"""Statistics of an experiment over seeds, in numpy and math (no scipy).

What a teacher needs to judge a comparison: the mean and standard deviation of a score over
seeds, the 95 % t-interval of that mean, and the paired comparison of two settings trained on
the same seeds (mean paired difference, its interval, the two-sided p-value of the paired
t-test; Wilcoxon's signed-rank test as a check that does not assume normal differences).

Student's t distribution is computed from the regularized incomplete beta function (Lentz's
continued fraction, as in Numerical Recipes 6.4); its quantile by bisection on the CDF.
The tests check both against printed t tables and R's worked examples.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def _values(values: Sequence[float], minimum: int = 2, what: str = "values") -> np.ndarray:
    array = np.asarray(values, dtype=np.float64).ravel()
    if len(array) < minimum:
        raise ValueError(f"At least {minimum} {what} are needed (got {len(array)}).")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"The {what} contain a missing or infinite number.")
    return array


# --------------------------------------------------------------------------------------
# Student's t distribution
# --------------------------------------------------------------------------------------


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (modified Lentz), converging fast for x < (a + 1) / (a + b + 2)."""
    tiny, epsilon = 1e-300, 1e-15
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 1000):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > tiny else tiny)
            c = 1.0 + numerator / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1.0) < epsilon:
            break
    return fraction


def regularized_beta(x: float, a: float, b: float) -> float:
    """I_x(a, b) = B(x; a, b) / B(a, b), for 0 <= x <= 1 and a, b > 0."""
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"x must be between 0 and 1 (got {x}).")
    if x in (0.0, 1.0):
        return x
    log_front = (math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
                 + a * math.log(x) + b * math.log1p(-x))
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    # symmetry I_x(a, b) = 1 - I_{1-x}(b, a) keeps the fraction in its fast region
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def t_cdf(t: float, df: float) -> float:
    """P(T <= t) for Student's t with `df` degrees of freedom: 1 - I_{df/(df+t²)}(df/2, 1/2) / 2 for t > 0."""
    if df <= 0:
        raise ValueError(f"The degrees of freedom must be above 0 (got {df}).")
    if math.isinf(t):
        return 1.0 if t > 0 else 0.0
    tail = 0.5 * regularized_beta(df / (df + t * t), df / 2.0, 0.5)  # P(T > |t|)
    return 1.0 - tail if t > 0 else tail


def t_two_sided_p(t: float, df: float) -> float:
    """P(|T| >= |t|): the two-sided p-value of a t statistic."""
    if math.isinf(t):
        return 0.0
    return min(1.0, regularized_beta(df / (df + t * t), df / 2.0, 0.5))


def t_quantile(probability: float, df: float) -> float:
    """The t with P(T <= t) = probability (bisection on the CDF to ~1e-12)."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"The probability must be strictly between 0 and 1 (got {probability}).")
    if probability == 0.5:
        return 0.0
    if probability < 0.5:
        return -t_quantile(1.0 - probability, df)
    low, high = 0.0, 1.0
    while t_cdf(high, df) < probability:  # heavy tails at df < 1 need a wide bracket
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if t_cdf(middle, df) < probability:
            low = middle
        else:
            high = middle
        if high - low < 1e-12 * max(1.0, high):
            break
    return (low + high) / 2.0


def normal_cdf(z: float) -> float:
    """Standard normal P(Z <= z)."""
    return 0.5 * math.erfc(-z / math.sqrt(2.0))


# --------------------------------------------------------------------------------------
# One setting: mean, SD, interval
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """Mean, sample SD (n - 1) and the 95 % t-interval of the mean of n values."""

    n: int
    mean: float
    std: float
    ci95: tuple[float, float]
    minimum: float
    maximum: float


def mean_interval(values: Sequence[float], level: float = 0.95) -> tuple[float, float]:
    """mean ± t_{(1+level)/2, n-1} · s / √n."""
    array = _values(values)
    half = t_quantile((1 + level) / 2, len(array) - 1) * array.std(ddof=1) / math.sqrt(len(array))
    return float(array.mean() - half), float(array.mean() + half)


def summarize(values: Sequence[float]) -> Summary:
    array = _values(values)
    return Summary(len(array), float(array.mean()), float(array.std(ddof=1)), mean_interval(array),
                   float(array.min()), float(array.max()))


# --------------------------------------------------------------------------------------
# Two settings on the same seeds: paired tests
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paired:
    """Setting minus baseline, seed by seed: d_i = a_i - b_i."""

    n: int
    mean_diff: float
    std_diff: float
    ci95: tuple[float, float]
    t: float
    df: int
    p_value: float  # two-sided, paired t-test
    wilcoxon_p: float  # two-sided, signed-rank test (exact without ties, else normal approximation)


def paired_t(values: Sequence[float], baseline: Sequence[float]) -> Paired:
    """Paired t-test: t = mean(d) / (sd(d) / √n), df = n - 1; interval mean(d) ± t_{0.975} sd(d)/√n.

    When every difference is the same (sd 0) the interval shrinks to that value and p is 0
    (or 1 if that value is 0): no seed-to-seed noise was seen at all.
    """
    a, b = _values(values, what="paired values"), _values(baseline, what="paired values")
    if len(a) != len(b):
        raise ValueError(f"A paired comparison needs one value per seed on both sides (got {len(a)} and {len(b)}).")
    d = a - b
    n, mean, sd = len(d), float(d.mean()), float(d.std(ddof=1))
    if sd == 0.0 or sd < 1e-12 * max(1.0, abs(mean)):
        t = 0.0 if mean == 0 else math.copysign(math.inf, mean)
        ci = (mean, mean)
    else:
        t = mean / (sd / math.sqrt(n))
        ci = mean_interval(d)
    return Paired(n, mean, sd, ci, t, n - 1, t_two_sided_p(t, n - 1) if t != 0 else 1.0, wilcoxon_signed_rank(d))


def _ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n, ties sharing their average rank."""
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(len(values))
    sorted_values = values[order]
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or sorted_values[end] != sorted_values[start]:
            ranks[order[start:end]] = (start + 1 + end) / 2.0
            start = end
    return ranks


def _signed_rank_exact_counts(n: int) -> np.ndarray:
    """How many of the 2^n sign patterns give each rank sum W+ = 0..n(n+1)/2 (ranks 1..n, no ties)."""
    counts = np.zeros(n * (n + 1) // 2 + 1)
    counts[0] = 1.0
    for rank in range(1, n + 1):
        counts[rank:] = counts[rank:] + counts[:-rank].copy()
    return counts


def wilcoxon_signed_rank(differences: Sequence[float]) -> float:
    """Two-sided p of Wilcoxon's signed-rank test on paired differences, like R's wilcox.test.

    Zero differences are dropped (Wilcoxon's convention). Without ties or zeros and n < 50 the
    exact null distribution is used (every sign pattern equally likely); otherwise the normal
    approximation with tie correction and continuity correction.
    """
    d = np.asarray(differences, dtype=np.float64)
    had_zeros = bool(np.any(d == 0))
    d = d[d != 0]
    n = len(d)
    if n == 0:
        return 1.0
    ranks = _ranks(np.abs(d))
    w_plus = float(ranks[d > 0].sum())
    ties = len(np.unique(np.abs(d))) < n
    if n < 50 and not ties and not had_zeros:
        counts = _signed_rank_exact_counts(n)
        total = 2.0 ** n
        low_tail = counts[: int(round(w_plus)) + 1].sum() / total  # P(W+ <= w)
        high_tail = counts[int(round(w_plus)):].sum() / total  # P(W+ >= w)
        return float(min(1.0, 2 * min(low_tail, high_tail)))
    mean = n * (n + 1) / 4.0
    _, tie_sizes = np.unique(ranks, return_counts=True)
    variance = n * (n + 1) * (2 * n + 1) / 24.0 - float(np.sum(tie_sizes ** 3 - tie_sizes)) / 48.0
    if variance <= 0:
        return 1.0
    z = w_plus - mean
    z = (z - math.copysign(0.5, z)) / math.sqrt(variance) if z != 0 else 0.0
    return float(min(1.0, 2 * normal_cdf(-abs(z))))
