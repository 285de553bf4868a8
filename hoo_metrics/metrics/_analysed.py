"""The analysed cohort: the facts several metrics derive from one analysis set, typed.

:func:`analyse` gives the :class:`Analysed` of ``cohort.analysis_set(population)``: that
analysis set (a Cohort) and its facts. The analysis set keeps the facts it has built
(:class:`KeptFacts`, ``Cohort.kept_facts``) for its own life, so the metrics of one view (the
follow-up, resource, stage and outcome tables) build each fact once, and a filter or a recode,
which makes a new Cohort, starts afresh. Each fact is a read-only object with one field per
array, built on first use:

- :class:`ContactFacts`, per participant with a contact: when support ended and how long it
  lasted (``followup``);
- :class:`FollowupFacts`, per follow-up response and resource: used, named most helpful,
  rating; per participant: answered, used or named at any wave (``resources``, ``outcomes``,
  ``stages``);
- :class:`StageFacts`, the stage category of every staged response and each participant's
  baseline category (``stages``).

This module imports the Cohort and never the reverse (the Cohort names :class:`KeptFacts` for
its type only), so the stage categories (:func:`category_codes`) live here, below ``stages``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa

from ..arrowtext import index_in
from ..cohort import Cohort
from ..contract import HELPFUL_MAX, HELPFUL_MIN, STAGE6_PATHS, STAGE_CATEGORIES

#: Integer code of each stage category: its position in contract.STAGE_CATEGORIES.
CODE = {category: i for i, category in enumerate(STAGE_CATEGORIES)}


def category_codes(stage, path) -> np.ndarray:
    """Category code (index into STAGE_CATEGORIES) of each response; -1 where none."""
    s = pd.Series(stage)
    if s.dtype.kind != "f":
        s = pd.to_numeric(s, errors="coerce")
    s = s.to_numpy(dtype="float64", na_value=np.nan)
    codes = np.full(len(s), -1, dtype="int8")
    codes[(s >= 1) & (s <= 3)] = CODE["early"]
    codes[(s >= 4) & (s <= 5)] = CODE["middle"]
    six = np.flatnonzero(s == 6)
    if six.size:  # the path, read only where the stage is 6: which of STAGE6_PATHS it is
        which = index_in(pd.Series(path).iloc[six], pa.array(STAGE6_PATHS, pa.large_string()))
        named = which >= 0
        codes[six[named]] = np.array([CODE[name] for name in STAGE6_PATHS])[which[named]]
    return codes


def _read_only(*arrays: np.ndarray) -> None:
    """Shared facts: a caller that tried to change one would change every other caller's."""
    for a in arrays:
        a.flags.writeable = False


@dataclass(frozen=True, eq=False)
class ContactFacts:
    """Each analysed participant with at least one contact, one entry per array, ordered by
    position in the analysed participants.

    A participant's end contact is their first contact (by ``contact_no``) whose
    ``more_followup`` is "no"; one whose every contact says "yes" has not ended and is
    censored at their last contact (contract section 2, "Follow-up").
    """

    #: position in the analysed cohort's ``participants`` (int64)
    position: np.ndarray
    #: number of contacts (int64)
    contacts: np.ndarray
    #: the largest ``contact_no`` (int64)
    last_contact: np.ndarray
    #: ``contact_no`` of the end contact, NaN when censored (float64)
    end_contact: np.ndarray
    #: support ended (bool): ``end_contact`` is not NaN
    ended: np.ndarray
    #: support duration in days (int64): the ``day`` of the end contact, or of the last
    #: contact when censored
    duration: np.ndarray

    @classmethod
    def of(cls, analysed: Cohort) -> ContactFacts:
        """The facts of ``analysed``'s contacts (contacts of unknown participants left out)."""
        c = analysed.contacts
        pos = analysed.contact_positions
        number = c["contact_no"].to_numpy(dtype="int64")
        day = c["day"].to_numpy(dtype="int64")
        more = c["more_followup"].to_numpy(dtype=bool)
        known = pos >= 0  # always, for a validated cohort (contacts of its own participants)
        pos, number, day, more = pos[known], number[known], day[known], more[known]
        order = np.lexsort((number, pos))  # by participant, then contact_no (stable)
        pos, number, day, more = pos[order], number[order], day[order], more[order]
        first = np.flatnonzero(np.diff(pos, prepend=-2) != 0)  # -2: never a position
        stop = np.append(first[1:], pos.size).astype("int64")[: first.size]
        last = stop - 1
        # each participant's first contact saying "no": the first such row of their block
        end_rows = np.flatnonzero(~more)
        block = np.searchsorted(first, end_rows, side="right") - 1
        block, first_end = np.unique(block, return_index=True)
        end_contact = np.full(first.size, np.nan)
        end_contact[block] = number[end_rows[first_end]]
        duration = day[last].copy()
        duration[block] = day[end_rows[first_end]]
        facts = cls(
            position=pos[first],
            contacts=(stop - first).astype("int64"),
            last_contact=number[last],
            end_contact=end_contact,
            ended=~np.isnan(end_contact),
            duration=duration.astype("int64"),
        )
        _read_only(*vars(facts).values())
        return facts


