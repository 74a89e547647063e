"""All mutable state of a mock API: a store, reached through units of work.

``base``        the protocol: :class:`Store`, :class:`UnitOfWork`, :class:`Conflict`
``memory``      the default backend, in this process
``sqlite``      state in a file, durable across restarts (``sqlite:///PATH``)
``redis``       state shared by every worker and host (``redis://HOST:PORT/DB``)
``clock``       where the clock's state lives, for each backend
``pagination``  cursor pagination over ordered rows

:func:`open_store` builds a backend from a ``--state`` URL.
"""

from __future__ import annotations

from mockserver.exceptions import ConfigurationError
from mockserver.store.base import (
    MAX_ATTEMPTS,
    Backend,
    Conflict,
    Record,
    Store,
    UnitOfWork,
    transactional,
)
from mockserver.store.memory import MemoryStore
from mockserver.store.pagination import CursorNotFound, Page, paginate

__all__ = [
    "MAX_ATTEMPTS",
    "Backend",
    "Conflict",
    "CursorNotFound",
    "MemoryStore",
    "Page",
    "Record",
    "Store",
    "UnitOfWork",
    "open_store",
    "paginate",
    "transactional",
]


def open_store(url: str, namespace: str) -> Store:
    """The backend a ``--state`` URL names, holding the state of API ``namespace``."""
    scheme = url.partition(":")[0] if ":" in url else url
    if scheme == "memory":
        return MemoryStore(namespace)
    if scheme == "sqlite":
        from mockserver.store.sqlite import SqliteStore

        return SqliteStore(url, namespace)
    if scheme == "redis":
        from mockserver.store.redis import RedisStore

        return RedisStore(url, namespace)
    raise ConfigurationError(
        f"unknown state backend {url!r} (expected memory, sqlite:///PATH or redis://HOST:PORT/DB)"
    )
