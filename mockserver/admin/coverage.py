"""``/coverage``: which parts of each API's contract the requests so far exercised
(:mod:`mockserver.pipeline.coverage`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.admin.errors import AdminError

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime, MockServer


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    def runtimes(api: str | None) -> list[ApiRuntime]:
        found = [r for r in server.runtimes if api is None or r.api.name == api]
        if not found:
            raise AdminError(404, "not_found", f"No API named {api!r} is mounted.", "api")
        return found

    def get_coverage(api: str | None = None) -> dict[str, Any]:
        return server.control.coverage.report(runtimes(api))

    def clear_coverage(api: str | None = None) -> dict[str, Any]:
        targets = runtimes(api)
        server.control.coverage.clear(targets)
        return server.control.coverage.report(targets)

    return {"getCoverage": get_coverage, "clearCoverage": clear_coverage}
