"""Data: which cohort is loaded and where it came from; upload, publish, the cohort library,
two cohorts compared, and the data contract."""

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import auth, library, ui, upload
from hoo_app.state import current_record, get_view, sample_name, select_cohort

view = get_view()
ui.header(view, "Data", "Which data this dashboard is showing, and how to bring your own.")

cohort = view.full
if cohort.synthetic:
    st.warning(
        "This is the **SYNTHETIC** sample cohort: no row describes a real person. It was built "
        "to reproduce the published figures of the Healing Our Own pilot trial.",
        icon=":material/science:",
    )
else:
    sample = sample_name()
    st.button(
        "Back to the SYNTHETIC sample cohort",
        key="hoo_back_to_sample",
        on_click=select_cohort,
        args=(sample,),
        disabled=sample is None,
        icon=":material/undo:",
    )
counts = cohort.counts()
cols = st.columns(4)
cols[0].metric("Participants", counts["participants"], border=True)
cols[1].metric("Survey responses", counts["responses"], border=True)
cols[2].metric("Peer-support contacts", counts["contacts"], border=True)
cols[3].metric("Resources asked about", len(cohort.resources), border=True)
library.provenance(cohort, current_record())

st.subheader("Warnings")
if cohort.warnings:
    ui.takeaway(f"{len(cohort.warnings)} warning(s): the data loaded, but check these rows.")
    ui.table(view, pd.DataFrame([p.as_dict() for p in cohort.warnings]), "warnings", key="warn")
else:
    st.success("No warnings: every row passed the checks of the data contract.")

st.subheader("Bring your own cohort")
slot = st.container(border=True)
if auth.is_evaluator():
    upload.uploader(slot)
    upload.report(slot, view.name)
else:
    slot.info(
        "Evaluators upload and publish cohorts; as a viewer you browse the library below.",
        icon=":material/lock:",
    )
slot.markdown(
    "Prepare three CSV files (or one Excel workbook with these sheets) following the data "
    "dictionary below; start from a template."
)
upload.templates(slot)
library.publish_panel()  # evaluators with a loaded upload; otherwise only a refusal message

st.subheader("Cohort library")
library.library_panel()

st.subheader("Compare two cohorts")
library.compare_panel(view.population, view.suppression)

st.subheader("Data dictionary")
ui.table(view, hm.data_dictionary(cohort.resources), "data-dictionary", key="dictionary")
