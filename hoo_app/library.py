"""The cohort library on the Data page: provenance, publish (with a preview), archive and
restore, and two cohorts compared side by side.

Every write asks ``auth.current_role()`` at the moment of the click and passes it to the
store, which refuses anyone but an evaluator; the controls are hidden from viewers too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import hoo_metrics as hm

from . import auth
from .state import (
    LIBRARY,
    cohorts,
    library_cohort,
    library_records,
    remember,
    select_cohort,
    store,
)
from .upload import REPORT

FLASH = "hoo_flash:"  # session_state key prefix: (kind, message) after a publish or archive


def _flash(where: str, kind: str, text: str) -> None:
    st.session_state[FLASH + where] = (kind, text)


def show_flash(where: str) -> None:
    """The message left by the last publish (``where="publish"``) or archive/restore."""
    kind, text = st.session_state.pop(FLASH + where, (None, None))
    if kind == "success":
        st.success(text, icon=":material/check_circle:")
    elif kind:
        st.error(text, icon=":material/block:")


# ---- provenance ----------------------------------------------------------------------------
def provenance(cohort: hm.Cohort, record) -> None:
    """Where the cohort shown comes from: name, version, SHA-256, published by and when."""
    if record is not None:
        lines = [
            f"**Cohort:** {record.name}, version {record.version} of the cohort library",
            f"**Published by:** {record.published_by} on {record.created} (UTC)",
            f"**Description:** {record.description or '-'}",
            f"**SHA-256 of the content:** `{record.sha256}`",
            f"**Data contract:** version {record.contract_version}",
        ]
    else:
        lines = [
            f"**Cohort:** {cohort.name}",
            f"**Source:** `{cohort.source or 'in memory'}`",
            f"**SHA-256:** `{cohort.sha256 or '-'}`",
        ]
    lines += [
        f"**Participant columns (grouping and filters):** {', '.join(cohort.participant_columns)}",
        f"**Resources:** {', '.join(hm.resource_label(r) for r in cohort.resources)}",
    ]
    st.markdown("  \n".join(lines))


# ---- publish -------------------------------------------------------------------------------
def _preview(report: dict) -> dict:
    """What publishing stores, computed once per upload (kept with the session's report)."""
    if "preview" not in report:
        cohort = report["cohort"]
        tables = hm.canonical_tables(cohort)
        report["preview"] = {
            **cohort.counts(),
            "sha256": hm.content_sha256(tables),
            "bytes": sum(len(b) for b in tables.values()),
        }
    return report["preview"]


def _on_publish() -> None:
    report = st.session_state.get(REPORT) or {}
    cohort = report.get("cohort")
    name = str(st.session_state.get("hoo_publish_name", "")).strip()
    description = str(st.session_state.get("hoo_publish_description", ""))
    if cohort is None:
        _flash("publish", "error", "There is no validated upload to publish.")
        return
    try:
        record = store().publish(
            cohort, name, description, published_by=auth.actor(), role=auth.current_role()
        )
    except (PermissionError, hm.StoreError) as exc:
        _flash("publish", "error", f"Nothing was published. {exc}")
        return
    if record.unchanged:
        _flash(
            "publish",
            "success",
            f"Unchanged: {record.name!r} version {record.version} already holds exactly this "
            "content (same SHA-256); nothing was stored.",
        )
    else:
        _flash("publish", "success", f"Published {record.name!r} version {record.version}.")
    select_cohort(LIBRARY + record.name)


def publish_panel() -> None:
    """Preview of what will be stored, then name, description and the publish button
    (evaluators only; shown once an upload has loaded)."""
    report = st.session_state.get(REPORT) or {}
    cohort = report.get("cohort")
    if cohort is None or not auth.is_evaluator():
        show_flash("publish")  # e.g. a refusal: the controls are gone, the reason stays
        return
    with st.container(border=True):
        st.markdown("**Publish this upload to the cohort library**")
        show_flash("publish")
        p = _preview(report)
        cols = st.columns(3)
        cols[0].metric("Participants", p["participants"])
        cols[1].metric("Survey responses", p["responses"])
        cols[2].metric("Peer-support contacts", p["contacts"])
        warnings = cohort.warnings
        st.markdown(
            f"**Resources:** {', '.join(hm.resource_label(r) for r in cohort.resources)}  \n"
            f"**SHA-256 of the content:** `{p['sha256']}`  \n"
            f"**Stored:** the three tables as canonical CSV ({p['bytes'] / 1024:.0f} KB before "
            f"compression), data contract version {hm.CONTRACT_VERSION}  \n"
            f"**Warnings stored with it:** {len(warnings)}"
            + (f" (first: {warnings[0].message})" if warnings else "")
        )
        st.text_input(
            "Name in the library",
            key="hoo_publish_name",
            placeholder="e.g. Pilot trial 2021",
            help="Publishing under an existing name adds a new version; nothing is overwritten.",
        )
        st.text_area("Description", key="hoo_publish_description", height=68)
        st.button(
            "Publish to the library",
            key="hoo_publish",
            type="primary",
            on_click=_on_publish,
            icon=":material/publish:",
        )


# ---- the library ---------------------------------------------------------------------------
def _on_archive(restore: bool) -> None:
    name = st.session_state.get("hoo_restore_name" if restore else "hoo_archive_name")
    if not name:
        return
    try:
        if restore:
            store().restore(name, role=auth.current_role())
        else:
            store().archive(name, role=auth.current_role(), archived_by=auth.actor())
    except (PermissionError, hm.StoreError) as exc:
        _flash("library", "error", f"Nothing was changed. {exc}")
        return
    _flash("library", "success", f"{'Restored' if restore else 'Archived'} {name!r}.")
    if not restore and st.session_state.get("cohort") == LIBRARY + name:
        select_cohort(next(iter(cohorts())))  # the archived cohort leaves the picker


def library_panel() -> None:
    """The published cohorts (newest versions) and, for evaluators, archive and restore."""
    if not auth.can_browse_library():
        st.info("Sign in to browse the cohort library.", icon=":material/lock:")
        return
    show_flash("library")
    evaluator = auth.is_evaluator()
    records, error = library_records(include_archived=evaluator)
    if error:
        st.error(f"The cohort library cannot be opened. {error}", icon=":material/error:")
        return
    st.caption(f"Library file: `{store().path}` (set with the HOO_DB environment variable).")
    if not records:
        st.info("No cohort has been published yet.", icon=":material/info:")
        return
    table = pd.DataFrame(
        {
            "Name": [r.name for r in records],
            "Newest version": [r.version for r in records],
            "Participants": [r.participants for r in records],
            "Published by": [r.published_by for r in records],
            "Published (UTC)": [r.created for r in records],
            "SHA-256": [r.sha256[:16] + "…" for r in records],
            "Archived": ["yes" if r.archived else "" for r in records],
        }
    )
    st.dataframe(table, hide_index=True, key="library_table")
    if not evaluator:
        return
    active = [r.name for r in records if not r.archived]
    archived = [r.name for r in records if r.archived]
    c1, c2 = st.columns(2)
    if active:
        c1.selectbox("Archive a cohort (hidden, never deleted)", active, key="hoo_archive_name")
        c1.button("Archive", key="hoo_archive", on_click=_on_archive, args=(False,))
    if archived:
        c2.selectbox("Restore an archived cohort", archived, key="hoo_restore_name")
        c2.button("Restore", key="hoo_restore", on_click=_on_archive, args=(True,))


# ---- compare two cohorts -------------------------------------------------------------------
def compare_options() -> dict[str, str]:
    """{option: label}: the session's cohorts and every version of every published cohort."""
    options = {name: name for name in cohorts()}
    records, _error = library_records()
    for r in records:
        try:
            versions = store().versions(r.name)
        except (hm.StoreError, OSError):
            continue
        for v in reversed(versions):
            options[f"{LIBRARY}{r.name}@{v.version}"] = f"{r.name} v{v.version} (library)"
    return options


def _cohort_of(option: str) -> hm.Cohort:
    if option.startswith(LIBRARY):
        name, _, version = option[len(LIBRARY) :].rpartition("@")
        return library_cohort(name, int(version))
    return cohorts()[option]


@dataclass(frozen=True)
class Count:
    """One count of a cohort's headline as its results show it: ``value`` None when the
    suppression layer hides it, ``text`` what is printed ("42", "<11", "suppressed")."""

    value: int | None
    text: str

    @property
    def shown(self) -> bool:
        return self.value is not None


def _count(st: hm.SuppressedTable, i: int, col: str) -> Count:
    if st.mask[col].iloc[i]:
        label = st.labels()[col].iloc[i]
        return Count(None, label if label.startswith("<") else "suppressed")
    v = st.table[col].iloc[i]
    return Count(None, hm.DASH) if pd.isna(v) else Count(int(v), str(int(v)))


_ZERO = Count(0, "0")


def headline(cohort: hm.Cohort, population: str, suppression=None) -> dict:
    """The headline numbers of a whole cohort (no grouping, no filters), read from its one
    jointly suppressed results object (``hm.compute_results``): enrolled and analysed (the
    enrollment row), support ended by the 1st and 2nd contact, early stages to thriving
    (count and denominator as :class:`Count`), the top 3 resources named most helpful as text.
    A refused view gives ``{"refusal": message}`` and no number. ``suppression``: an int k or
    a ``hm.Suppression`` (None: ``HOO_MIN_CELL``, default 5)."""
    res = hm.compute_results(cohort, population, None, None, suppression)
    if res.refusal is not None:
        return {"refusal": res.refusal.message}
    t = res.tables
    enr = t["enrollment"]
    out: dict[str, Any] = {"refusal": None}
    for col in ("enrolled", "analysed"):
        out[col] = _count(enr, 0, col) if len(enr.table) else _ZERO
    ended = t["ended_by_contact"]
    contact = ended.table["contact"].reset_index(drop=True)
    for k in (1, 2):
        upto = np.flatnonzero((contact <= k).to_numpy())  # beyond the last contact it stays
        if len(upto):
            i = int(upto[-1])
            out[f"ended_{k}"] = (_count(ended, i, "ended"), _count(ended, i, "participants"))
        else:  # nobody with a contact: a shown 0 of 0
            out[f"ended_{k}"] = (_ZERO, _ZERO)
    ett = t["early_to_thriving"]
    out["thriving"] = (
        (_count(ett, 0, "n"), _count(ett, 0, "participants")) if len(ett.table) else (_ZERO, _ZERO)
    )
    over = t["resources_overall"]
    top = [
        i
        for i in np.argsort(over.table["rank"].to_numpy(), kind="stable")
        if over.table["rank"].iloc[i] <= 3
    ]
    out["top"] = "; ".join(
        f"{hm.resource_label(over.table['resource'].iloc[i])} "
        f"{_share(_count(over, i, 'most_helpful_ever'), _count(over, i, 'participants'))}"
        for i in top
    )
    return out


def _share(k: Count, n: Count) -> str:
    """ "65% (15/23)" when both counts show; else the counts as shown ("<5 of 23")."""
    if k.shown and n.shown:
        return hm.share(k.value, n.value)
    return f"{k.text} of {n.text}"


def compare_table(a: dict, b: dict, labels: tuple[str, str]) -> pd.DataFrame:
    """Headline numbers of two cohorts side by side (two :func:`headline` dicts); shares
    compared with Fisher's exact test (two-sided) and the Newcombe interval of the difference
    A - B. Nothing is hidden here: each cohort's numbers are as its results show them, hidden
    counts printed as their labels ("<k", "suppressed"), a refused cohort as its refusal
    message. A share, its difference and the test need both counts and both denominators
    shown."""
    refused = [d["refusal"] for d in (a, b)]

    def cell(d: dict, key: str, first: bool) -> str:
        if d["refusal"] is not None:
            return d["refusal"] if first else "not shown"
        v = d[key]
        return v if isinstance(v, str) else v.text if isinstance(v, Count) else _share(*v)

    def row(label: str, key: str, diff: str, test: str, first: bool = False) -> tuple:
        return (label, cell(a, key, first), cell(b, key, first), diff, test)

    no_test = "not shown: a cohort is refused" if any(refused) else None
    rows = [
        row("Enrolled", "enrolled", hm.DASH, no_test or "not tested (counts)", first=True),
        row("Analysed", "analysed", hm.DASH, no_test or "not tested (counts)"),
    ]
    shares = {
        "ended_1": "Support ended after the 1st contact",
        "ended_2": "Support ended by the 2nd contact",
        "thriving": "Early stages (1-3) to thriving (6)",
    }
    for key, label in shares.items():
        if no_test:
            rows.append(row(label, key, hm.DASH, no_test))
            continue
        (ka, na), (kb, nb) = a[key], b[key]
        if not all(c.shown for c in (ka, na, kb, nb)):
            rows.append(row(label, key, "suppressed", "not shown: a count is hidden"))
            continue
        if na.value and nb.value:
            res = hm.compare_proportions([ka.value, kb.value], [na.value, nb.value], labels)
            low, high = res.risk_difference_ci()
            diff = f"{hm.pct(res.risk_difference)} ({hm.ci(low, high, percent=True)})"
            test = f"{res.test}, {hm.p_value(res.pvalue)}, n = {na.value} vs {nb.value}"
        else:
            diff, test = hm.DASH, "not tested: a cohort has nobody to count"
        rows.append(row(label, key, diff, test))
    rows.append(
        row("Most helpful (top 3, in order)", "top", hm.DASH, no_test or "not tested (rankings)")
    )
    return pd.DataFrame(rows, columns=["Measure", *labels, "Difference (A − B)", "Test"])


def compare_panel(population: str, suppression=None) -> None:
    """Pick two cohorts (sample, upload, library versions) and compare their headlines, each
    as its own results show them under the session's ``suppression`` setting (None:
    ``HOO_MIN_CELL``)."""
    options = compare_options()
    if len(options) < 2:
        st.info(
            "Upload or publish a second cohort to compare it with the sample.",
            icon=":material/info:",
        )
        return
    keys = list(options)
    c1, c2 = st.columns(2)
    a = c1.selectbox("Cohort A", keys, format_func=options.__getitem__, key="hoo_cmp_a")
    b = c2.selectbox("Cohort B", keys, index=1, format_func=options.__getitem__, key="hoo_cmp_b")
    if a == b:
        st.info("Pick two different cohorts.", icon=":material/info:")
        return
    # the session memo is emptied whenever a cohort is registered or a loaded one dropped
    numbers = []
    for option in (a, b):
        try:
            numbers.append(
                remember(
                    ("compare", option, population, suppression),
                    lambda option=option: headline(_cohort_of(option), population, suppression),
                )
            )
        except (hm.StoreError, OSError, KeyError) as exc:
            st.error(f"{options[option]} cannot be opened. {exc}")
            return
    labels = (f"A: {options[a]}", f"B: {options[b]}")
    # six rows of sentences: a static table wraps them (a data grid cut the tests off)
    st.table(compare_table(numbers[0], numbers[1], labels), hide_index=True)
    st.caption(
        f"{hm.population_label(population)} of each whole cohort (the sidebar filters do not "
        'apply), small counts hidden as on every page ("<k", "suppressed"). Differences in '
        "percentage points with Newcombe's 95% interval; P from Fisher's exact test, "
        "two-sided, only where both counts and denominators show. The test assumes different "
        "people in A and B: two versions of one cohort share participants, so read their P as "
        "descriptive only."
    )
