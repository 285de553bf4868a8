"""REDCap: a raw CSV export of a longitudinal project plus its data dictionary -> the three
cohort tables, and the sample cohort written as such an export.

The expected project (docs/redcap.md tells a department how to build it):

- events ``baseline_arm_1`` (month 0), ``month_3_arm_1``, ``month_6_arm_1``, ... A row's month
  is the ``month`` field when the project has one and it is filled, otherwise it is read from
  the unique event name: ``baseline`` is 0, ``month_N`` / ``m_N`` / ``N_months`` is N (the
  ``_arm_K`` suffix is ignored).
- instruments, recognised by the fields they hold (names may differ):
  *enrollment* (every form that is neither of the two below): ``record_id`` (the first field
  of the dictionary, = ``participant_id``), ``arm``, ``status``, ``role``, ``event_type`` and
  descriptive fields; *survey* (a form holding ``stage``, ``stage6_path``, ``resources_used``,
  ``most_helpful``, ``month`` or a ``used_``/``helpful_`` field): ``stage``,
  ``stage6_path``, checkbox ``resources_used`` (choice code ``peers`` -> column
  ``used_peers``), radios ``helpful_<code>``, checkbox ``most_helpful`` (checked codes
  joined by ``;``); *peer_contact* (a form holding ``more_followup``, ``day`` or
  ``contact_no``), a repeating instrument: ``contact_no`` is ``redcap_repeat_instance``,
  ``day``, ``more_followup`` (yes/no field: 1 -> ``yes``, 0 -> ``no``).
- rows: ``redcap_repeat_instrument`` blank is an event row (enrollment fields, one survey
  wave); ``redcap_repeat_instrument`` = the contact form is one contact.

A survey wave counts as answered when any survey field other than ``month`` is filled, any of
its checkboxes is checked, or its ``<form>_complete`` status is 1 (unverified) or 2
(complete). REDCap exports an unchecked box as 0 even on a wave nobody answered, so on an
unanswered wave there is no response row at all (its checkboxes become blank, never 0).

Problems found here name the REDCap file, its row (header = row 1) and the REDCap field; the
converted tables keep the records file's row numbers as their index, and
:meth:`hoo_metrics.io.load.RawTables.relabel` points the validator's problems back at the REDCap
field (``used_peers`` -> ``resources_used___peers``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..contract import (
    HELPFUL_PREFIX,
    STAGE6_PATHS,
    STAGE_LABELS,
    STATUSES,
    USED_PREFIX,
    resource_label,
)
from ..identifiers import mask
from ..problems import ERROR, WARNING, Problem

#: Where the committed REDCap-style export of the sample cohort lives.
REDCAP_SAMPLE_DIR = Path(__file__).resolve().parents[2] / "sample_data" / "redcap"
RECORDS_FILE = "HealingOurOwn_DATA.csv"
DICTIONARY_FILE = "HealingOurOwn_DataDictionary.csv"

#: The checkbox whose choices are the resources (``resources_used___peers`` -> ``used_peers``).
USED_CHECKBOX = "resources_used"
EVENT = "redcap_event_name"
REPEAT_INSTRUMENT = "redcap_repeat_instrument"
REPEAT_INSTANCE = "redcap_repeat_instance"
#: Columns REDCap adds to an export that are not fields of the dictionary (ignored).
SYSTEM_COLUMNS = (
    EVENT,
    REPEAT_INSTRUMENT,
    REPEAT_INSTANCE,
    "redcap_data_access_group",
    "redcap_survey_identifier",
)
#: The data dictionary's header as REDCap writes it (Project Setup > Data Dictionary).
DICTIONARY_COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
# Dictionary columns as the loader reads them (lower case), with the API metadata names.
_DICT_KEYS = {
    "name": ("variable / field name", "field_name"),
    "form": ("form name", "form_name"),
    "type": ("field type", "field_type"),
    "choices": ("choices, calculations, or slider labels", "select_choices_or_calculations"),
    "identifier": ("identifier?", "identifier"),
}
_CONTACT_KEYS = ("more_followup", "day", "contact_no")
_RESPONSE_KEYS = ("stage", "stage6_path", "most_helpful", "month", USED_CHECKBOX)
_NO_COLUMN_TYPES = ("descriptive",)
_EVENT_MONTH = (
    re.compile(r"(?:^|_)(?:month|months|mo|m)_?(\d+)(?:_|$)"),
    re.compile(r"(?:^|_)(\d+)_?(?:month|months|mo|m)(?:_|$)"),
)
_ARM_SUFFIX = re.compile(r"_arm_\d+$")


def is_dictionary(columns) -> bool:
    """True for the header of a REDCap data dictionary (CSV download or API metadata)."""
    cols = {str(c).strip().lower() for c in columns}
    return bool(cols & set(_DICT_KEYS["name"])) and bool(cols & set(_DICT_KEYS["type"]))


def is_records(columns) -> bool:
    """True for the header of a REDCap records export (longitudinal or with repeating forms,
    or a classic project whose first column is ``record_id`` next to a ``*_complete``)."""
    cols = [str(c).strip().lower() for c in columns]
    if EVENT in cols or REPEAT_INSTRUMENT in cols:
        return True
    return bool(cols) and cols[0] == "record_id" and any(c.endswith("_complete") for c in cols)


def file_kind(columns) -> str | None:
    """``"dictionary"``, ``"records"`` or None: what REDCap file a header row belongs to."""
    if is_dictionary(columns):
        return "dictionary"
    if is_records(columns):
        return "records"
    return None


def event_month(event: str) -> int | None:
    """Month of a unique event name: ``baseline_arm_1`` 0, ``month_3_arm_1`` 3,
    ``6_months_arm_1`` 6, ``m12_arm_2`` 12; None when the name says no month."""
    name = _ARM_SUFFIX.sub("", str(event).strip().lower())
    if name.startswith("baseline"):
        return 0
    for pattern in _EVENT_MONTH:
        found = pattern.search(name)
        if found:
            return int(found.group(1))
    return None


def _per_value(values: pd.Series, func, dtype=object) -> np.ndarray:
    """``func`` of each of ``values``, called once per distinct value (there are few)."""
    distinct = pd.Index(pd.unique(values))
    results = np.array([func(value) for value in distinct], dtype=dtype)
    return results[distinct.get_indexer(values)]


# ---- the data dictionary ----------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One field of the data dictionary; ``row`` is its row in the dictionary file."""

    name: str
    form: str
    type: str
    choices: tuple[tuple[str, str], ...] = ()
    identifier: bool = False
    row: int | None = None

    @property
    def codes(self) -> list[str]:
        return [code for code, _ in self.choices]


