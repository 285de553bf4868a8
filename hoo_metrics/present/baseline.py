"""The Baseline page's view model: Table 1 (the participants' characteristics by group), the
one sentence on whether the groups compare, the levels pooled for the tests, and the caption.

Everything is read from the view's jointly suppressed tables: a hidden count prints "<5" /
"suppressed" in the table, and a test whose table has a hidden cell is hidden with it (the
takeaway says how many).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .format import baseline_display, baseline_pooled_note, baseline_verdict
from .model import Table
from .results import Results

__all__ = ["CAPTION", "NO_PARTICIPANTS", "ONE_GROUP", "BaselineModel", "baseline"]

NO_PARTICIPANTS = "No participants in this view."
ONE_GROUP = "One group only: choose a grouping to compare groups."
CAPTION = (
    "n (%) of the analysed participants in each group; blank cells shown as (blank). "
    "P: Fisher's exact test for 2x2 tables, the Fisher-Freeman-Halton exact test for tables "
    "of two rows or two columns that can be enumerated, otherwise the chi-square test — the "
    "test used is named on each row (Methods). "
    "Where levels have hidden counts, they are pooled into one level for the test (the row "
    "says which): the test then uses only numbers the table shows. "
    "Baseline stage category: recovery stage at month 0 (Scott et al. 2009)."
)


@dataclass(frozen=True)
class BaselineModel:
    """The takeaway above Table 1, the table, the note on pooled levels ("" when none was
    pooled) and the caption. ``table`` is None when nobody is in the view (the page then says
    ``NO_PARTICIPANTS`` and nothing else)."""

    takeaway: str
    table: Table | None
    pooled_note: str = ""
    caption: str = CAPTION


def baseline(results: Results) -> BaselineModel:
    """The Baseline page of ``results`` (a view that was not refused)."""
    table = results.tables["baseline_table"]
    tests = results.tables.get("baseline_tests")  # None with a single group
    if table.table.empty:
        return BaselineModel(NO_PARTICIPANTS, None, caption="")
    if tests is None:
        takeaway = ONE_GROUP
        display = baseline_display(
            table, pd.DataFrame(columns=["variable", "test", "statistic", "p_value"])
        )
    else:
        takeaway = baseline_verdict(tests, results.group_by or "")
        display = baseline_display(table, tests)
    options = {
        # tall enough for every row, so Table 1 reads without a scroll bar of its own
        "height": 36 * (len(display) + 1) + 4,
        "column_config": {"Level": {"width": "medium"}},
    }
    return BaselineModel(
        takeaway,
        Table(display, "baseline-table", key="table1", options=options),
        baseline_pooled_note(tests) if tests is not None else "",
    )
