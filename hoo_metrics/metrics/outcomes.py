"""One outcome compared between groups: estimates with intervals, the test, the effect size.

The Compare page's statistics (issue 3). :func:`compare_outcome` takes any grouping (``arm``, any
participant column, or ``baseline_stage_category`` after
:func:`hoo_metrics.metrics.stages.with_baseline_stage_category`), one outcome and, where it applies,
a resource and a follow-up wave, and returns an :class:`OutcomeComparison`: the estimate per group
with its 95 % interval, the test named with its statistic and exact p-value, and the two-group
effect size with its interval: numbers only. :func:`hoo_metrics.present.results.suppress_outcome`
hides what the view's joint suppression hides (the cells are those of the view's tables) and
returns the outcome as the view shows it, a :class:`hoo_metrics.present.results.SuppressedOutcome`.

Outcomes
--------
``used`` / ``most_helpful``
    Share of respondents at follow-up month ``month`` who used / named as most helpful
    ``resource`` (``month=None``: share of participants with a follow-up response who did so at
    any follow-up wave, as ``resources_overall``). Wilson (1927) intervals; Fisher's exact test
    for two groups, chi-square beyond (``inference.compare_proportions``); risk difference with
    the Newcombe (1998) hybrid score interval.
``helpful``
    Helpfulness rating (1-5) of ``resource`` by those who used it, at ``month``; with
    ``month=None`` each participant's mean rating over their follow-up waves (one value per
    participant, so the test's observations are independent). t intervals; Welch's t test for
    two groups, Kruskal-Wallis beyond; mean difference with its Welch interval.
``stage``
    Stage category (Scott et al. 2009; contract.STAGE_CATEGORIES) at ``month``, or at each
    participant's last follow-up wave with a stage (``month=None``). Shares per category with
    Wilson intervals; ``inference.contingency_test`` on groups x categories (Fisher,
    Fisher-Freeman-Halton exact, or chi-square); effect = difference in the share moving on by
    thriving, Newcombe interval.
``contacts``
    Peer-support contacts per participant (analysed, >= 1 contact). Means with t intervals;
    Mann-Whitney U for two groups, Kruskal-Wallis beyond; difference in means with its Welch
    interval.
``support_days``
    Support duration in days, Kaplan-Meier (``followup``): median with its interval per group;
    log-rank test (Mantel 1966; ``scipy.stats.logrank`` for two groups, the k-sample chi-square
    form beyond); effect = difference in medians, without an interval (none is available for a
    difference of Kaplan-Meier medians without resampling, so it is NaN and ``note`` says so).

Groups come from ``cohort.groups(group_by)`` in that (ascending) order; a group with nobody to
count is listed with n = 0 and left out of the test. The effect is the first tested group
minus the second and exists only when exactly two groups are tested.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..cohort import Cohort, flag
from ..contract import STAGE_CATEGORIES
from ._analysed import analyse
from .followup import _per_participant, followup_summary
from .inference import (
    MANN_WHITNEY,
    compare_means,
    compare_proportions,
    contingency_test,
    mean_interval_from_stats,
    wilson_interval,
)
from .stages import _Waves, positions

__all__ = [
    "LOG_RANK",
    "OUTCOMES",
    "UNITS",
    "OutcomeComparison",
    "compare_outcome",
    "log_rank",
    "stage_distribution",
]

OUTCOMES = {
    "most_helpful": "Named the resource most helpful",
    "used": "Used the resource",
    "helpful": "Helpfulness rating of the resource (1-5)",
    "stage": "Recovery-stage category",
    "contacts": "Peer-support contacts per participant",
    "support_days": "Support duration (days)",
}
UNITS = {
    "used": "share",
    "most_helpful": "share",
    "helpful": "rating 1-5",
    "stage": "share",
    "contacts": "contacts",
    "support_days": "days",
}
NEEDS_RESOURCE = ("used", "most_helpful", "helpful")
HAS_WAVE = ("used", "most_helpful", "helpful", "stage")
LOG_RANK = "Log-rank"
EFFECT_NAMES = {
    "used": "Risk difference",
    "most_helpful": "Risk difference",
    "helpful": "Mean difference",
    "stage": "Difference in share thriving",
    "contacts": "Difference in means",
    "support_days": "Difference in medians",
}
_NAN = float("nan")


@dataclass(frozen=True, eq=False)
class OutcomeComparison:
    """One outcome per group and its comparison (see the module docstring).

    table
        One row per group (``stage``: per group and category, categories in contract order):
        ``group``, ``n`` (respondents / participants / ratings counted), then
        shares: ``count`` (successes), ``estimate`` (share), ``ci_low``, ``ci_high`` (Wilson);
        means: ``estimate``, ``ci_low``, ``ci_high`` (t), ``sd``;
        support_days: ``count`` (supports ended), ``estimate`` (KM median), ``ci_low``,
        ``ci_high``;
        stage: ``category``, ``n`` (the group's participants with a category), ``count``,
        ``share`` (= ``estimate``), ``ci_low``, ``ci_high``.
    test, statistic, p_value
        The test's name and its result (NaN when undefined: fewer than two groups with data,
        no variation, ...). ``statistic`` is scipy's: sample odds ratio (Fisher), chi-square,
        t, U, H, probability of the observed table (Fisher-Freeman-Halton), z (log-rank, two
        groups) or chi-square (log-rank, more groups).
    effect_name, effect, effect_ci_low, effect_ci_high, effect_groups
        The two-group effect (``effect_groups[0]`` minus ``effect_groups[1]``); NaN and
        ``effect_groups == ()`` unless exactly two groups are tested.
    unit
        ``"share"``, ``"rating 1-5"``, ``"contacts"`` or ``"days"``.
    n_total
        Sum of ``n`` over the groups (for ``stage``: participants with a category).
    tested_groups
        The groups that entered the test (n > 0).
    note
        Anything a reader must know (e.g. why an interval is missing).
    """

    outcome: str
    group_by: str | None
    population: str
    resource: str | None
    month: int | None
    table: pd.DataFrame
    test: str
    statistic: float
    p_value: float
    effect_name: str
    effect: float
    effect_ci_low: float
    effect_ci_high: float
    unit: str
    n_total: int
    effect_groups: tuple = ()
    tested_groups: tuple = ()
    note: str = ""

    def confidence_interval(self) -> tuple[float, float]:
        """The effect's 95 % interval (NaN where not available)."""
        return self.effect_ci_low, self.effect_ci_high

    @property
    def estimates(self) -> pd.DataFrame:
        """One row per group with group, n, estimate, ci_low, ci_high: the table itself, or
        for ``stage`` the rows of the category ``thriving`` (the effect's share)."""
        if self.outcome == "stage":
            return self.table[self.table["category"] == "thriving"].reset_index(drop=True)
        return self.table


