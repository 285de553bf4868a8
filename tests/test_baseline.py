"""Tests for hoo_metrics.metrics.baseline (Table 1), on tiny inline cohorts worked by hand."""

from __future__ import annotations

from math import comb

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from hoo_metrics.contract import BLANK_GROUP
from hoo_metrics.metrics.baseline import baseline_table, baseline_tests
from tests.factories import make_cohort


def P(pid, arm, status="completed", **extra):
    return {"participant_id": pid, "arm": arm, "status": status, **extra}


def R(pid, month, stage=None, path=None):
    return {"participant_id": pid, "month": month, "stage": stage, "stage6_path": path}


# Completers: E = e1..e4 (denominator 4), R = r1..r3 (denominator 3); w1 withdrew.
#        role      event_type      site  country  baseline stage
#   e1   nurse     maternal_death  A     US       2 early
#   e2   nurse     maternal_death  B     US       6 thriving
#   e3   (blank)   other           A     US       no baseline response (blank)
#   e4   resident  maternal_death  A     US       6 thriving
#   r1   nurse     other           A     US       4 middle
#   r2   resident  other           B     US       1 early
#   r3   resident  other           A     US       3 early
#   w1   midwife   maternal_death  C     US       5 middle   (withdrew: not analysed)
COHORT = make_cohort(
    [
        P("e1", "E", role="nurse", event_type="maternal_death", site="A", country="US"),
        P("e2", "E", role="nurse", event_type="maternal_death", site="B", country="US"),
        P("e3", "E", role=None, event_type="other", site="A", country="US"),
        P("e4", "E", role="resident", event_type="maternal_death", site="A", country="US"),
        P("r1", "R", role="nurse", event_type="other", site="A", country="US"),
        P("r2", "R", role="resident", event_type="other", site="B", country="US"),
        P("r3", "R", role="resident", event_type="other", site="A", country="US"),
        P("w1", "R", "withdrew", role="midwife", event_type="maternal_death", site="C"),
    ],
    [
        R("e1", 0, 2),
        R("e1", 3, 6, "thriving"),
        R("e2", 0, 6, "thriving"),
        R("e3", 3, 4),
        R("e4", 0, 6, "thriving"),
        R("r1", 0, 4),
        R("r2", 0, 1),
        R("r3", 0, 3),
        R("w1", 0, 5),
    ],
)

# (variable, level, E count, R count); denominators E 4, R 3.
EXPECTED_COUNTS = [
    ("role", "nurse", 2, 1),
    ("role", "resident", 1, 2),
    ("role", BLANK_GROUP, 1, 0),
    ("event_type", "maternal_death", 3, 0),
    ("event_type", "other", 1, 3),
    ("site", "A", 3, 2),
    ("site", "B", 1, 1),
    ("country", "US", 4, 3),
    ("baseline_stage_category", "early", 1, 2),
    ("baseline_stage_category", "middle", 0, 1),
    ("baseline_stage_category", "thriving", 2, 0),
    ("baseline_stage_category", BLANK_GROUP, 1, 0),
]


def test_baseline_table_by_arm():
    rows = []
    for variable, level, e, r in EXPECTED_COUNTS:
        rows.append((variable, level, "E", e, 4, e / 4))
        rows.append((variable, level, "R", r, 3, r / 3))
    expected = pd.DataFrame(
        rows, columns=["variable", "level", "group", "n", "denominator", "share"]
    ).astype({"variable": "str", "level": "str", "group": "str", "n": "int64"})
    expected["denominator"] = expected["denominator"].astype("int64")
    pd.testing.assert_frame_equal(baseline_table(COHORT), expected)


def test_baseline_table_shares_add_up_within_variable_and_group():
    out = baseline_table(COHORT)
    assert out.groupby(["variable", "group"])["share"].sum().to_numpy() == pytest.approx(1.0)


def test_all_enrolled_adds_the_withdrawn_levels():
    # w1 (R) brings role midwife, site C and a middle baseline stage; R denominator 4.
    out = baseline_table(COHORT, population="all").set_index(["variable", "level", "group"])
    assert out.loc[("role", "midwife", "R"), "n"] == 1
    assert out.loc[("role", "midwife", "E"), "n"] == 0
    assert out.loc[("site", "C", "R"), "share"] == 1 / 4
    assert out.loc[("baseline_stage_category", "middle", "R"), "n"] == 2
    assert "country" in out.index.get_level_values("variable")
    # w1's country is blank: a blank level appears for R only
    assert out.loc[("country", BLANK_GROUP, "R"), "n"] == 1


