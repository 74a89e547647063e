"""The state protocol: a store, and the unit of work through which everything reads and writes it.

Every piece of a mock API's state lives in one :class:`Store`: named tables of JSON rows
(objects by id, unique indexes, the idempotency cache) and time-ordered queues (what is
due to end, and when). Nothing reads or writes a store except through a
:class:`UnitOfWork`:

* reads see the committed state plus the unit's own writes;
* writes reach the committed state only when the unit commits, all at once; a unit that
  rolls back leaves the store exactly as it was;
* units are isolated from each other (serializable): the memory and SQLite backends run
  them one at a time, a shared backend (Redis) validates at commit what the unit read and
  raises :class:`Conflict` when another unit changed it, and the unit is run again.

The request pipeline opens one unit per request (:meth:`Store.begin`), lets the API's
handler work in it, and commits only once the response has been produced and validated;
any error response rolls it back, so a failed request changes nothing. Code outside a
request (fixtures, tests calling a backend directly) uses :meth:`Store.run`, which joins
the unit already open in this context or runs a new one, retrying on conflict.

Rows are plain JSON values (what ``orjson`` can write and read back unchanged), so that a
row means the same in every backend; a row that cannot be serialised fails the write, not
a later read.
"""

from __future__ import annotations

import abc
import functools
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Concatenate, ParamSpec, TypeVar

import orjson

Record = dict[str, Any]
T = TypeVar("T")
P = ParamSpec("P")
B = TypeVar("B", bound="Backend")

#: How many times :meth:`Store.run` and the request pipeline run a unit that conflicted.
MAX_ATTEMPTS = 50


_LONG_INTEGER = re.compile(rb"\d{19}")


def encode_row(row: Record) -> bytes:
    """A row as stored by every backend: compact JSON (``ValueError`` when it is not JSON)."""
    try:
        return orjson.dumps(row)
    except TypeError:
        pass  # an integer beyond 64 bits (an API may keep them), or not JSON at all
    try:
        return json.dumps(row, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
    except (TypeError, ValueError, UnicodeEncodeError) as exc:
        raise ValueError(f"a row must be JSON (as orjson writes it): {exc}") from None


def decode_row(data: bytes) -> Any:
    """The row :func:`encode_row` wrote (integers beyond 64 bits come back exact)."""
    if _LONG_INTEGER.search(data):
        return json.loads(data)
    return orjson.loads(data)


class Conflict(Exception):
    """Another unit of work changed what this one read: run it again from the start."""


class UnitOfWork(abc.ABC):
    """One request's reads and writes, committed or rolled back as a whole."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.closed = False

    # -- tables ------------------------------------------------------------------------------

    @abc.abstractmethod
    def get(self, table: str, key: str) -> Record | None:
        """The row stored under ``key`` (a fresh copy: changing it changes nothing), or ``None``."""

    @abc.abstractmethod
    def put(self, table: str, key: str, row: Record) -> None:
        """Store ``row`` under ``key``, replacing what was there (which keeps its rank)."""

    @abc.abstractmethod
    def delete(self, table: str, key: str) -> None:
        """Remove the row under ``key`` (nothing happens when there is none)."""

    @abc.abstractmethod
    def rows(self, table: str) -> list[Record]:
        """Every row of ``table``, in the order their keys were first stored."""

    @abc.abstractmethod
    def count(self, table: str) -> int:
        """How many rows ``table`` holds."""

    def add(self, table: str, key: str, row: Record) -> None:
        """Store a new row; ``KeyError`` when ``key`` is taken."""
        if self.get(table, key) is not None:
            raise KeyError(f"{table}/{key} already exists")
        self.put(table, key, row)

    # -- queues ------------------------------------------------------------------------------

    @abc.abstractmethod
    def schedule(self, queue: str, member: str, at: int) -> None:
        """Queue ``member`` to fall due at ``at`` (a member may be queued more than once)."""

    @abc.abstractmethod
    def pop_due(self, queue: str, now: int) -> list[tuple[int, str]]:
        """Take every ``(at, member)`` with ``at <= now`` off ``queue``, earliest first."""

    # -- the end -----------------------------------------------------------------------------

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every write of the unit visible at once (may raise :class:`Conflict`)."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Forget every write of the unit."""

    def _close(self) -> None:
        self.closed = True
        self.store._current.set(None)


class Store(abc.ABC):
    """All state of one mock API, behind units of work (see the module docstring)."""

    #: The URL scheme this backend answers to (``memory``, ``sqlite``, ``redis``).
    scheme: str = ""

    def __init__(self, namespace: str = "default") -> None:
        #: Separates the state of several APIs sharing one backend (the API's name).
        self.namespace = namespace
        self._current: ContextVar[UnitOfWork | None] = ContextVar(
            f"mockserver_unit_{namespace}_{id(self)}", default=None
        )

    @abc.abstractmethod
    def _open(self) -> UnitOfWork:
        """A new unit of work of this backend."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Drop every row and queue entry (reset empties the store, then loads the fixtures)."""

    @abc.abstractmethod
    def dump(self) -> dict[str, Any]:
        """Everything stored, as ``{"tables": {name: {key: row}}, "queues": {name: [...]}}``."""

    def close(self) -> None:  # noqa: B027 (most backends hold nothing to release)
        """Release connections and files (the store is not used again)."""

    # -- units -------------------------------------------------------------------------------

    @property
    def current(self) -> UnitOfWork | None:
        """The unit of work open in this context, if any."""
        return self._current.get()

    def begin(self) -> UnitOfWork:
        """Open a unit of work in this context; the caller commits or rolls it back."""
        if self._current.get() is not None:
            raise RuntimeError("a unit of work is already open in this context")
        unit = self._open()
        self._current.set(unit)
        return unit

    def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """``work`` in the unit open in this context, or in a new one committed after it.

        A new unit that conflicts is rolled back and ``work`` runs again; an exception
        from ``work`` rolls the new unit back and propagates.
        """
        current = self._current.get()
        if current is not None:
            return work(current)
        for _ in range(MAX_ATTEMPTS):
            unit = self.begin()
            try:
                result = work(unit)
            except Conflict:
                unit.rollback()
                continue
            except BaseException:
                unit.rollback()
                raise
            try:
                unit.commit()
            except Conflict:
                continue
            return result
        raise Conflict(f"gave up after {MAX_ATTEMPTS} conflicting attempts")

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork]:
        """The unit open in this context, or a new one for the block (no retry on conflict)."""
        current = self._current.get()
        if current is not None:
            yield current
            return
        unit = self.begin()
        try:
            yield unit
        except BaseException:
            unit.rollback()
            raise
        unit.commit()


class Backend:
    """Base of an API's domain backend: the store it works in, and a hook for each unit."""

    store: Store

    def on_unit(self) -> None:
        """Called first by every :func:`transactional` method (e.g. to let due events fire)."""


def transactional(method: Callable[Concatenate[B, P], T]) -> Callable[Concatenate[B, P], T]:
    """Run a backend method in the unit of work open in this context, or in a new one.

    The one preamble every public method of a domain backend needs: the method's reads
    and writes commit together, or not at all when it raises.
    """

    @functools.wraps(method)
    def wrapper(self: B, /, *args: P.args, **kwargs: P.kwargs) -> T:
        def work(_unit: UnitOfWork) -> T:
            self.on_unit()
            return method(self, *args, **kwargs)

        return self.store.run(work)

    return wrapper
