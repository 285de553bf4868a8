"""Tests for hoo_metrics.metrics.stages, on tiny inline cohorts worked by hand."""

from __future__ import annotations

from math import comb, nan

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from hoo_metrics.contract import ALL_GROUP, STAGE6_PATHS
from hoo_metrics.metrics._analysed import analyse
from hoo_metrics.metrics.stages import (
    early_to_thriving,
    recovered_resource_tests,
    stage_categories,
    stage_category,
    transition_waves,
    transitions,
)
from tests.factories import make_cohort


def P(pid, arm="x", status="completed", **extra):
    return {"participant_id": pid, "arm": arm, "status": status, **extra}


def R(pid, month, stage=None, path=None, **extra):
    return {"participant_id": pid, "month": month, "stage": stage, "stage6_path": path, **extra}


def frame(rows, columns):
    """Expected transition table in the canonical dtypes."""
    out = pd.DataFrame(rows, columns=columns)
    for c in columns:
        out[c] = out[c].astype("int64" if c in ("n", "month") else "str")
    return out


# ---- stage_category ------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("stage", "path", "expected"),
    [
        (1, None, "early"),
        (2, None, "early"),
        (3, None, "early"),
        (4, None, "middle"),
        (5, None, "middle"),
        (6, "dropping_out", "dropping_out"),
        (6, "surviving", "surviving"),
        (6, "thriving", "thriving"),
        (2, "thriving", "early"),  # a path is only read at stage 6
        (None, None, nan),  # blank stage
        (None, "thriving", nan),  # a path without a stage is no category
        (6, None, nan),  # stage 6 without its path
    ],
)
def test_stage_category(stage, path, expected):
    out = stage_category(pd.Series([stage], dtype="float64"), pd.Series([path], dtype="str")).iloc[
        0
    ]
    if isinstance(expected, str):
        assert out == expected
    else:
        assert pd.isna(out)


def test_stage_category_is_vectorised_and_keeps_the_index():
    stage = pd.Series([6.0, 1.0, np.nan, 4.0], index=[10, 11, 12, 13])
    path = pd.Series(["thriving", None, None, None], index=stage.index, dtype="str")
    out = stage_category(stage, path)
    assert out.index.tolist() == [10, 11, 12, 13]
    assert str(out.dtype) == "str"
    assert out.tolist()[:2] == ["thriving", "early"]
    assert pd.isna(out.iloc[2])
    assert out.iloc[3] == "middle"


# ---- transitions ---------------------------------------------------------------------------
# Arms E (enhanced) and R (routine); months 0 (baseline), 3, 6. Category at each wave:
#   e1: early(2)  middle(4)  thriving      last: early -> thriving     at 3: early -> middle
#   e2: early(1)  thriving   blank         last (m3): early -> thriving at 3: early -> thriving
#   e3: middle(5) surviving  -             middle -> surviving (last and at 3)
#   e4: early(3)  -          -             only baseline: no transition
#   e5: withdrew; early(1), m6 thriving    counted only with population="all"
#   r1: dropping_out  -      early(2)      dropping_out -> early (last and at 6)
#   r2: blank     middle(4)  -             no baseline category: no transition
#   r3: middle(4) middle(4)  thriving      middle -> thriving          at 3: middle -> middle
#   r4: early(2)  thriving   thriving      early -> thriving           at 3: early -> thriving
# Responses are written out of month order for r3 (6 before 3) on purpose.
COHORT = make_cohort(
    [
        P("e1", "E"),
        P("e2", "E"),
        P("e3", "E"),
        P("e4", "E"),
        P("e5", "E", "withdrew"),
        P("r1", "R"),
        P("r2", "R"),
        P("r3", "R"),
        P("r4", "R"),
    ],
    [
        R("e1", 0, 2),
        R("e1", 3, 4),
        R("e1", 6, 6, "thriving"),
        R("e2", 0, 1),
        R("e2", 3, 6, "thriving"),
        R("e2", 6),
        R("e3", 0, 5),
        R("e3", 3, 6, "surviving"),
        R("e4", 0, 3),
        R("e5", 0, 1),
        R("e5", 6, 6, "thriving"),
        R("r1", 0, 6, "dropping_out"),
        R("r1", 6, 2),
        R("r2", 0),
        R("r2", 3, 4),
        R("r3", 0, 4),
        R("r3", 6, 6, "thriving"),
        R("r3", 3, 4),
        R("r4", 0, 2),
        R("r4", 3, 6, "thriving"),
        R("r4", 6, 6, "thriving"),
    ],
)
TRANSITION = ["group", "from", "to", "n"]


