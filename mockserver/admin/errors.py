"""The admin API's one error format: ``{"error": {"code", "message", "param"}}``.

``param`` (the field at fault) is present only when there is one. The codes are listed in
the admin document's ``Error`` schema; a test keeps the two lists equal.
"""

from __future__ import annotations

from typing import Any

from mockserver.exceptions import MockError, Problem, ProblemKind

#: Engine-detected problems -> (status, code). Validation problems (400) take the operation's
#: ``x-invalid-request-code`` when it declares one (``invalid_clock`` for the clock).
_PROBLEMS: dict[ProblemKind, tuple[int, str]] = {
    ProblemKind.MISSING_PARAMETER: (400, "invalid_request"),
    ProblemKind.INVALID_PARAMETER: (400, "invalid_request"),
    ProblemKind.UNKNOWN_PARAMETER: (400, "invalid_request"),
    ProblemKind.IMMUTABLE_PARAMETER: (400, "invalid_request"),
    ProblemKind.MISSING_BODY: (400, "invalid_request"),
    ProblemKind.IDEMPOTENCY_MISMATCH: (400, "invalid_request"),
    ProblemKind.MALFORMED_JSON: (400, "malformed_json"),
    ProblemKind.UNSUPPORTED_MEDIA_TYPE: (415, "unsupported_media_type"),
    ProblemKind.BODY_TOO_LARGE: (413, "body_too_large"),
    ProblemKind.AUTHENTICATION_REQUIRED: (401, "authentication_required"),
    ProblemKind.INVALID_API_KEY: (401, "invalid_token"),
    ProblemKind.ROUTE_NOT_FOUND: (404, "not_found"),
    ProblemKind.METHOD_NOT_ALLOWED: (405, "method_not_allowed"),
    ProblemKind.RESPONSE_INVALID: (500, "response_invalid"),
    ProblemKind.NOT_IMPLEMENTED: (501, "not_implemented"),
    ProblemKind.INTERNAL: (500, "internal_error"),
}

#: Codes raised by the admin API itself rather than mapped from the engine's problems.
OWN_CODES = frozenset(
    {"invalid_clock", "journal_disabled", "forbidden_host", "forbidden_origin", "preflight_refused"}
)

#: Every code an admin error can carry.
CODES = frozenset(code for _, code in _PROBLEMS.values()) | OWN_CODES

_VALIDATION_KINDS = frozenset(
    kind for kind, (status, code) in _PROBLEMS.items() if code == "invalid_request"
)


class AdminError(MockError):
    """An error response of the admin API."""

    def __init__(self, status: int, code: str, message: str, param: str | None = None) -> None:
        self.status = status
        self.code = code
        self.param = param
        super().__init__(message)

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.param is not None:
            error["param"] = self.param
        return {"error": error}


def error_for(problem: Problem, invalid_code: str | None = None) -> AdminError:
    """The admin error for an engine-detected problem (``invalid_code`` replaces
    ``invalid_request`` for validation problems, per operation)."""
    status, code = _PROBLEMS[problem.kind]
    if invalid_code is not None and problem.kind in _VALIDATION_KINDS:
        code = invalid_code
    error = AdminError(status, code, problem.message, problem.param)
    if status == 401:
        error.headers = {"WWW-Authenticate": 'Bearer realm="mockserver-admin"'}
    return error


def forbidden(code: str, message: str) -> AdminError:
    return AdminError(403, code, message)
