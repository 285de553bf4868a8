"""The synthetic sample cohort "Healing Our Own" (SYNTHETIC: no row describes a real person).

It is built to reproduce, through the metric definitions of shared/data-contract.md (section 2;
analysis set = completers, groups = arm), the published figures of the pilot trial
Rivera-Chiauzzi et al., "Healing Our Own: A Randomized Trial to Assess Benefits of Peer
Support", J Patient Saf 2022;18(1):e308-e314:

- 50 enrolled, 25 per arm; 42 completed (enhanced 23, routine 19);
- peer-support contacts: 65.2 % (15/23) ended after the first contact, 91.3 % (21/23) by the
  second; median support duration under 3 months;
- most participants start on the stage 6 thriving path (25 of the 42 completers at baseline);
- 41 completers have a transition (one left the baseline stage blank); 7 moved from an early
  stage (1-3) to stage 6 thriving (4 enhanced, 3 routine); at follow-up more of them used
  peers (5/7 vs 8/34 others, Fisher P = 0.024) and departmental leadership (4/7 vs 7/34,
  P = 0.069);
- departmental leadership named most helpful: enhanced 6/23 vs routine 0/19, Fisher P = 0.024;
- arms balanced at baseline (role, event type, demographics, baseline stage category).

The counts behind these figures are constructed deliberately (lists of exact counts, shuffled
onto participants); everything else (stages within a category, contact days, use of the other
resources, helpfulness ratings, most-helpful choices) is drawn from ``numpy.random.default_rng``
with a fixed seed, so the output is the same bytes on every run.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd

from .checks.validate import load_cohort
from .contract import HELPFUL_PREFIX, RESOURCE_LABELS, USED_PREFIX
from .io.redcap import DICTIONARY_FILE, RECORDS_FILE, REDCAP_SAMPLE_DIR, to_redcap

#: The published figures do not depend on the seed; 138 was picked among the first 300 seeds
#: (of those giving plausible use, ratings and 3-15 blank ratings) as the one where no other
#: comparison (arms, or those who recovered vs the rest) comes near significance (all
#: P >= 0.45, the enhanced arm's trained peer supporter aside).
SEED = 138
#: Where the committed sample lives (regenerate with ``python -m hoo_metrics sample --out DIR``).
SAMPLE_DIR = Path(__file__).resolve().parents[1] / "sample_data" / "healing_our_own"
SAMPLE_NAME = "Healing Our Own (synthetic sample)"

RESOURCES = tuple(RESOURCE_LABELS)  # the 10 built-in resource codes, in contract order
ARMS = ("enhanced", "routine")
PER_ARM = 25
MONTHS = (0, 3, 6)

#: Non-completers per arm (enhanced 25 - 23 = 2, routine 25 - 19 = 6).
NON_COMPLETERS = {
    "enhanced": ("withdrew", "lost_to_follow_up"),
    "routine": (
        "withdrew",
        "withdrew",
        "lost_to_follow_up",
        "lost_to_follow_up",
        "lost_to_follow_up",
        "lost_to_follow_up",
    ),
}

#: Baseline characteristics of the completers, level -> (enhanced, routine) counts; nearly
#: proportional to 23:19 so that no Table 1 test separates the arms.
BASELINE_COUNTS: dict[str, dict[str, tuple[int, int]]] = {
    "role": {
        "attending": (5, 4),
        "resident": (4, 3),
        "midwife": (2, 2),
        "nurse": (10, 8),
        "other": (2, 2),
    },
    "event_type": {
        "maternal_death": (2, 1),
        "fetal_or_neonatal_death": (8, 7),
        "severe_maternal_morbidity": (7, 6),
        "neonatal_injury": (4, 3),
        "other": (2, 2),
    },
    "age_band": {"25-34": (8, 7), "35-44": (8, 6), "45-54": (5, 4), "55+": (2, 2)},
    "gender": {"female": (19, 16), "male": (4, 3)},
    "years_in_practice_band": {"<5": (7, 6), "5-9": (6, 5), "10-19": (6, 5), "20+": (4, 3)},
}

#: A baseline stage left blank (the completer answered the follow-up waves, so has no transition).
BLANK = "blank"
#: Recovery-stage transitions of the completers (baseline category, last category, count).
#: Baseline: enhanced early 5, middle 2, surviving 1, thriving 14, blank 1; routine early 5,
#: middle 2, surviving 1, thriving 11: thriving 25 of 42 (59.5 %). 41 completers have a
#: transition (22 enhanced, 19 routine); early -> thriving 4 + 3 = 7, the other 34 not.
TRAJECTORIES: dict[str, tuple[tuple[str, str, int], ...]] = {
    "enhanced": (
        ("early", "thriving", 4),
        ("early", "middle", 1),
        ("middle", "thriving", 1),
        ("middle", "middle", 1),
        ("surviving", "thriving", 1),
        ("thriving", "thriving", 13),
        ("thriving", "surviving", 1),
        (BLANK, "thriving", 1),
    ),
    "routine": (
        ("early", "thriving", 3),
        ("early", "early", 1),
        ("early", "middle", 1),
        ("middle", "thriving", 1),
        ("middle", "surviving", 1),
        ("surviving", "surviving", 1),
        ("thriving", "thriving", 10),
        ("thriving", "dropping_out", 1),
    ),
}

#: Follow-up use ever (any month > 0) per arm: (users among the early -> thriving completers,
#: users among the other completers with a transition). Over both arms:
#: peers 5/7 vs 8/34: Fisher P = 0.0239; department_leadership 4/7 vs 7/34: P = 0.0692.
#: Leadership users: enhanced 2 + 5 = 7 (6 of them name it most helpful, which needs use at
#: that wave), routine 2 + 2 = 4.
RECOVERED_USE: dict[str, dict[str, tuple[int, int]]] = {
    "peers": {"enhanced": (3, 4), "routine": (2, 4)},
    "department_leadership": {"enhanced": (2, 5), "routine": (2, 2)},
}
#: The completer without a transition (blank baseline stage): used peers, not leadership.
NO_TRANSITION_USE = {"peers": True, "department_leadership": False}
#: Enhanced completers naming departmental leadership most helpful at a follow-up wave (routine:
#: none): Fisher P on [[6, 17], [0, 19]] = 0.0244.
LEADERSHIP_MOST_HELPFUL_ENHANCED = 6

#: Peer-support contacts of the 23 enhanced completers: more_followup answers per participant.
#: 15 end at contact 1 (15/23 = 65.2 %), 6 at contact 2 (21/23 = 91.3 %), 1 at contact 3, and
#: one wants more after each of 4 contacts (censored).
CONTACT_PROFILES = (
    (("no",),) * 15
    + (("yes", "no"),) * 6
    + (("yes", "yes", "no"),)
    + (("yes", "yes", "yes", "yes"),)
)
#: Day ranges (days since the adverse event, inclusive) of contact 1, 2, 3, 4.
CONTACT_DAYS = ((2, 10), (26, 35), (55, 66), (95, 110))

#: Chance of using an unconstrained resource since the last wave: (baseline, follow-up).
USE_PROBABILITY = {
    "peers": (0.75, 0.4),
    "peer_supporter": (0.0, 0.0),
    "department_leadership": (0.55, 0.7),
    "family": (0.85, 0.7),
    "friends": (0.65, 0.55),
    "eap": (0.06, 0.05),
    "mental_health": (0.1, 0.12),
    "chaplain": (0.05, 0.03),
    "risk_management": (0.35, 0.15),
    "other": (0.05, 0.05),
}
_HIGH = (0.0, 0.03, 0.12, 0.35, 0.5)
_MID = (0.02, 0.08, 0.25, 0.35, 0.3)
_LOW = (0.05, 0.15, 0.35, 0.3, 0.15)
#: Helpfulness (1-5) distribution per resource.
RATING_PROBABILITY = {
    "peers": _HIGH,
    "peer_supporter": _HIGH,
    "department_leadership": _MID,
    "family": _HIGH,
    "friends": _HIGH,
    "eap": _LOW,
    "mental_health": _MID,
    "chaplain": _MID,
    "risk_management": _LOW,
    "other": _MID,
}
#: Weight of a used resource when picking the most helpful ones (leadership at follow-up is
#: constructed, not drawn).
MOST_HELPFUL_WEIGHT = {
    "peers": 3.0,
    "peer_supporter": 1.5,
    "department_leadership": 1.0,
    "family": 3.0,
    "friends": 2.0,
    "eap": 0.5,
    "mental_health": 1.5,
    "chaplain": 0.5,
    "risk_management": 0.2,
    "other": 0.5,
}
BLANK_RATING_PROBABILITY = 0.025


def _column_order() -> list[str]:
    cols = ["participant_id", "month", "stage", "stage6_path"]
    for code in RESOURCES:
        cols += [USED_PREFIX + code, HELPFUL_PREFIX + code]
    return [*cols, "most_helpful"]


def _stage_of(category: str, rng: np.random.Generator) -> tuple[str, str]:
    """A (stage, stage6_path) pair as text for a stage category."""
    if category == "early":
        return str(rng.choice([1, 2, 3], p=[0.25, 0.4, 0.35])), ""
    if category == "middle":
        return str(rng.choice([4, 5])), ""
    return "6", category


def _participants(rng: np.random.Generator) -> pd.DataFrame:
    """50 participants: arms by a 25/25 permutation, statuses and baseline characteristics."""
    ids = [f"HOO-{i:03d}" for i in range(1, 2 * PER_ARM + 1)]
    arms = rng.permutation(np.repeat(ARMS, PER_ARM))
    rows = {
        pid: {"participant_id": pid, "arm": str(arm)} for pid, arm in zip(ids, arms, strict=True)
    }
    for a, arm in enumerate(ARMS):
        members = [pid for pid in ids if rows[pid]["arm"] == arm]
        leavers = set(rng.choice(members, size=len(NON_COMPLETERS[arm]), replace=False))
        statuses = iter(NON_COMPLETERS[arm])
        completers = []
        for pid in members:
            if pid in leavers:
                rows[pid]["status"] = next(statuses)
            else:
                rows[pid]["status"] = "completed"
                completers.append(pid)
        for column, levels in BASELINE_COUNTS.items():
            values = [lvl for lvl, counts in levels.items() for _ in range(counts[a])]
            for pid, value in zip(completers, rng.permutation(values), strict=True):
                rows[pid][column] = str(value)
    # Non-completers: characteristics drawn in proportion to the completers' totals.
    for column, levels in BASELINE_COUNTS.items():
        names = list(levels)
        weights = np.array([sum(c) for c in levels.values()], dtype=float)
        for pid in ids:
            if rows[pid]["status"] != "completed":
                rows[pid][column] = str(rng.choice(names, p=weights / weights.sum()))
    columns = ["participant_id", "arm", "status", *BASELINE_COUNTS]
    return pd.DataFrame([rows[pid] for pid in ids], columns=columns, dtype="str")


def _plans(participants: pd.DataFrame, rng: np.random.Generator) -> dict[str, dict]:
    """Per participant: waves, stage category per wave, and the constructed resource facts."""
    plans: dict[str, dict] = {}
    completed = participants[participants["status"] == "completed"]
    for arm in ARMS:
        ids = list(completed.loc[completed["arm"] == arm, "participant_id"])
        trajectories = [(f, t) for f, t, n in TRAJECTORIES[arm] for _ in range(n)]
        for pid, k in zip(ids, rng.permutation(len(trajectories)), strict=True):
            start, end = trajectories[k]
            if start == BLANK:  # stage blank at baseline; the follow-up waves say `end`
                start = middle = end
            elif start == end:
                middle = start
            elif (start, end) == ("early", "thriving"):
                middle = str(rng.choice(["early", "middle", "thriving"], p=[0.2, 0.5, 0.3]))
            else:
                middle = str(rng.choice([start, end]))
            plans[pid] = {
                "arm": arm,
                "completed": True,
                "months": [0, 3, 6],
                "category": {0: start, 3: middle, 6: end},
                "blank_stage": {0} if trajectories[k][0] == BLANK else set(),
                "transition": trajectories[k][0] != BLANK,
                "recovered": (start, end) == ("early", "thriving"),
            }
    # Blanks that must not change any figure: among thriving -> thriving completers, one
    # enhanced misses month 6 and one routine misses month 3 (a missing wave), and one routine
    # leaves the stage blank at month 6 (so its month 3 stage is its last).
    steady = {
        arm: sorted(
            pid
            for pid, p in plans.items()
            if p["arm"] == arm
            and p["transition"]
            and p["category"] == {0: "thriving", 3: "thriving", 6: "thriving"}
        )
        for arm in ARMS
    }
    no_m6 = str(rng.choice(steady["enhanced"]))
    no_m3, blank_m6 = (str(x) for x in rng.choice(steady["routine"], size=2, replace=False))
    plans[no_m6]["months"] = [0, 3]
    plans[no_m3]["months"] = [0, 6]
    plans[blank_m6]["blank_stage"] = {6}

    # Follow-up use of peers and departmental leadership, by arm and recovered (early ->
    # thriving) or not, among the completers with a transition.
    for code, by_arm in RECOVERED_USE.items():
        for arm, (n_recovered, n_others) in by_arm.items():
            for recovered, n in ((True, n_recovered), (False, n_others)):
                pool = sorted(
                    pid
                    for pid, p in plans.items()
                    if p["arm"] == arm and p["transition"] and p["recovered"] == recovered
                )
                users = set(rng.choice(pool, size=n, replace=False))
                for pid in pool:
                    plans[pid][code] = _ever_waves(plans[pid], pid in users, rng)
        for pid in sorted(pid for pid, p in plans.items() if not p["transition"]):
            plans[pid][code] = _ever_waves(plans[pid], NO_TRANSITION_USE[code], rng)
    # Leadership named most helpful at one follow-up wave where used, by 6 enhanced completers.
    leaders = sorted(
        pid for pid, p in plans.items() if p["arm"] == "enhanced" and p["department_leadership"]
    )
    named = rng.choice(leaders, size=LEADERSHIP_MOST_HELPFUL_ENHANCED, replace=False)
    for pid in plans:
        plans[pid]["leadership_named"] = set()
    for pid in named:
        plans[pid]["leadership_named"] = {
            int(rng.choice(sorted(plans[pid]["department_leadership"])))
        }

    # Non-completers: baseline, and month 3 for some of those lost to follow-up.
    categories = ["early", "middle", "surviving", "thriving"]
    for row in participants[participants["status"] != "completed"].itertuples():
        start = str(rng.choice(categories, p=[0.3, 0.15, 0.1, 0.45]))
        months = [0, 3] if row.status == "lost_to_follow_up" and rng.random() < 0.6 else [0]
        plans[row.participant_id] = {
            "arm": row.arm,
            "completed": False,
            "months": months,
            "category": {0: start, 3: start},
            "blank_stage": {0} if rng.random() < 0.15 else set(),
            "transition": False,
            "recovered": False,
            "leadership_named": set(),
        }
    return plans


def _ever_waves(plan: dict, ever: bool, rng: np.random.Generator) -> set[int]:
    """Follow-up months at which a resource is used: none, or a non-empty subset."""
    follow = [m for m in plan["months"] if m > 0]
    if not ever:
        return set()
    if len(follow) == 2 and rng.random() < 0.45:
        return set(follow)
    return {int(rng.choice(follow))}


def _contacts(participants: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Peer-supporter contacts: enhanced completers by CONTACT_PROFILES; one enhanced
    non-completer had a first contact; the routine arm has none (no follow-up)."""
    enhanced = participants[participants["arm"] == "enhanced"]
    completers = list(enhanced.loc[enhanced["status"] == "completed", "participant_id"])
    profiles = {
        pid: CONTACT_PROFILES[k]
        for pid, k in zip(completers, rng.permutation(len(CONTACT_PROFILES)), strict=True)
    }
    leavers = sorted(enhanced.loc[enhanced["status"] != "completed", "participant_id"])
    profiles[str(rng.choice(leavers))] = ("yes",)
    rows = []
    for pid in sorted(profiles):
        for n, answer in enumerate(profiles[pid], start=1):
            low, high = CONTACT_DAYS[n - 1]
            rows.append(
                {
                    "participant_id": pid,
                    "contact_no": str(n),
                    "day": str(int(rng.integers(low, high + 1))),
                    "more_followup": answer,
                }
            )
    return pd.DataFrame(rows, columns=["participant_id", "contact_no", "day", "more_followup"])


