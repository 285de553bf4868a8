"""Compare groups: one outcome, side by side, with its effect size, CI, exact P and test."""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app import ui
from hoo_app.memo import remember
from hoo_app.state import get_view
from hoo_metrics.present import compare as compare_model

BASE = hm.BASELINE_STAGE_CATEGORY

view = get_view()
# guard: the lifted-suppression notice, and a subgroup under k refused before any number
ui.header(view, "Compare groups", "Pick a grouping and an outcome: are the groups different?", True)

c1, c2, c3, c4 = st.columns([1.2, 1.6, 1.4, 1])
options = [*view.full.participant_columns, BASE]
group_by = c1.selectbox(
    "Grouping",
    options,
    index=options.index(view.group_by) if view.group_by in options else 0,
    format_func=hm.variable_label,
    key="cmp_group",
    bind="query-params",
)
outcome = c2.selectbox(
    "Outcome", list(hm.OUTCOMES), format_func=hm.OUTCOMES.get, key="cmp_outcome",
    bind="query-params",
)  # fmt: skip
resource = None
if outcome in ("used", "most_helpful", "helpful"):
    codes = list(view.full.resources)
    # open on the trial's headline comparison when the cohort has that resource
    first = codes.index("department_leadership") if "department_leadership" in codes else 0
    resource = c3.selectbox(
        "Resource", codes, index=first, format_func=hm.resource_label,
        key="cmp_resource", bind="query-params",
    )  # fmt: skip
month = None
if outcome in ("used", "most_helpful", "helpful", "stage"):
    months = sorted(m for m in view.full.responses["month"].unique().tolist() if m > 0)
    whole = "Last wave" if outcome == "stage" else "Any wave"
    wave = c4.selectbox(
        "Wave", [whole, *[f"Month {m}" for m in months]], key="cmp_wave", bind="query-params"
    )
    month = None if wave == whole else int(wave.split()[1])

grouped = pv.results(view, group_by)  # the view's tables under this grouping, suppressed
if grouped.refusal is not None:
    ui.no_data(grouped.refusal.message)
    st.stop()
# the outcome (before suppression) kept in the session memo under its view and choices
outcome_key = ("outcome", view.key, view.population, view.suppression, group_by, outcome)
model = compare_model.build(
    grouped, group_by, outcome, resource, month,
    memo=lambda compute: remember((*outcome_key, resource, month), compute),
)  # fmt: skip

left, right = st.columns([3, 2])
with left:
    ui.chart(view, model.chart.figure, model.chart.takeaway, key=model.chart.key)
    st.caption(model.chart_caption)
with right:
    st.markdown("#### Effect size")
    if model.effect is not None:
        st.metric(model.effect.label, model.effect.value, border=True)
    st.markdown(model.effect_text)
    st.markdown(f"**{model.p}** — {model.tested}")
    if model.note:
        st.caption(model.note)

t = model.table
ui.table(view, t.frame, t.name, key=t.key, hide_index=t.hide_index, **t.options)
