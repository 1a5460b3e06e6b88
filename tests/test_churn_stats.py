"""playground.churn.stats: Student's t against printed tables, paired tests against R's worked examples."""

import itertools
import math

import numpy as np
import pytest

from playground.churn import stats

# Student's t quantiles t_{p, df} as printed in standard tables (and R's qt).
T_TABLE = [
    (0.975, 1, 12.706205), (0.975, 2, 4.302653), (0.975, 9, 2.262157), (0.975, 29, 2.045230),
    (0.975, 19, 2.093024), (0.95, 5, 2.015048), (0.995, 10, 3.169273), (0.975, 1000, 1.962339),
]


@pytest.mark.parametrize("probability, df, expected", T_TABLE)
def test_t_quantile_matches_the_table(probability, df, expected):
    assert stats.t_quantile(probability, df) == pytest.approx(expected, abs=2e-6)
    assert stats.t_cdf(expected, df) == pytest.approx(probability, abs=1e-7)
    assert stats.t_quantile(1 - probability, df) == pytest.approx(-expected, abs=2e-6)  # symmetry


def test_two_sided_p_values_match_known_values():
    assert stats.t_two_sided_p(2.0, 10) == pytest.approx(0.07339, abs=5e-6)
    assert stats.t_two_sided_p(-2.0, 10) == pytest.approx(0.07339, abs=5e-6)
    assert stats.t_two_sided_p(0.0, 5) == pytest.approx(1.0)
    # df = 1 is the Cauchy distribution: P(T <= t) = 1/2 + atan(t) / pi
    for t in (-3.0, -0.4, 0.7, 5.0):
        assert stats.t_cdf(t, 1) == pytest.approx(0.5 + math.atan(t) / math.pi, abs=1e-12)
    # df = 2 has a closed form too: P(T <= t) = 1/2 + t / (2 sqrt(2 + t^2))
    for t in (-2.5, 0.3, 4.0):
        assert stats.t_cdf(t, 2) == pytest.approx(0.5 + t / (2 * math.sqrt(2 + t * t)), abs=1e-12)
    # large df tends to the normal distribution
    assert stats.t_cdf(1.959964, 1e7) == pytest.approx(0.975, abs=1e-6)


def test_regularized_beta_against_closed_forms():
    for x in (0.1, 0.5, 0.93):
        assert stats.regularized_beta(x, 1, 1) == pytest.approx(x)  # uniform
        assert stats.regularized_beta(x, 2, 1) == pytest.approx(x ** 2)
        assert stats.regularized_beta(x, 1, 3) == pytest.approx(1 - (1 - x) ** 3)
    with pytest.raises(ValueError, match="between 0 and 1"):
        stats.regularized_beta(1.5, 1, 1)


# R's worked example of the paired t-test: Student's sleep data (Cushny & Peebles), extra hours of
# sleep of 10 patients under two drugs. `t.test(extra ~ group, data = sleep, paired = TRUE)` prints
# t = -4.0621, df = 9, p-value = 0.002833, 95 percent CI -2.4598858 -0.7001142, mean difference -1.58;
# `wilcox.test(..., paired = TRUE)` prints V = 0, p-value = 0.009091 (ties and a zero: normal approximation).
SLEEP_DRUG_1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0]
SLEEP_DRUG_2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4]


def test_paired_t_matches_rs_sleep_example():
    result = stats.paired_t(SLEEP_DRUG_1, SLEEP_DRUG_2)
    assert result.n == 10 and result.df == 9
    assert result.mean_diff == pytest.approx(-1.58)
    assert result.t == pytest.approx(-4.0621, abs=5e-5)
    assert result.p_value == pytest.approx(0.002833, abs=5e-7)
    assert result.ci95 == pytest.approx((-2.4598858, -0.7001142), abs=1e-7)
    assert result.wilcoxon_p == pytest.approx(0.009091, abs=5e-7)


def test_wilcoxon_exact_p_equals_counting_every_sign_pattern():
    rng = np.random.default_rng(3)
    for n in (4, 7, 10):
        differences = rng.normal(0.3, 1.0, n)
        ranks = np.argsort(np.argsort(np.abs(differences))) + 1
        observed = ranks[differences > 0].sum()
        sums = [sum(r for r, sign in zip(ranks, signs) if sign) for signs in itertools.product([0, 1], repeat=n)]
        expected = 2 * min(np.mean([s <= observed for s in sums]), np.mean([s >= observed for s in sums]))
        assert stats.wilcoxon_signed_rank(differences) == pytest.approx(min(expected, 1.0), abs=1e-12)
    # all 10 differences positive: only 1 of 1024 patterns is as extreme on each side
    assert stats.wilcoxon_signed_rank(np.arange(1, 11) * 0.1) == pytest.approx(2 / 1024)


def test_summary_and_interval_by_hand():
    values = [0.8245, 0.824, 0.8605]  # the three single runs of the tutorial recipe in the issue
    summary = stats.summarize(values)
    mean, sd = np.mean(values), np.std(values, ddof=1)
    assert summary.mean == pytest.approx(mean) and summary.std == pytest.approx(sd)
    half = 4.302653 * sd / math.sqrt(3)
    assert summary.ci95 == pytest.approx((mean - half, mean + half), abs=1e-6)
    assert (summary.minimum, summary.maximum) == (0.824, 0.8605)


def test_degenerate_and_bad_input_gives_clear_errors_or_exact_answers():
    same = stats.paired_t([0.8, 0.81, 0.82], [0.79, 0.80, 0.81])  # every difference is 0.01
    assert same.ci95 == pytest.approx((0.01, 0.01)) and same.p_value == 0.0
    equal = stats.paired_t([0.8, 0.81], [0.8, 0.81])
    assert equal.mean_diff == 0 and equal.p_value == 1.0 and equal.wilcoxon_p == 1.0
    with pytest.raises(ValueError, match="At least 2"):
        stats.summarize([0.8])
    with pytest.raises(ValueError, match="one value per seed"):
        stats.paired_t([0.8, 0.81, 0.82], [0.8, 0.81])
    with pytest.raises(ValueError, match="missing or infinite"):
        stats.summarize([0.8, float("nan")])
    with pytest.raises(ValueError, match="strictly between"):
        stats.t_quantile(1.0, 5)
