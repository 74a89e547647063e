"""The Redis backend (``--state redis://HOST:PORT/DB``): one state shared by every worker and host.

Every process pointing at the same Redis database sees one state: the APIs' tables (objects,
unique indexes such as coupon codes and campaign names, counters, the event journal, the
idempotency cache), their queues, and the clock (:mod:`mockserver.store.clock`). No rule
relies on a lock in one process.

Units of work are optimistic. A unit reads through small Lua scripts (one round trip each,
atomic), remembers what it read (each row's version, a table's version for ``rows()`` and
``count()``, the due entries of a queue, the clock) and keeps its writes to itself. Its commit
is one Lua script (:data:`~mockserver.store.redis_lua.COMMIT`) that checks every read still
holds and applies every write, atomically; when another unit changed something this one read,
nothing is applied and :class:`~mockserver.store.Conflict` is raised, so the request pipeline
(or ``Store.run``) runs the unit again. Rules such as a coupon's ``max_redemptions``, unique
codes and idempotency keys therefore hold across processes and hosts: of two units that read
the same coupon and both write it, one commits and the other runs again and sees the first.

Every read script also returns the *context*: the namespace's commit counter, the clock and
the head of each queue this process watches. A unit starts from the context this process saw
last (so reading the clock and finding nothing due costs no round trip) and checks it against
the context of each read. A unit whose reads all saw the same context and wrote nothing
commits without a round trip; one whose reads straddled another commit or a move of the
clock, or found an assumption about a queue wrong, has its reads checked by the commit script
(and runs again if they no longer hold). A GET by id costs one round trip; a create, its
commit plus one per existing row it reads: a row added under a new key is not read first, the
commit checks the key is still free.

Key layout (schema version :data:`SCHEMA_VERSION`; ``P`` = ``mockserver:v1:<api>``):

``mockserver:schema``          the layout version of everything under ``mockserver:``; a mock
                               finding another one refuses to start
``mockserver:v1:clock``        the clock, JSON ``{"frozen_at": float|null, "offset": float}``
``P:commit``                   commits so far (each commit's number is its rows' version)
``P:seq``                      insertions so far (the rank of a new row)
``P:t:<table>``                hash key -> ``<version>|<row JSON>``
``P:o:<table>``                sorted set key -> rank (the order keys were first stored in)
``P:tv`` / ``P:tm``            hash table -> version of its last write / last insert or delete
``P:q:<queue>``                sorted set ``<member>\\0<at>\\0<unique>`` -> at
``P:tables`` / ``P:queues``    sets of the table and queue names in use (for reset)

A reset (``POST /__admin/reset``) clears and reloads an API's keys in one commit.
Not supported: Redis Cluster (the commit script touches keys it computes).
"""

from __future__ import annotations

import hashlib
import random
import threading
from contextvars import ContextVar, Token
from typing import Any
from urllib.parse import urlsplit

import redis

from mockserver.exceptions import ConfigurationError
from mockserver.store import redis_lua
from mockserver.store.base import Conflict, Record, Store, UnitOfWork, decode_row, encode_row

#: The layout this code reads and writes (the ``v1`` of every key).
SCHEMA_VERSION = 1
ROOT = "mockserver"
SCHEMA_KEY = f"{ROOT}:schema"
PREFIX = f"{ROOT}:v{SCHEMA_VERSION}"
CLOCK_KEY = f"{PREFIX}:clock"

#: The unit of work open in this context, through which the clock is read (see
#: :class:`~mockserver.store.clock.RedisClockState`).
OPEN_UNIT: ContextVar[_RedisUnit | None] = ContextVar("mockserver_redis_unit", default=None)
#: The clock's state as this process last saw it, per Redis server (``ident``).
CLOCK_SEEN: dict[str, bytes] = {}


