"""The command line (``python -m hoo_metrics ...``): :mod:`._main` (summary, validate, report,
export, sample) and :mod:`._library` (the ``library`` commands)."""

from ._main import main

__all__ = ["main"]
