"""Figure builders: the right traces, the fixed group colours, axis titles with units."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from hoo_metrics.present import figures

COLORS = figures.group_colors(["enhanced", "routine"])


def test_group_colors_fixed_okabe_ito():
    assert COLORS["enhanced"] == "#0072B2"
    assert COLORS["routine"] == "#E69F00"
    # a colour depends on the group's place in the full list, not on what is shown
    assert figures.group_colors(["a", "b", "c"])["c"] == figures.OKABE_ITO[2]


def test_consort_flow():
    enr = pd.DataFrame(
        {
            "group": ["enhanced", "routine"],
            "enrolled": [25, 25],
            "analysed": [23, 19],
            "completed": [23, 19],
            "withdrew": [1, 4],
            "lost_to_follow_up": [1, 2],
        }
    )
    fig = figures.consort_flow(enr, COLORS)
    sankey = fig.data[0]
    assert isinstance(sankey, go.Sankey)
    assert sankey.node.label[0] == "Enrolled: 50"
    assert "enhanced: 25" in sankey.node.label
    assert "routine, completed: 19" in sankey.node.label
    assert sum(sankey.link.value) == 50 + 50  # enrolled -> arms, arms -> statuses


def test_consort_flow_with_hidden_group_sizes_draws_no_hidden_number():
    # Suppressed as at k = 5: enrolled per arm hidden (25 - 23 = 2 did not complete), withdrew
    # and lost hidden; completed 23 and 19 shown; the total 50 shown.
    nan = float("nan")
    enr = pd.DataFrame(
        {
            "group": ["enhanced", "routine"],
            "enrolled": [nan, nan],
            "completed": [23.0, 19.0],
            "withdrew": [nan, nan],
            "lost_to_follow_up": [nan, nan],
        }
    )
    sankey = figures.consort_flow(enr, COLORS, total=50).data[0]
    labels = list(sankey.node.label)
    # arms drawn as wide as what they show (23, 19); the other 50 - 42 = 8 pooled in one node
    assert labels[0] == "Enrolled: 50"
    assert "enhanced" in labels and "routine" in labels
    pooled = labels.index("Not shown by group (small counts)")
    from_enrolled = {
        labels[t]: v
        for s_, t, v in zip(sankey.link.source, sankey.link.target, sankey.link.value, strict=True)
        if s_ == 0
    }
    assert from_enrolled == {"enhanced": 23, "routine": 19, labels[pooled]: 8}
    assert not any(": 25" in label or label.endswith(": 2") for label in labels)
    # with the total hidden too, nothing is pooled and the total has no number
    sankey = figures.consort_flow(enr, COLORS, total=nan).data[0]
    assert sankey.node.label[0] == "Enrolled"
    assert sum(sankey.link.value) == (23 + 19) * 2


def overall_frame():
    return pd.DataFrame(
        {
            "group": ["enhanced", "enhanced", "routine", "routine"],
            "resource": ["peers", "family", "peers", "family"],
            "participants": [23, 23, 19, 19],
            "used_ever": [14, 10, 9, 12],
            "used_ever_share": [14 / 23, 10 / 23, 9 / 19, 12 / 19],
            "used_ever_ci_low": [0.4, 0.25, 0.27, 0.41],
            "used_ever_ci_high": [0.78, 0.63, 0.68, 0.81],
            "most_helpful_ever": [9, 3, 4, 6],
            "most_helpful_ever_share": [9 / 23, 3 / 23, 4 / 19, 6 / 19],
            "most_helpful_ever_ci_low": [0.22, 0.05, 0.08, 0.15],
            "most_helpful_ever_ci_high": [0.59, 0.32, 0.43, 0.54],
            "helpful_mean": [4.2, 3.9, 3.1, 4.4],
            "helpful_n": [10, 8, 6, 9],
            "rank": [1, 2, 2, 1],
        }
    )


def test_resource_ranking_chart():
    fig = figures.resource_ranking_chart(overall_frame(), COLORS)
    assert [t.name for t in fig.data] == ["enhanced", "routine"]
    assert fig.data[0].marker.color == "#0072B2"
    # ordered by the best share over groups, largest on top (last on a horizontal axis)
    assert list(fig.data[0].y) == ["Family", "Peers / colleagues"]
    assert fig.data[0].x[1] == 9 / 23
    assert fig.data[0].error_x.array[1] == 0.59 - 9 / 23
    assert "%" in fig.layout.xaxis.title.text


def test_use_heatmap():
    by_wave = pd.DataFrame(
        {
            "month": [3, 3, 6, 6],
            "group": ["enhanced"] * 4,
            "resource": ["peers", "family", "peers", "family"],
            "respondents": [20, 20, 10, 10],
            "used": [10, 5, 2, 0],
            "used_share": [0.5, 0.25, 0.2, 0.0],
        }
    )
    fig = figures.use_heatmap(by_wave, ["enhanced", "routine"])
    assert len(fig.data) == 1  # routine has no rows
    hm = fig.data[0]
    assert list(hm.x) == ["Month 3", "Month 6"]
    assert list(hm.y) == ["Family", "Peers / colleagues"]
    assert hm.z[1][0] == 0.5
    assert hm.text[1][0] == "50%"
    assert fig.layout.xaxis.title.text == "Follow-up wave"


def test_ended_by_contact_chart_is_a_step():
    ended = pd.DataFrame(
        {
            "group": ["enhanced"] * 3,
            "contact": [1, 2, 3],
            "ended": [15, 21, 23],
            "participants": [23, 23, 23],
            "share": [15 / 23, 21 / 23, 1.0],
            "ci_low": [0.45, 0.73, 0.86],
            "ci_high": [0.81, 0.98, 1.0],
        }
    )
    fig = figures.ended_by_contact_chart(ended, COLORS)
    assert fig.data[0].line.shape == "hv"
    assert fig.data[0].name == "enhanced (n = 23)"
    assert fig.layout.xaxis.title.text == "Contact number"
    assert "%" in fig.layout.yaxis.title.text


def test_km_chart_band_and_median():
    curve = pd.DataFrame(
        {
            "group": ["all"] * 3,
            "day": [0, 10, 30],
            "survival": [1.0, 0.6, 0.2],
            "ci_low": [1.0, 0.4, 0.05],
            "ci_high": [1.0, 0.8, 0.45],
            "at_risk": [5, 5, 3],
            "events": [0, 2, 2],
        }
    )
    fig = figures.km_chart(curve, COLORS, {"all": 30.0})
    band, line = fig.data
    assert band.fill == "toself"
    # steps: flat at 1.0 to day 10, down to 0.6, flat to day 30, down to 0.2
    assert list(line.x) == [0, 10, 10, 30, 30]
    assert list(line.y) == [1.0, 1.0, 0.6, 0.6, 0.2]
    assert line.line.color == figures.ALL_COLOR
    assert any(s.x0 == 30.0 for s in fig.layout.shapes)
    assert fig.layout.xaxis.title.text == "Days since the adverse event"


def test_km_chart_merged_steps_fall_from_their_first_event_day():
    # a step merged for privacy (days 12-30, S 0.6 -> 0.2) falls along its days, not at once
    curve = pd.DataFrame(
        {
            "group": ["all"] * 3,
            "day": [0, 10, 30],
            "day_from": [0, 4, 12],
            "survival": [1.0, 0.6, 0.2],
            "ci_low": [1.0, 0.4, 0.05],
            "ci_high": [1.0, 0.8, 0.45],
        }
    )
    line = figures.km_chart(curve, COLORS).data[1]
    assert list(line.x) == [0, 4, 10, 12, 30]
    assert list(line.y) == [1.0, 1.0, 0.6, 0.6, 0.2]


def test_stage_sankey_counts():
    t = pd.DataFrame(
        {
            "from": ["early", "early", "middle"],
            "to": ["thriving", "middle", "thriving"],
            "n": [4, 2, 1],
        }
    )
    fig = figures.stage_sankey(t, "Month 6")
    s = fig.data[0]
    assert list(s.node.label) == [
        "Early (stages 1-3): 6",
        "Middle (stages 4-5): 1",
        "Middle (stages 4-5): 2",
        "Moved on: thriving: 5",
    ]
    assert sum(s.link.value) == 7


def test_stage_distribution_and_estimate_chart():
    counts = pd.DataFrame(
        {"group": ["a", "a", "b"], "category": ["early", "thriving", "thriving"], "n": [1, 3, 2]}
    )
    fig = figures.stage_distribution_chart(counts)
    thriving = next(t for t in fig.data if t.name == "Moved on: thriving")
    assert list(thriving.x) == [0.75, 1.0]
    rows = pd.DataFrame(
        {
            "group": ["enhanced", "routine"],
            "estimate": [0.26, 0.0],
            "ci_low": [0.12, 0.0],
            "ci_high": [0.46, 0.17],
            "n": [23, 19],
        }
    )
    fig = figures.estimate_chart(rows, COLORS, "Named most helpful (%)")
    assert [t.marker.color for t in fig.data] == ["#0072B2", "#E69F00"]
    assert np.isclose(fig.data[0].error_y.array[0], 0.20)
    assert fig.layout.yaxis.title.text == "Named most helpful (%)"


def test_contacts_and_helpfulness_charts():
    c = pd.DataFrame(
        {"group": ["enhanced", "enhanced"], "contacts": [1, 2], "participants": [15, 8]}
    )
    fig = figures.contacts_chart(c, COLORS)
    assert list(fig.data[0].y) == [15, 8]
    assert fig.layout.yaxis.title.text == "Participants"
    h = overall_frame().assign(helpful_ci_low=3.0, helpful_ci_high=4.8)
    fig = figures.helpfulness_chart(h, COLORS)
    assert fig.layout.xaxis.range == (0.8, 5.2)


def test_comparison_chart_groups_side_by_side_and_hidden_bars():
    rows = pd.DataFrame(
        {
            "group": ["enhanced", "routine"],
            "label": ["enhanced (n = 23)", "routine (n = 19)"],
            "estimate": [6 / 23, float("nan")],
            "ci_low": [0.125, float("nan")],
            "ci_high": [0.465, float("nan")],
            "hidden": [False, True],
        }
    )
    fig = figures.comparison_chart(rows, COLORS, "Named most helpful (%)")
    assert [t.marker.color for t in fig.data] == ["#0072B2", "#E69F00"]
    # error bar up: 0.465 - 6/23 = 0.20413...; down: 6/23 - 0.125 = 0.13587...
    assert np.isclose(fig.data[0].error_y.array[0], 0.465 - 6 / 23)
    assert np.isclose(fig.data[0].error_y.arrayminus[0], 6 / 23 - 0.125)
    assert list(fig.data[0].text) == ["26%"]  # 6/23 = 26.1%
    assert list(fig.data[1].text) == ["suppressed"]
    assert fig.layout.yaxis.title.text == "Named most helpful (%)"
    stage = pd.DataFrame(
        {
            "group": ["a", "a", "b", "b"],
            "label": ["a (n = 4)", "a (n = 4)", "b (n = 5)", "b (n = 5)"],
            "category": ["early", "thriving", "early", "thriving"],
            "estimate": [0.25, 0.75, 0.4, 0.6],
            "ci_low": [0.05, 0.3, 0.1, 0.2],
            "ci_high": [0.7, 0.95, 0.8, 0.9],
        }
    )
    fig = figures.comparison_chart(stage, COLORS, "Participants (%)")
    assert [t.name for t in fig.data] == ["a (n = 4)", "b (n = 5)"]
    assert list(fig.data[1].y) == [0.4, 0.6]
    assert fig.layout.barmode == "group"
