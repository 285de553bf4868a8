"""Tests for hoo_metrics.io.load: file forms, messy renderings, unreadable input, robustness.

A messy rendering of the clean cohort (tests/test_validate.py) must give exactly the clean
Cohort: equal tables (assert_frame_equal) and an equal sha256.
"""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoo_metrics.checks.validate import ValidationResult, load_cohort, validate
from hoo_metrics.io.load import RawTables, read_tables
from hoo_metrics.problems import ERROR, WARNING, CohortError, Problem
from tests.test_validate import CLEAN, expected_clean, files, keys


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def render(
    table: str,
    sep: str = ",",
    newline: str = "\n",
    encoding: str = "utf-8",
    header=None,
    cell=None,
    tail: str = "",
) -> bytes:
    """The clean table written with another separator, line end, encoding, header or cells."""
    rows = rows_of(CLEAN[table])
    if header:
        rows[0] = [header(h) for h in rows[0]]
    if cell:
        rows[1:] = [[cell(v) for v in r] for r in rows[1:]]
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator=newline).writerows(rows)
    return (out.getvalue() + tail).encode(encoding)


def render_all(**options) -> dict[str, bytes]:
    return {f"{t}.csv": render(t, **options) for t in CLEAN}


def assert_clean(cohort) -> None:
    participants, responses, contacts = expected_clean()
    pd.testing.assert_frame_equal(cohort.participants, participants)
    pd.testing.assert_frame_equal(cohort.responses, responses)
    pd.testing.assert_frame_equal(cohort.contacts, contacts)
    assert cohort.sha256 == CLEAN_SHA


CLEAN_SHA = load_cohort(files()).sha256


# ---- messy renderings load exactly as the clean files ------------------------------------------


@pytest.mark.parametrize(
    ("options", "warned"),
    [
        ({"encoding": "utf-8-sig"}, 0),  # UTF-8 with BOM: silent
        ({"newline": "\r\n"}, 0),  # CRLF: silent
        # Excel's Windows encoding: a warning for participants.csv, the one file with an accent
        # (the ASCII-only files are valid UTF-8 as they are)
        ({"encoding": "cp1252"}, 1),
        ({"sep": ";"}, 3),  # European Excel: one warning per file
        ({"sep": "\t"}, 3),
        ({"sep": ";", "encoding": "cp1252", "newline": "\r\n"}, 4),
        ({"header": lambda h: f"  {h.upper()} "}, 0),
        ({"header": lambda h: h.title()}, 0),
        ({"cell": lambda v: f" {v}  "}, 0),  # stray spaces around cells
        ({"tail": "\n\n,,,\n  \n"}, 0),  # trailing blank rows and rows of bare separators
        ({"sep": ";", "tail": ";;;\n;;;;\n\n"}, 3),
        ({"encoding": "utf-16"}, 3),  # Excel's "Unicode text"
    ],
)
def test_messy_rendering_loads_as_the_clean_cohort(options, warned):
    result = validate(read_tables(render_all(**options)))
    assert [p for p in result.problems if p.is_error] == []
    assert len(result.problems) == warned
    assert all(p.severity == WARNING and p.row is None for p in result.problems)
    assert_clean(result.cohort)


def test_cp1252_accent_is_converted_with_a_warning():
    data = render_all(encoding="cp1252")
    assert "améliorée".encode("cp1252") in data["participants.csv"]
    result = validate(read_tables(data))
    assert result.cohort.participants.loc[2, "arm"] == "améliorée"
    participants_warning = [p for p in result.problems if p.table == "participants"]
    assert len(participants_warning) == 1 and "cp1252" in participants_warning[0].message


def test_separator_warning_names_the_separator():
    raw = read_tables(render_all(sep=";"))
    assert {p.table for p in raw.problems} == {"participants", "responses", "contacts"}
    assert all("semicolons" in p.message for p in raw.problems)


def test_most_helpful_with_semicolons_in_a_semicolon_file():
    # csv quoting keeps "peers;family" one cell in a ';' file
    data = render("responses", sep=";")
    assert b'"peers;family"' in data
    assert_clean(load_cohort({**files(), "responses.csv": data}))


def test_raw_tables_keep_text_and_file_rows():
    raw = read_tables(
        {
            "participants.csv": b"participant_id,arm,status\nP01,x,completed\n\n\n007,y,withdrew\n",
            "responses.csv": b"participant_id,month\n",
        }
    )
    assert isinstance(raw, RawTables)
    p = raw.tables["participants"]
    assert p.index.tolist() == [2, 5]  # the two blank lines are dropped, rows kept
    assert p["participant_id"].tolist() == ["P01", "007"]  # text: leading zeros kept
    assert len(raw.tables["responses"]) == 0
    assert raw.files == {"participants": "participants.csv", "responses": "responses.csv"}


