"""Baseline: Table 1, the participants' characteristics by group, and whether groups compare."""

import streamlit as st

from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view
from hoo_metrics.present import baseline as baseline_model

view = get_view()
ui.header(
    view,
    "Baseline characteristics",
    "Who the participants were when they enrolled, by group: are the groups comparable?",
    guard=True,
)

m = baseline_model.baseline(pv.results(view))
if m.table is None:
    ui.no_data(baseline_model.NO_PARTICIPANTS)
    st.stop()
ui.takeaway(m.takeaway)
t = m.table
ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)
if m.pooled_note:
    ui.plain(m.pooled_note)
st.caption(m.caption)
