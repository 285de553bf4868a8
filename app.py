"""HOO dashboard: peer support for clinicians after adverse events.

Entry point only: page config, navigation, the shared sidebar, then the chosen page.
Run with ``streamlit run app.py``.

The page files live in ``app_pages/``, not ``pages/``: Streamlit treats a ``pages/`` folder
next to the entry script as a legacy (v1) multipage app, which makes a deep link such as
``/resources?f_role=resident`` run the page file without this script (no sidebar, no view).
"""

import streamlit as st

from hoo_app import state

st.set_page_config(
    page_title="HOO · peer support after adverse events",
    page_icon=":material/diversity_1:",
    layout="wide",
)

PAGES = {
    "Results": [
        st.Page(
            "app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True
        ),
        st.Page("app_pages/baseline.py", title="Baseline", icon=":material/table_chart:"),
        st.Page("app_pages/resources.py", title="Resources", icon=":material/support:"),
        st.Page("app_pages/recovery.py", title="Recovery", icon=":material/trending_up:"),
        st.Page("app_pages/followup.py", title="Follow-up", icon=":material/call:"),
    ],
    "Explore": [
        st.Page("app_pages/compare.py", title="Compare groups", icon=":material/compare_arrows:"),
        st.Page("app_pages/present.py", title="Present", icon=":material/co_present:"),
    ],
    "About the data": [
        st.Page("app_pages/data.py", title="Data", icon=":material/database:"),
        st.Page("app_pages/methods.py", title="Methods", icon=":material/menu_book:"),
    ],
}

page = st.navigation(PAGES)
st.session_state["hoo_view"] = state.sidebar()
page.run()
