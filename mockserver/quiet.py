"""Warnings our dependencies raise while they are imported, silenced there and only there.

Connexion imports ``starlette.testclient`` (which, on Starlette >= 1.x, asks for ``httpx2``)
and ``jsonschema.RefResolver`` (deprecated) at import time. Neither is ours to fix, and
neither means anything to someone starting the mock, or to a client team whose test suite
runs with ``-W error``. :func:`third_party_imports` ignores exactly these messages for the
duration of the block, then restores the caller's filters: it never changes how warnings
from the caller's own code are treated.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

#: ``(message prefix, category)`` of every warning a dependency raises on import.
IMPORT_WARNINGS: tuple[tuple[str, type[Warning]], ...] = (
    # StarletteDeprecationWarning, a UserWarning (so that it shows by default)
    ("Using `httpx` with `starlette.testclient`", UserWarning),
    ("jsonschema.RefResolver is deprecated", DeprecationWarning),
    ("jsonschema.exceptions.RefResolutionError is deprecated", DeprecationWarning),
)


@contextmanager
def third_party_imports() -> Iterator[None]:
    """Import inside this block: the dependencies' import-time warnings are not shown."""
    with warnings.catch_warnings():
        for message, category in IMPORT_WARNINGS:
            warnings.filterwarnings("ignore", message=re.escape(message), category=category)
        yield


def import_engine() -> None:
    """Import the engine's heavy dependencies (Connexion, openapi-core) quietly, once."""
    with third_party_imports():
        import mockserver.applications  # noqa: F401
