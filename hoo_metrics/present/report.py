"""The report: one self-contained HTML file of a view, and the presentation's key findings.

No streamlit here. :func:`build_report` writes every page's charts and tables, the methods, the
cohort's provenance (name, version, SHA-256 of its content), the analysis set, filters and
suppression threshold, the dashboard version and the date into ONE HTML file that opens
offline: plotly.js is embedded once (``include_plotlyjs=True`` in the first figure), and no
script, style sheet, font or image is loaded from anywhere else. Every text that comes from the
data (cohort name, group labels, filter values) is HTML-escaped.

:func:`presentation_steps` gives the five findings of presentation mode (one chart and one
sentence each); the report opens with the same five.

Numbers are suppressed before anything is drawn (:mod:`hoo_metrics.privacy`; k from
``HOO_MIN_CELL``, default 5), once for the whole view (:func:`hoo_metrics.compute_results`).
The findings' sentences keep three cases apart: a value the suppression hides is "hidden (small
counts)", never 0 or absent; a resource, wave or file the cohort lacks is "not recorded in this
cohort"; a shown count of 0, or a group with nobody, is "none". Tables print hidden cells as
their labels or "–".
"""

from __future__ import annotations

import dataclasses
import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from .. import privacy
from ..contract import ALL_GROUP, resource_label
from ..metrics.inference import compare_proportions, wilson_interval
from . import figures
from .export import Results, compute_results, filters_text, labelled
from .format import (
    DASH,
    SYNTHETIC_LABEL,
    baseline_display,
    baseline_verdict,
    ci,
    comparison_display,
    group_list,
    number,
    p_value,
    pct,
    population_label,
    recovered_tests_display,
    resource_ranking_display,
    takeaway_recovered,
    takeaway_resource_test,
    variable_label,
    wave_ranking_display,
)
from .methods import methods_sections

__all__ = ["STEP_KEYS", "Slide", "build_report", "presentation_steps"]

LEADERSHIP = "department_leadership"
_MOVED_ON = ("dropping_out", "surviving", "thriving")  # stage 6 by its three paths


@dataclass(frozen=True)
class Slide:
    """One finding: a title, one sentence and one chart (None when nothing may be drawn)."""

    key: str
    title: str
    sentence: str
    figure: go.Figure | None
    note: str = ""
    #: why there is no chart, when that is not already the sentence (e.g. every value hidden)
    no_chart: str = ""


# ---- numbers as text, suppression-aware ----------------------------------------------------------
# Three things a finding may have to say instead of a number, never mixed up:
HIDDEN = "hidden (small counts)"  # a value the suppression layer masked (NaN in .table)
NOT_RECORDED = "not recorded in this cohort"  # a resource, wave or file the cohort lacks
NONE = "none"  # a shown count of 0, or a group with nobody in it
NO_CHART_HIDDEN = "No chart: the values it would draw are hidden (small counts)."


def _hidden(st: privacy.SuppressedTable, i: int, col: str) -> bool:
    return bool(st.mask[col].iloc[i])


def _count(st: privacy.SuppressedTable, i: int, col: str) -> str:
    """A shown count as text ("0" for zero), or "hidden (small counts)"."""
    if _hidden(st, i, col):
        return HIDDEN
    v = st.table[col].iloc[i]
    return DASH if pd.isna(v) else f"{int(v)}"


def _share(st: privacy.SuppressedTable, i: int, k_col: str, n_col: str) -> str:
    """ "26% (6/23)"; "hidden (small counts) of 23" when the count is hidden; "hidden (small
    counts)" when the denominator is; "none" when the group has nobody to count."""
    k, n = st.table[k_col].iloc[i], st.table[n_col].iloc[i]
    if _hidden(st, i, n_col):
        return HIDDEN
    if pd.isna(n) or n == 0:
        return NONE
    if _hidden(st, i, k_col):
        return f"{HIDDEN} of {int(n)}"
    if pd.isna(k):
        return DASH
    return f"{pct(k / n)} ({int(k)}/{int(n)})"


def _rows(st: privacy.SuppressedTable, **where) -> list[int]:
    t = st.table.reset_index(drop=True)
    keep = np.ones(len(t), bool)
    for c, v in where.items():
        keep &= (t[c] == v).to_numpy()
    return np.flatnonzero(keep).tolist()


def _reset(st: privacy.SuppressedTable) -> privacy.SuppressedTable:
    return privacy.SuppressedTable(
        st.table.reset_index(drop=True),
        st.mask.reset_index(drop=True),
        st.reasons.reset_index(drop=True),
        st.too_few.reset_index(drop=True),
        st.suppression,
        st.count_columns,
        st.overall,
        st.margins,
    )


def _group_name(g: str) -> str:
    return "everyone" if g == ALL_GROUP else str(g)


def _in(g: str) -> str:
    """ "in enhanced", or "overall" for everyone together."""
    return "overall" if g == ALL_GROUP else f"in {g}"


