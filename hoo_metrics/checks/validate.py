"""Raw tables -> Cohort, or every problem at once.

Checks the cohort file contract (shared/data-contract.md, section 1 and "What bad input gets")
on the text cells read by :mod:`hoo_metrics.io.load`, and builds the Cohort in the canonical dtypes
documented in :mod:`hoo_metrics.cohort`. Each problem names the table, the row as in the file
(header = row 1), the column and the (masked) value, with a plain sentence saying what to do.
Errors block loading; warnings load and travel with the Cohort.

Vectorised: every check is a pandas/numpy operation over a column; values are parsed once per
distinct value (``pandas.factorize``), so 100,000 participants with 5 waves validate in a few
seconds. Per-cell problems are listed for the first ``identifiers.MAX_LISTED`` cells of a
column and check, then summarised, so a badly broken file still gives a readable report.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path, PurePosixPath

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import arrowtext as at
from ..cohort import Cohort, LazyText, named_flags
from ..contract import (
    CONTACT_REQUIRED,
    HELPFUL_MAX,
    HELPFUL_MIN,
    HELPFUL_PREFIX,
    MAX_MOST_HELPFUL,
    PARTICIPANT_REQUIRED,
    REQUIRED_TABLES,
    RESPONSE_OPTIONAL,
    RESPONSE_REQUIRED,
    STAGE6_PATHS,
    STAGE_MAX,
    STAGE_MIN,
    STATUSES,
    TABLES,
    USED_PREFIX,
    YES_NO,
)
from ..identifiers import (
    MAX_LISTED,
    describe_ids,
    listed_problems,
    mask,
    participant_column_problem,
    screen_column_names,
    screen_participant_columns,
    screen_values,
)
from ..io.canonical import CONTACT_COLUMNS, empty_contacts, frames_sha256
from ..io.load import RawTables, read_tables
from ..problems import ERROR, WARNING, CohortError, Problem

_INTEGER_PATTERN = r"^[+-]?[0-9]+(?:\.0*)?$"
#: Integers beyond this are treated as not a number of months, days or contacts.
_MAX_INT = 10**9


@dataclass(frozen=True)
class ValidationResult:
    """The Cohort (None when any problem is an error) and every problem found."""

    cohort: Cohort | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return self.cohort is not None


def validate(raw: RawTables, name: str = "cohort", source: str = "") -> ValidationResult:
    """Check raw tables against the cohort contract and build the Cohort.

    Parameters: ``raw`` from :func:`hoo_metrics.io.load.read_tables` (or built by hand: text
    cells, index = row number as in the file; a default 0-based index is read as rows 2, 3,
    ...); ``name`` and ``source`` are stored on the Cohort. Returns a ValidationResult whose
    ``problems`` start with the loader's; ``cohort`` is None when any problem is an error.
    """
    return _Validator(raw).run(name, source or raw.source)


def load_cohort(source: str | os.PathLike | Mapping[str, bytes], name: str | None = None) -> Cohort:
    """Read and validate a cohort (folder, .zip, .xlsx or upload mapping) in one step.

    Raises CohortError carrying every problem when any is an error; warnings travel on
    ``Cohort.warnings``.
    """
    raw = read_tables(source)
    result = validate(raw, name=name or _default_name(source), source=raw.source)
    if result.cohort is None:
        raise CohortError(result.problems)
    return result.cohort


# ---- helpers ----------------------------------------------------------------------------------


def _default_name(source) -> str:
    if isinstance(source, Mapping):
        for key in source:
            stem = PurePosixPath(str(key)).stem
            if len(source) == 1 and stem:
                return stem
        return "upload"
    path = Path(source)
    return path.stem or path.name or "cohort"


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells ("" for blank), stripped lower-case unique column names, file-row index."""
    frame = frame.copy()
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in frame.columns:
        values = frame[column]
        if values.dtype != "str" or values.hasnans:
            frame[column] = values.astype("str").fillna("")
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0:
        frame.index = frame.index + 2  # built by hand: first data row is file row 2
    return frame


