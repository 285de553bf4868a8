"""Page building blocks: title with the view caption, a chart with its takeaway, a table with
its CSV download. Streamlit glue only; numbers come formatted from hoo_metrics."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

import hoo_metrics as hm

from . import privacy_view
from .state import View

PLOTLY_CONFIG = {
    "displaylogo": False,
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
    # the camera button saves a PNG at presentation size (16:9, 1600 x 900)
    "toImageButtonOptions": {"format": "png", "width": 1600, "height": 900, "scale": 1},
}


def header(view: View, title: str, purpose: str, guard: bool = False) -> None:
    """Page title, one line on what the page answers, and what is being shown; the notice when
    an evaluator lifted small-cell suppression. ``guard=True`` (pages showing results) refuses
    a subgroup that could single out a colleague before anything else is drawn."""
    refusal = privacy_view.refusal(view)  # a refused subgroup's size is never shown
    st.title(title)
    privacy_view.notice(view)
    badge = ":orange-badge[SYNTHETIC sample data] " if view.full.synthetic else ""
    grouping = hm.variable_label(view.group_by) if view.group_by else "no grouping"
    st.markdown(f"{badge}{purpose}")
    caption = view.caption if refusal is None else hm.view_caption(view.population, view.filters)
    st.caption(f"**{caption}** · groups by {grouping} · cohort: {view.name}")
    if refusal is not None and guard:
        st.warning(refusal.message, icon=":material/shield_person:")
        st.stop()
    if guard:
        privacy_view.small_note(view)
        pooled = privacy_view.results(view).pooled_text
        if pooled:
            plain(pooled, caption=True)


_MARKDOWN = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()<>#+-.!|~$:"})


def as_text(text: str) -> str:
    """``text`` escaped so that Markdown shows it as it is (every Markdown sign backslashed)."""
    return text.translate(_MARKDOWN)


def plain(text: str, caption: bool = False) -> None:
    """A sentence that holds the data's own labels, shown as text, never as Markdown."""
    (st.caption if caption else st.markdown)(as_text(text))


def takeaway(text: str) -> None:
    """The one sentence a reader should take from the next chart or table."""
    st.markdown(f"**{text}**")


# A Sankey drawn a second time fades all its links in over 500 ms (plotly.js sankey render:
# every draw but the first starts links at opacity 0), and Streamlit draws each new chart
# twice (once at the container's natural width, again at its measured width). Drawn static,
# the flow appears at once; its node labels carry every number its hover labels would.
STATIC_CONFIG = {"staticPlot": True}


def chart(view: View, fig, text: str, key: str, static: bool = False) -> None:
    """A plotly chart under its takeaway; synthetic cohorts get a watermark. ``static``: no
    hover, zoom or toolbar (for a Sankey, see STATIC_CONFIG)."""
    takeaway(text)
    if view.full.synthetic:
        fig = hm.mark_synthetic(fig)
    st.plotly_chart(fig, key=key, config=STATIC_CONFIG if static else PLOTLY_CONFIG)


def wave_picker(months: list[int], key: str) -> int:
    """The follow-up wave a page shows (the last by default), kept in the URL."""
    return st.segmented_control(
        "Follow-up wave",
        months,
        default=months[-1],
        required=True,
        format_func=lambda m: f"Month {m}",
        key=key,
        bind="query-params",
    )


def table(view: View, df: pd.DataFrame, name: str, key: str, **kwargs) -> None:
    """A table with a CSV download button under it (file named after the page and view)."""
    hide_index = kwargs.pop("hide_index", True)
    st.dataframe(df, hide_index=hide_index, **kwargs)
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    prefix = "SYNTHETIC-" if view.full.synthetic else ""
    st.download_button(
        "Download CSV",
        hm.csv_bytes(df, index=not hide_index),  # formulas neutralised (OWASP CSV injection)
        file_name=f"hoo-{prefix}{slug}.csv",
        mime="text/csv",
        key=f"dl_{key}",
        on_click="ignore",
        icon=":material/download:",
    )


def no_data(message: str) -> None:
    st.info(message, icon=":material/info:")
