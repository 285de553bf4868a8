"""Compare page adapter: one outcome between groups, assembled from hoo_metrics outputs.

No inference is done here: counts and samples come from the metric functions and the
cohort's tables; intervals and tests from hoo_metrics.inference (plain means aside).
When the library grows
``compare_outcome`` / ``with_baseline_stage_category`` (requested in plan/app-needs.md),
those are used instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

import hoo_metrics as hm

BASELINE_STAGE = "baseline_stage_category"
OUTCOMES = {
    "most_helpful": "Named a resource most helpful",
    "used": "Used a resource",
    "helpful": "Helpfulness rating of a resource (1-5)",
    "stage": "Recovery stage category at a wave",
    "contacts": "Peer-support contacts per participant",
    "support_days": "Support duration (days)",
}
NEEDS_RESOURCE = ("most_helpful", "used", "helpful")


@dataclass(frozen=True)
class Outcome:
    """One outcome per group and its comparison."""

    table: pd.DataFrame  # group, n, estimate, ci_low, ci_high
    unit: str  # "share" | "rating" | "contacts" | "days"
    test: str = ""
    p_value: float = float("nan")
    effect_name: str = ""
    effect: float = float("nan")
    effect_low: float = float("nan")
    effect_high: float = float("nan")
    counts: pd.DataFrame = field(default_factory=pd.DataFrame)  # stage: group, category, n
    note: str = ""


def with_baseline_stage(cohort: hm.Cohort) -> hm.Cohort:
    """The cohort with a participant column ``baseline_stage_category`` (month-0 category)."""
    fn = getattr(hm, "with_baseline_stage_category", None)
    if fn is not None:
        return fn(cohort)
    cats = hm.stage_categories(cohort, "all")
    base = cats[cats["month"] == 0].set_index("participant_id")["category"]
    p = cohort.participants.copy()
    p[BASELINE_STAGE] = p["participant_id"].map(base).astype("str")
    return replace(cohort, participants=p)


def _proportions(groups, k, n, note="") -> Outcome:
    k, n = np.asarray(k, dtype="int64"), np.asarray(n, dtype="int64")
    low, high = hm.wilson_interval(k, n)
    share = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    table = pd.DataFrame(
        {"group": groups, "n": n, "k": k, "estimate": share, "ci_low": low, "ci_high": high}
    )
    keep = n > 0
    if keep.sum() < 2:
        return Outcome(table, "share", note=note)
    c = hm.compare_proportions(
        k[keep], n[keep], [g for g, m in zip(groups, keep, strict=True) if m]
    )
    low, high = c.risk_difference_ci() if keep.sum() == 2 else (np.nan, np.nan)
    name = "Risk difference" if keep.sum() == 2 else ""
    return Outcome(table, "share", c.test, c.pvalue, name, c.risk_difference, low, high, note=note)


def _means(samples: dict, unit: str, method: str = "auto") -> Outcome:
    rows = []
    for g, v in samples.items():
        v = np.asarray(v, dtype="float64")
        lo, hi = hm.mean_interval(v) if len(v) >= 2 else (np.nan, np.nan)
        rows.append((g, len(v), v.mean() if len(v) else np.nan, lo, hi))
    table = pd.DataFrame(rows, columns=["group", "n", "estimate", "ci_low", "ci_high"])
    usable = {g: v for g, v in samples.items() if len(v)}
    if len(usable) < 2:
        return Outcome(table, unit)
    if method != "auto" and len(usable) > 2:
        method = "kruskal"
    c = hm.compare_means(usable, method=method)
    name = "Mean difference" if len(usable) == 2 else ""
    return Outcome(table, unit, c.test, c.pvalue, name, c.difference, *c.confidence_interval())


def compare(
    cohort: hm.Cohort,
    group_by: str | None,
    population: str,
    outcome: str,
    resource: str | None = None,
    month: int | None = None,
) -> Outcome:
    """One outcome per group of ``cohort`` with its test (see OUTCOMES)."""
    fn = getattr(hm, "compare_outcome", None)
    if fn is not None:
        return fn(cohort, group_by, population, outcome, resource=resource, month=month)
    groups = cohort.groups(group_by)
    if outcome in ("used", "most_helpful") and month is None:
        o = hm.resources_overall(cohort, group_by, population)
        o = o[o["resource"] == resource].set_index("group").reindex(groups)
        col = "used_ever" if outcome == "used" else "most_helpful_ever"
        return _proportions(groups, o[col].fillna(0), o["participants"].fillna(0))
    if outcome in ("used", "most_helpful"):
        w = hm.resources_by_wave(cohort, group_by, population)
        w = w[(w["resource"] == resource) & (w["month"] == month)].set_index("group")
        w = w.reindex(groups)
        return _proportions(groups, w[outcome].fillna(0), w["respondents"].fillna(0))
    analysed = cohort.analysis_set(population)
    group_of = analysed.group_of(group_by)
    if outcome == "helpful":
        r = analysed.responses
        r = r[r["month"] > 0] if month is None else r[r["month"] == month]
        ratings = r["helpful_" + resource]
        keep = ratings.notna()
        by = r.loc[keep, "participant_id"].map(group_of)
        samples = {g: ratings[keep][by == g].to_numpy() for g in groups}
        return _means(samples, "rating")
    if outcome == "contacts":
        c = hm.contacts_per_participant(cohort, group_by, population)
        samples = {
            g: np.repeat(d["contacts"].to_numpy(), d["participants"].to_numpy())
            for g, d in c.groupby("group")
        }
        samples = {g: samples.get(g, np.array([])) for g in groups}
        return _means(samples, "contacts", method="mann-whitney")
    if outcome == "stage":
        cats = hm.stage_categories(cohort, population)
        cats = cats[cats["month"] > 0] if month is None else cats[cats["month"] == month]
        if month is None:
            cats = cats.drop_duplicates("participant_id", keep="last")
        cats = cats.assign(group=cats["participant_id"].map(group_of))
        counts = (
            cats.groupby(["group", "category"]).size().rename("n").reset_index()
            if len(cats)
            else pd.DataFrame(columns=["group", "category", "n"])
        )
        wide = (
            counts.pivot_table(index="group", columns="category", values="n", aggfunc="sum")
            .reindex(index=groups, columns=list(hm.STAGE_CATEGORIES))
            .fillna(0)
            .astype("int64")
        )
        out = _proportions(groups, wide["thriving"], wide.sum(axis=1))
        used = wide[(wide.sum(axis=1) > 0)]
        used = used.loc[:, used.sum(axis=0) > 0]
        test, p = "", np.nan
        if used.shape[0] >= 2 and used.shape[1] >= 2:
            test, _, p = hm.contingency_test(used.to_numpy())
        return replace(
            out,
            test=test,
            p_value=p,
            effect_name="Difference in share thriving" if out.effect_name else "",
            counts=counts,
        )
    if outcome == "support_days":
        s = hm.followup_summary(cohort, group_by, population).set_index("group").reindex(groups)
        table = pd.DataFrame(
            {
                "group": groups,
                "n": s["participants"].fillna(0).astype("int64").to_numpy(),
                "estimate": s["median_support_days"].to_numpy(),
                "ci_low": s["median_support_days_low"].to_numpy(),
                "ci_high": s["median_support_days_high"].to_numpy(),
            }
        )
        return Outcome(
            table,
            "days",
            note="Medians from the Kaplan-Meier curve. No between-group test of support "
            "duration is available in hoo_metrics yet (a log-rank test is requested).",
        )
    raise ValueError(f"unknown outcome {outcome!r}")
