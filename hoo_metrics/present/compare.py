"""The Compare page's view model: one outcome per group, with its effect size, CI, P and test.

The outcome is :func:`hoo_metrics.metrics.outcomes.compare_outcome` on the view's own cohort (its
small groups pooled as its tables pool them), hidden where the view's jointly suppressed
tables hide its cells (:func:`hoo_metrics.present.results.suppress_outcome`, which refuses groups
that are not the view's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from ..contract import resource_label, stage_category_label
from ..metrics.outcomes import OUTCOMES, OutcomeComparison, compare_outcome
from ..metrics.stages import BASELINE_STAGE_CATEGORY
from .figures import comparison_chart, group_colors
from .format import ci, group_list, number, pct, takeaway_difference
from .model import Card, Chart, Table
from .results import Results, SuppressedOutcome, suppress_outcome

__all__ = ["Y_TITLES", "ComparePage", "build", "p_text"]

#: The y axis title (and the estimate column's title) by the outcome's unit.
Y_TITLES = {
    "share": "Participants (%)",
    "rating 1-5": "Mean rating (1 = not at all, 5 = extremely)",
    "contacts": "Mean contacts per participant",
    "days": "Median support duration (days)",
}
WHISKERS = "Whiskers: 95% CI (Wilson for shares, t for means, Kaplan-Meier for medians)."
NO_EFFECT = "An effect size needs exactly two groups with data."


@dataclass(frozen=True)
class ComparePage:
    """What the Compare page shows for one grouping, outcome, resource and wave.

    ``effect`` is the two-group effect size (None when hidden or not two groups) and
    ``effect_text`` the line under it (its CI, or why there is none); ``p`` is the P value as
    the page prints it and ``tested`` the test with the groups that entered it."""

    chart: Chart
    chart_caption: str
    effect: Card | None
    effect_text: str
    p: str
    tested: str
    note: str
    table: Table


def p_text(shown: SuppressedOutcome) -> str:
    """The page's P: four decimals (a reader checking the test wants more than the takeaway's
    journal style), "P < 0.0001" below, or why there is none."""
    if shown.test_hidden:
        return "P hidden"
    p = shown.comparison.p_value
    if p != p:
        return "P not computable"
    return f"P = {p:.4f}" if p >= 0.0001 else "P < 0.0001"


def build(
    results: Results,
    group_by: str,
    outcome: str,
    resource: str | None = None,
    month: int | None = None,
    memo: Callable[[Callable[[], OutcomeComparison]], OutcomeComparison] | None = None,
) -> ComparePage:
    """The page for ``outcome`` (``resource`` and ``month`` where it takes them) between the
    groups of ``group_by`` in the view ``results`` (grouped by ``group_by``). ``memo`` keeps
    the unsuppressed comparison across reruns (the app's session memo); the suppression and
    everything shown are made afresh, so nothing kept is ever changed."""

    def compute() -> OutcomeComparison:
        return compare_outcome(
            results.cohort, group_by, results.population, outcome, resource, month
        )

    shown = suppress_outcome(memo(compute) if memo else compute(), results)
    res, suppressed, test_hidden = shown.comparison, shown.suppressed, shown.test_hidden
    labels = suppressed.labels()
    percent = res.unit == "share"

    def name(g) -> str:
        return stage_category_label(g) if group_by == BASELINE_STAGE_CATEGORY else str(g)

    def n_text(i) -> str:
        return labels.at[i, "n"] or str(int(res.table.at[i, "n"]))

    def value(v) -> str:
        return pct(v) if percent else number(v, 1)

    colors = {name(g): c for g, c in group_colors(results.groups).items()}
    rows = res.table.assign(
        group=[name(g) for g in res.table["group"]],
        label=[f"{name(g)} (n = {n_text(i)})" for i, g in res.table["group"].items()],
        hidden=suppressed.mask["estimate"].to_numpy(),
    )
    chart = Chart(
        comparison_chart(rows, colors, Y_TITLES[res.unit], percent=percent),
        _takeaway(shown, rows, outcome, resource, month, value),
        key="cmp_chart",
    )

    effect = None
    if res.effect_groups and not test_hidden:
        a, b = (name(g) for g in res.effect_groups)
        effect = Card(f"{res.effect_name} ({a} minus {b})", value(res.effect))
        effect_text = ci(*res.confidence_interval(), percent=percent)
    elif test_hidden:
        effect_text = f"Hidden: {test_hidden}."
    else:
        effect_text = NO_EFFECT
    tested = group_list([name(g) for g in res.tested_groups]) or "none"

    return ComparePage(
        chart=chart,
        chart_caption=WHISKERS,
        effect=effect,
        effect_text=effect_text,
        p=p_text(shown),
        tested=f"{res.test}; groups with data: {tested}",
        note=res.note,
        table=Table(
            _display(shown, rows, [n_text(i) for i in rows.index], value),
            f"compare-{outcome}",
            key="cmp_table",
        ),
    )


def _takeaway(shown: SuppressedOutcome, rows, outcome, resource, month, value) -> str:
    """The chart's sentence: the shown estimates (thriving for the stage mix), the test's
    journal-style P, or why the test is hidden."""
    res, test_hidden = shown.comparison, shown.test_hidden
    est = rows.loc[rows["category"] == "thriving"] if outcome == "stage" else rows
    what = OUTCOMES[outcome] + (f" — {resource_label(resource)}" if resource else "")
    if outcome == "stage":
        what = "Moved on by thriving (stage 6)"
    when = f" at month {month}" if month else (" at the last wave" if outcome == "stage" else "")
    est = est[~est["hidden"]]
    sentence = takeaway_difference(
        f"{what}{when}:",
        est["group"].tolist(),
        [value(v) for v in est["estimate"]],
        float("nan") if test_hidden else res.p_value,
        "" if test_hidden else res.test,
    )
    if test_hidden:
        sentence += f" The test is hidden by small-cell suppression: {test_hidden}."
    return sentence


def _display(shown: SuppressedOutcome, rows, n, value) -> pd.DataFrame:
    """The table as printed: hidden cells as their labels, headers as the chart's."""
    res, suppressed = shown.comparison, shown.suppressed
    cols = ["group", "category", "n", "count", "estimate", "ci_low", "ci_high"]
    cols = [c for c in cols if c in rows.columns]
    display = pd.DataFrame({c: suppressed.render(c, str) for c in cols})
    display["group"] = rows["group"]
    display["n"] = n
    if "count" in display:
        display["count"] = suppressed.render("count", lambda v: "" if pd.isna(v) else str(int(v)))
    display["estimate"] = suppressed.render("estimate", value)
    display["ci_low"] = suppressed.render("ci_low", value)
    display["ci_high"] = suppressed.render("ci_high", value)
    if "category" in display:
        display["category"] = [stage_category_label(c) for c in rows["category"]]
    headers = {"group": "Group", "category": "Stage category", "count": "Count"}
    headers |= {"estimate": Y_TITLES[res.unit], "ci_low": "95% CI low", "ci_high": "95% CI high"}
    return display.rename(columns=headers)