def _chart_group(g: str) -> str:
    return "overall" if g == ALL_GROUP else str(g)


def _chart_colors(colors) -> dict:
    return {**colors, "overall": colors.get(ALL_GROUP, figures.ALL_COLOR)}


def _with_overall(st: privacy.SuppressedTable) -> list[tuple[privacy.SuppressedTable, int]]:
    """The overall row of a grouped table (as the everyone-view shows it), first."""
    if st.overall is None or st.overall.table.empty:
        return []
    return [(_reset(st.overall), 0)]


def _no_chart(figure, hidden: bool) -> str:
    return NO_CHART_HIDDEN if figure is None and hidden else ""


# ---- the five findings ---------------------------------------------------------------------------
_STATUSES = (
    ("completed", "completed the study", "who completed the study"),
    ("withdrew", "withdrew", "who withdrew"),
    ("lost_to_follow_up", "were lost to follow-up", "who were lost to follow-up"),
)


def _flow_slide(res: Results, colors) -> Slide:
    title = "Who took part"
    st = _reset(res.tables["enrollment"])
    over = _reset(st.overall) if st.overall is not None else st  # ungrouped: the one row
    t = st.table
    if not len(over.table):
        return Slide("flow", title, "Nobody is enrolled in this view.", None)
    # consort_flow draws hidden (NaN) sizes and statuses without their numbers
    fig = figures.consort_flow(t, colors, total=over.table["enrolled"].iloc[0])
    shown, hidden = [], []
    for col, verb, noun in _STATUSES:
        v = _count(over, 0, col)
        if v == HIDDEN:
            hidden.append(noun)
        else:
            shown.append((NONE if v == "0" else v, verb))
    enrolled = _count(over, 0, "enrolled")
    if enrolled != HIDDEN:
        clauses = [f"{v} {verb}" for v, verb in shown]
        sentence = f"{enrolled} participants were enrolled" + (
            f"; {group_list(clauses)}." if clauses else "."
        )
    else:
        hidden.insert(0, "enrolled")
        clauses = [f"{v} {verb}" for v, verb in shown]
        if clauses and shown[0][0] != NONE:  # "42 participants completed the study"
            clauses[0] = f"{shown[0][0]} participants {shown[0][1]}"
        sentence = f"{group_list(clauses)}." if clauses else ""
    if hidden:
        one = len(hidden) == 1
        sentence += (
            f" The {'number' if one else 'numbers'} {group_list(hidden)} "
            f"{'is' if one else 'are'} {HIDDEN}."
        )
    sentence = sentence.strip()
    note = "Flows of fewer than k participants are not drawn." if st.any else ""
    return Slide("flow", title, sentence[0].upper() + sentence[1:], fig, note)


def _top_sentences(st: privacy.SuppressedTable, measure: str, overall: bool = False) -> str:
    """The first-ranked resource of each group (ranks stay when values are hidden): "Family
    was named most helpful by the most participants: 69% (29/42)."; ``overall`` says
    "overall" for everyone's row (next to a grouped view's hidden comparisons)."""
    out = []
    for g in dict.fromkeys(st.table["group"]):
        first = [i for i in _rows(st, group=g) if st.table["rank"][i] == 1]
        if first:
            i = first[0]
            where = "" if g == ALL_GROUP and not overall else f" {_in(g)}"
            out.append(
                f"{resource_label(st.table['resource'][i])} {_MEASURE[measure]} the most "
                f"participants{where}: {_share(st, i, measure, 'participants')}."
            )
    return " ".join(out)


_MEASURE = {"most_helpful_ever": "was named most helpful by", "used_ever": "was used by"}


