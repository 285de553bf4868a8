"""Tests for hoo_metrics.metrics.enrollment, on tiny inline cohorts counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from hoo_metrics.contract import ALL_GROUP, BLANK_GROUP
from hoo_metrics.metrics.enrollment import enrollment
from tests.factories import make_cohort


def P(pid, arm, status="completed", **extra):
    return {"participant_id": pid, "arm": arm, "status": status, **extra}


# enhanced: e1 completed, e2 completed, e3 withdrew          -> enrolled 3, analysed 2
# routine:  r1 completed, r2 lost_to_follow_up, r3 withdrew,
#           r4 lost_to_follow_up                               -> enrolled 4, analysed 1
COHORT = make_cohort(
    [
        P("e1", "enhanced", site="A"),
        P("e2", "enhanced", site=None),
        P("e3", "enhanced", "withdrew", site="B"),
        P("r1", "routine", site="A"),
        P("r2", "routine", "lost_to_follow_up", site="A"),
        P("r3", "routine", "withdrew", site=None),
        P("r4", "routine", "lost_to_follow_up", site="B"),
    ]
)


def test_by_arm_completers():
    expected = pd.DataFrame(
        {
            "group": pd.Series(["enhanced", "routine"], dtype="str"),
            "enrolled": [3, 4],
            "analysed": [2, 1],
            "completed": [2, 1],
            "withdrew": [1, 1],
            "lost_to_follow_up": [0, 2],
        }
    ).astype({c: "int64" for c in ("enrolled", "analysed", "completed", "withdrew")})
    expected["lost_to_follow_up"] = expected["lost_to_follow_up"].astype("int64")
    pd.testing.assert_frame_equal(enrollment(COHORT), expected)


def test_all_enrolled_population_analyses_everyone():
    out = enrollment(COHORT, population="all")
    assert out["analysed"].tolist() == out["enrolled"].tolist() == [3, 4]


def test_no_grouping_is_one_group():
    # 7 enrolled, 3 completed (e1, e2, r1), 2 withdrew, 2 lost.
    out = enrollment(COHORT, group_by=None)
    assert out.to_dict("records") == [
        {
            "group": ALL_GROUP,
            "enrolled": 7,
            "analysed": 3,
            "completed": 3,
            "withdrew": 2,
            "lost_to_follow_up": 2,
        }
    ]


def test_grouping_column_with_blanks():
    # site A: e1, r1, r2 (analysed e1, r1); site B: e3, r4 (none analysed);
    # blank: e2, r3 (analysed e2). Groups ascending: "(blank)" < "A" < "B".
    out = enrollment(COHORT, group_by="site").set_index("group")
    assert out.index.tolist() == [BLANK_GROUP, "A", "B"]
    assert out["enrolled"].tolist() == [2, 3, 2]
    assert out["analysed"].tolist() == [1, 2, 0]
    assert out["lost_to_follow_up"].tolist() == [0, 1, 1]


@pytest.mark.parametrize(
    ("participants", "group_by", "expected"),
    [
        # one participant
        ([P("a", "x")], "arm", [("x", 1, 1, 1, 0, 0)]),
        # a group where nobody completed still appears, analysed 0
        (
            [P("a", "x"), P("b", "y", "withdrew")],
            "arm",
            [("x", 1, 1, 1, 0, 0), ("y", 1, 0, 0, 1, 0)],
        ),
        # numeric group labels sort numerically (10 after 9)
        (
            [P("a", "x", band="10"), P("b", "x", band="9")],
            "band",
            [("9", 1, 1, 1, 0, 0), ("10", 1, 1, 1, 0, 0)],
        ),
    ],
)
def test_edge_cases(participants, group_by, expected):
    out = enrollment(make_cohort(participants), group_by=group_by)
    assert list(out.itertuples(index=False, name=None)) == expected


def test_empty_cohort_after_filter_has_columns_and_no_rows():
    out = enrollment(COHORT.filter({"arm": ["nobody"]}))
    assert out.empty
    assert list(out.columns) == [
        "group",
        "enrolled",
        "analysed",
        "completed",
        "withdrew",
        "lost_to_follow_up",
    ]
    assert (out.dtypes.iloc[1:] == "int64").all()


def test_unknown_population_raises():
    with pytest.raises(ValueError, match="population"):
        enrollment(COHORT, population="some")


def test_status_counts_add_up_to_enrolled():
    out = enrollment(COHORT, group_by="site")
    assert (
        out[["completed", "withdrew", "lost_to_follow_up"]].sum(axis=1) == out["enrolled"]
    ).all()
