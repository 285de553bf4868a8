"""Exports: every result table as CSV and xlsx, safe to open in a spreadsheet; charts as PNG/SVG."""

from __future__ import annotations

import csv
import io
import struct

import openpyxl
import pandas as pd
import plotly.graph_objects as go
import pytest

import hoo_metrics as hm
from hoo_metrics.present.export import (
    csv_bytes,
    export_tables,
    figure_png,
    figure_svg,
    neutralise,
    write_csvs,
    write_xlsx,
    xlsx_bytes,
)
from tests.factories import make_cohort

EXPECTED_TABLES = [
    "about",
    "enrollment",
    "followup_summary",
    "ended_by_contact",
    "contacts_per_participant",
    "support_duration_curve",
    "resources_overall",
    "resources_by_wave",
    "resource_comparison",
    "transitions",
    "transition_waves",
    "stage_distribution",
    "early_to_thriving",
    "recovered_resource_tests",
    "baseline_table",
    "baseline_tests",
]


@pytest.fixture(scope="module")
def sample():
    return hm.load_sample()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("enhanced", "enhanced"),
        ("a=b", "a=b"),  # only the first character matters
        ("", ""),
        (-3.5, -3.5),  # numbers stay numbers
        (7, 7),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_sample_tables_and_suppression(sample):
    tables = export_tables(sample)
    assert list(tables) == EXPECTED_TABLES
    enr = tables["enrollment"].set_index("group")
    # sample: 25 enrolled per arm, 23 + 19 completed, 2 + 6 did not complete (k = 5 default):
    # enhanced withdrew/lost are 1..4 -> "<5"; 25 - 23 = 2 would reveal them, and 23 is every
    # other table's denominator, so enhanced's enrolled 25 is hidden (routine's by secondary)
    assert enr.loc["enhanced", "enrolled"] == "suppressed"
    assert enr.loc["enhanced", "analysed"] == 23
    assert enr.loc["all", "analysed"] == 42
    assert enr.loc["enhanced", "withdrew"] == "<5"
    about = dict(zip(tables["about"]["item"], tables["about"]["value"], strict=True))
    assert about["SHA-256 of the cohort's content"] == sample.sha256
    assert about["Small-cell suppression"] == "counts from 1 to 4 hidden (k = 5)"
    assert about["Synthetic sample data"] == "yes"
    # k = 1: nothing hidden, every count a number
    off = export_tables(sample, suppression=1)["enrollment"].set_index("group")
    assert off.loc["enhanced", "analysed"] == 23 and off.loc["routine", "analysed"] == 19


def test_csv_and_xlsx_files(sample, tmp_path):
    tables = export_tables(sample)
    paths = write_csvs(tables, tmp_path / "csv")
    assert sorted(p.name for p in paths) == sorted(f"{n}.csv" for n in EXPECTED_TABLES)
    book = openpyxl.load_workbook(write_xlsx(tables, tmp_path / "r.xlsx"))
    assert book.sheetnames == EXPECTED_TABLES
    sheet = book["enrollment"]
    header = [c.value for c in sheet[1]]
    assert header == ["group", "enrolled", "analysed", "completed", "withdrew", "lost_to_follow_up"]
    row = {h: c for h, c in zip(header, sheet[2], strict=True)}
    assert row["group"].value == "enhanced"
    assert row["enrolled"].value == "suppressed"  # see test_sample_tables_and_suppression
    assert row["analysed"].value == 23 and row["analysed"].data_type == "n"
    assert row["withdrew"].value == "<5"


def _hostile_cohort():
    # two groups whose labels are formulas, a role that starts with '-'. Peers used by 1 of 6
    # in "=1+1" and 5 of 6 in "@SUM(A1)" ("=" sorts first): risk difference 1/6 - 5/6 = -0.667
    participants = [
        {"participant_id": f"P{i:02d}", "arm": "=1+1" if i < 6 else "@SUM(A1)", "role": "-x"}
        for i in range(12)
    ]
    responses = []
    for i, p in enumerate(participants):
        used = int(i == 0 or i > 6)
        responses.append({"participant_id": p["participant_id"], "month": 0, "stage": 2})
        responses.append(
            {
                "participant_id": p["participant_id"],
                "month": 3,
                "stage": 6,
                "stage6_path": "thriving",
                "used_peers": used,
                "helpful_peers": 4 if used else None,
                "most_helpful": "peers" if used else None,
            }
        )
    return make_cohort(participants, responses)


def test_hostile_group_labels_export_no_live_formula(tmp_path):
    tables = export_tables(_hostile_cohort(), suppression=1)
    write_csvs(tables, tmp_path)
    cells = []
    for path in tmp_path.glob("*.csv"):
        with path.open(encoding="utf-8-sig", newline="") as f:
            cells += [c for row in csv.reader(f) for c in row]
    risky = [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert risky == []
    assert "'=1+1" in cells and "'@SUM(A1)" in cells and "'-x" in cells
    # negative numbers are written as numbers, without a quote
    used = tables["resource_comparison"].set_index("measure").loc["used_ever"]
    assert used["risk_difference"] == pytest.approx(1 / 6 - 5 / 6)
    assert "-0.6666666666666667" in cells

    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(tables)))
    formulas = [
        c.coordinate
        for s in book.worksheets
        for row in s.iter_rows()
        for c in row
        if c.data_type == "f"
    ]
    assert formulas == []
    values = [c.value for s in book.worksheets for row in s.iter_rows() for c in row]
    assert "'=1+1" in values and "'@SUM(A1)" in values
    assert 1 / 6 - 5 / 6 in values  # a number cell, not the text "'-0.67"


def test_numbers_stay_numbers_in_csv(tmp_path):
    import pandas as pd

    write_csvs({"t": pd.DataFrame({"x": [-1.5, 2.0], "g": ["-a", "b"]})}, tmp_path)
    text = (tmp_path / "t.csv").read_text(encoding="utf-8-sig").splitlines()
    assert text == ["x,g", "-1.5,'-a", "2.0,b"]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_figure_png_and_svg_at_presentation_size():
    fig = go.Figure(go.Bar(x=["enhanced", "routine"], y=[0.26, 0.0]))
    png = figure_png(fig, 1600, 900, title="Departmental leadership", takeaway="26% vs 0%")
    assert _png_size(png) == (1600, 900)
    assert _png_size(figure_png(fig, 640, 360)) == (640, 360)
    svg = figure_svg(fig, 1600, 900, title="T", takeaway="A <b>hostile</b> & label").decode()
    assert svg.startswith("<svg") and 'width="1600"' in svg and 'height="900"' in svg
    assert "26% vs 0%" not in svg and "hostile" in svg  # the takeaway is the subtitle


def test_csv_bytes_for_download_buttons():
    # a hostile group label, a negative number and a text minus: the label and the text are
    # quoted, the number stays a number; UTF-8 with a BOM so Excel reads "ré" right
    df = pd.DataFrame({"group": ["=HYPERLINK(1)", "ré"], "rd": [-0.5, 0.25], "note": ["-x", "ok"]})
    text = csv_bytes(df).decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text.lstrip("\ufeff").splitlines()
    assert lines == ["group,rd,note", "'=HYPERLINK(1),-0.5,'-x", "ré,0.25,ok"]
