"""Enrollment: participants enrolled and analysed, and how their participation ended, per group.

Contract section 2, "Enrollment": enrolled = participants; analysed = participants in the
analysis set; both per group. The status counts (completed, withdrew, lost to follow-up) are
the CONSORT-style flow of the enrolled participants (Schulz et al., CONSORT 2010).
"""

from __future__ import annotations

import pandas as pd

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

    Method: counts by a ``groupby`` of group label against status (categoricals, so that
    empty cells are 0).
    """
    groups = cohort.groups(group_by)
    labels = cohort.group_labels(group_by)
    by_status = (
        pd.DataFrame(
            {
                "group": pd.Categorical(labels, categories=groups),
                "status": pd.Categorical(cohort.participants["status"], categories=STATUSES),
            }
        )
        .groupby(["group", "status"], observed=False)
        .size()
        .unstack("status")
        .reindex(index=groups, columns=list(STATUSES), fill_value=0)
    )

    analysed_labels = cohort.analysis_set(population).group_labels(group_by)
    analysed = analysed_labels.value_counts().reindex(groups, fill_value=0)

    out = pd.DataFrame(
        {
            "group": pd.Series(groups, dtype="str"),
            "enrolled": labels.value_counts().reindex(groups, fill_value=0).to_numpy(),
            "analysed": analysed.to_numpy(),
            "completed": by_status["completed"].to_numpy(),
            "withdrew": by_status["withdrew"].to_numpy(),
            "lost_to_follow_up": by_status["lost_to_follow_up"].to_numpy(),
        }
    )
    for c in COLUMNS[1:]:
        out[c] = out[c].astype("int64")
    return out
