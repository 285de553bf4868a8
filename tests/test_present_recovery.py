"""The Recovery page's view model (hoo_metrics.present.recovery), built from the sample's
suppressed results at k = 5. Expected values are worked out by hand in the comments."""

from __future__ import annotations

from math import comb

import plotly.graph_objects as go
import pytest

import hoo_metrics as hm
from hoo_metrics.present import recovery as recovery_model

SUBJECT = "Moved from an early stage (1-3) at baseline to thriving (stage 6):"


@pytest.fixture(scope="module")
def by_arm(sample_cohort):
    return hm.compute_results(sample_cohort, "completed", "arm", None, 5)


def test_waves_are_the_follow_up_months(by_arm):
    # the sample's follow-up waves are at months 3 and 6
    assert recovery_model.months(by_arm) == [3, 6]


def test_early_to_thriving_hides_the_arms_and_their_test(by_arm):
    # 4 of 22 enhanced and 3 of 19 routine went from early to thriving: both counts are
    # under k = 5, so both print "<5", and a test on them could give them back
    m = recovery_model.build(by_arm, 6)
    assert m.takeaway == (
        f"{SUBJECT} <5 in enhanced vs <5 in routine; the test is hidden with the counts it "
        "rests on."
    )
    assert "4/22" not in m.takeaway and "3/19" not in m.takeaway


def test_early_to_thriving_overall_shows(sample_cohort):
    # everyone: 4 + 3 = 7 of 22 + 19 = 41; 7 / 41 = 0.171 -> 17%
    m = recovery_model.build(hm.compute_results(sample_cohort, "completed", None, None, 5), 6)
    assert m.takeaway == f"{SUBJECT} 17% (7/41) overall."
    assert [f.title for f in m.flows] == ["Everyone"]
    assert [(x.tab, x.participants) for x in m.matrices] == [("all", "41 participants")]


def test_early_to_thriving_tested_when_nothing_is_hidden(sample_cohort):
    # k = 1: 4/22 = 18%, 3/19 = 16%; Fisher's exact on margins 7 of 41, 22 in enhanced:
    # P(x) = C(7, x) C(34, 22 - x) / C(41, 22); the observed x = 4 is the most probable
    # table (0.3153), so every table counts and P = 1 -> "P > 0.99"
    prob = [comb(7, x) * comb(34, 22 - x) / comb(41, 22) for x in range(8)]
    assert max(prob) == prob[4]
    m = recovery_model.build(hm.compute_results(sample_cohort, "completed", "arm", None, 1), 6)
    assert m.takeaway == (
        f"{SUBJECT} 18% (4/22) in enhanced vs 16% (3/19) in routine, P > 0.99, Fisher's exact."
    )
    # nothing hidden: each arm's flow is the Sankey itself
    assert all(isinstance(f.chart.figure.data[0], go.Sankey) for f in m.flows if f.chart)


def test_flows_fall_back_to_the_stage_mix_when_cells_are_hidden(by_arm):
    m = recovery_model.build(by_arm, 3)
    assert [f.title for f in m.flows] == ["enhanced", "routine"]
    for f in m.flows:
        assert f.chart is not None and f.chart.key == f"sankey_{f.title}"
        assert not isinstance(f.chart.figure.data[0], go.Sankey)
    # month 3, routine: the printed stage mix is early <5, middle <5, dropping out 0,
    # surviving <5, thriving 11, of 18 with a stage. Moved on = 0 + [1, 4] + 11 = 12..15,
    # and 18 - (early + middle, 2..8) = 10..16: together 12..15, so at least 12 of 18 (67%)
    routine = m.flows[1].chart.takeaway
    assert routine == (
        "At least 67% of 18 had moved on (stage 6, by any path) by month 3; the exact "
        "number is hidden (small counts)."
    )