# ---- file forms -----------------------------------------------------------------------------


def zip_bytes(folder: str = "", extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in {**files(), **(extra or {})}.items():
            archive.writestr(folder + name, data)
    return buffer.getvalue()


def xlsx_bytes(sheet_names=("participants", "responses", "contacts")) -> bytes:
    """The clean cohort as a workbook; numbers stored as numbers, blanks as empty cells."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for table, sheet_name in zip(CLEAN, sheet_names, strict=True):
        sheet = book.create_sheet(sheet_name)
        for i, row in enumerate(rows_of(CLEAN[table])):
            sheet.append([int(v) if i and v.isdigit() else (v or None) for v in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_folder(tmp_path):
    for name, data in files().items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "README.md").write_text("not a table")
    (tmp_path / ".DS_Store").write_bytes(b"\x00\x01")
    cohort = load_cohort(tmp_path)
    assert_clean(cohort)
    assert cohort.name == tmp_path.name and cohort.source == str(tmp_path)
    assert cohort.warnings == ()


@pytest.mark.parametrize("folder", ["", "healing_our_own/", "a/b/"])
def test_zip_path_and_upload(tmp_path, folder):
    data = zip_bytes(folder, {"__MACOSX/._participants.csv": b"\x00\x05junk"})
    path = tmp_path / "cohort.zip"
    path.write_bytes(data)
    assert_clean(load_cohort(path))
    assert_clean(load_cohort({"cohort.zip": data}))


def test_xlsx_path_and_upload(tmp_path):
    data = xlsx_bytes()
    path = tmp_path / "cohort.xlsx"
    path.write_bytes(data)
    result = validate(read_tables(path))
    assert result.problems == []
    assert_clean(result.cohort)
    assert_clean(load_cohort({"cohort.xlsx": data}))


def test_xlsx_sheet_names_are_case_insensitive_and_dates_are_caught():
    assert_clean(load_cohort({"x.xlsx": xlsx_bytes(("Participants", " RESPONSES ", "Contacts"))}))
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes()))
    import datetime as dt

    book["participants"]["D2"] = dt.datetime(2021, 3, 4)  # a date of birth in the role column
    buffer = io.BytesIO()
    book.save(buffer)
    result = validate(read_tables({"x.xlsx": buffer.getvalue()}))
    assert keys(result.problems) == {("participants", 2, "role", "****-**-**", ERROR)}


def test_upload_of_three_csv_files_with_file_like_values():
    upload = {name: io.BytesIO(data) for name, data in files().items()}
    assert_clean(load_cohort(upload))


def test_files_recognised_by_name_and_by_columns():
    data = files()
    upload = {
        "HOO_Participants (2).csv": data["participants.csv"],
        "export.csv": data["responses.csv"],  # recognised by its month column
        "contacts.txt": data["contacts.csv"],
    }
    assert_clean(load_cohort(upload))


# ---- unreadable input gives problems, never an exception ---------------------------------------


def load_problems(source) -> set[tuple]:
    result = validate(read_tables(source))
    assert result.cohort is None
    return keys(result.problems)


def test_missing_required_files():
    assert load_problems({"contacts.csv": files()["contacts.csv"]}) == {
        ("participants", None, None, None, ERROR),
        ("responses", None, None, None, ERROR),
    }


def test_nonexistent_path_and_empty_upload(tmp_path):
    got = load_problems(tmp_path / "nowhere")
    assert ("cohort", None, None, None, ERROR) in got
    assert ("cohort", None, None, None, ERROR) in load_problems({})


def test_empty_file():
    got = load_problems({**files(), "participants.csv": b""})
    assert got == {("participants", None, None, None, ERROR)}
    got = load_problems({**files(), "participants.csv": b" \r\n\r\n"})
    assert got == {("participants", None, None, None, ERROR)}


def test_header_only_participants_file():
    got = load_problems({**files(), "participants.csv": b"participant_id,arm,status\n"})
    # no participants, and every responses/contacts participant_id is unknown
    assert ("participants", None, None, None, ERROR) in got
    assert ("responses", 2, "participant_id", "P01", ERROR) in got


def test_binary_garbage():
    garbage = bytes(range(256)) * 4
    result = validate(read_tables({**files(), "responses.csv": garbage}))
    assert keys(result.problems) == {("responses", None, None, None, ERROR)}
    assert "binary" in result.problems[0].message


def test_wrong_columns():
    result = validate(read_tables({**files(), "notes.csv": b"colour,size\nred,3\n"}))
    assert keys(result.problems) == {("cohort", None, None, "colour, size", WARNING)}
    assert result.cohort is not None  # an unrelated file is ignored, with a warning
    result = validate(read_tables({**files(), "participants.csv": b"colour,size\nred,3\n"}))
    assert {
        ("participants", None, c, None, ERROR) for c in ("participant_id", "arm", "status")
    } <= keys(result.problems)


def test_damaged_zip_and_xlsx():
    for name, data in [("cohort.zip", zip_bytes()[:200]), ("cohort.xlsx", xlsx_bytes()[:300])]:
        got = load_problems({name: data})
        assert ("cohort", None, None, None, ERROR) in got


def test_xlsx_that_is_not_a_workbook_and_legacy_xls():
    assert ("cohort", None, None, None, ERROR) in load_problems({"c.xlsx": b"hello,world\n"})
    got = load_problems({"c.xls": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100})
    assert ("cohort", None, None, None, ERROR) in got


def test_zip_without_tables():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes/readme.md", "hello")
    got = load_problems({"c.zip": buffer.getvalue()})
    assert ("cohort", None, None, None, ERROR) in got


def test_two_files_for_one_table():
    data = files()
    got = load_problems({**data, "participants (copy).csv": data["participants.csv"]})
    assert got == {("participants", None, None, None, ERROR)}


def test_ragged_rows_and_unnamed_columns():
    text = "participant_id,arm,status,role\nP01,enhanced,completed,nurse,extra\n"
    text += "P02,routine,withdrew\nP03,améliorée,lost_to_follow_up,\n"
    result = validate(read_tables({**files(), "participants.csv": text.encode()}))
    # the cell beyond the header is ignored with a warning; the short row is padded
    assert keys(result.problems) == {("participants", None, None, None, WARNING)}
    assert result.cohort.participants["role"].isna().tolist() == [False, True, True]


def test_duplicate_column_names():
    text = "participant_id,arm,status,Arm\nP01,enhanced,completed,x\n"
    got = load_problems({**files(), "participants.csv": text.encode()})
    assert ("participants", None, "arm", None, ERROR) in got


def test_cohort_error_carries_every_problem():
    with pytest.raises(CohortError) as info:
        load_cohort({"participants.csv": b"\x00\x01", "responses.csv": b""})
    assert {p.table for p in info.value.problems} == {"participants", "responses"}


# ---- robustness (hypothesis) ---------------------------------------------------------------------


def assert_orderly(result: ValidationResult) -> None:
    """Either a Cohort or at least one error, every problem well formed."""
    assert isinstance(result, ValidationResult)
    assert all(isinstance(p, Problem) for p in result.problems)
    assert all(p.row is None or p.row >= 1 for p in result.problems)
    has_error = any(p.is_error for p in result.problems)
    assert (result.cohort is None) == has_error


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*files(), "x.zip", "x.xlsx"]), st.binary(), max_size=3))
def test_random_bytes_never_raise(upload):
    assert_orderly(validate(read_tables(upload)))


#: Row-level mutations; every example also draws a separator and an encoding.
MUTATIONS = ("cell", "header", "delete", "duplicate", "blank")


@st.composite
def mutated_cohorts(draw):
    tables = {t: rows_of(text) for t, text in CLEAN.items()}
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(list(tables)))
        rows = tables[table]
        kind = draw(st.sampled_from(MUTATIONS))
        r = draw(st.integers(0, len(rows) - 1)) if rows else 0
        if kind in ("cell", "header") and (not rows or not rows[r]):
            continue  # nothing to change in an empty row
        if kind == "cell":
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(
                st.one_of(
                    st.text(max_size=12),
                    st.sampled_from(["", "7", "-1", "x@y.org", "6", "1.5", "yes"]),
                )
            )
        elif kind == "header":
            c = draw(st.integers(0, len(rows[r]) - 1))
            rows[r][c] = draw(
                st.one_of(
                    st.text(max_size=10),
                    st.sampled_from(["", "used_", "email", "helpful_x", "ARM"]),
                )
            )
        elif kind == "delete" and rows:
            del rows[r]
        elif kind == "duplicate" and rows:
            rows.insert(r, list(rows[r]))
        elif kind == "blank":
            rows.insert(draw(st.integers(0, len(rows))), [])
    sep = draw(st.sampled_from([",", ";", "\t"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "latin-1"]))
    upload = {}
    for table, rows in tables.items():
        out = io.StringIO()
        csv.writer(out, delimiter=sep).writerows(rows)
        upload[f"{table}.csv"] = out.getvalue().encode(encoding, errors="replace")
    return upload


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_cohorts())
def test_mutated_cohorts_give_a_cohort_or_problems(upload):
    assert_orderly(validate(read_tables(upload)))


# ---- the pyarrow fast path reads the same cells as pandas' C parser ------------------------


def c_parser_cells(data: bytes, sep: str):
    """The reference: pandas' C parser as the loader used it before the fast path (blank
    cells as "")."""
    frame = pd.read_csv(
        io.BytesIO(data),
        encoding="utf-8-sig",
        sep=sep,
        header=None,
        dtype=str,
        keep_default_na=False,
        na_filter=False,
        skip_blank_lines=False,
        engine="c",
    )
    return frame.fillna("").to_numpy(dtype=object).tolist()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([",", ";", "\t", "|"]),
    st.lists(
        st.sampled_from(["a", "b", "é", " ", "\t", "1", "x", "\n", "\r\n", "\r", "SEP", "SEP"]),
        min_size=1,
        max_size=40,
    ),
)
def test_fast_reader_gives_the_c_parsers_cells(sep, pieces):
    # Quote-free text with a non-blank first line: wherever the fast path answers, every cell
    # equals the C parser's (ragged rows make it decline and the C parser reads the file).
    from hoo_metrics.io.load import _arrow_rows

    data = "".join(sep if p == "SEP" else p for p in pieces).encode()
    first = data.replace(b"\r", b"\n").split(b"\n")[0]
    if not first.strip():
        assert _arrow_rows(data, sep) is None
        return
    fast = _arrow_rows(data, sep)
    if fast is not None:
        assert fast.fillna("").to_numpy(dtype=object).tolist() == c_parser_cells(data, sep)


def test_fast_reader_declines_quotes_and_ragged_rows():
    from hoo_metrics.io.load import _arrow_rows

    assert _arrow_rows(b'a,b\n"x, y",2\n', ",") is None  # quoted cells: the C parser reads them
    assert _arrow_rows(b"a,b,c\n1,2\n", ",") is None  # short row: padded by the C parser
    assert _arrow_rows(b"\na,b\n1,2\n", ",") is None  # blank first line
    fast = _arrow_rows(b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,4", ",")  # BOM, CRLF, a blank row
    assert fast.fillna("").to_numpy(dtype=object).tolist() == [
        ["a", "b"],
        ["1", "2"],
        ["", ""],
        ["3", "4"],
    ]
    assert fast.attrs["stripped"]  # ASCII without whitespace: nothing to strip
    assert not _arrow_rows(b"a,b\n 1,2\n", ",").attrs["stripped"]


def test_workbook_cells_read_as_a_csv_export_would_hold_them():
    # Each cell's text, by hand, as a CSV export of the sheet holds it: whole numbers without a
    # decimal point, fractions as Python writes the float, booleans TRUE/FALSE, dates in ISO
    # form, surrounding spaces stripped, empty cells blank.
    import datetime as dt

    columns = {
        "participant_id": (["P1", "P2", "P3", "P4", "P5"], ["P1", "P2", "P3", "P4", "P5"]),
        "whole": ([1, 2.0, -3, 0, None], ["1", "2", "-3", "0", ""]),
        "fraction": ([2.5, 1e-05, 1 / 3, None, 7], ["2.5", "1e-05", "0.3333333333333333", "", "7"]),
        "huge": (
            [2.0**60, 10**16, 5, None, 1],  # beyond 2**53, written out as whole numbers
            [str(2**60), "10000000000000000", "5", "", "1"],
        ),
        "flag": ([True, False, None, True, False], ["TRUE", "FALSE", "", "TRUE", "FALSE"]),
        "when": (
            [dt.datetime(2021, 3, 4), dt.datetime(2021, 3, 4, 13, 30), dt.time(9, 5), None, None],
            ["2021-03-04", "2021-03-04 13:30:00", "09:05:00", "", ""],
        ),
        "mixed": (["P01", 5, " spaced ", True, 2.5], ["P01", "5", "spaced", "TRUE", "2.5"]),
        "text": (["a", "b", None, "d", "é"], ["a", "b", "", "d", "é"]),
        "empty": ([None] * 5, [""] * 5),
    }
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "participants"
    sheet.append(list(columns))
    for i in range(5):
        sheet.append([values[i] for values, _ in columns.values()])
    buffer = io.BytesIO()
    book.save(buffer)
    raw = read_tables({"cells.xlsx": buffer.getvalue()})
    table = raw.tables["participants"]
    assert table.index.tolist() == [2, 3, 4, 5, 6]  # rows as in the sheet
    for name, (_, expected) in columns.items():
        assert table[name].tolist() == expected, name
