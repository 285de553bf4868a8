"""Cohort: analysis set, filters, group labels and order, the most-helpful matrix."""

from __future__ import annotations

import pytest

from hoo_metrics.cohort import sort_groups
from hoo_metrics.contract import ALL_GROUP, BLANK_GROUP
from tests.factories import make_cohort


@pytest.fixture
def cohort():
    participants = [
        {"participant_id": "a", "arm": "x", "role": "nurse", "site": "10"},
        {"participant_id": "b", "arm": "y", "role": None, "site": "2", "status": "withdrew"},
        {"participant_id": "c", "arm": "x", "role": "nurse", "site": "2"},
        {"participant_id": "d", "arm": "y", "role": "resident", "site": "10"},
    ]
    responses = [
        {"participant_id": "a", "month": 3, "used_peers": 1, "used_eap": 1, "most_helpful": "eap"},
        {"participant_id": "b", "month": 3, "used_peers": 1, "most_helpful": "peers;eap"},
        {"participant_id": "c", "month": 3, "used_peers": 0, "used_eap": 0},
        {"participant_id": "d", "month": 3, "used_peers": 1, "most_helpful": "peers"},
    ]
    contacts = [
        {"participant_id": "a", "contact_no": 1, "day": 3, "more_followup": "no"},
        {"participant_id": "b", "contact_no": 1, "day": 4, "more_followup": "no"},
    ]
    return make_cohort(participants, responses, contacts)


def test_analysis_set_keeps_completers_and_their_rows(cohort):
    done = cohort.analysis_set("completed")
    # b withdrew: gone from all three tables; everyone stays with "all"
    assert done.participants["participant_id"].tolist() == ["a", "c", "d"]
    assert set(done.responses["participant_id"]) == {"a", "c", "d"}
    assert done.contacts["participant_id"].tolist() == ["a"]
    assert len(cohort.analysis_set("all").participants) == 4
    with pytest.raises(ValueError, match="population"):
        cohort.analysis_set("everyone")


def test_filter_with_blank_level_and_several_columns(cohort):
    assert cohort.filter({"role": [BLANK_GROUP]}).participants["participant_id"].tolist() == ["b"]
    both = cohort.filter({"role": ["nurse"], "site": ["2"]})
    assert both.participants["participant_id"].tolist() == ["c"]
    # an empty selection is no restriction
    assert len(cohort.filter({"role": []}).participants) == 4
    with pytest.raises(KeyError):
        cohort.filter({"shoe_size": ["9"]})


def test_groups_are_ascending_numbers_numerically(cohort):
    # "10" and "2": as numbers 2 < 10 (as text "10" would sort first)
    assert cohort.groups("site") == ["2", "10"]
    assert cohort.groups("role") == [BLANK_GROUP, "nurse", "resident"]
    assert cohort.groups(None) == [ALL_GROUP]
    assert cohort.group_of("arm").to_dict() == {"a": "x", "b": "y", "c": "x", "d": "y"}


@pytest.mark.parametrize(
    "labels, expected",
    [
        (["b", "a", "b"], ["a", "b"]),
        (["10", "9", "1.5"], ["1.5", "9", "10"]),
        (["10", "x"], ["10", "x"]),  # not all numbers: text order
    ],
)
def test_sort_groups(labels, expected):
    assert sort_groups(labels) == expected


def test_most_helpful_matrix_matches_whole_codes(cohort):
    m = cohort.most_helpful_matrix
    assert list(m.columns) == ["peers", "eap"]
    # rows in responses order: a names eap; b peers and eap; c nothing; d peers
    assert m["peers"].tolist() == [False, True, False, True]
    assert m["eap"].tolist() == [True, True, False, False]


def test_most_helpful_flags_follow_filters_like_a_fresh_reading(cohort):
    # flags (peers, eap) by hand: a F T; b T T; c F F; d T F. Role nurse keeps a and c; a
    # filter of a cohort whose flags are known carries them, and a new Cohort of the filtered
    # tables, reading the texts again, must give the same.
    from dataclasses import replace

    assert cohort.most_helpful_flags.tolist() == [
        [False, True],
        [True, True],
        [False, False],
        [True, False],
    ]
    nurses = cohort.filter({"role": ["nurse"]})
    assert "most_helpful_flags" in nurses.__dict__  # carried, not read again
    assert nurses.most_helpful_flags.tolist() == [[False, True], [False, False]]
    assert replace(nurses).most_helpful_flags.tolist() == [[False, True], [False, False]]
    # not known yet: not computed for the filter (the filtered cohort reads its own rows)
    fresh = replace(cohort)
    assert "most_helpful_flags" not in fresh.filter({"role": ["nurse"]}).__dict__
    # a flag array of the wrong shape is not kept
    other = replace(cohort)
    other.keep_known(most_helpful_flags=[[True]])
    assert "most_helpful_flags" not in other.__dict__