def _ranking_slide(res: Results, colors) -> Slide:
    """The resource whose share named most helpful differs most between the groups (smallest
    shown p-value), or with one group the first-ranked resource."""
    title = "What helped most, by group"
    measure = "most_helpful_ever"
    if not res.full.resources:
        return Slide("ranking", title, f"Support resources are {NOT_RECORDED}.", None)
    st = _reset(res.tables["resources_overall"])
    if st.table.empty:
        return Slide("ranking", title, "No follow-up responses in this view.", None)
    shares = st.table[f"{measure}_share"]
    fig = (
        figures.resource_ranking_chart(st.table, colors, measure, st.labels())
        if shares.notna().any()
        else None
    )
    comp = res.tables.get("resource_comparison")
    groups = list(dict.fromkeys(st.table["group"]))
    if comp is None or len(groups) < 2:
        sentence = _top_sentences(st, measure)
        return Slide("ranking", title, sentence, fig, "", _no_chart(fig, st.any))
    c = _reset(comp)
    mine = [i for i in range(len(c.table)) if c.table["measure"][i] == measure]
    shown = [i for i in mine if not _hidden(c, i, "p_value") and pd.notna(c.table["p_value"][i])]
    hidden = [i for i in mine if _hidden(c, i, "p_value")]
    if not shown:
        sentence = (
            f"Every comparison of the groups is {HIDDEN}."
            if hidden
            else "No resource could be compared between the groups (no test is computable)."
        )
        for over, _ in _with_overall(st):
            sentence += f" {_top_sentences(over, measure, overall=True)}"
        return Slide("ranking", title, sentence, fig, "", _no_chart(fig, st.any))
    r = c.table.iloc[min(shown, key=lambda i: c.table["p_value"][i])]
    parts = []
    for g in groups:
        at = _rows(st, group=g, resource=r["resource"])
        if not at:
            continue
        i = at[0]
        count = _count(st, i, "participants")
        value = HIDDEN if _hidden(st, i, f"{measure}_share") else pct(shares[i])
        parts.append(f"{value} {_in(g)} (n = {count})")
    qv = r["q_value"]
    q = "" if pd.isna(qv) else (" (BH q < 0.01)" if qv < 0.01 else f" (BH q = {number(qv, 2)})")
    sentence = (
        f"{resource_label(r['resource'])} was named most helpful by {' vs '.join(parts)}, "
        f"{p_value(r['p_value'])}, {r['test']}{q}."
    )
    if hidden:
        n = len(hidden)
        sentence += (
            f" The {'test' if n == 1 else 'tests'} of {n} other "
            f"{'resource is' if n == 1 else 'resources are'} {HIDDEN}."
        )
    return Slide("ranking", title, sentence, fig, "", _no_chart(fig, st.any))


def _leadership_slide(res: Results, colors) -> Slide:
    """Departmental leadership, a resource of the trial: named most helpful, per group, and
    its mean helpfulness. Only when the cohort asks about it; otherwise the finding says it
    is not recorded. The overall share is quoted first when a group's is hidden."""
    title = "Departmental leadership"
    if LEADERSHIP not in res.full.resources:
        return Slide("leadership", title, f"Departmental leadership is {NOT_RECORDED}.", None)
    st = _reset(res.tables["resources_overall"])
    lines = [(st, i) for i in _rows(st, resource=LEADERSHIP)]
    if not lines:
        return Slide("leadership", title, "No follow-up responses in this view.", None)
    share = "most_helpful_ever_share"
    grouped = len({s.table["group"][i] for s, i in lines} - {ALL_GROUP}) > 1
    if grouped and any(_hidden(s, i, share) for s, i in lines):
        over = [(o, j) for o, _ in _with_overall(st) for j in _rows(o, resource=LEADERSHIP)]
        lines = over + lines
    chart = pd.DataFrame(
        [
            {
                "group": _chart_group(s.table["group"][i]),
                "estimate": s.table[share][i],
                "ci_low": s.table["most_helpful_ever_ci_low"][i],
                "ci_high": s.table["most_helpful_ever_ci_high"][i],
                "n": s.table["participants"][i],
            }
            for s, i in lines
            if not _hidden(s, i, share) and pd.notna(s.table[share][i])
        ]
    )
    label = "Named most helpful (%)"
    fig = figures.estimate_chart(chart, _chart_colors(colors), label) if len(chart) else None
    texts = {
        g: f"{_share(s, i, 'most_helpful_ever', 'participants')} {_in(g)}"
        for s, i in lines
        for g in [s.table["group"][i]]
    }
    body = " vs ".join(v for g, v in texts.items() if g != ALL_GROUP)
    if ALL_GROUP in texts:
        body = "; ".join(b for b in (texts[ALL_GROUP], body) if b)
    after = ""
    comp = res.tables.get("resource_comparison")
    c = _reset(comp) if comp is not None else None
    hit = _rows(c, resource=LEADERSHIP, measure="most_helpful_ever") if c is not None else []
    if c is not None and hit:
        if _hidden(c, hit[0], "p_value"):
            after = f" The test of the groups is {HIDDEN}."
        elif pd.notna(c.table["p_value"][hit[0]]):
            body += f", {p_value(c.table['p_value'][hit[0]])}, {c.table['test'][hit[0]]}"
    ratings, rated = [], False
    for s, i in lines:
        g = s.table["group"][i]
        if grouped and g == ALL_GROUP:
            continue  # the mean of the groups, not of everyone (as before)
        if _hidden(s, i, "helpful_mean"):
            ratings.append(f"{HIDDEN} {_in(g)}")
            rated = True
        elif pd.notna(s.table["helpful_mean"][i]):
            ratings.append(f"{number(s.table['helpful_mean'][i])} {_in(g)}")
            rated = True
        else:
            ratings.append(f"{NONE} {_in(g)}")  # nobody used and rated it
    if rated:
        after += f" Mean helpfulness among those who used it (1-5): {group_list(ratings)}."
    sentence = f"Departmental leadership was named most helpful by {body}.{after}"
    hidden = any(s.any for s, _ in lines)
    return Slide("leadership", title, sentence, fig, "", _no_chart(fig, hidden))


