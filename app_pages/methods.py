"""Methods: the library's one Methods text (``hm.methods_sections``, also in the report) for
this session's threshold k, and the software versions."""

from importlib import metadata

import pandas as pd
import streamlit as st

import hoo_metrics as hm
from hoo_app import ui
from hoo_app.state import get_view

view = get_view()
ui.header(view, "Methods", "How every number in this dashboard is computed.")

# the text is plain: every piece is escaped, only the layout (headings, bold, lists) is Markdown
for section in hm.methods_sections(view.suppression.k):
    st.markdown(f"#### {ui.as_text(section.title)}")
    for paragraph in section.paragraphs:
        ui.plain(paragraph)
    if section.items:
        st.markdown(
            "\n".join(
                f"- **{ui.as_text(item.term)}.** {ui.as_text(item.text)}"
                if item.term
                else f"- {ui.as_text(item.text)}"
                for item in section.items
            )
        )

st.markdown("#### Software")
versions = pd.DataFrame(
    [(p, metadata.version(p)) for p in ("streamlit", "pandas", "numpy", "scipy", "plotly")]
    + [("hoo_metrics", hm.__version__)],
    columns=["Package", "Version"],
)
ui.table(view, versions, "package-versions", key="versions")