def connect(url: str) -> tuple[redis.Redis, str]:
    """A client for ``redis://HOST:PORT/DB`` whose layout version is checked; (client, ident)."""
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.hostname or parts.path):
        raise ConfigurationError(f"bad Redis state URL {url!r}: expected redis://HOST:PORT/DB")
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)
        client.set(SCHEMA_KEY, SCHEMA_VERSION, nx=True)
        found: Any = client.get(SCHEMA_KEY)
    except (redis.RedisError, ValueError) as exc:
        raise ConfigurationError(f"cannot use Redis state {url}: {exc}") from None
    if found != str(SCHEMA_VERSION).encode():
        client.close()
        raise ConfigurationError(
            f"the Redis database at {url} holds mockserver state of schema version "
            f"{found.decode(errors='replace') if found else '?'}; this mockserver reads schema "
            f"version {SCHEMA_VERSION}. Point --state at another database, or delete the "
            f"{ROOT}:* keys of this one to start over."
        )
    kwargs = client.connection_pool.connection_kwargs
    ident = f"{kwargs.get('host', kwargs.get('path'))}:{kwargs.get('port', '')}/{kwargs.get('db', 0)}"
    return client, ident


class RedisStore(Store):
    scheme = "redis"

    def __init__(self, url: str, namespace: str = "default") -> None:
        super().__init__(namespace)
        self.url = url
        self.client, self.ident = connect(url)
        self.prefix = f"{PREFIX}:{namespace}"
        self.commit_key = f"{self.prefix}:commit"
        self.scripts = {
            name: (getattr(redis_lua, name), hashlib.sha1(getattr(redis_lua, name).encode()).hexdigest())
            for name in ("PEEK", "GET", "ROWS", "COUNT", "DUE", "COMMIT")
        }
        # one connection per thread, used directly: a third of the client's cost per call of
        # going through the client's command layer (measured), on every request
        self._local = threading.local()
        self._links: list[Any] = []
        #: Queues this process has read: their heads come with every read's context.
        self.queues: tuple[str, ...] = ()
        #: The head (earliest score) of each watched queue as last seen (None: empty).
        self.heads: dict[str, float | None] = {}
        #: Keys a unit added blindly and found taken at commit: added with a read next time.
        self.taken: set[tuple[str, str]] = set()
        self._queues_lock = threading.Lock()

    def _open(self) -> UnitOfWork:
        return _RedisUnit(self)

    def backoff(self, attempt: int) -> float:
        # units of several processes collide on hot rows: spread their retries out
        return random.uniform(0, min(0.02, 0.0005 * 2**attempt))

    def watch_queue(self, queue: str) -> None:
        with self._queues_lock:
            if queue not in self.queues:
                self.queues = (*self.queues, queue)

    def read(self, script: str, keys: list[str], args: list[Any]) -> tuple[Any, list[Any]]:
        """Run read ``script`` with the context prologue: ((commit, clock, heads), answer)."""
        queues = self.queues
        result = self.call(
            script,
            [self.commit_key, CLOCK_KEY, *(f"{self.prefix}:q:{q}" for q in queues), *keys],
            [len(queues), *args],
        )
        commit, clock = result[0], result[1]
        heads = {q: (float(h) if h else None) for q, h in zip(queues, result[2:], strict=False)}
        CLOCK_SEEN[self.ident] = clock
        self.heads.update(heads)
        return (commit, clock, heads), result[2 + len(queues) :]

    def dump(self) -> dict[str, Any]:
        p = self.prefix
        client: Any = self.client  # replies are bytes (no decode_responses)
        tables: dict[str, dict[str, Any]] = {}
        for raw in sorted(client.smembers(f"{p}:tables")):
            name = raw.decode()
            keys = [key.decode() for key in client.zrange(f"{p}:o:{name}", 0, -1)]
            values = client.hmget(f"{p}:t:{name}", keys) if keys else []
            rows = {key: _row(value) for key, value in zip(keys, values, strict=True) if value}
            if rows:
                tables[name] = rows
        queues: dict[str, list[tuple[int, str]]] = {}
        for raw in sorted(client.smembers(f"{p}:queues")):
            entries = [_entry(e) for e in client.zrange(f"{p}:q:{raw.decode()}", 0, -1)]
            if entries:
                queues[raw.decode()] = sorted(entries)
        return {"tables": tables, "queues": queues}

    def call(self, script: str, keys: list[str], args: list[Any]) -> Any:
        """``EVALSHA`` of one of :mod:`.redis_lua`'s scripts on this thread's connection.

        A read is sent again on a new connection when the connection broke; a commit is not
        (it may have been applied: the error reaches the client as a 500).
        """
        source, sha = self.scripts[script]
        for _ in range(3):
            link = self._link()
            try:
                link.send_command("EVALSHA", sha, len(keys), *keys, *args)
                return link.read_response()
            except redis.exceptions.NoScriptError:
                link.send_command("SCRIPT", "LOAD", source)
                link.read_response()
            except (redis.ConnectionError, redis.TimeoutError):
                link.disconnect()
                if script == "COMMIT":
                    raise
        raise redis.RedisError(f"script {script} failed three times (connection or loading)")

    def _link(self) -> Any:
        link = getattr(self._local, "link", None)
        if link is None:
            link = self.client.connection_pool.make_connection()
            self._local.link = link
            with self._queues_lock:
                self._links.append(link)
        return link

    def close(self) -> None:
        with self._queues_lock:
            for link in self._links:
                link.disconnect()
            self._links.clear()
        self._local = threading.local()
        self.client.close()


