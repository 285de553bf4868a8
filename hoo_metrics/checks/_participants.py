"""The participants table's checks: ids (kept for the other tables), arm, status, the
identifier screen of its columns; builds the canonical participants table."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import arrowtext as at
from ..contract import PARTICIPANT_REQUIRED, STATUSES
from ..identifiers import participant_column_problem, screen_participant_columns, screen_values
from ._cells import _first_of_codes, _isin, _join, _text

if TYPE_CHECKING:
    from ._validator import _Validator


def check_participants(v: _Validator) -> None:
    """Check participants (and keep their participant_ids for the other tables)."""
    table = "participants"
    p = v.tables.get(table)
    if p is None:
        return None
    v.require(table, p, PARTICIPANT_REQUIRED)
    if len(p) == 0:
        v.add(
            table,
            None,
            None,
            None,
            "The participants table has a header row but no participants. Add one row per "
            "enrolled participant.",
        )
    if "participant_id" in p:
        pid = p["participant_id"]
        blank = (pid == "").to_numpy()
        v.cells(
            table,
            p,
            "participant_id",
            blank,
            "participant_id is empty. Every participant needs a study code; fill it in or "
            "delete the row.",
        )
        codes, distinct = at.factorize(pid)
        v.id_codes, v.distinct_ids = codes, distinct
        first = _first_of_codes(codes)
        dup = (first[codes] != np.arange(len(codes))) & ~blank
        file_rows = p.index.to_numpy()
        v.cells(
            table,
            p,
            "participant_id",
            dup,
            lambda listed: [
                f"This participant_id already appears in row {file_rows[first[codes[i]]]}. "
                "Each participant has exactly one row: delete the duplicate or give it its "
                "own code."
                for i in listed
            ],
        )
    if "arm" in p:
        v.cells(
            table,
            p,
            "arm",
            (p["arm"] == "").to_numpy(),
            "arm is empty. Fill in the group this participant was randomized to.",
        )
    status = None
    if "status" in p:
        status = p["status"].str.lower()
        blank = (status == "").to_numpy()
        unknown = ~_isin(status, STATUSES) & ~blank
        allowed = _join(STATUSES)
        v.cells(table, p, "status", blank, f"status is empty. It must be {allowed}.")
        v.cells(
            table,
            p,
            "status",
            unknown,
            f"This status is not one the dashboard knows. It must be {allowed} "
            "(upper or lower case); correct the spelling.",
        )
    v.problems += screen_values(table, p, [c for c in p.columns if c != "status"], ids=v.id_words())
    # names, free text, mostly unique values: never a grouping or filter (names are an
    # error; the others a warning, and the column is not loaded, so no view lists them)
    screened = screen_participant_columns(p)
    v.problems += [participant_column_problem(c, why) for c, why in screened.items()]
    v.screened = {c: why.reason for c, why in screened.items()}
    if all(c in p for c in PARTICIPANT_REQUIRED):
        front = list(PARTICIPANT_REQUIRED)
        rest = [c for c in p.columns if c not in front and c not in screened]
        out = {c: _text(p[c]) for c in front + rest}
        out["status"] = _text(status)
        v.built[table] = pd.DataFrame(out)
