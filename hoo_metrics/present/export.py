"""Exports: every result table as CSV and as one .xlsx workbook, and charts as PNG / SVG.

No streamlit here. The tables are the metric functions' tidy outputs after small-cell
suppression (:mod:`hoo_metrics.privacy`): a hidden cell holds the text a view prints ("<5",
"suppressed", "Too few participants to show"); every other number stays a number.

Safe to open in a spreadsheet: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return is prefixed with a single quote, so Excel or LibreOffice shows it as text
instead of running it as a formula (OWASP, "CSV Injection"). Numbers, negative ones included,
are written as numbers and are never quoted.

Charts: :func:`figure_png` / :func:`figure_svg` render a plotly figure at presentation size
with kaleido (>= 1.0), which drives the system Chromium (``BROWSER_PATH``, else
``/usr/bin/chromium``) with plotly.js from the installed plotly package and MathJax off: no
request leaves the machine.
"""

from __future__ import annotations

import html
import io
import os
import re
import shutil
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..cohort import Cohort
from ..privacy import SuppressedTable, Suppression
from .results import Results, compute_results, filters_text, mark_if_sample

__all__ = [
    "Results",
    "compute_results",
    "csv_bytes",
    "export_tables",
    "figure_png",
    "figure_svg",
    "filters_text",
    "mark_if_sample",
    "neutralise",
    "presentation_figure",
    "write_csvs",
    "write_xlsx",
    "xlsx_bytes",
]

#: The characters a spreadsheet reads as the start of a formula (OWASP CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: Characters an .xlsx file cannot hold (XML 1.0): control characters but tab, LF and CR.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
PRESENTATION_SIZE = (1600, 900)


def neutralise(value):
    """A text value that a spreadsheet would run as a formula, prefixed with a single quote;
    anything else (numbers, NaN, safe text) unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def labelled(st: SuppressedTable) -> pd.DataFrame:
    """The table with each hidden cell replaced by its label ("<5", "suppressed", ...); the
    overall row(s), when suppressed with it, appended with group "all"."""
    parts = [st] + ([st.overall] if st.overall is not None else [])
    frames = []
    for part in parts:
        out = part.table.reset_index(drop=True).copy()
        labels = part.labels().reset_index(drop=True)
        mask = part.mask.reset_index(drop=True)
        for c in out.columns:
            m = mask[c].to_numpy()
            is_count = c in part.count_columns
            if m.any() or is_count:
                col = out[c].astype(object).to_numpy().copy()
                if is_count:  # counts as whole numbers again (suppression made them floats)
                    col = np.array([_whole(v) for v in col], dtype=object)
                col[m] = labels[c].to_numpy()[m]
                out[c] = pd.Series(col, dtype=object)
        frames.append(out)
    out = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    return out


def _whole(value):
    if isinstance(value, (float, np.floating)) and np.isfinite(value) and value == int(value):
        return int(value)
    return value


def export_tables(
    cohort: Cohort,
    population: str = "completed",
    group_by: str | None = "arm",
    filters: Mapping[str, Sequence[str]] | None = None,
    suppression: int | Suppression | None = None,
    results: Results | None = None,
) -> dict[str, pd.DataFrame]:
    """Every result table of a view, suppressed, by name ("about" first: provenance and
    settings). Hidden cells hold their label; nothing is neutralised yet (the writers do)."""
    res = results or compute_results(cohort, population, group_by, filters, suppression)
    out = {"about": res.about()}
    for name, st in res.tables.items():
        out[name] = labelled(st)
    return out


def _safe_frame(df: pd.DataFrame, xlsx: bool = False) -> pd.DataFrame:
    """Text cells neutralised (and, for xlsx, stripped of characters XML cannot hold)."""
    out = df.copy()
    out.columns = [_safe_text(str(c), xlsx) for c in out.columns]
    for c in out.columns:
        col = out[c]
        if pd.api.types.is_numeric_dtype(col) or pd.api.types.is_bool_dtype(col):
            continue
        out[c] = pd.Series(
            [_safe_text(v, xlsx) if isinstance(v, str) else v for v in col],
            index=out.index,
            dtype=object,
        )
    return out


def _safe_text(value: str, xlsx: bool) -> str:
    if xlsx:
        value = _XML_ILLEGAL.sub("", value)
    return neutralise(value)


def csv_bytes(df: pd.DataFrame, index: bool = False) -> bytes:
    """One table as CSV bytes for a download button: UTF-8 with BOM (Excel reads accents),
    text cells that a spreadsheet would run as a formula neutralised, numbers left as numbers."""
    return _safe_frame(df).to_csv(index=index).encode("utf-8-sig")


def write_csvs(tables: Mapping[str, pd.DataFrame], out_dir: str | Path) -> list[Path]:
    """One CSV per table (``<name>.csv``, UTF-8 with BOM so Excel reads accents), text cells
    neutralised. Returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, df in tables.items():
        path = out_dir / f"{name}.csv"
        _safe_frame(df).to_csv(path, index=False, encoding="utf-8-sig")
        paths.append(path)
    return paths


