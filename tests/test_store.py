"""The cohort library (hoo_metrics.store) and its canonical CSV text (hoo_metrics.io.canonical).

Reliability cases of issue 6: ten processes publishing at once; a publisher killed with SIGKILL
inside its transaction; corrupted or foreign files; viewers refused; export, re-add, export
byte-identical. Processes synchronise through a barrier or a pipe, never through sleeps.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from hoo_metrics import REDCAP_SAMPLE_DIR
from hoo_metrics.checks.validate import load_cohort
from hoo_metrics.cohort import Cohort, cohort_from_canonical
from hoo_metrics.io.canonical import canonical_tables, content_sha256
from hoo_metrics.problems import WARNING, Problem
from hoo_metrics.store import (
    CohortNotFoundError,
    CohortStore,
    Role,
    StoreError,
    db_path,
    evaluator_emails,
    require_evaluator,
    role_for,
)
from hoo_metrics.store import _library as store_module
from hoo_metrics.store._library import APPLICATION_ID, SCHEMA_VERSION
from tests.factories import make_cohort
from tests.test_validate import CLEAN

REPO = Path(__file__).resolve().parent.parent
TABLE_NAMES = ("participants", "responses", "contacts")


# ---- cohorts used by the tests -------------------------------------------------------------------
def small_cohort(tag: str = "a", n: int = 3) -> Cohort:
    """A tiny valid cohort; ``tag`` changes the participant ids (and so the content)."""
    participants = [
        {"participant_id": f"{tag}{i}", "arm": "enhanced" if i % 2 else "routine"}
        for i in range(1, n + 1)
    ]
    for p in participants:
        p["status"] = "completed"
        p["role"] = "nurse"
    responses = []
    for p in participants:
        pid = p["participant_id"]
        responses.append(
            {"participant_id": pid, "month": 0, "stage": 2, "used_peers": 1, "helpful_peers": 4}
        )
        responses.append(
            {
                "participant_id": pid,
                "month": 3,
                "stage": 6,
                "stage6_path": "thriving",
                "used_peers": 0,
                "used_eap": 1,
                "helpful_eap": 5,
                "most_helpful": "eap",
            }
        )
    contacts = [
        {"participant_id": f"{tag}1", "contact_no": 1, "day": 3, "more_followup": "yes"},
        {"participant_id": f"{tag}1", "contact_no": 2, "day": 30, "more_followup": "no"},
    ]
    return make_cohort(participants, responses, contacts, name=tag)


def large_cohort(n: int, seed: int = 1) -> Cohort:
    """``n`` participants, three waves, ten resources, contacts; canonical dtypes, vectorised."""
    rng = np.random.default_rng(seed)
    ids = np.char.add("P", np.char.zfill(np.arange(1, n + 1).astype(str), 6))
    participants = pd.DataFrame(
        {
            "participant_id": ids,
            "arm": np.where(np.arange(n) % 2 == 0, "enhanced", "routine"),
            "status": rng.choice(["completed", "withdrew"], size=n, p=[0.9, 0.1]),
            "role": rng.choice(["nurse", "attending", "resident"], size=n),
            "site": rng.choice([f"site_{i:02d}" for i in range(12)], size=n),
        }
    ).astype("str")
    months = np.array([0, 3, 6])
    pid = np.repeat(ids, len(months))
    m = len(pid)
    resources = ("peers", "peer_supporter", "department_leadership", "family", "friends")
    resources += ("eap", "mental_health", "chaplain", "risk_management", "other")
    stage = rng.integers(1, 7, size=m).astype("float64")
    cols: dict[str, object] = {
        "participant_id": pd.Series(pid, dtype="str"),
        "month": np.tile(months, n).astype("int64"),
        "stage": stage,
        "stage6_path": pd.Series(
            np.where(stage == 6, rng.choice(["surviving", "thriving"], size=m), None), dtype="str"
        ),
    }
    for code in resources:
        used = rng.integers(0, 2, size=m).astype("float64")
        cols["used_" + code] = used
        cols["helpful_" + code] = np.where(used == 1, rng.integers(1, 6, size=m), np.nan)
    cols["most_helpful"] = pd.Series(
        np.where(rng.random(m) < 0.5, "peers;family", None), dtype="str"
    )
    responses = pd.DataFrame(cols)
    k = n // 2
    contacts = pd.DataFrame(
        {
            "participant_id": pd.Series(ids[:k], dtype="str"),
            "contact_no": np.ones(k, dtype="int64"),
            "day": rng.integers(0, 60, size=k).astype("int64"),
            "more_followup": rng.random(k) < 0.3,
        }
    )
    return Cohort(participants, responses, contacts, resources=resources, name="large")


def assert_same_tables(a: Cohort, b: Cohort) -> None:
    for table in TABLE_NAMES:
        pd.testing.assert_frame_equal(
            getattr(a, table).reset_index(drop=True), getattr(b, table).reset_index(drop=True)
        )
    assert a.resources == b.resources


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "lib" / "hoo.sqlite"
    monkeypatch.setenv("HOO_DB", str(path))
    return path


@pytest.fixture
def store(db) -> CohortStore:
    return CohortStore()


# ---- canonical CSV -------------------------------------------------------------------------------
def test_canonical_text_is_fixed_and_exact():
    cohort = make_cohort(
        participants=[
            {"participant_id": "A1", "arm": "enhanced", "status": "completed", "site": "01"},
            {"participant_id": "A2", "arm": "routine", "status": "withdrew", "site": 'x,"y"'},
        ],
        responses=[
            {"participant_id": "A1", "month": 0, "stage": 2, "used_peers": 1, "helpful_peers": 4},
            {"participant_id": "A1", "month": 3, "stage": 6, "stage6_path": "thriving"},
        ],
        contacts=[{"participant_id": "A1", "contact_no": 1, "day": 3, "more_followup": "no"}],
    )
    tables = canonical_tables(cohort)
    # Integer-valued floats without ".0", blanks empty, quoting only where needed, "\n" endings.
    assert tables["participants"] == (
        b'participant_id,arm,status,site\nA1,enhanced,completed,01\nA2,routine,withdrew,"x,""y"""\n'
    )
    assert tables["responses"] == (
        b"participant_id,month,stage,stage6_path,used_peers,helpful_peers,most_helpful\n"
        b"A1,0,2,,1,4,\nA1,3,6,thriving,,,\n"
    )
    assert tables["contacts"] == b"participant_id,contact_no,day,more_followup\nA1,1,3,no\n"


