"""The upload on the Data page through AppTest: the validation report (exact problems, CSV
download), errors keep the current cohort, a good upload reaches every page, two sessions never
share an upload, and the messages for oversized, binary, empty and unrecognised files."""

from __future__ import annotations

import io
import tempfile
import time
from pathlib import Path

import pandas as pd
import pytest
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from hoo_app import upload

from .conftest import PAGES, ROOT, no_exception, texts

SAMPLE = ROOT / "sample_data" / "healing_our_own"
SAMPLE_NAME = "Healing Our Own (synthetic sample)"
UPLOAD_NAME = "Upload: participants.csv, responses.csv, contacts.csv"


@pytest.fixture(autouse=True)
def library(tmp_path, monkeypatch):
    """Each test gets its own (empty) cohort library and no evaluator list."""
    monkeypatch.setenv("HOO_DB", str(tmp_path / "hoo.sqlite"))
    monkeypatch.delenv("HOO_EVALUATORS", raising=False)
    return tmp_path / "hoo.sqlite"


def sample_files() -> dict[str, list[str]]:
    """The sample cohort's CSV files as lists of lines (line 0 = header = file row 1)."""
    names = ("participants.csv", "responses.csv", "contacts.csv")
    return {n: (SAMPLE / n).read_text(encoding="utf-8").split("\n") for n in names}


def as_upload(files: dict[str, list[str]]) -> list[tuple[str, bytes, str]]:
    return [(n, "\n".join(lines).encode("utf-8"), "text/csv") for n, lines in files.items()]


def bad_files() -> dict[str, list[str]]:
    """Two errors and one warning, each placed by hand (file row = list index + 1):
    participants row 3 (HOO-002) status 'finished'; responses row 2 (HOO-001, month 0)
    stage 9; responses row 3 (HOO-001, month 3) helpful_peers 3 while used_peers is 0."""
    f = sample_files()
    p, r = f["participants.csv"], f["responses.csv"]
    assert p[2].startswith("HOO-002,enhanced,completed,")
    p[2] = p[2].replace(",completed,", ",finished,", 1)
    assert r[1].startswith("HOO-001,0,6,")
    r[1] = r[1].replace("HOO-001,0,6,", "HOO-001,0,9,", 1)
    assert r[2].startswith("HOO-001,3,6,thriving,0,,")
    r[2] = r[2].replace("HOO-001,3,6,thriving,0,,", "HOO-001,3,6,thriving,0,3,", 1)
    return f


def good_files() -> dict[str, list[str]]:
    """Loads with one warning (the ignored rating above) and HOO-002 withdrew instead of
    completing, so the completers are the sample's 42 minus one = 41 of 50 enrolled."""
    f = sample_files()
    f["participants.csv"][2] = f["participants.csv"][2].replace(",completed,", ",withdrew,", 1)
    r = f["responses.csv"]
    r[2] = r[2].replace("HOO-001,3,6,thriving,0,,", "HOO-001,3,6,thriving,0,3,", 1)
    return f


def open_data() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.run()
    at.switch_page("app_pages/data.py").run()
    return at


def report_table(at: AppTest) -> pd.DataFrame | None:
    """The validation report as shown (a static table when short, blanks as "")."""
    for df in [*at.table, *at.dataframe]:
        if "What is wrong" in df.value.columns:
            return df.value.replace("", None)
    return None


def upload_files(at: AppTest, files) -> AppTest:
    return at.file_uploader(key=upload.UPLOADER).set_value(files).run()


def test_the_page_states_the_limit_from_the_config():
    at = open_data()
    # .streamlit/config.toml: maxUploadSize = 50
    assert "Limit: **50 MB per file**" in texts(at)
    assert at.file_uploader(key=upload.UPLOADER).allowed_type == [".csv", ".zip", ".xlsx"]
    no_exception(at)


def test_bad_upload_shows_every_problem_and_keeps_the_cohort(monkeypatch):
    saved = {}
    real = MemoryMediaFileStorage.load_and_get_id

    def spy(self, data, mimetype, kind, filename=None):
        saved[filename] = data
        return real(self, data, mimetype, kind, filename)

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", spy)
    at = upload_files(open_data(), as_upload(bad_files()))
    no_exception(at)

    shown = report_table(at)
    assert shown is not None
    rows = [tuple(None if pd.isna(v) else v for v in row) for row in shown.itertuples(index=False)]
    # errors first (in the order found), then the warning; the row numbers are file rows
    assert [(r[0], r[1], r[2], r[3], r[5]) for r in rows] == [
        ("participants (participants.csv)", 3, "status", "finished", "error"),
        ("responses (responses.csv)", 2, "stage", "9", "error"),
        ("responses (responses.csv)", 3, "helpful_peers", "3", "warning"),
    ]
    assert "status is not one the dashboard knows" in rows[0][4]
    assert "whole number from 1 to 6" in rows[1][4]
    assert "the rating is ignored" in rows[2][4]
    assert "2 error(s) and 1 warning(s)" in at.error[0].value
    assert f"Every page still shows **{SAMPLE_NAME}**" in at.error[0].value

    # the cohort is unchanged: the picker offers and shows the sample only
    picker = at.sidebar.selectbox(key="cohort")
    assert picker.value == SAMPLE_NAME
    assert picker.options == [SAMPLE_NAME]
    assert "SYNTHETIC" in texts(at)

    # the CSV download holds the same table
    csv = pd.read_csv(io.BytesIO(saved["hoo-validation-report.csv"]), dtype=str)
    assert list(csv.columns) == [
        "File / table",
        "Row",
        "Column",
        "Value",
        "What is wrong",
        "Error or warning",
    ]
    assert csv["Row"].tolist() == ["3", "2", "3"]
    assert csv["Value"].tolist() == ["finished", "9", "3"]
    assert csv["Error or warning"].tolist() == ["error", "error", "warning"]
    assert csv["What is wrong"].tolist() == [r[4] for r in rows]


