"""Presentation mode's view model: which finding a step shows, its caption, its chart sized
for a screen, and the downloads (report, every table, this chart).

The findings themselves are :func:`hoo_metrics.present.report.presentation_steps` (one
:class:`hoo_metrics.present.report.Slide` each), built from the view's Results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import plotly.graph_objects as go

from .export import PRESENTATION_SIZE, export_tables, figure_png, figure_svg, xlsx_bytes
from .report import Slide, build_report
from .results import Results

__all__ = ["DOWNLOADS_CAPTION", "Download", "caption", "downloads", "screen_figure", "step"]

DOWNLOADS_CAPTION = (
    "The report opens offline (plotly.js inside, no request to any other host); the Excel "
    "file holds every result table, one sheet each, with small cells suppressed as shown."
)


@dataclass(frozen=True)
class Download:
    """One download button: ``data`` makes the file's bytes when it is asked for."""

    label: str
    data: Callable[[], bytes]
    file_name: str
    mime: str
    key: str


def step(raw: str | int, count: int) -> int:
    """The step a URL's ``?step=`` asks for, within 1 to ``count``; 1 when not a number."""
    try:
        return min(max(int(raw), 1), count)
    except ValueError:
        return 1


def caption(step: int, count: int, view_caption: str, synthetic: bool) -> str:
    """ "Finding 2 of 5 · <the view>", with the synthetic badge for sample data."""
    badge = " · :orange-badge[SYNTHETIC sample data]" if synthetic else ""
    return f"Finding {step} of {count} · {view_caption}{badge}"


def screen_figure(fig: go.Figure) -> go.Figure:
    """``fig`` restyled for the screen (large type, a fixed height). In place: the chart's
    downloads render the figure as shown."""
    fig.update_layout(font={"size": 17}, height=360, margin={"l": 20, "r": 20, "t": 50, "b": 20})
    fig.update_xaxes(automargin=True)
    fig.update_yaxes(automargin=True)
    return fig


def _name(what: str, synthetic: bool) -> str:
    """A download's file name; a synthetic cohort's files say so in their name."""
    return f"hoo-{'SYNTHETIC-' if synthetic else ''}{what}"


def downloads(res: Results, slide: Slide, synthetic: bool) -> list[Download]:
    """The report and every table of the view, then (when the finding has a chart) the chart
    as PNG and SVG at presentation size under its title and sentence. Nothing is built until
    its button asks for it."""
    out = [
        Download(
            "Report (HTML)",
            # the view of ``res`` (its cohort as loaded, analysis set, grouping, filters and
            # setting): the report computes and suppresses it the same way
            lambda: build_report(
                res.full, res.population, res.group_by, res.filters, res.suppression
            ).encode("utf-8"),
            _name("report.html", synthetic),
            "text/html",
            "dl_report",
        ),
        Download(
            "All tables (Excel)",
            # with the odds ratios, which the pages' results leave out (as the report)
            lambda: xlsx_bytes(
                export_tables(res.full, res.population, res.group_by, res.filters, res.suppression)
            ),
            _name("results.xlsx", synthetic),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "dl_xlsx",
        ),
    ]
    if slide.figure is not None:
        width, height = PRESENTATION_SIZE
        for fmt, render, mime in (
            ("PNG", figure_png, "image/png"),
            ("SVG", figure_svg, "image/svg+xml"),
        ):
            out.append(
                Download(
                    f"This chart ({fmt}, {width}x{height})",
                    partial(
                        render,
                        slide.figure,
                        width,
                        height,
                        title=slide.title,
                        takeaway=slide.sentence,
                    ),
                    _name(f"{slide.key}.{fmt.lower()}", synthetic),
                    mime,
                    f"dl_{fmt}",
                )
            )
    return out
