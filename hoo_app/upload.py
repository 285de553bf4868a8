"""The upload on the Data page: files in memory -> read_tables -> validate -> report.

Nothing uploaded is written to disk or to a cache shared between sessions: the files' bytes
are read from Streamlit's in-memory upload (``UploadedFile.getvalue()``), the report and the
cohort live in ``st.session_state`` of this browser session only. A valid upload (warnings
allowed) becomes the session's cohort; an upload with errors leaves the current cohort shown.
"""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import streamlit as st

import hoo_metrics as hm

from . import auth
from .state import register_upload

UPLOADER = "hoo_upload_files"  # the file_uploader's key
REPORT = "hoo_upload_report"  # session_state key: the last upload's report (dict)
TYPES = ("csv", "zip", "xlsx")
TABLE_ROWS = 30  # reports up to this long are shown as a static table (sentences wrap)

REPORT_COLUMNS = {
    "file": "File / table",
    "row": "Row",
    "column": "Column",
    "value": "Value",
    "message": "What is wrong",
    "severity": "Error or warning",
}


def limit_mb() -> int:
    """The upload limit in MB (``server.maxUploadSize`` in .streamlit/config.toml)."""
    return int(st.get_option("server.maxUploadSize"))


def upload_name(filenames: list[str]) -> str:
    """The name the session's upload gets in the cohort picker."""
    shown = ", ".join(filenames) if len(filenames) <= 3 else f"{len(filenames)} files"
    return f"Upload: {shown}"


def check_upload(files: dict[str, bytes], limit_bytes: int) -> dict:
    """Read and validate uploaded files (``{file name: bytes}``), all in memory.

    Returns the report: ``names`` (file names), ``problems`` (list of Problem), ``files``
    (table -> file it came from), ``cohort`` (None when any error) and ``name``."""
    names = list(files)
    too_big = [
        hm.Problem(
            "cohort",
            None,
            None,
            name,
            f"The file {name} is {len(data) / 2**20:.1f} MB; the upload limit is "
            f"{limit_bytes / 2**20:.0f} MB. Upload a .zip of the CSV files instead, or ask the "
            "administrator to raise server.maxUploadSize.",
        )
        for name, data in files.items()
        if len(data) > limit_bytes
    ]
    if too_big:
        return {"names": names, "problems": too_big, "files": {}, "cohort": None, "name": ""}
    raw = hm.read_tables(files)
    name = upload_name(names)
    result = hm.validate(raw, name=name, source="upload (kept in this browser session only)")
    return {
        "names": names,
        "problems": list(result.problems),
        "files": dict(raw.files),
        "cohort": result.cohort,
        "name": name,
    }


def _on_upload() -> None:
    """Callback of the uploader: runs before the page, so the picker can select the cohort."""
    uploaded = st.session_state.get(UPLOADER) or []
    if not auth.is_evaluator():  # a viewer never gets the uploader; refuse anyway
        st.session_state[REPORT] = {"refused": True}
        return
    if not uploaded:
        st.session_state.pop(REPORT, None)
        return
    files = {f.name: f.getvalue() for f in uploaded}
    report = check_upload(files, limit_mb() * 2**20)
    if report["cohort"] is not None:
        register_upload(report["name"], report["cohort"])
    st.session_state[REPORT] = report


def problems_table(problems: list[hm.Problem], files: dict[str, str]) -> pd.DataFrame:
    """The validation report as a table: file/table, row as in the file, column, value, what
    is wrong, error or warning (errors first, then in the order found)."""
    rows = []
    for p in problems:
        d = p.as_dict()
        source = files.get(p.table)
        d["file"] = f"{p.table} ({source})" if source and source != p.table else p.table
        rows.append(d)
    df = pd.DataFrame(rows, columns=["file", "row", "column", "value", "message", "severity"])
    df["row"] = df["row"].astype("Int64")
    df = df.sort_values("severity", key=lambda s: s.ne(hm.ERROR), kind="stable")
    return df.rename(columns=REPORT_COLUMNS).reset_index(drop=True)


