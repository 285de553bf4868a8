"""Small-cell suppression: one implementation, applied to the tidy tables before anything shows.

Leaders browse results about their own staff, so no shown or exported number may single out a
colleague. With a threshold k (default 5, env ``HOO_MIN_CELL``; CMS's cell-size suppression
policy uses 11, the stricter choice):

1. **Small counts.** A count from 1 to k-1 is hidden (0 may show); views print it as "<k".
2. **Too few participants.** A group (or wave of a group) with fewer than k participants shows
   none of its results ("Too few participants to show"); a filtered subgroup with fewer than k
   analysed participants is refused before any number is drawn (:func:`check_subgroup`).
3. **Complements.** A count whose complement (its denominator minus it, e.g. the non-users as
   respondents minus users) is from 1 to k-1 is hidden too.
4. **Secondary suppression.** Where cells add up to a shown total (groups to the overall row,
   transition cells to their row, column and group totals, Table 1 levels to the group n, the
   counts per number of contacts to the participants), a line never has exactly one hidden cell:
   the next-smallest non-zero cell is hidden as well (the total itself when there is none),
   repeated until no line changes. Cumulative counts (ended by contact k) never step by 1..k-1
   between two shown values.
5. **Derived values.** Shares, confidence intervals, means, p-values, risk differences and odds
   ratios built on a hidden count, a hidden denominator or fewer than k answers are hidden.

Suppressed numbers become NaN (the columns stay numeric, counts as float64) and every table
function returns a :class:`SuppressedTable` carrying a boolean mask, the reason per cell and
the text a view prints instead (:meth:`SuppressedTable.labels`). Everything is vectorised
(numpy masks over the cells, line sums by ``np.bincount``); the only Python loop repeats the
line pass until nothing changes (a handful of passes).

Method: primary and complementary (secondary) cell suppression as in statistical disclosure
control (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 7); the threshold
follows the CMS cell-size suppression policy (counts 1-10 not displayed).
"""

from __future__ import annotations

import dataclasses
import itertools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from ..contract import (
    ALL_GROUP,
    BLANK_GROUP,
    DEFAULT_GROUP_BY,
    STAGE_CATEGORIES,
    STAGE_RECODINGS,
)
from ..metrics.inference import contingency_test

__all__ = [
    "CMS_MIN_CELL",
    "DEFAULT_MIN_CELL",
    "ENV_VAR",
    "HIDDEN_TEXT",
    "LIFTED_NOTICE",
    "POOLED_TEXT",
    "REASONS",
    "TOO_FEW_TEXT",
    "Refusal",
    "SuppressedTable",
    "Suppression",
    "check_subgroup",
    "check_view",
    "min_cell_default",
    "pooled_groups",
    "pooled_levels_table",
    "recode_stage_mix",
    "suppress_baseline_table",
    "suppress_baseline_tests",
    "suppress_comparisons",
    "suppress_contacts_per_participant",
    "suppress_early_to_thriving",
    "suppress_ended_by_contact",
    "suppress_enrollment",
    "suppress_followup_summary",
    "suppress_recovered_tests",
    "suppress_resources_by_wave",
    "suppress_resources_overall",
    "suppress_support_curve",
    "suppress_transitions",
    "suppress_view",
]

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


# ---- the result ---------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SuppressedTable:
    """A tidy table after suppression.

    table : the metric frame, suppressed values NaN (count columns as float64).
    mask : bool frame, same index and columns: True where a value is suppressed.
    reasons : str frame, same shape: "" where shown, else a reason code (see ``REASONS``).
    too_few : bool Series per row: the row's group has fewer than k participants.
    suppression : the setting used.
    overall : the overall row(s) suppressed together with the groups, when passed.
    margins : extra totals a view shows (transition matrices), when any.
    """

    table: pd.DataFrame
    mask: pd.DataFrame
    reasons: pd.DataFrame
    too_few: pd.Series
    suppression: Suppression
    count_columns: tuple[str, ...] = ()
    overall: SuppressedTable | None = None
    margins: pd.DataFrame | None = None

    def __iter__(self):  # table, mask = suppress_x(...)
        return iter((self.table, self.mask))

    @property
    def any(self) -> bool:
        """True when anything is suppressed."""
        return bool(self.mask.to_numpy().any())

    @property
    def lifted(self) -> bool:
        return self.suppression.lifted

    def labels(self) -> pd.DataFrame:
        """What a view prints in each suppressed cell ("" where shown).

        A hidden count that is itself from 1 to k-1 prints "<k"; any other hidden value prints
        "suppressed"; every cell of a row whose group is too small prints
        "Too few participants to show" (a view may print that once for the row).
        """
        out = pd.DataFrame("", index=self.mask.index, columns=self.mask.columns, dtype=object)
        k = self.suppression.k
        for c in self.mask.columns:
            m = self.mask[c].to_numpy()
            if not m.any():
                continue
            col = np.where(m, HIDDEN_TEXT, "").astype(object)
            if c in self.count_columns:
                # the true value is read from the reasons: small counts are labelled "<k"
                small = self.reasons[c].to_numpy() == _CODES[_SMALL]
                col[m & small] = f"<{k}"
            col[m & self.too_few.to_numpy() & (col != f"<{k}")] = TOO_FEW_TEXT
            out[c] = col
        return out

    def render(self, column: str, formatter) -> pd.Series:
        """``column`` as text: ``formatter(value)`` where shown, the label where suppressed."""
        labels = self.labels()[column]
        shown = [formatter(v) for v in self.table[column]]
        return pd.Series(
            np.where(self.mask[column].to_numpy(), labels.to_numpy(), np.array(shown, object)),
            index=self.table.index,
            name=column,
        )

    def rows(self, keep) -> SuppressedTable:
        """The rows ``keep`` (a boolean array), with their mask, reasons and labels: a part of
        the table suppressed as a whole, so it hides what the whole hides."""
        return dataclasses.replace(
            self,
            table=self.table[keep],
            mask=self.mask[keep],
            reasons=self.reasons[keep],
            too_few=self.too_few[keep],
        )

    def suppressed_cells(self) -> pd.DataFrame:
        """One row per suppressed cell: row (index label), column, reason code, reason text."""
        stacked = self.mask.stack()
        hit = stacked[stacked]
        rows = [i[0] for i in hit.index]
        cols = [i[1] for i in hit.index]
        codes = [self.reasons.at[r, c] for r, c in zip(rows, cols, strict=True)]
        return pd.DataFrame(
            {
                "row": rows,
                "column": cols,
                "reason": codes,
                "text": [reason_text(c, self.suppression.k) for c in codes],
            }
        )


