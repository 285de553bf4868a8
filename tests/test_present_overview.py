"""The Overview page's view model (hoo_metrics.present.overview) on the sample sample_cohort.

Expected values are counted by hand from sample_data/healing_our_own (participants.csv,
contacts.csv, responses.csv) and docs/privacy.md's table "The sample sample_cohort at the default
k = 5", never taken from the model's output."""

from __future__ import annotations

import hoo_metrics as hm
from hoo_metrics.present import overview as overview_model

K = 5


def _model(sample_cohort, group_by="arm", filters=None, suppression=K):
    res = hm.compute_results(sample_cohort, "completed", group_by, filters, suppression)
    return overview_model.overview(res, hm.group_colors(sample_cohort.groups(group_by)))


def test_cards_by_arm(sample_cohort):
    analysed, first, helpful, thriving = _model(sample_cohort).cards
    # 50 enrolled, 42 completed (3 withdrew, 5 lost): both shown
    assert analysed.value == "42 of 50"
    # enrolled per arm 25 and 25 are hidden (25 - 23 = 2 not analysed), so each arm shows
    # its analysed count alone: 23 enhanced, 19 routine
    assert analysed.caption == "enhanced: 23 · routine: 19"
    # only enhanced had peer-support contacts: 23 participants, 15 whose support ended at
    # contact 1 (8 still in support, shown): 15 / 23 = 0.6522
    assert first.value == "65.2%"
    assert first.caption.startswith("enhanced: 65.2% (15/23) by contact 1")
    # ... 21 of 23 by contact 2 leaves 2 still in support (below k): hidden
    assert "91.3%" not in first.caption and "21/23" not in first.caption
    # named most helpful at month 3 or 6: family by 29 completers, friends by 25; per arm
    # family 16 of 23 enhanced (0.696) and 13 of 19 routine (0.684)
    assert helpful.value == "Family"
    assert helpful.caption == "enhanced: Family, 70% (16/23) · routine: Family, 68% (13/19)"
    # stage 1-3 at baseline to 6 at month 6: 4 of 22 enhanced + 3 of 19 routine = 7 of 41;
    # the arms' 4 and 3 are below k
    assert thriving.value == "7 of 41"
    assert thriving.caption == "enhanced: <5 · routine: <5"


def test_flow_and_table_by_arm(sample_cohort):
    m = _model(sample_cohort)
    # withdrew 3 (below k) and lost 5 (50 - 42 - 3 would give the 3 back): both hidden
    assert m.flow.takeaway == (
        "50 participants were enrolled; 42 completed the study. How many withdrew or were lost "
        "to follow-up is hidden (small counts)."
    )
    assert (m.flow.key, m.flow.static) == ("consort", True)
    t = m.table.frame.set_index("Group")
    # enhanced: 25 enrolled, 23 completed, 1 withdrew, 1 lost; routine: 25, 19, 2, 4. The
    # enrolled 25 is hidden by subtraction (suppressed), counts of 1-4 by size (<5)
    assert t.loc["enhanced"].tolist() == ["suppressed", "23", "23", "<5", "<5"]
    assert t.loc["routine"].tolist() == ["suppressed", "19", "19", "<5", "<5"]
    assert (m.table.name, m.table.key) == ("enrollment", "enrollment")


def test_no_grouping_has_no_group_captions(sample_cohort):
    analysed, _, _, thriving = _model(sample_cohort, group_by=None).cards
    assert analysed.value == "42 of 50"
    assert analysed.caption == "" and thriving.caption == ""


def test_nurses_show_the_analysed_count_alone(sample_cohort):
    # 20 nurses enrolled, 18 completed: 20 - 18 = 2 not analysed is below k, so the
    # enrolled 20 is hidden and the card shows the 18 alone
    analysed = _model(sample_cohort, filters={"role": ["nurse"]}).cards[0]
    assert analysed.value == "18"


def test_lifted_suppression_shows_every_count(sample_cohort):
    m = _model(sample_cohort, suppression=hm.Suppression(K, enabled=False))
    assert m.cards[0].caption == "enhanced: 23 of 25 · routine: 19 of 25"
    assert m.flow.takeaway == (
        "50 participants were enrolled; 42 completed the study, 3 withdrew and 5 were lost to "
        "follow-up."
    )