def _responses(
    plans: dict[str, dict], contacts: pd.DataFrame, rng: np.random.Generator
) -> pd.DataFrame:
    """One row per participant and wave, every cell as text ('' for blank)."""
    contact_days = contacts.assign(day=contacts["day"].astype(int)).groupby("participant_id")["day"]
    supporter_days = {pid: list(days) for pid, days in contact_days}
    rows = []
    for pid in sorted(plans):
        plan = plans[pid]
        previous = -1
        for month in plan["months"]:
            row = {"participant_id": pid, "month": str(month)}
            if month in plan["blank_stage"]:
                row["stage"], row["stage6_path"] = "", ""
            else:
                row["stage"], row["stage6_path"] = _stage_of(plan["category"][month], rng)
            used = {}
            for code in RESOURCES:
                if month > 0 and plan["completed"] and code in RECOVERED_USE:
                    used[code] = month in plan[code]
                elif code == "peer_supporter":
                    # Used since the last wave when a peer-supporter contact fell in between.
                    days = supporter_days.get(pid, [])
                    used[code] = month > 0 and any(previous * 30 < d <= month * 30 for d in days)
                else:
                    used[code] = rng.random() < USE_PROBABILITY[code][0 if month == 0 else 1]
            for code in RESOURCES:
                row[USED_PREFIX + code] = "1" if used[code] else "0"
                rating = ""
                if used[code] and rng.random() >= BLANK_RATING_PROBABILITY:
                    rating = str(rng.choice([1, 2, 3, 4, 5], p=RATING_PROBABILITY[code]))
                row[HELPFUL_PREFIX + code] = rating
            row["most_helpful"] = _most_helpful(plan, month, used, rng)
            rows.append(row)
            previous = month
    return pd.DataFrame(rows, columns=_column_order(), dtype="str")


