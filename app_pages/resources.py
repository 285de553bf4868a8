"""Resources: what participants used and found most helpful, per group, overall and by wave."""

import streamlit as st

from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view
from hoo_metrics.present import resources as resources_model
from hoo_metrics.present.model import Chart, Table

view = get_view()
ui.header(
    view,
    "Resources",
    "Which sources of support participants used and named most helpful, and whether groups differ.",
    guard=True,
)

res = pv.results(view)  # suppressed tables: hidden values are NaN and print "<5" / "suppressed"
if message := resources_model.no_data(res):
    ui.no_data(message)
    st.stop()

# Two sections, built lazily: only the open one is computed and drawn, so a filter change
# redraws one section's charts and tables, not the whole page.
section_all, section_wave = st.tabs(
    ["Over the whole follow-up", "By follow-up wave"], key="res_section", on_change="rerun"
)


def chart(c: Chart) -> None:
    ui.chart(view, c.figure, c.takeaway, key=c.key)


def table(t: Table) -> None:
    ui.table(view, t.frame, t.name, key=t.key)
    if t.caption:
        st.caption(t.caption)


def whole_follow_up() -> None:
    # lazy: only the open tab's chart is built and drawn (switching tabs reruns, from the
    # memo); a filter change then redraws one ranking chart, not two
    rankings = resources_model.RANKINGS
    tabs = st.tabs([label for label, _, _ in rankings], key="res_tab", on_change="rerun")
    for tab, (_, measure, key) in zip(tabs, rankings, strict=True):
        if tab.open:
            with tab:
                chart(resources_model.ranking(res, view.colors, measure, key))
    model = resources_model.whole_follow_up(res)
    st.caption(model.caption)
    table(model.ranking)

    st.subheader("Do the groups differ?")
    if model.comparison is None:
        ui.no_data(model.no_comparison)
        return
    ui.takeaway(model.comparison_takeaway)
    table(model.comparison)


def by_follow_up_wave() -> None:
    model = resources_model.by_wave(res)
    chart(model.heatmap)
    month = ui.wave_picker(model.months, key="res_wave")
    wave = resources_model.wave(res, view.colors, month)
    chart(wave.helpfulness)
    st.caption(wave.caption)
    table(wave.table)


if section_all.open:
    with section_all:
        whole_follow_up()
if section_wave.open:
    with section_wave:
        by_follow_up_wave()
