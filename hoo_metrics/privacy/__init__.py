"""Small-cell suppression: one implementation, applied to the tidy tables before anything shows.

Leaders browse results about their own staff, so no shown or exported number may single out a
colleague. With a threshold k (default 5, env ``HOO_MIN_CELL``; CMS's cell-size suppression
policy uses 11, the stricter choice):

1. **Small counts.** A count from 1 to k-1 is hidden (0 may show); views print it as "<k".
2. **Too few participants.** A group (or wave of a group) with fewer than k participants shows
   none of its results ("Too few participants to show"); a filtered subgroup with fewer than k
   analysed participants is refused before any number is drawn (:func:`check_subgroup`).
3. **Complements.** A count whose complement (its denominator minus it, e.g. the non-users as
   respondents minus users) is from 1 to k-1 is hidden too.
4. **Secondary suppression.** Where cells add up to a shown total (groups to the overall row,
   transition cells to their row, column and group totals, Table 1 levels to the group n, the
   counts per number of contacts to the participants), a line never has exactly one hidden cell:
   the next-smallest non-zero cell is hidden as well (the total itself when there is none),
   repeated until no line changes. Cumulative counts (ended by contact k) never step by 1..k-1
   between two shown values.
5. **Derived values.** Shares, confidence intervals, means, p-values, risk differences and odds
   ratios built on a hidden count, a hidden denominator or fewer than k answers are hidden.

Suppressed numbers become NaN (the columns stay numeric, counts as float64) and every table
function returns a :class:`SuppressedTable` carrying a boolean mask, the reason per cell and
the text a view prints instead (:meth:`SuppressedTable.labels`). Everything is vectorised
(numpy masks over the cells, line sums by ``np.bincount``); the only Python loop repeats the
line pass until nothing changes (a handful of passes).

Method: primary and complementary (secondary) cell suppression as in statistical disclosure
control (Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, ch. 7); the threshold
follows the CMS cell-size suppression policy (counts 1-10 not displayed).

The implementation is in private modules, each importing only those listed before it:

- ``_rules``: the setting (:class:`Suppression`, k from ``HOO_MIN_CELL``), the reasons and their
  texts, :class:`Refusal` and the checks made before anything is computed
  (:func:`check_subgroup`, :func:`check_view`, :func:`pooled_groups`);
- ``_bounds``: what a reader of a suppressed table knows about a hidden count, its interval
  (:func:`count_interval`, :func:`sum_interval`); it imports nothing of the package's;
- ``_table``: :class:`SuppressedTable`, and :func:`pooled_levels_table` (a Table 1 variable
  recoded from shown numbers);
- ``_engine``: the cells of a view in one space, the lines, the passes and the exact audit; how
  a table is declared and collected; the support curve's coarsening;
- ``_specs``: each table's declaration and its ``suppress_*`` function; the tests hidden with
  their tables; :func:`recode_stage_mix`;
- ``_view``: :func:`suppress_view`, every table of a view together, and the rows it takes as
  a neighbouring view shows them.

``from hoo_metrics.privacy import X`` and ``hoo_metrics.privacy.X`` give every name of
``__all__``.
"""

from ._bounds import count_interval, sum_interval
from ._rules import (
    CMS_MIN_CELL,
    DEFAULT_MIN_CELL,
    ENV_VAR,
    HIDDEN_TEXT,
    LIFTED_NOTICE,
    POOLED_TEXT,
    REASONS,
    TOO_FEW_TEXT,
    Refusal,
    Suppression,
    check_subgroup,
    check_view,
    min_cell_default,
    pooled_groups,
    reason_text,
)
from ._specs import (
    recode_stage_mix,
    suppress_baseline_table,
    suppress_baseline_tests,
    suppress_comparisons,
    suppress_contacts_per_participant,
    suppress_early_to_thriving,
    suppress_ended_by_contact,
    suppress_enrollment,
    suppress_followup_summary,
    suppress_recovered_tests,
    suppress_resources_by_wave,
    suppress_resources_overall,
    suppress_support_curve,
    suppress_transitions,
)
from ._table import (
    SuppressedTable,
    pooled_levels_table,
)
from ._view import (
    rows_of_groups,
    suppress_view,
)

__all__ = [
    "CMS_MIN_CELL",
    "DEFAULT_MIN_CELL",
    "ENV_VAR",
    "HIDDEN_TEXT",
    "LIFTED_NOTICE",
    "POOLED_TEXT",
    "REASONS",
    "TOO_FEW_TEXT",
    "Refusal",
    "SuppressedTable",
    "Suppression",
    "check_subgroup",
    "check_view",
    "count_interval",
    "min_cell_default",
    "pooled_groups",
    "pooled_levels_table",
    "reason_text",
    "recode_stage_mix",
    "rows_of_groups",
    "sum_interval",
    "suppress_baseline_table",
    "suppress_baseline_tests",
    "suppress_comparisons",
    "suppress_contacts_per_participant",
    "suppress_early_to_thriving",
    "suppress_ended_by_contact",
    "suppress_enrollment",
    "suppress_followup_summary",
    "suppress_recovered_tests",
    "suppress_resources_by_wave",
    "suppress_resources_overall",
    "suppress_support_curve",
    "suppress_transitions",
    "suppress_view",
]