def parse_choices(text: str) -> tuple[tuple[str, str], ...]:
    """``"1, Yes | 0, No"`` -> ``(("1", "Yes"), ("0", "No"))`` (codes stripped)."""
    out = []
    for part in str(text).split("|"):
        if not part.strip():
            continue
        code, _, label = part.partition(",")
        out.append((code.strip(), label.strip()))
    return tuple(out)


def _column(frame: pd.DataFrame, key: str) -> str | None:
    return next((c for c in _DICT_KEYS[key] if c in frame.columns), None)


def parse_dictionary(frame: pd.DataFrame, label: str) -> tuple[list[Field], list[Problem]]:
    """The fields of a data dictionary read by the loader (text cells, lower-case header,
    file-row index), and the problems that make it unusable."""
    problems: list[Problem] = []
    cols = {key: _column(frame, key) for key in _DICT_KEYS}
    for key, title in (
        ("name", "Variable / Field Name"),
        ("form", "Form Name"),
        ("type", "Field Type"),
    ):
        if cols[key] is None:
            problems.append(
                Problem(
                    label,
                    None,
                    title,
                    None,
                    f"The REDCap data dictionary {label} has no '{title}' column. Download it "
                    "again from Project Setup > Data Dictionary (as CSV) and upload it unchanged.",
                )
            )
    if problems:
        return [], problems
    fields: list[Field] = []
    seen: set[str] = set()
    for row, item in frame.iterrows():
        name = item[cols["name"]].strip().lower()
        if not name:
            continue
        if name in seen:
            problems.append(
                Problem(
                    label,
                    int(row),
                    cols["name"],
                    name,
                    f"The field {name} is defined twice in the data dictionary; only the first "
                    "was used.",
                    WARNING,
                )
            )
            continue
        seen.add(name)
        choices = parse_choices(item[cols["choices"]]) if cols["choices"] else ()
        ident = cols["identifier"] is not None and item[cols["identifier"]].strip().lower() in (
            "y",
            "yes",
            "1",
        )
        fields.append(
            Field(
                name=name,
                form=item[cols["form"]].strip().lower(),
                type=item[cols["type"]].strip().lower(),
                choices=choices,
                identifier=ident,
                row=int(row),
            )
        )
    if not fields:
        problems.append(
            Problem(
                label,
                None,
                None,
                None,
                f"The REDCap data dictionary {label} lists no fields. Download it again from "
                "Project Setup > Data Dictionary.",
            )
        )
    return fields, problems


# ---- records + dictionary -> the three tables ---------------------------------------------------


