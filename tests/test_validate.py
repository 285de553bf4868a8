"""Tests for hoo_metrics.checks.validate: one test per error and warning class, on a tiny
inline cohort.

Rows are as in the file: the header is row 1, the first data row is row 2. Every expected
problem below is worked out by hand from the CSV text next to it.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from hoo_metrics.checks.validate import ValidationResult, load_cohort, validate
from hoo_metrics.cohort import Cohort
from hoo_metrics.io.load import RawTables, read_tables
from hoo_metrics.problems import ERROR, WARNING, CohortError, Problem

# The clean cohort. File rows:      2    3    4
PARTICIPANTS = """participant_id,arm,status,role
P01,enhanced,completed,nurse
P02,routine,withdrew,attending
P03,améliorée,lost_to_follow_up,
"""
# File rows: 2 = P01 baseline, 3 = P01 month 3, 4 = P02 baseline, 5 = P03 baseline
RESPONSES = (
    (
        "participant_id,month,stage,stage6_path,"
        "used_peers,helpful_peers,used_family,helpful_family,most_helpful\n"
    )
    + """P01,0,2,,1,4,0,,peers
P01,3,6,thriving,1,5,1,3,peers;family
P02,0,4,,0,,,,
P03,0,6,surviving,0,,1,2,family
"""
)
# File rows: 2 = P01 #1, 3 = P01 #2, 4 = P03 #1
CONTACTS = """participant_id,contact_no,day,more_followup
P01,1,5,yes
P01,2,12,no
P03,1,3,no
"""
CLEAN = {"participants": PARTICIPANTS, "responses": RESPONSES, "contacts": CONTACTS}


def files(**texts: str | None) -> dict[str, bytes]:
    """An upload mapping of the clean cohort with some tables replaced (None drops one)."""
    tables = {**CLEAN, **texts}
    return {f"{t}.csv": text.encode("utf-8") for t, text in tables.items() if text is not None}


def check(**texts: str | None) -> ValidationResult:
    return validate(read_tables(files(**texts)))


def keys(problems: list[Problem]) -> set[tuple]:
    """(table, row, column, value, severity) of each problem."""
    return {(p.table, p.row, p.column, p.value, p.severity) for p in problems}


def expected_clean() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The clean cohort in canonical dtypes, written out by hand."""
    nan = np.nan
    participants = pd.DataFrame(
        {
            "participant_id": pd.Series(["P01", "P02", "P03"], dtype="str"),
            "arm": pd.Series(["enhanced", "routine", "améliorée"], dtype="str"),
            "status": pd.Series(["completed", "withdrew", "lost_to_follow_up"], dtype="str"),
            "role": pd.Series(["nurse", "attending", nan], dtype="str"),
        }
    )
    responses = pd.DataFrame(
        {
            "participant_id": pd.Series(["P01", "P01", "P02", "P03"], dtype="str"),
            "month": pd.Series([0, 3, 0, 0], dtype="int64"),
            "stage": [2.0, 6.0, 4.0, 6.0],
            "stage6_path": pd.Series([nan, "thriving", nan, "surviving"], dtype="str"),
            "used_peers": [1.0, 1.0, 0.0, 0.0],
            "helpful_peers": [4.0, 5.0, nan, nan],
            "used_family": [0.0, 1.0, nan, 1.0],
            "helpful_family": [nan, 3.0, nan, 2.0],
            "most_helpful": pd.Series(["peers", "peers;family", nan, "family"], dtype="str"),
        }
    )
    contacts = pd.DataFrame(
        {
            "participant_id": pd.Series(["P01", "P01", "P03"], dtype="str"),
            "contact_no": pd.Series([1, 2, 1], dtype="int64"),
            "day": pd.Series([5, 12, 3], dtype="int64"),
            "more_followup": [True, False, False],
        }
    )
    return participants, responses, contacts


# ---- the clean cohort ---------------------------------------------------------------------------


def test_clean_cohort_loads_in_canonical_dtypes():
    result = check()
    assert result.problems == []
    cohort = result.cohort
    assert isinstance(cohort, Cohort)
    participants, responses, contacts = expected_clean()
    pd.testing.assert_frame_equal(cohort.participants, participants)
    pd.testing.assert_frame_equal(cohort.responses, responses)
    pd.testing.assert_frame_equal(cohort.contacts, contacts)
    assert cohort.resources == ("peers", "family")
    assert cohort.warnings == ()
    # the clean text is canonical (docs/library.md), so the content hash is over it as written
    by_hand = hashlib.sha256()
    for table in ("participants", "responses", "contacts"):
        data = CLEAN[table].encode("utf-8")
        by_hand.update(f"{table}.csv {len(data)}\n".encode() + data)
    assert cohort.sha256 == by_hand.hexdigest()


