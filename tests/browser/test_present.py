"""Presentation mode in Chromium at a projector's 1280x720: two steps, screenshots kept."""

from __future__ import annotations

import pytest

from .conftest import SCREENSHOTS, wait_charts_still

pytestmark = pytest.mark.browser


def _ready(page, title: str) -> None:
    page.get_by_role("heading", name=title, exact=True).first.wait_for(timeout=60_000)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(
        timeout=60_000
    )
    page.wait_for_function(
        "() => document.querySelectorAll('.js-plotly-plot .main-svg').length >= 1",
        timeout=30_000,
    )
    wait_charts_still(page)


def test_two_steps_at_projector_size(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    try:
        page.goto(f"{server_url}/present?step=2")
        _ready(page, "What helped most, by group")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "present-step2.png")
        # the sentence is in large type (a projector at the back of a room)
        size = page.evaluate(
            "() => parseFloat(getComputedStyle(document.querySelector("
            "'.st-key-hoo-present p')).fontSize)"
        )
        assert size >= 24
        page.get_by_role("button", name="Next").click()
        _ready(page, "Departmental leadership")
        assert "step=3" in page.url
        page.screenshot(path=SCREENSHOTS / "present-step3.png")
        page.get_by_role("button", name="Previous").click()
        _ready(page, "What helped most, by group")
        assert "step=2" in page.url
    finally:
        context.close()
