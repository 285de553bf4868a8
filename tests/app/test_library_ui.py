"""The cohort library in the app through AppTest: roles (local mode, sign-in), publish with a
preview, the picker's library cohorts and versions, archive, a damaged library file, and two
cohorts compared side by side."""

from __future__ import annotations

import pytest
from scipy import stats
from streamlit.testing.v1 import AppTest

import hoo_metrics as hm

from .conftest import ROOT, no_exception, texts
from .test_data_page import SAMPLE_NAME, UPLOAD_NAME, as_upload, good_files, upload_files

AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "test-cookie-secret",
    "client_id": "hoo",
    "client_secret": "secret",
    "server_metadata_url": "http://localhost:9/.well-known/openid-configuration",
}
EVALUATOR = {"is_logged_in": True, "email": "Ana@Hospital.example", "email_verified": True}
VIEWER = {"is_logged_in": True, "email": "leader@hospital.example", "email_verified": True}


@pytest.fixture(autouse=True)
def library(tmp_path, monkeypatch):
    monkeypatch.setenv("HOO_DB", str(tmp_path / "hoo.sqlite"))
    monkeypatch.delenv("HOO_EVALUATORS", raising=False)
    return tmp_path / "hoo.sqlite"


def app(user: dict | None = None, page: str = "data") -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if user is not None:  # sign-in configured; ana@hospital.example is the evaluator
        at.secrets["auth"] = AUTH
        at.secrets["hoo"] = {"evaluators": ["ana@hospital.example"]}
        at.user = dict(user)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    return at


def sidebar_text(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in at.sidebar.markdown)


def publish(at: AppTest, name: str, description: str = "") -> AppTest:
    at.text_input(key="hoo_publish_name").input(name)
    at.text_area(key="hoo_publish_description").input(description)
    return at.button(key="hoo_publish").click().run()


def withdrawn(*rows: int) -> dict[str, list[str]]:
    """good_files() with more participants (file rows) withdrawn instead of completed."""
    files = good_files()
    for row in rows:
        line = files["participants.csv"][row - 1]
        assert ",completed," in line
        files["participants.csv"][row - 1] = line.replace(",completed,", ",withdrew,", 1)
    return files


def test_local_mode_says_so_and_offers_the_upload():
    at = app()
    assert "Local mode: you are an evaluator" in sidebar_text(at)
    assert at.file_uploader
    no_exception(at)


def test_publish_shows_a_preview_then_appears_in_the_picker_with_its_provenance():
    at = upload_files(app(), as_upload(good_files()))
    uploaded = hm.validate(hm.read_tables(dict((n, b) for n, b, _ in as_upload(good_files()))))
    sha = hm.content_sha256(hm.canonical_tables(uploaded.cohort))
    # the preview: counts (50 / responses / contacts of the sample files) and the hash to store
    shown = texts(at)
    assert f"**SHA-256 of the content:** `{sha}`" in shown
    assert "**Warnings stored with it:** 1" in shown
    counts = uploaded.cohort.counts()
    assert [m.value for m in at.metric][-3:] == [
        str(counts["participants"]),
        str(counts["responses"]),
        str(counts["contacts"]),
    ]

    at = publish(at, "Pilot trial", "first upload")
    no_exception(at)
    assert "Published 'Pilot trial' version 1." in "\n".join(e.value for e in at.success)
    picker = at.sidebar.selectbox(key="cohort")
    assert picker.options == [SAMPLE_NAME, UPLOAD_NAME, "Pilot trial (library)"]
    assert picker.value == "library:Pilot trial"
    record = hm.CohortStore().record("Pilot trial")
    assert record.sha256 == sha and record.published_by == "local"
    shown = texts(at)
    assert "**Cohort:** Pilot trial, version 1 of the cohort library" in shown
    assert f"**Published by:** local on {record.created} (UTC)" in shown
    assert f"`{sha}`" in shown


