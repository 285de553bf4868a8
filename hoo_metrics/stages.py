"""Recovery-stage transitions and the resources of those who recovered.

Stages follow the six-stage second-victim trajectory of Scott et al. (2009), "The natural
history of recovery for the healthcare provider 'second victim' after adverse patient events",
Qual Saf Health Care 18(5):325-330: 1 chaos and accident response, 2 intrusive reflections,
3 restoring personal integrity, 4 enduring the inquisition, 5 obtaining emotional first aid,
6 moving on by one of three paths (dropping out, surviving, thriving).

Contract section 2, "Recovery-stage transitions" and "Resources of those who recovered":
stage category ``early`` (1-3), ``middle`` (4-5), or the stage-6 path; a participant's
transition goes from the baseline (month 0) category to the category at the last follow-up
wave (month > 0) with a stage; only analysed participants with both count.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort, flag
from .contract import STAGE6_PATHS, STAGE_CATEGORIES
from .inference import compare_proportions

EARLY, THRIVING = "early", "thriving"
TRANSITION_COLUMNS = ("group", "from", "to", "n")
RECOVERED_COLUMNS = (
    "resource",
    "transitioned",
    "transitioned_n",
    "others",
    "others_n",
    "p_value",
    "risk_difference",
    "risk_difference_ci_low",
    "risk_difference_ci_high",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
    "test",
)


def stage_category(stage: pd.Series, path: pd.Series) -> pd.Series:
    """Stage category of each response (Scott et al. 2009 stages, grouped as in the contract).

    Parameters
    ----------
    stage : recovery stage 1-6 (float, NaN when blank).
    path : the stage-6 path (``dropping_out``, ``surviving``, ``thriving``), aligned with
        ``stage``; only read where the stage is 6.

    Returns
    -------
    Series of str aligned with ``stage``: ``early`` for stages 1-3, ``middle`` for 4-5, the
    path for stage 6; NaN where there is no stage, or a stage 6 without a valid path.
    """
    s = pd.to_numeric(pd.Series(stage), errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    p = pd.Series(path).astype("object").to_numpy()
    six_path = (s == 6) & pd.Series(p).isin(STAGE6_PATHS).to_numpy()
    out = np.full(len(s), np.nan, dtype="object")
    out[(s >= 1) & (s <= 3)] = EARLY
    out[(s >= 4) & (s <= 5)] = "middle"
    out[six_path] = p[six_path]
    index = stage.index if isinstance(stage, pd.Series) else None
    return pd.Series(out, index=index, dtype="str", name="category")


def _category_rows(analysed: Cohort) -> pd.DataFrame:
    """participant_id, month, category of the responses of ``analysed`` that have a category."""
    r = analysed.responses
    out = pd.DataFrame(
        {
            "participant_id": r["participant_id"].to_numpy(),
            "month": r["month"].to_numpy(dtype="int64"),
            "category": stage_category(r["stage"], r["stage6_path"]).to_numpy(),
        }
    )
    out = out[out["category"].notna()]
    return out.sort_values(["participant_id", "month"], kind="stable").reset_index(drop=True)


def stage_categories(cohort: Cohort, population: str = "completed") -> pd.DataFrame:
    """Stage category of every response of the analysed participants that has one.

    Returns
    -------
    DataFrame participant_id (str), month (int64), category (str, one of
    contract.STAGE_CATEGORIES), sorted by participant_id then month. Responses without a
    stage (or a stage 6 without a path) are left out. Categories per :func:`stage_category`
    (Scott et al. 2009).
    """
    out = _category_rows(cohort.analysis_set(population))
    out["participant_id"] = out["participant_id"].astype("str")
    out["category"] = out["category"].astype("str")
    return out


def _wave_pairs(
    cohort: Cohort, group_by: str | None, population: str, last: bool = False
) -> pd.DataFrame:
    """Baseline-to-follow-up pairs of the analysed participants with a baseline category:
    participant_id, group, month, from, to; one row per follow-up month with a category, or
    (``last``) only the last such month of each participant."""
    analysed = cohort.analysis_set(population)
    rows = _category_rows(analysed)
    base = rows.loc[rows["month"] == 0, ["participant_id", "category"]]
    follow = rows.loc[rows["month"] > 0]
    if last:
        # rows are sorted by participant then month: the last row is the last wave.
        follow = follow.drop_duplicates("participant_id", keep="last")
    pairs = follow.merge(
        base.rename(columns={"category": "from"}), on="participant_id", how="inner"
    ).rename(columns={"category": "to"})
    pairs["group"] = pairs["participant_id"].map(analysed.group_of(group_by))
    return pairs[["participant_id", "group", "month", "from", "to"]]


def _count(pairs: pd.DataFrame, groups: list[str], keys: list[str]) -> pd.DataFrame:
    """Non-zero counts of ``pairs`` by ``keys``; groups and categories in their set order."""
    frame = pd.DataFrame(
        {
            "month": pairs["month"].to_numpy(dtype="int64"),
            "group": pd.Categorical(pairs["group"], categories=groups),
            "from": pd.Categorical(pairs["from"], categories=STAGE_CATEGORIES),
            "to": pd.Categorical(pairs["to"], categories=STAGE_CATEGORIES),
        }
    )
    counts = frame.groupby(keys, observed=True, sort=True).size().rename("n").reset_index()
    for key in ("group", "from", "to"):
        counts[key] = counts[key].astype("str")
    counts["n"] = counts["n"].astype("int64")
    if "month" in counts:
        counts["month"] = counts["month"].astype("int64")
    return counts[[*keys, "n"]]


def _check_to(to) -> None:
    if isinstance(to, str) and to == "last":
        return
    if isinstance(to, bool) or not isinstance(to, int | np.integer) or to <= 0:
        raise ValueError(f'to must be "last" or a follow-up month (an integer > 0), not {to!r}')


def transitions(
    cohort: Cohort,
    group_by: str | None = "arm",
    population: str = "completed",
    to: str | int = "last",
) -> pd.DataFrame:
    """Recovery-stage transitions: participants by baseline and follow-up stage category.

    A participant's transition goes from their baseline (month 0) category to their category
    at the last follow-up wave (month > 0) with a stage (``to="last"``, the contract's
    definition) or at follow-up month ``to``; only analysed participants with both count.
    Categories per Scott et al. (2009), see :func:`stage_category`.

    Returns
    -------
    DataFrame group, from, to (str), n (int64): only non-zero cells; sorted by group (as
    ``cohort.groups``), then from and to in the order of contract.STAGE_CATEGORIES.
    """
    _check_to(to)
    groups = cohort.groups(group_by)
    if to == "last":
        pairs = _wave_pairs(cohort, group_by, population, last=True)
    else:
        pairs = _wave_pairs(cohort, group_by, population)
        pairs = pairs[pairs["month"] == int(to)]
    return _count(pairs, groups, ["group", "from", "to"])


def transition_waves(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Transitions from baseline to every follow-up month, in one table.

    For each follow-up month (month > 0), analysed participants with a baseline category and a
    category at that month, by baseline and month category (Scott et al. 2009 stages).

    Returns
    -------
    DataFrame month (int64), group, from, to (str), n (int64): non-zero cells only, sorted by
    month, group, from, to (categories in contract.STAGE_CATEGORIES order).
    """
    groups = cohort.groups(group_by)
    return _count(
        _wave_pairs(cohort, group_by, population), groups, ["month", "group", "from", "to"]
    )


