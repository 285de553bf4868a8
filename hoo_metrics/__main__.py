"""``python -m hoo_metrics``: the command line, :mod:`hoo_metrics.cli`."""

import sys

from .cli._main import _run

if __name__ == "__main__":
    sys.exit(_run())
