"""``GET /health`` and ``GET /violations``: what is mounted, and what broke its contract."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    def get_health() -> dict[str, Any]:
        return {"status": "ok", "apis": server.describe()}

    def list_violations() -> dict[str, Any]:
        return {"violations": [asdict(v) for v in server.violations()]}

    return {"getHealth": get_health, "listViolations": list_violations}
