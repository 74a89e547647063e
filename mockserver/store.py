"""All mutable state of a mock API lives here.

A :class:`Store` holds named :class:`Table` objects (one per resource type), the
id generator and the idempotency cache, behind one re-entrant lock. The domain
modules of each API (``apis/<name>/models.py``) take ``store.lock`` around every
read-modify-write, so concurrent requests never lose an update. Resetting a
mock means :meth:`Store.clear` followed by loading the fixtures again.
"""

from __future__ import annotations

import secrets
import string
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

T = TypeVar("T")

_ALPHABET = string.ascii_letters + string.digits


class CursorNotFound(LookupError):
    """A pagination cursor names an object that is not in the list."""

    def __init__(self, param: str, cursor: str) -> None:
        super().__init__(cursor)
        self.param = param
        self.cursor = cursor


@dataclass
class Page(Generic[T]):
    items: list[T]
    has_more: bool


def paginate(
    items: list[T],
    *,
    limit: int,
    starting_after: str | None = None,
    ending_before: str | None = None,
    key: Callable[[T], str],
) -> Page[T]:
    """Cursor pagination over an already ordered list (Stripe semantics)."""
    if starting_after is not None:
        index = _index_of(items, starting_after, key, "starting_after")
        window = items[index + 1 : index + 1 + limit]
        return Page(window, index + 1 + limit < len(items))
    if ending_before is not None:
        index = _index_of(items, ending_before, key, "ending_before")
        start = max(0, index - limit)
        return Page(items[start:index], start > 0)
    return Page(items[:limit], limit < len(items))


def _index_of(items: list[T], cursor: str, key: Callable[[T], str], param: str) -> int:
    for index, item in enumerate(items):
        if key(item) == cursor:
            return index
    raise CursorNotFound(param, cursor)


class Table(Generic[T]):
    """Objects of one kind by id, remembering the order they were added in."""

    def __init__(self) -> None:
        self._rows: dict[str, T] = {}
        self._seq: dict[str, int] = {}
        self._next = 0

    def __len__(self) -> int:
        return len(self._rows)

    def __contains__(self, key: object) -> bool:
        return key in self._rows

    def __iter__(self) -> Iterator[T]:
        return iter(list(self._rows.values()))

    def get(self, key: str) -> T | None:
        return self._rows.get(key)

    def put(self, key: str, row: T) -> None:
        if key not in self._rows:
            self._seq[key] = self._next
            self._next += 1
        self._rows[key] = row

    def pop(self, key: str) -> T | None:
        self._seq.pop(key, None)
        return self._rows.pop(key, None)

    def sequence(self, key: str) -> int:
        """Insertion rank of ``key``: a tie-breaker for objects created in the same second."""
        return self._seq[key]

    def clear(self) -> None:
        self._rows.clear()
        self._seq.clear()
        self._next = 0


@dataclass
class CachedResponse:
    """A response recorded under an idempotency key."""

    fingerprint: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass
class Store:
    """Every piece of state of one mock API instance."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    tables: dict[str, Table[Any]] = field(default_factory=dict)
    idempotency: dict[str, CachedResponse] = field(default_factory=dict)
    _ids: set[str] = field(default_factory=set)

    def table(self, name: str) -> Table[Any]:
        with self.lock:
            table = self.tables.get(name)
            if table is None:
                table = self.tables[name] = Table()
            return table

    def new_id(self, prefix: str, length: int = 14) -> str:
        """A fresh random id such as ``cmp_4Fj7tNq2...``, never handed out twice."""
        with self.lock:
            while True:
                candidate = prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))
                if candidate not in self._ids:
                    self._ids.add(candidate)
                    return candidate

    def reserve_id(self, value: str) -> None:
        """Record an id that came from fixtures so it is never generated again."""
        with self.lock:
            self._ids.add(value)

    def clear(self) -> None:
        with self.lock:
            for table in self.tables.values():
                table.clear()
            self.idempotency.clear()
            self._ids.clear()
