"""The machine-readable summary: the JSON object of data-contract section 3.

Every number comes from the metric modules; this module only arranges them, keeps floats
unrounded and turns missing values (NaN) into ``null``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..contract import DEFAULT_GROUP_BY, STAGE_CATEGORIES
from ..metrics.compare import compare_resources
from ..metrics.enrollment import enrollment
from ..metrics.followup import ended_by_contact, followup_summary
from ..metrics.resources import resources_by_wave, resources_overall
from ..metrics.stages import early_to_thriving, recovered_resource_tests, transitions


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


def _whole(value: Any) -> Any:
    """A count as an int (a reason code or a missing value as _num gives them)."""
    value = _num(value)
    return int(value) if isinstance(value, float) else value


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
        "participants": _whole(summary_row["participants"]),
        "ended_by_contact": {
            str(int(k)): _num(s) for k, s in zip(ended["contact"], ended["share"], strict=True)
        },
        "median_contacts": _num(summary_row["median_contacts"]),
        "median_support_days": _num(summary_row["median_support_days"]),
    }


def summary(
    cohort: Cohort,
    population: str = "completed",
    group_by: str = DEFAULT_GROUP_BY,
    suppression=None,
) -> dict[str, Any]:
    """The summary of one cohort as the JSON object of data-contract section 3.

    Parameters
    ----------
    cohort : the validated cohort.
    population : ``completed`` (the analysis set of completers) or ``all`` enrolled.
    group_by : the participant column whose values are the groups (default ``arm``).
    suppression : None (the contract's JSON, nothing hidden), or a threshold k / a
        :class:`hoo_metrics.privacy.Suppression`: the numbers are then the view's jointly
        suppressed tables (:func:`hoo_metrics.present.results.compute_results`, as every page and
        export shows them), hidden values are null, and a top-level ``"suppression"`` object
        says ``{"min_cell": k, "enabled": bool, "pooled": {value: group}, "suppressed":
        [{"path", "reason", "code"}]}`` (``pooled``: the grouping's values shown together as
        one group, privacy.pooled_groups).
    """
    if suppression is None:
        return _assemble(
            cohort.groups(group_by), population, group_by, _frames(cohort, group_by, population)
        )
    from ..privacy import reason_text
    from .results import compute_results

    res = compute_results(cohort, population, group_by, None, suppression)
    # the view's cohort: its grouping's small values pooled as the results pool them
    raw = _frames(res.cohort, group_by, population)
    groups = res.cohort.groups(group_by)
    listing: list[dict[str, Any]] = []
    setting = res.suppression
    if res.refusal is not None:
        out: dict[str, Any] = {"population": population, "group_by": group_by, "groups": groups}
        out["suppression"] = {
            "min_cell": setting.k,
            "enabled": setting.enabled,
            "refused": res.refusal.message,
            "suppressed": [],
        }
        return out
    values = _suppressed_frames(res, raw, "table")
    raw["transitions_keep"] = values["transitions_keep"]  # hidden cells are listed, as null
    out = _assemble(groups, population, group_by, raw)
    shown = _assemble(groups, population, group_by, values)
    codes = _assemble(groups, population, group_by, _suppressed_frames(res, raw, "reasons"))
    _hide_paths(out, shown, codes, [], listing, setting.k, reason_text)
    out["suppression"] = {
        "min_cell": setting.k,
        "enabled": setting.enabled,
        # the grouping's values shown together as one group (value -> that group's name)
        "pooled": dict(res.pooled),
        "suppressed": listing,
    }
    return out


def _frames(cohort: Cohort, group_by, population) -> dict[str, pd.DataFrame]:
    """The metric frames the summary arranges."""
    overall = resources_overall(cohort, group_by, population)
    return {
        "enrollment": enrollment(cohort, group_by, population),
        "followup_overall": followup_summary(cohort, None, population),
        "ended_overall": ended_by_contact(cohort, None, population),
        "followup": followup_summary(cohort, group_by, population),
        "ended": ended_by_contact(cohort, group_by, population),
        "resources_by_wave": resources_by_wave(cohort, group_by, population),
        "resources_overall": overall,
        # the summary prints p-values only: skip the odds ratios' root-finding
        "resource_tests": compare_resources(
            cohort, group_by, population, overall=overall, odds_ratios=False
        ),
        "transitions": transitions(cohort, group_by, population, to="last"),
        "early_to_thriving": early_to_thriving(cohort, group_by, population),
        "early_to_thriving_overall": None,
        "recovered": recovered_resource_tests(cohort, population, odds_ratios=False),
    }


def _suppressed_frames(res, raw: dict, attr: str) -> dict[str, pd.DataFrame]:
    """The same frames from the view's suppressed tables (``attr``: "table" for the values,
    "reasons" for the reason codes)."""
    t = res.tables

    def get(name, overall=False):
        st = t[name].overall if overall else t[name]
        return getattr(st, attr).reset_index(drop=True)

    def aligned(frame: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
        # keys (group, resource, month, ...) as in the raw frame; values from the suppressed one
        out = like.reset_index(drop=True).copy()
        for c in frame.columns:
            if c in out.columns and c not in (
                "group",
                "resource",
                "month",
                "measure",
                "from",
                "to",
                "contact",
            ):
                out[c] = frame[c].to_numpy()
        return out

    tests = raw["resource_tests"]
    if "resource_comparison" in t:
        comp = getattr(t["resource_comparison"], attr).reset_index(drop=True)
        full = t["resource_comparison"].table.reset_index(drop=True)
        merged = tests[["resource", "measure"]].merge(
            pd.concat([full[["resource", "measure"]], comp[["p_value", "q_value"]]], axis=1),
            on=["resource", "measure"],
            how="left",
        )
        tests = tests.assign(
            p_value=merged["p_value"].to_numpy(), q_value=merged["q_value"].to_numpy()
        )
    elif attr == "reasons":
        tests = tests.assign(p_value="", q_value="")
    trans_raw = raw["transitions"].reset_index(drop=True)
    trans = aligned(get("transitions"), trans_raw)
    e2t = t["early_to_thriving"]
    return {
        "enrollment": aligned(get("enrollment"), raw["enrollment"]),
        "enrollment_overall": get("enrollment", overall=True),
        "followup_overall": aligned(get("followup_summary", True), raw["followup_overall"]),
        "ended_overall": aligned(get("ended_by_contact", True), raw["ended_overall"]),
        "followup": aligned(get("followup_summary"), raw["followup"]),
        "ended": aligned(get("ended_by_contact"), raw["ended"]),
        "resources_by_wave": aligned(get("resources_by_wave"), raw["resources_by_wave"]),
        "resources_overall": aligned(get("resources_overall"), raw["resources_overall"]),
        "resource_tests": tests,
        "transitions": trans,
        "transitions_keep": (trans_raw["n"] > 0).to_numpy() | t["transitions"].mask["n"].to_numpy(),
        "early_to_thriving": aligned(
            getattr(e2t, attr).reset_index(drop=True), raw["early_to_thriving"]
        ),
        "early_to_thriving_overall": getattr(e2t.overall, attr).reset_index(drop=True)
        if e2t.overall is not None
        else None,
        "recovered": aligned(get("recovered_resource_tests"), raw["recovered"]),
    }


def _hide_paths(raw, shown, codes, path, listing, k, reason_text) -> None:
    """Null every value of the raw JSON that the suppressed one hides, listing it with its
    reason (counts keep their integer form where shown)."""
    items = raw.items() if isinstance(raw, dict) else enumerate(raw)
    for key, value in list(items):
        sub_shown = shown[key]
        sub_codes = codes[key] if isinstance(codes, (dict, list)) else None
        if isinstance(value, (dict, list)):
            _hide_paths(value, sub_shown, sub_codes, [*path, key], listing, k, reason_text)
        elif value is not None and sub_shown is None:
            code = sub_codes if isinstance(sub_codes, str) and sub_codes else "secondary"
            listing.append(
                {"path": _path_text([*path, key]), "reason": reason_text(code, k), "code": code}
            )
            raw[key] = None


def _path_text(path: list) -> str:
    text = ""
    for p in path:
        text += f"[{p}]" if isinstance(p, int) else (f".{p}" if text else str(p))
    return text


def _assemble(groups: list[str], population: str, group_by, f: dict) -> dict[str, Any]:
    """The JSON object from the metric frames (raw, suppressed values or reason codes)."""
    enr = f["enrollment"]
    over = f.get("enrollment_overall")
    enrollment_block = {
        "enrolled": _num(over["enrolled"].iloc[0])
        if over is not None
        else _int_sum(enr["enrolled"]),
        "analysed": _num(over["analysed"].iloc[0])
        if over is not None
        else _int_sum(enr["analysed"]),
        "by_group": {
            g: {"enrolled": _num(e), "analysed": _num(a)}
            for g, e, a in zip(enr["group"], enr["enrolled"], enr["analysed"], strict=True)
        },
    }
    overall_fu, overall_ended = f["followup_overall"], f["ended_overall"]
    fu = f["followup"].set_index("group")
    ended = f["ended"]
    followup_block = _followup_block(overall_fu.iloc[0] if len(overall_fu) else None, overall_ended)
    followup_block["by_group"] = {
        g: _followup_block(fu.loc[g] if g in fu.index else None, ended[ended["group"] == g])
        for g in groups
    }
    resources_list = _records(
        f["resources_by_wave"],
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
    overall_list = _records(
        f["resources_overall"],
        ["group", "resource", "participants", "used_ever", "most_helpful_ever", "rank"],
    )
    tests_list = _records(f["resource_tests"], ["resource", "measure", "p_value", "q_value"])
    trans = f["transitions"]
    keep = f.get("transitions_keep")
    trans = trans[trans["n"] > 0] if keep is None else trans[keep]
    e2t = f["early_to_thriving"].set_index("group")["n"]
    e2t_over = f.get("early_to_thriving_overall")
    transitions_block = {
        "categories": list(STAGE_CATEGORIES),
        "counts": _records(trans, ["group", "from", "to", "n"]),
        "early_to_thriving": {
            "n": _num(e2t_over["n"].iloc[0]) if e2t_over is not None else _int_sum(e2t),
            "by_group": {g: _num(e2t.get(g, 0)) for g in groups},
        },
    }
    recovered_list = _records(
        f["recovered"],
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


def _int_sum(values: pd.Series) -> int:
    return int(values.sum())
