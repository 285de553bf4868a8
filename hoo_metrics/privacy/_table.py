"""What suppression returns: :class:`SuppressedTable` (the values, the mask, the reason per cell
and the text a view prints instead), and :class:`PooledTable`, the levels of a Table 1 variable
recoded from the shown numbers of a suppressed table alone (:func:`pooled_levels_table`).

Builds on :mod:`._rules` only.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..contract import BLANK_GROUP
from ._rules import _CODES, _SMALL, HIDDEN_TEXT, TOO_FEW_TEXT, Suppression, reason_text


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
