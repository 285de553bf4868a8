"""Formatting: numbers as the dashboard and reports print them. No streamlit here.

Every function takes raw numbers (as the metric functions return them) and gives text:
``share(6, 23)`` -> "26% (6/23)", ``p_value(0.024)`` -> "P = 0.02",
``ci(0.12, 0.4)`` -> "95% CI 0.12 to 0.40". Missing values (None, NaN) print as an en dash
or a plain sentence, never "nan". P-values follow the usual journal style (NEJM/JAMA): two
decimals, three below 0.01, "P < 0.001" below that. Also the display tables (wide, formatted)
built from the tidy metric tables, and the one-sentence takeaways shown under each chart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from .. import contract
from ..contract import (
    ALL_GROUP,
    POPULATION_LABELS,
    STAGE_CATEGORIES,
    resource_label,
    stage_category_label,
)
from ..privacy import (
    TOO_FEW_TEXT,
    SuppressedTable,
    Suppression,
    count_interval,
    recode_stage_mix,
    sum_interval,
)

__all__ = [
    "DASH",
    "SYNTHETIC_LABEL",
    "baseline_display",
    "baseline_pooled_note",
    "baseline_verdict",
    "ci",
    "comparison_display",
    "data_dictionary",
    "ended_text",
    "group_list",
    "is_missing",
    "mean_ci",
    "number",
    "p_value",
    "pct",
    "population_label",
    "recovered_tests_display",
    "resource_ranking_display",
    "share",
    "stage_mix_bars",
    "suppressed_text",
    "takeaway_difference",
    "takeaway_recovered",
    "takeaway_resource_test",
    "takeaway_top",
    "transition_matrix",
    "variable_label",
    "view_caption",
    "wave_ranking_display",
]

DASH = "–"
SYNTHETIC_LABEL = "SYNTHETIC"

#: A group too small to show, inside a sentence.
TOO_FEW_PHRASE = TOO_FEW_TEXT.lower()


def is_missing(x) -> bool:
    """True for None, NaN and pandas NA."""
    if x is None:
        return True
    try:
        return bool(pd.isna(x))
    except (TypeError, ValueError):
        return False


def number(x, digits: int = 1) -> str:
    """A number with a fixed count of decimals; integers-valued counts without decimals."""
    if is_missing(x):
        return DASH
    x = float(x)
    if digits == 0:
        return f"{round(x):d}"
    return f"{x:.{digits}f}"


def pct(x, digits: int = 0) -> str:
    """A share in [0, 1] as a percentage: 0.2608 -> "26%"."""
    if is_missing(x):
        return DASH
    return f"{100 * float(x):.{digits}f}%"


def share(k, n, digits: int = 0) -> str:
    """Count over denominator: share(6, 23) -> "26% (6/23)"; n = 0 -> "– (0/0)"."""
    if is_missing(n) or is_missing(k):
        return DASH
    k, n = int(k), int(n)
    if n == 0:
        return f"{DASH} (0/0)"
    return f"{pct(k / n, digits)} ({k}/{n})"


def p_value(p) -> str:
    """Journal style: "P = 0.02", "P = 0.004", "P < 0.001"; NaN -> "P not computable".

    Two decimals from 0.01 up, except that a value just under 0.05 that would round to
    "0.05" keeps three decimals (0.049 -> "P = 0.049"); three decimals from 0.001 to 0.01.
    """
    if is_missing(p):
        return "P not computable"
    p = float(p)
    if p < 0.001:
        return "P < 0.001"
    if p < 0.01:
        return f"P = {p:.3f}"
    if 0.045 <= p < 0.05:
        return f"P = {p:.3f}"
    if p > 0.99:
        return "P > 0.99"
    return f"P = {p:.2f}"


def ci(low, high, digits: int | None = None, percent: bool = False, level: int = 95) -> str:
    """A confidence interval: "95% CI 0.12 to 0.40"; percent=True: "95% CI 12% to 40%".

    ``digits`` defaults to 2 for plain numbers and 0 for percentages."""
    if is_missing(low) or is_missing(high):
        return f"{level}% CI not computable"
    if percent:
        d = 0 if digits is None else digits
        return f"{level}% CI {pct(low, d)} to {pct(high, d)}"
    digits = 2 if digits is None else digits
    return f"{level}% CI {number(low, digits)} to {number(high, digits)}"


def mean_ci(mean, low, high, digits: int = 1) -> str:
    """A mean with its interval: "4.2 (95% CI 3.6 to 4.8)"; no interval -> "4.2"."""
    if is_missing(mean):
        return DASH
    if is_missing(low) or is_missing(high):
        return number(mean, digits)
    return f"{number(mean, digits)} ({ci(low, high, digits)})"


def population_label(population: str) -> str:
    """ "completed" -> "Completers", "all" -> "All enrolled"."""
    return POPULATION_LABELS.get(population, population)


def variable_label(column: str | None) -> str:
    """A participant column as a label: "event_type" -> "Event type"."""
    if not column:
        return "No grouping"
    if column == "baseline_stage_category":
        return "Baseline stage category"
    text = column.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def group_list(groups: Sequence[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    groups = [str(g) for g in groups]
    if len(groups) <= 1:
        return "".join(groups)
    return ", ".join(groups[:-1]) + " and " + groups[-1]


def view_caption(
    population: str, filters: Mapping[str, Sequence[str]] | None, participants: int | None = None
) -> str:
    """What is being shown: "Completers, role = resident: 12 participants"; without the count
    (a subgroup refused for privacy) "Completers, role = resident"."""
    parts = [population_label(population)]
    for column, values in (filters or {}).items():
        if values:
            parts.append(f"{column} = {' or '.join(str(v) for v in values)}")
    if participants is None:
        return ", ".join(parts)
    noun = "participant" if participants == 1 else "participants"
    return f"{', '.join(parts)}: {participants} {noun}"


# ---- suppressed tables ------------------------------------------------------------------------
def _unwrap(data):
    """(table, labels, too_few, k) of a SuppressedTable, or (frame, None, None, None)."""
    if isinstance(data, SuppressedTable):
        return (
            data.table.reset_index(drop=True),
            data.labels().reset_index(drop=True),
            data.too_few.to_numpy(),
            data.suppression.k,
        )
    return data.reset_index(drop=True), None, None, None


def _hide(texts, labels, too_few, *columns) -> list[str]:
    """``texts`` with each row built on a suppressed cell of ``columns`` replaced by its label:
    "Too few participants to show" for a row of a too-small group, else the first label ("<5"
    for a hidden small count, "suppressed" for anything else)."""
    out = [str(t) for t in texts]
    if labels is None:
        return out
    cols = [c for c in columns if c in labels.columns]
    if not cols:
        return out
    lab = labels[cols].to_numpy()
    for i in range(len(out)):
        row = [x for x in lab[i] if x]
        if row:
            out[i] = TOO_FEW_TEXT if too_few is not None and too_few[i] else row[0]
    return out


def suppressed_text(data, row: int, text: str, *columns: str) -> str:
    """``text`` for row position ``row`` of ``data`` (a SuppressedTable or a frame), or the
    label of the first suppressed cell among ``columns`` ("<5", "suppressed", "Too few
    participants to show"). Views use it for single numbers: metrics, captions, takeaways."""
    _, labels, too_few, _ = _unwrap(data)
    if labels is None:
        return text
    return _hide([text], labels.iloc[[row]].reset_index(drop=True), too_few[[row]], *columns)[0]


# ---- takeaways ---------------------------------------------------------------------------------
def takeaway_difference(
    subject: str,
    groups: Sequence[str],
    values: Sequence[str],
    p,
    test: str,
    n: Sequence[int] | None = None,
) -> str:
    """One sentence comparing groups: "Departmental leadership was named most helpful by 26% in
    enhanced vs 0% in routine, P = 0.02, Fisher's exact."

    ``subject`` is the sentence up to "by"/"in" (e.g. "Departmental leadership was named most
    helpful by"); ``values`` are already formatted; ``n`` adds the group sizes.
    """
    parts = []
    for i, (g, v) in enumerate(zip(groups, values, strict=True)):
        size = f" (n = {n[i]})" if n is not None else ""
        parts.append(f"{v} in {g}{size}")
    body = " vs ".join(parts)
    if len(groups) == 1 and groups[0] == ALL_GROUP:
        body = f"{values[0]} overall" + (f" (n = {n[0]})" if n is not None else "")
        return f"{subject} {body}."
    test_text = f", {p_value(p)}, {test}" if test else ""
    return f"{subject} {body}{test_text}."


def takeaway_top(what: str, ranking: Mapping[str, str]) -> str:
    """ "Most often named most helpful: Peers / colleagues in enhanced, Family in routine."."""
    items = [f"{label} in {g}" if g != ALL_GROUP else label for g, label in ranking.items()]
    return f"{what}: {group_list(items)}."


# ---- display tables (wide, formatted) ------------------------------------------------------------
def baseline_display(table: pd.DataFrame, tests: pd.DataFrame) -> pd.DataFrame:
    """Table 1: one row per variable level, one column "group (n = N)" with "n (%)" per group,
    then the p-value and the test, printed on the first level of each variable.

    ``table``: baseline_table output (variable, level, group, n, denominator, share);
    ``tests``: baseline_tests output (variable, test, statistic, p_value). Either may be a
    SuppressedTable: its hidden cells print as "<5" / "suppressed".
    """
    table, labels, too_few, k = _unwrap(table)
    tests, t_labels, _, _ = _unwrap(tests)
    if table.empty:
        return pd.DataFrame(columns=["Characteristic", "Level", "P", "Test"])
    groups = list(dict.fromkeys(table["group"]))
    denominators = table.groupby("group", sort=False)["denominator"].max()
    small = (
        {g: bool(f) for g, f in zip(table["group"], too_few, strict=True)}
        if too_few is not None
        else {}
    )
    cell = [share(k_, d) for k_, d in zip(table["n"], table["denominator"], strict=True)]
    cell = _hide(cell, labels, too_few, "n", "denominator", "share")
    wide = (
        table.assign(cell=cell)
        .pivot_table(
            index=["variable", "level"], columns="group", values="cell", aggfunc="first", sort=False
        )
        .reindex(columns=groups)
        # the rows in the table's order (pivoting orders a level by its first use anywhere)
        .reindex(pd.MultiIndex.from_frame(table[["variable", "level"]].drop_duplicates()))
        .fillna(share(0, 0))
        .reset_index()
    )

    def head(g) -> str:
        d = denominators[g]
        if not is_missing(d):
            return f"{g} (n = {int(d)})"
        return f"{g} (n < {k})" if small.get(g) else f"{g} (n suppressed)"

    wide.columns = ["variable", "level"] + [head(g) for g in groups]
    if t_labels is not None and not tests.empty:
        p_text = _hide([p_value(p) for p in tests["p_value"]], t_labels, None, "p_value")
        tests = tests.assign(_p=p_text)
    elif not tests.empty:
        tests = tests.assign(_p=[p_value(p) for p in tests["p_value"]])
    tests = tests.set_index("variable") if not tests.empty else tests
    first = ~wide["variable"].duplicated()
    p_col, test_col = [], []
    for var, is_first in zip(wide["variable"], first, strict=True):
        if is_first and var in getattr(tests, "index", []):
            p_col.append(str(tests.loc[var, "_p"]))
            test_col.append(test_with_recoding(tests.loc[var], var))
        else:
            p_col.append("")
            test_col.append("")
    wide["P"] = p_col
    wide["Test"] = test_col
    wide["level"] = [
        stage_category_label(lv) if v == "baseline_stage_category" else _level_text(lv)
        for v, lv in zip(wide["variable"], wide["level"], strict=True)
    ]
    wide["variable"] = [
        variable_label(v) if f else "" for v, f in zip(wide["variable"], first, strict=True)
    ]
    return wide.rename(columns={"variable": "Characteristic", "level": "Level"})


def test_with_recoding(row, variable: str) -> str:
    """A Table 1 test's name with what was recoded for it (``baseline_tests`` columns
    ``pooled`` and ``groups_left_out``): "Fisher's exact; pooled for the test: attending,
    midwife"."""
    text = str(row["test"])
    pooled = str(row.get("pooled", "") or "")
    left_out = str(row.get("groups_left_out", "") or "")
    if pooled:
        levels = [
            stage_category_label(v) if variable == "baseline_stage_category" else _level_text(v)
            for v in pooled.split("; ")
        ]
        text += f"; pooled for the test: {', '.join(levels)}"
    if left_out:
        text += f"; groups too small to show left out: {', '.join(left_out.split('; '))}"
    return text


def baseline_pooled_note(tests) -> str:
    """One sentence naming the levels pooled for each Table 1 test (``baseline_tests`` output
    or its SuppressedTable), "" when none was pooled."""
    if isinstance(tests, SuppressedTable):
        tests = tests.table
    if tests is None or "pooled" not in tests:
        return ""
    parts = []
    for row in tests[tests["pooled"] != ""].to_dict("records"):
        levels = test_with_recoding(row, row["variable"]).split("pooled for the test: ", 1)[1]
        parts.append(f"{variable_label(row['variable']).lower()}: {levels}")
    if not parts:
        return ""
    return "Tested on pooled levels (small counts): " + "; ".join(parts) + "."


def _level_text(level) -> str:
    """A level as printed: "neonatal_injury" -> "neonatal injury"; "<5" -> "under 5" (so a
    level never reads like a suppressed count)."""
    text = str(level).replace("_", " ")
    if text.startswith("<"):
        text = "under " + text[1:].lstrip()
    return text


def _shares(frame: pd.DataFrame, count: str, total: str) -> list[str]:
    """ "26% (6/23)" for each row's count of total."""
    return [share(k, n) for k, n in zip(frame[count], frame[total], strict=True)]


def _cis(frame: pd.DataFrame, low: str, high: str) -> list[str]:
    """ "95% CI 12% to 40%" for each row's interval of a share."""
    return [ci(lo, hi, percent=True) for lo, hi in zip(frame[low], frame[high], strict=True)]


def resource_ranking_display(overall: pd.DataFrame) -> pd.DataFrame:
    """Resources over the whole follow-up, per group, ranked (resources_overall output, or its
    SuppressedTable: hidden cells print as "<5" / "suppressed")."""
    overall, lab, tf, _ = _unwrap(overall)
    rows = pd.DataFrame(
        {
            "Group": overall["group"],
            "Rank": overall["rank"].astype("int64"),
            "Resource": [resource_label(r) for r in overall["resource"]],
            "Named most helpful": _shares(overall, "most_helpful_ever", "participants"),
            "Most helpful 95% CI": _cis(
                overall, "most_helpful_ever_ci_low", "most_helpful_ever_ci_high"
            ),
            "Used": _shares(overall, "used_ever", "participants"),
            "Use 95% CI": _cis(overall, "used_ever_ci_low", "used_ever_ci_high"),
            "Mean helpfulness (1-5)": [
                f"{number(m)} (n = {int(n)})" if not is_missing(m) else DASH
                for m, n in zip(overall["helpful_mean"], overall["helpful_n"], strict=True)
            ],
        }
    )
    if lab is not None:
        mh, u = "most_helpful_ever", "used_ever"
        cols = {
            "Named most helpful": (mh, "participants", f"{mh}_share"),
            "Most helpful 95% CI": (mh, "participants", f"{mh}_ci_low", f"{mh}_ci_high"),
            "Used": (u, "participants", f"{u}_share"),
            "Use 95% CI": (u, "participants", f"{u}_ci_low", f"{u}_ci_high"),
            "Mean helpfulness (1-5)": ("helpful_n", "helpful_mean"),
        }
        for name, sources in cols.items():
            rows[name] = _hide(rows[name], lab, tf, *sources)
        rows["Mean helpfulness (1-5)"] = _ratings(rows["Mean helpfulness (1-5)"])
    return rows.reset_index(drop=True)


def comparison_display(tests: pd.DataFrame) -> pd.DataFrame:
    """The group comparison of resources (compare_resources output or its SuppressedTable),
    formatted."""
    tests, lab, tf, _ = _unwrap(tests)
    measure = {"used_ever": "Used", "most_helpful_ever": "Named most helpful"}
    out = pd.DataFrame(
        {
            "Resource": [resource_label(r) for r in tests["resource"]],
            "Measure": [measure.get(m, m) for m in tests["measure"]],
            "Test": tests["test"].astype("str"),
            "P": [p_value(p) for p in tests["p_value"]],
            "BH q": [
                "< 0.01" if not is_missing(q) and q < 0.01 else number(q, 2)
                for q in tests["q_value"]
            ],
            "Risk difference": [pct(d) for d in tests["risk_difference"]],
            "Risk difference 95% CI": _cis(
                tests, "risk_difference_ci_low", "risk_difference_ci_high"
            ),
        }
    ).reset_index(drop=True)
    if lab is not None:
        out["P"] = _hide(out["P"], lab, tf, "p_value")
        out["BH q"] = _hide(out["BH q"], lab, tf, "q_value")
        out["Risk difference"] = _hide(out["Risk difference"], lab, tf, "risk_difference")
        out["Risk difference 95% CI"] = _hide(
            out["Risk difference 95% CI"], lab, tf, "risk_difference_ci_low"
        )
    return _one_test(out)


def recovered_tests_display(tests: pd.DataFrame) -> pd.DataFrame:
    """Resources of those who recovered (recovered_resource_tests output or its
    SuppressedTable), formatted; the test is named in the P column's title when all rows used
    the same one."""
    tests, lab, tf, _ = _unwrap(tests)
    out = pd.DataFrame(
        {
            "Resource": [resource_label(r) for r in tests["resource"]],
            "Used: early to thriving": _shares(tests, "transitioned", "transitioned_n"),
            "Used: everyone else": _shares(tests, "others", "others_n"),
            "Risk difference": [pct(d) for d in tests["risk_difference"]],
            "95% CI": _cis(tests, "risk_difference_ci_low", "risk_difference_ci_high"),
            "P": [p_value(p) for p in tests["p_value"]],
            "Test": tests["test"].astype("str"),
        }
    ).reset_index(drop=True)
    if lab is not None:
        for name, sources in {
            "Used: early to thriving": ("transitioned", "transitioned_n"),
            "Used: everyone else": ("others", "others_n"),
            "Risk difference": ("risk_difference",),
            "95% CI": ("risk_difference_ci_low", "risk_difference_ci_high"),
            "P": ("p_value",),
        }.items():
            out[name] = _hide(out[name], lab, tf, *sources)
    return _one_test(out)


def transition_matrix(transitions: pd.DataFrame, group: str | None = None) -> pd.DataFrame:
    """From-category x to-category counts (rows: baseline, columns: follow-up), with totals.

    ``transitions``: the transitions output (group, from, to, n); one group or all summed. A
    SuppressedTable (``suppress_transitions``) gives text cells: hidden counts and totals (from
    its ``.margins``) print as "<5" / "suppressed" / "Too few participants to show".
    """
    if isinstance(transitions, SuppressedTable):
        return _suppressed_matrix(transitions, group)
    t = transitions if group is None else transitions[transitions["group"] == group]
    cats = list(STAGE_CATEGORIES)
    m = (
        t.groupby(["from", "to"])["n"]
        .sum()
        .unstack("to")
        .reindex(index=cats, columns=cats)
        .fillna(0)
        .astype("int64")
    )
    m["Total"] = m.sum(axis=1)
    m.loc["Total"] = m.sum(axis=0)
    m.index = [stage_category_label(c) if c != "Total" else c for c in m.index]
    m.columns = [_SHORT_CATEGORY.get(c, c) for c in m.columns]
    m.index.name = "Baseline \\ follow-up"
    return m


def _suppressed_matrix(st: SuppressedTable, group: str | None) -> pd.DataFrame:
    table, labels, too_few, k = _unwrap(st)
    text = _hide([number(v, 0) for v in table["n"]], labels, too_few, "n")
    cells = table.assign(text=text)
    margins = st.margins if st.margins is not None else pd.DataFrame()
    if group is not None:
        cells = cells[cells["group"] == group]
        margins = margins[margins["group"] == group] if len(margins) else margins
    cats = list(STAGE_CATEGORIES)
    m = (
        cells.pivot_table(index="from", columns="to", values="text", aggfunc="first")
        .reindex(index=cats, columns=cats)
        .astype(object)  # a column with no cell comes back as float NaN
        .fillna("0")  # transitions lists non-zero cells only: an absent cell is a true 0
    )
    m["Total"] = "0"
    m.loc["Total"] = "0"
    small = bool(too_few[cells.index].any()) if len(cells) else False
    for r in margins.itertuples(index=False) if len(margins) else ():
        if r.suppressed:
            value = TOO_FEW_TEXT if small else (f"<{k}" if r.reason == "small_count" else "")
            value = value or "suppressed"
        else:
            value = number(r.n, 0)
        m.loc[r[1], r[2]] = value
    m.index = [stage_category_label(c) if c != "Total" else c for c in m.index]
    m.columns = [_SHORT_CATEGORY.get(c, c) for c in m.columns]
    m.index.name = "Baseline \\ follow-up"
    return m.astype("str")


#: Short column titles for the transition matrix (the rows carry the full labels).
_SHORT_CATEGORY = {
    "early": "Early",
    "middle": "Middle",
    "dropping_out": "Dropping out",
    "surviving": "Surviving",
    "thriving": "Thriving",
}


def _one_test(out: pd.DataFrame) -> pd.DataFrame:
    """When every row used the same test, name it in the P column's title instead."""
    tests = set(out["Test"]) - {"", "nan"}
    if len(tests) == 1:
        return out.drop(columns="Test").rename(columns={"P": f"P ({tests.pop()})"})
    return out


def ended_text(ended, contacts: Sequence[int] = (1, 2), digits: int = 0) -> dict[str, str]:
    """Per group, "65% (15/23) by contact 1, 91% (21/23) by contact 2" from ended_by_contact
    output (or its SuppressedTable: a hidden share prints "<5 by contact 2" or "suppressed by
    contact 2"); a contact beyond a group's last contact repeats its last share."""
    table, labels, too_few, _ = _unwrap(ended)
    text = [share(k, n, digits) for k, n in zip(table["ended"], table["participants"], strict=True)]
    hidden = _hide(text, labels, too_few, "ended", "participants", "share")
    text = [t if h == t else f"{h}:" for t, h in zip(text, hidden, strict=True)]
    table = table.assign(_text=text, _few=too_few if too_few is not None else False)
    out = {}
    for group, d in table.groupby("group", sort=False):
        if d["_few"].all():
            out[str(group)] = TOO_FEW_PHRASE
            continue
        d = d.set_index("contact")
        parts = []
        for k in contacts:
            upto = d[d.index <= k]
            if len(upto):
                t = upto["_text"].iloc[-1]
                parts.append(
                    f"by contact {k} {t[:-1]}" if t.endswith(":") else f"{t} by contact {k}"
                )
        out[str(group)] = ", ".join(parts)
    return out


def wave_ranking_display(by_wave: pd.DataFrame) -> pd.DataFrame:
    """Resources at one or more follow-up waves, per group, ranked (resources_by_wave output or
    its SuppressedTable)."""
    by_wave, lab, tf, _ = _unwrap(by_wave)
    out = pd.DataFrame(
        {
            "Month": by_wave["month"].astype("int64"),
            "Group": by_wave["group"],
            "Rank": by_wave["rank"].astype("int64"),
            "Resource": [resource_label(r) for r in by_wave["resource"]],
            "Named most helpful": _shares(by_wave, "most_helpful", "respondents"),
            "Used": _shares(by_wave, "used", "respondents"),
            "Use 95% CI": _cis(by_wave, "used_ci_low", "used_ci_high"),
            "Mean helpfulness (1-5)": [
                f"{mean_ci(m, lo, hi)}, n = {int(n)}" if not is_missing(n) and n > 0 else DASH
                for m, lo, hi, n in zip(
                    by_wave["helpful_mean"],
                    by_wave["helpful_ci_low"],
                    by_wave["helpful_ci_high"],
                    by_wave["helpful_n"],
                    strict=True,
                )
            ],
        }
    ).reset_index(drop=True)
    if lab is not None:
        for name, sources in {
            "Named most helpful": ("most_helpful", "respondents", "most_helpful_share"),
            "Used": ("used", "respondents", "used_share"),
            "Use 95% CI": ("used", "respondents", "used_ci_low", "used_ci_high"),
            "Mean helpfulness (1-5)": ("helpful_n", "helpful_mean", "helpful_ci_low"),
        }.items():
            out[name] = _hide(out[name], lab, tf, *sources)
        out["Mean helpfulness (1-5)"] = _ratings(out["Mean helpfulness (1-5)"])
    return out


def _ratings(texts) -> list[str]:
    """A mean hidden for too few ratings reads "<5 ratings", never like a mean below 5."""
    return [f"{t} ratings" if str(t).startswith("<") else str(t) for t in texts]


_MEASURE_VERB = {
    "most_helpful_ever": "was named most helpful by",
    "used_ever": "was used by",
}


def takeaway_resource_test(tests, overall, measure: str) -> str:
    """The sentence for the resource that differs most between groups on ``measure`` (smallest
    p-value; compare_resources and resources_overall outputs, or their SuppressedTables: only
    shown values are quoted); with one group, the top one."""
    suppressed = isinstance(overall, SuppressedTable) and overall.any
    tests_hidden = isinstance(tests, SuppressedTable) and tests.any
    tests = tests.table if isinstance(tests, SuppressedTable) else tests
    overall = overall.table if isinstance(overall, SuppressedTable) else overall
    groups = list(dict.fromkeys(overall["group"]))
    col = measure
    if len(groups) < 2 or tests.empty:
        d = overall[overall[f"{col}_share"].notna()]
        d = d.sort_values(f"{col}_share", ascending=False, kind="stable")
        if d.empty:
            if suppressed:
                return "Every value is hidden by small-cell suppression in this view."
            return "No follow-up responses in this view."
        r = d.iloc[0]
        among = " (among the values shown)" if suppressed else ""
        return (
            f"{resource_label(r['resource'])} {_MEASURE_VERB[col]} the most participants"
            f"{among}: {share(r[col], r['participants'])}."
        )
    t = tests[(tests["measure"] == measure) & tests["p_value"].notna()]
    if t.empty:
        if tests_hidden:
            return (
                "No group comparison can be shown: every test has a cell hidden by small-cell "
                "suppression."
            )
        return "No resource could be compared between groups (nobody used any)."
    r = t.sort_values("p_value", kind="stable").iloc[0]
    d = overall[overall["resource"] == r["resource"]].set_index("group").reindex(groups)
    values = [pct(v) for v in d[f"{col}_share"]]
    n = [int(v) for v in d["participants"].fillna(0)]
    qv = r.get("q_value")
    q = "" if is_missing(qv) else (" (BH q < 0.01)" if qv < 0.01 else f" (BH q = {number(qv, 2)})")
    sentence = takeaway_difference(
        f"{resource_label(r['resource'])} {_MEASURE_VERB[col]}",
        groups,
        values,
        r["p_value"],
        str(r["test"]),
        n=n,
    )
    return sentence[:-1] + q + "."


def takeaway_recovered(tests) -> str:
    """The sentence for the resource that differs most between those who went from early to
    thriving and everyone else (recovered_resource_tests output, or its SuppressedTable)."""
    hidden = isinstance(tests, SuppressedTable) and tests.any
    tests = tests.table if isinstance(tests, SuppressedTable) else tests
    t = tests[tests["p_value"].notna()]
    if t.empty:
        if hidden:
            return (
                "The resources of those who went from early stages to thriving are hidden: "
                "their counts are too small to show without identifying someone."
            )
        return "Too few participants went from early stages to thriving to compare resources."
    r = t.sort_values("p_value", kind="stable").iloc[0]
    return (
        f"{resource_label(r['resource'])} was used by "
        f"{share(r['transitioned'], r['transitioned_n'])} of those who went from early "
        "stages to thriving vs "
        f"{share(r['others'], r['others_n'])} of the others, {p_value(r['p_value'])}, {r['test']}."
    )


def baseline_verdict(tests, grouping: str = "arm", alpha: float = 0.05) -> str:
    """One line on comparability at baseline from baseline_tests output (or its
    SuppressedTable: hidden tests are left out, and the sentence says so)."""
    hidden = 0
    if isinstance(tests, SuppressedTable):
        hidden = int(tests.mask["p_value"].sum()) if "p_value" in tests.mask else 0
        tests = tests.table
    t = tests[tests["p_value"].notna()]
    if t.empty:
        if hidden:
            return (
                "The baseline tests are hidden: each characteristic's table has a cell too "
                "small to show, and a P-value could give it back."
            )
        return "No baseline characteristic could be tested between the groups."
    if hidden:
        return baseline_verdict(t, grouping, alpha)[:-1] + (
            f"; {hidden} test{'s' if hidden > 1 else ''} hidden by small-cell suppression."
        )
    pooled = int((t["pooled"] != "").sum()) if "pooled" in t else 0
    if pooled:
        return baseline_verdict(t.drop(columns="pooled"), grouping, alpha)[:-1] + (
            f"; levels with small counts pooled for {pooled} of the {len(t)} tests."
        )
    low = t[t["p_value"] < alpha]
    smallest = t.sort_values("p_value", kind="stable").iloc[0]
    if low.empty:
        return (
            f"The groups look comparable at baseline: no characteristic differs by "
            f"{variable_label(grouping).lower()} at P < {alpha} (smallest: "
            f"{variable_label(smallest['variable']).lower()}, "
            f"{p_value(smallest['p_value'])}, {smallest['test']})."
        )
    names = group_list([variable_label(v).lower() for v in low["variable"]])
    return (
        f"The groups differ at baseline in {names} ({p_value(smallest['p_value'])}, "
        f"{smallest['test']}): keep this in mind when comparing outcomes."
    )


def data_dictionary(resources: Sequence[str] = tuple(contract.RESOURCE_LABELS)) -> pd.DataFrame:
    """The data contract as a table: file, column, required, allowed values, meaning."""
    rows = [
        ("participants.csv", "participant_id", "yes", "text", "study code, never a name/MRN/date"),
        ("participants.csv", "arm", "yes", "text", "the randomized group"),
        ("participants.csv", "status", "yes", " / ".join(contract.STATUSES), "how it ended"),
        ("participants.csv", "role", "no", "text", "e.g. attending, resident, midwife, nurse"),
        ("participants.csv", "event_type", "no", "text", "e.g. maternal_death, neonatal_injury"),
        (
            "participants.csv",
            "(any other)",
            "no",
            "text or number",
            "descriptive; can group/filter",
        ),
        ("responses.csv", "participant_id", "yes", "text", "must exist in participants"),
        ("responses.csv", "month", "yes", "integer >= 0", "months since enrollment; 0 = baseline"),
        ("responses.csv", "stage", "no", "1-6 or blank", "recovery stage (Scott et al. 2009)"),
        (
            "responses.csv",
            "stage6_path",
            "if stage 6",
            " / ".join(contract.STAGE6_PATHS),
            "path of stage 6, blank otherwise",
        ),
        (
            "responses.csv",
            "used_<code>",
            "no",
            "0, 1 or blank",
            "used the resource since last wave",
        ),
        ("responses.csv", "helpful_<code>", "no", "1-5 or blank", "1 not at all ... 5 extremely"),
        ("responses.csv", "most_helpful", "no", "up to 3 codes, ';'", "most helpful resources"),
        ("contacts.csv", "participant_id", "yes", "text", "must exist in participants"),
        ("contacts.csv", "contact_no", "yes", "integer >= 1", "1, 2, 3 ... per participant"),
        ("contacts.csv", "day", "yes", "integer >= 0", "days since the adverse event"),
        ("contacts.csv", "more_followup", "yes", "yes / no", "wanted another contact"),
    ]
    out = pd.DataFrame(rows, columns=["File", "Column", "Required", "Values", "Meaning"])
    codes = pd.DataFrame(
        {
            "File": "responses.csv",
            "Column": [f"used_{c} / helpful_{c}" for c in resources],
            "Required": "no",
            "Values": "resource code",
            "Meaning": [resource_label(c) for c in resources],
        }
    )
    return pd.concat([out, codes], ignore_index=True)


def moved_on_at_least(side: pd.DataFrame, total, k: int | Suppression) -> float | None:
    """How many of a stage mix had at least moved on (stage 6, by any path), as a reader of
    the view can work out from its printed cells: ``side`` holds one suppressed count per
    stage category (index) in ``n`` (NaN where hidden) with its ``reason`` code, ``total``
    the participants with a stage (NaN where hidden). The lower end of ``privacy.sum_interval``,
    or None when it is under k (it would read like a small count) or is the exact count (the
    count is hidden)."""
    kk = k.effective_k if isinstance(k, Suppression) else int(k)
    reasons = side["reason"] if "reason" in side else pd.Series("", index=side.index)
    total = float(total)
    intervals = {
        c: count_interval(float(side["n"][c]), str(reasons[c]), kk, total) for c in side.index
    }
    low, high = sum_interval(intervals, contract.MOVED_ON, total)
    return low if kk <= low < high else None


def stage_mix_bars(
    margins: pd.DataFrame, group: str, month, k: int | Suppression
) -> tuple[pd.DataFrame, dict[str, float], list[str]]:
    """The stage mix at baseline and at ``month`` of one group's transition matrix (its
    suppressed ``margins``: the "from" and "to" totals, with each hidden one's reason), for
    ``figures.stage_distribution_chart``: (counts: group = bar label, category, n, at_least;
    totals per bar; the bars recoded to coarser categories).

    Each bar is recoded by ``privacy.recode_stage_mix`` when its five categories cannot all be
    shown. A bar no recoding can show keeps its shown categories (the rest is drawn as one
    hidden segment), unless none of them is above 0: then it shows how many had at least moved
    on (``at_least`` True), the lower end of what the printed cells and their reasons say
    (``privacy.sum_interval``), when that is at least k and not the exact count."""
    m = margins[margins["group"] == group]
    total = m[(m["from"] == "Total") & (m["to"] == "Total")]["n"].iloc[0]
    sides = {
        "Baseline": m[(m["to"] == "Total") & (m["from"] != "Total")].set_index("from"),
        f"Month {month}": m[(m["from"] == "Total") & (m["to"] != "Total")].set_index("to"),
    }
    frames, recoded = [], []
    for label, side in sides.items():
        series = side["n"]
        mix = series.to_dict()
        at_least = False
        if series.isna().any():
            shown = recode_stage_mix(mix, total, k)
            if shown is not None:
                mix = shown
                recoded.append(label)
            elif not (series.fillna(0) > 0).any():  # nothing above 0 to draw: bound it
                low = moved_on_at_least(side, total, k)
                if low is not None:
                    mix, at_least = {"not_moved_on": float("nan"), "moved_on": low}, True
                    recoded.append(label)
        frames.append(
            pd.DataFrame(
                {
                    "group": label,
                    "category": list(mix),
                    "n": list(mix.values()),
                    "at_least": [at_least and c == "moved_on" for c in mix],
                }
            )
        )
    return pd.concat(frames, ignore_index=True), dict.fromkeys(sides, total), recoded