def test_transitions_to_last_wave():
    # E: early->thriving e1, e2 (2); middle->surviving e3 (1).
    # R: early->thriving r4; middle->thriving r3; dropping_out->early r1.
    # Rows by group, then from and to in STAGE_CATEGORIES order (early, middle, dropping_out,
    # surviving, thriving).
    expected = frame(
        [
            ("E", "early", "thriving", 2),
            ("E", "middle", "surviving", 1),
            ("R", "early", "thriving", 1),
            ("R", "middle", "thriving", 1),
            ("R", "dropping_out", "early", 1),
        ],
        TRANSITION,
    )
    pd.testing.assert_frame_equal(transitions(COHORT), expected)


def test_transitions_at_month_3():
    # e1 early->middle, e2 early->thriving, e3 middle->surviving; r3 middle->middle,
    # r4 early->thriving (r1 has no month 3, r2 no baseline).
    expected = frame(
        [
            ("E", "early", "middle", 1),
            ("E", "early", "thriving", 1),
            ("E", "middle", "surviving", 1),
            ("R", "early", "thriving", 1),
            ("R", "middle", "middle", 1),
        ],
        TRANSITION,
    )
    pd.testing.assert_frame_equal(transitions(COHORT, to=3), expected)


def test_transitions_all_enrolled_and_ungrouped():
    # population all adds e5 (early->thriving): early->thriving e1 e2 e5 r4 = 4.
    out = transitions(COHORT, group_by=None, population="all")
    assert out.to_dict("records") == [
        {"group": ALL_GROUP, "from": "early", "to": "thriving", "n": 4},
        {"group": ALL_GROUP, "from": "middle", "to": "surviving", "n": 1},
        {"group": ALL_GROUP, "from": "middle", "to": "thriving", "n": 1},
        {"group": ALL_GROUP, "from": "dropping_out", "to": "early", "n": 1},
    ]


def test_transition_waves_every_follow_up_month():
    # month 3 as in test_transitions_at_month_3; month 6: e1 early->thriving (e2 blank at 6),
    # r4 early->thriving, r3 middle->thriving, r1 dropping_out->early.
    expected = frame(
        [
            (3, "E", "early", "middle", 1),
            (3, "E", "early", "thriving", 1),
            (3, "E", "middle", "surviving", 1),
            (3, "R", "early", "thriving", 1),
            (3, "R", "middle", "middle", 1),
            (6, "E", "early", "thriving", 1),
            (6, "R", "early", "thriving", 1),
            (6, "R", "middle", "thriving", 1),
            (6, "R", "dropping_out", "early", 1),
        ],
        ["month", *TRANSITION],
    )
    pd.testing.assert_frame_equal(transition_waves(COHORT), expected)


def test_early_to_thriving():
    # E: 2 of 3 with a transition (e1, e2 of e1 e2 e3); R: 1 (r4) of 3 (r1, r3, r4).
    expected = pd.DataFrame(
        {
            "group": pd.Series(["E", "R"], dtype="str"),
            "n": np.array([2, 1], dtype="int64"),
            "participants": np.array([3, 3], dtype="int64"),
            "share": [2 / 3, 1 / 3],
        }
    )
    pd.testing.assert_frame_equal(early_to_thriving(COHORT), expected)
    # all enrolled: E gains e5 -> 3 of 4.
    assert early_to_thriving(COHORT, population="all")["share"].tolist() == [0.75, 1 / 3]