def test_load_cohort_names_and_raises_with_every_problem():
    cohort = load_cohort(files(), name="pilot")
    assert cohort.name == "pilot" and cohort.source.startswith("upload")
    bad = files(participants=PARTICIPANTS.replace("P02,routine,withdrew", "P02,,dropped"))
    with pytest.raises(CohortError) as info:
        load_cohort(bad)
    assert keys(info.value.problems) == {
        ("participants", 3, "arm", "", ERROR),
        ("participants", 3, "status", "dropped", ERROR),
    }


def test_contacts_file_is_optional():
    cohort = check(contacts=None).cohort
    assert list(cohort.contacts.columns) == ["participant_id", "contact_no", "day", "more_followup"]
    assert len(cohort.contacts) == 0
    assert cohort.contacts["contact_no"].dtype == "int64"


def test_values_are_case_insensitive_and_normalised_to_lower_case():
    result = check(
        participants=PARTICIPANTS.replace("completed", "Completed").replace("withdrew", "WITHDREW"),
        responses=RESPONSES.replace("thriving", "Thriving").replace(
            "peers;family", " Peers ; FAMILY ;"
        ),
        contacts=CONTACTS.replace("yes", "YES").replace("P01,2,12,no", "P01,2,12,No"),
    )
    assert result.problems == []
    participants, responses, contacts = expected_clean()
    pd.testing.assert_frame_equal(result.cohort.participants, participants)
    pd.testing.assert_frame_equal(result.cohort.responses, responses)
    pd.testing.assert_frame_equal(result.cohort.contacts, contacts)


def test_hand_built_raw_tables_use_file_rows():
    # A RawTables built by hand with a 0-based index: its first row is file row 2.
    raw = RawTables(
        {
            "participants": pd.DataFrame({"participant_id": ["A"], "arm": ["x"], "status": ["?"]}),
            "responses": pd.DataFrame({"participant_id": ["A"], "month": ["0"]}),
        }
    )
    result = validate(raw)
    assert keys(result.problems) == {("participants", 2, "status", "?", ERROR)}


# ---- errors ------------------------------------------------------------------------------------


def test_missing_required_file():
    result = check(participants=None)
    assert result.cohort is None
    assert ("participants", None, None, None, ERROR) in keys(result.problems)


def test_missing_required_column():
    result = check(participants=PARTICIPANTS.replace(",status,", ",state,"))
    assert result.cohort is None
    assert ("participants", None, "status", None, ERROR) in keys(result.problems)


def test_unknown_status():
    result = check(participants=PARTICIPANTS.replace("withdrew", "dropped out"))
    assert keys(result.problems) == {("participants", 3, "status", "dropped out", ERROR)}
    assert result.cohort is None


def test_blank_participant_id_and_arm():
    text = PARTICIPANTS + ",routine,completed,\nP04,,completed,\n"  # rows 5 and 6
    result = check(participants=text)
    assert keys(result.problems) == {
        ("participants", 5, "participant_id", "", ERROR),
        ("participants", 6, "arm", "", ERROR),
        ("participants", 6, "participant_id", "P04", WARNING),  # P04 has no responses
    }


def test_duplicate_participant_id():
    result = check(participants=PARTICIPANTS + "P01,routine,completed,\n")  # row 5
    assert keys(result.problems) == {("participants", 5, "participant_id", "P01", ERROR)}
    assert "row 2" in result.problems[0].message


def test_duplicate_participant_month():
    result = check(responses=RESPONSES + "P01,3.0,5,,0,,0,,\n")  # row 6 repeats row 3
    assert keys(result.problems) == {("responses", 6, "month", "3.0", ERROR)}
    assert "row 3" in result.problems[0].message


@pytest.mark.parametrize("month", ["12", "100000"])
def test_duplicate_participant_month_small_and_huge(month):
    # months up to 10**9 are valid; a large one takes the hashing path instead of the count.
    # By hand: rows 6 and 7 are P02's; row 7 repeats row 6; row 8 (P03, same month) does not.
    extra = f"P02,{month},5,,0,,0,,\nP02,{month},4,,0,,0,,\nP03,{month},4,,0,,0,,\n"
    result = check(responses=RESPONSES + extra)
    assert keys(result.problems) == {("responses", 7, "month", month, ERROR)}
    assert "row 6" in result.problems[0].message
    assert not check(responses=RESPONSES + extra.split("\n", 1)[1]).problems


