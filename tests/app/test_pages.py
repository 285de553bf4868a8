"""Every page through AppTest: no exception; the sidebar (filter, grouping, analysis set)
changes the numbers as the library says it should."""

from __future__ import annotations

import json

import pytest
from scipy import stats

import hoo_metrics as hm
from hoo_metrics.present import baseline as baseline_model

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

    at.sidebar.selectbox(key="group").set_value("(none)").run()
    at.sidebar.button_group(key="set").set_value("all").run()
    assert f"All enrolled: {len(sample.participants)} participants" in texts(at)

    # by arm, all enrolled is refused: enhanced has 2 non-completers (1 withdrew, 1 lost),
    # a subtraction away from the completers' view
    p = sample.participants
    assert int(((p["arm"] == "enhanced") & (p["status"] != "completed")).sum()) == 2
    at.sidebar.selectbox(key="group").set_value("arm").run()
    assert (
        "The enrolled participants who did not complete the study (in enhanced) number fewer "
        "than 5." in texts(at)
    )
    assert "All enrolled: 50 participants" not in texts(at)
    no_exception(at)


def test_filter_caption_and_a_refused_filter(sample):
    at = open_page("overview")
    at.multiselect(key="f_role").set_value(["resident"]).run()
    residents = sample.filter({"role": ["resident"]})
    n = len(residents.analysis_set("completed").participants)
    assert f"Completers, role = resident: {n} participants" in texts(at)
    # all enrolled residents: 2 of the 9 did not complete (lost to follow-up): refused
    p = residents.participants
    assert int((p["status"] != "completed").sum()) == 2
    at.sidebar.button_group(key="set").set_value("all").run()
    assert "did not complete the study number fewer than 5" in texts(at)
    no_exception(at)


def test_overview_numbers_follow_the_library(sample):
    at = open_page("overview")
    # 42 completers of 50 enrolled: both shown at k = 5 (the overall row)
    assert at.metric[0].value == "42 of 50"
    # early to thriving: 4 enhanced + 3 routine = 7 of 22 + 19 = 41; the total shows
    assert at.metric[3].value == "7 of 41"

    # the filter changes them as the library says: nurses are 20 enrolled, 18 completers;
    # 20 - 18 = 2 not analysed is below k. The analysed 18 is every other page's denominator,
    # so the enrolled count is the one hidden
    at.multiselect(key="f_role").set_value(["nurse"]).run()
    nurses = sample.filter({"role": ["nurse"]})
    assert len(nurses.participants) == 20
    assert len(nurses.analysis_set("completed").participants) == 18
    enr = hm.compute_results(sample, "completed", "arm", {"role": ["nurse"]}, 5).tables[
        "enrollment"
    ]
    assert bool(enr.overall.mask["enrolled"].iloc[0])
    assert not enr.overall.mask["analysed"].iloc[0]
    assert at.metric[0].value == "18"


def test_followup_takeaway_follows_the_library_and_the_analysis_set(sample):
    at = open_page("followup")
    # enhanced completers: 15 of 23 ended at contact 1 (65.2%)
    assert f"{hm.share(15, 23, 1)} by contact 1" in texts(at)

    # all enrolled needs no grouping here (by arm it is refused: 2 enhanced non-completers)
    at.sidebar.selectbox(key="group").set_value("(none)").run()
    at.sidebar.button_group(key="set").set_value("all").run()
    ended = hm.compute_results(sample, "all", None, None, 5).tables["ended_by_contact"]
    first = ended.table[ended.table["contact"] == 1]
    assert not ended.mask.loc[first.index, "ended"].iloc[0]
    r = first.iloc[0]
    assert f"{hm.share(r['ended'], r['participants'], 1)} by contact 1" in texts(at)
    no_exception(at)


def test_recovery_grouping_changes_the_groups(sample):
    at = open_page("recovery")
    # early to thriving: 4 of 22 enhanced, 3 of 19 routine: both below k, hidden
    shown = texts(at)
    assert "<5 in enhanced vs <5 in routine" in shown
    assert "4/22" not in shown and "3/19" not in shown
    at.sidebar.selectbox(key="group").set_value("(none)").run()
    # everyone: 7 of 41 shows
    assert hm.share(7, 41) in texts(at)
    rec = hm.compute_results(sample, "completed", None, None, 5).tables["recovered_resource_tests"]
    assert hm.takeaway_recovered(rec) in texts(at)
    no_exception(at)