def test_group_labels_and_groups_are_kept_but_never_shared_for_writing(cohort):
    # computed once per cohort and grouping; what a caller changes in its copy must not reach
    # the next caller. By hand: roles nurse, (blank), nurse, resident.
    first = cohort.group_labels("role")
    first.iloc[0] = "surgeon"
    groups = cohort.groups("role")
    groups.append("surgeon")
    assert cohort.group_labels("role").tolist() == ["nurse", BLANK_GROUP, "nurse", "resident"]
    assert cohort.groups("role") == [BLANK_GROUP, "nurse", "resident"]
    with pytest.raises(KeyError):
        cohort.group_labels("shoe_size")


def test_participant_columns_exclude_id_and_status(cohort):
    assert cohort.participant_columns == ["arm", "role", "site"]
    assert cohort.counts() == {"participants": 4, "responses": 4, "contacts": 2}


def _twelve(**columns) -> list[dict]:
    """Twelve participants (more than a handful) with extra columns given as 12 values."""
    return [
        {"participant_id": f"p{i:02d}", "arm": "xy"[i % 2], **{c: v[i] for c, v in columns.items()}}
        for i in range(12)
    ]


def test_participant_columns_leave_out_what_the_screen_rules_out():
    # a cohort built without the validator (by hand, from the library) screens its own columns
    cohort = make_cohort(
        _twelve(
            role=["nurse", "resident", "attending"] * 4,
            notes=["talked it through with the team after the event", *[None] * 11],
            supporter=["Jane Smith", "Bob Jones", None] * 4,
            badge=[f"b{i}" for i in range(12)],
        )
    )
    assert cohort.participant_columns == ["arm", "role"]
    assert cohort.screened == {
        "notes": "its values look like free text (its only filled-in cell has 5 words or more)",
        "supporter": "its values look like people's names (2 of its 2 different values)",
        "badge": "most participants have a value of their own (12 of its 12 filled-in cells "
        "hold a value no other participant has)",
    }


def test_participant_columns_follow_the_validators_verdict_when_given(cohort):
    from dataclasses import replace

    verdict = replace(cohort, screened_columns={"site": "its values look like free text (...)"})
    assert verdict.participant_columns == ["arm", "role"]
    assert verdict.screened == {"site": "its values look like free text (...)"}
    assert verdict.filter({"role": ["nurse"]}).screened == verdict.screened
    # an empty verdict: nothing screened, nothing recomputed
    assert replace(cohort, screened_columns={}).participant_columns == ["arm", "role", "site"]


def test_response_positions_index_participants(cohort):
    # responses a, b, c, d over participants a, b, c, d: 0..3; among the completers a, c, d
    # (b withdrew, its response gone): a -> 0, c -> 1, d -> 2
    assert cohort.response_positions.tolist() == [0, 1, 2, 3]
    done = cohort.analysis_set("completed")
    assert done.response_positions.tolist() == [0, 1, 2]
    assert not done.response_positions.flags.writeable
    # a response whose participant is not in the table (a hand-built cohort) is -1
    from dataclasses import replace

    fewer = replace(cohort, participants=cohort.participants.iloc[[3, 0]].reset_index(drop=True))
    assert fewer.response_positions.tolist() == [1, -1, -1, 0]


def test_filters_carry_positions_and_rows_like_a_fresh_look_up(cohort):
    # role nurse keeps a and c: responses a, c (positions 0, 1); contacts a (position 0).
    # The filtered cohort's renumbered positions must equal a look-up from scratch.
    from dataclasses import replace

    nurses = cohort.filter({"role": ["nurse"]})
    assert nurses.responses["participant_id"].tolist() == ["a", "c"]
    assert nurses.contacts["participant_id"].tolist() == ["a"]
    assert nurses.response_positions.tolist() == [0, 1]
    assert nurses.contact_positions.tolist() == [0]
    fresh = replace(nurses)  # a new Cohort of the same tables: positions looked up again
    assert fresh.response_positions.tolist() == [0, 1]
    assert fresh.contact_positions.tolist() == [0]
    nobody = cohort.filter({"role": ["surgeon"]})
    assert len(nobody.participants) == len(nobody.responses) == len(nobody.contacts) == 0
    assert nobody.analysis_set("completed").response_positions.tolist() == []


def test_a_cohort_made_from_another_keeps_none_of_its_groupings(cohort):
    # recoded, filter and the analysis set make new Cohorts: each grouping's labels and groups
    # are their own, never the first cohort's kept ones. By hand: roles nurse, (blank), nurse,
    # resident; nurse recoded to clinician; completers a, c, d (b withdrew).
    assert cohort.groups("role") == [BLANK_GROUP, "nurse", "resident"]  # kept from here on
    recoded = cohort.recoded("role", {"nurse": "clinician"})
    assert recoded.group_labels("role").tolist() == [
        "clinician",
        BLANK_GROUP,
        "clinician",
        "resident",
    ]
    assert recoded.groups("role") == [BLANK_GROUP, "clinician", "resident"]
    assert cohort.analysis_set("completed").groups("role") == ["nurse", "resident"]
    assert cohort.groups("role") == [BLANK_GROUP, "nurse", "resident"]