def test_early_to_thriving_group_without_transitions_has_nan_share():
    # e4 and r4 have only a baseline: 0 participants with a transition, share NaN.
    cohort = make_cohort([P("e4", "E"), P("r4", "R")], [R("e4", 0, 3), R("r4", 0, 2)])
    out = early_to_thriving(cohort)
    assert out["participants"].tolist() == [0, 0]
    assert out["n"].tolist() == [0, 0]
    assert out["share"].isna().all()


def test_stage_categories():
    # e5 (withdrew) and blank stages are left out; sorted by participant then month.
    out = stage_categories(COHORT)
    assert "e5" not in set(out["participant_id"])
    r3 = out[out["participant_id"] == "r3"]
    assert r3["month"].tolist() == [0, 3, 6]
    assert r3["category"].tolist() == ["middle", "middle", "thriving"]
    assert out.loc[out["participant_id"] == "e2", "month"].tolist() == [0, 3]
    assert list(out.dtypes.astype(str)) == ["str", "int64", "str"]


@pytest.mark.parametrize(
    ("responses", "expected"),
    [
        # one participant with only a baseline response
        ([R("a", 0, 2)], []),
        # baseline stage blank
        ([R("a", 0), R("a", 3, 6, "thriving")], []),
        # follow-up responses whose stages are all blank
        ([R("a", 0, 2), R("a", 3), R("a", 6)], []),
        # no baseline response at all
        ([R("a", 3, 2), R("a", 6, 6, "thriving")], []),
        # missing month 3 wave: baseline straight to month 6
        ([R("a", 0, 1), R("a", 6, 4)], [("early", "middle")]),
        # the last wave has a blank stage: the last wave WITH a stage counts
        ([R("a", 0, 1), R("a", 3, 5), R("a", 6)], [("early", "middle")]),
        # stage 6 paths on both sides
        (
            [R("a", 0, 6, "dropping_out"), R("a", 3, 6, "surviving")],
            [("dropping_out", "surviving")],
        ),
        # stage 6 without a path at the last wave: not a category, month 3 counts
        ([R("a", 0, 3), R("a", 3, 6, "thriving"), R("a", 6, 6)], [("early", "thriving")]),
        # rows out of month order: the largest month is the last wave
        ([R("a", 9, 6, "thriving"), R("a", 0, 2), R("a", 3, 4)], [("early", "thriving")]),
    ],
)
def test_transition_edge_cases(responses, expected):
    out = transitions(make_cohort([P("a")], responses))
    assert list(zip(out["from"], out["to"], strict=True)) == expected
    assert out["n"].tolist() == [1] * len(expected)


@pytest.mark.parametrize("to", [0, -3, "first", 2.5, True])
def test_transitions_rejects_a_bad_to(to):
    with pytest.raises(ValueError, match="to must be"):
        transitions(COHORT, to=to)


def test_transitions_to_a_month_nobody_answered_is_empty():
    out = transitions(COHORT, to=12)
    assert out.empty
    assert list(out.columns) == TRANSITION


def test_empty_cohort_gives_empty_tables_with_columns():
    empty = COHORT.filter({"arm": ["nobody"]})
    assert list(transitions(empty).columns) == TRANSITION
    assert list(transition_waves(empty).columns) == ["month", *TRANSITION]
    assert early_to_thriving(empty).empty
    assert recovered_resource_tests(empty).empty  # no resources in COHORT