def test_baseline_table_and_verdict(sample):
    at = open_page("baseline")
    view = hm.compute_results(sample, "completed", "arm", None, 5)
    table, tests = view.tables["baseline_table"], view.tables["baseline_tests"]
    assert hm.baseline_verdict(tests, "arm") in texts(at)
    # the page lays out the view model the report renders too: its caption, under the table
    model = baseline_model.baseline(view)
    assert model.caption in [c.value for c in at.caption]
    # the privacy sentence under the title is the library's (the report shows it too)
    assert any(view.privacy_text in c.value for c in at.caption)
    shown = at.dataframe[0].value
    expected = hm.baseline_display(table, tests)
    assert shown.reset_index(drop=True).equals(expected.reset_index(drop=True))
    # four tests run on pooled levels; role: nurse 10/23 vs 8/19 shown, the other four roles
    # pooled (23 - 10 = 13 and 19 - 8 = 11), Fisher's exact on [[10, 8], [13, 11]]
    role = tests.table.set_index("variable").loc["role"]
    assert role["pooled"] == "attending; midwife; other; resident"
    assert role["test"] == "Fisher's exact" and role["p_value"] == pytest.approx(
        stats.fisher_exact([[10, 8], [13, 11]]).pvalue
    )
    notes = [m.value.replace("\\", "") for m in at.markdown]  # shown as text: escaped
    assert any(
        m.startswith("Tested on pooled levels (small counts): role: attending, midwife, other")
        for m in notes
    )
    # the lifted view shows the unsuppressed table (role: attending 5 of 23 and 4 of 19 ...)
    at.toggle(key="hoo_lift_suppression").set_value(True).run()
    plain = hm.baseline_display(
        hm.baseline_table(sample, "arm", "completed"), hm.baseline_tests(sample, "arm", "completed")
    )
    assert at.dataframe[0].value.reset_index(drop=True).equals(plain.reset_index(drop=True))


def test_resources_show_the_library_comparison(sample):
    at = open_page("resources")
    k = hm.Suppression(5)
    overall = hm.suppress_resources_overall(hm.resources_overall(sample, "arm", "completed"), k)
    tests = hm.suppress_comparisons(hm.compare_resources(sample, "arm", "completed"), overall, k)
    assert hm.takeaway_resource_test(tests, overall, "most_helpful_ever") in texts(at)
    no_exception(at)


def test_resources_ranking_tab_draws_the_chart_of_the_open_tab():
    # lazy tabs: one ranking chart (the open tab's), then the other after switching
    at = open_page("resources")

    def ranking_titles():
        specs = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
        return [
            s["layout"]["xaxis"]["title"]["text"] for s in specs if s["data"][-1]["type"] == "bar"
        ]

    assert ranking_titles() == ["Named most helpful (% of participants)"]
    at.session_state["res_tab"] = "Used"
    at.run()
    assert ranking_titles() == ["Used at any follow-up wave (% of participants)"]
    assert len(at.get("plotly_chart")) == 1  # the open section: the ranking only
    no_exception(at)


def test_resources_wave_section_is_built_when_opened(sample):
    # the second section: the heatmap and the helpfulness chart, and the wave table; none of
    # it is built while the first section is open
    at = open_page("resources")
    assert "Most used at the first follow-up wave" not in texts(at)
    at.session_state["res_section"] = "By follow-up wave"
    at.run()
    no_exception(at)
    assert len(at.get("plotly_chart")) == 2
    joined = texts(at)
    assert "Most used at the first follow-up wave" in joined
    assert "Rated most helpful on average at month 6" in joined  # the last wave by default
    assert len(at.dataframe) == 1  # the wave's ranking table


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
    assert at.sidebar.button_group(key="set").value == "all"
    assert at.multiselect(key="f_role").value == ["resident"]
    # the view itself is refused (2 of the 9 residents did not complete the study)
    assert "did not complete the study number fewer than 5" in texts(at)


@pytest.mark.parametrize("k", [5, 11])
def test_methods_page_shows_the_library_text(k, monkeypatch):
    # the page draws hm.methods_sections for the session's k, the text the report embeds;
    # escaped for Markdown, so it is read back without the backslashes
    monkeypatch.setenv("HOO_MIN_CELL", str(k))
    at = open_page("methods")
    no_exception(at)
    shown = texts(at).replace("\\", "")
    sections = hm.methods_sections(k)
    assert [s.title for s in sections][-1] == "References"
    for s in sections:
        assert f"#### {s.title}" in shown
        for p in s.paragraphs:
            assert p in shown
        for i in s.items:
            assert i.text in shown
    assert f'A count from 1 to {k - 1} is hidden and prints as "<{k}"' in shown
    assert at.dataframe  # the software versions
