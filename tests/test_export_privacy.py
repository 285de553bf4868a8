"""Every exported table (the CSV/xlsx downloads and `python -m hoo_metrics export`) at the default
k = 5 on the sample grouped by small subgroups: no count from 1 to 4 is shown, and no hidden
count comes back as a shown denominator minus a shown count."""

from __future__ import annotations

import pandas as pd
import pytest

import hoo_metrics as hm
from hoo_metrics.present.export import export_tables

K = 5
COUNTS = {
    "enrollment": ["enrolled", "analysed", "completed", "withdrew", "lost_to_follow_up"],
    "followup_summary": ["participants", "ended", "censored"],
    "ended_by_contact": ["ended", "participants"],
    "contacts_per_participant": ["participants"],
    "support_duration_curve": ["at_risk"],
    "resources_overall": ["participants", "used_ever", "most_helpful_ever", "helpful_n"],
    "resources_by_wave": ["respondents", "used", "most_helpful", "helpful_n"],
    "transitions": ["n"],
    "transition_waves": ["n"],
    "early_to_thriving": ["n", "participants"],
    "recovered_resource_tests": ["transitioned", "transitioned_n", "others", "others_n"],
    "baseline_table": ["n", "denominator"],
}
PAIRS = {  # (denominator, count): the complement denominator - count is a count too
    "enrollment": [("enrolled", "completed"), ("enrolled", "analysed")],
    "followup_summary": [("participants", "ended"), ("participants", "censored")],
    "ended_by_contact": [("participants", "ended")],
    "resources_overall": [("participants", "used_ever"), ("participants", "most_helpful_ever")],
    "resources_by_wave": [("respondents", "used"), ("respondents", "most_helpful")],
    "early_to_thriving": [("participants", "n")],
    "recovered_resource_tests": [("transitioned_n", "transitioned"), ("others_n", "others")],
    "baseline_table": [("denominator", "n")],
}


def numbers(column: pd.Series) -> pd.Series:
    """Shown numbers of an exported column (hidden cells hold text labels)."""
    return pd.to_numeric(column, errors="coerce")


@pytest.fixture(scope="module", params=["arm", "role", "event_type"])
def tables(request):
    return export_tables(hm.load_sample(), group_by=request.param)


def test_no_small_count_is_shown(tables):
    for name, columns in COUNTS.items():
        for column in columns:
            shown = numbers(tables[name][column])
            small = shown[(shown >= 1) & (shown < K)]
            assert small.empty, f"{name}.{column} shows {small.tolist()}"


def test_no_small_complement_is_shown(tables):
    for name, pairs in PAIRS.items():
        frame = tables[name]
        for total, count in pairs:
            gap = numbers(frame[total]) - numbers(frame[count])
            small = gap[(gap >= 1) & (gap < K)]
            assert small.empty, f"{name}: {total} - {count} = {small.tolist()}"


def test_hidden_cells_say_why(tables):
    labels = set()
    for name, columns in COUNTS.items():
        for column in columns:
            text = tables[name][column]
            labels |= set(text[numbers(text).isna() & text.notna()].astype(str))
    # every hidden count carries one of the documented labels (never a blank)
    assert labels <= {f"<{K}", hm.HIDDEN_TEXT, hm.TOO_FEW_TEXT}
    assert f"<{K}" in labels