# ---- resources of those who recovered --------------------------------------------------------
# Participants with a transition (all arm x, completers):
#   t1..t5 early -> thriving. peers used at follow-up: t1, t3, t4 at month 3; t2 only at
#          month 6, a wave without a stage (any follow-up wave counts); t5 never.   -> 4 of 5
#   o1..o6 other transitions. peers used: o1 (early->middle) at month 3; o2 only at baseline
#          (does not count); o3 thriving->thriving, o4 middle->thriving (used blank),
#          o5 early->surviving, o6 early->middle: never.                           -> 1 of 6
#   n1 has no baseline (not counted though it used peers); n2 withdrew (not analysed).
# eap: nobody used it.
#
# Fisher's exact test on [[4, 1], [1, 5]]: margins N = 11, users K = 5, early->thriving n = 5.
# P(X = k) = C(5, k) C(6, 5 - k) / C(11, 5), C(11, 5) = 462; numerators for k = 0..5:
#   6, 75, 200, 150, 30, 1. Observed k = 4 (30/462). Two-sided: tables no more probable
#   than observed: k = 0, 4, 5 -> (6 + 30 + 1) / 462 = 37/462 = 0.0800866.
# Risk difference 4/5 - 1/6 = 0.633333.
RECOVERED = make_cohort(
    [P(p) for p in ("t1", "t2", "t3", "t4", "t5", "o1", "o2", "o3", "o4", "o5", "o6", "n1")]
    + [P("n2", status="withdrew")],
    [
        R("t1", 0, 1, used_peers=0),
        R("t1", 3, 6, "thriving", used_peers=1),
        R("t2", 0, 2),
        R("t2", 3, 6, "thriving", used_peers=0),
        R("t2", 6, used_peers=1),
        R("t3", 0, 3),
        R("t3", 3, 6, "thriving", used_peers=1),
        R("t4", 0, 1),
        R("t4", 3, 6, "thriving", used_peers=1, used_eap=0),
        R("t5", 0, 1),
        R("t5", 3, 6, "thriving", used_peers=0),
        R("o1", 0, 2),
        R("o1", 3, 4, used_peers=1),
        R("o2", 0, 2, used_peers=1),
        R("o2", 3, 3, used_peers=0),
        R("o3", 0, 6, "thriving"),
        R("o3", 3, 6, "thriving", used_peers=0),
        R("o4", 0, 4),
        R("o4", 3, 6, "thriving"),
        R("o5", 0, 1),
        R("o5", 3, 6, "surviving", used_peers=0),
        R("o6", 0, 1),
        R("o6", 3, 5, used_peers=0),
        R("n1", 3, 6, "thriving", used_peers=1),
        R("n2", 0, 1),
        R("n2", 3, 6, "thriving", used_peers=1),
    ],
    resources=("peers", "eap"),
)


def _fisher_two_sided(a, b, c, d):
    """Independent two-sided Fisher p by summing hypergeometric probabilities (math.comb)."""
    row1, col1, total = a + b, a + c, a + b + c + d
    probs = [
        comb(col1, k) * comb(total - col1, row1 - k) / comb(total, row1)
        for k in range(max(0, row1 + col1 - total), min(row1, col1) + 1)
    ]
    observed = comb(col1, a) * comb(total - col1, row1 - a) / comb(total, row1)
    return sum(p for p in probs if p <= observed * (1 + 1e-7))


def _conditional_mle_odds_ratio(a, b, c, d):
    """Independent conditional MLE: psi where E[X | margins, psi] = a (Fisher's noncentral
    hypergeometric), solved with brentq."""
    row1, col1, total = a + b, a + c, a + b + c + d
    ks = range(max(0, row1 + col1 - total), min(row1, col1) + 1)
    w = {k: comb(col1, k) * comb(total - col1, row1 - k) for k in ks}

    def mean_minus_a(log_psi):
        z = sum(w[k] * np.exp(k * log_psi) for k in ks)
        return sum(k * w[k] * np.exp(k * log_psi) for k in ks) / z - a

    return float(np.exp(brentq(mean_minus_a, -20, 20)))


def test_recovered_resource_tests_peers():
    out = recovered_resource_tests(RECOVERED).set_index("resource")
    peers = out.loc["peers"]
    assert (peers.transitioned, peers.transitioned_n, peers.others, peers.others_n) == (4, 5, 1, 6)
    assert _fisher_two_sided(4, 1, 1, 5) == pytest.approx(37 / 462)  # the hand sum above
    assert peers.p_value == pytest.approx(37 / 462, rel=1e-9)
    assert peers.test == "Fisher's exact"
    assert peers.risk_difference == pytest.approx(4 / 5 - 1 / 6)
    assert peers.risk_difference_ci_low < peers.risk_difference < peers.risk_difference_ci_high
    assert peers.odds_ratio == pytest.approx(_conditional_mle_odds_ratio(4, 1, 1, 5), rel=1e-6)
    assert peers.odds_ratio_ci_low < peers.odds_ratio < peers.odds_ratio_ci_high


