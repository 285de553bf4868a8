"""The Recovery page's view model: how participants moved between recovery stages (Scott et al.
2009) after baseline, from the view's jointly suppressed transition tables."""

from __future__ import annotations

from dataclasses import dataclass

from ..contract import ALL_GROUP, MOVED_ON
from ..metrics.inference import compare_proportions
from ..privacy import TOO_FEW_TEXT
from .figures import stage_distribution_chart, stage_sankey
from .format import (
    TOO_FEW_PHRASE,
    is_missing,
    moved_on_at_least,
    pct,
    recovered_tests_display,
    share,
    stage_mix_bars,
    suppressed_text,
    takeaway_difference,
    takeaway_recovered,
    transition_matrix,
)
from .model import Chart, Table
from .results import Results

__all__ = ["NO_TRANSITIONS", "Flow", "Matrix", "RecoveryPage", "build", "months"]

NO_TRANSITIONS = "No participant in this view has a stage at baseline and at follow-up."
FLOWS_CAPTION = (
    "Left: stage category at baseline; right: at the follow-up wave. Width = participants. "
    "Only analysed participants with a stage at both times. When single transitions are too "
    "few to show, the stage mix at baseline and at the wave is shown instead, with stages pooled "
    "(early / middle / moved on, or not yet moved on / moved on) where that lets it show."
)
RECOVERED_CAPTION = (
    "Use of each resource at any follow-up wave among participants who went from early stages "
    "to thriving, against all other participants with a transition; Fisher's exact test, "
    "two-sided; risk difference with Newcombe 95% CI. Not corrected for multiple testing."
)


@dataclass(frozen=True)
class Flow:
    """One group's column at the chosen wave: its chart, or (``chart`` None) why there is
    none."""

    title: str
    chart: Chart | None = None
    no_data: str = ""


@dataclass(frozen=True)
class Matrix:
    """One group's transition matrix, baseline to the last wave, under its tab."""

    tab: str
    group: str
    participants: str  # "22 participants", "<5 participants"
    table: Table


@dataclass(frozen=True)
class RecoveryPage:
    """What the Recovery page shows at follow-up month ``month``."""

    takeaway: str  # early to thriving by group, with the test when its counts show
    month: int
    flows: tuple[Flow, ...]
    flows_caption: str
    matrices: tuple[Matrix, ...]
    recovered_takeaway: str
    recovered: Table


def months(results: Results) -> list[int]:
    """The follow-up months with a transition from baseline (none: nothing to show)."""
    waves = results.tables.get("transition_waves")
    return [] if waves is None else sorted(waves.table["month"].unique().tolist())


def build(results: Results, month: int) -> RecoveryPage:
    """The page of the view ``results`` with the flows at follow-up month ``month``."""
    ett = results.tables["early_to_thriving"]
    groups = ett.table["group"].tolist()
    last = results.tables["transitions"]
    rec = results.tables["recovered_resource_tests"]
    matrices = []
    for group in groups:
        m = transition_matrix(last, group)
        table = Table(m, f"transitions-{group}", key=f"matrix_{group}", hide_index=False)
        matrices.append(Matrix(str(group), group, f"{m.loc['Total', 'Total']} participants", table))
    return RecoveryPage(
        takeaway=_early_to_thriving(ett),
        month=month,
        flows=_flows(results, groups, month),
        flows_caption=FLOWS_CAPTION,
        matrices=tuple(matrices),
        recovered_takeaway=takeaway_recovered(rec),
        recovered=Table(
            recovered_tests_display(rec), "recovered-resources", "recovered", RECOVERED_CAPTION
        ),
    )


def _early_to_thriving(ett) -> str:
    """Early (1-3) at baseline to thriving (6) by group; the groups are tested only when every
    count shows (a test on hidden counts could give them back)."""
    e = ett.table.reset_index(drop=True)
    groups = e["group"].tolist()
    values = [
        TOO_FEW_PHRASE
        if ett.too_few.iloc[i]
        else suppressed_text(ett, i, share(e["n"][i], e["participants"][i]), "n", "participants")
        for i in range(len(e))
    ]
    p, test = None, ""
    if len(groups) > 1 and e["n"].notna().all() and e["participants"].notna().all():
        res = compare_proportions(e["n"].to_numpy(int), e["participants"].to_numpy(int), groups)
        p, test = res.pvalue, res.test
    text = takeaway_difference(
        "Moved from an early stage (1-3) at baseline to thriving (stage 6):",
        groups,
        values,
        p,
        test,
    )
    if len(groups) > 1 and not test:
        text = text[:-1] + "; the test is hidden with the counts it rests on."
    return text


def _flows(results: Results, groups: list, month: int) -> tuple[Flow, ...]:
    """Each group's flow at ``month``: a Sankey when every single transition shows, else the
    stage mix at baseline and at the wave (stages pooled where that lets them show)."""
    waves = results.tables["transition_waves"]
    keep = (waves.table["month"] == month).to_numpy()
    table = waves.table[keep].drop(columns="month")
    hidden = waves.mask[keep]
    too_few = waves.too_few[keep]
    assert waves.margins is not None  # a transition table carries its matrix totals
    margins = waves.margins[waves.margins["month"] == month].drop(columns="month")
    flows = []
    for group in groups:
        title = str(group) if group != ALL_GROUP else "Everyone"
        sel = (table["group"] == group).to_numpy()
        if not sel.any():
            flows.append(Flow(title, no_data="No transitions."))
            continue
        if too_few[sel].any():
            flows.append(Flow(title, no_data=TOO_FEW_TEXT + "."))
            continue
        to = margins[(margins["group"] == group) & (margins["from"] == "Total")].set_index("to")
        total = to.loc["Total", "n"]
        if is_missing(total):  # fewer than k with a stage at this wave
            flows.append(Flow(title, no_data=TOO_FEW_TEXT + "."))
            continue
        moved = to.loc[list(MOVED_ON), "n"]
        at_least = moved_on_at_least(to.drop(index="Total"), total, results.suppression)
        if moved.notna().all():
            text = (
                f"{share(moved.sum(), total)} had moved on (stage 6, by any path) by month {month}."
            )
        elif at_least is not None:  # the printed cells bound it
            text = (
                f"At least {pct(at_least / total)} of {int(total)} had moved on (stage 6, by any "
                f"path) by month {month}; the exact number is hidden (small counts)."
            )
        else:
            text = f"How many had moved on by month {month} is hidden (small counts)."
        if not hidden.loc[sel, "n"].any():  # every cell shown: the flow itself
            fig = stage_sankey(table[sel], f"Month {month}")
        else:  # cells hidden: the stage mix at baseline and at the wave, recoded if need be
            counts, totals, recoded = stage_mix_bars(margins, group, month, results.suppression)
            fig = stage_distribution_chart(counts, totals=totals)
            at_wave = counts[counts["group"] == f"Month {month}"]
            wave = at_wave[at_wave["category"] == "moved_on"]
            if moved.isna().any() and len(wave) and not wave["at_least"].iloc[0]:
                text = (  # the recoded bar says what the text could not
                    f"{share(wave['n'].iloc[0], total)} had moved on (stage 6, by any path) "
                    f"by month {month}."
                )
            if recoded:
                bars = ", ".join(b.lower() for b in recoded)
                text += f" Stages pooled so that they can be shown ({bars})."
        flows.append(Flow(title, Chart(fig, text, key=f"sankey_{group}")))
    return tuple(flows)
