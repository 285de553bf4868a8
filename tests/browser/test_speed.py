"""How long a leader waits after changing a sidebar filter until every chart shows the new
data: on the synthetic sample and on a generated 10,000-participant cohort (uploaded through
the Data page, as an evaluator would), on the Overview and Resources pages (each of Resources'
two sections: only the open one is built and redrawn). Issue 8: < 1 s.

The clock is the browser's own (``performance.now()``). It starts in a capture-phase
pointerdown listener, on the press that picks the filter value in the dropdown, and stops at
the later of (a) the app root reporting that the script run has finished and (b) the last DOM
change inside any chart (Streamlit mounts a new chart or Plotly redraws the old one; a
MutationObserver sees both), once nothing in any chart has changed for 400 ms. Streamlit
leaves a chart whose figure the change did not alter as it is; the number redrawn is recorded
(and must not be zero). Median of three changes per page (two on the sample); the numbers
are printed (``pytest -s``) and kept in test-artifacts/browser-speed.json for the benchmark table.
"""

from __future__ import annotations

import json
import statistics

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import ROOT
from .test_pages import open_wave_section, wait_ready

# A timing, not a correctness check: `make bench` runs it (python -m benchmarks --browser);
# `make test` deselects the bench marker (speed targets are checked by the benchmark).
pytestmark = [pytest.mark.browser, pytest.mark.bench]

LIMIT_S = 1.0
RESULTS = ROOT / "test-artifacts" / "browser-speed.json"

# Installed before each change: marks the charts on the page and notes the press on the option,
# the moment the script run ends and the last change inside any chart.
ARM = """() => {
  const h = window.__hoo = {t0: null, running: null, idle: null, last: null, first: null};
  document.querySelectorAll('.js-plotly-plot').forEach(el => {
    el.__hooOld = true; el.__hooTouched = false;
  });
  document.addEventListener('pointerdown', () => {
    if (h.t0 === null) h.t0 = performance.now();
  }, {capture: true, once: true});
  new MutationObserver(records => {
    if (h.t0 === null) return;
    for (const r of records) {
      const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      const chart = node && node.closest('.js-plotly-plot');
      if (chart) {
        chart.__hooTouched = true;
        h.last = performance.now();
        if (h.first === null) h.first = h.last;
      }
      for (const added of r.addedNodes) {
        if (added.nodeType === 1 && (added.matches('.js-plotly-plot')
            || added.querySelector('.js-plotly-plot'))) h.last = performance.now();
      }
    }
  }).observe(document.body, {subtree: true, childList: true, attributes: true});
  const app = document.querySelector('[data-testid="stApp"]');
  let started = false;
  new MutationObserver((_, obs) => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running' && !started) { started = true; h.running = performance.now(); }
    if (started && state === 'notRunning' && h.t0 !== null) {
      h.idle = performance.now();
      obs.disconnect();
    }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""

# Finished: the run is over, every chart on the page has its SVG, and no chart has changed for
# 400 ms. (A chart whose figure the change did not alter is not redrawn: Streamlit keeps it.)
DONE = """() => {
  const h = window.__hoo;
  if (h.idle === null) return false;
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  return charts.every(el => el.querySelector('.main-svg'))
    && performance.now() - Math.max(h.idle, h.last || 0) > 400;
}"""

ELAPSED = """() => {
  const h = window.__hoo;
  const charts = [...document.querySelectorAll('.js-plotly-plot')];
  return {seconds: (Math.max(h.idle, h.last || 0) - h.t0) / 1000, charts: charts.length,
          redrawn: charts.filter(el => !el.__hooOld || el.__hooTouched).length,
          run_seconds: (h.idle - h.t0) / 1000, started_seconds: (h.running - h.t0) / 1000,
          first_chart_seconds: h.first === null ? null : (h.first - h.t0) / 1000};
}"""


#: The sample's filter whose first two values give views the privacy rules show.
SAMPLE_FILTER = "Age band"


def _change_filter(page, label: str) -> dict:
    """Pick the next value of the sidebar filter ``label`` from its dropdown; the browser's
    measure of that change (armed just before the press that picks the value)."""
    box = page.locator('[data-testid="stSidebar"] [data-testid="stMultiSelect"]').filter(
        has_text=label
    )
    option = page.get_by_role("option").filter(has_not_text="Select all").first
    for attempt in range(8):  # the list does not open while the sidebar is still settling
        field = box.locator("input")
        if attempt % 2 == 0:
            field.click()
        else:  # or open it from the keyboard, as a user can
            field.focus()
            page.keyboard.press("ArrowDown")
        try:
            option.wait_for(state="visible", timeout=3_000)
            value = option.inner_text()
            page.evaluate(ARM)
            # the list can close again before the press lands (the sidebar's run settling):
            # then it is opened once more, and the measure armed afresh
            option.click(timeout=3_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
            # before the next try: the half-open list gone, the sidebar's run over
            page.get_by_role("listbox").wait_for(state="detached", timeout=10_000)
            page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
                timeout=60_000
            )
    else:
        raise AssertionError(f"the {label!r} filter's list did not open in 8 tries")
    page.wait_for_function(DONE, timeout=60_000, polling=50)
    measure = page.evaluate(ELAPSED) | {"value": value}
    page.keyboard.press("Escape")
    page.get_by_role("listbox").wait_for(state="detached", timeout=10_000)
    return measure


def _measure(
    page, title: str, charts: int, cohort: str, label: str = "Role", changes: int = 3
) -> dict:
    """``changes`` changes of the filter ``label`` on the page now open (each adds its next
    value); the median and each. Every view they reach must be one the privacy rules show."""
    wait_ready(page, title, charts)
    sidebar = page.locator('[data-testid="stSidebar"]')
    box = sidebar.locator('[data-testid="stMultiSelect"]').filter(has_text=label)
    if not box.is_visible():  # the expander is closed (it stays open from page to page)
        sidebar.get_by_text("Filters", exact=True).click()
        box.wait_for()
    # the expander's animation is over: the field stands still (checks only, no click)
    box.locator("input").click(trial=True)
    measured = [_change_filter(page, label) for _ in range(changes)]
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".js-plotly-plot").count() >= charts
    assert all(c["redrawn"] > 0 for c in measured), measured  # the change reached the charts
    seconds = [c["seconds"] for c in measured]
    result = {
        "cohort": cohort,
        "page": title,
        "charts": measured[-1]["charts"],
        "median_s": statistics.median(seconds),
        "changes_s": seconds,
        "script_run_s": [c["run_seconds"] for c in measured],
        "charts_redrawn": [c["redrawn"] for c in measured],
        "run_started_s": [c["started_seconds"] for c in measured],
        "first_chart_change_s": [c["first_chart_seconds"] for c in measured],
    }
    print(
        f"\n{cohort:>28} | {title:<10} | {result['charts']} charts | filter change to all "
        f"charts redrawn: median {result['median_s']:.3f} s "
        f"({', '.join(f'{s:.3f}' for s in seconds)})"
    )
    _record(result)
    return result


def _record(result: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    rows = json.loads(RESULTS.read_text()) if RESULTS.exists() else []
    rows = [r for r in rows if (r["cohort"], r["page"]) != (result["cohort"], result["page"])]
    RESULTS.write_text(json.dumps([*rows, result], indent=2))


def _go(page, title: str) -> None:
    """Another page through the sidebar's navigation (the session, and its upload, stay)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()