def test_recovered_resource_tests_unused_resource_and_columns():
    out = recovered_resource_tests(RECOVERED)
    assert out["resource"].tolist() == ["peers", "eap"]  # cohort order
    assert list(out.columns) == [
        "resource",
        "transitioned",
        "transitioned_n",
        "others",
        "others_n",
        "p_value",
        "risk_difference",
        "risk_difference_ci_low",
        "risk_difference_ci_high",
        "odds_ratio",
        "odds_ratio_ci_low",
        "odds_ratio_ci_high",
        "test",
    ]
    eap = out.set_index("resource").loc["eap"]
    # [[0, 5], [0, 6]]: every table with these margins is the observed one -> p = 1.
    assert (eap.transitioned, eap.others) == (0, 0)
    assert eap.p_value == pytest.approx(1.0)
    assert eap.risk_difference == 0.0
    assert np.isnan(eap.odds_ratio)


def test_recovered_resource_tests_without_odds_ratios():
    # odds_ratios=False (the summary's call): the three odds-ratio columns NaN, every other
    # column exactly the default output (p = 37/462 for peers, worked above).
    full = recovered_resource_tests(RECOVERED)
    lean = recovered_resource_tests(RECOVERED, odds_ratios=False)
    odds = ["odds_ratio", "odds_ratio_ci_low", "odds_ratio_ci_high"]
    assert lean[odds].isna().all().all()
    assert lean.drop(columns=odds).equals(full.drop(columns=odds))
    assert lean.dtypes.equals(full.dtypes)
    assert lean.loc[0, "p_value"] == pytest.approx(37 / 462, rel=1e-9)


def test_stage_tables_are_shared_and_repeat_calls_are_identical():
    # The staged arrays are kept once per analysed cohort: a second call returns the same
    # numbers (the t/o counts above: 11 with a transition, 5 early -> thriving).
    first = (transitions(RECOVERED), early_to_thriving(RECOVERED))
    staged = analyse(RECOVERED, "completed").stages
    again = (transitions(RECOVERED), early_to_thriving(RECOVERED))
    assert analyse(RECOVERED, "completed").stages is staged  # kept, not built again
    assert first[0].equals(again[0]) and first[1].equals(again[1])
    assert int(again[1]["n"].sum()) == 5 and int(again[1]["participants"].sum()) == 11
    assert not staged.participant.flags.writeable  # shared arrays cannot be changed by a caller
    assert not staged.last_waves.end.flags.writeable


def test_recovered_resource_tests_all_enrolled_counts_the_withdrawn():
    # n2 (withdrew, early->thriving, used peers) joins: 5 of 6 vs 1 of 6.
    peers = recovered_resource_tests(RECOVERED, population="all").iloc[0]
    assert (peers.transitioned, peers.transitioned_n, peers.others, peers.others_n) == (5, 6, 1, 6)
    assert peers.p_value == pytest.approx(_fisher_two_sided(5, 1, 1, 5), rel=1e-9)


def test_recovered_resource_tests_nobody_recovered_gives_nan():
    cohort = make_cohort([P("a")], [R("a", 0, 2), R("a", 3, 4, used_peers=1)])
    out = recovered_resource_tests(cohort).iloc[0]
    assert (out.transitioned, out.transitioned_n, out.others, out.others_n) == (0, 0, 1, 1)
    assert np.isnan(out.p_value)
    assert np.isnan(out.risk_difference)


# ---- properties ----------------------------------------------------------------------------
MONTHS = (0, 3, 6, 9)
wave = st.one_of(
    st.tuples(st.integers(1, 5), st.none()),
    st.tuples(st.just(6), st.sampled_from(STAGE6_PATHS)),
    st.tuples(st.none(), st.none()),
)
participant = st.fixed_dictionaries(
    {
        "arm": st.sampled_from(["a", "b"]),
        "status": st.sampled_from(["completed", "withdrew"]),
        "waves": st.dictionaries(
            st.sampled_from(MONTHS), st.tuples(wave, st.sampled_from([0, 1, None])), max_size=4
        ),
    }
)


