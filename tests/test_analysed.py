"""The analysed cohort's facts (hoo_metrics.metrics._analysed) on tiny cohorts worked by hand."""

from __future__ import annotations

import gc
import weakref
from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest

from hoo_metrics.contract import ALL_GROUP
from hoo_metrics.metrics._analysed import CODE, Analysed, ContactFacts, KeptFacts, analyse
from tests.factories import make_cohort

EARLY, MIDDLE, SURVIVING, THRIVING = (CODE[c] for c in ("early", "middle", "surviving", "thriving"))


def contact(pid: str, no: int, day: int, more: str) -> dict:
    return {"participant_id": pid, "contact_no": no, "day": day, "more_followup": more}


def R(pid: str, month: int, **cells) -> dict:
    return {"participant_id": pid, "month": month, **cells}


# ---- contacts -----------------------------------------------------------------------------
CONTACT_COHORT = make_cohort(
    [
        {"participant_id": "a", "arm": "x", "status": "completed"},
        {"participant_id": "b", "arm": "y", "status": "completed"},
        {"participant_id": "c", "arm": "x", "status": "completed"},
        {"participant_id": "d", "arm": "y", "status": "completed"},
        {"participant_id": "e", "arm": "x", "status": "withdrew"},
    ],
    contacts=[
        contact("d", 1, 5, "no"),
        contact("a", 3, 20, "no"),  # a: contacts given out of order
        contact("a", 1, 3, "yes"),
        contact("a", 2, 10, "no"),
        contact("b", 2, 8, "yes"),
        contact("b", 1, 1, "yes"),
        contact("e", 1, 2, "no"),
    ],
)


def test_contact_facts_by_hand():
    # Completers with a contact, by position: a (0), b (1), d (3); c (2) had none, e withdrew.
    # a: contacts 1 yes (day 3), 2 no (day 10), 3 no (day 20): 3 contacts, the last is 3, the
    #    first "no" is contact 2, so ended at contact 2 after 10 days.
    # b: 1 yes (day 1), 2 yes (day 8): never "no", censored at the last contact, day 8.
    # d: 1 no (day 5): ended at contact 1 after 5 days.
    facts = analyse(CONTACT_COHORT, "completed").contacts
    assert facts.position.tolist() == [0, 1, 3]
    assert facts.contacts.tolist() == [3, 2, 1]
    assert facts.last_contact.tolist() == [3, 2, 1]
    np.testing.assert_array_equal(facts.end_contact, [2.0, np.nan, 1.0])
    assert facts.ended.tolist() == [True, False, True]
    assert facts.duration.tolist() == [10, 8, 5]
    assert (facts.contacts.dtype, facts.end_contact.dtype, facts.ended.dtype) == (
        np.int64,
        np.float64,
        np.bool_,
    )


def test_contact_facts_all_enrolled_count_the_withdrawn():
    # e (position 4 of all five) ended at contact 1 on day 2
    facts = analyse(CONTACT_COHORT, "all").contacts
    assert facts.position.tolist() == [0, 1, 3, 4]
    assert facts.duration.tolist() == [10, 8, 5, 2]
    assert facts.ended.tolist() == [True, False, True, True]


def test_contact_facts_are_read_only_and_frozen():
    facts = ContactFacts.of(CONTACT_COHORT)
    with pytest.raises(ValueError, match="read-only"):
        facts.duration[0] = 99
    with pytest.raises(FrozenInstanceError):
        facts.duration = np.zeros(4)


def test_contact_table_per_grouping_and_each_caller_gets_its_own():
    # The facts above as a frame, with each participant's group: a x, b y, d y.
    analysed = analyse(CONTACT_COHORT, "completed")
    table = analysed.contact_table("arm")
    assert list(table.columns) == [
        "contacts",
        "last_contact",
        "end_contact",
        "ended",
        "duration",
        "group",
    ]
    assert table["group"].tolist() == ["x", "y", "y"]
    assert analysed.contact_table(None)["group"].tolist() == [ALL_GROUP] * 3
    table.loc[0, "duration"] = 0
    assert analysed.contact_table("arm")["duration"].tolist() == [10, 8, 5]


