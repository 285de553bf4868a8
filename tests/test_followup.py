"""Tests for hoo_metrics.metrics.followup on tiny hand-worked cohorts."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoo_metrics.contract import ALL_GROUP
from hoo_metrics.metrics.followup import (
    contacts_per_participant,
    ended_by_contact,
    followup_summary,
    support_duration_curve,
)
from tests.factories import make_cohort

Z = 1.959963984540054


def contact(pid: str, no: int, day: int, more: str) -> dict:
    return {"participant_id": pid, "contact_no": no, "day": day, "more_followup": more}


# enhanced: p1 ends at contact 1 (day 2); p2 ends at contact 2 (day 10); p3 says yes three
# times (censored at day 40); p4 had no contact; p5 withdrew (counted only with "all").
# routine: nobody had a contact. (status is given on every row: make_cohort only fills the
# default when no row has a status.)
PARTICIPANTS = [
    {"participant_id": "p1", "arm": "enhanced", "status": "completed"},
    {"participant_id": "p2", "arm": "enhanced", "status": "completed"},
    {"participant_id": "p3", "arm": "enhanced", "status": "completed"},
    {"participant_id": "p4", "arm": "enhanced", "status": "completed"},
    {"participant_id": "p5", "arm": "enhanced", "status": "withdrew"},
    {"participant_id": "p6", "arm": "routine", "status": "completed"},
]
CONTACTS = [
    contact("p1", 1, 2, "no"),
    contact("p2", 2, 10, "no"),  # out of order on purpose: ordering is by contact_no
    contact("p2", 1, 3, "yes"),
    contact("p3", 1, 5, "yes"),
    contact("p3", 2, 20, "yes"),
    contact("p3", 3, 40, "yes"),
    contact("p5", 1, 1, "no"),
]


@pytest.fixture
def cohort():
    return make_cohort(PARTICIPANTS, contacts=CONTACTS)


def test_followup_summary(cohort):
    out = followup_summary(cohort)
    assert list(out["group"]) == ["enhanced", "routine"]
    enh = out.iloc[0]
    # 3 completers with a contact; p1, p2 ended, p3 censored; contacts 1, 2, 3 -> median 2
    assert (enh["participants"], enh["ended"], enh["censored"]) == (3, 2, 1)
    assert enh["median_contacts"] == 2.0
    # KM: durations 2 (event), 10 (event), 40 (censored). S(2) = 2/3, S(10) = 2/3 * 1/2 = 1/3
    # -> first S <= 0.5 at day 10.
    assert enh["median_support_days"] == 10.0
    # Greenwood: S(2) = 2/3, var = (4/9) * 1/(3*2) = 0.0741, se 0.2722, lower band
    # 0.6667 - 1.96*0.2722 = 0.1332 <= 0.5 already at day 2 -> low 2. Upper band: 1 at day 2;
    # at day 10 var = (1/9) * (1/6 + 1/2) = 0.0741 -> 0.3333 + 0.5334 = 0.8668; never <= 0.5.
    assert enh["median_support_days_low"] == 2.0
    assert math.isnan(enh["median_support_days_high"])
    rout = out.iloc[1]
    assert (rout["participants"], rout["ended"], rout["censored"]) == (0, 0, 0)
    assert math.isnan(rout["median_contacts"]) and math.isnan(rout["median_support_days"])
    assert out.dtypes["participants"] == "int64"
    assert out.dtypes["median_support_days"] == "float64"


def test_population_all_counts_withdrawn(cohort):
    out = followup_summary(cohort, population="all").set_index("group")
    # p5 adds an end at contact 1 on day 1: 4 participants, contacts 1,1,2,3 -> median 1.5
    assert out.loc["enhanced", "participants"] == 4
    assert out.loc["enhanced", "median_contacts"] == 1.5
    # KM: S(1) = 3/4, S(2) = 3/4 * 2/3 = 1/2 <= 0.5 -> median 2
    assert out.loc["enhanced", "median_support_days"] == 2.0


def test_ended_by_contact(cohort):
    out = ended_by_contact(cohort)
    # 1 of 3 ended by contact 1 -> 0.3333; 2 of 3 by contact 2 and 3 -> 0.6667; routine: no rows
    assert list(out["group"]) == ["enhanced"] * 3
    assert list(out["contact"]) == [1, 2, 3]
    assert list(out["ended"]) == [1, 2, 2]
    assert list(out["participants"]) == [3, 3, 3]
    assert list(out["share"]) == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    # Wilson 1 of 3: centre (1/3 + z²/6)/(1 + z²/3) = 0.9736/2.2805 = 0.4269,
    # half = z/2.2805 * sqrt(2/27 + z²/36) = 0.8595 * 0.4276 = 0.3675 -> 0.0615 to 0.7923
    assert out.loc[0, "ci_low"] == pytest.approx(0.0615, abs=1e-4)
    assert out.loc[0, "ci_high"] == pytest.approx(0.7923, abs=1e-4)


def test_contacts_per_participant(cohort):
    out = contacts_per_participant(cohort)
    # p1 one contact, p2 two, p3 three
    expected = pd.DataFrame(
        {"group": ["enhanced"] * 3, "contacts": [1, 2, 3], "participants": [1, 1, 1]}
    ).astype({"group": "str"})
    pd.testing.assert_frame_equal(out, expected)


def test_support_duration_curve(cohort):
    out = support_duration_curve(cohort)
    assert list(out["group"]) == ["enhanced"] * 4
    assert list(out["day"]) == [0, 2, 10, 40]
    assert list(out["survival"]) == pytest.approx([1, 2 / 3, 1 / 3, 1 / 3])
    # at risk: all 3 on days 0 and 2, p2 and p3 on day 10, p3 on day 40
    assert list(out["at_risk"]) == [3, 3, 2, 1]
    assert list(out["events"]) == [0, 1, 1, 0]
    # Greenwood band at day 10: 1/3 ± 1.96 * sqrt(1/9 * (1/6 + 1/2)) -> 0 (clipped) to 0.8668
    assert out.loc[2, "ci_low"] == pytest.approx(0.0)
    assert out.loc[2, "ci_high"] == pytest.approx(1 / 3 + Z * math.sqrt(1 / 9 * (2 / 3)))


def test_trial_figures():
    # 23 participants: 15 end at contact 1, 6 at contact 2, 2 at contact 3
    # -> 15/23 = 0.652 after the first contact, 21/23 = 0.913 after the second (the trial's)
    parts, contacts = [], []
    for i in range(23):
        pid = f"p{i}"
        parts.append({"participant_id": pid, "arm": "enhanced"})
        end = 1 if i < 15 else 2 if i < 21 else 3
        for k in range(1, end + 1):
            contacts.append(contact(pid, k, 7 * k, "no" if k == end else "yes"))
    out = ended_by_contact(make_cohort(parts, contacts=contacts), group_by=None)
    assert list(out["group"]) == [ALL_GROUP] * 3
    assert list(out["share"]) == pytest.approx([15 / 23, 21 / 23, 1.0])
    summ = followup_summary(make_cohort(parts, contacts=contacts), group_by=None)
    # median of 15 ones, 6 twos, 2 threes -> 1; S(7) = 8/23 <= 0.5 -> median 7 days
    assert summ.loc[0, "median_contacts"] == 1.0
    assert summ.loc[0, "median_support_days"] == 7.0


# case, contacts of p1 (arm a) and p2 (arm a), expected
# (participants, ended, median_contacts, median days, ended_by_contact shares)
EDGES = [
    (
        "everyone censored",
        [("p1", 1, 4, "yes"), ("p2", 1, 6, "yes"), ("p2", 2, 9, "yes")],
        (2, 0, 1.5, math.nan, [0.0, 0.0]),
    ),
    ("one participant", [("p1", 1, 4, "no")], (1, 1, 1.0, 4.0, [1.0])),
    # contact numbers 1 and 3 (2 missing): k runs to 3; end at 3 counts from k = 3
    ("gap in contact_no", [("p1", 1, 4, "yes"), ("p1", 3, 8, "no")], (1, 1, 2.0, 8.0, [0, 0, 1])),
    # a "yes" after the end contact does not reopen support: end contact is the first "no"
    ("yes after no", [("p1", 1, 4, "no"), ("p1", 2, 6, "yes")], (1, 1, 2.0, 4.0, [1.0, 1.0])),
    # an end on day 0: S(0) = 1/2 -> median 0
    ("end on day 0", [("p1", 1, 0, "no"), ("p2", 1, 3, "yes")], (2, 1, 1.0, 0.0, [0.5])),
    ("no contacts at all", [], (0, 0, math.nan, math.nan, [])),
]


@pytest.mark.parametrize(("case", "rows", "expected"), EDGES, ids=[e[0] for e in EDGES])
def test_edges(case, rows, expected):
    cohort = make_cohort(
        [{"participant_id": "p1", "arm": "a"}, {"participant_id": "p2", "arm": "a"}],
        contacts=[contact(*r) for r in rows],
    )
    n, ended, med_contacts, med_days, shares = expected
    s = followup_summary(cohort).iloc[0]
    assert (s["participants"], s["ended"]) == (n, ended)
    assert s["median_contacts"] == pytest.approx(med_contacts, nan_ok=True)
    assert s["median_support_days"] == pytest.approx(med_days, nan_ok=True)
    assert list(ended_by_contact(cohort)["share"]) == pytest.approx(shares)
    curve = support_duration_curve(cohort)
    assert len(curve) == (0 if n == 0 else 1 + curve["day"].iloc[1:].nunique())


def test_blank_group_and_no_grouping():
    cohort = make_cohort(
        [
            {"participant_id": "p1", "arm": "a", "site": "x"},
            {"participant_id": "p2", "arm": "a", "site": None},
        ],
        contacts=[contact("p1", 1, 3, "no"), contact("p2", 1, 5, "no")],
    )
    out = followup_summary(cohort, group_by="site")
    assert list(out["group"]) == ["(blank)", "x"]
    assert list(out["participants"]) == [1, 1]
    assert list(followup_summary(cohort, group_by=None)["group"]) == [ALL_GROUP]


def hand_km(duration, ended):
    """Product-limit estimate written out: S(t) = prod over event times <= t of (1 - d/n)."""
    s, out = 1.0, {}
    for t in sorted(set(duration)):
        at_risk = sum(1 for d in duration if d >= t)
        d = sum(1 for u, e in zip(duration, ended, strict=True) if u == t and e)
        s *= 1 - d / at_risk
        out[t] = s
    return out


participant_contacts = st.lists(
    st.lists(st.tuples(st.integers(0, 30), st.booleans()), min_size=0, max_size=4),
    min_size=1,
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(participant_contacts, st.lists(st.sampled_from(["a", "b", "c"]), min_size=12, max_size=12))
def test_properties(per_participant, arms):
    parts, rows = [], []
    expected_duration, expected_ended = [], []
    for i, cs in enumerate(per_participant):
        pid = f"p{i}"
        parts.append({"participant_id": pid, "arm": arms[i]})
        day = 0
        for k, (step, more) in enumerate(cs, start=1):
            day += step
            rows.append(contact(pid, k, day, "yes" if more else "no"))
    cohort = make_cohort(parts, contacts=rows)
    summ = followup_summary(cohort)
    ebc = ended_by_contact(cohort)
    curve = support_duration_curve(cohort)
    assert summ["participants"].sum() == sum(1 for cs in per_participant if cs)
    assert ((ebc["share"] >= 0) & (ebc["share"] <= 1)).all()
    for g, sub in ebc.groupby("group"):
        assert sub["ended"].is_monotonic_increasing
        assert sub["ended"].iloc[-1] == summ.set_index("group").loc[g, "ended"]
        assert list(sub["contact"]) == list(range(1, len(sub) + 1))
    assert ((curve["survival"] >= 0) & (curve["survival"] <= 1)).all()
    # KM against the product-limit written out by hand, per group
    for i, cs in enumerate(per_participant):
        if not cs:
            continue
        days = np.cumsum([s for s, _ in cs])
        end = next((k for k, (_, more) in enumerate(cs) if not more), None)
        expected_duration.append((arms[i], int(days[end] if end is not None else days[-1])))
        expected_ended.append(end is not None)
    for g, sub in curve.groupby("group"):
        dur = [d for (a, d) in expected_duration if a == g]
        ev = [e for (a, _), e in zip(expected_duration, expected_ended, strict=True) if a == g]
        km = hand_km(dur, ev)
        for day, surv in zip(sub["day"].iloc[1:], sub["survival"].iloc[1:], strict=True):
            assert surv == pytest.approx(km[day])
        med = summ.set_index("group").loc[g, "median_support_days"]
        # S(t) = 0.5 exactly is a median (<= 0.5): the hand product may land a rounding
        # above it (0.5000000000000001), so compare with a tolerance far below any step
        below = [t for t, s in sorted(km.items()) if s <= 0.5 + 1e-12]
        assert med == pytest.approx(below[0] if below else math.nan, nan_ok=True)


def test_repeated_calls_keep_to_their_cohort(cohort):
    # The contact facts are built once per analysed cohort: interleaving populations,
    # groupings and a filtered cohort must still give each one its own figures.
    assert list(followup_summary(cohort)["participants"]) == [3, 0]  # p1, p2, p3 | none
    everyone = followup_summary(cohort, None, "all")
    assert list(everyone["participants"]) == [4]  # p5 (withdrew) too
    assert list(followup_summary(cohort, None)["participants"]) == [3]
    assert list(contacts_per_participant(cohort)["participants"]) == [1, 1, 1]  # 1, 2, 3
    routine = cohort.filter({"arm": ["routine"]})
    assert list(followup_summary(routine)["participants"]) == [0]  # nobody had a contact
    assert ended_by_contact(routine).empty
    # and the first cohort again, unchanged: 1 of 3 ended by contact 1, 2 of 3 by 2 and 3
    assert list(ended_by_contact(cohort)["ended"]) == [1, 2, 2]


def test_the_per_participant_table_is_built_once_and_each_caller_gets_its_own(cohort):
    # followup_summary, ended_by_contact and the tests share one per-participant table per
    # analysed cohort and grouping; a caller that adds a column or changes a cell must not
    # change what the next caller gets. By hand: enhanced completers with a contact p1, p2, p3
    # with contacts 1, 2, 3.
    from hoo_metrics.metrics.followup import _per_participant

    first = _per_participant(cohort, "arm", "completed")
    first["extra"] = 1
    first.loc[0, "contacts"] = 99
    again = _per_participant(cohort, "arm", "completed")
    assert "extra" not in again.columns
    assert again["contacts"].tolist() == [1, 2, 3]
    assert again["group"].tolist() == ["enhanced"] * 3
    # built once, kept: a third call reads the columns the second one read
    third = _per_participant(cohort, "arm", "completed")
    assert np.shares_memory(third["contacts"].to_numpy(), again["contacts"].to_numpy())
