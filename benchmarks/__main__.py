"""``make bench``: benchmarks on generated cohorts of 1,000, 10,000 and 100,000 participants.

Prints one table: the time of a process that only imports pandas + scipy.stats and reads the
three CSVs (the floor), of ``python -m hoo_metrics summary`` as a whole process (the two run in
turn, so that both meet the same moments of a shared machine) and its ratio to the floor, of
validation alone (the checks and the Cohort built from tables already read) and of load +
validate (our own read included) in-process, each against an in-process read, of each page's
computation and of the HTML report, and the peak memory of the summary process. Medians of
several runs.

Each page's computation runs on a fresh Cohort (nothing cached), as after a filter change.
hoo_metrics is compiled to bytecode first, as an installed package is (pandas and scipy are).
``--browser`` also runs the browser measure (filter change to every chart redrawn); its last
result is printed under the table.

Usage: python -m benchmarks [--sizes 1000 10000 100000] [--runs 5] [--process-runs 9] [--browser]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from .generate import write

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench-data"
BROWSER_TEST = ROOT / "tests" / "browser" / "test_speed.py"
BROWSER_RESULTS = ROOT / "test-artifacts" / "browser-speed.json"

READ_ONLY = """
import sys, pandas as pd, scipy.stats
d = sys.argv[1]
for name in ("participants", "responses", "contacts"):
    pd.read_csv(f"{d}/{name}.csv")
