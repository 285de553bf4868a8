"""Tests for hoo_metrics.identifiers: what looks like a direct identifier, masking,
capping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hoo_metrics.identifiers import (
    HANDFUL,
    MAX_LISTED,
    RULE_FREE_TEXT,
    RULE_NAMES,
    RULE_UNIQUE,
    SCREEN_CHARS,
    identifier_column_reason,
    identifier_kinds,
    listed_problems,
    mask,
    participant_column_problem,
    screen_column_names,
    screen_participant_column,
    screen_participant_columns,
    screen_values,
)
from hoo_metrics.problems import ERROR, WARNING


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("jane.doe@example.org", "e-mail"),
        ("mail me: j_smith+x@mayo.edu", "e-mail"),
        ("http://example.com/profile", "web address"),
        ("www.example.com", "web address"),
        ("10.0.0.12", "IP address"),
        ("123-45-6789", "social security"),
        ("123 45 6789", "social security"),
        ("(555) 123-4567", "phone"),
        ("555-123-4567", "phone"),
        ("555.123.4567", "phone"),
        ("+44 20 7946 0958", "phone"),
        ("2021-03-04", "full date"),
        ("2021-03-04 00:00:00", "full date"),
        ("03/04/2021", "full date"),
        ("3/4/21", "full date"),
        ("04.03.2021", "full date"),
        ("4 Mar 2021", "full date"),
        ("March 4, 2021", "full date"),
        ("123 Main Street", "street address"),
        ("PO Box 1234", "street address"),
        ("MRN 12345678", "medical record"),
        ("5551234567", "medical record"),  # a phone without separators is a long digit run
    ],
)
def test_identifier_cells_are_flagged(value, kind):
    found = identifier_kinds(pd.Series([value], dtype="str"))
    assert kind in found.iloc[0]


@pytest.mark.parametrize(
    "value",
    [
        "2021",
        "P0001",
        "HOO-001",
        "30-39",
        "10-19",
        "<5",
        "attending",
        "maternal_death",
        "1-5",
        "3.5",
        "enhanced",
        "améliorée",
        "peers;family",
        "",
        "123456",
        "month 3",
    ],
)
def test_ordinary_cells_pass(value):
    assert identifier_kinds(pd.Series([value], dtype="str")).iloc[0] == ""


@pytest.mark.parametrize(
    "value", ["Jane Smith", "Smith, Jane", "José Núñez", "jane smith", "Mary J. Blige"]
)
def test_names_are_flagged_only_in_participant_id(value):
    cells = pd.Series([value], dtype="str")
    assert identifier_kinds(cells, id_column=True).iloc[0] == "a person's name"
    assert identifier_kinds(cells).iloc[0] == ""


def test_zip_codes_are_flagged_only_in_zip_columns():
    cells = pd.Series(["02139", "55905-0001", "559"], dtype="str")
    assert identifier_kinds(cells, zip_column=True).tolist() == ["a ZIP code", "a ZIP code", ""]
    assert identifier_kinds(cells).tolist() == ["", "", ""]


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("jane.doe@example.org", "j***@***.org"),
        ("123-45-6789", "***-**-6789"),
        ("call (555) 123-4567 today", "call (***) ***-4567 today"),
        ("2021-03-04", "****-**-**"),
        ("03/04/2021", "**/**/****"),
        ("MRN 12345678", "MRN ******78"),
        ("http://example.com/x", "http://***"),
        ("10.0.0.12", "**.*.*.**"),
        ("12 Elm Road", "[street address]"),
        ("P001", "P001"),
        ("", ""),
        (None, None),
    ],
)
def test_mask_hides_identifiers(value, masked):
    assert mask(value) == masked


def test_mask_names_in_participant_id_and_long_values():
    assert mask("Jane Smith", id_column=True) == "J*** S***"
    assert mask("Jane Smith") == "Jane Smith"  # outside an id column two words are just text
    assert mask("02139", zip_column=True) == "*****"
    long = mask("x" * 200)
    assert len(long) == 80 and long.endswith("...")


@pytest.mark.parametrize(
    ("column", "flagged"),
    [
        ("name", True),
        ("First Name", True),
        ("participant_name", True),
        ("surname", True),
        ("email", True),
        ("E-mail", True),
        ("phone", True),
        ("phone_number", True),
        ("fax", True),
        ("mrn", True),
        ("medical_record_number", True),
        ("ssn", True),
        ("dob", True),
        ("date_of_birth", True),
        ("address", True),
        ("street", True),
        ("zip", True),
        ("postal_code", True),
        ("ip_address", True),
        ("participant_id", False),
        ("site_name", False),
        ("age_band", False),
        ("years_in_practice_band", False),
        ("role", False),
        ("gender", False),
        ("event_type", False),
        ("month", False),
    ],
)
def test_identifier_column_names(column, flagged):
    assert (identifier_column_reason(column) is not None) is flagged


def test_screen_column_names_gives_one_error_per_column():
    problems = screen_column_names("participants", ["participant_id", "email", "dob", "role"])
    assert [(p.table, p.row, p.column, p.value, p.severity) for p in problems] == [
        ("participants", None, "email", None, ERROR),
        ("participants", None, "dob", None, ERROR),
    ]


def test_screen_values_names_file_row_column_and_masked_value():
    frame = pd.DataFrame(
        {
            "participant_id": ["P1", "Jane Smith", "P3"],
            "role": ["nurse", "nurse", "born 1980-02-03"],
            "zip_code": ["", "02139", ""],
        },
        index=pd.Index([2, 5, 6]),  # rows as in the file (row 3-4 were blank)
    )
    problems = screen_values("participants", frame)
    got = [(p.table, p.row, p.column, p.value, p.severity) for p in problems]
    assert got == [
        ("participants", 5, "participant_id", "J*** S***", ERROR),
        ("participants", 6, "role", "born ****-**-**", ERROR),
        ("participants", 5, "zip_code", "*****", ERROR),
    ]
    assert "a person's name" in problems[0].message
    assert "a full date" in problems[1].message


def test_screen_values_caps_each_column():
    # 130 e-mail addresses in rows 2..131: 50 listed, then one summary for the other 80.
    frame = pd.DataFrame({"note": [f"user{i}@example.org" for i in range(130)]})
    frame.index = frame.index + 2
    problems = screen_values("responses", frame)
    assert len(problems) == MAX_LISTED + 1
    assert [p.row for p in problems[:MAX_LISTED]] == list(range(2, 2 + MAX_LISTED))
    assert problems[-1].row is None and problems[-1].column == "note"
    assert "80 more rows" in problems[-1].message and "130 in all" in problems[-1].message
    assert all("@example.org" not in (p.value or "") for p in problems)


def test_listed_problems_without_overflow_and_with_warning_severity():
    problems = listed_problems("contacts", "day", [3, 4], ["x", "y"], "bad day", WARNING)
    assert [(p.row, p.value, p.severity) for p in problems] == [
        (3, "x", WARNING),
        (4, "y", WARNING),
    ]
    assert listed_problems("contacts", "day", [], None, "bad day") == []


def test_screen_is_vectorised_over_distinct_values():
    # 200,000 cells with 3 distinct values: the patterns run on 3 values, not 200,000.
    frame = pd.DataFrame({"role": ["nurse", "attending", "a@b.org"] * 66_667})
    problems = screen_values("participants", frame)
    assert len(problems) == MAX_LISTED + 1


def test_descriptions_per_pattern_equal_each_rows_own():
    # _descriptions works out the words once per distinct pattern of hits; each row's words
    # must be what _description gives that row alone (None for a row without a hit).
    from hoo_metrics.identifiers import KINDS, _description, _descriptions

    rng = np.random.default_rng(3)
    hits = rng.random((500, len(KINDS))) < 0.15
    hits[:50] = False  # rows without a hit
    words = _descriptions(KINDS, hits)
    for row, got in zip(hits, words, strict=True):
        assert got == (_description(KINDS, row) if row.any() else None)
    assert _descriptions(KINDS, np.zeros((0, len(KINDS)), dtype=bool)).tolist() == []


# ---- descriptive participant columns: names, free text, mostly unique ---------------------------

SUPPORTERS = ["Jane Smith", "Bob Jones", "Jane Smith", "", "Ana Núñez"]


@pytest.mark.parametrize(
    "values",
    [
        SUPPORTERS,
        ["Smith, Jane", "Jones, Bob", "Smith, Jane"],  # Lastname, Firstname
        ["Jane Q. Smith", "Mary-Ann O'Brien", "Ian McDonald", "peer"],  # 3 of 4 distinct
        ["Dr. Smith", "peer", "peer", "peer"],  # a title: one is enough
        ["Dr Smith"],
        ["talked to Dr. Jane Smith", "", "missed the 3 month survey"],
        ["Mrs Jones", "Mr Brown", "Ms Lee", "Prof Chen", "Miss Patel"],
        [f"Jane Smith{chr(97 + i)}" for i in range(26)],  # also mostly unique: names first
    ],
)
def test_person_name_columns_are_errors(values):
    found = screen_participant_column("supporter", values)
    assert (found.rule, found.severity) == (RULE_NAMES, ERROR)


@pytest.mark.parametrize(
    "values",
    [
        # half or more of the filled-in cells have 5 words or more
        ["felt supported by the team", "wants more follow-up from peers", "", "", "ok"],
        # half or more are 40 characters or longer (few words)
        ["obstetrics-gynecology/maternal-fetal-medicine", "anesthesiology-critical-care-medicine"],
        # one sentence among short categories
        ["A", "B", "A", "moved from site A to site B after the event", "B"],
        # one very long value
        ["A", "B", "x" * 80],
    ],
)
def test_free_text_columns_are_warnings(values):
    found = screen_participant_column("notes", values)
    assert (found.rule, found.severity) == (RULE_FREE_TEXT, WARNING)


@pytest.mark.parametrize(
    "values",
    [
        [f"c{i:03d}" for i in range(20)],  # a code of their own
        [str(25 + i) for i in range(11)],  # exact ages of 11 participants
        [f"{1.5 + i / 10:.2f}" for i in range(30)],  # a continuous measure
        ["on leave", "prefers email", "divorce"] + [""] * 20,  # sparse short notes
        [f"s{i // 2}" for i in range(9)] + [f"u{i}" for i in range(10)],  # 10 of 19 alone
    ],
)
def test_mostly_unique_columns_are_warnings(values):
    found = screen_participant_column("code", values)
    assert (found.rule, found.severity) == (RULE_UNIQUE, WARNING)


@pytest.mark.parametrize(
    "values",
    [
        ["30-39", "40-49", "50-59", "30-39"] * 5,  # age_band
        ["A", "B"] * 10,  # site
        ["site_01", "site_02", "site_03"] * 7,
        ["attending", "resident", "midwife", "nurse", "other", ""] * 4,  # role vocabulary
        ["maternal_death", "fetal_or_neonatal_death", "severe_maternal_morbidity"] * 4
        + ["neonatal_injury", "other"] * 4,  # event_type vocabulary
        ["less than 5 years", "5 to 10 years", "more than 10 years", "10-19", "20+"] * 4,
        ["female", "male", "nonbinary", ""] * 5,
        ["1", "2", "3", "0", ""] * 6,  # a small numeric scale
        [1, 2, 3, None] * 5,  # numbers, not text
        ["Labor And Delivery", "Maternal Death", "Mercy Hospital", "Site North"] * 3,
        ["New York", "San Diego", "Salt Lake", "Nurse Midwife", "Attending Physician"] * 3,
        ["Rochester", "Phoenix", "Jacksonville"] * 4,
        ["Jane Smith", "A", "B", "C"] * 5,  # one name-like value of four: not a names column
        ["attending", "resident", "nurse", "midwife", "other", "fellow"],  # 6 alone: a handful
        [f"c{i}" for i in range(HANDFUL)],  # unique, but only a handful of participants
        ["", "", ""],
        [],
    ],
)
def test_ordinary_participant_columns_pass(values):
    assert screen_participant_column("attribute", values) is None


@pytest.mark.parametrize("column", ["participant_id", "arm", "status"])
def test_built_in_columns_are_not_screened(column):
    assert screen_participant_column(column, SUPPORTERS) is None


def test_role_and_event_type_are_screened_like_any_other_column():
    assert screen_participant_column("role", SUPPORTERS).rule == RULE_NAMES
    assert screen_participant_column("event_type", [f"e{i}" for i in range(20)]).rule == (
        RULE_UNIQUE
    )


def test_column_screen_reasons_in_plain_words_and_masked_example():
    names = screen_participant_column("supporter", SUPPORTERS, rows=[2, 3, 4, 5, 6])
    assert names.reason == "its values look like people's names (3 of its 3 different values)"
    assert (names.example, names.row) == ("J*** S***", 2)
    titled = screen_participant_column("notes", ["", "talked to Dr. Jane Smith"], rows=[2, 3])
    assert titled.reason == (
        "some of its values name a person with a title such as Dr. or Mrs. "
        "(its only filled-in cell)"
    )
    assert (titled.example, titled.row) == ("t*** t*** D***. J*** S***", 3)
    text = screen_participant_column("notes", ["felt supported by the team", "", "fine"])
    assert text.reason == (
        "its values look like free text (1 of its 2 filled-in cells have 5 words or more)"
    )
    assert text.example is None  # free text is never echoed, not even masked
    unique = screen_participant_column("code", [f"c{i}" for i in range(12)])
    assert unique.reason == (
        "most participants have a value of their own (12 of its 12 filled-in cells hold a "
        "value no other participant has)"
    )


def test_participant_column_problem_messages():
    names = screen_participant_column("supporter", SUPPORTERS, rows=[2, 3, 4, 5, 6])
    problem = participant_column_problem("supporter", names)
    assert (problem.table, problem.row, problem.column, problem.value, problem.severity) == (
        "participants",
        2,
        "supporter",
        "J*** S***",
        ERROR,
    )
    assert problem.message == (
        "The column supporter of participants.csv cannot be loaded: its values look like "
        "people's names (3 of its 3 different values). Names identify people directly and must "
        "not be in the cohort files. Remove the column, or recode it into a few categories that "
        "name no one (such as supporter_a, supporter_b)."
    )
    text = screen_participant_column("notes", ["felt supported by the team after it"] * 2)
    problem = participant_column_problem("notes", text)
    assert (problem.row, problem.value, problem.severity) == (None, None, WARNING)
    assert problem.message == (
        "The column notes of participants.csv was not loaded: its values look like free text "
        "(2 of its 2 filled-in cells have 5 words or more), so its values could tell who a "
        "participant is. It is not offered as a grouping or filter and its values are shown "
        "nowhere. To use it, recode it into a few categories shared by several participants "
        "(bands or codes); otherwise remove it from the file."
    )


@pytest.mark.parametrize("column", ["supporter_name", "peer name", "colleague_names", "mentor"])
def test_columns_named_for_a_colleagues_name(column):
    assert (identifier_column_reason(column) == "names") is (column != "mentor")


def test_screen_participant_columns_skips_built_in_and_identifier_named_columns():
    frame = pd.DataFrame(
        {
            "participant_id": [f"P{i:02d}" for i in range(12)],
            "arm": ["a", "b"] * 6,
            "status": ["completed"] * 12,
            "role": ["nurse", "resident"] * 6,
            "notes": ["felt supported by the whole team"] + [""] * 11,
            "supporter_name": ["Jane Smith"] * 12,  # its name is already an error
            "code": [f"c{i}" for i in range(12)],
        },
        index=pd.RangeIndex(2, 14),
    )
    found = screen_participant_columns(frame)
    assert {c: s.rule for c, s in found.items()} == {"notes": RULE_FREE_TEXT, "code": RULE_UNIQUE}


def test_column_screen_time_is_bounded_by_the_size_of_the_column():
    import time

    # a titled name beyond the first SCREEN_CHARS characters is not searched for; a value that
    # long is free text anyway, and a hundred-thousand-character cell is screened at once
    huge = ["x " * 50_000 + "Dr Smith", "A", "B"]
    start = time.perf_counter()
    found = screen_participant_column("notes", huge)
    assert time.perf_counter() - start < 1.0
    assert found.rule == RULE_FREE_TEXT
    many = pd.Series([f"note {i} about the team and the event" for i in range(100_000)])
    start = time.perf_counter()
    assert screen_participant_column("notes", many.astype("str")).rule == RULE_FREE_TEXT
    assert time.perf_counter() - start < 5.0
    assert len("x " * 50_000) > SCREEN_CHARS