def xlsx_bytes(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """All tables as one .xlsx workbook (openpyxl), one sheet each, text cells neutralised."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in tables.items():
            _safe_frame(df, xlsx=True).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for cells in sheet.iter_cols(min_row=1, max_row=1):
                width = max(len(str(c.value or "")) for c in cells) + 2
                sheet.column_dimensions[cells[0].column_letter].width = min(max(width, 8), 40)
    return buf.getvalue()


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """Write :func:`xlsx_bytes` to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(xlsx_bytes(tables))
    return path


# ---- charts --------------------------------------------------------------------------------------
def presentation_figure(
    fig: go.Figure, title: str | None = None, takeaway: str | None = None, font_size: int = 22
) -> go.Figure:
    """A copy of ``fig`` for a slide: large type, its title and the takeaway as the subtitle
    (wrapped to fit 1600 px; text from the data is escaped)."""
    fig = go.Figure(fig)
    sub = "<br>".join(textwrap.wrap(html.escape(takeaway or "", quote=False), 110))
    fig.update_layout(
        title={
            "text": f"<b>{html.escape(title or '', quote=False)}</b>",
            "subtitle": {"text": sub, "font": {"size": round(font_size * 0.9)}},
            "x": 0.01,
            "xanchor": "left",
            "y": 0.97,
            "yanchor": "top",
            "font": {"size": round(font_size * 1.3)},
        },
        font={"size": font_size},
        margin={"t": 130 + 28 * max(sub.count("<br>"), 0), "l": 30, "r": 30, "b": 40},
        height=None,
        autosize=True,
    )
    return fig


def _browser_path() -> str | None:
    return (
        os.environ.get("BROWSER_PATH")
        or shutil.which("chromium")
        or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    )


def _render(fig: go.Figure, fmt: str, width: int, height: int) -> bytes:
    try:
        import kaleido
    except ImportError as exc:  # pragma: no cover - kaleido is a pinned requirement
        raise RuntimeError("Chart export needs the kaleido package (pip install kaleido).") from exc
    kopts: dict = {"mathjax": False}  # MathJax would come from a CDN: keep it off
    path = _browser_path()
    if path:
        kopts["path"] = path
    try:
        return kaleido.calc_fig_sync(
            fig.to_dict(),
            opts={"format": fmt, "width": int(width), "height": int(height), "scale": 1},
            kopts=kopts,
        )
    except Exception as exc:
        raise RuntimeError(
            f"Could not render the chart as {fmt.upper()}: {type(exc).__name__}: {exc}. "
            "Chart export needs Chromium (set BROWSER_PATH to its executable)."
        ) from exc


def figure_png(
    fig: go.Figure,
    width: int = PRESENTATION_SIZE[0],
    height: int = PRESENTATION_SIZE[1],
    title: str | None = None,
    takeaway: str | None = None,
) -> bytes:
    """The figure as a PNG of exactly ``width`` x ``height`` pixels (kaleido, system Chromium);
    with ``title``/``takeaway`` it is restyled for a slide first (:func:`presentation_figure`)."""
    if title is not None or takeaway is not None:
        fig = presentation_figure(fig, title, takeaway)
    return _render(fig, "png", width, height)


def figure_svg(
    fig: go.Figure,
    width: int = PRESENTATION_SIZE[0],
    height: int = PRESENTATION_SIZE[1],
    title: str | None = None,
    takeaway: str | None = None,
) -> bytes:
    """The figure as an SVG (see :func:`figure_png`)."""
    if title is not None or takeaway is not None:
        fig = presentation_figure(fig, title, takeaway)
    return _render(fig, "svg", width, height)