# ---- the engine ---------------------------------------------------------------------------------
class _Space:
    """The count cells of every table of a view in one space, with the lines that add up.

    A quantity that several tables show (participants with a contact, the respondents of a
    wave, the analysed per group, ...) is registered under one key and so is ONE cell: it is
    hidden everywhere or nowhere. A line says that some cells (parts) add up to another (the
    total; a line without one has a total shown elsewhere).

    Each cell is shown, hidden, or *free*: a quantity no output shows and that need not be
    protected (a complement of 7 non-users). A free cell absorbs its lines, so the line pass
    skips a line that holds one; the audit keeps it as an unknown.
    """

    def __init__(self, k: int):
        self.k = k
        self.values = np.zeros(0)
        self.hidden = np.zeros(0, bool)
        self.free = np.zeros(0, bool)
        self.reason = np.zeros(0, np.int8)
        self.pinned = np.zeros(0, bool)  # shown whatever happens (the analysed total)
        self.cost = np.zeros(0, np.int8)  # 0 is hidden first when a line needs one more
        # free cells the audit keeps unknown when small (steps of a cumulative chain); the
        # greedy passes handle them in their own way
        self.protect = np.zeros(0, bool)
        self.unresolved: list[np.ndarray] = []  # targets only pinned cells give back
        self._keys: dict = {}
        self._line: list[np.ndarray] = []
        self._member: list[np.ndarray] = []
        self._total: list[np.ndarray] = []
        self._nlines = 0
        self.passes: list = []

    def alloc(
        self, values, keys=None, pinned=False, free=False, cost=0, protect=False
    ) -> np.ndarray:
        """Cells for ``values``; a key already registered gives back that quantity's cell (its
        value must be the same: two tables cannot disagree on one number)."""
        values = np.asarray(values, dtype="float64")
        ids = np.empty(len(values), np.int64)
        start = len(self.values)
        fresh: list[int] = []
        bases: list[int] = []
        for i in range(len(values)):
            key = None if keys is None else keys[i]
            j = None if key is None else self._keys.get(key)
            if j is None:
                j = start + len(fresh)
                fresh.append(i)
                if key is not None and key[0] in _BASES:
                    bases.append(len(fresh) - 1)
                if key is not None:
                    self._keys[key] = j
            elif j < start and not _same(self.values[j], values[i]):
                raise ValueError(f"{key} has two values: {self.values[j]} and {values[i]}")
            ids[i] = j
        fresh_idx = np.asarray(fresh, np.int64)
        m = len(fresh_idx)
        self.values = np.concatenate([self.values, values[fresh_idx]])
        self.hidden = np.concatenate([self.hidden, np.zeros(m, bool)])
        self.free = np.concatenate([self.free, np.full(m, free)])
        self.reason = np.concatenate([self.reason, np.zeros(m, np.int8)])
        self.pinned = np.concatenate([self.pinned, np.zeros(m, bool)])
        new_cost = np.full(m, cost, np.int8)
        new_cost[bases] = 1
        self.cost = np.concatenate([self.cost, new_cost])
        self.protect = np.concatenate([self.protect, np.full(m, protect)])
        if not free:  # a quantity some output shows is never free
            self.free[ids] = False
        if pinned:
            self.pinned[ids] = True
        return ids

    def named(self):
        """(name, cell) of every quantity registered under a name."""
        return self._keys.items()

    def key_cell(self, key) -> int | None:
        return self._keys.get(key)

    def hide(self, idx, code: int) -> None:
        idx = np.asarray(idx)
        if idx.dtype == bool:
            idx = np.flatnonzero(idx)
        if idx.size == 0:
            return
        new = idx[~self.hidden[idx]]
        self.reason[new] = code
        self.hidden[idx] = True
        self.free[idx] = False

    def add_lines(self, part_line, part_cell, total_line=None, total_cell=None) -> None:
        """Lines of parts adding up to a total; ``*_line`` are local line labels (any ints).
        A line without a total cell has an implicit total shown elsewhere."""
        part_line = np.asarray(part_line, dtype=np.int64)
        part_cell = np.asarray(part_cell, dtype=np.int64)
        tl = np.asarray([] if total_line is None else total_line, dtype=np.int64)
        tc = np.asarray([] if total_cell is None else total_cell, dtype=np.int64)
        if part_line.size == 0:
            return
        # a total whose parts are not in the table (a level no group row has) says nothing
        with_parts = np.isin(tl, part_line)
        tl, tc = tl[with_parts], tc[with_parts]
        labels, codes = np.unique(np.concatenate([part_line, tl]), return_inverse=True)
        codes = codes + self._nlines
        self._nlines += len(labels)
        self._line.append(codes)
        self._member.append(np.concatenate([part_cell, tc]))
        self._total.append(np.concatenate([np.zeros(len(part_line), bool), np.ones(len(tl), bool)]))

    def complement(self, count_cells, denominator_cells) -> None:
        """The complement of a count within its denominator (the non-users: respondents minus
        users) is a quantity of its own that no table shows: count + complement = denominator.
        When it is from 1 to k-1 the count is hidden (the denominator is the finding's base)
        and the complement must stay unknown (the audit checks it)."""
        c = np.asarray(count_cells, dtype=np.int64)
        d = np.asarray(denominator_cells, dtype=np.int64)
        comp = self.values[d] - self.values[c]
        ok = np.isfinite(comp)
        c, d, comp = c[ok], d[ok], comp[ok]
        if not c.size:
            return
        small = (comp >= 1) & (comp < self.k)
        self.hide(c[small], _COMPLEMENT)
        virtual = self.alloc(comp, free=True)
        self.hide(virtual[small], _SMALL)
        rows = np.arange(c.size)
        self.add_lines(np.concatenate([rows, rows]), np.concatenate([c, virtual]), rows, d)

    def primary(self) -> None:
        v = self.values
        self.hide((v >= 1) & (v < self.k) & ~self.free, _SMALL)

    def _lines(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return np.concatenate(self._line), np.concatenate(self._member), np.concatenate(self._total)

    def _line_pass(self) -> None:
        if not self._nlines:
            return
        line, member, is_total = self._lines()
        nl = self._nlines
        part = ~is_total
        pl, pm = line[part], member[part]
        hid = self.hidden[pm]
        # a line holding a free cell gives nothing away on its own (the audit still reads it)
        has_free = np.bincount(line, weights=self.free[member], minlength=nl) > 0
        h = np.bincount(pl, weights=hid, minlength=nl)
        t_exists = np.zeros(nl, bool)
        t_hidden = np.zeros(nl, bool)
        t_exists[line[is_total]] = True
        t_hidden[line[is_total]] = self.hidden[member[is_total]]
        vals = self.values[pm]
        shown_nonzero = ~hid & ~self.free[pm] & (np.nan_to_num(vals) > 0)
        nz = np.bincount(pl, weights=shown_nonzero, minlength=nl)
        # the hidden parts under a shown total add up to total - shown parts: that sum must not
        # be a small count either (22 in all, 19 thriving shown: the 3 others are given away)
        t_value = np.zeros(nl)
        t_value[line[is_total]] = np.nan_to_num(self.values[member[is_total]])
        shown_sum = np.bincount(pl, weights=np.where(hid, 0.0, np.nan_to_num(vals)), minlength=nl)
        hidden_sum = t_value - shown_sum
        small_sum = (
            t_exists & ~t_hidden & ~has_free & (h >= 2) & (hidden_sum >= 1) & (hidden_sum < self.k)
        )
        if small_sum.any():
            # hide the total rather than a shown part: the parts are the findings (7 went from
            # early to thriving), the total only their sum; pinned totals fall back to a part
            tot = is_total & small_sum[line] & ~self.pinned[member] & (self.cost[member] == 0)
            self.hide(member[tot], _SECONDARY)
            small_sum[line[tot]] = False
        # exactly one hidden part under a shown total; or a hidden total with every part shown
        bad = (~t_hidden & (h == 1)) | (t_exists & t_hidden & (h == 0) & (nz > 0)) | small_sum
        bad &= ~has_free
        if not bad.any():
            return
        cand = bad[pl] & shown_nonzero & ~self.pinned[pm]
        cl, cm = pl[cand], pm[cand]
        if cl.size:
            order = np.lexsort((cm, self.values[cm], self.cost[cm], cl))
            first = np.unique(cl[order], return_index=True)[1]
            self.hide(cm[order][first], _SECONDARY)
        solved = np.zeros(nl, bool)
        solved[cl] = True
        left = bad & ~solved
        if left.any():
            # no other non-zero part: hide the total, or, when it is shown elsewhere, every part
            tot = is_total & left[line] & ~self.pinned[member]
            self.hide(member[tot], _SECONDARY)
            has_hideable_total = np.zeros(nl, bool)
            has_hideable_total[line[tot]] = True
            rest = left & ~has_hideable_total
            self.hide(pm[rest[pl] & ~hid & ~self.pinned[pm]], _SECONDARY)

    def _targets(self) -> list[np.ndarray]:
        """What must stay unknown: each hidden count from 1 to k-1 (and each protected free
        quantity that small), and the hidden parts of a line together when they add up to
        1 to k-1 (22 in all and 19 shown: the 3 others, whoever they are)."""
        small = (self.values >= 1) & (self.values < self.k)
        out = [np.array([j]) for j in np.flatnonzero((self.hidden | self.protect) & small)]
        if self._nlines:
            line, member, is_total = self._lines()
            part = ~is_total & self.hidden[member] & ~self.free[member]
            frame = pd.DataFrame({"line": line[part], "cell": member[part]}).drop_duplicates()
            frame["v"] = np.nan_to_num(self.values[frame["cell"].to_numpy()])
            sums = frame.groupby("line").agg(n=("cell", "size"), v=("v", "sum"))
            lines = sums.index[(sums["n"] >= 2) & (sums["v"] >= 1) & (sums["v"] < self.k)]
            cells = frame[frame["line"].isin(lines)].groupby("line")["cell"]
            seen = set()
            for _, group in cells:
                key = tuple(sorted(group.tolist()))
                if key not in seen:
                    seen.add(key)
                    out.append(np.asarray(key, np.int64))
        return out

    def leaks(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The targets (:meth:`_targets`) that the shown cells and the lines determine, by any
        combination of lines, each with the lines of one combination that gives it back.

        Exact in the sense of linear algebra: a target (a sum of unknown cells) is determined
        when every assignment of the unknowns that satisfies the lines gives it the same value,
        that is when it is orthogonal to the lines' null space over the unknown cells. Lines
        with a single unknown fix it and are peeled first; the rest is solved component by
        component (numpy's SVD; the coefficients are 0 and +-1)."""
        targets = self._targets()
        if not targets or not self._nlines:
            return []
        unknown = self.hidden | self.free
        line, member, is_total = self._lines()
        coef = np.where(is_total, -1.0, 1.0)
        keep = unknown[member]
        frame = pd.DataFrame({"line": line[keep], "cell": member[keep], "coef": coef[keep]})
        # a cell that is both a part and the total of one line (two tables' names for one
        # quantity) cancels out
        frame = frame.groupby(["line", "cell"], sort=False)["coef"].sum().reset_index()
        frame = frame[frame["coef"] != 0]
        known = ~unknown
        peel = np.full(len(self.values), -1, np.int64)  # the line that fixed a peeled cell
        while len(frame):
            left = frame[~known[frame["cell"].to_numpy()]]
            size = left.groupby("line")["cell"].transform("size").to_numpy()
            single = left[size == 1]
            if not len(single):
                frame = left
                break
            first = single.drop_duplicates("cell")
            known[first["cell"].to_numpy()] = True
            peel[first["cell"].to_numpy()] = first["line"].to_numpy()
            frame = left
        systems = {}
        if len(frame):
            lines_u, li = np.unique(frame["line"].to_numpy(), return_inverse=True)
            cells_u, ci = np.unique(frame["cell"].to_numpy(), return_inverse=True)
            graph = sparse.coo_matrix(
                (np.ones(len(li)), (li, ci + len(lines_u))),
                shape=(len(lines_u) + len(cells_u),) * 2,
            )
            _, comp = csgraph.connected_components(graph, directed=False)
            cell_comp = dict(zip(cells_u.tolist(), comp[len(lines_u) :].tolist(), strict=True))
            coefs = frame["coef"].to_numpy()
            line_ids, cell_ids = frame["line"].to_numpy(), frame["cell"].to_numpy()
        else:
            cell_comp = {}

        def system(c: int):
            if c not in systems:
                cols = np.asarray(sorted(j for j, x in cell_comp.items() if x == c), np.int64)
                sel = np.isin(cell_ids, cols)
                rows, r_inv = np.unique(line_ids[sel], return_inverse=True)
                a = np.zeros((len(rows), len(cols)))
                a[r_inv, np.searchsorted(cols, cell_ids[sel])] = coefs[sel]
                _, s, vt = np.linalg.svd(a, full_matrices=True)
                tol = max(a.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0) * 10
                rank = int((s > max(tol, 1e-9)).sum())
                systems[c] = (cols, rows, a, vt[rank:])
            return systems[c]

        out = []
        members_of = None
        for target in targets:
            if known[target].all() and (peel[target] < 0).all():
                continue  # shown cells (cannot happen for a hidden target)
            open_cells = target[~known[target]]
            if any(j not in cell_comp for j in open_cells.tolist()):
                continue  # a cell no line holds any more: anything goes
            used: list[np.ndarray] = []
            determined = True
            for c in sorted({cell_comp[j] for j in open_cells.tolist()}):
                cols, rows, a, null = system(c)
                vec = np.isin(cols, open_cells).astype(float)
                if len(null) and np.abs(null @ vec).max() > 1e-7:
                    determined = False
                    break
                y = np.linalg.lstsq(a.T, vec, rcond=None)[0]
                used.append(rows[np.abs(y) > 1e-8])
            if not determined:
                continue
            # the peeled cells the combination leans on bring the lines that fixed them
            if members_of is None:
                members_of = _members_by_line(line, member)
            witness = set(np.concatenate(used).tolist()) if used else set()
            stack = [*target.tolist(), *(j for ln in witness for j in members_of[ln])]
            while stack:
                ln = peel[stack.pop()]
                if ln >= 0 and ln not in witness:
                    witness.add(ln)
                    stack.extend(members_of[ln])
            out.append((target, np.asarray(sorted(witness), np.int64)))
        return out

    def determined(self) -> np.ndarray:
        """The hidden counts from 1 to k-1 (single cells) that the shown cells give back."""
        return np.unique(
            np.concatenate([t for t, _ in self.leaks() if len(t) == 1] or [np.zeros(0, int)])
        ).astype(np.int64)

    def _audit(self) -> bool:
        """One more shown cell hidden on the lines of each combination that gives a target
        back (the smallest, parts before denominators); True when anything changed. A target
        that only pinned cells give back is left (it is shown by the everyone-view)."""
        found = self.leaks()
        if not found:
            return False
        line, member, _ = self._lines()
        changed = False
        hideable = ~self.hidden & ~self.free & ~self.pinned
        for target, witness in found:
            cand = np.unique(member[np.isin(line, witness)])
            cand = cand[hideable[cand]]
            if not cand.size:
                self.unresolved.append(target)
                continue
            nonzero = cand[np.nan_to_num(self.values[cand]) > 0]
            pool = nonzero if nonzero.size else cand
            order = np.lexsort((pool, self.values[pool], self.cost[pool]))
            self.hide(pool[order[:1]], _SECONDARY)
            hideable[pool[order[0]]] = False
            changed = True
        return changed

    def run(self) -> None:
        self.primary()
        for _ in range(1000):
            before = int(self.hidden.sum())
            self._line_pass()
            for fn, cells in self.passes:
                fn(cells)
            if int(self.hidden.sum()) == before and not self._audit():
                return
        raise RuntimeError("suppression did not settle")  # pragma: no cover


def _members_by_line(line: np.ndarray, member: np.ndarray) -> dict[int, np.ndarray]:
    """The distinct cells of each line (one sort, not one grouping per line)."""
    order = np.lexsort((member, line))
    lines, cells = line[order], member[order]
    first = np.ones(len(lines), bool)
    first[1:] = (lines[1:] != lines[:-1]) | (cells[1:] != cells[:-1])
    lines, cells = lines[first], cells[first]
    ids, starts = np.unique(lines, return_index=True)
    return dict(zip(ids.tolist(), np.split(cells, starts[1:]), strict=True))


#: Quantities that are the denominators of other findings (the followed-up participants, the
#: respondents of a wave, ...): when a line needs one more hidden cell, a part goes before them.
_BASES = frozenset(
    {
        "completed",
        "with_contact",
        "respondents",
        "followed_up",
        "trans_total",
        "baseline_n",
        "staged",
    }
)


def _same(a: float, b: float) -> bool:
    return (np.isnan(a) and np.isnan(b)) or a == b


class _Cells:
    """One table's count cells in a view's :class:`_Space` (cell = column slot * rows + row),
    with the space's operations; ``keys`` names the quantities it shares with other tables."""

    def __init__(
        self,
        space: _Space,
        frame: pd.DataFrame,
        counts: Sequence[str],
        keys: dict[str, list] | None = None,
        cost: int = 0,
    ):
        self.space = space
        self.n = len(frame)
        self.k = space.k
        self.counts = [c for c in counts if c in frame.columns]
        self.slot = {c: i for i, c in enumerate(self.counts)}
        if self.counts:
            values = np.concatenate(
                [frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in self.counts]
            )
        else:
            values = np.zeros(0)
        key_list = None
        if keys:
            key_list = []
            for c in self.counts:
                key_list.extend(keys.get(c) or [None] * self.n)
        self.ids = space.alloc(values, key_list, cost=cost)
        self.scope: Any = None  # the view's names for shared quantities (None: a lone table)

    # Set by some tables' extra steps only; absent otherwise (read with getattr/hasattr).
    chains: tuple[np.ndarray, np.ndarray | None]
    margins: pd.DataFrame
    margin_cells: tuple

    @property
    def values(self) -> np.ndarray:
        return self.space.values

    @property
    def hidden(self) -> np.ndarray:
        return self.space.hidden

    @property
    def reason(self) -> np.ndarray:
        return self.space.reason

    def cells(self, column: str, rows=None) -> np.ndarray:
        base = self.slot[column] * self.n
        if rows is None:
            return self.ids[base : base + self.n]
        return self.ids[base + np.asarray(rows, dtype=np.int64)]

    def has(self, column: str) -> bool:
        return column in self.slot

    def add_virtual(self, values, pinned: bool = False, keys=None) -> np.ndarray:
        return self.space.alloc(values, keys, pinned=pinned)

    def hide(self, idx, code: int) -> None:
        self.space.hide(idx, code)

    def add_lines(self, part_line, part_cell, total_line=None, total_cell=None) -> None:
        self.space.add_lines(part_line, part_cell, total_line, total_cell)

    def complement(self, count_cells, denominator_cells) -> None:
        self.space.complement(count_cells, denominator_cells)

    def add_pass(self, fn) -> None:
        """``fn(self)`` runs after every line pass until nothing changes."""
        self.space.passes.append((fn, self))


@dataclass(frozen=True)
class _Count:
    column: str
    denominator: str | None = None  # complement rule; derived hidden when it is hidden
    derived: tuple[str, ...] = ()  # shares, intervals: hidden with the count
    answers: tuple[str, ...] = ()  # means built on `column` answers: hidden below k answers
    # the people behind the answers, when one person can answer more than once (ratings over
    # several waves): the means are hidden below k people too
    raters: str | None = None


@dataclass(frozen=True)
class _Spec:
    counts: tuple[_Count, ...]
    size: str | None = None  # participants of the row's group: below k -> too few
    across: tuple[str, ...] | None = None  # keys of a line across groups (with the overall row)
    sums: tuple[tuple[str, tuple[str, ...]], ...] = ()  # within a row: total = sum of parts
    also_hide: tuple[str, ...] = ()  # more columns hidden for a too-few group
    group: str = "group"
    extra: Any = None  # callable(cells, frame, is_overall, context): lines, passes, virtual cells
    finish: Any = None  # callable(frame, codes, col_pos, cells, k, context) after the engine


def _codes_frame(codes: np.ndarray, index, columns) -> pd.DataFrame:
    names = np.array([""] + [_CODES[i] for i in range(1, max(_CODES) + 1)], dtype=object)
    return pd.DataFrame(names[codes], index=index, columns=columns)


def _line_keys(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    if not keys:
        return np.zeros(len(frame), np.int64)
    return frame.groupby(list(keys), sort=False, dropna=False).ngroup().to_numpy(np.int64)


@dataclass
class _Declared:
    """One table declared in a space, waiting for the space to run."""

    spec: _Spec
    frame: pd.DataFrame
    overall: pd.DataFrame | None
    work: pd.DataFrame
    is_overall: np.ndarray
    cells: _Cells
    count_cols: list[str]
    too_few: np.ndarray
    setting: Suppression
    context: Any = None


def _declare(
    space: _Space,
    spec: _Spec,
    frame: pd.DataFrame,
    setting: Suppression,
    overall: pd.DataFrame | None = None,
    context: Any = None,
    keys=None,
    cost: int = 0,
    scope: Any = None,
) -> _Declared:
    """Register one table's cells and lines in ``space``. ``keys(work, is_overall)`` gives,
    per count column, the name of each row's quantity (None: a quantity of its own)."""
    kk = space.k
    parts = [frame.reset_index(drop=True)]
    if overall is not None:
        parts.append(overall.reset_index(drop=True))
    work = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0].copy()
    is_overall = np.arange(len(work)) >= len(frame)
    count_cols = [c.column for c in spec.counts if c.column in work.columns]
    for total, part_cols in spec.sums:
        for col in (total, *part_cols):
            if col in work.columns and col not in count_cols:
                count_cols.append(col)
    names = keys(work, is_overall) if keys is not None and len(work) else None
    cells = _Cells(space, work, count_cols, names, cost=cost)
    cells.scope = scope
    too_few = np.zeros(len(work), bool)
    if len(work):  # with k = 1 the rules hide nothing (margins are still computed)
        if spec.size and spec.size in work.columns:
            size = work[spec.size].to_numpy(dtype="float64", na_value=np.nan)
            too_few = (size >= 1) & (size < kk)
        space.primary()
        if too_few.any():
            for col in count_cols:
                cells.hide(cells.cells(col, np.flatnonzero(too_few)), _TOO_FEW)
        for c in spec.counts:
            if cells.has(c.column) and c.denominator and c.denominator in work.columns:
                if cells.has(c.denominator):
                    d = cells.cells(c.denominator)
                else:
                    d = cells.add_virtual(work[c.denominator].to_numpy(float), pinned=True)
                cells.complement(cells.cells(c.column), d)
        # within-row sums
        for total, part_cols in spec.sums:
            present = [p for p in part_cols if cells.has(p)]
            if not cells.has(total) or len(present) != len(part_cols):
                continue
            rows = np.arange(len(work))
            pl = np.tile(rows, len(present))
            pc = np.concatenate([cells.cells(p) for p in present])
            cells.add_lines(pl, pc, rows, cells.cells(total))
        # across groups: parts are the group rows, the total the overall row
        if spec.across is not None and overall is not None and len(overall):
            key = _line_keys(work, spec.across)
            for col in count_cols:
                cc = cells.cells(col)
                cells.add_lines(key[~is_overall], cc[~is_overall], key[is_overall], cc[is_overall])
        if spec.extra is not None:
            spec.extra(cells, work, is_overall, context)
    return _Declared(
        spec, frame, overall, work, is_overall, cells, count_cols, too_few, setting, context
    )


def _collect(d: _Declared) -> SuppressedTable:
    """The SuppressedTable of a declared table once its space has run."""
    spec, work, cells, count_cols, too_few = d.spec, d.work, d.cells, d.count_cols, d.too_few
    kk = cells.k
    columns = list(work.columns)
    col_pos = {c: i for i, c in enumerate(columns)}
    codes = np.zeros((len(work), len(columns)), np.int8)

    def mark(col, rows_mask, code):
        if col in col_pos:
            j = col_pos[col]
            codes[rows_mask & (codes[:, j] == _NONE), j] = code

    if len(work):
        for col in count_cols:
            ids = cells.cells(col)
            hid = cells.space.hidden[ids]
            codes[hid, col_pos[col]] = cells.space.reason[ids][hid]
        # derived values
        for c in spec.counts:
            if c.column not in col_pos:
                continue
            base = codes[:, col_pos[c.column]] != _NONE
            if c.denominator in col_pos:
                base = base | (codes[:, col_pos[c.denominator]] != _NONE)
            for x in c.derived:
                mark(x, base, _DERIVED)
            if c.answers:
                v = work[c.column].to_numpy(dtype="float64", na_value=np.nan)
                few = (v >= 1) & (v < kk)
                if c.raters in col_pos:
                    r = work[c.raters].to_numpy(dtype="float64", na_value=np.nan)
                    few |= (r >= 1) & (r < kk)
                for x in c.answers:
                    mark(x, few, _FEW_ANSWERS)
                    mark(x, base, _DERIVED)
        if too_few.any():
            for col in [*count_cols, *[x for c in spec.counts for x in (*c.derived, *c.answers)]]:
                mark(col, too_few, _TOO_FEW)
            for col in spec.also_hide:
                mark(col, too_few, _TOO_FEW)
        if spec.finish is not None:
            spec.finish(work, codes, col_pos, cells, kk, d.context)
    margins = getattr(cells, "margins", None)

    out = work.copy()
    numeric_touch = set(count_cols)
    for c in spec.counts:
        numeric_touch.update(x for x in (*c.derived, *c.answers) if x in out.columns)
    for col in numeric_touch:
        out[col] = out[col].astype("float64")
    mask_arr = codes != _NONE
    for j, col in enumerate(columns):
        m = mask_arr[:, j]
        if m.any():
            if not pd.api.types.is_float_dtype(out[col].dtype):
                out[col] = out[col].astype("float64")
            out.loc[m, col] = np.nan
    mask = pd.DataFrame(mask_arr, columns=columns)
    reasons = _codes_frame(codes.astype(np.int64), mask.index, columns)
    too = pd.Series(too_few, name="too_few")
    setting = d.setting

    def piece(sel: np.ndarray, index) -> SuppressedTable:
        t = out[sel].copy()
        t.index = index
        m = mask[sel].copy()
        m.index = index
        r = reasons[sel].copy()
        r.index = index
        tf = too[sel].copy()
        tf.index = index
        return SuppressedTable(t, m, r, tf, setting, tuple(count_cols), margins=margins)

    main = piece(~d.is_overall, d.frame.index)
    if d.overall is None:
        return main
    over = piece(d.is_overall, d.overall.index)
    return dataclasses.replace(main, overall=over)


def _apply(
    spec: _Spec,
    frame: pd.DataFrame,
    k: int | Suppression | None,
    overall: pd.DataFrame | None = None,
    context: Any = None,
) -> SuppressedTable:
    """One table suppressed on its own (in a space of its own)."""
    setting = _setting(k)
    space = _Space(setting.effective_k)
    d = _declare(space, spec, frame, setting, overall, context)
    space.run()
    return _collect(d)


_ALL_ROWS = "\x00overall"  # the group label of the overall rows (no group can be named so)


def _group_labels(w: pd.DataFrame, is_overall: np.ndarray) -> np.ndarray:
    if "group" not in w:  # a table of everyone (the recovered participants' tests)
        return np.full(len(w), _ALL_ROWS, dtype=object)
    return np.where(is_overall, _ALL_ROWS, w["group"].astype(str).to_numpy())


# ---- table declarations -------------------------------------------------------------------------
_ENROLLMENT = _Spec(
    counts=(
        _Count("enrolled"),
        _Count("analysed"),
        _Count("completed"),
        _Count("withdrew", "enrolled"),
        _Count("lost_to_follow_up", "enrolled"),
    ),
    size="enrolled",
    across=(),
    sums=(("enrolled", ("completed", "withdrew", "lost_to_follow_up")),),
    extra=lambda cells, w, o, ctx: _enrollment_extra(cells, w),
)


def _enrollment_extra(cells: _Cells, w: pd.DataFrame) -> None:
    """A small gap between enrolled and completed (those who did not complete) hides the
    count that is NOT the analysed number: the analysed number is every other page's
    denominator (Resources' "16/23", Table 1's n), so hiding it here would not protect the gap
    (enrolled - a denominator shown elsewhere would still give it away)."""
    _alias_analysed(cells, w)
    # the summary JSON has no completed column: there analysed is the completed count
    # (completers) or equal to enrolled (all enrolled: no gap)
    done = "completed" if cells.has("completed") else "analysed"
    if not (cells.has("enrolled") and cells.has(done)):
        return
    enrolled = w["enrolled"].to_numpy(float)
    completed = w[done].to_numpy(float)
    gap = enrolled - completed
    small = np.flatnonzero((gap >= 1) & (gap < cells.k))
    if not small.size:
        return
    analysed_is_completed = (
        w["analysed"].to_numpy(float)[small] == completed[small]
        if cells.has("analysed")
        else np.ones(small.size, bool)
    )
    cells.hide(cells.cells("enrolled", small[analysed_is_completed]), _COMPLEMENT)
    cells.hide(cells.cells(done, small[~analysed_is_completed]), _COMPLEMENT)


def _alias_analysed(cells: _Cells, w: pd.DataFrame) -> None:
    """analysed is the completed count (completers) or the enrolled count (all enrolled):
    where the values are equal, the two cells are one number, hidden together."""
    if not cells.has("analysed"):
        return
    a = w["analysed"].to_numpy(float)
    for other in ("completed", "enrolled"):
        if cells.has(other):
            rows = np.flatnonzero(a == w[other].to_numpy(float))
            cells.add_lines(rows, cells.cells(other, rows), rows, cells.cells("analysed", rows))


def suppress_enrollment(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress the enrollment table (``enrollment`` output: group, enrolled, analysed,
    completed, withdrew, lost_to_follow_up); ``overall`` is ``enrollment(cohort, None)`` when
    a view shows it too (the groups then add up to it). Statuses add up to enrolled."""
    return _apply(_ENROLLMENT, frame, k, overall)


_FOLLOWUP = _Spec(
    counts=(
        _Count("participants"),
        _Count("ended", "participants"),
        _Count("censored", "participants"),
    ),
    size="participants",
    across=(),
    sums=(("participants", ("ended", "censored")),),
    also_hide=(
        "median_contacts",
        "median_support_days",
        "median_support_days_low",
        "median_support_days_high",
    ),
)


def suppress_followup_summary(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``followup_summary`` output (group, participants, ended, censored, medians):
    a group with fewer than k participants shows nothing; ended + censored = participants."""
    return _apply(_FOLLOWUP, frame, k, overall)


def _cumulative_pass(cells: _Cells) -> None:
    """Cumulative counts along each chain: two neighbouring shown values (0 before the first,
    the chain's total after the last) never differ by 1..k-1."""
    chains = getattr(cells, "chains", None)
    if chains is None:
        return
    matrix, totals = chains  # chains x steps of cell ids (-1 beyond a chain's end)
    k = cells.k
    valid = matrix >= 0
    ids = np.maximum(matrix, 0)
    vals = np.where(valid, cells.values[ids], np.nan)
    shown = valid & ~cells.hidden[ids]
    hide = np.zeros(matrix.shape, bool)
    last = np.zeros(len(matrix))
    for j in range(matrix.shape[1]):  # steps (contact numbers): a few dozen at most
        step = vals[:, j] - last
        ok = shown[:, j] & ((step == 0) | (step >= k))
        hide[:, j] = shown[:, j] & ~ok
        shown[:, j] = ok
        last = np.where(ok, vals[:, j], last)
    if totals is not None:
        tv = cells.values[totals]
        rows = np.arange(len(matrix))
        for _ in range(matrix.shape[1]):
            any_shown = shown.any(axis=1)
            j = matrix.shape[1] - 1 - np.argmax(shown[:, ::-1], axis=1)
            gap = tv - np.where(any_shown, vals[rows, j], 0.0)
            pop = any_shown & (gap >= 1) & (gap < k)
            if not pop.any():
                break
            shown[rows[pop], j[pop]] = False
            hide[rows[pop], j[pop]] = True
    cells.hide(matrix[hide], _CUMULATIVE)


def _ended_extra(cells: _Cells, w: pd.DataFrame, is_overall: np.ndarray, ctx) -> None:
    # chains: one per group (and overall), steps = contact 1..max, a missing contact beyond a
    # group's last one repeats its last value (the same cell)
    if not len(w):
        return
    key = np.where(is_overall, "\x00overall", w["group"].astype(str).to_numpy())
    chain_labels, chain = np.unique(key, return_inverse=True)
    contact = w["contact"].to_numpy(np.int64)
    steps = int(contact.max())
    matrix = np.full((len(chain_labels), steps), -1, np.int64)
    ended = cells.cells("ended")
    matrix[chain, contact - 1] = ended
    # forward fill the cell ids
    filled = pd.DataFrame(np.where(matrix >= 0, matrix, np.nan)).ffill(axis=1)
    filled = filled.fillna(-1).to_numpy(np.int64)
    first_row = pd.Series(np.arange(len(w))).groupby(chain).first().to_numpy()
    totals = cells.cells("participants", first_row) if cells.has("participants") else None
    cells.chains = (np.where(matrix >= 0, matrix, -1), totals)
    cells.add_pass(_cumulative_pass)
    # the supports ending at one contact (a step) and those still in support after the last are
    # quantities of their own: the audit keeps them unknown when they are small
    space = cells.space
    for c in range(len(chain_labels)):
        chain_cells = matrix[c][matrix[c] >= 0]
        pairs = list(itertools.pairwise(chain_cells))
        if totals is not None:
            pairs.append((chain_cells[-1], totals[c]))
        for lower, upper in pairs:
            step = space.values[upper] - space.values[lower]
            if not np.isfinite(step):
                continue
            v = space.alloc([step], free=True, protect=True)
            space.add_lines([0, 0], [lower, v[0]], [0], [upper])
    # across groups at each contact, with the overall chain as the total
    if is_overall.any():
        over = np.flatnonzero(chain_labels == "\x00overall")[0]
        grp = np.array([i for i in range(len(chain_labels)) if i != over], np.int64)
        steps_idx = np.arange(steps)
        part_line = np.repeat(steps_idx[None, :], len(grp), axis=0).ravel()
        part_cell = filled[grp].ravel()
        ok = part_cell >= 0
        tot_cell = filled[over]
        okt = tot_cell >= 0
        cells.add_lines(part_line[ok], part_cell[ok], steps_idx[okt], tot_cell[okt])


_ENDED = _Spec(
    counts=(
        _Count("participants"),
        _Count("ended", "participants", derived=("share", "ci_low", "ci_high")),
    ),
    size="participants",
    across=("contact",),
    extra=_ended_extra,
)


_ENDED_VIEW = _Spec(_ENDED.counts, _ENDED.size, None, extra=_ENDED.extra)


def suppress_ended_by_contact(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``ended_by_contact`` output (group, contact, ended, participants, share, CI).

    Besides the general rules: the still-in-support count (participants minus ended) below k
    hides the share, and neighbouring shown cumulative counts never differ by 1..k-1 (else the
    number ending at one contact is a subtraction away)."""
    spec = _ENDED
    if overall is not None:
        # the across lines are built by _ended_extra (a group's chain continues at its last value)
        spec = _Spec(spec.counts, spec.size, None, extra=spec.extra)
    return _apply(spec, frame, k, overall)


def _per_group_total_extra(column: str, total: str | None = None):
    """Lines: the ``column`` counts of a group add up to the group's total (shown elsewhere)."""

    def extra(cells: _Cells, w: pd.DataFrame, is_overall: np.ndarray, ctx) -> None:
        if not len(w):
            return
        key = _group_labels(w, is_overall)
        labels, line = np.unique(key, return_inverse=True)
        cc = cells.cells(column)
        sums = np.bincount(line, weights=np.nan_to_num(cells.values[cc]))
        if cells.scope is None:  # a lone table: the total is shown elsewhere
            tot = cells.add_virtual(sums, pinned=True)
        else:  # in a view: the followed-up participants of the follow-up tables
            tot = cells.add_virtual(sums, keys=[(total, cells.scope, g) for g in labels])
        cells.hide(tot[(sums >= 1) & (sums < cells.k)], _SMALL)
        cells.add_lines(line, cc, np.arange(len(sums)), tot)
        cells.complement(cc, tot[line])
        # a group whose total is below k shows nothing
        small_group = (sums >= 1) & (sums < cells.k)
        cells.hide(cc[small_group[line]], _TOO_FEW)

    return extra


_CONTACTS = _Spec(
    counts=(_Count("participants"),),
    across=("contacts",),
    extra=_per_group_total_extra("participants", "with_contact"),
)


def suppress_contacts_per_participant(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``contacts_per_participant`` output (group, contacts, participants): the
    counts of a group add up to its participants with a contact, a total shown elsewhere."""
    return _apply(_CONTACTS, frame, k, overall)


_CURVE_VALUES = ("survival", "ci_low", "ci_high", "at_risk", "events")


@dataclass
class _DeclaredCurve:
    frame: pd.DataFrame  # the coarsened curve
    too_few: np.ndarray
    events: np.ndarray  # cell of each row's events (-1: day 0)
    at_risk: np.ndarray  # cell of each row's at-risk number (-1: not shown)
    space: _Space
    setting: Suppression


def _coarsen(curve: pd.DataFrame, k: int) -> tuple[pd.DataFrame, np.ndarray, list]:
    """The Kaplan-Meier curve with its steps merged so that no step tells fewer than k people.

    Per group (rows in day order, day 0 first), events are gathered from one row to the next
    until the gathered step holds at least k events, at least k participants remain at risk
    after it, the participants censored during it are none or at least k, and the events
    still to come are none or at least k; the step is then drawn at its last day. The curve
    stops at its last such step. Its estimate is the product-limit estimate over the merged
    steps, S = prod(1 - D/N) (D a step's events, N the number at risk at its start), with
    Greenwood's 95 % band: every value drawn follows from the counts shown (each at least k),
    so no step, ratio or band gives back a smaller number. A group with fewer than k
    participants is not drawn. Returns the rows, the too-few flags and, per group, (events
    per step, (step, censored between two steps), events after the last step)."""
    out, too_few = [], []
    plan: list[tuple] = []
    for group, d in curve.groupby("group", sort=False):
        d = d.sort_values("day").reset_index(drop=True)
        a = d["at_risk"].to_numpy(float)
        e = d["events"].to_numpy(float)
        n0 = a[0] if len(a) else 0.0
        if k > 1 and 0 < n0 < k:
            out.append(d.iloc[:1].assign(day_from=d["day"].iloc[:1]))
            too_few.append(True)
            plan.append((group, [], [], 0.0))
            continue
        if k <= 1:  # nothing to hide: the curve as it came
            out.append(d.assign(day_from=d["day"]))
            too_few.extend([False] * len(d))
            plan.append((group, [0.0, *e[1:]], [], 0.0))
            continue
        total = e.sum()
        after = np.append(a[1:], 0.0)  # at risk after each row's day
        keep, step_events, start_risk, censored = [0], [0.0], [n0], []
        cum, gathered, start = 0.0, 0.0, 1
        for j in range(1, len(d)):
            gathered += e[j]
            rest = total - cum - gathered
            gone = a[start] - gathered - after[j] if start < len(d) else 0.0
            if (
                gathered >= k
                and after[j] >= k
                and (rest == 0 or rest >= k)
                and (gone == 0 or gone >= k)
            ):
                if len(keep) > 1:
                    censored.append((len(keep), start_risk[-1] - step_events[-1] - a[start]))
                keep.append(j)
                step_events.append(gathered)
                start_risk.append(a[start])
                cum += gathered
                gathered, start = 0.0, j + 1
        rows = d.iloc[keep].copy()
        # the first day with an event of each merged step: the curve falls between it and
        # the step's last day (days are not counts; the drop is the step's only number)
        firsts = [d["day"].iloc[0]]
        for prev, j in itertools.pairwise(keep):
            span = np.arange(prev + 1, j + 1)
            firsts.append(
                d["day"].iloc[span[e[span] > 0][0]] if (e[span] > 0).any() else d["day"].iloc[j]
            )
        rows["day_from"] = np.asarray(firsts, dtype="int64")
        ev = np.asarray(step_events)
        risk = np.asarray(start_risk)
        with np.errstate(divide="ignore", invalid="ignore"):
            surv = np.cumprod(np.where(risk > 0, 1 - ev / risk, 1.0))
            var = np.cumsum(np.where(risk > ev, ev / (risk * (risk - ev)), 0.0))
        half = 1.959963984540054 * surv * np.sqrt(var)
        rows["survival"] = surv
        rows["ci_low"] = np.clip(surv - half, 0.0, 1.0)
        rows["ci_high"] = np.clip(surv + half, 0.0, 1.0)
        rows["events"] = ev
        rows["at_risk"] = risk
        out.append(rows)
        too_few.extend([False] * len(rows))
        plan.append((group, step_events, censored, total - cum))
    frame = pd.concat(out, ignore_index=True) if out else curve.iloc[0:0].copy()
    return frame, np.asarray(too_few, bool), plan


def _declare_curve(
    space: _Space, curve: pd.DataFrame, setting: Suppression, scope: Any = None
) -> _DeclaredCurve:
    """The coarsened curve's cells: each step's events, the shown at-risk numbers; in a view
    the day-0 number is the group's followed-up participants, and the steps' events, the
    censored between shown at-risk numbers and the events after the last step add up to the
    group's ended supports and at-risk numbers."""
    frame, too_few, plan = _coarsen(curve, space.k)
    events = np.full(len(frame), -1, np.int64)
    at_risk = np.full(len(frame), -1, np.int64)
    row = 0
    for group, steps, censored, after in plan:
        n = len(steps) if steps else 1
        sel = np.arange(row, row + n)
        row += n
        g = str(group)
        if too_few[sel[0]]:
            cell = space.alloc([frame["at_risk"].iloc[sel[0]]], [_key("with_contact", scope, g)])
            space.hide(cell, _TOO_FEW)
            at_risk[sel[0]] = cell[0]
            continue
        risk = frame["at_risk"].to_numpy(float)[sel]
        ev = np.asarray(steps, float)
        ev_cells = space.alloc(ev[1:])
        events[sel[1:]] = ev_cells
        risk_cells = space.alloc(risk, [_key("with_contact", scope, g)] + [None] * (n - 1))
        at_risk[sel] = risk_cells
        # No output shows how many left between two at-risk numbers, but where nobody did, a
        # reader who knows that nobody's support ended or stopped on those days (e.g. on the
        # day of the event) equates the two: a gap of 0 is taken as known, never as free.
        if n > 1:  # the day-0 number (everyone with a contact) and the first step's start
            gap0 = risk[0] - risk[1]
            c0 = space.alloc([gap0], free=bool(gap0 > 0), protect=True)
            space.add_lines([0, 0], [c0[0], risk_cells[1]], [0], [risk_cells[0]])
        # consecutive at-risk numbers: the earlier = the step's events + the censored + the later
        for i, gap in censored:
            c = space.alloc([gap], free=bool(gap > 0), protect=True)
            parts = [events[sel[i - 1]], c[0], risk_cells[i]]
            space.add_lines([0, 0, 0], parts, [0], [risk_cells[i - 1]])
        if scope is not None and len(ev_cells):
            tail = space.alloc([after], free=True)
            space.hide(tail[(after >= 1) & (after < space.k)], _SMALL)
            ended = space.alloc([ev.sum() + after], [_key("ended", scope, g)])
            ev_tail = np.concatenate([ev_cells, tail])
            space.add_lines(np.zeros(len(ev_tail), np.int64), ev_tail, [0], ended)
    return _DeclaredCurve(frame, too_few, events, at_risk, space, setting)


def _collect_curve(d: _DeclaredCurve) -> SuppressedTable:
    w = d.frame.reset_index(drop=True)
    columns = list(w.columns)
    pos = {c: columns.index(c) for c in _CURVE_VALUES if c in columns}
    codes = np.zeros((len(w), len(columns)), np.int8)
    hidden, reason = d.space.hidden, d.space.reason
    step_hidden = (d.events >= 0) & hidden[np.maximum(d.events, 0)]
    for j in pos.values():
        codes[d.too_few, j] = _TOO_FEW
        codes[step_hidden & (codes[:, j] == 0), j] = reason[d.events[step_hidden]]
    risk_hidden = (d.at_risk < 0) | hidden[np.maximum(d.at_risk, 0)]
    j = pos["at_risk"]
    codes[risk_hidden & (codes[:, j] == 0), j] = _AT_RISK
    return _finish_plain(w, w, codes, d.too_few, d.setting, ("at_risk", "events"))


def _key(kind: str, scope: Any, *rest) -> tuple | None:
    """The name of a quantity shared by several tables of a view; None for a lone table."""
    return None if scope is None else (kind, scope, *rest)


def suppress_support_curve(
    frame: pd.DataFrame, k: int | Suppression | None = None
) -> SuppressedTable:
    """Suppress ``support_duration_curve`` output (group, day, survival, ci_low, ci_high,
    at_risk, events) by coarsening it: steps are merged so that each drawn step carries at
    least k events (``events`` is then the step's count and ``at_risk`` the number at risk at
    its start), the curve stops before fewer than k remain at risk or fewer than k events
    remain to come, at-risk numbers below k or k-1 censored apart are hidden, and a group with
    fewer than k participants is not drawn (rows: day 0 only, every value hidden)."""
    setting = _setting(k)
    space = _Space(setting.effective_k)
    d = _declare_curve(space, frame, setting)
    space.run()
    return _collect_curve(d)


def _finish_plain(frame, w, codes, too_few, setting, count_cols) -> SuppressedTable:
    out = w.copy()
    columns = list(w.columns)
    for col in count_cols:
        if col in out:
            out[col] = out[col].astype("float64")
    m = codes != _NONE
    for j, col in enumerate(columns):
        if m[:, j].any():
            out[col] = out[col].astype("float64")
            out.loc[m[:, j], col] = np.nan
    out.index = frame.index
    mask = pd.DataFrame(m, columns=columns, index=frame.index)
    reasons = _codes_frame(codes.astype(np.int64), frame.index, columns)
    return SuppressedTable(
        out,
        mask,
        reasons,
        pd.Series(too_few, index=frame.index, name="too_few"),
        setting,
        tuple(c for c in count_cols if c in columns),
    )


_BY_WAVE = _Spec(
    counts=(
        _Count("respondents"),
        _Count("used", "respondents", derived=("used_share", "used_ci_low", "used_ci_high")),
        _Count(
            "helpful_n",
            answers=("helpful_mean", "helpful_sd", "helpful_ci_low", "helpful_ci_high"),
        ),
        _Count("most_helpful", "respondents", derived=("most_helpful_share",)),
    ),
    size="respondents",
    across=("month", "resource"),
)


def suppress_resources_by_wave(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``resources_by_wave`` output: a wave of a group with fewer than k respondents
    shows nothing; used / most-helpful counts and their complements below k are hidden with
    their shares and intervals; helpfulness means need k ratings. ``rank`` stays."""
    return _apply(_BY_WAVE, frame, k, overall)


_OVERALL = _Spec(
    counts=(
        _Count("participants"),
        _Count(
            "used_ever",
            "participants",
            derived=("used_ever_share", "used_ever_ci_low", "used_ever_ci_high"),
        ),
        _Count(
            "most_helpful_ever",
            "participants",
            derived=(
                "most_helpful_ever_share",
                "most_helpful_ever_ci_low",
                "most_helpful_ever_ci_high",
            ),
        ),
        _Count(
            "helpful_n",
            answers=("helpful_mean", "helpful_sd", "helpful_ci_low", "helpful_ci_high"),
            raters="used_ever",  # ratings from every wave: 7 ratings may be 4 people
        ),
    ),
    size="participants",
    across=("resource",),
)


def suppress_resources_overall(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``resources_overall`` output (per group and resource over the follow-up)."""
    return _apply(_OVERALL, frame, k, overall)


_TEST_COLUMNS = (
    "statistic",
    "p_value",
    "q_value",
    "risk_difference",
    "risk_difference_ci_low",
    "risk_difference_ci_high",
    "odds_ratio",
    "odds_ratio_ci_low",
    "odds_ratio_ci_high",
    "difference",
    "ci_low",
    "ci_high",
)


def _hide_tests(frame: pd.DataFrame, hide_rows: np.ndarray, setting: Suppression):
    w = frame.reset_index(drop=True)
    columns = list(w.columns)
    codes = np.zeros((len(w), len(columns)), np.int8)
    for c in _TEST_COLUMNS:
        if c in columns:
            codes[hide_rows, columns.index(c)] = _TEST
    return _finish_plain(frame, w, codes, np.zeros(len(w), bool), setting, ())


def suppress_comparisons(
    comparisons: pd.DataFrame,
    overall: pd.DataFrame | SuppressedTable,
    k: int | Suppression | None = None,
) -> SuppressedTable:
    """Suppress ``compare_resources`` output: the p-value, q-value, risk difference, odds
    ratio and their intervals of a resource and measure are hidden when any cell of the
    underlying table (the groups' counts and non-counts, from ``resources_overall`` of the
    same grouping, passed as ``overall``) is hidden: a p-value with its margins can give a
    hidden cell back."""
    setting = _setting(k)
    st = (
        overall
        if isinstance(overall, SuppressedTable)
        else suppress_resources_overall(overall, setting)
    )
    hide = np.zeros(len(comparisons), bool)
    if setting.active and len(comparisons) and len(st.table):
        res = st.table["resource"].to_numpy()
        for measure in ("used_ever", "most_helpful_ever"):
            if measure not in st.mask:
                continue
            bad = st.mask[measure].to_numpy() | st.mask["participants"].to_numpy()
            bad_resources = set(pd.unique(res[bad]))
            rows = (comparisons["measure"].to_numpy() == measure) & comparisons["resource"].isin(
                bad_resources
            ).to_numpy()
            hide |= rows
    return _hide_tests(comparisons, hide, setting)


# ---- transitions --------------------------------------------------------------------------------
def _transition_extra(cells: _Cells, w: pd.DataFrame, is_overall: np.ndarray, ctx) -> None:
    """Per group: each baseline row and each follow-up column of the matrix adds up to its
    margin, the margins to the group total (participants with a transition, shown in the
    early-to-thriving table); every cell's complement within the group total counts too."""
    if not len(w):
        cells.margins = pd.DataFrame(columns=["group", "from", "to", "n", "suppressed", "reason"])
        return
    k = cells.k
    grp = np.where(is_overall, "\x00overall", w["group"].astype(str).to_numpy())
    g_labels, g = np.unique(grp, return_inverse=True)
    cats = {c: i for i, c in enumerate(STAGE_CATEGORIES)}
    nc = len(STAGE_CATEGORIES)
    f = w["from"].map(cats).to_numpy(np.int64)
    t = w["to"].map(cats).to_numpy(np.int64)
    cc = cells.cells("n")
    v = np.nan_to_num(cells.values[cc])
    ng = len(g_labels)
    row_m = np.bincount(g * nc + f, weights=v, minlength=ng * nc)
    col_m = np.bincount(g * nc + t, weights=v, minlength=ng * nc)
    tot = np.bincount(g, weights=v, minlength=ng)
    if cells.scope is None:  # a lone table: the group totals are shown elsewhere
        row_c = cells.add_virtual(row_m)
        col_c = cells.add_virtual(col_m)
        tot_c = cells.add_virtual(tot, pinned=True)
    else:  # in a view (scope: population, wave): early-to-thriving shows the group totals
        gl = np.repeat(g_labels, nc)
        cl = np.tile(np.array(STAGE_CATEGORIES, dtype=object), ng)
        row_c = cells.add_virtual(
            row_m, keys=[("trans_from", cells.scope, a, b) for a, b in zip(gl, cl, strict=True)]
        )
        col_c = cells.add_virtual(
            col_m, keys=[("trans_to", cells.scope, a, b) for a, b in zip(gl, cl, strict=True)]
        )
        tot_c = cells.add_virtual(tot, keys=[("trans_total", cells.scope, a) for a in g_labels])

    # margins are counts too
    for mc in (row_c, col_c):
        mv = cells.values[mc]
        cells.hide(mc[(mv >= 1) & (mv < k)], _SMALL)
    small_group = (tot >= 1) & (tot < k)
    cells.hide(tot_c[small_group], _TOO_FEW)
    cells.hide(cc[small_group[g]], _TOO_FEW)
    cells.hide(row_c[np.repeat(small_group, nc)], _TOO_FEW)
    cells.hide(col_c[np.repeat(small_group, nc)], _TOO_FEW)
    cells.complement(cc, tot_c[g])
    gi = np.arange(ng)
    cells.add_lines(g * nc + f, cc, np.arange(ng * nc), row_c)  # rows
    cells.add_lines(g * nc + t, cc, np.arange(ng * nc), col_c)  # columns
    cells.add_lines(np.repeat(gi, nc), row_c, gi, tot_c)
    cells.add_lines(np.repeat(gi, nc), col_c, gi, tot_c)
    if is_overall.any():  # groups against the overall matrix, cell by cell
        key = f * nc + t
        cells.add_lines(key[~is_overall], cc[~is_overall], key[is_overall], cc[is_overall])
    cells.margin_cells = (g_labels, row_c, col_c, tot_c, nc)


def _transition_finish(w, codes, col_pos, cells, k, ctx) -> None:
    if cells is None or not hasattr(cells, "margin_cells"):
        return
    g_labels, row_c, col_c, tot_c, nc = cells.margin_cells
    labels = np.where(g_labels == "\x00overall", ALL_GROUP, g_labels)
    cats = np.array(STAGE_CATEGORIES, dtype=object)
    rows = []
    for kind, cellids in (("from", row_c), ("to", col_c)):
        gi = np.repeat(np.arange(len(labels)), nc)
        ci = np.tile(np.arange(nc), len(labels))
        rows.append(
            pd.DataFrame(
                {
                    "group": labels[gi],
                    "from": np.where(kind == "from", cats[ci], "Total"),
                    "to": np.where(kind == "to", cats[ci], "Total"),
                    "cell": cellids,
                }
            )
        )
    rows.append(pd.DataFrame({"group": labels, "from": "Total", "to": "Total", "cell": tot_c}))
    m = pd.concat(rows, ignore_index=True)
    hidden = cells.hidden[m["cell"].to_numpy()]
    names = np.array([""] + [_CODES[i] for i in range(1, max(_CODES) + 1)], dtype=object)
    m["n"] = np.where(hidden, np.nan, cells.values[m["cell"].to_numpy()])
    m["suppressed"] = hidden
    m["reason"] = names[cells.reason[m["cell"].to_numpy()].astype(np.int64)]
    cells.margins = m.drop(columns="cell")


_TRANSITIONS = _Spec(
    counts=(_Count("n"),),
    across=None,
    extra=_transition_extra,
    finish=_transition_finish,
)


def suppress_transitions(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``transitions`` (or one month of ``transition_waves``) output: group, from, to,
    n. The matrix of each group shows row, column and grand totals, so those are protected as
    lines (secondary suppression) and returned, suppressed, in ``.margins`` (group, from, to,
    n, suppressed, reason; "Total" marks a margin): a view prints its totals from there."""
    st = _apply(_TRANSITIONS, frame, k, overall)
    if st.margins is None:
        empty = pd.DataFrame(
            {
                "group": pd.Series([], dtype="str"),
                "from": pd.Series([], dtype="str"),
                "to": pd.Series([], dtype="str"),
                "n": pd.Series([], dtype="float64"),
                "suppressed": pd.Series([], dtype="bool"),
                "reason": pd.Series([], dtype="str"),
            }
        )
        return SuppressedTable(
            st.table,
            st.mask,
            st.reasons,
            st.too_few,
            st.suppression,
            st.count_columns,
            st.overall,
            empty,
        )
    return st


def _e2t_extra(cells: _Cells, w: pd.DataFrame, is_overall: np.ndarray, ctx) -> None:
    """The early-to-thriving count is a cell of the transitions table: hidden where it is."""
    if ctx is None:
        return
    t = ctx.table[ctx.mask["n"].to_numpy()]
    hidden_groups = set(t.loc[(t["from"] == "early") & (t["to"] == "thriving"), "group"])
    rows = np.flatnonzero(~is_overall & w["group"].astype(str).isin(hidden_groups).to_numpy())
    cells.hide(cells.cells("n", rows), _SECONDARY)


_E2T = _Spec(
    counts=(_Count("participants"), _Count("n", "participants", derived=("share",))),
    size="participants",
    across=(),
    extra=_e2t_extra,
)


def suppress_early_to_thriving(
    frame: pd.DataFrame,
    k: int | Suppression | None = None,
    transitions: pd.DataFrame | SuppressedTable | None = None,
    overall: pd.DataFrame | None = None,
) -> SuppressedTable:
    """Suppress ``early_to_thriving`` output (group, n, participants, share). Pass the
    ``transitions`` table of the same grouping when a view shows both: the count is then
    hidden wherever its transition cell is."""
    setting = _setting(k)
    ctx = None
    if transitions is not None:
        ctx = (
            transitions
            if isinstance(transitions, SuppressedTable)
            else suppress_transitions(transitions, setting)
        )
    return _apply(_E2T, frame, setting, overall, context=ctx)


def _recovered_extra(cells: _Cells, w: pd.DataFrame, is_overall, ctx) -> None:
    # transitioned_n + others_n = participants with a transition, shown elsewhere
    if not len(w) or not (cells.has("transitioned_n") and cells.has("others_n")):
        return
    rows = np.arange(len(w))
    parts = np.concatenate([cells.cells("transitioned_n"), cells.cells("others_n")])
    if cells.scope is None:
        cells.add_lines(np.concatenate([rows, rows]), parts)
        return
    total = np.nan_to_num(cells.values[cells.cells("transitioned_n")]) + np.nan_to_num(
        cells.values[cells.cells("others_n")]
    )
    tot = cells.add_virtual(
        total, keys=[("trans_total", (cells.scope, "last"), _ALL_ROWS)] * len(rows)
    )
    cells.add_lines(np.concatenate([rows, rows]), parts, rows, tot)


def _recovered_finish(w, codes, col_pos, cells, k, ctx) -> None:
    cols = [c for c in ("transitioned", "transitioned_n", "others", "others_n") if c in col_pos]
    if not cols or k <= 1:
        return
    any_hidden = (codes[:, [col_pos[c] for c in cols]] != 0).any(axis=1)
    for c in _TEST_COLUMNS:
        if c in col_pos:
            j = col_pos[c]
            codes[any_hidden & (codes[:, j] == 0), j] = _TEST


_RECOVERED = _Spec(
    counts=(
        _Count("transitioned_n"),
        _Count("others_n"),
        _Count("transitioned", "transitioned_n"),
        _Count("others", "others_n"),
    ),
    size="transitioned_n",
    extra=_recovered_extra,
    finish=_recovered_finish,
)


def suppress_recovered_tests(
    frame: pd.DataFrame, k: int | Suppression | None = None
) -> SuppressedTable:
    """Suppress ``recovered_resource_tests`` output: fewer than k early-to-thriving
    participants hides every row; counts and complements below k are hidden, and the test
    (p-value, risk difference, odds ratio, intervals) of a row with any hidden cell."""
    return _apply(_RECOVERED, frame, k)


def _add_up(cells: _Cells, w: pd.DataFrame, is_overall, by: list[str], part: str, total: str):
    """The ``part`` cells of the rows of one group sharing ``by`` add up to their ``total``
    (a column repeated on those rows: one quantity)."""
    key = _line_keys(w.assign(_o=is_overall), [*by, "group", "_o"])
    first = pd.Series(np.arange(len(w))).groupby(key).first().to_numpy()
    cells.add_lines(key, cells.cells(part), key[first], cells.cells(total, first))


def _baseline_extra(cells: _Cells, w: pd.DataFrame, is_overall, ctx) -> None:
    # the levels of a variable add up to the group's n (the denominator column)
    if not len(w):
        return
    _add_up(cells, w, is_overall, ["variable"], "n", "denominator")
    if is_overall.any():
        k2 = _line_keys(w, ["variable", "level"])
        for col in ("n", "denominator"):
            cc = cells.cells(col)
            cells.add_lines(k2[~is_overall], cc[~is_overall], k2[is_overall], cc[is_overall])


_BASELINE = _Spec(
    counts=(_Count("denominator"), _Count("n", "denominator", derived=("share",))),
    size="denominator",
    extra=_baseline_extra,
)


def suppress_baseline_table(
    frame: pd.DataFrame, k: int | Suppression | None = None, overall: pd.DataFrame | None = None
) -> SuppressedTable:
    """Suppress ``baseline_table`` output (Table 1: variable, level, group, n, denominator,
    share): the levels of each variable add up to the group n; ``overall`` is the table with
    ``group_by=None`` when a view shows an overall column."""
    return _apply(_BASELINE, frame, k, overall)


def suppress_baseline_tests(
    tests: pd.DataFrame,
    table: pd.DataFrame | SuppressedTable,
    k: int | Suppression | None = None,
) -> SuppressedTable:
    """Suppress ``baseline_tests`` output. A variable whose Table 1 cells (``baseline_table``
    of the same grouping, suppressed) are all shown keeps its test. One with a hidden cell is
    tested again on a recoded table built from the SHOWN numbers only (global recoding,
    :func:`pooled_levels_table`): its levels with a hidden cell are pooled into one, whose
    count in a group is the group's n minus its shown levels; a group whose n is hidden is left
    out. Such a test gives back nothing the table does not show. When no recoding leaves two
    levels and two groups, the test is hidden. Two columns say what was recoded: ``pooled``
    (the levels pooled, "; "-joined, "" when none) and ``groups_left_out`` (likewise)."""
    setting = _setting(k)
    st = table if isinstance(table, SuppressedTable) else suppress_baseline_table(table, setting)
    out = tests.assign(pooled="", groups_left_out="")
    hide = np.zeros(len(tests), bool)
    if setting.active and len(st.table):
        bad = st.mask["n"].to_numpy() | st.mask["denominator"].to_numpy()
        hit = set(st.table["variable"].to_numpy()[bad])
        for i, variable in enumerate(out["variable"]):
            if variable not in hit or str(out["test"].iloc[i]).startswith("not tested"):
                continue
            recoded = pooled_levels_table(st, variable)
            if recoded is None:
                hide[i] = True
                continue
            test, statistic, p = contingency_test(recoded.counts)
            if np.isnan(p):
                hide[i] = True
                continue
            j = out.index[i]
            out.loc[j, ["test", "statistic", "p_value"]] = [test, statistic, p]
            out.loc[j, "pooled"] = "; ".join(recoded.pooled)
            out.loc[j, "groups_left_out"] = "; ".join(recoded.left_out)
    return _hide_tests(out, hide, setting)


@dataclass(frozen=True)
class PooledTable:
    """A levels x groups table recoded from shown numbers: ``counts`` (rows: ``levels``, the
    pooled level last when any), the levels ``pooled`` into its last row, the ``groups`` kept
    (columns) and the groups ``left_out`` (their n is hidden)."""

    counts: np.ndarray
    levels: list[str]
    pooled: list[str]
    groups: list[str]
    left_out: list[str]


def pooled_levels_table(st: SuppressedTable, variable: str) -> PooledTable | None:
    """The levels x groups table of one Table 1 ``variable``, recoded so that every count in
    it can be shown, from the shown cells of ``st`` (``baseline_table``, suppressed) alone.

    Groups whose n is hidden are left out. Levels with a hidden cell in a group kept are
    pooled into one level whose count per group is n minus the blank level and the levels
    shown; while a pooled count or its complement (n minus it) is from 1 to k-1, the smallest
    shown level joins the pool. The blank level is never tested (as ``baseline_tests``); when
    one of its cells is hidden the pool cannot be worked out and None is returned, as when
    fewer than two levels or two groups are left. Every number of the result is a sum or
    difference of shown numbers (the global recoding of statistical disclosure control,
    Hundepool et al. 2012, section 4.2)."""
    kk = st.suppression.effective_k
    t = st.table
    sel = (t["variable"] == variable).to_numpy()
    part = t[sel]
    hid = st.mask["n"].to_numpy()[sel] | st.mask["denominator"].to_numpy()[sel]
    groups = list(dict.fromkeys(part["group"]))
    levels = list(dict.fromkeys(part["level"]))
    n = np.full((len(levels), len(groups)), np.nan)
    hidden = np.zeros((len(levels), len(groups)), bool)
    denominator = np.full(len(groups), np.nan)
    li = {lv: i for i, lv in enumerate(levels)}
    gi = {g: j for j, g in enumerate(groups)}
    for lv, g, v, d, h in zip(
        part["level"], part["group"], part["n"], part["denominator"], hid, strict=True
    ):
        n[li[lv], gi[g]] = v
        hidden[li[lv], gi[g]] = h
        if not np.isnan(d):
            denominator[gi[g]] = d
    keep = ~np.isnan(denominator) & (np.nan_to_num(denominator) > 0)
    if keep.sum() < 2:
        return None
    n, hidden, denominator = n[:, keep], hidden[:, keep], denominator[keep]
    rest = denominator.copy()  # n of each group less its blank level
    named = [i for i, lv in enumerate(levels) if lv != BLANK_GROUP]
    if len(named) < len(levels):
        b = levels.index(BLANK_GROUP)
        if hidden[b].any():
            return None
        rest = rest - n[b]
    pooled = [i for i in named if hidden[i].any()]
    while True:
        shown = [i for i in named if i not in pooled]
        rows = [n[i] for i in shown]
        if pooled:
            pool = rest - (np.sum(rows, axis=0) if rows else 0)
            small = ((pool >= 1) & (pool < kk)) | (
                (denominator - pool >= 1) & (denominator - pool < kk)
            )
            if small.any() and shown:
                smallest = min(shown, key=lambda i: (n[i].sum(), i))
                pooled.append(smallest)
                continue
            if small.any():
                return None
            rows.append(pool)
        break
    if len(rows) < 2:
        return None
    return PooledTable(
        np.asarray(rows, dtype="int64"),
        [levels[i] for i in shown] + (["pooled"] if pooled else []),
        [levels[i] for i in sorted(pooled)],
        [g for g, kept in zip(groups, keep, strict=True) if kept],
        [g for g, kept in zip(groups, keep, strict=True) if not kept],
    )


def recode_stage_mix(
    counts: Mapping[str, float], total: float, k: int | Suppression | None = None
) -> dict[str, float] | None:
    """One stage mix (stage category -> participants, NaN where hidden; ``total`` the
    participants with a stage, NaN where hidden) recoded to the finest categories of
    ``contract.STAGE_RECODINGS`` (the five categories; early / middle / moved on; not yet moved
    on / moved on) whose every count the shown numbers determine: a sum of shown counts, or
    the total minus the others when one category alone has a hidden part. Each count must be
    0 or at least k, and so must the total minus it. None when no recoding qualifies.

    Every number returned is a sum or difference of shown numbers, so it gives nothing back
    that the table does not (global recoding before display, Hundepool et al. 2012, 4.2)."""
    kk = _setting(k).effective_k

    def ok(v: float) -> bool:
        return v == 0 or v >= kk

    for recoding in STAGE_RECODINGS:
        values: dict[str, float] = {}
        unknown = []
        for name, parts in recoding.items():
            v = [counts.get(c, 0.0) for c in parts]
            if any(pd.isna(x) for x in v):
                unknown.append(name)
            else:
                values[name] = float(sum(v))
        if len(unknown) > 1 or (unknown and pd.isna(total)):
            continue
        if unknown:
            values[unknown[0]] = float(total) - sum(values.values())
        values = {name: values[name] for name in recoding}  # in the recoding's order
        whole = float(total) if not pd.isna(total) else sum(values.values())
        if all(ok(v) and ok(whole - v) for v in values.values()):
            return values
    return None


def _stage_extra(cells: _Cells, w: pd.DataFrame, is_overall, ctx) -> None:
    # the categories of a group at one wave add up to its participants with a stage then
    if len(w):
        _add_up(cells, w, is_overall, ["month"], "count", "n")


_STAGES = _Spec(
    counts=(_Count("n"), _Count("count", "n", derived=("share", "estimate", "ci_low", "ci_high"))),
    size="n",
    across=("month", "category"),
    extra=_stage_extra,
)


def _wave_of(w: pd.DataFrame) -> list:
    return ["last" if pd.isna(m) else int(m) for m in w["month"]]


# ---- one view, every table together -------------------------------------------------------------
def _named(**columns):
    """keys(work, is_overall) for a table: column -> a function of (labels, work) giving the
    name of each row's quantity (labels: each row's group, or the overall marker)."""

    def keys(w: pd.DataFrame, is_overall: np.ndarray) -> dict[str, list]:
        labels = _group_labels(w, is_overall).tolist()
        return {c: fn(labels, w) for c, fn in columns.items() if c in w.columns}

    return keys


def _per_group(kind: str, scope, *cols: str):
    def fn(labels, w):
        extra = [w[c].tolist() for c in cols]
        return [(kind, scope, g, *rest) for g, *rest in zip(labels, *extra, strict=True)]

    return fn


def _ended_names(scope):
    """The last contact of a group's chain counts every ended support: the follow-up
    summary's "ended"."""

    def fn(labels, w):
        contact = w["contact"].to_numpy()
        last = pd.Series(contact).groupby(np.asarray(labels, dtype=object)).transform("max")
        return [
            ("ended", scope, g) if c == m else ("ended_by", scope, g, c)
            for g, c, m in zip(labels, contact, last.to_numpy(), strict=True)
        ]

    return fn


#: Table name -> how a view declares it: (spec, names of its quantities for a population).
#: This is the one place that says which tables show the same number.
def _view_specs(p: str) -> dict[str, tuple[_Spec, Any]]:
    analysed = "completed" if p == "completed" else "enrolled"
    return {
        "enrollment": (
            _ENROLLMENT,
            _named(
                enrolled=_per_group("enrolled", None),
                completed=_per_group("completed", None),
                withdrew=_per_group("withdrew", None),
                lost_to_follow_up=_per_group("lost", None),
                analysed=_per_group(analysed, None),
            ),
        ),
        "followup_summary": (
            _FOLLOWUP,
            _named(
                participants=_per_group("with_contact", p),
                ended=_per_group("ended", p),
                censored=_per_group("censored", p),
            ),
        ),
        "ended_by_contact": (
            _ENDED_VIEW,
            _named(participants=_per_group("with_contact", p), ended=_ended_names(p)),
        ),
        "contacts_per_participant": (
            _CONTACTS,
            _named(participants=_per_group("n_contacts", p, "contacts")),
        ),
        "resources_by_wave": (
            _BY_WAVE,
            _named(
                respondents=_per_group("respondents", p, "month"),
                used=_per_group("used", p, "month", "resource"),
                most_helpful=_per_group("most_helpful", p, "month", "resource"),
                helpful_n=_per_group("rated", p, "month", "resource"),
            ),
        ),
        "resources_overall": (
            _OVERALL,
            _named(
                participants=_per_group("followed_up", p),
                used_ever=_per_group("used_ever", p, "resource"),
                most_helpful_ever=_per_group("most_helpful_ever", p, "resource"),
                helpful_n=_per_group("rated_ever", p, "resource"),
            ),
        ),
        "transitions": (
            _TRANSITIONS,
            _named(n=_per_group("trans", (p, "last"), "from", "to")),
        ),
        "early_to_thriving": (
            _E2T,
            _named(
                n=lambda labels, w: [
                    ("trans", (p, "last"), g, "early", "thriving") for g in labels
                ],
                participants=_per_group("trans_total", (p, "last")),
            ),
        ),
        "recovered_resource_tests": (
            _RECOVERED,
            _named(
                transitioned_n=lambda labels, w: [
                    ("trans", (p, "last"), _ALL_ROWS, "early", "thriving") for _ in labels
                ],
                others_n=lambda labels, w: [("trans_others", p) for _ in labels],
                transitioned=lambda labels, w: [("recovered_used", p, r) for r in w["resource"]],
                others=lambda labels, w: [("others_used", p, r) for r in w["resource"]],
            ),
        ),
        "stage_distribution": (
            _STAGES,
            _named(
                n=lambda labels, w: [
                    ("staged", p, m, g) for m, g in zip(_wave_of(w), labels, strict=True)
                ],
                count=lambda labels, w: [
                    ("stage_at", p, m, g, c)
                    for m, g, c in zip(_wave_of(w), labels, w["category"], strict=True)
                ],
            ),
        ),
        "baseline_table": (
            _BASELINE,
            _named(
                n=_per_group("baseline", p, "variable", "level"),
                denominator=_per_group("baseline_n", p, "variable"),
            ),
        ),
    }


def suppress_view(
    tables: dict[str, tuple[pd.DataFrame, pd.DataFrame | None]],
    k: int | Suppression | None = None,
    population: str = "completed",
    tests: dict[str, pd.DataFrame] | None = None,
    everyone: dict[str, SuppressedTable] | None = None,
    analysed_elsewhere: Mapping[str, bool] | None = None,
    shown_elsewhere: Sequence[Mapping[str, SuppressedTable]] = (),
) -> dict[str, SuppressedTable]:
    """Every table of one view suppressed JOINTLY: what one table hides, no other gives back.

    Parameters
    ----------
    tables : name -> (metric frame, the same metric with no grouping or None). Names: the keys
        of ``_view_specs`` ("enrollment", "followup_summary", "ended_by_contact",
        "contacts_per_participant", "resources_by_wave", "resources_overall", "transitions",
        "early_to_thriving", "recovered_resource_tests", "baseline_table"), plus
        "support_duration_curve" (coarsened, see :func:`suppress_support_curve`) and
        "transition_waves" (one matrix per month).
    tests : "resource_comparison" (``compare_resources``) and "baseline_tests": hidden where
        any cell of the table they test is hidden.
    everyone : the same view with no grouping, already suppressed (its tables by name). A
        grouped table's overall rows are that view's numbers, which anyone can open: they are
        hidden where it hides them and shown (pinned) elsewhere, so the groups can never be
        subtracted from it.
    analysed_elsewhere : group -> whether a neighbouring view shows this view's analysed
        participants of that group (the Table 1 of the view without a filter): shown there,
        they are shown (pinned) here; hidden there, hidden here.
    shown_elsewhere : for the everyone-view of a view filtered to one value of a column: the
        tables of the view grouped by that column, restricted to that value's group; every
        row is hidden and shown as there.

    All count cells go into one space: a quantity that several tables show (the followed-up
    participants in the follow-up summary, the ended-by-contact chain, the contacts per
    participant and the day-0 at-risk number of the curve; the participants with a transition
    in the transition matrix, early-to-thriving and the recovered tests; ...) is one cell,
    hidden everywhere or nowhere. The lines of every table (parts and totals, groups and the
    overall row, complements, cumulative steps, the curve's steps) are suppressed together,
    then audited exactly: no hidden count from 1 to k-1 is determined by any combination of
    the lines and the shown cells (:meth:`_Space.determined`).
    """
    setting = _setting(k)
    space = _Space(setting.effective_k)
    specs = _view_specs(population)
    declared: dict[str, Any] = {}
    # the analysed total is every page's caption: it always shows
    for name, (frame, overall) in tables.items():
        if name == "support_duration_curve":
            declared[name] = _declare_curve(space, frame, setting, population)
        elif name == "transition_waves":
            # one matrix per month, each with the everyone-view's matrix as its overall rows
            over = {} if overall is None else dict(tuple(overall.groupby("month", sort=True)))
            declared[name] = [
                (
                    month,
                    _declare(
                        space,
                        _TRANSITIONS,
                        w.drop(columns="month"),
                        setting,
                        None if month not in over else over[month].drop(columns="month"),
                        keys=_named(n=_per_group("trans", (population, month), "from", "to")),
                        scope=(population, month),
                    ),
                )
                for month, w in frame.groupby("month", sort=True)
            ]
        else:
            spec, keys = specs[name]
            scope = (population, "last") if spec is _TRANSITIONS else population
            declared[name] = _declare(space, spec, frame, setting, overall, keys=keys, scope=scope)
    _link_ratings(space, population)
    kind = "completed" if population == "completed" else "enrolled"
    for group, shown in (analysed_elsewhere or {}).items():
        cell = space.key_cell((kind, None, group))
        if cell is None:
            continue
        if shown:
            space.pinned[cell] = True
        else:
            space.hide([cell], _SECONDARY)
    for other in shown_elsewhere:
        for name, d in declared.items():
            fixed = other.get(name)
            if fixed is None or name not in _ROW_KEYS:
                continue
            if isinstance(d, _Declared):
                _as_shown_elsewhere(d, fixed, name)
            elif name == "transition_waves":
                for month, x in d:
                    _as_shown_elsewhere(x, _month_of(fixed, month), name)
    for name, d in declared.items():
        fixed = (everyone or {}).get(name)
        if fixed is None:
            continue
        if isinstance(d, _Declared) and d.overall is not None:
            _as_everyone_shows(d, fixed)
        elif name == "transition_waves":
            for month, x in d:
                if x.overall is not None:
                    _as_everyone_shows(x, _month_of(fixed, month))
    space.run()
    out: dict[str, SuppressedTable] = {}
    for name, d in declared.items():
        if name == "support_duration_curve":
            out[name] = _collect_curve(d)
        elif name == "transition_waves":
            out[name] = _stack_months(tables[name][0], [(m, _collect(x)) for m, x in d])
        else:
            out[name] = _collect(d)
    tests = tests or {}
    if "resource_comparison" in tests and "resources_overall" in out:
        out["resource_comparison"] = suppress_comparisons(
            tests["resource_comparison"], out["resources_overall"], setting
        )
    if "baseline_tests" in tests and "baseline_table" in out:
        out["baseline_tests"] = suppress_baseline_tests(
            tests["baseline_tests"], out["baseline_table"], setting
        )
    return out


_CODE_OF = {name: code for code, name in _CODES.items()}


def _link_ratings(space: _Space, population: str) -> None:
    """The ratings of a resource over the whole follow-up are its waves' ratings added up."""
    waves: dict[tuple, list[int]] = {}
    for key, cell in space.named():
        if key[0] == "rated" and key[1] == population:
            _, _, group, _month, resource = key
            waves.setdefault((group, resource), []).append(cell)
    for (group, resource), parts in waves.items():
        total = space.key_cell(("rated_ever", population, group, resource))
        if total is not None:
            space.add_lines(np.zeros(len(parts), np.int64), parts, [0], [total])


def _as_everyone_shows(d: _Declared, fixed: SuppressedTable) -> None:
    """The overall rows of a grouped table hidden and shown as the everyone-view shows them."""
    rows = np.flatnonzero(d.is_overall)
    if len(rows) != len(fixed.table):
        raise ValueError("the overall rows and the everyone-view's table do not align")
    _follow(d, fixed, rows, np.arange(len(rows)), _ALL_ROWS)


#: The columns that name a row of each table apart from its group (to match one view's rows
#: with another's).
_ROW_KEYS: dict[str, tuple[str, ...]] = {
    "enrollment": (),
    "followup_summary": (),
    "ended_by_contact": ("contact",),
    "contacts_per_participant": ("contacts",),
    "resources_overall": ("resource",),
    "resources_by_wave": ("month", "resource"),
    "transitions": ("from", "to"),
    "transition_waves": ("from", "to"),  # one month at a time
    "early_to_thriving": (),
    "stage_distribution": ("month", "category"),
    "baseline_table": ("variable", "level"),
}


def _row_key(values) -> tuple:
    return tuple(
        None
        if pd.isna(v)
        else int(v)
        if isinstance(v, float | np.floating) and float(v).is_integer()
        else v
        for v in values
    )


def _as_shown_elsewhere(d: _Declared, fixed: SuppressedTable, name: str) -> None:
    """The rows of a table of the everyone-view of a view filtered to one value of a column,
    hidden and shown as the view grouped by that column shows that value's group (``fixed``:
    those rows): the same quantities, which a user reaches by one change of the sidebar."""
    keys = list(_ROW_KEYS[name])
    mine = np.flatnonzero(~d.is_overall)
    theirs = fixed.table.reset_index(drop=True)
    where = {_row_key(r): i for i, r in enumerate(theirs[keys].itertuples(index=False))}
    if not keys:
        where = {(): 0} if len(theirs) == 1 else {}
    ours = d.work[keys].iloc[mine].itertuples(index=False) if keys else [()] * len(mine)
    pairs = [(r, where.get(_row_key(k))) for r, k in zip(mine, ours, strict=True)]
    pairs = [(r, j) for r, j in pairs if j is not None]
    if not pairs:
        return
    rows, matched = (np.asarray(x, np.int64) for x in zip(*pairs, strict=True))
    labels = d.work["group"].astype(str).to_numpy() if "group" in d.work else None
    label = labels[mine[0]] if labels is not None and len(mine) else _ALL_ROWS
    _follow(d, _reset_rows(fixed), rows, matched, label)


def _reset_rows(st: SuppressedTable) -> SuppressedTable:
    return dataclasses.replace(
        st,
        table=st.table.reset_index(drop=True),
        mask=st.mask.reset_index(drop=True),
        reasons=st.reasons.reset_index(drop=True),
        too_few=st.too_few.reset_index(drop=True),
    )


def _follow(
    d: _Declared, fixed: SuppressedTable, rows: np.ndarray, theirs: np.ndarray, label: str
) -> None:
    """Rows ``rows`` of a declared table hidden (with the same reason) and shown (pinned) as
    rows ``theirs`` of ``fixed`` are; a matrix's totals of group ``label`` as its margins."""
    space = d.cells.space
    for col in d.count_cols:
        if col not in fixed.mask:
            continue
        ids = d.cells.cells(col, rows)
        hidden = fixed.mask[col].to_numpy()[theirs]
        reasons = fixed.reasons[col].to_numpy()[theirs]
        for code in np.unique(reasons[hidden]):
            sel = hidden & (reasons == code)
            space.hide(ids[sel], _CODE_OF.get(code, _SECONDARY))
        space.pinned[ids[~hidden]] = True
    margin_cells = getattr(d.cells, "margin_cells", None)
    if margin_cells is not None and fixed.margins is not None and len(fixed.margins):
        # the matrix's totals, as the other view shows them
        g_labels, row_c, col_c, tot_c, nc = margin_cells
        over = np.flatnonzero(g_labels == label)
        if not len(over):
            return
        o = int(over[0])
        m = fixed.margins
        cats = list(STAGE_CATEGORIES)
        for frm, to, cell in [
            *((c, "Total", row_c[o * nc + i]) for i, c in enumerate(cats)),
            *(("Total", c, col_c[o * nc + i]) for i, c in enumerate(cats)),
            ("Total", "Total", tot_c[o]),
        ]:
            row = m[(m["from"] == frm) & (m["to"] == to)]
            if not len(row):
                continue
            if bool(row["suppressed"].iloc[0]):
                space.hide([cell], _CODE_OF.get(row["reason"].iloc[0], _SECONDARY))
            else:
                space.pinned[cell] = True


def _month_of(waves: SuppressedTable, month) -> SuppressedTable:
    """One month of a stacked ``transition_waves`` table (its margins too), without the month
    column: as that month's matrix was declared."""
    keep = (waves.table["month"] == month).to_numpy()

    def part(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[keep].drop(columns="month").reset_index(drop=True)

    margins = waves.margins
    if margins is not None:
        margins = margins[margins["month"] == month].drop(columns="month")
    return dataclasses.replace(
        waves,
        table=part(waves.table),
        mask=part(waves.mask),
        reasons=part(waves.reasons),
        too_few=waves.too_few[keep].reset_index(drop=True),
        margins=margins,
    )


def _stack_months(waves: pd.DataFrame, parts: list[tuple[Any, SuppressedTable]]) -> SuppressedTable:
    """One SuppressedTable for transition_waves from its months; ``.margins`` gains a month
    column."""
    if not parts:
        mask = pd.DataFrame(False, index=waves.index[:0], columns=waves.columns)
        return SuppressedTable(
            waves.iloc[0:0], mask, mask.astype(str), pd.Series([], dtype=bool), Suppression(1)
        )

    def cat(attr, fill):
        frames = []
        for m, p in parts:
            f = getattr(p, attr).copy()
            f.insert(0, "month", m if fill is None else fill)
            frames.append(f)
        return pd.concat(frames, ignore_index=True)

    margins = [p.margins.assign(month=m) for m, p in parts if p.margins is not None]
    first = parts[0][1]
    return SuppressedTable(
        cat("table", None),
        cat("mask", False),
        cat("reasons", ""),
        pd.concat([p.too_few for _, p in parts], ignore_index=True),
        first.suppression,
        first.count_columns,
        margins=pd.concat(margins, ignore_index=True) if margins else None,
    )
