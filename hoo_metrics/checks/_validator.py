"""The validator core: one run over the raw tables, the reporting every check uses, the checks
the tables share (participant ids, duplicate keys, ignored columns), and the Cohort built at the
end. Each table's own checks live in its module and take the validator."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

import numpy as np
import pandas as pd
import pyarrow as pa

from .. import arrowtext as at
from ..cohort import Cohort, LazyText
from ..contract import HELPFUL_PREFIX, REQUIRED_TABLES, TABLES, USED_PREFIX
from ..identifiers import MAX_LISTED, describe_ids, listed_problems, mask, screen_column_names
from ..io.canonical import empty_contacts, frames_sha256
from ..io.load import RawTables
from ..problems import ERROR, WARNING, Problem
from ._cells import _first_of_codes, _parse_ints, _prepare
from ._contacts import check_contacts
from ._participants import check_participants
from ._responses import check_responses


class _Validator:
    """One validation run: collects problems table by table, then builds the Cohort."""

    def __init__(self, raw: RawTables):
        self.raw = raw
        self.problems: list[Problem] = list(raw.problems)
        self.tables = {t: _prepare(df) for t, df in raw.tables.items() if t in TABLES}
        self.built: dict[str, pd.DataFrame] = {}
        self.resources: tuple[str, ...] = ()
        # participants' participant_id: each row's code and the distinct values (codes index
        # them), once the participants table is checked; the other tables look ids up in them
        self.id_codes: np.ndarray | None = None
        self.distinct_ids: pa.Array | None = None
        self.id_descriptions: np.ndarray | None = None
        self.positions: dict[str, np.ndarray] = {}  # per table: each row's id among them
        # per response and resource: named in most_helpful (handed to the Cohort)
        self.most_helpful_flags: np.ndarray | None = None
        # descriptive participant columns that may not be groupings or filters: {column: why}
        self.screened: dict[str, str] = {}

    # -- reporting
    def add(self, table, row, column, value, message, severity=ERROR) -> None:
        id_col = column == "participant_id"
        value = mask(value, id_column=id_col) if value is not None else None
        self.problems.append(Problem(table, row, column, value, message, severity))

    def whole_numbers(
        self, table: str, frame: pd.DataFrame, column: str, minimum: int, message: str
    ) -> tuple[np.ndarray, np.ndarray]:
        """A required whole-number column: its values (NaN where unusable) and which rows are
        usable; blank, non-integer or below ``minimum`` cells are reported with ``message``."""
        values, blank, bad = _parse_ints(frame[column])
        wrong = blank | bad | (values < minimum)
        self.cells(table, frame, column, wrong, message)
        return values, ~wrong

    def cells(self, table, frame, column, flagged, message, severity=ERROR, values=None) -> None:
        """Problems for the cells of ``column`` where ``flagged`` (first MAX_LISTED listed).
        ``message`` is a sentence or a function of the listed positions giving sentences."""
        flagged = np.asarray(flagged, dtype=bool)
        if not flagged.any():
            return
        positions = np.flatnonzero(flagged)
        rows = frame.index.to_numpy()[positions]
        if values is None:
            values = frame[column] if column in frame else pd.Series("", index=frame.index)
        listed = positions[:MAX_LISTED]
        cell_values = np.asarray(values.iloc[listed].to_numpy(), dtype=object)
        messages = message if isinstance(message, str) else message(listed)
        self.problems += listed_problems(table, column, rows, cell_values, messages, severity)

    def require(self, table: str, frame: pd.DataFrame, columns: Sequence[str]) -> None:
        for column in columns:
            if column not in frame:
                self.add(
                    table,
                    None,
                    column,
                    None,
                    f"The required column {column} is missing from the {table} table. Add it "
                    "(check the spelling of the header row).",
                )

    # -- the run
    def run(self, name: str, source: str) -> tuple[Cohort | None, list[Problem]]:
        """The Cohort (None when any problem is an error) and every problem found."""
        for table in REQUIRED_TABLES:
            if table not in self.tables and not any(
                p.table == table and p.is_error for p in self.problems
            ):
                self.add(table, None, None, None, f"The {table} table is missing. Add {table}.csv.")
        for table, frame in self.tables.items():
            names = [c for c in frame.columns if not c.startswith((USED_PREFIX, HELPFUL_PREFIX))]
            self.problems += screen_column_names(table, names)
        check_participants(self)
        check_responses(self)
        check_contacts(self)
        # a REDCap upload: point problems at the REDCap file's rows and fields
        self.problems = self.raw.relabel(self.problems)
        blocked = any(p.is_error for p in self.problems)
        if blocked or "participants" not in self.built or "responses" not in self.built:
            return None, self.problems
        participants = self.built["participants"]
        responses = self.built["responses"]
        contacts = self.built.get("contacts", empty_contacts())
        cohort = Cohort(
            participants=participants,
            responses=responses,
            contacts=contacts,
            resources=self.resources,
            warnings=tuple(p for p in self.problems if not p.is_error),
            name=name,
            source=source,
            sha256=LazyText(
                partial(frames_sha256, participants, responses, contacts, self.resources)
            ),
            screened_columns=dict(self.screened),
        )
        # a valid cohort's participant ids are distinct and in table order, so each response's
        # and contact's position among the distinct ids is its participant's row: the Cohort
        # gets them as its (cached) positions instead of looking every id up again
        cohort.keep_known(
            response_positions=self.positions.get("responses"),
            contact_positions=self.positions.get("contacts"),
            most_helpful_flags=self.most_helpful_flags,
        )
        return cohort, self.problems

    # -- shared checks
    def id_words(self, who: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray] | None:
        """The participant_id screen, once over the participants' distinct ids, for
        :func:`screen_values`: (a code per row: ``who``, or the participants' own codes; what
        each distinct id looks like). None without a participants table."""
        if self.distinct_ids is None:
            return None
        if self.id_descriptions is None:
            self.id_descriptions = describe_ids(self.distinct_ids)
        assert self.id_codes is not None  # set with distinct_ids
        return (self.id_codes if who is None else who), self.id_descriptions

    def participant_ids(self, table: str, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Blank or unknown participant_id errors. Returns where the id is usable and a code
        per row that is equal for equal ids: the position of the id among the participants'
        distinct ids (-1 if not there), or without a participants table the row's own code."""
        if "participant_id" not in frame:
            return np.zeros(len(frame), dtype=bool), np.full(len(frame), -1, dtype=np.int64)
        pid = frame["participant_id"]
        blank = (pid == "").to_numpy()
        self.cells(
            table,
            frame,
            "participant_id",
            blank,
            "participant_id is empty. Fill in the participant's study code or delete the row.",
        )
        if self.distinct_ids is None:
            return ~blank, at.factorize(pid)[0]
        who = at.index_in(pid, self.distinct_ids)
        self.positions[table] = who
        unknown = ~blank & (who < 0)
        self.cells(
            table,
            frame,
            "participant_id",
            unknown,
            "This participant_id is not in the participants table. Add the participant there "
            "or correct the code.",
        )
        return ~blank & ~unknown, who

    def duplicates(self, table, frame, who, valid, number, column, what) -> None:
        """Error on each repeat of a (participant_id, number) key after its first row
        (``who``: a code per row, equal for equal participant_ids)."""
        if not valid.any():
            return
        # valid numbers are whole numbers from 0 to _MAX_INT: one int64 key per pair
        number = np.nan_to_num(number).astype(np.int64)
        span = int(number[valid].max()) + 1
        key = np.where(valid, who * span + number, -1)
        small = int(who[valid].max() + 1) * span <= 8 * len(key) + 1024  # keys fit a count
        if small and np.bincount(key[valid]).max() <= 1:
            return  # no key twice: no duplicate (the usual case, without hashing)
        key_codes, _ = pd.factorize(key)
        first = _first_of_codes(key_codes)
        flagged = valid & (first[key_codes] != np.arange(len(key)))
        if not flagged.any():
            return
        file_rows = frame.index.to_numpy()
        self.cells(
            table,
            frame,
            column,
            flagged,
            lambda listed: [
                f"This participant already has {what.format(int(number[i]))} in row "
                f"{file_rows[first[key_codes[i]]]}. Keep one row per "
                f"participant and {column}: delete or correct the duplicate."
                for i in listed
            ],
        )

    def ignored(self, table: str, columns: Sequence[str]) -> None:
        for column in columns:
            self.add(
                table,
                None,
                column,
                None,
                f"The column {column} is not part of the {table} table and was ignored.",
                WARNING,
            )
