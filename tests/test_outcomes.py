"""compare_outcome, and suppress_outcome with the view's tables, on a tiny hand-worked cohort.

The cohort (arms A: a1-a4, B: b1-b3, all completers; x withdrew):

    month 0 stage      a1 2, a2 2, a3 4, a4 6/thriving; b1 1, b2 3, b3 5
    month 3            a1 used 4, a2 used 5, a3 used 3, a4 not used; b1, b2, b3 not used
                       stages a1 6/thr, a2 6/thr, a3 5, a4 6/thr; b1 2, b2 6/surviving, b3 -
    month 6            a1 used 5, stage 6/thr; b1 used 2, stage 6/thr; b2 used 3, 6/surviving
    contacts           a1 day 3 yes, day 10 no; a2 day 5 no; a3 days 2, 9, 20 all yes;
                       b1 day 4 no; b2 day 6 yes, day 12 no
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hoo_metrics.metrics.outcomes import compare_outcome, log_rank
from hoo_metrics.present.results import compute_results, suppress_outcome
from hoo_metrics.privacy import Suppression
from tests.factories import make_cohort

Z = 1.959963984540054  # standard normal 97.5 % quantile


def wilson(x, n):
    """Wilson (1927) interval, written out."""
    p = x / n
    centre = (p + Z * Z / (2 * n)) / (1 + Z * Z / n)
    half = Z / (1 + Z * Z / n) * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def cohort():
    people = [{"participant_id": p, "arm": p[0].upper()} for p in ("a1", "a2", "a3", "a4")]
    people += [{"participant_id": p, "arm": "B"} for p in ("b1", "b2", "b3")]
    people += [{"participant_id": "x", "arm": "C", "status": "withdrew"}]

    def r(pid, month, stage=None, path=None, used=None, helpful=None, most=None):
        return {
            "participant_id": pid,
            "month": month,
            "stage": stage,
            "stage6_path": path,
            "used_peers": used,
            "helpful_peers": helpful,
            "used_eap": 0,
            "most_helpful": most,
        }

    responses = [
        r("a1", 0, 2), r("a2", 0, 2), r("a3", 0, 4), r("a4", 0, 6, "thriving"),
        r("b1", 0, 1), r("b2", 0, 3), r("b3", 0, 5), r("x", 0, 1),
        r("a1", 3, 6, "thriving", 1, 4, "peers"), r("a2", 3, 6, "thriving", 1, 5, "peers"),
        r("a3", 3, 5, None, 1, 3), r("a4", 3, 6, "thriving", 0),
        r("b1", 3, 2, None, 0), r("b2", 3, 6, "surviving", 0), r("b3", 3, None, None, 0),
        r("a1", 6, 6, "thriving", 1, 5), r("b1", 6, 6, "thriving", 1, 2, "peers"),
        r("b2", 6, 6, "surviving", 1, 3),
    ]  # fmt: skip
    contacts = [
        {"participant_id": "a1", "contact_no": 1, "day": 3, "more_followup": "yes"},
        {"participant_id": "a1", "contact_no": 2, "day": 10, "more_followup": "no"},
        {"participant_id": "a2", "contact_no": 1, "day": 5, "more_followup": "no"},
        {"participant_id": "a3", "contact_no": 1, "day": 2, "more_followup": "yes"},
        {"participant_id": "a3", "contact_no": 2, "day": 9, "more_followup": "yes"},
        {"participant_id": "a3", "contact_no": 3, "day": 20, "more_followup": "yes"},
        {"participant_id": "b1", "contact_no": 1, "day": 4, "more_followup": "no"},
        {"participant_id": "b2", "contact_no": 1, "day": 6, "more_followup": "yes"},
        {"participant_id": "b2", "contact_no": 2, "day": 12, "more_followup": "no"},
    ]
    return make_cohort(people, responses, contacts)


def test_used_at_a_wave_fisher_and_newcombe():
    res = compare_outcome(cohort(), "arm", "completed", "used", resource="peers", month=3)
    t = res.table
    # C has only a withdrawn participant: listed with n = 0, not tested
    assert t["group"].tolist() == ["A", "B", "C"]
    assert t["n"].tolist() == [4, 3, 0] and t["count"].tolist() == [3, 0, 0]
    assert t["estimate"].iloc[0] == 0.75 and t["estimate"].iloc[1] == 0.0
    assert math.isnan(t["estimate"].iloc[2])
    assert np.allclose(t.loc[0, ["ci_low", "ci_high"]].to_numpy(float), wilson(3, 4))
    assert res.tested_groups == ("A", "B") and res.effect_groups == ("A", "B")
    # Fisher on [[3, 1], [0, 3]]: P(x) = C(3,x) C(4,4-x) / C(7,4) = 1, 12, 18, 4 (/35);
    # tables no likelier than x=3 (4/35): x=0 and x=3 -> 5/35
    assert res.test == "Fisher's exact"
    assert res.p_value == pytest.approx(5 / 35, rel=1e-9)
    assert res.effect_name == "Risk difference" and res.effect == pytest.approx(0.75)
    # Newcombe: d - sqrt((p1-l1)^2 + (u2-p2)^2), d + sqrt((u1-p1)^2 + (p2-l2)^2)
    (l1, u1), (l2, u2) = wilson(3, 4), wilson(0, 3)
    low = 0.75 - math.sqrt((0.75 - l1) ** 2 + (u2 - 0) ** 2)
    high = 0.75 + math.sqrt((u1 - 0.75) ** 2 + (0 - l2) ** 2)
    assert res.confidence_interval() == pytest.approx((low, high), rel=1e-9)
    assert res.unit == "share" and res.n_total == 7


def test_ever_and_most_helpful():
    used = compare_outcome(cohort(), "arm", "completed", "used", resource="peers")
    # ever: A a1 a2 a3 of 4; B b1 b2 of 3 (month 6). Fisher [[3,1],[2,1]]: P(x) = C(5,x)
    # C(2,4-x)/35 = 10, 20, 5 for x = 2, 3, 4; observed x=3 is the likeliest -> P = 1
    assert used.table["count"].tolist()[:2] == [3, 2]
    assert used.p_value == pytest.approx(1.0)
    assert used.effect == pytest.approx(3 / 4 - 2 / 3)
    named = compare_outcome(cohort(), "arm", "completed", "most_helpful", resource="peers")
    # named: a1, a2 (month 3) of 4; b1 (month 6) of 3. Fisher [[2,2],[1,2]]: C(3,x) C(4,4-x)
    # /35 = 1, 12, 18, 4 for x = 0..3; observed x=2 (18/35) is the likeliest -> P = 1
    assert named.table["count"].tolist()[:2] == [2, 1]
    assert named.p_value == pytest.approx(1.0)
    assert named.effect == pytest.approx(2 / 4 - 1 / 3)


def test_helpful_per_participant_means_and_welch():
    res = compare_outcome(cohort(), "arm", "completed", "helpful", resource="peers")
    # per participant: A a1 (4+5)/2 = 4.5, a2 5, a3 3 -> mean 25/6; B b1 2, b2 3 -> 2.5
    t = res.table
    assert t["n"].tolist() == [3, 2, 0]
    assert t["estimate"].iloc[0] == pytest.approx(25 / 6)
    var_a, var_b = 13 / 12, 0.5  # ((1/3)^2 + (5/6)^2 + (7/6)^2) / 2 = 2.1667 / 2
    se2 = var_a / 3 + var_b / 2
    df = se2**2 / ((var_a / 3) ** 2 / 2 + (var_b / 2) ** 2 / 1)
    tstat = (25 / 6 - 2.5) / math.sqrt(se2)
    assert res.test == "Welch's t"
    assert res.statistic == pytest.approx(tstat)
    assert res.p_value == pytest.approx(2 * stats.t.sf(tstat, df))
    half = stats.t.ppf(0.975, df) * math.sqrt(se2)
    assert res.effect_name == "Mean difference"
    assert res.confidence_interval() == pytest.approx((5 / 3 - half, 5 / 3 + half))
    # group CI: mean +- t(2) sd / sqrt(3)
    h = stats.t.ppf(0.975, 2) * math.sqrt(var_a) / math.sqrt(3)
    assert (t["ci_low"].iloc[0], t["ci_high"].iloc[0]) == pytest.approx((25 / 6 - h, 25 / 6 + h))
    at3 = compare_outcome(cohort(), "arm", "completed", "helpful", resource="peers", month=3)
    # month 3: A ratings 4, 5, 3 (mean 4); nobody in B rated -> one group, no test
    assert at3.table["n"].tolist() == [3, 0, 0] and at3.table["estimate"].iloc[0] == 4.0
    assert math.isnan(at3.p_value) and math.isnan(at3.effect) and at3.effect_groups == ()


def test_stage_at_a_wave_and_last_wave_exact_tests():
    res = compare_outcome(cohort(), "arm", "completed", "stage", month=3)
    t = res.table.set_index(["group", "category"])
    assert t.loc[("A", "thriving"), "count"] == 3 and t.loc[("A", "middle"), "count"] == 1
    assert t.loc[("B", "early"), "count"] == 1 and t.loc[("B", "surviving"), "count"] == 1
    assert t.loc[("B", "thriving"), "n"] == 2  # b3 has no stage at month 3
    # A [0,1,0,3], B [1,0,1,0] over early, middle, surviving, thriving; margins (1,1,1,3),
    # row A 4 of 6: P = prod C(col, x) / C(6,4); 3 tables of 1/15 (x_thr=3), 3 of 3/15
    # (x_thr=2), 1 of 3/15 (x_thr=1); observed 1/15 -> P = 3/15
    assert res.test == "Fisher-Freeman-Halton exact"
    assert res.p_value == pytest.approx(3 / 15, rel=1e-6)
    assert res.effect_name == "Difference in share thriving" and res.effect == 0.75
    last = compare_outcome(cohort(), "arm", "completed", "stage")
    # last wave: A as month 3; B b1 thriving (6), b2 surviving (6): A [1,0,3], B [0,1,1] over
    # middle, surviving, thriving; margins (1,1,4): tables 1/15, 4/15, 4/15, 6/15; observed
    # 4/15 -> P = 9/15
    assert last.p_value == pytest.approx(9 / 15, rel=1e-6)
    assert last.effect == pytest.approx(0.75 - 0.5)
    (l1, u1), (l2, u2) = wilson(3, 4), wilson(1, 2)
    low = 0.25 - math.sqrt((0.75 - l1) ** 2 + (u2 - 0.5) ** 2)
    high = 0.25 + math.sqrt((u1 - 0.75) ** 2 + (0.5 - l2) ** 2)
    assert last.confidence_interval() == pytest.approx((low, high))
    assert last.estimates["category"].tolist() == ["thriving"] * 3


def test_contacts_mann_whitney_and_welch_difference():
    res = compare_outcome(cohort(), "arm", "completed", "contacts")
    # A 2, 1, 3 contacts (mean 2, sd 1); B 1, 2 (mean 1.5)
    assert res.table["n"].tolist() == [3, 2, 0]
    assert res.table["estimate"].tolist()[:2] == [2.0, 1.5]
    # U_A: pairs (2,1) 1, (2,2) .5, (1,1) .5, (1,2) 0, (3,1) 1, (3,2) 1 -> 4
    assert res.test == "Mann-Whitney U" and res.statistic == 4.0
    # normal approximation with ties (1 x2, 2 x2) and continuity: sigma^2 = 6/12 (6 - 12/20)
    z = (4 - 3 - 0.5) / math.sqrt(0.5 * (6 - 12 / 20))
    assert res.p_value == pytest.approx(2 * stats.norm.sf(z))
    se2 = 1 / 3 + 0.5 / 2
    df = se2**2 / ((1 / 3) ** 2 / 2 + 0.25**2)
    half = stats.t.ppf(0.975, df) * math.sqrt(se2)
    assert res.effect == 0.5
    assert res.confidence_interval() == pytest.approx((0.5 - half, 0.5 + half))


def test_support_days_log_rank_by_hand():
    res = compare_outcome(cohort(), "arm", "completed", "support_days")
    # A: 10 (ended), 5 (ended), 20 (censored): S(5) = 2/3, S(10) = 1/3 -> median 10
    # B: 4, 12 (both ended): S(4) = 1/2 -> median 4
    assert res.table["estimate"].tolist()[:2] == [10.0, 4.0]
    assert res.table["count"].tolist() == [2, 2, 0]
    # event times 4, 5, 10, 12: O_A - E_A = (0-3/5) + (1-3/4) + (1-2/3) + (0-1/2);
    # V = 3/5*2/5 + 3/4*1/4 + 2/3*1/3 + 1/2*1/2
    u = -0.6 + 0.25 + 1 / 3 - 0.5
    v = 0.24 + 0.1875 + 2 / 9 + 0.25
    assert res.test == "Log-rank"
    assert res.statistic**2 == pytest.approx(u * u / v)
    assert res.p_value == pytest.approx(stats.chi2.sf(u * u / v, 1))
    assert res.effect == 6.0 and math.isnan(res.effect_ci_low)
    assert "No confidence interval" in res.note
    chi2, p = log_rank([10, 5, 20, 4, 12], [True, True, False, True, True], [0, 0, 0, 1, 1])
    assert chi2 == pytest.approx(u * u / v) and p == pytest.approx(res.p_value)


def test_log_rank_k_groups_is_order_free_and_defined():
    d = [3, 5, 7, 2, 4, 9, 1, 6, 8]
    e = [True, True, False, True, True, True, True, False, True]
    g = [0, 0, 0, 1, 1, 1, 2, 2, 2]
    chi2, p = log_rank(d, e, g)
    chi2b, pb = log_rank(d, e, [2, 2, 2, 0, 0, 0, 1, 1, 1])
    assert chi2 == pytest.approx(chi2b) and p == pytest.approx(pb)
    assert 0 < p < 1 and p == pytest.approx(stats.chi2.sf(chi2, 2))
    assert all(math.isnan(x) for x in log_rank([1, 2], [True, False], [0, 0]))


def test_three_groups_chi_square_and_no_effect():
    c = cohort()
    p = c.participants.assign(team=["x", "y", "z", "x", "y", "z", "x", "x"])
    c = type(c)(p, c.responses, c.contacts, c.resources)
    res = compare_outcome(c, "team", "completed", "used", resource="peers", month=3)
    # x: a1 a4 b3 -> 1/3; y: a2 b1 -> 1/2; z: a3 b2 -> 1/2
    assert res.table["count"].tolist() == [1, 1, 1] and res.table["n"].tolist() == [3, 2, 2]
    assert res.test == "Chi-square" and res.effect_groups == ()
    assert math.isnan(res.effect)
    assert res.p_value == pytest.approx(stats.chi2_contingency([[1, 2], [1, 1], [1, 1]]).pvalue)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"outcome": "nope"}, "outcome must be one of"),
        ({"outcome": "used"}, "needs a resource"),
        ({"outcome": "used", "resource": "chaplain"}, "no resource 'chaplain'"),
        ({"outcome": "used", "resource": "peers", "month": 0}, "follow-up month"),
        ({"outcome": "stage", "month": True}, "follow-up month"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, message):
    with pytest.raises(ValueError, match=message):
        compare_outcome(cohort(), **kwargs)


@pytest.mark.parametrize(
    "outcome, resource",
    [("used", "peers"), ("helpful", "peers"), ("stage", None), ("contacts", None),
     ("support_days", None)],
)  # fmt: skip
def test_no_grouping_and_empty_waves_give_nan_tests(outcome, resource):
    res = compare_outcome(cohort(), None, "completed", outcome, resource=resource)
    assert res.table["group"].tolist()[:1] == ["all"]
    assert math.isnan(res.p_value) and math.isnan(res.effect)
    month = 9 if outcome in ("used", "helpful", "stage") else None
    none = compare_outcome(cohort(), "arm", "completed", outcome, resource=resource, month=month)
    if month:  # nobody answered at month 9: every group listed with n = 0
        assert none.table.drop_duplicates("group")["n"].tolist() == [0, 0, 0]
        assert math.isnan(none.p_value) and none.tested_groups == ()


def hide(res, k):
    """The outcome as the Compare page shows it: what the view's joint suppression hides."""
    return suppress_outcome(res, compute_results(cohort(), "completed", "arm", None, k))


