"""Streamlit glue shared by the pages: the cohort registry, the sidebar view state and the URL.

No statistics here. The view (cohort, analysis set, grouping, filters) lives in widgets bound to
the URL (``bind="query-params"``), so a copied link reopens the same page, filters and grouping.

Cohorts live in ``st.session_state`` only (one registry per browser session): nothing a user
uploads can reach a cache shared between sessions. Upload hook: call
``register_cohort(name, cohort)`` — the cohort becomes selectable in the sidebar and is selected.

Published cohorts come from the cohort library (``hm.CohortStore``, file from ``HOO_DB``): the
picker lists them as ``library:NAME`` (newest version by default, an older one selectable in a
second box); a loaded version is kept in this session only (a few at most).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import streamlit as st

import hoo_metrics as hm

from . import auth
from .memo import MEMO, remember
from .privacy_view import suppression_setting

REGISTRY = "hoo_cohorts"  # session_state key: {cohort name: Cohort}
UPLOADED = "hoo_uploaded"  # session_state key: name of the session's upload in the registry
LIBRARY = "library:"  # picker option prefix of a published cohort
LOADED = "hoo_library_loaded"  # session_state key: {(path, name, version): Cohort}
LOADED_SIZE = 4
RECORD = "hoo_record"  # session_state key: CohortRecord of the library cohort shown (or None)
POPULATIONS = ("completed", "all")


@dataclass(frozen=True)
class View:
    """What every page shows: the filtered cohort and how to analyse it."""

    name: str
    full: hm.Cohort  # the cohort as loaded
    cohort: hm.Cohort  # after the sidebar filters
    population: str
    group_by: str | None
    filters: dict[str, list[str]] = field(default_factory=dict)
    # small-cell suppression of this session (hoo_app.privacy_view draws the evaluator's toggle)
    suppression: hm.Suppression = field(default_factory=hm.Suppression.from_env)

    @property
    def colors(self) -> dict[str, str]:
        # from the full cohort's groups: filtering never recolours a group; a pooled group
        # (small groups as one) has a colour of its own after them
        pooled = hm.pooled_groups(self.full, self.group_by, self.suppression)
        return hm.group_colors([*self.full.groups(self.group_by), *dict.fromkeys(pooled.values())])

    @property
    def analysed(self) -> int:
        return len(self.cohort.analysis_set(self.population).participants)

    @property
    def caption(self) -> str:
        return hm.view_caption(self.population, self.filters, self.analysed)

    @property
    def key(self) -> tuple:
        filters = tuple(sorted((c, tuple(v)) for c, v in self.filters.items() if v))
        # the content hash, not id(): a cohort evicted from the session frees its id for
        # the next one loaded, and a stale memo entry would show another cohort's numbers
        return (self.full.sha256 or id(self.full), self.full.name, filters)

    def compute(self, fn, *args, **kwargs):
        """``fn(self.cohort, *args, **kwargs)``, memoised for this session (sidebar state and
        arguments as the key), so a rerun that changes nothing recomputes nothing."""
        key = (fn.__name__, self.key, args, tuple(sorted(kwargs.items())))
        return remember(key, lambda: fn(self.cohort, *args, **kwargs))

    def metric(self, fn, **kwargs):
        """A metric function called with this view's grouping and analysis set."""
        return self.compute(fn, group_by=self.group_by, population=self.population, **kwargs)


def cohorts() -> dict[str, hm.Cohort]:
    """The session's cohorts by name; the synthetic sample is loaded on first use."""
    registry = st.session_state.setdefault(REGISTRY, {})
    if not registry:
        try:
            sample = hm.load_sample()
            registry[sample.name] = sample
        except Exception as exc:  # the app still opens and says why
            st.session_state["hoo_load_error"] = str(exc)
    return registry


def register_cohort(name: str, cohort: hm.Cohort) -> None:
    """Upload hook: make ``cohort`` selectable in the sidebar and select it."""
    st.session_state.setdefault(REGISTRY, {})[name] = cohort
    st.session_state[MEMO] = {}
    st.session_state["cohort"] = name


def register_upload(name: str, cohort: hm.Cohort) -> None:
    """The session's upload (one at a time): replaces the previous upload and is selected.
    Call from a widget callback (the picker's value cannot change once it is drawn)."""
    registry = st.session_state.setdefault(REGISTRY, {})
    previous = st.session_state.get(UPLOADED)
    if previous and previous != name:
        registry.pop(previous, None)
    st.session_state[UPLOADED] = name
    register_cohort(name, cohort)


def select_cohort(option: str) -> None:
    """Show ``option`` (a registry name or ``library:NAME``) in every page; from a callback."""
    st.session_state["cohort"] = option
    if option.startswith(LIBRARY):
        st.session_state.pop(_version_key(option[len(LIBRARY) :]), None)  # newest again


def sample_name() -> str | None:
    registry = cohorts()
    return next((n for n, c in registry.items() if c.synthetic), next(iter(registry), None))


