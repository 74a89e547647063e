"""Errors shared by the engine and every API.

The engine never builds an API's error body itself. It describes what went wrong
as a :class:`Problem` and asks the API (see :mod:`mockserver.plugins`) to turn it
into a :class:`MockError`, the exception type every API's domain errors derive
from. A ``MockError`` knows its HTTP status and renders its own body, in the
API's own error format.
"""

from __future__ import annotations

import enum
import http
from dataclasses import dataclass
from typing import Any


class ProblemKind(enum.StrEnum):
    """What the engine found wrong with a request (or, for ``RESPONSE_INVALID``, a response)."""

    MISSING_PARAMETER = "missing_parameter"
    INVALID_PARAMETER = "invalid_parameter"
    UNKNOWN_PARAMETER = "unknown_parameter"
    IMMUTABLE_PARAMETER = "immutable_parameter"
    MISSING_BODY = "missing_body"
    MALFORMED_JSON = "malformed_json"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    BODY_TOO_LARGE = "body_too_large"
    AUTHENTICATION_REQUIRED = "authentication_required"
    INVALID_API_KEY = "invalid_api_key"
    IDEMPOTENCY_MISMATCH = "idempotency_mismatch"
    ROUTE_NOT_FOUND = "route_not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    RESPONSE_INVALID = "response_invalid"
    #: The spec defines the operation but the API has no handler for it.
    NOT_IMPLEMENTED = "not_implemented"
    INTERNAL = "internal"


_STATUS = {
    ProblemKind.MISSING_PARAMETER: 400,
    ProblemKind.INVALID_PARAMETER: 400,
    ProblemKind.UNKNOWN_PARAMETER: 400,
    ProblemKind.IMMUTABLE_PARAMETER: 400,
    ProblemKind.MISSING_BODY: 400,
    ProblemKind.MALFORMED_JSON: 400,
    ProblemKind.UNSUPPORTED_MEDIA_TYPE: 415,
    ProblemKind.BODY_TOO_LARGE: 413,
    ProblemKind.AUTHENTICATION_REQUIRED: 401,
    ProblemKind.INVALID_API_KEY: 401,
    ProblemKind.IDEMPOTENCY_MISMATCH: 400,
    ProblemKind.ROUTE_NOT_FOUND: 404,
    ProblemKind.METHOD_NOT_ALLOWED: 405,
    ProblemKind.RESPONSE_INVALID: 500,
    ProblemKind.NOT_IMPLEMENTED: 501,
    ProblemKind.INTERNAL: 500,
}


@dataclass(frozen=True)
class Problem:
    """An API-neutral description of an error the engine detected."""

    kind: ProblemKind
    message: str
    param: str | None = None
    #: Where ``param`` lives: ``"query"``, ``"path"``, ``"header"``, ``"cookie"`` or ``"body"``.
    location: str | None = None
    #: For a value breaking a schema rule: the JSON Schema keyword it broke (``enum``,
    #: ``type``, ``required``, ``maximum``, ...), what the rule expects (the enum's values,
    #: the type, ...) and the value sent, so an API can word the error its own way.
    rule: str | None = None
    expected: Any = None
    value: Any = None

    @property
    def status(self) -> int:
        return _STATUS[self.kind]


class MockError(Exception):
    """Base of every error that becomes an HTTP error response.

    Subclasses (one family per API) set ``status`` and implement :meth:`body`.
    """

    status: int = 500
    headers: dict[str, str] = {}

    def __init__(self, message: str | None = None) -> None:
        self.message = message or http.HTTPStatus(self.status).phrase
        super().__init__(self.message)

    def body(self) -> Any:
        """The JSON-serialisable error body, in the API's own format.

        Every API overrides this; the plain form here only serves engine-level
        errors raised before an API is known.
        """
        return {"message": self.message}


class ConfigurationError(Exception):
    """The mock cannot start: a bad spec, fixture or option. The message says which and why."""
