"""Overview: the headline numbers and the CONSORT-style flow of participants."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(
    view,
    "Overview",
    "Who took part, how long peer support lasted, and what helped most.",
    guard=True,
)

# every number below comes from the suppressed tables (hidden: NaN, printed "<5"/"suppressed")
enr = pv.enrollment_table(view)
ended = pv.ended_table(view)
top_st = pv.resources_overall_table(view)
ett = pv.early_to_thriving_table(view)
enr_all = enr.overall or enr
ended_all = ended.overall or ended
ett_all = ett.overall or ett


def both(st_table, row: int, count: str, total: str) -> str:
    """ "42 of 50", each number or its label; a group too small to show says so once."""
    t = st_table.table
    if st_table.too_few.iloc[row]:
        return "too few to show"
    k = hm.suppressed_text(st_table, row, hm.number(t[count].iloc[row], 0), count)
    if st_table.mask[total].iloc[row]:
        return k  # "23", not "23 of suppressed": the enrolled count is hidden
    return f"{k} of {hm.number(t[total].iloc[row], 0)}"


def share_of(st_table, row: int, count: str, total: str) -> str:
    if st_table.too_few.iloc[row]:
        return "too few to show"
    t = st_table.table
    text = hm.share(t[count].iloc[row], t[total].iloc[row])
    return hm.suppressed_text(st_table, row, text, count, total)


cols = st.columns(4)
cols[0].metric(
    "Participants analysed",
    both(enr_all, 0, "analysed", "enrolled"),
    help="Analysed (in the analysis set) out of enrolled. Where only the analysed number shows, "
    "the enrolled number is hidden: it would give away how few did not complete.",
    border=True,
)
if view.group_by:
    cols[0].caption(
        " · ".join(
            f"{g}: {both(enr, i, 'analysed', 'enrolled')}" for i, g in enumerate(enr.table["group"])
        )
    )

first = ended_all.table.reset_index(drop=True)
row1 = first.index[first["contact"] == 1]
cols[1].metric(
    "Done after 1 contact",
    hm.suppressed_text(ended_all, row1[0], hm.pct(first["share"][row1[0]], 1), "share")
    if len(row1)
    else hm.DASH,
    help="Share of participants with a peer-support contact whose support ended at contact 1.",
    border=True,
)
cols[1].caption(
    " · ".join(f"{g}: {text}" for g, text in hm.ended_text(ended, digits=1).items())
    or "No peer-support contacts in this view."
)

top = top_st.table.reset_index(drop=True)
top_rows = top.index[top["rank"] == 1].tolist()
cols[2].metric(
    "Most helpful resource",
    hm.resource_label(top["resource"][top_rows[0]]) if top_rows else hm.DASH,
    help="Named most helpful by the most participants at any follow-up wave (the ranking "
    "stays when a count is hidden).",
    border=True,
)
cols[2].caption(
    " · ".join(
        f"{top['group'][i]}: too few to show"
        if top_st.too_few.iloc[i]
        else f"{top['group'][i]}: {hm.resource_label(top['resource'][i])}, "
        f"{share_of(top_st, i, 'most_helpful_ever', 'participants')}"
        for i in top_rows
    )
)
cols[3].metric(
    "Early stages to thriving",
    both(ett_all, 0, "n", "participants"),
    help="Participants who moved from an early recovery stage (1-3) at baseline to stage 6, "
    "thriving (Scott et al. 2009), among those with a stage at baseline and follow-up.",
    border=True,
)
if view.group_by:
    cols[3].caption(
        " · ".join(
            f"{g}: {share_of(ett, i, 'n', 'participants')}"
            for i, g in enumerate(ett.table["group"])
        )
    )

st.subheader("Participant flow")
over = enr_all.table.iloc[0]
shown, hidden = [], []
for col, verb in (
    ("completed", "completed the study"),
    ("withdrew", "withdrew"),
    ("lost_to_follow_up", "were lost to follow-up"),
):
    if enr_all.mask[col].iloc[0]:
        hidden.append(verb)
    else:
        shown.append(f"{hm.number(over[col], 0)} {verb}")
enrolled = (
    "The number enrolled is hidden (small counts)"
    if enr_all.mask["enrolled"].iloc[0]
    else f"{hm.number(over['enrolled'], 0)} participants were enrolled"
)
flow = enrolled + (f"; {hm.group_list(shown)}" if shown else "")
if hidden:
    flow += f". How many {hm.group_list(hidden).replace(' and ', ' or ')} is hidden (small counts)"
ui.chart(
    view,
    hm.consort_flow(enr.table, view.colors, total=over["enrolled"]),
    flow + ".",
    key="consort",
    static=True,
)
display = enr.table.copy()
labels = enr.labels()
for c in ("enrolled", "analysed", "completed", "withdrew", "lost_to_follow_up"):
    display[c] = enr.render(c, lambda v: hm.number(v, 0))
    display[c] = display[c].where(labels[c] != hm.TOO_FEW_TEXT, "too few")
ui.table(
    view,
    display.rename(
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