def test_canonical_round_trip_gives_an_equal_cohort_and_the_same_bytes():
    cohort = small_cohort()
    tables = canonical_tables(cohort)
    again = cohort_from_canonical(tables)
    assert_same_tables(cohort, again)
    assert canonical_tables(again) == tables
    assert content_sha256(canonical_tables(again)) == content_sha256(tables)


def test_canonical_non_integer_floats_and_empty_tables():
    cohort = make_cohort(participants=[{"participant_id": "A1", "arm": "x"}])
    tables = canonical_tables(cohort)
    assert tables["responses"] == b"participant_id,month,stage,stage6_path,most_helpful\n"
    assert tables["contacts"] == b"participant_id,contact_no,day,more_followup\n"
    assert_same_tables(cohort, cohort_from_canonical(tables))
    odd = cohort.responses.assign(stage=pd.Series([], dtype="float64"))
    assert canonical_tables(Cohort(cohort.participants, odd))["responses"].endswith(b"\n")
    frac = make_cohort(
        participants=[{"participant_id": "A1", "arm": "x"}],
        responses=[{"participant_id": "A1", "month": 0, "used_a": 1, "helpful_a": 2.5}],
    )
    assert b"A1,0,,,1,2.5," in canonical_tables(frac)["responses"]
    # a column with a non-integer value writes each cell as its repr, -0.0 as "-0.0"; a
    # whole-number column writes -0.0 as int(-0.0), "0"
    signed = make_cohort(
        participants=[{"participant_id": "A1", "arm": "x"}],
        responses=[
            {"participant_id": "A1", "month": 0, "stage": -0.0, "used_a": -0.0},
            {"participant_id": "A1", "month": 3, "stage": 2, "used_a": 0.5},
        ],
    )
    assert canonical_tables(signed)["responses"] == (
        b"participant_id,month,stage,stage6_path,used_a,helpful_a,most_helpful\n"
        b"A1,0,0,,-0.0,,\nA1,3,2,,0.5,,\n"
    )