def _parse_ints(
    values: pd.Series, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole numbers in text cells: (value as float64 with NaN, blank, not a whole number).
    ``out``: a float64 array of the column's length to write the values into (and return).

    "3", "03", "+3" and "3.0" (spreadsheet exports) are 3; parsed once per distinct value,
    with vectorised arrow string kernels."""
    parsed = _parse_one_char(at.chunks(values), len(values), out) if len(values) else None
    if parsed is not None:
        return parsed
    codes, uniques = at.factorize(values)
    if len(uniques) == 0:
        empty = np.zeros(0, dtype=bool)
        return np.zeros(0), empty, empty
    blank = at.equals(uniques, "")
    whole = pc.match_substring_regex(uniques, _INTEGER_PATTERN).to_numpy(zero_copy_only=False)
    # digits without sign, fraction or leading zeros ("" for zero)
    digits = pc.replace_substring_regex(
        pc.replace_substring_regex(uniques, r"\..*$", ""), r"^[+-]?0*", ""
    )
    short = pc.less_equal(pc.utf8_length(digits), 10).to_numpy(zero_copy_only=False)
    usable = whole & short
    magnitude = np.zeros(len(uniques))
    if usable.any():
        kept = pc.filter(digits, pa.array(usable))
        kept = pc.if_else(pc.equal(kept, ""), "0", kept)
        magnitude[usable] = pc.cast(kept, pa.int64()).to_numpy(zero_copy_only=False)
    negative = pc.starts_with(uniques, "-").to_numpy(zero_copy_only=False)
    value = np.where(negative, -magnitude, magnitude)
    ok = usable & (np.abs(value) <= _MAX_INT)
    number = np.where(ok, value, np.nan)
    bad = ~blank & ~ok
    return np.take(number, codes, out=out), blank[codes], bad[codes]


def _parse_one_char(
    chunks: list[pa.Array], n: int, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_parse_ints` for columns whose cells are all blank or one byte long (0/1 flags,
    ratings, stages), read straight from the arrow buffers of each stored chunk (``n`` cells
    in all); None when a cell is null or longer (the general path then reads the column)."""
    number = np.empty(n) if out is None else out
    blank = np.empty(n, dtype=bool)
    bad = np.empty(n, dtype=bool)
    start = 0
    for chunk in chunks:
        m = len(chunk)
        if m == 0:
            continue
        if chunk.null_count:
            return None
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset :][: m + 1]
        lengths = np.diff(offsets)
        if lengths.max() > 1:
            return None
        data = np.frombuffer(chunk.buffers()[2] or b"\0", dtype=np.uint8)
        part = slice(start, start + m)
        np.equal(lengths, 0, out=blank[part])
        digit = data.take(offsets[:-1], mode="clip")  # a blank cell's: the next cell's byte
        digit -= np.uint8(ord("0"))  # wraps below "0": > 9
        no_value = digit > 9
        no_value |= blank[part]
        np.copyto(number[part], digit)
        np.copyto(number[part], np.nan, where=no_value)
        np.not_equal(no_value, blank[part], out=bad[part])  # no value, not blank
        start += m
    return number, blank, bad


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Membership of text cells in a set of texts, as a numpy bool array (arrow is_in)."""
    return at.isin(values, allowed)


def _text(values: pd.Series) -> pd.Series:
    """A canonical text column: str, NaN for blank, default index."""
    cells = at.arrow(values.astype("str"))
    blank = pc.fill_null(pc.equal(cells, ""), True)
    return at.series(pc.if_else(blank, pa.scalar(None, pa.large_string()), cells))


def _first_of_codes(codes: np.ndarray) -> np.ndarray:
    """Position of the first cell of each code (codes numbered in order of appearance)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    highest = np.maximum.accumulate(codes)
    appears = np.flatnonzero(highest > np.r_[-1, highest[:-1]])  # a new code starts here
    first = np.full(int(highest[-1]) + 1, len(codes), dtype=np.int64)
    first[highest[appears]] = appears
    return first


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---- the validator ----------------------------------------------------------------------------


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
    def run(self, name: str, source: str) -> ValidationResult:
        for table in REQUIRED_TABLES:
            if table not in self.tables and not any(
                p.table == table and p.is_error for p in self.problems
            ):
                self.add(table, None, None, None, f"The {table} table is missing. Add {table}.csv.")
        for table, frame in self.tables.items():
            names = [c for c in frame.columns if not c.startswith((USED_PREFIX, HELPFUL_PREFIX))]
            self.problems += screen_column_names(table, names)
        self.participants()
        self.responses()
        self.contacts()
        # a REDCap upload: point problems at the REDCap file's rows and fields
        self.problems = self.raw.relabel(self.problems)
        blocked = any(p.is_error for p in self.problems)
        if blocked or "participants" not in self.built or "responses" not in self.built:
            return ValidationResult(None, self.problems)
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
        return ValidationResult(cohort, self.problems)

    # -- participants
    def participants(self) -> None:
        """Check participants (and keep their participant_ids for the other tables)."""
        table = "participants"
        p = self.tables.get(table)
        if p is None:
            return None
        self.require(table, p, PARTICIPANT_REQUIRED)
        if len(p) == 0:
            self.add(
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
            self.cells(
                table,
                p,
                "participant_id",
                blank,
                "participant_id is empty. Every participant needs a study code; fill it in or "
                "delete the row.",
            )
            codes, distinct = at.factorize(pid)
            self.id_codes, self.distinct_ids = codes, distinct
            first = _first_of_codes(codes)
            dup = (first[codes] != np.arange(len(codes))) & ~blank
            file_rows = p.index.to_numpy()
            self.cells(
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
            self.cells(
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
            self.cells(table, p, "status", blank, f"status is empty. It must be {allowed}.")
            self.cells(
                table,
                p,
                "status",
                unknown,
                f"This status is not one the dashboard knows. It must be {allowed} "
                "(upper or lower case); correct the spelling.",
            )
        self.problems += screen_values(
            table, p, [c for c in p.columns if c != "status"], ids=self.id_words()
        )
        # names, free text, mostly unique values: never a grouping or filter (names are an
        # error; the others a warning, and the column is not loaded, so no view lists them)
        screened = screen_participant_columns(p)
        self.problems += [participant_column_problem(c, why) for c, why in screened.items()]
        self.screened = {c: why.reason for c, why in screened.items()}
        if all(c in p for c in PARTICIPANT_REQUIRED):
            front = list(PARTICIPANT_REQUIRED)
            rest = [c for c in p.columns if c not in front and c not in screened]
            out = {c: _text(p[c]) for c in front + rest}
            out["status"] = _text(status)
            self.built[table] = pd.DataFrame(out)

    # -- responses
    def responses(self) -> None:
        table = "responses"
        r = self.tables.get(table)
        if r is None:
            return
        self.require(table, r, RESPONSE_REQUIRED)
        n = len(r)
        # the built columns: numbers as numpy arrays (a pd.Series of each would be one more
        # copy of every column before the frame stacks them)
        out: dict[str, pd.Series | np.ndarray] = {}
        pid_ok, who = self._participant_ids(table, r)
        month_ok = np.zeros(n, dtype=bool)
        if "month" in r:
            month, month_ok = self.whole_numbers(
                table,
                r,
                "month",
                0,
                "month must be a whole number 0 or more: the months since enrollment, 0 for the "
                "baseline survey.",
            )
            out["month"] = np.nan_to_num(month).astype("int64")
            self._duplicates(
                table, r, who, pid_ok & month_ok, month, "month", "a month {} response"
            )
        if "participant_id" in r:
            out = {"participant_id": _text(r["participant_id"]), **out}

        # stage and stage6_path
        stage = np.full(n, np.nan)
        stage_ok = np.ones(n, dtype=bool)
        if "stage" in r:
            stage, blank, bad = _parse_ints(r["stage"])
            wrong = bad | (~blank & ((stage < STAGE_MIN) | (stage > STAGE_MAX)))
            stage_ok = ~wrong
            self.cells(
                table,
                r,
                "stage",
                wrong,
                f"stage must be a whole number from {STAGE_MIN} to {STAGE_MAX} (the recovery "
                "stage), or blank.",
            )
        out["stage"] = np.where(stage_ok, stage, np.nan)
        path = r["stage6_path"].str.lower() if "stage6_path" in r else pd.Series("", index=r.index)
        present = (path != "").to_numpy()
        unknown = present & ~_isin(path, STAGE6_PATHS)
        paths = _join(STAGE6_PATHS).replace(" and ", " or ")
        self.cells(
            table,
            r,
            "stage6_path",
            unknown,
            f"stage6_path must be {paths} (upper or lower case), or blank when stage is not 6.",
        )
        self.cells(
            table,
            r,
            "stage6_path",
            stage_ok & (stage == STAGE_MAX) & ~present,
            f"stage is 6 (moving on), so stage6_path must say which path: {paths}.",
        )
        self.cells(
            table,
            r,
            "stage6_path",
            stage_ok & (stage != STAGE_MAX) & present & ~unknown,
            "stage6_path is filled in but stage is not 6. Blank stage6_path or correct the stage.",
        )
        out["stage6_path"] = _text(path)

        # resources: used_<code> (the resources) and helpful_<code>
        codes = []
        for column in r.columns:
            if column.startswith(USED_PREFIX):
                code = column[len(USED_PREFIX) :]
                if code and ";" not in code:
                    codes.append(code)
                else:
                    self.add(
                        table,
                        None,
                        column,
                        None,
                        f"The column name {column} does not give a usable resource code. Name "
                        "it used_<code>, e.g. used_peers (no ';' in the code).",
                    )
        self.resources = tuple(codes)
        # the used_ and helpful_ values are written once, into the rows of one float block
        # that becomes the built table's columns as it is (no copy of 2 x resources columns)
        numbers = np.empty((2 * len(codes), n))
        not_used: dict[str, np.ndarray] = {}  # a valid used_ that is not 1, per code
        for k, code in enumerate(codes):
            used_col, helpful_col = USED_PREFIX + code, HELPFUL_PREFIX + code
            used, blank, bad = _parse_ints(r[used_col], out=numbers[2 * k])
            wrong = bad | (~blank & (used != 0) & (used != 1))
            self.cells(
                table,
                r,
                used_col,
                wrong,
                f"{used_col} must be 1 (the resource was used), 0 (not used) or blank.",
            )
            used_ok = ~wrong  # a rating or most_helpful is only judged against a valid used_
            used[wrong] = np.nan
            not_used[code] = used_ok & (used != 1)
            if helpful_col not in r:
                numbers[2 * k + 1] = np.nan
                continue
            rating, blank, bad = _parse_ints(r[helpful_col], out=numbers[2 * k + 1])
            wrong = bad | (~blank & ((rating < HELPFUL_MIN) | (rating > HELPFUL_MAX)))
            self.cells(
                table,
                r,
                helpful_col,
                wrong,
                f"{helpful_col} must be a whole number from {HELPFUL_MIN} (not at all "
                f"helpful) to {HELPFUL_MAX} (extremely helpful), or blank.",
            )
            rated = ~blank & ~wrong
            self.cells(
                table,
                r,
                helpful_col,
                rated & used_ok & (used != 1),
                f"There is a helpfulness rating but {used_col} is not 1 in this row, so the "
                f"rating is ignored. If the resource was used, set {used_col} to 1.",
                WARNING,
            )
            rating[~(rated & (used == 1))] = np.nan  # only a rating of a used resource
        for column in r.columns:
            if column.startswith(HELPFUL_PREFIX):
                code = column[len(HELPFUL_PREFIX) :]
                if code not in codes:
                    self.add(
                        table,
                        None,
                        column,
                        None,
                        f"There is no {USED_PREFIX}{code} column, so {column} is ignored. Add "
                        f"{USED_PREFIX}{code} if {code or 'this'} is a resource of this cohort.",
                        WARNING,
                    )
        out["most_helpful"] = self._most_helpful(r, codes, not_used)

        known = set(RESPONSE_REQUIRED) | set(RESPONSE_OPTIONAL)
        extras = [
            c for c in r.columns if c not in known and not c.startswith(("used_", "helpful_"))
        ]
        self.problems += screen_values(
            table, r, ["participant_id", *extras], ids=self.id_words(who)
        )
        self._ignored(table, extras)
        if all(c in r for c in RESPONSE_REQUIRED):
            front = ["participant_id", "month", "stage", "stage6_path"]
            resource_columns = [
                c for code in codes for c in (USED_PREFIX + code, HELPFUL_PREFIX + code)
            ]
            built = pd.DataFrame(numbers.T, columns=resource_columns, copy=False)
            for i, c in enumerate(front):
                built.insert(i, c, out[c])
            built["most_helpful"] = out["most_helpful"]
            self.built[table] = built
        # participants with no responses
        p = self.tables.get("participants")
        if self.id_codes is not None and "participant_id" in r:
            # set together, from the participants table
            assert p is not None and self.distinct_ids is not None
            answered = np.zeros(len(self.distinct_ids), dtype=bool)
            answered[who[pid_ok]] = True
            self.cells(
                "participants",
                p,
                "participant_id",
                (p["participant_id"] != "").to_numpy() & ~answered[self.id_codes],
                "This participant has no survey responses. They count as enrolled but appear in "
                "no wave; add their responses if they exist.",
                WARNING,
            )

    def _most_helpful(self, r: pd.DataFrame, codes: list[str], not_used: dict) -> pd.Series:
        """Check most_helpful; returns it normalised (lower-case codes joined by ';', NaN).
        ``not_used``: per code, where used_ is valid and not 1 (blank or 0)."""
        table = "responses"
        self.most_helpful_flags = np.zeros((len(r), len(codes)), dtype=bool, order="F")
        if "most_helpful" not in r:
            return pd.Series(np.nan, index=range(len(r)), dtype="str")
        cells = r["most_helpful"]
        index_of, uniques = pd.factorize(cells)
        known = set(codes)
        normalised, unknown, count = [], [], []
        for text in uniques:
            parts = [x.strip().lower() for x in text.split(";")]
            parts = list(dict.fromkeys(x for x in parts if x))
            normalised.append(";".join(parts) if parts else np.nan)
            unknown.append([x for x in parts if x not in known])
            count.append(len(parts))
        has_unknown = np.array([bool(u) for u in unknown], dtype=bool)[index_of]
        too_many = np.array(count, dtype=int)[index_of] > MAX_MOST_HELPFUL
        listing = _join(codes) if codes else "(none: there is no used_ column)"
        self.cells(
            table,
            r,
            "most_helpful",
            has_unknown,
            lambda listed: [
                f"most_helpful names {_join([repr(mask(x)) for x in unknown[index_of[i]]])}, "
                f"which is not a resource of this cohort. The resources are the used_ columns: "
                f"{listing}. Correct the code (separate codes with ';')."
                for i in listed
            ],
        )
        self.cells(
            table,
            r,
            "most_helpful",
            too_many,
            lambda listed: [
                f"most_helpful names {count[index_of[i]]} resources; give at most "
                f"{MAX_MOST_HELPFUL}, separated by ';'."
                for i in listed
            ],
        )
        # per response and resource: named; the Cohort keeps these flags, and a name without
        # used_ = 1 gets a warning
        self.most_helpful_flags = named_flags(index_of, normalised, codes)
        named = {
            code: self.most_helpful_flags[:, j] & not_used[code] for j, code in enumerate(codes)
        }
        if named:
            unmarked = np.logical_or.reduce(list(named.values()))
            self.cells(
                table,
                r,
                "most_helpful",
                unmarked,
                lambda listed: [
                    "most_helpful names "
                    + _join([c for c in codes if named[c][i]])
                    + ", but "
                    + _join([USED_PREFIX + c for c in codes if named[c][i]])
                    + " is not 1 in this row. Check whether the resource was used."
                    for i in listed
                ],
                WARNING,
            )
        out = pd.Series(np.asarray(normalised, dtype=object), dtype="str")
        return out.take(index_of).reset_index(drop=True)

    # -- contacts
    def contacts(self) -> None:
        table = "contacts"
        c = self.tables.get(table)
        if c is None:
            return
        self.require(table, c, CONTACT_REQUIRED)
        n = len(c)
        pid_ok, who = self._participant_ids(table, c)
        number = np.full(n, np.nan)
        number_ok = np.zeros(n, dtype=bool)
        if "contact_no" in c:
            number, number_ok = self.whole_numbers(
                table,
                c,
                "contact_no",
                1,
                "contact_no must be a whole number 1 or more: 1 for the participant's first "
                "peer-support contact, 2 for the second, and so on.",
            )
            self._duplicates(
                table, c, who, pid_ok & number_ok, number, "contact_no", "a contact {}"
            )
        day = np.full(n, np.nan)
        day_ok = np.zeros(n, dtype=bool)
        if "day" in c:
            day, day_ok = self.whole_numbers(
                table,
                c,
                "day",
                0,
                "day must be a whole number 0 or more: the days since the adverse event.",
            )
        if "participant_id" in c and "contact_no" in c and "day" in c:
            self._days_decreasing(c, who, pid_ok & number_ok & day_ok, number, day)
        followup = None
        if "more_followup" in c:
            followup = c["more_followup"].str.lower()
            self.cells(
                table,
                c,
                "more_followup",
                ~_isin(followup, YES_NO),
                "more_followup must be yes or no: did the participant want another contact "
                "after this one?",
            )
        extras = [col for col in c.columns if col not in CONTACT_COLUMNS]
        self.problems += screen_values(
            table, c, ["participant_id", *extras], ids=self.id_words(who)
        )
        self._ignored(table, extras)
        if all(col in c for col in CONTACT_REQUIRED):
            assert followup is not None  # more_followup is a required column
            self.built[table] = pd.DataFrame(
                {
                    "participant_id": _text(c["participant_id"]),
                    "contact_no": np.nan_to_num(number).astype("int64"),
                    "day": np.nan_to_num(day).astype("int64"),
                    "more_followup": (followup == "yes").to_numpy(dtype=bool),
                }
            )

    def _days_decreasing(self, c, who, valid, number, day) -> None:
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
        self.cells(
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

    def _participant_ids(self, table: str, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
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

    def _duplicates(self, table, frame, who, valid, number, column, what) -> None:
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

    def _ignored(self, table: str, columns: Sequence[str]) -> None:
        for column in columns:
            self.add(
                table,
                None,
                column,
                None,
                f"The column {column} is not part of the {table} table and was ignored.",
                WARNING,
            )
