"""Column-wise operations on text cells without per-cell Python objects.

The raw tables hold pandas' ``str`` dtype, which pandas backs with pyarrow. Going through
pyarrow.compute directly (dictionary encoding, set membership, masks) avoids pandas' slower
generic paths that turn arrow strings into Python objects cell by cell.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

STR = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' "str" dtype


def _stored(values: pd.Series | pd.Index | np.ndarray | Iterable) -> pa.Array | pa.ChunkedArray:
    """The text cells as arrow holds them (a pandas ``str`` column as it is, no copy; other
    values converted, as text when arrow cannot take them as they are)."""
    if isinstance(values, pd.Series | pd.Index):
        values = values.array
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    try:
        return pa.array(values)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return pa.array(pd.Series(values, dtype="object").astype("str").array)


def _large(values: pa.Array) -> pa.Array:
    return values if values.type == pa.large_string() else pc.cast(values, pa.large_string())


def arrow(values: pd.Series | pd.Index | np.ndarray | Iterable) -> pa.Array:
    """One contiguous large_string arrow array of the text cells (nulls kept as nulls)."""
    values = _stored(values)
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    return _large(values)


def chunks(values: pd.Series | pd.Index | np.ndarray | Iterable) -> list[pa.Array]:
    """The text cells as the large_string arrow arrays they are stored in (a column read from
    a CSV comes in blocks): no copy for a pandas ``str`` column, unlike :func:`arrow`."""
    values = _stored(values)
    parts = values.chunks if isinstance(values, pa.ChunkedArray) else [values]
    return [_large(p) for p in parts]


def series(values: pa.Array | pa.ChunkedArray, index=None) -> pd.Series:
    """A pandas ``str`` Series over an arrow string array (no copy)."""
    if values.type != pa.large_string():
        values = pc.cast(values, pa.large_string())
    return pd.Series(pd.arrays.ArrowStringArray(values, dtype=STR), index=index, copy=False)


def factorize(values) -> tuple[np.ndarray, pa.Array]:
    """(int64 codes, distinct values) in order of first appearance; null cells get -1."""
    encoded = pc.dictionary_encode(arrow(values))
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    if encoded.null_count:
        codes = np.where(encoded.is_null().to_numpy(zero_copy_only=False), -1, codes)
    return np.asarray(codes, dtype=np.int64), encoded.dictionary


def isin(values, allowed) -> np.ndarray:
    """Membership of each text cell in ``allowed`` (texts), as a numpy bool array."""
    value_set = arrow(allowed if isinstance(allowed, pd.Series) else list(allowed))
    return pc.is_in(arrow(values), value_set=value_set).to_numpy(zero_copy_only=False)


def index_in(values, distinct: pa.Array) -> np.ndarray:
    """Position of each text cell in ``distinct`` (texts without repeats), -1 where absent."""
    found = pc.index_in(arrow(values), value_set=arrow(distinct))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False)


def equals(values, text: str) -> np.ndarray:
    """Cells equal to ``text`` (nulls False), as a numpy bool array."""
    found = pc.fill_null(pc.equal(arrow(values), text), False)
    return found.to_numpy(zero_copy_only=False)