@dataclass
class Converted:
    """The three raw tables (text cells, index = row in the records file), the problems found,
    and for each table the REDCap field behind each column (``origins``)."""

    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    origins: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def _role(form_fields: list[Field]) -> str:
    names = {f.name for f in form_fields}
    if names & set(_CONTACT_KEYS):
        return "contacts"
    if names & set(_RESPONSE_KEYS) or any(
        n.startswith((USED_PREFIX, HELPFUL_PREFIX)) for n in names
    ):
        return "responses"
    return "participants"


class _Converter:
    def __init__(self, records, dictionary, records_label, dictionary_label, event_months):
        self.records = records
        self.dictionary = dictionary
        self.rlabel = records_label
        self.dlabel = dictionary_label
        self.event_months = {
            str(k).strip().lower(): int(v) for k, v in (event_months or {}).items()
        }
        self.out = Converted()

    def problem(self, row, column, value, message, severity=ERROR, table=None) -> None:
        value = mask(value) if value not in (None, "") else None
        self.out.problems.append(
            Problem(table or self.rlabel, row, column, value, message, severity)
        )

    def run(self) -> Converted:
        fields, problems = parse_dictionary(self.dictionary, self.dlabel)
        self.out.problems += problems
        if not fields:
            return self.out
        self.fields = {f.name: f for f in fields}
        self.record_id = fields[0].name
        forms: dict[str, list[Field]] = {}
        for f in fields[1:]:
            forms.setdefault(f.form, []).append(f)
        self.roles = {form: _role(items) for form, items in forms.items()}
        if fields[0].form not in self.roles:
            self.roles[fields[0].form] = "participants"
        self.check_dictionary()
        if self.out.has_errors:
            return self.out
        columns = self.classify_columns()
        if columns:
            self.build(columns)
        return self.out

    # -- dictionary
    def check_dictionary(self) -> None:
        def has(role: str, name: str) -> bool:
            f = self.fields.get(name)
            return f is not None and self.roles.get(f.form) == role

        for name in ("arm", "status"):
            if not has("participants", name):
                self.problem(
                    None,
                    name,
                    None,
                    f"The data dictionary has no field {name} on the enrollment instrument. "
                    f"Add a radio field {name} to the enrollment instrument "
                    "(see docs/redcap.md).",
                    table=self.dlabel,
                )
        if "responses" not in self.roles.values():
            self.problem(
                None,
                None,
                None,
                "The data dictionary has no survey instrument (a form with stage, "
                "resources_used or most_helpful). Add the survey instrument of docs/redcap.md.",
                table=self.dlabel,
            )
        for name, allowed in (("status", STATUSES), ("stage6_path", STAGE6_PATHS)):
            f = self.fields.get(name)
            if f is None or f.type not in ("radio", "dropdown"):
                continue
            wrong = [code for code in f.codes if code not in allowed]
            if wrong:
                self.problem(
                    f.row,
                    "Choices, Calculations, OR Slider Labels",
                    ", ".join(wrong),
                    f"The choices of {name} must use the codes {', '.join(allowed)}; "
                    f"{', '.join(wrong)} is not one of them. Change the raw codes of the "
                    f"choices (the labels may say anything).",
                    table=self.dlabel,
                )

    # -- records columns
    def classify_columns(self) -> dict:
        r = self.records
        cols = list(r.columns)
        if self.record_id not in cols:
            self.problem(
                None,
                self.record_id,
                None,
                f"The records file has no column {self.record_id}, the first field of the "
                f"data dictionary (the record ID). Export the records again (raw data, "
                "field names in the header) from the project this dictionary belongs to.",
            )
            return {}
        checkbox: dict[str, dict[str, str]] = {}  # field -> code -> column
        plain: list[str] = []
        complete: dict[str, str] = {}
        for col in cols:
            if col == self.record_id or col in SYSTEM_COLUMNS or col.endswith("_timestamp"):
                continue
            if col.endswith("_complete") and col[: -len("_complete")] in self.roles:
                complete[col[: -len("_complete")]] = col
                continue
            f = self.fields.get(col)
            if f is not None and f.type != "checkbox":
                plain.append(col)
                continue
            base, sep, code = col.partition("___")
            f = self.fields.get(base) if sep else None
            if f is not None and f.type == "checkbox":
                codes = {c.lower(): c for c in f.codes}
                if code not in codes:
                    self.problem(
                        None,
                        col,
                        None,
                        f"The records have a checkbox column {col}, but {code} is not a choice "
                        f"of the checkbox field {base} in the data dictionary (its choices are "
                        f"{', '.join(f.codes) or 'none'}). Export the dictionary and the "
                        "records from the same project at the same time.",
                    )
                    continue
                checkbox.setdefault(base, {})[codes[code]] = col
                continue
            self.problem(
                None,
                col,
                None,
                f"The column {col} is not a field of the data dictionary; it was ignored.",
                WARNING,
            )
        for name in list(plain) + list(checkbox):
            f = self.fields[name]
            if f.identifier and name != self.record_id:
                plain = [c for c in plain if c != name]  # never passed on
                checkbox.pop(name, None)
                self.problem(
                    None,
                    name,
                    None,
                    f"The field {name} is tagged as an identifier in the data dictionary and must "
                    "not be uploaded. Export again with 'Remove all tagged Identifier fields' "
                    "(de-identified export).",
                )
        return {"plain": plain, "checkbox": checkbox, "complete": complete}

    # -- rows
    def build(self, columns: dict) -> None:
        r = self.records
        rid = r[self.record_id]
        repeat = (
            r[REPEAT_INSTRUMENT].str.lower()
            if REPEAT_INSTRUMENT in r
            else pd.Series("", index=r.index)
        )
        contact_forms = {f for f, role in self.roles.items() if role == "contacts"}
        blank_id = rid == ""
        if blank_id.any():
            for row in r.index[blank_id]:
                self.problem(
                    int(row),
                    self.record_id,
                    None,
                    f"This row has no {self.record_id}; every row of the export belongs to a "
                    "record. Export the records again.",
                )
        is_contact = repeat.isin(contact_forms) & ~blank_id
        is_event = (repeat == "") & ~blank_id
        other = ~is_contact & ~is_event & ~blank_id
        for instrument in pd.unique(repeat[other]):
            rows = r.index[other & (repeat == instrument)]
            self.problem(
                int(rows[0]),
                REPEAT_INSTRUMENT,
                instrument,
                f"{len(rows)} row(s) of the repeating instrument {instrument} were ignored: only "
                "the peer contact instrument may repeat.",
                WARNING,
            )
        by_role: dict[str, list[str]] = {"participants": [], "responses": [], "contacts": []}
        for name in columns["plain"] + list(columns["checkbox"]):
            by_role[self.roles[self.fields[name].form]].append(name)
        order = {f: i for i, f in enumerate(self.fields)}
        for role in by_role:
            by_role[role].sort(key=order.__getitem__)
        self.participants(rid, is_event, is_contact, by_role["participants"], columns)
        self.responses(rid, is_event, by_role["responses"], columns)
        if contact_forms:
            self.contacts(rid, is_contact, by_role["contacts"], columns)

    def values(self, name: str, rows, columns) -> tuple[pd.Series, str]:
        """Cells of field ``name`` on ``rows`` as contract text, and the REDCap column named."""
        boxes = columns["checkbox"].get(name)
        if boxes is None:
            return self.records.loc[rows, name], name
        r = self.records.loc[rows, list(boxes.values())]
        for col in boxes.values():
            self.check_box(r, col)
        checked = r.eq("1").to_numpy()
        codes = np.array(list(boxes), dtype=object)
        # One join per distinct pattern of checked boxes (few), then each row takes its own.
        if len(codes) <= 62:  # a pattern packed into one integer, bit i = box i
            which, keys = pd.factorize(checked @ (1 << np.arange(len(codes), dtype=np.int64)))
            patterns = ((keys[:, None] >> np.arange(len(codes))) & 1).astype(bool)
        else:
            patterns, which = np.unique(checked, axis=0, return_inverse=True)
        texts = np.array([";".join(codes[flags]) for flags in patterns], dtype=object)
        joined = texts[which.reshape(-1)]
        return pd.Series(joined, index=r.index, dtype="str"), name

    def check_box(self, r: pd.DataFrame, col: str) -> None:
        bad = ~r[col].isin(["0", "1", ""])
        for row in r.index[bad][:20]:
            self.problem(
                int(row),
                col,
                r.at[row, col],
                "A checkbox in a raw REDCap export is 0 or 1. Export the records as raw data "
                "(not labels).",
            )

    def participants(self, rid, is_event, is_contact, names, columns) -> None:
        r = self.records
        first_row = pd.Series(r.index, index=r.index).groupby(rid.to_numpy()).transform("min")
        ev = r.index[is_event]
        out = pd.DataFrame(index=ev)
        out["participant_id"] = rid[ev]
        origins = {"participant_id": self.record_id}
        filled_any = np.zeros(len(ev), dtype=bool)
        for name in names:
            cells, origin = self.values(name, ev, columns)
            out[name] = cells.to_numpy()
            origins[name] = origin
            filled_any |= (cells != "").to_numpy()
        ids = out["participant_id"].to_numpy()
        # The participant's row: their first event row with enrollment data, else their first row.
        rows = pd.Series(np.where(filled_any, ev, np.iinfo(np.int64).max), index=ev)
        pick = rows.groupby(ids).min()
        all_ids = pd.unique(rid[~(rid == "")])
        fallback = first_row.groupby(rid.to_numpy()).first()
        picked = pick.reindex(all_ids, fill_value=np.iinfo(np.int64).max).to_numpy()
        chosen = np.where(
            picked != np.iinfo(np.int64).max, picked, fallback.reindex(all_ids).to_numpy()
        )
        table = pd.DataFrame(
            {"participant_id": np.asarray(all_ids, dtype=object)},
            index=pd.Index(chosen.astype(np.int64).tolist(), name="row"),
        )
        for name in names:
            s = out[name].where(out[name] != "")
            first = s.groupby(ids).transform("first")
            conflict = s.notna() & first.notna() & (s != first)
            for row in out.index[conflict.to_numpy()][:20]:
                self.problem(
                    int(row),
                    origins[name],
                    out.at[row, name],
                    f"This record already has another {name} ({mask(first[row])}) on an earlier "
                    "event. Enrollment fields hold one value per record: correct one of them.",
                )
            value = s.groupby(ids).first()
            table[name] = table["participant_id"].map(value).fillna("").astype("str").to_numpy()
        self.out.tables["participants"] = table
        self.out.origins["participants"] = origins

    def responses(self, rid, is_event, names, columns) -> None:
        r = self.records
        ev = r.index[is_event]
        answered = np.zeros(len(ev), dtype=bool)
        cells: dict[str, pd.Series] = {}
        origins = {"participant_id": self.record_id}
        for name in names:
            if name == USED_CHECKBOX:
                for code, col in columns["checkbox"][name].items():  # the validator checks 0/1
                    cells[USED_PREFIX + code] = r.loc[ev, col]
                    origins[USED_PREFIX + code] = col
                    answered |= (r.loc[ev, col] == "1").to_numpy()
                continue
            values, origin = self.values(name, ev, columns)
            cells[name] = values
            origins[name] = origin
            if name != "month":
                answered |= (values != "").to_numpy()
        for form, col in columns["complete"].items():
            if self.roles.get(form) == "responses":
                answered |= r.loc[ev, col].isin(["1", "2"]).to_numpy()
        rows = ev[answered]
        table = pd.DataFrame(index=pd.Index(rows, name="row"))
        table["participant_id"] = rid[rows].to_numpy()
        month, origin = self.months(rows)
        table["month"] = month
        origins["month"] = origin
        for name, values in cells.items():
            if name == "month":
                continue
            table[name] = values[answered].to_numpy()
        # Rows whose event says no month are reported above and left out.
        self.out.tables["responses"] = table[table["month"] != ""]
        self.out.origins["responses"] = origins

    def months(self, rows) -> tuple[list[str], str]:
        r = self.records
        has_field = "month" in r.columns and "month" in self.fields
        events = r.loc[rows, EVENT] if EVENT in r else pd.Series("", index=rows)
        # The month of each distinct event name (a project has few events), then of each row.
        month = _per_value(
            events,
            lambda event: (
                self.event_months.get(event.lower(), event_month(event)) if event else None
            ),
        )
        given = r.loc[rows, "month"].to_numpy(dtype=object) if has_field else None
        use_given = given != "" if has_field else np.zeros(len(rows), dtype=bool)
        missing = pd.isna(month) & ~use_given
        out = np.where(missing, "", month.astype(str))
        if given is not None:  # has_field
            out = np.where(use_given, given, out)
        for row, event in zip(rows[missing], events.to_numpy()[missing], strict=True):
            self.problem(
                int(row),
                EVENT,
                event,
                (
                    f"The event {event} is not a survey wave the dashboard knows: its name "
                    "says no month. Name the events baseline_arm_1, month_3_arm_1, "
                    "month_6_arm_1, ... or add a month field to the survey (docs/redcap.md)."
                    if event
                    else "This survey row has no event and no month. Export a longitudinal "
                    "project, or add a month field to the survey (docs/redcap.md)."
                ),
            )
        return out.tolist(), ("month" if has_field else EVENT)

    def contacts(self, rid, is_contact, names, columns) -> None:
        r = self.records
        rows = r.index[is_contact]
        table = pd.DataFrame(index=pd.Index(rows, name="row"))
        table["participant_id"] = rid[rows].to_numpy()
        origins = {"participant_id": self.record_id}
        instance = (
            r.loc[rows, REPEAT_INSTANCE]
            if REPEAT_INSTANCE in r
            else pd.Series("", index=rows, dtype="str")
        )
        if "contact_no" in names:
            given = r.loc[rows, "contact_no"]
            table["contact_no"] = given.where(given != "", instance).to_numpy()
            origins["contact_no"] = "contact_no"
        else:
            table["contact_no"] = instance.to_numpy()
            origins["contact_no"] = REPEAT_INSTANCE
        for name in names:
            if name == "contact_no":
                continue
            values, origin = self.values(name, rows, columns)
            if name == "more_followup":
                values = values.replace({"1": "yes", "0": "no"})
            table[name] = values.to_numpy()
            origins[name] = origin
        self.out.tables["contacts"] = table
        self.out.origins["contacts"] = origins


