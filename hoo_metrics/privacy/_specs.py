"""Each table's declaration (a :class:`._engine._Spec`: its counts and their denominators, the
lines its cells add up along, its extra steps) and its ``suppress_*`` function, which runs the
engine on that table alone; the tests, hidden with the tables they test
(:func:`suppress_comparisons`, :func:`suppress_baseline_tests`); and the stage mix recoded from
shown numbers (:func:`recode_stage_mix`).

Builds on :mod:`._rules`, :mod:`._table` and :mod:`._engine`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

import numpy as np
import pandas as pd

from ..arrowtext import index_in
from ..contract import ALL_GROUP, STAGE_CATEGORIES, STAGE_RECODINGS
from ..metrics.inference import contingency_test
from ._engine import (
    _ALL_ROWS,
    _apply,
    _Cells,
    _collect_curve,
    _Count,
    _declare_curve,
    _finish_plain,
    _group_labels,
    _line_keys,
    _Space,
    _Spec,
)
from ._rules import (
    _CODES,
    _COMPLEMENT,
    _CUMULATIVE,
    _SECONDARY,
    _SMALL,
    _TEST,
    _TOO_FEW,
    Suppression,
    _setting,
)
from ._table import SuppressedTable, pooled_levels_table

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
    nc = len(STAGE_CATEGORIES)
    f = index_in(w["from"], list(STAGE_CATEGORIES)).astype(np.int64)
    t = index_in(w["to"], list(STAGE_CATEGORIES)).astype(np.int64)
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
    labels = np.where(g_labels == "\x00overall", ALL_GROUP, g_labels).astype(object)
    cats = np.array(STAGE_CATEGORIES, dtype=object)
    ng = len(labels)
    total = np.full(ng * nc, "Total", dtype=object)
    # the "from" margins, then the "to" margins (group by group, categories in order), then
    # each group's total
    group = np.concatenate([np.repeat(labels, nc), np.repeat(labels, nc), labels])
    frm = np.concatenate([np.tile(cats, ng), total, np.full(ng, "Total", dtype=object)])
    to = np.concatenate([total, np.tile(cats, ng), np.full(ng, "Total", dtype=object)])
    cell = np.concatenate([row_c, col_c, tot_c]).astype(np.int64)
    hidden = cells.hidden[cell]
    names = np.array([""] + [_CODES[i] for i in range(1, max(_CODES) + 1)], dtype=object)
    cells.margins = pd.DataFrame(
        {
            "group": group,
            "from": frm,
            "to": to,
            "n": np.where(hidden, np.nan, cells.values[cell]),
            "suppressed": hidden,
            "reason": names[cells.reason[cell].astype(np.int64)],
        }
    )


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
