"""The upload through the real file input of a live server: a bad cohort gives the report and
keeps the sample, then a good one in the same session loads; screenshots of the Data page."""

from __future__ import annotations

import contextlib
import os

import pytest

from .conftest import ROOT, SCREENSHOTS, streamlit_server, wait_charts_still
from .test_pages import shoot, wait_ready

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "sample_data" / "healing_our_own"
NAMES = ("participants.csv", "responses.csv", "contacts.csv")


def files(bad: bool) -> list[dict]:
    """The sample's CSVs; the bad set has stage 9 in responses row 2 and status 'finished'
    in participants row 3 (file rows, header = row 1)."""
    out = []
    for name in NAMES:
        lines = (SAMPLE / name).read_text(encoding="utf-8").split("\n")
        if bad and name == "responses.csv":
            lines[1] = lines[1].replace("HOO-001,0,6,", "HOO-001,0,9,", 1)
        if bad and name == "participants.csv":
            lines[2] = lines[2].replace(",completed,", ",finished,", 1)
        if not bad and name == "participants.csv":
            lines[2] = lines[2].replace(",completed,", ",withdrew,", 1)
        data = "\n".join(lines).encode("utf-8")
        out.append({"name": name, "mimeType": "text/csv", "buffer": data})
    return out


# Installed before an action: notes that a script run started (the app root's script state
# became "running") and when the state last changed.
# The whole document is watched, not one app root: should the root be mounted anew, the new
# one's state changes are seen too.
WATCH_RUN = """() => {
  const state = () => document.querySelector('[data-testid="stApp"]')
    ?.getAttribute('data-test-script-state');
  if (window.__hooRun) window.__hooRun.observer.disconnect();
  const w = window.__hooRun = {started: false, last: performance.now(), observer: null};
  w.observer = new MutationObserver(records => {
    if (state() === 'running' || records.some(r => r.oldValue === 'running')) w.started = true;
    w.last = performance.now();
  });
  w.observer.observe(document.body, {subtree: true, attributes: true,
                                     attributeFilter: ['data-test-script-state'],
                                     attributeOldValue: true});
}"""

# The run the action started has ended and none followed for this long (typing in one text
# box then another makes two runs, the second asked for while the first runs).
RUN_QUIET_MS = 500


@contextlib.contextmanager
def script_run(page):
    """Wait, after the action in the ``with`` block, for the script run it starts to end."""
    page.evaluate(WATCH_RUN)
    yield
    page.evaluate("() => { window.__hooRun.last = performance.now(); }")
    page.wait_for_function(
        """quiet => window.__hooRun.started
          && document.querySelector('[data-testid="stApp"]')
               .getAttribute('data-test-script-state') === 'notRunning'
          && performance.now() - window.__hooRun.last >= quiet""",
        arg=RUN_QUIET_MS,
        timeout=60_000,
        polling=50,
    )


def shoot_section(page, text: str, name: str) -> None:
    """The first screen after scrolling the heading ``text`` to the top of the viewport."""
    heading = page.get_by_role("heading", name=text, exact=True).first
    heading.evaluate("e => e.scrollIntoView({block: 'start', behavior: 'instant'})")
    wait_charts_still(page)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")


def test_bad_then_good_upload_in_one_session(page, server_url):
    page.goto(f"{server_url}/data")
    wait_ready(page, "Data", 0)
    picker = page.locator('[data-testid="stSidebar"] input[aria-label="Cohort"]')
    assert "synthetic sample" in picker.input_value()
    assert page.get_by_text("Limit: 50 MB per file").count() == 1

    with script_run(page):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files(True)
        )
    page.get_by_text("was not loaded").first.wait_for(timeout=30_000)
    assert page.get_by_text("2 error(s) and 0 warning(s)").count() == 1
    report = page.locator('[data-testid="stTable"]').filter(has_text="What is wrong")
    assert "whole number from 1 to 6" in report.inner_text()
    assert "synthetic sample" in picker.input_value()  # the cohort is unchanged
    shoot_section(page, "Bring your own cohort", "data-upload-bad")
    shoot(page, "data-upload-bad")

    # the same session: remove the bad files, then upload the good ones
    uploader = page.locator('[data-testid="stFileUploader"]')
    for _ in range(len(NAMES)):
        with script_run(page):
            uploader.locator('[data-testid="stFileChipDeleteBtn"] button').first.click()
    with script_run(page):
        uploader.locator('input[type="file"]').set_input_files(files(False))
    page.get_by_text("loaded").first.wait_for(timeout=30_000)
    assert "Upload: participants.csv" in picker.input_value()
    assert page.get_by_text("Publish this upload to the cohort library").count() == 1
    shoot_section(page, "Bring your own cohort", "data-upload-good")

    # every page shows the upload: the Overview counts HOO-002 as withdrawn (41 of 50)
    page.locator('[data-testid="stSidebarNav"] a[href$="/"]').first.click()
    wait_ready(page, "Overview", 1)
    assert page.get_by_text("41 of 50").count() >= 1
    assert page.get_by_text("cohort: Upload: participants.csv", exact=False).count() == 1
    shoot(page, "overview-upload")


@pytest.fixture
def library_server(tmp_path):
    """A second live server whose cohort library is a fresh file under tmp_path."""
    env = dict(os.environ, HOO_DB=str(tmp_path / "hoo.sqlite"))
    env.pop("HOO_EVALUATORS", None)
    with streamlit_server(tmp_path / "server.log", env) as url:
        yield url, tmp_path / "hoo.sqlite"


def test_publish_then_compare(page, library_server):
    url, db = library_server
    page.goto(f"{url}/data")
    wait_ready(page, "Data", 0)
    with script_run(page):
        page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
            files(False)
        )
    with script_run(page):
        page.get_by_role("textbox", name="Name in the library").fill("Pilot trial")
        page.get_by_role("textbox", name="Description").fill("The 2021 trial, HOO-002 withdrawn")
        page.get_by_role("textbox", name="Description").blur()
    with script_run(page):
        page.get_by_role("button", name="Publish to the library").click()
    page.get_by_text("Published 'Pilot trial' version 1.").wait_for(timeout=30_000)
    picker = page.locator('[data-testid="stSidebar"] input[aria-label="Cohort"]')
    assert picker.input_value() == "Pilot trial (library)"
    assert db.exists()
    wait_ready(page, "Data", 0)
    page.screenshot(path=SCREENSHOTS / "data-library-provenance.png")
    shoot_section(page, "Cohort library", "data-library-compare")
    shoot(page, "data-library")
