"""The engine: the count cells of one or more tables in one space (:class:`_Space`) with the
lines that add up, primary and secondary suppression, and the exact audit (no hidden count from
1 to k-1 is determined by the lines and the shown cells); how a table is declared in a space
and read back once the space has run (:class:`_Spec`, :func:`_declare`, :func:`_collect`,
:func:`_apply`); and the support curve, coarsened so that no drawn step tells fewer than k
people (:func:`_coarsen`).

Builds on :mod:`._rules` and :mod:`._table`.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from ._rules import (
    _AT_RISK,
    _CODES,
    _COMPLEMENT,
    _DERIVED,
    _FEW_ANSWERS,
    _NONE,
    _SECONDARY,
    _SMALL,
    _TOO_FEW,
    Suppression,
    _setting,
)
from ._table import SuppressedTable


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
        # the factors of each system of lines the audit has solved, by its lines and cells:
        # a later round finds most components as they were (their matrix is a function of
        # the two, since the lines never change)
        self._factors: dict[tuple[bytes, bytes], tuple] = {}
        self._members: dict[int, np.ndarray] = {}
        self._members_at = -1  # the number of lines _members was made with

    def alloc(
        self, values, keys=None, pinned=False, free=False, cost=0, protect=False
    ) -> np.ndarray:
        """Cells for ``values``; a key already registered gives back that quantity's cell (its
        value must be the same: two tables cannot disagree on one number)."""
        values = np.asarray(values, dtype="float64")
        start = len(self.values)
        if keys is None:  # quantities of their own: every cell is new
            ids = np.arange(start, start + len(values), dtype=np.int64)
            self._grow(values, np.full(len(values), cost, np.int8), free, protect)
            if pinned:
                self.pinned[ids] = True
            return ids
        ids = np.empty(len(values), np.int64)
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
        new_cost = np.full(len(fresh_idx), cost, np.int8)
        new_cost[bases] = 1
        self._grow(values[fresh_idx], new_cost, free, protect)
        if not free:  # a quantity some output shows is never free
            self.free[ids] = False
        if pinned:
            self.pinned[ids] = True
        return ids

    def _grow(self, values: np.ndarray, cost: np.ndarray, free: bool, protect: bool) -> None:
        """New cells for ``values``, shown and not pinned."""
        m = len(values)
        self.values = np.concatenate([self.values, values])
        self.hidden = np.concatenate([self.hidden, np.zeros(m, bool)])
        self.free = np.concatenate([self.free, np.full(m, free)])
        self.reason = np.concatenate([self.reason, np.zeros(m, np.int8)])
        self.pinned = np.concatenate([self.pinned, np.zeros(m, bool)])
        self.cost = np.concatenate([self.cost, cost])
        self.protect = np.concatenate([self.protect, np.full(m, protect)])

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

    def _members_of_lines(self) -> dict[int, np.ndarray]:
        """The distinct cells of each line, kept until a line is added."""
        if self._members_at != self._nlines:
            self._members = _members_by_line(*self._lines()[:2])
            self._members_at = self._nlines
        return self._members

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
            # each line's hidden parts, once each: sorted by line, then cell
            pairs = np.unique(np.column_stack([line[part], member[part]]), axis=0)
            _, start, n = np.unique(pairs[:, 0], return_index=True, return_counts=True)
            v = np.add.reduceat(np.nan_to_num(self.values[pairs[:, 1]]), start) if n.size else n
            seen = set()
            for i in np.flatnonzero((n >= 2) & (v >= 1) & (v < self.k)):
                key = tuple(pairs[start[i] : start[i] + n[i], 1].tolist())
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
            comp_of_cell = comp[len(lines_u) :]
            cell_comp = dict(zip(cells_u.tolist(), comp_of_cell.tolist(), strict=True))
            coefs = frame["coef"].to_numpy()
            line_ids, cell_ids = frame["line"].to_numpy(), frame["cell"].to_numpy()
            # each component's cells (ascending) and entries (in frame order), found once
            cells_of = _split_by(comp_of_cell, cells_u)
            entries_of = _split_by(comp_of_cell[ci], np.arange(len(ci)))
        else:
            cell_comp = {}

        def system(c: int):
            if c not in systems:
                cols = cells_of[c].astype(np.int64)
                sel = entries_of[c]
                rows, r_inv = np.unique(line_ids[sel], return_inverse=True)
                key = (rows.tobytes(), cols.tobytes())
                if key not in self._factors:
                    a = np.zeros((len(rows), len(cols)))
                    a[r_inv, np.searchsorted(cols, cell_ids[sel])] = coefs[sel]
                    self._factors[key] = _factors(a)
                systems[c] = (cols, rows, *self._factors[key])
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
            open_comp = np.array([cell_comp[j] for j in open_cells.tolist()])
            for c in np.unique(open_comp).tolist():
                cols, rows, (u, s, vt), null = system(c)
                vec = np.zeros(len(cols))  # the target's cells in this component
                vec[np.searchsorted(cols, open_cells[open_comp == c])] = 1.0
                if len(null) and np.abs(null @ vec).max() > 1e-7:
                    determined = False
                    break
                # the lines' combination that gives the target: the least-norm y with
                # a.T y = vec, from the factors above (a = u s vt, so y = u s^-1 vt vec)
                y = u @ ((vt @ vec) / s)
                used.append(rows[np.abs(y) > 1e-8])
            if not determined:
                continue
            # the peeled cells the combination leans on bring the lines that fixed them
            if members_of is None:
                members_of = self._members_of_lines()
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


def _split_by(key: np.ndarray, values: np.ndarray) -> dict[int, np.ndarray]:
    """``values`` grouped by ``key`` (same length), each group in its original order."""
    order = np.argsort(key, kind="stable")
    keys, starts = np.unique(key[order], return_index=True)
    return dict(zip(keys.tolist(), np.split(values[order], starts[1:]), strict=True))


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


def _factors(a: np.ndarray) -> tuple[tuple[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
    """((u, s, vt) of the nonzero singular values, the null space's basis) of the lines x
    cells matrix ``a``."""
    # the full square factor only where it holds the null space: with more lines than cells
    # the thin one has every right singular vector, and the full left factor (lines x lines)
    # would cost the most
    u, s, vt = np.linalg.svd(a, full_matrices=a.shape[0] < a.shape[1])
    tol = max(a.shape) * np.finfo(float).eps * (s[0] if s.size else 0.0) * 10
    rank = int((s > max(tol, 1e-9)).sum())
    return (u[:, :rank], s[:rank], vt[:rank]), vt[rank:]


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


_REASON_NAMES = np.array([""] + [_CODES[i] for i in range(1, max(_CODES) + 1)], dtype=object)


def _reason_names(codes: np.ndarray) -> np.ndarray:
    """Each cell's reason code as its name ("" where shown), an object array."""
    return _REASON_NAMES[codes.astype(np.intp)]


def _line_keys(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """Each row's line: the rows with the same values of ``keys`` (NaN a value too) share one,
    numbered in the order of first appearance (as groupby(sort=False).ngroup())."""
    if not keys:
        return np.zeros(len(frame), np.int64)
    line = np.zeros(len(frame), np.int64)
    for key in keys:  # one factorize per column, then the combined code factorized again
        codes, uniques = pd.factorize(frame[key], use_na_sentinel=False)
        line = line * len(uniques) + codes
    return pd.factorize(line)[0].astype(np.int64)


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
    codes = _cell_codes(d)
    return _pieces(d, codes, d.count_cols, getattr(d.cells, "margins", None))


def _cell_codes(d: _Declared) -> np.ndarray:
    """Each cell's reason code (``_NONE`` where shown), rows and columns of ``d.work``, once
    the space has run; the spec's finish step may set ``d.cells.margins``."""
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
    return codes


def _pieces(
    d: _Declared, codes: np.ndarray, count_cols: list[str], margins: pd.DataFrame | None
) -> SuppressedTable:
    """The SuppressedTable of ``d.work`` given each cell's code: the group rows come first in
    ``work``, the overall rows (``d.overall``) after them."""
    numeric = set(count_cols)
    for c in d.spec.counts:
        numeric.update(x for x in (*c.derived, *c.answers) if x in d.work.columns)
    return _suppressed(
        d.work,
        codes,
        d.too_few,
        d.setting,
        count_cols,
        numeric,
        d.frame.index,
        margins=margins,
        overall_index=None if d.overall is None else d.overall.index,
    )


def _suppressed(
    work: pd.DataFrame,
    codes: np.ndarray,
    too_few: np.ndarray,
    setting: Suppression,
    count_cols: Sequence[str],
    numeric: set[str],
    index: pd.Index,
    *,
    margins: pd.DataFrame | None = None,
    overall_index: pd.Index | None = None,
) -> SuppressedTable:
    """A SuppressedTable from a table's rows and each cell's reason code (``_NONE`` where
    shown): the ``numeric`` columns and every column with a hidden cell become float64, hidden
    values NaN. The first ``len(index)`` rows are the table; the rest, when ``overall_index``
    is given, its overall rows."""
    mask_arr = codes != _NONE
    columns = {}
    for j, col in enumerate(work.columns):
        m = mask_arr[:, j]
        if col in numeric or m.any():
            values = work[col].to_numpy(dtype="float64", na_value=np.nan, copy=True)
            values[m] = np.nan
            columns[col] = values
        else:
            columns[col] = work[col].array
    names = _reason_names(codes)

    def piece(rows: slice, index: pd.Index) -> SuppressedTable:
        table = pd.DataFrame({c: v[rows] for c, v in columns.items()}, index=index)
        mask = pd.DataFrame(mask_arr[rows], index=index, columns=work.columns)
        reasons = pd.DataFrame(names[rows], index=index, columns=work.columns, dtype=object)
        few = pd.Series(too_few[rows], index=index, name="too_few")
        return SuppressedTable(
            table, mask, reasons, few, setting, tuple(count_cols), margins=margins
        )

    n = len(index)
    main = piece(slice(0, n), index)
    if overall_index is None:
        return main
    return dataclasses.replace(main, overall=piece(slice(n, None), overall_index))


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


# ---- the support curve, coarsened ---------------------------------------------------------------
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


def _finish_plain(frame, w, codes, too_few, setting, count_cols) -> SuppressedTable:
    """A table with no overall rows: ``w`` (``frame``'s rows) with its cells' codes."""
    count_cols = tuple(c for c in count_cols if c in w.columns)
    return _suppressed(w, codes, too_few, setting, count_cols, set(count_cols), frame.index)
