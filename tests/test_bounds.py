"""What a reader of a suppressed table knows about a hidden count (hoo_metrics.privacy
count_interval / sum_interval). Expected intervals worked out by hand in the comments."""

from __future__ import annotations

import math

from hoo_metrics.privacy import count_interval, sum_interval


def test_a_shown_count_is_its_own_interval():
    assert count_interval(7.0, "", 5, 21.0) == (7.0, 7.0)


def test_a_small_count_lies_from_1_to_k_minus_1():
    # printed "<5": 1..4, and never more than its denominator (3 participants: 1..3)
    assert count_interval(math.nan, "small_count", 5, 21.0) == (1.0, 4.0)
    assert count_interval(math.nan, "small_count", 5, 3.0) == (1.0, 3.0)
    assert count_interval(math.nan, "small_count", 11) == (1.0, 10.0)


def test_other_reasons_are_not_printed_so_say_nothing_more():
    # a count hidden because its complement is small prints "suppressed" like any other: the
    # reader knows only 0..its denominator (the reason is not on the page or in the export)
    assert count_interval(math.nan, "small_complement", 5, 21.0) == (0.0, 21.0)
    assert count_interval(math.nan, "small_complement", 5) == (0.0, math.inf)


def test_any_other_hidden_count_lies_from_0_to_its_denominator():
    assert count_interval(math.nan, "secondary", 5, 21.0) == (0.0, 21.0)


def test_a_sum_is_narrowed_by_the_total_minus_the_rest():
    # a + b + c = 21 with a <5 (1..4), b shown 0, c hidden (0..21): a + b alone is 1..4;
    # c = 21 - (a + b) is 17..20, narrower than its own 0..21
    intervals = {"a": (1.0, 4.0), "b": (0.0, 0.0), "c": (0.0, 21.0)}
    assert sum_interval(intervals, ["c"], 21.0) == (17.0, 20.0)
    assert sum_interval(intervals, ["a", "b"], 21.0) == (1.0, 4.0)
    # without the total, only the parts' own intervals
    assert sum_interval(intervals, ["c"]) == (0.0, 21.0)
