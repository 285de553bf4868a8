"""The synthetic sample cohort: regenerates byte for byte, keeps the data contract, and
reproduces the published figures of "Healing Our Own" (Rivera-Chiauzzi et al., J Patient Saf
2022;18(1):e308-e314).

The figures are recomputed here from the committed CSVs with plain pandas + scipy, following
the definitions of shared/data-contract.md section 2 (analysis set = completers, groups = arm),
independently of the hoo_metrics metric modules.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from hoo_metrics.contract import RESOURCE_LABELS
from hoo_metrics.sample import SAMPLE_DIR, generate_sample, write_sample

FILES = ("participants.csv", "responses.csv", "contacts.csv")
CODES = list(RESOURCE_LABELS)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SAMPLE_DIR / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {name[:-4]: _read(name) for name in FILES}


@pytest.fixture(scope="module")
def completers(tables) -> pd.Series:
    """Arm by participant_id, for the completers (the analysis set)."""
    p = tables["participants"]
    return p[p["status"] == "completed"].set_index("participant_id")["arm"]


@pytest.fixture(scope="module")
def followup(tables, completers) -> pd.DataFrame:
    """Completers' follow-up responses (month > 0)."""
    r = tables["responses"]
    r = r[r["participant_id"].isin(completers.index)]
    return r[r["month"].astype(int) > 0]


@pytest.fixture(scope="module")
def categories(tables, completers) -> pd.DataFrame:
    """Completers' responses with their stage category ('' where the stage is blank)."""
    r = tables["responses"]
    r = r[r["participant_id"].isin(completers.index)].assign(month=lambda d: d["month"].astype(int))
    stage = pd.to_numeric(r["stage"])
    category = np.select(
        [stage <= 3, stage <= 5, stage == 6], ["early", "middle", r["stage6_path"]], ""
    )
    return r.assign(category=category)


@pytest.fixture(scope="module")
def baseline_category(categories, completers) -> pd.Series:
    """Baseline (month 0) stage category per completer, '(blank)' for a blank stage."""
    base = categories[categories["month"] == 0].set_index("participant_id")["category"]
    return base.replace("", "(blank)").reindex(completers.index)


@pytest.fixture(scope="module")
def transitions(categories, completers) -> pd.DataFrame:
    """Baseline category -> category at the last follow-up wave with a stage, per completer
    with both."""
    r = categories[categories["category"] != ""]
    base = r[r["month"] == 0].set_index("participant_id")["category"]
    last = r[r["month"] > 0].sort_values("month").groupby("participant_id")["category"].last()
    both = pd.DataFrame({"start": base, "end": last}).dropna()
    return both.assign(arm=completers.reindex(both.index))


def _ever(frame: pd.DataFrame, code: str, measure: str) -> pd.Series:
    """By participant: used_<code> = 1 (used_ever) or named in most_helpful at any wave."""
    if measure == "used_ever":
        hit = frame["used_" + code] == "1"
    else:
        hit = (";" + frame["most_helpful"] + ";").str.contains(f";{code};", regex=False)
    return hit.groupby(frame["participant_id"]).any()


# ---- (a) reproducible bytes ---------------------------------------------------------------
def test_regenerating_gives_the_committed_bytes(tmp_path: Path):
    write_sample(tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() == (SAMPLE_DIR / name).read_bytes(), name


def test_files_are_utf8_with_unix_line_endings():
    for name in FILES:
        data = (SAMPLE_DIR / name).read_bytes()
        data.decode("utf-8")
        assert b"\r" not in data and data.endswith(b"\n")
        assert not data.startswith(b"\xef\xbb\xbf")


def test_generate_sample_is_deterministic_text():
    first, second = generate_sample(), generate_sample()
    assert list(first) == ["participants", "responses", "contacts"]
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, second[name])
        assert all(isinstance(v, str) for v in table.to_numpy().ravel()), name


