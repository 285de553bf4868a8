"""The command line: ``python -m hoo_metrics {summary,report,export,validate,sample} ...``.

Exit codes: 0 success (warnings allowed), 2 invalid data or arguments, 1 an internal error.
Problems go to stderr, one per line; results go to stdout. No traceback reaches the user.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from ..contract import DEFAULT_GROUP_BY, POPULATIONS
from ..problems import CohortError, Problem

EXIT_OK, EXIT_INTERNAL, EXIT_INVALID = 0, 1, 2


class _UsageError(Exception):
    """A wrong argument, reported in one sentence with exit code 2."""


def _print_problems(problems: list[Problem]) -> None:
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    for problem in problems:
        print(str(problem), file=sys.stderr)
    print(f"{errors} error(s), {warnings} warning(s).", file=sys.stderr)


def _load(path: str):
    from ..checks.validate import load_cohort

    if not Path(path).exists():
        raise _UsageError(f"{path}: no such file or folder. Give a cohort folder, .zip or .xlsx.")
    return load_cohort(path)


def _add_view_options(parser: argparse.ArgumentParser, min_cell_default_text: str) -> None:
    parser.add_argument(
        "path",
        help="cohort folder (participants.csv, responses.csv, "
        "contacts.csv), .zip or .xlsx workbook",
    )
    parser.add_argument(
        "--population",
        choices=POPULATIONS,
        default="completed",
        help="analysis set: 'completed' (completers, the default) or 'all' enrolled",
    )
    parser.add_argument(
        "--group-by",
        default=DEFAULT_GROUP_BY,
        metavar="COLUMN",
        help="participant column whose values are the groups (default: arm)",
    )
    parser.add_argument(
        "--min-cell",
        type=_min_cell,
        default=None,
        metavar="K",
        help="small-cell suppression: hide counts from 1 to K-1 and whatever would reveal "
        "them. " + min_cell_default_text,
    )


def _min_cell(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"K is a whole number from 1, not {text!r}")
    return value


def _check_group_by(cohort, group_by: str) -> None:
    """--group-by must name a participant column offered for grouping: not a missing one, nor
    one the identifier screen rules out (names, free text, mostly unique values)."""
    columns = cohort.participant_columns
    if group_by in columns:
        return
    choose = f"Choose one of: {', '.join(columns)}."
    why = cohort.screened.get(group_by)
    if why is not None:
        raise _UsageError(
            f"--group-by {group_by!r}: the column {group_by} of participants.csv cannot be "
            f"used for grouping or filters: {why}. Recode it into a few categories shared by "
            f"several participants, or group by another column. {choose}"
        )
    raise _UsageError(f"--group-by {group_by!r}: participants.csv has no such column. {choose}")


def _cmd_summary(args: argparse.Namespace) -> int:
    from ..present.summary import summary

    cohort = _load(args.path)
    _check_group_by(cohort, args.group_by)
    if cohort.warnings:
        _print_problems(list(cohort.warnings))
    result = summary(
        cohort, population=args.population, group_by=args.group_by, suppression=args.min_cell
    )
    json.dump(result, sys.stdout, indent=2, allow_nan=False)
    sys.stdout.write("\n")
    return EXIT_OK


def _view_args(args: argparse.Namespace):
    """The cohort and the suppression setting of a report/export command (k: --min-cell, else
    HOO_MIN_CELL, else 5)."""
    from ..privacy import Suppression, min_cell_default

    cohort = _load(args.path)
    _check_group_by(cohort, args.group_by)
    if cohort.warnings:
        _print_problems(list(cohort.warnings))
    try:
        k = args.min_cell if args.min_cell is not None else min_cell_default()
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    return cohort, Suppression(k)


def _cmd_report(args: argparse.Namespace) -> int:
    from ..present.report import build_report

    cohort, setting = _view_args(args)
    text = build_report(
        cohort, population=args.population, group_by=args.group_by, suppression=setting
    )
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(f"Wrote the report to {out} (small-cell threshold k = {setting.k}).")
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    from ..present.export import export_tables, write_csvs, write_xlsx

    cohort, setting = _view_args(args)
    tables = export_tables(
        cohort, population=args.population, group_by=args.group_by, suppression=setting
    )
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise _UsageError(f"--out {args.out}: a file is in the way; give a folder.")
    paths = write_csvs(tables, out)
    book = write_xlsx(tables, out / "hoo-results.xlsx")
    print(
        f"Wrote {len(paths)} CSV files and {book.name} ({len(tables)} sheets) to {out} "
        f"(small-cell threshold k = {setting.k})."
    )
    return EXIT_OK


def _cmd_validate(args: argparse.Namespace) -> int:
    from ..checks.validate import validate
    from ..io.load import read_tables

    if not Path(args.path).exists():
        raise _UsageError(f"{args.path}: no such file or folder.")
    result = validate(read_tables(args.path))
    if args.json:
        json.dump([p.as_dict() for p in result.problems], sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        for problem in result.problems:
            print(str(problem))
        errors = sum(p.is_error for p in result.problems)
        print(
            f"{errors} error(s), {len(result.problems) - errors} warning(s): "
            + ("the cohort cannot be loaded." if errors else "the cohort is valid.")
        )
    return EXIT_INVALID if result.cohort is None else EXIT_OK


def _cmd_sample(args: argparse.Namespace) -> int:
    from ..sample import write_sample

    write_sample(Path(args.out))
    print(f"Wrote the synthetic sample cohort to {args.out}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m hoo_metrics",
        description="HOO metrics: summarise, validate and generate peer-support cohorts "
        "(see shared/data-contract.md for the file contract and every definition).",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "summary",
        help="print the cohort's summary as JSON (data contract, section 3)",
        description="Load and validate a cohort, then print one JSON object with enrollment, "
        "follow-up, resources, group comparisons and stage transitions (floats unrounded, "
        "missing values null). Exit 0; on invalid data the problems go to stderr, exit 2.",
    )
    _add_view_options(
        p,
        "Off unless given (the JSON then follows the contract exactly); with K, suppressed "
        "values become null and a 'suppression' object lists what was hidden and why. The "
        "dashboard's default is 5 (HOO_MIN_CELL); CMS uses 11.",
    )
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser(
        "report",
        help="write one self-contained HTML report (opens offline)",
        description="Load a cohort and write every chart and table, the methods, the "
        "cohort's provenance (SHA-256) and the settings into one HTML file that opens "
        "offline. Small-cell suppression applies: --min-cell K, else HOO_MIN_CELL, else 5.",
    )
    _add_view_options(p, "Default: HOO_MIN_CELL, else 5 (CMS uses 11); 1 turns it off.")
    p.add_argument("--out", required=True, metavar="FILE.html", help="the HTML file to write")
    p.set_defaults(func=_cmd_report)

    p = sub.add_parser(
        "export",
        help="write every result table as CSV and as one .xlsx",
        description="Load a cohort and write every result table (suppressed: --min-cell K, "
        "else HOO_MIN_CELL, else 5) as <table>.csv plus hoo-results.xlsx, one sheet each. "
        "Text cells that a spreadsheet would run as a formula are prefixed with a quote.",
    )
    _add_view_options(p, "Default: HOO_MIN_CELL, else 5 (CMS uses 11); 1 turns it off.")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "validate",
        help="list every problem in a cohort",
        description="Check a cohort against the data contract and list every error and "
        "warning (table, row as in the file, column, value, what to do). Exit 0 when it "
        "loads (warnings only), 2 when it has errors.",
    )
    p.add_argument("path", help="cohort folder, .zip or .xlsx workbook")
    p.add_argument("--json", action="store_true", help="print the problems as JSON")
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser(
        "sample",
        help="write the synthetic sample cohort",
        description="Write the synthetic Healing Our Own cohort (three CSVs) to a folder. "
        "Deterministic: the same bytes every time.",
    )
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.set_defaults(func=_cmd_sample)

    from ._library import add_library_parser

    add_library_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except CohortError as exc:
        _print_problems(exc.problems)
        return EXIT_INVALID
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except BrokenPipeError:  # the reader stopped early (`... | head`): nothing went wrong
        # Python would report the pipe again when it flushes stdout at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as exc:  # the last guard: a sentence, never a traceback
        print(
            f"internal error: {type(exc).__name__}: {exc}. Please report this with the command "
            "you ran.",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _run() -> int:
    """``python -m hoo_metrics``: :func:`main` as a process. At shutdown the interpreter's
    last garbage collections free, object by object, whatever is still held in reference
    cycles (pandas frames and the cohort's caches keep some: hundreds of MB after a summary of
    10^5 participants, ~0.25 s), memory the end of the process returns anyway; ``gc.freeze``
    once the command is done leaves them to it (exit handlers and output flushing still run).
    """
    import gc

    code = main()
    gc.freeze()
    return code


if __name__ == "__main__":
    sys.exit(_run())
