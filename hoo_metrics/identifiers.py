"""Identifier screen: cells and column names that look like direct identifiers.

In the spirit of the HIPAA Safe Harbor method (45 CFR 164.514(b)(2)), a cohort file must hold
study codes and coarse attributes only. The screen flags cells that look like e-mail
addresses, web addresses, IP addresses, US social security numbers, phone or fax numbers,
full dates (a year alone is fine), street addresses, long digit runs such as medical record
numbers (7+ digits), ZIP codes in ZIP/postal columns, and person names in the participant_id
column; and column names that announce identifiers (name, email, phone, mrn, ssn, dob,
address, zip, ...). Flagged values are never echoed whole: :func:`mask` hides them.

The patterns are vectorised (``Series.str.contains`` on the distinct values of a column) and
written in the regular-expression subset shared by Python's ``re`` and RE2 (which pandas'
pyarrow-backed strings use): no look-arounds, no back-references.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa

from . import arrowtext as at
from .problems import ERROR, Problem

#: Cells listed one by one per column and check before a single summary problem.
MAX_LISTED = 50
#: Longest value shown in a Problem.
MAX_VALUE_CHARS = 80

_MONTHS = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
_DAY = r"(?:0?[1-9]|[12][0-9]|3[01])"
_MON = r"(?:0?[1-9]|1[0-2])"
_STREET = (
    r"(?:street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|"
    r"terrace|parkway|pkwy|highway|hwy|circle|cir|square|sq)"
)


@dataclass(frozen=True)
class _Kind:
    key: str
    description: str
    pattern: str


def _mask_email(m: re.Match) -> str:
    text = m.group(0)
    local, _, domain = text.partition("@")
    return f"{local[:1]}***@***.{domain.rsplit('.', 1)[-1]}"


def _mask_keep_last(n: int):
    """Digits replaced by '*' except the last ``n``; separators kept (***-**-1234)."""

    def mask(m: re.Match) -> str:
        text = m.group(0)
        digits = sum(ch.isdigit() for ch in text)
        out, seen = [], 0
        for ch in text:
            if ch.isdigit():
                seen += 1
                out.append(ch if seen > digits - n else "*")
            else:
                out.append(ch)
        return "".join(out)

    return mask


def _mask_all(m: re.Match) -> str:
    return re.sub(r"[0-9A-Za-z]", "*", m.group(0))


def _mask_name(m: re.Match) -> str:
    return re.sub(r"(\w)\w*", r"\1***", m.group(0))


#: Cell kinds screened in every text column, in masking order.
KINDS: tuple[_Kind, ...] = (
    _Kind("email", "an e-mail address", r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"),
    _Kind("url", "a web address", r"(?i)(?:\bhttps?://|\bwww\.)[^ \t\r\n]+"),
    _Kind("ip", "an IP address", r"\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b"),
    _Kind("ssn", "a social security number", r"\b[0-9]{3}[- ][0-9]{2}[- ][0-9]{4}\b"),
    _Kind(
        "phone",
        "a phone or fax number",
        r"(?:\( ?[0-9]{3} ?\) ?|\b[0-9]{3}[ .-])[0-9]{3}[ .-][0-9]{4}\b"
        r"|\+[0-9]{1,3}(?:[ .-]?[0-9]{2,4}){3,5}\b",
    ),
    _Kind(
        "date",
        "a full date",
        rf"\b(?:19|20)[0-9]{{2}}[-/.]{_MON}[-/.]{_DAY}(?:[^0-9]|$)"
        rf"|\b{_DAY}/{_DAY}/(?:[0-9]{{4}}|[0-9]{{2}})\b"
        rf"|\b{_DAY}\.{_DAY}\.(?:[0-9]{{4}}|[0-9]{{2}})\b"
        rf"|\b{_DAY}-{_DAY}-(?:[0-9]{{4}}|[0-9]{{2}})\b"
        rf"|(?i:\b{_DAY}(?:st|nd|rd|th)?[ -]{_MONTHS}[ ,-]+[0-9]{{2,4}}\b)"
        rf"|(?i:\b{_MONTHS} {_DAY}(?:st|nd|rd|th)?,? [0-9]{{4}}\b)",
    ),
    _Kind(
        "address",
        "a street address",
        rf"(?i:\b[0-9]{{1,6}}[a-z]? (?:[a-z0-9.'-]+ ){{1,4}}{_STREET}\b)"
        r"|(?i:\bp\.? ?o\.? box [0-9]+)",
    ),
    _Kind("digits", "a long number such as a medical record number", r"[0-9]{7,}"),
)
#: Screened only in ZIP/postal-code columns.
ZIP_KIND = _Kind("zip", "a ZIP code", r"\b[0-9]{5}(?:-[0-9]{4})?\b")
#: Screened only in participant_id columns: two to four words of letters ("Jane Smith",
#: "jane smith", "Smith, Jane").
NAME_KIND = _Kind(
    "name",
    "a person's name",
    r"^[A-Za-zÀ-ÖØ-öø-ÿ'-]+,? +(?:[A-Za-zÀ-ÖØ-öø-ÿ.'-]+ +){0,2}[A-Za-zÀ-ÖØ-öø-ÿ'-]+$",
)
_MASKERS = {
    "email": _mask_email,
    "url": lambda m: re.sub(r"(?i)^(https?://|www\.).*$", r"\1***", m.group(0)),
    "ip": _mask_all,
    "ssn": _mask_keep_last(4),
    "phone": _mask_keep_last(4),
    "date": _mask_all,
    "address": lambda m: "[street address]",
    "digits": _mask_keep_last(2),
    "zip": _mask_keep_last(0),
    "name": _mask_name,
}
_PATTERNS = {k.key: k.pattern for k in (*KINDS, ZIP_KIND, NAME_KIND)}


@functools.cache
def _compiled(key: str) -> re.Pattern:
    """The Python regex of one kind, compiled on first use: only masking a value needs it
    (the screens run arrow's regex kernels), and most cohorts have nothing to mask."""
    return re.compile(_PATTERNS[key])


# ---- column names ------------------------------------------------------------------------------

#: Words that, as a whole word of a column name, announce an identifier.
_IDENTIFIER_WORDS = {
    "firstname": "names",
    "lastname": "names",
    "fullname": "names",
    "surname": "names",
    "forename": "names",
    "initials": "names",
    "email": "e-mail addresses",
    "emails": "e-mail addresses",
    "mail": "e-mail addresses",
    "phone": "phone numbers",
    "telephone": "phone numbers",
    "tel": "phone numbers",
    "mobile": "phone numbers",
    "cellphone": "phone numbers",
    "fax": "fax numbers",
    "pager": "phone numbers",
    "mrn": "medical record numbers",
    "ssn": "social security numbers",
    "dob": "dates of birth",
    "birthdate": "dates of birth",
    "birthday": "dates of birth",
    "address": "addresses",
    "street": "addresses",
    "zip": "ZIP codes",
    "zipcode": "ZIP codes",
    "postcode": "postal codes",
    "postal": "postal codes",
    "ip": "IP addresses",
    "url": "web addresses",
    "npi": "provider numbers",
}
#: Whole column names (words joined by "_") that announce an identifier.
_IDENTIFIER_PHRASES = (
    (re.compile(r"(^|_)e_mail(_|$)"), "e-mail addresses"),
    (re.compile(r"(^|_)date_of_birth(_|$)|(^|_)birth_date(_|$)"), "dates of birth"),
    (re.compile(r"(^|_)medical_record|(^|_)record_n(o|umber)(_|$)"), "medical record numbers"),
    (re.compile(r"(^|_)social_security"), "social security numbers"),
    (re.compile(r"(^|_)(cell|phone|fax)_(no|number)(_|$)"), "phone numbers"),
)
#: Words that may accompany "name" in a column holding a person's name (site_name is fine).
_PERSON_WORDS = {
    "",
    "first",
    "last",
    "full",
    "given",
    "family",
    "middle",
    "maiden",
    "sur",
    "legal",
    "preferred",
    "nick",
    "display",
    "patient",
    "participant",
    "provider",
    "clinician",
    "staff",
    "employee",
    "person",
    "user",
    "respondent",
    "of",
}


def identifier_column_reason(column: str) -> str | None:
    """What a column name suggests it holds ("names", "e-mail addresses", ...), or None."""
    name = str(column).strip().lower()
    words = [w for w in re.split(r"[^a-z0-9]+", name) if w]
    joined = "_".join(words)
    for word in words:
        if word in _IDENTIFIER_WORDS:
            return _IDENTIFIER_WORDS[word]
    if ("name" in words or "names" in words) and set(words) <= _PERSON_WORDS | {"name", "names"}:
        return "names"
    for pattern, reason in _IDENTIFIER_PHRASES:
        if pattern.search(joined):
            return reason
    return None


def is_zip_column(column: str) -> bool:
    """Columns named like zip / zipcode / postal_code / postcode."""
    return bool(re.search(r"zip|postal|postcode", str(column).lower()))


def screen_column_names(table: str, columns: Iterable[str]) -> list[Problem]:
    """One error per column whose name suggests it holds direct identifiers."""
    problems = []
    for column in columns:
        reason = identifier_column_reason(column)
        if reason:
            problems.append(
                Problem(
                    table,
                    None,
                    str(column),
                    None,
                    f"The column name '{column}' suggests it holds {reason}, which identify "
                    "people directly. Delete this column from the file; the dashboard needs "
                    "only study codes and coarse attributes.",
                    ERROR,
                )
            )
    return problems


# ---- cell values ---------------------------------------------------------------------------------


def _kinds_for(id_column: bool, zip_column: bool) -> tuple[_Kind, ...]:
    extra = ((NAME_KIND,) if id_column else ()) + ((ZIP_KIND,) if zip_column else ())
    return (*KINDS, *extra)


def identifier_kinds(
    values: pd.Series, *, id_column: bool = False, zip_column: bool = False
) -> pd.Series:
    """For each cell, what identifier it looks like ("an e-mail address and a full date"),
    or "" when none. Vectorised: each pattern runs once over the column's distinct values."""
    text = values.astype("str").fillna("")
    codes, uniques = pd.factorize(text)
    kinds = _kinds_for(id_column, zip_column)
    hits = _hits(pd.Series(uniques, dtype="str"), kinds)
    described = np.append(_descriptions(kinds, hits, ""), "")
    return pd.Series(described[codes], index=values.index, dtype="str")


def _any_of(kinds: Sequence[_Kind]) -> str:
    """One pattern matching wherever any of ``kinds`` matches (a leading global ``(?i)``
    becomes a scoped group, as alternatives cannot carry global flags)."""
    parts = []
    for kind in kinds:
        pattern = kind.pattern
        if pattern.startswith("(?i)"):
            parts.append(f"(?i:{pattern[4:]})")
        else:
            parts.append(f"(?:{pattern})")
    return "|".join(parts)


_ANY_KIND = _any_of(KINDS)


def _hits(uniques: pd.Series, kinds: Sequence[_Kind]) -> np.ndarray:
    """Boolean matrix: does distinct value i match kind j (one vectorised regex per kind).

    With several kinds, one pass of their alternation first finds the values matching any
    of them; each kind's own pattern then runs on those values only."""
    hits = np.zeros((len(uniques), len(kinds)), dtype=bool)
    if len(uniques) == 0:
        return hits
    rows = np.arange(len(uniques))
    if len(kinds) > 1:
        pattern = _ANY_KIND if tuple(kinds) == KINDS else _any_of(kinds)
        candidates = uniques.str.contains(pattern, regex=True).fillna(False)
        rows = np.flatnonzero(candidates.to_numpy(dtype=bool))
        if len(rows) == 0:
            return hits
        uniques = uniques.iloc[rows]
    for j, kind in enumerate(kinds):
        found = uniques.str.contains(kind.pattern, regex=True)
        hits[rows, j] = found.fillna(False).to_numpy(dtype=bool)
    return hits


def _descriptions(kinds: Sequence[_Kind], hits: np.ndarray, none=None) -> np.ndarray:
    """:func:`_description` of each row of ``hits`` (``none`` for a row without a hit), worked
    out once per distinct pattern of hits, not per value."""
    out = np.full(len(hits), none, dtype=object)
    if len(hits) == 0 or not hits.any():
        return out
    patterns, which = np.unique(hits, axis=0, return_inverse=True)
    words = np.array(
        [_description(kinds, p) if p.any() else none for p in patterns] + [none], dtype=object
    )
    return words[np.ravel(which)]


def _description(kinds: Sequence[_Kind], row: np.ndarray) -> str:
    names = [kinds[j].description for j in np.flatnonzero(row)]
    return " and ".join(names) if len(names) < 3 else ", ".join(names)


def mask(value: object, *, id_column: bool = False, zip_column: bool = False) -> str | None:
    """The value with anything that looks like an identifier hidden ("j***@***.org",
    "***-**-1234", "**/**/****", "J*** S***"), cut to MAX_VALUE_CHARS characters."""
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value)
    for kind in _kinds_for(id_column, zip_column):
        text = _compiled(kind.key).sub(_MASKERS[kind.key], text)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 3] + "..."
    return text


