"""Table 1: the analysed participants' baseline characteristics by group, with tests.

Counts and shares of every level of every descriptive participant column, and of the baseline
(month 0) stage category (Scott et al. 2009 stages, see ``stages.stage_category``), per group,
as in the "Table 1" of a trial report (CONSORT 2010 item 15). Group differences are tested
with ``inference.contingency_test``: Fisher's exact test for 2 x 2 tables, the exact
Fisher-Freeman-Halton test (Freeman & Halton 1951) for larger tables when they can be
enumerated, the chi-square test of independence otherwise.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cohort import Cohort, sort_groups
from .contract import BLANK_GROUP, PARTICIPANT_OPTIONAL, STAGE_CATEGORIES
from .inference import contingency_test
from .stages import stage_category

BASELINE_STAGE = "baseline_stage_category"
NOT_TESTED_ONE_LEVEL = "not tested (one level)"
NOT_TESTED_ONE_GROUP = "not tested (one group)"
TABLE_COLUMNS = ("variable", "level", "group", "n", "denominator", "share")
TEST_COLUMNS = ("variable", "test", "statistic", "p_value")


def _variables(analysed: Cohort, group_by: str | None) -> dict[str, pd.Series]:
    """Each Table 1 variable as str labels aligned with ``analysed.participants`` (blank ->
    BLANK_GROUP): role, event_type, the other descriptive columns in file order, then the
    baseline stage category."""
    p = analysed.participants
    skip = {"participant_id", "status", group_by}
    names = [c for c in PARTICIPANT_OPTIONAL if c in p and c not in skip]
    names += [c for c in p.columns if c not in skip and c not in names]
    out = {name: analysed.group_labels(name) for name in names}

    r = analysed.responses
    base = r[r["month"].to_numpy() == 0]
    category = pd.Series(
        stage_category(base["stage"], base["stage6_path"]).to_numpy(),
        index=base["participant_id"].to_numpy(),
    )
    stage = p["participant_id"].map(category)
    out[BASELINE_STAGE] = stage.where(stage.notna(), BLANK_GROUP).astype("str")
    return out


def _levels(variable: str, values: pd.Series) -> list[str]:
    """Levels seen, in reading order: stage categories in contract order, other values
    ascending (numerically when all numbers); the blank level last."""
    seen = set(values.unique())
    if variable == BASELINE_STAGE:
        levels = [c for c in STAGE_CATEGORIES if c in seen]
    else:
        levels = sort_groups(seen - {BLANK_GROUP})
    return levels + ([BLANK_GROUP] if BLANK_GROUP in seen else [])


def _crosstab(values: pd.Series, labels: pd.Series, levels: list[str], groups: list[str]):
    """Counts of participants by level (rows) and group (columns), zeros included."""
    counts = (
        pd.DataFrame(
            {
                "level": pd.Categorical(values.to_numpy(), categories=levels),
                "group": pd.Categorical(labels.to_numpy(), categories=groups),
            }
        )
        .groupby(["level", "group"], observed=False)
        .size()
    )
    return counts.to_numpy(dtype="int64").reshape(len(levels), len(groups))


def baseline_table(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Table 1: analysed participants by baseline characteristic, level and group.

    Variables: ``role``, ``event_type``, every other descriptive participant column (not
    ``participant_id``, ``status`` or the grouping column; ``arm`` is one when grouping by
    something else), and ``baseline_stage_category`` (the stage category at month 0, Scott et
    al. 2009). Blank cells, and participants without a baseline stage, are the level
    ``contract.BLANK_GROUP``.

    Returns
    -------
    DataFrame variable, level, group (str), n (int64), denominator (int64: the group's
    analysed participants), share (float64, n / denominator; NaN for a group with nobody
    analysed). Every level seen among the analysed participants is crossed with every group
    of ``cohort.groups(group_by)``, zeros included. Rows by variable (order above), level
    (stage categories in contract order, other values ascending, blank last), group.
    """
    analysed = cohort.analysis_set(population)
    groups = cohort.groups(group_by)
    labels = analysed.group_labels(group_by)
    denominator = labels.value_counts().reindex(groups, fill_value=0).to_numpy(dtype="int64")
    parts = []
    for variable, values in _variables(analysed, group_by).items():
        levels = _levels(variable, values)
        counts = _crosstab(values, labels, levels, groups)
        parts.append(
            pd.DataFrame(
                {
                    "variable": variable,
                    "level": np.repeat(levels, len(groups)),
                    "group": np.tile(groups, len(levels)),
                    "n": counts.ravel(),
                    "denominator": np.tile(denominator, len(levels)),
                }
            )
        )
    if not parts or not groups:
        return _empty_table()
    out = pd.concat(parts, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(out["denominator"] > 0, out["n"] / out["denominator"], np.nan)
    out["share"] = share.astype("float64")
    return out.astype({"variable": "str", "level": "str", "group": "str"}).astype(
        {"n": "int64", "denominator": "int64"}
    )


def _empty_table() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variable": pd.Series([], dtype="str"),
            "level": pd.Series([], dtype="str"),
            "group": pd.Series([], dtype="str"),
            "n": pd.Series([], dtype="int64"),
            "denominator": pd.Series([], dtype="int64"),
            "share": pd.Series([], dtype="float64"),
        }
    )


def baseline_tests(
    cohort: Cohort, group_by: str | None = "arm", population: str = "completed"
) -> pd.DataFrame:
    """Tests of independence between each Table 1 variable and the group.

    For each variable of :func:`baseline_table`, the levels x groups table of the analysed
    participants, blanks left out (missing is not a level of the characteristic; as
    tableone), goes to ``inference.contingency_test``: Fisher's exact test, two-sided, for
    2 x 2; the exact Fisher-Freeman-Halton test (Freeman & Halton 1951) for larger tables when
    enumerable, else the chi-square test of independence (scipy.stats.chi2_contingency). The
    ``test`` column names the test used. A variable with fewer than two levels is
    ``"not tested (one level)"``, one whose participants are all in one group ``"not tested
    (one group)"``; both with NaN statistic and p-value.

    Returns
    -------
    DataFrame variable, test (str), statistic, p_value (float64); one row per variable, in
    the order of :func:`baseline_table`. Unadjusted p-values (Table 1 tests are descriptive).
    """
    analysed = cohort.analysis_set(population)
    groups = cohort.groups(group_by)
    labels = analysed.group_labels(group_by)
    rows = []
    for variable, values in _variables(analysed, group_by).items():
        levels = _levels(variable, values)
        counts = _crosstab(values, labels, levels, groups)
        counts = counts[np.array([level != BLANK_GROUP for level in levels], dtype=bool)]
        levels = [level for level in levels if level != BLANK_GROUP]
        if len(levels) < 2:
            rows.append((variable, NOT_TESTED_ONE_LEVEL, np.nan, np.nan))
        elif (counts.sum(axis=0) > 0).sum() < 2:
            rows.append((variable, NOT_TESTED_ONE_GROUP, np.nan, np.nan))
        else:
            rows.append((variable, *contingency_test(counts)))
    out = pd.DataFrame(rows, columns=list(TEST_COLUMNS))
    return out.astype(
        {"variable": "str", "test": "str", "statistic": "float64", "p_value": "float64"}
    )
