"""The Follow-up page's view model: when peer support ended, how many contacts it took, how
long it lasted (Kaplan-Meier), and the summary table.

Everything is read from the view's jointly suppressed tables (a hidden value is NaN there: not
drawn, printed "<5" / "suppressed").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import figures
from .format import TOO_FEW_PHRASE, ci, ended_text, group_list, is_missing, number
from .model import Chart, Table
from .results import Results

__all__ = ["EMPTY", "FollowupCharts", "FollowupModel", "followup"]

EMPTY = "No participant in this view had a peer-support contact."

ENDED_CAPTION = (
    "Whiskers: Wilson 95% CI. Support ends at the first contact after which the participant "
    "wanted no more follow-up. A share whose remainder (still in support) is a small count is "
    "hidden."
)


@dataclass(frozen=True)
class FollowupCharts:
    """What the page shows when someone in the view had a contact: the two charts side by
    side (with the caption under the first), the Kaplan-Meier curve with its caption, and the
    summary table."""

    ended: Chart
    ended_caption: str
    contacts: Chart
    km: Chart
    km_caption: str
    table: Table


@dataclass(frozen=True)
class FollowupModel:
    """``no_contacts`` names the groups without any contact ("" when there are none); the
    page shows it first. ``charts`` is None when nobody in the view had a contact (the page
    then says ``EMPTY`` and nothing else)."""

    no_contacts: str
    charts: FollowupCharts | None


def _per_group(s: pd.DataFrame, few: np.ndarray, rows: pd.Index, texts: dict[int, str]) -> str:
    """Each counted group's text; a group too small to show says so instead."""
    return "; ".join(f"{s['group'][i]}: {TOO_FEW_PHRASE}" if few[i] else texts[i] for i in rows)


def km_caption(k: int) -> str:
    """What the curve shows and how it is merged for privacy (``k``: the effective
    threshold)."""
    return (
        "Kaplan-Meier estimate of the share still receiving support; band: pointwise 95% CI; "
        "dotted line: median (from the full curve). Participants whose every contact asked "
        "for more are censored at their last contact. For privacy, steps are merged so that "
        f"each holds at least {k} ended supports (a merged step falls from its first to its "
        f"last day), and a curve stops before fewer than {k} participants remain at risk."
    )


def followup(results: Results, colors: Mapping[str, str]) -> FollowupModel:
    """The Follow-up page of ``results`` (a view that was not refused), its groups drawn in
    ``colors``."""
    tables = results.tables
    summary = tables["followup_summary"]
    ended = tables["ended_by_contact"]
    s = summary.table.reset_index(drop=True)
    few = summary.too_few.to_numpy()
    none = s[(s["participants"] == 0)]["group"].tolist()
    # a group too small to show is still named (as too few), and so is one whose count is
    # hidden (it had contacts: a hidden count is never zero); one with no contact is not
    hidden = summary.mask["participants"].to_numpy()
    counted = s[(s["participants"] > 0) | few | hidden].index
    no_contacts = f"No peer-support contacts recorded for: {group_list(none)}." if none else ""
    if counted.empty:
        return FollowupModel(no_contacts, None)

    texts = ended_text(ended, digits=1)
    ended_chart = Chart(
        figures.ended_by_contact_chart(ended.table, colors),
        "Support ended: "
        + "; ".join(
            f"{g} has {TOO_FEW_PHRASE}" if t == TOO_FEW_PHRASE else f"{t} in {g}"
            for g, t in texts.items()
        )
        + ".",
        key="ended",
    )
    contacts = tables["contacts_per_participant"]
    n = summary.render("participants", lambda v: number(v, 0)).to_numpy()
    contacts_text = summary.render("median_contacts", lambda v: number(v, 0)).to_numpy()
    median_contacts = {i: f"{contacts_text[i]} in {s['group'][i]} (n = {n[i]})" for i in counted}
    contacts_chart = Chart(
        figures.contacts_chart(contacts.table, colors, contacts.labels()),
        "Median contacts per participant: " + _per_group(s, few, counted, median_contacts) + ".",
        key="contacts",
    )
    days_hidden = summary.labels()["median_support_days"].to_numpy()
    median_days = {
        # a hidden median says so: "no median reached" would be a claim about the curve
        i: f"{s['group'][i]}: {days_hidden[i]}"
        if summary.mask["median_support_days"].iloc[i]
        else f"day {number(s['median_support_days'][i], 0)} ("
        + ci(s["median_support_days_low"][i], s["median_support_days_high"][i], digits=0)
        + f") in {s['group'][i]}"
        if not is_missing(s["median_support_days"][i])
        else f"no median reached in {s['group'][i]}"
        for i in counted
    }
    medians = dict(zip(s["group"], s["median_support_days"], strict=True))
    km = Chart(
        figures.km_chart(tables["support_duration_curve"].table, colors, medians),
        "Half of the participants had finished peer support by "
        + _per_group(s, few, counted, median_days)
        + " (Kaplan-Meier median).",
        key="km",
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
        display[title] = summary.render(col, lambda v, d=digits: number(v, d)).to_numpy()
    table = Table(display.rename(columns={"group": "Group"}), "followup-summary", key="summary")
    charts = FollowupCharts(
        ended_chart,
        ENDED_CAPTION,
        contacts_chart,
        km,
        km_caption(results.suppression.effective_k),
        table,
    )
    return FollowupModel(no_contacts, charts)
