"""Presentation mode: the key findings one per screen, large type, one chart and one sentence.

The step lives in the URL (``?step=2``), so a copied link opens the same screen; the sidebar's
cohort, analysis set, grouping, filters and suppression apply as on every page.
"""

import streamlit as st

import hoo_metrics as hm
from hoo_app import privacy_view as pv
from hoo_app.state import get_view
from hoo_metrics.present import present as present_model

MEMO = "hoo_present"
view = get_view()

key = (view.key, view.population, view.group_by, view.suppression)
memo = st.session_state.get(MEMO)
if not memo or memo[0] != key:
    results = pv.results(view)  # the view's results, shared with every page
    slides = hm.presentation_steps(view.full, results=results, colors=view.colors)
    st.session_state[MEMO] = memo = (key, results, slides)
_, results, slides = memo

st.html(
    "<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}"
    ".st-key-hoo-present h1{font-size:2.6rem!important}"
    ".st-key-hoo-present p{font-size:1.5rem!important;line-height:1.3;font-weight:600}</style>"
)
if results.refusal is not None:
    st.warning(results.refusal.message, icon=":material/visibility_off:")
    st.stop()


def _step() -> int:
    return present_model.step(st.query_params.get("step", 1), len(slides))


def _go(delta: int) -> None:
    st.query_params["step"] = str(present_model.step(_step() + delta, len(slides)))


step = _step()
slide = slides[step - 1]
left, mid, right = st.columns([1.4, 5.2, 1.4], vertical_alignment="center")
left.button(
    "Previous",
    icon=":material/arrow_back:",
    on_click=_go,
    args=(-1,),
    disabled=step == 1,
    key="prev",
    width="stretch",
)
right.button(
    "Next",
    icon=":material/arrow_forward:",
    on_click=_go,
    args=(1,),
    disabled=step == len(slides),
    key="next",
    width="stretch",
)
mid.caption(present_model.caption(step, len(slides), view.caption, view.full.synthetic))

with st.container(key="hoo-present", border=False):
    st.title(slide.title, anchor=False)
    st.markdown(slide.sentence)
if slide.figure is not None:
    fig = present_model.screen_figure(slide.figure)
    st.plotly_chart(fig, key=f"present_{slide.key}", config={"displaylogo": False}, theme=None)
elif slide.no_chart:  # otherwise the sentence says why (not recorded, nobody)
    st.info(slide.no_chart, icon=":material/visibility_off:")
if slide.note:
    st.caption(slide.note)

with st.expander("Downloads", icon=":material/download:"):
    for col, d in zip(
        st.columns(4), present_model.downloads(results, slide, view.full.synthetic), strict=False
    ):
        col.download_button(
            d.label, d.data, file_name=d.file_name, mime=d.mime, on_click="ignore", key=d.key
        )
    st.caption(present_model.DOWNLOADS_CAPTION)
