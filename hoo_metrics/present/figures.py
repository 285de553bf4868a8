"""Figures: tidy metric tables -> plotly Figures. No streamlit here.

Colours: the Okabe-Ito palette (Okabe & Ito 2008, colour-blind safe). Each group keeps one
colour everywhere: ``group_colors`` assigns them from the cohort's full list of groups (before
filtering), so filtering never recolours a group. Every chart has axis titles with units.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from ..contract import ALL_GROUP, STAGE_CATEGORIES, resource_label, stage_category_label

__all__ = [
    "OKABE_ITO",
    "STAGE_COLORS",
    "consort_flow",
    "contacts_chart",
    "ended_by_contact_chart",
    "estimate_chart",
    "group_colors",
    "helpfulness_chart",
    "km_chart",
    "mark_synthetic",
    "resource_ranking_chart",
    "stage_distribution_chart",
    "stage_sankey",
    "use_heatmap",
]

#: Okabe-Ito, without yellow first (poor on white projectors) and black kept for "all".
OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
)
ALL_COLOR = "#444444"
#: Stage categories from early (light) to thriving (dark), Okabe-Ito hues.
STAGE_COLORS = {
    "early": "#D55E00",
    "middle": "#E69F00",
    "dropping_out": "#999999",
    "surviving": "#56B4E9",
    "thriving": "#009E73",
    # the recoded (coarser) categories
    "not_moved_on": "#CC79A7",
    "moved_on": "#0072B2",
}
#: Left to right in a stacked stage bar: the recoded categories beside the ones they pool.
_STAGE_ORDER = ("early", "middle", "not_moved_on", "moved_on", *STAGE_CATEGORIES[2:])
FONT = {"size": 14}
_LAYOUT = {
    "font": FONT,
    "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
    "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
    "plot_bgcolor": "white",
}


def group_colors(groups: Sequence[str]) -> dict[str, str]:
    """One fixed Okabe-Ito colour per group, by position in the full ascending group list."""
    colors = {ALL_GROUP: ALL_COLOR}
    for i, g in enumerate(groups):
        colors[str(g)] = OKABE_ITO[i % len(OKABE_ITO)] if g != ALL_GROUP else ALL_COLOR
    return colors


def _color(colors: Mapping[str, str], group: str, i: int) -> str:
    return colors.get(str(group), OKABE_ITO[i % len(OKABE_ITO)])


def _rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _style(fig: go.Figure, height: int, x_title: str, y_title: str) -> go.Figure:
    fig.update_layout(height=height, showlegend=True, **_LAYOUT)
    fig.update_xaxes(title_text=x_title, showgrid=True, gridcolor="#E5E5E5", zeroline=False)
    fig.update_yaxes(title_text=y_title, showgrid=True, gridcolor="#E5E5E5", zeroline=False)
    return fig


# The Resources charts are redrawn on every filter change. They are built as plain dicts and
# validated once, as a whole, by go.Figure: the update_* calls and make_subplots parse each
# property path on their own, which took about half of each chart's time; the figure JSON is
# the same.
def _axis(title: str, **extra) -> dict:
    """An axis as _style draws it (title, light grid, no zero line), with ``extra``."""
    return {
        **extra,
        "title": {"text": title},
        "showgrid": True,
        "gridcolor": "#E5E5E5",
        "zeroline": False,
    }


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": layout})


@lru_cache(maxsize=16)
def _subplot_row(cols: int, titled: bool) -> str:
    """make_subplots' layout (JSON) of one row of ``cols`` panels sharing the y axis, with
    placeholder panel titles when ``titled`` (computed once: make_subplots takes ~30 ms)."""
    fig = make_subplots(
        rows=1,
        cols=cols,
        shared_yaxes=True,
        subplot_titles=[f"panel {i}" for i in range(cols)] if titled else [],
        horizontal_spacing=0.03,
    )
    layout = fig.to_plotly_json()["layout"]
    layout.pop("template", None)
    return json.dumps(layout)


def _errors(values: pd.Series, low: pd.Series, high: pd.Series) -> dict:
    v = values.to_numpy(dtype=float)
    return {
        "type": "data",
        "symmetric": False,
        "array": np.clip(high.to_numpy(dtype=float) - v, 0, None),
        "arrayminus": np.clip(v - low.to_numpy(dtype=float), 0, None),
        "color": "#333333",
        "thickness": 1.5,
    }


# ---- Overview ---------------------------------------------------------------------------------
def consort_flow(
    enrollment: pd.DataFrame, colors: Mapping[str, str], total: float | None = None
) -> go.Figure:
    """CONSORT-style flow as a Sankey: enrolled -> each group -> completed / withdrew / lost.

    ``enrollment``: enrollment() output (group, enrolled, completed, withdrew, lost_to_follow_up),
    possibly suppressed (NaN = hidden). ``total``: the enrolled total to show (default: the sum).
    Hidden statuses of a group are drawn as one grey node without a number ("status
    hidden"), as wide as the group minus its shown statuses (a difference of shown numbers,
    so nothing hidden is drawn). A group whose size is hidden is drawn as wide as its shown
    statuses; what no group shows is pooled into one grey node from the (shown) total.
    """
    if total is None:
        total = enrollment["enrolled"].sum(min_count=1)
    total = None if pd.isna(total) else int(total)
    labels = [f"Enrolled: {total}" if total is not None else "Enrolled"]
    node_colors = ["#444444"]
    src, dst, val, link_colors = [], [], [], []
    status_names = {
        "completed": "Completed",
        "withdrew": "Withdrew",
        "lost_to_follow_up": "Lost to follow-up",
    }
    for i, row in enumerate(enrollment.itertuples(index=False)):
        shown = {
            name: int(getattr(row, status))
            for status, name in status_names.items()
            if not pd.isna(getattr(row, status)) and getattr(row, status) > 0
        }
        size_hidden = pd.isna(row.enrolled)
        # a hidden group size draws only the shown statuses: its width is their sum
        width = sum(shown.values()) if size_hidden else int(row.enrolled)
        if width == 0:
            continue
        gi = len(labels)
        c = _color(colors, row.group, i)
        labels.append(f"{row.group}" if size_hidden else f"{row.group}: {int(row.enrolled)}")
        node_colors.append(c)
        src.append(0)
        dst.append(gi)
        val.append(width)
        link_colors.append(_rgba(c, 0.35))
        for name, k in shown.items():
            labels.append(f"{row.group}, {name.lower()}: {k}")
            node_colors.append("#009E73" if name == "Completed" else "#999999")
            src.append(gi)
            dst.append(len(labels) - 1)
            val.append(k)
            link_colors.append(_rgba(c, 0.25))
        rest = width - sum(shown.values())
        if rest > 0:  # statuses hidden, the group size shown: one node without a number
            labels.append(f"{row.group}: status hidden")
            node_colors.append("#BBBBBB")
            src.append(gi)
            dst.append(len(labels) - 1)
            val.append(rest)
            link_colors.append(_rgba(c, 0.15))
    drawn = sum(v for s_, v in zip(src, val, strict=True) if s_ == 0)
    if total is not None and total - drawn > 0:
        # what the groups do not show (hidden sizes and statuses), pooled over the groups
        labels.append("Not shown by group (small counts)")
        node_colors.append("#BBBBBB")
        src.append(0)
        dst.append(len(labels) - 1)
        val.append(total - drawn)
        link_colors.append("rgba(150,150,150,0.25)")
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={"label": labels, "color": node_colors, "pad": 18, "thickness": 18},
            link={"source": src, "target": dst, "value": val, "color": link_colors},
            valueformat="d",
            valuesuffix=" participants",
        )
    )
    fig.update_layout(height=320, font=FONT, margin={"l": 10, "r": 10, "t": 10, "b": 10})
    return fig


# ---- Resources --------------------------------------------------------------------------------
def resource_ranking_chart(
    overall: pd.DataFrame,
    colors: Mapping[str, str],
    measure: str = "most_helpful_ever",
    labels: pd.DataFrame | None = None,
) -> go.Figure:
    """Horizontal bars of a resource measure per group with Wilson 95% CI error bars.

    ``overall``: resources_overall() output; ``measure``: "most_helpful_ever" or "used_ever".
    Resources are ordered by their best share over groups (largest on top). Suppressed shares
    (NaN) draw no bar; with ``labels`` (``SuppressedTable.labels()``) their label is written
    in its place, e.g. "routine: <5".
    """
    share_col = f"{measure}_share"
    order = (
        overall.groupby("resource")[share_col]
        .max()
        .sort_values(ascending=True, na_position="first")  # all hidden: at the bottom
        .index.tolist()
    )
    data: list[dict] = []
    if labels is not None:  # hidden bars: their label ("<5") at the foot of the bar's place
        lab = labels[measure].where(labels[measure] != "", labels[share_col])
        lab = lab.replace("Too few participants to show", "too few")
        hid = overall.assign(_label=lab)[overall[share_col].isna() & (lab != "").to_numpy()]
        hid = (  # one text per resource: "enhanced <5 · routine <5"
            (hid["group"].astype(str) + " " + hid["_label"])
            .groupby(hid["resource"], sort=False)
            .agg(" · ".join)
        )
        if len(hid):
            data.append(
                {
                    "type": "scatter",
                    "y": [resource_label(r) for r in hid.index],
                    "x": [0.005] * len(hid),
                    "text": hid.tolist(),
                    "mode": "text",
                    "textposition": "middle right",
                    "textfont": {"color": "#666666", "size": 12},
                    "hoverinfo": "skip",
                    "showlegend": False,
                }
            )
    for i, (group, d) in enumerate(overall.groupby("group", sort=False)):
        d = d.set_index("resource").reindex(order)
        data.append(
            {
                "type": "bar",
                "y": [resource_label(r) for r in order],
                "x": d[share_col],
                "orientation": "h",
                "name": str(group),
                "marker": {"color": _color(colors, group, i)},
                "error_x": _errors(
                    d[share_col], d[f"{share_col[:-6]}_ci_low"], d[f"{share_col[:-6]}_ci_high"]
                ),
                "customdata": np.stack([d[measure], d["participants"]], axis=1),
                "hovertemplate": "%{y}: %{x:.0%} (%{customdata[0]}/%{customdata[1]})<extra>"
                + str(group)
                + "</extra>",
            }
        )
    title = (
        "Named most helpful (% of participants)"
        if measure == "most_helpful_ever"
        else ("Used at any follow-up wave (% of participants)")
    )
    layout = {
        "barmode": "group",
        "bargap": 0.25,
        "height": 140 + 45 * len(order),
        "showlegend": True,
        **_LAYOUT,
        "xaxis": _axis(title, tickformat=".0%", range=[0, 1]),
        "yaxis": _axis(""),
    }
    return _figure(data, layout)


def use_heatmap(
    by_wave: pd.DataFrame, groups: Sequence[str], labels: pd.DataFrame | None = None
) -> go.Figure:
    """Resource x wave heatmap of use (% of respondents), one panel per group.

    ``by_wave``: resources_by_wave() output (suppressed: NaN = hidden); ``labels``: what a
    hidden cell prints instead (``SuppressedTable.labels()``, same index), e.g. "<5".
    """
    if labels is not None:
        lab = labels["used"].where(labels["used"] != "", labels["used_share"])
        by_wave = by_wave.assign(_label=lab.replace("Too few participants to show", "too few"))
    else:
        by_wave = by_wave.assign(_label="")
    groups = [g for g in groups if g in set(by_wave["group"])]
    resources = list(dict.fromkeys(by_wave["resource"]))
    months = sorted(by_wave["month"].unique())
    layout = json.loads(_subplot_row(max(len(groups), 1), bool(groups)))
    for note, g in zip(layout.get("annotations", []), groups, strict=False):
        note["text"] = str(g)  # the panel titles
    data: list[dict] = []
    for j, g in enumerate(groups, start=1):
        d = by_wave[by_wave["group"] == g]
        # one row per (resource, month) in a group: a plain reshape (pivot_table is ~10x slower)
        wide = (
            d.drop_duplicates(["resource", "month"])
            .set_index(["resource", "month"])[["used_share", "used", "respondents", "_label"]]
            .unstack("month")  # once for the four grids
        )

        def grid(col, wide=wide):
            return wide[col].reindex(index=resources[::-1], columns=months)

        z, k, n, lab = grid("used_share"), grid("used"), grid("respondents"), grid("_label")
        text = [
            [
                (lb if isinstance(lb, str) else "") if pd.isna(v) else f"{100 * v:.0f}%"
                for v, lb in zip(row, lrow, strict=True)
            ]
            for row, lrow in zip(z.to_numpy(), lab.to_numpy(), strict=True)
        ]
        suffix = "" if j == 1 else str(j)
        data.append(
            {
                "type": "heatmap",
                "z": z.to_numpy(),
                "x": [f"Month {m}" for m in months],
                "y": [resource_label(r) for r in z.index],
                "zmin": 0,
                "zmax": 1,
                "colorscale": "Blues",
                "text": text,
                "texttemplate": "%{text}",
                "customdata": np.dstack([k.to_numpy(), n.to_numpy(), np.array(text, dtype=object)]),
                "hovertemplate": "%{y}, %{x}: %{customdata[2]} (%{customdata[0]}/%{customdata[1]})"
                "<extra></extra>",
                "hoverongaps": False,
                "showscale": j == len(groups),
                "colorbar": {"title": {"text": "Used"}, "tickformat": ".0%"},
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
            }
        )
        layout[f"xaxis{suffix}"]["title"] = {"text": "Follow-up wave"}
    layout.update(height=120 + 34 * len(resources), **_LAYOUT)
    layout["yaxis"]["title"] = {"text": "Resource"}
    return _figure(data, layout)


def helpfulness_chart(rows: pd.DataFrame, colors: Mapping[str, str]) -> go.Figure:
    """Mean helpfulness (1-5) per resource and group with t-based 95% CI.

    ``rows``: columns group, resource, helpful_mean, helpful_ci_low, helpful_ci_high, helpful_n.
    """
    rows = rows[(rows["helpful_n"] > 0) & rows["helpful_mean"].notna()]
    order = rows.groupby("resource")["helpful_mean"].max().sort_values().index.tolist()
    data = []
    for i, (group, d) in enumerate(rows.groupby("group", sort=False)):
        d = d.set_index("resource").reindex(order)
        data.append(
            {
                "type": "scatter",
                "y": [resource_label(r) for r in order],
                "x": d["helpful_mean"],
                "mode": "markers",
                "name": str(group),
                "marker": {"color": _color(colors, group, i), "size": 11},
                "error_x": _errors(d["helpful_mean"], d["helpful_ci_low"], d["helpful_ci_high"]),
                "customdata": d["helpful_n"],
                "hovertemplate": "%{y}: %{x:.1f} (n = %{customdata})<extra>"
                + str(group)
                + "</extra>",
            }
        )
    layout = {
        "height": 140 + 40 * max(len(order), 1),
        "showlegend": True,
        **_LAYOUT,
        "xaxis": _axis(
            "Mean helpfulness (1 = not at all, 5 = extremely)", range=[0.8, 5.2], dtick=1
        ),
        "yaxis": _axis(""),
    }
    return _figure(data, layout)


# ---- Recovery ---------------------------------------------------------------------------------
def stage_sankey(transitions: pd.DataFrame, to_label: str) -> go.Figure:
    """Sankey of stage categories: baseline (left) -> a follow-up wave (right), one group.

    ``transitions``: rows with from, to, n (one group, one wave).
    """
    cats = list(STAGE_CATEGORIES)
    t = transitions[transitions["n"] > 0]
    left = [c for c in cats if c in set(t["from"])]
    right = [c for c in cats if c in set(t["to"])]
    out_n = t.groupby("from")["n"].sum()
    in_n = t.groupby("to")["n"].sum()
    labels = [f"{stage_category_label(c)}: {int(out_n[c])}" for c in left] + [
        f"{stage_category_label(c)}: {int(in_n[c])}" for c in right
    ]
    idx_l = {c: i for i, c in enumerate(left)}
    idx_r = {c: len(left) + i for i, c in enumerate(right)}
    fig = go.Figure(
        go.Sankey(
            arrangement="snap",
            node={
                "label": labels,
                "color": [STAGE_COLORS[c] for c in left + right],
                "pad": 14,
                "thickness": 16,
                "x": [0.01] * len(left) + [0.99] * len(right),
                "y": [(i + 0.5) / max(len(left), 1) for i in range(len(left))]
                + [(i + 0.5) / max(len(right), 1) for i in range(len(right))],
            },
            link={
                "source": [idx_l[f] for f in t["from"]],
                "target": [idx_r[x] for x in t["to"]],
                "value": t["n"].astype(int).tolist(),
                "color": [_rgba(STAGE_COLORS[x], 0.35) for x in t["to"]],
            },
            valueformat="d",
            valuesuffix=" participants",
        )
    )
    fig.update_layout(
        height=330,
        font=FONT,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        annotations=[
            {
                "x": 0,
                "y": 1.08,
                "xref": "paper",
                "yref": "paper",
                "text": "<b>Baseline</b>",
                "showarrow": False,
                "xanchor": "left",
            },
            {
                "x": 1,
                "y": 1.08,
                "xref": "paper",
                "yref": "paper",
                "text": f"<b>{to_label}</b>",
                "showarrow": False,
                "xanchor": "right",
            },
        ],
    )
    return fig


def stage_distribution_chart(
    counts: pd.DataFrame,
    x_title: str = "Share of participants (%)",
    totals: Mapping[str, float] | None = None,
) -> go.Figure:
    """Stacked horizontal bars of stage categories per group.

    ``counts``: columns group, category, n (NaN = suppressed) and optionally at_least (n is
    a lower bound: printed "≥"). ``totals``: group -> total to divide by (default: the sum of
    n); when given, what the shown categories leave of it is drawn as one grey "suppressed"
    segment (a difference of shown numbers), without a count.
    """
    groups = list(dict.fromkeys(counts["group"]))
    if totals is None:
        totals = counts.groupby("group", sort=False)["n"].sum().to_dict()
    tot = counts["group"].map(totals).astype("float64")
    counts = counts.assign(share=counts["n"] / tot.where(tot > 0))
    fig = go.Figure()
    for c in [c for c in _STAGE_ORDER if (counts["category"] == c).any()]:
        d = counts[counts["category"] == c].set_index("group").reindex(groups)
        bound = d["at_least"] if "at_least" in d else pd.Series(False, index=d.index)
        at_least = bound.fillna(False).astype(bool).to_numpy()
        fig.add_trace(
            go.Bar(
                y=[f"{g} (n = {int(totals[g])})" for g in groups],
                # hidden or absent: a segment of width 0 (a NaN would break the stacking of
                # the segments after it, which plotly then draws from 0 over this one)
                x=d["share"].fillna(0.0),
                showlegend=bool((d["share"].fillna(0.0) > 0).any()),  # no key for no segment
                name=stage_category_label(c),
                orientation="h",
                marker_color=STAGE_COLORS[c],
                text=[
                    ("≥" if bound else "") + f"{100 * v:.0f}%" if v > 0 else ""
                    for v, bound in zip(d["share"].fillna(0), at_least, strict=True)
                ],
                textposition="inside",
                customdata=np.stack([d["n"], np.where(at_least, "at least ", "")], axis=1),
                hovertemplate="%{customdata[1]}%{x:.0%} (%{customdata[1]}%{customdata[0]})"
                "<extra>" + stage_category_label(c) + "</extra>",
            )
        )
    rest = {
        g: 1 - counts.loc[counts["group"] == g, "share"].sum()
        for g in groups
        if counts.loc[counts["group"] == g, "n"].isna().any() and totals[g] > 0
    }
    if any(v > 1e-9 for v in rest.values()):
        fig.add_trace(
            go.Bar(
                y=[f"{g} (n = {int(totals[g])})" for g in groups],
                x=[max(rest.get(g, 0.0), 0.0) for g in groups],
                name="Suppressed (small cells)",
                orientation="h",
                marker={"color": "#DDDDDD", "pattern": {"shape": "/", "fgcolor": "#999999"}},
                hovertemplate="Stages hidden by small-cell suppression<extra></extra>",
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_xaxes(tickformat=".0%", range=[0, 1])
    fig = _style(fig, 300 + 50 * len(groups), x_title, "")
    # the legend under the axis title: six categories do not fit beside a half-width chart
    fig.update_layout(legend={"orientation": "h", "yanchor": "top", "y": -0.3, "x": 0})
    return fig


# ---- Follow-up --------------------------------------------------------------------------------
def ended_by_contact_chart(ended: pd.DataFrame, colors: Mapping[str, str]) -> go.Figure:
    """Share of participants whose support had ended by contact k (a step chart) with Wilson CI.

    ``ended``: ended_by_contact() output (group, contact, ended, participants, share, ci_low,
    ci_high).
    """
    fig = go.Figure()
    for i, (group, d) in enumerate(ended.groupby("group", sort=False)):
        c = _color(colors, group, i)
        fig.add_trace(
            go.Scatter(
                x=d["contact"],
                y=d["share"],
                mode="lines+markers",
                line={"shape": "hv", "color": c, "width": 3},
                marker={"size": 9},
                name=f"{group} (n = {int(d['participants'].iloc[0])})"
                if not pd.isna(d["participants"].iloc[0])
                else f"{group} (too few to show)",
                error_y=_errors(d["share"], d["ci_low"], d["ci_high"]),
                customdata=np.stack([d["ended"], d["participants"]], axis=1),
                hovertemplate="By contact %{x}: %{y:.0%} (%{customdata[0]}/%{customdata[1]})"
                "<extra>" + str(group) + "</extra>",
            )
        )
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    fig.update_xaxes(dtick=1)
    return _style(fig, 360, "Contact number", "Support ended (% of participants)")


def contacts_chart(
    contacts: pd.DataFrame, colors: Mapping[str, str], labels: pd.DataFrame | None = None
) -> go.Figure:
    """Participants by number of contacts, grouped bars (contacts_per_participant output).

    Suppressed counts (NaN) draw no bar; ``labels`` (``SuppressedTable.labels()``) prints
    their label ("<5") at the foot of the bar's place."""
    fig = go.Figure()
    if labels is None:
        labels = pd.DataFrame({"participants": ""}, index=contacts.index)
    for i, (group, d) in enumerate(contacts.groupby("group", sort=False)):
        lab = labels.loc[d.index, "participants"].replace("Too few participants to show", "too few")
        text = [
            str(lb) if pd.isna(v) else f"{int(v)}"
            for v, lb in zip(d["participants"], lab, strict=True)
        ]
        fig.add_trace(
            go.Bar(
                x=d["contacts"],
                y=d["participants"].fillna(0),
                name=str(group),
                marker_color=_color(colors, group, i),
                text=text,
                textposition="outside",
                cliponaxis=False,
                customdata=np.array(text, dtype=object),
                hovertemplate="%{x} contacts: %{customdata} participants<extra>"
                + str(group)
                + "</extra>",
            )
        )
    fig.update_layout(barmode="group")
    fig.update_xaxes(dtick=1)
    return _style(fig, 340, "Contacts per participant", "Participants")


