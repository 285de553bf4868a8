"""Every page through AppTest: no exception; the sidebar (filter, grouping, analysis set)
changes the numbers as the library says it should."""

from __future__ import annotations

import pytest

import hoo_metrics as hm
from hoo_metrics.enrollment import enrollment

from .conftest import PAGES, no_exception, open_page, texts


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_and_labels_the_sample_synthetic(page):
    at = open_page(page)
    no_exception(at)
    assert at.title
    assert "SYNTHETIC" in texts(at)


@pytest.mark.parametrize("page", PAGES)
def test_page_runs_with_filter_all_enrolled_and_no_grouping(page):
    at = open_page(
        page, {"f_role": "resident", "set": "All enrolled", "group": "No grouping (everyone)"}
    )
    no_exception(at)


def test_caption_follows_the_analysis_set_and_filter(sample):
    at = open_page("overview")
    n = len(sample.analysis_set("completed").participants)
    assert f"Completers: {n} participants" in texts(at)

    at.sidebar.button_group(key="set").set_value("all").run()
    assert f"All enrolled: {len(sample.participants)} participants" in texts(at)

    at.multiselect(key="f_role").set_value(["resident"]).run()
    residents = sample.filter({"role": ["resident"]})
    assert f"All enrolled, role = resident: {len(residents.participants)} participants" in texts(at)
    no_exception(at)


def test_overview_numbers_follow_the_library(sample):
    at = open_page("overview")
    enr = enrollment(sample, "arm", "completed")
    analysed = at.metric[0]
    assert analysed.value == f"{enr['analysed'].sum()} of {enr['enrolled'].sum()}"
    ett = hm.early_to_thriving(sample, "arm", "completed")
    assert at.metric[3].value == f"{ett['n'].sum()} of {ett['participants'].sum()}"

    # the filter changes them as the library says
    at.multiselect(key="f_role").set_value(["nurse"]).run()
    nurses = sample.filter({"role": ["nurse"]})
    enr = enrollment(nurses, "arm", "completed")
    assert at.metric[0].value == f"{enr['analysed'].sum()} of {enr['enrolled'].sum()}"


def test_followup_takeaway_follows_the_library_and_the_analysis_set(sample):
    at = open_page("followup")
    ended = hm.ended_by_contact(sample, "arm", "completed")
    first = ended[(ended["group"] == "enhanced") & (ended["contact"] == 1)].iloc[0]
    assert f"{hm.share(first['ended'], first['participants'])} by contact 1" in texts(at)

    at.sidebar.button_group(key="set").set_value("all").run()
    ended = hm.ended_by_contact(sample, "arm", "all")
    first = ended[(ended["group"] == "enhanced") & (ended["contact"] == 1)].iloc[0]
    assert f"{hm.share(first['ended'], first['participants'])} by contact 1" in texts(at)
    no_exception(at)


def test_recovery_grouping_changes_the_groups(sample):
    at = open_page("recovery")
    ett = hm.early_to_thriving(sample, "arm", "completed")
    shown = texts(at)
    for r in ett.itertuples():
        assert f"{hm.share(r.n, r.participants)} in {r.group}" in shown
    at.sidebar.selectbox(key="group").set_value("(none)").run()
    ett = hm.early_to_thriving(sample, None, "completed")
    assert hm.share(ett["n"][0], ett["participants"][0]) in texts(at)
    rec = hm.recovered_resource_tests(sample, "completed")
    assert hm.takeaway_recovered(rec) in texts(at)
    no_exception(at)


def test_baseline_table_and_verdict(sample):
    at = open_page("baseline")
    tests = hm.baseline_tests(sample, "arm", "completed")
    assert hm.baseline_verdict(tests, "arm") in texts(at)
    shown = at.dataframe[0].value
    expected = hm.baseline_display(hm.baseline_table(sample, "arm", "completed"), tests)
    assert shown.reset_index(drop=True).equals(expected.reset_index(drop=True))


def test_resources_show_the_library_comparison(sample):
    at = open_page("resources")
    overall = hm.resources_overall(sample, "arm", "completed")
    tests = hm.compare_resources(sample, "arm", "completed")
    assert hm.takeaway_resource_test(tests, overall, "most_helpful_ever") in texts(at)
    no_exception(at)


def test_compare_page_outcomes():
    at = open_page("compare")
    no_exception(at)
    for outcome in ("used", "helpful", "stage", "contacts", "support_days"):
        at.selectbox(key="cmp_outcome").set_value(outcome).run()
        no_exception(at)
    at.selectbox(key="cmp_group").set_value("baseline_stage_category").run()
    no_exception(at)


def test_url_reopens_page_filters_and_grouping(sample):
    # bound widgets keep their shown label in the URL: ?group=Role&set=All+enrolled
    at = open_page("followup", {"f_role": "resident", "group": "Role", "set": "All enrolled"})
    assert at.sidebar.selectbox(key="group").value == "role"
    residents = sample.filter({"role": ["resident"]})
    assert f"All enrolled, role = resident: {len(residents.participants)} participants" in texts(at)