"""


def _process(args: list[str]) -> float:
    """Wall time (s) of one child process."""
    start = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"benchmark command failed: {' '.join(args)}\n{done.stderr[-2000:]}")
    return elapsed


def _side_by_side(first: list[str], second: list[str], runs: int) -> tuple[float, float]:
    """Median wall times of two commands run in turn (first, second, first, ...), so that both
    meet the same moments of a shared machine; the ratio of the two is what is compared."""
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for args, out in zip((first, second), times, strict=True):
            out.append(_process(args))
    return statistics.median(times[0]), statistics.median(times[1])


def _peak_rss_of(code: str, folder: Path) -> float:
    """Peak RSS (MiB) of a fresh process running ``code`` on ``folder``."""
    probe = (
        code + "\nimport resource, sys\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(folder)], cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    return int(done.stdout.split()[-1]) / 1024


def _in_process(folder: Path, runs: int) -> dict[str, float]:
    """Median seconds of the in-process steps: read, validate, each page's computation."""
    import pandas as pd

    import hoo_metrics as hm
    from benchmarks.pages import PAGE_COMPUTATIONS

    def median_of(fn) -> float:
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
        return statistics.median(times)

    out = {
        "read_csv": median_of(
            lambda: [
                pd.read_csv(folder / f"{n}.csv") for n in ("participants", "responses", "contacts")
            ]
        ),
        "load_validate": median_of(lambda: hm.load_cohort(folder)),
    }
    from hoo_metrics.io.load import read_tables

    checks = []  # validation alone: the checks and the Cohort built from tables already read
    for _ in range(runs):
        raw = read_tables(folder)
        start = time.perf_counter()
        hm.validate(raw)
        checks.append(time.perf_counter() - start)
    out["validate"] = statistics.median(checks)

    hashes = []
    for _ in range(runs):  # the content hash, computed on its first read
        loaded = hm.load_cohort(folder)
        start = time.perf_counter()
        loaded.sha256  # noqa: B018
        hashes.append(time.perf_counter() - start)
    out["content_sha256"] = statistics.median(hashes)
    cohort = hm.load_cohort(folder)
    for page, fn in PAGE_COMPUTATIONS.items():
        # each run on a fresh Cohort (same tables, nothing cached: no analysis set, no analysed
        # facts), as after a filter change, which makes a new Cohort
        times = []
        for _ in range(runs):
            fresh = replace(cohort)
            start = time.perf_counter()
            fn(fresh)
            times.append(time.perf_counter() - start)
        out[f"page:{page}"] = statistics.median(times)
    from hoo_metrics.present.report import build_report

    reports = []  # the one-file HTML report of the default view, on a fresh Cohort
    for _ in range(runs):
        fresh = replace(cohort)
        start = time.perf_counter()
        build_report(fresh)
        reports.append(time.perf_counter() - start)
    out["report"] = statistics.median(reports)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=5, help="runs of each in-process figure")
    parser.add_argument(
        "--process-runs",
        type=int,
        default=9,
        help="runs of the floor and summary processes, in turn (each pair takes seconds at "
        "100,000 participants; this machine's speed swings from one second to the next, so "
        "the ratio needs more runs than the in-process figures)",
    )
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--browser",
        action="store_true",
        help="also run the browser measure (tests/browser/test_speed.py: Chromium, a live "
        "server; about a minute)",
    )
    args = parser.parse_args(argv)

    # hoo_metrics' bytecode compiled once before timing, as pip does for an installed package
    # (pandas and scipy, which the floor imports, came compiled): a process that has to compile
    # our modules from source (no __pycache__ yet, or PYTHONDONTWRITEBYTECODE set, as on some
    # CI machines) would spend ~0.06 s of every run on it
    compileall.compile_dir(ROOT / "hoo_metrics", quiet=1)
    rows = []
    for n in args.sizes:
        folder = DATA / f"n{n}"
        if not (folder / "responses.csv").exists():
            write(n, folder)
        floor, summ = _side_by_side(
            [sys.executable, "-c", READ_ONLY, str(folder)],
            [sys.executable, "-m", "hoo_metrics", "summary", str(folder)],
            args.process_runs,
        )
        summ_mem = _peak_rss_of(
            "import sys, io, contextlib\nfrom hoo_metrics.cli import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    main(['summary', sys.argv[1]])",
            folder,
        )
        inproc = _in_process(folder, args.runs)
        rows.append(
            {
                "participants": n,
                "read_process_s": floor,
                "summary_process_s": summ,
                "summary_ratio": summ / floor,
                "read_csv_s": inproc["read_csv"],
                "validate_s": inproc["validate"],
                "validate_ratio": inproc["validate"] / inproc["read_csv"],
                "load_validate_s": inproc["load_validate"],
                "load_validate_ratio": inproc["load_validate"] / inproc["read_csv"],
                "content_sha256_s": inproc["content_sha256"],
                "summary_peak_mib": summ_mem,
                **{k: v for k, v in inproc.items() if k.startswith("page:")},
                "report_s": inproc["report"],
            }
        )

    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}, runs per figure: {args.runs} (median; the floor "
        f"and summary processes: {args.process_runs}); "
        f"load average at the end (1, 5, 15 min): {load}"
    )
    keys = list(rows[0])
    width = max(len(k) for k in keys)
    print("metric".ljust(width) + "".join(f"{r['participants']:>12,}" for r in rows))
    for key in keys[1:]:
        cells = []
        for r in rows:
            v = r[key]
            cells.append(f"{v:>12.0f}" if key.endswith("mib") else f"{v:>12.3f}")
        print(key.ljust(width) + "".join(cells))
    if args.browser:
        subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(BROWSER_TEST)],
            cwd=ROOT,
            check=False,
        )
    _print_browser()
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


def _print_browser() -> None:
    """The last browser measure (tests/browser/test_speed.py), if one was kept."""
    if not BROWSER_RESULTS.exists():
        print(f"browser: no measure yet (python -m benchmarks --browser, or pytest {BROWSER_TEST})")
        return
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(BROWSER_RESULTS.stat().st_mtime))
    print(f"browser, filter change to every chart redrawn (median of 3 changes; {when}):")
    for r in json.loads(BROWSER_RESULTS.read_text()):
        changes = ", ".join(f"{s:.3f}" for s in r["changes_s"])
        print(f"  {r['cohort']:<32} {r['page']:<10} {r['median_s']:.3f} s  ({changes})")


if __name__ == "__main__":
    sys.exit(main())
