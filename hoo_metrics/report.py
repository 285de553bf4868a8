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
``HOO_MIN_CELL``, default 5): a hidden count prints as "<k" in sentences and "–" in tables.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from . import figures, privacy
from .contract import ALL_GROUP
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
from .inference import compare_proportions, wilson_interval

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


# ---- numbers as text, suppression-aware ----------------------------------------------------------
def _cell(st: privacy.SuppressedTable, i: int, col: str) -> str:
    """A count as text, or its suppression label."""
    if st.mask[col].iloc[i]:
        label = st.labels()[col].iloc[i]
        return label if label.startswith("<") else "suppressed"
    v = st.table[col].iloc[i]
    return DASH if pd.isna(v) else f"{int(v)}"


def _share(st: privacy.SuppressedTable, i: int, k_col: str, n_col: str) -> str:
    """ "26% (6/23)", or "<5 of 23" when the count is hidden."""
    k, n = st.table[k_col].iloc[i], st.table[n_col].iloc[i]
    if st.mask[n_col].iloc[i]:
        return "suppressed (too few participants)"
    if st.mask[k_col].iloc[i]:
        return f"{_cell(st, i, k_col)} of {int(n)}"
    if pd.isna(k) or pd.isna(n) or n == 0:
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


# ---- the five findings ---------------------------------------------------------------------------
def _flow_slide(res: Results, colors) -> Slide:
    st = _reset(res.tables["enrollment"])
    over = _reset(st.overall) if st.overall is not None else st
    t = st.table
    # consort_flow draws hidden (NaN) sizes and statuses without their numbers
    fig = figures.consort_flow(t, colors, total=over.table["enrolled"].iloc[0]) if len(t) else None
    if over is st:  # no grouping: the one row is everyone
        i = 0
        enrolled = f"{int(t['enrolled'].sum())}" if not st.mask["enrolled"].any() else "suppressed"
    else:
        i = 0
        enrolled = _cell(over, 0, "enrolled")
    sentence = (
        f"{enrolled} participants were enrolled; {_cell(over, i, 'completed')} completed the "
        f"study, {_cell(over, i, 'withdrew')} withdrew and {_cell(over, i, 'lost_to_follow_up')} "
        "were lost to follow-up."
    )
    note = "Flows of fewer than k participants are not drawn." if st.any else ""
    return Slide("flow", "Who took part", sentence, fig, note)


def _ranking_slide(res: Results, colors) -> Slide:
    st = res.tables["resources_overall"]
    tests = res.tables.get("resource_comparison")
    overall = st.table
    if overall.empty:
        return Slide("ranking", "What helped most", "No follow-up responses in this view.", None)
    t = tests.table if tests is not None else overall.iloc[0:0]
    sentence = takeaway_resource_test(t, overall, "most_helpful_ever")
    fig = figures.resource_ranking_chart(overall, colors, "most_helpful_ever", st.labels())
    return Slide("ranking", "What helped most, by group", sentence, fig)


def _leadership_slide(res: Results, colors) -> Slide:
    title = "Departmental leadership"
    st = _reset(res.tables["resources_overall"])
    idx = _rows(st, resource=LEADERSHIP)
    if not idx:
        return Slide(
            "leadership", title, "This cohort does not record departmental leadership.", None
        )
    t = st.table.iloc[idx]
    rows = pd.DataFrame(
        {
            "group": t["group"].to_numpy(),
            "estimate": t["most_helpful_ever_share"].to_numpy(),
            "ci_low": t["most_helpful_ever_ci_low"].to_numpy(),
            "ci_high": t["most_helpful_ever_ci_high"].to_numpy(),
            "n": t["participants"].to_numpy(),
        }
    )
    rows = rows[rows["n"].notna()]
    fig = figures.estimate_chart(rows, colors, "Named most helpful (%)") if len(rows) else None
    parts = [
        f"{_share(st, i, 'most_helpful_ever', 'participants')} in "
        f"{_group_name(st.table['group'][i])}"
        for i in idx
    ]
    test = ""
    comp = res.tables.get("resource_comparison")
    if comp is not None:
        c = comp.table
        hit = c[(c["resource"] == LEADERSHIP) & (c["measure"] == "most_helpful_ever")]
        if len(hit) and not pd.isna(hit["p_value"].iloc[0]):
            test = f", {p_value(hit['p_value'].iloc[0])}, {hit['test'].iloc[0]}"
    ratings = [
        f"{number(st.table['helpful_mean'][i])} in {_group_name(st.table['group'][i])}"
        for i in idx
        if not pd.isna(st.table["helpful_mean"][i])
    ]
    rating = (
        f" Mean helpfulness among those who used it (1-5): {group_list(ratings)}."
        if ratings
        else ""
    )
    sentence = f"Named most helpful by {' vs '.join(parts)}{test}.{rating}"
    return Slide("leadership", title, f"{title} was {sentence[0].lower()}{sentence[1:]}", fig)


