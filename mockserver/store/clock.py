"""Where the clock's state lives for each ``--state`` backend (see :mod:`mockserver.clock`).

``memory``   in this process (:class:`~mockserver.clock.LocalClockState`);
``sqlite``   the ``clock`` row of the file's ``meta`` table: it survives a restart and every
             worker sharing the file reads it; a move is one ``BEGIN IMMEDIATE`` transaction;
``redis``    the key ``mockserver:v1:clock``, shared by every worker and host; a move is a
             ``WATCH``/``MULTI`` transaction (retried when another process moved it first).
             A unit of work reads it with its first read and keeps that value, and its commit
             checks the clock did not move meanwhile (:mod:`mockserver.store.redis`).

The state is JSON: ``{"frozen_at": float | null, "offset": float}``; absent means real time.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

from mockserver.clock import REAL_TIME, ClockState, LocalClockState, State
from mockserver.exceptions import ConfigurationError


def open_clock(url: str) -> ClockState:
    """The clock state of the ``--state`` URL ``url``."""
    scheme = url.partition(":")[0] if ":" in url else url
    if scheme == "memory":
        return LocalClockState()
    if scheme == "sqlite":
        return SqliteClockState(url)
    if scheme == "redis":
        return RedisClockState(url)
    raise ConfigurationError(
        f"unknown state backend {url!r} (expected memory, sqlite:///PATH or redis://HOST:PORT/DB)"
    )


def encode(state: State) -> bytes:
    return json.dumps({"frozen_at": state[0], "offset": state[1]}).encode()


def decode(raw: bytes | str | None) -> State:
    if not raw:
        return REAL_TIME
    data: Any = json.loads(raw)
    frozen = data.get("frozen_at")
    return (None if frozen is None else float(frozen)), float(data.get("offset", 0.0))


class SqliteClockState(ClockState):
    def __init__(self, url: str) -> None:
        from mockserver.store.sqlite import path_of, prepare

        self.path = path_of(url)
        self.file = self.path.resolve()
        self._local = threading.local()
        self._guard = threading.Lock()
        self._connections: list[Any] = []
        self._last: tuple[str, State] = ("", REAL_TIME)
        prepare(self._connection(), self.path)

    def _connection(self) -> Any:
        from mockserver.store.sqlite import connect

        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path)
            conn.execute("PRAGMA synchronous=FULL")  # a move is on disk before it is answered
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def read(self) -> State:
        from mockserver.store.sqlite import OPEN_UNIT

        unit = OPEN_UNIT.get()
        if unit is not None and unit.store.file == self.file:
            return self._decode(unit.clock_state())
        found = self._connection().execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
        return self._decode(found[0] if found else "")

    def _decode(self, raw: str) -> State:
        last_raw, last_state = self._last
        if raw == last_raw:
            return last_state
        state = decode(raw)
        self._last = (raw, state)
        return state

    def update(self, change: Callable[[State], State]) -> None:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            found = conn.execute("SELECT value FROM meta WHERE key = 'clock'").fetchone()
            new = change(decode(found[0] if found else None))
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('clock', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                (encode(new).decode(),),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def close(self) -> None:
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()


class RedisClockState(ClockState):
    def __init__(self, url: str) -> None:
        from mockserver.store.redis import CLOCK_KEY, connect

        self.key = CLOCK_KEY
        self.client, self.ident = connect(url)
        self._last: tuple[bytes | None, State] = (None, REAL_TIME)

    def _decode(self, raw: bytes | None) -> State:
        last_raw, last_state = self._last
        if raw == last_raw:
            return last_state
        state = decode(raw)
        self._last = (raw, state)
        return state

    def read(self) -> State:
        from mockserver.store.redis import CLOCK_SEEN, OPEN_UNIT

        unit = OPEN_UNIT.get()
        if unit is not None and unit.store.ident == self.ident:
            return self._decode(unit.clock_state())  # as the open unit sees it (checked)
        raw: Any = self.client.get(self.key)
        CLOCK_SEEN[self.ident] = raw or b""
        return self._decode(raw)

    def update(self, change: Callable[[State], State]) -> None:
        from mockserver.store.redis import CLOCK_SEEN

        written: list[bytes] = []

        def move(pipe: Any) -> None:
            new = encode(change(decode(pipe.get(self.key))))
            pipe.multi()
            pipe.set(self.key, new)
            written[:] = [new]

        self.client.transaction(move, self.key)
        CLOCK_SEEN[self.ident] = written[0]

    def close(self) -> None:
        self.client.close()
