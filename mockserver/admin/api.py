"""The admin API as a plug-in of the engine: its document, its handlers, its error format."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mockserver.admin import clock, coverage, faults, requests, state, status
from mockserver.admin.errors import AdminError, error_for
from mockserver.admin.guard import current_request
from mockserver.exceptions import Problem
from mockserver.plugins import MockAPI
from mockserver.routing import RouteIndex

if TYPE_CHECKING:
    from mockserver.runtime import MockServer

HERE = Path(__file__).resolve().parent

#: One module per concern, each giving operationId -> handler for the server it is given.
#: A new concern is a module here and its paths in ``openapi.yaml``.
CONCERNS = (status, state, clock, requests, coverage, faults)


class AdminAPI(MockAPI):
    """``/__admin``: served, secured and validated by the engine like any mocked API."""

    name = "admin"
    spec_path = HERE / "openapi.yaml"
    reject_unknown_query = True
    generic_fallback = False

    def __init__(self, server: MockServer, token: str | None = None) -> None:
        super().__init__(clock=server.clock, api_keys=(token,) if token else ())
        self.server = server
        # operations whose validation errors carry a code of their own (x-invalid-request-code)
        self._invalid_codes: RouteIndex[str] = RouteIndex()
        for template, item in self.spec.get("paths", {}).items():
            for method, operation in item.items():
                if isinstance(operation, dict) and "x-invalid-request-code" in operation:
                    self._invalid_codes.add(template, method, operation["x-invalid-request-code"])

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        found: dict[str, Callable[..., Any]] = {}
        for concern in CONCERNS:
            found.update(concern.handlers(self.server))
        return found

    def error_for(self, problem: Problem) -> AdminError:
        return error_for(problem, self._invalid_code())

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        """The admin API keeps no state of its own: there is nothing to load."""

    def _invalid_code(self) -> str | None:
        request = current_request.get(None)
        if request is None:
            return None
        method, path = request
        match = self._invalid_codes.match(method, path[len(self.mount_path) :] or "/")
        return match.target if match is not None else None