def _stages_missing(cohort) -> str:
    """Why a cohort can have no transition at all: "" when it could."""
    r = cohort.responses
    if "stage" not in r or not r["stage"].notna().any():
        return f"Recovery stages are {NOT_RECORDED}."
    months = r.loc[r["stage"].notna(), "month"]
    if not (months == 0).any():
        return f"A baseline stage (month 0) is {NOT_RECORDED}."
    if not (months > 0).any():
        return f"A stage at a follow-up wave is {NOT_RECORDED}."
    return ""


def _recovery_slide(res: Results, colors) -> Slide:
    """Share thriving (stage 6) at the last follow-up wave, per group, from the transition
    matrix's column totals (suppressed), Wilson 95% CI; two or more groups, every share shown:
    Fisher's exact test (chi-square beyond two groups). The overall share is quoted when a
    group's is hidden."""
    title = "Recovery: thriving at the last follow-up wave"
    missing = _stages_missing(res.full)
    if missing:
        return Slide("recovery", title, missing, None)
    st = res.tables["transitions"]
    m = st.margins
    if m is None or m.empty:
        return Slide(
            "recovery", title, "No participant has a stage at baseline and at follow-up.", None
        )
    # group -> (text, (thriving, n) or None)
    lines: dict[str, tuple[str, tuple[int, int] | None]] = {}
    for g in dict.fromkeys(m["group"]):
        tot = m[(m["group"] == g) & (m["from"] == "Total") & (m["to"] == "Total")]
        thr = m[(m["group"] == g) & (m["from"] == "Total") & (m["to"] == "thriving")]
        if not len(tot) or bool(tot["suppressed"].iloc[0]):
            lines[g] = (f"{HIDDEN} {_in(g)}", None)
            continue
        n = tot["n"].iloc[0]
        if n == 0:
            lines[g] = (f"{NONE} {_in(g)}", None)
            continue
        if len(thr) and bool(thr["suppressed"].iloc[0]):
            lines[g] = (f"{HIDDEN} of {int(n)} {_in(g)}", None)
            continue
        k = thr["n"].iloc[0] if len(thr) else 0.0  # no thriving column: nobody thriving
        lines[g] = (f"{pct(k / n)} ({int(k)}/{int(n)}) {_in(g)}", (int(k), int(n)))
    groups = [g for g in lines if g != ALL_GROUP]
    if not groups:
        quoted = [ALL_GROUP]
    elif len(groups) == 1 or all(lines[g][1] is not None for g in groups):
        quoted = groups  # one group is everyone of the view
    else:  # a group's share is hidden: the overall one (as everyone's view shows it) first
        quoted = [g for g in (ALL_GROUP, *groups) if g in lines]
    rows: list[dict] = []
    for g in quoted:
        counts = lines[g][1]
        if counts is None:
            continue
        lo, hi = wilson_interval(*counts)
        rows.append(
            {
                "group": _chart_group(g),
                "estimate": counts[0] / counts[1],
                "ci_low": lo,
                "ci_high": hi,
                "n": counts[1],
            }
        )
    fig = (
        figures.estimate_chart(
            pd.DataFrame(rows), _chart_colors(colors), "Thriving at the last wave (%)"
        )
        if rows
        else None
    )
    test = ""
    tested = [c for g in groups if (c := lines[g][1]) is not None]
    if len(groups) >= 2 and len(tested) == len(groups):
        comp = compare_proportions(
            np.array([c[0] for c in tested]), np.array([c[1] for c in tested]), groups
        )
        test = f", {p_value(comp.pvalue)}, {comp.test}"
    body = [lines[g][0] for g in quoted if g == ALL_GROUP]
    vs = " vs ".join(lines[g][0] for g in quoted if g != ALL_GROUP)
    text = "; ".join([*body, vs] if vs else body)
    sentence = f"Thriving (stage 6, Scott et al. 2009) at the last follow-up wave: {text}{test}."
    if fig is None:  # every share of thriving is hidden: the coarsest answer the view shows
        fig, more = _recovery_fallback(res, colors)
        sentence += more
    note = "Whiskers: Wilson 95% CI." if fig is not None else ""
    hidden = bool(m["suppressed"].any())
    return Slide("recovery", title, sentence, fig, note, _no_chart(fig, hidden))


def _share_rows(counts: dict[str, tuple[int, int]]) -> list[dict]:
    """Chart rows (estimate with Wilson 95% CI) of group -> (count, n)."""
    rows = []
    for g, (k, n) in counts.items():
        lo, hi = wilson_interval(k, n)
        rows.append(
            {"group": _chart_group(g), "estimate": k / n, "ci_low": lo, "ci_high": hi, "n": n}
        )
    return rows


