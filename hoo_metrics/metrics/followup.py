"""Follow-up: peer-support contacts per participant, when support ended, and for how long.

Contract section 2, "Follow-up (peer-support contacts)". Counted: analysed participants with at
least one contact. A participant's *end contact* is their first contact (by ``contact_no``)
whose ``more_followup`` is "no"; one whose every contact says "yes" has not ended and is
censored at their last contact. Support duration is the ``day`` of the end contact (an event)
or of the last contact (censored), analysed with the Kaplan-Meier estimator (Kaplan & Meier
1958) via ``scipy.stats.ecdf`` on ``scipy.stats.CensoredData``, with scipy's default pointwise
Greenwood ("linear") 95 % bands.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats

from ..cohort import Cohort
from ._analysed import analyse
from ._frames import cast
from .inference import wilson_interval

SUMMARY_COLUMNS = (
    "group",
    "participants",
    "ended",
    "censored",
    "median_contacts",
    "median_support_days",
    "median_support_days_low",
    "median_support_days_high",
)
ENDED_COLUMNS = ("group", "contact", "ended", "participants", "share", "ci_low", "ci_high")
CONTACTS_COLUMNS = ("group", "contacts", "participants")
CURVE_COLUMNS = ("group", "day", "survival", "ci_low", "ci_high", "at_risk", "events")


def _per_participant(cohort: Cohort, group_by: str | None, population: str) -> pd.DataFrame:
    """One row per analysed participant with >= 1 contact: group, contacts, last_contact,
    end_contact (NaN if censored), ended, duration (day of end contact or of last contact).
    Built once per analysed cohort and grouping (the follow-up tables and tests share it,
    ``Analysed.contact_table``); each caller gets its own frame over the same columns."""
    return analyse(cohort, population).contact_table(group_by)


def _km(duration: np.ndarray, ended: np.ndarray, confidence: float = 0.95):
    """Kaplan-Meier survival, its pointwise bands and the times (scipy.stats.ecdf)."""
    data = stats.CensoredData(uncensored=duration[ended], right=duration[~ended])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # undefined band where S = 0 -> NaN
        sf = stats.ecdf(data).sf
        ci = sf.confidence_interval(confidence)
    return sf.quantiles, sf.probabilities, ci.low.probabilities, ci.high.probabilities


def _first_at_or_below(times: np.ndarray, curve: np.ndarray, level: float = 0.5) -> float:
    """Smallest time at which ``curve`` <= level; NaN if it never gets there."""
    hit = np.flatnonzero(curve <= level)
    return float(times[hit[0]]) if hit.size else float("nan")


def followup_summary(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Per group: participants (analysed, >= 1 contact), ended, censored, median contacts and
    median support duration in days with its 95 % interval.

    ``median_support_days`` is the smallest duration t with Kaplan-Meier S(t) <= 0.5 (NaN if S
    never falls that far); its interval runs from the first time the lower 95 % band is
    <= 0.5 to the first time the upper band is (Brookmeyer & Crowley 1982 style inversion of
    the pointwise bands, as R's survfit prints; NaN where a band never gets there). KM via
    scipy.stats.ecdf on CensoredData. A group with no participant with a contact: 0 and NaN.
    """
    per = _per_participant(cohort, group_by, population)
    rows = []
    for g in cohort.groups(group_by):
        sub = per[per["group"] == g]
        n = len(sub)
        med = low = high = float("nan")
        if n:
            t, s, s_low, s_high = _km(sub["duration"].to_numpy(), sub["ended"].to_numpy())
            med = _first_at_or_below(t, s)
            low = _first_at_or_below(t, s_low)
            high = _first_at_or_below(t, s_high)
        ended = int(sub["ended"].sum())
        rows.append(
            {
                "group": g,
                "participants": n,
                "ended": ended,
                "censored": n - ended,
                "median_contacts": float(sub["contacts"].median()) if n else float("nan"),
                "median_support_days": med,
                "median_support_days_low": low,
                "median_support_days_high": high,
            }
        )
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    return cast(
        out,
        {"group": "str", "participants": "int64", "ended": "int64", "censored": "int64"}
        | {c: "float64" for c in SUMMARY_COLUMNS[4:]},
    )


