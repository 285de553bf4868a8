"""The Follow-up page's view model (hoo_metrics.present.followup) on the sample sample_cohort.

Expected values are counted by hand from sample_data/healing_our_own (participants.csv,
contacts.csv) and docs/privacy.md's table "The sample sample_cohort at the default k = 5", never
taken from the model's output."""

from __future__ import annotations

import hoo_metrics as hm
from hoo_metrics.present import followup as followup_model
from tests.factories import one_contact_each

K = 5


def _model(sample_cohort, group_by="arm", filters=None, suppression=K):
    res = hm.compute_results(sample_cohort, "completed", group_by, filters, suppression)
    return followup_model.followup(res, hm.group_colors(sample_cohort.groups(group_by)))


def test_by_arm(sample_cohort):
    m = _model(sample_cohort)
    # no routine participant has a row in contacts.csv
    assert m.no_contacts == "No peer-support contacts recorded for: routine."
    c = m.charts
    assert c is not None
    # the 23 enhanced completers: support ended at contact 1 for 15 (8 still in support,
    # shown): 15 / 23 = 0.6522; by contact 2 for 21 (2 still in support, below k): hidden
    assert "65.2% (15/23) by contact 1" in c.ended.takeaway
    assert c.ended.takeaway.endswith(" in enhanced.")
    assert "91.3%" not in c.ended.takeaway and "21/23" not in c.ended.takeaway
    # contacts per participant: 15 had 1, 6 had 2, 1 had 3, 1 had 4; the 12th of the 23 is 1.
    # Routine (no contact) is not named here: the caption above names it
    assert c.contacts.takeaway == "Median contacts per participant: 1 in enhanced (n = 23)."
    assert c.km.takeaway.startswith("Half of the participants had finished peer support by day ")
    assert c.km.takeaway.endswith(") in enhanced (Kaplan-Meier median).")
    assert "at least 5 ended supports" in c.km_caption
    assert "fewer than 5 participants remain at risk" in c.km_caption
    assert [c.ended.key, c.contacts.key, c.km.key] == ["ended", "contacts", "km"]


def test_summary_table_by_arm(sample_cohort):
    c = _model(sample_cohort).charts
    assert c is not None
    t = c.table.frame.set_index("Group")
    # enhanced: 23 with a contact, 22 whose support ended (15 + 6 + 1) and 1 censored (every
    # contact of theirs asked for more). The 1 is below k and 23 - 22 would give it back, so
    # the 22 is hidden too; the median of 1, ..., 1 (15 times), 2, ... is 1
    assert t.loc["enhanced", "Participants with a contact"] == "23"
    assert t.loc["enhanced", "Censored"] == "<5"
    assert t.loc["enhanced", "Support ended"] == "suppressed"
    assert t.loc["enhanced", "Median contacts"] == "1"
    # routine: nobody with a contact, a zero is no small count
    assert t.loc["routine", "Participants with a contact"] == "0"
    assert (c.table.name, c.table.key) == ("followup-summary", "summary")


def test_lifted_suppression_shows_the_second_contact(sample_cohort):
    c = _model(sample_cohort, suppression=hm.Suppression(K, enabled=False)).charts
    assert c is not None
    # 21 / 23 = 0.9130
    assert "91.3% (21/23) by contact 2" in c.ended.takeaway
    # nothing merged: every step holds at least one ended support
    assert "at least 1 ended supports" in c.km_caption


def test_a_view_without_contacts_has_no_charts(sample_cohort):
    # the routine arm alone: none of its 19 completers had a contact
    m = _model(sample_cohort, group_by=None, filters={"arm": ["routine"]})
    assert m.charts is None
    assert m.no_contacts.startswith("No peer-support contacts recorded for: all")


def test_a_group_whose_count_is_hidden_is_still_named():
    # 27 enhanced and 3 routine, all with one contact. k = 5: routine's 3 is too few to show,
    # and enhanced's 27 is hidden with it (30 overall - 27 = 3 would give routine back). The
    # 27 had contacts: the takeaways name enhanced with the medians the table shows. Its 27
    # days are 3, 4, 5, 6, 7 repeated (six 3s, six 4s, five each of 5, 6, 7): 12 ended by day
    # 4 (12/27 < 1/2), 17 by day 5 (17/27 > 1/2), so half had finished by day 5; every
    # median of contacts is 1
    cohort = one_contact_each({"enhanced": 27, "routine": 3}, {"enhanced": 27, "routine": 3})
    m = _model(cohort)
    assert m.no_contacts == ""
    c = m.charts
    assert c is not None
    assert c.contacts.takeaway == (
        "Median contacts per participant: 1 in enhanced (n = suppressed); "
        "routine: too few participants to show."
    )
    assert c.km.takeaway.startswith("Half of the participants had finished peer support by day 5 (")
    assert c.km.takeaway.endswith(
        ") in enhanced; routine: too few participants to show (Kaplan-Meier median)."
    )


def test_a_view_whose_every_contact_count_is_hidden_does_not_say_nobody():
    # 20 per arm; 3 enhanced participants had a contact, no routine one. k = 5: enhanced's 3
    # is too few to show (so is the overall 3); routine's 0 shows, a zero being no small count
    cohort = one_contact_each({"enhanced": 20, "routine": 20}, {"enhanced": 3})
    m = _model(cohort)
    # the sentence says no more than that: it fits any cohort, not only the trial's
    assert m.no_contacts == "No peer-support contacts recorded for: routine."
    assert m.charts is not None  # enhanced had contacts: never followup_model.EMPTY
    assert m.charts.contacts.takeaway == (
        "Median contacts per participant: enhanced: too few participants to show."
    )
    assert m.charts.ended.takeaway == "Support ended: enhanced has too few participants to show."