def test_a_second_version_is_newest_by_default_and_the_first_stays_selectable():
    at = upload_files(app(), as_upload(good_files()))
    at = publish(at, "Pilot trial")
    # HOO-003 (file row 4) withdrew as well: 40 completers instead of 41
    at = upload_files(at, as_upload(withdrawn(4)))
    at = publish(at, "Pilot trial")
    no_exception(at)
    version = at.sidebar.selectbox(key="hoo_version:Pilot trial")
    assert [v for v in version.options] == [
        o for o in version.options if o.startswith("v2 (newest)") or o.startswith("v1 ·")
    ]
    assert version.value == 2
    at.switch_page("app_pages/overview.py").run()
    assert at.metric[0].value == "40 of 50"
    at.sidebar.selectbox(key="hoo_version:Pilot trial").set_value(1).run()
    assert at.metric[0].value == "41 of 50"
    at.switch_page("app_pages/data.py").run()
    assert "**Cohort:** Pilot trial, version 1 of the cohort library" in texts(at)
    no_exception(at)


def test_the_role_is_computed_at_the_click_not_taken_from_the_session():
    # an evaluator fills in the form; the identity turns into a viewer before the click (the
    # evaluator list changed, another person at the browser): the library refuses
    at = upload_files(app(EVALUATOR), as_upload(good_files()))
    assert "ana@hospital.example · **evaluator**" in sidebar_text(at).lower()
    at.text_input(key="hoo_publish_name").input("Pilot trial")
    at.session_state["role"] = "evaluator"  # a crafted claim is ignored
    at.user = dict(VIEWER)
    at = at.button(key="hoo_publish").click().run()
    no_exception(at)
    errors = "\n".join(e.value for e in at.error)
    assert "Nothing was published. Only an evaluator can publish cohorts" in errors
    assert "you are signed in as viewer" in errors
    assert hm.CohortStore().list() == []


def test_a_viewer_sees_the_library_but_no_upload_publish_or_archive(library):
    store = hm.CohortStore()
    store.publish(hm.load_sample(), "Sample as published", role=hm.Role.EVALUATOR)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.secrets["auth"] = AUTH
    at.secrets["hoo"] = {"evaluators": ["ana@hospital.example"]}
    at.user = dict(VIEWER)
    at.session_state["role"] = "evaluator"  # crafted; never read
    at.session_state["hoo_role"] = "evaluator"
    at.run()
    at.switch_page("app_pages/data.py").run()
    no_exception(at)
    assert "leader@hospital.example · **viewer**" in sidebar_text(at)
    assert "Sample as published (library)" in at.sidebar.selectbox(key="cohort").options
    assert not at.file_uploader
    keys = {b.key for b in at.button}
    assert not keys & {"hoo_publish", "hoo_archive", "hoo_restore"}
    assert "Evaluators upload and publish cohorts" in "\n".join(e.value for e in at.info)


def test_signed_out_users_see_the_sample_only():
    hm.CohortStore().publish(hm.load_sample(), "Real cohort", role=hm.Role.EVALUATOR)
    at = app({"is_logged_in": False})
    no_exception(at)
    assert at.sidebar.selectbox(key="cohort").options == [SAMPLE_NAME]
    assert at.sidebar.button(key="hoo_login")
    assert not at.file_uploader


def test_archive_hides_the_cohort_and_falls_back_to_the_sample():
    hm.CohortStore().publish(hm.load_sample(), "Old pilot", role=hm.Role.EVALUATOR)
    at = app()
    at.sidebar.selectbox(key="cohort").set_value("library:Old pilot").run()
    assert "**Cohort:** Old pilot, version 1 of the cohort library" in texts(at)
    at.selectbox(key="hoo_archive_name").set_value("Old pilot")
    at = at.button(key="hoo_archive").click().run()
    no_exception(at)
    assert at.sidebar.selectbox(key="cohort").options == [SAMPLE_NAME]
    assert at.sidebar.selectbox(key="cohort").value == SAMPLE_NAME
    assert [r.name for r in hm.CohortStore().list(include_archived=True)] == ["Old pilot"]
    assert hm.CohortStore().list() == []
    # the evaluator can restore it
    at = at.button(key="hoo_restore").click().run()
    assert "Old pilot (library)" in at.sidebar.selectbox(key="cohort").options


