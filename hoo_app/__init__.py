"""Streamlit-only glue for the HOO dashboard (sidebar, URL state, page helpers)."""