# ---- inputs -------------------------------------------------------------------------------------
def _check(cohort: Cohort, outcome: str, resource, month) -> int | None:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {tuple(OUTCOMES)}, not {outcome!r}")
    if outcome in NEEDS_RESOURCE:
        if resource is None:
            raise ValueError(f"outcome {outcome!r} needs a resource")
        if resource not in cohort.resources:
            raise ValueError(
                f"no resource {resource!r} in this cohort; resources: {', '.join(cohort.resources)}"
            )
    if outcome not in HAS_WAVE or month is None:
        return None
    if isinstance(month, bool) or not isinstance(month, int | np.integer) or month <= 0:
        raise ValueError(f"month must be None or a follow-up month (an integer > 0), not {month!r}")
    return int(month)


def _group_index(analysed: Cohort, groups: list[str], group_by, ids) -> np.ndarray:
    """Group position (in ``groups``) of each participant id in ``ids`` (-1 if not analysed)."""
    pos = positions(ids, analysed.participants["participant_id"])
    gpos = positions(analysed.group_labels(group_by), groups)
    return np.where(pos >= 0, gpos[np.maximum(pos, 0)], -1)


# ---- shares -------------------------------------------------------------------------------------
def _share_rows(groups, count, n) -> pd.DataFrame:
    count = np.asarray(count, dtype="int64")
    n = np.asarray(n, dtype="int64")
    low, high = wilson_interval(count, n)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(n > 0, count / np.maximum(n, 1), np.nan)
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype="str"),
            "n": n,
            "count": count,
            "estimate": share.astype("float64"),
            "ci_low": np.asarray(low, dtype="float64"),
            "ci_high": np.asarray(high, dtype="float64"),
        }
    )


def _proportion_result(groups, count, n) -> dict:
    count, n = np.asarray(count, dtype="int64"), np.asarray(n, dtype="int64")
    keep = n > 0
    tested = tuple(g for g, k in zip(groups, keep, strict=True) if k)
    res = compare_proportions(count[keep], n[keep], tested)
    out = {"test": res.test, "statistic": res.statistic, "p_value": res.pvalue}
    out["tested_groups"] = tested
    if len(tested) == 2:
        low, high = res.risk_difference_ci()
        out |= {"effect": res.risk_difference, "effect_ci_low": low, "effect_ci_high": high}
        out["effect_groups"] = tested
    return out


