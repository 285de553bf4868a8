"""Tests for hoo_metrics.metrics.compare with Fisher p-values summed by hand."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoo_metrics.metrics.compare import COLUMNS, compare_resources
from hoo_metrics.metrics.inference import CHI_SQUARE, FISHER
from hoo_metrics.metrics.resources import resources_overall
from tests.factories import make_cohort


def cohort_from(counts: dict[str, list[tuple[int, int]]], extra_participants=()):
    """Participants per group; for each, one month-3 answer per (used_x, named_x) tuple,
    resources x, y (nobody uses y)."""
    parts, responses = [], []
    for group, people in counts.items():
        for i, (used, named) in enumerate(people):
            pid = f"{group}{i}"
            parts.append({"participant_id": pid, "arm": group, "status": "completed"})
            responses.append(
                {
                    "participant_id": pid,
                    "month": 3,
                    "used_x": used,
                    "used_y": 0,
                    "most_helpful": "x" if named else None,
                }
            )
    parts.extend(extra_participants)
    return make_cohort(parts, responses, resources=("x", "y"))


# A: 6 participants, 5 used x, 4 named it; B: 5 participants, 1 used x, none named it.
TWO_GROUPS = {
    "A": [(1, 1), (1, 1), (1, 1), (1, 1), (1, 0), (0, 0)],
    "B": [(1, 0), (0, 0), (0, 0), (0, 0), (0, 0)],
}


def test_two_groups_fisher_by_hand():
    out = compare_resources(cohort_from(TWO_GROUPS))
    assert list(out.columns) == list(COLUMNS)
    assert list(zip(out["measure"], out["resource"], strict=True)) == [
        ("used_ever", "x"),
        ("used_ever", "y"),
        ("most_helpful_ever", "x"),
        ("most_helpful_ever", "y"),
    ]
    assert set(out["test"]) == {FISHER}
    # used x: [[5, 1], [1, 4]], rows 6, 5, first column 6 of 11: P(a) = C(6,a)C(5,6-a)/462:
    # a = 1..6 -> 6, 75, 200, 150, 30, 1 (/462). Observed a = 5 (30): as or less likely
    # a = 1, 5, 6 -> 37/462 = 0.080087.
    # used y: nobody -> one table only -> p = 1.
    # BH over (0.080087, 1): 0.080087 * 2/1 = 0.160173, 1 -> q (0.160173, 1).
    # named x: [[4, 2], [0, 5]], first column 4: C(6,a)C(5,4-a)/330 for a = 0..4 -> 5, 60,
    # 150, 100, 15; observed 15: a = 0, 4 -> 20/330 = 0.060606; q = 0.121212.
    assert list(out["p_value"]) == pytest.approx([37 / 462, 1.0, 20 / 330, 1.0])
    assert list(out["q_value"]) == pytest.approx([2 * 37 / 462, 1.0, 2 * 20 / 330, 1.0])
    x = out.iloc[0]
    assert x["risk_difference"] == pytest.approx(5 / 6 - 1 / 5)  # A minus B
    assert x["risk_difference_ci_low"] < x["risk_difference"] < x["risk_difference_ci_high"]
    assert (
        x["odds_ratio"] > 1 and x["odds_ratio_ci_low"] < x["odds_ratio"] < x["odds_ratio_ci_high"]
    )
    y = out.iloc[1]
    # nobody used y: difference 0, odds ratio undefined
    assert y["risk_difference"] == 0.0 and math.isnan(y["odds_ratio"])


def test_three_groups_chi_square_by_hand():
    counts = {
        "A": [(1, 0), (1, 0), (0, 0)],
        "B": [(0, 0), (0, 0), (0, 0)],
        "C": [(1, 0), (0, 0), (0, 0)],
    }
    out = compare_resources(cohort_from(counts)).set_index(["measure", "resource"])
    # used x: 2/3, 0/3, 1/3 -> expected 1 used and 2 not in each group;
    # chi2 = 1 + 1 + 0 + 1/2 + 1/2 + 0 = 3 on 2 df -> p = exp(-3/2) = 0.223130
    row = out.loc[("used_ever", "x")]
    assert row["test"] == CHI_SQUARE
    assert row["p_value"] == pytest.approx(math.exp(-1.5))
    assert row["q_value"] == pytest.approx(math.exp(-1.5))  # the only p-value of the measure
    assert math.isnan(row["risk_difference"]) and math.isnan(row["odds_ratio_ci_low"])
    # nobody used y / nobody named anything: undefined, and left out of the BH adjustment
    for key in [("used_ever", "y"), ("most_helpful_ever", "x"), ("most_helpful_ever", "y")]:
        assert math.isnan(out.loc[key, "p_value"]) and math.isnan(out.loc[key, "q_value"])


EDGE_CASES = [
    # C has a completer without any follow-up answer: 0 participants -> left out -> Fisher A v B
    ("group with no participants", [{"participant_id": "c0", "arm": "C"}], FISHER, 37 / 462),
    # a withdrawn participant's group is not analysed at all
    (
        "group only withdrawn",
        [{"participant_id": "c0", "arm": "C", "status": "withdrew"}],
        FISHER,
        37 / 462,
    ),
]


@pytest.mark.parametrize(("case", "extra", "test", "p"), EDGE_CASES, ids=[c[0] for c in EDGE_CASES])
def test_empty_groups_left_out(case, extra, test, p):
    extra = [{"status": "completed", **e} for e in extra]
    out = compare_resources(cohort_from(TWO_GROUPS, extra))
    assert out.loc[0, "test"] == test
    assert out.loc[0, "p_value"] == pytest.approx(p)


@pytest.mark.parametrize(
    "counts",
    [
        {"A": [(1, 1), (0, 0)]},  # one group: nothing to compare
        {"A": [(1, 1)], "B": []},  # B has nobody
    ],
)
def test_single_group_is_nan(counts):
    out = compare_resources(cohort_from(counts))
    assert len(out) == 4
    assert out["p_value"].isna().all() and out["q_value"].isna().all()


def test_no_grouping_and_no_follow_up():
    cohort = make_cohort(
        [{"participant_id": "p", "arm": "a"}],
        [{"participant_id": "p", "month": 0, "used_x": 1}],
        resources=("x",),
    )
    out = compare_resources(cohort, group_by=None)
    assert list(out["measure"]) == ["used_ever", "most_helpful_ever"]
    assert out["p_value"].isna().all()
    assert out.dtypes["p_value"] == "float64"


@settings(max_examples=40, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["A", "B", "C"]),
        st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1)), min_size=0, max_size=8),
        min_size=1,
        max_size=3,
    ).filter(lambda counts: any(counts.values()))  # a cohort has at least one participant
)
def test_p_and_q_in_unit_interval(counts):
    out = compare_resources(cohort_from(counts))
    for col in ("p_value", "q_value"):
        v = out[col].dropna().to_numpy()
        assert np.all((v >= 0) & (v <= 1 + 1e-12))
    # q is NaN exactly where p is, and never below p
    assert (out["p_value"].isna() == out["q_value"].isna()).all()
    both = out.dropna(subset=["p_value"])
    assert (both["q_value"] >= both["p_value"] - 1e-12).all()


def test_given_overall_table_is_used():
    cohort = cohort_from(TWO_GROUPS)
    overall = resources_overall(cohort)
    same = compare_resources(cohort, overall=overall)
    assert same.equals(compare_resources(cohort))
    # The table given is the one tested, not recomputed: make B's x users 1 -> 5 of 5 and the
    # used-x table [[5, 1], [5, 0]] has first column 10 of 11: P(a) = C(6,a)C(5,10-a)/C(11,10)
    # for a = 5, 6 -> 6/11, 5/11; observed a = 5 (6/11), as or less likely: both -> p = 1.
    doctored = overall.copy()
    doctored.loc[(doctored["group"] == "B") & (doctored["resource"] == "x"), "used_ever"] = 5
    out = compare_resources(cohort, overall=doctored)
    assert out.loc[0, "p_value"] == pytest.approx(1.0)
    assert compare_resources(cohort).loc[0, "p_value"] == pytest.approx(37 / 462)


def test_without_odds_ratios_only_the_odds_ratio_columns_change():
    # odds_ratios=False (the summary's call) leaves the three odds-ratio columns NaN; p (37/462
    # for used x, test_two_groups_fisher_by_hand), q, risk differences are the default's.
    cohort = cohort_from(TWO_GROUPS)
    full = compare_resources(cohort)
    lean = compare_resources(cohort, odds_ratios=False)
    odds = ["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"]
    assert lean[odds].isna().all().all()
    assert full.loc[0, "odds_ratio"] > 1  # the default still computes them
    assert lean.drop(columns=odds).equals(full.drop(columns=odds))
    assert lean.loc[0, "p_value"] == pytest.approx(37 / 462)
