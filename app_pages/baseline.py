"""Baseline: Table 1, the participants' characteristics by group, and whether groups compare."""

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Baseline characteristics",
    "Who the participants were when they enrolled, by group: are the groups comparable?",
    guard=True,
)

table, tests = pv.baseline_tables(view)  # suppressed: hidden cells print "<5" / "suppressed"
if table.table.empty:
    ui.no_data("No participants in this view.")
    st.stop()
if tests is not None:
    ui.takeaway(hm.baseline_verdict(tests, view.group_by or ""))
else:
    ui.takeaway("One group only: choose a grouping in the sidebar to compare groups.")

display = hm.baseline_display(
    table, tests if tests is not None else pd.DataFrame(columns=["variable", "test", "p_value"])
)
ui.table(
    view,
    display,
    "baseline-table",
    key="table1",
    height=36 * (len(display) + 1) + 4,
    column_config={"Level": st.column_config.TextColumn(width="medium")},
)
pooled = hm.baseline_pooled_note(tests) if tests is not None else ""
if pooled:
    ui.plain(pooled)
st.caption(
    "n (%) of the analysed participants in each group; blank cells shown as (blank). "
    "P: Fisher's exact test for 2x2 tables, the Fisher-Freeman-Halton exact test for tables "
    "of two rows or two columns that can be enumerated, otherwise the chi-square test — the "
    "test used is named on each row (Methods). "
    "Where levels have hidden counts, they are pooled into one level for the test (the row "
    "says which): the test then uses only numbers the table shows. "
    "Baseline stage category: recovery stage at month 0 (Scott et al. 2009)."
)