def test_good_upload_after_a_bad_one_reaches_every_page():
    at = upload_files(open_data(), as_upload(bad_files()))
    at = upload_files(at, as_upload(good_files()))
    no_exception(at)
    assert "loaded with 1 warning(s)" in at.warning[0].value
    assert report_table(at)["Error or warning"].tolist() == ["warning"]
    picker = at.sidebar.selectbox(key="cohort")
    assert picker.value == UPLOAD_NAME
    assert picker.options == [SAMPLE_NAME, UPLOAD_NAME]
    # Data page counts: 50 participants as in the sample
    assert at.metric[0].value == "50"

    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        no_exception(at)
        assert f"cohort: {UPLOAD_NAME}" in texts(at), page
        assert "SYNTHETIC sample data" not in texts(at), page
        if page == "overview":
            # 42 completers in the sample, HOO-002 now withdrew: 41 of 50
            assert at.metric[0].value == "41 of 50"

    # the sample is one click away
    at.switch_page("app_pages/data.py").run()
    at.button(key="hoo_back_to_sample").click().run()
    assert at.sidebar.selectbox(key="cohort").value == SAMPLE_NAME
    assert "SYNTHETIC" in texts(at)
    no_exception(at)


def test_a_second_session_never_sees_the_first_sessions_upload():
    first = upload_files(open_data(), as_upload(good_files()))
    assert first.sidebar.selectbox(key="cohort").value == UPLOAD_NAME

    second = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    second.query_params["cohort"] = UPLOAD_NAME  # even with a copied link
    second.run()
    no_exception(second)
    assert second.sidebar.selectbox(key="cohort").options == [SAMPLE_NAME]
    assert second.sidebar.selectbox(key="cohort").value == SAMPLE_NAME
    assert UPLOAD_NAME not in texts(second)


@pytest.mark.parametrize(
    "files, expected",
    [
        (
            [("participants.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01", "text/csv")],
            "participants.csv is not a text (CSV) file",
        ),
        ([("participants.csv", b"", "text/csv")], "The file participants.csv is empty"),
        (
            [("notes.csv", b"colour,size\nred,2\n", "text/csv")],
            "notes.csv does not look like any cohort table",
        ),
        ([("cohort.zip", b"PK\x03\x04broken", "application/zip")], "cohort.zip looks like"),
    ],
    ids=["binary", "empty", "no-table", "damaged-zip"],
)
def test_unreadable_files_get_a_clear_message(files, expected):
    at = upload_files(open_data(), files)
    no_exception(at)
    messages = report_table(at)["What is wrong"].tolist()
    assert any(expected in m for m in messages), messages
    assert at.sidebar.selectbox(key="cohort").value == SAMPLE_NAME


def test_a_file_over_the_limit_is_refused_before_reading():
    # 11 bytes against a 10-byte limit; read_tables is never reached (it would report the
    # missing tables as well)
    report = upload.check_upload({"participants.csv": b"01234567890"}, limit_bytes=10)
    assert report["cohort"] is None
    [problem] = report["problems"]
    assert problem.is_error
    assert "The file participants.csv is 0.0 MB; the upload limit is 0 MB" in problem.message


def test_nothing_uploaded_reaches_disk(tmp_path):
    """A marker that exists only in the uploaded bytes is in no file written during the
    upload, in the project or the temporary folder; the library at HOO_DB is not created."""
    marker = "zq-upload-marker-7f3a"
    files = good_files()
    files["participants.csv"] = [
        f"{line},site" if i == 0 else (f"{line},{marker}" if line else line)
        for i, line in enumerate(files["participants.csv"])
    ]
    start = time.time() - 1
    at = upload_files(open_data(), as_upload(files))
    assert at.sidebar.selectbox(key="cohort").value == UPLOAD_NAME
    assert "Site" in at.sidebar.selectbox(key="group").options  # the column was read
    written = [
        p
        for folder in (ROOT, Path(tempfile.gettempdir()))
        for p in folder.rglob("*")
        if ".venv" not in p.parts and ".git" not in p.parts and _is_new_file(p, start)
    ]
    assert [p for p in written if marker.encode() in p.read_bytes()] == []
    assert not (tmp_path / "hoo.sqlite").exists()


def _is_new_file(path: Path, since: float) -> bool:
    try:
        return path.is_file() and path.stat().st_mtime >= since
    except OSError:
        return False