def test_a_damaged_library_file_gives_the_stores_message_never_a_crash(library):
    library.write_bytes(b"this is not a database\n" * 10)
    at = app()
    no_exception(at)
    shown = "\n".join(e.value for e in at.sidebar.warning) + "\n".join(e.value for e in at.error)
    assert "is not a HOO cohort library" in shown
    assert at.sidebar.selectbox(key="cohort").value == SAMPLE_NAME
    assert library.read_bytes() == b"this is not a database\n" * 10  # left untouched


def test_two_cohorts_side_by_side_with_fishers_exact_test():
    at = upload_files(app(), as_upload(withdrawn(4)))
    at.selectbox(key="hoo_cmp_a").set_value(SAMPLE_NAME)
    at.selectbox(key="hoo_cmp_b").set_value(UPLOAD_NAME).run()
    no_exception(at)
    table = next(d.value for d in at.table if "Difference (A − B)" in d.value.columns)
    rows = table.set_index("Measure")
    sample = hm.load_sample()
    up = hm.validate(hm.read_tables({n: b for n, b, _ in as_upload(withdrawn(4))})).cohort
    # k = 5 (the default): each column is its cohort's compute_results(..., None, None, 5),
    # and at k = 5 these counts all show: 50 - 42 = 8 and 50 - 40 = 10 non-completers are
    # not below 5, and the 15 of 23 leaves 8 still in support. So the expectations are the
    # raw metrics' as before; at k = 11 they are not (the next test but one)
    assert rows.loc["Enrolled"].iloc[0:2].tolist() == ["50", "50"]
    # completers: 42 in the sample, 42 - 2 (HOO-002, HOO-003 withdrew) = 40 in the upload
    assert rows.loc["Analysed"].iloc[0:2].tolist() == ["42", "40"]
    # ended after contact 1: the sample's 15 of 23 (contract: 65.2 %)
    a = hm.ended_by_contact(sample, None, "completed").iloc[0]
    b = hm.ended_by_contact(up, None, "completed").iloc[0]
    assert (a["ended"], a["participants"]) == (15, 23)
    row = rows.loc["Support ended after the 1st contact"]
    assert row.iloc[0] == "65% (15/23)"
    assert row.iloc[1] == hm.share(b["ended"], b["participants"])
    p = stats.fisher_exact(
        [[15, 8], [b["ended"], b["participants"] - b["ended"]]], alternative="two-sided"
    ).pvalue
    assert row["Test"] == (f"Fisher's exact, {hm.p_value(p)}, n = 23 vs {b['participants']}")
    assert "95% CI" in row["Difference (A − B)"]


def _ended_at(ends: list[int], name: str) -> hm.Cohort:
    """One completer per entry of ``ends``: support ended at that contact (earlier contacts
    asked for more follow-up); everyone early at month 0 and thriving at month 3."""
    from tests.factories import make_cohort

    parts, resp, cont = [], [], []
    for i, end in enumerate(ends):
        pid = f"P{i:02d}"
        parts.append({"participant_id": pid, "arm": "x"})
        resp.append({"participant_id": pid, "month": 0, "stage": 2})
        resp.append({"participant_id": pid, "month": 3, "stage": 6, "stage6_path": "thriving",
                     "used_peers": 1, "most_helpful": "peers"})  # fmt: skip
        for c in range(1, end + 1):
            more = "no" if c == end else "yes"
            cont.append({"participant_id": pid, "contact_no": c, "day": 2 * c,
                         "more_followup": more})  # fmt: skip
    return make_cohort(parts, resp, cont, name=name)