def ended_by_contact(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Per group and contact k = 1 .. the largest ``contact_no`` among the group's counted
    participants: ``ended`` = participants whose end contact is <= k, ``share`` = ended /
    participants (analysed with >= 1 contact), with its Wilson (1927) 95 % interval.
    A group with no participant with a contact has no rows.
    """
    per = _per_participant(cohort, group_by, population)
    frames = []
    for g in cohort.groups(group_by):
        sub = per[per["group"] == g]
        if sub.empty:
            continue
        k_max = int(sub["last_contact"].max())
        ends = sub["end_contact"].dropna().astype("int64").to_numpy()
        ended = np.cumsum(np.bincount(ends, minlength=k_max + 1))[1:]
        frames.append(
            pd.DataFrame(
                {
                    "group": g,
                    "contact": np.arange(1, k_max + 1),
                    "ended": ended,
                    "participants": len(sub),
                }
            )
        )
    if not frames:
        out = pd.DataFrame({c: [] for c in ENDED_COLUMNS[:4]})
    else:
        out = pd.concat(frames, ignore_index=True)
    out = cast(out, {"group": "str", "contact": "int64", "ended": "int64", "participants": "int64"})
    with np.errstate(divide="ignore", invalid="ignore"):
        out["share"] = out["ended"] / out["participants"]
    out["share"] = out["share"].astype("float64")
    low, high = wilson_interval(out["ended"].to_numpy(), out["participants"].to_numpy())
    out["ci_low"] = np.asarray(low, dtype="float64")
    out["ci_high"] = np.asarray(high, dtype="float64")
    return out[list(ENDED_COLUMNS)]


def contacts_per_participant(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Distribution of the number of contacts: per group and number of contacts 1 .. the
    group's largest, how many counted participants had that many (zeros included, so a bar
    chart shows the gaps). A group with no participant with a contact has no rows."""
    per = _per_participant(cohort, group_by, population)
    frames = []
    for g in cohort.groups(group_by):
        counts = per.loc[per["group"] == g, "contacts"].to_numpy()
        if counts.size == 0:
            continue
        hist = np.bincount(counts)[1:]
        frames.append(
            pd.DataFrame(
                {"group": g, "contacts": np.arange(1, hist.size + 1), "participants": hist}
            )
        )
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: [] for c in CONTACTS_COLUMNS})
    )
    dtypes = {"group": "str", "contacts": "int64", "participants": "int64"}
    return cast(out, dtypes)[list(CONTACTS_COLUMNS)]


def support_duration_curve(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Kaplan-Meier curve of support duration (days) per group, for a step plot.

    One row per group at day 0 with survival 1 (before anything happened; at_risk = everyone,
    events 0), then one row per distinct duration (event or censoring): survival = KM S(day)
    (scipy.stats.ecdf(CensoredData).sf), ci_low/ci_high its pointwise 95 % band (Greenwood,
    scipy's default; NaN where undefined), at_risk = participants with duration >= day,
    events = supports ending on that day. A group with no participant with a contact has no rows.
    """
    per = _per_participant(cohort, group_by, population)
    frames = []
    for g in cohort.groups(group_by):
        sub = per[per["group"] == g]
        if sub.empty:
            continue
        duration = sub["duration"].to_numpy()
        ended = sub["ended"].to_numpy()
        t, s, s_low, s_high = _km(duration, ended)
        ordered = np.sort(duration)
        at_risk = ordered.size - np.searchsorted(ordered, t, side="left")
        event_times = np.sort(duration[ended])
        events = np.searchsorted(event_times, t, side="right") - np.searchsorted(
            event_times, t, side="left"
        )
        frames.append(
            pd.DataFrame(
                {
                    "group": g,
                    "day": np.concatenate([[0], t]),
                    "survival": np.concatenate([[1.0], s]),
                    "ci_low": np.concatenate([[1.0], s_low]),
                    "ci_high": np.concatenate([[1.0], s_high]),
                    "at_risk": np.concatenate([[ordered.size], at_risk]),
                    "events": np.concatenate([[0], events]),
                }
            )
        )
    out = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({c: [] for c in CURVE_COLUMNS})
    )
    return cast(
        out,
        {
            "group": "str",
            "day": "int64",
            "survival": "float64",
            "ci_low": "float64",
            "ci_high": "float64",
            "at_risk": "int64",
            "events": "int64",
        },
    )[list(CURVE_COLUMNS)]
