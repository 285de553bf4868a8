"""Tiny cohorts written inline in tests, in the canonical dtypes of hoo_metrics.cohort."""

from __future__ import annotations

import pandas as pd

from hoo_metrics.cohort import Cohort
from hoo_metrics.io.canonical import empty_contacts


def make_cohort(
    participants: list[dict],
    responses: list[dict] | None = None,
    contacts: list[dict] | None = None,
    resources: tuple[str, ...] | None = None,
    name: str = "test",
) -> Cohort:
    """Build a Cohort from lists of row dicts.

    participants: dicts with at least participant_id and arm; status defaults to "completed".
    responses: dicts with participant_id, month and any of stage, stage6_path,
    used_<code>, helpful_<code>, most_helpful (missing keys are blank).
    contacts: dicts with participant_id, contact_no, day, more_followup ("yes"/"no" or bool).
    resources: resource codes; by default the codes of the used_ keys, in first-seen order.
    """
    p = pd.DataFrame(participants)
    p["status"] = p["status"].fillna("completed") if "status" in p else "completed"
    front = ["participant_id", "arm", "status"]
    p = p[front + [c for c in p.columns if c not in front]]
    for c in p.columns:  # the canonical dtype: str, NaN for blank (write numbers as strings)
        p[c] = p[c].astype("str")

    responses = responses or []
    if resources is None:
        seen: list[str] = []
        for r in responses:
            for k in r:
                if k.startswith("used_") and k[5:] not in seen:
                    seen.append(k[5:])
        resources = tuple(seen)
    cols = {
        "participant_id": pd.Series([r["participant_id"] for r in responses], dtype="str"),
        "month": pd.Series([r["month"] for r in responses], dtype="int64"),
        "stage": pd.Series([r.get("stage") for r in responses], dtype="float64"),
        "stage6_path": pd.Series([r.get("stage6_path") for r in responses], dtype="str"),
    }
    for code in resources:
        cols["used_" + code] = pd.Series(
            [r.get("used_" + code) for r in responses], dtype="float64"
        )
        cols["helpful_" + code] = pd.Series(
            [r.get("helpful_" + code) if r.get("used_" + code) == 1 else None for r in responses],
            dtype="float64",
        )
    cols["most_helpful"] = pd.Series([r.get("most_helpful") for r in responses], dtype="str")
    resp = pd.DataFrame(cols)

    if contacts:
        c = pd.DataFrame(contacts)
        c["participant_id"] = c["participant_id"].astype("str")
        c["contact_no"] = c["contact_no"].astype("int64")
        c["day"] = c["day"].astype("int64")
        c["more_followup"] = (
            c["more_followup"]
            .map(lambda v: v if isinstance(v, bool) else str(v).strip().lower() == "yes")
            .astype(bool)
        )
        c = c[["participant_id", "contact_no", "day", "more_followup"]]
    else:
        c = empty_contacts()
    return Cohort(
        participants=p.reset_index(drop=True),
        responses=resp,
        contacts=c,
        resources=tuple(resources),
        name=name,
    )


def one_contact_each(arms: dict[str, int], with_contact: dict[str, int]) -> Cohort:
    """Completers with peer-support contacts and no responses: ``arms`` {arm: completers};
    the first ``with_contact[arm]`` of an arm have one contact, on day 3 + i % 5 (3, 4, 5, 6,
    7, 3, ...), after which they wanted no more."""
    parts, contacts = [], []
    for arm, n in arms.items():
        for i in range(n):
            pid = f"{arm[0].upper()}{i:02d}"
            parts.append({"participant_id": pid, "arm": arm})
            if i < with_contact.get(arm, 0):
                contacts.append(
                    {
                        "participant_id": pid,
                        "contact_no": 1,
                        "day": 3 + i % 5,
                        "more_followup": "no",
                    }
                )
    return make_cohort(parts, [], contacts)
