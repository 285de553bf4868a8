"""The responses table's checks: ids, month (one response per participant and month), stage
and stage6_path, the resources' used_ and helpful_ columns and most_helpful; builds the
canonical responses table and warns of participants with no responses."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..cohort import named_flags
from ..contract import (
    HELPFUL_MAX,
    HELPFUL_MIN,
    HELPFUL_PREFIX,
    MAX_MOST_HELPFUL,
    RESPONSE_OPTIONAL,
    RESPONSE_REQUIRED,
    STAGE6_PATHS,
    STAGE_MAX,
    STAGE_MIN,
    USED_PREFIX,
)
from ..identifiers import mask, screen_values
from ..problems import WARNING
from ._cells import _isin, _join, _parse_ints, _text

if TYPE_CHECKING:
    from ._validator import _Validator


def check_responses(v: _Validator) -> None:
    table = "responses"
    r = v.tables.get(table)
    if r is None:
        return
    v.require(table, r, RESPONSE_REQUIRED)
    n = len(r)
    # the built columns: numbers as numpy arrays (a pd.Series of each would be one more
    # copy of every column before the frame stacks them)
    out: dict[str, pd.Series | np.ndarray] = {}
    pid_ok, who = v.participant_ids(table, r)
    month_ok = np.zeros(n, dtype=bool)
    if "month" in r:
        month, month_ok = v.whole_numbers(
            table,
            r,
            "month",
            0,
            "month must be a whole number 0 or more: the months since enrollment, 0 for the "
            "baseline survey.",
        )
        out["month"] = np.nan_to_num(month).astype("int64")
        v.duplicates(table, r, who, pid_ok & month_ok, month, "month", "a month {} response")
    if "participant_id" in r:
        out = {"participant_id": _text(r["participant_id"]), **out}

    # stage and stage6_path
    stage = np.full(n, np.nan)
    stage_ok = np.ones(n, dtype=bool)
    if "stage" in r:
        stage, blank, bad = _parse_ints(r["stage"])
        wrong = bad | (~blank & ((stage < STAGE_MIN) | (stage > STAGE_MAX)))
        stage_ok = ~wrong
        v.cells(
            table,
            r,
            "stage",
            wrong,
            f"stage must be a whole number from {STAGE_MIN} to {STAGE_MAX} (the recovery "
            "stage), or blank.",
        )
    out["stage"] = np.where(stage_ok, stage, np.nan)
    path = r["stage6_path"].str.lower() if "stage6_path" in r else pd.Series("", index=r.index)
    present = (path != "").to_numpy()
    unknown = present & ~_isin(path, STAGE6_PATHS)
    paths = _join(STAGE6_PATHS).replace(" and ", " or ")
    v.cells(
        table,
        r,
        "stage6_path",
        unknown,
        f"stage6_path must be {paths} (upper or lower case), or blank when stage is not 6.",
    )
    v.cells(
        table,
        r,
        "stage6_path",
        stage_ok & (stage == STAGE_MAX) & ~present,
        f"stage is 6 (moving on), so stage6_path must say which path: {paths}.",
    )
    v.cells(
        table,
        r,
        "stage6_path",
        stage_ok & (stage != STAGE_MAX) & present & ~unknown,
        "stage6_path is filled in but stage is not 6. Blank stage6_path or correct the stage.",
    )
    out["stage6_path"] = _text(path)

    # resources: used_<code> (the resources) and helpful_<code>
    codes = []
    for column in r.columns:
        if column.startswith(USED_PREFIX):
            code = column[len(USED_PREFIX) :]
            if code and ";" not in code:
                codes.append(code)
            else:
                v.add(
                    table,
                    None,
                    column,
                    None,
                    f"The column name {column} does not give a usable resource code. Name "
                    "it used_<code>, e.g. used_peers (no ';' in the code).",
                )
    v.resources = tuple(codes)
    # the used_ and helpful_ values are written once, into the rows of one float block
    # that becomes the built table's columns as it is (no copy of 2 x resources columns)
    numbers = np.empty((2 * len(codes), n))
    not_used: dict[str, np.ndarray] = {}  # a valid used_ that is not 1, per code
    for k, code in enumerate(codes):
        used_col, helpful_col = USED_PREFIX + code, HELPFUL_PREFIX + code
        used, blank, bad = _parse_ints(r[used_col], out=numbers[2 * k])
        wrong = bad | (~blank & (used != 0) & (used != 1))
        v.cells(
            table,
            r,
            used_col,
            wrong,
            f"{used_col} must be 1 (the resource was used), 0 (not used) or blank.",
        )
        used_ok = ~wrong  # a rating or most_helpful is only judged against a valid used_
        used[wrong] = np.nan
        not_used[code] = used_ok & (used != 1)
        if helpful_col not in r:
            numbers[2 * k + 1] = np.nan
            continue
        rating, blank, bad = _parse_ints(r[helpful_col], out=numbers[2 * k + 1])
        wrong = bad | (~blank & ((rating < HELPFUL_MIN) | (rating > HELPFUL_MAX)))
        v.cells(
            table,
            r,
            helpful_col,
            wrong,
            f"{helpful_col} must be a whole number from {HELPFUL_MIN} (not at all "
            f"helpful) to {HELPFUL_MAX} (extremely helpful), or blank.",
        )
        rated = ~blank & ~wrong
        v.cells(
            table,
            r,
            helpful_col,
            rated & used_ok & (used != 1),
            f"There is a helpfulness rating but {used_col} is not 1 in this row, so the "
            f"rating is ignored. If the resource was used, set {used_col} to 1.",
            WARNING,
        )
        rating[~(rated & (used == 1))] = np.nan  # only a rating of a used resource
    for column in r.columns:
        if column.startswith(HELPFUL_PREFIX):
            code = column[len(HELPFUL_PREFIX) :]
            if code not in codes:
                v.add(
                    table,
                    None,
                    column,
                    None,
                    f"There is no {USED_PREFIX}{code} column, so {column} is ignored. Add "
                    f"{USED_PREFIX}{code} if {code or 'this'} is a resource of this cohort.",
                    WARNING,
                )
    out["most_helpful"] = _most_helpful(v, r, codes, not_used)

    known = set(RESPONSE_REQUIRED) | set(RESPONSE_OPTIONAL)
    extras = [c for c in r.columns if c not in known and not c.startswith(("used_", "helpful_"))]
    v.problems += screen_values(table, r, ["participant_id", *extras], ids=v.id_words(who))
    v.ignored(table, extras)
    if all(c in r for c in RESPONSE_REQUIRED):
        front = ["participant_id", "month", "stage", "stage6_path"]
        resource_columns = [
            c for code in codes for c in (USED_PREFIX + code, HELPFUL_PREFIX + code)
        ]
        built = pd.DataFrame(numbers.T, columns=resource_columns, copy=False)
        for i, c in enumerate(front):
            built.insert(i, c, out[c])
        built["most_helpful"] = out["most_helpful"]
        v.built[table] = built
    # participants with no responses
    p = v.tables.get("participants")
    if v.id_codes is not None and "participant_id" in r:
        # set together, from the participants table
        assert p is not None and v.distinct_ids is not None
        answered = np.zeros(len(v.distinct_ids), dtype=bool)
        answered[who[pid_ok]] = True
        v.cells(
            "participants",
            p,
            "participant_id",
            (p["participant_id"] != "").to_numpy() & ~answered[v.id_codes],
            "This participant has no survey responses. They count as enrolled but appear in "
            "no wave; add their responses if they exist.",
            WARNING,
        )


def _most_helpful(v: _Validator, r: pd.DataFrame, codes: list[str], not_used: dict) -> pd.Series:
    """Check most_helpful; returns it normalised (lower-case codes joined by ';', NaN).
    ``not_used``: per code, where used_ is valid and not 1 (blank or 0)."""
    table = "responses"
    v.most_helpful_flags = np.zeros((len(r), len(codes)), dtype=bool, order="F")
    if "most_helpful" not in r:
        return pd.Series(np.nan, index=range(len(r)), dtype="str")
    cells = r["most_helpful"]
    index_of, uniques = pd.factorize(cells)
    known = set(codes)
    normalised, unknown, count = [], [], []
    for text in uniques:
        parts = [x.strip().lower() for x in text.split(";")]
        parts = list(dict.fromkeys(x for x in parts if x))
        normalised.append(";".join(parts) if parts else np.nan)
        unknown.append([x for x in parts if x not in known])
        count.append(len(parts))
    has_unknown = np.array([bool(u) for u in unknown], dtype=bool)[index_of]
    too_many = np.array(count, dtype=int)[index_of] > MAX_MOST_HELPFUL
    listing = _join(codes) if codes else "(none: there is no used_ column)"
    v.cells(
        table,
        r,
        "most_helpful",
        has_unknown,
        lambda listed: [
            f"most_helpful names {_join([repr(mask(x)) for x in unknown[index_of[i]]])}, "
            f"which is not a resource of this cohort. The resources are the used_ columns: "
            f"{listing}. Correct the code (separate codes with ';')."
            for i in listed
        ],
    )
    v.cells(
        table,
        r,
        "most_helpful",
        too_many,
        lambda listed: [
            f"most_helpful names {count[index_of[i]]} resources; give at most "
            f"{MAX_MOST_HELPFUL}, separated by ';'."
            for i in listed
        ],
    )
    # per response and resource: named; the Cohort keeps these flags, and a name without
    # used_ = 1 gets a warning
    v.most_helpful_flags = named_flags(index_of, normalised, codes)
    named = {code: v.most_helpful_flags[:, j] & not_used[code] for j, code in enumerate(codes)}
    if named:
        unmarked = np.logical_or.reduce(list(named.values()))
        v.cells(
            table,
            r,
            "most_helpful",
            unmarked,
            lambda listed: [
                "most_helpful names "
                + _join([c for c in codes if named[c][i]])
                + ", but "
                + _join([USED_PREFIX + c for c in codes if named[c][i]])
                + " is not 1 in this row. Check whether the resource was used."
                for i in listed
            ],
            WARNING,
        )
    out = pd.Series(np.asarray(normalised, dtype=object), dtype="str")
    return out.take(index_of).reset_index(drop=True)
