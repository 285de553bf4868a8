"""Follow-up: how many peer-support contacts participants had and when support ended."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Follow-up",
    "How many peer-support contacts participants had, and how soon they needed no more.",
    guard=True,
)

# suppressed tables: hidden values are NaN (not drawn) and print "<5" / "suppressed"
summary = pv.followup_table(view)
ended = pv.ended_table(view)
s = summary.table.reset_index(drop=True)
few = summary.too_few.to_numpy()
none = s[(s["participants"] == 0)]["group"].tolist()
counted = s[(s["participants"] > 0) | few]
if none:
    st.caption(
        f"No peer-support contacts recorded for: {hm.group_list(none)} "
        "(in the trial, routine support had no peer follow-up)."
    )
if counted.empty:
    ui.no_data("No participant in this view had a peer-support contact.")
    st.stop()


def per_group(texts: dict[int, str]) -> str:
    return "; ".join(
        f"{s['group'][i]}: too few participants to show" if few[i] else texts[i]
        for i in counted.index
    )


left, right = st.columns(2)
with left:
    texts = hm.ended_text(ended, digits=1)
    ui.chart(
        view,
        hm.ended_by_contact_chart(ended.table, view.colors),
        "Support ended " + "; ".join(f"{t} in {g}" for g, t in texts.items()) + ".",
        key="ended",
    )
    st.caption(
        "Whiskers: Wilson 95% CI. Support ends at the first contact after which the "
        "participant wanted no more follow-up. A share whose remainder (still in support) is "
        "a small count is hidden."
    )
with right:
    contacts = pv.contacts_table(view)
    ui.chart(
        view,
        hm.contacts_chart(contacts.table, view.colors, contacts.labels()),
        "Median contacts per participant: "
        + per_group(
            {
                i: f"{hm.number(s['median_contacts'][i], 0)} in {s['group'][i]} "
                f"(n = {hm.number(s['participants'][i], 0)})"
                for i in counted.index
            }
        )
        + ".",
        key="contacts",
    )

curve = pv.curve_table(view)
medians = dict(zip(s["group"], s["median_support_days"], strict=True))
ui.chart(
    view,
    hm.km_chart(curve.table, view.colors, medians),
    "Half of the participants had finished peer support by "
    + per_group(
        {
            i: f"day {hm.number(s['median_support_days'][i], 0)} ("
            + hm.ci(s["median_support_days_low"][i], s["median_support_days_high"][i], digits=0)
            + f") in {s['group'][i]}"
            if not hm.is_missing(s["median_support_days"][i])
            else f"no median reached in {s['group'][i]}"
            for i in counted.index
        }
    )
    + " (Kaplan-Meier median).",
    key="km",
)
st.caption(
    "Kaplan-Meier estimate of the share still receiving support; band: pointwise 95% CI; "
    "dotted line: median (from the full curve). Participants whose every contact asked for "
    "more are censored at their last contact. For privacy, steps are merged so that each "
    f"holds at least {view.suppression.effective_k} ended supports (a merged step falls from "
    "its first to its last day), and a curve stops before fewer than "
    f"{view.suppression.effective_k} participants remain at risk."
)
display = s[["group"]].copy()
for col, title in (
    ("participants", "Participants with a contact"),
    ("ended", "Support ended"),
    ("censored", "Censored"),
    ("median_contacts", "Median contacts"),
    ("median_support_days", "Median support (days)"),
):
    digits = 1 if col == "median_support_days" else 0
    display[title] = summary.render(col, lambda v, d=digits: hm.number(v, d)).to_numpy()
ui.table(view, display.rename(columns={"group": "Group"}), "followup-summary", key="summary")