def test_duplicate_participant_contact_no():
    result = check(contacts=CONTACTS + "P01,2,20,no\n")  # row 5 repeats row 3
    assert keys(result.problems) == {("contacts", 5, "contact_no", "2", ERROR)}
    assert "row 3" in result.problems[0].message


@pytest.mark.parametrize("table", ["responses", "contacts"])
def test_participant_id_not_in_participants(table):
    extra = {"responses": "P09,0,,,,,,,\n", "contacts": "P09,1,4,no\n"}[table]
    rows = {"responses": 6, "contacts": 5}[table]
    result = check(**{table: CLEAN[table] + extra})
    assert keys(result.problems) == {(table, rows, "participant_id", "P09", ERROR)}


@pytest.mark.parametrize("table", ["responses", "contacts"])
def test_blank_participant_id_in_responses_and_contacts(table):
    extra = {"responses": ",0,,,,,,,\n", "contacts": ",1,4,no\n"}[table]
    rows = {"responses": 6, "contacts": 5}[table]
    result = check(**{table: CLEAN[table] + extra})
    assert keys(result.problems) == {(table, rows, "participant_id", "", ERROR)}


@pytest.mark.parametrize("month", ["-1", "three", "1.5", "", "1e3"])
def test_month_must_be_whole_number_zero_or_more(month):
    result = check(responses=RESPONSES.replace("P02,0,4", f"P02,{month},4"))  # row 4
    assert keys(result.problems) == {("responses", 4, "month", month, ERROR)}


@pytest.mark.parametrize("stage", ["0", "7", "2.5", "x", "-1"])
def test_stage_outside_1_to_6_or_not_whole(stage):
    result = check(responses=RESPONSES.replace("P02,0,4,", f"P02,0,{stage},"))  # row 4
    assert keys(result.problems) == {("responses", 4, "stage", stage, ERROR)}


def test_stage6_path_missing_for_stage_6():
    result = check(responses=RESPONSES.replace("6,thriving", "6,"))  # row 3
    assert keys(result.problems) == {("responses", 3, "stage6_path", "", ERROR)}


def test_stage6_path_present_without_stage_6():
    result = check(responses=RESPONSES.replace("P01,0,2,,", "P01,0,2,surviving,"))  # row 2
    assert keys(result.problems) == {("responses", 2, "stage6_path", "surviving", ERROR)}
    # ... and with a blank stage
    result = check(responses=RESPONSES.replace("P01,0,2,,", "P01,0,,surviving,"))
    assert keys(result.problems) == {("responses", 2, "stage6_path", "surviving", ERROR)}


def test_stage6_path_not_in_vocabulary():
    result = check(responses=RESPONSES.replace("thriving", "flourishing"))  # row 3
    assert keys(result.problems) == {("responses", 3, "stage6_path", "flourishing", ERROR)}


def test_stage_6_without_a_stage6_path_column():
    text = "participant_id,month,stage\nP01,0,6\nP02,0,3\nP03,0,\n"
    result = check(responses=text)
    assert keys(result.problems) == {("responses", 2, "stage6_path", "", ERROR)}


@pytest.mark.parametrize("value", ["2", "yes", "-1", "0.5"])
def test_used_must_be_0_1_or_blank(value):
    result = check(responses=RESPONSES.replace("P02,0,4,,0,", f"P02,0,4,,{value},"))  # row 4
    assert keys(result.problems) == {("responses", 4, "used_peers", value, ERROR)}


def test_invalid_used_cell_does_not_cascade_into_warnings():
    # row 3: used_peers "y" with a rating and peers named most helpful: one error only
    result = check(responses=RESPONSES.replace("P01,3,6,thriving,1,", "P01,3,6,thriving,y,"))
    assert keys(result.problems) == {("responses", 3, "used_peers", "y", ERROR)}


@pytest.mark.parametrize("value", ["0", "6", "4.5", "good"])
def test_helpful_outside_1_to_5_or_not_whole(value):
    result = check(responses=RESPONSES.replace("P01,0,2,,1,4,", f"P01,0,2,,1,{value},"))  # row 2
    assert keys(result.problems) == {("responses", 2, "helpful_peers", value, ERROR)}


