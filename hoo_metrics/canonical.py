"""Canonical CSV text of a Cohort: the exact bytes the library stores, hashes and exports.

The canonical form of a table is UTF-8 without BOM, ``\\n`` line endings, a header row, minimal
quoting (csv.QUOTE_MINIMAL) and, column by column:

- text: as is; a blank (NaN) cell is empty;
- numbers: integer-valued columns without a trailing ``.0`` (``3``, not ``3.0``); any other
  float as Python's shortest round-trip ``repr``; NaN is empty;
- ``more_followup`` (bool): ``yes`` / ``no``.

Column order is fixed: participants keep the cohort's column order (``participant_id``,
``arm``, ``status`` first, as the loader guarantees); responses are ``participant_id``,
``month``, ``stage``, ``stage6_path``, then ``used_<code>``, ``helpful_<code>`` for each
resource in cohort order, then ``most_helpful``, then any other column in its cohort order;
contacts are ``participant_id``, ``contact_no``, ``day``, ``more_followup``. Row order is the
cohort's. Writing a cohort read back from its canonical text gives the same bytes again.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping

import numpy as np
import pandas as pd

from .cohort import CONTACT_COLUMNS, Cohort
from .contract import HELPFUL_PREFIX, TABLES, USED_PREFIX

__all__ = [
    "canonical_tables",
    "cohort_from_canonical",
    "content_sha256",
    "response_columns",
]

_RESPONSE_FRONT = ("participant_id", "month", "stage", "stage6_path")


def response_columns(cohort: Cohort) -> list[str]:
    """The canonical column order of the responses table of ``cohort``."""
    cols = list(_RESPONSE_FRONT)
    for code in cohort.resources:
        cols += [USED_PREFIX + code, HELPFUL_PREFIX + code]
    cols.append("most_helpful")
    extra = [c for c in cohort.responses.columns if c not in cols]
    return cols + extra


def _text_column(col: pd.Series) -> pd.Series:
    """One column as canonical text cells ('' for blank)."""
    if pd.api.types.is_bool_dtype(col):
        return pd.Series(np.where(col.to_numpy(dtype=bool), "yes", "no"), index=col.index)
    if pd.api.types.is_integer_dtype(col) and not isinstance(col.dtype, pd.ArrowDtype):
        if col.isna().any():  # nullable integers (Int64) with gaps
            return col.astype("Int64").astype("str").where(col.notna(), "")
        return col.astype("int64").astype("str")
    if pd.api.types.is_float_dtype(col):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[~np.isnan(values)]
        if np.all(np.isfinite(finite)) and np.all(finite == np.round(finite)):
            text = pd.Series(values).astype("Int64").astype("str").to_numpy()
        else:
            text = np.array([repr(float(v)) for v in values], dtype=object)
        return pd.Series(np.where(np.isnan(values), "", text), index=col.index, dtype=object)
    # Text (or anything else): str of the value, blanks empty.
    return col.astype("object").where(col.notna(), "").map(str)


def _table_text(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """The canonical CSV bytes of ``frame`` restricted to ``columns`` in that order."""
    text = pd.DataFrame(
        {c: _text_column(frame[c]).to_numpy(dtype=object) for c in columns},
        columns=columns,
    )
    buffer = io.StringIO()
    text.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def canonical_tables(cohort: Cohort) -> dict[str, bytes]:
    """The canonical CSV bytes of the three tables, keyed ``participants``, ``responses``,
    ``contacts`` (in that order). A cohort without contacts gets a header-only contacts table.
    """
    responses = cohort.responses
    cols = response_columns(cohort)
    missing = [c for c in cols if c not in responses]
    if missing:  # a missing helpful_ column is all blank (see cohort.py)
        responses = responses.assign(**{c: np.nan for c in missing})
    contacts = cohort.contacts
    if contacts is None or len(contacts.columns) == 0:
        from .cohort import empty_contacts

        contacts = empty_contacts()
    return {
        "participants": _table_text(cohort.participants, list(cohort.participants.columns)),
        "responses": _table_text(responses, cols),
        "contacts": _table_text(contacts, list(CONTACT_COLUMNS)),
    }


def content_sha256(tables: Mapping[str, bytes]) -> str:
    """SHA-256 (hex) of a cohort's canonical content: for each table in the order
    participants, responses, contacts, the line ``<table>.csv <byte length>\\n`` followed by
    its canonical bytes. Any change to any cell, column or row changes it."""
    digest = hashlib.sha256()
    for table in TABLES:
        data = tables[table]
        digest.update(f"{table}.csv {len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def _read_text(data: bytes) -> pd.DataFrame:
    """A canonical CSV as a frame of str cells ('' for blank)."""
    return pd.read_csv(
        io.BytesIO(data),
        dtype=str,
        keep_default_na=False,
        na_values=[],
        encoding="utf-8",
    )


def _as_str(col: pd.Series) -> pd.Series:
    return col.astype("str").where(col != "", np.nan).astype("str")


def _as_float(col: pd.Series) -> pd.Series:
    return pd.to_numeric(col.where(col != "", np.nan), errors="raise").astype("float64")


def cohort_from_canonical(
    tables: Mapping[str, bytes],
    *,
    resources: tuple[str, ...] | None = None,
    **fields,
) -> Cohort:
    """A Cohort, in the canonical dtypes of cohort.py, from its canonical CSV bytes.

    The text was validated when it was published; this is the exact inverse of
    ``canonical_tables`` (no validation, no warnings). ``resources`` defaults to the codes of
    the ``used_`` columns in column order; other keyword arguments (``name``, ``source``,
    ``sha256``, ``synthetic``, ``warnings``) go to the Cohort.
    """
    p = _read_text(tables["participants"])
    participants = pd.DataFrame({c: _as_str(p[c]) for c in p.columns}, columns=list(p.columns))

    r = _read_text(tables["responses"])
    if resources is None:
        resources = tuple(c[len(USED_PREFIX) :] for c in r.columns if c.startswith(USED_PREFIX))
    numeric = (
        {"stage"} | {USED_PREFIX + c for c in resources} | {HELPFUL_PREFIX + c for c in resources}
    )
    cols: dict[str, pd.Series] = {}
    for c in r.columns:
        if c == "month":
            cols[c] = r[c].astype("int64")
        elif c in numeric:
            cols[c] = _as_float(r[c])
        else:
            cols[c] = _as_str(r[c])
    responses = pd.DataFrame(cols, columns=list(r.columns))

    k = _read_text(tables["contacts"])
    contacts = pd.DataFrame(
        {
            "participant_id": _as_str(k["participant_id"]),
            "contact_no": k["contact_no"].astype("int64"),
            "day": k["day"].astype("int64"),
            "more_followup": (k["more_followup"] == "yes").astype(bool),
        },
        columns=list(CONTACT_COLUMNS),
    )
    return Cohort(
        participants=participants,
        responses=responses,
        contacts=contacts,
        resources=tuple(resources),
        **fields,
    )
