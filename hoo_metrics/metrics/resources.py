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


def _group_order(labels: np.ndarray, groups: list[str]) -> np.ndarray:
    """Position of each label in the ascending group order of the cohort."""
    return pd.Index(groups).get_indexer(labels)


def _ranked(
    columns: dict[str, np.ndarray],
    block: np.ndarray,
    keys: list[np.ndarray],
    names: tuple[str, ...],
) -> pd.DataFrame:
    """The table of ``names`` from ``columns`` (one array per column, rows as built), its
    rows sorted by ``block`` (the month and group, ascending) then ``keys`` (ascending; the
    last key decides first among equals, as :func:`numpy.lexsort`), with ``rank`` 1.. within
    each block; group and resource as text, the counts int64, the rest float64."""
    order = np.lexsort([*keys, block])
    block = block[order]
    first = np.searchsorted(block, block, side="left")  # each row's block starts here
    columns = {c: v[order] for c, v in columns.items()}
    columns["rank"] = np.arange(len(block)) - first + 1
    return pd.DataFrame(
        {
            c: pd.Series(columns[c], dtype="str")
            if c in ("group", "resource")
            else np.asarray(columns[c], dtype="int64" if c in _INT_COLUMNS else "float64")
            for c in names
        }
    )


def _empty(names: tuple[str, ...]) -> pd.DataFrame:
    """The table with no rows, in its column order and dtypes."""
    none = {c: np.zeros(0, dtype=object) for c in names if c != "rank"}
    return _ranked(none, np.zeros(0, np.int64), [], names)


def _code_rank(codes: list[str]) -> np.ndarray:
    """Each resource code's place in ascending text order."""
    return np.argsort(np.argsort(np.asarray(codes, dtype=object), kind="stable"), kind="stable")


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
    if not len(present) or not codes:
        return _empty(WAVE_COLUMNS)
    r = len(codes)  # one row per wave-and-group with a respondent and resource (cohort order)
    col = {name: m[present].ravel() for name, m in wide.items()}
    col["respondents"] = np.repeat(respondents[present], r)
    col["month"] = np.repeat(months[present // n_groups], r)
    col["group"] = np.repeat(group_labels[present % n_groups], r)
    col["resource"] = np.tile(np.asarray(codes, dtype=object), len(present))
    n = col["helpful_n"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        col["used_share"] = col["used"] / col["respondents"]
        col["most_helpful_share"] = col["most_helpful"] / col["respondents"]
        mean = np.where(n > 0, col["_sum"] / n, np.nan)
        var = np.where(n > 1, (col["_sumsq"] - n * mean * mean) / (n - 1), np.nan)
    col["helpful_mean"] = mean
    col["helpful_sd"] = np.sqrt(np.clip(var, 0.0, None))  # clip float residue below zero
    col["helpful_ci_low"], col["helpful_ci_high"] = mean_interval_from_stats(
        mean, col["helpful_sd"], n
    )
    col["used_ci_low"], col["used_ci_high"] = wilson_interval(col["used"], col["respondents"])
    # rank within a wave and group: most_helpful, then helpful_mean (NaN last), then used,
    # all descending, then code ascending
    group_order = _group_order(group_labels, cohort.groups(group_by))
    block = np.repeat(
        np.searchsorted(months, months[present // n_groups]) * n_groups
        + group_order[present % n_groups],
        r,
    )
    mean_key = np.where(np.isnan(mean), np.inf, -mean)
    keys = [np.tile(_code_rank(codes), len(present)), -col["used"], mean_key, -col["most_helpful"]]
    return _ranked(col, block, keys, WAVE_COLUMNS)


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
    if not len(present) or not codes:
        return _empty(OVERALL_COLUMNS)
    # each follow-up row's group; every other row gets bin k (left out)
    row_group = np.append(group_code, k)[facts.owner]
    ratings = _cell_stats(row_group, k, facts)
    r = len(codes)  # one row per group with a participant and resource (cohort order)
    col = {
        "group": np.repeat(group_labels[present], r),
        "resource": np.tile(np.asarray(codes, dtype=object), len(present)),
        "participants": np.repeat(participants[present], r),
        "used_ever": _column_sums(group_code, k, facts.used_ever)[present].ravel(),
        "most_helpful_ever": _column_sums(group_code, k, facts.named_ever)[present].ravel(),
        "helpful_n": ratings[..., 2][present].ravel(),
    }
    total = col["participants"]
    with np.errstate(divide="ignore", invalid="ignore"):
        for m in ("used_ever", "most_helpful_ever"):
            col[m + "_share"] = col[m] / total
            col[m + "_ci_low"], col[m + "_ci_high"] = wilson_interval(col[m], total)
        n = col["helpful_n"].astype("float64")
        col["helpful_mean"] = np.where(n > 0, ratings[..., 3][present].ravel() / n, np.nan)
    # rank within a group: most_helpful_ever, then used_ever, descending, then code ascending
    group_order = _group_order(group_labels, cohort.groups(group_by))
    block = np.repeat(group_order[present], r)
    keys = [np.tile(_code_rank(codes), len(present)), -col["used_ever"], -col["most_helpful_ever"]]
    return _ranked(col, block, keys, OVERALL_COLUMNS)