def _recovery_fallback(res: Results, colors) -> tuple[go.Figure | None, str]:
    """When thriving at the last wave is hidden everywhere: the share who had moved on (stage
    6, any path) at the last wave, its stage mix recoded from the shown numbers
    (``privacy.recode_stage_mix``), per group or else overall; failing that, the share who
    moved from an early stage to thriving (the early-to-thriving table), per group or else
    overall. Returns (chart, sentence to add), (None, "") when neither can be shown."""
    m = res.tables["transitions"].margins
    assert m is not None  # the caller has margins to fall back from
    moved: dict[str, tuple[int, int]] = {}
    for g in dict.fromkeys(m["group"]):
        mg = m[(m["group"] == g) & (m["from"] == "Total")]
        total = mg[mg["to"] == "Total"]["n"].iloc[0]
        mix = mg[mg["to"] != "Total"].set_index("to")["n"].to_dict()
        recoded = privacy.recode_stage_mix(mix, total, res.suppression)
        if recoded is not None and not pd.isna(total) and total > 0:
            moved_on = recoded.get("moved_on", sum(recoded.get(c, 0.0) for c in _MOVED_ON))
            moved[g] = (int(moved_on), int(total))
    found = _share_finding(
        moved,
        colors,
        "Moved on (stage 6) (%)",
        " Moved on (stage 6: surviving, thriving or dropping out) at the last follow-up wave",
    )
    if found[0] is not None:
        return found
    st = res.tables["early_to_thriving"]
    e2t: dict[str, tuple[int, int]] = {}
    for s, i in [*((st, i) for i in range(len(st.table))), *_with_overall(st)]:
        t = _reset(s).table
        n, k = t["participants"][i], t["n"][i]
        if not pd.isna(n) and not pd.isna(k) and n > 0:
            e2t[t["group"][i]] = (int(k), int(n))
    return _share_finding(
        e2t,
        colors,
        "Early stage to thriving (%)",
        " Moved from an early stage (1-3) at baseline to thriving by the last wave",
    )


def _share_finding(
    counts: dict[str, tuple[int, int]], colors, y_title: str, lead: str
) -> tuple[go.Figure | None, str]:
    """A share per group (count, n) as a chart with Wilson intervals and a sentence: the
    groups when two or more show, else the overall row; (None, "") when neither shows."""
    groups = [g for g in counts if g != ALL_GROUP]
    chosen = {g: counts[g] for g in groups} if len(groups) > 1 else {}
    if not chosen:
        chosen = {g: v for g, v in counts.items() if g not in groups}
    if not chosen:
        return None, ""
    parts = [f"{pct(k / n)} ({k}/{n}) {_in(g)}" for g, (k, n) in chosen.items()]
    fig = figures.estimate_chart(pd.DataFrame(_share_rows(chosen)), _chart_colors(colors), y_title)
    return fig, f"{lead}: {'; '.join(parts)}."


def _duration_slide(res: Results, colors) -> Slide:
    title = "How long peer support lasted"
    if res.full.contacts.empty:
        return Slide("duration", title, f"Peer-support contacts are {NOT_RECORDED}.", None)
    st = _reset(res.tables["followup_summary"])
    curve = res.tables["support_duration_curve"].table
    t = st.table
    rows = [(st, i) for i in range(len(t))]
    grouped = len(set(t["group"]) - {ALL_GROUP}) > 1
    if grouped and any(_hidden(st, i, "participants") for i in range(len(t))):
        rows = _with_overall(st) + rows  # the groups' sizes are hidden: the overall first
    parts, none = [], []
    for s, i in rows:
        g = s.table["group"][i]
        n = s.table["participants"][i]
        if not _hidden(s, i, "participants") and (pd.isna(n) or n == 0):
            none.append(_group_name(g))
            continue
        size = f"n = {HIDDEN}" if _hidden(s, i, "participants") else f"n = {int(n)}"
        med = s.table["median_support_days"][i]
        if _hidden(s, i, "median_support_days"):
            parts.append(f"{HIDDEN} {_in(g)}")
        elif pd.isna(med):
            parts.append(f"no median reached {_in(g)} ({size})")
        else:
            interval = ci(
                s.table["median_support_days_low"][i],
                s.table["median_support_days_high"][i],
                digits=0,
            )
            parts.append(f"day {number(med, 0)} ({interval}) {_in(g)} ({size})")
    if not parts:
        return Slide(
            "duration", title, "No participant in this view had a peer-support contact.", None
        )
    shown = curve[curve["survival"].notna()]
    medians = {t["group"][i]: t["median_support_days"][i] for i in range(len(t))}
    fig = figures.km_chart(shown, colors, medians) if len(shown) else None
    sentence = (
        "Half of the participants with a peer-support contact had finished support by "
        + "; ".join(parts)
        + " (Kaplan-Meier median)."
    )
    note = f"No participant in {group_list(none)} had a peer-support contact." if none else ""
    hidden = st.any or res.tables["support_duration_curve"].any
    return Slide("duration", title, sentence, fig, note, _no_chart(fig, hidden))