def test_content_sha256_changes_with_any_cell():
    a = canonical_tables(small_cohort())
    b = dict(a, contacts=a["contacts"].replace(b",30,", b",31,"))
    assert content_sha256(a) != content_sha256(b)


def test_one_content_hash_for_a_folder_its_zip_and_the_library(store, tmp_path):
    # The clean cohort of tests/test_validate.py: its CSV text is already canonical, so its
    # content hash is, by the definition in docs/library.md, the SHA-256 of
    # "participants.csv <length>\n" + its bytes, then responses, then contacts. The files are
    # written with a BOM and Windows line ends (other bytes, the same content); a folder, its
    # .zip and the library version published from the folder all carry that one hash.
    by_hand = hashlib.sha256()
    for table in TABLE_NAMES:
        data = CLEAN[table].encode("utf-8")
        by_hand.update(f"{table}.csv {len(data)}\n".encode() + data)
    folder = tmp_path / "pilot"
    folder.mkdir()
    for table in TABLE_NAMES:
        text = CLEAN[table].replace("\n", "\r\n")
        (folder / f"{table}.csv").write_bytes(text.encode("utf-8-sig"))
    with zipfile.ZipFile(tmp_path / "pilot.zip", "w") as zf:
        for table in TABLE_NAMES:
            zf.write(folder / f"{table}.csv", f"pilot/{table}.csv")

    from_folder = load_cohort(folder)
    from_zip = load_cohort(tmp_path / "pilot.zip")
    record = store.publish(from_folder, "Pilot")
    from_library = store.load("Pilot")
    assert record.sha256 == by_hand.hexdigest()
    assert from_folder.sha256 == from_zip.sha256 == from_library.sha256 == record.sha256
    assert from_folder.sha256 == content_sha256(canonical_tables(from_folder))


def test_a_redcap_export_carries_its_library_hash(store):
    # The sample as a REDCap export (another file form, converted on loading): its loaded
    # Cohort's hash is the one the library records and gives back for that content.
    cohort = load_cohort(REDCAP_SAMPLE_DIR)
    record = store.publish(cohort, "REDCap sample")
    assert cohort.sha256 == record.sha256 == store.load("REDCap sample").sha256
    assert record.sha256 == content_sha256(canonical_tables(cohort))


# ---- publish, versions, load, export -------------------------------------------------------------
def test_store_is_created_on_first_use_with_our_schema(db, store):
    assert not db.exists()
    assert store.list() == []
    assert db.exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    # Opening again does not migrate again.
    CohortStore(db).list()
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM schema_version").fetchone()[0] == 1


def test_created_in_place_where_hard_links_fail(tmp_path, monkeypatch):
    def no_links(src, dst):
        raise OSError("hard links not supported here")

    monkeypatch.setattr(os, "link", no_links)
    store = CohortStore(tmp_path / "hoo.sqlite")
    store.publish(small_cohort(), "Pilot")
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".new"] == []
    assert CohortStore(tmp_path / "hoo.sqlite").check() == []


def test_db_path_from_env_or_default(monkeypatch, tmp_path):
    monkeypatch.delenv("HOO_DB", raising=False)
    assert db_path() == Path("data") / "hoo.sqlite"
    monkeypatch.setenv("HOO_DB", str(tmp_path / "x.sqlite"))
    assert db_path() == tmp_path / "x.sqlite"
    assert db_path(tmp_path / "y.sqlite") == tmp_path / "y.sqlite"


