"""Participant columns of names, free text or mostly unique values never reach the sidebar."""

from __future__ import annotations

from dataclasses import replace

from streamlit.testing.v1 import AppTest

import hoo_metrics as hm
from hoo_metrics.cohort import cohort_from_canonical
from hoo_metrics.io.canonical import canonical_tables
from tests.app.conftest import ROOT, no_exception


def _legacy(sample: hm.Cohort) -> hm.Cohort:
    """The sample as a library cohort published before the screen existed: free-text notes, a
    badge of each participant's own and a supporter's name still in its participants, and no
    validator verdict (the Cohort screens its own columns)."""
    n = len(sample.participants)
    participants = sample.participants.assign(
        notes=[
            "talked it through with the team after the event" if i % 4 else None for i in range(n)
        ],
        badge=[f"b{i:03d}" for i in range(n)],
        supporter=["Jane Smith" if i % 2 else "Bob Jones" for i in range(n)],
    )
    tables = canonical_tables(replace(sample, participants=participants))
    return cohort_from_canonical(tables, name="legacy")


def test_screened_columns_are_no_grouping_and_no_filter(sample):
    legacy = _legacy(sample)
    assert set(legacy.screened) == {"notes", "badge", "supporter"}
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["hoo_cohorts"] = {sample.name: sample, "legacy": legacy}
    at.query_params["cohort"] = "legacy"
    at.run()
    no_exception(at)
    assert at.sidebar.selectbox(key="cohort").value == "legacy"
    offered = [hm.variable_label(c) for c in sample.participant_columns]
    assert at.sidebar.selectbox(key="group").options == [*offered, "No grouping (everyone)"]
    filters = {m.label: m.options for m in at.sidebar.multiselect}
    assert set(filters) <= set(offered)
    shown = " ".join([*filters, *(o for options in filters.values() for o in options)])
    for word in ("otes", "adge", "upporter", "Jane", "Bob", "b001", "talked"):
        assert word not in shown