def test_most_helpful_code_not_a_resource():
    result = check(
        responses=RESPONSES.replace(
            "P03,0,6,surviving,0,,1,2,family", "P03,0,6,surviving,0,,1,2,family;chaplain"
        )
    )
    assert keys(result.problems) == {("responses", 5, "most_helpful", "family;chaplain", ERROR)}
    assert "'chaplain'" in result.problems[0].message


def test_most_helpful_more_than_three_codes():
    text = (
        "participant_id,month,used_a,used_b,used_c,used_d,most_helpful\n"
        "P01,0,1,1,1,1,a;b;c;d\n"  # row 2: four codes
        "P02,0,1,1,1,1,a;b;c;a\n"  # row 3: a repeated, three distinct: fine
        "P03,0,1,1,1,1,\n"
    )
    result = check(responses=text)
    assert keys(result.problems) == {("responses", 2, "most_helpful", "a;b;c;d", ERROR)}
    assert "4 resources" in result.problems[0].message


@pytest.mark.parametrize("value", ["0", "-2", "first", ""])
def test_contact_no_must_be_1_or_more(value):
    result = check(contacts=CONTACTS.replace("P03,1,3", f"P03,{value},3"))  # row 4
    assert keys(result.problems) == {("contacts", 4, "contact_no", value, ERROR)}


@pytest.mark.parametrize("value", ["-3", "3.5", "", "day 3"])
def test_day_must_be_0_or_more(value):
    result = check(contacts=CONTACTS.replace("P03,1,3,", f"P03,1,{value},"))  # row 4
    assert keys(result.problems) == {("contacts", 4, "day", value, ERROR)}


def test_day_decreasing_with_contact_no():
    # P01: contact 1 on day 5 (row 2), contact 2 on day 4 (row 3) -> row 3; rows out of order
    # in the file are compared by contact_no: P03 contact 2 (row 4) day 9, contact 1 (row 5)
    # day 10 -> the later contact, row 4, goes down.
    text = (
        "participant_id,contact_no,day,more_followup\n"
        "P01,1,5,yes\nP01,2,4,no\nP03,2,9,no\nP03,1,10,yes\n"
    )
    result = check(contacts=text)
    assert keys(result.problems) == {
        ("contacts", 3, "day", "4", ERROR),
        ("contacts", 4, "day", "9", ERROR),
    }
    message = next(p.message for p in result.problems if p.row == 4)
    assert "row 5" in message and "day 10" in message


def test_more_followup_must_be_yes_or_no():
    result = check(contacts=CONTACTS.replace("P01,2,12,no", "P01,2,12,maybe"))  # row 3
    assert keys(result.problems) == {("contacts", 3, "more_followup", "maybe", ERROR)}


def test_required_contact_columns():
    result = check(contacts="participant_id,contact_no\nP01,1\n")
    assert keys(result.problems) == {
        ("contacts", None, "day", None, ERROR),
        ("contacts", None, "more_followup", None, ERROR),
    }


def test_identifier_column_name_and_values():
    text = (
        "participant_id,arm,status,role,email\n"
        "P01,enhanced,completed,nurse,\n"
        "Jane Smith,routine,withdrew,call 555-123-4567,\n"  # row 3: a name and a phone
        "P03,améliorée,lost_to_follow_up,,\n"
    )
    result = check(participants=text)
    assert ("participants", None, "email", None, ERROR) in keys(result.problems)
    assert ("participants", 3, "participant_id", "J*** S***", ERROR) in keys(result.problems)
    assert ("participants", 3, "role", "call ***-***-4567", ERROR) in keys(result.problems)
    assert result.cohort is None
    # the full identifiers are never echoed
    assert not any("Jane" in (p.value or "") + p.message for p in result.problems)
    assert not any("555-123" in (p.value or "") + p.message for p in result.problems)


def test_identifier_masked_in_other_problems_too():
    result = check(participants=PARTICIPANTS.replace("withdrew", "jane@example.org"))
    assert ("participants", 3, "status", "j***@***.org", ERROR) in keys(result.problems)


def test_unnamed_resource_column():
    text = RESPONSES.replace("most_helpful\n", "most_helpful,used_\n").replace("\n", ",\n")
    text = text.replace("most_helpful,used_,\n", "most_helpful,used_\n")
    result = check(responses=text)
    assert keys(result.problems) == {("responses", None, "used_", None, ERROR)}


# ---- warnings -----------------------------------------------------------------------------------


