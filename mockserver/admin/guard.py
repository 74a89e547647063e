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

The body itself is read by the pipeline like any API's: under the size cap, decoded with
the strict decoder (:mod:`mockserver.decoding`: 400 ``malformed_json`` for NaN, Infinity,
integers beyond 64 bits, nesting deeper than 64...), and never acted on when the client goes
away before it is complete.

It also records the request's method and path in :data:`current_request`, which the admin
API reads to give each operation's validation errors their own code.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.admin.errors import AdminError, forbidden
from mockserver.admin.hosts import HostPolicy, host_of
from mockserver.dispatch import RawHeaders

#: (method, path) of the admin request being handled.
current_request: ContextVar[tuple[str, str]] = ContextVar("mockserver_admin_request")

Render = Callable[[AdminError], tuple[int, RawHeaders, bytes]]


class AdminGuard:
    """Refuses cross-site and rebinding requests to the admin API (see the module docstring)."""

    def __init__(self, app: ASGIApp, prefix: str, policy: HostPolicy, render: Render) -> None:
        self.app = app
        self.prefix = prefix
        self.policy = policy
        self.render = render

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        error = self.screen(scope)
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


def _has_body(headers: Headers) -> bool:
    return headers.get("content-length", "0").strip() not in ("", "0") or (
        "transfer-encoding" in headers
    )
