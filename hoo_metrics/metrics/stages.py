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

from ..arrowtext import index_in
from ..cohort import Cohort
from ..contract import STAGE_CATEGORIES
from ._analysed import CODE, analyse, category_codes
from ._frames import cast
from .inference import compare_proportions

EARLY, THRIVING = CODE["early"], CODE["thriving"]
_K = len(STAGE_CATEGORIES)
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


def positions(values: pd.Series, universe) -> np.ndarray:
    """Position of each of ``values`` in ``universe`` (distinct str), -1 where absent (arrow's
    ``index_in``: pandas' str ``get_indexer`` is several times slower on 10^5 ids)."""
    return index_in(values, universe)


def _labels(codes: np.ndarray, labels) -> np.ndarray:
    """Object array of ``labels[code]`` (NaN where the code is -1)."""
    table = np.array([*labels, np.nan], dtype="object")
    return table[np.where(codes < 0, len(labels), codes)]


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
    out = _labels(category_codes(stage, path), STAGE_CATEGORIES)
    index = stage.index if isinstance(stage, pd.Series) else None
    return pd.Series(out, index=index, dtype="str", name="category")


class _Waves:
    """The staged responses of the analysed participants (``Analysed.stages``) and the
    participants' groups: ``group``, the position in ``groups`` of each analysed participant's
    group."""

    def __init__(self, cohort: Cohort, group_by: str | None, population: str):
        self.analysed = analysed = analyse(cohort, population)
        self.stages = analysed.stages
        self.groups = cohort.groups(group_by)
        self.group = positions(analysed.cohort.group_labels(group_by), self.groups)

    def transitions(self, to: str | int = "last"):
        """(participant, from, to) of the transitions ``to`` the last wave or a month."""
        if to == "last":
            pid, _, frm, dst = self.stages.last_waves
        else:
            pid, month, frm, dst = self.stages.waves
            at = month == int(to)
            pid, frm, dst = pid[at], frm[at], dst[at]
        return pid, frm, dst


def _count(groups: list[str], group, frm, dst, month=None) -> pd.DataFrame:
    """Non-zero counts by (month,) group, from, to; groups and categories in their set order."""
    n_groups = len(groups)
    key = (group.astype("int64") * _K + frm) * _K + dst
    months = np.zeros(0, dtype="int64")
    if month is not None:
        months, month_index = np.unique(month, return_inverse=True)
        key = month_index.astype("int64") * (n_groups * _K * _K) + key
    size = n_groups * _K * _K * (len(months) if month is not None else 1)
    counts = np.bincount(key, minlength=size) if len(key) else np.zeros(size, dtype="int64")
    cells = np.flatnonzero(counts)
    rest, to_code = np.divmod(cells, _K)
    rest, from_code = np.divmod(rest, _K)
    month_pos, group_pos = np.divmod(rest, max(n_groups, 1))
    out = {}
    if month is not None:
        out["month"] = pd.Series(months[month_pos], dtype="int64")
    out["group"] = pd.Series(np.array(groups, dtype="object")[group_pos], dtype="str")
    out["from"] = pd.Series(_labels(from_code, STAGE_CATEGORIES), dtype="str")
    out["to"] = pd.Series(_labels(to_code, STAGE_CATEGORIES), dtype="str")
    out["n"] = pd.Series(counts[cells], dtype="int64")
    return pd.DataFrame(out)


def stage_categories(cohort: Cohort, population: str = "completed") -> pd.DataFrame:
    """Stage category of every response of the analysed participants that has one.

    Returns
    -------
    DataFrame participant_id (str), month (int64), category (str, one of
    contract.STAGE_CATEGORIES), sorted by participant_id then month. Responses without a
    stage (or a stage 6 without a path) are left out. Categories per :func:`stage_category`
    (Scott et al. 2009).
    """
    analysed = analyse(cohort, population)
    facts = analysed.stages
    ids = analysed.cohort.participants["participant_id"]
    rank = np.empty(len(ids), dtype="int64")
    rank[ids.argsort().to_numpy()] = np.arange(len(ids))
    order = np.lexsort((facts.month, rank[facts.participant]))
    who = ids.take(facts.participant[order]).reset_index(drop=True)
    return pd.DataFrame(
        {
            "participant_id": who.astype("str"),
            "month": pd.Series(facts.month[order], dtype="int64"),
            "category": pd.Series(_labels(facts.category[order], STAGE_CATEGORIES), dtype="str"),
        }
    )


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
    w = _Waves(cohort, group_by, population)
    pid, frm, dst = w.transitions(to)
    return _count(w.groups, w.group[pid], frm, dst)


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
    w = _Waves(cohort, group_by, population)
    pairs = w.stages.waves
    return _count(w.groups, w.group[pairs.participant], pairs.start, pairs.end, month=pairs.month)


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
    w = _Waves(cohort, group_by, population)
    pid, frm, dst = w.transitions("last")
    n_groups = len(w.groups)
    group = w.group[pid]
    participants = np.bincount(group, minlength=n_groups).astype("int64")
    n = np.bincount(group[(frm == EARLY) & (dst == THRIVING)], minlength=n_groups).astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(participants > 0, n / np.maximum(participants, 1), np.nan)
    return pd.DataFrame(
        {
            "group": pd.Series(w.groups, dtype="str"),
            "n": n,
            "participants": participants,
            "share": share.astype("float64"),
        }
    )


