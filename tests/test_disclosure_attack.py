"""The disclosure attacker (tests/attacker.py) against the suppression of every output.

No count from 1 to k-1 may be shown, or be recoverable from everything a view (or a set of
views a user can reach) shows. The attacker reads every shown number, writes it as a linear
functional over the possible worlds and solves exactly; a failing test lists each recovered
count with its true value and the shown numbers that give it back.

Part 1 checks the attacker itself on hand-built tables (these must always pass). Parts 2-4
attack generated cohorts and the sample, single views and unions of views. Part 5 holds the
regressions of known findings.
"""

from __future__ import annotations

import dataclasses
import functools
from fractions import Fraction

import numpy as np
import pytest

from hoo_metrics.metrics.inference import wilson_interval
from hoo_metrics.privacy import pooled_groups
from hoo_metrics.sample import load_sample
from tests.attacker import (
    AttackReport,
    ModelError,
    RowSpace,
    View,
    attack,
    random_views,
    solve_hidden,
    wilson_candidates,
)
from tests.factories import make_cohort

K_VALUES = (3, 5, 11)
GROUPINGS = ("arm", "role", None)


# ---- cohorts ------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def sample():
    return load_sample()


RESOURCES = ("peers", "family", "eap")
ROLES = ("attending", "resident", "nurse", "midwife", "other")


@functools.lru_cache(maxsize=8)
def generated(seed: int, n: int | None = None, arms: int | None = None):
    """A small seeded cohort: 20-60 participants, 2-3 arms, a role and a site column, baseline
    and two follow-up waves (months 3 and 6) with stages, three resources (used 0 / 1 / blank,
    ratings, most helpful) and peer-support contacts (1-4, ended or censored) in one arm."""
    rng = np.random.default_rng(seed)
    n = int(n or rng.integers(20, 61))
    arm_names = ["enhanced", "routine", "hybrid"][: int(arms or rng.integers(2, 4))]
    participants, responses, contacts = [], [], []
    for i in range(n):
        pid = f"P{i + 1:03d}"
        arm = arm_names[i % len(arm_names)]
        status = rng.choice(["completed", "withdrew", "lost_to_follow_up"], p=[0.8, 0.1, 0.1])
        role = rng.choice(ROLES, p=[0.25, 0.2, 0.3, 0.15, 0.1])
        participants.append(
            {
                "participant_id": pid,
                "arm": arm,
                "status": str(status),
                "role": str(role),
                "site": str(rng.choice(["north", "south"])),
            }
        )
        for month in (0, 3, 6):
            if month and rng.random() > (0.85 if status == "completed" else 0.4):
                continue
            row = {"participant_id": pid, "month": month}
            if rng.random() < 0.9:
                stage = int(rng.integers(1, 7))
                row["stage"] = float(stage)
                if stage == 6:
                    row["stage6_path"] = str(rng.choice(["dropping_out", "surviving", "thriving"]))
            used = []
            for code in RESOURCES:
                u = rng.choice([0.0, 1.0, np.nan], p=[0.5, 0.42, 0.08])
                row["used_" + code] = None if np.isnan(u) else float(u)
                if u == 1.0:
                    used.append(code)
                    if rng.random() < 0.85:
                        row["helpful_" + code] = float(rng.integers(1, 6))
            named = [c for c in used if rng.random() < 0.5][:3]
            row["most_helpful"] = ";".join(named) if named else None
            responses.append(row)
        if arm == "enhanced" and rng.random() < 0.9:
            day = int(rng.integers(1, 10))
            for no in range(1, int(rng.integers(1, 5)) + 1):
                stop = rng.random() < 0.55
                contacts.append(
                    {
                        "participant_id": pid,
                        "contact_no": no,
                        "day": day,
                        "more_followup": "no" if stop else "yes",
                    }
                )
                day += int(rng.integers(1, 15))
                if stop:
                    break
    return make_cohort(participants, responses, contacts, resources=RESOURCES, name=f"gen{seed}")


def assert_no_leak(report: AttackReport) -> None:
    if report.findings:
        pytest.fail(
            "hidden counts from 1 to k-1 are recoverable from what the views show together:\n"
            + report.format(),
            pytrace=False,
        )


# ---- 1. the attacker on hand-built tables -------------------------------------------------------
def test_one_hidden_cell_under_a_total_is_determined():
    # 2x2 table a b / c d with the grand total: a = 3, b = 4, c = 5 and a+b+c+d = 14 shown,
    # d hidden: d = 14 - 3 - 4 - 5 = 2 (the total's row minus the three shown cells).
    shown = {
        "a": ({"a": 1}, 3),
        "b": ({"b": 1}, 4),
        "c": ({"c": 1}, 5),
        "total": ({"a": 1, "b": 1, "c": 1, "d": 1}, 14),
    }
    out = solve_hidden(shown, {"d": {"d": 1}})
    assert out["d"] is not None and out["d"].value == 2
    assert {t[1] for t in out["d"].terms} == {"a", "b", "c", "total"}