_SLIDES = (_flow_slide, _ranking_slide, _leadership_slide, _recovery_slide, _duration_slide)
STEP_KEYS = ("flow", "ranking", "leadership", "recovery", "duration")


def presentation_steps(
    cohort,
    population: str = "completed",
    group_by: str | None = "arm",
    filters: Mapping[str, Sequence[str]] | None = None,
    suppression: int | privacy.Suppression | None = None,
    colors: Mapping[str, str] | None = None,
    results: Results | None = None,
) -> list[Slide]:
    """The five key findings of a view, one chart and one sentence each: the enrollment flow,
    the resource ranking by group, departmental leadership (named most helpful), recovery
    (thriving at the last wave) and follow-up duration (Kaplan-Meier). Empty when the view is
    refused by :func:`hoo_metrics.privacy.check_subgroup` (``results.refusal`` says why).
    Synthetic cohorts get the watermark on every chart."""
    res = results or compute_results(cohort, population, group_by, filters, suppression)
    if res.refusal is not None:
        return []
    colors = colors or figures.group_colors(res.full.groups(group_by))
    slides = []
    for make in _SLIDES:
        s = make(res, colors)
        if s.figure is not None and res.full.synthetic:
            s = dataclasses.replace(s, figure=figures.mark_synthetic(s.figure))
        slides.append(s)
    return slides


