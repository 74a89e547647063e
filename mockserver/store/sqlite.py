"""The SQLite backend (``--state sqlite:///PATH``): state that survives a restart or a crash.

One file holds the state of every API of a server (each under its own namespace) and the
clock. Every unit of work is one SQLite transaction, ``BEGIN IMMEDIATE``: it takes the
database's write lock when it begins, so units run one at a time across threads *and* across
processes sharing the file (``--workers N``), and every rule that needs atomicity holds the
way it does in memory. Within one process a lock queues the units first, so threads do not
spin in SQLite's busy handler.

Durability. The journal is a write-ahead log (``journal_mode=WAL``). A request's unit commits
into the log, and the response is sent only once the log is on disk (``fsync``): a client
that got a 2xx has its write, whatever happens to the process afterwards. The disk sync is
shared (group commit): requests whose units committed while a sync was under way wait for the
next one together, and the event loop serves other requests meanwhile
(:meth:`_SqliteUnit.acommit`). Code outside a request (fixtures, tests, ``Store.run``) syncs
before ``commit()`` returns. On a disk where one ``fsync`` takes milliseconds, that is what
lets a worker acknowledge far more writes per second than it can sync.

Layout (schema version :data:`SCHEMA_VERSION`, kept in ``PRAGMA user_version``):

``rows(id INTEGER PRIMARY KEY, ns, tbl, key, data)``
    one row of a table per line, ``data`` its JSON; ``id`` is the order keys were first
    stored in (an update keeps it), unique on ``(ns, tbl, key)``;
``queue(id INTEGER PRIMARY KEY, ns, name, at, member)``
    queued members, indexed on ``(ns, name, at, member)``;
``meta(key PRIMARY KEY, value)``
    the clock (``clock``) and anything else the server keeps beside the APIs' state.

A file written with another schema version is refused at start-up, naming both versions.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
from contextvars import ContextVar, Token
from pathlib import Path
from typing import Any

from mockserver.exceptions import ConfigurationError
from mockserver.store.base import Record, Store, UnitOfWork, decode_row, encode_row

#: The layout this code reads and writes; a file with another one is refused.
SCHEMA_VERSION = 1

#: How long a unit waits for another process's unit to finish (milliseconds).
BUSY_TIMEOUT_MS = 30_000

#: The unit of work open in this context: the clock is read through it, once per unit
#: (no other process can move the clock while the unit holds the write lock).
OPEN_UNIT: ContextVar[_SqliteUnit | None] = ContextVar("mockserver_sqlite_unit", default=None)

_SCHEMA = """
CREATE TABLE rows (
    id   INTEGER PRIMARY KEY,
    ns   TEXT NOT NULL,
    tbl  TEXT NOT NULL,
    key  TEXT NOT NULL,
    data BLOB NOT NULL,
    UNIQUE (ns, tbl, key)
);
CREATE INDEX rows_in_order ON rows (ns, tbl, id);
CREATE TABLE queue (
    id     INTEGER PRIMARY KEY,
    ns     TEXT NOT NULL,
    name   TEXT NOT NULL,
    at     INTEGER NOT NULL,
    member TEXT NOT NULL
);
CREATE INDEX queue_due ON queue (ns, name, at, member);
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


def path_of(url: str) -> Path:
    """The file a ``sqlite:///PATH`` URL names (``sqlite:////abs/path`` or ``sqlite:///rel``)."""
    if not url.startswith("sqlite:///") or len(url) == len("sqlite:///"):
        raise ConfigurationError(
            f"bad SQLite state URL {url!r}: expected sqlite:///PATH "
            "(sqlite:///state.db, or sqlite:////var/lib/mock/state.db for an absolute path)"
        )
    return Path(url[len("sqlite:///") :])


