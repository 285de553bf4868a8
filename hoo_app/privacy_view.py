"""Streamlit glue for small-cell suppression (the rules live in ``hoo_metrics.privacy``).

- :func:`suppression_setting` draws the evaluator's sidebar toggle and gives the session's
  :class:`hoo_metrics.Suppression` (k from ``HOO_MIN_CELL``, default 5).
- :func:`refusal` refuses a filtered subgroup (fewer than k analysed participants, or leaving
  out 1..k-1 of them) before any number is drawn (``ui.header(..., guard=True)`` shows it).
- The ``*_table`` functions give each page the metric tables already suppressed, with the
  linked tables passed together (groups with their overall row, early-to-thriving with its
  transitions, comparisons with the resources they test), memoised for the session: every page
  shows the same suppressed numbers, and a rerun that changes nothing recomputes nothing.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import streamlit as st

import hoo_metrics as hm

if TYPE_CHECKING:
    from .state import View

LIFT_KEY = "hoo_lift_suppression"


def _is_evaluator() -> bool:
    try:
        from . import auth
    except ImportError:  # no sign-in module: local mode, the single user is an evaluator
        return True
    return auth.is_evaluator()


def suppression_setting() -> hm.Suppression:
    """The session's setting; an evaluator gets a sidebar toggle to lift it (off by default).

    The toggle is session state only, never in the URL: a shared link cannot lift it."""
    try:
        k = hm.min_cell_default()
    except ValueError as exc:
        st.sidebar.error(f"{exc}. Using the default threshold {hm.DEFAULT_MIN_CELL}.")
        k = hm.DEFAULT_MIN_CELL
    lifted = False
    if _is_evaluator():
        lifted = st.sidebar.toggle(
            "Show small cells (evaluator)",
            value=False,
            key=LIFT_KEY,
            help=f"Counts from 1 to {k - 1} are hidden by default so that no colleague can be "
            "singled out. Evaluators may lift this for their own session to check the "
            "analysis; every page then says so.",
        )
    else:
        st.session_state.pop(LIFT_KEY, None)
    return hm.Suppression(k, enabled=not lifted)


def notice(view: View) -> None:
    """The lifted-suppression warning (every page, under its title), or nothing."""
    text = view.suppression.notice
    if text:
        st.error(text, icon=":material/visibility:")


def refusal(view: View) -> hm.Refusal | None:
    """The refusal of a subgroup that could single out a colleague (ui.header shows it and
    stops the page before any number), or None."""
    return hm.check_subgroup(
        view.cohort,
        view.suppression,
        population=view.population,
        of=view.full if view.filters else None,
    )


def small_note(view: View) -> None:
    """One caption saying what "<k" and "suppressed" mean (when suppression applies)."""
    s = view.suppression
    if s.active:
        st.caption(
            f":material/shield_person: Privacy: counts from 1 to {s.k - 1} show as "
            f"**{s.small_label}**; values that would let one be worked out by subtraction, and "
            f"results of groups under {s.k} participants, show as *suppressed*."
        )


def _memo(view: View, name: str, build):
    from .state import remember  # state imports this module for the sidebar toggle

    key = ("suppressed", name, view.key, view.group_by, view.population, view.suppression)
    return remember(key, build)


def _overall(view: View, fn):
    """The metric with no grouping, when the view has one (else the groups are the overall)."""
    if view.group_by is None:
        return None
    return view.compute(fn, group_by=None, population=view.population)


def enrollment_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "enrollment",
        lambda: hm.suppress_enrollment(
            view.metric(hm.enrollment), view.suppression, overall=_overall(view, hm.enrollment)
        ),
    )


def ended_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "ended",
        lambda: hm.suppress_ended_by_contact(
            view.metric(hm.ended_by_contact),
            view.suppression,
            overall=_overall(view, hm.ended_by_contact),
        ),
    )


def followup_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "followup",
        lambda: hm.suppress_followup_summary(view.metric(hm.followup_summary), view.suppression),
    )


def contacts_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "contacts",
        lambda: hm.suppress_contacts_per_participant(
            view.metric(hm.contacts_per_participant), view.suppression
        ),
    )


def curve_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "curve",
        lambda: hm.suppress_support_curve(view.metric(hm.support_duration_curve), view.suppression),
    )


def resources_overall_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "resources_overall",
        lambda: hm.suppress_resources_overall(view.metric(hm.resources_overall), view.suppression),
    )


def comparisons_table(view: View) -> hm.SuppressedTable:
    """The group comparisons of the Resources page. No page shows their odds ratios, so they
    are not computed (their exact intervals are most of the test time), and the tests reuse
    the session's ``resources_overall`` table instead of building it again."""

    def build():
        tests = _memo(
            view,
            "compare_resources",
            lambda: hm.compare_resources(
                view.cohort,
                view.group_by,
                view.population,
                overall=view.metric(hm.resources_overall),
                odds_ratios=False,
            ),
        )
        return hm.suppress_comparisons(tests, resources_overall_table(view), view.suppression)

    return _memo(view, "comparisons", build)


def resources_by_wave_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "by_wave",
        lambda: hm.suppress_resources_by_wave(view.metric(hm.resources_by_wave), view.suppression),
    )


def transitions_table(view: View) -> hm.SuppressedTable:
    """Baseline to the last follow-up wave (the matrix; totals in ``.margins``)."""
    return _memo(
        view,
        "transitions",
        lambda: hm.suppress_transitions(view.metric(hm.transitions), view.suppression),
    )


def transition_month_table(view: View, month: int) -> hm.SuppressedTable:
    def build():
        waves = view.metric(hm.transition_waves)
        return hm.suppress_transitions(
            waves[waves["month"] == month].drop(columns="month"), view.suppression
        )

    return _memo(view, f"transitions_{month}", build)


def early_to_thriving_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "early_to_thriving",
        lambda: hm.suppress_early_to_thriving(
            view.metric(hm.early_to_thriving),
            view.suppression,
            transitions=transitions_table(view),
            overall=_overall(view, hm.early_to_thriving),
        ),
    )


def recovered_table(view: View) -> hm.SuppressedTable:
    return _memo(
        view,
        "recovered",
        lambda: hm.suppress_recovered_tests(
            view.compute(hm.recovered_resource_tests, population=view.population),
            view.suppression,
        ),
    )


def baseline_tables(view: View) -> tuple[hm.SuppressedTable, hm.SuppressedTable | None]:
    """Table 1 and its tests (None with a single group)."""

    def build():
        table = hm.suppress_baseline_table(view.metric(hm.baseline_table), view.suppression)
        if len(view.groups) < 2:
            return table, None
        tests = hm.suppress_baseline_tests(view.metric(hm.baseline_tests), table, view.suppression)
        return table, tests

    return _memo(view, "baseline", build)


def rows(st_table: hm.SuppressedTable, keep) -> hm.SuppressedTable:
    """The rows ``keep`` (a boolean array) of a suppressed table, suppressed as a whole."""
    return dataclasses.replace(
        st_table,
        table=st_table.table[keep],
        mask=st_table.mask[keep],
        reasons=st_table.reasons[keep],
        too_few=st_table.too_few[keep],
    )