def convert(
    records: pd.DataFrame,
    dictionary: pd.DataFrame,
    records_label: str = "records",
    dictionary_label: str = "data dictionary",
    event_months: Mapping[str, int] | None = None,
) -> Converted:
    """A REDCap records export and its data dictionary -> the three raw cohort tables.

    Parameters: both frames as the loader reads them (every cell text, ``""`` for blank,
    lower-case header, index = row in the file with the header as row 1); the labels name the
    files in problems; ``event_months`` maps unique event names to months where the names do
    not say it (``{"followup_1_arm_1": 3}``). Never raises for bad input: problems name the
    REDCap file, row and field.
    """
    records = _text_frame(records)
    dictionary = _text_frame(dictionary)
    return _Converter(records, dictionary, records_label, dictionary_label, event_months).run()


def _text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for c in frame.columns:
        frame[c] = frame[c].astype("str").fillna("").str.strip()
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0:
        frame.index = frame.index + 2
    return frame


# ---- the sample cohort as a REDCap export -------------------------------------------------------

_HELPFUL_CHOICES = "1, 1 Not at all helpful | 2, 2 | 3, 3 | 4, 4 | 5, 5 Extremely helpful"
_LABELS = {
    "enhanced": "Enhanced support (trained peer supporter)",
    "routine": "Routine support",
    "completed": "Completed",
    "withdrew": "Withdrew",
    "lost_to_follow_up": "Lost to follow-up",
    "dropping_out": "Dropping out",
    "surviving": "Surviving",
    "thriving": "Thriving",
}
_CHOICE_CODE = re.compile(r"[a-z0-9_]+")


