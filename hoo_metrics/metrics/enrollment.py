"""Enrollment: participants enrolled and analysed, and how their participation ended, per group.

Contract section 2, "Enrollment": enrolled = participants; analysed = participants in the
analysis set; both per group. The status counts (completed, withdrew, lost to follow-up) are
the CONSORT-style flow of the enrolled participants (Schulz et al., CONSORT 2010).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..arrowtext import index_in
from ..cohort import Cohort
from ..contract import STATUSES

COLUMNS = ("group", "enrolled", "analysed", "completed", "withdrew", "lost_to_follow_up")


def enrollment(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Participants enrolled, analysed and by status, one row per group.

    Parameters
    ----------
    cohort : the (possibly filtered) cohort; its participants are the enrolled ones.
    group_by : participant column to group by; ``None`` gives one group, ``ALL_GROUP``.
    population : analysis set, ``"completed"`` (completers) or ``"all"`` (all enrolled).

    Returns
    -------
    DataFrame with columns group, enrolled, analysed, completed, withdrew,
    lost_to_follow_up (int64), one row per group of ``cohort.groups(group_by)`` in that
    (ascending) order. completed + withdrew + lost_to_follow_up = enrolled.

    Method: one ``bincount`` of (group, status) positions.
    """
    groups = cohort.groups(group_by)
    g = index_in(cohort.group_labels(group_by), groups)
    status = index_in(cohort.participants["status"], list(STATUSES))
    known = (g >= 0) & (status >= 0)
    ns = len(STATUSES)
    by_status = np.bincount(g[known] * ns + status[known], minlength=len(groups) * ns)
    by_status = by_status.reshape(len(groups), ns)
    enrolled = np.bincount(g[g >= 0], minlength=len(groups))
    a = index_in(cohort.analysis_set(population).group_labels(group_by), groups)
    analysed = np.bincount(a[a >= 0], minlength=len(groups))
    columns = {"enrolled": enrolled, "analysed": analysed}
    columns |= {s: by_status[:, i] for i, s in enumerate(STATUSES)}
    out = {"group": pd.Series(groups, dtype="str")}
    out |= {c: np.asarray(columns[c], dtype="int64") for c in COLUMNS[1:]}
    return pd.DataFrame(out)
