"""Inference primitives shared by the metric modules: intervals, tests and their results.

Every function returns plain floats / numpy arrays or a small frozen dataclass (estimate,
statistic, p-value, the test's name and ``confidence_interval()``), never formatted text.
Undefined quantities are NaN, never an exception: a group with nobody in it, a sample with one
value, a table with a column of zeros.

References
----------
- Wilson EB (1927). Probable inference, the law of succession, and statistical inference.
  JASA 22:209-212.
- Newcombe RG (1998). Interval estimation for the difference between independent proportions:
  comparison of eleven methods. Statistics in Medicine 17:873-890 (method 10, hybrid score).
- Benjamini Y, Hochberg Y (1995). Controlling the false discovery rate. JRSS B 57:289-300.
- Freeman GH, Halton JH (1951). Note on an exact treatment of contingency, goodness of fit and
  other problems of significance. Biometrika 38:141-149.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special, stats
from scipy.stats.contingency import odds_ratio as _odds_ratio

FISHER = "Fisher's exact"
FISHER_FREEMAN_HALTON = "Fisher-Freeman-Halton exact"
CHI_SQUARE = "Chi-square"
WELCH = "Welch's t"
MANN_WHITNEY = "Mann-Whitney U"
KRUSKAL_WALLIS = "Kruskal-Wallis"
ANOVA = "One-way ANOVA"

#: Largest number of tables enumerated for an exact Fisher-Freeman-Halton test; beyond it the
#: chi-square test is used (enumeration is vectorised, ~1e6 tables take well under a second).
MAX_EXACT_TABLES = 1_000_000

_NAN_PAIR = (float("nan"), float("nan"))


def _z(confidence: float) -> float:
    """Two-sided standard normal quantile for ``confidence``."""
    return float(stats.norm.ppf(0.5 + confidence / 2.0))


def _scalar_or_array(x: np.ndarray, scalar: bool):
    """Return a float for scalar input, the array otherwise."""
    return float(x) if scalar else x


# ---- intervals ---------------------------------------------------------------------------------
def wilson_interval(successes, n, confidence: float = 0.95):
    """Wilson score interval for a binomial proportion (Wilson 1927).

    Vectorised: ``successes`` and ``n`` may be scalars or arrays (broadcast together). Returns
    ``(low, high)``, floats for scalar input, float64 arrays otherwise; NaN where ``n == 0`` or
    an input is NaN. Bounds are clipped to [0, 1].
    """
    scalar = np.ndim(successes) == 0 and np.ndim(n) == 0
    x = np.asarray(successes, dtype="float64")
    m = np.asarray(n, dtype="float64")
    z = _z(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = x / m
        denom = 1.0 + z * z / m
        centre = (p + z * z / (2.0 * m)) / denom
        half = z / denom * np.sqrt(p * (1.0 - p) / m + z * z / (4.0 * m * m))
        low = np.clip(centre - half, 0.0, 1.0)
        high = np.clip(centre + half, 0.0, 1.0)
    bad = ~(m > 0) | np.isnan(x)
    low = np.where(bad, np.nan, low)
    high = np.where(bad, np.nan, high)
    # exact ends: no successes -> low 0, all successes -> high 1 (no rounding residue)
    low = np.where(~bad & (x == 0), 0.0, low)
    high = np.where(~bad & (x == m), 1.0, high)
    return _scalar_or_array(low, scalar), _scalar_or_array(high, scalar)


def mean_interval_from_stats(mean, sd, n, confidence: float = 0.95):
    """t-based interval for a mean from its summary statistics: mean ± t(n-1) · sd / sqrt(n).

    Vectorised over arrays (e.g. one row per group). ``sd`` is the sample standard deviation
    (ddof=1). NaN where ``n < 2`` or an input is NaN. Returns ``(low, high)``.
    """
    scalar = np.ndim(mean) == 0 and np.ndim(sd) == 0 and np.ndim(n) == 0
    mu = np.asarray(mean, dtype="float64")
    s = np.asarray(sd, dtype="float64")
    k = np.asarray(n, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(k >= 2, k - 1.0, np.nan)
        t = stats.t.ppf(0.5 + confidence / 2.0, df)
        half = t * s / np.sqrt(k)
    low = np.where(k >= 2, mu - half, np.nan)
    high = np.where(k >= 2, mu + half, np.nan)
    return _scalar_or_array(low, scalar), _scalar_or_array(high, scalar)


def mean_interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """t-based confidence interval for the mean of ``values`` (NaN ignored); NaN for < 2 values."""
    v = np.asarray(values, dtype="float64")
    v = v[~np.isnan(v)]
    if v.size < 2:
        return _NAN_PAIR
    return mean_interval_from_stats(v.mean(), v.std(ddof=1), v.size, confidence)


def benjamini_hochberg(pvalues) -> np.ndarray:
    """Benjamini-Hochberg (1995) q-values; NaN p-values stay NaN in place and are not counted.

    Uses ``scipy.stats.false_discovery_control(method="bh")`` on the non-NaN p-values.
    """
    p = np.asarray(pvalues, dtype="float64").copy()
    ok = ~np.isnan(p)
    if ok.any():
        p[ok] = stats.false_discovery_control(p[ok], method="bh")
    return p


# ---- proportions -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ProportionComparison:
    """A comparison of proportions across groups (see ``compare_proportions``).

    ``statistic`` is scipy's: the sample odds ratio for Fisher's exact test, the chi-square
    statistic otherwise. ``risk_difference`` is the share of ``groups[0]`` minus that of
    ``groups[1]`` and ``odds_ratio`` the conditional maximum-likelihood odds ratio (as R's
    ``fisher.test``); both NaN unless exactly two groups with participants.
    """

    test: str
    statistic: float
    pvalue: float
    groups: tuple
    successes: tuple[int, ...]
    totals: tuple[int, ...]
    risk_difference: float
    odds_ratio: float

    def _two(self) -> bool:
        return len(self.totals) == 2 and min(self.totals) > 0

    def _table(self) -> np.ndarray:
        (a, b), (n1, n2) = self.successes, self.totals
        return np.array([[a, n1 - a], [b, n2 - b]], dtype="int64")

    def risk_difference_ci(self, confidence: float = 0.95) -> tuple[float, float]:
        """Newcombe (1998) hybrid score interval (method 10) from the two Wilson intervals."""
        if not self._two():
            return _NAN_PAIR
        x = np.asarray(self.successes, dtype="float64")
        n = np.asarray(self.totals, dtype="float64")
        p = x / n
        lo, hi = wilson_interval(x, n, confidence)
        d = p[0] - p[1]
        low = d - np.sqrt((p[0] - lo[0]) ** 2 + (hi[1] - p[1]) ** 2)
        high = d + np.sqrt((hi[0] - p[0]) ** 2 + (p[1] - lo[1]) ** 2)
        return float(low), float(high)

    def odds_ratio_ci(self, confidence: float = 0.95) -> tuple[float, float]:
        """Exact conditional interval of the odds ratio, the one of
        scipy.stats.contingency.odds_ratio(kind="conditional").confidence_interval and R's
        fisher.test, computed in log space (``_conditional_odds_ratio_ci``); NaN when the odds
        ratio is undefined."""
        if not self._two() or np.isnan(self.odds_ratio):
            return _NAN_PAIR
        return _conditional_odds_ratio_ci(self._table(), confidence)

    def confidence_interval(self, confidence: float = 0.95) -> tuple[float, float]:
        """The risk difference's interval (``risk_difference_ci``)."""
        return self.risk_difference_ci(confidence)