# ---- follow-up responses ------------------------------------------------------------------
FOLLOWUP_COHORT = make_cohort(
    [
        {"participant_id": "a", "arm": "x", "status": "completed"},
        {"participant_id": "b", "arm": "y", "status": "completed"},
        {"participant_id": "c", "arm": "x", "status": "withdrew"},
    ],
    [
        R("a", 0, used_peers=1, helpful_peers=4, most_helpful="peers"),  # baseline: not counted
        R("a", 3, used_peers=1, helpful_peers=5, used_eap=1, most_helpful="eap"),
        R("a", 6, used_peers=0, used_eap=1, helpful_eap=2, most_helpful="peers;eap"),
        R("b", 0, used_eap=1, helpful_eap=1, most_helpful="eap"),  # baseline: not counted
        R("b", 3, used_peers=1, helpful_peers=3, used_eap=0),
        R("c", 3, used_peers=1, helpful_peers=1, most_helpful="peers"),
    ],
)


def test_followup_facts_by_hand():
    # Completers a (0), b (1); rows a0, a3, a6, b0, b3 (c withdrew). Follow-up rows: a3, a6,
    # b3; the baseline rows get owner 2 (a bin past the two participants) and nothing set.
    #            a0  a3  a6  b0  b3
    # used peers  .   1   .   .   1     (a0 used it at baseline: not a follow-up wave)
    # used eap    .   1   1   .   .     (b0 used eap at baseline only)
    # named peers .   .   1   .   .     ("peers;eap" names both)
    # named eap   .   1   1   .   .
    # rating peers 0  5   0   0   3     (a3 rated 5, b3 rated 3)
    # rating eap   0  0   2   0   0     (a3 used eap without a rating)
    facts = analyse(FOLLOWUP_COHORT, "completed").followup
    assert facts.resources == ("peers", "eap")
    assert facts.follow.tolist() == [False, True, True, False, True]
    assert facts.month.tolist() == [0, 3, 6, 0, 3]
    assert facts.owner.tolist() == [2, 0, 0, 2, 1]
    assert facts.used.T.tolist() == [[0, 1, 0, 0, 1], [0, 1, 1, 0, 0]]
    assert facts.named.T.tolist() == [[0, 0, 1, 0, 0], [0, 1, 1, 0, 0]]
    assert facts.rating.T.tolist() == [[0, 5, 0, 0, 3], [0, 0, 2, 0, 0]]
    # per participant, over the follow-up waves: a used and named both; b used peers only
    # (eap at baseline does not count) and named nothing
    assert facts.answered.tolist() == [True, True]
    assert facts.used_ever.tolist() == [[True, True], [True, False]]
    assert facts.named_ever.tolist() == [[True, True], [False, False]]
    assert (facts.used.dtype, facts.named.dtype, facts.rating.dtype) == (
        np.bool_,
        np.bool_,
        np.uint8,
    )
    # each resource's column is contiguous (the counters read one column at a time)
    assert facts.used.flags.f_contiguous and facts.rating.flags.f_contiguous


def test_followup_facts_all_enrolled_and_read_only():
    # with "all", c (position 2) joins: its month-3 row uses peers rated 1, names peers;
    # the baseline rows now get owner 3
    facts = analyse(FOLLOWUP_COHORT, "all").followup
    assert facts.owner.tolist() == [3, 0, 0, 3, 1, 2]
    assert facts.rating[:, 0].tolist() == [0, 5, 0, 0, 3, 1]
    assert facts.named_ever[:, 0].tolist() == [True, False, True]
    for array in (facts.used, facts.named, facts.rating, facts.used_ever, facts.follow):
        assert not array.flags.writeable


def test_followup_facts_of_a_participant_without_a_followup_response():
    # b answered at baseline only: not answered, never used anything at follow-up
    cohort = make_cohort(
        [{"participant_id": "a", "arm": "x"}, {"participant_id": "b", "arm": "x"}],
        [R("a", 3, used_peers=1), R("b", 0, used_peers=1)],
    )
    facts = analyse(cohort, "completed").followup
    assert facts.answered.tolist() == [True, False]
    assert facts.used_ever[:, 0].tolist() == [True, False]


# ---- stages -------------------------------------------------------------------------------
STAGE_COHORT = make_cohort(
    [
        {"participant_id": "a", "arm": "x"},
        {"participant_id": "b", "arm": "x"},
        {"participant_id": "c", "arm": "x"},
    ],
    [
        R("a", 0, stage=2),
        R("a", 6, stage=6, stage6_path="thriving"),  # before a's month 3 on purpose
        R("a", 3, stage=4),
        R("b", 0),  # no stage
        R("b", 3, stage=1),
        R("c", 0, stage=6, stage6_path="surviving"),
        R("c", 3, stage=6),  # a stage 6 without a path has no category
        R("c", 6, stage=5),
    ],
)


