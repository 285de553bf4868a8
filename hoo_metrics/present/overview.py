"""The Overview page's view model: four headline cards and the flow of participants.

Everything is read from the view's jointly suppressed tables (a hidden value is NaN there and
prints "<5" / "suppressed"), so a card never shows what another output hides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..contract import resource_label
from ..privacy import TOO_FEW_TEXT, SuppressedTable
from .figures import consort_flow
from .format import DASH, ended_text, group_list, number, pct, share, suppressed_text
from .model import Card, Chart, Table
from .results import Results

__all__ = ["OverviewModel", "overview"]

#: enrollment's count columns and their headers in the table under the flow
_ENROLLMENT_COLUMNS = {
    "group": "Group",
    "enrolled": "Enrolled",
    "analysed": "Analysed",
    "completed": "Completed",
    "withdrew": "Withdrew",
    "lost_to_follow_up": "Lost to follow-up",
}


@dataclass(frozen=True)
class OverviewModel:
    """The cards in their row's order (analysed, done after one contact, most helpful
    resource, early stages to thriving), the participant flow and the enrollment table."""

    cards: tuple[Card, ...]
    flow: Chart
    table: Table


def both(st_table: SuppressedTable, row: int, count: str, total: str) -> str:
    """ "42 of 50", each number or its label; a group too small to show says so once."""
    t = st_table.table
    if st_table.too_few.iloc[row]:
        return "too few to show"
    k = suppressed_text(st_table, row, number(t[count].iloc[row], 0), count)
    if st_table.mask[total].iloc[row]:
        return k  # "23", not "23 of suppressed": the enrolled count is hidden
    return f"{k} of {number(t[total].iloc[row], 0)}"


def share_of(st_table: SuppressedTable, row: int, count: str, total: str) -> str:
    """ "67% (10/15)", or the label of what hides it."""
    if st_table.too_few.iloc[row]:
        return "too few to show"
    t = st_table.table
    text = share(t[count].iloc[row], t[total].iloc[row])
    return suppressed_text(st_table, row, text, count, total)


def _analysed(enr: SuppressedTable, grouped: bool) -> Card:
    over = enr.overall or enr
    caption = ""
    if grouped:
        caption = " · ".join(
            f"{g}: {both(enr, i, 'analysed', 'enrolled')}" for i, g in enumerate(enr.table["group"])
        )
    return Card(
        "Participants analysed",
        both(over, 0, "analysed", "enrolled"),
        help="Analysed (in the analysis set) out of enrolled. Where only the analysed number "
        "shows, the enrolled number is hidden: it would give away how few did not complete.",
        caption=caption,
    )


def _done_after_one(ended: SuppressedTable) -> Card:
    over = ended.overall or ended
    first = over.table.reset_index(drop=True)
    row1 = first.index[first["contact"] == 1]
    value = (
        suppressed_text(over, row1[0], pct(first["share"][row1[0]], 1), "share")
        if len(row1)
        else DASH
    )
    return Card(
        "Done after 1 contact",
        value,
        help="Share of participants with a peer-support contact whose support ended at contact 1.",
        caption=" · ".join(f"{g}: {text}" for g, text in ended_text(ended, digits=1).items())
        or "No peer-support contacts in this view.",
    )


def _most_helpful(top_st: SuppressedTable) -> Card:
    top = top_st.table.reset_index(drop=True)
    top_rows = top.index[top["rank"] == 1].tolist()
    return Card(
        "Most helpful resource",
        resource_label(top["resource"][top_rows[0]]) if top_rows else DASH,
        help="Named most helpful by the most participants at any follow-up wave (the ranking "
        "stays when a count is hidden).",
        caption=" · ".join(
            f"{top['group'][i]}: too few to show"
            if top_st.too_few.iloc[i]
            else f"{top['group'][i]}: {resource_label(top['resource'][i])}, "
            f"{share_of(top_st, i, 'most_helpful_ever', 'participants')}"
            for i in top_rows
        ),
    )


def _early_to_thriving(ett: SuppressedTable, grouped: bool) -> Card:
    caption = ""
    if grouped:
        caption = " · ".join(
            f"{g}: {share_of(ett, i, 'n', 'participants')}"
            for i, g in enumerate(ett.table["group"])
        )
    return Card(
        "Early stages to thriving",
        both(ett.overall or ett, 0, "n", "participants"),
        help="Participants who moved from an early recovery stage (1-3) at baseline to stage "
        "6, thriving (Scott et al. 2009), among those with a stage at baseline and follow-up.",
        caption=caption,
    )


def flow_text(enr_all: SuppressedTable) -> str:
    """The flow's takeaway: how many were enrolled, completed, withdrew and were lost, each
    count hidden by the suppression said to be hidden instead."""
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
            shown.append(f"{number(over[col], 0)} {verb}")
    enrolled = (
        "The number enrolled is hidden (small counts)"
        if enr_all.mask["enrolled"].iloc[0]
        else f"{number(over['enrolled'], 0)} participants were enrolled"
    )
    flow = enrolled + (f"; {group_list(shown)}" if shown else "")
    if hidden:
        flow += f". How many {group_list(hidden).replace(' and ', ' or ')} is hidden (small counts)"
    return flow + "."


def _enrollment_display(enr: SuppressedTable) -> Table:
    display = enr.table.copy()
    labels = enr.labels()
    for c in list(_ENROLLMENT_COLUMNS)[1:]:
        display[c] = enr.render(c, lambda v: number(v, 0))
        # a group too small to show: its counts say so in short, the table being narrow
        display[c] = display[c].where(labels[c] != TOO_FEW_TEXT, "too few")
    return Table(display.rename(columns=_ENROLLMENT_COLUMNS), "enrollment", key="enrollment")


def overview(results: Results, colors: Mapping[str, str]) -> OverviewModel:
    """The Overview page of ``results`` (a view that was not refused), its groups drawn in
    ``colors``."""
    tables = results.tables
    enr = tables["enrollment"]
    grouped = bool(results.group_by)
    enr_all = enr.overall or enr
    flow = consort_flow(enr.table, colors, total=enr_all.table.iloc[0]["enrolled"])
    return OverviewModel(
        cards=(
            _analysed(enr, grouped),
            _done_after_one(tables["ended_by_contact"]),
            _most_helpful(tables["resources_overall"]),
            _early_to_thriving(tables["early_to_thriving"], grouped),
        ),
        flow=Chart(flow, flow_text(enr_all), key="consort", static=True),
        table=_enrollment_display(enr),
    )
