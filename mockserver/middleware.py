"""The engine's request pipeline: one ASGI middleware serving every mounted API.

It sits in Connexion's stack in front of Connexion's own routing, and for a request
whose path and method the spec defines (found with :class:`~mockserver.routing.RouteIndex`):

1. enforces the spec's security requirements (401);
2. reads the body under a size cap (413), checks its media type (415) and parses
   it (400 for malformed JSON);
3. validates parameters and body with openapi-core, prepared per operation
   (:mod:`mockserver.validation`; 400 naming the parameter);
4. replays or records idempotent creates;
5. calls the API's handler with the validated values (:mod:`mockserver.dispatch`),
   turning the API's domain errors into responses;
6. validates the response with openapi-core: a response that breaks the contract
   becomes a 500 saying so, is logged, and is recorded in ``violations`` so a
   test run can never pass with one;
7. logs one line: method, path, operationId, status, duration.

A path the spec does not define goes on down Connexion's stack (Swagger UI, the
served spec, Connexion's 404). A path it defines with another method gets a 405
with ``Allow``, in the API's error format.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.dispatch import RawHeaders, current_scope
from mockserver.exceptions import MockError, Problem, ProblemKind
from mockserver.runtime import ApiRuntime, MockServer, Violation
from mockserver.store import CachedResponse
from mockserver.validation import OperationValidator

access_log = logging.getLogger("mockserver.access")
log = logging.getLogger("mockserver")

JSON_TYPES = ("application/json",)

Response = tuple[int, RawHeaders, bytes]


class MockMiddleware:
    """Security, body handling, validation, dispatch, idempotency and logging for every API."""

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        runtime = self.server.runtime_for_path(path)
        match = None
        if runtime is not None:
            relative = path[len(runtime.base_path) :] or "/"
            match = runtime.match(scope["method"], relative)
            head = scope["method"] == "HEAD"
            if head and match is not None and match.target is None and "GET" in match.allowed:
                # HEAD is GET without the body (RFC 9110), as Starlette answers it
                match = runtime.match("GET", relative)
        if runtime is None or match is None:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        op = match.target
        if op is None:
            status, headers, body = runtime.problem_response(
                Problem(ProblemKind.METHOD_NOT_ALLOWED, f"{scope['method']} is not allowed on {path}.")
            )
            headers.append((b"allow", ", ".join(match.allowed).encode()))
        else:
            status, headers, body = await self._handle(runtime, op, match.params, scope, receive)
        await _send_response(send, status, headers, body, head=scope["method"] == "HEAD")
        if access_log.isEnabledFor(logging.INFO):
            access_log.info(
                "%s %s %s %d %.1fms",
                scope["method"],
                path,
                op.operation_id if op is not None else "-",
                status,
                (time.perf_counter() - started) * 1000,
            )

    async def _handle(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        path_params: dict[str, str],
        scope: Scope,
        receive: Receive,
    ) -> Response:
        headers = Headers(scope=scope)
        query = QueryParams(scope.get("query_string", b""))
        cookies = _cookies(headers)
        problem = runtime.security.check(op.security, headers, query, cookies)
        if problem is not None:
            return runtime.problem_response(problem)

        if runtime.api.reject_unknown_query:
            problem = op.unknown_query_problem(query.keys())
            if problem is not None:
                return runtime.problem_response(problem)

        raw_body = b""
        parsed: Any = None
        if op.has_body:
            raw_body, problem = await _read_body(headers, receive, runtime.max_body)
            if problem is None and raw_body:
                parsed, problem = _parse_json(headers, raw_body)
            if problem is not None:
                return runtime.problem_response(problem)

        problems = op.immutable_problems(parsed)
        if problems:
            return runtime.problem_response(problems[0])
        parameters = RequestParameters(query=query, header=headers, cookie=cookies, path=path_params)
        try:
            problems, values = op.validate_request(
                parameters,
                raw_body or None,
                headers.get("content-type", "application/json"),
                parsed,
                check=runtime.validate,
            )
        except Exception as exc:  # a validator crash is our bug, never the client's
            return self._internal_error(runtime, op, exc, "request validation")
        if problems:
            return runtime.problem_response(problems[0])

        idem_header = runtime.api.idempotency_header
        key = headers.get(idem_header) if idem_header else None
        if key and op.operation_id in runtime.api.idempotent_operations:
            return await self._idempotent(runtime, op, scope, values, parsed, key)
        return await self._call(runtime, op, scope, values, parsed)

    async def _idempotent(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        values: dict[str, dict[str, Any]],
        parsed: Any,
        key: str,
    ) -> Response:
        fingerprint = hashlib.sha256(
            (op.operation_id + "\n" + json.dumps(parsed, sort_keys=True)).encode()
        ).hexdigest()
        lock = runtime._idempotency_locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = runtime.api.store.idempotency.get(key)
            if cached is not None:
                if cached.fingerprint != fingerprint:
                    return runtime.problem_response(
                        Problem(
                            ProblemKind.IDEMPOTENCY_MISMATCH,
                            "Keys for idempotent requests can only be used with the same "
                            "parameters they were first used with. Try using a key other than "
                            f"'{key}' if you meant to execute a different request.",
                        )
                    )
                return cached.status, [*cached.headers, (b"idempotent-replayed", b"true")], cached.body
            status, headers, body = await self._call(runtime, op, scope, values, parsed)
            if status < 500:
                runtime.api.store.idempotency[key] = CachedResponse(fingerprint, status, headers, body)
            return status, headers, body

    async def _call(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        values: dict[str, dict[str, Any]],
        parsed: Any,
    ) -> Response:
        dispatcher = runtime.dispatcher(op)
        if dispatcher is None:
            return runtime.problem_response(
                Problem(
                    ProblemKind.NOT_IMPLEMENTED,
                    f"The mock does not implement {op.operation_id} "
                    f"({op.method.upper()} {op.path_template}) yet.",
                )
            )
        token = current_scope.set(scope)
        try:
            reply = await dispatcher(values, parsed)
            status, headers, body = reply.status, reply.headers, reply.body
        except MockError as error:
            status, headers, body = runtime.error_response(error)
        except Exception as exc:  # a handler bug: report it, never leak a traceback
            return self._internal_error(runtime, op, exc, "the handler")
        finally:
            current_scope.reset(token)
        if not runtime.validate:
            return status, headers, body

        mimetype = _header(headers, b"content-type").split(";")[0].strip() or "application/json"
        try:
            reasons = op.response_problems(status, body, mimetype, Headers(raw=headers))
        except Exception as exc:
            return self._internal_error(runtime, op, exc, "response validation")
        if reasons:
            log.error(
                "response of %s (status %d) breaks the contract: %s",
                op.operation_id,
                status,
                " | ".join(reasons),
            )
            runtime.violations.append(Violation(runtime.api.name, op.operation_id, status, reasons))
            return runtime.problem_response(
                Problem(
                    ProblemKind.RESPONSE_INVALID,
                    f"The mock produced a {status} response for {op.operation_id} that does not "
                    f"match the API contract: {reasons[0]}",
                )
            )
        return status, headers, body

    @staticmethod
    def _internal_error(
        runtime: ApiRuntime, op: OperationValidator, exc: Exception, where: str
    ) -> Response:
        log.exception("%s of %s raised", where, op.operation_id)
        status, headers, body = runtime.problem_response(
            Problem(
                ProblemKind.INTERNAL,
                f"The mock failed to handle the request ({type(exc).__name__} in {where}).",
            )
        )
        runtime.violations.append(
            Violation(runtime.api.name, op.operation_id, status, [f"{where} raised {exc!r}"])
        )
        return status, headers, body


async def _read_body(
    headers: Headers, receive: Receive, limit: int
) -> tuple[bytes, Problem | None]:
    too_large = Problem(
        ProblemKind.BODY_TOO_LARGE, f"The request body exceeds the limit of {limit} bytes."
    )
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return b"", too_large
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", too_large
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), None


def _parse_json(headers: Headers, raw: bytes) -> tuple[Any, Problem | None]:
    content_type = headers.get("content-type", "")
    mimetype = content_type.split(";")[0].strip().lower()
    if mimetype not in JSON_TYPES and not mimetype.endswith("+json"):
        shown = mimetype or "none"
        return None, Problem(
            ProblemKind.UNSUPPORTED_MEDIA_TYPE,
            f"Unsupported Content-Type {shown!r}: send the body as application/json.",
        )
    try:
        return json.loads(raw), None
    except (ValueError, UnicodeDecodeError) as exc:
        return None, Problem(
            ProblemKind.MALFORMED_JSON, f"The request body is not valid JSON: {exc}."
        )


def _cookies(headers: Headers) -> dict[str, str]:
    raw = headers.get("cookie")
    if not raw:
        return {}
    return dict(parse_qsl(raw.replace("; ", "&"), keep_blank_values=True))


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


async def _send_response(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes, head: bool = False
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": b"" if head else body})
