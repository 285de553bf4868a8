"""The machine-readable summary: the JSON object of data-contract section 3.

Every number comes from the metric modules; this module only arranges them, keeps floats
unrounded and turns missing values (NaN) into ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .cohort import Cohort
from .compare import compare_resources
from .contract import DEFAULT_GROUP_BY, STAGE_CATEGORIES
from .enrollment import enrollment
from .followup import ended_by_contact, followup_summary
from .resources import resources_by_wave, resources_overall
from .stages import early_to_thriving, recovered_resource_tests, transitions


def _num(value: Any) -> Any:
    """A JSON-ready scalar: numpy numbers to Python ones, NaN/NA to None."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return None if math.isnan(value) else value
    return value


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    return [
        {c: _num(v) for c, v in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False, name=None)
    ]


def _followup_block(summary_row: pd.Series | None, ended: pd.DataFrame) -> dict[str, Any]:
    if summary_row is None:
        return {
            "participants": 0,
            "ended_by_contact": {},
            "median_contacts": None,
            "median_support_days": None,
        }
    return {
        "participants": int(summary_row["participants"]),
        "ended_by_contact": {
            str(int(k)): _num(s) for k, s in zip(ended["contact"], ended["share"], strict=True)
        },
        "median_contacts": _num(summary_row["median_contacts"]),
        "median_support_days": _num(summary_row["median_support_days"]),
    }


def summary(
    cohort: Cohort, population: str = "completed", group_by: str = DEFAULT_GROUP_BY
) -> dict[str, Any]:
    """The summary of one cohort as the JSON object of data-contract section 3.

    Parameters
    ----------
    cohort : the validated cohort.
    population : ``completed`` (the analysis set of completers) or ``all`` enrolled.
    group_by : the participant column whose values are the groups (default ``arm``).
    """
    groups = cohort.groups(group_by)

    enr = enrollment(cohort, group_by, population)
    enrollment_block = {
        "enrolled": int(enr["enrolled"].sum()),
        "analysed": int(enr["analysed"].sum()),
        "by_group": {
            g: {"enrolled": int(e), "analysed": int(a)}
            for g, e, a in zip(enr["group"], enr["enrolled"], enr["analysed"], strict=True)
        },
    }

    overall_fu = followup_summary(cohort, None, population)
    overall_ended = ended_by_contact(cohort, None, population)
    fu = followup_summary(cohort, group_by, population).set_index("group")
    ended = ended_by_contact(cohort, group_by, population)
    followup_block = _followup_block(overall_fu.iloc[0] if len(overall_fu) else None, overall_ended)
    followup_block["by_group"] = {
        g: _followup_block(fu.loc[g] if g in fu.index else None, ended[ended["group"] == g])
        for g in groups
    }

    wave = resources_by_wave(cohort, group_by, population)
    resources_list = _records(
        wave,
        [
            "month",
            "group",
            "resource",
            "respondents",
            "used",
            "used_share",
            "helpful_mean",
            "helpful_n",
            "most_helpful",
            "rank",
        ],
    )
    overall = resources_overall(cohort, group_by, population)
    overall_list = _records(
        overall, ["group", "resource", "participants", "used_ever", "most_helpful_ever", "rank"]
    )
    # the summary prints p-values only: skip the odds ratios' root-finding
    tests = compare_resources(cohort, group_by, population, overall=overall, odds_ratios=False)
    tests_list = _records(tests, ["resource", "measure", "p_value", "q_value"])

    trans = transitions(cohort, group_by, population, to="last")
    trans = trans[trans["n"] > 0]
    e2t = early_to_thriving(cohort, group_by, population).set_index("group")["n"]
    transitions_block = {
        "categories": list(STAGE_CATEGORIES),
        "counts": _records(trans, ["group", "from", "to", "n"]),
        "early_to_thriving": {
            "n": int(e2t.sum()),
            "by_group": {g: int(e2t.get(g, 0)) for g in groups},
        },
    }
    recovered = recovered_resource_tests(cohort, population, odds_ratios=False)
    recovered_list = _records(
        recovered,
        ["resource", "transitioned", "transitioned_n", "others", "others_n", "p_value"],
    )

    return {
        "population": population,
        "group_by": group_by,
        "groups": groups,
        "enrollment": enrollment_block,
        "followup": followup_block,
        "resources": resources_list,
        "resources_overall": overall_list,
        "resource_tests": tests_list,
        "transitions": transitions_block,
        "transition_resource_tests": recovered_list,
    }
