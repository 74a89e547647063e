"""Voucherify's errors: ``{"code", "key", "message", "details", "request_id"}``.

Every error the mock sends for this API is a :class:`VoucherifyError`, rendered
in the vendor's format (404s also name the resource with ``resource_id`` and
``resource_type``). The engine's own findings (:class:`Problem`) are mapped by
:func:`error_for`.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from mockserver.exceptions import MockError, Problem, ProblemKind


def new_request_id() -> str:
    """A request id like the vendor's, e.g. ``v-0a885062c80375740f``."""
    return "v-" + secrets.token_hex(9)


class VoucherifyError(MockError):
    """An error response in Voucherify's format."""

    status = 400
    key = "invalid_payload"
    summary = "Invalid payload"

    def __init__(
        self,
        details: str,
        *,
        status: int | None = None,
        key: str | None = None,
        summary: str | None = None,
        resource_id: str | None = None,
        resource_type: str | None = None,
    ) -> None:
        if status is not None:
            self.status = status
        if key is not None:
            self.key = key
        if summary is not None:
            self.summary = summary
        self.details = details
        self.resource_id = resource_id
        self.resource_type = resource_type
        self.request_id = new_request_id()
        super().__init__(self.summary)

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "code": self.status,
            "key": self.key,
            "message": self.summary,
            "details": self.details,
            "request_id": self.request_id,
        }
        if self.resource_id is not None:
            body["resource_id"] = self.resource_id
        if self.resource_type is not None:
            body["resource_type"] = self.resource_type
        return body


class InvalidPayload(VoucherifyError):
    """400: the request body is malformed or breaks a rule."""


class InvalidQueryParams(VoucherifyError):
    """400: a query (or path) parameter is invalid."""

    key = "invalid_query_params"
    summary = "Invalid query params"


class NotFound(VoucherifyError):
    """404: no ``resource_type`` with this id (or name)."""

    status = 404
    key = "not_found"
    summary = "Resource not found"

    def __init__(self, resource_type: str, resource_id: str) -> None:
        super().__init__(
            f"Cannot find {resource_type} with id {resource_id}",
            resource_id=resource_id,
            resource_type=resource_type,
        )


class DuplicateFound(VoucherifyError):
    """409: a resource with the same unique key already exists."""

    status = 409
    key = "duplicate_found"
    summary = "Duplicated resource found"


#: ProblemKind -> (status, key, message). Query/path problems are told apart from body
#: problems by :func:`_is_parameter_problem`.
_PROBLEMS: dict[ProblemKind, tuple[int, str, str]] = {
    ProblemKind.MISSING_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.INVALID_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.UNKNOWN_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.IMMUTABLE_PARAMETER: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.MISSING_BODY: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.MALFORMED_JSON: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.IDEMPOTENCY_MISMATCH: (400, "invalid_payload", "Invalid payload"),
    ProblemKind.UNSUPPORTED_MEDIA_TYPE: (415, "unsupported_media_type", "Unsupported Media Type"),
    ProblemKind.BODY_TOO_LARGE: (413, "query_too_large", "Request too large"),
    ProblemKind.AUTHENTICATION_REQUIRED: (401, "unauthorized", "Unauthorized"),
    ProblemKind.INVALID_API_KEY: (401, "unauthorized", "Unauthorized"),
    ProblemKind.ROUTE_NOT_FOUND: (404, "not_found", "Resource not found"),
    ProblemKind.METHOD_NOT_ALLOWED: (405, "method_not_allowed", "HTTP Method Not Allowed"),
    ProblemKind.RESPONSE_INVALID: (500, "internal_error", "Internal Server Error"),
    ProblemKind.NOT_IMPLEMENTED: (501, "not_implemented", "Not Implemented"),
    ProblemKind.INTERNAL: (500, "internal_error", "Internal Server Error"),
}

def _is_parameter_problem(problem: Problem) -> bool:
    return problem.location in ("query", "path", "header", "cookie")


def error_for(problem: Problem) -> VoucherifyError:
    """The vendor-format error for a problem the engine found."""
    status, key, summary = _PROBLEMS[problem.kind]
    if status == 400 and problem.location == "path":
        # A path that no campaign id or name can match names no resource: the vendor
        # answers 404 there (and documents no 400 for the operations that take an id).
        status, key, summary = _PROBLEMS[ProblemKind.ROUTE_NOT_FOUND]
    elif status == 400 and _is_parameter_problem(problem):
        key, summary = InvalidQueryParams.key, InvalidQueryParams.summary
    return VoucherifyError(_clarify(problem), status=status, key=key, summary=summary)


# -- the vendor's wording -----------------------------------------------------------------
#
# The vendor words a property that breaks its schema as
# ``<property>: must be equal to one of A,B (actual value is 'X')`` (the official document's
# own import failures read ``unit: must be a number, property is required (actual value is
# 'EUR')``). Body problems the engine found are worded that way from the rule they broke;
# any other problem keeps the engine's words.

_ARTICLES = {"integer": "an integer", "object": "an object", "array": "an array"}


def _actual(value: Any) -> str:
    if isinstance(value, str):
        return repr(value) if "'" not in value else json.dumps(value)
    return json.dumps(value, default=str)[:200]


def _clarify(problem: Problem) -> str:
    if problem.location != "body" or not problem.param:
        return problem.message
    name = problem.param
    if problem.rule == "required":
        return f"{name}: property is required"
    if problem.rule == "enum" and isinstance(problem.expected, (list, tuple)):
        allowed = ",".join(str(v) for v in problem.expected if v is not None)
        return f"{name}: must be equal to one of {allowed} (actual value is {_actual(problem.value)})"
    if problem.rule == "type" and isinstance(problem.expected, str):
        kind = _ARTICLES.get(problem.expected, f"a {problem.expected}")
        return f"{name}: must be {kind} (actual value is {_actual(problem.value)})"
    return problem.message
