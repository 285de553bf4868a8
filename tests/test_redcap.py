"""Tests for hoo_metrics.io.redcap: a REDCap records export + data dictionary -> the cohort.

The tiny project below is written by hand (not by to_redcap), and its expected tables are
worked out from the rows by reading them, in the comments.
"""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benchmarks.generate import generate
from hoo_metrics.checks.validate import validate
from hoo_metrics.io.load import read_tables
from hoo_metrics.io.redcap import (
    DICTIONARY_FILE,
    RECORDS_FILE,
    REDCAP_SAMPLE_DIR,
    convert,
    event_month,
    is_dictionary,
    is_records,
    to_redcap,
)
from hoo_metrics.present.summary import summary
from hoo_metrics.problems import ERROR, WARNING, Problem
from hoo_metrics.sample import generate_sample, load_sample, write_redcap_sample

DICTIONARY = """\
Variable / Field Name,Form Name,Section Header,Field Type,Field Label,"Choices, Calculations, OR Slider Labels",Field Note,Text Validation Type OR Show Slider Number,Text Validation Min,Text Validation Max,Identifier?
record_id,enrollment,,text,Participant ID,,,,,,
arm,enrollment,,radio,Arm,"a, Arm A | b, Arm B",,,,,
status,enrollment,,radio,Status,"completed, Completed | withdrew, Withdrew | lost_to_follow_up, Lost",,,,,
site,enrollment,,text,Site,,,,,,
stage,survey,,radio,Stage,"1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5 | 6, 6",,,,,
stage6_path,survey,,radio,Path,"dropping_out, D | surviving, S | thriving, T",,,,,
resources_used,survey,,checkbox,Used,"peers, Peers | family, Family",,,,,
helpful_peers,survey,,radio,Helpful,"1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5",,,,,
helpful_family,survey,,radio,Helpful,"1, 1 | 2, 2 | 3, 3 | 4, 4 | 5, 5",,,,,
most_helpful,survey,,checkbox,Most helpful,"peers, Peers | family, Family",,,,,
day,peer_contact,,text,Day,,,integer,0,,
more_followup,peer_contact,,yesno,More,,,,,,
"""  # noqa: E501

HEADER = (
    "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance,arm,status,site,"
    "enrollment_complete,stage,stage6_path,resources_used___peers,resources_used___family,"
    "helpful_peers,helpful_family,most_helpful___peers,most_helpful___family,survey_complete,"
    "day,more_followup,peer_contact_complete"
)
# File rows (header = row 1):
# 2 P1 baseline: enrolment a/completed/north; stage 3, used peers (rated 4), most helpful peers
# 3 P1 contact 1: day 5, more_followup 1 (yes)
# 4 P1 contact 2: day 30, more_followup 0 (no)
# 5 P1 month 3: stage 6 thriving, used both (5, 3), most helpful family
# 6 P2 baseline: enrolment b/completed/south; stage 2, used family (5), most helpful family
# 7 P2 month 3: survey opened and left empty (boxes 0, Incomplete 0) -> no response
# 8 P2 month 6: stage 6 surviving, nothing used, Complete 2 -> a response with used 0, 0
RECORDS = f"""\
{HEADER}
P1,baseline_arm_1,,,a,completed,north,2,3,,1,0,4,,1,0,2,,,
P1,baseline_arm_1,peer_contact,1,,,,,,,,,,,,,,5,1,2
P1,baseline_arm_1,peer_contact,2,,,,,,,,,,,,,,30,0,2
P1,month_3_arm_1,,,,,,,6,thriving,1,1,5,3,0,1,2,,,
P2,baseline_arm_1,,,b,completed,south,2,2,,0,1,,5,0,1,2,,,
P2,month_3_arm_1,,,,,,,,,0,0,,,0,0,0,,,
P2,month_6_arm_1,,,,,,,6,surviving,0,0,,,0,0,2,,,
"""


def upload(records: str = RECORDS, dictionary: str | None = DICTIONARY) -> dict[str, bytes]:
    files = {"records.csv": records.encode()}
    if dictionary is not None:
        files["dictionary.csv"] = dictionary.encode()
    return files


