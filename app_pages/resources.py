"""Resources: what participants used and found most helpful, per group, overall and by wave."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Resources",
    "Which sources of support participants used and named most helpful, and whether groups differ.",
    guard=True,
)

# suppressed tables: hidden values are NaN (charts draw nothing) and print "<5" / "suppressed"
overall = pv.resources_overall_table(view)
if overall.table.empty:
    ui.no_data("No follow-up responses in this view: widen the filters.")
    st.stop()

# Two sections, built lazily: only the open one is computed and drawn, so a filter change
# redraws one section's charts and tables, not the whole page (issue 8: < 1 s to redraw).
section_all, section_wave = st.tabs(
    ["Over the whole follow-up", "By follow-up wave"], key="res_section", on_change="rerun"
)


def whole_follow_up() -> None:
    groups = pv.results(view).groups  # the view's groups, small ones pooled
    tests = pv.comparisons_table(view) if len(groups) > 1 else None
    no_tests = overall.table.iloc[0:0]
    # lazy: only the open tab's chart is built and drawn (switching tabs reruns, from the
    # memo); a filter change then redraws one ranking chart, not two
    tab_mh, tab_used = st.tabs(["Named most helpful", "Used"], key="res_tab", on_change="rerun")
    for tab, measure, key in (
        (tab_mh, "most_helpful_ever", "rank_mh"),
        (tab_used, "used_ever", "rank_used"),
    ):
        if not tab.open:
            continue
        with tab:
            ui.chart(
                view,
                hm.resource_ranking_chart(overall.table, view.colors, measure, overall.labels()),
                hm.takeaway_resource_test(
                    tests if tests is not None else no_tests, overall, measure
                ),
                key=key,
            )
    st.caption(
        "Bars: % of participants with a follow-up response; whiskers: Wilson 95% CI; no bar: "
        "hidden (see the table). Participants could name up to 3 resources most helpful per "
        "wave."
    )
    ui.table(view, hm.resource_ranking_display(overall), "resources-overall", key="overall")

    st.subheader("Do the groups differ?")
    if tests is None or tests.table.empty:
        ui.no_data("Choose a grouping with at least two groups to compare them.")
        return
    p = tests.table["p_value"]
    hidden = int(tests.mask["p_value"].sum())
    ui.takeaway(
        f"{int((p < 0.05).sum())} of {int(p.notna().sum())} comparisons shown reach P < 0.05 "
        "before correction for multiple testing; the BH q-value corrects for the number of "
        "resources."
        + (
            f" {hidden} comparisons are hidden (a cell of their table is too small)."
            if hidden
            else ""
        )
    )
    ui.table(view, hm.comparison_display(tests), "resources-comparison", key="tests")
    st.caption(
        "Two groups: Fisher's exact test, two-sided; more groups: chi-square test. "
        "Risk difference = first group minus second, Newcombe 95% CI. "
        "BH q: Benjamini-Hochberg false discovery rate within each measure."
    )


def by_follow_up_wave() -> None:
    by_wave = pv.resources_by_wave_table(view)
    wave_all = by_wave.table
    months = sorted(wave_all["month"].unique().tolist())
    first = wave_all[(wave_all["month"] == months[0]) & wave_all["used"].notna()]
    ui.chart(
        view,
        hm.use_heatmap(wave_all, pv.results(view).groups, by_wave.labels()),
        hm.takeaway_top(
            "Most used at the first follow-up wave"
            + (" (among the values shown)" if by_wave.any else ""),
            {
                g: hm.resource_label(d.sort_values("used", ascending=False).iloc[0]["resource"])
                for g, d in first.groupby("group", sort=False)
            },
        )
        if len(first)
        else "Use at the first follow-up wave is hidden in this view (small counts).",
        key="heatmap",
    )
    month = ui.wave_picker(months, key="res_wave")
    rows = (wave_all["month"] == month).to_numpy()
    wave = wave_all[rows]
    rated = wave[wave["helpful_mean"].notna()]
    ui.chart(
        view,
        hm.helpfulness_chart(wave, view.colors),
        hm.takeaway_top(
            f"Rated most helpful on average at month {month}",
            {
                g: hm.resource_label(
                    d.sort_values("helpful_mean", ascending=False).iloc[0]["resource"]
                )
                for g, d in rated.groupby("group", sort=False)
            },
        )
        if len(rated)
        else f"No mean rating at month {month} rests on {view.suppression.k} or more answers.",
        key="helpful",
    )
    st.caption(
        "Dots: mean rating among those who used the resource; whiskers: t-based 95% CI. A mean "
        f"needs {view.suppression.effective_k} ratings or more to be shown."
    )
    ui.table(
        view,
        hm.wave_ranking_display(pv.rows(by_wave, rows)),
        f"resources-month-{month}",
        key="wave",
    )


if section_all.open:
    with section_all:
        whole_follow_up()
if section_wave.open:
    with section_wave:
        by_follow_up_wave()