@dataclass(frozen=True, eq=False)
class FollowupFacts:
    """The follow-up responses of an analysed cohort as typed arrays.

    Every response keeps its row (no copy of the table); ``follow`` marks the follow-up rows
    (``month > 0``, participant known) and only they are set in ``used``, ``named`` and
    ``rating``. Row x resource arrays are column-major (one resource's column contiguous),
    columns in ``resources`` order.
    """

    #: resource codes, the columns of the row x resource and participant x resource arrays
    resources: tuple[str, ...]
    #: per row: a follow-up response (month > 0) of a known participant (bool)
    follow: np.ndarray
    #: per row: the response's month (int64)
    month: np.ndarray
    #: per row: the participant's position in the analysed cohort's ``participants``; the
    #: number of participants (a bin past the last one) when the row is not a follow-up row
    owner: np.ndarray
    #: per row and resource: used the resource (bool)
    used: np.ndarray
    #: per row and resource: named it most helpful (bool)
    named: np.ndarray
    #: per row and resource: the rating of a used resource, HELPFUL_MIN to HELPFUL_MAX; 0
    #: when not rated (uint8)
    rating: np.ndarray
    #: per participant: has a follow-up response (bool)
    answered: np.ndarray
    #: per participant and resource: used it at any follow-up wave (bool)
    used_ever: np.ndarray
    #: per participant and resource: named it most helpful at any follow-up wave (bool)
    named_ever: np.ndarray

    @classmethod
    def of(cls, analysed: Cohort) -> FollowupFacts:
        """The facts of ``analysed``'s responses.

        Ratings are whole numbers from HELPFUL_MIN to HELPFUL_MAX (the validator guarantees
        it); a hand-built cohort with another rating raises ValueError rather than miscount
        it (the rating is kept as a small integer)."""
        responses = analysed.responses
        codes = tuple(analysed.resources)
        n, rows = len(analysed.participants), len(responses)
        month = responses["month"].to_numpy(dtype="int64")
        position = analysed.response_positions
        follow = (month > 0) & (position >= 0)
        owner = np.where(follow, position, n)
        flags = analysed.most_helpful_flags
        used = np.zeros((rows, len(codes)), dtype=bool, order="F")
        named = np.zeros_like(used)
        rating = np.zeros((rows, len(codes)), dtype=np.uint8, order="F")
        used_ever = np.zeros((n, len(codes)), dtype=bool, order="F")
        named_ever = np.zeros_like(used_ever)
        for j, code in enumerate(codes):  # one resource column at a time (no participant loop)
            u = responses[analysed.used_column(code)].to_numpy(dtype="float64", na_value=np.nan)
            h = responses[analysed.helpful_column(code)].to_numpy(dtype="float64", na_value=np.nan)
            np.logical_and(u == 1.0, follow, out=used[:, j])
            np.logical_and(flags[:, j], follow, out=named[:, j])
            rated = used[:, j] & ~np.isnan(h)
            given = np.where(rated, h, 0.0)
            rating[:, j] = given  # a rating that is no small whole number is caught below
            wrong = (rating[:, j] < HELPFUL_MIN) | (rating[:, j] > HELPFUL_MAX)
            if not np.array_equal(rating[:, j], given) or np.any(rated & wrong):
                raise ValueError(
                    f"{analysed.helpful_column(code)} holds a rating that is not a whole number "
                    f"from {HELPFUL_MIN} to {HELPFUL_MAX}; load the cohort through the validator."
                )
            # per participant: at any follow-up wave (rows that are not follow-up rows are never
            # set, and their bin, n, is left out)
            np.greater(np.bincount(owner, used[:, j], n + 1)[:n], 0, out=used_ever[:, j])
            np.greater(np.bincount(owner, named[:, j], n + 1)[:n], 0, out=named_ever[:, j])
        facts = cls(
            resources=codes,
            follow=follow,
            month=month,
            owner=owner,
            used=used,
            named=named,
            rating=rating,
            answered=np.bincount(owner, minlength=n + 1)[:n] > 0,
            used_ever=used_ever,
            named_ever=named_ever,
        )
        _read_only(*(a for a in vars(facts).values() if isinstance(a, np.ndarray)))
        return facts


class WavePairs(NamedTuple):
    """Baseline-to-wave pairs of stage categories, one per participant and follow-up wave."""

    #: the participant's position in the analysed cohort's ``participants`` (int64)
    participant: np.ndarray
    #: the follow-up month (int64)
    month: np.ndarray
    #: baseline category code (int8)
    start: np.ndarray
    #: category code at the wave (int8)
    end: np.ndarray