def edit(text: str, row: int, column: str, value: str) -> str:
    """The CSV text with the cell at file row ``row`` (header = 1) and ``column`` replaced."""
    rows = list(csv.reader(io.StringIO(text)))
    rows[row - 1][rows[0].index(column)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def problems_of(files: dict[str, bytes]) -> list[Problem]:
    raw = read_tables(files)
    return raw.relabel(validate(raw).problems)


def errors_of(files) -> list[Problem]:
    return [p for p in problems_of(files) if p.is_error]


# ---- the hand-written project ------------------------------------------------------------------


def test_tiny_project_converts_to_the_hand_worked_tables():
    raw = read_tables(upload())
    assert raw.problems == []
    assert raw.files == {t: "records.csv" for t in ("participants", "responses", "contacts")}
    p = raw.tables["participants"]
    assert p.index.tolist() == [2, 6]  # each participant's first row with enrolment data
    assert p.to_dict("list") == {
        "participant_id": ["P1", "P2"],
        "arm": ["a", "b"],
        "status": ["completed", "completed"],
        "site": ["north", "south"],
    }
    r = raw.tables["responses"]
    assert r.index.tolist() == [2, 5, 6, 8]  # row 7 (opened, unanswered) gives no response
    assert r.to_dict("list") == {
        "participant_id": ["P1", "P1", "P2", "P2"],
        "month": ["0", "3", "0", "6"],
        "stage": ["3", "6", "2", "6"],
        "stage6_path": ["", "thriving", "", "surviving"],
        "used_peers": ["1", "1", "0", "0"],
        "used_family": ["0", "1", "1", "0"],
        "helpful_peers": ["4", "5", "", ""],
        "helpful_family": ["", "3", "5", ""],
        "most_helpful": ["peers", "family", "family", ""],
    }
    c = raw.tables["contacts"]
    assert c.index.tolist() == [3, 4]
    assert c.to_dict("list") == {
        "participant_id": ["P1", "P1"],
        "contact_no": ["1", "2"],  # redcap_repeat_instance
        "day": ["5", "30"],
        "more_followup": ["yes", "no"],  # yes/no field: 1 -> yes, 0 -> no
    }
    result = validate(raw)
    assert result.problems == []
    cohort = result.cohort
    assert cohort.resources == ("peers", "family")
    assert cohort.responses["month"].tolist() == [0, 3, 0, 6]
    assert cohort.contacts["more_followup"].tolist() == [True, False]


def test_unanswered_wave_gives_blank_not_zero():
    # Row 7 holds only unchecked boxes and survey_complete 0: no month-3 response for P2, so
    # P2's month-3 resource use is unknown (absent), not "used nothing".
    cohort = validate(read_tables(upload())).cohort
    p2 = cohort.responses[cohort.responses["participant_id"] == "P2"]
    assert p2["month"].tolist() == [0, 6]
    # The same row marked Complete (2) is an answer: nothing used at month 3.
    answered = edit(RECORDS, 7, "survey_complete", "2")
    cohort = validate(read_tables(upload(answered))).cohort
    p2 = cohort.responses[cohort.responses["participant_id"] == "P2"].set_index("month")
    assert p2.loc[3, ["used_peers", "used_family"]].tolist() == [0.0, 0.0]
    assert np.isnan(p2.loc[3, "stage"])
    # ... and so is one checked box with the status left Incomplete (0).
    ticked = edit(RECORDS, 7, "resources_used___family", "1")
    cohort = validate(read_tables(upload(ticked))).cohort
    p2 = cohort.responses[cohort.responses["participant_id"] == "P2"].set_index("month")
    assert p2.loc[3, ["used_peers", "used_family"]].tolist() == [0.0, 1.0]


def test_month_field_takes_precedence_over_event_names():
    dictionary = DICTIONARY.replace(
        "stage,survey,", "month,survey,,text,Month,,,integer,0,,\nstage,survey,", 1
    )
    header = HEADER.replace("stage,stage6_path", "month,stage,stage6_path", 1)
    lines = RECORDS.splitlines()
    body = []
    # the events are called visit_1 .. visit_3: only the month field tells the month
    for line, month in zip(lines[1:], ["0", "", "", "3", "0", "", "6"], strict=True):
        cells = line.split(",")
        cells[1] = {"baseline_arm_1": "visit_1_arm_1", "month_3_arm_1": "visit_2_arm_1"}.get(
            cells[1], "visit_3_arm_1"
        )
        cells.insert(8, month)
        body.append(",".join(cells))
    records = "\n".join([header, *body]) + "\n"
    raw = read_tables(upload(records, dictionary))
    assert [p for p in raw.problems if p.is_error] == []
    assert raw.tables["responses"]["month"].tolist() == ["0", "3", "0", "6"]
    assert validate(raw).ok


def test_event_names_to_months():
    assert event_month("baseline_arm_1") == 0
    assert event_month("month_3_arm_1") == 3
    assert event_month("month_12_arm_2") == 12
    assert event_month("6_months_arm_1") == 6
    assert event_month("m9_arm_1") == 9
    assert event_month("followup_arm_1") is None
    assert event_month("arm_3") is None  # an arm number is not a month
    # a project whose event names say no month can map them explicitly
    records = RECORDS.replace("month_3_arm_1", "followup_1_arm_1").replace(
        "month_6_arm_1", "followup_2_arm_1"
    )
    frame = pd.read_csv(io.StringIO(records), dtype=str, keep_default_na=False)
    dictionary = pd.read_csv(io.StringIO(DICTIONARY), dtype=str, keep_default_na=False)
    converted = convert(
        frame, dictionary, event_months={"followup_1_arm_1": 3, "followup_2_arm_1": 6}
    )
    assert converted.problems == []
    assert converted.tables["responses"]["month"].tolist() == ["0", "3", "0", "6"]


def test_recognises_redcap_headers():
    assert is_dictionary(["Variable / Field Name", "Form Name", "Field Type"])
    assert is_dictionary(["field_name", "form_name", "field_type"])  # API metadata
    assert is_records(["record_id", "redcap_event_name", "arm"])
    assert is_records(["study_id", "redcap_repeat_instrument"])
    assert is_records(["record_id", "arm", "enrollment_complete"])  # a classic project
    assert not is_records(["participant_id", "arm", "status"])


def _frame(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)


@pytest.mark.parametrize("n_codes", [3, 62, 70])
def test_checkbox_patterns_are_joined_per_row(n_codes):
    # A checkbox of n_codes choices c00, c01, ...; each wave ticks the boxes listed below, some
    # patterns repeat on rows far apart. Checked codes are joined with ";" in column order.
    # (62 choices still fit one integer per pattern, 70 do not: both ways must agree.)
    codes = [f"c{i:02d}" for i in range(n_codes)]
    last = codes[-1]
    dictionary = "\n".join(
        [
            DICTIONARY.splitlines()[0],
            "record_id,enrollment,,text,ID,,,,,,",
            'arm,enrollment,,radio,Arm,"a, A",,,,,',
            'status,enrollment,,radio,Status,"completed, C",,,,,',
            "stage,survey,,radio,Stage,,,,,,",
            'most_helpful,survey,,checkbox,Most,"'
            + " | ".join(f"{c}, {c}" for c in codes)
            + '",,,,,',
        ]
    )
    ticked = [{0, n_codes - 1}, set(), {n_codes - 1}, {1}, {0, n_codes - 1}, {0, 1, 2}, set()]
    expected = [f"c00;{last}", "", last, "c01", f"c00;{last}", "c00;c01;c02", ""]
    header = ["record_id", "redcap_event_name", "arm", "status", "stage"]
    header += [f"most_helpful___{c}" for c in codes] + ["survey_complete"]
    lines = [",".join(header)]
    for i, boxes in enumerate(ticked):
        flags = ["1" if j in boxes else "0" for j in range(n_codes)]
        lines.append(",".join([f"P{i}", "baseline_arm_1", "a", "completed", "2", *flags, "2"]))
    converted = convert(_frame("\n".join(lines) + "\n"), _frame(dictionary + "\n"))
    assert converted.problems == []
    responses = converted.tables["responses"]
    assert responses.index.tolist() == list(range(2, 2 + len(ticked)))
    assert responses["most_helpful"].tolist() == expected
    assert responses["participant_id"].tolist() == [f"P{i}" for i in range(len(ticked))]


def test_events_without_a_month_are_reported_at_their_rows():
    # Row 5 (P1, answered) gets an event saying no month, row 8 (P2, answered) no event at
    # all, row 7 (P2, opened and unanswered) an unknown event too: only the answered rows are
    # problems, in row order, and they leave the responses; rows 2 and 6 stay.
    bad = edit(RECORDS, 5, "redcap_event_name", "followup_arm_1")
    bad = edit(bad, 7, "redcap_event_name", "visit_arm_1")
    bad = edit(bad, 8, "redcap_event_name", "")
    converted = convert(_frame(bad), _frame(DICTIONARY), records_label="records.csv")
    assert [(p.table, p.row, p.column, p.value) for p in converted.problems] == [
        ("records.csv", 5, "redcap_event_name", "followup_arm_1"),
        ("records.csv", 8, "redcap_event_name", None),
    ]
    assert "The event followup_arm_1 is not a survey wave" in converted.problems[0].message
    assert "no event and no month" in converted.problems[1].message
    assert all(p.is_error for p in converted.problems)
    responses = converted.tables["responses"]
    assert responses.index.tolist() == [2, 6]
    assert responses["month"].tolist() == ["0", "0"]
    # mapped explicitly, the event gives its month and only the blank event is left
    mapped = convert(_frame(bad), _frame(DICTIONARY), event_months={"FollowUp_Arm_1": 3})
    assert [p.row for p in mapped.problems] == [8]
    assert mapped.tables["responses"]["month"].tolist() == ["0", "3", "0"]


def test_participant_row_is_the_first_with_enrolment_data_else_the_first_row():
    # P1's enrolment data moves from row 2 to its month-3 row 5; P3 only has a contact (row 9)
    # and P4 only an event row without enrolment data (row 10): they keep their first row.
    records = edit(RECORDS, 2, "arm", "")
    records = edit(records, 2, "status", "")
    records = edit(records, 2, "site", "")
    records = edit(records, 5, "arm", "a")
    records = edit(records, 5, "status", "completed")
    records += "P3,baseline_arm_1,peer_contact,1" + "," * 14 + "4,1,2\n"
    records += "P4,baseline_arm_1,,," + "," * 15 + "\n"
    converted = convert(_frame(records), _frame(DICTIONARY))
    participants = converted.tables["participants"]
    assert participants.index.tolist() == [5, 6, 9, 10]
    assert participants.to_dict("list") == {
        "participant_id": ["P1", "P2", "P3", "P4"],
        "arm": ["a", "b", "", ""],
        "status": ["completed", "completed", "", ""],
        "site": ["", "south", "", ""],
    }


# ---- problems name the REDCap row and field ------------------------------------------------------


def test_validator_problems_point_at_the_redcap_row_and_field():
    bad = edit(RECORDS, 5, "stage", "9")  # P1 month 3
    bad = edit(bad, 8, "helpful_peers", "4")  # P2 month 6 rated peers without using them
    bad = edit(bad, 4, "day", "3")  # contact 2 before contact 1 (day 5)
    problems = problems_of(upload(bad))
    where = {(p.table, p.row, p.column, p.severity) for p in problems}
    assert ("records.csv", 5, "stage", ERROR) in where
    assert ("records.csv", 8, "helpful_peers", WARNING) in where
    assert ("records.csv", 4, "day", ERROR) in where
    assert all(p.table == "records.csv" for p in problems)


def test_checkbox_problems_name_the_checkbox_column():
    bad = edit(RECORDS, 2, "resources_used___family", "Checked")  # a label export
    errors = errors_of(upload(bad))
    assert [(p.table, p.row, p.column, p.value) for p in errors] == [
        ("records.csv", 2, "resources_used___family", "Checked")
    ]
    assert "0 (not used)" in errors[0].message
    # most-helpful family without using family: the validator's warning names the checkbox
    warn = edit(RECORDS, 6, "resources_used___family", "0")
    problems = problems_of(upload(warn))
    assert ("records.csv", 6, "most_helpful") in {(p.table, p.row, p.column) for p in problems}


def test_duplicate_contact_instance_names_the_repeat_instance():
    bad = edit(RECORDS, 4, "redcap_repeat_instance", "1")
    errors = errors_of(upload(bad))
    assert [(p.table, p.row, p.column) for p in errors] == [
        ("records.csv", 4, "redcap_repeat_instance")
    ]


def test_unknown_event_is_an_error_at_its_row():
    bad = edit(RECORDS, 5, "redcap_event_name", "followup_arm_1")
    errors = errors_of(upload(bad))
    assert [(p.table, p.row, p.column, p.value) for p in errors] == [
        ("records.csv", 5, "redcap_event_name", "followup_arm_1")
    ]
    assert "month_3_arm_1" in errors[0].message
    # an event that only holds enrolment data needs no month
    ok = RECORDS.replace("P1,baseline_arm_1,,,a", "P1,enrollment_arm_1,,,a")
    ok = edit(ok, 2, "stage", "")
    for col in ("resources_used___peers", "most_helpful___peers", "helpful_peers"):
        ok = edit(ok, 2, col, "0" if "___" in col else "")
    ok = edit(ok, 2, "survey_complete", "")
    assert errors_of(upload(ok)) == []


def test_missing_dictionary_is_a_clear_error():
    raw = read_tables(upload(dictionary=None))
    result = validate(raw)
    assert result.cohort is None
    errors = [p for p in raw.relabel(result.problems) if p.is_error]
    assert len(errors) == 1  # no extra "participants table missing" noise
    assert errors[0].table == "records.csv"
    assert "data dictionary" in errors[0].message
    only_dictionary = {"dictionary.csv": DICTIONARY.encode()}
    raw = read_tables(only_dictionary)
    errors = [p for p in raw.relabel(validate(raw).problems) if p.is_error]
    assert len(errors) == 1 and "records" in errors[0].message
    assert errors[0].table == "dictionary.csv"


def test_checkbox_code_not_in_dictionary():
    records = RECORDS.replace("resources_used___family,", "resources_used___yoga,", 1)
    errors = errors_of(upload(records))
    # family is then no resource of the cohort, so the two waves naming it most helpful
    # (rows 5 and 6) are errors too
    assert [(p.table, p.row, p.column) for p in errors] == [
        ("records.csv", None, "resources_used___yoga"),
        ("records.csv", 5, "most_helpful"),
        ("records.csv", 6, "most_helpful"),
    ]
    assert "yoga is not a choice of the checkbox field resources_used" in errors[0].message


def test_dictionary_without_required_fields_or_survey():
    no_status = "\n".join(
        line for line in DICTIONARY.splitlines() if not line.startswith("status,")
    )
    errors = errors_of(upload(dictionary=no_status + "\n"))
    assert [(p.table, p.column) for p in errors] == [("dictionary.csv", "status")]
    wrong_codes = DICTIONARY.replace("lost_to_follow_up, Lost", "3, Lost")
    errors = errors_of(upload(dictionary=wrong_codes))
    assert [(p.table, p.row) for p in errors] == [("dictionary.csv", 4)]
    assert "lost_to_follow_up" in errors[0].message
    not_a_dictionary = "Variable / Field Name,Field Type\nrecord_id,text\n"
    errors = errors_of(upload(dictionary=not_a_dictionary))
    assert [(p.table, p.column) for p in errors] == [("dictionary.csv", "Form Name")]


def test_identifier_tagged_field_is_refused():
    dictionary = DICTIONARY.replace(
        "site,enrollment,,text,Site,,,,,,", "site,enrollment,,text,Site,,,,,,y"
    )
    errors = errors_of(upload(dictionary=dictionary))
    assert [(p.table, p.column) for p in errors] == [("records.csv", "site")]
    assert "identifier" in errors[0].message


def test_conflicting_enrolment_values_across_events():
    bad = edit(RECORDS, 5, "arm", "b")  # P1 is a at baseline (row 2), b at month 3 (row 5)
    errors = errors_of(upload(bad))
    assert [(p.table, p.row, p.column, p.value) for p in errors] == [("records.csv", 5, "arm", "b")]


def test_other_columns_and_repeating_instruments_are_ignored_with_a_warning():
    records = RECORDS.replace(HEADER, HEADER + ",survey_timestamp,notes").replace("\n", ",,\n")
    records = records.replace(
        HEADER + ",survey_timestamp,notes,,", HEADER + ",survey_timestamp,notes"
    )
    records += "P1,baseline_arm_1,medication,1" + "," * 18 + "\n"
    problems = problems_of(upload(records))
    assert all(not p.is_error for p in problems)
    assert {(p.row, p.column) for p in problems} == {
        (None, "notes"),
        (9, "redcap_repeat_instrument"),
    }


# ---- the sample cohort as a REDCap export --------------------------------------------------------


def test_sample_export_round_trips_to_the_same_summary():
    raw = read_tables(REDCAP_SAMPLE_DIR)
    result = validate(raw)
    assert result.problems == []
    sample = load_sample()
    assert summary(result.cohort) == summary(sample)
    assert summary(result.cohort, population="all", group_by="role") == summary(
        sample, population="all", group_by="role"
    )
    # The tables are the sample's; most_helpful lists the same codes (in dictionary order).
    pd.testing.assert_frame_equal(result.cohort.participants, sample.participants)
    pd.testing.assert_frame_equal(result.cohort.contacts, sample.contacts)
    ours = result.cohort.responses
    theirs = sample.responses
    pd.testing.assert_frame_equal(
        ours.drop(columns="most_helpful"), theirs.drop(columns="most_helpful")
    )
    as_sets = [
        set(str(v).split(";")) if isinstance(v, str) else set() for v in ours["most_helpful"]
    ]
    assert as_sets == [
        set(str(v).split(";")) if isinstance(v, str) else set() for v in theirs["most_helpful"]
    ]


def test_sample_export_as_upload_and_zip():
    records = (REDCAP_SAMPLE_DIR / RECORDS_FILE).read_bytes()
    dictionary = (REDCAP_SAMPLE_DIR / DICTIONARY_FILE).read_bytes()
    expected = summary(load_sample())
    files = {RECORDS_FILE: io.BytesIO(records), DICTIONARY_FILE: io.BytesIO(dictionary)}
    assert summary(validate(read_tables(files)).cohort) == expected
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(f"export/{RECORDS_FILE}", records)
        archive.writestr(f"export/{DICTIONARY_FILE}", dictionary)
    assert summary(validate(read_tables({"redcap.zip": buffer.getvalue()})).cohort) == expected


def test_sample_export_shows_the_unanswered_wave_rule():
    # Completers who skipped a follow-up wave appear as an opened, empty survey (all boxes 0,
    # survey_complete 0); the sample has two such waves (README: one completer without a
    # 3-month and one without a 6-month response) and none becomes a response.
    records = pd.read_csv(REDCAP_SAMPLE_DIR / RECORDS_FILE, dtype=str, keep_default_na=False)
    opened = records[records["survey_complete"] == "0"]
    assert len(opened) == 2
    boxes = [c for c in records if c.startswith(("resources_used___", "most_helpful___"))]
    assert (opened[boxes] == "0").all().all()
    responses = load_sample().responses
    for pid, event in zip(opened["record_id"], opened["redcap_event_name"], strict=True):
        month = event_month(event)
        assert not ((responses["participant_id"] == pid) & (responses["month"] == month)).any()


def test_committed_sample_export_regenerates_byte_identically(tmp_path):
    paths = write_redcap_sample(tmp_path)
    assert sorted(p.name for p in paths) == sorted([RECORDS_FILE, DICTIONARY_FILE])
    for path in paths:
        assert path.read_bytes() == (REDCAP_SAMPLE_DIR / path.name).read_bytes(), path.name


def _generated_cohort(n: int) -> dict[str, pd.DataFrame]:
    """benchmarks.generate's cohort as text, the way a CSV upload reads it. A REDCap checkbox
    holds no blank, so blank used_ answers become 0 (not used)."""
    tables = {}
    for name, frame in generate(n, seed=3).items():
        tables[name] = pd.read_csv(
            io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False
        )
    used = [c for c in tables["responses"] if c.startswith("used_")]
    tables["responses"][used] = tables["responses"][used].replace("", "0")
    return tables


def test_generated_cohort_round_trips_through_a_redcap_export():
    tables = _generated_cohort(300)
    # contacts given newest first: the export keeps the order given
    tables["contacts"] = tables["contacts"].iloc[::-1].reset_index(drop=True)
    participants, contacts = tables["participants"], tables["contacts"]
    responses = tables["responses"]
    # Every 7th completer skipped the month-6 wave: an opened, empty survey in the export.
    completers = participants.loc[participants["status"] == "completed", "participant_id"]
    skipped = set(completers.iloc[::7])
    dropped = responses["participant_id"].isin(skipped) & (responses["month"] == "6")
    assert 0 < dropped.sum() == len(skipped)  # completers answer every wave
    responses = responses[~dropped].reset_index(drop=True)
    tables["responses"] = responses

    records, dictionary = to_redcap(tables)

    # One baseline row per participant, one row per contact, one per follow-up answer, and
    # one per skipped wave of a completer (no row for the others' missing waves).
    follow_ups = (responses["month"] != "0").sum()
    assert len(records) == len(participants) + len(contacts) + follow_ups + len(skipped)
    opened = records[records["survey_complete"] == "0"]
    assert set(opened["record_id"]) == skipped
    assert set(opened["redcap_event_name"]) == {"month_6_arm_1"}
    # REDCap's order, spelled out row by row: per record in participants order, the baseline
    # row, its contacts in the given order, then the follow-up waves ascending.
    months = sorted({int(m) for m in tables["responses"]["month"]})
    expected = []
    for pid, status in zip(participants["participant_id"], participants["status"], strict=True):
        expected.append((pid, "baseline_arm_1", "", ""))
        for no in contacts.loc[contacts["participant_id"] == pid, "contact_no"]:
            expected.append((pid, "baseline_arm_1", "peer_contact", no))
        mine = set(responses.loc[responses["participant_id"] == pid, "month"].astype(int))
        for month in months[1:]:
            if month in mine or status == "completed":
                expected.append((pid, f"month_{month}_arm_1", "", ""))
    got = records[
        ["record_id", "redcap_event_name", "redcap_repeat_instrument", "redcap_repeat_instance"]
    ]
    assert list(got.itertuples(index=False, name=None)) == expected

    # Converted back (a separate code path), the three tables are the cohort's.
    converted = convert(records, dictionary)
    assert converted.problems == []
    back = converted.tables
    pd.testing.assert_frame_equal(back["participants"].reset_index(drop=True), participants)
    assert back["participants"].index.tolist() == [
        i + 2 for i in np.flatnonzero(records["enrollment_complete"] == "2")
    ]
    assert sorted(back["responses"].columns) == sorted(responses.columns)
    pd.testing.assert_frame_equal(
        back["responses"][list(responses.columns)].reset_index(drop=True), responses
    )
    # contacts come back per record in participants order, each record's in the order given
    position = contacts["participant_id"].map(
        {pid: i for i, pid in enumerate(participants["participant_id"])}
    )
    by_record = contacts.iloc[np.argsort(position.to_numpy(), kind="stable")]
    pd.testing.assert_frame_equal(
        back["contacts"].reset_index(drop=True), by_record.reset_index(drop=True)
    )


def test_used_answers_a_checkbox_cannot_hold_are_refused_at_the_first_export_row():
    tables = generate_sample()
    responses = tables["responses"].copy()
    first, second = tables["participants"]["participant_id"].iloc[:2]
    at = (responses["participant_id"] == second) & (responses["month"] == "0")
    responses.loc[at, "used_family"] = ""
    at = (responses["participant_id"] == first) & (responses["month"] == "6")
    assert at.sum() == 1
    responses.loc[at, ["used_peers", "used_family"]] = ["2", ""]
    with pytest.raises(ValueError, match=rf"^{first} month 6: used_peers is '2'; a REDCap"):
        to_redcap(tables | {"responses": responses})
    # the second participant's baseline answer comes next in the export
    responses.loc[at, ["used_peers", "used_family"]] = ["0", "0"]
    with pytest.raises(ValueError, match=rf"^{second} month 0: used_family is ''"):
        to_redcap(tables | {"responses": responses})


# ---- robustness ------------------------------------------------------------------------------


_SAMPLE_ROWS = list(csv.reader(io.StringIO(RECORDS)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(_SAMPLE_ROWS) - 1),
            st.integers(0, len(_SAMPLE_ROWS[0]) - 1),
            st.sampled_from(["", "0", "1", "2", "x", "month_9_arm_1", "peer_contact", "P1", "-1"]),
        ),
        max_size=6,
    )
)
def test_mutated_exports_give_a_cohort_or_problems(edits):
    rows = [list(r) for r in _SAMPLE_ROWS]
    for row, col, value in edits:
        rows[row][col] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    result = validate(read_tables(upload(out.getvalue())))
    assert result.cohort is not None or result.errors