def early_to_thriving(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Participants who went from the early stages (1-3) to moving on by thriving (stage 6).

    Transitions as in :func:`transitions` with ``to="last"`` (Scott et al. 2009 stages).

    Returns
    -------
    DataFrame group (str), n (int64, early to thriving), participants (int64, with a
    transition), share (float64, n / participants; NaN when no participant has a
    transition); one row per group of ``cohort.groups(group_by)``.
    """
    groups = cohort.groups(group_by)
    pairs = _wave_pairs(cohort, group_by, population, last=True)
    is_et = (pairs["from"] == EARLY) & (pairs["to"] == THRIVING)
    participants = pairs["group"].value_counts().reindex(groups, fill_value=0)
    n = pairs.loc[is_et, "group"].value_counts().reindex(groups, fill_value=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(participants > 0, n / participants.where(participants > 0), np.nan)
    return pd.DataFrame(
        {
            "group": pd.Series(groups, dtype="str"),
            "n": n.to_numpy(dtype="int64"),
            "participants": participants.to_numpy(dtype="int64"),
            "share": np.asarray(share, dtype="float64"),
        }
    )


def recovered_resource_tests(cohort: Cohort, population: str = "completed") -> pd.DataFrame:
    """Resources used by the participants who recovered, against the other participants.

    Among the analysed participants with a transition (:func:`transitions`, ``to="last"``),
    for each resource: ``used_ever`` (``used_<code>`` = 1 at any follow-up wave, month > 0)
    among the early-to-thriving participants (``transitioned`` of ``transitioned_n``) against
    all other participants with a transition (``others`` of ``others_n``). Fisher's exact test,
    two-sided, on [[transitioned, transitioned_n - transitioned], [others, others_n - others]]
    via ``inference.compare_proportions``; risk difference (transitioned share minus others
    share) with the Newcombe (1998) hybrid score interval; conditional maximum-likelihood odds
    ratio with its exact interval (as R's ``fisher.test``). Stages per Scott et al. (2009).
    (Trial: peers P = 0.02, departmental leadership P = 0.07.)

    Returns
    -------
    DataFrame resource (str), transitioned, transitioned_n, others, others_n (int64),
    p_value, risk_difference, risk_difference_ci_low, risk_difference_ci_high, odds_ratio,
    odds_ratio_ci_low, odds_ratio_ci_high (float64, NaN where undefined, e.g. nobody
    transitioned), test (str); one row per resource in cohort order.
    """
    analysed = cohort.analysis_set(population)
    pairs = _wave_pairs(cohort, None, population, last=True)
    ids = pairs["participant_id"]
    is_et = ((pairs["from"] == EARLY) & (pairs["to"] == THRIVING)).to_numpy()
    n_et = int(is_et.sum())
    n_others = len(pairs) - n_et

    r = analysed.responses
    follow = r[r["month"].to_numpy() > 0]
    codes = list(cohort.resources)
    used = pd.DataFrame(
        {code: flag(follow[cohort.used_column(code)]) for code in codes}, index=follow.index
    )
    # used_ever per participant (any follow-up wave), aligned with those with a transition
    used_ever = (
        used.groupby(follow["participant_id"].to_numpy()).any().reindex(ids, fill_value=False)
    ).to_numpy(dtype=bool)
    transitioned = used_ever[is_et].sum(axis=0)
    others = used_ever[~is_et].sum(axis=0)
    rows = []
    for j, code in enumerate(codes):
        a, b = int(transitioned[j]), int(others[j])
        cmp = compare_proportions([a, b], [n_et, n_others], groups=("transitioned", "others"))
        rd_low, rd_high = cmp.risk_difference_ci()
        or_low, or_high = cmp.odds_ratio_ci()
        values = (code, a, n_et, b, n_others, cmp.pvalue, cmp.risk_difference, rd_low, rd_high)
        rows.append((*values, cmp.odds_ratio, or_low, or_high, cmp.test))
    out = pd.DataFrame(rows, columns=list(RECOVERED_COLUMNS))
    out = out.astype({c: "int64" for c in RECOVERED_COLUMNS[1:5]})
    floats = RECOVERED_COLUMNS[5:12]
    out = out.astype({c: "float64" for c in floats})
    return out.astype({"resource": "str", "test": "str"})
