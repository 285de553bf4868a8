"""Resources: which support resources participants used, how helpful, and which helped most.

Contract section 2, "Resources, per follow-up wave and group" and "Resources over the whole
follow-up, per group". Only follow-up waves count (``month > 0``). Shares carry Wilson (1927)
95 % intervals; mean helpfulness a t-based 95 % interval (``inference``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort
from .inference import mean_interval_from_stats, wilson_interval
from .stages import positions

WAVE_COLUMNS = (
    "month",
    "group",
    "resource",
    "respondents",
    "used",
    "used_share",
    "used_ci_low",
    "used_ci_high",
    "helpful_mean",
    "helpful_n",
    "helpful_sd",
    "helpful_ci_low",
    "helpful_ci_high",
    "most_helpful",
    "most_helpful_share",
    "rank",
)
OVERALL_COLUMNS = (
    "group",
    "resource",
    "participants",
    "used_ever",
    "used_ever_share",
    "used_ever_ci_low",
    "used_ever_ci_high",
    "most_helpful_ever",
    "most_helpful_ever_share",
    "most_helpful_ever_ci_low",
    "most_helpful_ever_ci_high",
    "helpful_mean",
    "helpful_n",
    "rank",
)
_INT_COLUMNS = (
    "month",
    "respondents",
    "used",
    "helpful_n",
    "most_helpful",
    "rank",
    "participants",
    "used_ever",
    "most_helpful_ever",
)


def _followup_matrices(cohort: Cohort, group_by: str | None, population: str):
    """Follow-up responses of the analysed participants as arrays: participant position (in the
    analysed participants), month, group label, per resource (columns in cohort order) used,
    rating and named-most-helpful matrices, and the group label of every analysed participant.
    A rating counts only where the resource was used."""
    analysed = cohort.analysis_set(population)
    responses = analysed.responses
    follow = (responses["month"] > 0).to_numpy()
    codes = list(analysed.resources)
    r = responses[follow]
    participants = analysed.participants
    position = positions(r["participant_id"], participants["participant_id"])
    labels = analysed.group_labels(group_by).to_numpy(dtype=object)
    group = labels[position]
    used = r[[analysed.used_column(c) for c in codes]].to_numpy(dtype="float64", na_value=np.nan)
    used = used == 1.0
    rating = r[[analysed.helpful_column(c) for c in codes]].to_numpy(
        dtype="float64", na_value=np.nan
    )
    rating = np.where(used, rating, np.nan)
    named = analysed.most_helpful_matrix.to_numpy(dtype=bool)[follow]
    if named.shape[1] != len(codes):  # no most_helpful column at all
        named = np.zeros_like(used)
    month = r["month"].to_numpy(dtype="int64")
    return position, month, group, codes, used, rating, named, labels


def _group_rank(group: pd.Series, groups: list[str]) -> np.ndarray:
    """Position of each label in the ascending group order of the cohort."""
    return pd.Index(groups).get_indexer(group)


def _long(keys: pd.DataFrame, wide: dict[str, np.ndarray], codes: list[str]) -> pd.DataFrame:
    """Key rows x resources -> one row per key row and resource (resources in cohort order)."""
    k = len(keys)
    out = keys.loc[keys.index.repeat(len(codes))].reset_index(drop=True)
    out["resource"] = pd.Series(np.tile(np.asarray(codes, dtype=object), k), dtype="str")
    for name, matrix in wide.items():
        out[name] = matrix.reshape(-1)
    return out


def _finish(out: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """Canonical dtypes and column order."""
    dtypes = {c: ("int64" if c in _INT_COLUMNS else "float64") for c in columns}
    dtypes["group"] = "str"
    dtypes["resource"] = "str"
    return out[list(columns)].astype(dtypes).reset_index(drop=True)


def resources_by_wave(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Per follow-up wave (month > 0), group and resource: respondents, used (share, Wilson
    95 % interval), helpful_mean / helpful_n / helpful_sd (sample SD) and its t-based 95 %
    interval over respondents who used the resource and rated it, most_helpful (respondents
    naming it) and its share of respondents, and ``rank``.

    ``rank`` orders the resources within a wave and group: most_helpful descending, then
    helpful_mean descending (NaN last), then used descending, then code ascending; 1..R with no
    ties. Only waves and groups with at least one respondent are listed. Sorted by month, group
    (ascending as ``cohort.groups``), rank.
    """
    _, month, group, codes, used, rating, named, _ = _followup_matrices(
        cohort, group_by, population
    )
    rated = ~np.isnan(rating)
    r0 = np.where(rated, rating, 0.0)
    frame = pd.DataFrame({"month": month, "group": group, "respondents": 1})
    n = len(codes)
    blocks = {
        "used": used.astype("int64"),
        "most_helpful": named.astype("int64"),
        "helpful_n": rated.astype("int64"),
        "_sum": r0,
        "_sumsq": r0 * r0,
    }
    for name, m in blocks.items():
        frame = pd.concat(
            [frame, pd.DataFrame(m, columns=[f"{name}:{i}" for i in range(n)], index=frame.index)],
            axis=1,
        )
    sums = frame.groupby(["month", "group"], sort=False).sum()
    keys = sums.index.to_frame(index=False)
    wide = {name: sums[[f"{name}:{i}" for i in range(n)]].to_numpy() for name in blocks}
    wide["respondents"] = np.repeat(sums["respondents"].to_numpy()[:, None], n, axis=1)
    out = _long(keys, wide, codes)
    if out.empty:
        return _finish(pd.DataFrame({c: [] for c in WAVE_COLUMNS}), WAVE_COLUMNS)

    k = out["helpful_n"].to_numpy(dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        out["used_share"] = out["used"] / out["respondents"]
        out["most_helpful_share"] = out["most_helpful"] / out["respondents"]
        mean = np.where(k > 0, out["_sum"] / k, np.nan)
        var = np.where(k > 1, (out["_sumsq"] - k * mean * mean) / (k - 1), np.nan)
    out["helpful_mean"] = mean
    out["helpful_sd"] = np.sqrt(np.clip(var, 0.0, None))  # clip float residue below zero
    out["helpful_ci_low"], out["helpful_ci_high"] = mean_interval_from_stats(
        out["helpful_mean"].to_numpy(), out["helpful_sd"].to_numpy(), k
    )
    out["used_ci_low"], out["used_ci_high"] = wilson_interval(
        out["used"].to_numpy(), out["respondents"].to_numpy()
    )

    out["_group_order"] = _group_rank(out["group"], cohort.groups(group_by))
    out = out.sort_values(
        ["month", "_group_order", "most_helpful", "helpful_mean", "used", "resource"],
        ascending=[True, True, False, False, False, True],
        na_position="last",
        kind="stable",
    )
    out["rank"] = out.groupby(["month", "group"], sort=False).cumcount() + 1
    return _finish(out, WAVE_COLUMNS)


def resources_overall(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Per group and resource over the whole follow-up: participants (analysed with at least
    one follow-up response), used_ever (used at any follow-up wave) and most_helpful_ever
    (named at any follow-up wave), each with its share and Wilson (1927) 95 % interval;
    helpful_mean / helpful_n over all follow-up ratings of the group's participants; ``rank``:
    most_helpful_ever descending, then used_ever descending, then code ascending (1..R, no ties).

    Only groups with at least one participant are listed. Sorted by group (ascending as
    ``cohort.groups``), rank.
    """
    position, _, _, codes, used, rating, named, labels = _followup_matrices(
        cohort, group_by, population
    )
    n = len(codes)
    rated = ~np.isnan(rating)
    per = pd.DataFrame(
        np.hstack([used, named]).astype("int8"),
        columns=[f"u:{i}" for i in range(n)] + [f"m:{i}" for i in range(n)],
    )
    per["_p"] = position
    ever = per.groupby("_p", sort=False).max()  # one row per participant with a response
    ever["group"] = labels[ever.index.to_numpy()]
    ever["participants"] = 1
    by_group = ever.groupby("group", sort=False).sum()

    ratings = pd.DataFrame(
        np.hstack([np.where(rated, rating, 0.0), rated.astype("float64")]),
        columns=[f"s:{i}" for i in range(n)] + [f"n:{i}" for i in range(n)],
    )
    ratings["group"] = labels[position]
    rating_sums = ratings.groupby("group", sort=False).sum().reindex(by_group.index)

    keys = pd.DataFrame({"group": by_group.index.to_numpy(dtype=object)})
    wide = {
        "participants": np.repeat(by_group["participants"].to_numpy()[:, None], n, axis=1),
        "used_ever": by_group[[f"u:{i}" for i in range(n)]].to_numpy(dtype="int64"),
        "most_helpful_ever": by_group[[f"m:{i}" for i in range(n)]].to_numpy(dtype="int64"),
        "_sum": rating_sums[[f"s:{i}" for i in range(n)]].to_numpy(dtype="float64"),
        "helpful_n": rating_sums[[f"n:{i}" for i in range(n)]].to_numpy(dtype="int64"),
    }
    out = _long(keys, wide, codes)
    if out.empty:
        return _finish(pd.DataFrame({c: [] for c in OVERALL_COLUMNS}), OVERALL_COLUMNS)

    total = out["participants"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in ("used_ever", "most_helpful_ever"):
            x = out[m].to_numpy()
            out[m + "_share"] = x / total
            out[m + "_ci_low"], out[m + "_ci_high"] = wilson_interval(x, total)
        k = out["helpful_n"].to_numpy(dtype="float64")
        out["helpful_mean"] = np.where(k > 0, out["_sum"] / k, np.nan)

    out["_group_order"] = _group_rank(out["group"], cohort.groups(group_by))
    out = out.sort_values(
        ["_group_order", "most_helpful_ever", "used_ever", "resource"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    out["rank"] = out.groupby("group", sort=False).cumcount() + 1
    return _finish(out, OVERALL_COLUMNS)
