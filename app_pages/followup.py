"""Follow-up: how many peer-support contacts participants had and when support ended."""

import streamlit as st

from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view
from hoo_metrics.present import followup as followup_model

view = get_view()
ui.header(
    view,
    "Follow-up",
    "How many peer-support contacts participants had, and how soon they needed no more.",
    guard=True,
)

m = followup_model.followup(pv.results(view), view.colors)
if m.no_contacts:
    st.caption(m.no_contacts)
if m.charts is None:
    ui.no_data(followup_model.EMPTY)
    st.stop()
c = m.charts

left, right = st.columns(2)
with left:
    ui.chart(view, c.ended.figure, c.ended.takeaway, key=c.ended.key)
    st.caption(c.ended_caption)
with right:
    ui.chart(view, c.contacts.figure, c.contacts.takeaway, key=c.contacts.key)

ui.chart(view, c.km.figure, c.km.takeaway, key=c.km.key)
st.caption(c.km_caption)
t = c.table
ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)
