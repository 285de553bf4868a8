"""``python -m hoo_metrics ...`` run in this process, its output captured by pytest's capsys.

The command line's own code (``hoo_metrics.cli.main``) without an interpreter start per
call. Where the process itself is the point (its exit code, no traceback reaching the user)
the tests start a real one: tests/test_summary.py and tests/test_library_cli.py.
"""

from __future__ import annotations

from typing import NamedTuple

from hoo_metrics.cli import main


class CliRun(NamedTuple):
    returncode: int
    stdout: str
    stderr: str


def run_cli(capsys, *args: str) -> CliRun:
    """Exit code, stdout and stderr of ``python -m hoo_metrics ARGS``, in this process."""
    capsys.readouterr()  # only this command's output
    try:
        code = main(list(args))
    except SystemExit as exit_:  # argparse ends --help and a wrong argument this way
        code = exit_.code
    out, err = capsys.readouterr()
    return CliRun(code, out, err)