def uploader(container) -> None:
    """The uploader (evaluators only) with the limit stated."""
    container.markdown(
        f"Upload the three CSV files at once (**participants.csv**, **responses.csv**, "
        f"**contacts.csv**), one **.zip** holding them, or one **.xlsx** workbook with sheets "
        f"`participants`, `responses`, `contacts`. Limit: **{limit_mb()} MB per file**. "
        "The files stay in this browser session's memory: nothing is saved unless you publish."
    )
    container.file_uploader(
        "Cohort files",
        type=list(TYPES),
        accept_multiple_files=True,
        key=UPLOADER,
        on_change=_on_upload,
        help=f"CSV, ZIP or XLSX; at most {limit_mb()} MB per file.",
    )


def report(container, current: str) -> hm.Cohort | None:
    """The last upload's validation report; returns the uploaded cohort when it loaded."""
    rep = st.session_state.get(REPORT)
    if not rep:
        return None
    if rep.get("refused"):
        container.error("Only an evaluator can upload cohorts; nothing was read.")
        return None
    problems = rep["problems"]
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    files = ", ".join(rep["names"])
    if rep["cohort"] is None:
        container.error(
            f"**{files} was not loaded:** {errors} error(s) and {warnings} warning(s), listed "
            f"below. Every page still shows **{current}**. Correct the files and upload them "
            "again.",
            icon=":material/block:",
        )
    elif warnings:
        container.warning(
            f"**{files} loaded with {warnings} warning(s)**, listed below: the rows concerned "
            f"were read as the message says. Pick **{rep['name']}** in the sidebar's Cohort "
            "box to see it on every page (it was selected when it loaded).",
            icon=":material/warning:",
        )
    else:
        container.success(
            f"**{files} loaded**: every row passed the checks. Pick **{rep['name']}** in the "
            "sidebar's Cohort box to see it on every page (it was selected when it loaded).",
            icon=":material/check_circle:",
        )
    if problems:
        table = problems_table(problems, rep["files"])
        if len(table) <= TABLE_ROWS:  # a short report reads best with its sentences wrapped
            container.table(table.astype(object).where(table.notna(), ""), hide_index=True)
        else:
            container.dataframe(
                table,
                hide_index=True,
                key="upload_report",
                column_config={"What is wrong": st.column_config.TextColumn(width="large")},
            )
        container.download_button(
            "Download the validation report (CSV)",
            hm.csv_bytes(table),  # cell values come from the upload: formulas neutralised
            file_name="hoo-validation-report.csv",
            mime="text/csv",
            key="dl_upload_report",
            on_click="ignore",
            icon=":material/download:",
        )
    return rep["cohort"]


@st.cache_data(show_spinner=False)  # the synthetic sample only: safe to share
def _templates() -> tuple[bytes, bytes]:
    """The empty and the filled (synthetic sample) templates as .zip files of CSVs."""
    filled = hm.generate_sample()
    out = []
    for tables in ({k: t.iloc[0:0] for k, t in filled.items()}, filled):
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            for name, table in tables.items():
                z.writestr(f"{name}.csv", table.to_csv(index=False))
        out.append(buffer.getvalue())
    return out[0], out[1]


def templates(container) -> None:
    """Download buttons: the empty template and the filled SYNTHETIC example."""
    empty, filled = _templates()
    c1, c2 = container.columns(2)
    c1.download_button(
        "Empty template (.zip)",
        empty,
        "hoo-template-empty.zip",
        "application/zip",
        on_click="ignore",
        icon=":material/download:",
        key="tpl_empty",
    )
    c2.download_button(
        "Filled example: SYNTHETIC sample (.zip)",
        filled,
        "hoo-template-SYNTHETIC-sample.zip",
        "application/zip",
        on_click="ignore",
        icon=":material/download:",
        key="tpl_filled",
    )