def _category(stage, path):
    if stage is None:
        return None
    return "early" if stage <= 3 else "middle" if stage <= 5 else path


@settings(max_examples=60, deadline=None)
@given(st.lists(participant, min_size=1, max_size=12), st.sampled_from(["completed", "all"]))
def test_transition_counts_add_up(people, population):
    participants, responses = [], []
    for i, person in enumerate(people):
        participants.append(P(f"p{i}", person["arm"], person["status"]))
        for month, ((stage, path), used) in person["waves"].items():
            responses.append(R(f"p{i}", month, stage, path, used_peers=used))
    cohort = make_cohort(participants, responses, resources=("peers",))

    # plain-Python reference: analysed participants with a baseline and a follow-up category
    with_transition = {"a": 0, "b": 0}
    at_month = dict.fromkeys(MONTHS[1:], 0)
    for person in people:
        if population == "completed" and person["status"] != "completed":
            continue
        cats = {m: _category(*w) for m, (w, _) in person["waves"].items()}
        cats = {m: c for m, c in cats.items() if c is not None}
        if 0 in cats and any(m > 0 for m in cats):
            with_transition[person["arm"]] += 1
        for m in at_month:
            at_month[m] += 0 in cats and m in cats

    out = transitions(cohort, population=population)
    assert (out["n"] > 0).all()
    assert out["n"].sum() == sum(with_transition.values())
    assert out.groupby("group")["n"].sum().to_dict() == {
        g: n for g, n in with_transition.items() if n
    }
    e2t = early_to_thriving(cohort, population=population)
    assert e2t["participants"].sum() == sum(with_transition.values())
    assert (e2t["n"] <= e2t["participants"]).all()
    waves = transition_waves(cohort, population=population)
    assert waves.groupby("month")["n"].sum().to_dict() == {m: n for m, n in at_month.items() if n}
    tests = recovered_resource_tests(cohort, population=population)
    assert tests["transitioned_n"].iloc[0] + tests["others_n"].iloc[0] == sum(
        with_transition.values()
    )
    p = tests["p_value"].dropna()
    assert ((p >= 0) & (p <= 1)).all()


def test_with_baseline_stage_category_adds_a_groupable_filterable_column():
    from hoo_metrics.metrics.stages import BASELINE_STAGE_CATEGORY, with_baseline_stage_category

    c = make_cohort(
        [
            {"participant_id": "p1", "arm": "A"},
            {"participant_id": "p2", "arm": "A", "status": "withdrew"},
            {"participant_id": "p3", "arm": "B"},
            {"participant_id": "p4", "arm": "B"},
            {"participant_id": "p5", "arm": "B"},
        ],
        [
            {"participant_id": "p1", "month": 0, "stage": 2},  # early
            {"participant_id": "p1", "month": 3, "stage": 5},  # follow-up: not baseline
            {"participant_id": "p2", "month": 0, "stage": 6, "stage6_path": "thriving"},
            {"participant_id": "p3", "month": 0, "stage": 4},  # middle
            {"participant_id": "p4", "month": 0, "stage": 6},  # stage 6 without path: none
            {"participant_id": "p5", "month": 3, "stage": 1},  # no baseline response
        ],
    )
    out = with_baseline_stage_category(c)
    col = out.participants[BASELINE_STAGE_CATEGORY]
    assert BASELINE_STAGE_CATEGORY == "baseline_stage_category"
    assert col.iloc[:3].tolist() == ["early", "thriving", "middle"]  # every status gets one
    assert col.iloc[3:].isna().all() and str(col.dtype) == "str"
    assert BASELINE_STAGE_CATEGORY not in c.participants  # the input is unchanged
    assert out.groups(BASELINE_STAGE_CATEGORY) == ["(blank)", "early", "middle", "thriving"]
    assert out.filter({BASELINE_STAGE_CATEGORY: ["early", "middle"]}).counts()["responses"] == 3
    # idempotent: a cohort that has the column gets it recomputed, not duplicated
    again = with_baseline_stage_category(out)
    assert list(again.participants.columns) == list(out.participants.columns)
