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
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

import orjson
from starlette.datastructures import Headers, QueryParams

from mockserver.exceptions import Problem

if TYPE_CHECKING:
    from mockserver.dispatch import RawHeaders
    from mockserver.pipeline.faults import Fault
    from mockserver.runtime import ApiRuntime
    from mockserver.validation import OperationValidator

#: The scope key the outcome of the request travels under.
OUTCOME = "mockserver.outcome"
#: The most of a request or response body an outcome keeps (the rest is cut, and said so).
BODY_CAP = 64 * 1024


class Outcome:
    """What happened to one request. Attributes are filled in by the step that knows them.

    The defaults are class attributes (immutable values, replaced rather than changed), so
    that opening a record costs the few assignments of :meth:`__init__`.
    """

    #: The mounted API (or the admin API) the path belongs to; ``None``: none.
    runtime: ApiRuntime | None = None
    admin = False
    #: The operation the request matched; ``None``: no operation (404, 405, docs).
    operation: OperationValidator | None = None
    path_params: Mapping[str, str] = {}  # replaced, never changed
    #: For a 405: the methods the path allows.
    allowed: tuple[str, ...] = ()
    request_body = b""
    #: The request body decoded as JSON, when the pipeline decoded it.
    parsed: Any = None
    query: QueryParams | None = None
    headers: Headers | None = None
    cookies: dict[str, str] | None = None
    #: What the pipeline found wrong with the request (security, media type, body,
    #: parameters), all of them; the response names the first.
    problems: Sequence[Problem] = ()
    #: Why the mock's own response broke the contract (a bug; it became a 500).
    violations: Sequence[str] = ()
    status = 0
    response_headers: RawHeaders = []  # replaced, never changed
    _chunks: tuple[bytes, ...] = ()
    _size = 0
    response_truncated = False
    duration_ms = 0.0
    #: The fault applied to the request, if any, and the delay it waited (ms).
    fault: Fault | None = None
    delay_ms = 0
    #: The ``Prefer`` header's choice the response was built from, if any.
    prefer: str | None = None
    #: The client left before its request was complete: nothing was answered.
    abandoned = False
    #: The connection was closed without an answer (a ``drop`` fault).
    dropped = False

    def __init__(self, scope: Mapping[str, Any]) -> None:
        self.method: str = scope["method"]
        self.path: str = scope["path"]
        self.raw_query: bytes = scope.get("query_string", b"")
        self.raw_headers: RawHeaders = scope.get("headers", [])
        #: Wall-clock time the request arrived (Unix seconds), not the mock's clock.
        self.received_at = time.time()
        self.started = time.perf_counter()

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
                    self._chunks += (chunk,)
                    self._size += len(chunk)

    # -- derived, on demand --------------------------------------------------------------------

    @property
    def response_body(self) -> bytes:
        chunks = self._chunks
        if len(chunks) > 1:
            self._chunks = chunks = (b"".join(chunks),)
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
        return credential_of(self.runtime, self.operation, self.raw_headers, self.raw_query)


def credential_of(
    runtime: ApiRuntime | None,
    operation: OperationValidator | None,
    raw_headers: Sequence[tuple[bytes, bytes]],
    raw_query: bytes,
) -> str | None:
    """:meth:`Outcome.credential` of a request given by its raw headers and query string."""
    if runtime is None or operation is None:
        return None
    headers = Headers(raw=list(raw_headers))
    query = QueryParams(raw_query)
    cookies = cookie_values(headers.get("cookie", ""))
    for requirement in operation.security:
        for name in requirement:
            scheme = runtime.security.schemes.get(name)
            value = scheme.credential(headers, query, cookies) if scheme else None
            if value is not None:
                digest = hashlib.sha256(value.encode()).hexdigest()[:12]
                return f"{name}:{digest}"
    return None


def cookie_values(header: str) -> dict[str, str]:
    """The name -> value pairs of a ``Cookie`` header."""
    if not header:
        return {}
    return dict(parse_qsl(header.replace("; ", "&"), keep_blank_values=True))


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