# ---- the data contract -----------------------------------------------------------------------
def test_sample_keeps_the_contract(tables):
    p, r, c = tables["participants"], tables["responses"], tables["contacts"]
    assert list(p.columns) == [
        "participant_id",
        "arm",
        "status",
        "role",
        "event_type",
        "age_band",
        "gender",
        "years_in_practice_band",
    ]
    assert p["participant_id"].str.fullmatch(r"HOO-\d{3}").all()
    assert p["participant_id"].is_unique
    assert set(p["status"]) == {"completed", "withdrew", "lost_to_follow_up"}
    assert set(r["participant_id"]) <= set(p["participant_id"])
    assert set(c["participant_id"]) <= set(p["participant_id"])
    assert not r.duplicated(["participant_id", "month"]).any()
    assert not c.duplicated(["participant_id", "contact_no"]).any()
    assert set(r["month"]) == {"0", "3", "6"}
    assert set(r["stage"]) <= {"", "1", "2", "3", "4", "5", "6"}
    # stage6_path exactly when stage is 6
    assert ((r["stage"] == "6") == (r["stage6_path"] != "")).all()
    assert set(r["stage6_path"]) <= {"", "dropping_out", "surviving", "thriving"}
    for code in CODES:
        used, helpful = r["used_" + code], r["helpful_" + code]
        assert set(used) <= {"0", "1"}, code
        assert set(helpful) <= {"", "1", "2", "3", "4", "5"}, code
        assert (helpful[used != "1"] == "").all(), f"rating of an unused {code}"
    for row in r.itertuples():
        named = [x for x in row.most_helpful.split(";") if x]
        assert len(named) <= 3 and len(set(named)) == len(named)
        for code in named:
            assert getattr(row, "used_" + code) == "1", (row.participant_id, row.month, code)
    assert set(c["more_followup"]) == {"yes", "no"}
    days = c.assign(day=c["day"].astype(int), contact_no=c["contact_no"].astype(int))
    days = days.sort_values(["participant_id", "contact_no"])
    assert (days.groupby("participant_id")["day"].diff().dropna() >= 0).all()


def test_sample_has_some_blank_answers(tables, completers):
    r = tables["responses"]
    rc = r[r["participant_id"].isin(completers.index)]
    blank_ratings = sum(
        ((rc["used_" + c] == "1") & (rc["helpful_" + c] == "")).sum() for c in CODES
    )
    assert 3 <= blank_ratings <= 15
    assert ((rc["month"] != "0") & (rc["stage"] == "")).sum() >= 1  # a blank follow-up stage
    waves = rc.groupby("participant_id").size()
    assert (waves < 3).sum() >= 1  # a missing wave


# ---- (b) the published figures -----------------------------------------------------------------
def test_enrollment(tables, completers):
    p = tables["participants"]
    # 50 enrolled, 25 per arm; 42 completed: enhanced 23, routine 19
    assert len(p) == 50
    assert p["arm"].value_counts().to_dict() == {"enhanced": 25, "routine": 25}
    assert completers.value_counts().to_dict() == {"enhanced": 23, "routine": 19}


