"""AppTest helpers: run app.py on a page of the sample cohort, read what is shown."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("overview", "baseline", "resources", "recovery", "followup", "compare", "data", "methods")


def open_page(page: str, query: dict | None = None) -> AppTest:
    """app.py run on ``page`` (a file of app_pages/), with optional URL query parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py")
        at.run()
    return at


def texts(at: AppTest) -> str:
    """Every markdown, caption, title, warning, info box and metric value shown, as one text."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += [e.value for e in at.warning] + [e.value for e in at.info]
    parts += [e.value for e in at.title] + [f"{m.label}: {m.value}" for m in at.metric]
    return "\n".join(str(p) for p in parts)


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.message for e in at.exception]


@pytest.fixture(scope="session")
def sample():
    import hoo_metrics as hm

    return hm.load_sample()
