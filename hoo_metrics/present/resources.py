"""The Resources page's view model: what participants used and named most helpful, per group.

The page has two sections, each built only when open (a filter change rebuilds one section,
not both): the whole follow-up (:func:`ranking` per measure tab, then
:func:`whole_follow_up`) and the follow-up waves (:func:`by_wave`, then :func:`wave` for
the chosen month). Everything is built from the view's :class:`hoo_metrics.present.results.Results`,
whose tables are already suppressed: a hidden value is NaN here (a chart draws nothing) and
prints as its label ("<5", "suppressed") in the tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from ..contract import resource_label
from ..privacy import SuppressedTable
from .figures import helpfulness_chart, resource_ranking_chart, use_heatmap
from .format import (
    comparison_display,
    resource_ranking_display,
    takeaway_resource_test,
    takeaway_top,
    wave_ranking_display,
)
from .model import Chart, Table
from .results import Results

__all__ = [
    "NO_RESPONSES",
    "RANKINGS",
    "ByWave",
    "Wave",
    "WholeFollowUp",
    "by_wave",
    "no_data",
    "ranking",
    "wave",
    "whole_follow_up",
]

NO_RESPONSES = "No follow-up responses in this view: widen the filters."
#: the whole follow-up's tabs: (tab label, measure, chart key)
RANKINGS = (
    ("Named most helpful", "most_helpful_ever", "rank_mh"),
    ("Used", "used_ever", "rank_used"),
)


@dataclass(frozen=True)
class WholeFollowUp:
    """Under the ranking charts: their caption and the ranking table; then the group
    comparisons with their takeaway, or why there are none (``comparison`` None)."""

    caption: str
    ranking: Table
    comparison: Table | None
    comparison_takeaway: str = ""
    no_comparison: str = ""


@dataclass(frozen=True)
class ByWave:
    """The waves to choose from and the heatmap of use over every wave."""

    months: list[int]
    heatmap: Chart


@dataclass(frozen=True)
class Wave:
    """One follow-up wave: the helpfulness chart, its caption and the wave's ranking table."""

    helpfulness: Chart
    caption: str
    table: Table


def _overall(res: Results) -> SuppressedTable:
    return res.tables["resources_overall"]


def _tests(res: Results) -> SuppressedTable | None:
    """The group comparisons; None with one group (only a grouping has them)."""
    return res.tables["resource_comparison"] if len(res.groups) > 1 else None


def no_data(res: Results) -> str:
    """Why the page shows nothing (no follow-up response in the view), or ""."""
    return NO_RESPONSES if _overall(res).table.empty else ""


def ranking(res: Results, colors: Mapping[str, str], measure: str, key: str) -> Chart:
    """The ranking of the resources on ``measure`` ("most_helpful_ever" or "used_ever") by
    group, under the sentence on the resource whose groups differ most (the top one with a
    single group)."""
    overall = _overall(res)
    tests = _tests(res)
    return Chart(
        resource_ranking_chart(overall.table, colors, measure, overall.labels()),
        takeaway_resource_test(
            tests if tests is not None else overall.table.iloc[0:0], overall, measure
        ),
        key=key,
    )


def _comparison_takeaway(tests: SuppressedTable) -> str:
    p = tests.table["p_value"]
    hidden = int(tests.mask["p_value"].sum())
    return (
        f"{int((p < 0.05).sum())} of {int(p.notna().sum())} comparisons shown reach P < 0.05 "
        "before correction for multiple testing; the BH q-value corrects for the number of "
        "resources."
        + (
            f" {hidden} comparisons are hidden (a cell of their table is too small)."
            if hidden
            else ""
        )
    )


def whole_follow_up(res: Results) -> WholeFollowUp:
    """The section's tables and sentences (the ranking charts are :func:`ranking`)."""
    overall = _overall(res)
    caption = (
        "Bars: % of participants with a follow-up response; whiskers: Wilson 95% CI; no bar: "
        "hidden (see the table). Participants could name up to 3 resources most helpful per "
        "wave."
    )
    table = Table(resource_ranking_display(overall), "resources-overall", key="overall")
    tests = _tests(res)
    if tests is None or tests.table.empty:
        return WholeFollowUp(
            caption,
            table,
            None,
            no_comparison="Choose a grouping with at least two groups to compare them.",
        )
    comparison = Table(
        comparison_display(tests),
        "resources-comparison",
        key="tests",
        caption="Two groups: Fisher's exact test, two-sided; more groups: chi-square test. "
        "Risk difference = first group minus second, Newcombe 95% CI. "
        "BH q: Benjamini-Hochberg false discovery rate within each measure.",
    )
    return WholeFollowUp(caption, table, comparison, _comparison_takeaway(tests))


def _top(rows: pd.DataFrame, column: str) -> dict[str, str]:
    """Each group's resource with the largest ``column``, as its label."""
    return {
        g: resource_label(d.sort_values(column, ascending=False).iloc[0]["resource"])
        for g, d in rows.groupby("group", sort=False)
    }


def by_wave(res: Results) -> ByWave:
    """The waves and the heatmap of use, under the most used resource at the first wave."""
    waves = res.tables["resources_by_wave"]
    table = waves.table
    months = sorted(table["month"].unique().tolist())
    first = table[(table["month"] == months[0]) & table["used"].notna()]
    takeaway = (
        takeaway_top(
            "Most used at the first follow-up wave"
            + (" (among the values shown)" if waves.any else ""),
            _top(first, "used"),
        )
        if len(first)
        else "Use at the first follow-up wave is hidden in this view (small counts)."
    )
    return ByWave(
        months, Chart(use_heatmap(table, res.groups, waves.labels()), takeaway, "heatmap")
    )


def wave(res: Results, colors: Mapping[str, str], month: int) -> Wave:
    """Follow-up wave ``month``: mean helpfulness per resource and group, and its ranking."""
    waves = res.tables["resources_by_wave"]
    rows = (waves.table["month"] == month).to_numpy()
    part = waves.table[rows]
    rated = part[part["helpful_mean"].notna()]
    if len(rated):
        takeaway = takeaway_top(
            f"Rated most helpful on average at month {month}", _top(rated, "helpful_mean")
        )
    else:  # too thin a wave: the waves pooled, as the whole follow-up shows them
        takeaway = f"No mean rating at month {month} rests on {res.suppression.k} or more answers."
        overall = _overall(res).table
        pooled = overall[overall["helpful_mean"].notna()]
        if len(pooled):
            takeaway += " " + takeaway_top(
                "With the follow-up waves pooled, rated most helpful on average",
                _top(pooled, "helpful_mean"),
            )
    caption = (
        "Dots: mean rating among those who used the resource; whiskers: t-based 95% CI. A mean "
        f"needs {res.suppression.effective_k} ratings or more to be shown."
    )
    return Wave(
        Chart(helpfulness_chart(part, colors), takeaway, "helpful"),
        caption,
        Table(wave_ranking_display(waves.rows(rows)), f"resources-month-{month}", key="wave"),
    )
