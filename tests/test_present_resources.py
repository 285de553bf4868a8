"""The Resources page's view model (hoo_metrics.present.resources) on the sample sample_cohort.

The counts below were read off sample_data/healing_our_own/responses.csv: 42 completers
(23 enhanced, 19 routine), follow-up waves at months 3 and 6.
"""

from __future__ import annotations

from math import comb

import pytest

import hoo_metrics as hm
from hoo_metrics.present import resources as resources_model


@pytest.fixture(scope="module")
def res(sample_cohort):
    return hm.compute_results(sample_cohort, "completed", "arm", None, 5)


@pytest.fixture(scope="module")
def colors(res):
    return hm.group_colors(res.groups)


def _row(frame, **where):
    hit = frame
    for column, value in where.items():
        hit = hit[hit[column] == value]
    assert len(hit) == 1, where
    return hit.iloc[0]


def test_the_sample_has_responses(res):
    assert resources_model.no_data(res) == ""


def test_ranking_table_leadership_named_most_helpful(res):
    table = resources_model.whole_follow_up(res).ranking
    assert (table.name, table.key) == ("resources-overall", "overall")
    # departmental leadership named most helpful at some wave: 6 of 23 enhanced
    # (6 / 23 = 0.261 -> 26%), 0 of 19 routine (a count of 0 is shown)
    frame = table.frame
    enhanced = _row(frame, Group="enhanced", Resource="Departmental leadership")
    routine = _row(frame, Group="routine", Resource="Departmental leadership")
    assert enhanced["Named most helpful"] == "26% (6/23)"
    assert routine["Named most helpful"] == "0% (0/19)"


def test_ranking_chart_draws_the_shares_of_its_measure(res, colors):
    chart = resources_model.ranking(res, colors, "most_helpful_ever", "rank_mh")
    assert chart.key == "rank_mh"
    bars = {t.name: dict(zip(t.y, t.x, strict=True)) for t in chart.figure.data if t.type == "bar"}
    assert bars["enhanced"]["Departmental leadership"] == pytest.approx(6 / 23)
    assert bars["routine"]["Departmental leadership"] == 0
    # the trained peer supporter: named most helpful by 14 of 23 enhanced (14 / 23 = 0.609
    # -> 61%) and by none of the 19 routine, who had no peer supporter
    assert bars["enhanced"]["Trained peer supporter"] == pytest.approx(14 / 23)
    prob = [comb(14, x) * comb(28, 23 - x) / comb(42, 23) for x in range(15)]
    p = sum(q for q in prob if q <= prob[14] * (1 + 1e-7))  # Fisher's exact, two-sided
    assert p < 0.001
    assert chart.takeaway == (
        "Trained peer supporter was named most helpful by 61% in enhanced (n = 23) vs 0% in "
        "routine (n = 19), P < 0.001, Fisher's exact (BH q < 0.01)."
    )


def test_comparison_of_leadership_is_fishers_exact(res):
    model = resources_model.whole_follow_up(res)
    assert model.comparison is not None and model.no_comparison == ""
    assert (model.comparison.name, model.comparison.key) == ("resources-comparison", "tests")
    # Fisher's exact: enhanced 6 of 23, routine 0 of 19; margins: 6 named of 42.
    # P(x named in enhanced) = C(6,x) C(36,23-x) / C(42,23); two-sided P sums the tables no
    # more probable than the observed x = 6.
    prob = [comb(6, x) * comb(36, 23 - x) / comb(42, 23) for x in range(7)]
    p = sum(q for q in prob if q <= prob[6] * (1 + 1e-7))
    assert f"{p:.4f}" == "0.0244"
    row = _row(
        model.comparison.frame, Resource="Departmental leadership", Measure="Named most helpful"
    )
    assert row["P (Fisher's exact)"] == f"P = {p:.2f}"
    assert row["Risk difference"] == "26%"  # 6/23 - 0/19 = 0.261
    tests = res.tables["resource_comparison"].table
    shown = tests[
        (tests["resource"] == "department_leadership") & (tests["measure"] == "most_helpful_ever")
    ]
    assert shown["p_value"].iloc[0] == pytest.approx(p)


