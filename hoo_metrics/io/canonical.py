"""Canonical CSV text of a cohort's tables: the exact bytes the library stores, hashes and exports.

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

import csv
import hashlib
import io
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import arrowtext as at
from ..contract import CONTACT_REQUIRED, HELPFUL_PREFIX, TABLES, USED_PREFIX

__all__ = [
    "canonical_tables",
    "content_sha256",
    "empty_contacts",
    "frames_from_canonical",
    "response_columns",
]

_RESPONSE_FRONT = ("participant_id", "month", "stage", "stage6_path")
#: The canonical columns of the contacts table, in order (the contract's required ones).
CONTACT_COLUMNS = CONTACT_REQUIRED


class Tables(Protocol):
    """What the canonical text is written from: a Cohort's three tables and its resources
    (a protocol, so that reading and writing text never depend on the Cohort class)."""

    @property
    def participants(self) -> pd.DataFrame: ...
    @property
    def responses(self) -> pd.DataFrame: ...
    @property
    def contacts(self) -> pd.DataFrame: ...
    @property
    def resources(self) -> tuple[str, ...]: ...


def empty_contacts() -> pd.DataFrame:
    """A contacts table with the canonical columns and no rows."""
    return pd.DataFrame(
        {
            "participant_id": pd.Series([], dtype="str"),
            "contact_no": pd.Series([], dtype="int64"),
            "day": pd.Series([], dtype="int64"),
            "more_followup": pd.Series([], dtype="bool"),
        }
    )


def response_columns(cohort: Tables) -> list[str]:
    """The canonical column order of the responses table of ``cohort``."""
    return _response_columns(cohort.responses, cohort.resources)


def _response_columns(responses: pd.DataFrame, resources: Sequence[str]) -> list[str]:
    cols = list(_RESPONSE_FRONT)
    for code in resources:
        cols += [USED_PREFIX + code, HELPFUL_PREFIX + code]
    cols.append("most_helpful")
    extra = [c for c in responses.columns if c not in cols]
    return cols + extra


_NEEDS_QUOTES = r'[,"\r\n]'
_TEXT = pa.large_string()
_QUOTE = pa.scalar('"', _TEXT)
_EMPTY = pa.scalar("", _TEXT)


def _quote(cells: pa.Array) -> pa.Array:
    """Minimal CSV quoting (as csv.QUOTE_MINIMAL): only cells with a comma, quote or line
    break are quoted, inner quotes doubled."""
    needs = pc.match_substring_regex(cells, _NEEDS_QUOTES)
    if not pc.any(needs).as_py():
        return cells
    quoted = pc.binary_join_element_wise(
        _QUOTE, pc.replace_substring(cells, '"', '""'), _QUOTE, _EMPTY
    )
    return pc.if_else(needs, quoted, cells)


def _text_column(col: pd.Series) -> pa.Array:
    """One column as canonical CSV cells ('' for blank), quoted where needed: a large_string
    arrow array without nulls, so that the rows are joined by arrow, not cell by cell."""
    if pd.api.types.is_bool_dtype(col):
        return pa.array(["no", "yes"], _TEXT).take(col.to_numpy(dtype=bool).astype(np.int8))
    if pd.api.types.is_numeric_dtype(col):
        values = col.to_numpy(dtype="float64", na_value=np.nan)
        finite = values[~np.isnan(values)]
        integral = bool(np.all(finite == np.round(finite)) and np.all(np.abs(finite) < 2**53))
        # Format each distinct value once (columns hold few distinct numbers), then gather.
        # Distinct by bit pattern, so that -0.0 keeps its own repr.
        codes, bits = pd.factorize(values.view(np.int64))
        texts = [
            "" if np.isnan(v) else str(int(v)) if integral else repr(v)
            for v in bits.view(np.float64).tolist()
        ]
        return pa.array(texts, _TEXT).take(codes)
    return _quote(pc.fill_null(at.arrow(col.astype("str")), _EMPTY))


def _table_text(frame: pd.DataFrame, columns: list[str]) -> bytes:
    """The canonical CSV bytes of ``frame`` restricted to ``columns`` in that order."""
    header = ",".join(_quote(pa.array(columns, _TEXT)).to_pylist()) + "\n"
    if not columns:
        return header.encode("utf-8")
    cells = [_text_column(frame[c]) for c in columns]
    # the last cell of each row ends with the line break, the cells of a row are joined by
    # commas: the lines then lie one after the other in the data buffer of the result, which
    # is the table's text
    cells[-1] = pc.binary_join_element_wise(cells[-1], _EMPTY, pa.scalar("\n", _TEXT))
    lines = pc.binary_join_element_wise(*cells, pa.scalar(",", _TEXT))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)
    start, end = offsets[lines.offset], offsets[lines.offset + len(lines)]
    data = lines.buffers()[2]
    body = data[start:end].to_pybytes() if end > start else b""
    return header.encode("utf-8") + body


def canonical_tables(cohort: Tables) -> dict[str, bytes]:
    """The canonical CSV bytes of the three tables, keyed ``participants``, ``responses``,
    ``contacts`` (in that order). A cohort without contacts gets a header-only contacts table.
    """
    return _canonical_tables(
        cohort.participants, cohort.responses, cohort.contacts, cohort.resources
    )


def _canonical_tables(
    participants: pd.DataFrame,
    responses: pd.DataFrame,
    contacts: pd.DataFrame | None,
    resources: Sequence[str],
) -> dict[str, bytes]:
    cols = _response_columns(responses, resources)
    missing = [c for c in cols if c not in responses]
    if missing:  # a missing helpful_ column is all blank (see cohort.py)
        responses = responses.assign(**{c: np.nan for c in missing})
    if contacts is None or len(contacts.columns) == 0:
        contacts = empty_contacts()
    return {
        "participants": _table_text(participants, list(participants.columns)),
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


def frames_sha256(
    participants: pd.DataFrame,
    responses: pd.DataFrame,
    contacts: pd.DataFrame | None,
    resources: Sequence[str],
) -> str:
    """``content_sha256`` of the canonical tables of a cohort with these tables and resources
    (equal to ``content_sha256(canonical_tables(cohort))``). The loader hands a Cohort this,
    to be computed on first read (``cohort.LazyText``), before the Cohort exists: it is the
    ``sha256`` of a loaded cohort, the one the library stores for the same content."""
    return content_sha256(_canonical_tables(participants, responses, contacts, resources))


def _read_text(data: bytes, dtypes: Mapping[str, str] | None = None) -> pd.DataFrame:
    """A canonical CSV as a frame: empty cells NaN, every other cell kept as written (no
    'NA'/'null' guessing); column dtypes from ``dtypes`` (str by default)."""
    first_line = data[: data.find(b"\n") + 1].decode("utf-8")
    header = next(csv.reader(io.StringIO(first_line)), [])
    dtypes = dtypes or {}
    return pd.read_csv(
        io.BytesIO(data),
        dtype={c: dtypes.get(c, "str") for c in header},
        keep_default_na=False,
        na_values=[""],
        encoding="utf-8",
    )


def frames_from_canonical(
    tables: Mapping[str, bytes], resources: tuple[str, ...] | None = None
) -> dict:
    """The tables of a cohort, in the canonical dtypes of cohort.py, from their canonical CSV
    bytes: ``participants``, ``responses``, ``contacts`` and ``resources`` (by default the
    codes of the ``used_`` columns in column order), the keyword arguments of a Cohort.

    The text was validated when it was published; this is the exact inverse of
    ``canonical_tables`` (no validation, no warnings): see ``cohort.cohort_from_canonical``.
    """
    participants = _read_text(tables["participants"])
    first_line = tables["responses"][: tables["responses"].find(b"\n") + 1].decode("utf-8")
    header = next(csv.reader(io.StringIO(first_line)), [])
    if resources is None:
        resources = tuple(c[len(USED_PREFIX) :] for c in header if c.startswith(USED_PREFIX))
    numeric = {"stage"} | {p + c for c in resources for p in (USED_PREFIX, HELPFUL_PREFIX)}
    responses = _read_text(
        tables["responses"],
        {"month": "int64", **{c: "float64" for c in header if c in numeric}},
    )
    contacts = _read_text(tables["contacts"], {"contact_no": "int64", "day": "int64"})
    contacts = contacts.assign(more_followup=(contacts["more_followup"] == "yes").astype(bool))
    return {
        "participants": participants,
        "responses": responses,
        "contacts": contacts[list(CONTACT_COLUMNS)],
        "resources": tuple(resources),
    }
