"""Identifier screen: cells and column names that look like direct identifiers.

In the spirit of the HIPAA Safe Harbor method (45 CFR 164.514(b)(2)), a cohort file must hold
study codes and coarse attributes only. The screen flags cells that look like e-mail
addresses, web addresses, IP addresses, US social security numbers, phone or fax numbers,
full dates (a year alone is fine), street addresses, long digit runs such as medical record
numbers (7+ digits), ZIP codes in ZIP/postal columns, and person names in the participant_id
column; and column names that announce identifiers (name, email, phone, mrn, ssn, dob,
address, zip, ...). Flagged values are never echoed whole: :func:`mask` hides them.

A second screen judges whole descriptive participant columns, which become groupings and
filters every viewer sees (:func:`screen_participant_column`): person names (an error), free
text and columns where most participants have a value of their own (a warning: the column is
not loaded).

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
import pyarrow.compute as pc

from . import arrowtext as at
from .problems import ERROR, WARNING, Problem

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
    "supporter",
    "colleague",
    "mentor",
    "peer",
    "contact",
    "interviewer",
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
    names = [kinds[int(j)].description for j in np.flatnonzero(row)]
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
    rows: Sequence[int] | np.ndarray,
    values: Sequence[object] | np.ndarray | None,
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
                assert name_hits is not None  # computed whenever participant_id is screened
                parts.append(name_hits)
            if zip_column:
                assert zip_hits is not None  # computed whenever a ZIP column is screened
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


# ---- descriptive participant columns -------------------------------------------------------------
#
# A descriptive column of participants (role, event_type, age_band, site, ...) becomes a grouping
# and a filter whose values every viewer sees. A column of colleagues' names, of free-text notes
# or of values most participants have to themselves must not: the screen below says which.

#: Participant columns the column screen never judges (the contract's own required columns).
SCREEN_EXEMPT = ("participant_id", "arm", "status")
#: Free text: half or more of the filled-in cells have this many words or more ...
FREE_TEXT_WORDS = 5
#: ... or are this many characters or longer ...
FREE_TEXT_CHARS = 40
#: ... or any one cell has this many words (a sentence) ...
FREE_TEXT_ANY_WORDS = 8
#: ... or this many characters.
FREE_TEXT_ANY_CHARS = 80
#: Mostly unique: only judged in a table of more participants than this.
HANDFUL = 10
#: Person names: the whole value is a name in at least this share of the distinct values.
NAME_SHARE = 0.5
#: A whole value longer than this is never taken for a name (names are short).
NAME_MAX_CHARS = 60
#: Only the first characters of a cell are searched for a titled name and counted in words
#: (every check is linear in the column's size; the regexes run on arrow's RE2 kernels).
SCREEN_CHARS = 200

RULE_NAMES, RULE_FREE_TEXT, RULE_UNIQUE = "names", "free text", "mostly unique"

_UP, _LO = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
#: One capitalised word of a name: Jane, O'Brien, McDonald, Smith-Jones, Núñez.
_CAP = rf"[{_UP}](?:'[{_UP}])?[{_LO}]+(?:[{_UP}][{_LO}]+)?(?:-[{_UP}][{_LO}]+)?"
_INITIAL = rf"[{_UP}]\.?"
#: The whole value is a name: two to four capitalised words, initials allowed inside
#: ("Jane Smith", "Jane Q. Smith"), or "Lastname, Firstname" ("Smith, Jane").
_WHOLE_NAME = (
    rf"^{_CAP}(?: +(?:{_CAP}|{_INITIAL})){{0,2}} +{_CAP}$"
    rf"|^{_CAP}, *{_CAP}(?: +(?:{_CAP}|{_INITIAL}))?$"
)
#: A title followed by a capitalised word, anywhere in the value ("talked to Dr. Jane Smith",
#: "Mrs Jones"). Titles as written before a name: capitalised, with or without the dot.
_TITLED_NAME = rf"(?:^|[^A-Za-z])(?:Dr|Mr|Mrs|Ms|Mx|Miss|Prof|Professor|Doctor)(?:\. *| +){_CAP}"
#: Words that make a capitalised value a category or a place, not a person ("Labor And
#: Delivery", "Maternal Death", "Mercy Hospital", "Site North").
_NOT_NAME_WORDS = (
    "and|of|the|for|in|at|on|with|to|or|by|not|no|yes|none|other|others|unknown|missing|"
    "declined|applicable|na|site|unit|ward|floor|wing|department|dept|division|service|services|"
    "team|group|program|programme|hospital|clinic|center|centre|institute|health|healthcare|"
    "medical|medicine|surgery|surgical|care|nursing|nurse|midwife|midwifery|physician|doctor|"
    "attending|resident|fellow|intern|student|staff|practitioner|assistant|technician|"
    "obstetrics|obstetric|gynecology|gynaecology|anesthesia|anaesthesia|anesthesiology|"
    "pediatrics|paediatrics|emergency|intensive|critical|labor|labour|delivery|maternal|"
    "maternity|fetal|foetal|neonatal|newborn|death|injury|morbidity|event|outcome|general|"
    "university|college|school|campus|main|central|north|south|east|west|city|county|"
    "community|regional|memorial|children|womens|women|saint|st|mount|mt|male|female|man|"
    "woman|nonbinary|year|years|month|months|band|level|arm|enhanced|routine|control|"
    "intervention|full|part|time|day|night|shift|early|late|senior|junior|high|low|medium|"
    "non|binary|prefer|self|described|tech|new|san|santa|los|las|des|fort|port|lake|salt|"
    "grand|little|upper|lower|great|bay|beach|valley|springs|falls|park|hill|hills|heights|"
    "island|rapids|river|state|village|town|township|district"
)
_NOT_NAME = rf"(?i)\b(?:{_NOT_NAME_WORDS})\b"


@dataclass(frozen=True)
class ColumnScreen:
    """Why a descriptive participant column may not be a grouping or filter.

    ``rule``: RULE_NAMES, RULE_FREE_TEXT or RULE_UNIQUE; ``reason``: the rule in plain words,
    with the figures that tripped it ("its values look like people's names (3 of its 4
    different values)"); ``severity``: ERROR for names (direct identifiers), WARNING
    otherwise; ``example``: a flagged value masked word by word ("J*** S***"), or None."""

    rule: str
    reason: str
    severity: str
    example: str | None = None
    row: int | None = None


def _of(part: int, whole: int, things: str) -> str:
    """'3 of its 4 different values'; 'its only value' for 1 of 1."""
    if whole == 1:
        return "its only " + things[:-1].replace("different ", "")
    return f"{part:,} of its {whole:,} {things}"


def _mask_words(text: str) -> str:
    """Every word cut to its first letter ("talked to Dr. Jane" -> "t*** t*** D***. J***")."""
    masked = re.sub(r"(\w)\w*", r"\1***", text[:SCREEN_CHARS])
    return masked if len(masked) <= MAX_VALUE_CHARS else masked[: MAX_VALUE_CHARS - 3] + "..."


def _bool(array: pa.Array) -> np.ndarray:
    return pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool, copy=False)


def _cells(values) -> pa.Array:
    """The cells as one large_string arrow array, surrounding whitespace trimmed, blank ''."""
    if not (isinstance(values, pd.Series) and values.dtype == "str"):
        values = pd.Series(list(values) if not isinstance(values, pd.Series) else values)
        values = values.astype("object").where(values.notna(), None).astype("str")
    return pc.utf8_trim_whitespace(pc.fill_null(at.arrow(values), ""))


def screen_participant_column(
    name: str, values, rows: Sequence[int] | None = None
) -> ColumnScreen | None:
    """Whether the descriptive participant column ``name`` (its cells ``values``, blank = ''
    or missing) must not be offered as a grouping or filter, and why; None when it may.

    The rules, in this order (the first that applies is given):

    1. **names** (an error: names are direct identifiers): a value holds a title followed
       by a capitalised word ("Dr. Jane Smith", "talked to Mrs Jones"), or at least
       NAME_SHARE of the distinct values are, as a whole, a person's name: two to four
       capitalised words ("Jane Smith", "Jane Q. Smith") or "Lastname, Firstname", with none
       of the common words of categories and places ("Labor And Delivery", "Mercy Hospital").
    2. **free text** (a warning): half or more of the filled-in cells have FREE_TEXT_WORDS
       words or more, or FREE_TEXT_CHARS characters or more; or one cell has
       FREE_TEXT_ANY_WORDS words or FREE_TEXT_ANY_CHARS characters.
    3. **mostly unique** (a warning; a quasi-identifier): the table has more than HANDFUL
       participants and more than half of the filled-in cells hold a value no other
       participant has.

    Columns in SCREEN_EXEMPT are never judged (None). Linear in the column's size: the
    distinct values are found once, every check runs on them (arrow kernels; the regexes on
    RE2, whose time is linear, over at most SCREEN_CHARS characters of each value), and
    counts per distinct value weight them. ``rows``: each cell's row as in the file, for the
    row of the example.
    """
    if name in SCREEN_EXEMPT:
        return None
    cells = _cells(values)
    n = len(cells)
    codes, distinct = at.factorize(cells)
    counts = np.bincount(codes, minlength=len(distinct))
    filled_value = pc.greater(pc.utf8_length(distinct), 0).to_numpy(zero_copy_only=False)
    filled = int(counts[filled_value].sum())
    if filled == 0:
        return None
    head = pc.utf8_slice_codeunits(distinct, 0, SCREEN_CHARS)
    length = pc.utf8_length(distinct).to_numpy(zero_copy_only=False)
    words = pc.count_substring_regex(head, r"\S+").to_numpy(zero_copy_only=False)

    def example(which: np.ndarray) -> tuple[str | None, int | None]:
        first = int(np.flatnonzero(which)[0])
        cell = int(np.flatnonzero(codes == first)[0])
        row = int(rows[cell]) if rows is not None else None
        return _mask_words(distinct[first].as_py()), row

    # 1. names
    titled = _bool(pc.match_substring_regex(head, _TITLED_NAME)) & filled_value
    if titled.any():
        cells_titled = int(counts[titled].sum())
        shown, row = example(titled)
        return ColumnScreen(
            RULE_NAMES,
            "some of its values name a person with a title such as Dr. or Mrs. "
            f"({_of(cells_titled, filled, 'filled-in cells')})",
            ERROR,
            shown,
            row,
        )
    short = filled_value & (length <= NAME_MAX_CHARS)
    whole = _bool(pc.match_substring_regex(head, _WHOLE_NAME)) & short
    if whole.any():
        whole &= ~_bool(pc.match_substring_regex(head, _NOT_NAME))
    n_distinct = int(filled_value.sum())
    if whole.any() and whole.sum() >= NAME_SHARE * n_distinct:
        shown, row = example(whole)
        return ColumnScreen(
            RULE_NAMES,
            "its values look like people's names "
            f"({_of(int(whole.sum()), n_distinct, 'different values')})",
            ERROR,
            shown,
            row,
        )
    # 2. free text
    wordy = int(counts[filled_value & (words >= FREE_TEXT_WORDS)].sum())
    long = int(counts[filled_value & (length >= FREE_TEXT_CHARS)].sum())
    if 2 * wordy >= filled:
        cells = _of(wordy, filled, "filled-in cells")
        detail = f"{cells} {'has' if filled == 1 else 'have'} {FREE_TEXT_WORDS} words or more"
    elif 2 * long >= filled:
        detail = (
            f"{_of(long, filled, 'filled-in cells')} {'is' if filled == 1 else 'are'} "
            f"{FREE_TEXT_CHARS} characters or longer"
        )
    elif (words >= FREE_TEXT_ANY_WORDS).any():
        detail = f"a cell has {FREE_TEXT_ANY_WORDS} words or more"
    elif (length >= FREE_TEXT_ANY_CHARS).any():
        detail = f"a cell is {FREE_TEXT_ANY_CHARS} characters or longer"
    else:
        detail = None
    if detail:
        return ColumnScreen(RULE_FREE_TEXT, f"its values look like free text ({detail})", WARNING)
    # 3. mostly unique
    once = int((counts[filled_value] == 1).sum())
    if n > HANDFUL and 2 * once > filled:
        return ColumnScreen(
            RULE_UNIQUE,
            f"most participants have a value of their own ({_of(once, filled, 'filled-in cells')}"
            f" {'holds' if filled == 1 else 'hold'} a value no other participant has)",
            WARNING,
        )
    return None


def screen_participant_columns(
    frame: pd.DataFrame, columns: Iterable[str] | None = None
) -> dict[str, ColumnScreen]:
    """:func:`screen_participant_column` of each descriptive column of a participants table
    (``frame``'s index is the row as in the file), in column order: {column: why} for the
    columns that must not be groupings or filters. A column whose name already announces an
    identifier (:func:`identifier_column_reason`: its own error) is not judged again."""
    out = {}
    rows = frame.index.to_numpy()
    for column in frame.columns if columns is None else columns:
        if column not in frame or column in SCREEN_EXEMPT or identifier_column_reason(column):
            continue
        found = screen_participant_column(column, frame[column], rows)
        if found is not None:
            out[column] = found
    return out


def participant_column_problem(
    column: str, screen: ColumnScreen, table: str = "participants"
) -> Problem:
    """The problem the validator reports for a screened participant column: an error for
    names, a warning (the column is not loaded) otherwise. The value is masked."""
    where = f"The column {column} of {table}.csv"
    if screen.severity == ERROR:
        message = (
            f"{where} cannot be loaded: {screen.reason}. Names identify people directly and "
            "must not be in the cohort files. Remove the column, or recode it into a few "
            "categories that name no one (such as supporter_a, supporter_b)."
        )
    else:
        message = (
            f"{where} was not loaded: {screen.reason}, so its values could tell who a "
            "participant is. It is not offered as a grouping or filter and its values are "
            "shown nowhere. To use it, recode it into a few categories shared by several "
            "participants (bands or codes); otherwise remove it from the file."
        )
    return Problem(table, screen.row, column, screen.example, message, screen.severity)