def test_comparison_takeaway_counts_the_table_it_sits_on(res):
    model = resources_model.whole_follow_up(res)
    assert model.comparison is not None
    p = model.comparison.frame["P (Fisher's exact)"]
    hidden = int((p == "suppressed").sum())
    shown = p[p != "suppressed"]
    # a P prints "P < 0.001", "P = 0.xx" or "P > 0.99"
    below = sum(t == "P < 0.001" or (t.startswith("P = ") and float(t[4:]) < 0.05) for t in shown)
    # 10 resources x 2 measures; on this table: trained peer supporter (used, named most
    # helpful) and departmental leadership (named most helpful, P = 0.02)
    assert (below, len(shown), hidden) == (3, 10, 10)
    assert model.comparison_takeaway == (
        "3 of 10 comparisons shown reach P < 0.05 before correction for multiple testing; the "
        "BH q-value corrects for the number of resources. 10 comparisons are hidden (a cell of "
        "their table is too small)."
    )


def test_without_grouping_there_is_nothing_to_compare(sample_cohort, colors):
    res = hm.compute_results(sample_cohort, "completed", None, None, 5)
    model = resources_model.whole_follow_up(res)
    assert model.comparison is None
    assert model.no_comparison == "Choose a grouping with at least two groups to compare them."
    # family named most helpful by 16 of 23 enhanced and 13 of 19 routine: 29 of 42 = 69%
    chart = resources_model.ranking(res, colors, "most_helpful_ever", "rank_mh")
    assert chart.takeaway == (
        "Family was named most helpful by the most participants (among the values shown): "
        "69% (29/42)."
    )


def test_by_wave_months_and_first_wave_use(res):
    model = resources_model.by_wave(res)
    assert model.months == [3, 6]
    assert model.heatmap.key == "heatmap"
    # month 3: every enhanced respondent used the trained peer supporter (23 of 23)
    assert model.heatmap.takeaway.startswith(
        "Most used at the first follow-up wave (among the values shown): "
        "Trained peer supporter in enhanced"
    )


def test_one_wave_table_and_caption(res, colors):
    wave = resources_model.wave(res, colors, 3)
    assert (wave.table.name, wave.table.key, wave.helpfulness.key) == (
        "resources-month-3",
        "wave",
        "helpful",
    )
    frame = wave.table.frame
    assert set(frame["Month"]) == {3}  # only the chosen wave's rows
    # month 3: 23 enhanced and 18 routine respondents (one routine completer did not answer);
    # the trained peer supporter used by 23 of 23 and named most helpful by 13 of 23 (57%),
    # friends named most helpful by 12 of 18 routine (67%)
    peer = _row(frame, Group="enhanced", Resource="Trained peer supporter")
    assert (peer["Used"], peer["Named most helpful"]) == ("100% (23/23)", "57% (13/23)")
    assert _row(frame, Group="routine", Resource="Friends")["Named most helpful"] == "67% (12/18)"
    assert wave.caption.endswith("A mean needs 5 ratings or more to be shown.")


def test_wave_caption_names_the_threshold(sample_cohort, colors):
    res = hm.compute_results(sample_cohort, "completed", "arm", None, 11)
    assert resources_model.wave(res, colors, 6).caption.endswith(
        "A mean needs 11 ratings or more to be shown."
    )


def test_a_thin_wave_points_to_the_waves_pooled(sample_cohort, colors):
    # At k = 15 no resource has 15 ratings in one arm at one wave, so no wave mean shows;
    # pooled over both waves some do. The expected leaders come from the raw responses:
    # ratings of a used resource at months 3 and 6, per arm, kept where 15 or more.
    res = hm.compute_results(sample_cohort, "completed", "arm", None, 15)
    completers = sample_cohort.participants.query("status == 'completed'")
    arm = completers.set_index("participant_id")["arm"]
    r = sample_cohort.responses[sample_cohort.responses["participant_id"].isin(arm.index)]
    r = r[r["month"] > 0]
    means = {}
    for code in sample_cohort.resources:
        used = r[r[f"used_{code}"] == 1]
        ratings = used.dropna(subset=[f"helpful_{code}"])
        for group, d in ratings.groupby(ratings["participant_id"].map(arm)):
            if len(d) >= 15:
                means[(group, code)] = d[f"helpful_{code}"].mean()
    leaders = {g: max((m, c) for (h, c), m in means.items() if h == g)[1] for g, _ in means}
    assert leaders == {"enhanced": "friends", "routine": "friends"}
    for month in (3, 6):
        text = resources_model.wave(res, colors, month).helpfulness.takeaway
        assert text == (
            f"No mean rating at month {month} rests on 15 or more answers. With the follow-up "
            "waves pooled, rated most helpful on average: Friends in enhanced and Friends in "
            "routine."
        )