def test_suppression_hides_small_cells_and_the_test():
    res = compare_outcome(cohort(), "arm", "completed", "used", resource="peers", month=3)
    # k = 3: A uses 3 of 4 -> 1 non-user is small: A's count is hidden (complement). The
    # everyone-view shows 3 users of 7 respondents, so B's 0 would give A's 3 back
    # (3 - 0): B's count is hidden too (secondary). n 4 and 3 show; C has no respondent.
    s = hide(res, 3)
    assert s.suppressed.reasons["count"].tolist() == ["small_complement", "secondary", ""]
    shown = s.comparison
    assert shown.table["estimate"].isna().all()
    assert shown.table["n"].tolist()[:2] == [4, 3] and shown.table["n"].tolist()[2] == 0
    assert math.isnan(shown.p_value) and math.isnan(shown.effect) and s.test_hidden
    assert res.table["count"].notna().all() and res.p_value == res.p_value  # left as it was
    # k = 4: B's 3 respondents are small; the everyone-view shows 7 respondents, so A's 4
    # goes too (7 - 3)
    s4 = hide(res, 4)
    assert s4.suppressed.reasons["n"].tolist() == ["secondary", "small_count", ""]
    assert s4.suppressed.labels().loc[1, "n"] == "<4"
    assert s4.comparison.table["estimate"].isna().all()
    for off in (1, Suppression(4, enabled=False)):
        same = hide(res, off)
        assert not same.suppressed.any and same.comparison.p_value == res.p_value
        assert not same.test_hidden


def test_suppression_secondary_within_a_stage_group():
    res = compare_outcome(cohort(), "arm", "completed", "stage", month=3)
    s = hide(res, 2)
    r = s.suppressed.reasons.set_index(pd.MultiIndex.from_frame(res.table[["group", "category"]]))
    # k = 2, month 3: A [middle 1, thriving 3 of 4]: the 1 is small, and thriving's complement
    # (4 - 3 = 1) too; B [early 1, surviving 1 of 2]: both small. The everyone-view shows
    # thriving 3 of 6, so B's thriving 0 would give A's 3 back: hidden (secondary)
    assert r.loc[("A", "middle"), "count"] == "small_count"
    assert r.loc[("A", "thriving"), "count"] == "small_complement"
    assert r.loc[("B", "early"), "count"] == "small_count"
    assert r.loc[("B", "thriving"), "count"] == "secondary"
    assert r.loc[("A", "early"), "count"] == ""  # a 0 may show
    assert math.isnan(s.comparison.p_value)