def _resource_share(cohort, group_by, population, outcome, resource, month):
    """Share using (``used``) or naming (``most_helpful``) ``resource``, per group: at one
    follow-up wave per respondent, or (``month`` None) ever over the follow-up per participant
    with a follow-up response. Read from the facts the resource tables count
    (``Analysed.followup``), so the two agree by construction."""
    analysed = analyse(cohort, population)
    facts = analysed.followup
    groups = cohort.groups(group_by)
    j = facts.resources.index(resource)
    group = positions(analysed.cohort.group_labels(group_by), groups)  # per participant
    if month is None:  # one row per participant with a follow-up response: ever
        answered = facts.answered
        g = group[answered]
        hit = (facts.used_ever if outcome == "used" else facts.named_ever)[answered, j]
    else:  # one row per response at that wave
        rows = facts.follow & (facts.month == month)
        g = group[facts.owner[rows]]
        hit = (facts.used if outcome == "used" else facts.named)[rows, j]
    n = np.bincount(g, minlength=len(groups))
    count = np.bincount(g[hit], minlength=len(groups))
    return _share_rows(groups, count, n), _proportion_result(groups, count, n)


# ---- means --------------------------------------------------------------------------------------
def _mean_rows(groups, samples: list[np.ndarray]) -> pd.DataFrame:
    n = np.array([s.size for s in samples], dtype="int64")
    mean = np.array([s.mean() if s.size else np.nan for s in samples], dtype="float64")
    sd = np.array([s.std(ddof=1) if s.size > 1 else np.nan for s in samples], dtype="float64")
    low, high = mean_interval_from_stats(mean, sd, n)
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype="str"),
            "n": n,
            "estimate": mean,
            "ci_low": np.asarray(low, dtype="float64"),
            "ci_high": np.asarray(high, dtype="float64"),
            "sd": sd,
        }
    )


def _mean_result(groups, samples: list[np.ndarray], two_group_method: str) -> dict:
    tested = {g: s for g, s in zip(groups, samples, strict=True) if s.size}
    method = two_group_method if len(tested) == 2 else "kruskal"
    out: dict = {"tested_groups": tuple(tested)}
    if len(tested) < 2:
        name = {"welch": "Welch's t", "mann-whitney": MANN_WHITNEY}[two_group_method]
        return out | {"test": name, "statistic": _NAN, "p_value": _NAN}
    res = compare_means(tested, method=method)
    out |= {"test": res.test, "statistic": res.statistic, "p_value": res.pvalue}
    if len(tested) == 2:
        out |= {
            "effect": res.difference,
            "effect_ci_low": res.difference_low,
            "effect_ci_high": res.difference_high,
            "effect_groups": tuple(tested),
        }
    return out


def _helpful(cohort, group_by, population, resource, month):
    analysed = cohort.analysis_set(population)
    groups = cohort.groups(group_by)
    r = analysed.responses
    months = r["month"].to_numpy(dtype="int64")
    rating = r[analysed.helpful_column(resource)].to_numpy(dtype="float64", na_value=np.nan)
    rating = np.where(flag(r[analysed.used_column(resource)]), rating, np.nan)
    rows = (months == month if month is not None else months > 0) & ~np.isnan(rating)
    ids = r["participant_id"][rows]
    g = _group_index(analysed, groups, group_by, ids)
    values = rating[rows]
    if month is None:  # each participant's mean rating over the follow-up
        pid = positions(ids, analysed.participants["participant_id"])
        ok = pid >= 0
        frame = pd.DataFrame({"p": pid[ok], "g": g[ok], "v": values[ok]})
        per = frame.groupby("p", sort=True).agg(g=("g", "first"), v=("v", "mean"))
        g, values = per["g"].to_numpy(), per["v"].to_numpy()
    ok = g >= 0
    g, values = g[ok], values[ok]
    order = np.argsort(g, kind="stable")
    cuts = np.searchsorted(g[order], np.arange(1, len(groups)))
    samples = np.split(values[order], cuts)
    return _mean_rows(groups, samples), _mean_result(groups, samples, "welch")


def _contacts(cohort, group_by, population):
    groups = cohort.groups(group_by)
    per = _per_participant(cohort, group_by, population)
    g = positions(per["group"], groups)
    values = per["contacts"].to_numpy(dtype="float64")
    order = np.argsort(g, kind="stable")
    cuts = np.searchsorted(g[order], np.arange(1, len(groups)))
    samples = np.split(values[order], cuts)
    return _mean_rows(groups, samples), _mean_result(groups, samples, "mann-whitney")


