"""Overview: the headline numbers and the CONSORT-style flow of participants."""

import streamlit as st

from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view
from hoo_metrics.present import overview as overview_model

view = get_view()
ui.header(
    view,
    "Overview",
    "Who took part, how long peer support lasted, and what helped most.",
    guard=True,
)

m = overview_model.overview(pv.results(view), view.colors)
for col, card in zip(st.columns(len(m.cards)), m.cards, strict=True):
    col.metric(card.label, card.value, help=card.help, border=True)
    if card.caption:
        col.caption(card.caption)

st.subheader("Participant flow")
ui.chart(view, m.flow.figure, m.flow.takeaway, key=m.flow.key, static=m.flow.static)
t = m.table
ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)