def test_followup_contacts(tables, completers):
    c = tables["contacts"]
    c = c[c["participant_id"].isin(completers.index)].assign(
        contact_no=lambda d: d["contact_no"].astype(int), day=lambda d: d["day"].astype(int)
    )
    # Only the enhanced arm had a peer supporter; routine: no follow-up, participants 0.
    assert set(completers[c["participant_id"].unique()]) == {"enhanced"}
    assert c["participant_id"].nunique() == 23
    end = c[c["more_followup"] == "no"].groupby("participant_id")["contact_no"].min()
    # ended after contact 1: 15/23 = 0.652; by contact 2: 21/23 = 0.913
    assert (end <= 1).sum() == 15 and (end <= 1).sum() / 23 == pytest.approx(0.652, abs=5e-4)
    assert (end <= 2).sum() == 21 and (end <= 2).sum() / 23 == pytest.approx(0.913, abs=5e-4)
    # median number of contacts: 15 had 1 contact, so the median of 23 counts is 1
    assert c.groupby("participant_id").size().median() == 1.0
    # support duration: the end contact's day (event) or the last contact's day (censored)
    last = c.sort_values("contact_no").groupby("participant_id")["day"].last()
    end_day = c.merge(end.rename("end"), left_on="participant_id", right_index=True)
    end_day = end_day[end_day["contact_no"] == end_day["end"]].set_index("participant_id")["day"]
    censored = last.drop(end_day.index)
    km = stats.ecdf(stats.CensoredData(uncensored=end_day.to_numpy(), right=censored.to_numpy()))
    sf = km.sf
    median = sf.quantiles[np.argmax(sf.probabilities <= 0.5)]
    # 15 events on days 2-10 before any censoring: S falls to 11/23 < 0.5 at the 12th event
    assert median == np.sort(end_day[end == 1])[11]
    assert median < 90


def test_most_start_thriving(baseline_category, completers):
    # baseline categories: enhanced early 5, middle 2, surviving 1, thriving 14, blank 1 (= 23);
    # routine early 5, middle 2, surviving 1, thriving 11 (= 19).
    # thriving 14 + 11 = 25 of 42 = 59.5 % (25 of the 41 with a stage = 61.0 %): most.
    levels = ["early", "middle", "surviving", "thriving", "(blank)"]
    counts = pd.crosstab(baseline_category, completers).reindex(levels)
    assert counts["enhanced"].tolist() == [5, 2, 1, 14, 1]
    assert counts["routine"].tolist() == [5, 2, 1, 11, 0]
    assert (baseline_category == "thriving").sum() == 25 > 42 / 2


def test_early_to_thriving(transitions, baseline_category, followup):
    # 41 of the 42 completers have a transition: one enhanced completer left the baseline stage
    # blank (a blank answer), yet stays a completer with follow-up responses
    blank = baseline_category.index[baseline_category == "(blank)"]
    assert len(blank) == 1 and blank[0] not in transitions.index
    assert (followup["participant_id"] == blank[0]).sum() == 2
    assert len(transitions) == 41
    assert transitions["arm"].value_counts().to_dict() == {"enhanced": 22, "routine": 19}
    # 7 go early -> thriving (4 enhanced, 3 routine); the other 34 do not
    e2t = transitions[(transitions["start"] == "early") & (transitions["end"] == "thriving")]
    assert len(e2t) == 7
    assert e2t["arm"].value_counts().to_dict() == {"enhanced": 4, "routine": 3}


@pytest.mark.parametrize(
    ("code", "recovered", "others", "p_value", "published"),
    [
        # Both more often among those who recovered, as published.
        # peers: 5/7 = 71 % early -> thriving vs 8/34 = 24 % others. Fisher: with margins 13
        # users / 28 non-users and 7 recovered, P(a) = C(13,a) C(28,7-a) / C(41,7):
        # P(5) = 0.0216, P(6) = 0.0021, P(7) = 0.0001 (a = 0..4 are all >= 0.0527), so
        # P = 0.0239 -> rounds to 0.02
        ("peers", 5, 8, 0.0239, 0.02),
        # departmental leadership: 4/7 = 57 % vs 7/34 = 21 %; margins 11 / 30:
        # P(4) = 0.0596, P(5) = 0.0089, P(6) = 0.0006, P(7) = 0.00002 (a = 0..3 >= 0.0906),
        # so P = 0.0692 -> rounds to 0.07
        ("department_leadership", 4, 7, 0.0692, 0.07),
    ],
)
def test_resources_of_those_who_recovered(
    followup, transitions, code, recovered, others, p_value, published
):
    ever = _ever(followup, code, "used_ever").reindex(transitions.index, fill_value=False)
    e2t = (transitions["start"] == "early") & (transitions["end"] == "thriving")
    a, b = int(ever[e2t].sum()), int(ever[~e2t].sum())
    assert (a, b) == (recovered, others)
    assert a / 7 > b / 34  # the direction: those who recovered used it more
    p = stats.fisher_exact([[a, 7 - a], [b, 34 - b]]).pvalue
    assert p == pytest.approx(p_value, abs=5e-5)
    assert round(p, 2) == published


