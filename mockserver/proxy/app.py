"""A validating reverse proxy: real traffic to a real server, checked against the contract.

:class:`ContractProxy` is an ASGI application. For each request it

1. finds the operation (:class:`~mockserver.routing.RouteIndex`, as the mock does) and reads the
   body, holding at most ``max_body`` bytes: a larger body is streamed on unchecked;
2. checks the request with the operation's prepared validators
   (:func:`~mockserver.validation.build_validators`, the mock's own) and the spec's security
   requirements: what fails is a *request* finding (the client broke the contract);
3. forwards it unchanged (method, path, query, headers including credentials, body), dropping
   only hop-by-hop headers and adding ``X-Forwarded-For``/``-Host``/``-Proto``, through httpx's
   transport API: by default ``httpx_aiohttp.AiohttpTransport``, aiohttp's connection pool (any
   ``httpx.AsyncBaseTransport`` can stand in, e.g. ``httpx.ASGITransport`` in tests). The
   ``httpx.AsyncClient`` layer above it is left out on purpose: a proxy wants none of its
   policies (redirects, cookie jar, auth), and its per-request cost (the cookie jar alone
   parses every response) was a third of the proxy's;
4. reads the response, again holding at most ``max_body`` bytes, and checks its status, headers
   and body: what fails is a *response* finding (the server broke the contract), and so is a
   2xx answer to a request that broke the contract;
5. passes the response on unchanged, with a ``Contract-Violations`` header (a JSON array of
   short messages) when anything broke the contract; under ``strict``, a response that broke it
   becomes a 502 in the API's error format naming the violation.

Findings are counted in a :class:`~mockserver.proxy.report.ViolationLog`, served at
``/__admin/violations`` (:mod:`mockserver.proxy.admin`) and written to the report at shutdown.
What is passed on without a full check (a body over the limit, an encoding the proxy cannot
decode, a ``HEAD`` response) is counted as "not checked", never silently taken as valid.
"""

from __future__ import annotations

import json
import logging
import zlib
from collections.abc import AsyncIterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.types import Message, Receive, Scope, Send

from mockserver.dispatch import RawHeaders
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.proxy import admin
from mockserver.proxy.errors import ErrorFormat
from mockserver.proxy.report import Finding, Side, ViolationLog
from mockserver.routing import RouteIndex
from mockserver.runtime import DEFAULT_MAX_BODY
from mockserver.security import SecurityPolicy, read_schemes
from mockserver.validation import OperationValidator, build_validators

log = logging.getLogger("mockserver.proxy")

HEADER = b"contract-violations"
#: Hop-by-hop headers (RFC 9110 7.6.1): they describe one connection, never forwarded.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
    }
)
_MAX_MESSAGES = 10
_MAX_MESSAGE_CHARS = 200