def _event_name(month: int) -> str:
    return "baseline_arm_1" if month == 0 else f"month_{month}_arm_1"


def _label(code: str) -> str:
    return _LABELS.get(code, resource_label(code))


def _choices(codes) -> str:
    return " | ".join(f"{c}, {_label(c)}" for c in codes)


def _dictionary_rows(participants: pd.DataFrame, resources: list[str]) -> list[dict]:
    def row(
        name,
        form,
        ftype,
        label,
        choices="",
        note="",
        validation="",
        vmin="",
        branching="",
        required="",
        annotation="",
    ):
        return dict.fromkeys(DICTIONARY_COLUMNS, "") | {
            "Variable / Field Name": name,
            "Form Name": form,
            "Field Type": ftype,
            "Field Label": label,
            "Choices, Calculations, OR Slider Labels": choices,
            "Field Note": note,
            "Text Validation Type OR Show Slider Number": validation,
            "Text Validation Min": vmin,
            "Branching Logic (Show field only if...)": branching,
            "Required Field?": required,
            "Field Annotation": annotation,
        }

    rows = [
        row(
            "record_id",
            "enrollment",
            "text",
            "Participant ID",
            note="Study code, never a name",
            required="y",
        ),
        row(
            "arm",
            "enrollment",
            "radio",
            "Randomized group",
            _choices(sorted(set(participants["arm"]) - {""})),
            required="y",
        ),
        row("status", "enrollment", "radio", "Study status", _choices(STATUSES), required="y"),
    ]
    for col in participants.columns:
        if col in ("participant_id", "arm", "status"):
            continue
        codes = sorted(set(participants[col]) - {""})
        label = col.replace("_", " ").capitalize()
        if all(_CHOICE_CODE.fullmatch(c) for c in codes):
            rows.append(row(col, "enrollment", "dropdown", label, _choices(codes)))
        else:
            rows.append(row(col, "enrollment", "text", label, note=", ".join(codes)))
    stage_choices = " | ".join(f"{k}, {k} {v}" for k, v in STAGE_LABELS.items())
    rows += [
        row("stage", "survey", "radio", "Recovery stage now", stage_choices),
        row(
            "stage6_path",
            "survey",
            "radio",
            "Moving on: which path?",
            _choices(STAGE6_PATHS),
            branching="[stage] = '6'",
        ),
        row(
            USED_CHECKBOX,
            "survey",
            "checkbox",
            "Since the last survey, which resources did you use?",
            _choices(resources),
        ),
    ]
    for code in resources:
        rows.append(
            row(
                HELPFUL_PREFIX + code,
                "survey",
                "radio",
                f"How helpful was: {resource_label(code)}?",
                _HELPFUL_CHOICES,
                branching=f"[{USED_CHECKBOX}({code})] = '1'",
            )
        )
    rows += [
        row(
            "most_helpful",
            "survey",
            "checkbox",
            "Which resources were most helpful? (up to 3)",
            _choices(resources),
            note="Choose up to 3",
            annotation="@MAXCHECKED=3",
        ),
        row(
            "day",
            "peer_contact",
            "text",
            "Days since the adverse event",
            validation="integer",
            vmin="0",
        ),
        row("more_followup", "peer_contact", "yesno", "Would you like another contact?"),
    ]
    return rows


