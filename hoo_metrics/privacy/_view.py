"""Every table of one view suppressed jointly (:func:`suppress_view`): the names that make a
quantity several tables show one cell (:func:`_view_specs`, the one place that pairs tables),
and the rows a view hides and shows as a neighbouring view does (the everyone-view's overall
rows; for a view filtered to one value, that value's group in the view grouped by the column).

Builds on every other private module of the package.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..contract import STAGE_CATEGORIES
from ._engine import (
    _ALL_ROWS,
    _cell_codes,
    _collect,
    _collect_curve,
    _declare,
    _declare_curve,
    _Declared,
    _group_labels,
    _Space,
    _Spec,
    _suppressed,
)
from ._rules import _CODES, _SECONDARY, Suppression, _setting
from ._specs import (
    _BASELINE,
    _BY_WAVE,
    _CONTACTS,
    _E2T,
    _ENDED_VIEW,
    _ENROLLMENT,
    _FOLLOWUP,
    _OVERALL,
    _RECOVERED,
    _STAGES,
    _TRANSITIONS,
    suppress_baseline_tests,
    suppress_comparisons,
)
from ._table import SuppressedTable


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


def _wave_of(w: pd.DataFrame) -> list:
    return ["last" if pd.isna(m) else int(m) for m in w["month"]]


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
                months = _months_of(fixed)
                for month, x in d:
                    if month in months:
                        _as_shown_elsewhere(x, months[month], name)
    for name, d in declared.items():
        fixed = (everyone or {}).get(name)
        if fixed is None:
            continue
        if isinstance(d, _Declared) and d.overall is not None:
            _as_everyone_shows(d, fixed)
        elif name == "transition_waves":
            months = _months_of(fixed)
            for month, x in d:
                if x.overall is not None:
                    _as_everyone_shows(x, months[month])
    space.run()
    out: dict[str, SuppressedTable] = {}
    for name, d in declared.items():
        if name == "support_duration_curve":
            out[name] = _collect_curve(d)
        elif name == "transition_waves":
            out[name] = _stack_months(tables[name][0], setting, d)
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


def rows_of_groups(st: SuppressedTable, name: str, groups: Sequence[str]) -> SuppressedTable:
    """The rows of ``groups`` of a view's suppressed table ``name`` (its matrix totals too), as
    a view filtered to those values of the grouping column shows them: one value's rows as they
    are; several values' rows summed, so a row is hidden where any value hides it (its sum with
    the others would give that value back) and shown where every value shows it (the sum of
    shown numbers). The same row of several groups is the row with the same ``_ROW_KEYS``
    (and month, in ``transition_waves``)."""
    if "group" not in st.table:
        return st
    chosen = {str(g) for g in groups}
    keep = st.table["group"].astype(str).isin(chosen).to_numpy()
    part = st.rows(keep)
    margins = st.margins
    if margins is not None and "group" in margins:
        margins = margins[margins["group"].astype(str).isin(chosen)]
    if len(chosen) == 1:
        return dataclasses.replace(part, margins=margins)
    keys = [c for c in dict.fromkeys(("month", *_ROW_KEYS.get(name, ()))) if c in part.table]
    rows = part.table[keys].reset_index(drop=True)
    by = [rows[c] for c in keys] if keys else [np.zeros(len(rows), np.int64)]
    # one row per row key, in the order of first appearance
    mask = part.mask.reset_index(drop=True).groupby(by, sort=False, dropna=False).any()
    mask = mask.reset_index(drop=True)
    return dataclasses.replace(
        part,
        table=rows.groupby(by, sort=False, dropna=False).head(1).reset_index(drop=True),
        mask=mask,
        reasons=pd.DataFrame(
            np.where(mask.to_numpy(), _CODES[_SECONDARY], ""), columns=mask.columns, dtype=object
        ),
        too_few=pd.Series(np.zeros(len(mask), bool), name="too_few"),
        margins=_summed_margins(margins),
    )


def _summed_margins(margins: pd.DataFrame | None) -> pd.DataFrame | None:
    """Matrix totals of several groups summed: hidden where any group hides one."""
    if margins is None or not len(margins):
        return margins
    keys = [c for c in ("month", "from", "to") if c in margins]
    out = margins.groupby(keys, sort=False, dropna=False).agg(suppressed=("suppressed", "any"))
    out = out.reset_index()
    out["reason"] = np.where(out["suppressed"].to_numpy(), _CODES[_SECONDARY], "")
    return out


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
        shown_as: dict[tuple, tuple] = {}  # (from, to) -> (suppressed, reason), first row of each
        for key in zip(m["from"], m["to"], m["suppressed"], m["reason"], strict=True):
            shown_as.setdefault(key[:2], key[2:])
        cats = list(STAGE_CATEGORIES)
        for frm, to, cell in [
            *((c, "Total", row_c[o * nc + i]) for i, c in enumerate(cats)),
            *(("Total", c, col_c[o * nc + i]) for i, c in enumerate(cats)),
            ("Total", "Total", tot_c[o]),
        ]:
            if (frm, to) not in shown_as:
                continue
            suppressed, reason = shown_as[(frm, to)]
            if bool(suppressed):
                space.hide([cell], _CODE_OF.get(reason, _SECONDARY))
            else:
                space.pinned[cell] = True


def _months_of(waves: SuppressedTable) -> dict[Any, SuppressedTable]:
    """Month -> that month's rows of a stacked ``transition_waves`` table (its margins too),
    aligned by position with that month's matrix as it was declared."""
    out = {}
    margins = waves.margins
    of_margins = {} if margins is None else margins.groupby("month", sort=False).indices
    for month, rows in waves.table.groupby("month", sort=True).indices.items():
        out[month] = dataclasses.replace(
            waves,
            table=waves.table.iloc[rows],
            mask=waves.mask.iloc[rows],
            reasons=waves.reasons.iloc[rows],
            too_few=waves.too_few.iloc[rows],
            margins=None if margins is None else margins.iloc[of_margins.get(month, [])],
        )
    return out


def _stack_months(
    waves: pd.DataFrame, setting: Suppression, declared: list[tuple[Any, _Declared]]
) -> SuppressedTable:
    """One SuppressedTable for ``transition_waves`` (``waves``, rows sorted by month) from its
    months' declared matrices once the space has run; ``.margins`` gains a month column."""
    if not declared:
        mask = pd.DataFrame(False, index=waves.index[:0], columns=waves.columns)
        return SuppressedTable(
            waves.iloc[0:0], mask, mask.astype(str), pd.Series([], dtype=bool), Suppression(1)
        )
    codes, too_few, margins = [], [], []
    for month, d in declared:
        rows = len(d.frame)  # the month's group rows; its overall rows come after
        month_codes = _cell_codes(d)[:rows]
        codes.append(np.column_stack([np.zeros(rows, np.int8), month_codes]))
        too_few.append(d.too_few[:rows])
        if getattr(d.cells, "margins", None) is not None:
            margins.append(d.cells.margins.assign(month=month))
    by_month = np.argsort(waves["month"].to_numpy(), kind="stable")  # as the months were declared
    work = waves[["month", *declared[0][1].frame.columns]].iloc[by_month].reset_index(drop=True)
    count_cols = declared[0][1].count_cols
    return _suppressed(
        work,
        np.concatenate(codes),
        np.concatenate(too_few),
        setting,
        count_cols,
        set(count_cols),
        work.index,
        margins=pd.concat(margins, ignore_index=True) if margins else None,
    )