def listed_problems(
    table: str,
    column: str | None,
    rows: Sequence[int],
    values: Sequence[object] | None,
    messages: str | Sequence[str],
    severity: str = ERROR,
    cap: int = MAX_LISTED,
) -> list[Problem]:
    """One problem per offending cell for the first ``cap`` cells, then one summary problem
    saying how many more cells of the column have the same problem. Values are masked."""
    n = len(rows)
    if n == 0:
        return []
    id_column = column == "participant_id"
    zip_column = column is not None and is_zip_column(column)
    problems = []
    first = messages if isinstance(messages, str) else messages[0]
    for i in range(min(n, cap)):
        message = messages if isinstance(messages, str) else messages[i]
        value = (
            None if values is None else mask(values[i], id_column=id_column, zip_column=zip_column)
        )
        problems.append(Problem(table, int(rows[i]), column, value, message, severity))
    if n > cap:
        where = f"column {column}" if column else "this table"
        problems.append(
            Problem(
                table,
                None,
                column,
                None,
                f"{n - cap:,} more rows of {where} have the same problem as the {cap} listed "
                f"above ({n:,} in all; only the first {cap} are listed). Fix them the same way. "
                f"The first one listed: {first}",
                severity,
            )
        )
    return problems


def describe_ids(distinct: pa.Array | pd.Series) -> np.ndarray:
    """For each distinct participant_id, what identifier it looks like (the words the
    screen's problems use) or None: one pass of the patterns over the distinct values."""
    values = at.series(at.arrow(distinct))
    hits = np.hstack([_hits(values, KINDS), _hits(values, (NAME_KIND,))])
    kinds = _kinds_for(True, False)
    return _descriptions(kinds, hits)


