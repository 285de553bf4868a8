"""Recovery: how participants moved between recovery stages (Scott et al. 2009) after baseline."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Recovery",
    "Where participants were on the six-stage second-victim recovery trajectory at baseline, "
    "and where they were at each follow-up wave.",
    guard=True,
)

waves = view.metric(hm.transition_waves)
if waves.empty:
    ui.no_data("No participant in this view has a stage at baseline and at follow-up.")
    st.stop()

# suppressed tables: hidden counts are NaN and print "<5" / "suppressed"
ett = pv.early_to_thriving_table(view)
e = ett.table.reset_index(drop=True)
groups = e["group"].tolist()
values = [
    "too few participants to show"
    if ett.too_few.iloc[i]
    else hm.suppressed_text(ett, i, hm.share(e["n"][i], e["participants"][i]), "n", "participants")
    for i in range(len(e))
]
p, test = None, ""
if len(groups) > 1 and e["n"].notna().all() and e["participants"].notna().all():
    res = hm.compare_proportions(e["n"].to_numpy(int), e["participants"].to_numpy(int), groups)
    p, test = res.pvalue, res.test
text = hm.takeaway_difference(
    "Moved from an early stage (1-3) at baseline to thriving (stage 6):", groups, values, p, test
)
if len(groups) > 1 and not test:
    text = text[:-1] + "; the test is hidden with the counts it rests on."
ui.takeaway(text)

months = sorted(waves["month"].unique().tolist())
month = ui.wave_picker(months, key="rec_wave")
tw = pv.transition_month_table(view, month)
margins = tw.margins
cols = st.columns(len(groups))
for col, group in zip(cols, groups, strict=True):
    sel = (tw.table["group"] == group).to_numpy()
    m = margins[margins["group"] == group]
    with col:
        st.markdown(f"#### {group}" if group != hm.ALL_GROUP else "#### Everyone")
        if not sel.any():
            ui.no_data("No transitions.")
            continue
        if tw.too_few[sel].any():
            ui.no_data(hm.TOO_FEW_TEXT + ".")
            continue
        to = m[m["from"] == "Total"].set_index("to")
        total = to.loc["Total", "n"]
        if hm.is_missing(total):  # fewer than k with a stage at this wave
            ui.no_data(hm.TOO_FEW_TEXT + ".")
            continue
        moved = to.loc[["surviving", "thriving"], "n"]
        moved_text = (
            f"{hm.share(moved.sum(), total)} had moved on (surviving or thriving) by month {month}."
            if moved.notna().all()
            else f"How many had moved on by month {month} is hidden (small counts)."
        )
        if not tw.mask.loc[sel, "n"].any():  # every cell shown: the flow itself
            fig = hm.stage_sankey(tw.table[sel], f"Month {month}")
        else:  # cells hidden: the stage mix at baseline and at the wave, recoded if need be
            counts, totals, recoded = hm.stage_mix_bars(margins, group, month, view.suppression)
            fig = hm.stage_distribution_chart(counts, totals=totals)
            if recoded:
                moved_text += f" Stages pooled so that they can be shown: {', '.join(recoded)}."
        ui.chart(view, fig, moved_text, key=f"sankey_{group}")
st.caption(
    "Left: stage category at baseline; right: at the chosen wave. Width = participants. "
    "Only analysed participants with a stage at both times. When single transitions are too "
    "few to show, the stage mix at baseline and at the wave is shown instead, with stages pooled "
    "(early / middle / moved on, or not yet moved on / moved on) where that lets it show."
)

st.subheader("Transition matrix: baseline to last follow-up wave")
last = pv.transitions_table(view)
tabs = st.tabs([str(g) for g in groups]) if len(groups) > 1 else [st.container()]
for col, group in zip(tabs, groups, strict=True):
    with col:
        m = hm.transition_matrix(last, group)
        st.markdown(f"**{group}**: {m.loc['Total', 'Total']} participants")
        ui.table(view, m, f"transitions-{group}", key=f"matrix_{group}", hide_index=False)

st.subheader("Resources of those who recovered")
rec = pv.recovered_table(view)
ui.takeaway(hm.takeaway_recovered(rec))
ui.table(view, hm.recovered_tests_display(rec), "recovered-resources", key="recovered")
st.caption(
    "Use of each resource at any follow-up wave among participants who went from early stages "
    "to thriving, against all other participants with a transition; Fisher's exact test, "
    "two-sided; risk difference with Newcombe 95% CI. Not corrected for multiple testing."
)
