"""Small-cell suppression: the rules and their implementation are in :mod:`._suppression`.

``from hoo_metrics.privacy import X`` and ``hoo_metrics.privacy.X`` give every name of its
``__all__`` (and ``reason_text``, which the results and the summary use).
"""

from . import _suppression
from ._bounds import count_interval, sum_interval
from ._suppression import *  # noqa: F403
from ._suppression import reason_text as reason_text

__all__ = [*_suppression.__all__, "count_interval", "sum_interval"]
