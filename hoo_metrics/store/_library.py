"""The cohort library: an embedded SQLite store of published cohorts, their versions and roles.

Where: the file named by the environment variable ``HOO_DB`` (default ``data/hoo.sqlite``,
relative to the working directory), created with its folder on first use. WAL journal,
``synchronous=FULL``, a busy timeout so that concurrent writers queue instead of failing.

What a published cohort keeps (see docs/library.md):

- its three tables as canonical CSV bytes (hoo_metrics.io.canonical; zlib-compressed in the file,
  each with its own SHA-256 checked on every read), so that an export gives back exactly the
  bytes that were published;
- metadata: name, version, description, published_by, created (UTC ISO 8601), row counts,
  resource codes, the SHA-256 of the content (``canonical.content_sha256``), the data contract
  version, whether it is synthetic, and the validation warnings it was published with.

Rules:

- Publishing an existing name adds version N+1; nothing is ever overwritten or deleted.
- Publishing content identical (same SHA-256) to the newest version of that name is a no-op:
  nothing is stored and the newest record comes back with ``unchanged=True``.
- Archiving hides a cohort (all its versions) from ``list()``; it can still be loaded,
  exported and restored. Publishing to an archived name is refused until it is restored.
- Each publish is one ``BEGIN IMMEDIATE ... COMMIT`` transaction: a crash leaves it complete
  or absent.
- Only an evaluator may publish, archive or restore: ``require_evaluator`` is called inside
  those methods, so a user interface cannot skip it.
- A file at ``HOO_DB`` that is not a HOO library (not SQLite, another application's SQLite,
  a damaged file, a newer schema) raises StoreError naming the path; it is never reset.

Schema versions are recorded in ``PRAGMA user_version`` and in the ``schema_version`` table;
``_MIGRATIONS`` upgrades an older library in order, inside one transaction.
"""

from __future__ import annotations

import builtins  # annotations inside CohortStore, whose list() method shadows list
import contextlib
import hashlib
import json
import os
import sqlite3
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from ..cohort import Cohort, cohort_from_canonical
from ..contract import CONTRACT_VERSION, TABLES
from ..io.canonical import canonical_tables, content_sha256
from ..problems import Problem

__all__ = [
    "DEFAULT_DB",
    "CohortNotFoundError",
    "CohortRecord",
    "CohortStore",
    "Role",
    "StoreError",
    "db_path",
    "evaluator_emails",
    "require_evaluator",
    "role_for",
]

DEFAULT_DB = Path("data") / "hoo.sqlite"
ENV_DB = "HOO_DB"
ENV_EVALUATORS = "HOO_EVALUATORS"
#: ``PRAGMA application_id`` of a HOO library ("HOO1"): tells our files from other SQLite files.
APPLICATION_ID = 0x484F4F31
SCHEMA_VERSION = 1
#: Seconds a writer waits for another one before giving up.
BUSY_TIMEOUT = 60.0
_SQLITE_HEADER = b"SQLite format 3\x00"
_MAX_NAME = 200


# ---- errors and roles ------------------------------------------------------------------------
class StoreError(Exception):
    """The cohort library cannot do what was asked; the message says why and what to do."""


class CohortNotFoundError(StoreError):
    """No cohort (or no such version) of that name in the library."""


class Role(StrEnum):
    """What a user may do: a viewer browses; an evaluator also publishes and archives."""

    VIEWER = "viewer"
    EVALUATOR = "evaluator"


def require_evaluator(role: Role | str | None, action: str = "change the cohort library") -> None:
    """Raise PermissionError unless ``role`` is the evaluator role (unknown roles are refused)."""
    if role != Role.EVALUATOR:
        shown = getattr(role, "value", role) or "no role"
        raise PermissionError(
            f"Only an evaluator can {action}; you are signed in as {shown}. "
            "Ask an evaluator, or ask the administrator to list your e-mail as an evaluator."
        )


def evaluator_emails(
    secrets: Mapping | None = None, environ: Mapping[str, str] | None = None
) -> frozenset[str]:
    """The e-mails of evaluators, lower-cased: ``[hoo] evaluators = [...]`` in the Streamlit
    secrets (pass ``st.secrets``) together with the comma- or space-separated environment
    variable ``HOO_EVALUATORS``."""
    environ = os.environ if environ is None else environ
    emails: set[str] = set()
    for item in environ.get(ENV_EVALUATORS, "").replace(",", " ").split():
        emails.add(item.strip().lower())
    hoo = (secrets or {}).get("hoo") or {}
    listed = hoo.get("evaluators", ()) if isinstance(hoo, Mapping) else ()
    if isinstance(listed, str):
        listed = listed.replace(",", " ").split()
    emails.update(str(e).strip().lower() for e in listed if str(e).strip())
    return frozenset(emails)