def _recovery_slide(res: Results, colors) -> Slide:
    """Share thriving (stage 6) at the last follow-up wave, per group, from the transition
    matrix's column totals (suppressed), Wilson 95% CI; two groups: Fisher's exact test."""
    title = "Recovery: thriving at the last follow-up wave"
    st = res.tables["transitions"]
    m = st.margins
    if m is None or m.empty:
        return Slide(
            "recovery", title, "No participant has a stage at baseline and at follow-up.", None
        )
    rows, parts, counts = [], [], []
    for g in dict.fromkeys(m["group"]):
        tot = m[(m["group"] == g) & (m["from"] == "Total") & (m["to"] == "Total")]
        thr = m[(m["group"] == g) & (m["from"] == "Total") & (m["to"] == "thriving")]
        n = tot["n"].iloc[0] if len(tot) else np.nan
        k = thr["n"].iloc[0] if len(thr) else 0.0
        if pd.isna(n) or n == 0:
            parts.append(f"suppressed in {_group_name(g)}")
            continue
        if pd.isna(k):
            label = (
                f"<{st.suppression.k}" if thr["reason"].iloc[0] == "small_count" else "suppressed"
            )
            parts.append(f"{label} of {int(n)} in {_group_name(g)}")
            continue
        lo, hi = wilson_interval(int(k), int(n))
        rows.append({"group": g, "estimate": k / n, "ci_low": lo, "ci_high": hi, "n": int(n)})
        counts.append((g, int(k), int(n)))
        parts.append(f"{pct(k / n)} ({int(k)}/{int(n)}) in {_group_name(g)}")
    fig = (
        figures.estimate_chart(pd.DataFrame(rows), colors, "Thriving at the last wave (%)")
        if rows
        else None
    )
    test = ""
    if len(counts) >= 2 and len(counts) == len(parts):
        comp = compare_proportions(
            np.array([c[1] for c in counts]),
            np.array([c[2] for c in counts]),
            [c[0] for c in counts],
        )
        test = f", {p_value(comp.pvalue)}, {comp.test}"
    sentence = (
        "Thriving (stage 6, Scott et al. 2009) at the last follow-up wave: "
        f"{' vs '.join(parts)}{test}."
    )
    return Slide("recovery", title, sentence, fig, "Whiskers: Wilson 95% CI.")


def _duration_slide(res: Results, colors) -> Slide:
    title = "How long peer support lasted"
    st = _reset(res.tables["followup_summary"])
    curve = res.tables["support_duration_curve"].table
    t = st.table
    counted = [
        i for i in range(len(t)) if not pd.isna(t["participants"][i]) and t["participants"][i] > 0
    ]
    if not counted:
        return Slide(
            "duration", title, "No participant in this view had a peer-support contact.", None
        )
    medians = {t["group"][i]: t["median_support_days"][i] for i in counted}
    fig = figures.km_chart(curve[curve["survival"].notna()], colors, medians)
    parts = []
    for i in counted:
        g = _group_name(t["group"][i])
        med = t["median_support_days"][i]
        if st.mask["median_support_days"][i]:
            parts.append(f"suppressed in {g}")
        elif pd.isna(med):
            parts.append(f"no median reached in {g} (n = {int(t['participants'][i])})")
        else:
            interval = ci(
                t["median_support_days_low"][i], t["median_support_days_high"][i], digits=0
            )
            parts.append(
                f"day {number(med, 0)} ({interval}) in {g} (n = {int(t['participants'][i])})"
            )
    sentence = (
        "Half of the participants with a peer-support contact had finished support by "
        + "; ".join(parts)
        + " (Kaplan-Meier median)."
    )
    none = [_group_name(t["group"][i]) for i in range(len(t)) if i not in counted]
    note = f"No peer-support contacts recorded for {group_list(none)}." if none else ""
    return Slide("duration", title, sentence, fig, note)


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
            s = Slide(s.key, s.title, s.sentence, figures.mark_synthetic(s.figure), s.note)
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