def connect(path: Path) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are begun explicitly), WAL journal."""
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, check_same_thread=False, timeout=BUSY_TIMEOUT_MS / 1000
        )
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"cannot open SQLite state {path}: {exc}") from None
    if str(mode).lower() != "wal":
        raise ConfigurationError(f"SQLite state {path}: the WAL journal is not available ({mode})")
    # The commits of requests are synced by the group commit (see the module docstring);
    # NORMAL keeps checkpoints safe and leaves the log's sync to us.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    return conn


def prepare(conn: sqlite3.Connection, path: Path) -> None:
    """Create the layout in a new file, or check the version of an existing one."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if version == 0 and not tables:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        elif version != SCHEMA_VERSION:
            what = (
                "is not a mockserver state file"
                if version == 0
                else f"holds state of schema version {version}"
            )
            raise ConfigurationError(
                f"SQLite state {path} {what}; this mockserver reads schema version "
                f"{SCHEMA_VERSION}. Point --state at another file, or delete this one to start "
                "over."
            )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


class _GroupSync:
    """``fsync`` of the write-ahead log, shared by every commit that waits at the same time."""

    def __init__(self, wal: Path) -> None:
        self._wal = wal
        self._fd: int | None = None
        self._cond = threading.Condition()
        self._committed = 0  # commits made so far
        self._synced = 0  # commits known to be on disk
        self._syncing = False

    def committed(self) -> int:
        """Count one more commit; the ticket to wait for."""
        with self._cond:
            self._committed += 1
            return self._committed

    def wait(self, ticket: int) -> None:
        """Return once the commit numbered ``ticket`` is on disk."""
        with self._cond:
            while self._synced < ticket:
                if self._syncing:
                    self._cond.wait()
                    continue
                self._syncing = True
                target = self._committed
                self._cond.release()
                try:
                    self._fsync()
                finally:
                    self._cond.acquire()
                    self._syncing = False
                    self._cond.notify_all()
                self._synced = max(self._synced, target)

    def _fsync(self) -> None:
        if self._fd is not None and os.fstat(self._fd).st_ino != os.stat(self._wal).st_ino:
            os.close(self._fd)  # the log was deleted and made anew: sync the new one
            self._fd = None
        if self._fd is None:
            self._fd = os.open(self._wal, os.O_RDONLY)
        os.fsync(self._fd)

    def close(self) -> None:
        with self._cond:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None