def role_for(
    email: str | None,
    *,
    auth_enabled: bool,
    evaluators: Iterable[str],
    email_verified: bool | None = None,
) -> Role:
    """The role of a user. Without authentication (local mode) the single user is an
    evaluator. With it, a signed-in user whose e-mail is listed (case-insensitive) is an
    evaluator, unless the identity provider says the e-mail is not verified
    (``email_verified=False``); everyone else, including a user with no e-mail, is a viewer.
    Derive the role from the identity provider (``st.user``) at the moment of the action,
    never from state the browser can change."""
    if not auth_enabled:
        return Role.EVALUATOR
    if email_verified is False or not email:
        return Role.VIEWER
    if email.strip().lower() in {e.strip().lower() for e in evaluators}:
        return Role.EVALUATOR
    return Role.VIEWER


def db_path(path: str | os.PathLike | None = None) -> Path:
    """The library file: ``path``, else ``$HOO_DB``, else ``data/hoo.sqlite``."""
    if path is None or str(path) == "":
        path = os.environ.get(ENV_DB) or DEFAULT_DB
    return Path(path).expanduser()


# ---- records ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CohortRecord:
    """One published version of a cohort, as the library describes it.

    ``unchanged`` is True only on the record ``publish`` returns when the content was identical
    to the newest version and nothing was stored; it is not part of the stored metadata.
    """

    name: str
    version: int
    description: str
    published_by: str
    created: str
    participants: int
    responses: int
    contacts: int
    resources: tuple[str, ...]
    sha256: str
    contract_version: str
    synthetic: bool = False
    archived: bool = False
    unchanged: bool = field(default=False, compare=False)

    def as_dict(self) -> dict:
        """JSON-ready metadata (without ``unchanged``)."""
        d = asdict(self)
        d.pop("unchanged")
        d["resources"] = list(self.resources)
        return d


# ---- schema ----------------------------------------------------------------------------------
_SCHEMA_V1 = (
    """CREATE TABLE schema_version (
        version INTEGER PRIMARY KEY,
        applied TEXT NOT NULL
    )""",
    """CREATE TABLE cohorts (
        name TEXT PRIMARY KEY,
        created TEXT NOT NULL,
        archived INTEGER NOT NULL DEFAULT 0,
        archived_at TEXT,
        archived_by TEXT
    )""",
    """CREATE TABLE versions (
        name TEXT NOT NULL REFERENCES cohorts(name),
        version INTEGER NOT NULL CHECK (version >= 1),
        description TEXT NOT NULL,
        published_by TEXT NOT NULL,
        created TEXT NOT NULL,
        participants INTEGER NOT NULL,
        responses INTEGER NOT NULL,
        contacts INTEGER NOT NULL,
        resources TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        contract_version TEXT NOT NULL,
        synthetic INTEGER NOT NULL DEFAULT 0,
        warnings TEXT NOT NULL DEFAULT '[]',
        PRIMARY KEY (name, version)
    )""",
    """CREATE TABLE tables (
        name TEXT NOT NULL,
        version INTEGER NOT NULL,
        tbl TEXT NOT NULL CHECK (tbl IN ('participants', 'responses', 'contacts')),
        encoding TEXT NOT NULL,
        size INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        content BLOB NOT NULL,
        PRIMARY KEY (name, version, tbl),
        FOREIGN KEY (name, version) REFERENCES versions(name, version)
    )""",
    f"PRAGMA application_id = {APPLICATION_ID}",
)

#: Ordered migrations: (schema version reached, statements). Never edit a released entry;
#: append a new one (and bump SCHEMA_VERSION) to change the schema.
_MIGRATIONS: tuple[tuple[int, tuple[str, ...]], ...] = ((1, _SCHEMA_V1),)

#: Test hook for crash tests: called with a stage name ("begin", "metadata", "participants",
#: "responses", "contacts") while a publish transaction is open. None in normal use.
_publish_hook: Callable[[str], None] | None = None


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name.strip():
        raise StoreError("A cohort needs a name (some text, e.g. 'Pilot trial 2021').")
    name = name.strip()
    if len(name) > _MAX_NAME:
        raise StoreError(f"A cohort name has at most {_MAX_NAME} characters.")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise StoreError("A cohort name cannot contain line breaks or control characters.")
    return name


