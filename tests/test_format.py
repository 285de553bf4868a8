"""Formatting helpers: reference strings written by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from hoo_metrics.present import format as fmt


@pytest.mark.parametrize(
    ("k", "n", "expected"),
    [
        (6, 23, "26% (6/23)"),  # 6/23 = 0.2609
        (0, 19, "0% (0/19)"),
        (15, 23, "65% (15/23)"),  # 0.652
        (0, 0, "– (0/0)"),
        (None, 5, "–"),
    ],
)
def test_share(k, n, expected):
    assert fmt.share(k, n) == expected


@pytest.mark.parametrize(
    ("p", "expected"),
    [
        (0.024, "P = 0.02"),
        (0.0712, "P = 0.07"),
        (0.0043, "P = 0.004"),
        (0.0004, "P < 0.001"),
        (0.049, "P = 0.049"),  # would round to 0.05: keep three decimals
        (0.5, "P = 0.50"),
        (1.0, "P > 0.99"),
        (math.nan, "P not computable"),
        (None, "P not computable"),
    ],
)
def test_p_value(p, expected):
    assert fmt.p_value(p) == expected


def test_ci_and_mean_ci():
    assert fmt.ci(0.12, 0.4) == "95% CI 0.12 to 0.40"
    assert fmt.ci(0.12, 0.4, percent=True) == "95% CI 12% to 40%"
    assert fmt.ci(math.nan, 0.4) == "95% CI not computable"
    assert fmt.mean_ci(4.2, 3.61, 4.79) == "4.2 (95% CI 3.6 to 4.8)"
    assert fmt.mean_ci(4.2, math.nan, math.nan) == "4.2"
    assert fmt.mean_ci(math.nan, 1, 2) == "–"


def test_pct_and_number():
    assert fmt.pct(0.652) == "65%"
    assert fmt.pct(0.652, 1) == "65.2%"
    assert fmt.pct(None) == "–"
    assert fmt.number(30.0, 0) == "30"
    assert fmt.number(4.25, 1) == "4.2"  # banker's float: 4.25 is stored as 4.25 -> "4.2"


def test_view_caption():
    assert (
        fmt.view_caption("completed", {"role": ["resident"]}, 12)
        == "Completers, role = resident: 12 participants"
    )
    assert fmt.view_caption("all", {}, 1) == "All enrolled: 1 participant"
    assert (
        fmt.view_caption("all", {"role": ["nurse", "midwife"], "site": []}, 7)
        == "All enrolled, role = nurse or midwife: 7 participants"
    )


def test_takeaway_difference():
    s = fmt.takeaway_difference(
        "Departmental leadership was named most helpful by",
        ["enhanced", "routine"],
        ["26%", "0%"],
        0.024,
        "Fisher's exact",
    )
    assert s == (
        "Departmental leadership was named most helpful by 26% in enhanced vs 0% in routine, "
        "P = 0.02, Fisher's exact."
    )
    one = fmt.takeaway_difference("Used by", ["all"], ["40%"], math.nan, "", n=[10])
    assert one == "Used by 40% overall (n = 10)."


def test_group_list_and_labels():
    assert fmt.group_list(["a", "b", "c"]) == "a, b and c"
    assert fmt.group_list(["a"]) == "a"
    assert fmt.variable_label("event_type") == "Event type"
    assert fmt.population_label("completed") == "Completers"


def test_baseline_display():
    # 2 groups; role: enhanced 2 attending of 3, 1 resident; routine 1 attending of 2, 1 resident.
    table = pd.DataFrame(
        {
            "variable": ["role"] * 4,
            "level": ["attending", "resident", "attending", "resident"],
            "group": ["enhanced", "enhanced", "routine", "routine"],
            "n": [2, 1, 1, 1],
            "denominator": [3, 3, 2, 2],
            "share": [2 / 3, 1 / 3, 0.5, 0.5],
        }
    )
    tests = pd.DataFrame(
        {"variable": ["role"], "test": ["Fisher's exact"], "statistic": [1.0], "p_value": [1.0]}
    )
    out = fmt.baseline_display(table, tests)
    assert list(out.columns) == [
        "Characteristic",
        "Level",
        "enhanced (n = 3)",
        "routine (n = 2)",
        "P",
        "Test",
    ]
    assert out.iloc[0].tolist() == [
        "Role",
        "attending",
        "67% (2/3)",
        "50% (1/2)",
        "P > 0.99",
        "Fisher's exact",
    ]
    assert out.iloc[1].tolist() == ["", "resident", "33% (1/3)", "50% (1/2)", "", ""]


def test_transition_matrix():
    t = pd.DataFrame(
        {
            "group": ["a", "a", "b"],
            "from": ["early", "early", "early"],
            "to": ["thriving", "middle", "thriving"],
            "n": [2, 1, 3],
        }
    )
    m = fmt.transition_matrix(t)
    assert m.loc["Early (stages 1-3)", "Thriving"] == 5
    assert m.loc["Early (stages 1-3)", "Total"] == 6
    assert m.loc["Total", "Total"] == 6
    assert fmt.transition_matrix(t, "a").loc["Total", "Total"] == 3


def test_no_streamlit_import():
    import ast
    import pathlib

    for name in ("format.py", "figures.py"):
        src = pathlib.Path(fmt.__file__).with_name(name).read_text()
        mods = {
            (n.module or "") if isinstance(n, ast.ImportFrom) else a.name
            for n in ast.walk(ast.parse(src))
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in (n.names if isinstance(n, ast.Import) else [n])
        }
        assert not any(m.split(".")[0] == "streamlit" for m in mods), name


def test_recovered_tests_display_names_the_single_test_in_the_p_title():
    # peers: 5 of 7 recovered used them vs 8 of 35 others; RD = 5/7 - 8/35 = 0.4857
    tests = pd.DataFrame(
        {
            "resource": ["peers"],
            "transitioned": [5],
            "transitioned_n": [7],
            "others": [8],
            "others_n": [35],
            "p_value": [0.0213],
            "risk_difference": [5 / 7 - 8 / 35],
            "risk_difference_ci_low": [0.0953],
            "risk_difference_ci_high": [0.716],
            "test": ["Fisher's exact"],
        }
    )
    out = fmt.recovered_tests_display(tests)
    assert out.iloc[0].tolist() == [
        "Peers / colleagues",
        "71% (5/7)",
        "23% (8/35)",
        "49%",
        "95% CI 10% to 72%",
        "P = 0.02",
    ]
    assert out.columns[-1] == "P (Fisher's exact)"
    assert fmt.takeaway_recovered(tests) == (
        "Peers / colleagues was used by 71% (5/7) of those who went from early stages to "
        "thriving vs 23% (8/35) of the others, P = 0.02, Fisher's exact."
    )
