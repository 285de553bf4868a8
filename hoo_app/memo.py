"""The session memo: results kept in ``st.session_state`` (never in a cache shared between
sessions), so a rerun that changes nothing recomputes nothing."""

from __future__ import annotations

import streamlit as st

MEMO = "hoo_memo"  # session_state key: {call key: result}
MEMO_SIZE = 128


def remember(key, build):
    """``build()``, kept in this session's memo under ``key`` (the oldest of MEMO_SIZE entries
    goes first). Session state only: nothing reaches a cache shared between sessions."""
    memo = st.session_state.setdefault(MEMO, {})
    if key not in memo:
        if len(memo) >= MEMO_SIZE:
            memo.pop(next(iter(memo)))
        memo[key] = build()
    return memo[key]