def _most_helpful(plan: dict, month: int, used: dict[str, bool], rng: np.random.Generator) -> str:
    """Up to 3 codes used at this wave; leadership at follow-up only where constructed."""
    forced = ["department_leadership"] if month in plan["leadership_named"] else []
    candidates = [
        c
        for c in RESOURCES
        if used[c] and c not in forced and not (c == "department_leadership" and month > 0)
    ]
    if not forced and (not candidates or rng.random() < 0.05):
        return ""
    k = min(int(rng.choice([1, 2, 3], p=[0.3, 0.4, 0.3])), len(candidates) + len(forced))
    picks = list(forced)
    if k > len(picks) and candidates:
        weights = np.array([MOST_HELPFUL_WEIGHT[c] for c in candidates])
        chosen = rng.choice(
            candidates, size=k - len(picks), replace=False, p=weights / weights.sum()
        )
        picks += [str(c) for c in chosen]
    return ";".join(picks)


def generate_sample(seed: int = SEED) -> dict[str, pd.DataFrame]:
    """The synthetic "Healing Our Own" cohort as three tables of text cells ('' for blank).

    Returns ``{"participants", "responses", "contacts"}`` in the column layout of the data
    contract (shared/data-contract.md, section 1). Deterministic: a fixed-seed
    ``numpy.random.default_rng`` plus deliberately constructed counts (see the module
    docstring for the published figures they reproduce).
    """
    rng = np.random.default_rng(seed)
    participants = _participants(rng)
    plans = _plans(participants, rng)
    contacts = _contacts(participants, rng)
    responses = _responses(plans, contacts, rng)
    return {"participants": participants, "responses": responses, "contacts": contacts}


def write_sample(out_dir: str | Path) -> list[Path]:
    """Write participants.csv, responses.csv and contacts.csv to ``out_dir`` (created if
    needed): UTF-8, no BOM, '\\n' line endings, the same bytes on every run. Returns the paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, table in generate_sample().items():
        path = out / f"{name}.csv"
        text = table.to_csv(index=False, lineterminator="\n")
        path.write_bytes(text.encode("utf-8"))
        paths.append(path)
    return paths


def load_sample():
    """The committed sample cohort as a validated Cohort, flagged ``synthetic``."""
    return replace(load_cohort(SAMPLE_DIR, name=SAMPLE_NAME), synthetic=True)


def write_redcap_sample(out_dir: str | Path = REDCAP_SAMPLE_DIR) -> list[Path]:
    """Write the sample cohort as a REDCap export (records + data dictionary CSV) to
    ``out_dir``: UTF-8, no BOM, '\\n' line ends, the same bytes on every run."""
    records, dictionary = to_redcap(generate_sample())
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in ((RECORDS_FILE, records), (DICTIONARY_FILE, dictionary)):
        path = out / name
        path.write_bytes(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"))
        paths.append(path)
    return paths