def test_two_hidden_cells_in_a_row_with_all_margins_are_determined():
    # 2x3 table  a b c / d e f, every row and column total shown, a and b hidden (same row),
    # c..f shown. Row 1 alone gives a + b = r1 - c, one equation for two unknowns; but the
    # column totals give a = k1 - d and b = k2 - e: rank([P; a]) = rank(P).
    # a=2 b=3 c=6 / d=4 e=1 f=7: r1 = 11, r2 = 12, k1 = 6, k2 = 4, k3 = 13 -> a = 6-4, b = 4-1.
    cells = {"a": 2, "b": 3, "c": 6, "d": 4, "e": 1, "f": 7}
    shown = {x: ({x: 1}, cells[x]) for x in "cdef"}
    for name, members in {"r1": "abc", "r2": "def", "k1": "ad", "k2": "be", "k3": "cf"}.items():
        shown[name] = (dict.fromkeys(members, 1), sum(cells[m] for m in members))
    out = solve_hidden(shown, {"a": {"a": 1}, "b": {"b": 1}, "a+b": {"a": 1, "b": 1}})
    assert out["a"].value == 2 and out["b"].value == 3 and out["a+b"].value == 5
    assert {t[1] for t in out["a"].terms} <= {"k1", "d", "r1", "r2", "c", "e", "f", "k2", "k3"}


def test_a_rectangle_of_four_hidden_cells_is_not_determined():
    # 2x3 table with a, b, d, e hidden (a rectangle), c, f and every margin shown: adding t to
    # a and e and taking t from b and d keeps every shown number, so none of the four is
    # determined (the four unknowns meet 4 equations of rank 3). Their sums along a line are:
    # a + b = r1 - c, a + d = k1.
    cells = {"a": 2, "b": 3, "c": 6, "d": 4, "e": 1, "f": 7}
    shown = {x: ({x: 1}, cells[x]) for x in "cf"}
    for name, members in {"r1": "abc", "r2": "def", "k1": "ad", "k2": "be", "k3": "cf"}.items():
        shown[name] = (dict.fromkeys(members, 1), sum(cells[m] for m in members))
    hidden = {x: {x: 1} for x in "abde"}
    hidden |= {"a+b": {"a": 1, "b": 1}, "a+d": {"a": 1, "d": 1}, "a+e": {"a": 1, "e": 1}}
    out = solve_hidden(shown, hidden)
    assert all(out[x] is None for x in "abde")
    assert out["a+e"] is None
    assert out["a+b"].value == 5 and out["a+d"].value == 6


def test_ratio_relation_and_exact_fractions():
    # a share 3/8 shown with its count hidden and the denominator hidden gives the linear
    # relation 8 * count - 3 * denominator = 0; once the denominator (16) shows, count = 6.
    space = RowSpace()
    space.add({"count": 8, "den": -3}, "share = 3/8", 0)
    assert space.explain({"count": 1}) is None
    space.add({"den": 1}, "denominator", 16)
    ex = space.explain({"count": 1})
    assert ex.value == 6 and isinstance(ex.value, int | Fraction)
    # a half-integer combination stays exact
    space.add({"x": 2, "count": 1}, "2x + count", 7)
    assert space.explain({"x": 1}).value == Fraction(1, 2)


def test_inconsistent_shown_numbers_are_a_model_error():
    space = RowSpace()
    space.add({"a": 1, "b": 1}, "a + b", 5)
    space.add({"a": 1}, "a", 2)
    with pytest.raises(ModelError):
        space.add({"b": 1}, "b", 4)


def test_wilson_interval_gives_back_count_and_denominator():
    low, high = wilson_interval(3, 17)
    assert (3, 17) in wilson_candidates(low, high, 60)
    assert wilson_candidates(low, high, 60, n=17) == [(3, 17)]
    assert len(wilson_candidates(low, high, 60)) == 1


def test_views_normalise_their_filters():
    a = View("completed", "arm", {"role": ["nurse", "midwife"]}, 5)
    b = View("completed", "arm", {"role": ["midwife", "nurse"], "site": []}, 5)
    assert a == b and a.scope == ("completed", (("role", ("midwife", "nurse")),))


