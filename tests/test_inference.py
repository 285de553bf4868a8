"""Tests for hoo_metrics.metrics.inference: reference values from textbooks and hand computation."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, stats
from scipy.stats.contingency import odds_ratio

from hoo_metrics.metrics.inference import (
    CHI_SQUARE,
    FISHER,
    FISHER_FREEMAN_HALTON,
    KRUSKAL_WALLIS,
    MANN_WHITNEY,
    WELCH,
    benjamini_hochberg,
    compare_means,
    compare_proportions,
    contingency_test,
    mean_interval,
    mean_interval_from_stats,
    wilson_interval,
)


def hand_fisher_2x2(a: int, b: int, c: int, d: int) -> float:
    """Two-sided Fisher p: sum of hypergeometric probabilities <= that of the observed table."""
    r1, c1, n = a + b, a + c, a + b + c + d

    def prob(x: int) -> float:
        return math.comb(c1, x) * math.comb(n - c1, r1 - x) / math.comb(n, r1)

    support = range(max(0, r1 + c1 - n), min(r1, c1) + 1)
    p_obs = prob(a)
    return sum(prob(x) for x in support if prob(x) <= p_obs * (1 + 1e-7))


def hand_ffh_2xc(top: list[int], bottom: list[int]) -> float:
    """Two-sided Fisher-Freeman-Halton p by brute-force enumeration with math.comb."""
    cols = [t + b for t, b in zip(top, bottom, strict=True)]
    r1, n = sum(top), sum(cols)

    def prob(xs) -> float:
        return math.prod(math.comb(c, x) for c, x in zip(cols, xs, strict=True)) / math.comb(n, r1)

    p_obs = prob(top)
    total = 0.0
    for xs in itertools.product(*(range(c + 1) for c in cols)):
        if sum(xs) == r1 and prob(xs) <= p_obs * (1 + 1e-7):
            total += prob(xs)
    return total


# ---- Wilson ------------------------------------------------------------------------------------
def test_wilson_by_hand():
    # 5 of 10, z = 1.959964: centre = (0.5 + z²/20)/(1 + z²/10) = 0.5;
    # half = z/(1 + 0.384146) * sqrt(0.025 + 0.009604) = 1.415997 * 0.186022 = 0.263407
    low, high = wilson_interval(5, 10)
    assert low == pytest.approx(0.5 - 0.263407, abs=1e-5)
    assert high == pytest.approx(0.5 + 0.263407, abs=1e-5)
    assert isinstance(low, float)


def test_wilson_vectorised_and_edges():
    # Newcombe 1998 table I: 0/10 -> 0 to 0.2775; 10/10 -> 0.7225 to 1; n = 0 -> NaN
    low, high = wilson_interval(np.array([0, 10, 0]), np.array([10, 10, 0]))
    assert low[0] == 0.0 and high[0] == pytest.approx(0.2775, abs=1e-4)
    assert low[1] == pytest.approx(0.7225, abs=1e-4) and high[1] == 1.0
    assert np.isnan(low[2]) and np.isnan(high[2])


@settings(deadline=None)  # a loaded machine must not fail a property test
@given(
    st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=20),
    st.sampled_from([0.8, 0.9, 0.95, 0.99]),
)
def test_wilson_properties(pairs, confidence):
    n = np.array([max(a, b) for a, b in pairs])
    x = np.array([min(a, b) for a, b in pairs])
    low, high = wilson_interval(x, n, confidence)
    ok = n > 0
    assert np.all(np.isnan(low[~ok]))
    p = x[ok] / n[ok]
    assert np.all((low[ok] >= 0) & (high[ok] <= 1))
    assert np.all((low[ok] <= p + 1e-12) & (p <= high[ok] + 1e-12))


# ---- means -------------------------------------------------------------------------------------
def test_mean_interval_by_hand():
    # values 1, 2, 3: mean 2, sd 1, n 3; t(0.975, 2) = 4.302653 -> 2 ± 4.302653/sqrt(3) = ± 2.484138
    low, high = mean_interval([1, 2, 3, np.nan])
    assert (low, high) == pytest.approx((2 - 2.484138, 2 + 2.484138), abs=1e-6)


@pytest.mark.parametrize("values", [[], [4.0], [np.nan, 3.0]])
def test_mean_interval_too_few(values):
    assert all(np.isnan(mean_interval(values)))


def test_mean_interval_from_stats_vectorised():
    low, high = mean_interval_from_stats(
        np.array([2.0, 5.0]), np.array([1.0, 2.0]), np.array([3, 1])
    )
    assert low[0] == pytest.approx(2 - 2.484138, abs=1e-6)
    assert np.isnan(low[1]) and np.isnan(high[1])


# ---- Benjamini-Hochberg ------------------------------------------------------------------------
def test_benjamini_hochberg_by_hand_nan_in_place():
    # m = 3 non-NaN p: sorted 0.01, 0.03, 0.04 -> 0.01*3/1 = 0.03, 0.03*3/2 = 0.045, 0.04*3/3 = 0.04
    # step-up minimum from the top: 0.03, min(0.045, 0.04) = 0.04, 0.04
    q = benjamini_hochberg([0.01, np.nan, 0.04, 0.03])
    assert np.isnan(q[1])
    assert q[[0, 2, 3]] == pytest.approx([0.03, 0.04, 0.04])
    assert benjamini_hochberg([np.nan]).shape == (1,)


# ---- proportions -------------------------------------------------------------------------------
# Newcombe (1998) Statistics in Medicine 17:873-890, table II, method 10 (hybrid score)
NEWCOMBE = [
    (56, 70, 48, 80, 0.0524, 0.3339),
    (9, 10, 3, 10, 0.1705, 0.8090),
    (6, 7, 2, 7, 0.0582, 0.8062),
    (5, 56, 0, 29, -0.0381, 0.1926),
    (0, 10, 0, 20, -0.1611, 0.2775),
    (0, 10, 0, 10, -0.2775, 0.2775),
    (10, 10, 0, 20, 0.6791, 1.0000),
    (10, 10, 0, 10, 0.6075, 1.0000),
]


@pytest.mark.parametrize(("a", "n1", "b", "n2", "low", "high"), NEWCOMBE)
def test_newcombe_hybrid_score(a, n1, b, n2, low, high):
    res = compare_proportions([a, b], [n1, n2], ["x", "y"])
    assert res.risk_difference == pytest.approx(a / n1 - b / n2)
    assert res.risk_difference_ci() == pytest.approx((low, high), abs=5e-5)
    assert res.confidence_interval() == res.risk_difference_ci()


@pytest.mark.parametrize(("a", "n1", "b", "n2"), [(6, 7, 2, 7), (8, 10, 1, 6), (56, 70, 48, 80)])
def test_fisher_two_groups_matches_hand_sum(a, n1, b, n2):
    # e.g. [[6, 1], [2, 5]]: p(x) = C(8,x)C(6,7-x)/C(14,7); hand sum of p <= p(6) = 0.1026
    res = compare_proportions([a, b], [n1, n2], ["x", "y"])
    assert res.test == FISHER
    assert res.pvalue == pytest.approx(hand_fisher_2x2(a, n1 - a, b, n2 - b), rel=1e-9)
    assert res.groups == ("x", "y") and res.successes == (a, b) and res.totals == (n1, n2)


def test_fisher_textbook():
    # the lady tasting tea, [[3, 1], [1, 3]]: (1 + 16 + 16 + 1)/70 = 34/70 = 0.4857
    assert compare_proportions([3, 1], [4, 4]).pvalue == pytest.approx(34 / 70)


def test_odds_ratio_conditional_by_root_finding():
    # Independent computation: the conditional MLE solves E[X; psi] = a under Fisher's noncentral
    # hypergeometric; the exact 95 % bounds solve P(X >= a; lo) = 0.025 and P(X <= a; hi) = 0.025.
    a, n1, b, n2 = 8, 10, 1, 6
    m, n, big_n = n1 + n2, a + b, n1  # population, successes, draws (row 1)
    dist = stats.nchypergeom_fisher

    def mean_eq(psi):
        return dist.mean(m, n, big_n, psi) - a

    mle = optimize.brentq(mean_eq, 1e-6, 1e6)
    lo = optimize.brentq(lambda psi: dist.sf(a - 1, m, n, big_n, psi) - 0.025, 1e-6, 1e6)
    hi = optimize.brentq(lambda psi: dist.cdf(a, m, n, big_n, psi) - 0.025, 1e-6, 1e6)
    res = compare_proportions([a, b], [n1, n2])
    assert res.odds_ratio == pytest.approx(mle, rel=1e-4)
    assert res.odds_ratio_ci() == pytest.approx((lo, hi), rel=1e-4)


@pytest.mark.parametrize(
    "table", [[[8, 2], [1, 5]], [[56, 14], [48, 32]], [[5, 51], [0, 29]], [[0, 5], [3, 2]]]
)
def test_odds_ratio_ci_same_as_scipy(table):
    # the log-space implementation must give scipy's (slow) conditional interval
    (a, b), (c, d) = table
    ref = odds_ratio(np.array(table), kind="conditional").confidence_interval(0.95)
    res = compare_proportions([a, c], [a + b, c + d])
    assert res.odds_ratio_ci() == pytest.approx((ref.low, ref.high), rel=1e-9)


def test_odds_ratio_ci_large_table_is_fast_and_near_woolf():
    # 2 x 32,000: the exact interval approaches Woolf's log(OR) ± z sqrt(1/a + 1/b + 1/c + 1/d)
    a, b, c, d = 12800, 19200, 12700, 19200
    res = compare_proportions([a, c], [a + b, c + d])
    log_or = math.log(a * d / (b * c))
    half = 1.959964 * math.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    woolf = (math.exp(log_or - half), math.exp(log_or + half))
    assert res.odds_ratio_ci() == pytest.approx(woolf, rel=1e-3)


def test_chi_square_more_groups_by_hand():
    # successes 1, 2, 3 of 5, 5, 4 (6 of 14): expected successes 2.142857, 2.142857, 1.714286,
    # failures 2.857143, 2.857143, 2.285714; (o-e)²/e: 0.609524 + 0.009524 + 0.964286
    # + 0.457143 + 0.007143 + 0.723214 = 2.770833
    x, n = np.array([1, 2, 3]), np.array([5, 5, 4])
    obs = np.column_stack([x, n - x]).astype(float)
    exp = np.outer(n, obs.sum(axis=0)) / n.sum()
    chi2 = ((obs - exp) ** 2 / exp).sum()
    assert chi2 == pytest.approx(2.770833, abs=1e-6)
    res = compare_proportions(x, n, ["a", "b", "c"])
    assert res.test == CHI_SQUARE
    assert res.statistic == pytest.approx(chi2)
    assert res.pvalue == pytest.approx(math.exp(-chi2 / 2))  # chi2 with 2 df: P = exp(-x/2)
    assert np.isnan(res.risk_difference) and np.isnan(res.odds_ratio)
    assert all(np.isnan(res.risk_difference_ci())) and all(np.isnan(res.odds_ratio_ci()))


@pytest.mark.parametrize(
    ("successes", "totals", "test", "p"),
    [
        ([0, 0, 0], [5, 5, 4], CHI_SQUARE, None),  # nobody: a column of zeros -> undefined
        ([4, 5, 4], [4, 5, 4], CHI_SQUARE, None),  # everybody
        ([0, 0], [5, 5], FISHER, 1.0),  # Fisher is defined: only one table with these margins
        ([2, 0], [5, 0], FISHER, None),  # one group with nobody -> nothing to compare
        ([2, 0, 1], [5, 0, 4], FISHER, hand_fisher_2x2(2, 3, 1, 3)),  # empty group left out
    ],
)
def test_compare_proportions_edges(successes, totals, test, p):
    res = compare_proportions(successes, totals)
    assert res.test == test
    if p is None:
        assert np.isnan(res.pvalue)
    else:
        assert res.pvalue == pytest.approx(p)


def test_odds_ratio_undefined_with_empty_margin():
    res = compare_proportions([0, 0], [5, 5])
    assert np.isnan(res.odds_ratio) and all(np.isnan(res.odds_ratio_ci()))


def test_compare_proportions_rejects_bad_counts():
    with pytest.raises(ValueError):
        compare_proportions([3, 1], [2, 4])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), min_size=2, max_size=4))
def test_compare_proportions_pvalue_in_unit_interval(pairs):
    x = [min(a, b) for a, b in pairs]
    n = [max(a, b) for a, b in pairs]
    res = compare_proportions(x, n)
    assert np.isnan(res.pvalue) or 0.0 <= res.pvalue <= 1.0 + 1e-12
    low, high = res.risk_difference_ci()
    if not np.isnan(low):
        assert -1.0 <= low <= res.risk_difference <= high <= 1.0


# ---- compare_means -----------------------------------------------------------------------------
def test_welch_by_hand():
    # a = 1,2,3 (mean 2, var 1); b = 2,4,6,7 (mean 4.75, var 4.916667)
    # se² = 1/3 + 4.916667/4 = 1.5625 -> se 1.25; t = -2.75/1.25 = -2.2
    # Welch df = 1.5625² / ((1/3)²/2 + 1.229167²/3) = 4.366106
    res = compare_means({"a": [1, 2, 3], "b": [2, 4, 6, 7, np.nan]})
    assert res.test == WELCH
    assert res.statistic == pytest.approx(-2.2)
    df = 1.5625**2 / ((1 / 3) ** 2 / 2 + (4.916667 / 4) ** 2 / 3)
    assert res.pvalue == pytest.approx(2 * stats.t.sf(2.2, df), rel=1e-5)
    half = stats.t.ppf(0.975, df) * 1.25
    assert res.difference == pytest.approx(-2.75)
    assert res.confidence_interval() == pytest.approx((-2.75 - half, -2.75 + half), rel=1e-5)
    assert res.ns == (3, 4) and res.means == pytest.approx((2.0, 4.75))


def test_mann_whitney_by_hand():
    # a = 1,2,3 vs b = 4,5: every b above every a -> U_a = 0; exact two-sided p = 2/C(5,2) = 0.2
    res = compare_means({"a": [1, 2, 3], "b": [4, 5]}, method="mann-whitney")
    assert res.test == MANN_WHITNEY
    assert res.statistic == 0.0
    assert res.pvalue == pytest.approx(0.2)


def test_kruskal_by_hand():
    # ranks: a = 1,2 (sum 3), b = 3,4 (7), c = 5,6 (11); N = 6
    # H = 12/(6*7) * (9/2 + 49/2 + 121/2) - 3*7 = (12/42)*89.5 - 21 = 4.571429
    res = compare_means({"a": [1, 2], "b": [3, 4], "c": [5, 6]})
    assert res.test == KRUSKAL_WALLIS
    assert res.statistic == pytest.approx(4.571429, abs=1e-6)
    assert res.pvalue == pytest.approx(math.exp(-4.571429 / 2), abs=1e-6)
    assert np.isnan(res.difference)


@pytest.mark.parametrize(
    "samples",
    [
        {"a": [1.0], "b": [2.0, 3.0]},
        {"a": [], "b": [2.0, 3.0]},
        {"a": [2, 2], "b": [2, 2], "c": []},
    ],
)
def test_compare_means_undefined_is_nan(samples):
    res = compare_means(samples)
    assert np.isnan(res.pvalue)


def test_compare_means_method_checks():
    with pytest.raises(ValueError):
        compare_means({"a": [1, 2], "b": [1, 2], "c": [3, 4]}, method="welch")
    with pytest.raises(ValueError):
        compare_means({"a": [1, 2], "b": [1, 2]}, method="t")
    assert compare_means({"a": [1, 2], "b": [1, 3]}, method="anova").test == "One-way ANOVA"


# ---- contingency_test --------------------------------------------------------------------------
def test_contingency_2x2_is_fisher():
    name, stat, p = contingency_test([[8, 2], [1, 5]])
    assert name == FISHER
    assert stat == pytest.approx(20.0)  # sample odds ratio 8*5/(2*1)
    assert p == pytest.approx(hand_fisher_2x2(8, 2, 1, 5))


@pytest.mark.parametrize(
    "table", [[[3, 4, 5], [6, 2, 1]], [[0, 4, 5], [6, 0, 1]], [[2, 1, 0, 3], [0, 3, 4, 1]]]
)
def test_contingency_2xc_exact(table):
    name, _, p = contingency_test(table)
    assert name == FISHER_FREEMAN_HALTON
    assert p == pytest.approx(hand_ffh_2xc(table[0], table[1]), rel=1e-9)
    # r x 2 is the same test, transposed
    assert contingency_test(np.array(table).T)[2] == pytest.approx(p)


def test_contingency_large_falls_back_to_chi_square():
    table = [[3, 4, 5], [6, 2, 1], [1, 1, 1]]
    name, stat, p = contingency_test(table)
    assert name == CHI_SQUARE
    ref = stats.chi2_contingency(np.array(table))
    assert (stat, p) == pytest.approx((ref.statistic, ref.pvalue))


def test_contingency_drops_empty_rows_and_columns():
    # the zero row and zero column go; what is left is the 2x2 [[8, 2], [1, 5]]
    name, _, p = contingency_test([[8, 0, 2], [0, 0, 0], [1, 0, 5]])
    assert name == FISHER
    assert p == pytest.approx(hand_fisher_2x2(8, 2, 1, 5))
    assert np.isnan(contingency_test([[3, 0], [4, 0]])[2])


@settings(max_examples=40, deadline=None)
@given(
    st.integers(2, 4).flatmap(
        lambda c: st.lists(
            st.lists(st.integers(0, 12), min_size=c, max_size=c), min_size=2, max_size=4
        )
    )
)
def test_contingency_pvalue_in_unit_interval(table):
    _, _, p = contingency_test(table)
    assert np.isnan(p) or 0.0 <= p <= 1.0


def test_compare_proportions_without_odds_ratio():
    # [[4, 1], [1, 5]]: Fisher p = 37/462 (hand sum in tests/test_stages.py); risk difference
    # 4/5 - 1/6; odds_ratio=False leaves only the odds ratio (and its interval) NaN.
    full = compare_proportions([4, 1], [5, 6])
    lean = compare_proportions([4, 1], [5, 6], odds_ratio=False)
    assert lean.pvalue == full.pvalue == pytest.approx(37 / 462)
    assert lean.risk_difference == full.risk_difference == pytest.approx(4 / 5 - 1 / 6)
    assert lean.risk_difference_ci() == full.risk_difference_ci()
    assert full.odds_ratio > 1 and np.isnan(lean.odds_ratio)
    assert all(np.isnan(lean.odds_ratio_ci()))


@pytest.mark.parametrize(
    ("a", "n1", "b", "n2"),
    [
        (816, 2000, 800, 2000),  # a below the mode: the far tail is the upper one
        (1200, 2000, 1184, 2000),  # a above the mode
        (1000, 2000, 1000, 2000),  # the most probable table: p = 1
        (3, 2000, 12, 2000),  # rare events
    ],
)
def test_fisher_large_tables_match_hand_sum(a, n1, b, n2):
    # Arms of thousands: the two-sided p is the exact sum of hypergeometric probabilities
    # (math.comb, integers) no larger than the observed table's; the statistic is the sample
    # odds ratio ad / bc.
    res = compare_proportions([a, b], [n1, n2])
    assert res.pvalue == pytest.approx(min(1.0, hand_fisher_2x2(a, n1 - a, b, n2 - b)), rel=1e-9)
    assert res.statistic == pytest.approx(a * (n2 - b) / ((n1 - a) * b), rel=1e-12)