def test_grouping_column_is_not_a_variable_and_arm_becomes_one():
    variables = baseline_table(COHORT, group_by="site")["variable"].unique().tolist()
    assert variables == ["role", "event_type", "arm", "country", "baseline_stage_category"]
    ungrouped = baseline_table(COHORT, group_by=None)["variable"].unique().tolist()
    assert ungrouped == ["role", "event_type", "arm", "site", "country", "baseline_stage_category"]


def test_group_with_nobody_analysed_has_nan_share():
    # site C only has the withdrawn w1: a group among enrolled, denominator 0 among completers.
    out = baseline_table(COHORT, group_by="site")
    c = out[out["group"] == "C"]
    assert (c["denominator"] == 0).all()
    assert (c["n"] == 0).all()
    assert c["share"].isna().all()


def _fisher_two_sided(a, b, c, d):
    """Independent two-sided Fisher p: hypergeometric probabilities summed with math.comb."""
    row1, col1, total = a + b, a + c, a + b + c + d
    denom = comb(total, row1)
    prob = {
        k: comb(col1, k) * comb(total - col1, row1 - k) / denom
        for k in range(max(0, row1 + col1 - total), min(row1, col1) + 1)
    }
    return sum(p for p in prob.values() if p <= prob[a] * (1 + 1e-7))


def test_baseline_tests_by_arm():
    out = baseline_tests(COHORT).set_index("variable")
    assert out.index.tolist() == [
        "role",
        "event_type",
        "site",
        "country",
        "baseline_stage_category",
    ]

    # role, blanks left out: [[2, 1], [1, 2]] (nurse, resident x E, R). N 6, nurse 3, E 3;
    # C(6, 3) = 20, numerators k = 0..3: 1, 9, 9, 1; observed k = 2 (9/20), every table
    # is at most as probable -> p = 1. Sample odds ratio 2*2 / (1*1) = 4.
    assert out.loc["role", "test"] == "Fisher's exact"
    assert out.loc["role", "p_value"] == pytest.approx(1.0)
    assert out.loc["role", "statistic"] == pytest.approx(4.0)

    # event_type: [[3, 0], [1, 3]]. N 7, maternal_death 3, E 4; C(7, 3) = 35, numerators
    # k = 0..3: C(4,k) C(3,3-k) = 1, 12, 18, 4; observed k = 3 (4/35);
    # p = (1 + 4) / 35 = 1/7.
    assert _fisher_two_sided(3, 0, 1, 3) == pytest.approx(1 / 7)
    assert out.loc["event_type", "test"] == "Fisher's exact"
    assert out.loc["event_type", "p_value"] == pytest.approx(1 / 7, rel=1e-9)

    # site: [[3, 2], [1, 1]]. N 7, A 5, E 4; k = 2..4: 6, 12, 3 over C(7, 5) = 21;
    # observed 12/21 is the most probable -> p = 1.
    assert out.loc["site", "p_value"] == pytest.approx(1.0)

    # country: one level
    assert out.loc["country", "test"] == "not tested (one level)"
    assert np.isnan(out.loc["country", "p_value"])
    assert np.isnan(out.loc["country", "statistic"])

    # baseline stage (blank left out), 3 x 2: early (1, 2), middle (0, 1), thriving (2, 0);
    # Fisher-Freeman-Halton: E column x = (early, middle, thriving) with sum 3, rows 3, 1, 2,
    # N 6: P(x) = C(3,xe) C(1,xm) C(2,xt) / C(6,3) = ./20:
    #   (3,0,0) 1  (2,1,0) 3  (2,0,1) 6  (1,1,1) 6  (1,0,2) 3  (0,1,2) 1   (sum 20)
    # observed (1,0,2) = 3/20; p = (1 + 3 + 3 + 1) / 20 = 0.4; statistic = 3/20.
    stage = out.loc["baseline_stage_category"]
    assert stage["test"] == "Fisher-Freeman-Halton exact"
    assert stage["p_value"] == pytest.approx(0.4, rel=1e-9)
    assert stage["statistic"] == pytest.approx(3 / 20, rel=1e-9)


def test_baseline_tests_larger_table_is_chi_square():
    # Grouped by site, everyone enrolled: role x site is 3 levels x 3 groups, beyond 2 x c,
    # so chi-square (no continuity correction with 4 df). Blank role (e3) left out:
    #            A  B  C
    #  midwife   0  0  1
    #  nurse     2  1  0
    #  resident  2  1  0
    out = baseline_tests(COHORT, group_by="site", population="all").set_index("variable")
    observed = np.array([[0, 0, 1], [2, 1, 0], [2, 1, 0]])
    expected = observed.sum(1, keepdims=True) * observed.sum(0, keepdims=True) / observed.sum()
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert out.loc["role", "test"] == "Chi-square"
    assert out.loc["role", "statistic"] == pytest.approx(chi2)
    assert out.loc["role", "p_value"] == pytest.approx(stats.chi2.sf(chi2, df=4))


