"""The project's own disclosure attacker: a test harness (this module holds no tests).

Department leaders must never be able to single out a colleague: no count from 1 to k-1 may
be shown, or be recoverable from everything the outputs of one view (or of several views a
user can reach) show together. This module plays the attacker: it reads every number the
outputs show, writes each one as a linear functional of unknown counts, solves with exact
rational arithmetic, and reports every hidden count whose true value is in 1..k-1 but which
the shown numbers determine nevertheless.

What the attacker reads (per view; a view that ``compute_results`` refuses shows only its
"about" sheet, which still gives its analysed participants)
    * every table of :func:`hoo_metrics.present.export.export_tables` (the tables of every page, the
      report and the export): hidden cells hold text labels, shown cells numbers;
    * the matrix totals of the Recovery page and the report (``.margins`` of the transitions
      table, and of each month of ``transition_waves``);
    * the summary JSON as ``python -m hoo_metrics summary --min-cell k`` prints it
      (``summary(..., suppression=k)`` where the function has that argument, else
      ``summary(..., suppression=k)``) for views the command line can print (no
      filters, a grouping column);
    * derived numbers: a share or a Wilson interval with its denominator gives the count; a
      share without it gives the ratio count/denominator (a homogeneous linear relation); a
      Wilson interval alone gives count and denominator when only one pair matches; a risk
      difference with both denominators gives n2*a - n1*b; the Kaplan-Meier curve: a row's
      ``events`` are the supports ending after the previous row's day up to its own day and
      its ``at_risk`` those lasting beyond the previous row's day (true of one row per
      distinct duration and of a coarsened curve alike); where the curve has one row per
      distinct duration (as the metric gives it), each step whose survival and previous
      survival show gives events/at_risk = 1 - S(t)/S(t-) (a merged step's ratio is a product
      over steps nobody sees: no linear relation);
    * the absence of a row: only non-zero transition cells, waves and groups with a
      respondent, contacts up to the largest one, the days of an uncoarsened curve, the
      levels of Table 1 seen are listed, so every row that is not there is a shown zero.
    Ranks, medians, means, p-values and the refusal sentences are not used (not linear).

The model: possible worlds, not the data
    The unknowns are the cells of joint contingency tables over every POSSIBLE participant
    profile of a "family" of variables (every combination of the variables' values allowed by
    the data contract), never only the profiles present in the data. Every family has the
    participant attributes of the views (status, the grouping and filter columns: a view's
    analysis set and filter are then predicates on these, so the counts of different views
    are functionals over the same table) times the family's own variables:

    ========================  ===============================================================
    block                     variables besides the attributes
    ========================  ===============================================================
    attrs                     none (enrolled, analysed and status counts of any view)
    contact   (coupling)      none / ended / censored
    followup                  number of contacts c, last contact number L >= c, end contact
                              e in {not ended, 1..L} (c = 1: e in {not ended, L})
    curve                     no contact, or (duration day, ended)
    response  (coupling)      responded or not at each follow-up wave
    used_ever r (coupling)    used resource r at any follow-up wave
    resource r                per wave: not responded, or used in {0, 1 unrated, 1 rated,
                              blank} x named most helpful {0, 1}
    tclass    (coupling)      no transition / early to thriving / other transition
    transitions               baseline category or none, category at each wave or none
    recovered r               transition class x used_ever r
    table1 v                  the level of Table 1 variable v
    ========================  ===============================================================

    Families are joined by *coupling* blocks: a coupling's cells are the shared margin of the
    families it links (e.g. followup and curve share, per attribute combination, how many
    ended, were censored or had no contact), written as identity rows "sum of the family's
    cells in that margin cell - coupling cell = 0". Solving one system over all blocks is the
    fixpoint of "a value determined in one family becomes known in the others", and more
    (values that are determined only jointly are found too).

Determinacy
    A hidden quantity with row vector a is determined iff a lies in the row space of the shown
    functionals P (rank(P) == rank([P; a])). :class:`RowSpace` keeps an exact, fully reduced
    sparse echelon basis (Python ints and fractions.Fraction, never floats) and, for every
    basis row, the combination of shown numbers it came from, so a determined quantity comes
    with the shown numbers that give it back. Columns that no functional tells apart are
    merged first (exact: row-space membership does not change).

    Before solving, every functional is checked against the true world (the counts of the
    real cohort in each cell): each shown number, each relation, each absent row and every
    number of the same view with suppression lifted (``Suppression(k, enabled=False)``: all
    of its cells, read by the same readers) must equal its functional applied to the truth,
    else :class:`ModelError` (a wrong model would make the attack meaningless). True values
    of hidden cells are the model's counts of the true world, so validated.

Targets (what must stay unknown)
    every hidden count cell whose true value is in 1..k-1, the complements the suppression
    rules name (enrolled - analysed, non-completers, non-users, not named, still in support,
    not early-to-thriving, others in a transition row or column, Table 1 non-members), the sum
    of the hidden cells of every line (statuses, groups to overall, ended + censored, contacts
    to participants, transition rows/columns/totals, Table 1 levels to n), the differences
    between a view and its neighbours (the participants a filter leaves out, those one value
    of a several-valued filter adds, the non-completers of "all enrolled"; overall and per
    group) and, for a refused view, its analysed participants. Not targeted: non-respondents
    (analysed - respondents) and participants without a contact.

Cost: the engine's own work dominates (``compute_results`` per view and k); a view's reading
and its lifted counterpart are kept by cohort and view (``_KEPT``, the latest few hundred), so
a view attacked again (other unions, regression tests) costs only the linear algebra.

Public API: :class:`View`, :func:`attack`, :class:`AttackReport`, :class:`Finding`,
:class:`RowSpace`, :func:`solve_hidden`, :func:`wilson_candidates`, :func:`random_views`.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
import random
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import numpy as np
import pandas as pd

from hoo_metrics.cohort import Cohort
from hoo_metrics.contract import ALL_GROUP, BLANK_GROUP, STAGE_CATEGORIES, STATUSES
from hoo_metrics.metrics._analysed import category_codes
from hoo_metrics.metrics.followup import support_duration_curve
from hoo_metrics.metrics.inference import wilson_interval
from hoo_metrics.present.export import compute_results, export_tables
from hoo_metrics.present.summary import summary as summary_json
from hoo_metrics.privacy import Suppression, pooled_groups

__all__ = [
    "AttackReport",
    "Finding",
    "ModelError",
    "RowSpace",
    "View",
    "attack",
    "random_views",
    "solve_hidden",
    "wilson_candidates",
]

BASELINE_STAGE = "baseline_stage_category"
#: The view index a cached reading is made with (replaced by the view's index in a union).
_SLOT = "#"


class _Kept:
    """Values computed lately, by key (a key names the cohort object it was computed from):
    the same cohort is attacked again in other unions and regression tests. Bounded, oldest
    dropped first, so the cohorts of a whole test session are not all kept alive."""

    def __init__(self, size: int):
        self._size = size
        self._values: dict = {}

    def get(self, key, build):
        """The value kept under ``key``, or ``build()`` kept under it."""
        if key in self._values:
            self._values[key] = self._values.pop(key)  # now the latest
        else:
            self._values[key] = build()
            while len(self._values) > self._size:
                del self._values[next(iter(self._values))]
        return self._values[key]


#: The readings of views (:func:`_read`) and their lifted counterparts (:func:`_unsuppressed`).
_KEPT = _Kept(512)
#: Stage category codes in the model: 0 none, 1.. the contract's categories.
CAT = {c: i + 1 for i, c in enumerate(STAGE_CATEGORIES)}
EARLY, THRIVING = CAT["early"], CAT["thriving"]
N_CAT = len(STAGE_CATEGORIES) + 1
#: Resource state of one wave: 0 not responded, else 1 + 2*u + m with u in {0 not used,
#: 1 used and not rated, 2 used and rated, 3 blank} and m = named most helpful.
N_RES_STATE = 9


class ModelError(AssertionError):
    """The attacker's functional for a published number disagrees with the true world: the
    model (not the suppression) is wrong and must be fixed before any attack means anything."""


# ---- exact linear algebra ---------------------------------------------------------------------
def _norm(x):
    """An int where the Fraction is whole (keeps the arithmetic on Python ints mostly)."""
    if type(x) is Fraction and x.denominator == 1:
        return x.numerator
    return x


def _div(x, a):
    if a == 1:
        return x
    if a == -1:
        return -x
    return _norm(Fraction(x) / a)


@dataclass(frozen=True)
class Explanation:
    """How shown numbers determine a quantity: value = sum(coef * shown value)."""

    value: Fraction | int
    terms: tuple[tuple[Fraction | int, str, Fraction | int], ...]  # (coef, label, shown value)

    def text(self, limit: int = 10) -> str:
        """The shown numbers and their coefficients; shown zeros (absent rows, empty cells)
        are counted, not listed."""
        parts = []
        nonzero = [t for t in self.terms if t[2] != 0]
        zeros = len(self.terms) - len(nonzero)
        ordered = sorted(nonzero, key=lambda t: (-abs(t[0]), t[1]))
        for coef, label, value in ordered[:limit]:
            sign = "-" if coef < 0 else "+"
            mag = abs(coef)
            factor = "" if mag == 1 else f"{_fmt(mag)} x "
            parts.append(f"{sign} {factor}[{label} = {_fmt(value)}]")
        if len(ordered) > limit:
            parts.append(f"... ({len(ordered) - limit} more shown numbers)")
        if zeros:
            parts.append(f"(with {zeros} shown zero{'s' if zeros > 1 else ''})")
        return " ".join(parts) if parts else "0 (structurally)"


def _fmt(v) -> str:
    if isinstance(v, Fraction):
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    return str(v)


class RowSpace:
    """The row space of the shown functionals, kept exact and fully reduced.

    Rows are sparse dicts {column: coefficient} (columns: any hashable). Every basis row has a
    pivot column with coefficient 1 that no other basis row contains, and carries the
    combination of *sources* (shown numbers, relations) it equals, so that a vector in the row
    space comes with the shown numbers that determine it (:meth:`explain`). A row added with
    ``label=None`` is structural (its value is 0 and it is never listed in an explanation).

    A row that depends on the rows already there must agree with them (its value equals the
    same combination of their values); a disagreement raises :class:`ModelError`.
    """

    def __init__(self) -> None:
        self._rows: dict = {}  # pivot -> (vec, src)
        self._where: dict = defaultdict(set)  # column -> pivots of rows holding it (non-pivot)
        self.labels: list[str] = []
        self.values: list = []

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def rank(self) -> int:
        return len(self._rows)

    def _source(self, label: str, value) -> int:
        self.labels.append(label)
        self.values.append(value)
        return len(self.labels) - 1

    def reduce(self, vec: Mapping) -> tuple[dict, dict]:
        """(residual, combination): vec = residual + (the rows given by the combination of
        sources); residual has no pivot column. Empty residual: vec is in the row space."""
        v = {c: a for c, a in vec.items() if a}
        s: dict = {}
        for p in [c for c in v if c in self._rows]:
            f = v.pop(p)
            rv, rs = self._rows[p]
            for c, a in rv.items():
                if c == p:
                    continue
                nv = v.get(c, 0) - f * a
                if nv:
                    v[c] = _norm(nv)
                else:
                    v.pop(c, None)
            for sid, a in rs.items():
                ns = s.get(sid, 0) + f * a
                if ns:
                    s[sid] = _norm(ns)
                else:
                    s.pop(sid, None)
        return v, s

    def value_of(self, combination: Mapping) -> Fraction | int:
        return _norm(sum((Fraction(a) * self.values[sid] for sid, a in combination.items()), 0))

    def add(self, vec: Mapping, label: str | None = None, value=0) -> bool:
        """Add a row (a shown functional and its value); True when it raised the rank."""
        sid = None if label is None else self._source(label, value)
        v, s = self.reduce(vec)
        if not v:
            implied = self.value_of(s)
            if Fraction(implied) != Fraction(value):
                raise ModelError(
                    f"inconsistent shown numbers: {label or 'a structural identity'} = "
                    f"{_fmt(value)} but the other rows give {_fmt(implied)}"
                )
            return False
        src = {k: -a for k, a in s.items()}
        if sid is not None:
            src[sid] = src.get(sid, 0) + 1
        src = {k: a for k, a in src.items() if a}
        # pivot: the column fewest other rows hold (least back-substitution); ties by size
        where = self._where
        p = min(v, key=lambda c: len(where.get(c, ())))
        a = v[p]
        if a != 1:
            v = {c: _div(x, a) for c, x in v.items()}
            src = {k: _div(x, a) for k, x in src.items()}
        # eliminate p from every row that holds it
        for q in list(self._where.get(p, ())):
            qv, qs = self._rows[q]
            f = qv.pop(p)
            for c, x in v.items():
                if c == p:
                    continue
                nv = qv.get(c, 0) - f * x
                if nv:
                    if c not in qv:
                        self._where[c].add(q)
                    qv[c] = _norm(nv)
                elif c in qv:
                    del qv[c]
                    self._where[c].discard(q)
            for k, x in src.items():
                ns = qs.get(k, 0) - f * x
                if ns:
                    qs[k] = _norm(ns)
                else:
                    qs.pop(k, None)
        self._where.pop(p, None)
        self._rows[p] = (v, src)
        for c in v:
            if c != p:
                self._where[c].add(p)
        return True

    def explain(self, vec: Mapping) -> Explanation | None:
        """None when ``vec`` is not in the row space (not determined); else its value and the
        combination of shown numbers that gives it."""
        v, s = self.reduce(vec)
        if v:
            return None
        terms = tuple((a, self.labels[sid], self.values[sid]) for sid, a in s.items())
        return Explanation(self.value_of(s), terms)


def solve_hidden(
    shown: Mapping[str, tuple[Mapping, int]], hidden: Mapping[str, Mapping]
) -> dict[str, Explanation | None]:
    """Which hidden functionals the shown ones determine (hand-built cases and unit tests).

    ``shown``: name -> ({cell: coefficient}, value); ``hidden``: name -> {cell: coefficient}.
    Returns name -> :class:`Explanation` (value and the shown numbers used) or None."""
    space = RowSpace()
    for name, (vec, value) in shown.items():
        space.add(vec, name, value)
    return {name: space.explain(vec) for name, vec in hidden.items()}


# ---- derived numbers ----------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _wilson_grid(n_max: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    xs, ns = [], []
    for n in range(1, n_max + 1):
        xs.extend(range(n + 1))
        ns.extend([n] * (n + 1))
    x = np.array(xs, dtype="int64")
    n = np.array(ns, dtype="int64")
    low, high = wilson_interval(x, n)
    return x, n, np.asarray(low), np.asarray(high)


def wilson_candidates(
    low: float | None, high: float | None, n_max: int, n: int | None = None
) -> list[tuple[int, int]]:
    """Every (count, denominator <= n_max) whose Wilson 95 % interval is (low, high) (either
    bound may be None: not shown); ``n`` fixes the denominator when it is shown."""
    x, nn, lo, hi = _wilson_grid(int(n_max))
    ok = np.ones(len(x), bool)
    if n is not None:
        ok &= nn == n
    if low is not None:
        ok &= np.abs(lo - low) < 1e-9
    if high is not None:
        ok &= np.abs(hi - high) < 1e-9
    return list(zip(x[ok].tolist(), nn[ok].tolist(), strict=True))


def _ratio(value: float, n_max: int) -> Fraction:
    """The fraction a/b (b <= n_max) a float share stands for (exact: two such fractions
    differ by at least 1/n_max^2, far more than a float's error)."""
    return Fraction(value).limit_denominator(max(int(n_max), 1))


# ---- views --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class View:
    """One view a user can reach: analysis set, grouping, filters and threshold k.

    ``filters``: {column: values} (stored as a sorted tuple). ``summary``: also read the
    summary JSON when the command line can print this view (no filters, a grouping)."""

    population: str = "completed"
    group_by: str | None = "arm"
    filters: Mapping[str, Sequence[str]] | tuple = ()
    k: int = 5
    summary: bool = True

    def __post_init__(self) -> None:
        f = self.filters
        items = f.items() if isinstance(f, Mapping) else f
        norm = tuple(sorted((str(c), tuple(sorted(str(v) for v in vs))) for c, vs in items if vs))
        object.__setattr__(self, "filters", norm)

    @property
    def filter_dict(self) -> dict[str, list[str]]:
        return {c: list(vs) for c, vs in self.filters}

    @property
    def scope(self) -> tuple:
        return (self.population, self.filters)

    def describe(self) -> str:
        f = "; ".join(f"{c} in {{{', '.join(vs)}}}" for c, vs in self.filters) or "no filter"
        return f"{self.population}, by {self.group_by or 'nothing'}, {f}, k={self.k}"


def random_views(cohort: Cohort, n: int, seed: int, k: int = 5) -> list[View]:
    """A seeded random sequence of ``n`` views a user could click through: analysis set,
    grouping (arm, role or none) and at most one filter (a random non-empty set of values of
    arm or role)."""
    rng = random.Random(seed)
    cols = [c for c in ("arm", "role") if c in cohort.participants]
    out = []
    for _ in range(n):
        group_by = rng.choice([*cols, None])
        filters = {}
        if cols and rng.random() < 0.6:
            col = rng.choice(cols)
            values = sorted(set(cohort.group_labels(col)))
            take = rng.randint(1, max(1, len(values) - 1))
            filters = {col: sorted(rng.sample(values, take))}
        out.append(View(rng.choice(["completed", "all"]), group_by, filters, k))
    return out


# ---- the world: domains, blocks, true counts ----------------------------------------------------
def _product(sizes: Sequence[int]) -> list[np.ndarray]:
    if not sizes:
        return []
    grids = np.indices(tuple(sizes)).reshape(len(sizes), -1)
    return [g.astype("int64") for g in grids]


class _Block:
    """The cells of one family or coupling: every attribute combination x every core state.

    ``a``: attribute-combination index per cell; ``core``: core variable arrays per cell;
    ``links``: coupling name -> the coupling's core index of each cell; ``truth``: the real
    cohort's count per cell."""

    def __init__(self, name, n_attr: int, core: dict[str, np.ndarray], n_core: int):
        self.name = name
        self.n_core = n_core
        self.n = n_attr * n_core
        self.a = np.repeat(np.arange(n_attr, dtype="int64"), n_core)
        self.core = {v: np.tile(arr, n_attr) for v, arr in core.items()}
        self.links: dict = {}
        self.truth = np.zeros(self.n, dtype="int64")

    def set_truth(self, attr_index: np.ndarray, core_index: np.ndarray) -> None:
        if np.any(core_index < 0):
            raise ModelError(f"{self.name}: a participant's profile is outside the model")
        cell = attr_index * self.n_core + core_index
        self.truth = np.bincount(cell, minlength=self.n).astype("int64")


class _World:
    """Domains of every variable (what the attacker can know exists: the values offered by the
    filters, the months, resources, contact numbers and days the outputs list), the blocks
    and the true count of every cell."""

    def __init__(self, cohort: Cohort, views: Sequence[View]):
        self.cohort = cohort
        p = cohort.participants
        self.n_participants = len(p)
        cols = sorted(
            {v.group_by for v in views if v.group_by} | {c for v in views for c, _ in v.filters}
        )
        self.attr_cols = ["status", *cols]
        self.domains: dict[str, list[str]] = {"status": list(STATUSES)}
        values: dict[str, np.ndarray] = {"status": p["status"].astype(str).to_numpy()}
        for c in cols:
            labels = cohort.group_labels(c).astype(str).to_numpy()
            self.domains[c] = sorted(set(labels))
            values[c] = labels
        self.code = {c: {v: i for i, v in enumerate(d)} for c, d in self.domains.items()}
        # a pooled group (privacy.pooled_groups: the grouping's small values as one group) is
        # the union of its values
        self.pooled: dict[str, dict[str, list[int]]] = {}
        for v in views:
            for value, label in pooled_groups(cohort, v.group_by, v.k).items():
                codes = self.pooled.setdefault(v.group_by, {}).setdefault(label, [])
                codes.append(self.code[v.group_by][value])
        sizes = [len(self.domains[c]) for c in self.attr_cols]
        self.combos = np.stack(_product(sizes), axis=1)  # A x attributes
        self.n_attr = len(self.combos)
        codes = np.stack(
            [np.array([self.code[c][v] for v in values[c]], dtype="int64") for c in self.attr_cols],
            axis=1,
        )
        self.attr_index = np.ravel_multi_index(codes.T, sizes).astype("int64")
        self.col = {c: i for i, c in enumerate(self.attr_cols)}
        self.months = sorted(
            int(m) for m in pd.unique(cohort.responses["month"].to_numpy()) if int(m) > 0
        )
        self.resources = list(cohort.resources)
        self._participant_facts()
        self.blocks: dict = {}
        self.block("attrs")

    # ---- per participant facts (the true world) ------------------------------------------------
    def _participant_facts(self) -> None:
        cohort = self.cohort
        p = cohort.participants
        n = len(p)
        pos = {pid: i for i, pid in enumerate(p["participant_id"].astype(str))}
        # contacts: count, last contact number, end contact, duration
        c = cohort.contacts
        self.n_contacts = np.zeros(n, "int64")
        self.last_contact = np.zeros(n, "int64")
        self.end_contact = np.zeros(n, "int64")
        self.duration = np.full(n, -1, "int64")
        if len(c):
            cc = c.assign(_pos=c["participant_id"].astype(str).map(pos)).dropna(subset=["_pos"])
            cc = cc.sort_values(["_pos", "contact_no"], kind="stable")
            for i, g in cc.groupby("_pos", sort=False):
                i = int(i)
                numbers = g["contact_no"].to_numpy("int64")
                days = g["day"].to_numpy("int64")
                more = g["more_followup"].to_numpy(bool)
                self.n_contacts[i] = len(g)
                self.last_contact[i] = numbers[-1]
                ends = np.flatnonzero(~more)
                if ends.size:
                    self.end_contact[i] = numbers[ends[0]]
                    self.duration[i] = days[ends[0]]
                else:
                    self.duration[i] = days[-1]
        self.c_max = int(max(self.last_contact.max(initial=0), 1))
        self.days = sorted(set(self.duration[self.n_contacts > 0].tolist()))
        # responses: stage category per wave, resource states per wave
        r = cohort.responses
        rpos = r["participant_id"].astype(str).map(pos)
        known = rpos.notna().to_numpy()
        rpos = rpos.fillna(-1).to_numpy("int64")
        month = r["month"].to_numpy("int64")
        cat = category_codes(r["stage"], r["stage6_path"]).astype("int64") + 1  # 0 none
        self.base = np.zeros(n, "int64")
        at0 = known & (month == 0)
        self.base[rpos[at0]] = cat[at0]
        w = len(self.months)
        self.wave_cat = np.zeros((n, w), "int64")
        self.res_state = np.zeros((len(self.resources), n, w), "int64")
        named = cohort.most_helpful_flags
        for j, m in enumerate(self.months):
            at = known & (month == m)
            rows = np.flatnonzero(at)
            who = rpos[rows]
            self.wave_cat[who, j] = cat[rows]
            for ri, code in enumerate(self.resources):
                u = r[cohort.used_column(code)].to_numpy("float64", na_value=np.nan)[rows]
                h = r[cohort.helpful_column(code)].to_numpy("float64", na_value=np.nan)[rows]
                used = np.where(
                    u == 1.0, np.where(np.isnan(h), 1, 2), np.where(u == 0.0, 0, 3)
                ).astype("int64")
                mflag = named[rows, ri].astype("int64")
                self.res_state[ri, who, j] = 1 + 2 * used + mflag
        # transition class: 0 none, 1 early -> thriving, 2 another transition
        last = np.zeros(n, "int64")
        for j in range(w):
            last = np.where(self.wave_cat[:, j] > 0, self.wave_cat[:, j], last)
        self.last_cat = last
        has = (self.base > 0) & (last > 0)
        self.tclass = np.where(has, np.where((self.base == EARLY) & (last == THRIVING), 1, 2), 0)

    # ---- blocks ---------------------------------------------------------------------------------
    def block(self, name) -> _Block:
        if name in self.blocks:
            return self.blocks[name]
        kind = name[0] if isinstance(name, tuple) else name
        n_attr = self.n_attr
        w = len(self.months)
        if kind == "attrs":
            b = _Block(name, n_attr, {}, 1)
            b.set_truth(self.attr_index, np.zeros(self.n_participants, "int64"))
        elif kind == "contact":
            b = _Block(name, n_attr, {"cls": np.arange(3)}, 3)
            cls = np.where(self.n_contacts == 0, 0, np.where(self.end_contact > 0, 1, 2))
            b.set_truth(self.attr_index, cls)
            b.links["attrs"] = np.zeros(b.n, "int64")
        elif kind == "followup":
            states = [(0, 0, 0)]
            for L in range(1, self.c_max + 1):
                for cnum in range(1, L + 1):
                    ends = [0, L] if cnum == 1 else [0, *range(1, L + 1)]
                    states += [(cnum, L, e) for e in ends]
            arr = np.array(states, dtype="int64")
            index = {s: i for i, s in enumerate(states)}
            b = _Block(name, n_attr, {"c": arr[:, 0], "L": arr[:, 1], "e": arr[:, 2]}, len(arr))
            core = np.array(
                [
                    index.get((int(x), int(y), int(z)), -1)
                    for x, y, z in zip(
                        self.n_contacts, self.last_contact, self.end_contact, strict=True
                    )
                ],
                dtype="int64",
            )
            b.set_truth(self.attr_index, core)
            cls = np.where(b.core["c"] == 0, 0, np.where(b.core["e"] > 0, 1, 2))
            b.links["contact"] = cls
        elif kind == "curve":
            days = self.days
            has = [0] + [1] * (2 * len(days))
            day = [-1] + [d for d in days for _ in (0, 1)]
            ended = [0] + [e for _ in days for e in (0, 1)]
            b = _Block(
                name,
                n_attr,
                {"has": np.array(has), "day": np.array(day), "ended": np.array(ended)},
                len(has),
            )
            di = {d: i for i, d in enumerate(days)}
            core = np.array(
                [
                    0 if nc == 0 else 1 + 2 * di[int(d)] + int(e > 0)
                    for nc, d, e in zip(
                        self.n_contacts, self.duration, self.end_contact, strict=True
                    )
                ],
                dtype="int64",
            )
            b.set_truth(self.attr_index, core)
            b.links["contact"] = np.where(
                b.core["has"] == 0, 0, np.where(b.core["ended"] > 0, 1, 2)
            )
        elif kind == "response":
            grids = _product([2] * w)
            b = _Block(name, n_attr, {f"r{j}": g for j, g in enumerate(grids)}, 2**w)
            resp = self._responded()  # a response row at that month
            b.set_truth(self.attr_index, _ravel(resp.astype("int64"), [2] * w))
            b.links["attrs"] = np.zeros(b.n, "int64")
        elif kind == "used_ever":
            ri = self.resources.index(name[1])
            b = _Block(name, n_attr, {"u": np.arange(2)}, 2)
            st = self.res_state[ri]
            ever = np.any(np.isin(st, [3, 4, 5, 6]), axis=1).astype("int64")
            b.set_truth(self.attr_index, ever)
            b.links["attrs"] = np.zeros(b.n, "int64")
        elif kind == "resource":
            ri = self.resources.index(name[1])
            grids = _product([N_RES_STATE] * w)
            b = _Block(name, n_attr, {f"s{j}": g for j, g in enumerate(grids)}, N_RES_STATE**w)
            b.set_truth(self.attr_index, _ravel(self.res_state[ri], [N_RES_STATE] * w))
            s = np.stack([b.core[f"s{j}"] for j in range(w)], axis=1) if w else np.zeros((b.n, 0))
            b.links["response"] = _ravel((s > 0).astype("int64"), [2] * w)
            b.links[("used_ever", name[1])] = np.any(np.isin(s, [3, 4, 5, 6]), axis=1).astype(
                "int64"
            )
        elif kind == "tclass":
            b = _Block(name, n_attr, {"cls": np.arange(3)}, 3)
            b.set_truth(self.attr_index, self.tclass)
            b.links["attrs"] = np.zeros(b.n, "int64")
        elif kind == "transitions":
            grids = _product([N_CAT] * (w + 1))
            core = {"base": grids[0]} | {f"c{j}": g for j, g in enumerate(grids[1:])}
            b = _Block(name, n_attr, core, N_CAT ** (w + 1))
            prof = np.concatenate([self.base[:, None], self.wave_cat], axis=1)
            b.set_truth(self.attr_index, _ravel(prof, [N_CAT] * (w + 1)))
            last = np.zeros(b.n, "int64")
            for j in range(w):
                last = np.where(b.core[f"c{j}"] > 0, b.core[f"c{j}"], last)
            b.core["last"] = last
            has = (b.core["base"] > 0) & (last > 0)
            b.links["tclass"] = np.where(
                has, np.where((b.core["base"] == EARLY) & (last == THRIVING), 1, 2), 0
            )
        elif kind == "recovered":
            ri = self.resources.index(name[1])
            grids = _product([3, 2])
            b = _Block(name, n_attr, {"cls": grids[0], "u": grids[1]}, 6)
            ever = np.any(np.isin(self.res_state[ri], [3, 4, 5, 6]), axis=1).astype("int64")
            b.set_truth(self.attr_index, self.tclass * 2 + ever)
            b.links["tclass"] = b.core["cls"]
            b.links[("used_ever", name[1])] = b.core["u"]
        elif kind == "table1":
            var = name[1]
            labels = self.cohort.group_labels(var).astype(str).to_numpy()
            levels = sorted(set(labels))
            b = _Block(name, n_attr, {"level": np.arange(len(levels))}, len(levels))
            b.levels = levels
            li = {v: i for i, v in enumerate(levels)}
            b.set_truth(self.attr_index, np.array([li[v] for v in labels], dtype="int64"))
            b.links["attrs"] = np.zeros(b.n, "int64")
        else:  # pragma: no cover - programming error
            raise KeyError(name)
        self.blocks[name] = b
        for coupling in b.links:
            self.block(coupling)
        return b

    def _responded(self) -> np.ndarray:
        r = self.cohort.responses
        pos = {
            pid: i for i, pid in enumerate(self.cohort.participants["participant_id"].astype(str))
        }
        rpos = r["participant_id"].astype(str).map(pos)
        known = rpos.notna().to_numpy()
        rpos = rpos.fillna(-1).to_numpy("int64")
        month = r["month"].to_numpy("int64")
        out = np.zeros((self.n_participants, len(self.months)), bool)
        for j, m in enumerate(self.months):
            at = known & (month == m)
            out[rpos[at], j] = True
        return out

    # ---- functionals ----------------------------------------------------------------------------
    def _attr_mask(self, scope, gb, g, analysed: bool) -> np.ndarray:
        population, filters = scope
        m = np.ones(self.n_attr, bool)
        for col, vals in filters:
            codes = [self.code[col][v] for v in vals if v in self.code[col]]
            m &= np.isin(self.combos[:, self.col[col]], codes)
        if analysed and population == "completed":
            m &= self.combos[:, 0] == self.code["status"]["completed"]
        if g != ALL_GROUP or gb is not None:
            if gb is None:
                raise KeyError("a group other than 'all' needs a grouping column")
            pool = self.pooled.get(gb, {}).get(g)
            if pool is not None:
                m &= np.isin(self.combos[:, self.col[gb]], sorted(set(pool)))
            else:
                code = self.code[gb].get(g)
                m &= self.combos[:, self.col[gb]] == (-1 if code is None else code)
        return m

    def vector(self, key: tuple) -> tuple:
        """(block name, coefficient per cell) of a key: the functional a published number is."""
        kind = key[0]
        if kind in ("enrolled", "analysed", "status"):
            scope, gb, g = key[1:4]
            b = self.block("attrs")
            m = self._attr_mask(scope, gb, g, analysed=kind == "analysed")
            if kind == "status":
                m = m & (self.combos[:, 0] == self.code["status"][key[4]])
            return "attrs", m[b.a].astype("int64")
        scope, gb, g = key[1:4]
        am = self._attr_mask(scope, gb, g, analysed=True)
        if kind == "fu":  # participants / ended / censored
            b = self.block("contact")
            cls = b.core["cls"]
            sel = {"participants": cls > 0, "ended": cls == 1, "censored": cls == 2}[key[4]]
            return "contact", (am[b.a] & sel).astype("int64")
        if kind in ("fu_ended_by", "fu_L_ge", "fu_c_eq", "fu_c_ge"):
            b = self.block("followup")
            c, last, e = b.core["c"], b.core["L"], b.core["e"]
            j = key[4]
            sel = {
                "fu_ended_by": (e > 0) & (e <= j),
                "fu_L_ge": last >= j,
                "fu_c_eq": c == j,
                "fu_c_ge": c >= j,
            }[kind]
            return "followup", (am[b.a] & sel).astype("int64")
        if kind in ("curve_n_ge", "curve_ev", "curve_dur_eq"):
            b = self.block("curve")
            has, day, ended = b.core["has"], b.core["day"], b.core["ended"]
            if kind == "curve_n_ge":  # at risk at day t: duration >= t
                sel = (has > 0) & (day >= key[4])
            elif kind == "curve_ev":  # supports ending on a day from lo to hi
                sel = (ended > 0) & (day >= key[4]) & (day <= key[5])
            else:
                sel = (has > 0) & (day == key[4])
            return "curve", (am[b.a] & sel).astype("int64")
        if kind in ("res_resp", "res_part"):
            b = self.block("response")
            if kind == "res_part":
                sel = np.zeros(b.n, bool)
                for j in range(len(self.months)):
                    sel |= b.core[f"r{j}"] > 0
            else:
                sel = b.core[f"r{self.months.index(key[4])}"] > 0
            return "response", (am[b.a] & sel).astype("int64")
        if kind == "res_used_ever":
            name = ("used_ever", key[4])
            b = self.block(name)
            return name, (am[b.a] & (b.core["u"] > 0)).astype("int64")
        if kind in ("res_used", "res_named", "res_rated", "res_named_ever", "res_rated_sum"):
            if kind in ("res_used", "res_named", "res_rated"):
                month, code = key[4], key[5]
            else:
                month, code = None, key[4]
            name = ("resource", code)
            b = self.block(name)
            w = len(self.months)

            def flags(s, what):
                u = (s - 1) // 2
                mm = (s - 1) % 2
                if what == "used":
                    return (s > 0) & ((u == 1) | (u == 2))
                if what == "rated":
                    return (s > 0) & (u == 2)
                return (s > 0) & (mm == 1)

            if month is not None:
                s = b.core[f"s{self.months.index(month)}"]
                sel = flags(s, kind[4:]).astype("int64")
            elif kind == "res_named_ever":
                sel = np.zeros(b.n, "int64")
                for j in range(w):
                    sel |= flags(b.core[f"s{j}"], "named").astype("int64")
            else:  # ratings over every wave: one participant may count twice
                sel = sum(flags(b.core[f"s{j}"], "rated").astype("int64") for j in range(w))
            return name, am[b.a].astype("int64") * sel
        if kind in ("tr", "tr_row", "tr_col", "tr_total", "trw", "trw_row", "trw_col", "trw_total"):
            b = self.block("transitions")
            base = b.core["base"]
            if kind.startswith("trw"):
                to = b.core[f"c{self.months.index(key[4])}"]
                rest = key[5:]
            else:
                to = b.core["last"]
                rest = key[4:]
            both = (base > 0) & (to > 0)
            core = kind.split("_")[-1] if "_" in kind else "cell"
            if core == "cell":
                sel = both & (base == CAT[rest[0]]) & (to == CAT[rest[1]])
            elif core == "row":
                sel = both & (base == CAT[rest[0]])
            elif core == "col":
                sel = both & (to == CAT[rest[0]])
            else:
                sel = both
            return "transitions", (am[b.a] & sel).astype("int64")
        if kind == "tcls":
            b = self.block("tclass")
            return "tclass", (am[b.a] & (b.core["cls"] == key[4])).astype("int64")
        if kind == "rec":
            name = ("recovered", key[4])
            b = self.block(name)
            sel = (b.core["cls"] == key[5]) & (b.core["u"] > 0)  # key: (.., resource, class)
            return name, (am[b.a] & sel).astype("int64")
        if kind == "t1":
            var, level = key[4], key[5]
            if var in self.col:
                b = self.block("attrs")
                code = self.code[var].get(level, -1)
                return "attrs", (am & (self.combos[:, self.col[var]] == code))[b.a].astype("int64")
            if var == BASELINE_STAGE:
                b = self.block("transitions")
                want = 0 if level == BLANK_GROUP else CAT[level]
                return "transitions", (am[b.a] & (b.core["base"] == want)).astype("int64")
            name = ("table1", var)
            b = self.block(name)
            li = b.levels.index(level) if level in b.levels else -1
            return name, (am[b.a] & (b.core["level"] == li)).astype("int64")
        raise KeyError(key)  # pragma: no cover - programming error

    def levels(self, var: str) -> list[str]:
        """Every level of a Table 1 variable (the attacker knows them from the filters)."""
        if var == BASELINE_STAGE:
            return [*STAGE_CATEGORIES, BLANK_GROUP]
        return sorted(set(self.cohort.group_labels(var).astype(str)))


def _ravel(profile: np.ndarray, sizes: Sequence[int]) -> np.ndarray:
    if not len(sizes):
        return np.zeros(len(profile), "int64")
    return np.ravel_multi_index(tuple(profile.T.astype("int64")), tuple(sizes)).astype("int64")


# ---- what the outputs show ----------------------------------------------------------------------
def _g(gb, g):
    """Key part of a group: the overall row needs no grouping column."""
    return (None, ALL_GROUP) if str(g) == ALL_GROUP else (gb, str(g))


def _num(v):
    """A shown number (int where whole), or None for a label, NaN or blank."""
    if isinstance(v, bool | np.bool_):
        return None
    if isinstance(v, int | np.integer):
        return int(v)
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return None
        return int(v) if float(v).is_integer() else float(v)
    return None


@dataclass
class _Target:
    combo: dict
    k: int
    kind: str
    view: int
    table: str
    row: str
    column: str
    note: str = ""


@dataclass(frozen=True)
class Finding:
    """A hidden count in 1..k-1 that the shown numbers determine."""

    view: int
    view_text: str
    table: str
    row: str
    column: str
    kind: str  # "hidden cell", "complement", "hidden sum of a line", "refused view"
    true_value: int
    explanation: Explanation
    note: str = ""

    def text(self) -> str:
        what = f"{self.table}[{self.row}].{self.column}"
        note = f" ({self.note})" if self.note else ""
        return (
            f"view {self.view} ({self.view_text}): {self.kind} {what}{note}: true value "
            f"{self.true_value} = {self.explanation.text()}"
        )


@dataclass
class AttackReport:
    """Everything one attack found, and the size of the problem it solved."""

    views: list[View]
    findings: list[Finding] = field(default_factory=list)
    targets: int = 0
    shown: int = 0
    relations: int = 0
    hidden: int = 0
    refused: list[int] = field(default_factory=list)
    rank: int = 0
    columns: int = 0

    def format(self, limit: int = 80) -> str:
        head = [
            f"{len(self.findings)} hidden count(s) from 1 to k-1 recovered ({self.targets} "
            f"targets; {self.shown} shown numbers, {self.relations} derived relations, "
            f"{self.hidden} hidden cells; rank {self.rank} over {self.columns} merged cells)",
            "views:",
        ]
        head += [
            f"  view {i}: {v.describe()}" + (" [refused]" if i in self.refused else "")
            for i, v in enumerate(self.views)
        ]
        lines = [f"  - {f.text()}" for f in self.findings[:limit]]
        if len(self.findings) > limit:
            lines.append(f"  ... and {len(self.findings) - limit} more")
        return "\n".join(head + (["recovered:"] if lines else []) + lines)

    def in_table(self, table: str) -> list[Finding]:
        """Findings whose hidden cell is in ``table`` (a name starting with it)."""
        return [f for f in self.findings if f.table.startswith(table)]


def _unsuppressed(full: Cohort, view: View):
    """The view with suppression lifted (its results, export tables, the metric's curve and
    the raw summary JSON, or None when the command line cannot print the view): the same for
    every k, so kept (``_KEPT``) for the next attack."""

    def build():
        gb, pop = view.group_by, view.population
        lifted = compute_results(full, pop, gb, view.filter_dict, Suppression(1, enabled=False))
        tables = export_tables(full, results=lifted)
        metric = support_duration_curve(lifted.cohort, group_by=gb, population=pop)
        raw = None
        if view.summary and gb is not None and not view.filters:
            raw = summary_json(full, population=pop, group_by=gb)
        return lifted, tables, metric, raw

    key = ("unsuppressed", full, view.population, view.group_by, view.filters, view.summary)
    return _KEPT.get(key, build)


def _suppressed_summary(full: Cohort, view: View, raw: dict) -> dict:
    """The summary JSON as ``python -m hoo_metrics summary --min-cell k`` prints it."""
    del raw
    return summary_json(
        full, population=view.population, group_by=view.group_by, suppression=view.k
    )


class _Fast:
    """A frame's cells as Python lists (``f.at[i, column]`` without pandas' per-cell cost)."""

    def __init__(self, df: pd.DataFrame):
        self.df = df.reset_index(drop=True)
        self.cols = {c: self.df[c].tolist() for c in self.df.columns}

    @property
    def at(self) -> _Fast:
        return self

    def __getitem__(self, key):
        if isinstance(key, tuple):
            return self.cols[key[1]][key[0]]
        return self.df[key]

    def __len__(self) -> int:
        return len(self.df)

    def __contains__(self, column) -> bool:
        return column in self.cols

    def groupby(self, *args, **kwargs):
        return self.df.groupby(*args, **kwargs)


class _Reader:
    """Reads the outputs of views into keys (the functionals of :meth:`_World.vector`).

    In ``"shown"`` mode (the suppressed outputs) a number is a shown value, a label a hidden
    cell (a target) and row absences are shown zeros; derived numbers and relations are read
    too. In ``"check"`` mode (the same view with suppression lifted) every number is only
    recorded as a check of the model against the true world."""

    def __init__(self, world: _World):
        self.world = world
        self.mode = "shown"
        self.known: list[tuple[tuple, object, str]] = []
        self.relations: list[tuple[dict, object, str]] = []
        self.checks: list[tuple[tuple, object, str]] = []
        self.targets: list[_Target] = []
        self.hidden_cells = 0
        self.refused: list[int] = []
        self.n_max = world.n_participants
        self.curve_fine = True

    def merge(self, other: _Reader, vi: int) -> None:
        """Add what another reader read (for view slot ``_SLOT``) as view ``vi``."""
        tag = f"v{vi} "

        def lab(text: str) -> str:
            return text.replace(f"v{_SLOT} ", tag)

        self.known += [(key, v, lab(t)) for key, v, t in other.known]
        self.relations += [(c, v, lab(t)) for c, v, t in other.relations]
        self.checks += [(key, v, lab(t)) for key, v, t in other.checks]
        self.targets += [dataclasses.replace(t, view=vi) for t in other.targets]
        self.hidden_cells += other.hidden_cells
        self.refused += [vi for _ in other.refused]

    # -- primitives
    @property
    def shown_mode(self) -> bool:
        return self.mode == "shown"

    def cell(self, vi, k, table, row, col, key, v):
        """One count cell; returns its shown value (None when hidden)."""
        sv = _num(v)
        label = f"v{vi} {table}[{row}].{col}"
        if not self.shown_mode:
            if sv is not None:
                self.checks.append((key, sv, label + " (unsuppressed)"))
            return sv
        if sv is not None:
            self.known.append((key, sv, label))
            return sv
        if isinstance(v, str):
            self.hidden_cells += 1
            self.targets.append(_Target({key: 1}, k, "hidden cell", vi, table, row, col))
        return None

    def zero(self, vi, table, row, key, why):
        label = f"v{vi} {table}: no row {row} ({why})"
        (self.known if self.shown_mode else self.checks).append((key, 0, label))

    def complement(self, vi, k, table, row, name, total_key, part_key):
        if self.shown_mode and total_key != part_key:
            self.targets.append(
                _Target({total_key: 1, part_key: -1}, k, "complement", vi, table, row, name)
            )

    def line(self, vi, k, table, row, parts: Sequence[tuple[tuple, object]]):
        """Parts of a line (key, cell as shown): the sum of its hidden parts is a target."""
        if not self.shown_mode:
            return
        hidden = [key for key, v in parts if isinstance(v, str)]
        if len(hidden) < 2:
            return
        combo: dict = {}
        for key in hidden:
            combo[key] = combo.get(key, 0) + 1
        self.targets.append(
            _Target(combo, k, "hidden sum of a line", vi, table, row, "sum of its hidden cells")
        )

    def relation(self, combo, const, label):
        if self.shown_mode:
            self.relations.append(({k: a for k, a in combo.items() if a}, const, label))

    def share(self, vi, table, row, count_key, den_key, count_v, den_v, share, low, high):
        """Derived numbers of a count / denominator pair: a share and / or a Wilson CI."""
        if not self.shown_mode:
            return
        share, low, high = _num(share), _num(low), _num(high)
        label = f"v{vi} {table}[{row}]"
        if count_v is None and den_v:
            if share is not None:
                value = Fraction(_ratio(share, self.n_max)) * den_v
                if value.denominator == 1:
                    self.known.append((count_key, value.numerator, f"{label}.share x denominator"))
                    return
            if low is not None or high is not None:
                found = {x for x, _ in wilson_candidates(low, high, self.n_max, n=den_v)}
                if len(found) == 1:
                    self.known.append((count_key, found.pop(), f"{label} Wilson CI with its n"))
            return
        if den_v is None:
            if share is not None:
                r = _ratio(share, self.n_max)
                self.relation(
                    {count_key: r.denominator, den_key: -r.numerator},
                    0,
                    f"{label}.share = {share:.6g}: count/denominator = {_fmt(r)}",
                )
            if low is not None and high is not None:
                found = wilson_candidates(low, high, self.n_max)
                if len(found) == 1:
                    x, n = found[0]
                    self.known.append((den_key, n, f"{label} Wilson CI alone (n)"))
                    if count_v is None:
                        self.known.append((count_key, x, f"{label} Wilson CI alone (count)"))

    def difference(self, vi, table, row, a_key, b_key, n1, n2, rd):
        """A shown risk difference a/n1 - b/n2 with both denominators shown."""
        rd = _num(rd)
        if not self.shown_mode or rd is None or not n1 or not n2:
            return
        const = Fraction(_ratio(rd, n1 * n2)) * n1 * n2
        if const.denominator == 1:
            self.relation(
                {a_key: n2, b_key: -n1},
                const.numerator,
                f"v{vi} {table}[{row}].risk_difference = {rd:.6g} with n {n1} and {n2}",
            )

    # -- one view
    def read_view(self, vi: int, view: View) -> None:
        full = self.world.cohort
        k = view.k
        scope, gb = view.scope, view.group_by
        res = compute_results(full, view.population, gb, view.filter_dict, k)
        analysed = ("analysed", scope, None, ALL_GROUP)
        about = export_tables(full, results=res)["about"]
        self.checks.append((analysed, int(res.analysed), f"v{vi} analysed participants"))
        self.mode = "shown"
        for v in about.loc[about["item"] == "Analysed participants", "value"]:
            self.cell(vi, k, "about", "Analysed participants", "value", analysed, v)
        self._view_differences(vi, view)
        if res.refusal is not None:
            self.refused.append(vi)
            note = f"refused ({res.refusal.reason}), yet the about sheet says"
            self.targets.append(
                _Target({analysed: 1}, k, "refused view", vi, "about", "view", "analysed", note)
            )
            return
        lifted, true, metric, raw = _unsuppressed(full, view)
        shown = export_tables(full, results=res)

        def steps(frame):
            return set(map(tuple, frame[["group", "day"]].astype(str).to_numpy().tolist()))

        for mode, tables, results in (("check", true, lifted), ("shown", shown, res)):
            self.mode = mode
            curve = tables.get("support_duration_curve")
            self.curve_fine = curve is not None and steps(curve) == steps(metric)
            for name, reader in (
                ("enrollment", self._enrollment),
                ("followup_summary", self._followup_summary),
                ("ended_by_contact", self._ended_by_contact),
                ("contacts_per_participant", self._contacts),
                ("support_duration_curve", self._curve),
                ("resources_by_wave", self._by_wave),
                ("resources_overall", self._overall),
                ("resource_comparison", self._comparison),
                ("transitions", self._transitions),
                ("transition_waves", self._transition_waves),
                ("early_to_thriving", self._e2t),
                ("recovered_resource_tests", self._recovered),
                ("baseline_table", self._baseline),
            ):
                if name in tables:
                    reader(vi, k, scope, gb, results.groups, _Fast(tables[name]), tables)
            self._margins(vi, k, scope, gb, results)
            if raw is not None:
                js = raw if mode == "check" else _suppressed_summary(full, view, raw)
                self._summary(vi, k, scope, gb, js)
        self.mode = "shown"

    def _view_differences(self, vi, view: View) -> None:
        """Targets between this view and its neighbours a user can reach (overall and per
        group): the participants a filter leaves out (within the other filters), those one
        value of a several-valued filter adds, and (all enrolled) the non-completers."""
        k, pop, gb = view.k, view.population, view.group_by
        groups = [ALL_GROUP] + (list(self.world.domains.get(gb, [])) if gb else [])

        def scope_of(population, filters):
            return View(population, gb, dict(filters), k).scope

        def diff(wider, narrower, what):
            for g in groups:
                gbk, gk = _g(gb, g)
                combo = {("analysed", wider, gbk, gk): 1, ("analysed", narrower, gbk, gk): -1}
                self.targets.append(
                    _Target(combo, k, "view difference", vi, "analysed", f"group {g}", what)
                )

        filters = dict(view.filters)
        for col, vals in filters.items():
            others = {c: v for c, v in filters.items() if c != col}
            diff(scope_of(pop, others), view.scope, f"left out by the filter on {col}")
            if len(vals) > 1:
                for v in vals:
                    fewer = others | {col: [x for x in vals if x != v]}
                    diff(view.scope, scope_of(pop, fewer), f"{col} = {v} (added by that value)")
        if pop == "all":
            diff(view.scope, scope_of("completed", filters), "did not complete (all - completers)")

    # -- the tables
    def _enrollment(self, vi, k, scope, gb, groups, df, _tables):
        t = "enrollment"
        statuses = ("completed", "withdrew", "lost_to_follow_up")
        cols = ("enrolled", "analysed", *statuses)
        per_col: dict = defaultdict(list)
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            gbk, gk = _g(gb, g)
            keys = {
                "enrolled": ("enrolled", scope, gbk, gk),
                "analysed": ("analysed", scope, gbk, gk),
            } | {s: ("status", scope, gbk, gk, s) for s in statuses}
            row = f"group {g}"
            for c in cols:
                if c in df:
                    self.cell(vi, k, t, row, c, keys[c], df.at[i, c])
                    if g != ALL_GROUP:
                        per_col[c].append((keys[c], df.at[i, c]))
            self.complement(
                vi, k, t, row, "enrolled - analysed", keys["enrolled"], keys["analysed"]
            )
            self.complement(
                vi,
                k,
                t,
                row,
                "enrolled - completed (did not complete)",
                keys["enrolled"],
                keys["completed"],
            )
            self.line(
                vi, k, t, f"{row}: statuses", [(keys[s], df.at[i, s]) for s in statuses if s in df]
            )
        if gb is not None:
            for c, parts in per_col.items():
                self.line(vi, k, t, f"groups of {c}", parts)
            listed = {str(g) for g in df["group"]}
            domain = self.world.domains.get(gb, [])
            for label, codes in self.world.pooled.get(gb, {}).items():
                if label in listed:  # its values are listed, as one group
                    listed |= {domain[c] for c in codes}
            for g in domain:
                if g not in listed:
                    self.zero(vi, t, f"group {g}", ("enrolled", scope, gb, g), "group not listed")

    def _followup_summary(self, vi, k, scope, gb, groups, df, _tables):
        t = "followup_summary"
        per_col: dict = defaultdict(list)
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            gbk, gk = _g(gb, g)
            keys = {c: ("fu", scope, gbk, gk, c) for c in ("participants", "ended", "censored")}
            row = f"group {g}"
            for c, key in keys.items():
                self.cell(vi, k, t, row, c, key, df.at[i, c])
                if g != ALL_GROUP:
                    per_col[c].append((key, df.at[i, c]))
            self.line(
                vi,
                k,
                t,
                f"{row}: ended + censored",
                [(keys[c], df.at[i, c]) for c in ("ended", "censored")],
            )
        if gb is not None:
            for c, parts in per_col.items():
                self.line(vi, k, t, f"groups of {c}", parts)

    def _ended_by_contact(self, vi, k, scope, gb, groups, df, _tables):
        t = "ended_by_contact"
        kmax: dict = {}
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            j = int(df.at[i, "contact"])
            gbk, gk = _g(gb, g)
            row = f"group {g}, contact {j}"
            ek = ("fu_ended_by", scope, gbk, gk, j)
            pk = ("fu", scope, gbk, gk, "participants")
            ev = self.cell(vi, k, t, row, "ended", ek, df.at[i, "ended"])
            pv = self.cell(vi, k, t, row, "participants", pk, df.at[i, "participants"])
            self.share(
                vi,
                t,
                row,
                ek,
                pk,
                ev,
                pv,
                df.at[i, "share"],
                df.at[i, "ci_low"],
                df.at[i, "ci_high"],
            )
            self.complement(vi, k, t, row, "participants - ended (still in support)", pk, ek)
            kmax[(gbk, gk)] = max(kmax.get((gbk, gk), 0), j)
        for (gbk, gk), m in kmax.items():
            if m + 1 <= self.world.c_max:
                self.zero(
                    vi,
                    t,
                    f"group {gk}, contact {m + 1}",
                    ("fu_L_ge", scope, gbk, gk, m + 1),
                    "no contact numbered beyond",
                )

    def _contacts(self, vi, k, scope, gb, groups, df, _tables):
        t = "contacts_per_participant"
        cmax: dict = {}
        by_group: dict = defaultdict(list)
        by_c: dict = defaultdict(list)
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            c = int(df.at[i, "contacts"])
            gbk, gk = _g(gb, g)
            key = ("fu_c_eq", scope, gbk, gk, c)
            v = df.at[i, "participants"]
            self.cell(vi, k, t, f"group {g}, {c} contacts", "participants", key, v)
            by_group[g].append((key, v))
            if g != ALL_GROUP:
                by_c[c].append((key, v))
            cmax[(gbk, gk)] = max(cmax.get((gbk, gk), 0), c)
        for g, parts in by_group.items():
            self.line(vi, k, t, f"group {g}: participants by contacts", parts)
        if gb is not None:
            for c, parts in by_c.items():
                self.line(vi, k, t, f"groups at {c} contacts", parts)
        for (gbk, gk), m in cmax.items():
            if m + 1 <= self.world.c_max:
                self.zero(
                    vi,
                    t,
                    f"group {gk}, {m + 1} or more contacts",
                    ("fu_c_ge", scope, gbk, gk, m + 1),
                    "beyond the largest",
                )

    def _curve(self, vi, k, scope, gb, groups, df, _tables):
        """A row's events are the supports ending after the previous row's day up to its own
        day, its at_risk those lasting beyond the previous row's day (one row per distinct
        duration, or steps merged by a coarsened curve: the same functionals). Only a curve
        with one row per distinct duration (as ``support_duration_curve`` documents) tells
        that no support lasted a day that is not listed, and lets the survival ratio of one
        step give events / at_risk = 1 - S(t)/S(t-) (a merged step's ratio is a product over
        steps the attacker does not see)."""
        t = "support_duration_curve"
        listed: dict = defaultdict(set)
        prev: dict = {}
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            gbk, gk = _g(gb, g)
            day = int(df.at[i, "day"])
            s = _num(df.at[i, "survival"])
            if (gbk, gk) not in prev:  # the day-0 row: everyone with a contact at risk
                self.cell(
                    vi,
                    k,
                    t,
                    f"group {g}, day {day} (start)",
                    "at_risk",
                    ("fu", scope, gbk, gk, "participants"),
                    df.at[i, "at_risk"],
                )
                prev[(gbk, gk)] = (s, day)
                continue
            s_prev, d_prev = prev[(gbk, gk)]
            listed[(gbk, gk)].add(day)
            row = f"group {g}, day {day}"
            rk = ("curve_n_ge", scope, gbk, gk, d_prev + 1)
            ek = ("curve_ev", scope, gbk, gk, d_prev + 1, day)
            self.cell(vi, k, t, row, "at_risk", rk, df.at[i, "at_risk"])
            self.cell(vi, k, t, row, "events", ek, df.at[i, "events"])
            if self.curve_fine and s is not None and s_prev:
                r = _ratio(1.0 - float(s) / float(s_prev), self.n_max)
                self.relation(
                    {ek: r.denominator, rk: -r.numerator},
                    0,
                    f"v{vi} {t}[{row}]: survival {s:.6g} after {s_prev:.6g} on day {d_prev}, "
                    f"so events/at_risk = 1 - S(t)/S(t-) = {_fmt(r)}",
                )
            prev[(gbk, gk)] = (s, day)
        if self.curve_fine:
            for (gbk, gk), days in listed.items():
                for d in self.world.days:
                    if d not in days:
                        self.zero(
                            vi,
                            t,
                            f"group {gk}, day {d}",
                            ("curve_dur_eq", scope, gbk, gk, d),
                            "no step on that day",
                        )

    def _by_wave(self, vi, k, scope, gb, groups, df, _tables):
        t = "resources_by_wave"
        listed = set()
        for i in range(len(df)):
            m, g, r = int(df.at[i, "month"]), str(df.at[i, "group"]), str(df.at[i, "resource"])
            gbk, gk = _g(gb, g)
            listed.add((m, g))
            row = f"month {m}, group {g}, {r}"
            rk = ("res_resp", scope, gbk, gk, m)
            keys = {
                "used": ("res_used", scope, gbk, gk, m, r),
                "most_helpful": ("res_named", scope, gbk, gk, m, r),
                "helpful_n": ("res_rated", scope, gbk, gk, m, r),
            }
            rv = self.cell(vi, k, t, row, "respondents", rk, df.at[i, "respondents"])
            vals = {c: self.cell(vi, k, t, row, c, key, df.at[i, c]) for c, key in keys.items()}
            self.share(
                vi,
                t,
                row,
                keys["used"],
                rk,
                vals["used"],
                rv,
                df.at[i, "used_share"],
                df.at[i, "used_ci_low"],
                df.at[i, "used_ci_high"],
            )
            self.share(
                vi,
                t,
                row,
                keys["most_helpful"],
                rk,
                vals["most_helpful"],
                rv,
                df.at[i, "most_helpful_share"],
                None,
                None,
            )
            self.complement(vi, k, t, row, "respondents - used (non-users)", rk, keys["used"])
            self.complement(
                vi, k, t, row, "respondents - most_helpful (not named)", rk, keys["most_helpful"]
            )
        for m in self.world.months:
            for g in [ALL_GROUP] if gb is None else groups:
                if (m, str(g)) not in listed:
                    gbk, gk = _g(gb, g)
                    self.zero(
                        vi,
                        t,
                        f"month {m}, group {g}",
                        ("res_resp", scope, gbk, gk, m),
                        "no respondent",
                    )

    def _overall(self, vi, k, scope, gb, groups, df, _tables):
        t = "resources_overall"
        listed = set()
        for i in range(len(df)):
            g, r = str(df.at[i, "group"]), str(df.at[i, "resource"])
            gbk, gk = _g(gb, g)
            listed.add(g)
            row = f"group {g}, {r}"
            pk = ("res_part", scope, gbk, gk)
            keys = {
                "used_ever": ("res_used_ever", scope, gbk, gk, r),
                "most_helpful_ever": ("res_named_ever", scope, gbk, gk, r),
                "helpful_n": ("res_rated_sum", scope, gbk, gk, r),
            }
            pv = self.cell(vi, k, t, row, "participants", pk, df.at[i, "participants"])
            vals = {c: self.cell(vi, k, t, row, c, key, df.at[i, c]) for c, key in keys.items()}
            for c in ("used_ever", "most_helpful_ever"):
                self.share(
                    vi,
                    t,
                    row,
                    keys[c],
                    pk,
                    vals[c],
                    pv,
                    df.at[i, c + "_share"],
                    df.at[i, c + "_ci_low"],
                    df.at[i, c + "_ci_high"],
                )
                self.complement(vi, k, t, row, f"participants - {c}", pk, keys[c])
        for g in [ALL_GROUP] if gb is None else groups:
            if str(g) not in listed:
                gbk, gk = _g(gb, g)
                self.zero(vi, t, f"group {g}", ("res_part", scope, gbk, gk), "group not listed")

    def _comparison(self, vi, k, scope, gb, groups, df, tables):
        over = tables.get("resources_overall")
        if over is None or gb is None or "risk_difference" not in df:
            return
        for i in range(len(df)):
            r, measure = str(df.at[i, "resource"]), str(df.at[i, "measure"])
            sub = over[over["resource"].astype(str) == r]
            if len(sub) != 2:
                continue
            g1, g2 = (str(x) for x in sub["group"])
            n1, n2 = (_num(x) for x in sub["participants"])
            kind = "res_used_ever" if measure == "used_ever" else "res_named_ever"
            self.difference(
                vi,
                "resource_comparison",
                f"{r}, {measure}",
                (kind, scope, gb, g1, r),
                (kind, scope, gb, g2, r),
                n1,
                n2,
                df.at[i, "risk_difference"],
            )

    def _matrix(self, vi, k, scope, gb, groups, df, table, month):
        pre = "tr" if month is None else "trw"
        listed = set()
        for i in range(len(df)):
            g, f, to = str(df.at[i, "group"]), str(df.at[i, "from"]), str(df.at[i, "to"])
            gbk, gk = _g(gb, g)
            listed.add((g, f, to))
            where = "" if month is None else f"month {month}, "
            key = (pre, scope, gbk, gk, *(() if month is None else (month,)), f, to)
            self.cell(vi, k, table, f"{where}group {g}, {f} -> {to}", "n", key, df.at[i, "n"])
        for g in {str(x) for x in df["group"]} | {str(x) for x in groups}:
            gbk, gk = _g(gb, g)
            if gb is None and g != ALL_GROUP:
                continue
            for f, to in itertools.product(STAGE_CATEGORIES, STAGE_CATEGORIES):
                if (g, f, to) not in listed:
                    key = (pre, scope, gbk, gk, *(() if month is None else (month,)), f, to)
                    self.zero(vi, table, f"group {g}, {f} -> {to}", key, "non-zero cells only")
        return listed

    def _transitions(self, vi, k, scope, gb, groups, df, _tables):
        self._cells_shown = {}
        self._matrix(vi, k, scope, gb, groups, df, "transitions", None)
        self._remember(df, None)

    def _transition_waves(self, vi, k, scope, gb, groups, df, _tables):
        for m, w in df.groupby("month", sort=True):
            w = _Fast(w.drop(columns="month"))
            self._matrix(vi, k, scope, gb, groups, w, "transition_waves", int(m))
            self._remember(w, int(m))

    def _remember(self, df, month):
        """The matrix cells as shown, for the line targets of :meth:`_margins`."""
        store = self.__dict__.setdefault("_cells_shown", {})
        for i in range(len(df)):
            g, f, to = str(df.at[i, "group"]), str(df.at[i, "from"]), str(df.at[i, "to"])
            store[(month, g, f, to)] = df.at[i, "n"]

    def _margin_frames(self, results):
        """(table, month, margins) of every transition matrix a page or the report prints."""
        out = []
        tr = results.tables.get("transitions")
        if tr is not None and tr.margins is not None:
            out.append(("transitions", None, tr.margins))
        tw = results.tables.get("transition_waves")
        if tw is not None and tw.margins is not None:
            for m, mm in tw.margins.groupby("month", sort=True):
                out.append(("transition_waves", int(m), mm.drop(columns="month")))
        return out

    def _margins(self, vi, k, scope, gb, results):
        shown_cells = self.__dict__.get("_cells_shown", {})
        for table, month, ms in self._margin_frames(results):
            ms = _Fast(ms)
            pre = "tr" if month is None else "trw"
            mo = () if month is None else (month,)
            where = f"{table} totals" + ("" if month is None else f" month {month}")
            keys: dict = {}
            for i in range(len(ms)):
                g, f, to = str(ms.at[i, "group"]), str(ms.at[i, "from"]), str(ms.at[i, "to"])
                gbk, gk = _g(gb, g)
                if f == "Total" and to == "Total":
                    key = (pre + "_total", scope, gbk, gk, *mo)
                elif to == "Total":
                    key = (pre + "_row", scope, gbk, gk, *mo, f)
                else:
                    key = (pre + "_col", scope, gbk, gk, *mo, to)
                v = "hidden" if bool(ms.at[i, "suppressed"]) else ms.at[i, "n"]
                self.cell(vi, k, where, f"group {g}, {f} -> {to}", "n", key, v)
                keys[(g, f, to)] = (key, v)
            if not self.shown_mode:
                continue
            for (g, f, to), (key, _v) in keys.items():
                total = keys.get((g, "Total", "Total"))
                if total is not None and total[0] != key:
                    self.complement(
                        vi,
                        k,
                        where,
                        f"group {g}, {f} -> {to}",
                        "total - this row/column total",
                        total[0],
                        key,
                    )
            for g in {g for g, _, _ in keys}:
                gbk, gk = _g(gb, g)
                cell = {
                    (f, to): (
                        (pre, scope, gbk, gk, *mo, f, to),
                        shown_cells.get((month, g, f, to), 0),
                    )
                    for f in STAGE_CATEGORIES
                    for to in STAGE_CATEGORIES
                }
                for c in STAGE_CATEGORIES:
                    self.line(
                        vi,
                        k,
                        table,
                        f"{where} group {g}, from {c}",
                        [cell[(c, to)] for to in STAGE_CATEGORIES],
                    )
                    self.line(
                        vi,
                        k,
                        table,
                        f"{where} group {g}, to {c}",
                        [cell[(f, c)] for f in STAGE_CATEGORIES],
                    )
                for side in ("from", "to"):
                    parts = [
                        keys[(g, c, "Total") if side == "from" else (g, "Total", c)]
                        for c in STAGE_CATEGORIES
                        if ((g, c, "Total") if side == "from" else (g, "Total", c)) in keys
                    ]
                    self.line(vi, k, where, f"group {g}, {side} totals", parts)

    def _e2t(self, vi, k, scope, gb, groups, df, _tables):
        t = "early_to_thriving"
        for i in range(len(df)):
            g = str(df.at[i, "group"])
            gbk, gk = _g(gb, g)
            row = f"group {g}"
            nk = ("tcls", scope, gbk, gk, 1)
            pk = ("tr_total", scope, gbk, gk)
            nv = self.cell(vi, k, t, row, "n", nk, df.at[i, "n"])
            pv = self.cell(vi, k, t, row, "participants", pk, df.at[i, "participants"])
            self.share(vi, t, row, nk, pk, nv, pv, df.at[i, "share"], None, None)
            self.complement(vi, k, t, row, "participants - n (not early to thriving)", pk, nk)

    def _recovered(self, vi, k, scope, gb, groups, df, _tables):
        t = "recovered_resource_tests"
        tn = ("tcls", scope, None, ALL_GROUP, 1)
        on = ("tcls", scope, None, ALL_GROUP, 2)
        for i in range(len(df)):
            r = str(df.at[i, "resource"])
            a = ("rec", scope, None, ALL_GROUP, r, 1)
            b = ("rec", scope, None, ALL_GROUP, r, 2)
            self.cell(vi, k, t, r, "transitioned", a, df.at[i, "transitioned"])
            n1 = self.cell(vi, k, t, r, "transitioned_n", tn, df.at[i, "transitioned_n"])
            self.cell(vi, k, t, r, "others", b, df.at[i, "others"])
            n2 = self.cell(vi, k, t, r, "others_n", on, df.at[i, "others_n"])
            self.complement(vi, k, t, r, "transitioned_n - transitioned", tn, a)
            self.complement(vi, k, t, r, "others_n - others", on, b)
            if "risk_difference" in df:
                self.difference(vi, t, r, a, b, n1, n2, df.at[i, "risk_difference"])

    def _baseline(self, vi, k, scope, gb, groups, df, _tables):
        t = "baseline_table"
        listed: dict = defaultdict(set)
        lines: dict = defaultdict(list)
        for i in range(len(df)):
            var, level = str(df.at[i, "variable"]), str(df.at[i, "level"])
            g = str(df.at[i, "group"])
            gbk, gk = _g(gb, g)
            listed[var].add(level)
            row = f"{var} = {level}, group {g}"
            nk = ("t1", scope, gbk, gk, var, level)
            dk = ("analysed", scope, gbk, gk)
            nv = self.cell(vi, k, t, row, "n", nk, df.at[i, "n"])
            dv = self.cell(vi, k, t, row, "denominator", dk, df.at[i, "denominator"])
            self.share(vi, t, row, nk, dk, nv, dv, df.at[i, "share"], None, None)
            self.complement(vi, k, t, row, "denominator - n", dk, nk)
            lines[(var, g)].append((nk, df.at[i, "n"]))
        for (var, g), parts in lines.items():
            self.line(vi, k, t, f"{var}, group {g}: its levels", parts)
        for var, seen in listed.items():
            for level in self.world.levels(var):
                if level not in seen:
                    for g in [ALL_GROUP] if gb is None else groups:
                        gbk, gk = _g(gb, g)
                        self.zero(
                            vi,
                            t,
                            f"{var} = {level}, group {g}",
                            ("t1", scope, gbk, gk, var, level),
                            "level not listed",
                        )

    # -- the summary JSON
    def _summary(self, vi, k, scope, gb, js):
        t = "summary"
        e = js["enrollment"]
        for c in ("enrolled", "analysed"):
            self.cell(vi, k, t, "enrollment", c, (c, scope, None, ALL_GROUP), e[c])
            for g, block in e["by_group"].items():
                gbk, gk = _g(gb, g)
                self.cell(vi, k, t, f"enrollment.by_group.{g}", c, (c, scope, gbk, gk), block[c])
        fu = js["followup"]
        blocks = [((None, ALL_GROUP), fu, "followup")] + [
            (_g(gb, g), b, f"followup.by_group.{g}") for g, b in fu["by_group"].items()
        ]
        for (gbk, gk), b, where in blocks:
            pk = ("fu", scope, gbk, gk, "participants")
            pv = self.cell(vi, k, t, where, "participants", pk, b["participants"])
            jmax = 0
            for j, share in (b.get("ended_by_contact") or {}).items():
                j = int(j)
                jmax = max(jmax, j)
                ek = ("fu_ended_by", scope, gbk, gk, j)
                row = f"{where}.ended_by_contact.{j}"
                if not self.shown_mode:
                    if share is not None and pv is not None:
                        self.checks.append((ek, round(share * pv), f"v{vi} summary {row}"))
                    continue
                if share is None:
                    self.hidden_cells += 1
                    self.targets.append(
                        _Target({ek: 1}, k, "hidden cell", vi, t, row, "share x participants")
                    )
                    self.complement(
                        vi, k, t, row, "participants - ended (still in support)", pk, ek
                    )
                else:
                    self.share(vi, t, row, ek, pk, None, pv, share, None, None)
            if jmax and jmax + 1 <= self.world.c_max:
                self.zero(
                    vi,
                    t,
                    f"{where} contact {jmax + 1}",
                    ("fu_L_ge", scope, gbk, gk, jmax + 1),
                    "no contact numbered beyond",
                )
        listed = set()
        for row in js["resources"]:
            m, g, r = int(row["month"]), str(row["group"]), str(row["resource"])
            gbk, gk = _g(gb, g)
            listed.add((m, g))
            where = f"resources month {m}, group {g}, {r}"
            rk = ("res_resp", scope, gbk, gk, m)
            rv = self.cell(vi, k, t, where, "respondents", rk, row["respondents"])
            uk = ("res_used", scope, gbk, gk, m, r)
            uv = self.cell(vi, k, t, where, "used", uk, row["used"])
            self.cell(
                vi,
                k,
                t,
                where,
                "most_helpful",
                ("res_named", scope, gbk, gk, m, r),
                row["most_helpful"],
            )
            self.cell(
                vi, k, t, where, "helpful_n", ("res_rated", scope, gbk, gk, m, r), row["helpful_n"]
            )
            self.share(vi, t, where, uk, rk, uv, rv, row["used_share"], None, None)
        for m in self.world.months:
            for g in js["groups"]:
                if (m, str(g)) not in listed:
                    gbk, gk = _g(gb, g)
                    self.zero(
                        vi,
                        t,
                        f"resources month {m}, group {g}",
                        ("res_resp", scope, gbk, gk, m),
                        "no respondent",
                    )
        for row in js["resources_overall"]:
            g, r = str(row["group"]), str(row["resource"])
            gbk, gk = _g(gb, g)
            where = f"resources_overall group {g}, {r}"
            self.cell(
                vi, k, t, where, "participants", ("res_part", scope, gbk, gk), row["participants"]
            )
            self.cell(
                vi, k, t, where, "used_ever", ("res_used_ever", scope, gbk, gk, r), row["used_ever"]
            )
            self.cell(
                vi,
                k,
                t,
                where,
                "most_helpful_ever",
                ("res_named_ever", scope, gbk, gk, r),
                row["most_helpful_ever"],
            )
        tr = js["transitions"]
        listed_t = set()
        for row in tr["counts"]:
            g, f, to = str(row["group"]), str(row["from"]), str(row["to"])
            gbk, gk = _g(gb, g)
            listed_t.add((g, f, to))
            self.cell(
                vi,
                k,
                t,
                f"transitions group {g}, {f} -> {to}",
                "n",
                ("tr", scope, gbk, gk, f, to),
                row["n"],
            )
        for g in js["groups"]:
            gbk, gk = _g(gb, g)
            for f, to in itertools.product(STAGE_CATEGORIES, STAGE_CATEGORIES):
                if (str(g), f, to) not in listed_t:
                    self.zero(
                        vi,
                        t,
                        f"transitions group {g}, {f} -> {to}",
                        ("tr", scope, gbk, gk, f, to),
                        "non-zero cells only",
                    )
        e2 = tr["early_to_thriving"]
        self.cell(vi, k, t, "early_to_thriving", "n", ("tcls", scope, None, ALL_GROUP, 1), e2["n"])
        for g, v in e2["by_group"].items():
            gbk, gk = _g(gb, g)
            self.cell(
                vi, k, t, f"early_to_thriving.by_group.{g}", "n", ("tcls", scope, gbk, gk, 1), v
            )
        for row in js["transition_resource_tests"]:
            r = str(row["resource"])
            where = f"transition_resource_tests {r}"
            for c, key in (
                ("transitioned", ("rec", scope, None, ALL_GROUP, r, 1)),
                ("transitioned_n", ("tcls", scope, None, ALL_GROUP, 1)),
                ("others", ("rec", scope, None, ALL_GROUP, r, 2)),
                ("others_n", ("tcls", scope, None, ALL_GROUP, 2)),
            ):
                self.cell(vi, k, t, where, c, key, row[c])


def _read(world: _World, view: View) -> _Reader:
    """What one view shows, read once per cohort and view (kept by ``_KEPT``; the view's
    index in a union is filled in by :meth:`_Reader.merge`)."""

    def build() -> _Reader:
        one = _Reader(world)
        one.read_view(_SLOT, view)
        return one

    return _KEPT.get(("read", world.cohort, view), build)


# ---- the attack ---------------------------------------------------------------------------------
def attack(cohort: Cohort, views: View | Iterable[View], merge: bool = True) -> AttackReport:
    """Attack the union of ``views`` of ``cohort``.

    Reads everything the views show, models it over the possible worlds and reports every
    target (hidden count cell, complement, hidden line sum, refused view) whose true value is
    from 1 to k-1 and which the shown numbers determine, each with the shown numbers that give
    it back. ``report.findings`` is empty when nothing leaks. ``merge=False`` keeps every
    possible-world cell its own column (slow; to check that merging changes nothing).
    Raises :class:`ModelError` when a functional of the model disagrees with the true world
    (then the attacker, not the suppression, needs fixing)."""
    views = [views] if isinstance(views, View) else list(views)
    world = _World(cohort, views)
    reader = _Reader(world)
    for i, v in enumerate(views):
        reader.merge(_read(world, v), i)

    keys = {key for key, _, _ in (*reader.known, *reader.checks)}
    keys |= {key for combo, _, _ in reader.relations for key in combo}
    keys |= {key for t in reader.targets for key in t.combo}
    vec = {key: world.vector(key) for key in keys}

    def truth(combo) -> int:
        total = 0
        for key, coef in combo.items():
            name, arr = vec[key]
            total += coef * int(arr @ world.blocks[name].truth)
        return total

    # the model must agree with the true world wherever it can be checked
    for key, value, where in (*reader.known, *reader.checks):
        t = truth({key: 1})
        if Fraction(t) != Fraction(value):
            raise ModelError(f"{where} = {value}, but the model counts {t} for {key}")
    for combo, const, where in reader.relations:
        t = truth(combo)
        if Fraction(t) != Fraction(const):
            raise ModelError(f"{where}: the relation says {const}, the true world {t}")

    # merge, block by block, the cells that no functional and no identity tells apart
    by_block: dict = defaultdict(list)
    for key, (name, _arr) in vec.items():
        by_block[name].append(key)
    linked = {c for b in world.blocks.values() for c in b.links}
    classes = {}
    coef: dict = {}  # key -> its coefficients over the merged cells of its block
    offset = 0
    for name, b in world.blocks.items():
        block_keys = by_block.get(name, [])
        sig = [vec[key][1] for key in block_keys]
        sig += [b.a * world.blocks[c].n_core + link for c, link in b.links.items()]
        if name in linked:  # each coupling cell has identity rows of its own
            sig.append(np.arange(b.n, dtype="int64"))
        mat = np.ascontiguousarray(np.stack(sig).T if sig else np.zeros((b.n, 1), "int64"))
        rows = mat.view(np.dtype((np.void, mat.dtype.itemsize * mat.shape[1]))).reshape(-1)
        if merge:
            _, first, inverse = np.unique(rows, return_index=True, return_inverse=True)
        else:
            first = inverse = np.arange(b.n)
        classes[name] = (offset, np.asarray(inverse).reshape(-1), first)
        for key in block_keys:
            coef[key] = vec[key][1][first]
        offset += len(first)

    cache: dict = {}

    def sparse(key) -> dict:
        if key not in cache:
            off = classes[vec[key][0]][0]
            c = coef[key]
            nz = np.flatnonzero(c)
            cache[key] = dict(zip((nz + off).tolist(), c[nz].tolist(), strict=True))
        return cache[key]

    def row_of(combo) -> dict:
        row: dict = {}
        for key, co in combo.items():
            for c, a in sparse(key).items():
                row[c] = row.get(c, 0) + co * a
        return {c: a for c, a in row.items() if a}

    space = RowSpace()
    # structure: a family's cells in one coupling cell add up to that coupling cell
    for name, b in world.blocks.items():
        off, _inv, first = classes[name]
        for cname, link in b.links.items():
            coff, cinv, _ = classes[cname]
            target = (b.a * world.blocks[cname].n_core + link)[first]
            members: dict = defaultdict(list)
            for c, cell in enumerate(target.tolist()):
                members[cell].append(off + c)
            for cell, cols in members.items():
                row = dict.fromkeys(cols, 1)
                row[coff + int(cinv[cell])] = -1
                space.add(row)
    for key, value, label in reader.known:
        space.add(sparse(key), label, value)
    for combo, const, label in reader.relations:
        space.add(row_of(combo), label, const)

    report = AttackReport(
        views,
        shown=len(reader.known),
        relations=len(reader.relations),
        hidden=reader.hidden_cells,
        refused=reader.refused,
        columns=offset,
        rank=space.rank,
    )
    seen = set()
    for t in reader.targets:
        true = truth(t.combo)
        if not 1 <= true < t.k:
            continue
        row = row_of(t.combo)
        sig = (t.view, tuple(sorted(row.items())))
        if not row or sig in seen:
            continue
        seen.add(sig)
        report.targets += 1
        ex = space.explain(row)
        if ex is None:
            continue
        if Fraction(ex.value) != true:
            raise ModelError(f"{t.table}[{t.row}].{t.column}: recovered {ex.value}, true {true}")
        report.findings.append(
            Finding(
                t.view, views[t.view].describe(), t.table, t.row, t.column, t.kind, true, ex, t.note
            )
        )
    return report