def _hook(stage: str) -> None:
    if _publish_hook is not None:
        _publish_hook(stage)


# ---- the store -------------------------------------------------------------------------------
class CohortStore:
    """The cohort library in one SQLite file (``path``, else ``$HOO_DB``, else
    ``data/hoo.sqlite``). Safe to share between threads and processes: every call opens its own
    connection, and writers queue on SQLite's lock (up to ``timeout`` seconds)."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = BUSY_TIMEOUT):
        self.path = db_path(path)
        self.timeout = float(timeout)
        self._ready = False
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"CohortStore({str(self.path)!r})"

    # ---- connections and schema ----------------------------------------------------------
    def _error(self, exc: sqlite3.Error, doing: str) -> StoreError:
        text = str(exc)
        if isinstance(exc, sqlite3.OperationalError) and ("locked" in text or "busy" in text):
            return StoreError(
                f"The cohort library {self.path} is busy: another process kept it locked for "
                f"more than {self.timeout:g} s while {doing}. Try again in a moment."
            )
        return StoreError(
            f"The cohort library {self.path} cannot be read ({text}) while {doing}. The file "
            "may be damaged. Nothing was changed: keep the file, restore it from a backup or "
            f"move it aside and point {ENV_DB} to another file, then try again."
        )

    def _open(self, readonly: bool = False) -> sqlite3.Connection:
        if readonly:
            uri = self.path.resolve().as_uri() + "?mode=ro"
            conn = sqlite3.connect(uri, uri=True, timeout=self.timeout, isolation_level=None)
        else:
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
        return conn

    def _inspect(self) -> bool:
        """Refuse a file that is not ours, without writing to it. True when the file is a
        library of the current schema in WAL mode (nothing to prepare)."""
        path = self.path
        if path.is_dir():
            raise StoreError(
                f"{ENV_DB} points to the folder {path}; it must name a file, e.g. "
                f"{path / 'hoo.sqlite'}."
            )
        if not path.exists() or path.stat().st_size == 0:
            return False
        with path.open("rb") as fh:
            header = fh.read(len(_SQLITE_HEADER))
        if header != _SQLITE_HEADER:
            raise StoreError(
                f"{path} is not a HOO cohort library (it is not an SQLite database). It was "
                f"left untouched. Point {ENV_DB} to another file (a new one is created on first "
                "use), or restore the library from a backup."
            )
        try:
            conn = self._open(readonly=True)
            try:
                conn.execute("BEGIN")  # one snapshot: another process may be creating it
                names = [
                    r[0]
                    for r in conn.execute(
                        "SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                    )
                ]
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                version = conn.execute("PRAGMA user_version").fetchone()[0]
                journal = conn.execute("PRAGMA journal_mode").fetchone()[0]
                conn.execute("COMMIT")
            finally:
                conn.close()
        except sqlite3.Error as exc:
            raise self._error(exc, "opening it") from exc
        if app_id == 0 and not names and version == 0:
            return False  # an empty SQLite file: ours to initialise
        if app_id != APPLICATION_ID:
            shown = ", ".join(sorted(names)[:5]) or "none"
            raise StoreError(
                f"{path} is an SQLite database of another application, not a HOO cohort "
                f"library (its tables: {shown}). It was left untouched. Point {ENV_DB} to "
                "another file (a new one is created on first use)."
            )
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{path} was written by a newer version of HOO (library schema {version}; this "
                f"version reads up to {SCHEMA_VERSION}). Upgrade HOO to use it; the file was "
                "left untouched."
            )
        return version == SCHEMA_VERSION and str(journal).lower() == "wal"

    def _initialise(self) -> None:
        # Readers must not queue behind a writer: take the write lock only to create/migrate.
        if self._inspect():
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"Cannot create the folder of the cohort library {self.path}: {exc}"
            ) from exc
        if not self.path.exists() and self._create_atomically() and self._inspect():
            return
        self._prepare(self.path)  # an empty file, or an older schema to migrate

    def _create_atomically(self) -> bool:
        """Build a new library under a temporary name and hard-link it into place, so that
        no process ever sees a half-created file. False where hard links are not supported
        (the library is then created in place)."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.new")
        try:
            self._prepare(tmp)
            try:
                os.link(tmp, self.path)
            except FileExistsError:
                pass  # another process created it first: use theirs
            except OSError:
                return False
            return True
        finally:
            for suffix in ("", "-wal", "-shm", "-journal"):
                Path(f"{tmp}{suffix}").unlink(missing_ok=True)

    def _prepare(self, path: Path) -> None:
        """Put ``path`` in WAL mode and bring its schema to SCHEMA_VERSION, in one
        transaction (checked again under the write lock)."""
        try:
            conn = sqlite3.connect(path, timeout=self.timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise self._error(exc, "creating it") from exc
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(
                    f"The cohort library {self.path} cannot use SQLite's WAL journal (got "
                    f"{mode!r}); put it on a local disk, not a network share."
                )
            conn.execute("BEGIN IMMEDIATE")
            try:
                # Checked again under the write lock: another process may have migrated it.
                app_id = conn.execute("PRAGMA application_id").fetchone()[0]
                current = conn.execute("PRAGMA user_version").fetchone()[0]
                tables = conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'"
                ).fetchone()[0]
                foreign = app_id != APPLICATION_ID and (current > 0 or tables > 0)
                if foreign or current > SCHEMA_VERSION:
                    conn.execute("ROLLBACK")
                    self._inspect()  # raises the right message
                    raise StoreError(f"{self.path} is not a HOO cohort library.")
                for target, statements in _MIGRATIONS:
                    if target <= current:
                        continue
                    for statement in statements:
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {target}")
                    conn.execute(
                        "INSERT INTO schema_version (version, applied) VALUES (?, ?)",
                        (target, _now()),
                    )
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise self._error(exc, "preparing it") from exc
        finally:
            conn.close()

    @contextlib.contextmanager
    def _connect(self, doing: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            if not self._ready:
                self._initialise()
                self._ready = True
        try:
            conn = self._open()
        except sqlite3.Error as exc:
            raise self._error(exc, doing) from exc
        try:
            conn.execute("PRAGMA synchronous = FULL")
            conn.execute("PRAGMA foreign_keys = ON")
            yield conn
        except sqlite3.Error as exc:
            raise self._error(exc, doing) from exc
        finally:
            conn.close()

    @contextlib.contextmanager
    def _write(self, doing: str) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT; ROLLBACK on any error)."""
        with self._connect(doing) as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
            if conn.in_transaction:
                conn.execute("COMMIT")

    # ---- reading -------------------------------------------------------------------------
    _RECORD_SQL = (
        "SELECT v.name, v.version, v.description, v.published_by, v.created, v.participants, "
        "v.responses, v.contacts, v.resources, v.sha256, v.contract_version, v.synthetic, "
        "c.archived FROM versions v JOIN cohorts c ON c.name = v.name"
    )

    @staticmethod
    def _record(row) -> CohortRecord:
        return CohortRecord(
            name=row[0],
            version=int(row[1]),
            description=row[2],
            published_by=row[3],
            created=row[4],
            participants=int(row[5]),
            responses=int(row[6]),
            contacts=int(row[7]),
            resources=tuple(json.loads(row[8])),
            sha256=row[9],
            contract_version=row[10],
            synthetic=bool(row[11]),
            archived=bool(row[12]),
        )

    def list(self, include_archived: bool = False) -> list[CohortRecord]:
        """The newest version of every cohort, by name (case-insensitive); archived cohorts
        only when ``include_archived``."""
        sql = (
            self._RECORD_SQL + " WHERE v.version = (SELECT max(version) FROM versions w "
            "WHERE w.name = v.name)" + ("" if include_archived else " AND c.archived = 0")
        )
        with self._connect("listing cohorts") as conn:
            rows = conn.execute(sql).fetchall()
        return sorted((self._record(r) for r in rows), key=lambda r: (r.name.lower(), r.name))

    def versions(self, name: str) -> builtins.list[CohortRecord]:
        """Every version of the cohort ``name``, oldest first (archived ones too)."""
        with self._connect("listing versions") as conn:
            rows = conn.execute(
                self._RECORD_SQL + " WHERE v.name = ? ORDER BY v.version", (name,)
            ).fetchall()
        if not rows:
            raise self._not_found(name)
        return [self._record(r) for r in rows]

    def record(self, name: str, version: int | None = None) -> CohortRecord:
        """The record of one version (the newest by default)."""
        with self._connect("reading a cohort") as conn:
            return self._record_in(conn, name, version)

    def _not_found(self, name: str, version: int | None = None) -> CohortNotFoundError:
        if version is None:
            return CohortNotFoundError(
                f"No cohort named {name!r} in the library {self.path}. "
                "List them with: python -m hoo_metrics library list --all"
            )
        return CohortNotFoundError(
            f"The cohort {name!r} has no version {version} in the library {self.path}. "
            f"List its versions with: python -m hoo_metrics library versions {name!r}"
        )

    def _record_in(self, conn, name: str, version: int | None) -> CohortRecord:
        if version is None:
            row = conn.execute(
                self._RECORD_SQL + " WHERE v.name = ? ORDER BY v.version DESC LIMIT 1", (name,)
            ).fetchone()
        else:
            row = conn.execute(
                self._RECORD_SQL + " WHERE v.name = ? AND v.version = ?", (name, int(version))
            ).fetchone()
        if row is None:
            if (
                version is not None
                and conn.execute("SELECT 1 FROM cohorts WHERE name = ?", (name,)).fetchone()
            ):
                raise self._not_found(name, version)
            raise self._not_found(name)
        return self._record(row)

    def tables(self, name: str, version: int | None = None) -> tuple[CohortRecord, dict]:
        """The record and the canonical CSV bytes (``{table: bytes}``) of one version, each
        table checked against its stored SHA-256 and the whole against the content SHA-256."""
        with self._connect("reading a cohort") as conn:
            conn.execute("BEGIN")  # one consistent snapshot
            record = self._record_in(conn, name, version)
            rows = conn.execute(
                "SELECT tbl, encoding, size, sha256, content FROM tables "
                "WHERE name = ? AND version = ?",
                (record.name, record.version),
            ).fetchall()
            warnings = conn.execute(
                "SELECT warnings FROM versions WHERE name = ? AND version = ?",
                (record.name, record.version),
            ).fetchone()[0]
            conn.execute("COMMIT")
        data: dict[str, bytes] = {}
        for tbl, encoding, size, sha, content in rows:
            try:
                raw = zlib.decompress(content) if encoding == "zlib" else bytes(content)
            except zlib.error as exc:
                raise self._damaged(record, tbl) from exc
            if len(raw) != size or _sha(raw) != sha:
                raise self._damaged(record, tbl)
            data[tbl] = raw
        if set(data) != set(TABLES) or content_sha256(data) != record.sha256:
            raise self._damaged(record, ", ".join(t for t in TABLES if t not in data) or "all")
        data["_warnings"] = warnings
        return record, data

    def _damaged(self, record: CohortRecord, table: str) -> StoreError:
        return StoreError(
            f"The stored {table} table of {record.name!r} version {record.version} in "
            f"{self.path} does not match its SHA-256: the file is damaged. Restore the library "
            "from a backup; nothing was changed."
        )

    def load(self, name: str, version: int | None = None) -> Cohort:
        """The cohort ``name`` (the newest version by default) in canonical dtypes, with its
        name, source ("library ..."), SHA-256, synthetic flag and publish-time warnings."""
        record, data = self.tables(name, version)
        warnings = tuple(Problem(**w) for w in json.loads(data.pop("_warnings")))
        return cohort_from_canonical(
            data,
            resources=record.resources,
            name=record.name,
            source=f"library {self.path}: {record.name}, version {record.version}",
            sha256=record.sha256,
            synthetic=record.synthetic,
            warnings=warnings,
        )

    def export(
        self, name: str, version: int | None = None, out_dir: str | os.PathLike = "."
    ) -> builtins.list[Path]:
        """Write participants.csv, responses.csv and contacts.csv of one version (the newest
        by default) to ``out_dir`` (created if needed), byte for byte as published. Each file
        is written to a temporary name and renamed, so a reader never sees half a file."""
        _record, data = self.tables(name, version)
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = []
        for table in TABLES:
            target = out / f"{table}.csv"
            tmp = out / f".{table}.csv.{os.getpid()}.tmp"
            tmp.write_bytes(data[table])
            os.replace(tmp, target)
            paths.append(target)
        return paths

    # ---- writing ---------------------------------------------------------------------------
    def publish(
        self,
        cohort: Cohort,
        name: str,
        description: str = "",
        published_by: str = "local",
        *,
        role: Role | str = Role.EVALUATOR,
    ) -> CohortRecord:
        """Store ``cohort`` as the next version of ``name`` (version 1 for a new name), in one
        transaction. Returns its record. When the content is identical to the newest version
        of ``name``, nothing is stored and that version's record comes back with
        ``unchanged=True``. Raises PermissionError for a viewer, StoreError when ``name`` is
        archived or the library cannot be written."""
        require_evaluator(role, "publish cohorts")
        name = _check_name(name)
        tables = canonical_tables(cohort)
        sha = content_sha256(tables)
        blobs = [(t, zlib.compress(tables[t], 1), len(tables[t]), _sha(tables[t])) for t in TABLES]
        counts = cohort.counts()
        warnings = json.dumps([asdict(w) for w in cohort.warnings])
        with self._write(f"publishing {name!r}") as conn:
            _hook("begin")
            row = conn.execute("SELECT archived FROM cohorts WHERE name = ?", (name,)).fetchone()
            if row is None:
                conn.execute("INSERT INTO cohorts (name, created) VALUES (?, ?)", (name, _now()))
            elif row[0]:
                raise StoreError(
                    f"The cohort {name!r} is archived. Restore it first (python -m hoo_metrics "
                    "library restore NAME) or publish under another name."
                )
            newest = conn.execute(
                "SELECT max(version) FROM versions WHERE name = ?", (name,)
            ).fetchone()[0]
            if newest is not None:
                latest = self._record_in(conn, name, newest)
                if latest.sha256 == sha:
                    conn.execute("ROLLBACK")
                    return replace(latest, unchanged=True)
            version = (newest or 0) + 1
            created = _now()
            conn.execute(
                "INSERT INTO versions (name, version, description, published_by, created, "
                "participants, responses, contacts, resources, sha256, contract_version, "
                "synthetic, warnings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    version,
                    str(description or ""),
                    str(published_by or "local"),
                    created,
                    counts["participants"],
                    counts["responses"],
                    counts["contacts"],
                    json.dumps(list(cohort.resources)),
                    sha,
                    CONTRACT_VERSION,
                    int(bool(cohort.synthetic)),
                    warnings,
                ),
            )
            _hook("metadata")
            for table, blob, size, table_sha in blobs:
                conn.execute(
                    "INSERT INTO tables (name, version, tbl, encoding, size, sha256, content) "
                    "VALUES (?, ?, ?, 'zlib', ?, ?, ?)",
                    (name, version, table, size, table_sha, blob),
                )
                _hook(table)
            record = self._record_in(conn, name, version)
        return record

    def _set_archived(self, name: str, archived: bool, by: str) -> CohortRecord:
        with self._write("archiving" if archived else "restoring") as conn:
            if conn.execute("SELECT 1 FROM cohorts WHERE name = ?", (name,)).fetchone() is None:
                raise self._not_found(name)
            conn.execute(
                "UPDATE cohorts SET archived = ?, archived_at = ?, archived_by = ? WHERE name = ?",
                (int(archived), _now() if archived else None, by if archived else None, name),
            )
            return self._record_in(conn, name, None)

    def archive(
        self, name: str, *, role: Role | str = Role.EVALUATOR, archived_by: str = "local"
    ) -> CohortRecord:
        """Hide the cohort ``name`` (all its versions) from ``list()``; nothing is deleted and
        it can still be loaded, exported and restored. Archiving twice is harmless."""
        require_evaluator(role, "archive cohorts")
        return self._set_archived(name, True, archived_by)

    def restore(self, name: str, *, role: Role | str = Role.EVALUATOR) -> CohortRecord:
        """Undo ``archive``: the cohort shows in ``list()`` again and accepts new versions."""
        require_evaluator(role, "restore cohorts")
        return self._set_archived(name, False, "")

    # ---- checking --------------------------------------------------------------------------
    def check(self) -> builtins.list[str]:
        """Problems found by ``PRAGMA integrity_check`` and by re-hashing every stored table;
        an empty list means the library is sound."""
        problems: list[str] = []
        with self._connect("checking it") as conn:
            result = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if result != ["ok"]:
                problems += [f"integrity_check: {r}" for r in result]
            orphans = conn.execute(
                "SELECT v.name, v.version FROM versions v WHERE (SELECT count(*) FROM tables t "
                "WHERE t.name = v.name AND t.version = v.version) != 3"
            ).fetchall()
            problems += [f"{n!r} version {v}: tables missing" for n, v in orphans]
            pairs = conn.execute("SELECT name, version FROM versions").fetchall()
        for n, v in pairs:
            try:
                self.tables(n, v)
            except StoreError as exc:
                problems.append(str(exc))
        return problems


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
