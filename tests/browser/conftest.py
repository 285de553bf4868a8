"""A live ``streamlit run app.py`` on a free localhost port, and Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("HOO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# Charts are still once nothing inside any chart has changed for this long: Plotly animates a
# transition, and a Sankey fades its links in, frame by frame, each frame a DOM change.
CHARTS_QUIET_MS = 300

# Notes the time of the last DOM change inside a chart (installed once per document).
WATCH_CHARTS = """() => {
  const w = window.__hooCharts = window.__hooCharts || {last: 0, observer: null};
  if (!w.observer) {
    w.observer = new MutationObserver(records => {
      for (const r of records) {
        const node = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        const added = [...r.addedNodes].some(n => n.nodeType === 1
          && (n.matches('.js-plotly-plot') || n.querySelector('.js-plotly-plot')));
        if (added || (node && node.closest('.js-plotly-plot'))) w.last = performance.now();
      }
    });
    w.observer.observe(document.body,
      {subtree: true, childList: true, attributes: true, characterData: true});
  }
  w.last = performance.now();
}"""


def wait_charts_still(page, timeout: float = 30_000) -> None:
    """Wait until no chart has changed for CHARTS_QUIET_MS, counted from now: the charts have
    finished their transitions (before a screenshot)."""
    page.evaluate(WATCH_CHARTS)
    page.wait_for_function(
        "quiet => performance.now() - window.__hooCharts.last >= quiet",
        arg=CHARTS_QUIET_MS,
        timeout=timeout,
        polling=50,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(log: Path, env: dict | None = None):
    """``streamlit run app.py`` on a free localhost port; yields its URL once healthy, stops
    it afterwards. Its output goes to ``log``."""
    port = _free_port()
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "streamlit", "run", "app.py"),
                *("--server.port", str(port), "--server.address", "127.0.0.1"),
                *("--server.headless", "true", "--browser.gatherUsageStats", "false"),
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not start; see {log}")
                # A sleep on purpose: the server is another process with no page to wait on
                # yet; this is the interval between two asks of its health endpoint.
                time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="session")
def server_url():
    with streamlit_server(ROOT / "test-artifacts" / "streamlit-server.log") as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    yield pg
    context.close()
