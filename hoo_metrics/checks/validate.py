"""Raw tables -> Cohort, or every problem at once.

Checks the cohort file contract (shared/data-contract.md, section 1 and "What bad input gets")
on the text cells read by :mod:`hoo_metrics.io.load`, and builds the Cohort in the canonical dtypes
documented in :mod:`hoo_metrics.cohort`. Each problem names the table, the row as in the file
(header = row 1), the column and the (masked) value, with a plain sentence saying what to do.
Errors block loading; warnings load and travel with the Cohort.

Vectorised: every check is a pandas/numpy operation over a column; values are parsed once per
distinct value (``pandas.factorize``), so 100,000 participants with 5 waves validate in a few
seconds. Per-cell problems are listed for the first ``identifiers.MAX_LISTED`` cells of a
column and check, then summarised, so a badly broken file still gives a readable report.

The checks themselves live in private modules that import one way only: :mod:`._cells` (the
cell helpers) -> :mod:`._participants`, :mod:`._responses`, :mod:`._contacts` (each table's
checks, functions of the validator) -> :mod:`._validator` (the run, its reporting and the
checks the tables share). This module keeps the public names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from ..cohort import Cohort
from ..io.load import RawTables, read_tables
from ..problems import CohortError, Problem
from ._validator import _Validator


@dataclass(frozen=True)
class ValidationResult:
    """The Cohort (None when any problem is an error) and every problem found."""

    cohort: Cohort | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if not p.is_error]

    @property
    def ok(self) -> bool:
        return self.cohort is not None


def validate(raw: RawTables, name: str = "cohort", source: str = "") -> ValidationResult:
    """Check raw tables against the cohort contract and build the Cohort.

    Parameters: ``raw`` from :func:`hoo_metrics.io.load.read_tables` (or built by hand: text
    cells, index = row number as in the file; a default 0-based index is read as rows 2, 3,
    ...); ``name`` and ``source`` are stored on the Cohort. Returns a ValidationResult whose
    ``problems`` start with the loader's; ``cohort`` is None when any problem is an error.
    """
    return ValidationResult(*_Validator(raw).run(name, source or raw.source))


def load_cohort(source: str | os.PathLike | Mapping[str, bytes], name: str | None = None) -> Cohort:
    """Read and validate a cohort (folder, .zip, .xlsx or upload mapping) in one step.

    Raises CohortError carrying every problem when any is an error; warnings travel on
    ``Cohort.warnings``.
    """
    raw = read_tables(source)
    result = validate(raw, name=name or _default_name(source), source=raw.source)
    if result.cohort is None:
        raise CohortError(result.problems)
    return result.cohort


# ---- helpers ----------------------------------------------------------------------------------


def _default_name(source) -> str:
    if isinstance(source, Mapping):
        for key in source:
            stem = PurePosixPath(str(key)).stem
            if len(source) == 1 and stem:
                return stem
        return "upload"
    path = Path(source)
    return path.stem or path.name or "cohort"
