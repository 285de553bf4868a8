"""The report: one self-contained HTML file of a view, and the presentation's key findings.

No streamlit here. :func:`build_report` renders the view models the pages lay out
(:mod:`hoo_metrics.present.overview`, ``baseline``, ``resources``, ``recovery``,
``followup``), in the pages' order and with every follow-up wave a page lets one choose, after
the five key findings and before the Methods; one small renderer per block (a card, a chart
under its takeaway, a table with its caption, a sentence), so the report says what the pages
say and has no sentence of its own about the numbers. Around them: the cohort's provenance
(name, version, SHA-256 of its content), the analysis set, filters and suppression threshold,
the dashboard version and the date. The file opens offline: plotly.js is embedded once
(``include_plotlyjs=True`` in the first figure), and no script, style sheet, font or image is
loaded from anywhere else. Every text that comes from the data (cohort name, group labels,
filter values) is HTML-escaped.

:func:`presentation_steps` gives the five findings of presentation mode (one chart and one
sentence each); the report opens with the same five.

Numbers are suppressed before anything is drawn (:mod:`hoo_metrics.privacy`; k from
``HOO_MIN_CELL``, default 5), once for the whole view (:func:`hoo_metrics.compute_results`).
The findings' sentences keep three cases apart: a value the suppression hides is "hidden (small
counts)", never 0 or absent; a resource, wave or file the cohort lacks is "not recorded in this
cohort"; a shown count of 0, or a group with nobody, is "none". Tables print hidden cells as
their labels ("<5", "suppressed"), a value that cannot be computed as "–".
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
from ..contract import ALL_GROUP, MOVED_ON, resource_label
from ..metrics.inference import compare_proportions, wilson_interval
from . import baseline as baseline_model
from . import figures
from . import followup as followup_model
from . import overview as overview_model
from . import recovery as recovery_model
from . import resources as resources_model
from .export import Results, compute_results, filters_text
from .format import (
    DASH,
    SYNTHETIC_LABEL,
    ci,
    group_list,
    number,
    p_value,
    pct,
    population_label,
    variable_label,
)
from .methods import methods_sections
from .model import Card, Chart, Table

__all__ = ["STEP_KEYS", "Slide", "build_report", "presentation_steps"]

LEADERSHIP = "department_leadership"


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
            moved_on = recoded.get("moved_on", sum(recoded.get(c, 0.0) for c in MOVED_ON))
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
margin-top:2.2em}h3{margin:1.4em 0 .3em}h4{margin:1em 0 .3em}
.synthetic{background:#FFF1D6;border:2px solid #B35900;color:#7A3D00;padding:10px 14px;
font-weight:700;font-size:1.1rem;border-radius:6px}
.refusal{background:#FDECEA;border:2px solid #B3261E;padding:10px 14px;border-radius:6px}
.nodata{background:#EAF2FA;border-left:4px solid #0072B2;padding:8px 12px}
.takeaway{font-weight:600;font-size:1.05rem}.note{color:#555;font-size:.9rem}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(210px,1fr));gap:12px;
margin:1em 0}.card{border:1px solid #ccc;border-radius:8px;padding:10px 14px}
.card .label{font-size:.9rem;color:#444}.card .value{font-size:1.6rem;font-weight:600}
.card p{margin:.3em 0}.card p.help{font-size:.8rem;color:#666}
.cols{display:grid;gap:16px}.cols>div{min-width:0}
@media (max-width:700px){.cols{grid-template-columns:1fr!important}}
table{border-collapse:collapse;margin:.6em 0 1.2em;font-size:.88rem}
th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#F2F5F8}table.about td:first-child{font-weight:600;white-space:nowrap}
code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
nav a{margin-right:1em}
@media print{.plotly-graph-div,.card{page-break-inside:avoid}}
"""


def _e(text) -> str:
    return html.escape(str(text), quote=True)


# ---- one renderer per block of a view model (model.Card, model.Chart, model.Table, a sentence)
def _text(text: str, kind: str = "") -> str:
    """A sentence: ``kind`` "takeaway" (above a chart or table), "note" (a caption), "nodata"
    (why nothing is shown), "help" (what a card counts), "" (plain); nothing for an empty
    text."""
    if not text:
        return ""
    return f'<p class="{kind}">{_e(text)}</p>' if kind else f"<p>{_e(text)}</p>"


def _heading(level: int, text: str) -> str:
    return f"<h{level}>{_e(text)}</h{level}>"


