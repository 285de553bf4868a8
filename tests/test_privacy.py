"""Tests for hoo_metrics.privacy: hand-worked masks on small tables, the sample cohort at the
default k, and properties on random small cohorts grouped by role."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hoo_metrics import privacy as P
from hoo_metrics.contract import ALL_GROUP
from hoo_metrics.metrics.enrollment import enrollment
from hoo_metrics.metrics.followup import (
    contacts_per_participant,
    ended_by_contact,
    followup_summary,
    support_duration_curve,
)
from hoo_metrics.metrics.stages import early_to_thriving, recovered_resource_tests, transitions
from tests.factories import make_cohort


def hidden(st_, column):
    return st_.mask[column].tolist()


def reasons(st_, column):
    return st_.reasons[column].tolist()


# ---- settings -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "expected"),
    [(None, 5), ("", 5), ("11", 11), (" 3 ", 3), ("1", 1)],
)
def test_min_cell_default_reads_the_environment(monkeypatch, raw, expected):
    if raw is None:
        monkeypatch.delenv("HOO_MIN_CELL", raising=False)
    else:
        monkeypatch.setenv("HOO_MIN_CELL", raw)
    assert P.min_cell_default() == expected


@pytest.mark.parametrize("raw", ["0", "-3", "abc", "2.5", "five"])
def test_min_cell_default_rejects_anything_but_a_whole_number_of_at_least_one(monkeypatch, raw):
    monkeypatch.setenv("HOO_MIN_CELL", raw)
    with pytest.raises(ValueError, match="HOO_MIN_CELL must be a whole number of at least 1"):
        P.min_cell_default()


def test_suppression_setting():
    s = P.Suppression(5)
    assert (s.effective_k, s.active, s.lifted, s.small_label, s.notice) == (
        5,
        True,
        False,
        "<5",
        None,
    )
    lifted = P.Suppression(11, enabled=False)
    assert lifted.effective_k == 1 and not lifted.active and lifted.lifted
    assert "OFF for this session" in lifted.notice and "11" in lifted.notice
    assert not P.Suppression(1).active  # k = 1 is off
    assert P.CMS_MIN_CELL == 11
    with pytest.raises(ValueError):
        P.Suppression(0)


# ---- subgroups ----------------------------------------------------------------------------------
def test_check_subgroup():
    assert P.check_subgroup(5, 5) is None
    r = P.check_subgroup(3, 5)
    assert (r.n, r.k, r.reason) == (3, 5, "too_few")
    assert "fewer than 5" in str(r) and "3" not in r.message  # the exact count is not told
    assert P.check_subgroup(0, 5).reason == "empty"
    assert P.check_subgroup(3, 1) is None  # k = 1: off
    assert P.check_subgroup(3, P.Suppression(5, enabled=False)) is None
    assert P.check_subgroup(0, P.Suppression(5, enabled=False)).reason == "empty"
    # 20 of 22: the 2 left out are the whole minus the subgroup
    assert P.check_subgroup(20, 5, of=22).reason == "complement"
    assert P.check_subgroup(20, 5, of=25) is None
    assert P.check_subgroup(20, 5, of=20) is None


def test_check_subgroup_on_a_filtered_cohort():
    # 3 residents, one of whom withdrew: 2 analysed completers, 3 enrolled
    cohort = make_cohort(
        [
            {"participant_id": f"p{i}", "arm": "a", "role": "nurse", "status": "completed"}
            for i in range(6)
        ]
        + [
            {"participant_id": "r1", "arm": "a", "role": "resident", "status": "completed"},
            {"participant_id": "r2", "arm": "b", "role": "resident", "status": "completed"},
            {"participant_id": "r3", "arm": "b", "role": "resident", "status": "withdrew"},
        ]
    )
    residents = cohort.filter({"role": ["resident"]})
    assert P.check_subgroup(residents, 5, population="completed").n == 2
    assert P.check_subgroup(residents, 5).n == 3  # the cohort passed as it is
    nurses = cohort.filter({"role": ["nurse"]})
    # 6 nurses shown; the 2 other completers (residents) are the whole (8) minus the nurses
    assert P.check_subgroup(nurses, 5, population="completed", of=cohort).reason == "complement"


# ---- enrollment ---------------------------------------------------------------------------------
# The sample cohort's flow:       enrolled analysed completed withdrew lost
#   enhanced                        25       23       23        1       1
#   routine                         25       19       19        2       4
#   overall                         50       42       42        3       5
ENROLLMENT = pd.DataFrame(
    {
        "group": ["enhanced", "routine"],
        "enrolled": [25, 25],
        "analysed": [23, 19],
        "completed": [23, 19],
        "withdrew": [1, 2],
        "lost_to_follow_up": [1, 4],
    }
)
ENROLLMENT_ALL = pd.DataFrame(
    {
        "group": [ALL_GROUP],
        "enrolled": [50],
        "analysed": [42],
        "completed": [42],
        "withdrew": [3],
        "lost_to_follow_up": [5],
    }
)


def test_enrollment_hand_worked():
    st_ = P.suppress_enrollment(ENROLLMENT, 5, overall=ENROLLMENT_ALL)
    # withdrew 1, 2 and lost 1, 4: counts 1..4 (small).
    assert reasons(st_, "withdrew") == ["small_count", "small_count"]
    assert reasons(st_, "lost_to_follow_up") == ["small_count", "small_count"]
    # enhanced: 25 - 23 = 2 did not complete, a complement below 5. The analysed number (23)
    # is every other page's denominator, so the enrolled count (25) is the one hidden; routine's
    # 25 would then be 50 - 25: hidden too (secondary). Completed/analysed stay shown.
    assert reasons(st_, "enrolled") == ["small_complement", "secondary"]
    assert hidden(st_, "analysed") == [False, False]
    assert hidden(st_, "completed") == [False, False]
    o = st_.overall
    # overall: withdrew 3 small; 50 = 42 + 3 + 5 would give the 3 back: lost 5 hidden too.
    assert reasons(o, "withdrew") == ["small_count"]
    assert reasons(o, "lost_to_follow_up") == ["secondary"]
    assert o.table[["enrolled", "analysed", "completed"]].iloc[0].tolist() == [50, 42, 42]
    # numbers stay numeric, suppressed ones NaN
    assert st_.table["enrolled"].dtype == "float64"
    assert st_.table["enrolled"].isna().all()
    assert st_.table["completed"].tolist() == [23, 19]
    labels = st_.labels()
    assert labels.loc[0, "withdrew"] == "<5"
    assert labels.loc[0, "enrolled"] == "suppressed"
    assert labels.loc[0, "completed"] == ""


def test_enrollment_all_enrolled_hides_completed_not_the_denominator():
    # All enrolled: analysed = enrolled (25) is the denominator elsewhere, so the small gap
    # 25 - 23 = 2 hides completed (23) instead; routine completed 19 would be 42 - 23: secondary.
    frame = ENROLLMENT.assign(analysed=[25, 25])
    over = ENROLLMENT_ALL.assign(analysed=[50])
    st_ = P.suppress_enrollment(frame, 5, overall=over)
    assert reasons(st_, "completed") == ["small_complement", "secondary"]
    assert hidden(st_, "enrolled") == [False, False]
    assert hidden(st_, "analysed") == [False, False]


def test_lifting_hides_nothing_and_says_so():
    st_ = P.suppress_enrollment(ENROLLMENT, P.Suppression(5, enabled=False), overall=ENROLLMENT_ALL)
    assert not st_.any and not st_.overall.any and st_.lifted
    assert st_.table["withdrew"].tolist() == [1, 2]
    assert st_.suppression.notice is not None


# ---- follow-up ----------------------------------------------------------------------------------
def test_followup_summary_group_too_few_and_complement():
    frame = pd.DataFrame(
        {
            "group": ["a", "b", "c"],
            "participants": [23, 3, 10],
            "ended": [22, 3, 5],
            "censored": [1, 0, 5],
            "median_contacts": [1.0, 2.0, 1.0],
            "median_support_days": [8.0, 5.0, 3.0],
            "median_support_days_low": [5.0, 1.0, 1.0],
            "median_support_days_high": [26.0, 9.0, 9.0],
        }
    )
    st_ = P.suppress_followup_summary(frame, 5)
    # a: censored 1 small; ended 22 = 23 - 1 (complement 1).  b: 3 participants: too few, all
    # hidden.  c: 5 and 5 of 10: shown.
    assert reasons(st_, "censored") == ["small_count", "too_few_participants", ""]
    assert reasons(st_, "ended") == ["small_complement", "small_count", ""]
    assert st_.too_few.tolist() == [False, True, False]
    assert hidden(st_, "median_support_days") == [False, True, False]
    assert st_.labels().loc[1, "median_contacts"] == P.TOO_FEW_TEXT
    assert st_.labels().loc[1, "participants"] == "<5"


def test_ended_by_contact_sample_figures():
    # enhanced: 15, 21, 22, 22 of 23 ended by contact 1..4 (65.2%, 91.3%, 95.7%, 95.7%).
    # 23 - 21 = 2 and 23 - 22 = 1 still in support: complements below 5, so 91.3% and 95.7%
    # are hidden; 65.2% (8 still in support) shows.
    frame = pd.DataFrame(
        {
            "group": ["enhanced"] * 4,
            "contact": [1, 2, 3, 4],
            "ended": [15, 21, 22, 22],
            "participants": [23] * 4,
            "share": [15 / 23, 21 / 23, 22 / 23, 22 / 23],
        }
    )
    st_ = P.suppress_ended_by_contact(frame, 5)
    assert hidden(st_, "share") == [False, True, True, True]
    assert reasons(st_, "ended")[1:] == ["small_complement"] * 3
    assert st_.table["share"].iloc[0] == pytest.approx(0.652, abs=1e-3)


def test_ended_by_contact_cumulative_steps():
    # 5, 7, 12, 20 of 20: 7 - 5 = 2 ended at contact 2 -> 7 hidden (step below 5); then
    # 12 - 5 = 7 and 20 - 12 = 8 are fine.
    frame = pd.DataFrame(
        {
            "group": ["a"] * 4,
            "contact": [1, 2, 3, 4],
            "ended": [5, 7, 12, 20],
            "participants": [20] * 4,
            "share": [0.25, 0.35, 0.6, 1.0],
        }
    )
    st_ = P.suppress_ended_by_contact(frame, 5)
    assert reasons(st_, "ended") == ["", "cumulative_step", "", ""]
    assert hidden(st_, "share") == [False, True, False, False]


def test_ended_by_contact_groups_against_overall():
    # a: 10, 20 of 20 (its last contact is 2; at contact 3 it is still 20, the same number).
    # b: 6, 8, 14 of 14: 8 - 6 = 2 ended at contact 2, a step below 5: 8 hidden.
    # overall: 16, 28, 34 of 34 (10 + 6, 20 + 8, 20 + 14): steps 16, 12, 6: all shown.
    # Contact 2: 28 - 20 gives b's 8 back, so a's 20 is hidden too (secondary); it is also
    # a's value at contact 3, where 34 - 20 would leave b's 14 alone: 14 hidden as well.
    frame = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b", "b"],
            "contact": [1, 2, 1, 2, 3],
            "ended": [10, 20, 6, 8, 14],
            "participants": [20, 20, 14, 14, 14],
        }
    ).assign(share=lambda d: d["ended"] / d["participants"])
    overall = pd.DataFrame(
        {"group": [ALL_GROUP] * 3, "contact": [1, 2, 3], "ended": [16, 28, 34]}
    ).assign(participants=34, share=lambda d: d["ended"] / 34)
    st_ = P.suppress_ended_by_contact(frame, 5, overall=overall)
    assert reasons(st_, "ended") == ["", "secondary", "", "cumulative_step", "secondary"]
    assert hidden(st_.overall, "ended") == [False, False, False]


def test_ended_by_contact_secondary_across_groups():
    # contact 1: a 8 of 10 (complement 2: hidden), b 10 of 20, overall 18 of 30 shown:
    # 18 - 10 would give a's 8 back, so b's 10 is hidden too (the only other part).
    frame = pd.DataFrame(
        {
            "group": ["a", "b"],
            "contact": [1, 1],
            "ended": [8, 10],
            "participants": [10, 20],
            "share": [0.8, 0.5],
        }
    )
    overall = pd.DataFrame(
        {"group": [ALL_GROUP], "contact": [1], "ended": [18], "participants": [30], "share": [0.6]}
    )
    st_ = P.suppress_ended_by_contact(frame, 5, overall=overall)
    assert reasons(st_, "ended") == ["small_complement", "secondary"]
    assert hidden(st_.overall, "ended") == [False]


def test_contacts_per_participant_secondary():
    # 10 + 6 + 3 = 19 participants with a contact (shown in the follow-up summary):
    # 3 is small; 19 - 10 - 6 would give it back, so the next smallest, 6, is hidden.
    frame = pd.DataFrame({"group": ["a"] * 3, "contacts": [1, 2, 3], "participants": [10, 6, 3]})
    st_ = P.suppress_contacts_per_participant(frame, 5)
    assert reasons(st_, "participants") == ["", "secondary", "small_count"]


def test_contacts_per_participant_complement():
    # 16 + 2 = 18: 2 small; 18 - 16 = 2, so 16 is hidden as well (complement).
    frame = pd.DataFrame({"group": ["a"] * 2, "contacts": [1, 2], "participants": [16, 2]})
    st_ = P.suppress_contacts_per_participant(frame, 5)
    assert hidden(st_, "participants") == [True, True]


def _curve(group, days, at_risk, events, survival):
    return pd.DataFrame(
        {
            "group": group,
            "day": days,
            "survival": survival,
            "ci_low": [max(0.0, x - 0.1) for x in survival],
            "ci_high": [min(1.0, x + 0.1) for x in survival],
            "at_risk": at_risk,
            "events": events,
        }
    )


def test_support_curve_steps_merged_to_k_events_and_small_groups_not_drawn():
    # a: 12 participants, nobody censored. Events by day: 3 on day 2, 2 on day 4, 4 on day 6,
    # 1 on day 9, 2 on day 15. With k = 5: days 2 + 4 gather 5 (7 remain at risk, 7 events
    # still to come): the first step, drawn at day 4 with S(4) = 7/12. Days 6 + 9 gather 5 and
    # leave 2 at risk (< 5): no step; nor at day 15 (0 left). The curve stops at day 4.
    # b: 4 participants: not drawn (day 0 only, every value hidden).
    frame = pd.concat(
        [
            _curve("a", [0, 2, 4, 6, 9, 15], [12, 12, 9, 7, 3, 2], [0, 3, 2, 4, 1, 2],
                   [1.0, 0.75, 7 / 12, 0.25, 2 / 12, 0.0]),
            _curve("b", [0, 3], [4, 4], [0, 2], [1.0, 0.5]),
        ],
        ignore_index=True,
    )  # fmt: skip
    st_ = P.suppress_support_curve(frame, 5)
    t = st_.table
    assert t["group"].tolist() == ["a", "a", "b"]
    assert t["day"].tolist() == [0, 4, 0]
    assert t["survival"].tolist()[:2] == [1.0, pytest.approx(7 / 12)]
    assert t["events"].tolist()[:2] == [0, 5]  # the merged step's events
    assert t["at_risk"].tolist()[:2] == [12, 12]  # at risk at the step's start (day 2)
    assert hidden(st_, "survival") == [False, False, True]
    assert reasons(st_, "survival")[2] == "too_few_participants"
    # k = 1: every row as it came
    assert P.suppress_support_curve(frame, 1).table["day"].tolist() == [0, 2, 4, 6, 9, 15, 0, 3]


def test_support_curve_step_with_a_few_censored_inside_is_not_drawn():
    # 20 participants. Day 3: 6 events (20 at risk). Day 4: 2 censored (14 at risk). Day 8:
    # 6 events (12 at risk). Day 12: the last 6 censored. k = 5: the first step closes at day
    # 3 (6 events; 14 remain; 6 to come; none censored during it). A step ending at day 8
    # would hold the 2 censored on day 4 (14 - 6 - 6 = 2): its ratio would give them back, so
    # it is not closed, and at day 12 nobody remains: the curve stops at day 3, S = 1 - 6/20.
    frame = _curve(
        "a", [0, 3, 4, 8, 12], [20, 20, 14, 12, 6], [0, 6, 0, 6, 0], [1.0, 0.7, 0.7, 0.35, 0.35]
    )
    st_ = P.suppress_support_curve(frame, 5)
    assert st_.table["day"].tolist() == [0, 3]
    assert st_.table["events"].tolist() == [0, 6]
    assert st_.table["survival"].tolist() == [1.0, pytest.approx(0.7)]
    # Greenwood on the step: se = S * sqrt(6 / (20 * 14))
    se = 0.7 * (6 / (20 * 14)) ** 0.5
    assert st_.table["ci_low"].iloc[1] == pytest.approx(0.7 - 1.959963984540054 * se)
    assert not st_.any


# ---- resources ----------------------------------------------------------------------------------
def _wave_frame():
    # month 3; group a: 12 respondents; b: 3 respondents (too few).
    return pd.DataFrame(
        {
            "month": [3, 3, 3],
            "group": ["a", "a", "b"],
            "resource": ["peers", "eap", "peers"],
            "respondents": [12, 12, 3],
            "used": [10, 0, 2],
            "used_share": [10 / 12, 0.0, 2 / 3],
            "used_ci_low": [0.5, 0.0, 0.2],
            "used_ci_high": [0.95, 0.25, 0.9],
            "helpful_mean": [4.2, np.nan, 5.0],
            "helpful_n": [10, 0, 2],
            "helpful_sd": [0.5, np.nan, 0.0],
            "helpful_ci_low": [3.8, np.nan, np.nan],
            "helpful_ci_high": [4.6, np.nan, np.nan],
            "most_helpful": [6, 0, 1],
            "most_helpful_share": [0.5, 0.0, 1 / 3],
            "rank": [1, 2, 1],
        }
    )


def test_resources_by_wave_hand_worked():
    st_ = P.suppress_resources_by_wave(_wave_frame(), 5)
    # a/peers: used 10 of 12 -> 2 non-users: hidden with its share and interval; the mean
    # rests on 10 ratings: shown; most helpful 6 of 12: shown.
    # a/eap: 0 of 12 used: shown (0 may show, complement 12).
    # b: 3 respondents: everything hidden, rank kept.
    assert reasons(st_, "used") == ["small_complement", "", "small_count"]
    assert hidden(st_, "used_share") == [True, False, True]
    assert hidden(st_, "used_ci_high") == [True, False, True]
    assert hidden(st_, "helpful_mean") == [False, False, True]
    assert hidden(st_, "most_helpful") == [False, False, True]
    assert hidden(st_, "respondents") == [False, False, True]
    assert hidden(st_, "rank") == [False, False, False]
    assert st_.too_few.tolist() == [False, False, True]


def test_resources_by_wave_few_ratings_hide_the_mean():
    f = _wave_frame().iloc[[0]].assign(respondents=20, used=8, used_share=0.4, helpful_n=4)
    st_ = P.suppress_resources_by_wave(f, 5)
    # 8 of 20 used (12 did not): shown; but only 4 rated it, so the mean, its sd and interval
    # rest on fewer than 5 answers; helpful_n 4 itself is a small count.
    assert hidden(st_, "used") == [False]
    assert reasons(st_, "helpful_mean") == ["few_answers"]
    assert reasons(st_, "helpful_n") == ["small_count"]
    assert hidden(st_, "helpful_ci_low") == [True]


def _overall_frame():
    # group a: 20 participants, b: 15.  peers used by 18/20 (2 non-users) and 10/15;
    # eap by 5/20 and 6/15.
    return pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "resource": ["peers", "eap", "peers", "eap"],
            "participants": [20, 20, 15, 15],
            "used_ever": [18, 5, 10, 6],
            "used_ever_share": [0.9, 0.25, 10 / 15, 0.4],
            "most_helpful_ever": [9, 0, 5, 5],
            "most_helpful_ever_share": [0.45, 0.0, 1 / 3, 1 / 3],
            "helpful_mean": [4.0, 3.0, 4.5, 3.5],
            "helpful_n": [18, 5, 10, 6],
            "rank": [1, 2, 1, 2],
        }
    )


def test_resources_overall_and_comparisons():
    st_ = P.suppress_resources_overall(_overall_frame(), 5)
    assert reasons(st_, "used_ever") == ["small_complement", "", "", ""]
    assert hidden(st_, "used_ever_share") == [True, False, False, False]
    comparisons = pd.DataFrame(
        {
            "resource": ["peers", "eap", "peers", "eap"],
            "measure": ["used_ever", "used_ever", "most_helpful_ever", "most_helpful_ever"],
            "test": ["Fisher's exact"] * 4,
            "p_value": [0.04, 0.7, 1.0, 0.04],
            "q_value": [0.08, 0.7, 1.0, 0.08],
            "risk_difference": [0.23, -0.15, 0.12, -0.33],
            "risk_difference_ci_low": [0.0, -0.4, -0.2, -0.6],
            "risk_difference_ci_high": [0.5, 0.2, 0.4, -0.05],
            "odds_ratio": [4.5, 0.5, 1.6, 0.0],
            "odds_ratio_ci_low": [0.7, 0.1, 0.3, 0.0],
            "odds_ratio_ci_high": [50.0, 2.6, 8.0, 0.6],
        }
    )
    sc = P.suppress_comparisons(comparisons, _overall_frame(), 5)
    # peers/used_ever rests on the hidden 18 of 20: its p, q, RD, OR and intervals hidden.
    assert hidden(sc, "p_value") == [True, False, False, False]
    assert hidden(sc, "odds_ratio_ci_high") == [True, False, False, False]
    assert hidden(sc, "test") == [False] * 4
    assert reasons(sc, "q_value")[0] == "test_on_hidden_cell"


# ---- transitions --------------------------------------------------------------------------------
def test_transitions_matrix_and_margins():
    # group a:            middle  thriving | total
    #   early                6        3    |   9
    #   middle               7        0    |   7
    #   total               13        3    |  16
    # 3 is small; the early row 9 = 6 + 3 would give it back: 6 hidden (secondary). The
    # thriving column total is the 3 itself: hidden. The column totals add up to 16 (shown):
    # with 3 hidden, the middle total 13 is hidden too; 7 stays (13 hidden, 6 hidden).
    frame = pd.DataFrame(
        {
            "group": ["a"] * 3,
            "from": ["early", "early", "middle"],
            "to": ["thriving", "middle", "middle"],
            "n": [3, 6, 7],
        }
    )
    st_ = P.suppress_transitions(frame, 5)
    assert reasons(st_, "n") == ["small_count", "secondary", ""]
    m = st_.margins.set_index(["from", "to"])
    assert m.loc[("Total", "thriving"), "suppressed"]
    assert m.loc[("Total", "middle"), "suppressed"]
    assert m.loc[("early", "Total"), "n"] == 9
    assert m.loc[("Total", "Total"), "n"] == 16


def test_early_to_thriving_follows_the_transitions_table():
    # group a: 16 with a transition, early->thriving 7, early->middle 2 (small): the early row
    # 9 = 7 + 2 hides 7 as well, so early_to_thriving's n 7 is hidden there too.
    tr = pd.DataFrame(
        {
            "group": ["a"] * 3,
            "from": ["early", "early", "middle"],
            "to": ["thriving", "middle", "middle"],
            "n": [7, 2, 7],
        }
    )
    e2t = pd.DataFrame({"group": ["a"], "n": [7], "participants": [16], "share": [7 / 16]})
    alone = P.suppress_early_to_thriving(e2t, 5)
    assert not alone.any
    joint = P.suppress_early_to_thriving(e2t, 5, transitions=tr)
    assert hidden(joint, "n") == [True] and hidden(joint, "share") == [True]


def test_recovered_tests_hidden_with_any_cell():
    frame = pd.DataFrame(
        {
            "resource": ["peers", "family"],
            "transitioned": [6, 5],
            "transitioned_n": [7, 7],
            "others": [11, 20],
            "others_n": [35, 35],
            "p_value": [0.02, 0.6],
            "risk_difference": [0.54, 0.14],
            "risk_difference_ci_low": [0.1, -0.2],
            "risk_difference_ci_high": [0.7, 0.4],
            "odds_ratio": [12.0, 1.8],
            "odds_ratio_ci_low": [1.3, 0.3],
            "odds_ratio_ci_high": [600.0, 20.0],
            "test": ["Fisher's exact"] * 2,
        }
    )
    st_ = P.suppress_recovered_tests(frame, 5)
    # peers: 6 of 7 -> 1 early-to-thriving participant did not use peers: hidden, and P = 0.02.
    # family: 5 of 7 -> 2 did not: hidden too.
    assert reasons(st_, "transitioned") == ["small_complement", "small_complement"]
    assert hidden(st_, "p_value") == [True, True]
    assert hidden(st_, "others") == [False, False]
    st3 = P.suppress_recovered_tests(frame.assign(transitioned_n=3, transitioned=[2, 1]), 5)
    assert st3.too_few.all() and st3.mask["p_value"].all()


# ---- baseline -----------------------------------------------------------------------------------
def test_baseline_table_and_tests():
    # role in group a (n = 12): nurse 7, resident 3, attending 2; group b (n = 9): nurse 5,
    # resident 4, attending 0.  a: 3 and 2 small (two hidden, fine). b: 4 small; 9 = 5 + 4 + 0
    # gives it back: the next smallest non-zero, 5, is hidden; 9 - 5 = 4 also hides 5.
    frame = pd.DataFrame(
        {
            "variable": ["role"] * 6,
            "level": ["attending", "attending", "nurse", "nurse", "resident", "resident"],
            "group": ["a", "b"] * 3,
            "n": [2, 0, 7, 5, 3, 4],
            "denominator": [12, 9] * 3,
        }
    ).assign(share=lambda d: d["n"] / d["denominator"])
    st_ = P.suppress_baseline_table(frame, 5)
    assert hidden(st_, "n") == [True, False, False, True, True, True]
    assert reasons(st_, "n")[3] == "small_complement"
    assert hidden(st_, "share") == hidden(st_, "n")
    tests = pd.DataFrame(
        {
            "variable": ["role"],
            "test": ["Fisher-Freeman-Halton exact"],
            "statistic": [np.nan],
            "p_value": [0.5],
        }
    )
    assert hidden(P.suppress_baseline_tests(tests, frame, 5), "p_value") == [True]


# ---- rendering ----------------------------------------------------------------------------------
def test_render_prints_labels_in_suppressed_cells():
    st_ = P.suppress_enrollment(ENROLLMENT, 5)
    text = st_.render("withdrew", lambda v: f"{v:.0f}")
    assert text.tolist() == ["<5", "<5"]
    # enhanced enrolled 25 hides the 2 who did not complete (25 - 23); with no overall row,
    # routine's 25 stands alone and shows.
    assert st_.render("enrolled", lambda v: f"{v:.0f}").tolist() == ["suppressed", "25"]
    assert st_.render("completed", lambda v: f"{v:.0f}").tolist() == ["23", "19"]
    cells = st_.suppressed_cells()
    assert {"row", "column", "reason", "text"} <= set(cells.columns)
    assert "from 1 to 4" in cells.loc[cells["reason"] == "small_count", "text"].iloc[0]
    table, mask = st_  # unpacks as (table, mask)
    assert mask.shape == table.shape


# ---- the sample cohort at the default k ---------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    from hoo_metrics.sample import load_sample

    return load_sample()


def test_sample_published_figures_hidden_at_default_k(sample):
    k = P.Suppression(5)
    eb = P.suppress_ended_by_contact(ended_by_contact(sample), k)
    enh = eb.table[eb.table["group"] == "enhanced"].set_index("contact")
    # 65.2% after the first contact shows (15 of 23, 8 still in support) ...
    assert enh.loc[1, "share"] == pytest.approx(15 / 23)
    # ... 91.3% after the second does not: 2 of 23 still in support.
    assert np.isnan(enh.loc[2, "share"])
    # Peers among those who went from early to thriving: 6 of 7, one did not: hidden, with
    # its P = 0.02.
    rec = P.suppress_recovered_tests(recovered_resource_tests(sample), k).table
    peers = rec.set_index("resource").loc["peers"]
    assert np.isnan(peers["transitioned"]) and np.isnan(peers["p_value"])
    # Early to thriving by arm (4 and 3): small counts; the total 7 shows.
    e2t = P.suppress_early_to_thriving(
        early_to_thriving(sample),
        k,
        transitions=transitions(sample),
        overall=early_to_thriving(sample, None),
    )
    assert e2t.table["n"].isna().all() and e2t.overall.table["n"].tolist() == [7]


def test_sample_lifted_shows_everything(sample):
    lifted = P.Suppression(5, enabled=False)
    for st_ in (
        P.suppress_ended_by_contact(ended_by_contact(sample), lifted),
        P.suppress_recovered_tests(recovered_resource_tests(sample), lifted),
        P.suppress_transitions(transitions(sample), lifted),
        P.suppress_enrollment(enrollment(sample), lifted),
        P.suppress_support_curve(support_duration_curve(sample), lifted),
    ):
        assert not st_.any and st_.lifted
    eb = P.suppress_ended_by_contact(ended_by_contact(sample), lifted).table
    assert eb.loc[eb["contact"] == 2, "share"].iloc[0] == pytest.approx(21 / 23)


def test_summary_json_suppressed_and_listed(sample):
    from hoo_metrics.present.summary import summary

    raw = summary(sample)
    out = summary(sample, suppression=5)
    assert out["suppression"]["min_cell"] == 5
    paths = {s["path"]: s for s in out["suppression"]["suppressed"]}
    assert out["followup"]["ended_by_contact"]["2"] is None
    assert "followup.ended_by_contact.2" in paths
    assert out["followup"]["ended_by_contact"]["1"] == pytest.approx(15 / 23)
    assert all(s["reason"] for s in paths.values())
    lifted = summary(sample, suppression=P.Suppression(5, enabled=False))
    assert lifted["suppression"]["suppressed"] == []
    assert {k: v for k, v in lifted.items() if k != "suppression"} == raw
    _check_summary(out, 5)


def test_summary_json_of_the_sample_hand_worked(sample):
    from hoo_metrics.present.summary import summary

    out = summary(sample, suppression=5)
    why = {s["path"]: s["code"] for s in out["suppression"]["suppressed"]}
    # enhanced: 23 analysed of 25 enrolled, 2 not analysed. The analysed 23 is the
    # denominator of every other figure, so enrolled 25 is hidden (complement); routine's 25
    # would be 50 - 25: secondary. The totals 50 and 42 and the analysed per group show.
    assert why["enrollment.by_group.enhanced.enrolled"] == "small_complement"
    assert why["enrollment.by_group.routine.enrolled"] == "secondary"
    assert out["enrollment"]["by_group"]["enhanced"]["analysed"] == 23
    assert (out["enrollment"]["enrolled"], out["enrollment"]["analysed"]) == (50, 42)
    # 65.2% = 15 of 23 ended at contact 1 shows; 91.3% = 21 of 23 leaves 2 in support
    assert out["followup"]["ended_by_contact"]["1"] == pytest.approx(15 / 23)
    assert out["followup"]["ended_by_contact"]["2"] is None
    # early to thriving: 4 and 3 per arm are small; the 7 of everyone shows
    assert out["transitions"]["early_to_thriving"] == {
        "n": 7,
        "by_group": {"enhanced": None, "routine": None},
    }
    # peers among those who recovered: 5 of 7 (2 did not): hidden with its P = 0.02
    peers = next(t for t in out["transition_resource_tests"] if t["resource"] == "peers")
    assert peers["transitioned"] is None and peers["p_value"] is None
    _check_summary(out, 5)
    # CMS's 11 hides more: the 10 who used peers at month 3 in enhanced
    wide = summary(sample, suppression=11)
    row = next(
        r
        for r in wide["resources"]
        if (r["month"], r["group"], r["resource"]) == (3, "enhanced", "peers")
    )
    assert row["used"] is None


# ---- properties ---------------------------------------------------------------------------------
ROLES = ("attending", "resident", "midwife", "nurse")
CATS = ("early", "middle", "thriving", "surviving")


@st.composite
def cohorts(draw):
    n = draw(st.integers(1, 24))
    people, responses, contacts = [], [], []
    for i in range(n):
        pid = f"p{i}"
        people.append(
            {
                "participant_id": pid,
                "arm": draw(st.sampled_from(("enhanced", "routine"))),
                "role": draw(st.sampled_from(ROLES)),
                "status": draw(st.sampled_from(("completed",) * 4 + ("withdrew",))),
            }
        )
        b = draw(st.sampled_from((1, 4, 6)))
        f = draw(st.sampled_from((1, 4, 6)))
        responses.append(
            {
                "participant_id": pid,
                "month": 0,
                "stage": b,
                "stage6_path": "thriving" if b == 6 else None,
                "used_peers": 0,
            }
        )
        responses.append(
            {
                "participant_id": pid,
                "month": 3,
                "stage": f,
                "stage6_path": draw(st.sampled_from(("thriving", "surviving"))) if f == 6 else None,
                "used_peers": draw(st.sampled_from((0, 1))),
            }
        )
        m = draw(st.integers(0, 3))
        end = draw(st.integers(1, 4))
        for c in range(1, m + 1):
            contacts.append(
                {"participant_id": pid, "contact_no": c, "day": 3 * c, "more_followup": c < end}
            )
    return make_cohort(people, responses, contacts)


def _shown_counts_ok(st_, k):
    for col in st_.count_columns:
        v = st_.table[col].to_numpy(dtype="float64", na_value=np.nan)
        v = v[~np.isnan(v)]
        assert not ((v >= 1) & (v < k)).any(), col


def _line_ok(parts_values, parts_hidden, total_hidden):
    """One subtraction: a total shown with exactly one hidden part gives it back."""
    return total_hidden or int(np.sum(parts_hidden)) != 1


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from([3, 5, 11]))
def test_no_small_count_shown_or_recoverable_by_subtraction(cohort, k):
    g = "role"
    # enrollment: groups vs overall, statuses vs enrolled, analysed vs enrolled
    st_ = P.suppress_enrollment(enrollment(cohort, g), k, overall=enrollment(cohort, None))
    for part in (st_, st_.overall):
        _shown_counts_ok(part, k)
        t, m = part.table, part.mask
        both = ~m["analysed"] & ~m["enrolled"]
        comp = (t["enrolled"] - t["analysed"])[both]
        assert not ((comp >= 1) & (comp < k)).any()
        for i in range(len(t)):
            cols = ["completed", "withdrew", "lost_to_follow_up"]
            assert _line_ok(t.loc[i, cols], m.loc[i, cols].to_numpy(), m.loc[i, "enrolled"])
    for col in ("enrolled", "analysed", "completed", "withdrew", "lost_to_follow_up"):
        assert _line_ok(None, st_.mask[col].to_numpy(), bool(st_.overall.mask[col].iloc[0]))

    # follow-up: ended + censored = participants; groups vs overall
    fs = P.suppress_followup_summary(
        followup_summary(cohort, g), k, overall=followup_summary(cohort, None)
    )
    for part in (fs, fs.overall):
        _shown_counts_ok(part, k)
        for i in range(len(part.table)):
            cols = ["ended", "censored"]
            assert _line_ok(
                None, part.mask.loc[i, cols].to_numpy(), part.mask.loc[i, "participants"]
            )
    for col in ("participants", "ended", "censored"):
        assert _line_ok(None, fs.mask[col].to_numpy(), bool(fs.overall.mask[col].iloc[0]))

    # ended by contact: shown share times participants is a count; complement; steps
    eb = P.suppress_ended_by_contact(
        ended_by_contact(cohort, g), k, overall=ended_by_contact(cohort, None)
    )
    for part in (eb, eb.overall):
        _shown_counts_ok(part, k)
        t = part.table
        for _, d in t.groupby("group"):
            shown = d[d["ended"].notna()]
            values = [0.0, *shown["ended"].tolist()]
            if len(d) and not np.isnan(d["participants"].iloc[0]):
                values.append(d["participants"].iloc[0])
            steps = np.diff(values)
            assert not ((steps >= 1) & (steps < k)).any()

    # contacts per participant: a group's counts add up to its participants (shown)
    raw_cp = contacts_per_participant(cohort, g)
    cp = P.suppress_contacts_per_participant(raw_cp, k)
    _shown_counts_ok(cp, k)
    total = raw_cp.groupby("group")["participants"].transform("sum")
    for grp, d in cp.mask.groupby(cp.table["group"]):
        if total[cp.table["group"] == grp].iloc[0] < k:  # too few: the total is hidden too
            assert d["participants"].all()
        else:
            assert int(d["participants"].sum()) != 1

    # transitions: rows, columns and group totals; early to thriving with them
    tr = transitions(cohort, g)
    stt = P.suppress_transitions(tr, k)
    _shown_counts_ok(stt, k)
    full = stt.table.assign(h=stt.mask["n"].to_numpy())
    margins = stt.margins
    for (grp, frm), d in full.groupby(["group", "from"]):
        mh = margins[
            (margins["group"] == grp) & (margins["from"] == frm) & (margins["to"] == "Total")
        ]
        assert _line_ok(None, d["h"].to_numpy(), bool(mh["suppressed"].iloc[0]))
    for (grp, to), d in full.groupby(["group", "to"]):
        mh = margins[
            (margins["group"] == grp) & (margins["from"] == "Total") & (margins["to"] == to)
        ]
        assert _line_ok(None, d["h"].to_numpy(), bool(mh["suppressed"].iloc[0]))
    shown_margins = margins["n"].dropna()
    assert not ((shown_margins >= 1) & (shown_margins < k)).any()
    e2t = P.suppress_early_to_thriving(
        early_to_thriving(cohort, g), k, transitions=stt, overall=early_to_thriving(cohort, None)
    )
    _shown_counts_ok(e2t, k)
    assert _line_ok(None, e2t.mask["n"].to_numpy(), bool(e2t.overall.mask["n"].iloc[0]))

    # the summary JSON, grouped by role
    from hoo_metrics.present.summary import summary

    _check_summary(summary(cohort, group_by=g, suppression=k), k)


def _check_summary(out: dict, k: int) -> None:
    """No shown count in 1..k-1 in the JSON; groups vs overall lines; complements."""

    def small(x):
        return x is not None and 1 <= x < k

    if "refused" in out["suppression"]:  # a refused view prints no number at all
        assert set(out) == {"population", "group_by", "groups", "suppression"}
        return
    enr = out["enrollment"]
    for key in ("enrolled", "analysed"):
        vals = [b[key] for b in enr["by_group"].values()]
        assert not any(small(v) for v in [*vals, enr[key]])
        if enr[key] is not None:
            assert sum(v is None for v in vals) != 1
    fu = out["followup"]
    for b in [fu, *fu["by_group"].values()]:
        n = b["participants"]
        assert not small(n)
        for share in (b["ended_by_contact"] or {}).values():
            if share is not None and n:
                ended = round(share * n)
                assert not small(ended) and not small(n - ended)
    for row in out["resources"]:
        for c in ("respondents", "used", "most_helpful", "helpful_n"):
            assert not small(row[c])
        if row["used"] is not None and row["respondents"] is not None:
            assert not small(row["respondents"] - row["used"])
    for row in out["resources_overall"]:
        for c in ("participants", "used_ever", "most_helpful_ever"):
            assert not small(row[c])
        if row["used_ever"] is not None and row["participants"] is not None:
            assert not small(row["participants"] - row["used_ever"])
    for row in out["transitions"]["counts"]:
        assert not small(row["n"])
    e2t = out["transitions"]["early_to_thriving"]
    assert not small(e2t["n"]) and not any(small(v) for v in e2t["by_group"].values())
    if e2t["n"] is not None:
        assert sum(v is None for v in e2t["by_group"].values()) != 1
    for row in out["transition_resource_tests"]:
        for c in ("transitioned", "transitioned_n", "others", "others_n"):
            assert not small(row[c])


def test_overall_helpfulness_mean_needs_k_raters_not_k_ratings():
    # 4 people used the resource, rating it at two waves: 7 ratings. The ratings are >= 5 but
    # come from 4 people, a hidden count: the mean is hidden. 6 users and 9 ratings: shown.
    frame = pd.DataFrame(
        {
            "group": ["a", "b"],
            "resource": ["lead", "lead"],
            "participants": [19, 23],
            "used_ever": [4, 6],
            "used_ever_share": [4 / 19, 6 / 23],
            "most_helpful_ever": [0, 6],
            "most_helpful_ever_share": [0.0, 6 / 23],
            "helpful_mean": [4.0, 2.8],
            "helpful_n": [7, 9],
        }
    )
    st_ = P.suppress_resources_overall(frame, 5)
    assert hidden(st_, "used_ever") == [True, False]
    assert hidden(st_, "helpful_mean") == [True, False]
    assert reasons(st_, "helpful_mean")[0] == "few_answers"


def test_hidden_cells_of_a_line_never_add_up_to_a_small_count():
    # group a: 19 thriving -> thriving, 1 middle -> middle, 2 surviving -> surviving (22 in all).
    # 1 and 2 are small and hidden; showing 22 and the 19 of the thriving column would give
    # back 22 - 19 = 3 not thriving, a small count: one of the two must be hidden.
    frame = pd.DataFrame(
        {
            "group": ["a"] * 3,
            "from": ["thriving", "middle", "surviving"],
            "to": ["thriving", "middle", "surviving"],
            "n": [19, 1, 2],
        }
    )
    st_ = P.suppress_transitions(frame, 5)
    m = st_.margins.set_index(["from", "to"])
    grand = not m.loc[("Total", "Total"), "suppressed"]
    thriving_col = not m.loc[("Total", "thriving"), "suppressed"]
    thriving_row = not m.loc[("thriving", "Total"), "suppressed"]
    assert not (grand and thriving_col) and not (grand and thriving_row)
    # the thriving row has one cell: its total is that cell, so they are hidden together
    assert thriving_row is False and st_.mask["n"].iloc[0]
    assert m.loc[("Total", "Total"), "n"] == 22


# ---- Table 1 tests on recoded levels ------------------------------------------------------------
def _table1(rows, groups):
    """Table 1 rows (level, n per group) with the groups' n as the denominators."""
    levels = [r[0] for r in rows]
    counts = np.array([r[1] for r in rows])
    return pd.DataFrame(
        {
            "variable": "role",
            "level": np.repeat(levels, len(groups)),
            "group": np.tile(groups, len(levels)),
            "n": counts.ravel(),
            "denominator": np.tile(counts.sum(axis=0), len(levels)),
        }
    ).assign(share=lambda d: d["n"] / d["denominator"])