# ---- the cohort library ----------------------------------------------------------------------
def store() -> hm.CohortStore:
    """The cohort library at ``$HOO_DB`` (default data/hoo.sqlite), read afresh each time."""
    return hm.CohortStore()


def library_records(include_archived: bool = False) -> tuple[list, str | None]:
    """(newest record of each published cohort, error message or None). Empty when the user
    may not browse the library or no library file exists yet (reading never creates one)."""
    if not auth.can_browse_library():
        return [], None
    lib = store()
    try:
        if not lib.path.exists():
            return [], None
        return lib.list(include_archived=include_archived), None
    except (hm.StoreError, OSError) as exc:
        return [], str(exc)


def library_cohort(name: str, version: int) -> hm.Cohort:
    """One published version, loaded once per session (the last few are kept)."""
    loaded = st.session_state.setdefault(LOADED, {})
    key = (str(store().path), name, int(version))
    if key not in loaded:
        if len(loaded) >= LOADED_SIZE:
            loaded.pop(next(iter(loaded)))
            st.session_state[MEMO] = {}  # a dropped cohort's results go with it
        loaded[key] = store().load(name, int(version))
    return loaded[key]


def current_record():
    """The library record (name, version, SHA-256, published by/when) of the cohort shown, or
    None for the sample or an upload."""
    return st.session_state.get(RECORD)


def _version_key(name: str) -> str:
    return f"hoo_version:{name}"


def _option_label(option: str) -> str:
    return f"{option[len(LIBRARY) :]} (library)" if option.startswith(LIBRARY) else option


def _library_choice(sb, option: str) -> hm.Cohort | None:
    """The version box of a library cohort and the loaded cohort (None on a store error)."""
    name = option[len(LIBRARY) :]
    try:
        versions = store().versions(name)[::-1]  # newest first
        by_number = {r.version: r for r in versions}
        version = sb.selectbox(
            "Version",
            list(by_number),
            format_func=lambda v: (
                f"v{v}{' (newest)' if v == versions[0].version else ''}"
                f" · {by_number[v].created[:10]} · {by_number[v].participants} participants"
            ),
            key=_version_key(name),
        )
        cohort = library_cohort(name, version)
    except (hm.StoreError, OSError) as exc:
        sb.error(f"This library cohort cannot be opened. {exc}")
        return None
    st.session_state[RECORD] = by_number[version]
    return cohort


def _filter_columns(cohort: hm.Cohort) -> list[str]:
    return cohort.participant_columns


def sidebar() -> View | None:
    """Draw the sidebar (cohort, analysis set, grouping, filters) and return the view."""
    registry = cohorts()
    sb = st.sidebar
    auth.sidebar_identity()
    if not registry:
        sb.error("No cohort could be loaded.")
        return None
    records, library_error = library_records()
    names = [*registry, *(LIBRARY + r.name for r in records)]
    name = sb.selectbox(
        "Cohort", names, key="cohort", bind="query-params", format_func=_option_label
    )
    if library_error:
        sb.warning(f"The cohort library is unavailable. {library_error}")
    st.session_state[RECORD] = None
    full = _library_choice(sb, name) if name.startswith(LIBRARY) else registry[name]
    if full is None:  # a damaged library cohort: fall back to the sample
        name = sample_name()
        assert name is not None  # the registry is not empty (checked above)
        full = registry[name]
    if full.synthetic:
        sb.caption(":orange-badge[SYNTHETIC] sample data — no real participants.")
    population = sb.segmented_control(
        "Analysis set",
        POPULATIONS,
        format_func=hm.population_label,
        default="completed",
        required=True,
        key="set",
        bind="query-params",
        help="Completers: participants who finished the study (the trial's analysis). "
        "All enrolled: everyone randomized.",
    )
    columns = _filter_columns(full)
    group_options = [*columns, "(none)"]
    group = sb.selectbox(
        "Compare groups by",
        group_options,
        index=group_options.index("arm") if "arm" in group_options else 0,
        format_func=lambda c: "No grouping (everyone)" if c == "(none)" else hm.variable_label(c),
        key="group",
        bind="query-params",
    )
    group_by = None if group == "(none)" else group
    filters: dict[str, list[str]] = {}
    with sb.expander("Filters", expanded=False):
        for column in columns:
            options = full.groups(column)
            if len(options) < 2:
                continue
            chosen = st.multiselect(
                hm.variable_label(column),
                options,
                key=f"f_{column}",
                bind="query-params",
                placeholder="All",
            )
            if chosen:
                filters[column] = list(chosen)
    cohort = full.filter(filters) if filters else full
    return View(
        name, full, cohort, population or "completed", group_by, filters, suppression_setting()
    )


def get_view() -> View:
    """The view drawn by app.py for this run (pages call this)."""
    view = st.session_state.get("hoo_view")
    if view is None:
        st.error(st.session_state.get("hoo_load_error", "No cohort is loaded."))
        st.stop()
    return view