def test_publish_records_metadata_and_loads_back(store):
    cohort = small_cohort()
    cohort = Cohort(
        cohort.participants,
        cohort.responses,
        cohort.contacts,
        cohort.resources,
        warnings=(Problem("responses", 3, "helpful_eap", "4", "ignored", WARNING),),
        synthetic=True,
    )
    record = store.publish(cohort, "  Pilot 2021 ", "the pilot", "ana@example.org")
    assert (record.name, record.version, record.description) == ("Pilot 2021", 1, "the pilot")
    assert record.published_by == "ana@example.org"
    assert (record.participants, record.responses, record.contacts) == (3, 6, 2)
    assert record.resources == ("peers", "eap")
    assert record.sha256 == content_sha256(canonical_tables(cohort))
    assert record.contract_version == "1.0"
    assert record.synthetic and not record.archived and not record.unchanged
    assert record.created.endswith("Z") and record.created[:4].isdigit()

    loaded = store.load("Pilot 2021")
    assert_same_tables(cohort, loaded)
    assert loaded.name == "Pilot 2021"
    assert loaded.sha256 == record.sha256
    assert loaded.synthetic
    assert "Pilot 2021" in loaded.source and "version 1" in loaded.source
    assert loaded.warnings == cohort.warnings
    assert store.list() == [record]


def test_versions_add_up_and_identical_content_is_a_no_op(store):
    v1 = store.publish(small_cohort("a"), "Pilot")
    same = store.publish(small_cohort("a"), "Pilot", description="again")
    assert same.unchanged and same == v1  # nothing stored, the newest record returned
    v2 = store.publish(small_cohort("b"), "Pilot", description="second")
    assert v2.version == 2 and not v2.unchanged
    # Going back to version 1's content is a change relative to the newest: version 3.
    v3 = store.publish(small_cohort("a"), "Pilot")
    assert v3.version == 3 and v3.sha256 == v1.sha256
    assert [r.version for r in store.versions("Pilot")] == [1, 2, 3]
    assert store.list() == [v3]
    assert store.load("Pilot").participants["participant_id"].iloc[0] == "a1"
    assert store.load("Pilot", 2).participants["participant_id"].iloc[0] == "b1"
    assert store.record("Pilot", 2) == v2
    with pytest.raises(CohortNotFoundError, match="no version 9"):
        store.load("Pilot", 9)
    with pytest.raises(CohortNotFoundError, match="No cohort named 'Other'"):
        store.versions("Other")


def test_list_is_sorted_by_name(store):
    for name in ("beta", "Alpha", "gamma"):
        store.publish(small_cohort(name[0]), name)
    assert [r.name for r in store.list()] == ["Alpha", "beta", "gamma"]


@pytest.mark.parametrize("name", ["", "   ", "a\nb", "x" * 201])
def test_bad_names_are_refused(store, name):
    with pytest.raises(StoreError):
        store.publish(small_cohort(), name)