def recovered_resource_tests(
    cohort: Cohort, population: str = "completed", odds_ratios: bool = True
) -> pd.DataFrame:
    """Resources used by the participants who recovered, against the other participants.

    Among the analysed participants with a transition (:func:`transitions`, ``to="last"``),
    for each resource: ``used_ever`` (``used_<code>`` = 1 at any follow-up wave, month > 0)
    among the early-to-thriving participants (``transitioned`` of ``transitioned_n``) against
    all other participants with a transition (``others`` of ``others_n``). Fisher's exact test,
    two-sided, on [[transitioned, transitioned_n - transitioned], [others, others_n - others]]
    via ``inference.compare_proportions``; risk difference (transitioned share minus others
    share) with the Newcombe (1998) hybrid score interval; conditional maximum-likelihood odds
    ratio with its exact interval (as R's ``fisher.test``). Stages per Scott et al. (2009).
    (Trial: peers P = 0.02, departmental leadership P = 0.07.) ``odds_ratios=False`` leaves
    ``odds_ratio``, ``odds_ratio_ci_low`` and ``odds_ratio_ci_high`` NaN and skips their
    root-finding (the summary prints none of them); every other column is the same.

    Returns
    -------
    DataFrame resource (str), transitioned, transitioned_n, others, others_n (int64),
    p_value, risk_difference, risk_difference_ci_low, risk_difference_ci_high, odds_ratio,
    odds_ratio_ci_low, odds_ratio_ci_high (float64, NaN where undefined, e.g. nobody
    transitioned), test (str); one row per resource in cohort order.
    """
    w = _Waves(cohort, None, population)
    pid, frm, dst = w.transitions("last")
    is_et = (frm == EARLY) & (dst == THRIVING)
    n_et = int(is_et.sum())
    n_others = len(pid) - n_et

    codes = list(cohort.resources)
    used_ever = w.analysed.followup.used_ever  # used at any follow-up wave
    transitioned = used_ever[pid[is_et]].sum(axis=0)
    others = used_ever[pid[~is_et]].sum(axis=0)
    rows = []
    for j, code in enumerate(codes):
        a, b = int(transitioned[j]), int(others[j])
        cmp = compare_proportions(
            [a, b], [n_et, n_others], ("transitioned", "others"), odds_ratio=odds_ratios
        )
        rd_low, rd_high = cmp.risk_difference_ci()
        or_low, or_high = cmp.odds_ratio_ci()
        values = (code, a, n_et, b, n_others, cmp.pvalue, cmp.risk_difference, rd_low, rd_high)
        rows.append((*values, cmp.odds_ratio, or_low, or_high, cmp.test))
    out = pd.DataFrame(rows, columns=list(RECOVERED_COLUMNS))
    ints = dict.fromkeys(RECOVERED_COLUMNS[1:5], "int64")
    floats = dict.fromkeys(RECOVERED_COLUMNS[5:12], "float64")
    return cast(out, ints | floats | {"resource": "str", "test": "str"})


#: Participant column added by :func:`with_baseline_stage_category`.
BASELINE_STAGE_CATEGORY = "baseline_stage_category"


def with_baseline_stage_category(cohort: Cohort) -> Cohort:
    """The cohort with one more participant column, ``baseline_stage_category``.

    Each participant's stage category (:func:`stage_category`, Scott et al. 2009: ``early``,
    ``middle`` or the stage-6 path) at the baseline response (month 0); NaN when there is no
    baseline response with a stage (or a stage 6 without a path). Every participant of the
    cohort gets a value, whatever their status, so the column can group (``group_by``) and
    filter (``Cohort.filter``) like any other participant column. A cohort that already has
    the column gets it recomputed.
    """
    from dataclasses import replace  # appended section: keeps the module header unchanged

    p = cohort.participants
    r = cohort.responses
    base = np.full(len(p), -1, dtype="int8")
    if len(r) and len(p):
        at_base = (r["month"] == 0).to_numpy()
        pid = positions(r["participant_id"][at_base], p["participant_id"])
        cat = category_codes(r["stage"][at_base], r["stage6_path"][at_base])
        ok = (pid >= 0) & (cat >= 0)
        base[pid[ok]] = cat[ok]  # one baseline response per participant (contract)
    column = pd.Series(_labels(base, STAGE_CATEGORIES), index=p.index, dtype="str")
    return replace(cohort, participants=p.assign(**{BASELINE_STAGE_CATEGORY: column}))
