"""The library calls each dashboard page makes, timed by ``make bench``.

Keep in step with app_pages/ and hoo_app.privacy_view: every page reads the view's results
(``compute_results`` as the app computes them: no odds ratios, the everyone-view first), then
lays out the view model its ``hoo_metrics.present`` module builds from them. The default view:
completers, grouped by arm, no filter.

- ``results``: the view's results alone (computed once per view and session, then memoised);
- ``page:<name>``: the first open of a view on that page, the results and the page's view model
  (a later page of the same view builds its model only);
- ``filter``: the filtered cohort and its analysis set, which a filter change makes first;
- ``results_k1``: the results with suppression off, so that the two rows give the joint
  suppression's own cost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import hoo_metrics as hm
from hoo_metrics.present import baseline, compare, followup, overview, recovery, resources

G, POP = "arm", "completed"


def _results(cohort: hm.Cohort, k: int = 5) -> hm.Results:
    return hm.compute_results(cohort, POP, G, None, k, odds_ratios=False)


def _resources(r: hm.Results, colors) -> tuple:
    # the open tab: the ranking by "named most helpful" and the whole-follow-up tables
    return (
        resources.ranking(r, colors, "most_helpful_ever", "rank_mh"),
        resources.whole_follow_up(r),
    )


def _recovery(r: hm.Results, colors) -> Any:
    months = recovery.months(r)
    return recovery.build(r, months[-1]) if months else None


def _compare(r: hm.Results, colors) -> Any:
    # the page's first outcome: a resource ever used, the cohort's first resource
    return compare.build(r, G, "used", r.full.resources[0], None)


#: page -> its view model from the view's results and the group colours
PAGE_MODELS: dict[str, Callable[[hm.Results, dict[str, str]], Any]] = {
    "overview": lambda r, colors: overview.overview(r, colors),
    "baseline": lambda r, colors: baseline.baseline(r),
    "resources": _resources,
    "recovery": _recovery,
    "followup": lambda r, colors: followup.followup(r, colors),
    "compare": _compare,
    "present": lambda r, colors: hm.presentation_steps(r.full, results=r, colors=colors),
}


def _page(model: Callable[[hm.Results, dict[str, str]], Any]) -> Callable[[hm.Cohort], Any]:
    def first_open(cohort: hm.Cohort) -> Any:
        return model(_results(cohort), hm.group_colors(cohort.groups(G)))

    return first_open


PAGE_COMPUTATIONS: dict[str, Callable[[hm.Cohort], Any]] = {
    "results": _results,
    **{name: _page(model) for name, model in PAGE_MODELS.items()},
    "filter": lambda c: c.filter({"role": ["nurse"]}).analysis_set(POP),
    "results_k1": lambda c: _results(c, 1),
}
