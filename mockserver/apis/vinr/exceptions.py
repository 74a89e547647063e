"""VINR's errors: ``{"error": {"type", "code", "message", "param"}}``, Stripe style."""

from __future__ import annotations

from typing import Any

from mockserver.exceptions import MockError, Problem, ProblemKind


class VinrError(MockError):
    """An error response in VINR's format."""

    status = 400
    type = "invalid_request_error"
    code = "parameter_invalid"

    def __init__(
        self,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        status: int | None = None,
        type: str | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code
        if type is not None:
            self.type = type
        self.param = param
        super().__init__(message)

    def body(self) -> dict[str, Any]:
        return {
            "error": {
                "type": self.type,
                "code": self.code,
                "message": self.message,
                "param": self.param,
            }
        }


class InvalidRequest(VinrError):
    """400: a parameter is invalid for a reason the schema cannot express."""


class ResourceMissing(VinrError):
    """404 for an id in the path; 400 (``param`` set) for an id or code in the body."""

    status = 404
    code = "resource_missing"

    def __init__(self, kind: str, ident: str, *, param: str | None = None) -> None:
        super().__init__(
            f"No such {kind}: '{ident}'",
            param=param or "id",
            status=400 if param else 404,
        )


class ResourceExists(VinrError):
    status = 409
    code = "resource_already_exists"


class RedemptionRejected(VinrError):
    """400: the redemption breaks a rule (campaign ended, coupon exhausted, ...)."""


_PROBLEMS: dict[ProblemKind, tuple[int, str, str]] = {
    ProblemKind.MISSING_PARAMETER: (400, "invalid_request_error", "parameter_missing"),
    ProblemKind.INVALID_PARAMETER: (400, "invalid_request_error", "parameter_invalid"),
    ProblemKind.UNKNOWN_PARAMETER: (400, "invalid_request_error", "parameter_unknown"),
    ProblemKind.IMMUTABLE_PARAMETER: (400, "invalid_request_error", "parameter_immutable"),
    ProblemKind.MISSING_BODY: (400, "invalid_request_error", "parameter_missing"),
    ProblemKind.MALFORMED_JSON: (400, "invalid_request_error", "malformed_json"),
    ProblemKind.UNSUPPORTED_MEDIA_TYPE: (415, "invalid_request_error", "unsupported_media_type"),
    ProblemKind.BODY_TOO_LARGE: (413, "invalid_request_error", "body_too_large"),
    ProblemKind.AUTHENTICATION_REQUIRED: (401, "authentication_error", "authentication_required"),
    ProblemKind.INVALID_API_KEY: (401, "authentication_error", "invalid_api_key"),
    ProblemKind.IDEMPOTENCY_MISMATCH: (400, "idempotency_error", "idempotency_error"),
    ProblemKind.ROUTE_NOT_FOUND: (404, "invalid_request_error", "resource_missing"),
    ProblemKind.METHOD_NOT_ALLOWED: (405, "invalid_request_error", "method_not_allowed"),
    ProblemKind.RESPONSE_INVALID: (500, "api_error", "response_validation_failed"),
    ProblemKind.NOT_IMPLEMENTED: (501, "api_error", "not_implemented"),
    ProblemKind.INTERNAL: (500, "api_error", "internal_error"),
}


def error_for(problem: Problem) -> VinrError:
    status, type_, code = _PROBLEMS[problem.kind]
    error = VinrError(problem.message, param=problem.param, code=code, status=status, type=type_)
    if problem.kind == ProblemKind.AUTHENTICATION_REQUIRED or problem.kind == ProblemKind.INVALID_API_KEY:
        error.headers = {"WWW-Authenticate": 'Bearer realm="vinr"'}
    return error
