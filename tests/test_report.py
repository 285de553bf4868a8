"""The self-contained HTML report and the presentation's five findings."""

from __future__ import annotations

import dataclasses
import re
from html import escape

import openpyxl
import pytest

import hoo_metrics as hm
from hoo_metrics.present import baseline as baseline_model
from hoo_metrics.present import followup as followup_model
from hoo_metrics.present import overview as overview_model
from hoo_metrics.present import recovery as recovery_model
from hoo_metrics.present import resources as resources_model
from hoo_metrics.present.report import STEP_KEYS, build_report, presentation_steps
from hoo_metrics.present.resources import RANKINGS
from tests.cli import run_cli
from tests.factories import make_cohort, one_contact_each


@pytest.fixture(scope="module")
def sample():
    return hm.load_sample()


@pytest.fixture(scope="module")
def report(sample):
    return build_report(sample)


def _outside_scripts(text: str) -> str:
    return re.sub(r"<script\b[^>]*>.*?</script>", "", text, flags=re.S | re.I)


def test_opens_offline(report):
    # plotly.js embedded once, inline (the bundle declares itself with this banner)
    assert report.count("plotly.js v") >= 1
    scripts = re.findall(r"<script\b[^>]*>", report, flags=re.I)
    assert scripts and all("src" not in s for s in scripts)
    html = _outside_scripts(report)
    # no resource from anywhere: no http(s) at all outside the scripts (src, href, CSS url())
    assert re.findall(r"https?://", html) == []
    assert re.findall(r"<link\b", html) == [] and "@import" not in html
    assert re.findall(r"\bsrc=", html) == []
    # the embedded bundle is the only big script: later figures do not embed it again
    assert report.count("window.PlotlyConfig") <= 1


def test_sections_figures_provenance(report, sample):
    html = _outside_scripts(report)
    for anchor in ("findings", "overview", "baseline", "resources", "recovery", "followup"):
        assert f'<section id="{anchor}">' in html
    for title in ("Methods", "Provenance and settings", "Table 1", "Kaplan-Meier"):
        assert title in html
    assert sample.sha256 in html and len(sample.sha256) == 64
    assert "SYNTHETIC sample data" in html and 'class="synthetic"' in html
    assert "counts from 1 to 4 hidden (k = 5)" in html
    assert f"HOO dashboard version</td>\n      <td>{hm.__version__}" in html
    # k = 5: 5 findings + the flow + 5 resources (2 rankings, the heatmap, the helpfulness of
    # each of the 2 waves, months 3 and 6) + 4 recovery flows + 3 follow-up (ended by contact,
    # contacts, KM) = 18 charts. The recovery finding cannot draw thriving at the last wave
    # (enhanced: 22 - 19 = 3 not thriving, a small sum of hidden cells; routine's and the
    # overall 33 of 41 then secondary) nor "moved on" (overall 41 - 4: the 4 not yet moved on
    # are a small count), so it falls back to the coarsest answer the view shows: early stage
    # to thriving, 7 of the 41 with a transition (the everyone-view's row; 7 / 41 = 17.07 %).
    # Every transition cell of the sample is protected, but each arm has a stage at baseline
    # and at each wave for at least k completers (enhanced 22 at month 3 and 21 at month 6,
    # routine 18 and 18, responses.csv), so each of the 2 x 2 flows draws the stage mix, as
    # the Recovery page does.
    steps = {s.key: s for s in presentation_steps(sample)}
    recovery = steps["recovery"]
    assert recovery.figure is not None
    assert "hidden (small counts)" in recovery.sentence
    assert "to thriving by the last wave: 17% (7/41) overall" in recovery.sentence
    assert list(recovery.figure.data[0].y) == pytest.approx([7 / 41])
    assert html.count('class="plotly-graph-div"') == 18
    assert "No chart: the values it would draw are hidden (small counts)." not in html


def test_without_suppression_every_chart(sample):
    html = _outside_scripts(build_report(sample, suppression=1))
    # the 18 above, the recovery finding's own chart instead of its fallback, the flows as
    # Sankeys instead of the stage mix
    assert html.count('class="plotly-graph-div"') == 18
    assert "Small-cell suppression is off (k = 1)" in html


