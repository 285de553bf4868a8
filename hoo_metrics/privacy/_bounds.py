"""What a reader of a suppressed table already knows about a hidden count: its interval.

A view prints a hidden count as "<k" when it is itself from 1 to k-1 (reason ``small_count``)
and as "suppressed" otherwise, so a reader knows, for every count, an interval it lies in: a
shown count is its own interval; a "<k" count lies in [1, k-1]; any other hidden count in
[0, d] for a shown denominator d (or [0, inf)). Only what the label says is used: the other
reasons (a small complement, a secondary suppression) are not printed on the pages, the
report or the export, so a bound must not lean on them. Sums of counts that add up to a shown
total get the narrower of two intervals: the sum of the parts' intervals, and the total minus
the other parts' intervals.

A bound built this way ("at least 17 of 21 had moved on") is arithmetic on what the view
prints, so it gives nothing back that the view does not (interval publication of a suppressed
cell, Hundepool et al. 2012, 4.2). A view prints such a bound only while the interval is wider
than one value: an interval of one value would print a hidden count.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["count_interval", "sum_interval"]

#: The one reason code a view prints apart from the others: "<k" (see ``REASONS``).
_SMALL_COUNT = "small_count"


def count_interval(
    value: float, reason: str, k: int, denominator: float = math.nan
) -> tuple[float, float]:
    """(lowest, highest) a count can be for a reader of the view: ``value`` when shown (not
    NaN), else what its printed label ("<k" for the reason ``small_count``, else
    "suppressed") and the shown ``denominator`` (NaN when hidden or absent) say about it at
    threshold ``k``."""
    if not math.isnan(value):
        return float(value), float(value)
    known = not math.isnan(denominator)
    d = float(denominator) if known else math.inf
    if reason == _SMALL_COUNT:
        return 1.0, float(min(k - 1, d))
    return 0.0, d


def sum_interval(
    intervals: Mapping[str, tuple[float, float]], parts: Iterable[str], total: float = math.nan
) -> tuple[float, float]:
    """(lowest, highest) of the sum of the counts named in ``parts``, given every count's
    interval (``intervals``: all the counts that add up to ``total``) and ``total`` (NaN
    when hidden): the sum of the parts' intervals, narrowed by the total minus the
    other counts' intervals."""
    named = set(parts)
    inside = [v for c, v in intervals.items() if c in named]
    outside = [v for c, v in intervals.items() if c not in named]
    low = sum(lo for lo, _ in inside)
    high = sum(hi for _, hi in inside)
    if not math.isnan(total):
        low = max(low, total - sum(hi for _, hi in outside))
        high = min(high, total - sum(lo for lo, _ in outside))
    return float(low), float(high)
