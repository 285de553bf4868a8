"""Data: which cohort is loaded, where it came from, its counts, warnings and the contract."""

import io
import zipfile

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(view, "Data", "Which data this dashboard is showing, and how to bring your own.")

cohort = view.full
if cohort.synthetic:
    st.warning(
        "This is the **SYNTHETIC** sample cohort: no row describes a real person. It was built "
        "to reproduce the published figures of the Healing Our Own pilot trial.",
        icon=":material/science:",
    )
counts = cohort.counts()
cols = st.columns(4)
cols[0].metric("Participants", counts["participants"], border=True)
cols[1].metric("Survey responses", counts["responses"], border=True)
cols[2].metric("Peer-support contacts", counts["contacts"], border=True)
cols[3].metric("Resources asked about", len(cohort.resources), border=True)
st.markdown(
    f"**Cohort:** {cohort.name}  \n**Source:** `{cohort.source or 'in memory'}`  \n"
    f"**SHA-256:** `{cohort.sha256 or '-'}`  \n"
    f"**Participant columns (grouping and filters):** {', '.join(cohort.participant_columns)}  \n"
    f"**Resources:** {', '.join(hm.resource_label(r) for r in cohort.resources)}"
)

st.subheader("Warnings")
if cohort.warnings:
    ui.takeaway(f"{len(cohort.warnings)} warning(s): the data loaded, but check these rows.")
    ui.table(view, pd.DataFrame([p.as_dict() for p in cohort.warnings]), "warnings", key="warn")
else:
    st.success("No warnings: every row passed the checks of the data contract.")

st.subheader("Bring your own cohort")
# Upload hook: the upload UI (another issue) goes in this container and calls
# hoo_app.state.register_cohort(name, cohort) with the validated cohort.
upload_slot = st.container(border=True)
upload_slot.markdown(
    "Prepare three CSV files (or one Excel workbook with these sheets) following the data "
    "dictionary below; start from a template."
)


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


empty, filled = _templates()
c1, c2 = upload_slot.columns(2)
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

st.subheader("Data dictionary")
ui.table(view, hm.data_dictionary(cohort.resources), "data-dictionary", key="dictionary")