def test_stage_facts_by_hand():
    # Staged responses in response order: a0 early, a6 thriving, a3 middle, b3 early,
    # c0 surviving, c6 middle (b0 and c3 have no category). Baselines: a early, b none,
    # c surviving.
    facts = analyse(STAGE_COHORT, "completed").stages
    assert facts.participant.tolist() == [0, 0, 0, 1, 2, 2]
    assert facts.month.tolist() == [0, 6, 3, 3, 0, 6]
    assert facts.category.tolist() == [EARLY, THRIVING, MIDDLE, EARLY, SURVIVING, MIDDLE]
    assert facts.baseline.tolist() == [EARLY, -1, SURVIVING]
    # follow-up waves of participants with a baseline (b has none): a6, a3, c6
    waves = facts.waves
    assert waves.participant.tolist() == [0, 0, 2]
    assert waves.month.tolist() == [6, 3, 6]
    assert waves.start.tolist() == [EARLY, EARLY, SURVIVING]
    assert waves.end.tolist() == [THRIVING, MIDDLE, MIDDLE]
    # each one's last wave: a at month 6 (not the later row, month 3), c at month 6
    last = facts.last_waves
    assert (last.participant.tolist(), last.month.tolist()) == ([0, 2], [6, 6])
    assert (last.start.tolist(), last.end.tolist()) == ([EARLY, SURVIVING], [THRIVING, MIDDLE])
    assert facts.last_waves is last  # kept
    assert not last.participant.flags.writeable and not facts.baseline.flags.writeable


# ---- the analysed cohort ------------------------------------------------------------------
def test_the_analysis_set_keeps_its_facts_once_per_cohort_and_population():
    cohort = FOLLOWUP_COHORT
    completed = analyse(cohort, "completed")
    assert completed.cohort is cohort.analysis_set("completed")
    assert analyse(cohort, "all").cohort is cohort  # "all" analyses the cohort itself
    # each fact is built once, and every Analysed of the same analysis set reads it
    assert analyse(cohort, "completed").kept is completed.kept
    assert analyse(cohort, "completed").followup is completed.followup
    assert analyse(cohort, "completed").stages is completed.stages
    assert analyse(cohort, "completed").contacts is completed.contacts
    assert analyse(cohort, "all").kept is not completed.kept
    assert analyse(cohort, "all").followup is not completed.followup
    with pytest.raises(ValueError, match="population"):
        analyse(cohort, "everyone")


def test_a_new_cohort_keeps_its_own_facts():
    # A filter (or replace, a recode) makes a new Cohort: nothing of the first one's facts is
    # reused. By hand: arm y's completers are b alone, owner of the follow-up row b3.
    cohort = replace(FOLLOWUP_COHORT)
    first = analyse(cohort, "completed").followup
    only_y = cohort.filter({"arm": ["y"]})
    facts = analyse(only_y, "completed").followup
    assert facts is not first
    assert facts.owner.tolist() == [1, 0]  # b0 (baseline: bin 1), b3 (b)
    assert facts.used_ever.tolist() == [[True, False]]
    assert analyse(replace(cohort), "completed").kept is not analyse(cohort, "completed").kept


def test_a_dropped_cohort_and_its_facts_are_freed_at_once():
    # What an analysis set keeps holds no reference back to it (no reference cycle), so the
    # facts go with the cohort by reference counting alone: with the garbage collector off, a
    # cycle would keep both.
    gc.disable()
    try:
        cohort = replace(FOLLOWUP_COHORT)
        analysed = analyse(cohort, "completed")
        analysed.followup, analysed.stages, analysed.contact_table("arm")
        gone = weakref.ref(analysed.kept), weakref.ref(analysed.cohort), weakref.ref(cohort)
        del cohort, analysed
        assert [ref() for ref in gone] == [None, None, None]
    finally:
        gc.enable()


def test_analysed_is_a_frozen_value():
    analysed = Analysed(CONTACT_COHORT, KeptFacts())
    with pytest.raises(FrozenInstanceError):
        analysed.cohort = CONTACT_COHORT
    assert analysed.contact_table("arm")["duration"].tolist() == [10, 8, 5, 2]