# ---- the HTML report -----------------------------------------------------------------------------
_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;margin:0;
color:#222;background:#fff;line-height:1.45}
main{max-width:1100px;margin:0 auto;padding:24px 32px 64px}
h1{font-size:1.9rem;margin:.2em 0}h2{border-bottom:2px solid #0072B2;padding-bottom:4px;
margin-top:2.2em}h3{margin:1.4em 0 .3em}
.synthetic{background:#FFF1D6;border:2px solid #B35900;color:#7A3D00;padding:10px 14px;
font-weight:700;font-size:1.1rem;border-radius:6px}
.refusal{background:#FDECEA;border:2px solid #B3261E;padding:10px 14px;border-radius:6px}
.takeaway{font-weight:600;font-size:1.05rem}.note{color:#555;font-size:.9rem}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88rem}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#F2F5F8}table.about td:first-child{font-weight:600;white-space:nowrap}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
nav a{margin-right:1em}
@media print{.plotly-graph-div{page-break-inside:avoid}}
"""

_DASH_NOTE = (
    "– in a table: hidden by small-cell suppression, or not computable. The CSV / Excel export "
    "gives the reason for every hidden cell."
)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _table(df: pd.DataFrame, index: bool = False) -> str:
    return df.to_html(index=index, escape=True, na_rep=DASH, border=0, classes="t")


class _Figures:
    """Figures as HTML divs; plotly.js is embedded in the first one only."""

    def __init__(self, synthetic: bool):
        self.count = 0
        self.synthetic = synthetic

    def __call__(self, fig: go.Figure | None) -> str:
        if fig is None:
            return '<p class="note">Nothing may be drawn here (too few participants).</p>'
        if self.synthetic:
            fig = figures.mark_synthetic(fig)
        self.count += 1
        return fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=f"figure-{self.count}",
            config={"displaylogo": False, "responsive": True},
        )


def _safe_display(fn, *tables, fallback: pd.DataFrame) -> pd.DataFrame:
    """A display table from suppressed input; if the formatter cannot cope with a hidden value,
    the labelled tidy table instead (never a traceback in a report)."""
    try:
        return fn(*tables)
    except (TypeError, ValueError, KeyError):
        return fallback


def _matrix(st: privacy.SuppressedTable, group: str) -> pd.DataFrame:
    """Baseline x last-wave counts of one group with totals; hidden cells print their label."""
    from ..contract import STAGE_CATEGORIES, stage_category_label

    lab = labelled(st)
    lab = lab[lab["group"] == group]
    cats = list(STAGE_CATEGORIES)
    names = [stage_category_label(c) for c in cats]
    out = pd.DataFrame(0, index=[*names, "Total"], columns=[*names, "Total"], dtype=object)
    for r in lab.itertuples(index=False):
        out.loc[stage_category_label(r[1]), stage_category_label(r[2])] = r[3]
    k = st.suppression.k
    m = st.margins
    assert m is not None  # the transitions table always carries its margins
    for r in m[m["group"] == group].itertuples(index=False):
        row = "Total" if r[1] == "Total" else stage_category_label(r[1])
        col = "Total" if r[2] == "Total" else stage_category_label(r[2])
        out.loc[row, col] = (
            (f"<{k}" if r[5] == "small_count" else "suppressed") if r[4] else int(r[3])
        )
    out.index.name = "Baseline \\ last wave"
    return out


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{_e(title)}</h2>{body}</section>'


def _methods(k: int) -> str:
    """The Methods text (:func:`hoo_metrics.present.methods.methods_sections`, the one the
    Methods page shows) as HTML, every text escaped."""
    parts = []
    for section in methods_sections(k):
        parts.append(f"<h3>{_e(section.title)}</h3>")
        parts += [f"<p>{_e(p)}</p>" for p in section.paragraphs]
        if section.items:
            items = (
                f"<li><b>{_e(i.term)}.</b> {_e(i.text)}</li>"
                if i.term
                else f"<li>{_e(i.text)}</li>"
                for i in section.items
            )
            parts.append(f"<ul>{''.join(items)}</ul>")
    return "".join(parts)


def build_report(
    cohort,
    population: str = "completed",
    group_by: str | None = "arm",
    filters: Mapping[str, Sequence[str]] | None = None,
    suppression: int | privacy.Suppression | None = None,
) -> str:
    """One self-contained HTML report of a view (see the module docstring).

    Parameters: the cohort as loaded, the analysis set ("completed" or "all"), the grouping
    column (None: everyone together), filters {column: [values]} and the suppression threshold
    (int k or a :class:`hoo_metrics.privacy.Suppression`; None: ``HOO_MIN_CELL``, default 5).
    Returns the HTML text (UTF-8); nothing is written anywhere.
    """
    res = compute_results(cohort, population, group_by, filters, suppression)
    full = res.full
    fig = _Figures(full.synthetic)
    colors = figures.group_colors(full.groups(group_by))
    about = res.about()
    title = f"HOO report: {full.name}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body><main>",
        "<h1>Peer support after adverse events: report</h1>",
    ]
    if full.synthetic:
        parts.append(
            f'<p class="synthetic">{SYNTHETIC_LABEL} sample data: no real participants. Built '
            "to reproduce the published figures of the Healing Our Own trial.</p>"
        )
    parts.append(
        f"<p>Cohort <b>{_e(full.name)}</b> · {_e(population_label(population))} · groups by "
        f"{_e(variable_label(group_by) if group_by else 'no grouping')} · filters: "
        f"{_e(filters_text(res.filters))}"
        + (f" · {res.analysed} analysed participants.</p>" if res.refusal is None else ".</p>")
    )
    s = res.suppression
    if s.lifted and s.notice:
        parts.append(f'<p class="refusal">{_e(s.notice)}</p>')
    parts.append('<h2 id="provenance">Provenance and settings</h2>')
    parts.append(about.to_html(index=False, header=False, escape=True, border=0, classes="about"))
    if res.refusal is not None:
        parts.append(f'<p class="refusal">{_e(res.refusal.message)}</p>')
        parts.append(_section("methods", "Methods", _methods(s.k)))
        parts.append("</main></body></html>")
        return "\n".join(parts)

    parts.append(
        '<nav><a href="#findings">Key findings</a><a href="#overview">Overview</a>'
        '<a href="#baseline">Baseline</a><a href="#resources">Resources</a>'
        '<a href="#recovery">Recovery</a><a href="#followup">Follow-up</a>'
        '<a href="#methods">Methods</a></nav>'
    )
    t = res.tables
    # key findings
    body = []
    for slide in presentation_steps(cohort, results=res, colors=colors):
        body.append(f"<h3>{_e(slide.title)}</h3><p class='takeaway'>{_e(slide.sentence)}</p>")
        if slide.figure is not None:
            body.append(fig(slide.figure))
        elif slide.no_chart:  # else the sentence says why (not recorded, nobody)
            body.append(f"<p class='note'>{_e(slide.no_chart)}</p>")
        if slide.note:
            body.append(f"<p class='note'>{_e(slide.note)}</p>")
    parts.append(_section("findings", "Key findings", "".join(body)))

    # overview
    enr = t["enrollment"]
    total = (enr.overall or enr).table["enrolled"].iloc[0] if len(enr.table) else None
    body = [
        fig(figures.consort_flow(enr.table, colors, total=total) if len(enr.table) else None),
        _table(labelled(enr).rename(columns=lambda c: variable_label(c))),
    ]
    parts.append(_section("overview", "Overview: participant flow", "".join(body)))

    # baseline
    base = t["baseline_table"]
    tests = t.get("baseline_tests")
    tests_table = (
        tests.table
        if tests is not None
        else pd.DataFrame(columns=["variable", "test", "statistic", "p_value"])
    )
    body = []
    if tests is not None and group_by:
        body.append(f"<p class='takeaway'>{_e(baseline_verdict(tests, group_by))}</p>")
    body.append(
        _table(
            _safe_display(
                baseline_display,
                base,
                tests if tests is not None else tests_table,
                fallback=labelled(base),
            )
        )
    )
    parts.append(_section("baseline", "Baseline characteristics (Table 1)", "".join(body)))

    # resources
    over = t["resources_overall"]
    comp = t.get("resource_comparison")
    comp_table = comp.table if comp is not None else over.table.iloc[0:0]
    by_wave = t["resources_by_wave"]
    body = []
    if over.table.empty:
        body.append("<p>No follow-up responses in this view.</p>")
    else:
        for measure, label in (("most_helpful_ever", "Named most helpful"), ("used_ever", "Used")):
            body.append(
                f"<h3>{label}, any follow-up wave</h3><p class='takeaway'>"
                f"{_e(takeaway_resource_test(comp_table, over.table, measure))}</p>"
            )
            body.append(
                fig(figures.resource_ranking_chart(over.table, colors, measure, over.labels()))
            )
        body.append("<p class='note'>Bars: % of participants; whiskers: Wilson 95% CI.</p>")
        body.append("<h3>Ranking</h3>")
        body.append(_table(_safe_display(resource_ranking_display, over, fallback=labelled(over))))
        if comp is not None:
            body.append("<h3>Do the groups differ?</h3>")
            body.append(_table(_safe_display(comparison_display, comp, fallback=labelled(comp))))
            body.append(
                "<p class='note'>Two groups: Fisher's exact test, two-sided; more groups: "
                "chi-square. Risk difference: first group minus second, Newcombe 95% CI. BH q: "
                "Benjamini-Hochberg within each measure.</p>"
            )
        wave = by_wave.table
        months = sorted(wave["month"].unique().tolist())
        body.append("<h3>By follow-up wave</h3>")
        body.append(fig(figures.use_heatmap(wave, res.groups, by_wave.labels())))
        last = wave[wave["month"] == months[-1]]
        body.append(f"<h3>Mean helpfulness at month {int(months[-1])}</h3>")
        body.append(fig(figures.helpfulness_chart(last, colors)))
        body.append(
            _table(_safe_display(wave_ranking_display, by_wave, fallback=labelled(by_wave)))
        )
    parts.append(_section("resources", "Resources", "".join(body)))

    # recovery
    tr = t["transitions"]
    body = []
    if tr.table.empty:
        body.append("<p>No participant has a stage at baseline and at follow-up.</p>")
    else:
        for g in dict.fromkeys(tr.table["group"]):
            d = tr.table[(tr.table["group"] == g) & tr.table["n"].notna()]
            body.append(f"<h3>{_e(_group_name(g))}: baseline to the last follow-up wave</h3>")
            body.append(fig(figures.stage_sankey(d, "Last wave") if len(d) else None))
            body.append(_table(_matrix(tr, g), index=True))
        body.append(
            "<p class='note'>Hidden transitions (fewer than k participants) are not drawn; the "
            "matrices label them.</p>"
        )
        rec = t["recovered_resource_tests"]
        body.append("<h3>Resources of those who recovered</h3>")
        body.append(f"<p class='takeaway'>{_e(takeaway_recovered(rec.table))}</p>")
        body.append(_table(_safe_display(recovered_tests_display, rec, fallback=labelled(rec))))
    parts.append(_section("recovery", "Recovery-stage transitions", "".join(body)))

    # follow-up
    ended = t["ended_by_contact"].table
    ended = ended[ended["participants"].notna() & (ended["participants"] > 0)]
    contacts = t["contacts_per_participant"].table
    summary = t["followup_summary"]
    curve = t["support_duration_curve"].table
    body = []
    if ended.empty:
        body.append("<p>No participant in this view had a peer-support contact.</p>")
    else:
        body.append("<h3>Support ended by contact</h3>")
        body.append(fig(figures.ended_by_contact_chart(ended, colors)))
        body.append("<h3>Contacts per participant</h3>")
        body.append(fig(figures.contacts_chart(contacts[contacts["participants"].notna()], colors)))
        body.append("<h3>Support duration (Kaplan-Meier)</h3>")
        medians = dict(
            zip(summary.table["group"], summary.table["median_support_days"], strict=True)
        )
        body.append(fig(figures.km_chart(curve[curve["survival"].notna()], colors, medians)))
    body.append(_table(labelled(summary).rename(columns=lambda c: variable_label(c))))
    parts.append(_section("followup", "Follow-up: peer-support contacts", "".join(body)))

    # methods and suppression
    hidden = sum(int(st.mask.to_numpy().sum()) for st in t.values())
    # what this report hid; the rules themselves are in the Methods text below
    sup = (
        f"<p>Small-cell suppression threshold k = {s.k}: {hidden} cells of this report's "
        "tables are hidden, by the rules under Privacy below.</p>"
        if s.active
        else f"<p>Small-cell suppression is off (k = {s.k}{', lifted' if s.lifted else ''}).</p>"
    )
    parts.append(
        _section(
            "methods",
            "Methods",
            sup + f"<p class='note'>{_e(_DASH_NOTE)}</p>" + _methods(s.k),
        )
    )
    parts.append(
        f"<footer><p class='note'>Made by the HOO dashboard {_e(about.loc[9, 'value'])} on "
        f"{_e(about.loc[10, 'value'])} UTC. Figures: {fig.count}.</p></footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)
