"""The cell helpers the checks share: text cells read, parsed and looked up column-wise.

Each works on a whole column (numpy or arrow kernels); values are parsed once per distinct
value. Imports none of the other private modules of checks.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import arrowtext as at

_INTEGER_PATTERN = r"^[+-]?[0-9]+(?:\.0*)?$"
#: Integers beyond this are treated as not a number of months, days or contacts.
_MAX_INT = 10**9


def _prepare(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells ("" for blank), stripped lower-case unique column names, file-row index."""
    frame = frame.copy()
    frame.columns = [str(c).replace("\ufeff", "").strip().lower() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for column in frame.columns:
        values = frame[column]
        if values.dtype != "str" or values.hasnans:
            frame[column] = values.astype("str").fillna("")
    if isinstance(frame.index, pd.RangeIndex) and frame.index.start == 0:
        frame.index = frame.index + 2  # built by hand: first data row is file row 2
    return frame


def _parse_ints(
    values: pd.Series, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whole numbers in text cells: (value as float64 with NaN, blank, not a whole number).
    ``out``: a float64 array of the column's length to write the values into (and return).

    "3", "03", "+3" and "3.0" (spreadsheet exports) are 3; parsed once per distinct value,
    with vectorised arrow string kernels."""
    parsed = _parse_one_char(at.chunks(values), len(values), out) if len(values) else None
    if parsed is not None:
        return parsed
    codes, uniques = at.factorize(values)
    if len(uniques) == 0:
        empty = np.zeros(0, dtype=bool)
        return np.zeros(0), empty, empty
    blank = at.equals(uniques, "")
    whole = pc.match_substring_regex(uniques, _INTEGER_PATTERN).to_numpy(zero_copy_only=False)
    # digits without sign, fraction or leading zeros ("" for zero)
    digits = pc.replace_substring_regex(
        pc.replace_substring_regex(uniques, r"\..*$", ""), r"^[+-]?0*", ""
    )
    short = pc.less_equal(pc.utf8_length(digits), 10).to_numpy(zero_copy_only=False)
    usable = whole & short
    magnitude = np.zeros(len(uniques))
    if usable.any():
        kept = pc.filter(digits, pa.array(usable))
        kept = pc.if_else(pc.equal(kept, ""), "0", kept)
        magnitude[usable] = pc.cast(kept, pa.int64()).to_numpy(zero_copy_only=False)
    negative = pc.starts_with(uniques, "-").to_numpy(zero_copy_only=False)
    value = np.where(negative, -magnitude, magnitude)
    ok = usable & (np.abs(value) <= _MAX_INT)
    number = np.where(ok, value, np.nan)
    bad = ~blank & ~ok
    return np.take(number, codes, out=out), blank[codes], bad[codes]


def _parse_one_char(
    chunks: list[pa.Array], n: int, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """:func:`_parse_ints` for columns whose cells are all blank or one byte long (0/1 flags,
    ratings, stages), read straight from the arrow buffers of each stored chunk (``n`` cells
    in all); None when a cell is null or longer (the general path then reads the column)."""
    number = np.empty(n) if out is None else out
    blank = np.empty(n, dtype=bool)
    bad = np.empty(n, dtype=bool)
    start = 0
    for chunk in chunks:
        m = len(chunk)
        if m == 0:
            continue
        if chunk.null_count:
            return None
        offsets = np.frombuffer(chunk.buffers()[1], dtype=np.int64)[chunk.offset :][: m + 1]
        lengths = np.diff(offsets)
        if lengths.max() > 1:
            return None
        data = np.frombuffer(chunk.buffers()[2] or b"\0", dtype=np.uint8)
        part = slice(start, start + m)
        np.equal(lengths, 0, out=blank[part])
        digit = data.take(offsets[:-1], mode="clip")  # a blank cell's: the next cell's byte
        digit -= np.uint8(ord("0"))  # wraps below "0": > 9
        no_value = digit > 9
        no_value |= blank[part]
        np.copyto(number[part], digit)
        np.copyto(number[part], np.nan, where=no_value)
        np.not_equal(no_value, blank[part], out=bad[part])  # no value, not blank
        start += m
    return number, blank, bad


def _isin(values: pd.Series, allowed) -> np.ndarray:
    """Membership of text cells in a set of texts, as a numpy bool array (arrow is_in)."""
    return at.isin(values, allowed)


def _text(values: pd.Series) -> pd.Series:
    """A canonical text column: str, NaN for blank, default index."""
    cells = at.arrow(values.astype("str"))
    blank = pc.fill_null(pc.equal(cells, ""), True)
    return at.series(pc.if_else(blank, pa.scalar(None, pa.large_string()), cells))


def _first_of_codes(codes: np.ndarray) -> np.ndarray:
    """Position of the first cell of each code (codes numbered in order of appearance)."""
    if len(codes) == 0:
        return np.zeros(0, dtype=np.int64)
    highest = np.maximum.accumulate(codes)
    appears = np.flatnonzero(highest > np.r_[-1, highest[:-1]])  # a new code starts here
    first = np.full(int(highest[-1]) + 1, len(codes), dtype=np.int64)
    first[highest[appears]] = appears
    return first


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
