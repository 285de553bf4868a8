"""Cohort: the validated tables of one cohort, with the analysis set, filters and groups.

Canonical dtypes (the loader guarantees them; metric functions rely on them):

participants
    ``participant_id`` str, ``arm`` str, ``status`` str (one of contract.STATUSES), then any
    optional columns (``role``, ``event_type``, descriptive attributes) as str, NaN if blank.
responses
    ``participant_id`` str, ``month`` int64, ``stage`` float64 (1-6 or NaN),
    ``stage6_path`` str (or NaN), ``used_<code>`` float64 (0/1/NaN) and ``helpful_<code>``
    float64 (1-5/NaN) for every resource code (a missing helpful column is all NaN),
    ``most_helpful`` str of lower-case codes joined by ``;`` (or NaN). Ratings given for an
    unused resource are already blanked (the validator warns about them).
contacts
    ``participant_id`` str, ``contact_no`` int64, ``day`` int64, ``more_followup`` bool
    (True = "yes"); an empty frame with these columns when the cohort has no contacts file.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .arrowtext import factorize, index_in
from .contract import ALL_GROUP, BLANK_GROUP, HELPFUL_PREFIX, POPULATIONS, USED_PREFIX
from .identifiers import screen_participant_columns
from .io.canonical import empty_contacts, frames_from_canonical
from .problems import Problem

if TYPE_CHECKING:  # the type only: the metrics import the cohort, never the reverse
    from .metrics._analysed import KeptFacts


class LazyText:
    """A text computed on first use and kept (``compute`` a picklable callable, e.g. a
    ``functools.partial`` of a module-level function). Cohorts derived from one another share
    it, so it is computed at most once."""

    def __init__(self, compute: Callable[[], str]):
        self._compute = compute
        self._value: str | None = None

    def __call__(self) -> str:
        if self._value is None:
            self._value = self._compute()
        return self._value


class _LazyTextField:
    """A dataclass field holding a str or a ``LazyText``; reading it always gives the str."""

    def __set_name__(self, owner, name: str) -> None:
        self._slot = "_" + name

    def __get__(self, obj, owner=None) -> str:
        if obj is None:
            return ""  # the field's default
        value = obj.__dict__[self._slot]
        return value if isinstance(value, str) else value()

    def __set__(self, obj, value: str | LazyText) -> None:
        # only __init__ gets here (the Cohort is frozen)
        obj.__dict__[self._slot] = value

    def raw(self, obj):
        """The stored str or ``LazyText``, without computing it."""
        return obj.__dict__[self._slot]


def named_flags(text_of_row: np.ndarray, texts: Sequence, resources: Sequence[str]) -> np.ndarray:
    """Per row and resource: does the row's most_helpful text (``texts[text_of_row[i]]``,
    resource codes joined by ';'; None for none) name the resource, as a whole code. Each
    distinct text is split once, then spread over the rows by its code (bool, column-major)."""
    parts = [set(t.split(";")) if isinstance(t, str) else set() for t in texts]
    flags = np.zeros((len(text_of_row), len(resources)), dtype=bool, order="F")
    for j, code in enumerate(resources):  # one resource at a time, over the distinct texts
        named = np.array([code in p for p in parts], dtype=bool)
        np.take(named, text_of_row, out=flags[:, j])
    return flags


def sort_groups(values) -> list[str]:
    """Group labels in ascending order: numerically when every label is a number."""
    labels = sorted({str(v) for v in values})
    try:
        return sorted(labels, key=lambda s: (float(s), s))
    except ValueError:
        return labels


@dataclass(frozen=True, eq=False)
class Cohort:
    """The validated tables of one cohort (see the module docstring for their dtypes)."""

    participants: pd.DataFrame
    responses: pd.DataFrame
    contacts: pd.DataFrame = field(default_factory=empty_contacts)
    resources: tuple[str, ...] = ()
    warnings: tuple[Problem, ...] = ()
    name: str = "cohort"
    source: str = ""
    synthetic: bool = False
    # SHA-256 of the content: canonical.content_sha256 of the canonical tables, the hash the
    # library stores for the same content (a library cohort gets its record's). The loader
    # gives a LazyText: the hash writes the whole canonical text, and a command-line summary
    # never reads it.
    sha256: _LazyTextField = _LazyTextField()  # read: a str; given: a str or a LazyText
    # descriptive participant columns the identifier screen rules out as groupings and
    # filters, {column: why in plain words}: the validator's verdict (it does not load them);
    # None for a cohort built otherwise (by hand, from the library): see ``screened``
    screened_columns: Mapping[str, str] | None = None
    # Kept for the life of this cohort, written only by the methods that fill them (a new
    # cohort, which filters, the analysis set and recodes make with ``replace``, starts with
    # empty ones): each grouping's labels and groups (every metric asks), and what the metrics
    # derive from this cohort as an analysis set (see ``kept_facts``).
    _labels_memo: dict[str | None, pd.Series] = field(default_factory=dict, init=False, repr=False)
    _groups_memo: dict[str | None, tuple[str, ...]] = field(
        default_factory=dict, init=False, repr=False
    )
    _kept_facts: KeptFacts | None = field(default=None, init=False, repr=False)

    # ---- columns -------------------------------------------------------------------------
    @property
    def participant_columns(self) -> list[str]:
        """Participant columns usable as grouping or filter: all but participant_id and
        status, and none that the identifier screen rules out (:attr:`screened`)."""
        screened = self.screened
        return [
            c
            for c in self.participants.columns
            if c not in ("participant_id", "status") and c not in screened
        ]

    @property
    def screened(self) -> dict[str, str]:
        """Participant columns that are never a grouping or filter, with why ("its values
        look like free text (...)"; ``identifiers.screen_participant_column``): the
        validator's ``screened_columns`` (columns it did not load), or, for a cohort built
        without it, the screen of its own columns (once per cohort)."""
        if self.screened_columns is not None:
            return dict(self.screened_columns)
        return dict(self._own_screen)

    @cached_property
    def _own_screen(self) -> dict[str, str]:
        """The identifier screen of this cohort's own participant columns, once per cohort."""
        found = screen_participant_columns(self.participants)
        return {column: why.reason for column, why in found.items()}

    def used_column(self, code: str) -> str:
        return USED_PREFIX + code

    def helpful_column(self, code: str) -> str:
        return HELPFUL_PREFIX + code

    @cached_property
    def most_helpful_flags(self) -> np.ndarray:
        """Did each response name resource X most helpful: a read-only bool array (responses x
        resources, in ``resources`` order). The validator hands over the one it built while
        checking; filters and the analysis set carry it to their rows."""
        mh = self.responses.get("most_helpful")
        if mh is None or len(self.responses) == 0:
            flags = np.zeros((len(self.responses), len(self.resources)), dtype=bool)
        else:
            codes, distinct = factorize(mh.fillna("").astype(str))
            flags = named_flags(codes, distinct.to_pylist(), self.resources)
        flags.flags.writeable = False
        return flags

    @cached_property
    def most_helpful_matrix(self) -> pd.DataFrame:
        """:attr:`most_helpful_flags` as a boolean frame aligned with ``responses``, one column
        per resource."""
        return pd.DataFrame(
            self.most_helpful_flags,
            index=self.responses.index,
            columns=list(self.resources),
            copy=False,
        )

    @cached_property
    def response_positions(self) -> np.ndarray:
        """Position in ``participants`` of each response's participant (-1 if not there), once
        per cohort: the resource and stage metrics index by it, filters follow it. Read-only."""
        return self._positions_of(self.responses)

    @cached_property
    def contact_positions(self) -> np.ndarray:
        """:attr:`response_positions` of the contacts."""
        return self._positions_of(self.contacts)

    def keep_known(
        self,
        response_positions: np.ndarray | None = None,
        contact_positions: np.ndarray | None = None,
        most_helpful_flags: np.ndarray | None = None,
    ) -> None:
        """Hand over row facts already known for this cohort's tables (:attr:`response_positions`,
        :attr:`contact_positions`, :attr:`most_helpful_flags`), so they are not computed again;
        one whose shape does not match its table is ignored. Stored read-only (a copy: the
        caller keeps its own), where the cached properties keep them."""
        for name, found, shape, dtype in (
            ("response_positions", response_positions, (len(self.responses),), np.int64),
            ("contact_positions", contact_positions, (len(self.contacts),), np.int64),
            (
                "most_helpful_flags",
                most_helpful_flags,
                (len(self.responses), len(self.resources)),
                bool,
            ),
        ):
            if found is not None and np.shape(found) == shape:
                found = np.array(found, dtype=dtype)
                found.flags.writeable = False
                self.__dict__[name] = found

    def _positions_of(self, table: pd.DataFrame) -> np.ndarray:
        found = index_in(table["participant_id"], self.participants["participant_id"])
        found.flags.writeable = False
        return found

    def kept_facts(self, build: Callable[[], KeptFacts]) -> KeptFacts:
        """What the metrics derive from this cohort as an analysis set
        (:class:`hoo_metrics.metrics._analysed.KeptFacts`): ``build()`` on the first ask, then
        the same object for the life of this cohort. A Cohort is not changed after it is built
        (frozen; pandas copy-on-write) and filters, the analysis set and recodes make new
        cohorts, so what is kept always belongs to the data it was derived from. The metrics
        pass ``build`` (the class) because they import the cohort, never the reverse; they ask
        through :func:`hoo_metrics.metrics._analysed.analyse`, which takes the analysis set."""
        found = self._kept_facts
        if found is None:
            found = build()
            object.__setattr__(self, "_kept_facts", found)  # the one writer of this slot
        return found

    # ---- subsets ---------------------------------------------------------------------------
    def _restrict(self, keep: pd.Series) -> Cohort:
        """A cohort with only the participants where ``keep`` (aligned with participants).

        Responses and contacts follow their participant through integer positions (found
        once per cohort by arrow's ``index_in``; participant ids are unique): no string
        look-up per filter, and the new cohort's positions are the old ones renumbered."""
        keep = np.asarray(keep, dtype=bool)
        participants = self.participants[keep].reset_index(drop=True)
        renumber = np.cumsum(keep) - 1  # old participant position -> new one
        out = {}
        for name, positions in (
            ("responses", self.response_positions),
            ("contacts", self.contact_positions),
        ):
            kept = positions >= 0
            kept[kept] = keep[positions[kept]]
            out[name] = getattr(self, name)[kept].reset_index(drop=True)
            out[name + "_positions"] = renumber[positions[kept]]
            out[name + "_kept"] = kept
        restricted = replace(
            self,
            sha256=Cohort.__dict__["sha256"].raw(self),  # the full cohort's, still lazy
            participants=participants,
            responses=out["responses"],
            contacts=out["contacts"],
        )
        flags = self.__dict__.get("most_helpful_flags")  # carried only if already known
        restricted.keep_known(
            response_positions=out["responses_positions"],
            contact_positions=out["contacts_positions"],
            most_helpful_flags=None if flags is None else flags[out["responses_kept"]],
        )
        return restricted

    def analysis_set(self, population: str = "completed") -> Cohort:
        """Participants analysed: ``completed`` (the trial's completers) or ``all`` enrolled."""
        if population not in POPULATIONS:
            raise ValueError(f"population must be one of {POPULATIONS}, not {population!r}")
        if population == "all":
            return self
        return self._completers

    @cached_property
    def _completers(self) -> Cohort:
        """The completers, computed once per cohort: every metric asks for them, and a Cohort
        is not changed after it is built (frozen; pandas copy-on-write)."""
        return self._restrict(self.participants["status"] == "completed")

    def filter(self, filters: Mapping[str, Sequence[str]] | None) -> Cohort:
        """Keep participants whose column values are among the chosen ones, for every column
        given (an empty selection means no restriction). Blank cells match ``BLANK_GROUP``."""
        if not filters:
            return self
        keep = pd.Series(True, index=self.participants.index)
        for column, values in filters.items():
            if not values:
                continue
            if column not in self.participants:
                raise KeyError(f"no participant column {column!r}")
            keep &= self.group_labels(column).isin([str(v) for v in values]).to_numpy()
        return self._restrict(keep)

    def recoded(self, column: str, mapping: Mapping[str, str]) -> Cohort:
        """The same cohort with the values of a participant ``column`` recoded (each label in
        ``mapping`` replaced by its new one; blank cells are ``BLANK_GROUP``): the same rows,
        so the row facts already known are kept."""
        labels = self.group_labels(column)
        participants = self.participants.assign(**{column: labels.replace(dict(mapping))})
        out = replace(self, sha256=Cohort.__dict__["sha256"].raw(self), participants=participants)
        out.keep_known(
            response_positions=self.__dict__.get("response_positions"),
            contact_positions=self.__dict__.get("contact_positions"),
            most_helpful_flags=self.__dict__.get("most_helpful_flags"),
        )
        return out

    # ---- groups ----------------------------------------------------------------------------
    def group_labels(self, group_by: str | None) -> pd.Series:
        """The group label of each participant (aligned with ``participants``), as str.

        ``None`` puts everyone in one group, ``ALL_GROUP``; blank cells become ``BLANK_GROUP``.
        Computed once per cohort and grouping (every metric asks); each call gets its own
        Series over the same values (copy-on-write: changing it never changes the kept one).
        """
        labels = self._labels_memo.get(group_by)
        if labels is None:
            labels = self._labels_memo[group_by] = self._group_labels(group_by)
        return labels.copy(deep=False)

    def _group_labels(self, group_by: str | None) -> pd.Series:
        if group_by is None:
            return pd.Series(ALL_GROUP, index=self.participants.index, dtype="str")
        if group_by not in self.participants:
            raise KeyError(f"no participant column {group_by!r} to group by")
        col = self.participants[group_by]
        labels = col.astype("str").where(col.notna(), BLANK_GROUP)
        return labels.astype("str")

    def groups(self, group_by: str | None) -> list[str]:
        """Distinct group labels among the participants of this cohort, ascending (computed
        once per cohort and grouping; each call gets its own list)."""
        kept = self._groups_memo.get(group_by)
        if kept is None:
            kept = tuple(sort_groups(self.group_labels(group_by).unique()))
            self._groups_memo[group_by] = kept
        return list(kept)

    def group_of(self, group_by: str | None) -> pd.Series:
        """Group label by ``participant_id`` (a Series indexed by participant_id)."""
        return pd.Series(
            self.group_labels(group_by).to_numpy(), index=self.participants["participant_id"]
        )

    def counts(self) -> dict[str, int]:
        """Row counts of the three tables."""
        return {
            "participants": len(self.participants),
            "responses": len(self.responses),
            "contacts": len(self.contacts),
        }


def cohort_from_canonical(
    tables: Mapping[str, bytes], *, resources: tuple[str, ...] | None = None, **fields
) -> Cohort:
    """A Cohort from its canonical CSV bytes (``io.canonical.frames_from_canonical``, the
    exact inverse of ``canonical_tables``; no validation, no warnings). ``resources``
    defaults to the codes of the ``used_`` columns in column order; other keyword arguments
    (``name``, ``source``, ``sha256``, ``synthetic``, ``warnings``) go to the Cohort."""
    return Cohort(**frames_from_canonical(tables, resources), **fields)


def flag(values: pd.Series) -> np.ndarray:
    """A 0/1/NaN float column as a boolean array (NaN counts as not set)."""
    return values.to_numpy(dtype="float64", na_value=np.nan) == 1.0
