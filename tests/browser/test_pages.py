"""Every page in Chromium: no exception, charts drawn, filters work; screenshots kept."""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS, wait_charts_still

pytestmark = pytest.mark.browser

# url path -> (title, charts expected at least)
PAGES = {
    "": ("Overview", 1),
    "baseline": ("Baseline characteristics", 0),
    "resources": ("Resources", 1),  # the open section: the ranking chart
    "recovery": ("Recovery", 2),
    "followup": ("Follow-up", 3),
    "compare": ("Compare groups", 1),
    "data": ("Data", 0),
    "methods": ("Methods", 0),
}


def wait_ready(page, title: str, charts: int) -> None:
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=30_000)
    # the app root says when the script run has finished
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=60_000
    )
    if charts:
        page.wait_for_function(
            f"() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= {charts}",
            timeout=30_000,
        )
    # tables are drawn on a canvas once their data arrived (those in a hidden tab are not)
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
        ".filter(d => d.offsetParent !== null).every(d => d.querySelector('canvas'))",
        timeout=30_000,
    )
    wait_charts_still(page)  # plotly has finished its transitions before the screenshot


def shoot(page, name: str) -> None:
    """The first screen at 1280x900 as a leader sees it, and the whole page (the app scrolls
    inside its main container, so the viewport is stretched to its height)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}.png")
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    height = max(900, int(height))
    page.set_viewport_size({"width": 1280, "height": height})
    page.wait_for_function("h => window.innerHeight === h", arg=height, timeout=10_000)
    wait_charts_still(page)  # the app has laid itself out again at the new size
    page.screenshot(path=SCREENSHOTS / f"{name}-full.png")
    page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders(page, server_url, path):
    title, charts = PAGES[path]
    page.goto(f"{server_url}/{path}")
    wait_ready(page, title, charts)
    assert page.locator('[data-testid="stException"]').count() == 0
    assert page.locator(".js-plotly-plot").count() >= charts
    assert page.get_by_text("SYNTHETIC", exact=False).first.is_visible()
    shoot(page, path or "overview")


def test_filter_in_url_is_honoured_and_kept_across_pages(page, server_url):
    page.goto(f"{server_url}/resources?f_role=resident")
    wait_ready(page, "Resources", 1)
    assert page.get_by_text("Completers, role = resident:").first.is_visible()
    page.get_by_role("link", name="Follow-up").click()
    wait_ready(page, "Follow-up", 1)
    assert page.get_by_text("Completers, role = resident:").first.is_visible()
    assert "f_role=resident" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "followup-filtered")


def open_wave_section(page) -> None:
    """Resources' second section (heatmap and helpfulness chart), built when opened."""
    page.get_by_role("tab", name="By follow-up wave").click()
    page.get_by_text("first follow-up wave").first.wait_for(timeout=30_000)


def test_resources_wave_section_draws_its_charts(page, server_url):
    # the page's second section is built when opened: the heatmap and the helpfulness chart
    page.goto(f"{server_url}/resources")
    wait_ready(page, "Resources", 1)
    open_wave_section(page)
    wait_ready(page, "Resources", 2)
    visible = page.locator(".js-plotly-plot").filter(visible=True)
    assert visible.count() == 2
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "resources-by-wave")


def test_changing_the_analysis_set_changes_the_caption(page, server_url):
    # no grouping: by arm, all enrolled is refused (2 enhanced non-completers)
    page.goto(f"{server_url}/?group=No+grouping+%28everyone%29")
    wait_ready(page, "Overview", 1)
    assert page.get_by_text("Completers: 42 participants").first.is_visible()
    # Streamlit 1.67 draws a segmented control as a radiogroup of role="radio" buttons
    page.locator('[data-testid="stSidebar"]').get_by_role("radio", name="All enrolled").click()
    page.get_by_text("All enrolled: 50 participants").first.wait_for(timeout=15_000)
    assert "set=All+enrolled" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0


def test_a_view_a_subtraction_away_from_a_few_is_refused(page, server_url):
    # by arm (the default), all enrolled differs from the completers by 2 in enhanced
    page.goto(f"{server_url}/followup?set=All+enrolled")
    page.get_by_text("did not complete the study (in enhanced)").first.wait_for(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0  # nothing of the view is drawn
    assert page.get_by_text("All enrolled: 50").count() == 0  # not even its size
    shoot(page, "refused-view")


def test_small_groups_are_pooled_on_every_page(page, server_url):
    # by role at k = 5 the sample's midwives (4 completers) and "other" (4) are one group of 8
    page.goto(f"{server_url}/resources?group=Role")
    wait_ready(page, "Resources", 1)
    assert page.get_by_text("pooled into one: midwife + other (pooled)").first.is_visible()
    assert page.get_by_text("midwife + other (pooled)").count() >= 2  # the caption and the chart
    assert page.locator('[data-testid="stException"]').count() == 0
    shoot(page, "resources-by-role")
    page.get_by_role("link", name="Baseline").click()
    wait_ready(page, "Baseline characteristics", 0)
    assert "group=Role" in page.url
    shoot(page, "baseline-by-role")