def test_merging_cells_changes_no_finding():
    # the column merge is exact: the same findings with every possible-world cell kept apart
    cohort = generated(9, n=20, arms=2)
    views = [View("completed", "arm", k=5), View("all", "arm", k=5)]
    merged, plain = attack(cohort, views), attack(cohort, views, merge=False)
    assert merged.rank <= plain.rank and merged.columns < plain.columns
    as_set = {(f.view, f.table, f.row, f.column, f.true_value) for f in merged.findings}
    assert as_set == {(f.view, f.table, f.row, f.column, f.true_value) for f in plain.findings}
    assert merged.targets == plain.targets


def test_the_model_agrees_with_every_unsuppressed_number():
    # k = 1 hides nothing: every number of every output is a check of the model (a wrong
    # functional raises ModelError), and there is nothing to recover
    report = attack(generated(5, n=24), [View("all", "role", k=1), View("completed", None, k=1)])
    assert report.shown > 300 and report.hidden == 0 and not report.findings


# ---- 2. single views and both analysis sets, generated cohorts ----------------------------------
# two cohorts; with the sample's views below every grouping meets every k at least once
GENERATED = [(1, "arm", 5), (1, "role", 11), (1, None, 3), (2, "role", 3)]


@pytest.mark.parametrize(("seed", "group_by", "k"), GENERATED)
def test_generated_cohort_both_analysis_sets(seed, group_by, k):
    cohort = generated(seed)
    report = attack(cohort, [View("completed", group_by, k=k), View("all", group_by, k=k)])
    assert_no_leak(report)


# ---- 3. the sample ------------------------------------------------------------------------------
# every k by arm, two by role, one without grouping (the engine's work is most of the time)
SAMPLE_VIEWS = [("arm", 3), ("arm", 5), ("arm", 11), ("role", 3), ("role", 5), (None, 11)]


@pytest.mark.parametrize(("group_by", "k"), SAMPLE_VIEWS)
def test_sample_both_analysis_sets(group_by, k):
    report = attack(sample(), [View("completed", group_by, k=k), View("all", group_by, k=k)])
    assert_no_leak(report)


# ---- 4. unions of views a user can reach --------------------------------------------------------
def test_sample_two_filters_one_value_apart():
    views = [
        View("completed", "arm", {"role": ["nurse"]}, 5),
        View("completed", "arm", {"role": ["nurse", "midwife"]}, 5),
    ]
    assert_no_leak(attack(sample(), views))


@pytest.mark.parametrize("seed", [1, 2])
def test_generated_two_filters_one_value_apart(seed):
    views = [
        View("completed", "arm", {"role": ["attending", "nurse"]}, 3),
        View("completed", "arm", {"role": ["attending", "nurse", "resident"]}, 3),
    ]
    assert_no_leak(attack(generated(seed), views))


@pytest.mark.parametrize(("seed", "k"), [(11, 5)])
def test_sample_random_sequence_of_views(seed, k):
    cohort = sample()
    assert_no_leak(attack(cohort, random_views(cohort, 4, seed, k)))


def test_generated_random_sequence_of_views():
    cohort = generated(4)
    assert_no_leak(attack(cohort, random_views(cohort, 3, seed=21, k=5)))


# ---- 5. regressions of known findings (the sample) ----------------------------------------------
def _explain(found, report) -> str:
    return "\n".join(f"  - {f.text()}" for f in found) + "\n\nfull attack:\n" + report.format()


def test_regression_curve_at_risk_and_survival_give_back_events():
    # export by arm, k = 5: where a step's at_risk and survival show with the previous
    # survival, events = at_risk * (1 - S(t)/S(t-)) although the events column is hidden
    report = attack(sample(), View("completed", "arm", k=5))
    assert not report.refused
    found = report.in_table("support_duration_curve")
    if found:
        pytest.fail("the Kaplan-Meier curve gives back hidden events:\n" + _explain(found, report))


def test_regression_followup_participants_hidden_in_one_table_shown_in_another():
    # export by role, all enrolled, k = 3: followup_summary hid the participants with a
    # contact of role "other" while ended_by_contact (and the curve's day 0) showed them
    report = attack(sample(), View("all", "role", k=3))
    found = [
        f
        for f in report.findings
        if f.table in ("followup_summary", "ended_by_contact", "contacts_per_participant")
    ]
    if found:
        pytest.fail(
            "followed-up participants come back from another table:\n" + _explain(found, report)
        )


def test_regression_two_filters_give_the_midwives_per_arm():
    # role = nurse against role = nurse or midwife: the analysed per arm of both views
    # subtract to the midwives per arm (2 in each)
    views = [
        View("completed", "arm", {"role": ["nurse"]}, 5),
        View("completed", "arm", {"role": ["midwife", "nurse"]}, 5),
    ]
    report = attack(sample(), views)
    found = [
        f
        for f in report.findings
        if "midwife" in f"{f.row} {f.column}" or f.kind in ("view difference", "refused view")
    ]
    if found:
        pytest.fail("the midwives come back from two filters:\n" + _explain(found, report))


