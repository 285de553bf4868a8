"""Who is using the app and what they may do: local mode or sign-in with Streamlit's OIDC.

Without an ``[auth]`` section in ``.streamlit/secrets.toml`` the app runs in local mode and the
single user is an evaluator. With it, users sign in (``st.login``) and their role comes from
``hoo_metrics.role_for`` with the e-mail the identity provider gives (``st.user``) and the
evaluator list (``[hoo] evaluators`` in the secrets, ``HOO_EVALUATORS`` in the environment).

The role is computed afresh every time it is asked for, from ``st.user`` and the secrets:
never kept in ``st.session_state``, so a crafted session cannot make a viewer an evaluator.
Every write to the library passes this role to the store, which refuses anyone else.
"""

from __future__ import annotations

import streamlit as st

import hoo_metrics as hm


def auth_enabled() -> bool:
    """True when ``[auth]`` is configured in the secrets (sign-in required)."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file, or one that cannot be parsed: local mode
        return False


def _secrets() -> dict:
    try:
        return st.secrets.to_dict()
    except Exception:
        return {}


def signed_in() -> bool:
    """Signed in through the identity provider (always False in local mode)."""
    return auth_enabled() and bool(st.user.get("is_logged_in", False))


def email() -> str | None:
    """The signed-in user's e-mail, or None (local mode, signed out, no e-mail claim)."""
    if not signed_in():
        return None
    value = st.user.get("email")
    return str(value) if value else None


def current_role() -> hm.Role:
    """The role at this moment, from the identity provider and the evaluator list."""
    enabled = auth_enabled()
    verified = st.user.get("email_verified") if signed_in() else None
    return hm.role_for(
        email(),
        auth_enabled=enabled,
        evaluators=hm.evaluator_emails(_secrets()),
        email_verified=None if verified is None else bool(verified),
    )


def is_evaluator() -> bool:
    return current_role() == hm.Role.EVALUATOR


def can_browse_library() -> bool:
    """Published cohorts hold real data: with sign-in configured, only signed-in users see
    them; in local mode the single user does."""
    return not auth_enabled() or signed_in()


def actor() -> str:
    """What the library records as ``published_by`` / ``archived_by``."""
    return email() or "local"


def sidebar_identity() -> None:
    """The sidebar line saying who the user is and what they may do."""
    sb = st.sidebar
    if not auth_enabled():
        sb.markdown(
            ":material/person: **Local mode: you are an evaluator**",
            help="No sign-in is configured (no [auth] in .streamlit/secrets.toml): the single "
            "user can upload, publish and archive cohorts. See docs/library.md.",
        )
        return
    if not signed_in():
        sb.markdown(
            ":material/lock: **Sign in** to browse the cohort library; until then only the "
            "SYNTHETIC sample is shown."
        )
        sb.button("Sign in", key="hoo_login", on_click=st.login, icon=":material/login:")
        return
    role = current_role()
    who = email() or "signed in (no e-mail given)"
    if role == hm.Role.EVALUATOR:
        sb.markdown(
            f":material/person: {who} · **evaluator**",
            help="You can upload, publish and archive cohorts.",
        )
    else:
        sb.markdown(
            f":material/person: {who} · **viewer**",
            help="You can browse the library; evaluators upload and publish cohorts.",
        )
    sb.button("Sign out", key="hoo_logout", on_click=st.logout, icon=":material/logout:")
