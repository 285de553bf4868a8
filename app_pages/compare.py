"""Compare groups: one outcome, side by side, with its effect size, CI, exact P and test."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import outcomes, ui
from hoo_app.state import get_view

view = get_view()
ui.header(view, "Compare groups", "Pick a grouping and an outcome: are the groups different?")

c1, c2, c3, c4 = st.columns([1.2, 1.6, 1.4, 1])
grouping_options = [*view.full.participant_columns, outcomes.BASELINE_STAGE]
group_by = c1.selectbox(
    "Grouping",
    grouping_options,
    index=grouping_options.index(view.group_by) if view.group_by in grouping_options else 0,
    format_func=hm.variable_label,
    key="cmp_group",
    bind="query-params",
)
outcome = c2.selectbox(
    "Outcome",
    list(outcomes.OUTCOMES),
    format_func=outcomes.OUTCOMES.get,
    key="cmp_outcome",
    bind="query-params",
)
resource = None
if outcome in outcomes.NEEDS_RESOURCE:
    resource = c3.selectbox(
        "Resource",
        list(view.full.resources),
        format_func=hm.resource_label,
        key="cmp_resource",
        bind="query-params",
    )
months = sorted(m for m in view.full.responses["month"].unique().tolist() if m > 0)
month = None
if outcome in ("used", "most_helpful", "helpful", "stage"):
    any_label = "Last wave" if outcome == "stage" else "Any wave"
    choice = c4.selectbox(
        "Wave",
        [any_label, *[f"Month {m}" for m in months]],
        key="cmp_wave",
        bind="query-params",
    )
    month = None if choice == any_label else int(choice.split()[1])

cohort = view.cohort
if group_by == outcomes.BASELINE_STAGE:
    cohort = view.compute(outcomes.with_baseline_stage)
res = outcomes.compare(cohort, group_by, view.population, outcome, resource, month)
colors = hm.group_colors(
    (
        outcomes.with_baseline_stage(view.full)
        if group_by == outcomes.BASELINE_STAGE
        else view.full
    ).groups(group_by)
)
table = res.table.assign(
    group=[
        hm.stage_category_label(g) if group_by == outcomes.BASELINE_STAGE else g
        for g in res.table["group"]
    ]
)
colors.update({hm.stage_category_label(g): c for g, c in colors.items()})

what = outcomes.OUTCOMES[outcome].lower()
if resource:
    what = f"{what}: {hm.resource_label(resource)}"
when = f" at month {month}" if month else ""
percent = res.unit == "share"
values = [hm.pct(r.estimate) if percent else hm.number(r.estimate, 1) for r in table.itertuples()]
subject = "Moved on by thriving (stage 6)" if outcome == "stage" else outcomes.OUTCOMES[outcome]
sentence = hm.takeaway_difference(
    f"{subject}{f' ({hm.resource_label(resource)})' if resource else ''}{when}:",
    table["group"].tolist(),
    values,
    res.p_value,
    res.test,
    n=table["n"].astype(int).tolist(),
)
y_title = {
    "share": "Participants (%)",
    "rating": "Mean rating (1 = not at all, 5 = extremely)",
    "contacts": "Mean contacts per participant",
    "days": "Median support duration (days)",
}[res.unit]
left, right = st.columns([3, 2])
with left:
    if outcome == "stage" and not res.counts.empty:
        counts = res.counts.assign(
            group=[
                f"{hm.stage_category_label(g) if group_by == outcomes.BASELINE_STAGE else g}"
                for g in res.counts["group"]
            ]
        )
        ui.chart(view, hm.stage_distribution_chart(counts), sentence, key="cmp_stage")
    else:
        ui.chart(
            view,
            hm.estimate_chart(table, colors, y_title, percent=percent),
            sentence,
            key="cmp_chart",
        )
    st.caption("Whiskers: 95% CI (Wilson for shares, t for means, Kaplan-Meier for medians).")
with right:
    st.markdown("#### Effect size")
    if res.effect_name:
        effect = hm.pct(res.effect) if percent else hm.number(res.effect, 2)
        st.metric(
            f"{res.effect_name} ({table['group'].iloc[0]} minus {table['group'].iloc[1]})",
            effect,
            border=True,
        )
        st.markdown(hm.ci(res.effect_low, res.effect_high, percent=percent))
    else:
        st.markdown("No two-group effect size for this comparison.")
    st.markdown(f"**{hm.p_value(res.p_value)}** — {res.test or 'no test available'}")
    if res.note:
        st.caption(res.note)

display = table.assign(
    estimate=[hm.pct(v) if percent else hm.number(v, 1) for v in table["estimate"]],
    ci=[
        hm.ci(lo, hi, percent=percent, digits=None if percent else 1)
        for lo, hi in zip(table["ci_low"], table["ci_high"], strict=True)
    ],
)[["group", "n", "estimate", "ci"]].rename(
    columns={"group": "Group", "n": "n", "estimate": y_title, "ci": "95% CI"}
)
ui.table(view, display, f"compare-{outcome}", key="cmp_table")