def _fisher_two_sided(a, b, c, d):
    """Fisher's exact test by enumerating the hypergeometric tables (independent of scipy)."""
    from math import comb

    r1, c1, n = a + b, a + c, a + b + c + d
    prob = {x: comb(c1, x) * comb(n - c1, r1 - x) / comb(n, r1) for x in range(0, min(r1, c1) + 1)}
    return sum(p for p in prob.values() if p <= prob[a] * (1 + 1e-7))


ROLE_TEST = pd.DataFrame(
    {
        "variable": ["role"],
        "test": ["Fisher-Freeman-Halton exact"],
        "statistic": [0.1],
        "p_value": [0.5],
    }
)


def test_baseline_test_runs_on_the_pooled_levels_it_can_show():
    # a (n = 17): nurse 12, attending 3, midwife 2; b (n = 12): nurse 6, attending 2,
    # midwife 4. attending and midwife are hidden (small counts; each group's hidden cells add
    # up to 5 and 6, so nothing more goes). Pooled for the test: a 17 - 12 = 5, b 12 - 6 = 6:
    # the 2 x 2 [[12, 6], [5, 6]] of shown numbers only.
    frame = _table1([("attending", [3, 2]), ("midwife", [2, 4]), ("nurse", [12, 6])], ["a", "b"])
    st_ = P.suppress_baseline_table(frame, 5)
    assert hidden(st_, "n") == [True, True, True, True, False, False]
    recoded = P.pooled_levels_table(st_, "role")
    assert recoded.counts.tolist() == [[12, 6], [5, 6]]
    assert recoded.pooled == ["attending", "midwife"] and recoded.left_out == []
    out = P.suppress_baseline_tests(ROLE_TEST, st_, 5)
    assert hidden(out, "p_value") == [False]
    assert out.table["test"].iloc[0] == "Fisher's exact"
    assert out.table["pooled"].iloc[0] == "attending; midwife"
    assert out.table["p_value"].iloc[0] == pytest.approx(_fisher_two_sided(12, 6, 5, 6))


