"""Compare groups: one outcome, side by side, with its effect size, CI, exact P and test."""

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.memo import remember
from hoo_app.state import get_view

BASE = hm.BASELINE_STAGE_CATEGORY
Y_TITLES = {
    "share": "Participants (%)",
    "rating 1-5": "Mean rating (1 = not at all, 5 = extremely)",
    "contacts": "Mean contacts per participant",
    "days": "Median support duration (days)",
}


view = get_view()
# guard: the lifted-suppression notice, and a subgroup under k refused before any number
ui.header(view, "Compare groups", "Pick a grouping and an outcome: are the groups different?", True)

c1, c2, c3, c4 = st.columns([1.2, 1.6, 1.4, 1])
options = [*view.full.participant_columns, BASE]
group_by = c1.selectbox(
    "Grouping",
    options,
    index=options.index(view.group_by) if view.group_by in options else 0,
    format_func=hm.variable_label,
    key="cmp_group",
    bind="query-params",
)
outcome = c2.selectbox(
    "Outcome", list(hm.OUTCOMES), format_func=hm.OUTCOMES.get, key="cmp_outcome",
    bind="query-params",
)  # fmt: skip
resource = None
if outcome in ("used", "most_helpful", "helpful"):
    codes = list(view.full.resources)
    # open on the trial's headline comparison when the cohort has that resource
    first = codes.index("department_leadership") if "department_leadership" in codes else 0
    resource = c3.selectbox(
        "Resource", codes, index=first, format_func=hm.resource_label,
        key="cmp_resource", bind="query-params",
    )  # fmt: skip
month = None
if outcome in ("used", "most_helpful", "helpful", "stage"):
    months = sorted(m for m in view.full.responses["month"].unique().tolist() if m > 0)
    whole = "Last wave" if outcome == "stage" else "Any wave"
    wave = c4.selectbox(
        "Wave", [whole, *[f"Month {m}" for m in months]], key="cmp_wave", bind="query-params"
    )
    month = None if wave == whole else int(wave.split()[1])

grouped = pv.results(view, group_by)  # the view's tables under this grouping, suppressed
if grouped.refusal is not None:
    ui.no_data(grouped.refusal.message)
    st.stop()
# the outcome on the view's own cohort (its small groups pooled as its tables pool them)
outcome_key = ("outcome", view.key, view.population, view.suppression, group_by, outcome)
res = hm.suppress_outcome(
    remember(
        (*outcome_key, resource, month),
        lambda: hm.compare_outcome(
            grouped.cohort, group_by, view.population, outcome, resource, month
        ),
    ),
    grouped,
)
labels = res.suppressed.labels()
percent = res.unit == "share"


def name(g):
    return hm.stage_category_label(g) if group_by == BASE else str(g)


def n_text(i):
    return labels.at[i, "n"] or str(int(res.table.at[i, "n"]))


def value(v):
    return hm.pct(v) if percent else hm.number(v, 1)


colors = {name(g): c for g, c in hm.group_colors(grouped.groups).items()}
rows = res.table.assign(
    group=[name(g) for g in res.table["group"]],
    label=[f"{name(g)} (n = {n_text(i)})" for i, g in res.table["group"].items()],
    hidden=res.suppressed.mask["estimate"].to_numpy(),
)
est = rows.loc[rows["category"] == "thriving"] if outcome == "stage" else rows
what = hm.OUTCOMES[outcome] + (f" — {hm.resource_label(resource)}" if resource else "")
if outcome == "stage":
    what = "Moved on by thriving (stage 6)"
when = f" at month {month}" if month else (" at the last wave" if outcome == "stage" else "")
est = est[~est["hidden"]]
sentence = hm.takeaway_difference(
    f"{what}{when}:",
    est["group"].tolist(),
    [value(v) for v in est["estimate"]],
    float("nan") if res.test_hidden else res.p_value,
    "" if res.test_hidden else res.test,
)
if res.test_hidden:
    sentence += f" The test is hidden by small-cell suppression: {res.test_hidden}."

left, right = st.columns([3, 2])
with left:
    fig = hm.comparison_chart(rows, colors, Y_TITLES[res.unit], percent=percent)
    ui.chart(view, fig, sentence, key="cmp_chart")
    st.caption("Whiskers: 95% CI (Wilson for shares, t for means, Kaplan-Meier for medians).")
with right:
    st.markdown("#### Effect size")
    a, b = (name(g) for g in res.effect_groups) if res.effect_groups else ("", "")
    if res.effect_groups and not res.test_hidden:
        st.metric(f"{res.effect_name} ({a} minus {b})", value(res.effect), border=True)
        st.markdown(hm.ci(*res.confidence_interval(), percent=percent))
    elif res.test_hidden:
        st.markdown(f"Hidden: {res.test_hidden}.")
    else:
        st.markdown("An effect size needs exactly two groups with data.")
    if res.test_hidden:
        p = "P hidden"
    elif res.p_value != res.p_value:
        p = "P not computable"
    else:
        p = f"P = {res.p_value:.4f}" if res.p_value >= 0.0001 else "P < 0.0001"
    tested = hm.group_list([name(g) for g in res.tested_groups]) or "none"
    st.markdown(f"**{p}** — {res.test}; groups with data: {tested}")
    if res.note:
        st.caption(res.note)

cols = ["group", "category", "n", "count", "estimate", "ci_low", "ci_high"]
cols = [c for c in cols if c in rows.columns]
display = pd.DataFrame({c: res.suppressed.render(c, str) for c in cols})
display["group"] = rows["group"]
display["n"] = [n_text(i) for i in rows.index]
if "count" in display:
    display["count"] = res.suppressed.render("count", lambda v: "" if pd.isna(v) else str(int(v)))
display["estimate"] = res.suppressed.render("estimate", value)
display["ci_low"] = res.suppressed.render("ci_low", value)
display["ci_high"] = res.suppressed.render("ci_high", value)
if "category" in display:
    display["category"] = [hm.stage_category_label(c) for c in rows["category"]]
headers = {"group": "Group", "category": "Stage category", "count": "Count"}
headers |= {"estimate": Y_TITLES[res.unit], "ci_low": "95% CI low", "ci_high": "95% CI high"}
ui.table(view, display.rename(columns=headers), f"compare-{outcome}", key="cmp_table")
