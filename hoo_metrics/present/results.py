"""One view's results: every table any output shows, computed once and suppressed jointly.

A view is a cohort, an analysis set, a grouping, filters and the suppression setting. The
pages, the report, Present, the exports (CSV / .xlsx), the charts' data, ``summary
--min-cell`` and the two-cohort comparison all read the :class:`Results` of
:func:`compute_results`, so no output can show what another hides: the tables are suppressed
together (:func:`hoo_metrics.privacy.suppress_view`), and nothing suppresses anywhere else.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..cohort import Cohort
from ..contract import ALL_GROUP
from ..metrics.baseline import baseline_table, baseline_tests
from ..metrics.compare import compare_resources
from ..metrics.enrollment import enrollment
from ..metrics.followup import (
    contacts_per_participant,
    ended_by_contact,
    followup_summary,
    support_duration_curve,
)
from ..metrics.outcomes import OutcomeComparison, stage_distribution
from ..metrics.resources import resources_by_wave, resources_overall
from ..metrics.stages import (
    early_to_thriving,
    recovered_resource_tests,
    transition_waves,
    transitions,
)
from ..privacy import (
    Refusal,
    SuppressedTable,
    Suppression,
    check_view,
    min_cell_default,
    pooled_groups,
    reason_text,
    rows_of_groups,
    suppress_view,
)
from ..sample import load_sample
from .format import population_label, variable_label

__all__ = [
    "Results",
    "SuppressedOutcome",
    "compute_results",
    "filters_text",
    "mark_if_sample",
    "suppress_outcome",
]

#: The tables of a view with their metric and whether the groups' overall row goes with them.
_GROUPED = (
    ("enrollment", enrollment, True),
    ("followup_summary", followup_summary, True),
    ("ended_by_contact", ended_by_contact, True),
    ("contacts_per_participant", contacts_per_participant, True),
    ("support_duration_curve", support_duration_curve, False),
    ("resources_overall", resources_overall, True),
    ("resources_by_wave", resources_by_wave, True),
    ("transitions", transitions, True),
    ("transition_waves", transition_waves, True),
    ("early_to_thriving", early_to_thriving, True),
    ("stage_distribution", stage_distribution, True),
    ("baseline_table", baseline_table, True),
)
#: The order of the export's sheets.
TABLE_ORDER = (
    "enrollment",
    "followup_summary",
    "ended_by_contact",
    "contacts_per_participant",
    "support_duration_curve",
    "resources_overall",
    "resources_by_wave",
    "resource_comparison",
    "transitions",
    "transition_waves",
    "stage_distribution",
    "early_to_thriving",
    "recovered_resource_tests",
    "baseline_table",
    "baseline_tests",
)


def _setting_of(suppression: int | Suppression | None) -> Suppression:
    if isinstance(suppression, Suppression):
        return suppression
    return Suppression(min_cell_default() if suppression is None else suppression)


@dataclass(frozen=True)
class Results:
    """Every result table of one view, suppressed together: what every output shows."""

    cohort: Cohort  # after the filters
    full: Cohort  # as loaded
    population: str
    group_by: str | None
    filters: Mapping[str, Sequence[str]]
    suppression: Suppression
    created: datetime
    refusal: Refusal | None = None
    tables: dict[str, SuppressedTable] = field(default_factory=dict)
    #: the grouping's values pooled into one group (value -> the pooled group's label)
    pooled: dict[str, str] = field(default_factory=dict)
    #: the metric frames before suppression, by table name: never shown (``tables`` is what
    #: every output shows); a grouped view of the same cohort and filters reuses the
    #: everyone-view's as its overall rows instead of computing them again
    unsuppressed: Mapping[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    @property
    def pooled_text(self) -> str:
        """One sentence saying which groups were pooled, "" when none."""
        if not self.pooled:
            return ""
        return (
            f"Groups held by fewer than {self.suppression.k} participants who completed the "
            f"study are pooled into one: {next(iter(self.pooled.values()))}."
        )

    @property
    def privacy_text(self) -> str:
        """What a hidden value prints as, one sentence ("" when nothing can be hidden): every
        page shows it under its title, the report under the view line."""
        s = self.suppression
        if not s.active:
            return ""
        return (
            f"Privacy: counts from 1 to {s.k - 1} show as {s.small_label}; values that would "
            f"let one be worked out by subtraction, and results of groups under {s.k} "
            "participants, show as suppressed."
        )

    @property
    def groups(self) -> list[str]:
        return self.cohort.groups(self.group_by)

    @property
    def analysed(self) -> int:
        return len(self.cohort.analysis_set(self.population).participants)

    def about(self) -> pd.DataFrame:
        """Provenance and settings as (item, value) rows: the first sheet of every export."""
        s = self.suppression
        rows = [
            ("Cohort", self.full.name),
            ("Synthetic sample data", "yes" if self.full.synthetic else "no"),
            ("Version", str(getattr(self.full, "version", "") or "not versioned")),
            ("SHA-256 of the cohort's content", self.full.sha256 or "unknown"),
            ("Analysis set", population_label(self.population)),
            ("Groups by", variable_label(self.group_by) if self.group_by else "no grouping"),
            ("Filters", filters_text(self.filters)),
            ("Groups pooled", self.pooled_text or "none"),
            # a refused view shows no number at all, its size included
            ("Analysed participants", self.analysed if self.refusal is None else "not shown"),
            (
                "Small-cell suppression",
                f"counts from 1 to {s.k - 1} hidden (k = {s.k})"
                if s.active
                else f"OFF (k = {s.k} lifted)"
                if s.lifted
                else "off (k = 1)",
            ),
            ("HOO dashboard version", __version__),
            ("Created (UTC)", self.created.strftime("%Y-%m-%d %H:%M")),
        ]
        if self.refusal is not None:
            rows.append(("Not shown", self.refusal.message))
        return pd.DataFrame(rows, columns=["item", "value"])


def filters_text(filters: Mapping[str, Sequence[str]] | None) -> str:
    """ "role = resident or nurse; site = A", or "none"."""
    parts = [
        f"{variable_label(c)} = {' or '.join(str(v) for v in vs)}"
        for c, vs in (filters or {}).items()
        if vs
    ]
    return "; ".join(parts) or "none"


@functools.lru_cache(maxsize=1)
def _sample_sha256() -> str:
    try:
        return load_sample().sha256
    except Exception:  # no sample on disk: nothing to recognise
        return ""


def mark_if_sample(cohort: Cohort) -> Cohort:
    """The cohort flagged synthetic when its content is the sample's (same SHA-256), however
    it was loaded (e.g. ``python -m hoo_metrics report sample_data/healing_our_own``)."""
    if cohort.synthetic or not cohort.sha256 or cohort.sha256 != _sample_sha256():
        return cohort
    return dataclasses.replace(cohort, synthetic=True)


def compute_results(
    cohort: Cohort,
    population: str = "completed",
    group_by: str | None = "arm",
    filters: Mapping[str, Sequence[str]] | None = None,
    suppression: int | Suppression | None = None,
    *,
    odds_ratios: bool = True,
    everyone: Results | None = None,
    neighbours: Mapping[str, Results] | None = None,
    siblings: Mapping[str, Results] | None = None,
) -> Results:
    """Compute every result table of a view (cohort, analysis set, grouping, filters) once
    and suppress them jointly. ``suppression`` None means the default threshold
    (``HOO_MIN_CELL``, else 5). ``odds_ratios=False`` skips the odds ratios and their exact
    intervals (no page shows them; the report and the export do). ``everyone`` is the same
    view with no grouping when the caller has it already (its overall rows are reused);
    ``neighbours`` likewise the views without the filter on each filtered column (column ->
    its Results), whose Table 1 shows this view's analysed participants per group; and
    ``siblings``, for a view with no grouping, the views grouped by each filtered column,
    without that filter (column -> its Results), whose groups of the chosen values show this
    view's numbers (one value) or their parts (several): every table here is hidden and shown
    as there.

    A view that :func:`hoo_metrics.privacy.check_view` refuses (too few participants, or a
    filter or analysis set a subtraction away from a group under k) gets no table at all
    (``refusal`` says why)."""
    setting = _setting_of(suppression)
    filters = {c: list(v) for c, v in (filters or {}).items() if v}
    full = mark_if_sample(cohort)
    view = full.filter(filters) if filters else full
    res = Results(
        view, full, population, group_by, filters, setting, datetime.now(UTC).replace(microsecond=0)
    )
    refusal = check_view(full, setting, population=population, group_by=group_by, filters=filters)
    if refusal is not None:
        return dataclasses.replace(res, refusal=refusal)
    everyone_view = view  # the overall rows: no grouping, so nothing pooled
    pooled = pooled_groups(full, group_by, setting)  # the same for every view of the cohort
    if pooled and group_by is not None:  # (pooled_groups gives none without a grouping)
        view = view.recoded(group_by, pooled)
        res = dataclasses.replace(res, cohort=view, pooled=pooled)
    overall_rows = None
    if everyone is not None and not (
        everyone.full.participants is full.participants
        and everyone.population == population
        and everyone.group_by is None
        and dict(everyone.filters) == filters
    ):  # its tables would be another view's overall rows
        raise ValueError("everyone must be this view's cohort, analysis set and filters, ungrouped")
    if group_by is not None:  # the same view with no grouping, which anyone can open
        if everyone is None:
            everyone = compute_results(
                full, population, None, filters, setting, odds_ratios=odds_ratios
            )
        overall_rows = everyone.tables
    kw: dict[str, Any] = {"group_by": group_by, "population": population}
    # the everyone-view's frames are this view's overall rows (same cohort, same filters)
    known = everyone.unsuppressed if everyone is not None else {}
    tables = {}
    for name, fn, with_overall in _GROUPED:
        frame = fn(view, **kw)
        over = None
        if with_overall and group_by:
            over = known.get(name)
            if over is None:
                over = fn(everyone_view, group_by=None, population=population)
        tables[name] = (frame, over)
    recovered = known.get("recovered_resource_tests")  # has no grouping
    if recovered is None:
        recovered = recovered_resource_tests(view, population, odds_ratios=odds_ratios)
    tables["recovered_resource_tests"] = (recovered, None)
    tests = {}
    if len(view.groups(group_by)) > 1:
        tests["resource_comparison"] = compare_resources(
            view, **kw, overall=tables["resources_overall"][0], odds_ratios=odds_ratios
        )
        tests["baseline_tests"] = baseline_tests(view, **kw)
    elsewhere = _analysed_elsewhere(full, population, group_by, filters, setting, neighbours or {})
    same = _same_rows_elsewhere(full, population, group_by, filters, setting, siblings or {})
    out = suppress_view(tables, setting, population, tests, overall_rows, elsewhere, same)
    ordered = {name: out[name] for name in TABLE_ORDER if name in out}
    unsuppressed = {name: frame for name, (frame, _) in tables.items()} | tests
    return dataclasses.replace(res, tables=ordered, unsuppressed=unsuppressed)


def _same_rows_elsewhere(
    full: Cohort,
    population: str,
    group_by: str | None,
    filters: Mapping[str, Sequence[str]],
    setting: Suppression,
    siblings: Mapping[str, Results],
) -> list[dict[str, SuppressedTable]]:
    """For a view with no grouping: per filtered column, the tables of the view grouped by
    that column without that filter, restricted to the chosen values' groups (one value: the
    same numbers as this view's, one change of the sidebar away; several: their sum, which is
    this view's numbers, hidden where any value hides them, see
    :func:`hoo_metrics.privacy.rows_of_groups`)."""
    out: list[dict[str, SuppressedTable]] = []
    if group_by is not None or not setting.active:
        return out
    for column, values in filters.items():
        if column in full.screened:
            continue
        other = _without_filter(full, population, column, filters, column, setting, siblings)
        if other is None:
            continue
        chosen = [str(v) for v in values]
        out.append({name: rows_of_groups(st, name, chosen) for name, st in other.tables.items()})
    return out


def _without_filter(
    full: Cohort,
    population: str,
    group_by: str | None,
    filters: Mapping[str, Sequence[str]],
    column: str,
    setting: Suppression,
    given: Mapping[str, Results],
) -> Results | None:
    """The view without the filter on ``column``, grouped by ``group_by`` (``given[column]``
    when the caller has it), or None when that view is refused (it shows nothing)."""
    other = given.get(column)
    if other is None:
        rest = {c: v for c, v in filters.items() if c != column}
        other = compute_results(full, population, group_by, rest, setting, odds_ratios=False)
    return None if other.refusal is not None else other


def _analysed_elsewhere(
    full: Cohort,
    population: str,
    group_by: str | None,
    filters: Mapping[str, Sequence[str]],
    setting: Suppression,
    neighbours: Mapping[str, Results],
) -> dict[str, bool]:
    """Group -> whether another view a user can reach shows this view's analysed participants
    of that group: the view without the filter on a column tabulates that column in its Table
    1, per group, so its cells for the chosen values add up to this view's analysed count. A
    group found hidden there in any such view is False (hidden here too); shown in all, True."""
    out: dict[str, bool] = {}
    if not setting.active:
        return out
    for column, values in filters.items():
        if column == group_by:
            continue
        other = _without_filter(full, population, group_by, filters, column, setting, neighbours)
        if other is None:
            continue
        t1 = other.tables["baseline_table"]
        t = t1.table
        sel = (t["variable"] == column).to_numpy() & t["level"].isin(list(values)).to_numpy()
        hidden = (t1.mask["n"].to_numpy() | t1.mask["denominator"].to_numpy())[sel]
        for group, h in zip(t["group"].to_numpy()[sel], hidden, strict=True):
            out[str(group)] = out.get(str(group), True) and not bool(h)
    return out


# ---- the Compare page's outcomes ----------------------------------------------------------------
#: outcome -> (table of the view, its columns for (n, count), the rows' extra keys)
def _outcome_source(result: OutcomeComparison) -> tuple[str, str, str | None, dict]:
    o, r, m = result.outcome, result.resource, result.month
    if o in ("used", "most_helpful"):
        if m is None:
            return "resources_overall", "participants", f"{o}_ever", {"resource": r}
        return "resources_by_wave", "respondents", o, {"resource": r, "month": m}
    if o == "helpful" and m is not None:
        return "resources_by_wave", "helpful_n", None, {"resource": r, "month": m}
    if o == "stage":
        return "stage_distribution", "n", "count", {"month": m}
    if o in ("contacts", "support_days"):
        return "followup_summary", "participants", None, {}
    return "", "", None, {}  # helpfulness over the whole follow-up: one mean per rater


@dataclass(frozen=True, eq=False)
class SuppressedOutcome:
    """One outcome comparison as a view shows it (:func:`suppress_outcome`).

    comparison
        The :class:`~hoo_metrics.metrics.outcomes.OutcomeComparison` with what the view's
        joint suppression hides set to NaN: the hidden cells of its ``table`` and, when the
        test is hidden, its statistic, p-value and effect with the effect's interval.
    suppressed
        The :class:`~hoo_metrics.privacy.SuppressedTable` of ``comparison.table`` (mask,
        reasons, labels).
    test_hidden
        The reason (a sentence) the statistic, p-value and effect are hidden, "" when shown.
    """

    comparison: OutcomeComparison
    suppressed: SuppressedTable = field(repr=False)
    test_hidden: str = ""


def suppress_outcome(result: OutcomeComparison, results: Results) -> SuppressedOutcome:
    """``result`` (``compare_outcome`` on the view's cohort, grouping and analysis set) with
    what the view's joint suppression hides: its ``n`` and ``count`` are cells of the view's
    tables (respondents and users of a wave, the followed-up participants, the stage mix of a
    wave, ...), hidden where those are; estimates and intervals go with their cells, and the
    test and effect when any cell of a tested group is hidden (``test_hidden`` says why).
    Helpfulness over the whole follow-up (one mean per participant who rated) has its own
    count of raters: a group with fewer than k of them shows no mean."""
    setting = results.suppression
    kk = setting.effective_k
    t = result.table.reset_index(drop=True)
    strangers = set(t["group"].astype(str)) - {*results.groups, ALL_GROUP}
    if strangers and kk > 1:  # a group the view does not have would show its n unhidden
        raise ValueError(
            f"the outcome's groups {sorted(strangers)} are not the view's: compute it on "
            "results.cohort (its small groups pooled as the view pools them)"
        )
    columns = list(t.columns)
    reasons = pd.DataFrame("", index=t.index, columns=columns, dtype=object)
    name, n_col, count_col, where = _outcome_source(result)
    source = results.tables.get(name)
    if source is not None and kk > 1:
        src = source.table.reset_index(drop=True)
        src_reasons = source.reasons.reset_index(drop=True)
        sel = np.ones(len(src), bool)
        for col, value in where.items():
            if col == "month" and value is None:
                sel &= src["month"].isna().to_numpy()
            else:
                sel &= (src[col] == value).fillna(False).to_numpy(dtype=bool)
        keys = ["group", "category"] if "category" in t and "category" in src else ["group"]
        rows = src[sel].reset_index().set_index(keys)["index"]
        at = [rows.get(tuple(r) if len(keys) > 1 else r[0]) for r in t[keys].to_numpy()]
        for mine, theirs in (("n", n_col), ("count", count_col)):
            if mine not in columns or theirs is None:
                continue
            reasons[mine] = [
                # a group without a row in the view's table has nobody to count (n = 0)
                src_reasons.at[i, theirs] if i is not None else ""
                for i in at
            ]
        if result.outcome == "helpful":  # the mean goes with the wave's helpfulness mean
            reasons["estimate"] = [
                src_reasons.at[i, "helpful_mean"] if i is not None else "" for i in at
            ]
    elif kk > 1:  # raters over the whole follow-up: too few hides the group's mean
        n = t["n"].to_numpy(dtype="float64")
        reasons.loc[(n >= 1) & (n < kk), "n"] = "small_count"
    hidden_cell = np.zeros(len(t), bool)
    for c in ("n", "count"):
        if c in columns:
            hidden_cell |= (reasons[c] != "").to_numpy()
    for c in ("estimate", "share", "ci_low", "ci_high", "sd"):
        if c in columns:
            free = (reasons[c] == "").to_numpy()
            reasons.loc[free & hidden_cell, c] = "built_on_hidden_count"
    mask = reasons != ""
    out = t.copy()
    for col in columns:
        m = mask[col].to_numpy()
        if m.any():
            out[col] = out[col].astype("float64")
            out.loc[m, col] = np.nan
    too_few = pd.Series((reasons["n"] == "too_few_participants").to_numpy(), name="too_few")
    counts = tuple(c for c in ("n", "count") if c in columns)
    table = SuppressedTable(out, mask, reasons, too_few, setting, counts)
    tested = t["group"].isin(list(result.tested_groups)).to_numpy()
    changes: dict = {"table": out}
    test_hidden = ""
    if len(t) and hidden_cell[tested].any():
        nan = float("nan")
        changes |= {
            "statistic": nan,
            "p_value": nan,
            "effect": nan,
            "effect_ci_low": nan,
            "effect_ci_high": nan,
        }
        test_hidden = reason_text("test_on_hidden_cell", setting.k)
    return SuppressedOutcome(dataclasses.replace(result, **changes), table, test_hidden)
