"""Overview: the headline numbers and the CONSORT-style flow of participants."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(view, "Overview", "Who took part, how long peer support lasted, and what helped most.")

enr = view.metric(hm.enrollment)
ended = view.metric(hm.ended_by_contact)
overall = view.metric(hm.resources_overall)
ett = view.metric(hm.early_to_thriving)

cols = st.columns(4)
cols[0].metric(
    "Participants analysed",
    f"{int(enr['analysed'].sum())} of {int(enr['enrolled'].sum())}",
    help="Analysed (in the analysis set) out of enrolled.",
    border=True,
)
cols[0].caption(" · ".join(f"{r.group}: {r.analysed}/{r.enrolled}" for r in enr.itertuples()))

ended_all = view.compute(hm.ended_by_contact, group_by=None, population=view.population)
after1 = ended_all[ended_all["contact"] == 1]
cols[1].metric(
    "Support ended after 1st contact",
    hm.pct(after1["share"].iloc[0]) if len(after1) else hm.DASH,
    help="Share of participants with a peer-support contact whose support ended at contact 1.",
    border=True,
)
cols[1].caption(
    " · ".join(f"{g}: {text}" for g, text in hm.ended_text(ended).items())
    or "No peer-support contacts in this view."
)

top = overall[overall["rank"] == 1]
top_text = {r.group: hm.resource_label(r.resource) for r in top.itertuples()}
cols[2].metric(
    "Most helpful resource",
    top_text[top["group"].iloc[0]] if len(top) else hm.DASH,
    help="Named most helpful by the most participants at any follow-up wave.",
    border=True,
)
cols[2].caption(
    " · ".join(
        f"{r.group}: {hm.resource_label(r.resource)} "
        f"{hm.share(r.most_helpful_ever, r.participants)}"
        for r in top.itertuples()
    )
)
cols[3].metric(
    "Early stages to thriving",
    f"{int(ett['n'].sum())} of {int(ett['participants'].sum())}",
    help="Participants who moved from an early recovery stage (1-3) at baseline to stage 6, "
    "thriving (Scott et al. 2009), among those with a stage at baseline and follow-up.",
    border=True,
)
cols[3].caption(" · ".join(f"{r.group}: {hm.share(r.n, r.participants)}" for r in ett.itertuples()))

st.subheader("Participant flow")
statuses = enr[["withdrew", "lost_to_follow_up"]].sum()
ui.chart(
    view,
    hm.consort_flow(enr, view.colors),
    f"{int(enr['enrolled'].sum())} participants were enrolled; {int(enr['completed'].sum())} "
    f"completed the study, {int(statuses['withdrew'])} withdrew and "
    f"{int(statuses['lost_to_follow_up'])} were lost to follow-up.",
    key="consort",
)
ui.table(
    view,
    enr.rename(
        columns={
            "group": "Group",
            "enrolled": "Enrolled",
            "analysed": "Analysed",
            "completed": "Completed",
            "withdrew": "Withdrew",
            "lost_to_follow_up": "Lost to follow-up",
        }
    ),
    "enrollment",
    key="enrollment",
)
