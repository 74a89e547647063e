"""The proxy's own error answers (a broken response under ``--strict``, an unreachable upstream).

They use the API's error format: a plug-in's (``--api vinr``, ``--api voucherify``) renders
a :class:`~mockserver.exceptions.Problem` with its ``error_for``, exactly as the mock does; for
any other document the proxy answers ``{"error": {"code": ..., "message": ...}}``.
"""

from __future__ import annotations

from mockserver.dispatch import RawHeaders, dumps
from mockserver.exceptions import Problem, ProblemKind
from mockserver.plugins import MockAPI

#: The generic ``code`` for each kind of problem the proxy answers itself.
_GENERIC_CODES = {
    ProblemKind.RESPONSE_INVALID: "contract_violation",
    ProblemKind.INTERNAL: "upstream_unavailable",
}


class ErrorFormat:
    """Renders the proxy's own error answers, in the API's format when a plug-in is known."""

    def __init__(self, api: MockAPI | None = None) -> None:
        self.api = api

    def render(self, problem: Problem, status: int) -> tuple[int, RawHeaders, bytes]:
        headers: RawHeaders = [(b"content-type", b"application/json")]
        if self.api is None:
            code = _GENERIC_CODES.get(problem.kind, str(problem.kind))
            return status, headers, dumps({"error": {"code": code, "message": problem.message}})
        error = self.api.error_for(problem)
        error.status = status
        extra = {**self.api.error_headers(), **error.headers}
        headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        return status, headers, dumps(error.body())
