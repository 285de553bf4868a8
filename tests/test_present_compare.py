"""The Compare page's view model (hoo_metrics.present.compare), built from the sample's
suppressed results by arm at k = 5. Expected values are worked out by hand in the comments."""

from __future__ import annotations

import dataclasses
import math
from math import comb

import pandas as pd
import pytest

import hoo_metrics as hm
from hoo_metrics.present import compare as compare_model
from hoo_metrics.present.model import Card

Z = 1.959963984540054  # the normal quantile of a two-sided 95% interval


def wilson(k: int, n: int) -> tuple[float, float]:
    """Wilson's score interval, from its formula."""
    p, z2 = k / n, Z * Z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = Z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return centre - half, centre + half


@pytest.fixture(scope="module")
def results():
    cohort = hm.load_cohort("sample_data/healing_our_own")
    return hm.compute_results(cohort, "completed", "arm", None, 5)


@pytest.fixture(scope="module")
def leadership(results):
    return compare_model.build(results, "arm", "most_helpful", "department_leadership")


def test_leadership_named_most_helpful_by_arm(leadership):
    # enhanced: 6 of 23 completers named departmental leadership most helpful at some wave
    # (6 / 23 = 0.261 -> 26%); routine: 0 of 19 -> 0%. Both counts are 0 or >= k: shown.
    table = leadership.table.frame
    assert table["Group"].tolist() == ["enhanced", "routine"]
    assert table["n"].tolist() == ["23", "19"]
    assert table["Count"].tolist() == ["6", "0"]
    assert table["Participants (%)"].tolist() == ["26%", "0%"]
    # Wilson 95%: 6/23 -> 0.1255 to 0.4647 (13% to 46%); 0/19 -> 0 to
    # z^2/19 / (1 + z^2/19) = 0.2022 / 1.2022 = 0.168 (0% to 17%)
    assert table["95% CI low"].tolist() == ["13%", "0%"]
    assert table["95% CI high"].tolist() == ["46%", "17%"]
    assert leadership.table.name == "compare-most_helpful"
    assert leadership.table.key == "cmp_table"


def test_leadership_fisher_p_four_decimals(leadership):
    # Fisher's exact, two-sided: margins 6 named of 42, 23 in enhanced;
    # P(x in enhanced) = C(6, x) C(36, 23 - x) / C(42, 23), summed over the tables no more
    # probable than the observed x = 6: x = 0 (0.0052) and x = 6 (0.0192) = 0.0244
    prob = [comb(6, x) * comb(36, 23 - x) / comb(42, 23) for x in range(7)]
    p = sum(q for q in prob if q <= prob[6] * (1 + 1e-7))
    assert round(p, 4) == 0.0244
    assert leadership.p == "P = 0.0244"
    assert leadership.tested == "Fisher's exact; groups with data: enhanced and routine"
    # the takeaway keeps the journal style: 0.0244 -> "P = 0.02"
    assert leadership.chart.takeaway == (
        "Named the resource most helpful — Departmental leadership: 26% in enhanced vs 0% in "
        "routine, P = 0.02, Fisher's exact."
    )
    assert leadership.chart.key == "cmp_chart"


def test_leadership_risk_difference_with_newcombe_interval(leadership):
    # risk difference 6/23 - 0/19 = 0.261 -> 26%; Newcombe's hybrid score interval from the
    # two Wilson intervals: low = d - sqrt((p1 - l1)^2 + (u2 - p2)^2)
    # = 0.261 - sqrt(0.135^2 + 0.168^2) = 0.045 -> 4%; high = d + sqrt((u1 - p1)^2 + (p2 -
    # l2)^2) = 0.261 + 0.204 = 0.465 -> 46%
    (l1, u1), (l2, u2) = wilson(6, 23), wilson(0, 19)
    d = 6 / 23
    low = d - math.hypot(d - l1, u2)
    high = d + math.hypot(u1 - d, 0 - l2)
    assert (round(100 * low), round(100 * high)) == (4, 46)
    assert leadership.effect == Card("Risk difference (enhanced minus routine)", "26%")
    assert leadership.effect_text == "95% CI 4% to 46%"


def test_stage_at_the_last_wave_hides_the_test(results):
    # enhanced at its last wave: 20 of 23 thriving, middle 2, surviving 1. The 2 and the 1
    # print "<5"; the 20 would give back 23 - 20 = 3 not thriving, so it is suppressed, and
    # routine's 14 of 19 with it (34 thriving in the everyone-view - 14 = enhanced's 20). A
    # tested cell is hidden: no test, no effect
    m = compare_model.build(results, "arm", "stage")
    assert m.p == "P hidden"
    assert m.effect is None
    assert m.effect_text.startswith("Hidden: ")
    assert "The test is hidden by small-cell suppression" in m.chart.takeaway
    frame = m.table.frame
    enhanced = frame[frame["Group"] == "enhanced"].set_index("Stage category")
    assert enhanced["n"].unique().tolist() == ["23"]
    assert enhanced.loc["Middle (stages 4-5)", "Count"] == "<5"
    assert enhanced.loc["Moved on: surviving", "Count"] == "<5"
    thriving = frame[frame["Stage category"] == "Moved on: thriving"]
    assert thriving["Count"].tolist() == ["suppressed", "suppressed"]
    assert set(thriving["Participants (%)"]) == {"suppressed"}


def test_p_text_keeps_four_decimals():
    base = hm.OutcomeComparison(
        "contacts", "arm", "completed", None, None, None, "t", 0.0, 0.23256, "", 0.0, 0.0, 0.0,
        "contacts", 0,
    )  # fmt: skip
    empty = pd.DataFrame()
    table = hm.SuppressedTable(empty, empty, empty, pd.Series(dtype=bool), hm.Suppression())

    def p_text(comparison, test_hidden=""):
        return compare_model.p_text(hm.SuppressedOutcome(comparison, table, test_hidden))

    assert p_text(base) == "P = 0.2326"  # 0.23256 to four decimals
    assert p_text(dataclasses.replace(base, p_value=0.00004)) == "P < 0.0001"
    assert p_text(dataclasses.replace(base, p_value=math.nan)) == "P not computable"
    assert p_text(base, "a hidden cell") == "P hidden"


def test_memo_keeps_the_comparison_and_the_groups_must_be_the_views(results):
    kept = []

    def memo(compute):
        kept.append(compute())
        return kept[-1]

    m = compare_model.build(results, "arm", "contacts", memo=memo)
    assert len(kept) == 1 and type(kept[0]) is hm.OutcomeComparison  # kept before suppression
    assert m.table.frame["Group"].tolist() == ["enhanced", "routine"]
    # grouped by role on a view grouped by arm: suppress_outcome refuses the foreign groups
    with pytest.raises(ValueError, match="not the view's"):
        compare_model.build(results, "role", "contacts")