def test_a_wave_with_nothing_to_draw_shows_how_many_at_least_moved_on(by_arm):
    # month 6, printed stage mix: enhanced early 0, middle <5, dropping out 0, surviving <5,
    # thriving hidden (secondary), 21 with a stage: not yet moved on = middle = 1..4, so
    # moved on = 21 - (1..4) = 17..20: at least 17 of 21 (81%). Routine: early <5, middle <5,
    # so not yet moved on 2..8 and moved on at least 18 - 8 = 10 of 18 (56%). No category
    # above 0 shows at month 6, so the bar draws the bound (17, "≥81%") and hatches the rest.
    # The sentence gives no "17/21": read out of context, a fraction would pass for a count
    m = recovery_model.build(by_arm, 6)
    enhanced, routine = (f.chart for f in m.flows)
    assert enhanced.takeaway.startswith(
        "At least 81% of 21 had moved on (stage 6, by any path) by month 6; the exact "
        "number is hidden (small counts)."
    )
    assert routine.takeaway.startswith("At least 56% of 18 had moved on")
    bars = {t.name: t for t in enhanced.figure.data}
    moved = bars["Moved on (stage 6)"]
    at_wave = list(moved.y).index("Month 6 (n = 21)")
    assert moved.x[at_wave] == pytest.approx(17 / 21)
    assert moved.text[at_wave] == "≥81%"
    assert "Suppressed (small cells)" in bars  # the other 4 of 21 are hatched
    # every segment has a width (0 when hidden): plotly stacks a NaN segment's successors
    # from 0 again, so the hatched rest would be drawn over the bound
    for flow in (enhanced, routine):
        for trace in flow.figure.data:
            assert all(x == x for x in trace.x), trace.name
        keyed = {t.name for t in flow.figure.data if t.showlegend is not False}
        assert keyed == {"Moved on (stage 6)", "Suppressed (small cells)"} | (
            {"Moved on: thriving"} if flow is enhanced else set()
        )


def test_a_bound_under_k_is_not_printed(sample_cohort):
    # by role, resident, month 6: early 0, middle <5, dropping out 0, surviving 0, thriving
    # <5, of 6: moved on = thriving = 1..4, and 6 - middle = 2..5, so 2..4. A bound of 2 is
    # under k = 5 (it would read like a small count), so the sentence says it is hidden
    res = hm.compute_results(sample_cohort, "completed", "role", None, 5)
    flows = {f.title: f for f in recovery_model.build(res, 6).flows}
    assert flows["resident"].chart.takeaway.startswith(
        "How many had moved on by month 6 is hidden (small counts)."
    )


def test_matrices_count_who_has_a_stage_at_both_times(by_arm):
    # 22 enhanced + 19 routine = 41 with a stage at baseline and at the last wave (the
    # early-to-thriving denominators above)
    m = recovery_model.build(by_arm, 6)
    assert [(x.tab, x.participants) for x in m.matrices] == [
        ("enhanced", "22 participants"),
        ("routine", "19 participants"),
    ]
    table = m.matrices[0].table
    assert (table.name, table.key, table.hide_index) == (
        "transitions-enhanced",
        "matrix_enhanced",
        False,
    )
    assert table.frame.loc["Total", "Total"] == "22"


def test_recovered_resources_takeaway(by_arm):
    # "Other": used by 0 of the 7 who went from early to thriving, 5 of the 34 others
    # (7 + 34 = 41). Fisher's exact on margins 5 users of 41, 7 recovered:
    # P(x) = C(5, x) C(36, 7 - x) / C(41, 7) = 0.3713, 0.4332, 0.1677, 0.0262, 0.0016, 0.0000;
    # the tables no more probable than x = 0: 0.3713 + 0.1677 + 0.0262 + 0.0016 = 0.567 ->
    # "P = 0.57", the smallest P shown
    prob = [comb(5, x) * comb(36, 7 - x) / comb(41, 7) for x in range(6)]
    assert round(sum(q for q in prob if q <= prob[0] * (1 + 1e-7)), 2) == 0.57
    m = recovery_model.build(by_arm, 6)
    assert m.recovered_takeaway == (
        "Other was used by 0% (0/7) of those who went from early stages to thriving vs "
        "15% (5/34) of the others, P = 0.57, Fisher's exact."
    )
    frame = m.recovered.frame.set_index("Resource")
    assert frame.loc["Other", "Risk difference"] == "-15%"  # 0/7 - 5/34 = -0.147
    assert (m.recovered.name, m.recovered.key) == ("recovered-resources", "recovered")
    assert "Fisher's exact test" in m.recovered.caption


def test_a_recoded_wave_says_how_many_moved_on(sample_cohort):
    # by role at k = 5, month 6, attending: 9 completers, all with a baseline stage, 8 with a
    # stage at month 6, all at stage 6 (6 thriving, 1 surviving, 1 dropping out: the paths
    # are small counts). Recoded, the bar is "moved on" 8 of 8, and the sentence says so
    # instead of "hidden" (it once contradicted the chart).
    res = hm.compute_results(sample_cohort, "completed", "role", None, 5)
    flows = {f.title: f for f in recovery_model.build(res, 6).flows}
    text = flows["attending"].chart.takeaway
    assert text.startswith("100% (8/8) had moved on (stage 6, by any path) by month 6.")
    assert "Stages pooled so that they can be shown (month 6)." in text