def screen_values(
    table: str,
    frame: pd.DataFrame,
    columns: Iterable[str] | None = None,
    cap: int = MAX_LISTED,
    ids: tuple[np.ndarray, np.ndarray] | None = None,
) -> list[Problem]:
    """Errors for cells that look like direct identifiers, per column (``frame``'s index is the
    row number as in the file). participant_id is also screened for person names, ZIP/postal
    columns for ZIP codes. At most ``cap`` cells are listed per column, then a summary.

    Each pattern runs once over the distinct values of all the screened columns together.
    ``ids``: the participant_id column already screened, as (a code per row, -1 for a value
    to screen here; :func:`describe_ids` of the distinct values the codes index)."""
    names = [c for c in (frame.columns if columns is None else columns) if c in frame]
    n = len(frame)
    if not names or n == 0:
        return []
    rows = frame.index.to_numpy()
    described = {}
    if ids is not None and "participant_id" in names:
        names.remove("participant_id")
        code, words = ids
        fresh = np.flatnonzero(code < 0)
        if len(fresh):  # values the codes do not cover: screened here
            fresh_codes, fresh_distinct = at.factorize(frame["participant_id"].iloc[fresh])
            code = code.copy()
            code[fresh] = len(words) + fresh_codes
            words = np.concatenate([words, describe_ids(fresh_distinct)])
        described["participant_id"] = (code, words)
    if names:
        texts = pa.chunked_array([at.arrow(frame[c].astype("str").fillna("")) for c in names])
        codes, distinct_cells = at.factorize(texts)
        distinct = at.series(distinct_cells)
        base = _hits(distinct, KINDS)
        name_hits = _hits(distinct, (NAME_KIND,)) if "participant_id" in names else None
        zip_hits = _hits(distinct, (ZIP_KIND,)) if any(is_zip_column(c) for c in names) else None
        for j, column in enumerate(names):
            id_column, zip_column = column == "participant_id", is_zip_column(column)
            kinds = _kinds_for(id_column, zip_column)
            parts = [base]
            if id_column:
                parts.append(name_hits)
            if zip_column:
                parts.append(zip_hits)
            hits = np.hstack(parts)
            described[column] = (codes[j * n : (j + 1) * n], _descriptions(kinds, hits))
    problems = []
    for column in [c for c in (frame.columns if columns is None else columns) if c in described]:
        code, words = described[column]  # a code per row; per code, what it looks like
        positions = np.flatnonzero(pd.notna(words)[code])
        if len(positions) == 0:
            continue
        id_column = column == "participant_id"
        listed = positions[:cap]
        what = "This participant_id" if id_column else "This cell"
        advice = (
            "Use a study code (such as P001) that does not identify the person."
            if id_column
            else "Direct identifiers must not be in the cohort files: remove it or replace it "
            "with a coarse value (a year, a band, a code)."
        )
        messages = [f"{what} looks like {words[code[p]]}. {advice}" for p in listed]
        values = frame[column].iloc[listed].astype("str").fillna("").tolist()
        problems += listed_problems(table, column, rows[positions], values, messages, ERROR, cap)
    return problems