def _conditional_odds_ratio_ci(table: np.ndarray, confidence: float) -> tuple[float, float]:
    """Exact conditional (Cornfield) interval of the odds ratio of a 2x2 table.

    Given the margins, the top-left cell X follows Fisher's noncentral hypergeometric law with
    P(X = x) proportional to C(c1, x) C(N - c1, r1 - x) psi^x. The bounds solve
    P(X >= a; low) = alpha/2 and P(X <= a; high) = alpha/2, alpha = 1 - confidence (low = 0 when
    a is the smallest possible value, high = inf when it is the largest), as
    scipy.stats.contingency.odds_ratio(kind="conditional").confidence_interval and R's
    fisher.test. Same numbers, but the whole support is evaluated at once in log space and the
    roots found on log(psi): scipy's takes about a minute for a 2 x 32,000 table, this a few ms.
    """
    a = int(table[0, 0])
    r1, c1, total = int(table[0].sum()), int(table[:, 0].sum()), int(table.sum())
    lo, hi = max(0, r1 + c1 - total), min(r1, c1)
    x = np.arange(lo, hi + 1)
    logc = (
        special.gammaln(c1 + 1)
        - special.gammaln(x + 1)
        - special.gammaln(c1 - x + 1)
        + special.gammaln(total - c1 + 1)
        - special.gammaln(r1 - x + 1)
        - special.gammaln(total - c1 - r1 + x + 1)
    )
    upper = x >= a
    lower = x <= a
    log_half_alpha = np.log((1.0 - confidence) / 2.0)

    def log_tail(theta: float, mask: np.ndarray) -> float:
        w = logc + x * theta
        # plain numpy log-sum-exp: scipy's checks its input on every call of the root search
        w -= w.max()
        p = np.exp(w)
        tail = p[mask].sum()  # 0 only far from the root (underflow): keep f finite there
        return float(np.log(tail) if tail > 0 else -745.0) - float(np.log(p.sum()))

    def root(f) -> float:
        # f is monotone in theta = log(psi); widen the bracket until it changes sign
        left, right = -1.0, 1.0
        while f(left) > 0:
            left *= 2.0
        while f(right) < 0:
            right *= 2.0
        return float(np.exp(optimize.brentq(f, left, right, xtol=1e-12, rtol=1e-12)))

    # P(X >= a; psi) rises with psi, P(X <= a; psi) falls
    low = 0.0 if a == lo else root(lambda t: log_tail(t, upper) - log_half_alpha)
    high = np.inf if a == hi else root(lambda t: log_half_alpha - log_tail(t, lower))
    return low, float(high)


