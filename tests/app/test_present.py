"""Presentation mode through AppTest: the step follows next/previous and lives in the URL."""

from __future__ import annotations

from hoo_metrics.present.report import STEP_KEYS

from .conftest import no_exception, open_page


def _step(at) -> str:
    return at.query_params.get("step", "1")


def test_next_and_previous_change_the_step_and_the_url():
    at = open_page("present")
    no_exception(at)
    # step 1: the enrollment flow (50 enrolled in the sample, 42 completers)
    assert at.title[0].value == "Who took part"
    assert any("50 participants were enrolled" in m.value for m in at.markdown)
    assert at.button(key="prev").disabled and not at.button(key="next").disabled
    at.button(key="next").click().run()
    no_exception(at)
    assert _step(at) == "2" and at.title[0].value == "What helped most, by group"
    at.button(key="next").click().run()
    assert _step(at) == "3" and at.title[0].value == "Departmental leadership"
    at.button(key="prev").click().run()
    assert _step(at) == "2" and at.title[0].value == "What helped most, by group"


def test_a_link_opens_its_step_and_bad_steps_are_clamped():
    at = open_page("present", {"step": str(len(STEP_KEYS))})
    no_exception(at)
    assert at.title[0].value == "How long peer support lasted"
    assert at.button(key="next").disabled
    for bad in ("99", "zero", "-3"):
        at = open_page("present", {"step": bad})
        no_exception(at)
        assert at.title[0].value in ("How long peer support lasted", "Who took part")


def test_honours_filters_and_refuses_small_subgroups():
    # role = midwife: 4 completers in the sample, fewer than k = 5 -> refused, no chart
    at = open_page("present", {"f_role": "midwife"})
    no_exception(at)
    assert at.warning and "fewer than 5 analysed participants" in at.warning[0].value
    assert not at.get("plotly_chart")
    # role = nurse: 18 completers; the flow counts only the nurses
    at = open_page("present", {"f_role": "nurse"})
    no_exception(at)
    assert any("completed the study" in m.value for m in at.markdown)
    assert not any("50 participants were enrolled" in m.value for m in at.markdown)


def test_downloads_offered():
    at = open_page("present", {"step": "3"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Report (HTML)" in labels and "All tables (Excel)" in labels
    assert any("PNG" in x for x in labels) and any("SVG" in x for x in labels)


def test_hidden_values_are_said_hidden_not_too_few(monkeypatch):
    # step 4 on the sample at k = 5: every thriving total is hidden; the finding says so and
    # draws the coarsest answer the view shows: early stage to thriving, 7 of 41 overall
    at = open_page("present", {"step": "4"})
    no_exception(at)
    assert at.title[0].value == "Recovery: thriving at the last follow-up wave"
    assert any(
        "hidden (small counts) of 41 overall" in m.value and "17% (7/41) overall" in m.value
        for m in at.markdown
    )
    assert len(at.get("plotly_chart")) == 1 and not at.info
    # k = 11: the 7 is under k too; nothing is drawn and the reason is the hidden values
    # (it once said "too few participants")
    monkeypatch.setenv("HOO_MIN_CELL", "11")
    at = open_page("present", {"step": "4"})
    no_exception(at)
    assert any("hidden (small counts) of 41 overall" in m.value for m in at.markdown)
    assert [i.value for i in at.info] == [
        "No chart: the values it would draw are hidden (small counts)."
    ]
    assert not any("too few participants" in i.value for i in at.info)


def test_k_11_hides_the_enrolled_count_and_says_so(monkeypatch):
    # k = 11: 50 - 42 = 8 not analysed is under k; the library hides the enrolled count
    # (the analysed 42 is every other figure's denominator), the finding never shows 50
    monkeypatch.setenv("HOO_MIN_CELL", "11")
    at = open_page("present")
    no_exception(at)
    shown = [m.value for m in at.markdown]
    assert (
        "42 participants completed the study. The numbers enrolled, who withdrew and who "
        "were lost to follow-up are hidden (small counts)."
    ) in shown
    assert not any("50" in m for m in shown)
