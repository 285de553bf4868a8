"""The library calls each dashboard page makes, timed by ``make bench``.

Keep in step with app_pages/: a page's computation is everything it asks of hoo_metrics for
one rerun with the default view (completers, grouped by arm, no filter). Every page first reads
the view's results (``results``: computed once per view and session, then memoised); the
``page:<name>`` rows are the metrics behind each page on their own.
"""

from __future__ import annotations

import hoo_metrics as hm

G, POP = "arm", "completed"

PAGE_COMPUTATIONS = {
    "overview": lambda c: (
        hm.enrollment(c, G, POP),
        hm.ended_by_contact(c, G, POP),
        hm.resources_overall(c, G, POP),
        hm.early_to_thriving(c, G, POP),
    ),
    "baseline": lambda c: (hm.baseline_table(c, G, POP), hm.baseline_tests(c, G, POP)),
    "resources": lambda c: (
        hm.resources_by_wave(c, G, POP),
        hm.resources_overall(c, G, POP),
        hm.compare_resources(c, G, POP),
    ),
    "recovery": lambda c: (
        hm.transition_waves(c, G, POP),
        hm.transitions(c, G, POP),
        hm.early_to_thriving(c, G, POP),
        hm.recovered_resource_tests(c, POP),
    ),
    "followup": lambda c: (
        hm.followup_summary(c, G, POP),
        hm.ended_by_contact(c, G, POP),
        hm.contacts_per_participant(c, G, POP),
        hm.support_duration_curve(c, G, POP),
    ),
    "filter": lambda c: c.filter({"role": ["nurse"]}).analysis_set(POP),
    # what every page now reads first: the view's results pipeline (every table, the
    # everyone-view's, suppressed jointly), as hoo_app computes it; then the same with
    # suppression off (k = 1), so the two rows give the joint suppression's own cost
    "results": lambda c: hm.compute_results(c, POP, G, None, 5, odds_ratios=False),
    "results_k1": lambda c: hm.compute_results(c, POP, G, None, 1, odds_ratios=False),
}