def compare_proportions(
    successes, totals, groups: Sequence | None = None, odds_ratio: bool = True
) -> ProportionComparison:
    """Compare the share ``successes / totals`` across groups.

    Groups with a total of 0 are left out of the test (they stay in the result's fields). With
    two groups tested: Fisher's exact test, two-sided, on [[a, n1 - a], [b, n2 - b]]
    (scipy.stats.fisher_exact). With more: the chi-square test of independence on the
    groups x (success, failure) table (scipy.stats.chi2_contingency; Yates' correction only
    applies to 1 degree of freedom). The p-value is NaN where the test is undefined: fewer than
    two groups with participants, or (chi-square) a column of zeros such as nobody a success.
    ``odds_ratio=False`` skips the conditional maximum-likelihood odds ratio (a root-finding per
    table): the result's ``odds_ratio`` is NaN, and so its ``odds_ratio_ci()``.
    """
    x = np.asarray(successes, dtype="int64").ravel()
    n = np.asarray(totals, dtype="int64").ravel()
    if x.shape != n.shape:
        raise ValueError("successes and totals must have the same length")
    if np.any(x < 0) or np.any(x > n):
        raise ValueError("successes must lie between 0 and totals")
    labels = tuple(range(len(x))) if groups is None else tuple(groups)
    if len(labels) != len(x):
        raise ValueError("groups must have one label per count")

    keep = n > 0
    table = np.column_stack([x[keep], n[keep] - x[keep]])
    statistic = pvalue = float("nan")
    test = FISHER if keep.sum() <= 2 else CHI_SQUARE
    if keep.sum() == 2:
        res = stats.fisher_exact(table, alternative="two-sided")
        statistic, pvalue = float(res.statistic), float(res.pvalue)
    elif keep.sum() > 2:
        try:
            res = stats.chi2_contingency(table)
            statistic, pvalue = float(res.statistic), float(res.pvalue)
        except ValueError:  # an expected frequency of zero: a column of zeros
            pass

    risk_difference = odds = float("nan")
    if len(x) == 2 and keep.all():
        risk_difference = float(x[0] / n[0] - x[1] / n[1])
    if len(x) == 2 and keep.all() and odds_ratio:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            odds = float(_odds_ratio(table, kind="conditional").statistic)
    return ProportionComparison(
        test=test,
        statistic=statistic,
        pvalue=pvalue,
        groups=labels,
        successes=tuple(int(v) for v in x),
        totals=tuple(int(v) for v in n),
        risk_difference=risk_difference,
        odds_ratio=odds,
    )