def km_chart(
    curve: pd.DataFrame, colors: Mapping[str, str], medians: Mapping[str, float] | None = None
) -> go.Figure:
    """Kaplan-Meier curve of support duration with its 95% CI band and the median marked.

    ``curve``: support_duration_curve() output (group, day, survival, ci_low, ci_high), or
    the privacy layer's coarsened curve, whose merged steps fall from ``day_from`` to ``day``.
    ``medians``: group -> median support days (drawn as a dotted vertical line).
    """
    fig = go.Figure()
    curve = curve[curve["survival"].notna()]  # suppressed steps (few at risk) are not drawn
    for i, (group, d) in enumerate(curve.groupby("group", sort=False)):
        c = _color(colors, group, i)
        d = d.sort_values("day")
        # a step merged for privacy falls from its first event day to its last day (a vertical
        # drop where the two are one day): each step is (day_from, S before) -> (day, S)
        day = d["day"].to_numpy()
        start = d["day_from"].to_numpy() if "day_from" in d else day
        x = np.ravel(np.column_stack([start, day]))[1:]

        def path(values, first=d["survival"].iloc[0]):
            prev = np.concatenate([[first], values[:-1]])
            return np.ravel(np.column_stack([prev, values]))[1:]

        y = path(d["survival"].to_numpy())
        high = path(d["ci_high"].fillna(d["survival"]).to_numpy())
        low = path(d["ci_low"].fillna(d["survival"]).to_numpy())
        fig.add_trace(
            go.Scatter(
                x=np.concatenate([x, x[::-1]]),
                y=np.concatenate([high, low[::-1]]),
                fill="toself",
                fillcolor=_rgba(c, 0.15),
                line={"color": "rgba(0,0,0,0)"},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=y,
                mode="lines",
                line={"color": c, "width": 3},
                name=str(group),
                hovertemplate="Day %{x}: %{y:.0%} still supported<extra>" + str(group) + "</extra>",
            )
        )
        m = (medians or {}).get(group)
        if m is not None and not pd.isna(m):
            fig.add_vline(x=float(m), line={"color": c, "dash": "dot", "width": 2})
    fig.add_hline(y=0.5, line={"color": "#777777", "dash": "dash", "width": 1})
    fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return _style(fig, 380, "Days since the adverse event", "Still receiving support (%)")


