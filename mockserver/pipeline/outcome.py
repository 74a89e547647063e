"""One record per request: what the pipeline's steps found and did, read by its observers.

:class:`~mockserver.middleware.ErrorGuard` opens an :class:`Outcome` for every HTTP request
(API, admin or unmatched) and keeps it in the ASGI scope under :data:`OUTCOME`; the steps
of :class:`~mockserver.middleware.MockMiddleware` fill it in (the operation, the matched
path parameters, what the request's validation found, the fault or ``Prefer`` answer
applied), the response is copied into it as it is sent, and when the request is over the
observers (journal, coverage, access log) read it.

Filling it in must cost next to nothing: the steps store references to what they already
hold (the raw headers, the parsed query, the body bytes), and everything derived from them
(the error code of a response, the credential used, redaction) is computed only when an
observer asks.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import orjson

from mockserver.exceptions import Problem

if TYPE_CHECKING:
    from starlette.datastructures import Headers, QueryParams

    from mockserver.dispatch import RawHeaders
    from mockserver.pipeline.faults import Fault
    from mockserver.runtime import ApiRuntime
    from mockserver.validation import OperationValidator

#: The scope key the outcome of the request travels under.
OUTCOME = "mockserver.outcome"
#: The most of a request or response body an outcome keeps (the rest is cut, and said so).
BODY_CAP = 64 * 1024


class Outcome:
    """What happened to one request. Attributes are filled in by the step that knows them."""

    __slots__ = (
        "id",
        "method",
        "path",
        "raw_query",
        "raw_headers",
        "received_at",
        "started",
        "runtime",
        "admin",
        "operation",
        "path_params",
        "allowed",
        "request_body",
        "request_truncated",
        "parsed",
        "query",
        "headers",
        "cookies",
        "problems",
        "violations",
        "status",
        "response_headers",
        "_chunks",
        "_size",
        "response_truncated",
        "duration_ms",
        "fault",
        "delay_ms",
        "prefer",
        "abandoned",
        "dropped",
    )

    def __init__(self, scope: Mapping[str, Any]) -> None:
        self.id = 0
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.raw_query: bytes = scope.get("query_string", b"")
        self.raw_headers: RawHeaders = scope.get("headers", [])
        #: Wall-clock time the request arrived (Unix seconds), not the mock's clock.
        self.received_at = time.time()
        self.started = time.perf_counter()
        #: The mounted API (or the admin API) the path belongs to; ``None``: none.
        self.runtime: ApiRuntime | None = None
        self.admin = False
        #: The operation the request matched; ``None``: no operation (404, 405, docs).
        self.operation: OperationValidator | None = None
        self.path_params: dict[str, str] = {}
        #: For a 405: the methods the path allows.
        self.allowed: tuple[str, ...] = ()
        self.request_body = b""
        self.request_truncated = False
        #: The request body decoded as JSON, when the pipeline decoded it.
        self.parsed: Any = None
        self.query: QueryParams | None = None
        self.headers: Headers | None = None
        self.cookies: dict[str, str] | None = None
        #: What the pipeline found wrong with the request (security, media type, body,
        #: parameters), all of them; the response names the first.
        self.problems: list[Problem] = []
        #: Why the mock's own response broke the contract (a bug; it became a 500).
        self.violations: list[str] = []
        self.status = 0
        self.response_headers: RawHeaders = []
        self._chunks: list[bytes] = []
        self._size = 0
        self.response_truncated = False
        self.duration_ms = 0.0
        #: The fault applied to the request, if any, and the delay it waited (ms).
        self.fault: Fault | None = None
        self.delay_ms = 0
        #: The ``Prefer`` header's choice the response was built from, if any.
        self.prefer: str | None = None
        #: The client left before its request was complete: nothing was answered.
        self.abandoned = False
        #: The connection was closed without an answer (a ``drop`` fault).
        self.dropped = False

    # -- filled in as the response goes out ---------------------------------------------------

    def sent(self, message: Mapping[str, Any]) -> None:
        """Copy what the application sends (status, headers, the body up to :data:`BODY_CAP`)."""
        kind = message["type"]
        if kind == "http.response.start":
            self.status = message["status"]
            self.response_headers = message.get("headers", [])
        elif kind == "http.response.body":
            chunk = message.get("body", b"")
            if chunk:
                room = BODY_CAP - self._size
                if len(chunk) > room:
                    chunk = chunk[:room]
                    self.response_truncated = True
                if chunk:
                    self._chunks.append(chunk)
                    self._size += len(chunk)

    def finish(self) -> None:
        self.duration_ms = (time.perf_counter() - self.started) * 1000

    # -- derived, on demand --------------------------------------------------------------------

    @property
    def response_body(self) -> bytes:
        chunks = self._chunks
        if len(chunks) > 1:
            self._chunks = chunks = [b"".join(chunks)]
        return chunks[0] if chunks else b""

    @property
    def operation_id(self) -> str | None:
        return self.operation.operation_id if self.operation is not None else None

    @property
    def api_name(self) -> str | None:
        return self.runtime.api.name if self.runtime is not None else None

    @property
    def error_code(self) -> str | None:
        """The code of an error response (``error.code``, Voucherify's ``key``...)."""
        if self.status < 400:
            return None
        return error_code(self.response_body)

    def credential(self) -> str | None:
        """Which credential the request presented, as ``scheme:fingerprint`` (never the secret).

        The fingerprint (the first 12 hex digits of its SHA-256) tells two clients apart.
        """
        runtime = self.runtime
        if runtime is None or self.operation is None or self.headers is None:
            return None
        query = self.query if self.query is not None else {}
        cookies = self.cookies or {}
        for requirement in self.operation.security:
            for name in requirement:
                scheme = runtime.security.schemes.get(name)
                value = scheme.credential(self.headers, query, cookies) if scheme else None
                if value is not None:
                    digest = hashlib.sha256(value.encode()).hexdigest()[:12]
                    return f"{name}:{digest}"
        return None


def error_code(body: bytes) -> str | None:
    """The error code an error body carries, in the common shapes: ``{"error": {"code"}}``
    (VINR, the admin API), ``{"key"}`` (Voucherify), ``{"code": "..."}``."""
    if not body or body[:1] != b"{":
        return None
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(data, dict):
        return None
    nested = data.get("error")
    if isinstance(nested, dict):
        code = nested.get("code") or nested.get("type")
        if isinstance(code, str):
            return code
    for key in ("key", "code", "error"):
        value = data.get(key)
        if isinstance(value, str):
            return value
    return None