# ---- means -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MeanComparison:
    """A comparison of a numeric measure across groups (see ``compare_means``).

    ``difference`` is the mean of ``groups[0]`` minus that of ``groups[1]`` and
    ``difference_low``/``difference_high`` its Welch t interval (NaN unless two groups),
    whichever test gave the p-value.
    """

    test: str
    statistic: float
    pvalue: float
    groups: tuple
    means: tuple[float, ...]
    ns: tuple[int, ...]
    difference: float
    difference_low: float
    difference_high: float
    confidence: float = 0.95

    def confidence_interval(self) -> tuple[float, float]:
        """Interval of the difference in means (Welch), at ``confidence``."""
        return self.difference_low, self.difference_high


_MEAN_METHODS = ("auto", "welch", "mann-whitney", "kruskal", "anova")


def compare_means(
    samples: Mapping, method: str = "auto", confidence: float = 0.95
) -> MeanComparison:
    """Compare a numeric measure across groups; ``samples`` maps group -> values (NaN dropped).

    ``method``: ``"auto"`` (Welch for two groups, Kruskal-Wallis for more), ``"welch"``
    (Welch's unequal-variance t test, scipy.stats.ttest_ind(equal_var=False); two groups),
    ``"mann-whitney"`` (two-sided Mann-Whitney U, scipy.stats.mannwhitneyu; two groups),
    ``"kruskal"`` (Kruskal-Wallis H, scipy.stats.kruskal) or ``"anova"`` (scipy.stats.f_oneway).
    With two groups the difference in means and its Welch t interval
    (``TtestResult.confidence_interval``) are reported whatever the test. Statistic and p-value
    are NaN when the test is undefined (too few values, no variation).
    """
    if method not in _MEAN_METHODS:
        raise ValueError(f"method must be one of {_MEAN_METHODS}, not {method!r}")
    labels = tuple(samples)
    arrays = []
    for g in labels:
        v = np.asarray(samples[g], dtype="float64").ravel()
        arrays.append(v[~np.isnan(v)])
    k = len(arrays)
    if method == "auto":
        method = "welch" if k == 2 else "kruskal"
    if method in ("welch", "mann-whitney") and k != 2:
        raise ValueError(f"{method} compares exactly two groups, got {k}")
    ns = tuple(int(a.size) for a in arrays)
    means = tuple(float(a.mean()) if a.size else float("nan") for a in arrays)
    nan = float("nan")
    statistic = pvalue = diff = low = high = nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")  # small-sample and degenerate-data warnings -> NaN
        if k == 2:
            diff = means[0] - means[1]
            if min(ns) >= 2:
                welch = stats.ttest_ind(arrays[0], arrays[1], equal_var=False)
                ci = welch.confidence_interval(confidence)
                low, high = float(ci.low), float(ci.high)
        nonempty = [a for a in arrays if a.size]
        try:
            if method == "welch":
                test = WELCH
                if min(ns) >= 2:
                    statistic, pvalue = float(welch.statistic), float(welch.pvalue)
            elif method == "mann-whitney":
                test = MANN_WHITNEY
                if min(ns) >= 1:
                    res = stats.mannwhitneyu(arrays[0], arrays[1], alternative="two-sided")
                    statistic, pvalue = float(res.statistic), float(res.pvalue)
            elif method == "kruskal":
                test = KRUSKAL_WALLIS
                if len(nonempty) >= 2:
                    res = stats.kruskal(*nonempty)
                    statistic, pvalue = float(res.statistic), float(res.pvalue)
            else:
                test = ANOVA
                if len(nonempty) >= 2:
                    res = stats.f_oneway(*nonempty)
                    statistic, pvalue = float(res.statistic), float(res.pvalue)
        except ValueError:  # e.g. Kruskal-Wallis when all values are identical
            statistic = pvalue = nan
    return MeanComparison(
        test=test,
        statistic=statistic,
        pvalue=pvalue,
        groups=labels,
        means=means,
        ns=ns,
        difference=diff,
        difference_low=low,
        difference_high=high,
        confidence=confidence,
    )


