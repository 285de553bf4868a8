"""The library calls each dashboard page makes, timed by ``make bench``.

Keep in step with pages/: a page's computation is everything it asks of hoo_metrics for one
rerun with the default view (completers, grouped by arm, no filter).
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
}
