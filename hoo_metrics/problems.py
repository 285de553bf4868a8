"""Problem: one defect found in a cohort, as the user sees it.

Kept apart from validate.py so that Cohort (which carries its warnings) and the loader can
both use it without importing each other.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Problem:
    """One defect: where it is (table, row as in the file with the header as row 1, column),
    the offending value (masked when it looks like an identifier), a plain sentence, and
    whether it blocks loading (``error``) or not (``warning``). ``row`` and ``column`` are
    None when the problem concerns a whole file or a whole column."""

    table: str
    row: int | None
    column: str | None
    value: str | None
    message: str
    severity: str = ERROR

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def as_dict(self) -> dict:
        return asdict(self)

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f", row {self.row}"
        if self.column:
            where += f", column {self.column}"
        value = f" (value: {self.value!r})" if self.value not in (None, "") else ""
        return f"{self.severity.upper()}: {where}{value}: {self.message}"


class CohortError(Exception):
    """Raised when a cohort cannot be loaded; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.is_error]
        super().__init__(
            f"{len(errors)} error(s) in the cohort; first: {errors[0] if errors else '-'}"
        )
