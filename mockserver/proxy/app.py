"""A validating reverse proxy: real traffic to a real server, checked against the contract.

:class:`ContractProxy` is an ASGI application. For each request it

1. finds the operation (:class:`~mockserver.routing.RouteIndex`, as the mock does) and reads the
   body, holding at most ``max_body`` bytes: a larger body is streamed on unchecked;
2. checks the request with the operation's prepared validators
   (:func:`~mockserver.validation.build_validators`, the mock's own) and the spec's security
   requirements: what fails is a *request* finding (the client broke the contract);
3. forwards it unchanged (method, raw path and query, headers including credentials, body),
   dropping only hop-by-hop headers and adding ``X-Forwarded-For``/``-Host``/``-Proto``,
   through an :class:`~mockserver.proxy.upstream.Upstream`: by default aiohttp's connection
   pool called directly, or any ``httpx.AsyncBaseTransport`` (e.g. ``httpx.ASGITransport`` in
   tests); :mod:`mockserver.proxy.upstream` says why;
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
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import httpx
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.types import Message, Receive, Scope, Send

from mockserver.dispatch import RawHeaders
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.proxy import admin
from mockserver.proxy.errors import ErrorFormat
from mockserver.proxy.report import Finding, Side, ViolationLog
from mockserver.proxy.upstream import (
    AiohttpUpstream,
    Answer,
    HttpxUpstream,
    Upstream,
    UpstreamError,
)
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
#: Request headers the proxy does not pass on as they are.
_SET_ASIDE = HOP_BY_HOP | {b"host", b"x-forwarded-for"}
_NO_QUERY = QueryParams()
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
        upstream: Upstream | None = None,
        timeout: float = 30.0,
        max_connections: int = 100,
    ) -> None:
        if upstream is None:
            if transport is not None:
                upstream = HttpxUpstream(target, transport, timeout=timeout)
            else:
                upstream = AiohttpUpstream(target, timeout=timeout, max_connections=max_connections)
        self.upstream = upstream
        self.target = upstream.target
        self.strict = strict
        self.max_body = max_body
        self.errors = errors or ErrorFormat()
        self.guard = admin.AdminGuard(admin_token)
        self.report = report
        self.log = ViolationLog(self.target, spec_name)
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

    async def aclose(self) -> None:
        """Close the upstream connections and write the report (``--report``)."""
        await self.upstream.aclose()
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
        path: str = scope["path"]
        op, params, label, request_messages = self._operation(method, path)
        self.log.exchanges[label] += 1
        body, complete = await _read_upto(receive, self.max_body)
        if op is not None:
            request_messages = self._check_request(op, params, label, scope, body, complete)
        query: bytes = scope.get("query_string", b"")
        target = (scope.get("raw_path") or quote(path).encode()) + (b"?" + query if query else b"")
        answer: Answer | None = None
        try:
            answer = await self.upstream.send(
                method, target, self._forward_headers(scope), body if complete else _rest(body, receive)
            )
            raw, whole = await answer.read_upto(self.max_body)
        except UpstreamError as exc:
            if answer is not None:
                await answer.aclose()
            log.warning("%s %s: upstream failed: %s", method, path, exc)
            self._record("request", label, method, path, None, request_messages)
            problem = Problem(
                ProblemKind.INTERNAL,
                f"The proxy could not get an answer from {self.target}: {exc.kind}.",
            )
            await _send_whole(send, *self.errors.render(problem, 502))
            return
        try:
            await self._answer(send, answer, raw, whole, op, label, method, path, request_messages)
        finally:
            await answer.aclose()

    async def _answer(
        self,
        send: Send,
        answer: Answer,
        raw: bytes,
        complete: bool,
        op: OperationValidator | None,
        label: str,
        method: str,
        path: str,
        request_messages: list[str],
    ) -> None:
        status = answer.status
        response_messages: list[str] = []
        if op is not None:
            if not complete:
                self.log.notice(label, f"response body over {self.max_body} bytes: not checked")
            elif method == "HEAD":
                self.log.notice(label, "HEAD response: its (absent) body is not checked")
            else:
                response_messages = self._check_response(op, label, answer, raw, request_messages)
        findings = [
            *self._record("request", label, method, path, status, request_messages),
            *self._record("response", label, method, path, status, response_messages),
        ]
        headers = [(k, v) for k, v in answer.headers if k.lower() not in HOP_BY_HOP]
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
        async for chunk in answer.rest():
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
        body: bytes,
        complete: bool,
    ) -> list[str]:
        headers = Headers(scope=scope)
        raw_query: bytes = scope.get("query_string", b"")
        query = QueryParams(raw_query) if raw_query else _NO_QUERY
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
        answer: Answer,
        raw: bytes,
        request_messages: list[str],
    ) -> list[str]:
        status = answer.status
        headers = Headers(raw=[(k.lower(), v) for k, v in answer.headers])
        encoding = headers.get("content-encoding", "identity")
        body = _decode(raw, encoding, self.max_body)
        if body is None:
            self.log.notice(label, f"response with Content-Encoding {encoding}: body not checked")
            return []
        mimetype = headers.get("content-type", "").split(";")[0].strip()
        try:
            messages = op.response_problems(status, body, mimetype, headers)
        except Exception:
            log.exception("validating a response of %s failed", label)
            self.log.notice(label, "the proxy failed to check a response (see its log)")
            return []
        if request_messages and 200 <= status < 300:
            messages.append(
                f"answered {status} to a request that breaks the contract "
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

    def _forward_headers(self, scope: Scope) -> RawHeaders:
        """The client's headers, less hop-by-hop ones (and those ``Connection`` names), with
        ``X-Forwarded-For``/``-Host``/``-Proto``; one pass over them, as it runs per request."""
        headers: RawHeaders = []
        host = forwarded_for = None
        named: set[bytes] = set()
        for key, value in scope["headers"]:
            if key not in _SET_ASIDE:
                headers.append((key, value))
            elif key == b"host":
                host = host or value
            elif key == b"x-forwarded-for":
                forwarded_for = forwarded_for or value
            elif key == b"connection":
                named.update(t.strip().lower().encode() for t in value.decode("latin-1").split(","))
        if named:
            headers = [(k, v) for k, v in headers if k not in named]
        client = scope.get("client")
        if client:
            address = client[0].encode()
            headers.append(
                (b"x-forwarded-for", forwarded_for + b", " + address if forwarded_for else address)
            )
        elif forwarded_for is not None:
            headers.append((b"x-forwarded-for", forwarded_for))
        if host is not None:
            headers.append((b"x-forwarded-host", host))
        headers.append((b"x-forwarded-proto", scope.get("scheme", "http").encode()))
        return headers


# -- helpers ---------------------------------------------------------------------------------


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
