"""Generate large synthetic cohorts for benchmarks (never committed; written under bench-data/).

Vectorised numpy: a 100,000-participant cohort (five waves, ten resources, contacts) takes a
few seconds to write.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

RESOURCES = (
    "peers",
    "peer_supporter",
    "department_leadership",
    "family",
    "friends",
    "eap",
    "mental_health",
    "chaplain",
    "risk_management",
    "other",
)
MONTHS = (0, 3, 6, 9, 12)
ROLES = np.array(["attending", "resident", "midwife", "nurse", "other"])
EVENTS = np.array(
    ["maternal_death", "fetal_or_neonatal_death", "severe_maternal_morbidity", "neonatal_injury"]
)
SITES = np.array([f"site_{i:02d}" for i in range(12)])


def generate(n: int, seed: int = 7) -> dict[str, pd.DataFrame]:
    """A cohort of ``n`` participants following the data contract (text-ready frames)."""
    rng = np.random.default_rng(seed)
    # Study codes with at most six digits: longer digit runs would look like record numbers.
    ids = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    arm = np.where(np.arange(n) % 2 == 0, "enhanced", "routine")
    status = rng.choice(
        ["completed", "withdrew", "lost_to_follow_up"], size=n, p=[0.84, 0.08, 0.08]
    )
    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "arm": arm,
            "status": status,
            "role": rng.choice(ROLES, size=n),
            "event_type": rng.choice(EVENTS, size=n),
            "site": rng.choice(SITES, size=n),
        }
    )

    # Completers answer every wave; the others stop after one or two waves.
    waves_answered = np.where(status == "completed", len(MONTHS), rng.integers(1, 3, size=n))
    pid = np.repeat(ids, waves_answered)
    offsets = np.cumsum(np.r_[0, waves_answered[:-1]])
    wave_idx = np.arange(waves_answered.sum()) - np.repeat(offsets, waves_answered)
    month = np.asarray(MONTHS)[wave_idx]
    m = len(pid)
    stage = rng.integers(1, 7, size=m).astype(float)
    stage[rng.random(m) < 0.03] = np.nan
    path = np.where(stage == 6, rng.choice(["dropping_out", "surviving", "thriving"], size=m), "")
    responses = {"participant_id": pid, "month": month, "stage": stage, "stage6_path": path}
    used = {}
    for i, code in enumerate(RESOURCES):
        u = (rng.random(m) < 0.15 + 0.05 * (i % 5)).astype(float)
        u[(month == 0) | (rng.random(m) < 0.02)] = np.nan
        used[code] = u
        rating = rng.integers(1, 6, size=m).astype(float)
        rating[(u != 1) | (rng.random(m) < 0.1)] = np.nan
        responses["used_" + code] = u
        responses["helpful_" + code] = rating
    # most_helpful: up to the first two used resources of the response.
    used_matrix = np.column_stack([used[c] == 1 for c in RESOURCES])
    first = np.where(used_matrix.any(axis=1), used_matrix.argmax(axis=1), -1)
    masked = used_matrix.copy()
    masked[np.arange(m), np.maximum(first, 0)] = False
    second = np.where(masked.any(axis=1), masked.argmax(axis=1), -1)
    codes = np.asarray((*RESOURCES, ""))
    mh = pd.Series(codes[first]) + np.where(second >= 0, ";" + codes[second], "")
    responses["most_helpful"] = mh.to_numpy()
    resp = pd.DataFrame(responses)
    for col in resp.columns:
        if resp[col].dtype == float:
            resp[col] = resp[col].astype("Int64")

    # Contacts: enhanced participants, 1 to 4 contacts, the last one ending support for most.
    enhanced = np.flatnonzero(arm == "enhanced")
    k = rng.integers(1, 5, size=len(enhanced))
    cpid = np.repeat(ids[enhanced], k)
    c_off = np.cumsum(np.r_[0, k[:-1]])
    contact_no = np.arange(k.sum()) - np.repeat(c_off, k) + 1
    day = (contact_no - 1) * 30 + rng.integers(0, 10, size=len(cpid))
    is_last = contact_no == np.repeat(k, k)
    ends = rng.random(len(enhanced)) < 0.9
    more = np.where(is_last & np.repeat(ends, k), "no", "yes")
    contacts = pd.DataFrame(
        {"participant_id": cpid, "contact_no": contact_no, "day": day, "more_followup": more}
    )
    return {"participants": participants, "responses": resp, "contacts": contacts}


def write(n: int, out: Path, seed: int = 7) -> Path:
    """Write the cohort's three CSVs into ``out`` (created) and return it."""
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in generate(n, seed).items():
        frame.to_csv(out / f"{name}.csv", index=False)
    return out
