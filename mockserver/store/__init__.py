"""All mutable state of a mock API: a store, reached through units of work.

``base``        the protocol: :class:`Store`, :class:`UnitOfWork`, :class:`Conflict`
``memory``      the default backend, in this process
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
    raise ConfigurationError(f"unknown state backend {url!r} (expected memory)")