@dataclass(frozen=True, eq=False)
class StageFacts:
    """The stage categories (:func:`category_codes`) of an analysed cohort's responses.

    Responses without a category (no stage, or a stage 6 without a path) and of unknown
    participants are left out of the per-response arrays, kept in response order.
    """

    #: per staged response: the participant's position in ``participants`` (int64)
    participant: np.ndarray
    #: per staged response: month (int64)
    month: np.ndarray
    #: per staged response: category code (int8)
    category: np.ndarray
    #: per participant: the baseline (month 0) category code, -1 when none (int8)
    baseline: np.ndarray

    @classmethod
    def of(cls, analysed: Cohort) -> StageFacts:
        """The facts of ``analysed``'s responses."""
        r = analysed.responses
        pid = analysed.response_positions
        month = r["month"].to_numpy(dtype="int64")
        cat = category_codes(r["stage"], r["stage6_path"])
        staged = (cat >= 0) & (pid >= 0)
        pid, month, cat = pid[staged], month[staged], cat[staged]
        baseline = np.full(len(analysed.participants), -1, dtype="int8")
        at_base = month == 0
        baseline[pid[at_base]] = cat[at_base]  # one baseline response per participant
        facts = cls(participant=pid, month=month, category=cat, baseline=baseline)
        _read_only(pid, month, cat, baseline)
        return facts

    @cached_property
    def waves(self) -> WavePairs:
        """Every follow-up wave (month > 0) with a category of a participant with a baseline
        category, in response order."""
        keep = (self.month > 0) & (self.baseline[self.participant] >= 0)
        pid = self.participant[keep]
        pairs = WavePairs(pid, self.month[keep], self.baseline[pid], self.category[keep])
        _read_only(*pairs)
        return pairs

    @cached_property
    def last_waves(self) -> WavePairs:
        """:attr:`waves` at each participant's last one only, by participant position."""
        pid, month, start, end = self.waves
        order = np.lexsort((month, pid))
        pid, month, start, end = pid[order], month[order], start[order], end[order]
        is_last = np.r_[pid[1:] != pid[:-1], True] if len(pid) else np.zeros(0, bool)
        pairs = WavePairs(pid[is_last], month[is_last], start[is_last], end[is_last])
        _read_only(*pairs)
        return pairs


@dataclass(eq=False)
class KeptFacts:
    """The facts of one analysis set built so far, kept by that Cohort
    (``Cohort.kept_facts``) for every :class:`Analysed` of it; None until first asked.

    It holds no reference to the cohort, so a cohort and what it keeps make no reference cycle
    and are freed together as soon as the cohort is dropped (the app makes a new cohort at every
    filter change; a cycle would keep each one's arrays until the garbage collector runs)."""

    contacts: ContactFacts | None = None
    followup: FollowupFacts | None = None
    stages: StageFacts | None = None
    #: each grouping's per-participant contact table (``Analysed.contact_table``)
    contact_tables: dict[str | None, pd.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Analysed:
    """One analysis set (``Cohort.analysis_set(population)``) and the facts the metrics
    derive from it, each built on first use and kept by the analysis set (:class:`KeptFacts`),
    so every Analysed of it (one per :func:`analyse`) reads the same facts."""

    #: the analysed cohort: its participants are the ones counted
    cohort: Cohort
    kept: KeptFacts = field(repr=False)

    @property
    def contacts(self) -> ContactFacts:
        """:class:`ContactFacts` of the analysed participants."""
        if self.kept.contacts is None:
            self.kept.contacts = ContactFacts.of(self.cohort)
        return self.kept.contacts

    @property
    def followup(self) -> FollowupFacts:
        """:class:`FollowupFacts` of the analysed participants' responses."""
        if self.kept.followup is None:
            self.kept.followup = FollowupFacts.of(self.cohort)
        return self.kept.followup

    @property
    def stages(self) -> StageFacts:
        """:class:`StageFacts` of the analysed participants' responses."""
        if self.kept.stages is None:
            self.kept.stages = StageFacts.of(self.cohort)
        return self.kept.stages

    def contact_table(self, group_by: str | None) -> pd.DataFrame:
        """:attr:`contacts` as a frame (contacts, last_contact, end_contact, ended, duration)
        with each participant's ``group`` label (``Cohort.group_labels``). Built once per
        grouping (the follow-up tables and tests share it); each caller gets its own frame
        over the same columns (copy-on-write: changing it never changes the kept one)."""
        table = self.kept.contact_tables.get(group_by)
        if table is None:
            facts = self.contacts
            labels = self.cohort.group_labels(group_by)
            table = pd.DataFrame(
                {
                    "contacts": facts.contacts,
                    "last_contact": facts.last_contact,
                    "end_contact": facts.end_contact,
                    "ended": facts.ended,
                    "duration": facts.duration,
                    "group": labels.take(facts.position).reset_index(drop=True),
                }
            )
            self.kept.contact_tables[group_by] = table
        return table.copy(deep=False)


def analyse(cohort: Cohort, population: str) -> Analysed:
    """The :class:`Analysed` of ``cohort.analysis_set(population)`` (``population`` is checked
    there), with the facts that analysis set keeps."""
    analysed = cohort.analysis_set(population)
    return Analysed(analysed, analysed.kept_facts(KeptFacts))