def test_baseline_test_leaves_out_a_group_too_small_to_show():
    # c has 3 participants: its column is hidden (too few); a and b as above, tested alone.
    frame = _table1(
        [("attending", [3, 2, 1]), ("midwife", [2, 4, 0]), ("nurse", [12, 6, 2])], ["a", "b", "c"]
    )
    st_ = P.suppress_baseline_table(frame, 5)
    recoded = P.pooled_levels_table(st_, "role")
    assert recoded.groups == ["a", "b"] and recoded.left_out == ["c"]
    assert recoded.counts.tolist() == [[12, 6], [5, 6]]
    out = P.suppress_baseline_tests(ROLE_TEST, st_, 5)
    assert out.table["groups_left_out"].iloc[0] == "c"


def test_pooled_level_still_small_takes_in_the_smallest_shown_level():
    # Built by hand (not by the engine, which never leaves such a pool): nurse 12/6 and
    # resident 5/5 shown, attending hidden, the pool a = 20 - 17 = 3, small; so resident (the
    # smallest shown level, 10 in all) joins: pool a 8, b 7 -> [[12, 6], [8, 7]].
    frame = _table1([("attending", [3, 2]), ("nurse", [12, 6]), ("resident", [5, 5])], ["a", "b"])
    mask = pd.DataFrame(False, index=frame.index, columns=frame.columns)
    mask.loc[[0, 1], ["n", "share"]] = True
    st_ = P.SuppressedTable(
        frame.assign(n=frame["n"].where(~mask["n"])),
        mask,
        mask.replace({True: "small_count", False: ""}),
        pd.Series(False, index=frame.index),
        P.Suppression(5),
        ("n", "denominator"),
    )
    recoded = P.pooled_levels_table(st_, "role")
    assert recoded.counts.tolist() == [[12, 6], [8, 7]]
    assert recoded.pooled == ["attending", "resident"]