def test_export_re_add_export_is_byte_identical(store, tmp_path):
    store.publish(large_cohort(500), "Big", "five hundred")
    first = store.export("Big", out_dir=tmp_path / "one")
    assert [p.name for p in first] == ["participants.csv", "responses.csv", "contacts.csv"]
    files = {p.name[:-4]: p.read_bytes() for p in first}
    record = store.record("Big")
    assert content_sha256(files) == record.sha256
    assert not list((tmp_path / "one").glob(".*tmp"))  # no temporary files left behind

    # Re-add what was exported (as the loader would read it) under another name.
    re_added = cohort_from_canonical(files)
    again = store.publish(re_added, "Big copy")
    assert again.sha256 == record.sha256
    second = store.export("Big copy", out_dir=tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_export_re_add_through_the_loader_is_byte_identical(store, tmp_path):
    from hoo_metrics.checks.validate import load_cohort

    store.publish(small_cohort(), "Pilot")
    first = store.export("Pilot", out_dir=tmp_path / "one")
    loaded = load_cohort(tmp_path / "one")
    assert_same_tables(store.load("Pilot"), loaded)
    store.publish(loaded, "Pilot again")
    second = store.export("Pilot again", out_dir=tmp_path / "two")
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes()


def test_export_an_older_version(store, tmp_path):
    store.publish(small_cohort("a"), "Pilot")
    store.publish(small_cohort("b"), "Pilot")
    store.export("Pilot", 1, out_dir=tmp_path)
    assert (tmp_path / "participants.csv").read_text().splitlines()[1].startswith("a1,")


# ---- archive -------------------------------------------------------------------------------------
def test_archive_hides_but_keeps_everything(store, tmp_path):
    store.publish(small_cohort("a"), "Pilot")
    store.publish(small_cohort("b"), "Pilot")
    store.publish(small_cohort("c"), "Other")
    archived = store.archive("Pilot")
    assert archived.archived and archived.version == 2
    assert [r.name for r in store.list()] == ["Other"]
    assert [(r.name, r.archived) for r in store.list(include_archived=True)] == [
        ("Other", False),
        ("Pilot", True),
    ]
    assert [r.version for r in store.versions("Pilot")] == [1, 2]
    assert store.load("Pilot", 1).participants["participant_id"].iloc[0] == "a1"
    store.export("Pilot", out_dir=tmp_path)
    assert store.archive("Pilot").archived  # archiving twice is harmless
    with pytest.raises(StoreError, match="archived"):
        store.publish(small_cohort("d"), "Pilot")
    restored = store.restore("Pilot")
    assert not restored.archived
    assert store.publish(small_cohort("d"), "Pilot").version == 3
    with pytest.raises(CohortNotFoundError):
        store.archive("Nope")


# ---- roles ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", [Role.VIEWER, "viewer", "admin", None, "", "Evaluator "])
def test_only_an_evaluator_may_publish_archive_or_restore(store, role):
    store.publish(small_cohort(), "Pilot")
    with pytest.raises(PermissionError, match="Only an evaluator can publish"):
        store.publish(small_cohort("b"), "Pilot", role=role)
    with pytest.raises(PermissionError, match="Only an evaluator can archive"):
        store.archive("Pilot", role=role)
    with pytest.raises(PermissionError, match="Only an evaluator can restore"):
        store.restore("Pilot", role=role)
    assert [r.version for r in store.versions("Pilot")] == [1]
    assert not store.record("Pilot").archived
    # A viewer still browses.
    assert store.list()[0].name == "Pilot"
    assert len(store.load("Pilot").participants) == 3


def test_require_evaluator_and_role_resolution():
    require_evaluator(Role.EVALUATOR)
    require_evaluator("evaluator")
    with pytest.raises(PermissionError, match="signed in as viewer"):
        require_evaluator(Role.VIEWER)
    assert role_for(None, auth_enabled=False, evaluators=()) == Role.EVALUATOR
    evaluators = evaluator_emails(
        {"hoo": {"evaluators": ["Ana@Example.org"]}}, {"HOO_EVALUATORS": "bo@x.org, cy@x.org"}
    )
    assert evaluators == {"ana@example.org", "bo@x.org", "cy@x.org"}
    assert role_for("ana@example.ORG", auth_enabled=True, evaluators=evaluators) == "evaluator"
    assert role_for("eve@x.org", auth_enabled=True, evaluators=evaluators) == Role.VIEWER
    assert role_for(None, auth_enabled=True, evaluators=evaluators) == Role.VIEWER
    unverified = role_for(
        "ana@example.org", auth_enabled=True, evaluators=evaluators, email_verified=False
    )
    assert unverified == Role.VIEWER
    assert evaluator_emails(None, {}) == frozenset()
    assert evaluator_emails({"hoo": {"evaluators": "a@b.org c@d.org"}}, {}) == {
        "a@b.org",
        "c@d.org",
    }


# ---- corrupted and foreign files -----------------------------------------------------------------
def _foreign_sqlite(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    conn.close()


def _newer_schema(path: Path) -> None:
    CohortStore(path).publish(small_cohort(), "Pilot")
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: p.write_bytes(os.urandom(8192)), "not an SQLite database"),
        (lambda p: p.write_text("participant_id,arm\nA1,x\n"), "not an SQLite database"),
        (_foreign_sqlite, r"another application.*invoices"),
        (_newer_schema, "newer version of HOO"),
    ],
    ids=["random bytes", "a CSV", "foreign SQLite", "newer schema"],
)
def test_foreign_or_newer_files_give_a_clear_error_and_stay_untouched(db, make, message):
    db.parent.mkdir(parents=True, exist_ok=True)
    make(db)
    before = db.read_bytes()
    for action in (
        lambda s: s.list(),
        lambda s: s.publish(small_cohort(), "Pilot"),
        lambda s: s.load("Pilot"),
    ):
        with pytest.raises(StoreError, match=message) as info:
            action(CohortStore())
        assert str(db) in str(info.value)
    assert db.read_bytes() == before