def test_regression_enrolled_and_analysed_give_the_non_completers():
    # k = 11: enrolled 50 and analysed 42 shown together give the 8 who did not complete
    report = attack(sample(), View("completed", "arm", k=11))
    found = [
        f
        for f in report.findings
        if f.table == "enrollment" or f.row.startswith("enrollment") or "complete" in f.column
    ]
    if found:
        pytest.fail("the non-completers come back:\n" + _explain(found, report))


# ---- 6. pooled groups (the grouping's small values as one group) ---------------------------------
def _with_small_roles():
    """A generated cohort of 120 whose roles are nurse / attending / resident in turn, but for
    3 completers who are midwives and 3 who are "other", all at the north site: by role at
    k = 5 those two pool into one group of 6 in every view, and a filter on the site is
    allowed (it leaves out no midwife and no "other")."""
    c = generated(6, n=120)
    p = c.participants.copy()
    roles = np.array(["nurse", "attending", "resident"], dtype=object)[np.arange(len(p)) % 3]
    done = np.flatnonzero((p["status"] == "completed").to_numpy())
    roles[done[:3]], roles[done[3:6]] = "midwife", "other"
    site = p["site"].to_numpy(dtype=object).copy()
    site[done[:6]] = "north"
    return dataclasses.replace(c, participants=p.assign(role=roles, site=site))


def test_pooled_groups_with_the_everyone_view():
    # found by this cohort: the first merged step of attending's curve started with all 13
    # at risk (nobody left on day 0), which gave back the hidden followed-up count of the
    # pooled group by subtraction from the overall row; and each month's transition matrix
    # by role, summed over the groups, met the everyone-view's matrix
    cohort = _with_small_roles()
    assert set(pooled_groups(cohort, "role", 5).values()) == {"midwife + other (pooled)"}
    report = attack(cohort, [View("completed", "role", {}, 5), View("completed", None, {}, 5)])
    assert report.refused == []
    assert_no_leak(report)


def test_filtered_view_follows_the_table_1_of_the_view_without_the_filter():
    # found by this cohort: Table 1 of the view by role shows the completers at the north
    # site per role, which are the analysed per role of the view filtered to north; that view
    # hid one of them (to protect 4 non-completing nurses at north), and the two views
    # together gave it back. The filtered view now shows (or hides) them as that Table 1 does.
    cohort = _with_small_roles()
    views = [
        View("completed", "role", {}, 5),
        View("completed", "role", {"site": ["north"]}, 5),
        View("completed", "role", {"site": ["south"]}, 5),
        View("completed", None, {"site": ["north"]}, 5),
        View("completed", None, {}, 5),
    ]
    report = attack(cohort, views)
    assert 0 not in report.refused and 1 not in report.refused
    assert_no_leak(report)


@pytest.mark.parametrize(
    "views",
    [
        # the group "nurse" of the view by role is the view filtered to the nurses
        [View("completed", "role", {}, 5), View("completed", None, {"role": ["nurse"]}, 5)],
        # the group "north" of the view by site is the view filtered to north, by role and not
        [
            View("completed", "site", {}, 5),
            View("completed", "role", {"site": ["north"]}, 5),
            View("completed", None, {"site": ["north"]}, 5),
        ],
    ],
)
def test_a_group_and_the_view_filtered_to_it_show_the_same(views):
    # found by this cohort: the two views showed the same numbers with different cells
    # hidden (each suppressed on its own), and together they gave back a pooled group's and a
    # site's hidden counts. The view filtered to one value now hides and shows its numbers as
    # that value's group in the view grouped by the column does.
    report = attack(_with_small_roles(), views)
    assert report.refused == []
    assert_no_leak(report)


def test_pooled_groups_at_k_11_on_the_sample():
    # attending 9, midwife 4, other 4 and resident 7 completers pooled (24), nurse 18 alone
    assert set(pooled_groups(sample(), "role", 11)) == {"attending", "midwife", "other", "resident"}
    assert_no_leak(
        attack(sample(), [View("completed", "role", {}, 11), View("all", "role", {}, 11)])
    )


def test_regression_several_values_minus_one_value_give_back_the_other():
    # no grouping, k = 5: role = attending hides that 4 attendings used risk management
    # ("<5"); role = attending or nurse and role = nurse showed theirs, 4 apart
    views = [
        View("completed", None, {"role": ["attending"]}, 5),
        View("completed", None, {"role": ["attending", "nurse"]}, 5),
        View("completed", None, {"role": ["nurse"]}, 5),
    ]
    report = attack(sample(), views)
    assert not report.refused
    assert_no_leak(report)