def _cards(cards: Sequence[Card]) -> str:
    """A row of cards; the help a page shows on hover is printed (a report cannot hover)."""
    return (
        '<div class="cards">'
        + "".join(
            f'<div class="card"><div class="label">{_e(c.label)}</div>'
            f'<div class="value">{_e(c.value)}</div>'
            + _text(c.caption, "note")
            + _text(c.help, "help")
            + "</div>"
            for c in cards
        )
        + "</div>"
    )


def _table(t: Table) -> str:
    """A table as the page prints it (hidden cells already as their labels), its caption under
    it. An index shown is the first column, its name the corner header."""
    frame = t.frame
    if not t.hide_index:
        frame = frame.rename_axis(frame.index.name or "").reset_index()
    table = frame.to_html(index=False, escape=True, na_rep=DASH, border=0, classes="t")
    return table + _text(t.caption, "note")


def _columns(*blocks: str) -> str:
    """Blocks side by side where the page puts them in columns, two to a row (a printed page
    is narrower than a screen), stacked on a narrow screen. The columns are fixed before any
    block is drawn: a chart takes its width from its column when its script runs, before the
    blocks after it exist."""
    style = f"grid-template-columns:repeat({min(len(blocks), 2)},minmax(0,1fr))"
    return (
        f'<div class="cols" style="{style}">'
        + "".join(f"<div>{b}</div>" for b in blocks)
        + "</div>"
    )


class _Figures:
    """Figures as HTML divs; plotly.js is embedded in the first one only. Synthetic cohorts get
    the watermark (as ``hoo_app.ui.chart`` gives it on the pages)."""

    def __init__(self, synthetic: bool):
        self.count = 0
        self.synthetic = synthetic

    def __call__(self, fig: go.Figure, static: bool = False, marked: bool = False) -> str:
        if self.synthetic and not marked:
            fig = figures.mark_synthetic(fig)
        self.count += 1
        config = {"staticPlot": True} if static else {"displaylogo": False}
        return fig.to_html(
            full_html=False,
            include_plotlyjs=self.count == 1,
            div_id=f"figure-{self.count}",
            config={**config, "responsive": True},
        )

    def chart(self, chart: Chart) -> str:
        """A chart under its takeaway."""
        return _text(chart.takeaway, "takeaway") + self(chart.figure, static=chart.static)


# ---- the sections: each page's view model, laid out as the page lays it out ---------------------
def _findings(slides: Sequence[Slide], fig: _Figures) -> str:
    body = []
    for slide in slides:
        body.append(_heading(3, slide.title) + _text(slide.sentence, "takeaway"))
        if slide.figure is not None:
            body.append(fig(slide.figure, marked=True))  # presentation_steps marks its charts
        else:  # the sentence says why, unless the values are hidden
            body.append(_text(slide.no_chart, "note"))
        body.append(_text(slide.note, "note"))
    return "".join(body)


def _overview(res: Results, colors: Mapping[str, str], fig: _Figures) -> str:
    m = overview_model.overview(res, colors)
    return _cards(m.cards) + _heading(3, "Participant flow") + fig.chart(m.flow) + _table(m.table)


def _baseline(res: Results) -> str:
    m = baseline_model.baseline(res)
    if m.table is None:
        return _text(baseline_model.NO_PARTICIPANTS, "nodata")
    return (
        _text(m.takeaway, "takeaway")
        + _table(m.table)
        + _text(m.pooled_note)
        + _text(m.caption, "note")
    )


def _resources(res: Results, colors: Mapping[str, str], fig: _Figures) -> str:
    """Both sections of the page, every follow-up wave (the page shows one at a time)."""
    if message := resources_model.no_data(res):
        return _text(message, "nodata")
    body = [_heading(3, "Over the whole follow-up")]
    for label, measure, key in resources_model.RANKINGS:
        chart = resources_model.ranking(res, colors, measure, key)
        body.append(_heading(4, label) + fig.chart(chart))
    whole = resources_model.whole_follow_up(res)
    body.append(_text(whole.caption, "note") + _table(whole.ranking))
    body.append(_heading(4, "Do the groups differ?"))
    if whole.comparison is None:
        body.append(_text(whole.no_comparison, "nodata"))
    else:
        body.append(_text(whole.comparison_takeaway, "takeaway") + _table(whole.comparison))
    waves = resources_model.by_wave(res)
    body.append(_heading(3, "By follow-up wave") + fig.chart(waves.heatmap))
    for month in waves.months:
        wave = resources_model.wave(res, colors, month)
        body.append(_heading(4, f"Month {month}") + fig.chart(wave.helpfulness))
        body.append(_text(wave.caption, "note") + _table(wave.table))
    return "".join(body)