def test_damaged_pages_give_a_clear_error_never_a_reset(db, store):
    for tag in "abc":
        store.publish(large_cohort(300, seed=ord(tag)), f"cohort {tag}")
    with sqlite3.connect(db) as conn:  # fold the WAL into the main file, then damage it
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    data = bytearray(db.read_bytes())
    page = 4096
    assert len(data) > 8 * page
    data[page : 6 * page] = os.urandom(5 * page)  # keep the header, trash the schema pages
    db.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"damaged|not a HOO") as info:
        CohortStore().list()
    assert str(db) in str(info.value)
    assert db.read_bytes() == bytes(data)  # never reset


def test_damaged_table_content_is_detected(db, store, tmp_path):
    store.publish(small_cohort(), "Pilot")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE tables SET content = zeroblob(10) WHERE tbl = 'responses'")
    conn.close()
    with pytest.raises(StoreError, match=r"responses table of 'Pilot' version 1.*damaged"):
        store.load("Pilot")
    with pytest.raises(StoreError, match="damaged"):
        store.export("Pilot", out_dir=tmp_path / "out")
    assert not (tmp_path / "out" / "responses.csv").exists()
    assert any("damaged" in p for p in store.check())


def test_a_folder_or_empty_file_at_hoo_db(tmp_path):
    with pytest.raises(StoreError, match="must name a file"):
        CohortStore(tmp_path).list()
    empty = tmp_path / "empty.sqlite"
    empty.touch()
    assert CohortStore(empty).list() == []  # an empty file is a new library


def test_check_is_clean_on_a_sound_library(store):
    store.publish(small_cohort(), "Pilot")
    assert store.check() == []


# ---- concurrency ---------------------------------------------------------------------------------
def _publish_after_barrier(path: str, name: str, tag: str, barrier) -> None:
    barrier.wait()
    CohortStore(path).publish(small_cohort(tag, n=50), name, description=tag)


def _run_ten(path: Path, names: list[str]) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(names))
    procs = [
        ctx.Process(target=_publish_after_barrier, args=(str(path), name, f"t{i}_", barrier))
        for i, name in enumerate(names)
    ]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=120)
    assert [p.exitcode for p in procs] == [0] * len(names)


def test_ten_processes_publishing_at_once_on_a_new_library(db):
    # The file does not exist yet: the ten also race to create it.
    _run_ten(db, [f"site {i}" for i in range(10)])
    assert not [p.name for p in db.parent.iterdir() if p.name.endswith(".new")]
    store = CohortStore(db)
    records = store.list()
    assert sorted(r.name for r in records) == sorted(f"site {i}" for i in range(10))
    for r in records:
        assert store.load(r.name).sha256 == r.sha256
    assert store.check() == []


