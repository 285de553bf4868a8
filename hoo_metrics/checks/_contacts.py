"""The contacts table's checks: ids, contact_no (one row per participant and contact), day
(not going down as contact_no goes up), more_followup; builds the canonical contacts table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..contract import CONTACT_REQUIRED, YES_NO
from ..identifiers import screen_values
from ..io.canonical import CONTACT_COLUMNS
from ._cells import _isin, _text

if TYPE_CHECKING:
    from ._validator import _Validator


def check_contacts(v: _Validator) -> None:
    table = "contacts"
    c = v.tables.get(table)
    if c is None:
        return
    v.require(table, c, CONTACT_REQUIRED)
    n = len(c)
    pid_ok, who = v.participant_ids(table, c)
    number = np.full(n, np.nan)
    number_ok = np.zeros(n, dtype=bool)
    if "contact_no" in c:
        number, number_ok = v.whole_numbers(
            table,
            c,
            "contact_no",
            1,
            "contact_no must be a whole number 1 or more: 1 for the participant's first "
            "peer-support contact, 2 for the second, and so on.",
        )
        v.duplicates(table, c, who, pid_ok & number_ok, number, "contact_no", "a contact {}")
    day = np.full(n, np.nan)
    day_ok = np.zeros(n, dtype=bool)
    if "day" in c:
        day, day_ok = v.whole_numbers(
            table,
            c,
            "day",
            0,
            "day must be a whole number 0 or more: the days since the adverse event.",
        )
    if "participant_id" in c and "contact_no" in c and "day" in c:
        _days_decreasing(v, c, who, pid_ok & number_ok & day_ok, number, day)
    followup = None
    if "more_followup" in c:
        followup = c["more_followup"].str.lower()
        v.cells(
            table,
            c,
            "more_followup",
            ~_isin(followup, YES_NO),
            "more_followup must be yes or no: did the participant want another contact "
            "after this one?",
        )
    extras = [col for col in c.columns if col not in CONTACT_COLUMNS]
    v.problems += screen_values(table, c, ["participant_id", *extras], ids=v.id_words(who))
    v.ignored(table, extras)
    if all(col in c for col in CONTACT_REQUIRED):
        assert followup is not None  # more_followup is a required column
        v.built[table] = pd.DataFrame(
            {
                "participant_id": _text(c["participant_id"]),
                "contact_no": np.nan_to_num(number).astype("int64"),
                "day": np.nan_to_num(day).astype("int64"),
                "more_followup": (followup == "yes").to_numpy(dtype=bool),
            }
        )


def _days_decreasing(v: _Validator, c, who, valid, number, day) -> None:
    """Error on a contact whose day is before the day of the participant's previous one."""
    rows = np.flatnonzero(valid)
    if len(rows) < 2:
        return
    who = who[rows]
    order = rows[np.lexsort((number[rows], who))]
    same = who[np.lexsort((number[rows], who))]
    later = np.flatnonzero((same[1:] == same[:-1]) & (day[order[1:]] < day[order[:-1]])) + 1
    if len(later) == 0:
        return
    flagged = np.zeros(len(c), dtype=bool)
    flagged[order[later]] = True
    previous = dict(zip(order[later], order[later - 1], strict=True))
    file_rows = c.index.to_numpy()
    v.cells(
        "contacts",
        c,
        "day",
        flagged,
        lambda listed: [
            f"This contact (contact_no {int(number[i])}) is on day {int(day[i])}, before "
            f"the participant's previous contact in row {file_rows[previous[i]]} (day "
            f"{int(day[previous[i]])}). Days must not go down as contact_no goes up."
            for i in listed
        ],
    )