def test_leadership_most_helpful_by_arm(followup, completers):
    # participants: the 42 completers with a follow-up response (23 enhanced, 19 routine)
    ever = _ever(followup, "department_leadership", "most_helpful_ever")
    assert len(ever) == 42
    arm = completers[ever.index]
    a, b = int(ever[arm == "enhanced"].sum()), int(ever[arm == "routine"].sum())
    assert (a, b) == (6, 0)
    # the 6 are among the 7 enhanced leadership users (a resource is named only where used)
    used = _ever(followup, "department_leadership", "used_ever")
    assert used[ever].all() and int(used[arm == "enhanced"].sum()) == 7
    # Fisher on [[6, 17], [0, 19]]: P = 0.0244 -> "P = 0.02"
    p = stats.fisher_exact([[a, 23 - a], [b, 19 - b]]).pvalue
    assert p == pytest.approx(0.0244, abs=5e-5)
    assert round(p, 2) == 0.02


def test_other_comparisons_are_not_significant(followup, completers, transitions):
    """Only the published findings stand out (the peer supporter, the intervention itself,
    is used only in the enhanced arm by design)."""
    arm = completers[followup["participant_id"].unique()]
    e2t = (transitions["start"] == "early") & (transitions["end"] == "thriving")
    for measure in ("used_ever", "most_helpful_ever"):
        for code in CODES:
            if code == "peer_supporter":
                continue
            ever = _ever(followup, code, measure).reindex(arm.index, fill_value=False)
            if not (measure == "most_helpful_ever" and code == "department_leadership"):
                a, b = ever[arm == "enhanced"].sum(), ever[arm == "routine"].sum()
                assert stats.fisher_exact([[a, 23 - a], [b, 19 - b]]).pvalue > 0.2
            if measure == "used_ever" and code not in ("peers", "department_leadership"):
                a, b = ever[e2t.index[e2t]].sum(), ever[e2t.index[~e2t]].sum()
                assert stats.fisher_exact([[a, 7 - a], [b, 34 - b]]).pvalue > 0.2


@pytest.mark.parametrize(
    "variable",
    ["role", "event_type", "age_band", "gender", "years_in_practice_band", "baseline_stage"],
)
def test_arms_balanced_at_baseline(tables, completers, baseline_category, variable):
    # baseline stage: the blank answer is its own level (enhanced 1, routine 0)
    p = tables["participants"].set_index("participant_id").loc[completers.index]
    values = baseline_category if variable == "baseline_stage" else p[variable]
    table = pd.crosstab(values, completers[values.index]).to_numpy()
    assert stats.fisher_exact(table).pvalue > 0.05  # 2x2, or Fisher-Freeman-Halton r x c
    assert stats.chi2_contingency(table).pvalue > 0.05


def test_plausible_resources(followup):
    # family, friends and peers commonly used and rated highly; chaplain and eap rarely used
    share = {c: (followup["used_" + c] == "1").mean() for c in CODES}
    assert min(share["family"], share["friends"]) > 0.5
    assert max(share["chaplain"], share["eap"]) < 0.1
    for code in ("family", "friends", "peers"):
        ratings = pd.to_numeric(followup["helpful_" + code].replace("", np.nan))
        assert ratings.mean() >= 4
    ratings = pd.concat([pd.to_numeric(followup["helpful_" + c]) for c in CODES]).dropna()
    assert (ratings >= 3).mean() > 0.8


def test_no_direct_identifiers(tables):
    for name, table in tables.items():
        text = table.to_csv(index=False)
        assert not re.search(r"@|\d{3}-\d{2}-\d{4}|\d{4}-\d{2}-\d{2}", text), name