def test_rating_for_unused_resource_is_blanked_with_a_warning():
    # row 4: P02 has used_peers 0 but helpful_peers 3, and used_family blank but
    # helpful_family 5. Only used_ = 1 keeps a rating, so both are warned about and blanked.
    text = RESPONSES.replace("P02,0,4,,0,,,,", "P02,0,4,,0,3,,5,")
    result = check(responses=text)
    assert keys(result.problems) == {
        ("responses", 4, "helpful_peers", "3", WARNING),
        ("responses", 4, "helpful_family", "5", WARNING),
    }
    cohort = result.cohort
    assert cohort is not None
    assert np.isnan(cohort.responses.loc[2, "helpful_peers"])
    assert np.isnan(cohort.responses.loc[2, "helpful_family"])
    assert cohort.warnings == tuple(result.problems)


def test_most_helpful_not_marked_used():
    # row 2: P01 baseline names family, but used_family is 0
    text = RESPONSES.replace("P01,0,2,,1,4,0,,peers", "P01,0,2,,1,4,0,,peers;family")
    result = check(responses=text)
    assert keys(result.problems) == {("responses", 2, "most_helpful", "peers;family", WARNING)}
    assert "used_family" in result.problems[0].message
    assert result.cohort.responses.loc[0, "most_helpful"] == "peers;family"


def test_participant_without_responses():
    result = check(participants=PARTICIPANTS + "P04,routine,completed,nurse\n")  # row 5
    assert keys(result.problems) == {("participants", 5, "participant_id", "P04", WARNING)}
    assert len(result.cohort.participants) == 4


def test_helpful_column_without_used_column_is_ignored():
    text = RESPONSES.replace("most_helpful\n", "most_helpful,helpful_eap\n")
    text = text.replace("peers\nP01,3", "peers,4\nP01,3")
    result = check(responses=text)
    assert keys(result.problems) == {("responses", None, "helpful_eap", None, WARNING)}
    assert "helpful_eap" not in result.cohort.responses
    assert result.cohort.resources == ("peers", "family")


def test_unknown_responses_column_is_ignored():
    text = RESPONSES.replace("most_helpful\n", "most_helpful,note\n")
    result = check(responses=text)
    assert keys(result.problems) == {("responses", None, "note", None, WARNING)}
    assert "note" not in result.cohort.responses


def test_extra_participant_columns_are_kept_as_text():
    text = PARTICIPANTS.replace("role\n", "role,age_band\n").replace("\n", ",\n")
    text = text.replace("role,age_band,\n", "role,age_band\n").replace("nurse,", "nurse,35-44")
    cohort = check(participants=text).cohort
    assert list(cohort.participants.columns) == [
        "participant_id",
        "arm",
        "status",
        "role",
        "age_band",
    ]
    assert cohort.participants["age_band"].tolist()[0] == "35-44"
    assert cohort.participants["age_band"].isna().tolist() == [False, True, True]


# ---- every problem at once, but readable ---------------------------------------------------------


def test_many_bad_cells_are_listed_up_to_50_then_summarised():
    # 120 extra participants (rows 5..124) with status "done": 50 listed + one summary.
    rows = "".join(f"X{i:03d},routine,done,\n" for i in range(120))
    result = check(participants=PARTICIPANTS + rows)
    status = [p for p in result.problems if p.column == "status"]
    assert len(status) == 51
    assert [p.row for p in status[:50]] == list(range(5, 55))
    assert status[50].row is None and "70 more rows" in status[50].message
    assert "This status is not one the dashboard knows" in status[50].message
    # the 120 have no responses either: a warning per row, capped the same way
    warned = [p for p in result.problems if p.severity == WARNING]
    assert len([p for p in warned if p.column == "participant_id"]) == 51
    # and role, filled in for 2 of 123 participants with 2 different values, is screened out
    assert [p.column for p in warned if p.column != "participant_id"] == ["role"]


def test_all_problems_reported_at_once_across_tables():
    result = check(
        participants=PARTICIPANTS.replace("withdrew", "gone"),
        responses=RESPONSES.replace("P02,0,4,", "P02,0,9,"),
        contacts=CONTACTS.replace("yes", "perhaps"),
    )
    assert keys(result.problems) == {
        ("participants", 3, "status", "gone", ERROR),
        ("responses", 4, "stage", "9", ERROR),
        ("contacts", 2, "more_followup", "perhaps", ERROR),
    }


def test_blank_rows_do_not_shift_row_numbers():
    text = RESPONSES.replace("P02,0,4,", "\n,,,,,,,,\nP02,x,4,")  # P02 is now on row 6
    result = check(responses=text)
    assert keys(result.problems) == {("responses", 6, "month", "x", ERROR)}