class ContractProxy:
    """The ASGI application behind ``mockserver proxy``."""

    def __init__(
        self,
        spec: Mapping[str, Any],
        target: str,
        *,
        spec_name: str = "",
        strict: bool = False,
        max_body: int = DEFAULT_MAX_BODY,
        errors: ErrorFormat | None = None,
        admin_token: str | None = None,
        report: Path | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 30.0,
        max_connections: int = 100,
    ) -> None:
        url = httpx.URL(target)
        if url.scheme not in ("http", "https") or not url.host:
            raise ConfigurationError(f"--target must be an http(s) URL, not {target!r}")
        self.target = url
        self._prefix = url.raw_path.split(b"?")[0].rstrip(b"/")
        self.strict = strict
        self.max_body = max_body
        self.errors = errors or ErrorFormat()
        self.guard = admin.AdminGuard(admin_token)
        self.report = report
        self.log = ViolationLog(str(url), spec_name)
        try:
            openapi = OpenAPI.from_dict(dict(spec))
        except Exception as exc:  # openapi-spec-validator's errors, whichever they are
            raise ConfigurationError(f"{spec_name or 'the spec'} is not a valid OpenAPI document: {exc}") from exc
        self.validators = build_validators(openapi)
        self.routes: RouteIndex[OperationValidator] = RouteIndex()
        for op in self.validators.values():
            self.routes.add(op.path_template, op.method, op)
        self.base_path = _server_path(spec)
        self.security = SecurityPolicy(read_schemes(spec), frozenset())
        self.transport = transport or AiohttpTransport(client=partial(_session, max_connections))
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}

    async def aclose(self) -> None:
        """Close the upstream connections and write the report (``--report``)."""
        await self.transport.aclose()
        if self.report is not None:
            self.log.write(self.report)
            log.info("report written to %s", self.report)

    # -- ASGI ------------------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            raise RuntimeError(f"the proxy does not handle {scope['type']} connections")
        if scope["path"] == admin.PATH:
            status, headers, body = admin.answer(
                scope["method"], Headers(scope=scope), self.guard, self.log
            )
            await _send_whole(send, status, headers, body)
            return
        await self._exchange(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- one exchange ----------------------------------------------------------------------

    async def _exchange(self, scope: Scope, receive: Receive, send: Send) -> None:
        method: str = scope["method"]
        headers = Headers(scope=scope)
        op, params, label, request_messages = self._operation(method, scope["path"])
        self.log.exchanges[label] += 1
        body, complete = await _read_upto(receive, self.max_body)
        if op is not None:
            request_messages = self._check_request(op, params, label, scope, headers, body, complete)
        outgoing = httpx.Request(
            method,
            self._url(scope),
            headers=self._forward_headers(scope),
            content=body if complete else _rest(body, receive),
            extensions=self._extensions,
        )
        try:
            response = await self.transport.handle_async_request(outgoing)
        except (httpx.HTTPError, aiohttp.ClientError, TimeoutError, OSError) as exc:
            # (httpx-aiohttp maps most of aiohttp's errors to httpx's, not every one)
            log.warning("%s %s: upstream failed: %r", method, scope["path"], exc)
            self._record("request", label, method, scope["path"], None, request_messages)
            problem = Problem(
                ProblemKind.INTERNAL,
                f"The proxy could not get an answer from {self.target}: {type(exc).__name__}.",
            )
            await _send_whole(send, *self.errors.render(problem, 502))
            return
        try:
            await self._answer(send, response, op, label, method, scope["path"], request_messages)
        finally:
            await response.aclose()

    async def _answer(
        self,
        send: Send,
        response: httpx.Response,
        op: OperationValidator | None,
        label: str,
        method: str,
        path: str,
        request_messages: list[str],
    ) -> None:
        chunks = response.aiter_raw()
        raw, complete = await _gather(chunks, self.max_body)
        status = response.status_code
        response_messages: list[str] = []
        if op is not None:
            if not complete:
                self.log.notice(label, f"response body over {self.max_body} bytes: not checked")
            elif method == "HEAD":
                self.log.notice(label, "HEAD response: its (absent) body is not checked")
            else:
                response_messages = self._check_response(op, label, response, raw, request_messages)
        findings = [
            *self._record("request", label, method, path, status, request_messages),
            *self._record("response", label, method, path, status, response_messages),
        ]
        headers = [(k, v) for k, v in response.headers.raw if k.lower() not in HOP_BY_HOP]
        if findings:
            headers.append((HEADER, _header_value(findings)))
        if self.strict and response_messages and complete:
            problem = Problem(
                ProblemKind.RESPONSE_INVALID,
                f"The upstream's {status} response to {label} breaks the contract: "
                f"{response_messages[0]}",
            )
            status, error_headers, error_body = self.errors.render(problem, 502)
            await _send_whole(send, status, [*error_headers, (HEADER, headers[-1][1])], error_body)
            return
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if complete:
            await send({"type": "http.response.body", "body": raw})
            return
        await send({"type": "http.response.body", "body": raw, "more_body": True})
        async for chunk in chunks:
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})

    # -- checks ----------------------------------------------------------------------------

    def _operation(
        self, method: str, path: str
    ) -> tuple[OperationValidator | None, dict[str, str], str, list[str]]:
        """(operation, path parameters, label for reports, findings when there is no operation)."""
        relative = path
        if self.base_path and (path == self.base_path or path.startswith(self.base_path + "/")):
            relative = path[len(self.base_path) :] or "/"
        match = self.routes.match(method, relative)
        if match is not None and match.target is None and method == "HEAD" and "GET" in match.allowed:
            match = self.routes.match("GET", relative)
        label = f"{method} (undocumented)"
        if match is None:
            return None, {}, label, [f"the spec has no path matching {path}"]
        if match.target is None:
            allowed = ", ".join(match.allowed)
            return None, {}, label, [f"the spec does not allow {method} on {path} (only {allowed})"]
        return match.target, match.params, match.target.operation_id, []

    def _check_request(
        self,
        op: OperationValidator,
        path_params: dict[str, str],
        label: str,
        scope: Scope,
        headers: Headers,
        body: bytes,
        complete: bool,
    ) -> list[str]:
        query = QueryParams(scope.get("query_string", b""))
        cookies = _cookies(headers)
        messages = []
        problem = self.security.check(op.security, headers, query, cookies)
        if problem is not None:
            messages.append(problem.message)
        parameters = RequestParameters(
            query=query, header=headers, cookie=cookies, path=path_params
        )
        if not complete:
            self.log.notice(label, f"request body over {self.max_body} bytes: not checked")
        try:
            problems, _ = op.validate_request(
                parameters,
                body if complete and body else None,
                headers.get("content-type", "application/json"),
            )
        except Exception:  # a validator crash is the proxy's bug: report it, pass the traffic
            log.exception("validating a request to %s failed", label)
            self.log.notice(label, "the proxy failed to check a request (see its log)")
            return messages
        skip = {ProblemKind.MISSING_BODY} if not complete else set()
        messages += [p.message for p in problems if p.kind not in skip]
        return messages

    def _check_response(
        self,
        op: OperationValidator,
        label: str,
        response: httpx.Response,
        raw: bytes,
        request_messages: list[str],
    ) -> list[str]:
        encoding = response.headers.get("content-encoding", "identity")
        body = _decode(raw, encoding, self.max_body)
        if body is None:
            self.log.notice(label, f"response with Content-Encoding {encoding}: body not checked")
            return []
        mimetype = response.headers.get("content-type", "").split(";")[0].strip()
        try:
            messages = op.response_problems(response.status_code, body, mimetype, response.headers)
        except Exception:
            log.exception("validating a response of %s failed", label)
            self.log.notice(label, "the proxy failed to check a response (see its log)")
            return []
        if request_messages and 200 <= response.status_code < 300:
            messages.append(
                f"answered {response.status_code} to a request that breaks the contract "
                f"({request_messages[0]})"
            )
        return messages

    def _record(
        self, side: Side, label: str, method: str, path: str, status: int | None, messages: list[str]
    ) -> list[Finding]:
        """Count the findings; log each distinct one the first time it is seen."""
        if not messages:
            return []
        findings = self.log.record(side, label, method, path, status, messages)
        for finding in findings:
            if finding.count == 1:
                shown = status if status is not None else "no answer"
                log.warning("%s %s -> %s: %s", method, path, shown, finding.short())
        return findings

    # -- forwarding ------------------------------------------------------------------------

    def _url(self, scope: Scope) -> httpx.URL:
        raw_path = scope.get("raw_path") or quote(scope["path"]).encode()
        query = scope.get("query_string", b"")
        target = self._prefix + raw_path + (b"?" + query if query else b"")
        return self.target.copy_with(raw_path=target)

    def _forward_headers(self, scope: Scope) -> RawHeaders:
        raw: RawHeaders = scope["headers"]
        named = {
            token.strip().lower().encode()
            for key, value in raw
            if key == b"connection"
            for token in value.decode("latin-1").split(",")
        }
        headers = [
            (key, value)
            for key, value in raw
            if key not in HOP_BY_HOP and key != b"host" and key not in named
        ]
        client = scope.get("client")
        if client:
            forwarded_for = next((v for k, v in raw if k == b"x-forwarded-for"), None)
            address = client[0].encode()
            headers = [(k, v) for k, v in headers if k != b"x-forwarded-for"]
            headers.append(
                (b"x-forwarded-for", forwarded_for + b", " + address if forwarded_for else address)
            )
        host = next((v for k, v in raw if k == b"host"), None)
        if host is not None:
            headers.append((b"x-forwarded-host", host))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        return headers


