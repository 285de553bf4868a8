"""Resources: which support resources participants used, how helpful, and which helped most.

Contract section 2, "Resources, per follow-up wave and group" and "Resources over the whole
follow-up, per group". Only follow-up waves count (``month > 0``). Shares carry Wilson (1927)
95 % intervals; mean helpfulness a t-based 95 % interval (``inference``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..contract import HELPFUL_MAX
from ._analysed import FollowupFacts, analyse
from ._frames import cast
from .inference import mean_interval_from_stats, wilson_interval

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


#: What ``_cell_stats`` counts: a follow-up cell (row x resource) packed into one small code,
#: bit 0 used, bit 1 named most helpful, bits 2.. the rating (0: not rated), so that one count
#: of codes per key gives every resource statistic. The packing is this counter's own.
_CELL_CODES = (HELPFUL_MAX + 1) * 4
#: Per code: used, most_helpful (named), helpful_n (rated), rating and rating squared; counts
#: of codes (k x codes) times this give the sums (whole numbers, exact in int64).
_CELL_STATS = np.array(
    [[c & 1, (c >> 1) & 1, int(c >> 2 > 0), c >> 2, (c >> 2) ** 2] for c in range(_CELL_CODES)],
    dtype=np.int64,
)


def _cell_stats(key: np.ndarray, k: int, facts: FollowupFacts) -> np.ndarray:
    """Per key 0 .. k-1 and resource (rows keyed k are left out): used, most_helpful,
    helpful_n, the sum of the ratings and of their squares (int64, k x resources x 5), from
    one count of cell codes per resource column."""
    n_resources = len(facts.resources)
    out = np.zeros((k, n_resources, _CELL_STATS.shape[1]), dtype=np.int64)
    bins = key * _CELL_CODES
    for j in range(n_resources):  # one resource column at a time
        code = facts.rating[:, j] << 2
        code |= facts.used[:, j]
        code |= facts.named[:, j].view(np.uint8) << 1
        counts = np.bincount(bins + code, minlength=(k + 1) * _CELL_CODES)
        out[:, j, :] = counts[: k * _CELL_CODES].reshape(k, _CELL_CODES) @ _CELL_STATS
    return out


def _column_sums(key: np.ndarray, k: int, matrix: np.ndarray) -> np.ndarray:
    """Sums of the rows of ``matrix`` (rows x columns) per key 0 .. k-1 (a k x columns float64
    array; rows keyed k or more are left out): one weighted bincount per column. The summed
    values are flags, so the float sums are exact whatever the order of addition."""
    out = np.zeros((k, matrix.shape[1]))
    for j in range(matrix.shape[1]):  # one resource column at a time
        out[:, j] = np.bincount(key, weights=matrix[:, j], minlength=k)[:k]
    return out


def _group_codes(analysed: Cohort, group_by: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Code of each analysed participant's group (0 .. G-1) and the G labels."""
    codes, labels = pd.factorize(analysed.group_labels(group_by).to_numpy(dtype=object))
    return codes.astype("int64"), np.asarray(labels, dtype=object)


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
    return cast(out[list(columns)], dtypes).reset_index(drop=True)


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
    analysed = analyse(cohort, population)
    facts = analysed.followup
    codes, follow = list(facts.resources), facts.follow
    group_code, group_labels = _group_codes(analysed.cohort, group_by)
    months = np.unique(facts.month[follow])
    n_groups = len(group_labels)
    k = len(months) * n_groups
    # each follow-up row's wave-and-group bin; every other row gets bin k (left out)
    key = np.full(len(follow), k, dtype=np.int64)
    key[follow] = (
        np.searchsorted(months, facts.month[follow]) * n_groups + group_code[facts.owner[follow]]
    )
    respondents = np.bincount(key, minlength=k + 1)[:k]
    stats = _cell_stats(key, k, facts)
    wide = {
        "used": stats[..., 0],
        "most_helpful": stats[..., 1],
        "helpful_n": stats[..., 2],
        "_sum": stats[..., 3].astype("float64"),
        "_sumsq": stats[..., 4].astype("float64"),
    }
    present = np.flatnonzero(respondents > 0)  # waves and groups with a respondent
    wide = {name: m[present] for name, m in wide.items()}
    wide["respondents"] = np.repeat(respondents[present][:, None], len(codes), axis=1)
    keys = pd.DataFrame(
        {
            "month": months[present // n_groups].astype("int64"),
            "group": pd.Series(group_labels[present % n_groups], dtype="str"),
        }
    )
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
    analysed = analyse(cohort, population)
    facts = analysed.followup
    codes = list(facts.resources)
    group_code, group_labels = _group_codes(analysed.cohort, group_by)
    k = len(group_labels)
    answered = facts.answered  # participants with a follow-up response
    participants = np.bincount(group_code[answered], minlength=k)
    present = np.flatnonzero(participants > 0)  # groups with a participant
    keys = pd.DataFrame({"group": pd.Series(group_labels[present], dtype="str")})
    # each follow-up row's group; every other row gets bin k (left out)
    row_group = np.append(group_code, k)[facts.owner]
    ratings = _cell_stats(row_group, k, facts)
    wide = {
        "participants": np.repeat(participants[present][:, None], len(codes), axis=1),
        "used_ever": _column_sums(group_code, k, facts.used_ever)[present].astype("int64"),
        "most_helpful_ever": _column_sums(group_code, k, facts.named_ever)[present].astype("int64"),
        "_sum": ratings[..., 3][present].astype("float64"),
        "helpful_n": ratings[..., 2][present],
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