def test_whole_numbers_parsed_like_python_int():
    # Reference values by hand: int(text.split(".")[0]) for [+-]digits[.0*], within 10**9.
    from hoo_metrics.checks._cells import _parse_ints

    cells = ["3", "03", "+3", "3.0", "3.", "-0", "", "3.5", "1e3", " 3", "+-3", "1000000000"]
    cells += ["1000000001", "-1000000000", "000000000000007", "99999999999999999999", "٣"]
    number, blank, bad = _parse_ints(pd.Series(cells, dtype="str"))
    nan = np.nan
    expected = [3, 3, 3, 3, 3, 0, nan, nan, nan, nan, nan, 10**9, nan, -(10**9), 7, nan, nan]
    assert number.tolist() == pytest.approx(expected, nan_ok=True)
    assert blank.tolist() == [c == "" for c in cells]
    assert bad.tolist() == [
        False, False, False, False, False, False, False,  # whole numbers and the blank
        True, True, True, True,  # 3.5, 1e3, " 3" (cells are stripped before), +-3
        False, True, False, False, True, True,  # beyond 10**9 is bad; Arabic-Indic digit
    ]  # fmt: skip


def test_one_character_cells_parse_like_the_general_path():
    # A column whose cells are all blank or one byte long takes the arrow-buffer path. Every
    # ASCII character (NUL included), by hand: "0".."9" are their digit, "" is blank, anything
    # else is bad.
    from hoo_metrics.checks._cells import _parse_ints

    cells = [chr(b) for b in range(128)] + ["", "7", ""]
    number, blank, bad = _parse_ints(pd.Series(cells, dtype="str"))
    for i, cell in enumerate(cells):
        if cell in "0123456789" and cell:
            assert (number[i], blank[i], bad[i]) == (int(cell), False, False), cell
        else:
            assert np.isnan(number[i]) and blank[i] == (cell == "") and bad[i] == (cell != "")
    # a slice of a longer arrow array (non-zero offset) reads its own cells
    sliced = pd.Series(["12", "4", "", "x", "9"], dtype="str").iloc[1:]
    number, blank, bad = _parse_ints(sliced)
    assert number.tolist()[0] == 4 and np.isnan(number[1]) and number[3] == 9
    assert blank.tolist() == [False, True, False, False]
    assert bad.tolist() == [False, False, True, False]


def test_one_character_cells_read_block_by_block():
    # A column read from a CSV is stored in blocks (arrow chunks), read one by one without
    # joining them: an empty block, a block that is a slice of a longer array, and a block
    # with a longer cell (then the whole column takes the general path). By hand.
    import pyarrow as pa

    from hoo_metrics.arrowtext import series
    from hoo_metrics.checks._cells import _parse_ints

    def column(*blocks):
        return series(pa.chunked_array(blocks, type=pa.large_string()))

    sliced = pa.array(["9", "1", "", "x"], type=pa.large_string()).slice(1)  # "1", "", "x"
    empty = pa.array([], type=pa.large_string())
    number, blank, bad = _parse_ints(column(pa.array(["3", ""], pa.large_string()), empty, sliced))
    assert number[[0, 2]].tolist() == [3, 1] and np.isnan(number[[1, 3, 4]]).all()
    assert blank.tolist() == [False, True, False, True, False]
    assert bad.tolist() == [False, False, False, False, True]
    # the last block has "12": every cell parsed by the general path, the same way
    out = np.full(5, -1.0)
    number, blank, bad = _parse_ints(
        column(
            pa.array(["3", ""], pa.large_string()), pa.array(["x", "12", "4"], pa.large_string())
        ),
        out=out,
    )
    assert number is out
    assert number[[0, 3, 4]].tolist() == [3, 12, 4] and np.isnan(number[[1, 2]]).all()
    assert blank.tolist() == [False, True, False, False, False]
    assert bad.tolist() == [False, False, True, False, False]


