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

from ..cohort import Cohort, sort_groups
from ..contract import BLANK_GROUP, PARTICIPANT_OPTIONAL, STAGE_CATEGORIES
from ._analysed import Analysed, analyse
from ._frames import cast
from .inference import contingency_test
from .stages import positions

BASELINE_STAGE = "baseline_stage_category"
NOT_TESTED_ONE_LEVEL = "not tested (one level)"
NOT_TESTED_ONE_GROUP = "not tested (one group)"
TABLE_COLUMNS = ("variable", "level", "group", "n", "denominator", "share")
TEST_COLUMNS = ("variable", "test", "statistic", "p_value")


def _variables(facts: Analysed, group_by: str | None) -> dict[str, tuple[list[str], np.ndarray]]:
    """Each Table 1 variable as (levels, level position of each analysed participant):
    role, event_type, the other descriptive columns in file order, then the baseline stage
    category. Blank cells are the level BLANK_GROUP; levels per :func:`_order`."""
    analysed = facts.cohort
    p = analysed.participants
    # screened columns (names, free text, values of one's own) are never tabulated either
    skip = {"participant_id", "status", group_by, *analysed.screened}
    names = [c for c in PARTICIPANT_OPTIONAL if c in p and c not in skip]
    names += [c for c in p.columns if c not in skip and c not in names]
    out = {}
    for name in names:
        values = analysed.group_labels(name)
        levels = _order(sort_groups(values.unique()))
        out[name] = (levels, positions(values, levels))

    out[BASELINE_STAGE] = _baseline_stage(facts.stages.baseline)
    return out


def _baseline_stage(code: np.ndarray) -> tuple[list[str], np.ndarray]:
    """(levels, level position per participant) of the month-0 stage category (``code``: each
    participant's category code, -1 when none): categories seen, in contract order, then
    BLANK_GROUP for participants without one."""
    seen = np.bincount(code + 1, minlength=len(STAGE_CATEGORIES) + 1)
    levels = [c for i, c in enumerate(STAGE_CATEGORIES) if seen[i + 1]]
    # position of each code (shifted by one so that -1 -> 0) among the levels; blank last
    position = np.full(len(STAGE_CATEGORIES) + 1, len(levels), dtype="int64")
    for j, c in enumerate(levels):
        position[STAGE_CATEGORIES.index(c) + 1] = j
    if seen[0]:
        levels.append(BLANK_GROUP)
    return levels, position[code + 1]


def _order(levels: list[str]) -> list[str]:
    """The blank level moved last (values otherwise ascending, as ``sort_groups``)."""
    return [v for v in levels if v != BLANK_GROUP] + (
        [BLANK_GROUP] if BLANK_GROUP in levels else []
    )


def _crosstab(level: np.ndarray, group: np.ndarray, n_levels: int, n_groups: int) -> np.ndarray:
    """Counts of participants by level (rows) and group (columns), zeros included."""
    key = level.astype("int64") * n_groups + group
    return np.bincount(key, minlength=n_levels * n_groups).reshape(n_levels, n_groups)


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
    facts = analyse(cohort, population)
    groups = cohort.groups(group_by)
    group = positions(facts.cohort.group_labels(group_by), groups)
    denominator = np.bincount(group, minlength=len(groups)).astype("int64")
    parts = []
    for variable, (levels, level) in _variables(facts, group_by).items():
        counts = _crosstab(level, group, len(levels), len(groups))
        parts.append(
            pd.DataFrame(
                {
                    "variable": variable,
                    "level": np.repeat(np.array(levels, dtype="object"), len(groups)),
                    "group": np.tile(np.array(groups, dtype="object"), len(levels)),
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
    texts = dict.fromkeys(("variable", "level", "group"), "str")
    return cast(out, texts | {"n": "int64", "denominator": "int64"})


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
    facts = analyse(cohort, population)
    groups = cohort.groups(group_by)
    group = positions(facts.cohort.group_labels(group_by), groups)
    rows = []
    for variable, (levels, level) in _variables(facts, group_by).items():
        counts = _crosstab(level, group, len(levels), len(groups))
        if levels and levels[-1] == BLANK_GROUP:  # missing is not a level: left out
            counts, levels = counts[:-1], levels[:-1]
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
