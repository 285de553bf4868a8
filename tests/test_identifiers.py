"""Tests for hoo_metrics.identifiers: what looks like a direct identifier, masking, capping."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from hoo_metrics.identifiers import (
    MAX_LISTED,
    identifier_column_reason,
    identifier_kinds,
    listed_problems,
    mask,
    screen_column_names,
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
