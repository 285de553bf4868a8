"""Streamlit glue for small-cell suppression (the rules live in ``hoo_metrics.privacy``).

- :func:`suppression_setting` draws the evaluator's sidebar toggle and gives the session's
  :class:`hoo_metrics.Suppression` (k from ``HOO_MIN_CELL``, default 5).
- :func:`results` is the view's :class:`hoo_metrics.Results`: every table any page shows,
  computed once and suppressed jointly by the library (``hoo_metrics.compute_results``),
  memoised for the session. Every page builds its view model from it
  (``hoo_metrics.present``), so every page shows the same suppressed numbers and no page can
  give back what another hides.
- :func:`refusal` is the view's refusal (too few participants, or a filter or analysis set a
  subtraction away from a group under k), shown by ``ui.header(..., guard=True)``.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import streamlit as st

import hoo_metrics as hm

from . import auth
from .memo import remember

if TYPE_CHECKING:
    from .state import View

LIFT_KEY = "hoo_lift_suppression"


def suppression_setting() -> hm.Suppression:
    """The session's setting; an evaluator gets a sidebar toggle to lift it (off by default).

    The toggle is session state only, never in the URL: a shared link cannot lift it."""
    try:
        k = hm.min_cell_default()
    except ValueError as exc:
        st.sidebar.error(f"{exc}. Using the default threshold {hm.DEFAULT_MIN_CELL}.")
        k = hm.DEFAULT_MIN_CELL
    lifted = False
    if auth.is_evaluator():
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


_SIDEBAR = object()


def results(view: View, group_by=_SIDEBAR) -> hm.Results:
    """Every table of the view, suppressed together (memoised for the session); with
    ``group_by``, the same view grouped otherwise (the Compare page's own grouping, which may
    be the baseline stage category)."""
    by = view.group_by if group_by is _SIDEBAR else group_by
    key = ("results", view.key, by, view.population, view.suppression)

    def build() -> hm.Results:
        full = view.full
        if by == hm.BASELINE_STAGE_CATEGORY:
            full = hm.with_baseline_stage_category(full)
        # the everyone-view of the same cohort (the derived stage column makes its own)
        everyone = None if by in (None, hm.BASELINE_STAGE_CATEGORY) else results(view, None)
        # the views without each filter, which a user reaches by removing it (their Table 1
        # shows this view's analysed participants per group): from the memo when seen
        # and, with no grouping, the views grouped by each filtered column (their groups of
        # the chosen values show this view's numbers, or their parts)
        neighbours, siblings = {}, {}
        if by != hm.BASELINE_STAGE_CATEGORY:
            for column in view.filters:
                rest = {c: v for c, v in view.filters.items() if c != column}
                wider = dataclasses.replace(view, filters=rest, cohort=view.full.filter(rest))
                neighbours[column] = results(wider, by)
                if by is None and column not in view.full.screened:
                    siblings[column] = results(wider, column)
        # no page shows the odds ratios (the report and the export compute their own)
        return hm.compute_results(
            full,
            view.population,
            by,
            view.filters,
            view.suppression,
            odds_ratios=False,
            everyone=everyone,
            neighbours=neighbours,
            siblings=siblings,
        )

    return remember(key, build)


def refusal(view: View) -> hm.Refusal | None:
    """The refusal of a view that could single out a colleague (ui.header shows it and stops
    the page before any number), or None."""
    return results(view).refusal


def small_note(view: View) -> None:
    """One caption saying what "<k" and "suppressed" mean (when suppression applies)."""
    text = results(view).privacy_text
    if text:
        st.caption(f":material/shield_person: {text}")
