"""Connexion's check of a document against the OpenAPI schema, made once per document.

Connexion checks a document each time an app adds it (``AsyncApp.add_api``): about a third
of a second for Voucherify's spec, most of the time it takes to build an app. The verdict
depends only on the document's content, so :func:`install` makes Connexion remember the
documents it found valid, by a digest of their content: the second app serving the same
document (a reset test fixture, another worker, the pytest plugin's next server) skips the
check. A document that fails is checked again each time, and raises as before.
"""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
from connexion.spec import Specification

__all__ = ["install"]

#: (specification class, digest of the document) of every document found valid.
_VALID: set[tuple[type, bytes]] = set()
_CHECK = Specification._validate_spec.__func__


def _digest(spec: Any) -> bytes | None:
    try:
        text = orjson.dumps(spec, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except TypeError:  # a value JSON cannot hold (a YAML oddity): checked every time
        return None
    return hashlib.blake2b(text, digest_size=20).digest()


def _validate_once(cls: type[Specification], spec: Any) -> None:
    digest = _digest(spec)
    if digest is not None and (cls, digest) in _VALID:
        return
    _CHECK(cls, spec)
    if digest is not None:
        _VALID.add((cls, digest))


def install() -> None:
    """Make Connexion check each distinct document once per process (idempotent)."""
    Specification._validate_spec = classmethod(_validate_once)
