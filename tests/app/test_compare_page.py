"""Compare page: the numbers shown are hm.compare_outcome's, after small-cell suppression."""

from __future__ import annotations

from math import comb

import pytest

import hoo_metrics as hm
from tests.app.conftest import no_exception, open_page, texts


def shown_p(shown) -> str:
    p = shown.comparison.p_value
    if shown.test_hidden:
        return "**P hidden**"
    if p != p:
        return "**P not computable**"
    return f"**P = {p:.4f}**" if p >= 0.0001 else "**P < 0.0001**"


def expected(sample, group_by, outcome, resource=None, month=None, population="completed"):
    cohort = sample
    if group_by == hm.BASELINE_STAGE_CATEGORY:
        cohort = hm.with_baseline_stage_category(sample)
    # the page hides what the view's jointly suppressed tables hide, for its own grouping,
    # on the view's cohort (small groups pooled as the tables pool them)
    view = hm.compute_results(cohort, population, group_by, None, hm.min_cell_default())
    res = hm.compare_outcome(view.cohort, group_by, population, outcome, resource, month)
    return hm.suppress_outcome(res, view)


def choose(at, group_by=None, outcome=None, resource=None, wave=None):
    if group_by:
        at.selectbox(key="cmp_group").set_value(group_by).run()
    if outcome:
        at.selectbox(key="cmp_outcome").set_value(outcome).run()
    if resource:
        at.selectbox(key="cmp_resource").set_value(resource).run()
    if wave:
        at.selectbox(key="cmp_wave").set_value(wave).run()
    no_exception(at)
    return at


def test_department_leadership_most_helpful_ever_fisher_p(sample):
    at = open_page("compare")
    no_exception(at)
    choose(at, "arm", "most_helpful", "department_leadership", "Any wave")
    # Fisher's exact by hand: enhanced 6 of 23, routine 0 of 19; margins: 6 named of 42.
    # P(x named in enhanced) = C(6,x) C(36,23-x) / C(42,23); two-sided P sums the tables no
    # more probable than the observed x = 6.
    prob = [comb(6, x) * comb(36, 23 - x) / comb(42, 23) for x in range(7)]
    p = sum(q for q in prob if q <= prob[6] * (1 + 1e-7))
    assert f"{p:.4f}" == "0.0244"
    shown = texts(at)
    assert "**P = 0.0244** — Fisher's exact" in shown
    assert "26% in enhanced vs 0% in routine, P = 0.02, Fisher's exact." in shown
    table = at.dataframe[0].value
    assert table["n"].tolist() == ["23", "19"]
    assert table["Count"].tolist() == ["6", "0"]
    assert table["Participants (%)"].tolist() == ["26%", "0%"]
    # risk difference 6/23 = 26% with its Newcombe interval, as the library gives it
    res = expected(sample, "arm", "most_helpful", "department_leadership").comparison
    assert res.effect == pytest.approx(6 / 23)
    assert any(m.value == "26%" and "Risk difference" in m.label for m in at.metric)
    assert hm.ci(*res.confidence_interval(), percent=True) in shown


@pytest.mark.parametrize(
    "group_by, outcome, resource, wave, month",
    [
        ("arm", "used", "peers", "Month 6", 6),
        ("arm", "most_helpful", "department_leadership", "Month 3", 3),
        ("role", "used", "family", "Any wave", None),
        ("arm", "helpful", "peers", "Any wave", None),
        ("arm", "stage", None, "Last wave", None),
        ("arm", "contacts", None, None, None),
        ("baseline_stage_category", "support_days", None, None, None),
        ("event_type", "stage", None, "Month 6", 6),
    ],
)
def test_choices_change_the_numbers_as_the_library_says(
    sample, group_by, outcome, resource, wave, month
):
    at = choose(open_page("compare"), group_by, outcome, resource, wave)
    expect = expected(sample, group_by, outcome, resource, month)
    res = expect.comparison
    shown = texts(at)
    assert f"{shown_p(expect)} — {res.test}" in shown
    table = at.dataframe[0].value.reset_index(drop=True)
    labels = expect.suppressed.labels()
    n = [labels.at[i, "n"] or str(int(v)) for i, v in res.table["n"].items()]
    assert table["n"].tolist() == n
    fmt = hm.pct if res.unit == "share" else (lambda v: hm.number(v, 1))
    estimates = [labels.at[i, "estimate"] or fmt(v) for i, v in res.table["estimate"].items()]
    title = {"share": "Participants (%)", "rating 1-5": "Mean rating (1 = not at all, 5 = "
             "extremely)", "contacts": "Mean contacts per participant",
             "days": "Median support duration (days)"}[res.unit]  # fmt: skip
    assert table[title].tolist() == estimates
    if res.effect_groups and not expect.test_hidden:
        value = hm.pct(res.effect) if res.unit == "share" else hm.number(res.effect, 1)
        assert any(m.value == value for m in at.metric)


def test_a_filter_too_small_is_refused(sample):
    # 3 participants had a maternal death as their event: below k = 5, nothing is drawn
    small = sample.filter({"event_type": ["maternal_death"]}).analysis_set("completed")
    assert 0 < len(small.participants) < hm.min_cell_default()
    at = open_page("compare", {"f_event_type": "maternal_death"})
    no_exception(at)
    assert any("fewer than" in w.value for w in at.warning)
    assert not at.dataframe and "P =" not in texts(at)