@pytest.mark.parametrize(
    ("k", "legend"),
    [
        # k = 5: a count from 1 to 4 is a small count, printed "<5"
        (5, "Privacy: counts from 1 to 4 show as &lt;5; values that would let one be worked out "
         "by subtraction, and results of groups under 5 participants, show as suppressed. "
         "– in a table: not computable."),
        (11, "Privacy: counts from 1 to 10 show as &lt;11; "),
        # k = 1 hides nothing: no privacy sentence, the dash alone
        (1, '<p class="note">– in a table: not computable.</p>'),
    ],
)  # fmt: skip
def test_the_legend_under_the_view_line_is_the_pages(sample, k, legend):
    top = build_report(sample, suppression=k).split('<section id="findings">')[0]
    assert legend in top
    assert ("Privacy:" in top) == (k > 1)


def test_the_methods_are_the_library_text(report):
    # the one Methods text (hoo_metrics.present.methods), every title, paragraph, item and reference
    section = report[report.index('<section id="methods">') :]
    for s in hm.methods_sections(5):
        assert f"<h3>{escape(s.title)}</h3>" in section
        for p in s.paragraphs:
            assert f"<p>{escape(p)}</p>" in section
        for i in s.items:
            assert escape(i.text) in section
    (refs,) = [s for s in hm.methods_sections(5) if s.title == "References"]
    assert len(refs.items) >= 15
    for ref in refs.items:
        assert f"<li>{escape(ref.text)}</li>" in section
    assert "A count from 1 to 4 is hidden and prints as &quot;&lt;5&quot;" in section


def test_the_methods_follow_k_and_stay_in_a_refused_report(sample):
    section = build_report(sample, suppression=11).split('<section id="methods">')[1]
    assert "A count from 1 to 10 is hidden and prints as &quot;&lt;11&quot;" in section
    assert "from 1 to 4 " not in section
    # maternal death: 3 completers, fewer than k = 5: refused, but the methods stay
    report = build_report(sample, filters={"event_type": ["maternal_death"]}, suppression=5)
    assert 'class="refusal"' in report
    for s in hm.methods_sections(5):
        assert f"<h3>{escape(s.title)}</h3>" in report


def test_hostile_labels_are_escaped():
    participants = [
        {"participant_id": f"P{i}", "arm": "<script>alert(1)</script>" if i < 6 else "=cmd|x"}
        for i in range(12)
    ]
    responses = [{"participant_id": f"P{i}", "month": 3, "used_peers": 1} for i in range(12)]
    cohort = make_cohort(participants, responses)
    html = build_report(cohort, suppression=1, filters=None)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_refused_subgroup_shows_no_number(sample):
    # arm = enhanced leaves 23 analysed participants (the trial's completers); with k = 30
    # that is fewer than k, so the subgroup is refused before any number is drawn
    html = _outside_scripts(build_report(sample, filters={"arm": ["enhanced"]}, suppression=30))
    assert "fewer than 30 analysed participants" in html
    assert 'class="plotly-graph-div"' not in html and '<section id="findings">' not in html


def test_presentation_steps(sample):
    steps = presentation_steps(sample, suppression=1)
    assert [s.key for s in steps] == list(STEP_KEYS)
    assert all(s.figure is not None for s in steps)
    text = {s.key: s.sentence for s in steps}
    # contract/trial: departmental leadership named most helpful by 6/23 enhanced vs 0/19
    # routine, Fisher's exact P = 0.02
    assert "26% (6/23) in enhanced vs 0% (0/19) in routine, P = 0.02" in text["leadership"]
    # 50 enrolled, 42 completers; withdrew + lost = 8
    assert text["flow"].startswith("50 participants were enrolled; 42 completed")
    # the synthetic watermark is on every chart
    assert all(any(a.text == "SYNTHETIC DATA" for a in s.figure.layout.annotations) for s in steps)
    # k = 5: the flow's withdrew count (3 overall < 5) is hidden, and said so (not read as 0)
    flow = presentation_steps(sample)[0]
    assert "The numbers who withdrew and who were lost to follow-up are hidden" in flow.sentence