class SqliteStore(Store):
    scheme = "sqlite"

    def __init__(self, url: str, namespace: str = "default") -> None:
        super().__init__(namespace)
        self.url = url
        self.path = path_of(url)
        self.file = self.path.resolve()
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._lock = threading.Lock()
        self._holder: int | None = None
        first = self._connection()
        prepare(first, self.path)
        self._sync = _GroupSync(self.path.with_name(self.path.name + "-wal"))

    def _connection(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def _open(self) -> UnitOfWork:
        if self._holder == threading.get_ident():
            raise RuntimeError(
                "another unit of work of this store is open on this thread: a handler must not "
                "await while its unit of work is open"
            )
        self._lock.acquire()
        self._holder = threading.get_ident()
        conn = self._connection()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._release()
            raise
        return _SqliteUnit(self, conn)

    def _release(self) -> None:
        self._holder = None
        self._lock.release()

    def dump(self) -> dict[str, Any]:
        conn = self._connection()
        tables: dict[str, dict[str, Any]] = {}
        for tbl, key, data in conn.execute(
            "SELECT tbl, key, data FROM rows WHERE ns = ? ORDER BY tbl, id", (self.namespace,)
        ):
            tables.setdefault(tbl, {})[key] = decode_row(data)
        queues: dict[str, list[tuple[int, str]]] = {}
        for name, at, member in conn.execute(
            "SELECT name, at, member FROM queue WHERE ns = ? ORDER BY name, at, member",
            (self.namespace,),
        ):
            queues.setdefault(name, []).append((at, member))
        return {"tables": tables, "queues": queues}

    def close(self) -> None:
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()
        self._sync.close()


class _SqliteUnit(UnitOfWork):
    store: SqliteStore

    def __init__(self, store: SqliteStore, conn: sqlite3.Connection) -> None:
        super().__init__(store)
        self._conn = conn
        self._ns = store.namespace
        self._wrote = False
        self._clock: str | None = None
        self._token: Token[_SqliteUnit | None] | None = OPEN_UNIT.set(self)

    def clock_state(self) -> str:
        """The clock's stored state (``""``: none), read once in this unit's transaction."""
        if self._clock is None:
            found = self._conn.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
            self._clock = found[0] if found else ""
        return self._clock

    def get(self, table: str, key: str) -> Record | None:
        found = self._conn.execute(
            "SELECT data FROM rows WHERE ns = ? AND tbl = ? AND key = ?", (self._ns, table, key)
        ).fetchone()
        return None if found is None else decode_row(found[0])

    def put(self, table: str, key: str, row: Record) -> None:
        data = encode_row(row)
        self._wrote = True
        self._conn.execute(
            "INSERT INTO rows (ns, tbl, key, data) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (ns, tbl, key) DO UPDATE SET data = excluded.data",
            (self._ns, table, key, data),
        )

    def delete(self, table: str, key: str) -> None:
        self._wrote = True
        self._conn.execute(
            "DELETE FROM rows WHERE ns = ? AND tbl = ? AND key = ?", (self._ns, table, key)
        )

    def rows(self, table: str) -> list[Record]:
        return [
            decode_row(data)
            for (data,) in self._conn.execute(
                "SELECT data FROM rows WHERE ns = ? AND tbl = ? ORDER BY id", (self._ns, table)
            )
        ]

    def count(self, table: str) -> int:
        found = self._conn.execute(
            "SELECT COUNT(*) FROM rows WHERE ns = ? AND tbl = ?", (self._ns, table)
        ).fetchone()
        return int(found[0])

    def schedule(self, queue: str, member: str, at: int) -> None:
        self._wrote = True
        self._conn.execute(
            "INSERT INTO queue (ns, name, at, member) VALUES (?, ?, ?, ?)",
            (self._ns, queue, int(at), member),
        )

    def pop_due(self, queue: str, now: int) -> list[tuple[int, str]]:
        found = self._conn.execute(
            "SELECT id, at, member FROM queue WHERE ns = ? AND name = ? AND at <= ? "
            "ORDER BY at, member",
            (self._ns, queue, int(now)),
        ).fetchall()
        if found:
            self._wrote = True
            self._conn.executemany("DELETE FROM queue WHERE id = ?", [(row[0],) for row in found])
        return [(at, member) for _, at, member in found]

    def clear(self) -> None:
        self._wrote = True
        self._conn.execute("DELETE FROM rows WHERE ns = ?", (self._ns,))
        self._conn.execute("DELETE FROM queue WHERE ns = ?", (self._ns,))

    # -- the end -----------------------------------------------------------------------------

    def _finish(self) -> int:
        """Commit; the group-sync ticket to wait for (0: nothing was written)."""
        if self.closed:
            raise RuntimeError("this unit of work is already closed")
        try:
            self._conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise
        self._close()
        self.store._release()
        return self.store._sync.committed() if self._wrote else 0

    def commit(self) -> None:
        ticket = self._finish()
        if ticket:
            self.store._sync.wait(ticket)

    async def acommit(self) -> None:
        ticket = self._finish()
        if ticket:
            await asyncio.to_thread(self.store._sync.wait, ticket)

    def rollback(self) -> None:
        if self.closed:
            return
        try:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
        finally:
            self._close()
            self.store._release()

    def _close(self) -> None:
        if self._token is not None:
            try:
                OPEN_UNIT.reset(self._token)
            except ValueError:  # closed from another context than the one that opened it
                OPEN_UNIT.set(None)
            self._token = None
        super()._close()
