"""Follow-up: how many peer-support contacts participants had and when support ended."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Follow-up",
    "How many peer-support contacts participants had, and how soon they needed no more.",
)

summary = view.metric(hm.followup_summary)
ended = view.metric(hm.ended_by_contact)
counted = summary[summary["participants"] > 0]
none = summary[summary["participants"] == 0]["group"].tolist()
if none:
    st.caption(
        f"No peer-support contacts recorded for: {hm.group_list(none)} "
        "(in the trial, routine support had no peer follow-up)."
    )
if counted.empty:
    ui.no_data("No participant in this view had a peer-support contact.")
    st.stop()

left, right = st.columns(2)
with left:
    texts = hm.ended_text(ended)
    ui.chart(
        view,
        hm.ended_by_contact_chart(ended, view.colors),
        "Support ended " + "; ".join(f"{t} in {g}" for g, t in texts.items()) + ".",
        key="ended",
    )
    st.caption(
        "Whiskers: Wilson 95% CI. Support ends at the first contact after which the "
        "participant wanted no more follow-up."
    )
with right:
    contacts = view.metric(hm.contacts_per_participant)
    ui.chart(
        view,
        hm.contacts_chart(contacts, view.colors),
        "Median contacts per participant: "
        + "; ".join(
            f"{hm.number(r.median_contacts, 0)} in {r.group} (n = {r.participants})"
            for r in counted.itertuples()
        )
        + ".",
        key="contacts",
    )

curve = view.metric(hm.support_duration_curve)
medians = dict(zip(counted["group"], counted["median_support_days"], strict=True))
ui.chart(
    view,
    hm.km_chart(curve, view.colors, medians),
    "Half of the participants had finished peer support by "
    + "; ".join(
        f"day {hm.number(r.median_support_days, 0)} "
        f"({hm.ci(r.median_support_days_low, r.median_support_days_high, digits=0)}) in {r.group}"
        if not hm.is_missing(r.median_support_days)
        else f"no median reached in {r.group}"
        for r in counted.itertuples()
    )
    + " (Kaplan-Meier median).",
    key="km",
)
st.caption(
    "Kaplan-Meier estimate of the share still receiving support; band: pointwise 95% CI; "
    "dotted line: median. Participants whose every contact asked for more are censored at "
    "their last contact."
)
ui.table(
    view,
    summary.rename(columns={"group": "Group", "participants": "Participants with a contact"}),
    "followup-summary",
    key="summary",
)
