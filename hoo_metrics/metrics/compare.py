"""Group comparison of resources (contract section 2, "Group comparison of resources")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ._frames import cast
from .inference import benjamini_hochberg, compare_proportions
from .resources import resources_overall

MEASURES = ("used_ever", "most_helpful_ever")
COLUMNS = (
    "resource",
    "measure",
    "test",
    "p_value",
    "q_value",
    "risk_difference",
    "risk_difference_ci_low",
    "risk_difference_ci_high",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
)


def compare_resources(
    cohort: Cohort,
    group_by: str | None = "arm",
    population: str = "completed",
    overall: pd.DataFrame | None = None,
    odds_ratios: bool = True,
) -> pd.DataFrame:
    """Compare, across groups, the share of participants who ever used / ever named as most
    helpful each resource over the follow-up (counts and ``participants`` of
    ``resources_overall``; groups without participants are left out of the test).

    Two groups: Fisher's exact test, two-sided, on [[a, n1 - a], [b, n2 - b]] (groups ascending),
    with the risk difference (first group minus second) and its Newcombe (1998) hybrid score
    95 % interval, and the conditional maximum-likelihood odds ratio with its exact 95 %
    interval. More groups: the chi-square test of independence (risk difference and odds ratio
    NaN). ``p_value`` is NaN where the test is undefined (fewer than two groups with
    participants; with more than two groups, a resource nobody or everybody used). ``q_value``:
    Benjamini & Hochberg (1995) over the resources of one measure that have a p-value.

    Rows: the measures in the order used_ever, most_helpful_ever; resources in cohort order.

    ``overall``: ``resources_overall(cohort, group_by, population)`` when the caller already
    has it (the summary does); computed here when None.

    ``odds_ratios=False`` leaves ``odds_ratio``, ``odds_ratio_ci_low`` and ``odds_ratio_ci_high``
    NaN and skips their root-finding (the summary prints none of them); every other column is
    the same.
    """
    if overall is None:
        overall = resources_overall(cohort, group_by, population)
    # each resource's rows: groups ascending, participants >= 1
    of_resource = overall.groupby("resource", sort=False).indices
    none = np.zeros(0, np.intp)
    group = overall["group"].to_numpy(dtype=object)
    participants = overall["participants"].to_numpy()
    rows = []
    for measure in MEASURES:
        counts = overall[measure].to_numpy()
        block = []
        for code in cohort.resources:
            at = of_resource.get(code, none)
            res = compare_proportions(
                counts[at], participants[at], list(group[at]), odds_ratio=odds_ratios
            )
            rd_low, rd_high = res.risk_difference_ci()
            or_low, or_high = res.odds_ratio_ci()
            block.append(
                {
                    "resource": code,
                    "measure": measure,
                    "test": res.test,
                    "p_value": res.pvalue,
                    "q_value": np.nan,
                    "risk_difference": res.risk_difference,
                    "risk_difference_ci_low": rd_low,
                    "risk_difference_ci_high": rd_high,
                    "odds_ratio": res.odds_ratio,
                    "odds_ratio_ci_low": or_low,
                    "odds_ratio_ci_high": or_high,
                }
            )
        q = benjamini_hochberg([r["p_value"] for r in block])
        for r, value in zip(block, q, strict=True):
            r["q_value"] = float(value)
        rows.extend(block)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    return cast(
        out,
        {"resource": "str", "measure": "str", "test": "str"} | {c: "float64" for c in COLUMNS[3:]},
    )
