"""Resources: what participants used and found most helpful, per group, overall and by wave."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Resources",
    "Which sources of support participants used and named most helpful, and whether groups differ.",
)

overall = view.metric(hm.resources_overall)
by_wave = view.metric(hm.resources_by_wave)
tests = view.metric(hm.compare_resources) if len(view.groups) > 1 else overall.iloc[0:0]
if overall.empty:
    ui.no_data("No follow-up responses in this view: widen the filters.")
    st.stop()

st.subheader("Over the whole follow-up")
tab_mh, tab_used = st.tabs(["Named most helpful", "Used"])
with tab_mh:
    ui.chart(
        view,
        hm.resource_ranking_chart(overall, view.colors, "most_helpful_ever"),
        hm.takeaway_resource_test(tests, overall, "most_helpful_ever"),
        key="rank_mh",
    )
with tab_used:
    ui.chart(
        view,
        hm.resource_ranking_chart(overall, view.colors, "used_ever"),
        hm.takeaway_resource_test(tests, overall, "used_ever"),
        key="rank_used",
    )
st.caption(
    "Bars: % of participants with a follow-up response; whiskers: Wilson 95% CI. "
    "Participants could name up to 3 resources most helpful at each wave."
)
ui.table(view, hm.resource_ranking_display(overall), "resources-overall", key="overall")

st.subheader("Do the groups differ?")
if tests.empty:
    ui.no_data("Choose a grouping with at least two groups to compare them.")
else:
    sig = tests[tests["p_value"] < 0.05]
    ui.takeaway(
        f"{len(sig)} of {int(tests['p_value'].notna().sum())} comparisons reach P < 0.05 before "
        "correction for multiple testing; the BH q-value corrects for the number of resources."
    )
    ui.table(view, hm.comparison_display(tests), "resources-comparison", key="tests")
    st.caption(
        "Two groups: Fisher's exact test, two-sided; more groups: chi-square test. "
        "Risk difference = first group minus second, Newcombe 95% CI. "
        "BH q: Benjamini-Hochberg false discovery rate within each measure."
    )

st.subheader("By follow-up wave")
months = sorted(by_wave["month"].unique().tolist())
ui.chart(
    view,
    hm.use_heatmap(by_wave, view.groups),
    hm.takeaway_top(
        "Most used at the first follow-up wave",
        {
            g: hm.resource_label(d.sort_values("used", ascending=False).iloc[0]["resource"])
            for g, d in by_wave[by_wave["month"] == months[0]].groupby("group", sort=False)
        },
    ),
    key="heatmap",
)
month = st.segmented_control(
    "Wave",
    months,
    default=months[-1],
    required=True,
    format_func=lambda m: f"Month {m}",
    key="res_wave",
    bind="query-params",
)
wave = by_wave[by_wave["month"] == month]
ui.chart(
    view,
    hm.helpfulness_chart(wave, view.colors),
    hm.takeaway_top(
        f"Rated most helpful on average at month {month}",
        {
            g: hm.resource_label(d.sort_values("helpful_mean", ascending=False).iloc[0]["resource"])
            for g, d in wave[wave["helpful_n"] > 0].groupby("group", sort=False)
        },
    ),
    key="helpful",
)
st.caption("Dots: mean rating among those who used the resource; whiskers: t-based 95% CI.")
ui.table(view, hm.wave_ranking_display(wave), f"resources-month-{month}", key="wave")
