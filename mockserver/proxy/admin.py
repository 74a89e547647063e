"""The proxy's own admin endpoint, ``/__admin/violations``, and who may read it.

``GET`` lists the findings so far (as the JSON report), ``DELETE`` clears them. Every call
needs ``Authorization: Bearer <token>``: any non-empty token unless the proxy was started with
``--admin-token``, then exactly that one (401 otherwise). A request whose ``Origin`` is not the
proxy itself (a web page elsewhere driving a browser at it) is refused with 403, whatever its
token. Only this path is the proxy's: every other ``/__admin`` path goes to the upstream.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from urllib.parse import urlsplit

import orjson

from mockserver.proxy.report import ViolationLog

PATH = "/__admin/violations"

Answer = tuple[int, list[tuple[bytes, bytes]], bytes]


class AdminGuard:
    """Bearer-token and same-origin checks for the proxy's admin endpoint."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token or None

    def refusal(self, headers: Mapping[str, str]) -> Answer | None:
        """The 401/403 answer for a request that may not use the admin endpoint, else ``None``."""
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, headers.get("host", "")):
            return _json(403, {"error": {"code": "forbidden_origin", "message": (
                f"Requests from origin {origin!r} may not use the proxy's admin API."
            )}})
        scheme, _, token = headers.get("authorization", "").partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return _unauthorized("Send the admin token as `Authorization: Bearer <token>`.")
        if self.token is not None and not hmac.compare_digest(token.encode(), self.token.encode()):
            return _unauthorized("Invalid admin token.")
        return None


def answer(method: str, headers: Mapping[str, str], guard: AdminGuard, log: ViolationLog) -> Answer:
    refused = guard.refusal(headers)
    if refused is not None:
        return refused
    if method == "GET":
        return _json(200, log.as_json())
    if method == "DELETE":
        log.clear()
        return _json(200, log.as_json())
    status, headers_, body = _json(
        405, {"error": {"code": "method_not_allowed", "message": f"{method} is not allowed on {PATH}."}}
    )
    return status, [*headers_, (b"allow", b"GET, DELETE")], body


def _same_origin(origin: str, host: str) -> bool:
    """Whether ``origin`` names the host the request was sent to (scheme aside)."""
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return False  # "null", file:, extensions...
    default = "443" if parts.scheme == "https" else "80"
    return _host_port(parts.netloc, default) == _host_port(host, default)


def _host_port(netloc: str, default: str) -> tuple[str, str]:
    host, sep, port = netloc.rpartition(":")
    if not sep or "]" in port:  # no port (or the tail of an IPv6 literal)
        return netloc.lower(), default
    return host.lower(), port


def _json(status: int, payload: object) -> Answer:
    return status, [(b"content-type", b"application/json")], orjson.dumps(payload)


def _unauthorized(message: str) -> Answer:
    status, headers, body = _json(401, {"error": {"code": "unauthorized", "message": message}})
    return status, [*headers, (b"www-authenticate", b'Bearer realm="mockserver-proxy"')], body