@pytest.mark.parametrize(
    "path, title, charts",
    [
        ("", "Overview", 1),
        ("resources", "Resources", 1),
        ("followup", "Follow-up", 3),
        ("compare", "Compare groups", 1),
    ],
)
def test_filter_change_on_the_sample(page, server_url, path, title, charts):
    page.goto(f"{server_url}/{path}")
    # on the sample, a third role (or event type) splits a pool of small groups and a third
    # age band leaves fewer than 5 in the fourth: refused views, without charts. Two age bands
    # (25-34, then 35-44) are views the rules show
    result = _measure(page, title, charts, "sample (50 participants)", SAMPLE_FILTER, 2)
    assert result["median_s"] < LIMIT_S, result


def test_filter_change_on_the_resources_wave_section(page, server_url):
    page.goto(f"{server_url}/resources")
    wait_ready(page, "Resources", 1)
    open_wave_section(page)
    result = _measure(
        page, "Resources", 2, "sample (50 participants), wave section", SAMPLE_FILTER, 2
    )
    assert result["median_s"] < LIMIT_S, result


def test_filter_change_on_10000_participants(page, server_url, tmp_path):
    from benchmarks.generate import write

    folder = write(10_000, tmp_path / "n10000")
    page.goto(f"{server_url}/data")
    wait_ready(page, "Data", 0)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        [folder / f"{name}.csv" for name in ("participants", "responses", "contacts")]
    )
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=120_000
    )
    picker = page.locator('[data-testid="stSidebar"] input[aria-label="Cohort"]')
    page.wait_for_function(
        '() => document.querySelector(\'[data-testid="stSidebar"] input[aria-label="Cohort"]\')'
        ".value.startsWith('Upload')",
        timeout=120_000,
    )
    assert picker.input_value().startswith("Upload")
    results = []
    # the filters stay from page to page: each page changes its own (roles: 5, events: 4,
    # sites: 12)
    for title, charts, label in (("Overview", 1, "Role"), ("Resources", 1, "Event type")):
        _go(page, title)
        results.append(_measure(page, title, charts, "generated (10,000 participants)", label))
    open_wave_section(page)
    results.append(_measure(page, "Resources", 2, "generated (10,000), wave section", "Site"))
    assert all(r["median_s"] < LIMIT_S for r in results), results