_METHODS = """
<h3>Definitions (the data contract)</h3>
<ul>
<li><b>Analysis set.</b> Completers (the trial's analysis): participants with status
<code>completed</code>; option: all enrolled. Groups: the values of the grouping column.
Baseline is month 0; follow-up waves are months &gt; 0.</li>
<li><b>Enrollment.</b> Enrolled = participants; analysed = participants in the analysis set.</li>
<li><b>Follow-up.</b> Over analysed participants with at least one peer-support contact. Support
ends at the first contact whose <code>more_followup</code> is <code>no</code> (the end contact);
a participant whose every contact says yes is censored at the last contact. Ended by contact k =
participants whose end contact is &le; k over participants with a contact. Support duration =
day of the end contact (event) or of the last contact (censored); median = smallest day with
Kaplan-Meier survival &le; 0.5.</li>
<li><b>Resources, per wave.</b> Respondents = analysed participants with a response at that
month. Used = respondents with <code>used_&lt;code&gt;</code> = 1; mean helpfulness (1 not at all,
5 extremely) over those who used and rated it; most helpful = respondents naming it (up to 3).
Rank: most helpful, then mean helpfulness, then used, then code.</li>
<li><b>Resources, whole follow-up.</b> Participants with at least one follow-up response; used
or named most helpful at any follow-up wave. Rank: most helpful, then used, then code.</li>
<li><b>Group comparison.</b> Two groups: Fisher's exact test, two-sided, on
[[a, n1 - a], [b, n2 - b]]; more groups: chi-square test of independence. q = Benjamini-Hochberg
adjustment over the resources of one measure.</li>
<li><b>Recovery stages</b> (Scott et al. 2009): early = stages 1-3, middle = 4-5, stage 6 by
path: dropping out, surviving, thriving. A transition runs from the baseline category to the
category at the last follow-up wave with a stage.</li>
<li><b>Resources of those who recovered.</b> Use at any follow-up wave among early-to-thriving
participants against all other participants with a transition, Fisher's exact test, two-sided.</li>
</ul>
<h3>Statistics</h3>
<ul>
<li>95% CI of a share: Wilson score interval. 95% CI of a mean: t distribution.</li>
<li>Risk difference: Newcombe hybrid score interval (method 10). Odds ratio: conditional maximum
likelihood.</li>
<li>Table 1: Fisher's exact (2x2), Fisher-Freeman-Halton exact (larger), else chi-square.</li>
<li>Support duration: Kaplan-Meier (scipy.stats.ecdf), pointwise 95% band.</li>
<li>P-values are two-sided, printed to two decimals (three below 0.01), "P &lt; 0.001" below
that.</li>
</ul>
<h3>References</h3>
<ul>
<li>Rivera-Chiauzzi E, et al. Healing Our Own: a randomized trial to assess benefits of peer
support. Journal of Patient Safety 2022;18(1):e308-e314.</li>
<li>Scott SD, et al. The natural history of recovery for the healthcare provider "second victim"
after adverse patient events. Quality &amp; Safety in Health Care 2009;18(5):325-330.</li>
<li>Newcombe RG. Interval estimation for the difference between independent proportions.
Statistics in Medicine 1998;17:873-890.</li>
<li>Benjamini Y, Hochberg Y. Controlling the false discovery rate. JRSS B 1995;57:289-300.</li>
<li>Hundepool A, et al. Statistical Disclosure Control. Wiley 2012 (cell suppression).</li>
</ul>
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
    from .contract import STAGE_CATEGORIES, stage_category_label

    lab = labelled(st)
    lab = lab[lab["group"] == group]
    cats = list(STAGE_CATEGORIES)
    names = [stage_category_label(c) for c in cats]
    out = pd.DataFrame(0, index=[*names, "Total"], columns=[*names, "Total"], dtype=object)
    for r in lab.itertuples(index=False):
        out.loc[stage_category_label(r[1]), stage_category_label(r[2])] = r[3]
    k = st.suppression.k
    m = st.margins
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
        parts.append(_section("methods", "Methods", _METHODS))
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
        body.append(fig(slide.figure))
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
        body.append(f"<p class='takeaway'>{_e(baseline_verdict(tests_table, group_by))}</p>")
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
    sup = (
        f"<p>Small-cell suppression threshold k = {s.k}: counts from 1 to {s.k - 1}, and "
        f"whatever would reveal them, are hidden ({hidden} cells in this report's tables). "
        "A group with fewer than k participants shows none of its results.</p>"
        if s.active
        else f"<p>Small-cell suppression is off (k = {s.k}{', lifted' if s.lifted else ''}).</p>"
    )
    parts.append(
        _section("methods", "Methods", sup + f"<p class='note'>{_e(_DASH_NOTE)}</p>" + _METHODS)
    )
    parts.append(
        f"<footer><p class='note'>Made by the HOO dashboard {_e(about.loc[9, 'value'])} on "
        f"{_e(about.loc[10, 'value'])} UTC. Figures: {fig.count}.</p></footer>"
    )
    parts.append("</main></body></html>")
    return "\n".join(parts)
