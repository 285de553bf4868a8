"""Presentation mode: the key findings one per screen, large type, one chart and one sentence.

The step lives in the URL (``?step=2``), so a copied link opens the same screen; the sidebar's
cohort, analysis set, grouping, filters and suppression apply as on every page.
"""

import streamlit as st

import hoo_metrics as hm
from hoo_app.state import get_view
from hoo_metrics.export import compute_results, export_tables, figure_png, figure_svg, xlsx_bytes
from hoo_metrics.report import build_report, presentation_steps

MEMO = "hoo_present"
view = get_view()
setting = getattr(view, "suppression", None) or hm.Suppression.from_env()

key = (view.key, view.population, view.group_by, setting)
memo = st.session_state.get(MEMO)
if not memo or memo[0] != key:
    results = compute_results(view.full, view.population, view.group_by, view.filters, setting)
    slides = presentation_steps(view.full, results=results, colors=view.colors)
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
    try:
        return min(max(int(st.query_params.get("step", 1)), 1), len(slides))
    except ValueError:
        return 1


def _go(delta: int) -> None:
    st.query_params["step"] = str(min(max(_step() + delta, 1), len(slides)))


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
badge = " · :orange-badge[SYNTHETIC sample data]" if view.full.synthetic else ""
mid.caption(f"Finding {step} of {len(slides)} · {view.caption}{badge}")

with st.container(key="hoo-present", border=False):
    st.title(slide.title, anchor=False)
    st.markdown(slide.sentence)
if slide.figure is not None:
    fig = slide.figure.update_layout(
        font={"size": 17}, height=360, margin={"l": 20, "r": 20, "t": 50, "b": 20}
    )
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    st.plotly_chart(fig, key=f"present_{slide.key}", config={"displaylogo": False}, theme=None)
elif slide.no_chart:  # otherwise the sentence says why (not recorded, nobody)
    st.info(slide.no_chart, icon=":material/visibility_off:")
if slide.note:
    st.caption(slide.note)

prefix = "SYNTHETIC-" if view.full.synthetic else ""
with st.expander("Downloads", icon=":material/download:"):
    cols = st.columns(4)
    cols[0].download_button(
        "Report (HTML)",
        lambda: build_report(
            view.full, view.population, view.group_by, view.filters, setting
        ).encode("utf-8"),
        file_name=f"hoo-{prefix}report.html",
        mime="text/html",
        on_click="ignore",
        key="dl_report",
    )
    cols[1].download_button(
        "All tables (Excel)",
        lambda: xlsx_bytes(export_tables(view.full, results=results)),
        file_name=f"hoo-{prefix}results.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="dl_xlsx",
    )
    if slide.figure is not None:
        for col, fmt, render in ((cols[2], "PNG", figure_png), (cols[3], "SVG", figure_svg)):
            col.download_button(
                f"This chart ({fmt}, 1600x900)",
                # mypy cannot type a lambda with a default argument against the callable in
                # download_button's data union
                lambda render=render: render(  # type: ignore[misc]
                    slide.figure, 1600, 900, title=slide.title, takeaway=slide.sentence
                ),
                file_name=f"hoo-{prefix}{slide.key}.{fmt.lower()}",
                mime="image/png" if fmt == "PNG" else "image/svg+xml",
                on_click="ignore",
                key=f"dl_{fmt}",
            )
    st.caption(
        "The report opens offline (plotly.js inside, no request to any other host); the Excel "
        "file holds every result table, one sheet each, with small cells suppressed as shown."
    )