def to_redcap(tables: Mapping[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A cohort's three tables of text cells (as :func:`hoo_metrics.sample.generate_sample`
    gives) -> (records, dictionary): the raw CSV export of the REDCap project of
    docs/redcap.md holding that cohort, and its data dictionary, both as frames of text.

    Rows follow REDCap's export order: per record, the baseline event row (enrollment and the
    month-0 survey), its peer contacts (repeating instrument ``peer_contact`` on the baseline
    event), then one row per follow-up wave. A follow-up wave a completer did not answer is
    written as REDCap writes a survey opened and left empty: every checkbox 0, the survey
    ``Incomplete`` (0); :func:`convert` reads it as no response. Raises ValueError for what a
    REDCap checkbox cannot hold (a blank ``used_`` answer on an answered wave).
    """
    participants = tables["participants"].astype("str").fillna("")
    responses = tables["responses"].astype("str").fillna("")
    contacts = tables.get("contacts")
    contacts = (
        contacts.astype("str").fillna("")
        if contacts is not None
        else pd.DataFrame(columns=["participant_id", "contact_no", "day", "more_followup"])
    )
    resources = [c[len(USED_PREFIX) :] for c in responses.columns if c.startswith(USED_PREFIX)]
    dictionary = pd.DataFrame(_dictionary_rows(participants, resources), columns=DICTIONARY_COLUMNS)
    enrol = [c for c in participants.columns if c != "participant_id"]
    survey = ["stage", "stage6_path"]
    survey += [f"{USED_CHECKBOX}___{c}" for c in resources]
    survey += [HELPFUL_PREFIX + c for c in resources]
    survey += [f"most_helpful___{c}" for c in resources]
    header = ["record_id", EVENT, REPEAT_INSTRUMENT, REPEAT_INSTANCE, *enrol, "enrollment_complete"]
    header += [*survey, "survey_complete", "day", "more_followup", "peer_contact_complete"]

    boxes = [c for c in survey if "___" in c]
    pids = participants["participant_id"].to_numpy(dtype=object)
    n = len(pids)
    month = _per_value(responses["month"], int, np.int64)
    waves = sorted(set(month.tolist()) | {0})
    follow_ups = np.array(waves[1:], dtype=np.int64)

    # A participant's answer to a wave: the last response row of that participant and month.
    answers = pd.MultiIndex.from_arrays([responses["participant_id"].to_numpy(dtype=object), month])
    last = ~answers.duplicated(keep="last")
    answers, answer_row = answers[last], np.r_[np.flatnonzero(last), -1]

    def answer(pos: np.ndarray, months: np.ndarray) -> np.ndarray:
        """Response row of each (participant position, month), -1 for none."""
        wanted = pd.MultiIndex.from_arrays([pids[pos], months])
        return answer_row[answers.get_indexer(wanted)]

    # The rows of the export, as plans: per record (participant position), the baseline event
    # row (kind 0), its contacts in the given order (kind 1), its follow-up waves ascending
    # (kind 2): answered, or opened and left empty for a completer.
    everyone = np.arange(n)
    contact_of = pd.DataFrame({"participant_id": pids, "pos": everyone}).merge(
        pd.DataFrame(
            {
                "participant_id": contacts["participant_id"].to_numpy(dtype=object),
                "row": np.arange(len(contacts)),
            }
        ),
        on="participant_id",
    )
    wave_pos = np.repeat(everyone, len(follow_ups))
    wave_no = np.tile(np.arange(len(follow_ups)), n)
    wave_resp = answer(wave_pos, follow_ups[wave_no])
    completed = (
        (participants["status"] == "completed").to_numpy(dtype=bool)
        if "status" in participants
        else np.zeros(n, dtype=bool)
    )
    shown = (wave_resp >= 0) | completed[wave_pos]
    wave_pos, wave_no, wave_resp = wave_pos[shown], wave_no[shown], wave_resp[shown]
    n_contacts, n_waves = len(contact_of), len(wave_pos)
    pos = np.concatenate([everyone, contact_of["pos"].to_numpy(), wave_pos])
    kind = np.repeat(np.array([0, 1, 2]), [n, n_contacts, n_waves])
    within = np.concatenate([np.zeros(n, dtype=np.int64), contact_of["row"].to_numpy(), wave_no])
    order = np.lexsort((within, kind, pos))
    pos, kind = pos[order], kind[order]
    none = np.full(n_contacts, -1)
    resp = np.concatenate([answer(everyone, np.zeros(n, dtype=np.int64)), none, wave_resp])
    resp = resp[order]
    crow = np.concatenate([np.full(n, -1), contact_of["row"].to_numpy(), np.full(n_waves, -1)])
    crow = crow[order]
    wave = np.concatenate([np.zeros(n + n_contacts, dtype=np.int64), follow_ups[wave_no]])
    wave = wave[order]
    is_base, is_contact = kind == 0, kind == 1
    answered = resp >= 0
    opened = (kind == 2) & ~answered

    def column(name: str, frame: pd.DataFrame) -> np.ndarray:
        return frame[name].to_numpy(dtype=object)

    def cells(values: np.ndarray, index: np.ndarray, where: np.ndarray) -> np.ndarray:
        """``values[index]`` on the export rows ``where``, blank on the others."""
        out = np.full(len(pos), "", dtype=object)
        out[where] = values[index[where]]
        return out

    # What a REDCap checkbox or yes/no field cannot hold: the first such export row raises
    # (ValueError for a used_ answer; a more_followup other than yes/no is a KeyError).
    used = {code: column(USED_PREFIX + code, responses) for code in resources}
    wrong_used = np.zeros(len(responses) + 1, dtype=bool)  # + 1: resp -1 is never wrong
    for code in resources:
        wrong_used[:-1] |= ~np.isin(used[code], ["0", "1"])
    wrong = answered & wrong_used[resp]
    if is_contact.any():
        said = cells(column("more_followup", contacts), crow, is_contact)
        wrong |= is_contact & ~np.isin(said, ["yes", "no"])
    if wrong.any():
        at = int(np.flatnonzero(wrong)[0])
        if is_contact[at]:
            raise KeyError(said[at])
        row = responses.iloc[resp[at]]
        code = next(c for c in resources if used[c][resp[at]] not in ("0", "1"))
        raise ValueError(
            f"{row['participant_id']} month {row['month']}: used_{code} is "
            f"{used[code][resp[at]]!r}; a REDCap checkbox holds only 0 or 1."
        )

    out: dict[str, np.ndarray] = {
        "record_id": pids[pos],
        EVENT: _per_value(pd.Series(wave), _event_name),
        REPEAT_INSTRUMENT: np.where(is_contact, "peer_contact", "").astype(object),
    }
    if n_contacts:
        out[REPEAT_INSTANCE] = cells(column("contact_no", contacts), crow, is_contact)
        out["day"] = cells(column("day", contacts), crow, is_contact)
        out["more_followup"] = np.where(said == "yes", "1", np.where(is_contact, "0", ""))
        out["peer_contact_complete"] = np.where(is_contact, "2", "").astype(object)
    for name in enrol:
        out[name] = cells(column(name, participants), pos, is_base)
    out["enrollment_complete"] = np.where(is_base, "2", "").astype(object)
    blank = np.full(len(responses) + 1, "", dtype=object)
    for name in survey:
        if name.startswith(f"{USED_CHECKBOX}___"):
            values = used[name[len(USED_CHECKBOX) + 3 :]]
        elif name.startswith("most_helpful___"):
            continue
        else:
            values = column(name, responses) if name in responses else blank
        out[name] = cells(values, resp, answered)
    # most_helpful: the codes it names, worked out once per distinct text (few).
    texts = (
        responses["most_helpful"]
        if "most_helpful" in responses
        else pd.Series("", index=responses.index, dtype=object)
    )
    distinct = pd.Index(pd.unique(texts))
    named = [set(filter(None, text.split(";"))) for text in distinct]
    flags = np.array([[code in s for code in resources] for s in named], dtype=bool)
    flags = flags.reshape(len(distinct), len(resources))[distinct.get_indexer(texts)]
    for i, code in enumerate(resources):
        values = np.where(flags[:, i], "1", "0").astype(object)
        out[f"most_helpful___{code}"] = cells(values, resp, answered)
    for name in boxes:  # a survey opened and left empty: every box unchecked
        out[name][opened] = "0"
    out["survey_complete"] = np.where(answered, "2", np.where(opened, "0", "")).astype(object)
    records = pd.DataFrame(out, columns=header).fillna("").astype("str")
    return records, dictionary


__all__ = [
    "REDCAP_SAMPLE_DIR",
    "Converted",
    "convert",
    "event_month",
    "file_kind",
    "is_dictionary",
    "is_records",
    "to_redcap",
]