def test_cli_report_and_export(tmp_path, capsys):
    out = tmp_path / "r.html"
    run = run_cli(capsys, "report", str(hm.SAMPLE_DIR), "--out", str(out))
    assert run.returncode == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    assert "SYNTHETIC sample data" in text  # recognised by its content hash
    run = run_cli(
        capsys, "export", str(hm.SAMPLE_DIR), "--out", str(tmp_path / "x"),
        "--min-cell", "11", "--group-by", "role",
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "x" / "enrollment.csv").exists()
    book = openpyxl.load_workbook(tmp_path / "x" / "hoo-results.xlsx")
    assert book.sheetnames[0] == "about" and "resources_overall" in book.sheetnames
    about = {r[0].value: r[1].value for r in book["about"].iter_rows(min_row=2)}
    assert about["Groups by"] == "Role" and "k = 11" in about["Small-cell suppression"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "/nonexistent", "--out", "x.html"], "no such file or folder"),
        (["export", str(hm.SAMPLE_DIR), "--out", "x", "--group-by", "site"], "no such column"),
        (["report", str(hm.SAMPLE_DIR), "--out", "x.html", "--min-cell", "0"], "whole number"),
    ],
)
def test_cli_errors(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # the relative --out, were anything written
    run = run_cli(capsys, *args)
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert list(tmp_path.iterdir()) == []  # refused before writing anything


def test_hidden_cells_are_labelled_not_blank(report):
    html = _outside_scripts(report)
    # Table 1 on the sample at k = 5: every test's table has a cell of 1..4 (e.g. midwives,
    # under 5 in both arms), so each P is hidden: it must say so, not "not computable".
    table1 = html[html.index('<section id="baseline">') : html.index('<section id="resources">')]
    assert "P not computable" not in table1
    assert table1.count(">suppressed<") >= 6  # one per characteristic: 6 characteristics
    assert ">&lt;5<" in table1  # hidden small counts print "<5" (escaped), not "-"


# ---- the findings' words: hidden, not recorded, none ---------------------------------------------
def _trial(arms, resources=("peers", "family"), named=None, contacts=True, stages=True, left=()):
    """A small hand-built trial: ``arms`` {arm: participants}; every participant completes
    (those in ``left`` withdrew), is in an early stage at month 0 and thriving at month 3,
    used and rated every resource 4 and named ``resources[0]`` most helpful (the first
    ``named[arm]`` of an arm, else ``resources[1]``); one contact each (day 3-7, the last)
    when ``contacts``, never when False."""
    parts, resp, cont = [], [], []
    for arm, n in arms.items():
        for i in range(n):
            pid = f"{arm[0].upper()}{i:02d}"
            status = "withdrew" if pid in left else "completed"
            parts.append({"participant_id": pid, "arm": arm, "status": status})
            first = i < (named or {}).get(arm, n)
            resp.append({"participant_id": pid, "month": 0, **({"stage": 2} if stages else {})})
            resp.append(
                {
                    "participant_id": pid,
                    "month": 3,
                    **({"stage": 6, "stage6_path": "thriving"} if stages else {}),
                    **{f"used_{r}": 1 for r in resources},
                    **{f"helpful_{r}": 4 for r in resources},
                    "most_helpful": resources[0] if first else resources[1],
                }
            )
            if contacts:
                day = 3 + i % 5
                cont.append({"participant_id": pid, "contact_no": 1, "day": day,
                             "more_followup": "no"})  # fmt: skip
    return make_cohort(parts, resp, cont, resources=resources)


def _steps(cohort, **kw):
    return {s.key: s for s in presentation_steps(cohort, **kw)}


@pytest.fixture(scope="module")
def small_arm():
    # 27 enhanced and 3 routine, all with a peer-support contact. k = 5: routine is under k,
    # so its counts are hidden and enhanced's with them (30 - 27 would give routine back);
    # the overall row (30) shows
    return _steps(_trial({"enhanced": 27, "routine": 3}), suppression=5)


def test_finding_duration_reads_a_hidden_arm_as_hidden_not_as_nobody(small_arm):
    # was: "No participant in this view had a peer-support contact." (30 had)
    s = small_arm["duration"]
    assert s.sentence == (
        "Half of the participants with a peer-support contact had finished support by "
        "day 5 (95% CI 4 to 6) overall (n = 30); "
        "day 5 (95% CI 4 to 6) in enhanced (n = hidden (small counts)); "
        "hidden (small counts) in routine (Kaplan-Meier median)."
    )
    assert s.note == ""


def test_finding_duration_none_is_a_group_with_nobody(sample):
    # the sample's routine arm has no peer supporter: a shown 0, not a hidden count
    s = _steps(sample, suppression=5)["duration"]
    assert s.sentence == (
        "Half of the participants with a peer-support contact had finished support by "
        "day 8 (95% CI 6 to 28) in enhanced (n = 23) (Kaplan-Meier median)."
    )
    assert s.note == "No participant in routine had a peer-support contact."


def test_finding_leadership_not_recorded_gives_no_other_reason(small_arm):
    # was: "This cohort does not record departmental leadership." and, for the missing
    # chart, "Nothing may be drawn (too few participants)" (a wrong reason)
    s = small_arm["leadership"]
    assert s.sentence == "Departmental leadership is not recorded in this cohort."
    assert s.figure is None and s.no_chart == ""


def test_finding_leadership_with_a_hidden_arm_quotes_the_overall_share():
    cohort = _trial(
        {"enhanced": 20, "routine": 3},
        resources=("department_leadership", "family"),
        named={"enhanced": 10, "routine": 0},
    )
    s = _steps(cohort, suppression=5)["leadership"]
    assert s.sentence == (
        "Departmental leadership was named most helpful by 43% (10/23) overall; "
        "hidden (small counts) in enhanced vs hidden (small counts) in routine. "
        "The test of the groups is hidden (small counts). "
        "Mean helpfulness among those who used it (1-5): hidden (small counts) in enhanced "
        "and hidden (small counts) in routine."
    )
    assert s.figure is not None  # the overall share is drawn
    # k = 1: everything shows, routine's 0 of 3 is a real 0%
    s = _steps(cohort, suppression=1)["leadership"]
    assert s.sentence.startswith(
        "Departmental leadership was named most helpful by 50% (10/20) in enhanced vs "
        "0% (0/3) in routine, P = "
    )


def test_finding_leadership_hidden_count_of_a_shown_denominator():
    # 10 of 20 vs 3 of 12: routine's 3 is under k = 5, enhanced's 10 then hidden as well
    cohort = _trial(
        {"enhanced": 20, "routine": 12},
        resources=("department_leadership", "family"),
        named={"enhanced": 10, "routine": 3},
    )
    s = _steps(cohort, suppression=5)["leadership"]
    assert s.sentence == (
        "Departmental leadership was named most helpful by 41% (13/32) overall; "
        "hidden (small counts) of 20 in enhanced vs hidden (small counts) of 12 in routine. "
        "The test of the groups is hidden (small counts). "
        "Mean helpfulness among those who used it (1-5): 4.0 in enhanced and 4.0 in routine."
    )


def test_finding_ranking_hidden_comparisons_are_not_nobody(small_arm):
    # was: "No resource could be compared between groups (nobody used any)."
    s = small_arm["ranking"]
    assert s.sentence == (
        "Every comparison of the groups is hidden (small counts). Peers / colleagues was "
        "named most helpful by the most participants overall: 100% (30/30)."
    )
    assert s.figure is None
    assert s.no_chart == "No chart: the values it would draw are hidden (small counts)."


def test_finding_ranking_first_ranked_even_when_its_count_is_hidden(sample):
    # k = 20 hides family's 29 of 42 (13 did not name it); the ranking keeps its rank, so the
    # finding names family, not the first resource whose share happens to show (chaplain, 0%)
    s = _steps(sample, group_by=None, suppression=20)["ranking"]
    assert s.sentence == (
        "Family was named most helpful by the most participants: hidden (small counts) of 42."
    )


def test_finding_recovery_hidden_arm(small_arm):
    s = small_arm["recovery"]
    assert s.sentence == (
        "Thriving (stage 6, Scott et al. 2009) at the last follow-up wave: 100% (30/30) "
        "overall; hidden (small counts) in enhanced vs hidden (small counts) in routine."
    )


def test_finding_recovery_tests_the_groups_not_the_overall_row(sample):
    # the transition margins now carry the overall row; the test is between the arms only:
    # Fisher's exact on [[19, 3], [14, 5]] (P = 0.44), not a chi-square with "everyone" as a
    # third group (it was "P = 0.59, Chi-square")
    s = _steps(sample, suppression=1)["recovery"]
    assert s.sentence == (
        "Thriving (stage 6, Scott et al. 2009) at the last follow-up wave: 86% (19/22) in "
        "enhanced vs 74% (14/19) in routine, P = 0.44, Fisher's exact."
    )
    # k = 5: every thriving total is hidden, the enrolled denominators show; the finding
    # falls back to early stage to thriving, 7 of the 41 (the everyone-view's row)
    s = _steps(sample, suppression=5)["recovery"]
    assert s.sentence == (
        "Thriving (stage 6, Scott et al. 2009) at the last follow-up wave: hidden (small "
        "counts) of 41 overall; hidden (small counts) of 22 in enhanced vs hidden (small "
        "counts) of 19 in routine. Moved from an early stage (1-3) at baseline to thriving by "
        "the last wave: 17% (7/41) overall."
    )
    assert s.figure is not None and s.no_chart == ""


def test_finding_flow_hidden_and_none(small_arm, sample):
    assert small_arm["flow"].sentence == (
        "30 participants were enrolled; 30 completed the study, none withdrew and none were "
        "lost to follow-up."
    )
    # 3 of 30 withdrew: under k = 5; the library hides the enrolled count with it (not the
    # analysed one, the denominator of every other figure)
    cohort = _trial({"enhanced": 30}, left=("E00", "E01", "E02"))
    assert _steps(cohort, group_by=None, suppression=5)["flow"].sentence == (
        "27 participants completed the study and none were lost to follow-up. The numbers "
        "enrolled and who withdrew are hidden (small counts)."
    )
    assert _steps(sample, suppression=5)["flow"].sentence == (
        "50 participants were enrolled; 42 completed the study. The numbers who withdrew and "
        "who were lost to follow-up are hidden (small counts)."
    )
    assert _steps(sample, suppression=11)["flow"].sentence == (
        "42 participants completed the study. The numbers enrolled, who withdrew and who "
        "were lost to follow-up are hidden (small counts)."
    )


def test_findings_not_recorded_in_this_cohort():
    s = _steps(_trial({"enhanced": 12, "routine": 12}, contacts=False, stages=False),
               suppression=5)  # fmt: skip
    assert s["recovery"].sentence == "Recovery stages are not recorded in this cohort."
    assert s["duration"].sentence == "Peer-support contacts are not recorded in this cohort."
    assert all(s[k].no_chart == "" for k in ("leadership", "recovery", "duration"))
    cohort = _trial({"enhanced": 12, "routine": 12})
    r = cohort.responses
    only_baseline = dataclasses.replace(
        cohort, responses=r.assign(stage=r["stage"].where(r["month"] == 0))
    )
    assert (
        _steps(only_baseline, suppression=5)["recovery"].sentence
        == "A stage at a follow-up wave is not recorded in this cohort."
    )


# ---- the report renders the pages' view models -------------------------------------------------
SECTIONS = ("findings", "overview", "baseline", "resources", "recovery", "followup", "methods")


def _sections(report: str) -> dict[str, str]:
    """Each section's HTML by its anchor, in the order of the report."""
    html = _outside_scripts(report)
    found = re.findall(r'<section id="([a-z]+)">(.*?)</section>', html, flags=re.S)
    return dict(found)


def _in_order(section: str, texts: list[str]) -> None:
    """Every text in ``section`` (escaped as the report escapes it), in the order given."""
    at = 0
    for text in texts:
        if not text:
            continue
        found = section.find(escape(text), at)
        assert found >= 0, f"not in the section (or out of order): {text!r}"
        at = found + len(escape(text))


def _page_texts(res, colors) -> dict[str, list[str]]:
    """Every sentence, card and caption each page shows, in the page's order (every wave)."""
    o = overview_model.overview(res, colors)
    texts = {
        "overview": [
            *(t for c in o.cards for t in (c.label, c.value, c.caption, c.help)),
            o.flow.takeaway,
            *o.table.frame.columns,
        ]
    }
    b = baseline_model.baseline(res)
    assert b.table is not None
    texts["baseline"] = [b.takeaway, *b.table.frame.columns, b.pooled_note, b.caption]
    whole = resources_model.whole_follow_up(res)
    waves = resources_model.by_wave(res)
    texts["resources"] = [
        *(resources_model.ranking(res, colors, m, k).takeaway for _, m, k in RANKINGS),
        whole.caption,
        whole.comparison_takeaway or whole.no_comparison,
        whole.comparison.caption if whole.comparison is not None else "",
        waves.heatmap.takeaway,
        *(
            t
            for month in waves.months
            for w in [resources_model.wave(res, colors, month)]
            for t in (w.helpfulness.takeaway, w.caption)
        ),
    ]
    pages = [recovery_model.build(res, m) for m in recovery_model.months(res)]
    texts["recovery"] = [
        pages[0].takeaway,
        *(f.chart.takeaway if f.chart else f.no_data for p in pages for f in p.flows),
        pages[-1].flows_caption,
        *(m.participants for m in pages[-1].matrices),
        pages[-1].recovered_takeaway,
        pages[-1].recovered.caption,
    ]
    f = followup_model.followup(res, colors)
    assert f.charts is not None
    c = f.charts
    texts["followup"] = [
        f.no_contacts,
        c.ended.takeaway,
        c.ended_caption,
        c.contacts.takeaway,
        c.km.takeaway,
        c.km_caption,
        *c.table.frame.columns,
    ]
    return texts


@pytest.mark.parametrize("group_by", ["arm", "role"])
def test_the_report_shows_what_each_page_shows(sample, group_by):
    report = build_report(sample, group_by=group_by, suppression=5)
    sections = _sections(report)
    assert tuple(sections) == SECTIONS  # the pages' order, between the findings and Methods
    res = hm.compute_results(sample, "completed", group_by, None, 5)
    colors = hm.group_colors(sample.groups(group_by))
    texts = _page_texts(res, colors)
    for page, shown in texts.items():
        _in_order(sections[page], shown)
    analysed = texts["overview"][:4]
    # participants.csv: 50 enrolled, 42 completed
    assert analysed[:2] == ["Participants analysed", "42 of 50"]
    if group_by == "arm":  # completers: 23 enhanced, 19 routine
        assert analysed[2] == "enhanced: 23 · routine: 19"
    else:  # completers: attending 5 + 4 = 9, midwife 2 + 2 and other 2 + 2 pooled (each
        # under 5) = 8, nurse 10 + 8 = 18, resident 4 + 3 = 7
        assert analysed[2] == (
            "attending: 9 · midwife + other (pooled): 8 · nurse: 18 · resident: 7"
        )
        # the pooling is said under the view line, as under every page's title
        top = _outside_scripts(report).split('<section id="findings">')[0]
        assert "pooled into one: midwife + other (pooled)." in top


@pytest.mark.parametrize(
    ("arms", "with_contact", "contacts"),
    [
        # 20 per arm, 3 enhanced participants with a contact: enhanced's 3 is too few to show,
        # and so is the overall 3: every row of ended_by_contact is hidden
        (
            {"enhanced": 20, "routine": 20},
            {"enhanced": 3},
            "Median contacts per participant: enhanced: too few participants to show.",
        ),
        # 27 enhanced and 3 routine, all with one contact: routine's 3 is too few, enhanced's
        # 27 hidden with it (30 - 27 = 3); only the overall row (30) shows. Enhanced's median
        # of 27 single contacts is 1, shown in the summary table
        (
            {"enhanced": 27, "routine": 3},
            {"enhanced": 27, "routine": 3},
            "Median contacts per participant: 1 in enhanced (n = suppressed); "
            "routine: too few participants to show.",
        ),
    ],
    ids=["every-row-too-few", "one-arm-hidden-with-the-other"],
)
def test_hidden_contact_counts_are_not_read_as_nobody(arms, with_contact, contacts):
    cohort = one_contact_each(arms, with_contact)
    res = hm.compute_results(cohort, "completed", "arm", None, 5)
    ended = res.tables["ended_by_contact"]
    assert ended.mask["participants"].all()  # every group's row is hidden
    report = build_report(cohort, suppression=5)
    # was: "No participant in this view had a peer-support contact." (3, or 30, had)
    assert followup_model.EMPTY not in report
    m = followup_model.followup(res, hm.group_colors(cohort.groups("arm")))
    assert m.charts is not None
    assert m.charts.contacts.takeaway == contacts
    # the report says what the page says
    section = _sections(report)["followup"]
    _in_order(section, [m.no_contacts, m.charts.ended.takeaway, contacts, m.charts.km.takeaway])