# ---- Compare ----------------------------------------------------------------------------------
def estimate_chart(
    rows: pd.DataFrame,
    colors: Mapping[str, str],
    x_title: str,
    percent: bool = True,
) -> go.Figure:
    """One estimate per group with its 95% CI, side by side (bars with error bars).

    ``rows``: columns group, estimate, ci_low, ci_high, n.
    """
    fig = go.Figure()
    for i, r in enumerate(rows.itertuples(index=False)):
        v = pd.Series([r.estimate], dtype=float)
        fig.add_trace(
            go.Bar(
                x=[f"{r.group} (n = {int(r.n)})"],
                y=v,
                name=str(r.group),
                marker_color=_color(colors, r.group, i),
                error_y=_errors(v, pd.Series([r.ci_low]), pd.Series([r.ci_high])),
                text=[f"{100 * r.estimate:.0f}%" if percent else f"{r.estimate:.1f}"]
                if not pd.isna(r.estimate)
                else [""],
                textposition="inside",
                showlegend=False,
            )
        )
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.05])
    return _style(fig, 360, "", x_title)


def mark_synthetic(fig: go.Figure) -> go.Figure:
    """Watermark a figure of synthetic data ("SYNTHETIC DATA", top right), in place (copying
    a figure revalidates every trace: ~0.1 s for the resource heatmap); returns it."""
    # a Sankey carries its column titles in the corners: the mark goes in the middle
    sankey = any(isinstance(t, go.Sankey) for t in fig.data)
    fig.add_annotation(
        text="SYNTHETIC DATA",
        xref="paper",
        yref="paper",
        x=0.5 if sankey else 1,
        y=1.04 if sankey else 1,
        xanchor="center" if sankey else "right",
        yanchor="bottom",
        showarrow=False,
        font={"size": 11, "color": "#B35900"},
    )
    return fig


