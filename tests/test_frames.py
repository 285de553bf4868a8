"""metrics._frames.cast: DataFrame.astype that leaves right-typed columns alone."""

import numpy as np
import pandas as pd

from hoo_metrics.metrics._frames import cast


def test_cast_gives_what_astype_gives():
    frame = pd.DataFrame(
        {
            "group": np.array(["a", "b"], dtype=object),  # object -> str
            "n": [1.0, 2.0],  # float -> int64
            "share": [0.5, 0.25],  # already float64
            "note": pd.Series(["x", "y"], dtype="str"),  # already str
        }
    )
    dtypes = {"group": "str", "n": "int64", "share": "float64", "note": "str"}
    out = cast(frame, dtypes)
    pd.testing.assert_frame_equal(out, frame.astype(dtypes))
    assert out["n"].tolist() == [1, 2] and str(out["n"].dtype) == "int64"
    assert frame["n"].dtype == np.float64  # the input is left as it was


def test_cast_with_nothing_to_change_gives_the_frame_back():
    frame = pd.DataFrame({"n": np.array([1, 2], dtype="int64")})
    assert cast(frame, {"n": "int64"}) is frame
    assert cast(frame, {"n": "float64"})["n"].dtype == np.float64