def test_identifier_ids_are_reported_in_every_table_they_appear_in():
    # The participant_id screen runs once over the participants' distinct ids and is looked up
    # for the other tables; an id not in participants is screened where it appears. By hand:
    # P01 -> an e-mail address (participants row 2; responses rows 2, 3; contacts rows 2, 3),
    # an unknown phone number in responses row 4 (also "not in the participants table").
    email, phone = "jane.doe@example.org", "555-123-4567"
    result = check(
        participants=PARTICIPANTS.replace("P01", email),
        responses=RESPONSES.replace("P01", email).replace("P02,0,4", f"{phone},0,4"),
        contacts=CONTACTS.replace("P01", email),
    )
    looks = [p for p in result.problems if "looks like" in p.message]
    assert sorted((p.table, p.row) for p in looks) == [
        ("contacts", 2),
        ("contacts", 3),
        ("participants", 2),
        ("responses", 2),
        ("responses", 3),
        ("responses", 4),
    ]
    by_row = {(p.table, p.row): p for p in looks}
    assert "an e-mail address" in by_row[("responses", 2)].message
    assert "a phone" in by_row[("responses", 4)].message
    assert all(email not in (p.value or "") and phone not in (p.value or "") for p in looks)
    # the same problems as screening each table's column on its own (no shared look-up)
    from hoo_metrics.checks._cells import _prepare
    from hoo_metrics.identifiers import screen_values

    raw = read_tables(
        files(
            participants=PARTICIPANTS.replace("P01", email),
            responses=RESPONSES.replace("P01", email).replace("P02,0,4", f"{phone},0,4"),
            contacts=CONTACTS.replace("P01", email),
        )
    )
    alone = []
    for table in ("participants", "responses", "contacts"):
        alone += screen_values(table, _prepare(raw.tables[table]), ["participant_id"])
    assert [p for p in alone] == [p for p in looks if p.column == "participant_id"]


def test_the_cohort_gets_the_validators_positions_equal_to_a_fresh_look_up():
    # the validator already found each response's and contact's participant; the Cohort keeps
    # those positions. A fresh Cohort of the same tables looks them up again: they must agree.
    # By hand on the clean cohort: responses P01, P01, P02, P03 -> 0, 0, 1, 2; contacts P01,
    # P01, P03 -> 0, 0, 2.
    from dataclasses import replace

    cohort = check().cohort
    assert "response_positions" in cohort.__dict__  # handed over, not looked up
    assert cohort.response_positions.tolist() == [0, 0, 1, 2]
    assert cohort.contact_positions.tolist() == [0, 0, 2]
    assert not cohort.response_positions.flags.writeable
    fresh = replace(cohort)
    assert "response_positions" not in fresh.__dict__
    assert fresh.response_positions.tolist() == [0, 0, 1, 2]
    assert fresh.contact_positions.tolist() == [0, 0, 2]


def test_the_cohort_gets_the_validators_most_helpful_flags_equal_to_a_fresh_reading():
    # the validator splits each distinct most_helpful text while checking it; the Cohort keeps
    # those flags. By hand on the clean cohort (resources peers, family): rows "peers",
    # "peers;family", blank, "family" -> peers T T F F, family F T F T. A fresh Cohort of the
    # same tables reads the texts again: the two must agree.
    from dataclasses import replace

    cohort = check().cohort
    assert "most_helpful_flags" in cohort.__dict__  # handed over, not read again
    assert cohort.most_helpful_flags.tolist() == [
        [True, False],
        [True, True],
        [False, False],
        [False, True],
    ]
    assert not cohort.most_helpful_flags.flags.writeable
    fresh = replace(cohort)
    assert "most_helpful_flags" not in fresh.__dict__
    assert fresh.most_helpful_flags.tolist() == cohort.most_helpful_flags.tolist()
    # the analysis set (P01 completed: rows 1 and 2) carries them to its rows
    done = cohort.analysis_set("completed")
    assert "most_helpful_flags" in done.__dict__
    assert done.most_helpful_flags.tolist() == [[True, False], [True, True]]
    assert done.most_helpful_matrix["family"].tolist() == [False, True]


# ---- descriptive participant columns: names, free text, mostly unique ---------------------------


def with_column(name: str, cells: list[str]) -> str:
    """PARTICIPANTS with one more column (rows 2, 3, 4) and, past the third cell, one more
    participant per cell (P04, P05, ...; routine, completed, nurse)."""
    lines = PARTICIPANTS.splitlines()
    out = [f"{lines[0]},{name}"]
    out += [f"{line},{cell}" for line, cell in zip(lines[1:], cells, strict=False)]
    out += [f"P{i:02d},routine,completed,nurse,{cell}" for i, cell in enumerate(cells[3:], 4)]
    return "\n".join(out) + "\n"


