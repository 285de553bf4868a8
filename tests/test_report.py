"""The self-contained HTML report and the presentation's five findings."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

import hoo_metrics as hm
from hoo_metrics.report import STEP_KEYS, build_report, presentation_steps
from tests.factories import make_cohort

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sample():
    return hm.load_sample()


@pytest.fixture(scope="module")
def report(sample):
    return build_report(sample)


def _outside_scripts(text: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", text, flags=re.S | re.I)


def test_opens_offline(report):
    # plotly.js embedded once, inline (the bundle declares itself with this banner)
    assert report.count("plotly.js v") >= 1
    scripts = re.findall(r"<script\b[^>]*>", report, flags=re.I)
    assert scripts and all("src" not in s for s in scripts)
    html = _outside_scripts(report)
    # no resource from anywhere: no http(s) at all outside the scripts (src, href, CSS url())
    assert re.findall(r"https?://", html) == []
    assert re.findall(r"<link\b", html) == [] and "@import" not in html
    assert re.findall(r"\bsrc=", html) == []
    # the embedded bundle is the only big script: later figures do not embed it again
    assert report.count("window.PlotlyConfig") <= 1


def test_sections_figures_provenance(report, sample):
    html = _outside_scripts(report)
    for anchor in ("findings", "overview", "baseline", "resources", "recovery", "followup"):
        assert f'<section id="{anchor}">' in html
    for title in ("Methods", "Provenance and settings", "Table 1", "Kaplan-Meier"):
        assert title in html
    assert sample.sha256 in html and len(sample.sha256) == 64
    assert "SYNTHETIC sample data" in html and 'class="synthetic"' in html
    assert "counts from 1 to 4 hidden (k = 5)" in html
    assert f"HOO dashboard version</td>\n      <td>{hm.__version__}" in html
    # k = 5: 4 findings + flow + 4 resources (2 rankings, heatmap, helpfulness) + 3 follow-up
    # (ended by contact, contacts, KM) = 12 charts. Recovery has none: the thriving totals are
    # hidden (enhanced: 22 - 19 = 3 not thriving, a small sum of hidden cells; routine's then
    # secondary), and every transition cell of the sample is protected, so both Sankeys say
    # why instead.
    assert html.count('class="plotly-graph-div"') == 12
    assert html.count("Nothing may be drawn here") == 3  # the finding and the two Sankeys


def test_without_suppression_every_chart(sample):
    html = _outside_scripts(build_report(sample, suppression=1))
    # the 12 above + the recovery finding's chart + the two recovery Sankeys = 15
    assert html.count('class="plotly-graph-div"') == 15
    assert "Small-cell suppression is off (k = 1)" in html


def test_hostile_labels_are_escaped():
    participants = [
        {"participant_id": f"P{i}", "arm": "<script>alert(1)</script>" if i < 6 else "=cmd|x"}
        for i in range(12)
    ]
    responses = [{"participant_id": f"P{i}", "month": 3, "used_peers": 1} for i in range(12)]
    cohort = make_cohort(participants, responses)
    html = build_report(cohort, suppression=1, filters=None)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_refused_subgroup_shows_no_number(sample):
    # arm = enhanced leaves 23 analysed participants (the trial's completers); with k = 30
    # that is fewer than k, so the subgroup is refused before any number is drawn
    html = _outside_scripts(build_report(sample, filters={"arm": ["enhanced"]}, suppression=30))
    assert "fewer than 30 analysed participants" in html
    assert 'class="plotly-graph-div"' not in html and '<section id="findings">' not in html


def test_presentation_steps(sample):
    steps = presentation_steps(sample, suppression=1)
    assert [s.key for s in steps] == list(STEP_KEYS)
    assert all(s.figure is not None for s in steps)
    text = {s.key: s.sentence for s in steps}
    # contract/trial: departmental leadership named most helpful by 6/23 enhanced vs 0/19
    # routine, Fisher's exact P = 0.02
    assert "26% (6/23) in enhanced vs 0% (0/19) in routine, P = 0.02" in text["leadership"]
    # 50 enrolled, 42 completers; withdrew + lost = 8
    assert text["flow"].startswith("50 participants were enrolled; 42 completed")
    # the synthetic watermark is on every chart
    assert all(any(a.text == "SYNTHETIC DATA" for a in s.figure.layout.annotations) for s in steps)
    # k = 5: the flow's withdrew count (2 in enhanced + ... overall < 5) prints as "<5"
    flow = presentation_steps(sample)[0]
    assert "<5 withdrew" in flow.sentence


def test_cli_report_and_export(tmp_path):
    out = tmp_path / "r.html"
    run = subprocess.run(
        [sys.executable, "-m", "hoo_metrics", "report", str(hm.SAMPLE_DIR), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "SYNTHETIC sample data" in text  # recognised by its content hash
    run = subprocess.run(
        [sys.executable, "-m", "hoo_metrics", "export", str(hm.SAMPLE_DIR), "--out",
         str(tmp_path / "x"), "--min-cell", "11", "--group-by", "role"],
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "x" / "enrollment.csv").exists()
    book = openpyxl.load_workbook(tmp_path / "x" / "hoo-results.xlsx")
    assert book.sheetnames[0] == "about" and "resources_overall" in book.sheetnames
    about = {r[0].value: r[1].value for r in book["about"].iter_rows(min_row=2)}
    assert about["Groups by"] == "Role" and "k = 11" in about["Small-cell suppression"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "/nonexistent", "--out", "x.html"], "no such file or folder"),
        (["export", str(hm.SAMPLE_DIR), "--out", "x", "--group-by", "site"], "no such column"),
        (["report", str(hm.SAMPLE_DIR), "--out", "x.html", "--min-cell", "0"], "whole number"),
    ],
)
def test_cli_errors(args, message, tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "hoo_metrics", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr


def test_hidden_cells_are_labelled_not_blank(report):
    html = _outside_scripts(report)
    # Table 1 on the sample at k = 5: every test's table has a cell of 1..4 (e.g. midwives,
    # under 5 in both arms), so each P is hidden: it must say so, not "not computable".
    table1 = html[html.index('<section id="baseline">') : html.index('<section id="resources">')]
    assert "P not computable" not in table1
    assert table1.count(">suppressed<") >= 6  # one per characteristic: 6 characteristics
    assert ">&lt;5<" in table1  # hidden small counts print "<5" (escaped), not "-"