def _recovery(res: Results, fig: _Figures) -> str:
    """The page at every follow-up wave (the page shows one at a time); the takeaway, the
    matrices and the resources of those who recovered do not depend on the wave."""
    months = recovery_model.months(res)
    if not months:
        return _text(recovery_model.NO_TRANSITIONS, "nodata")
    pages = [recovery_model.build(res, month) for month in months]
    body = [_text(pages[0].takeaway, "takeaway")]
    for page in pages:
        flows = [
            _heading(4, flow.title)
            + (fig.chart(flow.chart) if flow.chart is not None else _text(flow.no_data, "nodata"))
            for flow in page.flows
        ]
        body.append(_heading(3, f"Month {page.month}") + _columns(*flows))
    last = pages[-1]
    body.append(_text(last.flows_caption, "note"))
    body.append(_heading(3, "Transition matrix: baseline to last follow-up wave"))
    for matrix in last.matrices:
        body.append(f"<p><b>{_e(matrix.group)}</b>: {_e(matrix.participants)}</p>")
        body.append(_table(matrix.table))
    body.append(_heading(3, "Resources of those who recovered"))
    body.append(_text(last.recovered_takeaway, "takeaway") + _table(last.recovered))
    return "".join(body)


def _followup(res: Results, colors: Mapping[str, str], fig: _Figures) -> str:
    m = followup_model.followup(res, colors)
    body = [_text(m.no_contacts, "note")]
    if m.charts is None:
        return "".join([*body, _text(followup_model.EMPTY, "nodata")])
    c = m.charts
    body.append(
        _columns(fig.chart(c.ended) + _text(c.ended_caption, "note"), fig.chart(c.contacts))
    )
    body.append(fig.chart(c.km) + _text(c.km_caption, "note") + _table(c.table))
    return "".join(body)


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


def _legend(res: Results) -> str:
    """What the tables' hidden cells print (the sentence under every page's title), and the
    dash."""
    dash = f"{DASH} in a table: not computable."
    if not res.privacy_text:
        return dash
    return (
        f"{res.privacy_text} {dash} The CSV / Excel export gives the reason for every hidden cell."
    )


#: the sections in the order of the pages (anchor, link, title)
_PAGES = (
    ("overview", "Overview", "Overview"),
    ("baseline", "Baseline", "Baseline characteristics (Table 1)"),
    ("resources", "Resources", "Resources"),
    ("recovery", "Recovery", "Recovery"),
    ("followup", "Follow-up", "Follow-up: peer-support contacts"),
)


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

    # what every page shows under its title
    parts.append(_text(_legend(res), "note") + _text(res.pooled_text, "note"))
    parts.append(
        '<nav><a href="#findings">Key findings</a>'
        + "".join(f'<a href="#{anchor}">{_e(link)}</a>' for anchor, link, _ in _PAGES)
        + '<a href="#methods">Methods</a></nav>'
    )
    slides = presentation_steps(cohort, results=res, colors=colors)
    parts.append(_section("findings", "Key findings", _findings(slides, fig)))
    bodies = {
        "overview": _overview(res, colors, fig),
        "baseline": _baseline(res),
        "resources": _resources(res, colors, fig),
        "recovery": _recovery(res, fig),
        "followup": _followup(res, colors, fig),
    }
    parts += [_section(anchor, name, bodies[anchor]) for anchor, _, name in _PAGES]

    # methods and suppression
    hidden = sum(int(st.mask.to_numpy().sum()) for st in res.tables.values())
    # what this report hid; the rules themselves are in the Methods text below
    sup = (
        f"<p>Small-cell suppression threshold k = {s.k}: {hidden} cells of this report's "
        "tables are hidden, by the rules under Privacy below.</p>"
        if s.active
        else f"<p>Small-cell suppression is off (k = {s.k}{', lifted' if s.lifted else ''}).</p>"
    )
    parts.append(_section("methods", "Methods", sup + _methods(s.k)))
    made = about.set_index("item")["value"]
    parts.append(
        f"<footer><p class='note'>Made by the HOO dashboard {_e(made['HOO dashboard version'])} "
        f"on {_e(made['Created (UTC)'])} UTC. Figures: {fig.count}.</p></footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)
