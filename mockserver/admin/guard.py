"""What browsers could do to the admin API, refused before the engine sees the request.

The token check, body decoding and validation happen in the engine's pipeline
(:mod:`mockserver.middleware`), as for every mocked API. This ASGI middleware, placed in
front of it for ``/__admin`` paths only, refuses what a web page the developer visits could
otherwise send to a mock on their machine:

* a ``Host`` the mock does not answer to (403 ``forbidden_host``: DNS rebinding);
* an ``Origin`` from another site, or ``Sec-Fetch-Site: cross-site`` (403 ``forbidden_origin``);
* ``OPTIONS``, i.e. CORS preflights (403 ``preflight_refused``): without a granted
  preflight a browser never sends the ``Authorization`` header cross-site;
* a body or ``Content-Type`` that is not JSON (415 ``unsupported_media_type``), which is
  what HTML forms and "simple" cross-site requests send.

It reads the body (at most ``max_body`` bytes, else 413 ``body_too_large``) and decodes it
with the strict decoder (:mod:`mockserver.decoding`: 400 ``malformed_json`` for NaN,
Infinity, integers beyond 64 bits, nesting deeper than 64...), then hands the same bytes on.
A client that goes away before its body is complete gets nothing done.

It also records the request's method and path in :data:`current_request`, which the admin
API reads to give each operation's validation errors their own code.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver import decoding
from mockserver.admin.errors import AdminError, forbidden
from mockserver.admin.hosts import HostPolicy, host_of
from mockserver.dispatch import RawHeaders

#: (method, path) of the admin request being handled.
current_request: ContextVar[tuple[str, str]] = ContextVar("mockserver_admin_request")

Render = Callable[[AdminError], tuple[int, RawHeaders, bytes]]


class AdminGuard:
    """Refuses cross-site and rebinding requests to the admin API (see the module docstring)."""

    def __init__(
        self, app: ASGIApp, prefix: str, policy: HostPolicy, render: Render, max_body: int
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.policy = policy
        self.render = render
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        error = self.screen(scope)
        if error is None and _has_body(Headers(scope=scope)):
            body, error = await self._read_strict(Headers(scope=scope), receive)
            if body is None and error is None:
                return  # the client left before its body was complete: nothing to do
            if body is not None:
                receive = _replay(body, receive)
        if error is not None:
            status, headers, body = self.render(error)
            headers = [*headers, (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            head = scope["method"] == "HEAD"
            await send({"type": "http.response.body", "body": b"" if head else body})
            return
        token = current_request.set((scope["method"], path))
        try:
            await self.app(scope, receive, send)
        finally:
            current_request.reset(token)

    def screen(self, scope: Scope) -> AdminError | None:
        headers = Headers(scope=scope)
        raw_host = headers.get("host")
        host = host_of(raw_host) if raw_host is not None else None
        if raw_host is not None and (host is None or not self.policy.host_allowed(host)):
            return forbidden(
                "forbidden_host",
                f"The admin API does not answer to Host {raw_host!r}: use 127.0.0.1, localhost, "
                "the address the mock is bound to, or start it with --allowed-host NAME.",
            )
        origin = headers.get("origin")
        if origin is not None and not self.policy.origin_allowed(origin, host):
            return forbidden(
                "forbidden_origin",
                f"The admin API refuses requests from Origin {origin!r}: only pages on loopback "
                "or an --allowed-host may call it.",
            )
        if headers.get("sec-fetch-site", "").lower() == "cross-site":
            return forbidden(
                "forbidden_origin", "The admin API refuses cross-site requests (Sec-Fetch-Site)."
            )
        if scope["method"] == "OPTIONS":
            return forbidden(
                "preflight_refused",
                "The admin API refuses OPTIONS and CORS preflights: call it from a client, "
                "not from a web page on another origin.",
            )
        content_type = headers.get("content-type")
        if content_type is not None or _has_body(headers):
            mimetype = (content_type or "").split(";")[0].strip().lower()
            if mimetype != "application/json" and not mimetype.endswith("+json"):
                shown = mimetype or "none"
                return AdminError(
                    415,
                    "unsupported_media_type",
                    f"Unsupported Content-Type {shown!r}: the admin API takes application/json.",
                )
        return None

    async def _read_strict(
        self, headers: Headers, receive: Receive
    ) -> tuple[bytes | None, AdminError | None]:
        """The whole body, decoded strictly; ``(None, None)`` when the client left first."""
        too_large = AdminError(
            413, "body_too_large", f"The request body exceeds the limit of {self.max_body} bytes."
        )
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_body:
            return None, too_large
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None, None
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                return None, too_large
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if body:
            try:
                decoding.loads(body)
            except decoding.DecodeError as exc:
                return None, AdminError(400, "malformed_json", exc.message, exc.pointer)
        return body, None


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0").strip() not in ("", "0") or (
        "transfer-encoding" in headers
    )


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then whatever ``receive`` gives (a disconnect)."""
    pending = True

    async def replayed() -> Message:
        nonlocal pending
        if pending:
            pending = False
            message: dict[str, Any] = {"type": "http.request", "body": body, "more_body": False}
            return message
        return await receive()

    return replayed
