"""The Baseline page's view model (hoo_metrics.present.baseline) on the sample cohort.

Expected values are counted by hand from sample_data/healing_our_own/participants.csv (the
completers: 23 enhanced, 19 routine), never taken from the model's output."""

from __future__ import annotations

import dataclasses

import numpy as np

import hoo_metrics as hm
from hoo_metrics.present import baseline as baseline_model

K = 5


def _model(sample_cohort, group_by="arm", suppression=K):
    res = hm.compute_results(sample_cohort, "completed", group_by, None, suppression)
    return baseline_model.baseline(res)


def test_by_arm_takeaway_table_and_note(sample_cohort):
    m = _model(sample_cohort)
    # six characteristics, each tested. Gender: enhanced 19 female / 4 male, routine 16 / 3:
    # every male count is under 5 and there is no other level to pool it with, so the test is
    # hidden; the baseline stage category likewise. The other four are tested on pooled
    # levels (role: nurse 10 vs 8 shown, the other roles 5+2+2+4 = 13 vs 4+2+2+3 = 11 pooled)
    assert m.takeaway.endswith(
        "levels with small counts pooled for 4 of the 4 tests; 2 tests hidden by small-cell "
        "suppression."
    )
    assert m.takeaway.startswith("The groups look comparable at baseline: no characteristic")
    assert m.pooled_note.startswith(
        "Tested on pooled levels (small counts): role: attending, midwife, other, resident; "
    )
    t = m.table
    assert t is not None
    assert (t.name, t.key, t.hide_index) == ("baseline-table", "table1", True)
    frame = t.frame.set_index("Level")
    assert frame.loc["nurse", "enhanced (n = 23)"] == "43% (10/23)"  # 10 / 23 = 0.435
    assert frame.loc["nurse", "routine (n = 19)"] == "42% (8/19)"  # 8 / 19 = 0.421
    assert frame.loc["male", "enhanced (n = 23)"] == "<5"  # 4 men
    # rows: 5 roles + 5 event types + 4 age bands + 2 genders + 4 years-in-practice bands +
    # 5 baseline stage categories (with the blank one) = 25; the height fits 25 rows and
    # the header at 36 px each, plus 4: 36 * 26 + 4 = 940
    assert len(t.frame) == 25
    assert t.options["height"] == 940
    assert m.caption == baseline_model.CAPTION


def test_without_grouping_there_is_nothing_to_test(sample_cohort):
    m = _model(sample_cohort, group_by=None)
    assert m.takeaway == "One group only: choose a grouping to compare groups."
    assert m.pooled_note == ""
    assert m.table is not None
    # the 42 completers in one column; no test, so no P
    assert "all (n = 42)" in m.table.frame.columns
    assert set(m.table.frame["P"]) == {""}


def test_lifted_suppression_tests_every_characteristic(sample_cohort):
    m = _model(sample_cohort, suppression=hm.Suppression(K, enabled=False))
    # nothing hidden, nothing pooled: the sentence has no clause about either
    assert "hidden" not in m.takeaway and "pooled" not in m.takeaway
    assert m.pooled_note == ""


def test_a_view_with_nobody_has_no_table(sample_cohort):
    res = hm.compute_results(sample_cohort, "completed", "arm", None, K)
    table = res.tables["baseline_table"]
    empty = table.rows(np.zeros(len(table.table), bool))
    m = baseline_model.baseline(
        dataclasses.replace(res, tables={**res.tables, "baseline_table": empty})
    )
    assert m.table is None
    assert m.takeaway == baseline_model.NO_PARTICIPANTS
