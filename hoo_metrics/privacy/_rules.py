"""The rules' settings and words: the threshold k (:class:`Suppression`, ``HOO_MIN_CELL``), the
reason codes with their sentences, and the refusals made before anything is computed
(:func:`check_subgroup`, :func:`check_view`, with the global recoding of a grouping,
:func:`pooled_groups`).

The rules are described in :mod:`hoo_metrics.privacy`. This module imports no other module of
the package's: the others build on it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..contract import DEFAULT_GROUP_BY

ENV_VAR = "HOO_MIN_CELL"
DEFAULT_MIN_CELL = 5
#: The Centers for Medicare & Medicaid Services' cell-size suppression policy: no cell of 1-10.
CMS_MIN_CELL = 11
TOO_FEW_TEXT = "Too few participants to show"
#: What a view prints for a hidden cell that is not itself a small count.
HIDDEN_TEXT = "suppressed"
LIFTED_NOTICE = (
    "Small-cell suppression is OFF for this session (lifted by an evaluator): counts below "
    "{k} are shown and colleagues may be identifiable. Do not share this view."
)

# ---- reasons ------------------------------------------------------------------------------------
_NONE, _TOO_FEW, _SMALL, _COMPLEMENT, _SECONDARY, _CUMULATIVE = 0, 1, 2, 3, 4, 5
_AT_RISK, _FEW_ANSWERS, _DERIVED, _TEST = 6, 7, 8, 9
_CODES = {
    _TOO_FEW: "too_few_participants",
    _SMALL: "small_count",
    _COMPLEMENT: "small_complement",
    _SECONDARY: "secondary",
    _CUMULATIVE: "cumulative_step",
    _AT_RISK: "few_at_risk",
    _FEW_ANSWERS: "few_answers",
    _DERIVED: "built_on_hidden_count",
    _TEST: "test_on_hidden_cell",
}
#: Reason code -> a plain sentence ({k} is the threshold).
REASONS = {
    "too_few_participants": "the group has fewer than {k} participants",
    "small_count": "a count from 1 to {k_1}",
    "small_complement": "its denominator minus it is from 1 to {k_1}",
    "secondary": "hidden so that another hidden count cannot be recovered by subtraction",
    "cumulative_step": "the step from the neighbouring cumulative count is from 1 to {k_1}",
    "few_at_risk": "fewer than {k} participants still at risk",
    "few_answers": "built on fewer than {k} answers",
    "built_on_hidden_count": "built on a hidden count",
    "test_on_hidden_cell": "the test's table has a hidden cell",
}


def reason_text(code: str, k: int) -> str:
    """The plain sentence for a reason code at threshold k."""
    return REASONS.get(code, code).format(k=k, k_1=k - 1)


# ---- settings -----------------------------------------------------------------------------------
def _parse_k(value: Any, source: str) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{source} must be a whole number of at least 1, not {value!r}")
    if isinstance(value, (int, np.integer)):
        k = int(value)
    else:
        text = str(value).strip()
        if not text.lstrip("+").isdigit():
            raise ValueError(f"{source} must be a whole number of at least 1, not {value!r}")
        k = int(text)
    if k < 1:
        raise ValueError(f"{source} must be a whole number of at least 1, not {value!r}")
    return k


def min_cell_default() -> int:
    """The threshold k from the environment variable ``HOO_MIN_CELL`` (default 5).

    k = 1 switches suppression off. CMS's cell-size policy uses 11, the stricter choice.
    Raises ValueError for anything but a whole number >= 1.
    """
    raw = os.environ.get(ENV_VAR)
    if raw is None or raw.strip() == "":
        return DEFAULT_MIN_CELL
    return _parse_k(raw, ENV_VAR)


@dataclass(frozen=True)
class Suppression:
    """The suppression setting of one session: threshold ``k`` and whether it applies.

    ``enabled=False`` is the evaluator's lift for their own session: nothing is hidden and
    every page shows :attr:`notice`. k = 1 hides nothing either. (CMS's policy: k = 11.)
    """

    k: int = DEFAULT_MIN_CELL
    enabled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "k", _parse_k(self.k, "k"))

    @classmethod
    def from_env(cls, enabled: bool = True) -> Suppression:
        """The setting with k from ``HOO_MIN_CELL``."""
        return cls(min_cell_default(), enabled)

    @property
    def effective_k(self) -> int:
        """The k the rules use: 1 (nothing hidden) when lifted."""
        return self.k if self.enabled else 1

    @property
    def active(self) -> bool:
        """True when something can be hidden."""
        return self.effective_k > 1

    @property
    def lifted(self) -> bool:
        """True when an evaluator turned suppression off for this session."""
        return not self.enabled

    @property
    def small_label(self) -> str:
        """What a hidden small count prints as: "<5"."""
        return f"<{self.k}"

    @property
    def notice(self) -> str | None:
        """The sentence every page shows while suppression is lifted; None otherwise."""
        return LIFTED_NOTICE.format(k=self.k) if self.lifted else None


def _setting(k: int | Suppression | None) -> Suppression:
    if isinstance(k, Suppression):
        return k
    if k is None:
        return Suppression(min_cell_default())
    return Suppression(k)


# ---- subgroups ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Refusal:
    """Why a filtered subgroup is not shown: nothing of it may be drawn."""

    n: int
    k: int
    reason: str  # "empty", "too_few" or "complement"
    message: str

    def __str__(self) -> str:
        return self.message


def _count_of(cohort_or_n, population: str | None) -> int:
    if isinstance(cohort_or_n, (int, np.integer)) and not isinstance(cohort_or_n, bool):
        return int(cohort_or_n)
    cohort = cohort_or_n
    if population is not None:
        cohort = cohort.analysis_set(population)
    return len(cohort.participants)


def check_subgroup(
    cohort_or_n,
    k: int | Suppression | None = None,
    *,
    population: str | None = None,
    of=None,
) -> Refusal | None:
    """Refuse a filtered subgroup that could single out a colleague, before drawing anything.

    Parameters
    ----------
    cohort_or_n : the filtered cohort, or its number of analysed participants. With a Cohort,
        its participants are counted, or those of ``analysis_set(population)`` when given.
    k : threshold (int or :class:`Suppression`; default from ``HOO_MIN_CELL``).
    of : optional, the unfiltered cohort (or its analysed count). When the filter leaves out
        1..k-1 participants, the left-out ones are the whole minus the subgroup, so the
        subgroup is refused too.

    Returns
    -------
    None when the subgroup may be shown, else a :class:`Refusal` whose ``message`` is the
    sentence to show instead of any number. An empty subgroup is refused even when
    suppression is lifted (there is nothing to show).
    """
    setting = _setting(k)
    kk = setting.effective_k
    n = _count_of(cohort_or_n, population)
    if n == 0:
        return Refusal(
            0,
            setting.k,
            "empty",
            "No analysed participant matches these filters. Widen the filters to see results.",
        )
    if n < kk:
        return Refusal(
            n,
            setting.k,
            "too_few",
            f"These filters leave fewer than {setting.k} analysed participants. Results for "
            f"so few people could identify a colleague, so none are shown. Remove a filter "
            f"or choose wider values.",
        )
    if of is not None:
        rest = _count_of(of, population) - n
        if 0 < rest < kk:
            return Refusal(
                n,
                setting.k,
                "complement",
                f"These filters leave out fewer than {setting.k} analysed participants. "
                f"Comparing these results with the whole cohort's would identify the few "
                f"left out, so none are shown. Remove a filter or choose narrower values.",
            )
    return None


def _small_parts(mask: np.ndarray, groups: np.ndarray | None, k: int) -> list[str]:
    """The groups (and "everyone") in which ``mask`` counts from 1 to k-1 participants."""
    out = []
    n = int(mask.sum())
    if 0 < n < k:
        out.append("")
    if groups is not None:
        counts = pd.Series(mask).groupby(groups).sum()
        out.extend(str(g) for g, c in counts.items() if 0 < c < k)
    return out


#: What a pooled group's label ends with ("midwife + other (pooled)").
POOLED_TEXT = " (pooled)"


def pooled_groups(cohort, column: str | None, k: int | Suppression | None = None) -> dict[str, str]:
    """Global recoding of a grouping: the values of ``column`` that fewer than k participants
    who completed the study hold, pooled into one group when there are two or more of them
    ("midwife + other (pooled)"); value -> pooled label, {} when nothing is pooled (fewer
    than two such values, or every value).

    The recoding depends on the cohort, the column and k only (never on the view's filters or
    analysis set), so every view that groups by ``column`` pools the same values: a pooled
    group differs from its neighbouring views by the sums of its values' differences, which
    :func:`check_view` keeps at 0 or at least k. A pool that still holds fewer than k is one
    group "too few to show" instead of several (Hundepool et al. 2012, 4.2). The randomised
    arms (``arm``) are never pooled."""
    kk = _setting(k).effective_k
    # the arms are never pooled: a pool of arms would compare mixtures of treatments
    if column in (None, DEFAULT_GROUP_BY) or kk <= 1:
        return {}
    done = cohort.analysis_set("completed").group_labels(column).value_counts()
    groups = cohort.groups(column)
    small = [g for g in groups if int(done.get(g, 0)) < kk]
    if len(small) < 2 or len(small) == len(groups):  # pooling them all would be no grouping
        return {}
    return dict.fromkeys(small, " + ".join(small) + POOLED_TEXT)


def check_view(
    full,
    k: int | Suppression | None = None,
    *,
    population: str = "completed",
    group_by: str | None = None,
    filters: dict | None = None,
) -> Refusal | None:
    """Refuse a view that could single out a colleague, before anything of it is computed.

    Besides :func:`check_subgroup` (fewer than k analysed participants, or 1..k-1 left out of
    the whole), a view is refused when a neighbouring view a user can reach differs from it by
    1..k-1 analysed participants, overall or within one of the groups shown, so that a
    subtraction between the two would give a group under k:

    - a filter's complement within the other filters (``role = nurse`` with ``site = A``
      leaves out the nurses elsewhere: the view without the site filter minus this one);
    - each chosen value of a filter with several (``role = nurse or midwife`` minus
      ``role = nurse`` is the midwives);
    - the analysis set: all enrolled minus the completers are the non-completers, so "all
      enrolled" is refused when they number 1..k-1 in a group shown.

    ``full`` is the cohort as loaded; returns None when the view may be shown."""
    setting = _setting(k)
    kk = setting.effective_k
    filters = {c: [str(v) for v in vs] for c, vs in (filters or {}).items() if vs}
    view = full.filter(filters) if filters else full
    refusal = check_subgroup(view, setting, population=population, of=full if filters else None)
    if refusal is not None or kk <= 1:
        return refusal
    analysed = full.analysis_set(population)
    groups = None if group_by is None else analysed.group_labels(group_by).to_numpy()
    labels = {c: analysed.group_labels(c).to_numpy() for c in filters}
    chosen = {c: np.isin(labels[c], vs) for c, vs in filters.items()}
    n_view = len(view.analysis_set(population).participants)

    def refuse(kind: str, what: str, groups_hit: list[str]) -> Refusal:
        inside = [g for g in groups_hit if g]
        place = f" (in {', '.join(inside)})" if inside and "" not in groups_hit else ""
        other = "the completers' view" if kind == "analysis_set" else "the view without it"
        if kind != "analysis_set":
            advice = "Remove a filter or choose other values."
        elif place:
            advice = "Use the completers' analysis set, or another grouping."
        else:
            advice = "Use the completers' analysis set, or widen the filters."
        return Refusal(
            n_view,
            setting.k,
            kind,
            f"{what}{place} number fewer than {setting.k}. Comparing this view with {other} "
            f"would single them out, so nothing is shown. {advice}",
        )

    for c, vs in filters.items():
        others = np.ones(len(analysed.participants), bool)
        for o, m in chosen.items():
            if o != c:
                others &= m
        hit = _small_parts(others & ~chosen[c], groups, kk)
        if hit:
            return refuse(
                "complement",
                f"The participants that the filter on {c} leaves out",
                hit,
            )
        if len(vs) > 1:
            for v in vs:
                hit = _small_parts(others & (labels[c] == v), groups, kk)
                if hit:
                    return refuse("value", f"The participants with {c} = {v}", hit)
    for c, vs in filters.items():
        # a pool of small groups is one group: choosing some of its values and not others
        # would give the rest back (the pool in the view grouped by c, minus this view)
        pools: dict[str, list[str]] = {}
        for value, label in pooled_groups(full, c, setting).items():
            pools.setdefault(label, []).append(value)
        for label, members in pools.items():
            chosen_here = [v for v in members if v in vs]
            if chosen_here and len(chosen_here) < len(members):
                return Refusal(
                    n_view,
                    setting.k,
                    "pool",
                    f"The values of {c} in {label} are each held by fewer than {setting.k} "
                    f"participants who completed the study, so they are shown only together. "
                    f"Choosing {', '.join(chosen_here)} without the others would single them "
                    "out (against the view grouped by it), so nothing is shown. Choose all of "
                    "them or none.",
                )
    if population == "all":
        everyone = np.all(list(chosen.values()), axis=0) if chosen else None
        status = analysed.participants["status"].astype(str).to_numpy()
        not_done = status != "completed"
        if everyone is not None:
            not_done &= everyone
        hit = _small_parts(not_done, groups, kk)
        if hit:
            return refuse(
                "analysis_set",
                "The enrolled participants who did not complete the study",
                hit,
            )
    return None
