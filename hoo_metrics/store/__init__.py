"""The cohort library (SQLite) and its roles: the implementation is in :mod:`._library`.

``from hoo_metrics.store import X`` gives every name of its ``__all__``; the tests reach the
module itself (``hoo_metrics.store._library``) for its constants and its publish hook.
"""

from . import _library
from ._library import *  # noqa: F403

__all__ = [*_library.__all__]