def test_baseline_test_hidden_when_no_recoding_can_show_it():
    # every level of b has a hidden cell: pooling leaves one level, nothing to test
    frame = _table1([("attending", [2, 0]), ("nurse", [7, 5]), ("resident", [3, 4])], ["a", "b"])
    st_ = P.suppress_baseline_table(frame, 5)
    assert P.pooled_levels_table(st_, "role") is None
    assert hidden(P.suppress_baseline_tests(ROLE_TEST, st_, 5), "p_value") == [True]


def test_blank_level_hidden_blocks_the_pooled_test():
    # the blank level is not tested, so the pool (n - blank - shown) needs the blank shown
    frame = _table1(
        [("(blank)", [1, 0]), ("attending", [3, 2]), ("nurse", [12, 6]), ("midwife", [2, 4])],
        ["a", "b"],
    )
    st_ = P.suppress_baseline_table(frame, 5)
    assert st_.mask["n"].iloc[0]
    assert P.pooled_levels_table(st_, "role") is None


# ---- the stage mix recoded from shown numbers ---------------------------------------------------
NAN = float("nan")


@pytest.mark.parametrize(
    ("counts", "total", "expected"),
    [
        # all five shown: kept as they are
        (
            {"early": 5, "middle": 6, "dropping_out": 0, "surviving": 7, "thriving": 9},
            27,
            {"early": 5, "middle": 6, "dropping_out": 0, "surviving": 7, "thriving": 9},
        ),
        # the paths of stage 6 hidden: early 6 and middle 7 show, moved on = 30 - 13 = 17
        (
            {"early": 6, "middle": 7, "dropping_out": NAN, "surviving": NAN, "thriving": 10},
            30,
            {"early": 6, "middle": 7, "moved_on": 17},
        ),
        # early and middle hidden: moved on = 0 + 5 + 13 = 18, not yet = 23 - 18 = 5
        (
            {"early": NAN, "middle": NAN, "dropping_out": 0, "surviving": 5, "thriving": 13},
            23,
            {"not_moved_on": 5, "moved_on": 18},
        ),
        # not yet moved on = 22 - 20 = 2, a small count: nothing can show
        (
            {"early": NAN, "middle": NAN, "dropping_out": 0, "surviving": 0, "thriving": 20},
            22,
            None,
        ),
        # a hidden part on both sides, and the total hidden: nothing is determined
        ({"early": NAN, "middle": 6, "dropping_out": 0, "surviving": NAN, "thriving": 9}, 30, None),
        (
            {"early": NAN, "middle": NAN, "dropping_out": 0, "surviving": 5, "thriving": 13},
            NAN,
            None,
        ),
    ],
)
def test_recode_stage_mix(counts, total, expected):
    assert P.recode_stage_mix(counts, total, 5) == expected


