"""Presentation mode's view model (hoo_metrics.present.present): the step, the caption and the
downloads of a finding."""

from __future__ import annotations

import pytest

import hoo_metrics as hm
from hoo_metrics.present import present as present_model


@pytest.mark.parametrize(
    "raw, expected",
    [("3", 3), (1, 1), ("99", 5), ("-3", 1), ("0", 1), ("zero", 1), ("", 1)],
)
def test_step_is_clamped_to_the_findings(raw, expected):
    assert present_model.step(raw, 5) == expected


def test_caption_badges_synthetic_data():
    assert present_model.caption(2, 5, "Completers: 42 participants", False) == (
        "Finding 2 of 5 · Completers: 42 participants"
    )
    assert present_model.caption(2, 5, "view", True).endswith(
        " · :orange-badge[SYNTHETIC sample data]"
    )


def test_downloads_of_a_finding_with_and_without_a_chart():
    full = hm.load_sample()
    res = hm.compute_results(full, "completed", "arm", None, 5)
    slides = hm.presentation_steps(full, results=res)
    leadership = next(s for s in slides if s.key == "leadership")
    assert leadership.figure is not None
    shown = present_model.downloads(res, leadership, synthetic=True)
    assert [(d.label, d.file_name, d.key) for d in shown] == [
        ("Report (HTML)", "hoo-SYNTHETIC-report.html", "dl_report"),
        ("All tables (Excel)", "hoo-SYNTHETIC-results.xlsx", "dl_xlsx"),
        ("This chart (PNG, 1600x900)", "hoo-SYNTHETIC-leadership.png", "dl_PNG"),
        ("This chart (SVG, 1600x900)", "hoo-SYNTHETIC-leadership.svg", "dl_SVG"),
    ]
    # a finding with no chart offers the report and the tables only, named without the mark
    # for a cohort that is not synthetic
    no_chart = present_model.downloads(res, hm.Slide("x", "t", "s", None), False)
    assert [d.file_name for d in no_chart] == ["hoo-report.html", "hoo-results.xlsx"]


def test_the_excel_download_carries_the_odds_ratios_the_pages_leave_out():
    import io

    import pandas as pd
    from scipy.stats.contingency import odds_ratio

    full = hm.load_sample()
    res = hm.compute_results(full, "completed", "arm", None, 5, odds_ratios=False)
    assert res.unsuppressed["resource_comparison"]["odds_ratio"].isna().all()
    offered = present_model.downloads(res, hm.Slide("x", "t", "s", None), False)
    xlsx = next(d for d in offered if d.key == "dl_xlsx")
    sheet = pd.read_excel(
        io.BytesIO(xlsx.data()), sheet_name="resource_comparison", engine="openpyxl"
    )
    peers = sheet[(sheet["resource"] == "peers") & (sheet["measure"] == "used_ever")]
    # independently: scipy's conditional odds ratio on the sample's 2 x 2 table of peer use
    o = res.unsuppressed["resources_overall"]
    rows = o[o["resource"] == "peers"].set_index("group")
    a, b = (int(rows.loc[g, "used_ever"]) for g in ("enhanced", "routine"))
    n1, n2 = (int(rows.loc[g, "participants"]) for g in ("enhanced", "routine"))
    expected = odds_ratio([[a, n1 - a], [b, n2 - b]], kind="conditional").statistic
    assert float(peers["odds_ratio"].iloc[0]) == pytest.approx(expected, rel=1e-6)