# ---- stage --------------------------------------------------------------------------------------
def _stage_counts(w: _Waves, month: int | None) -> np.ndarray:
    """groups x categories: participants per stage category at ``month`` (None: at each one's
    last follow-up wave with a stage), from the analysed cohort's staged responses."""
    f = w.stages
    if month is None:
        follow = f.month > 0
        pid, when, cat = f.participant[follow], f.month[follow], f.category[follow]
        order = np.lexsort((when, pid))  # stable: response order breaks a tie
        pid, cat = pid[order], cat[order]
        last = np.r_[pid[1:] != pid[:-1], True] if len(pid) else np.zeros(0, bool)
        pid, cat = pid[last], cat[last]
    else:
        at = f.month == month
        pid, cat = f.participant[at], f.category[at]
    g = w.group[pid]
    k = len(STAGE_CATEGORIES)
    ok = g >= 0
    size = len(w.groups) * k
    return np.bincount(g[ok] * k + cat[ok], minlength=size).reshape(len(w.groups), k)


def stage_distribution(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Participants per recovery-stage category (Scott et al. 2009) and group at each
    follow-up month and at each one's last follow-up wave with a stage (``month`` NA):
    month, group, category, n (the group's participants with a stage then), count. The
    Compare page's stage outcome reads its cells."""
    w = _Waves(cohort, group_by, population)
    groups = w.groups
    months = [int(m) for m in np.unique(w.stages.month) if m > 0]
    k = len(STAGE_CATEGORIES)
    frames = []
    for month in [*months, None]:
        counts = _stage_counts(w, month)
        frames.append(
            pd.DataFrame(
                {
                    "month": pd.array([month] * counts.size, dtype="Int64"),
                    "group": pd.Series(np.repeat(groups, k), dtype="str"),
                    "category": pd.Series(np.tile(STAGE_CATEGORIES, len(groups)), dtype="str"),
                    "n": np.repeat(counts.sum(axis=1), k),
                    "count": counts.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _stage(cohort, group_by, population, month):
    w = _Waves(cohort, group_by, population)
    groups = w.groups
    counts = _stage_counts(w, month)
    k = len(STAGE_CATEGORIES)
    n = counts.sum(axis=1)
    rows = _share_rows(np.repeat(groups, k), counts.ravel(), np.repeat(n, k))
    rows.insert(1, "category", pd.Series(np.tile(STAGE_CATEGORIES, len(groups)), dtype="str"))
    rows.insert(4, "share", rows["estimate"])
    keep = n > 0
    tested = tuple(gr for gr, ok in zip(groups, keep, strict=True) if ok)
    test, statistic, p = contingency_test(counts[keep])
    out = {"test": test, "statistic": statistic, "p_value": p, "tested_groups": tested}
    if len(tested) == 2:
        thriving = counts[keep][:, STAGE_CATEGORIES.index("thriving")]
        res = compare_proportions(thriving, n[keep], tested)
        low, high = res.risk_difference_ci()
        out |= {"effect": res.risk_difference, "effect_ci_low": low, "effect_ci_high": high}
        out["effect_groups"] = tested
    return rows, out


# ---- support duration ---------------------------------------------------------------------------
def log_rank(duration, ended, group) -> tuple[float, float]:
    """k-sample log-rank test (Mantel 1966); returns (chi-square statistic, p-value).

    ``duration``, ``ended`` (bool: the event happened; else censored) and ``group`` (integer
    codes) are aligned arrays. At every distinct event time t: observed O_g and expected
    E_g = n_g(t) d(t) / n(t) events per group, variance
    V_gh = d (n - d) / (n - 1) · n_g / n · (δ_gh - n_h / n); statistic U' V'^-1 U over all but
    the last group (U = O - E), chi-square with (groups - 1) degrees of freedom. Groups without
    anyone are dropped; NaN with fewer than two groups or no event.
    """
    t = np.asarray(duration, dtype="float64")
    e = np.asarray(ended, dtype=bool)
    _, g = np.unique(np.asarray(group), return_inverse=True)
    k = int(g.max()) + 1 if g.size else 0
    if k < 2 or not e.any():
        return _NAN, _NAN
    times = np.unique(t[e])
    # at risk: duration >= time; events: ended at time
    at_risk = np.stack([(t[g == j][None, :] >= times[:, None]).sum(axis=1) for j in range(k)], 1)
    idx = np.searchsorted(times, t[e])
    events = np.zeros((times.size, k))
    np.add.at(events, (idx, g[e]), 1.0)
    n_all = at_risk.sum(axis=1).astype("float64")
    d_all = events.sum(axis=1)
    share = at_risk / n_all[:, None]
    u = (events - share * d_all[:, None]).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        w = np.where(n_all > 1, d_all * (n_all - d_all) / (n_all - 1), 0.0)
    v = np.einsum("t,tg,gh->gh", w, share, np.eye(k)) - np.einsum("t,tg,th->gh", w, share, share)
    try:
        stat = float(u[:-1] @ np.linalg.solve(v[:-1, :-1], u[:-1]))
    except np.linalg.LinAlgError:
        return _NAN, _NAN
    return stat, float(stats.chi2.sf(stat, k - 1))


def _support(cohort, group_by, population):
    groups = cohort.groups(group_by)
    summary = followup_summary(cohort, group_by, population).set_index("group").reindex(groups)
    rows = pd.DataFrame(
        {
            "group": pd.Series(groups, dtype="str"),
            "n": summary["participants"].fillna(0).to_numpy(dtype="int64"),
            "count": summary["ended"].fillna(0).to_numpy(dtype="int64"),
            "estimate": summary["median_support_days"].to_numpy(dtype="float64"),
            "ci_low": summary["median_support_days_low"].to_numpy(dtype="float64"),
            "ci_high": summary["median_support_days_high"].to_numpy(dtype="float64"),
        }
    )
    per = _per_participant(cohort, group_by, population)
    g = positions(per["group"], groups)
    duration = per["duration"].to_numpy(dtype="float64")
    ended = per["ended"].to_numpy(dtype=bool)
    tested = tuple(gr for gr, m in zip(groups, rows["n"] > 0, strict=True) if m)
    out = {"test": LOG_RANK, "statistic": _NAN, "p_value": _NAN, "tested_groups": tested}
    if len(tested) == 2:
        a, b = (groups.index(x) for x in tested)
        samples = [
            stats.CensoredData(
                uncensored=duration[(g == j) & ended], right=duration[(g == j) & ~ended]
            )
            for j in (a, b)
        ]
        if ended.any():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                res = stats.logrank(*samples)
            out |= {"statistic": float(res.statistic), "p_value": float(res.pvalue)}
        med = rows.set_index("group")["estimate"]
        out |= {"effect": float(med[tested[0]] - med[tested[1]]), "effect_groups": tested}
    elif len(tested) > 2:
        statistic, p = log_rank(duration, ended, g)
        out |= {"statistic": statistic, "p_value": p}
    return rows, out


# ---- the entry point ----------------------------------------------------------------------------
def compare_outcome(
    cohort: Cohort,
    group_by: str | None = "arm",
    population: str = "completed",
    outcome: str = "used",
    resource: str | None = None,
    month: int | None = None,
) -> OutcomeComparison:
    """Compare one outcome between the groups of ``group_by`` (see the module docstring).

    ``resource`` is required for ``used``, ``most_helpful`` and ``helpful``; ``month`` (a
    follow-up month > 0, or None) applies to those and ``stage`` and is ignored otherwise.
    Raises ValueError for an unknown outcome or resource or a bad month, KeyError for an
    unknown grouping column.
    """
    month = _check(cohort, outcome, resource, month)
    if outcome in ("used", "most_helpful"):
        table, res = _resource_share(cohort, group_by, population, outcome, resource, month)
    elif outcome == "helpful":
        table, res = _helpful(cohort, group_by, population, resource, month)
    elif outcome == "stage":
        table, res = _stage(cohort, group_by, population, month)
    elif outcome == "contacts":
        table, res = _contacts(cohort, group_by, population)
    else:
        table, res = _support(cohort, group_by, population)
    notes = []
    if outcome == "support_days" and res.get("effect_groups"):
        notes.append(
            "No confidence interval for the difference in median support duration: none is "
            "available for a difference of Kaplan-Meier medians without resampling."
        )
    if len(res["tested_groups"]) > 2:
        notes.append("The effect size is given for two groups only.")
    n_total = int(table.drop_duplicates("group")["n"].sum())
    return OutcomeComparison(
        outcome=outcome,
        group_by=group_by,
        population=population,
        resource=resource if outcome in NEEDS_RESOURCE else None,
        month=month,
        table=table.reset_index(drop=True),
        test=res["test"],
        statistic=float(res["statistic"]),
        p_value=float(res["p_value"]),
        effect_name=EFFECT_NAMES[outcome],
        effect=float(res.get("effect", _NAN)),
        effect_ci_low=float(res.get("effect_ci_low", _NAN)),
        effect_ci_high=float(res.get("effect_ci_high", _NAN)),
        unit=UNITS[outcome],
        n_total=n_total,
        effect_groups=tuple(res.get("effect_groups", ())),
        tested_groups=tuple(res["tested_groups"]),
        note=" ".join(notes),
    )
