"""OpenAPI 3.1 documents, which Connexion 3 refuses to load, checked and served without it.

Connexion 3 checks a document against the OpenAPI **3.0** schema when it is added (``'3.1.0'
does not match '^3\\.0\\.\\d'``), so a 3.1 document never goes through ``add_api``: the engine
checks it with openapi-spec-validator (which knows 3.1) at start-up, openapi-core validates
its requests and responses as for any document, and :class:`SpecRoute` serves it at
``<base>/openapi.json``. Swagger UI is not served for 3.1 documents.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.dispatch import dumps
from mockserver.exceptions import ConfigurationError
from mockserver.runtime import ApiRuntime

__all__ = ["SpecRoute", "check_openapi31", "is_openapi31"]


def is_openapi31(spec: Mapping[str, Any]) -> bool:
    return str(spec.get("openapi", "")).startswith("3.1")


def check_openapi31(spec: Mapping[str, Any], path: Path) -> None:
    """Refuse a 3.1 document that is not valid OpenAPI 3.1 (what Connexion does for 3.0)."""
    try:
        validate(spec)
    except OpenAPIValidationError as exc:
        where = "/".join(str(p) for p in getattr(exc, "absolute_path", ())) or "<root>"
        raise ConfigurationError(f"{path} is not a valid OpenAPI 3.1 document at {where}: {exc.message}") from exc


class SpecRoute:
    """Serves ``<base>/openapi.json`` for the runtimes given (the 3.1 documents)."""

    def __init__(self, app: ASGIApp, runtimes: Sequence[ApiRuntime]) -> None:
        self.app = app
        self.documents = {f"{r.base_path}/openapi.json": r.api.spec for r in runtimes}
        self._bodies: dict[str, bytes] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else None
        if path not in self.documents or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        body = self._bodies.get(path)
        if body is None:
            body = self._bodies[path] = dumps(self.documents[path])
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body if scope["method"] == "GET" else b""})