# -- helpers ---------------------------------------------------------------------------------


def _session(max_connections: int) -> aiohttp.ClientSession:
    """The connection pool under the httpx client, set up to change nothing on the way.

    httpcore's pool scans every connection on every request (a poll per connection), which
    made the proxy several times slower than its upstream; aiohttp's pool and C parser do not.
    No header of its own is added (no ``User-Agent``, ``Accept``, ``Accept-Encoding`` or
    ``Content-Type`` the client did not send), nothing is decompressed, no cookie is kept.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(limit=max_connections),
        auto_decompress=False,
        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


def _server_path(spec: Mapping[str, Any]) -> str:
    """The path of the document's first server URL (its variables at their defaults), if any."""
    servers = spec.get("servers") or []
    if not servers or not isinstance(servers[0], Mapping):
        return ""
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        url = url.replace("{" + name + "}", str(variable.get("default", "")))
    return urlsplit(url).path.rstrip("/")


async def _read_upto(receive: Receive, limit: int) -> tuple[bytes, bool]:
    """The request body, whole (``True``), or its first chunks past ``limit`` (``False``)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message: Message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > limit:
            return b"".join(chunks), False


async def _rest(head: bytes, receive: Receive) -> AsyncIterator[bytes]:
    """The body streamed on: what was read already, then the rest as it arrives."""
    yield head
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return
        chunk = message.get("body", b"")
        if chunk:
            yield chunk
        if not message.get("more_body", False):
            return


async def _gather(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bool]:
    """The response body, whole (``True``), or its first chunks past ``limit`` (``False``)."""
    parts: list[bytes] = []
    size = 0
    async for chunk in chunks:
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(parts), False
    return b"".join(parts), True


def _decode(raw: bytes, encoding: str, limit: int) -> bytes | None:
    """``raw`` without its Content-Encoding (``None``: an encoding not decoded, or too large)."""
    codings = [c.strip().lower() for c in encoding.split(",") if c.strip()]
    body = raw
    for coding in reversed(codings):
        if coding == "identity":
            continue
        if coding not in ("gzip", "x-gzip", "deflate"):
            return None
        wbits = zlib.MAX_WBITS | 16 if coding != "deflate" else zlib.MAX_WBITS
        try:
            decoder = zlib.decompressobj(wbits)
            body = decoder.decompress(body, limit + 1)
        except zlib.error:
            if coding != "deflate":
                return None
            try:  # "deflate" sent as a raw stream, as some servers do
                decoder = zlib.decompressobj(-zlib.MAX_WBITS)
                body = decoder.decompress(body, limit + 1)
            except zlib.error:
                return None
        if len(body) > limit:
            return None
    return body


def _header_value(findings: list[Finding]) -> bytes:
    messages = [
        f.short()[:_MAX_MESSAGE_CHARS] for f in findings[:_MAX_MESSAGES]
    ]
    if len(findings) > _MAX_MESSAGES:
        messages.append(f"... and {len(findings) - _MAX_MESSAGES} more")
    return json.dumps(messages, ensure_ascii=True).encode("ascii")


def _cookies(headers: Headers) -> dict[str, str]:
    raw = headers.get("cookie")
    if not raw:
        return {}
    return dict(parse_qsl(raw.replace("; ", "&"), keep_blank_values=True))


async def _send_whole(send: Send, status: int, headers: RawHeaders, body: bytes) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