# ---- pooled groups ------------------------------------------------------------------------------
def test_pooled_groups_on_the_sample(sample):
    # completers by role (Table 1 by arm, enhanced + routine): attending 5 + 4 = 9, midwife
    # 2 + 2 = 4, nurse 10 + 8 = 18, other 2 + 2 = 4, resident 4 + 3 = 7
    assert P.pooled_groups(sample, "role", 5) == dict.fromkeys(
        ["midwife", "other"], "midwife + other (pooled)"
    )
    assert P.pooled_groups(sample, "role", 8) == dict.fromkeys(
        ["midwife", "other", "resident"], "midwife + other + resident (pooled)"
    )
    assert P.pooled_groups(sample, "role", 3) == {}  # none under 3
    assert P.pooled_groups(sample, "role", 19) == {}  # all five: that would be no grouping
    assert P.pooled_groups(sample, "role", P.Suppression(5, enabled=False)) == {}
    assert P.pooled_groups(sample, "arm", 30) == {}  # the arms are never pooled
    from hoo_metrics.present.results import compute_results

    res = compute_results(sample, "completed", "role", None, 5)
    assert res.groups == ["attending", "midwife + other (pooled)", "nurse", "resident"]
    enr = res.tables["enrollment"].table.set_index("group")
    assert enr.loc["midwife + other (pooled)", "analysed"] == 8  # 4 + 4
    about = res.about().set_index("item")["value"]
    assert "midwife + other (pooled)" in about["Groups pooled"]


def test_summary_names_the_pooled_groups(sample):
    from hoo_metrics.present.summary import summary

    # by role at k = 5: midwife (4 completers) and other (4) are one group of 8
    js = summary(sample, "completed", "role", suppression=5)
    label = "midwife + other (pooled)"
    assert js["suppression"]["pooled"] == {"midwife": label, "other": label}
    assert js["groups"] == ["attending", label, "nurse", "resident"]
    assert js["enrollment"]["by_group"][label]["analysed"] == 8
    assert summary(sample, "completed", "arm", suppression=5)["suppression"]["pooled"] == {}