# ---- contingency tables ------------------------------------------------------------------------
def _ffh_exact_2xc(table: np.ndarray) -> tuple[float, float] | None:
    """Exact Fisher-Freeman-Halton p for a 2 x c table by vectorised enumeration of every table
    with the observed margins; None when there are more than MAX_EXACT_TABLES of them."""
    row0 = int(table[0].sum())
    cols = table.sum(axis=0).astype("int64")
    total = int(cols.sum())
    # first-row cells x_j in 0..min(col_j, row0); count candidates before building them
    ranges = [np.arange(min(int(c), row0) + 1) for c in cols]
    if np.prod([len(r) for r in ranges], dtype="float64") > MAX_EXACT_TABLES:
        return None
    grid = np.stack(np.meshgrid(*ranges, indexing="ij"), axis=-1).reshape(-1, len(cols))
    grid = grid[grid.sum(axis=1) == row0]
    # log P(table) = sum log C(col_j, x_j) - log C(total, row0)  (multivariate hypergeometric)
    logp = (
        special.gammaln(cols + 1) - special.gammaln(grid + 1) - special.gammaln(cols - grid + 1)
    ).sum(axis=1) - (
        special.gammaln(total + 1) - special.gammaln(row0 + 1) - special.gammaln(total - row0 + 1)
    )
    observed = (
        special.gammaln(cols + 1)
        - special.gammaln(table[0] + 1)
        - special.gammaln(cols - table[0] + 1)
    ).sum() - (
        special.gammaln(total + 1) - special.gammaln(row0 + 1) - special.gammaln(total - row0 + 1)
    )
    # tables no more probable than the observed one, with R's relative tolerance 1e-7
    p = np.exp(logp)
    pvalue = float(min(1.0, p[logp <= observed + np.log1p(1e-7)].sum()))
    return float(np.exp(observed)), pvalue


def contingency_test(table) -> tuple[str, float, float]:
    """Test of independence for a table of counts; returns (test name, statistic, p-value).

    Rows and columns that are all zero are dropped first; fewer than 2 rows or columns left
    -> NaN statistic and p-value. 2 x 2: Fisher's exact test, two-sided (scipy.stats.fisher_exact;
    statistic = sample odds ratio). 2 x c or r x 2: the exact Fisher-Freeman-Halton test
    (Freeman & Halton 1951) by enumerating every table with the observed margins, when there are
    at most MAX_EXACT_TABLES of them (statistic = probability of the observed table). Otherwise
    (larger tables, or too many to enumerate): the chi-square test of independence
    (scipy.stats.chi2_contingency). scipy's own r x c ``fisher_exact`` is a Monte Carlo
    approximation with a random seed, so it is not used: the dashboard's numbers must not
    change between runs.
    """
    t = np.asarray(table, dtype="int64")
    if t.ndim != 2:
        raise ValueError("table must be two-dimensional")
    if np.any(t < 0):
        raise ValueError("table counts must be non-negative")
    shape = t.shape
    t = t[t.sum(axis=1) > 0][:, t.sum(axis=0) > 0]
    nan = float("nan")
    if t.shape[0] < 2 or t.shape[1] < 2:
        return (FISHER if shape == (2, 2) else CHI_SQUARE), nan, nan
    if t.shape == (2, 2):
        res = stats.fisher_exact(t, alternative="two-sided")
        return FISHER, float(res.statistic), float(res.pvalue)
    if 2 in t.shape:
        exact = _ffh_exact_2xc(t if t.shape[0] == 2 else t.T)
        if exact is not None:
            return FISHER_FREEMAN_HALTON, exact[0], exact[1]
    res = stats.chi2_contingency(t)
    return CHI_SQUARE, float(res.statistic), float(res.pvalue)