def _row(stored: bytes) -> Any:
    return decode_row(stored[stored.index(b"|") + 1 :])


def _version(stored: bytes | None) -> bytes:
    return b"" if stored is None else stored[: stored.index(b"|")]


def _entry(raw: bytes) -> tuple[int, str]:
    member, at, _ = raw.rsplit(b"\0", 2)
    return int(at), member.decode()


_ABSENT = object()


class _RedisUnit(UnitOfWork):
    store: RedisStore

    def __init__(self, store: RedisStore) -> None:
        super().__init__(store)
        #: the commit counter of the unit's first read (None: nothing read from Redis yet)
        self._snapshot: bytes | None = None
        self._stale = False
        #: the clock's state and the queue heads of the unit's first read
        self._context_clock: bytes | None = None
        self._context_heads: dict[str, float | None] = {}
        #: the clock's state the unit used, and the queues it found nothing due in (latest now)
        self._clock: bytes | None = None
        self._nothing_due: dict[str, int] = {}
        self._reads: list[bytes | str] = []
        self._writes: list[bytes | str] = []
        #: rows read from Redis: (table, key) -> row JSON or None
        self._seen: dict[tuple[str, str], bytes | None] = {}
        #: the unit's own writes: table -> key -> row JSON (None: deleted)
        self._staged: dict[str, dict[str, bytes | None]] = {}
        #: keys the unit put, in order (those not stored before rank last, in this order)
        self._order: dict[str, list[str]] = {}
        #: keys deleted then put again by the unit (they rank last even if stored before)
        self._moved: dict[str, set[str]] = {}
        #: due entries the unit took off each queue
        self._popped: set[bytes] = set()
        self._scheduled: list[tuple[str, int, str]] = []
        self._cleared = False
        self._token: Token[_RedisUnit | None] | None = OPEN_UNIT.set(self)

    # -- context -----------------------------------------------------------------------------

    def _read(self, script: str, keys: list[str], args: list[Any]) -> list[Any]:
        (commit, clock, heads), answer = self.store.read(script, keys, args)
        if self._snapshot is None:
            self._snapshot, self._context_clock, self._context_heads = commit, clock, heads
        elif commit != self._snapshot:
            self._stale = True
        if self._clock is not None and clock != self._clock:
            self._stale = True
        for queue, now in self._nothing_due.items():
            head = heads.get(queue)
            if head is not None and head <= now:
                self._stale = True
        return answer

    def clock_state(self) -> bytes:
        """The clock's state as this unit sees it (and will check at commit)."""
        if self._clock is None:
            if self._snapshot is not None:
                self._clock = self._context_clock
            else:
                seen = CLOCK_SEEN.get(self.store.ident)
                if seen is None:
                    self._read("PEEK", [], [])
                    seen = self._context_clock
                self._clock = seen
        return self._clock or b""

    # -- reads -------------------------------------------------------------------------------

    def _stored(self, table: str, key: str) -> bytes | None:
        staged = self._staged.get(table)
        if staged is not None and key in staged:
            return staged[key]
        found = self._seen.get((table, key), _ABSENT)
        if found is not _ABSENT:
            return found  # type: ignore[return-value]
        if self._cleared:
            return None
        (value,) = self._read("GET", [f"{self.store.prefix}:t:{table}"], [key])
        self._reads += ["r", table, key, _version(value)]
        data = None if value is None else value[value.index(b"|") + 1 :]
        self._seen[(table, key)] = data
        return data

    def get(self, table: str, key: str) -> Record | None:
        data = self._stored(table, key)
        return None if data is None else decode_row(data)

    def rows(self, table: str) -> list[Record]:
        staged = self._staged.get(table, {})
        moved = self._moved.get(table, set())
        out: list[Record] = []
        shown: set[str] = set()
        if not self._cleared:
            p = self.store.prefix
            result = self._read("ROWS", [f"{p}:o:{table}", f"{p}:t:{table}", f"{p}:tv"], [table])
            self._reads += ["t", table, result[0]]
            for index in range(1, len(result), 2):
                key, stored = result[index].decode(), result[index + 1]
                if key in staged:
                    data = staged[key]
                    if data is None or key in moved:
                        continue
                elif stored is None:
                    continue
                else:
                    data = stored[stored.index(b"|") + 1 :]
                shown.add(key)
                out.append(decode_row(data))
        for key in self._order.get(table, []):
            data = staged.get(key)
            if data is not None and key not in shown:
                out.append(decode_row(data))
        return out

    def count(self, table: str) -> int:
        staged = self._staged.get(table, {})
        if self._cleared:
            return sum(1 for data in staged.values() if data is not None)
        keys = list(staged)
        p = self.store.prefix
        result = self._read("COUNT", [f"{p}:t:{table}", f"{p}:tm"], [table, *keys])
        self._reads += ["m", table, result[0]]
        total = int(result[1])
        for key, present in zip(keys, result[2:], strict=True):
            total += (staged[key] is not None) - int(present)
        return total

    # -- writes ------------------------------------------------------------------------------

    def put(self, table: str, key: str, row: Record) -> None:
        data = encode_row(row)
        staged = self._staged.setdefault(table, {})
        if key not in staged or staged[key] is None:
            # new to the unit's view, or deleted in this unit: ranks last (unless it turns
            # out to be stored already, which keeps its rank)
            order = self._order.setdefault(table, [])
            if key in staged:
                self._moved.setdefault(table, set()).add(key)
                if key in order:
                    order.remove(key)
            order.append(key)
        staged[key] = data
        self._writes += ["p", table, key, data]

    def add(self, table: str, key: str, row: Record) -> None:
        known = (table, key) in self._seen or key in self._staged.get(table, {})
        if known or self._cleared or (table, key) in self.store.taken:
            super().add(table, key, row)
            return
        # a new key (a fresh id, as a rule): no read now; the commit checks it is still free
        # (a taken one makes the unit run again, and then it is read: KeyError)
        self._reads += ["a", table, key]
        self.put(table, key, row)

    def delete(self, table: str, key: str) -> None:
        self._staged.setdefault(table, {})[key] = None
        self._writes += ["x", table, key]

    def schedule(self, queue: str, member: str, at: int) -> None:
        self._scheduled.append((queue, int(at), member))
        self._writes += ["s", queue, str(int(at)), member]

    def pop_due(self, queue: str, now: int) -> list[tuple[int, str]]:
        due: list[tuple[int, str]] = []
        now = int(now)
        if not self._cleared:
            heads = self._context_heads if self._snapshot is not None else self.store.heads
            head = heads.get(queue, _ABSENT) if queue in self.store.queues else _ABSENT
            if head is not _ABSENT and (head is None or head > now):  # type: ignore[operator]
                # nothing due, as far as the context tells: checked by later reads and at commit
                self._nothing_due[queue] = max(now, self._nothing_due.get(queue, now))
                self._reads += ["d", queue, str(now), "0"]
            else:
                self.store.watch_queue(queue)
                entries = self._read("DUE", [f"{self.store.prefix}:q:{queue}"], [now])
                self._reads += ["d", queue, str(now), str(len(entries)), *entries]
                for entry in entries:
                    if entry not in self._popped:
                        self._popped.add(entry)
                        self._writes += ["z", queue, entry]
                        due.append(_entry(entry))
        mine = [(at, member) for q, at, member in self._scheduled if q == queue and at <= now]
        if mine:
            self._scheduled = [i for i in self._scheduled if i[0] != queue or i[1] > now]
            self._unschedule(queue, mine)
            due += mine
        return sorted(due)

    def _unschedule(self, queue: str, items: list[tuple[int, str]]) -> None:
        """Take the unit's own scheduled ``items`` back out of its writes."""
        wanted = {(str(at), member) for at, member in items}
        writes: list[bytes | str] = []
        i = 0
        while i < len(self._writes):
            op = self._writes[i]
            width = {"p": 4, "x": 3, "s": 4, "z": 3, "C": 1}[op]  # type: ignore[index]
            chunk = self._writes[i : i + width]
            if op == "s" and chunk[1] == queue and (chunk[2], chunk[3]) in wanted:
                wanted.discard((chunk[2], chunk[3]))
            else:
                writes += chunk
            i += width
        self._writes = writes

    def clear(self) -> None:
        self._cleared = True
        self._staged.clear()
        self._order.clear()
        self._moved.clear()
        self._seen.clear()
        self._scheduled.clear()
        self._writes = ["C"]

    # -- the end -----------------------------------------------------------------------------

    def _needs_check(self) -> bool:
        """Whether what the unit read must be checked by a round trip before it ends."""
        if self._stale:
            return True
        # assumptions taken from the process's last context, never checked by a read
        return self._snapshot is None and (self._clock is not None or bool(self._nothing_due))

    def verify(self) -> None:
        if not self.closed and self._needs_check():
            self._run_commit(writes=False)

    def commit(self) -> None:
        if self.closed:
            raise RuntimeError("this unit of work is already closed")
        try:
            if self._writes or self._needs_check():
                self._run_commit(writes=True)
        finally:
            self._close()

    def _run_commit(self, *, writes: bool) -> None:
        args: list[bytes | str] = [self.store.prefix, *self._reads]
        if self._clock is not None:
            args += ["c", CLOCK_KEY, self._clock]
        if writes:
            args += self._writes
        ok, what = self.store.call("COMMIT", [], args)
        if not ok:
            what = what.decode(errors="replace")
            if what.startswith("taken "):
                table, _, key = what[len("taken ") :].partition("/")
                self.store.taken.add((table, key))
            raise Conflict(f"changed meanwhile: {what}")

    def rollback(self) -> None:
        if not self.closed:
            self._close()

    def _close(self) -> None:
        if self._token is not None:
            try:
                OPEN_UNIT.reset(self._token)
            except ValueError:  # closed from another context than the one that opened it
                OPEN_UNIT.set(None)
            self._token = None
        super()._close()
