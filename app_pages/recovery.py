"""Recovery: how participants moved between recovery stages (Scott et al. 2009) after baseline."""

import streamlit as st

from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view
from hoo_metrics.present import recovery as recovery_model

view = get_view()
ui.header(
    view,
    "Recovery",
    "Where participants were on the six-stage second-victim recovery trajectory at baseline, "
    "and where they were at each follow-up wave.",
    guard=True,
)

results = pv.results(view)  # the view's tables, suppressed together
months = recovery_model.months(results)
if not months:
    ui.no_data(recovery_model.NO_TRANSITIONS)
    st.stop()

# the takeaway goes above the wave picker, but the model needs the picked wave: a slot
# filled once the model is built (st.empty keeps the element where it stands)
takeaway = st.empty()
month = ui.wave_picker(months, key="rec_wave")
model = recovery_model.build(results, month)
with takeaway:
    ui.takeaway(model.takeaway)

for col, flow in zip(st.columns(len(model.flows)), model.flows, strict=True):
    with col:
        st.markdown(f"#### {flow.title}")
        if flow.chart is None:
            ui.no_data(flow.no_data)
        else:
            ui.chart(view, flow.chart.figure, flow.chart.takeaway, key=flow.chart.key)
st.caption(model.flows_caption)

st.subheader("Transition matrix: baseline to last follow-up wave")
matrices = model.matrices
tabs = st.tabs([m.tab for m in matrices]) if len(matrices) > 1 else [st.container()]
for tab, m in zip(tabs, matrices, strict=True):
    with tab:
        st.markdown(f"**{m.group}**: {m.participants}")
        t = m.table
        ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)

st.subheader("Resources of those who recovered")
ui.takeaway(model.recovered_takeaway)
t = model.recovered
ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)
st.caption(t.caption)