@pytest.mark.parametrize(
    ("participants", "responses", "group_by", "expected_tests"),
    [
        # one participant: every variable has one level
        ([P("a", "x", role="nurse")], [R("a", 0, 2)], "arm", ["not tested (one level)"] * 2),
        # two levels, but everyone in one group
        (
            [P("a", "x", role="nurse"), P("b", "x", role="resident")],
            [R("a", 0, 1), R("b", 0, 4)],
            "arm",
            ["not tested (one group)"] * 2,
        ),
        # ungrouped: one group whatever the levels (arm becomes a variable with one level)
        (
            [P("a", "x", role="nurse"), P("b", "x", role="resident")],
            [],
            None,
            ["not tested (one group)", "not tested (one level)", "not tested (one level)"],
        ),
        # blanks are not a level: a single level plus blanks is not tested
        (
            [P("a", "x", role="nurse"), P("b", "y", role=None)],
            [R("a", 0), R("b", 0)],
            "arm",
            ["not tested (one level)"] * 2,
        ),
    ],
)
def test_baseline_tests_edge_cases(participants, responses, group_by, expected_tests):
    out = baseline_tests(make_cohort(participants, responses), group_by=group_by)
    assert out["test"].tolist() == expected_tests
    assert out["p_value"].isna().all()


@pytest.mark.parametrize(
    ("responses", "level"),
    [
        ([], BLANK_GROUP),  # no response at all
        ([R("a", 3, 2)], BLANK_GROUP),  # only a follow-up response
        ([R("a", 0)], BLANK_GROUP),  # baseline response with a blank stage
        ([R("a", 0, 5)], "middle"),
        ([R("a", 0, 6, "dropping_out"), R("a", 3, 1)], "dropping_out"),
    ],
)
def test_baseline_stage_category_levels(responses, level):
    out = baseline_table(make_cohort([P("a", "x")], responses), group_by=None)
    stage = out[out["variable"] == "baseline_stage_category"]
    assert stage["level"].tolist() == [level]
    assert stage["n"].tolist() == [1]


def test_numeric_levels_sort_numerically():
    cohort = make_cohort([P("a", "x", years="10"), P("b", "x", years="9"), P("c", "x", years="2")])
    out = baseline_table(cohort)
    assert out.loc[out["variable"] == "years", "level"].tolist() == ["2", "9", "10"]


def test_empty_cohort():
    empty = COHORT.filter({"arm": ["nobody"]})
    table = baseline_table(empty)
    assert table.empty
    assert list(table.columns) == ["variable", "level", "group", "n", "denominator", "share"]
    assert list(baseline_tests(empty).columns) == ["variable", "test", "statistic", "p_value"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c"]),
            st.sampled_from(["nurse", "resident", "midwife", None]),
            st.sampled_from(["1", "2", None]),
            st.one_of(st.none(), st.integers(1, 5)),
            st.sampled_from(["completed", "withdrew"]),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_properties(rows):
    participants = [
        P(f"p{i}", arm, status, role=role, site=site)
        for i, (arm, role, site, _, status) in enumerate(rows)
    ]
    responses = [R(f"p{i}", 0, stage) for i, (*_, stage, _) in enumerate(rows)]
    cohort = make_cohort(participants, responses)
    table = baseline_table(cohort)
    analysed = {}
    for arm, *_, status in rows:
        analysed[arm] = analysed.get(arm, 0) + (status == "completed")
    # within every variable, each group's counts add up to its analysed participants
    sums = table.groupby(["variable", "group"])["n"].sum()
    for (_, group), total in sums.items():
        assert total == analysed[group]
    assert (table["denominator"] == table["group"].map(analysed)).all()
    tests = baseline_tests(cohort)
    p = tests["p_value"].dropna()
    assert ((p >= 0) & (p <= 1)).all()
    # a p-value exactly when a test was run
    assert (tests["p_value"].isna() == tests["test"].str.startswith("not tested")).all()


def test_screened_columns_are_not_tabulated():
    # a cohort built without the validator (as a library copy from before the screen) still
    # holds a notes column of free text: Table 1 never lists its values
    from tests.factories import make_cohort

    notes = [
        "talked to a colleague after the night shift about it",
        "did not want to discuss the event with anyone at all",
        "spoke with the chaplain twice during the first week",
        "felt supported by the team and the unit manager",
    ] * 3
    people = [
        {"participant_id": f"p{i}", "arm": "a" if i % 2 else "b", "notes": notes[i]}
        for i in range(12)
    ]
    responses = [{"participant_id": f"p{i}", "month": 0, "stage": 1} for i in range(12)]
    cohort = make_cohort(people, responses)
    assert "notes" in cohort.screened
    assert "notes" not in set(baseline_table(cohort, "arm", "completed")["variable"])
