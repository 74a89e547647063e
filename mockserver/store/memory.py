"""The in-memory backend (the default): one process, units of work run one at a time.

Rows are kept serialised (:func:`~mockserver.store.base.encode_row`), so a row read is always
a fresh copy, a row that cannot be written back as JSON fails when it is stored, and memory
stays compact.
A unit holds the store's lock from begin to commit or rollback and writes in place,
keeping an undo log; rollback replays the log backwards. Units are short and CPU-only
(handlers never await inside one), so running them one at a time costs nothing measurable
and makes every rule that needs atomicity (a coupon's ``max_redemptions``, unique codes,
idempotency) hold for free.
"""

from __future__ import annotations

import heapq
import threading
from typing import Any

from mockserver.store.base import Record, Store, UnitOfWork, decode_row, encode_row

#: How long a unit waits for the store before giving up (a unit holds it for microseconds).
LOCK_TIMEOUT = 30.0

_Rows = dict[str, tuple[int, bytes]]


class MemoryStore(Store):
    scheme = "memory"

    def __init__(self, namespace: str = "default") -> None:
        super().__init__(namespace)
        self._lock = threading.Lock()
        self._holder: int | None = None
        self._tables: dict[str, _Rows] = {}
        self._queues: dict[str, list[tuple[int, str]]] = {}
        self._seq = 0

    def _open(self) -> UnitOfWork:
        if self._holder == threading.get_ident():
            raise RuntimeError(
                "another unit of work of this store is open on this thread: a handler must not "
                "await while its unit of work is open"
            )
        if not self._lock.acquire(timeout=LOCK_TIMEOUT):
            raise RuntimeError(f"the store stayed locked for {LOCK_TIMEOUT:.0f} s")
        self._holder = threading.get_ident()
        return _MemoryUnit(self)

    def _release(self) -> None:
        self._holder = None
        self._lock.release()

    def clear(self) -> None:
        with self._lock:
            self._tables.clear()
            self._queues.clear()

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {
                "tables": {
                    name: {key: decode_row(data) for key, (_, data) in rows.items()}
                    for name, rows in self._tables.items()
                    if rows
                },
                "queues": {name: sorted(queue) for name, queue in self._queues.items() if queue},
            }


class _MemoryUnit(UnitOfWork):
    store: MemoryStore

    def __init__(self, store: MemoryStore) -> None:
        super().__init__(store)
        #: (kind, name, key or item, previous) in the order the writes happened.
        self._undo: list[tuple[str, str, Any, Any]] = []

    def get(self, table: str, key: str) -> Record | None:
        found = self.store._tables.get(table, {}).get(key)
        return None if found is None else decode_row(found[1])

    def put(self, table: str, key: str, row: Record) -> None:
        data = encode_row(row)
        rows = self.store._tables.setdefault(table, {})
        previous = rows.get(key)
        if previous is None:
            self.store._seq += 1
            rows[key] = (self.store._seq, data)
        else:
            rows[key] = (previous[0], data)
        self._undo.append(("row", table, key, previous))

    def delete(self, table: str, key: str) -> None:
        rows = self.store._tables.get(table)
        if rows is None or key not in rows:
            return
        self._undo.append(("row", table, key, rows.pop(key)))

    def rows(self, table: str) -> list[Record]:
        return [decode_row(data) for _, data in self.store._tables.get(table, {}).values()]

    def count(self, table: str) -> int:
        return len(self.store._tables.get(table, {}))

    def schedule(self, queue: str, member: str, at: int) -> None:
        item = (int(at), member)
        heapq.heappush(self.store._queues.setdefault(queue, []), item)
        self._undo.append(("push", queue, item, None))

    def pop_due(self, queue: str, now: int) -> list[tuple[int, str]]:
        heap = self.store._queues.get(queue)
        due: list[tuple[int, str]] = []
        while heap and heap[0][0] <= now:
            item = heapq.heappop(heap)
            due.append(item)
            self._undo.append(("pop", queue, item, None))
        return due

    def commit(self) -> None:
        if self.closed:
            raise RuntimeError("this unit of work is already closed")
        self._undo.clear()
        self._close()
        self.store._release()

    def rollback(self) -> None:
        if self.closed:
            return
        reorder: set[str] = set()
        for kind, name, target, previous in reversed(self._undo):
            if kind == "row":
                rows = self.store._tables.setdefault(name, {})
                if previous is None:
                    rows.pop(target, None)
                else:
                    if target not in rows:
                        reorder.add(name)
                    rows[target] = previous
            elif kind == "push":
                heap = self.store._queues[name]
                heap.remove(target)
                heapq.heapify(heap)
            else:
                heapq.heappush(self.store._queues.setdefault(name, []), target)
        for name in reorder:
            # a deleted row came back: put it back in its place, not at the end
            rows = self.store._tables[name]
            self.store._tables[name] = dict(sorted(rows.items(), key=lambda item: item[1][0]))
        self._undo.clear()
        self._close()
        self.store._release()