def test_ten_processes_publishing_one_name_get_versions_one_to_ten(db):
    CohortStore(db).list()
    _run_ten(db, ["shared"] * 10)
    store = CohortStore(db)
    versions = store.versions("shared")
    assert [r.version for r in versions] == list(range(1, 11))
    assert len({r.sha256 for r in versions}) == 10
    assert store.check() == []


# ---- a publisher killed inside its transaction ---------------------------------------------------
_CHILD = textwrap.dedent(
    """
    import sys
    import hoo_metrics.store._library as store
    from tests.test_store import large_cohort

    cohort = large_cohort({n})

    def hook(stage):
        if stage == {stage!r}:
            sys.stdout.write("inside\\n")
            sys.stdout.flush()
            if {block}:
                sys.stdin.read()  # hold the transaction open until the parent kills us

    store._publish_hook = hook
    store.CohortStore({path!r}).publish(cohort, "killed", description="should not be half there")
    sys.stdout.write("committed\\n")
    sys.stdout.flush()
    """
)


def _kill_while_publishing(db: Path, stage: str, block: bool, n: int = 50_000) -> None:
    code = _CHILD.format(n=n, stage=stage, block=block, path=str(db))
    env = dict(os.environ, PYTHONPATH=str(REPO))
    with subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        cwd=REPO,
        env=env,
        text=True,
    ) as child:
        line = child.stdout.readline()  # blocks until the child is inside the transaction
        assert line == "inside\n", f"child said {line!r}"
        if block:
            # The writer holds the lock; readers are not blocked and see nothing of it (WAL).
            assert [r.version for r in CohortStore(db).versions("killed")] == [1]
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL


def _library_with_others(db: Path) -> dict[str, str]:
    store = CohortStore(db)
    shas = {}
    for tag in "abc":
        shas[f"other {tag}"] = store.publish(small_cohort(tag, n=20), f"other {tag}").sha256
    store.publish(small_cohort("k"), "killed")  # version 1 exists: the kill hits version 2
    return shas


def _assert_consistent(db: Path, shas: dict[str, str]) -> list[int]:
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    conn.close()
    store = CohortStore(db)
    assert store.check() == []
    for name, sha in shas.items():
        assert store.load(name).sha256 == sha
    versions = [r.version for r in store.versions("killed")]
    if versions == [1, 2]:  # complete: all of it is there and loads
        assert len(store.load("killed").participants) == 50_000
    # The library still takes writes (the dead writer's lock is gone).
    assert store.publish(small_cohort("z"), "after").version == 1
    return versions


@pytest.mark.parametrize("stage", ["metadata", "responses", "contacts"])
def test_sigkill_inside_the_publish_transaction_leaves_it_absent(db, stage):
    shas = _library_with_others(db)
    _kill_while_publishing(db, stage=stage, block=True)
    assert _assert_consistent(db, shas) == [1]  # version 2 never happened


def test_sigkill_at_any_moment_leaves_it_complete_or_absent(db):
    shas = _library_with_others(db)
    # Killed as soon as the transaction opens, while the child keeps writing: wherever the
    # kill lands, the new version is either entirely there or not at all.
    _kill_while_publishing(db, stage="begin", block=False)
    assert _assert_consistent(db, shas) in ([1], [1, 2])


def test_publish_is_one_transaction_on_errors_too(db, store, monkeypatch):
    store.publish(small_cohort("a"), "Pilot")

    def fail(stage):
        if stage == "responses":
            raise RuntimeError("disk full (simulated)")

    monkeypatch.setattr(store_module, "_publish_hook", fail)
    with pytest.raises(RuntimeError, match="simulated"):
        store.publish(small_cohort("b"), "Pilot")
    monkeypatch.setattr(store_module, "_publish_hook", None)
    assert [r.version for r in store.versions("Pilot")] == [1]
    assert store.check() == []


def test_records_serialise_to_json(store):
    record = store.publish(small_cohort(), "Pilot")
    data = json.loads(json.dumps(record.as_dict()))
    assert {"name", "version", "created", "sha256"} <= set(data)
    assert "unchanged" not in data