# ---- Compare: an outcome per group, suppression-aware ---------------------------------------
def comparison_chart(
    rows: pd.DataFrame,
    colors: Mapping[str, str],
    y_title: str,
    percent: bool = True,
) -> go.Figure:
    """Estimates per group with their 95% CI as side-by-side bars (``compare_outcome`` tables).

    ``rows``: columns group, label (the x text, e.g. "enhanced (n = 23)"), estimate, ci_low,
    ci_high, and optionally category (``stage``: categories on the x axis, one bar per group).
    A hidden (NaN) estimate draws no bar; its place says "suppressed" when ``hidden`` is
    True in an optional ``hidden`` column.
    """
    fig = go.Figure()
    stage = "category" in rows.columns
    hidden = rows["hidden"] if "hidden" in rows.columns else pd.Series(False, index=rows.index)
    for i, (group, d) in enumerate(rows.groupby("group", sort=False)):
        v = d["estimate"].astype(float)
        text = [
            "suppressed"
            if h
            else ("" if pd.isna(e) else (f"{100 * e:.0f}%" if percent else f"{e:.1f}"))
            for e, h in zip(v, hidden[d.index], strict=True)
        ]
        x = (
            [stage_category_label(c) for c in d["category"]]
            if stage
            else d["label"].astype(str).tolist()
        )
        fig.add_trace(
            go.Bar(
                x=x,
                y=v.fillna(0),
                name=str(d["label"].iloc[0]) if stage else str(group),
                marker_color=_color(colors, group, i),
                error_y=_errors(v, d["ci_low"].astype(float), d["ci_high"].astype(float)),
                text=text,
                textposition="outside" if stage else "inside",
                showlegend=stage,
            )
        )
    fig.update_layout(barmode="group", bargap=0.25)
    if percent:
        fig.update_yaxes(tickformat=".0%", range=[0, 1.1])
    return _style(fig, 380, "", y_title)


__all__.append("comparison_chart")
