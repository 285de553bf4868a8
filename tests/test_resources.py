"""Tests for hoo_metrics.metrics.resources on tiny hand-worked cohorts."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoo_metrics.contract import ALL_GROUP, BLANK_GROUP
from hoo_metrics.metrics.resources import (
    OVERALL_COLUMNS,
    WAVE_COLUMNS,
    resources_by_wave,
    resources_overall,
)
from tests.factories import make_cohort

RESOURCES = ("peers", "family", "eap")


def resp(pid, month, peers=None, family=None, eap=None, h_peers=None, h_family=None, mh=None):
    return {
        "participant_id": pid,
        "month": month,
        "used_peers": peers,
        "helpful_peers": h_peers,
        "used_family": family,
        "helpful_family": h_family,
        "used_eap": eap,
        "most_helpful": mh,
    }


# A: P1, P2, P5 (P5 answered only at baseline); B: P3, P4 (P4 withdrew).
# Nobody ever used eap. B has no completer answering at month 3 (a missing wave).
PARTICIPANTS = [
    {"participant_id": "P1", "arm": "A", "status": "completed"},
    {"participant_id": "P2", "arm": "A", "status": "completed"},
    {"participant_id": "P3", "arm": "B", "status": "completed"},
    {"participant_id": "P4", "arm": "B", "status": "withdrew"},
    {"participant_id": "P5", "arm": "A", "status": "completed"},
]
RESPONSES = [
    resp("P1", 0, peers=1, mh="peers"),  # baseline: never counted
    resp("P1", 3, peers=1, h_peers=5, family=0, eap=0, mh="peers"),
    resp("P1", 6, peers=1, h_peers=3, family=1, h_family=4, eap=0, mh="family"),
    resp("P2", 3, peers=1, h_peers=4, family=1, eap=0, mh="peers;family"),  # family unrated
    resp("P3", 6, peers=0, family=1, h_family=2),  # eap blank, nothing named
    resp("P4", 3, peers=1, h_peers=1, mh="peers"),
    resp("P5", 0, peers=1),
]


@pytest.fixture
def cohort():
    return make_cohort(PARTICIPANTS, RESPONSES, resources=RESOURCES)


def rows(frame, *keys):
    return {tuple(r[k] for k in keys[:-1]): r for r in frame.to_dict("records")}


def test_by_wave(cohort):
    out = resources_by_wave(cohort)
    assert list(out.columns) == list(WAVE_COLUMNS)
    # listed: (3, A), (6, A), (6, B); (3, B) has no completer answering -> absent
    assert list(zip(out["month"], out["group"], out["resource"], out["rank"], strict=True)) == [
        (3, "A", "peers", 1),  # named 2
        (3, "A", "family", 2),  # named 1
        (3, "A", "eap", 3),
        (6, "A", "family", 1),  # named 1
        (6, "A", "peers", 2),  # named 0, mean 3
        (6, "A", "eap", 3),
        (6, "B", "family", 1),  # nobody named anything; family mean 2 beats NaN
        (6, "B", "eap", 2),  # eap and peers: NaN mean, used 0 -> code order
        (6, "B", "peers", 3),
    ]
    r = rows(out, "month", "group", "resource", "_")
    p = r[(3, "A", "peers")]
    # 2 respondents, both used, ratings 5 and 4: mean 4.5, sd sqrt(0.5) = 0.7071,
    # t(0.975, 1) = 12.7062 -> 4.5 ± 12.7062 * 0.7071 / sqrt(2) = 4.5 ± 6.3531
    assert (p["respondents"], p["used"], p["helpful_n"], p["most_helpful"]) == (2, 2, 2, 2)
    assert p["used_share"] == 1.0 and p["most_helpful_share"] == 1.0
    assert p["helpful_mean"] == pytest.approx(4.5)
    assert p["helpful_sd"] == pytest.approx(math.sqrt(0.5))
    assert p["helpful_ci_low"] == pytest.approx(4.5 - 6.353102, abs=1e-5)
    assert p["helpful_ci_high"] == pytest.approx(4.5 + 6.353102, abs=1e-5)
    # Wilson 2 of 2 (all successes): low = n/(n + z²) = 2/5.841459 = 0.342380, high 1
    assert p["used_ci_low"] == pytest.approx(0.342380, abs=1e-6) and p["used_ci_high"] == 1.0
    f = r[(3, "A", "family")]
    # P2 used family without a rating: used 1 of 2, no mean
    assert (f["used"], f["helpful_n"], f["most_helpful"]) == (1, 0, 1)
    assert math.isnan(f["helpful_mean"]) and math.isnan(f["helpful_sd"])
    e = r[(6, "B", "eap")]
    assert (e["respondents"], e["used"], e["used_share"]) == (1, 0, 0.0)
    assert e["used_ci_low"] == 0.0
    one = r[(6, "A", "peers")]  # a single rating: mean 3, no sd, no interval
    assert one["helpful_mean"] == 3.0 and math.isnan(one["helpful_ci_low"])
    assert out.dtypes["rank"] == "int64" and out.dtypes["used_share"] == "float64"


def test_by_wave_population_all(cohort):
    out = resources_by_wave(cohort, population="all")
    # P4 (withdrew) makes (3, B) appear: 1 respondent, peers used, rated 1, named
    b3 = out[(out["month"] == 3) & (out["group"] == "B")]
    assert list(b3["resource"]) == ["peers", "eap", "family"]  # eap, family: code order
    assert b3.iloc[0]["helpful_mean"] == 1.0


def test_overall(cohort):
    out = resources_overall(cohort)
    assert list(out.columns) == list(OVERALL_COLUMNS)
    assert list(zip(out["group"], out["resource"], out["rank"], strict=True)) == [
        ("A", "family", 1),  # A: peers and family tie (named 2, used 2) -> code order
        ("A", "peers", 2),
        ("A", "eap", 3),
        ("B", "family", 1),  # B: nobody named; family used 1
        ("B", "eap", 2),
        ("B", "peers", 3),
    ]
    r = rows(out, "group", "resource", "_")
    # A participants: P1, P2 (P5 only at baseline); peers rated 5, 3, 4 -> mean 4, n 3
    a = r[("A", "peers")]
    assert (a["participants"], a["used_ever"], a["most_helpful_ever"]) == (2, 2, 2)
    assert (a["helpful_mean"], a["helpful_n"]) == (4.0, 3)
    assert a["used_ever_ci_low"] == pytest.approx(0.342380, abs=1e-6)
    assert r[("A", "family")]["helpful_n"] == 1  # P2's family use was unrated
    b = r[("B", "family")]
    assert (b["participants"], b["used_ever"], b["used_ever_share"]) == (1, 1, 1.0)
    assert (b["most_helpful_ever"], b["most_helpful_ever_share"]) == (0, 0.0)
    eap = r[("A", "eap")]
    assert (eap["used_ever"], eap["helpful_n"]) == (0, 0) and math.isnan(eap["helpful_mean"])


def test_overall_population_all(cohort):
    out = resources_overall(cohort, population="all")
    b = out[out["group"] == "B"]
    # P3 and P4: peers used 1 named 1 -> rank 1; family used 1 -> 2; eap 3
    assert list(b["resource"]) == ["peers", "family", "eap"]
    assert set(b["participants"]) == {2}


# Each case isolates one ranking rule. One respondent; resources in cohort order
# zeta, alpha so that "code ascending" differs from the cohort's order.
RANK_CASES = [
    ("most_helpful first", {"used_zeta": 1, "used_alpha": 1, "most_helpful": "zeta"}, "zeta"),
    (
        "then helpful_mean",
        {"used_zeta": 1, "helpful_zeta": 5, "used_alpha": 1, "helpful_alpha": 2},
        "zeta",
    ),
    ("NaN mean last", {"used_zeta": 1, "helpful_zeta": 1, "used_alpha": 1}, "zeta"),
    ("then used", {"used_zeta": 1, "used_alpha": 0}, "zeta"),
    ("then code", {"used_zeta": 0, "used_alpha": 0}, "alpha"),
    ("blank answers", {"used_zeta": None, "used_alpha": None}, "alpha"),
]


@pytest.mark.parametrize(("case", "answers", "first"), RANK_CASES, ids=[c[0] for c in RANK_CASES])
def test_rank_rules(case, answers, first):
    cohort = make_cohort(
        [{"participant_id": "p", "arm": "a"}],
        [{"participant_id": "p", "month": 3, **answers}],
        resources=("zeta", "alpha"),
    )
    wave = resources_by_wave(cohort)
    assert list(wave["rank"]) == [1, 2]
    assert wave.iloc[0]["resource"] == first


EMPTY_CASES = [
    ("baseline only", [{"participant_id": "p", "month": 0, "used_x": 1}], ("x",)),
    ("no responses", [], ("x",)),
    ("no resources", [{"participant_id": "p", "month": 3}], ()),
]


@pytest.mark.parametrize(
    ("case", "responses", "codes"), EMPTY_CASES, ids=[c[0] for c in EMPTY_CASES]
)
def test_empty(case, responses, codes):
    cohort = make_cohort([{"participant_id": "p", "arm": "a"}], responses, resources=codes)
    for f, cols in ((resources_by_wave, WAVE_COLUMNS), (resources_overall, OVERALL_COLUMNS)):
        out = f(cohort)
        assert out.empty and list(out.columns) == list(cols)
        assert out.dtypes["rank"] == "int64"


def test_blank_group_and_no_grouping():
    cohort = make_cohort(
        [
            {"participant_id": "p1", "arm": "a", "site": "x"},
            {"participant_id": "p2", "arm": "a", "site": None},
        ],
        [
            {"participant_id": "p1", "month": 3, "used_x": 1},
            {"participant_id": "p2", "month": 3, "used_x": 0},
        ],
    )
    assert list(resources_by_wave(cohort, group_by="site")["group"]) == [BLANK_GROUP, "x"]
    whole = resources_overall(cohort, group_by=None)
    assert list(whole["group"]) == [ALL_GROUP]
    assert (whole.loc[0, "participants"], whole.loc[0, "used_ever"]) == (2, 1)


def test_numeric_group_order():
    # groups "10" and "9" are ordered as numbers, like cohort.groups: 9 before 10
    cohort = make_cohort(
        [{"participant_id": "p1", "arm": "10"}, {"participant_id": "p2", "arm": "9"}],
        [{"participant_id": "p1", "month": 3, "used_x": 1}, {"participant_id": "p2", "month": 3}],
    )
    assert list(resources_overall(cohort)["group"]) == ["9", "10"]


codes = ("r0", "r1", "r2", "r3")
answer = st.fixed_dictionaries(
    {
        "month": st.sampled_from([0, 3, 6]),
        **{f"used_{c}": st.sampled_from([0, 1, None]) for c in codes},
        **{f"helpful_{c}": st.sampled_from([1, 3, 5, None]) for c in codes},
        "most_helpful": st.sets(st.sampled_from(codes), max_size=3).map(
            lambda s: ";".join(sorted(s)) or None
        ),
    }
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), st.booleans()), min_size=1, max_size=8),
    st.lists(st.tuples(st.integers(0, 7), answer), max_size=20),
)
def test_properties(people, answers):
    parts = [
        {"participant_id": f"p{i}", "arm": arm, "status": "completed" if done else "withdrew"}
        for i, (arm, done) in enumerate(people)
    ]
    seen, responses = set(), []
    for i, a in answers:
        key = (i % len(people), a["month"])
        if key not in seen:  # (participant_id, month) is unique
            seen.add(key)
            responses.append({"participant_id": f"p{key[0]}", **a})
    cohort = make_cohort(parts, responses, resources=codes)
    wave = resources_by_wave(cohort)
    overall = resources_overall(cohort)
    for frame, keys in ((wave, ["month", "group"]), (overall, ["group"])):
        for _, sub in frame.groupby(keys):
            assert sorted(sub["rank"]) == list(range(1, len(codes) + 1))
            assert list(sub["rank"]) == list(range(1, len(codes) + 1))  # sorted by rank
    for col in ("used_share", "most_helpful_share", "used_ci_low", "used_ci_high"):
        assert ((wave[col] >= 0) & (wave[col] <= 1)).all()
    for col in ("used_ever_share", "most_helpful_ever_share"):
        assert ((overall[col] >= 0) & (overall[col] <= 1)).all()
    assert (wave["helpful_mean"].dropna().between(1, 5)).all()
    assert (wave["used"] <= wave["respondents"]).all()
    # overall participants = completers with >= 1 follow-up answer, per group
    follow = {(r["participant_id"]) for r in responses if r["month"] > 0}
    for g, sub in overall.groupby("group"):
        expected = sum(
            1 for i, (arm, done) in enumerate(people) if arm == g and done and f"p{i}" in follow
        )
        assert set(sub["participants"]) == {expected}
    assert np.all(overall["used_ever"].to_numpy() <= overall["participants"].to_numpy())


def test_repeated_calls_keep_to_their_cohort(cohort):
    # The follow-up facts are built once per analysed cohort: interleaving populations,
    # groupings and a filtered cohort must still give each one its own figures.
    peers = resources_overall(cohort).set_index(["group", "resource"])
    assert peers.loc[("B", "peers"), "used_ever"] == 0  # P3 did not use peers
    everyone = resources_overall(cohort, None, "all").set_index("resource")
    # P1, P2, P3, P4 answered a follow-up wave; peers used by P1, P2, P4
    assert (everyone.loc["peers", "participants"], everyone.loc["peers", "used_ever"]) == (4, 3)
    again = resources_overall(cohort, population="all").set_index(["group", "resource"])
    assert again.loc[("B", "peers"), "used_ever"] == 1  # P4 (withdrew) counts now
    only_b = cohort.filter({"arm": ["B"]})
    b = resources_by_wave(only_b)
    assert list(zip(b["month"], b["group"], b["respondents"], strict=True)) == [(6, "B", 1)] * 3
    # and the first call's cohort again, unchanged: A's peers ratings 5, 3, 4
    a = resources_overall(cohort).set_index(["group", "resource"]).loc[("A", "peers")]
    assert (a["helpful_mean"], a["helpful_n"]) == (4.0, 3)


@pytest.mark.parametrize("rating", [2.5, 0.0, 6.0, -1.0, 300.0])
def test_a_hand_built_cohort_with_a_rating_outside_1_to_5_is_refused(cohort, rating):
    # The follow-up facts keep each rating as a small whole number (uint8, 0 for none); the
    # validator guarantees whole ratings 1..5, and a cohort built around it with another
    # rating (P1's month-3 peers rating, 5 in the fixture) must raise, not be miscounted.
    from dataclasses import replace

    responses = cohort.responses.copy()
    row = responses.index[(responses["participant_id"] == "P1") & (responses["month"] == 3)]
    responses.loc[row, "helpful_peers"] = rating
    bad = replace(cohort, responses=responses)
    with pytest.raises(ValueError, match="helpful_peers"):
        resources_by_wave(bad, "arm")
    with pytest.raises(ValueError, match="helpful_peers"):
        resources_overall(bad, "arm")
    # a rating on a resource that was not used is not counted, whatever it is
    responses.loc[row, ["used_peers", "helpful_peers"]] = [0.0, rating]
    fine = resources_by_wave(replace(cohort, responses=responses), "arm")
    peers3 = fine[(fine["month"] == 3) & (fine["group"] == "A") & (fine["resource"] == "peers")]
    # month 3, arm A completers: P1 (peers now 0) and P2 (peers 1, rated 4) -> 1 used, mean 4
    assert peers3[["used", "helpful_n", "helpful_mean"]].values.tolist() == [[1, 1, 4.0]]