def test_person_names_in_a_participant_column_are_an_error():
    text = with_column("supporter", ["Jane Smith", "Bob Jones", ""])
    result = check(participants=text)
    assert result.cohort is None
    (problem,) = [p for p in result.problems if p.column == "supporter"]
    assert (problem.table, problem.row, problem.value, problem.severity) == (
        "participants",
        2,
        "J*** S***",
        ERROR,
    )
    assert problem.message == (
        "The column supporter of participants.csv cannot be loaded: its values look like "
        "people's names (2 of its 2 different values). Names identify people directly and must "
        "not be in the cohort files. Remove the column, or recode it into a few categories that "
        "name no one (such as supporter_a, supporter_b)."
    )
    assert "Jane" not in str(result.problems)


def test_a_titled_name_in_notes_is_an_error_and_never_echoed():
    result = check(participants=with_column("notes", ["", "talked to Dr. Jane Smith", ""]))
    assert result.cohort is None
    (problem,) = [p for p in result.problems if p.column == "notes"]
    assert (problem.row, problem.value) == (3, "t*** t*** D***. J*** S***")
    assert "a title such as Dr. or Mrs." in problem.message
    assert "Smith" not in str(result.problems)


def test_free_text_participant_column_is_not_loaded_with_a_warning():
    text = with_column("notes", ["felt supported by the whole team", "", "wanted more follow-up"])
    result = check(participants=text)
    assert result.cohort is not None
    assert [(p.table, p.row, p.column, p.value, p.severity) for p in result.problems] == [
        ("participants", None, "notes", None, WARNING)
    ]
    assert result.problems[0].message == (
        "The column notes of participants.csv was not loaded: its values look like free text "
        "(1 of its 2 filled-in cells have 5 words or more), so its values could tell who a "
        "participant is. It is not offered as a grouping or filter and its values are shown "
        "nowhere. To use it, recode it into a few categories shared by several participants "
        "(bands or codes); otherwise remove it from the file."
    )
    cohort = result.cohort
    assert "notes" not in cohort.participants
    assert "notes" not in cohort.participant_columns
    assert cohort.screened == {
        "notes": "its values look like free text (1 of its 2 filled-in cells have 5 words or more)"
    }
    # the filtered and analysed cohorts keep the verdict (nothing recomputed on a subset)
    assert cohort.analysis_set().screened == cohort.screened
    assert cohort.filter({"arm": ["routine"]}).screened == cohort.screened


def test_mostly_unique_participant_column_is_not_loaded_with_a_warning():
    # 13 participants (more than a handful), each with a code of their own
    text = with_column("badge", [f"B{i:02d}" for i in range(13)])
    result = check(participants=text)
    (problem,) = [p for p in result.problems if p.column == "badge"]
    assert problem.severity == WARNING
    assert problem.message.startswith(
        "The column badge of participants.csv was not loaded: most participants have a value of "
        "their own (13 of its 13 filled-in cells hold a value no other participant has), so "
    )
    assert "badge" not in result.cohort.participants
    assert result.cohort.participant_columns == ["arm", "role"]


def test_ordinary_descriptive_columns_load_and_are_offered():
    cells = ["30-39", "40-49", "30-39"] + ["40-49", "30-39"] * 6
    result = check(participants=with_column("age_band", cells))
    assert not [p for p in result.problems if p.column in ("age_band", "role")]
    assert result.cohort.participant_columns == ["arm", "role", "age_band"]
    assert result.cohort.screened == {}


def test_cli_refuses_to_group_by_a_screened_column(tmp_path, capsys):
    from hoo_metrics.cli import main

    text = with_column("notes", ["felt supported by the whole team", "", "wanted more follow-up"])
    for name, data in files(participants=text).items():
        (tmp_path / name).write_bytes(data)
    for command in (
        ["summary"],
        ["report", "--out", str(tmp_path / "r.html")],
        ["export", "--out", str(tmp_path / "out")],
    ):
        capsys.readouterr()
        assert main([*command, str(tmp_path), "--group-by", "notes"]) == 2
        err = capsys.readouterr().err
        assert err == (
            "error: --group-by 'notes': the column notes of participants.csv cannot be used for "
            "grouping or filters: its values look like free text (1 of its 2 filled-in cells "
            "have 5 words or more). Recode it into a few categories shared by several "
            "participants, or group by another column. Choose one of: arm, role.\n"
        )
    assert not (tmp_path / "r.html").exists() and not (tmp_path / "out").exists()
    assert main(["summary", str(tmp_path), "--group-by", "shoe_size"]) == 2
    assert "participants.csv has no such column" in capsys.readouterr().err
