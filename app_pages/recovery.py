"""Recovery: how participants moved between recovery stages (Scott et al. 2009) after baseline."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Recovery",
    "Where participants were on the six-stage second-victim recovery trajectory at baseline, "
    "and where they were at each follow-up wave.",
)

waves = view.metric(hm.transition_waves)
if waves.empty:
    ui.no_data("No participant in this view has a stage at baseline and at follow-up.")
    st.stop()

ett = view.metric(hm.early_to_thriving)
groups = ett["group"].tolist()
if len(groups) > 1:
    test = hm.compare_proportions(ett["n"].to_numpy(), ett["participants"].to_numpy(), groups)
    text = hm.takeaway_difference(
        "Moved from an early stage (1-3) at baseline to thriving (stage 6):",
        groups,
        [hm.share(r.n, r.participants) for r in ett.itertuples()],
        test.pvalue,
        test.test,
    )
else:
    text = hm.takeaway_difference(
        "Moved from an early stage (1-3) at baseline to thriving (stage 6):",
        groups,
        [hm.share(ett["n"][0], ett["participants"][0])],
        None,
        "",
    )
ui.takeaway(text)

months = sorted(waves["month"].unique().tolist())
month = st.segmented_control(
    "Follow-up wave",
    months,
    default=months[-1],
    required=True,
    format_func=lambda m: f"Month {m}",
    key="rec_wave",
    bind="query-params",
)
cols = st.columns(len(groups))
for col, group in zip(cols, groups, strict=True):
    t = waves[(waves["month"] == month) & (waves["group"] == group)]
    with col:
        st.markdown(f"#### {group}" if group != hm.ALL_GROUP else "#### Everyone")
        if t.empty:
            ui.no_data("No transitions.")
            continue
        moved_on = t[t["to"].isin(["surviving", "thriving"])]["n"].sum()
        ui.chart(
            view,
            hm.stage_sankey(t, f"Month {month}"),
            f"{hm.share(moved_on, t['n'].sum())} had moved on (surviving or thriving) by month "
            f"{month}.",
            key=f"sankey_{group}",
        )
st.caption(
    "Left: stage category at baseline; right: at the chosen wave. Width = participants. "
    "Only analysed participants with a stage at both times."
)

st.subheader("Transition matrix: baseline to last follow-up wave")
last = view.metric(hm.transitions)
cols = st.columns(len(groups))
for col, group in zip(cols, groups, strict=True):
    with col:
        m = hm.transition_matrix(last, group)
        st.markdown(f"**{group}**: {int(m.loc['Total', 'Total'])} participants")
        ui.table(view, m, f"transitions-{group}", key=f"matrix_{group}", hide_index=False)

st.subheader("Resources of those who recovered")
rec = view.compute(hm.recovered_resource_tests, population=view.population)
ui.takeaway(hm.takeaway_recovered(rec))
ui.table(view, hm.recovered_tests_display(rec), "recovered-resources", key="recovered")
st.caption(
    "Use of each resource at any follow-up wave among participants who went from early stages "
    "to thriving, against all other participants with a transition; Fisher's exact test, "
    "two-sided; risk difference with Newcombe 95% CI. Not corrected for multiple testing."
)
