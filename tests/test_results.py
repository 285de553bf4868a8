"""The one results pipeline (hoo_metrics.present.results): every output of a view reads one jointly
suppressed object. The disclosure issue's findings, each as a regression test on the sample
(the attacker in tests/test_disclosure_attack.py checks the whole of each view)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import hoo_metrics as hm


@pytest.fixture(scope="module")
def sample():
    return hm.load_sample()


def test_compare_stage_outcome_does_not_give_back_the_not_thriving(sample):
    # enhanced completers at their last wave: 20 of 23 thriving, middle 2, surviving 1. Showing
    # n = 23 and thriving 20 with the others "<5" would give back 3 not thriving: the 20 is
    # hidden (complement 3). Routine's 14 of 19 would then give the enhanced 20 back from the
    # everyone-view's 34 thriving: hidden too (secondary).
    res = hm.compare_outcome(sample, "arm", "completed", "stage", None, None)
    thriving = res.table[res.table["category"] == "thriving"]["count"].tolist()
    assert thriving == [20, 14]
    view = hm.compute_results(sample, "completed", "arm", None, 5)
    s = hm.suppress_outcome(res, view)
    r = s.suppressed.reasons.set_index([res.table["group"], res.table["category"]])["count"]
    assert r[("enhanced", "thriving")] == "small_complement"
    assert r[("routine", "thriving")] == "secondary"
    assert math.isnan(s.comparison.p_value) and s.test_hidden


def test_one_quantity_is_hidden_in_every_table_or_none(sample):
    # the finding: by role, all enrolled, k = 3, followup_summary hid the followed-up
    # participants of role "other" while ended_by_contact showed them. That view is now
    # refused (2 of the 6 "other" did not complete, a subtraction from the completers' view);
    # in the completers' view every table that shows a group's followed-up participants shows
    # the same number or hides it everywhere.
    assert hm.compute_results(sample, "all", "role", None, 3).refusal is not None
    view = hm.compute_results(sample, "completed", "role", None, 3)
    fu = view.tables["followup_summary"]
    ended = view.tables["ended_by_contact"]
    curve = view.tables["support_duration_curve"]
    for i, g in enumerate(fu.table["group"]):
        hidden = bool(fu.mask["participants"].iloc[i])
        e = ended.mask[(ended.table["group"] == g).to_numpy()]["participants"]
        assert (e == hidden).all(), g
        day0 = (curve.table["group"] == g).to_numpy() & (curve.table["day"] == 0).to_numpy()
        if day0.any():
            assert bool(curve.mask["at_risk"][day0].iloc[0]) == hidden, g


def test_the_curve_steps_never_give_back_a_hidden_event_count(sample):
    # the finding: at_risk x (1 - S(t)/S(t-)) gave back 11 hidden event counts. Each drawn
    # step now holds >= 5 events, and its drop is exactly its events over its at-risk number
    curve = hm.compute_results(sample, "completed", "arm", None, 5).tables["support_duration_curve"]
    t = curve.table
    for _, d in t.groupby("group"):
        s = d["survival"].to_numpy()
        ev = d["events"].to_numpy()[1:]
        risk = d["at_risk"].to_numpy()[1:]
        assert (ev >= 5).all()
        np.testing.assert_allclose(s[1:] / s[:-1], 1 - ev / risk)


def test_two_filters_one_value_apart_are_refused(sample):
    # role = nurse shows 10 / 8 per arm; role = nurse or midwife would show 12 / 10: two
    # midwives per arm. The second view is refused (and says why); the first shows.
    assert hm.compute_results(sample, "completed", "arm", {"role": ["nurse"]}, 5).refusal is None
    res = hm.compute_results(sample, "completed", "arm", {"role": ["nurse", "midwife"]}, 5)
    assert res.refusal is not None and res.refusal.reason == "value"
    assert "role = midwife" in res.refusal.message
    assert res.tables == {}
    about = dict(res.about().itertuples(index=False))
    assert about["Analysed participants"] == "not shown"  # 22 with 18 gives the 4 midwives


def test_enrolled_and_analysed_never_both_show_when_few_did_not_complete(sample):
    # k = 11: 50 enrolled and 42 analysed would give back 8 non-completers
    enr = hm.compute_results(sample, "completed", None, None, 11).tables["enrollment"]
    shown = enr.table.iloc[0]
    assert math.isnan(shown["enrolled"]) != math.isnan(shown["analysed"])
    assert hm.compute_results(sample, "all", None, None, 11).refusal is not None


def test_grouped_overall_rows_are_the_everyone_views(sample):
    # a grouped table's overall rows hide exactly what the view without grouping hides
    grouped = hm.compute_results(sample, "completed", "arm", None, 5)
    everyone = hm.compute_results(sample, "completed", None, None, 5)
    for name in ("enrollment", "followup_summary", "early_to_thriving"):
        over = grouped.tables[name].overall
        mine = everyone.tables[name]
        cols = list(mine.count_columns)
        assert (over.mask[cols].to_numpy() == mine.mask[cols].to_numpy()).all(), name


def test_summary_min_cell_reads_the_pipeline(sample):
    # the JSON hides what the export hides: the 91.3% (21 of 23) of enhanced
    out = hm.summary(sample, suppression=5)
    ended = hm.compute_results(sample, "completed", "arm", None, 5).tables["ended_by_contact"]
    row = (ended.table["group"] == "enhanced").to_numpy() & (ended.table["contact"] == 2)
    assert bool(ended.mask["share"][row].iloc[0])
    assert out["followup"]["by_group"]["enhanced"]["ended_by_contact"]["2"] is None


def test_a_filter_that_splits_a_pool_of_small_groups_is_refused(sample):
    # by role at k = 5 midwife (4 completers) and other (4) are one group, "midwife + other
    # (pooled)": all enrolled filtered to the midwives (5 enrolled, so not too few by itself)
    # would give back the "other" group against the view grouped by role
    res = hm.compute_results(sample, "all", None, {"role": ["midwife"]}, 5)
    assert res.refusal is not None and res.refusal.reason == "pool"
    assert "midwife + other (pooled)" in res.refusal.message
    assert res.tables == {}


def test_an_everyone_view_of_another_view_is_refused(sample_cohort):
    # a grouped view reuses its everyone-view's tables as its overall rows: one of other
    # filters, another analysis set or with a grouping would put another view's numbers there
    grouped = hm.compute_results(sample_cohort, "completed", "arm", None, 5)
    other_filter = hm.compute_results(sample_cohort, "completed", None, {"role": ["nurse"]}, 5)
    for wrong in (other_filter, grouped):
        with pytest.raises(ValueError, match="everyone must be this view's"):
            hm.compute_results(sample_cohort, "completed", "arm", None, 5, everyone=wrong)
    right = hm.compute_results(sample_cohort, "completed", None, None, 5)
    again = hm.compute_results(sample_cohort, "completed", "arm", None, 5, everyone=right)
    for name, st in grouped.tables.items():  # the same tables as computing it all afresh
        pd.testing.assert_frame_equal(st.table, again.tables[name].table)
        pd.testing.assert_frame_equal(st.mask, again.tables[name].mask)