def test_the_comparison_shows_each_cohort_as_its_results_do():
    from hoo_app.library import compare_table, headline

    # A: 3 of 20 ended after contact 1 (3 < k = 5: "<5"), 15 by contact 2; B: 10 and 15 of 20
    a = _ended_at([1] * 3 + [2] * 12 + [3] * 5, "A")
    b = _ended_at([1] * 10 + [2] * 5 + [3] * 5, "B")
    table = compare_table(headline(a, "completed", 5), headline(b, "completed", 5), ("A", "B"))
    rows = table.set_index("Measure")
    assert rows.loc["Enrolled"].tolist()[:2] == ["20", "20"]
    # a hidden count prints its label; no share, difference or test is built on it
    assert rows.loc["Support ended after the 1st contact"].tolist() == [
        "<5 of 20",
        "50% (10/20)",
        "suppressed",
        "not shown: a count is hidden",
    ]
    # by contact 2: 15/20 vs 15/20, every count shown: Fisher's exact on [[15, 5], [15, 5]]
    p = stats.fisher_exact([[15, 5], [15, 5]]).pvalue
    row = rows.loc["Support ended by the 2nd contact"]
    assert row.iloc[:2].tolist() == ["75% (15/20)", "75% (15/20)"]
    assert row["Test"] == f"Fisher's exact, {hm.p_value(p)}, n = 20 vs 20"
    # k = 1 (nothing hidden): the 3 of 20 shows and is tested
    lifted = compare_table(headline(a, "completed", 1), headline(b, "completed", 1), ("A", "B"))
    row = lifted.set_index("Measure").loc["Support ended after the 1st contact"]
    assert row.iloc[0] == "15% (3/20)" and row["Test"].startswith("Fisher's exact, P = ")
    # a cohort whose view is refused (4 participants, fewer than k = 5) shows its refusal
    small = headline(_ended_at([1] * 4, "small"), "completed", 5)
    refusal = hm.compute_results(_ended_at([1] * 4, "small"), "completed", None, None, 5).refusal
    assert small == {"refusal": refusal.message}
    table = compare_table(headline(a, "completed", 5), small, ("A", "B")).set_index("Measure")
    assert table["B"].tolist() == [refusal.message] + ["not shown"] * 5
    assert set(table["Test"]) == {"not shown: a cohort is refused"}
    assert "4" not in " ".join(table["B"].tolist()[1:])


def test_k_11_on_the_sample_hides_enrolled_or_analysed_never_shows_both(monkeypatch):
    # was: Enrolled 50 / Analysed 42 at k = 11, the 8 non-completers a subtraction away
    monkeypatch.setenv("HOO_MIN_CELL", "11")
    at = upload_files(app(), as_upload(withdrawn(4)))
    at.selectbox(key="hoo_cmp_a").set_value(SAMPLE_NAME)
    at.selectbox(key="hoo_cmp_b").set_value(UPLOAD_NAME).run()
    no_exception(at)
    table = next(d.value for d in at.table if "Difference (A − B)" in d.value.columns)
    rows = table.set_index("Measure")
    sample = hm.load_sample()
    up = hm.validate(hm.read_tables({n: b for n, b, _ in as_upload(withdrawn(4))})).cohort
    for col, cohort in ((0, sample), (1, up)):
        enr = hm.compute_results(cohort, "completed", None, None, 11).tables["enrollment"]
        labels = enr.labels().iloc[0]
        shown = [
            labels[c] if enr.mask[c].iloc[0] else str(int(enr.table[c].iloc[0]))
            for c in ("enrolled", "analysed")
        ]
        # the library's own choice, cell for cell
        assert [rows.loc["Enrolled"].iloc[col], rows.loc["Analysed"].iloc[col]] == shown
        assert enr.mask.iloc[0][["enrolled", "analysed"]].any()
    # the sample: the library hides the enrolled count, the analysed 42 (every other
    # figure's denominator) shows; 50 appears nowhere in the sample's column
    assert rows.loc["Enrolled"].iloc[0] == "suppressed"
    assert rows.loc["Analysed"].iloc[0] == "42"
    assert not any("50" in str(v) for v in rows.iloc[:, 0])
    # the upload: 50 enrolled, 40 completers (10 < 11 did not): one of the two is hidden
    assert not {rows.loc["Enrolled"].iloc[1], rows.loc["Analysed"].iloc[1]} >= {"50", "40"}
