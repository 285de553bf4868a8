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


def _followup_base(analysed: Cohort) -> dict:
    """The group-free arrays of the follow-up responses (``month > 0``) of an analysed cohort,
    computed once per cohort: participant position (in ``analysed.participants``), month, the
    resource codes, and per resource (columns in cohort order) the used, rating (only where the
    resource was used, else NaN; ``rating_or_0``: 0 there) and named-most-helpful matrices;
    then per participant (``answered``: has a follow-up response) and resource: used ever and
    named ever."""
    responses = analysed.responses
    month = responses["month"].to_numpy(dtype="int64")
    follow = month > 0
    codes = list(analysed.resources)
    position = analysed.response_positions[follow]
    used_columns = responses[[analysed.used_column(c) for c in codes]]
    used = used_columns.to_numpy(dtype="float64", na_value=np.nan)[follow] == 1.0
    rating = responses[[analysed.helpful_column(c) for c in codes]].to_numpy(
        dtype="float64", na_value=np.nan
    )[follow]
    rating = np.where(used, rating, np.nan)
    named = analysed.most_helpful_matrix.to_numpy(dtype=bool)[follow]
    if named.shape[1] != len(codes):  # no most_helpful column at all
        named = np.zeros_like(used)
    rated = ~np.isnan(rating)

    # per participant and resource: used / named at any follow-up wave (every row marks its
    # participant's cells; participants without a follow-up response stay unmarked)
    n = len(analysed.participants)
    answered = np.zeros(n, dtype=bool)
    answered[position[position >= 0]] = True

    def ever(matrix: np.ndarray) -> np.ndarray:
        marks = np.zeros((n, matrix.shape[1]), dtype=bool)
        rows, cols = np.nonzero(matrix & (position >= 0)[:, None])
        marks[position[rows], cols] = True
        return marks

    return {
        "position": position,
        "month": month[follow],
        "codes": codes,
        "used": used,
        "rated": rated,
        "rating_or_0": np.where(rated, rating, 0.0),
        "named": named,
        "answered": answered,
        "used_ever": ever(used),
        "named_ever": ever(named),
    }


class _Summer:
    """Column sums of the rows of a (rows x columns) matrix per code 0 .. k-1 (a k x columns
    float64 array), for several matrices with the same row codes: one weighted bincount per
    matrix over the flattened cells. The summed values are whole numbers (flags, 1-5 ratings
    and their squares), so the float sums are exact whatever the order of addition."""

    def __init__(self, codes: np.ndarray, k: int, columns: int):
        self.k, self.columns = k, columns
        # the bin of each cell of a C-ordered matrix: its row's code and its column
        self.bins = (
            np.asarray(codes, dtype=np.int64)[:, None] * columns + np.arange(columns)
        ).ravel()

    def __call__(self, matrix: np.ndarray) -> np.ndarray:
        if self.columns == 0:
            return np.zeros((self.k, 0))
        weights = np.ascontiguousarray(matrix, dtype=np.float64).ravel()
        sums = np.bincount(self.bins, weights=weights, minlength=self.k * self.columns)
        return sums.reshape(self.k, self.columns)


def _count_by(codes: np.ndarray, k: int, marks: np.ndarray) -> np.ndarray:
    """Number of rows of the bool matrix ``marks`` set, per code 0 .. k-1 and column (int64
    k x columns): the rows sorted by code once, each code's block added up."""
    out = np.zeros((k, marks.shape[1]), dtype=np.int64)
    if len(codes) == 0:
        return out
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    out[ordered[starts]] = np.add.reduceat(marks[order], starts, axis=0, dtype=np.int64)
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
    analysed = cohort.analysis_set(population)
    base = analysed.derived("resources.followup", _followup_base)
    codes, used, rated = base["codes"], base["used"], base["rated"]
    group_code, group_labels = _group_codes(analysed, group_by)
    months, month_code = np.unique(base["month"], return_inverse=True)
    n_groups = len(group_labels)
    key = month_code.astype("int64") * n_groups + group_code[base["position"]]
    k = len(months) * n_groups
    respondents = np.bincount(key, minlength=k)
    r0 = base["rating_or_0"]
    sums = _Summer(key, k, len(codes))
    wide = {
        "used": sums(used).astype("int64"),
        "most_helpful": sums(base["named"]).astype("int64"),
        "helpful_n": sums(rated).astype("int64"),
        "_sum": sums(r0),
        "_sumsq": sums(r0 * r0),
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
    analysed = cohort.analysis_set(population)
    base = analysed.derived("resources.followup", _followup_base)
    codes = base["codes"]
    group_code, group_labels = _group_codes(analysed, group_by)
    k = len(group_labels)
    answered = base["answered"]  # participants with a follow-up response
    participants = np.bincount(group_code[answered], minlength=k)
    present = np.flatnonzero(participants > 0)  # groups with a participant
    keys = pd.DataFrame({"group": pd.Series(group_labels[present], dtype="str")})
    ratings = _Summer(group_code[base["position"]], k, len(codes))  # over all rated rows
    wide = {
        "participants": np.repeat(participants[present][:, None], len(codes), axis=1),
        "used_ever": _count_by(group_code, k, base["used_ever"])[present],
        "most_helpful_ever": _count_by(group_code, k, base["named_ever"])[present],
        "_sum": ratings(base["rating_or_0"])[present],
        "helpful_n": ratings(base["rated"])[present].astype("int64"),
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
