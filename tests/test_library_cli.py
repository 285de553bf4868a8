"""``python -m hoo_metrics library ...``: add, list, versions, export, archive, restore.

Results on stdout (JSON), problems on stderr with exit code 2 and no traceback; the library
file is $HOO_DB (a tmp_path here).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from hoo_metrics.cli import _library as library_cli
from hoo_metrics.store import CohortStore
from tests.test_store import large_cohort, small_cohort

REPO = Path(__file__).resolve().parent.parent
FILES = ("participants.csv", "responses.csv", "contacts.csv")


def _module() -> list[str]:
    """``-m hoo_metrics`` once __main__ registers the library commands, else the module."""
    main_source = (REPO / "hoo_metrics" / "cli" / "_main.py").read_text()
    return [
        "-m",
        "hoo_metrics" if "add_library_parser" in main_source else "hoo_metrics.cli._library",
    ]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = library_cli.main(["library", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "hoo.sqlite"
    monkeypatch.setenv("HOO_DB", str(path))
    return path


@pytest.fixture
def cohort_dir(tmp_path) -> Path:
    """A valid cohort folder (the canonical export of a small cohort)."""
    scratch = CohortStore(tmp_path / "scratch.sqlite")
    scratch.publish(small_cohort("s", n=6), "scratch")
    return scratch.export("scratch", out_dir=tmp_path / "cohort")[0].parent


def test_add_list_versions_export_archive(db, cohort_dir, tmp_path, capsys):
    code, out, err = run(capsys, "add", str(cohort_dir), "--name", "Pilot", "--description", "d")
    assert code == 0, err
    added = json.loads(out)
    assert (added["name"], added["version"], added["description"]) == ("Pilot", 1, "d")
    assert added["participants"] == 6 and not added["unchanged"]
    assert "Published 'Pilot' version 1" in err

    code, out, err = run(capsys, "add", str(cohort_dir), "--name", "Pilot")
    assert code == 0 and json.loads(out)["unchanged"] and json.loads(out)["version"] == 1
    assert "nothing was stored" in err

    code, out, _ = run(capsys, "list")
    listed = json.loads(out)
    assert code == 0 and [r["name"] for r in listed] == ["Pilot"]
    assert {"name", "version", "created", "sha256"} <= set(listed[0])
    assert listed[0]["sha256"] == added["sha256"]

    code, out, _ = run(capsys, "export", "Pilot", "--out", str(tmp_path / "out"))
    assert code == 0 and json.loads(out)["version"] == 1
    for name in FILES:
        assert (tmp_path / "out" / name).read_bytes() == (cohort_dir / name).read_bytes()

    code, out, err = run(capsys, "archive", "Pilot")
    assert code == 0 and "Archived 'Pilot'" in err and json.loads(out)["archived"]
    assert json.loads(run(capsys, "list")[1]) == []
    assert [r["name"] for r in json.loads(run(capsys, "list", "--all")[1])] == ["Pilot"]
    code, _, _ = run(capsys, "export", "Pilot", "--version", "1", "--out", str(tmp_path / "x"))
    assert code == 0 and (tmp_path / "x" / "participants.csv").exists()
    code, _, err = run(capsys, "add", str(cohort_dir), "--name", "Pilot")
    assert code == 2 and "archived" in err
    code, _, _ = run(capsys, "restore", "Pilot")
    assert code == 0 and [r["name"] for r in json.loads(run(capsys, "list")[1])] == ["Pilot"]


def test_export_re_add_export_is_byte_identical(db, tmp_path, capsys):
    CohortStore().publish(large_cohort(1000), "Big")
    assert run(capsys, "export", "Big", "--out", str(tmp_path / "one"))[0] == 0
    code, out, err = run(capsys, "add", str(tmp_path / "one"), "--name", "Big again")
    assert code == 0, err
    assert json.loads(out)["sha256"] == CohortStore().record("Big").sha256
    assert run(capsys, "export", "Big again", "--out", str(tmp_path / "two"))[0] == 0
    for name in FILES:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()


def test_versions_and_export_of_an_older_version(db, tmp_path, capsys):
    store = CohortStore()
    store.publish(small_cohort("a"), "Pilot")
    store.publish(small_cohort("b"), "Pilot", description="second")
    code, out, _ = run(capsys, "versions", "Pilot")
    assert code == 0
    assert [(r["version"], r["description"]) for r in json.loads(out)] == [(1, ""), (2, "second")]
    assert run(capsys, "export", "Pilot", "--version", "1", "--out", str(tmp_path))[0] == 0
    assert (tmp_path / "participants.csv").read_text().splitlines()[1].startswith("a1,")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["export", "Nope", "--out", "x"], "No cohort named 'Nope'"),
        (["versions", "Nope"], "No cohort named 'Nope'"),
        (["archive", "Nope"], "No cohort named 'Nope'"),
        (["add", "/no/such/folder", "--name", "X"], "no such file or folder"),
    ],
)
def test_problems_exit_2_with_a_sentence(db, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_export_of_a_missing_version(db, capsys, tmp_path):
    CohortStore().publish(small_cohort(), "Pilot")
    code, _, err = run(capsys, "export", "Pilot", "--version", "4", "--out", str(tmp_path))
    assert code == 2 and "has no version 4" in err


def test_invalid_cohort_is_not_published(db, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "participants.csv").write_text("participant_id,arm,status\nA1,x,sleeping\n")
    (bad / "responses.csv").write_text("participant_id,month\nA1,0\n")
    code, out, err = run(capsys, "add", str(bad), "--name", "Bad")
    assert code == 2 and out == ""
    assert "status" in err and "nothing was published" in err
    assert CohortStore().list(include_archived=True) == []


def test_bad_version_argument(db, capsys):
    with pytest.raises(SystemExit) as info:
        library_cli.main(["library", "export", "X", "--version", "0", "--out", "d"])
    assert info.value.code == 2
    assert "whole number from 1" in capsys.readouterr().err


def test_corrupted_library_in_a_real_process(tmp_path):
    bad = tmp_path / "hoo.sqlite"
    bad.write_bytes(b"this is not a database\n" * 100)
    env = dict(os.environ, HOO_DB=str(bad), PYTHONPATH=str(REPO))
    proc = subprocess.run(
        [sys.executable, *_module(), "library", "list"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert str(bad) in proc.stderr and "not an SQLite database" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert bad.read_bytes() == b"this is not a database\n" * 100


def test_library_add_commands_at_once(tmp_path):
    # Five real command-line processes (tests/test_store.py runs ten publishers; each process
    # here costs an interpreter start on a small CI machine).
    count = 5
    folders = []
    scratch = CohortStore(tmp_path / "scratch.sqlite")
    for i in range(count):
        scratch.publish(small_cohort(f"c{i}_", n=4), f"c{i}")
        folders.append(scratch.export(f"c{i}", out_dir=tmp_path / f"c{i}")[0].parent)
    db = tmp_path / "lib" / "hoo.sqlite"  # does not exist yet
    env = dict(os.environ, HOO_DB=str(db), PYTHONPATH=str(REPO))
    procs = [
        subprocess.Popen(
            [sys.executable, *_module(), "library", "add", str(f), "--name", f.name],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
            env=env,
            text=True,
        )
        for f in folders
    ]
    results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in results] == [0] * count, results
    names = [r.name for r in CohortStore(db).list()]
    assert names == [f"c{i}" for i in range(count)]
    assert CohortStore(db).check() == []
