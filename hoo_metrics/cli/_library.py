"""``python -m hoo_metrics library ...``: the cohort library from the command line.

Commands (the library file is ``$HOO_DB``, default ``data/hoo.sqlite``):

- ``library add PATH --name NAME [--description TEXT] [--published-by WHO]``: validate the
  cohort at PATH and publish it (a new version when NAME exists); prints its record as JSON.
- ``library list [--all]``: JSON list of the newest version of each cohort.
- ``library versions NAME``: JSON list of every version of NAME.
- ``library export NAME [--version N] --out DIR``: the three canonical CSVs, byte for byte.
- ``library archive NAME`` / ``library restore NAME``: hide a cohort from the list / show it.

The command line runs as an evaluator (local mode): who may write is decided by who may write
the library file. Results go to stdout; problems go to stderr with exit code 2, no traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..problems import CohortError

__all__ = ["add_library_parser", "main"]

EXIT_OK, EXIT_INVALID = 0, 2


def _store():
    from ..store import CohortStore

    return CohortStore()


def _print_json(value) -> None:
    json.dump(value, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _cmd_add(args: argparse.Namespace) -> int:
    from ..checks.validate import load_cohort

    path = Path(args.path)
    if not path.exists():
        print(
            f"error: {path}: no such file or folder. Give a cohort folder, .zip or .xlsx.",
            file=sys.stderr,
        )
        return EXIT_INVALID
    cohort = load_cohort(path)
    for problem in cohort.warnings:
        print(str(problem), file=sys.stderr)
    record = _store().publish(
        cohort, args.name, description=args.description, published_by=args.published_by
    )
    if record.unchanged:
        print(
            f"Unchanged: {record.name!r} version {record.version} already has exactly this "
            "content (same SHA-256); nothing was stored.",
            file=sys.stderr,
        )
    else:
        print(f"Published {record.name!r} version {record.version}.", file=sys.stderr)
    _print_json({**record.as_dict(), "unchanged": record.unchanged})
    return EXIT_OK


def _cmd_list(args: argparse.Namespace) -> int:
    _print_json([r.as_dict() for r in _store().list(include_archived=args.all)])
    return EXIT_OK


def _cmd_versions(args: argparse.Namespace) -> int:
    _print_json([r.as_dict() for r in _store().versions(args.name)])
    return EXIT_OK


def _cmd_export(args: argparse.Namespace) -> int:
    store = _store()
    record = store.record(args.name, args.version)
    paths = store.export(record.name, record.version, out_dir=args.out)
    print(
        f"Exported {record.name!r} version {record.version} to {args.out}: "
        + ", ".join(p.name for p in paths),
        file=sys.stderr,
    )
    _print_json(record.as_dict())
    return EXIT_OK


def _cmd_archive(args: argparse.Namespace) -> int:
    record = _store().archive(args.name)
    print(
        f"Archived {record.name!r}: hidden from the list, still exportable "
        "(library list --all shows it; library restore brings it back).",
        file=sys.stderr,
    )
    _print_json(record.as_dict())
    return EXIT_OK


def _cmd_restore(args: argparse.Namespace) -> int:
    record = _store().restore(args.name)
    print(f"Restored {record.name!r}.", file=sys.stderr)
    _print_json(record.as_dict())
    return EXIT_OK


def _guarded(func):
    """Run a command; a library, permission or data problem becomes a sentence and exit 2."""

    def run(args: argparse.Namespace) -> int:
        from ..store import StoreError

        try:
            return func(args)
        except CohortError as exc:
            for problem in exc.problems:
                print(str(problem), file=sys.stderr)
            errors = sum(p.is_error for p in exc.problems)
            print(
                f"{errors} error(s), {len(exc.problems) - errors} warning(s): "
                "nothing was published.",
                file=sys.stderr,
            )
            return EXIT_INVALID
        except (StoreError, PermissionError, OSError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return EXIT_INVALID

    run.__doc__ = func.__doc__
    return run


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a version is a whole number from 1, not {text!r}")
    return value


def add_library_parser(subparsers) -> argparse.ArgumentParser:
    """Register ``library`` and its commands on ``subparsers`` (from add_subparsers);
    each command sets ``func`` (args -> exit code). Returns the ``library`` parser."""
    library = subparsers.add_parser(
        "library",
        help="the cohort library: add, list, export, archive published cohorts",
        description="The cohort library: a SQLite file ($HOO_DB, default data/hoo.sqlite) "
        "of published cohorts and their versions. Publishing an existing name adds a version; "
        "nothing is overwritten; archive hides a cohort without deleting it. "
        "See docs/library.md.",
    )
    sub = library.add_subparsers(dest="library_command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "add",
        help="validate a cohort and publish it (a new version when NAME exists)",
        description="Load and validate the cohort at PATH, then publish it under NAME: version "
        "1 for a new name, the next version otherwise. Content identical to the newest version "
        "is not stored again. Prints the record as JSON; exit 2 on invalid data.",
    )
    p.add_argument("path", help="cohort folder (participants.csv, ...), .zip or .xlsx")
    p.add_argument("--name", required=True, help="the cohort's name in the library")
    p.add_argument("--description", default="", help="a sentence about the cohort")
    p.add_argument(
        "--published-by", default="local", metavar="WHO", help="who publishes (default: local)"
    )
    p.set_defaults(func=_guarded(_cmd_add))

    p = sub.add_parser(
        "list",
        help="JSON list of the cohorts (newest version of each)",
        description="Print a JSON list with the newest version of each cohort: name, version, "
        "created, sha256, description, published_by, row counts, resources, contract_version, "
        "synthetic, archived.",
    )
    p.add_argument("--all", action="store_true", help="include archived cohorts")
    p.set_defaults(func=_guarded(_cmd_list))

    p = sub.add_parser(
        "versions",
        help="JSON list of every version of one cohort",
        description="Print a JSON list of every version of NAME, oldest first.",
    )
    p.add_argument("name", help="the cohort's name")
    p.set_defaults(func=_guarded(_cmd_versions))

    p = sub.add_parser(
        "export",
        help="write a cohort's three canonical CSVs to a folder",
        description="Write participants.csv, responses.csv and contacts.csv of NAME (the "
        "newest version, or --version N) to DIR, byte for byte as published.",
    )
    p.add_argument("name", help="the cohort's name")
    p.add_argument("--version", type=_positive, default=None, metavar="N", help="version")
    p.add_argument("--out", required=True, metavar="DIR", help="folder to write into")
    p.set_defaults(func=_guarded(_cmd_export))

    p = sub.add_parser(
        "archive",
        help="hide a cohort from the list (nothing is deleted)",
        description="Archive NAME: it no longer shows in 'library list' (it does with --all) "
        "and takes no new versions, but can still be exported or restored.",
    )
    p.add_argument("name", help="the cohort's name")
    p.set_defaults(func=_guarded(_cmd_archive))

    p = sub.add_parser(
        "restore",
        help="bring an archived cohort back",
        description="Undo 'library archive NAME'.",
    )
    p.add_argument("name", help="the cohort's name")
    p.set_defaults(func=_guarded(_cmd_restore))
    return library


def main(argv: list[str] | None = None) -> int:
    """``python -m hoo_metrics.cli._library library ...`` (until __main__ registers it)."""
    parser = argparse.ArgumentParser(prog="python -m hoo_metrics")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_library_parser(sub)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
