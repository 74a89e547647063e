"""The engine's request pipeline, as one ASGI middleware inside Connexion's stack.

It sits where Connexion's security and validation middlewares would be (after
routing, before the handler) and, for every request routed to an operation:

1. enforces the spec's security requirements (401);
2. reads the body under a size cap (413), checks its media type (415) and parses
   it (400 for malformed JSON);
3. validates parameters and body with openapi-core (400 naming the parameter);
4. replays or records idempotent creates;
5. runs the handler, turning the API's domain errors into responses;
6. validates the response with openapi-core: a response that breaks the contract
   becomes a 500 saying so, is logged, and is recorded in ``violations`` so a
   test run can never pass with one;
7. logs one line: method, path, operationId, status, duration.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl

from connexion.middleware.abstract import ROUTING_CONTEXT
from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mockserver.exceptions import MockError, Problem, ProblemKind
from mockserver.runtime import ApiRuntime, MockServer, Violation
from mockserver.store import CachedResponse
from mockserver.validation import OperationValidator, RequestData

access_log = logging.getLogger("mockserver.access")
log = logging.getLogger("mockserver")

JSON_TYPES = ("application/json",)


class MockMiddleware:
    """Security, body handling, validation, idempotency and logging for every mounted API."""

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        routing = scope.get("extensions", {}).get(ROUTING_CONTEXT, {})
        operation_id = routing.get("operation_id")
        runtime = self.server.by_base.get(routing.get("api_base_path", ""))
        if runtime is None:
            runtime = self.server.runtime_for_path(scope["path"])
        if runtime is None:
            await self.app(scope, receive, send)
            return
        validator = runtime.validators.get(operation_id) if operation_id else None
        if validator is None:
            status, headers, body = runtime.problem_response(
                Problem(
                    ProblemKind.ROUTE_NOT_FOUND,
                    f"Unrecognized request URL ({scope['method']}: {scope['path']}).",
                )
            )
        else:
            status, headers, body = await self._handle(
                runtime, validator, scope, receive
            )
        await _send_response(send, status, headers, body)
        elapsed = (time.perf_counter() - started) * 1000
        access_log.info(
            "%s %s %s %d %.1fms",
            scope["method"],
            scope["path"],
            operation_id or "-",
            status,
            elapsed,
        )

    async def _handle(
        self, runtime: ApiRuntime, op: OperationValidator, scope: Scope, receive: Receive
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
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

        request = RequestData(
            parameters=RequestParameters(
                query=query,
                header=headers,
                cookie=cookies,
                path=dict(scope.get("path_params", {})),
            ),
            body=raw_body or None,
            content_type=headers.get("content-type", "application/json"),
            method=op.method,
            path=scope["path"],
        )
        try:
            problems = op.request_problems(request, parsed)
        except Exception as exc:  # a validator crash is our bug, never the client's
            return self._internal_error(runtime, op, exc, "request validation")
        if problems:
            return runtime.problem_response(problems[0])
        normalised = op.normalise_query(scope.get("query_string", b""))
        if normalised is not scope.get("query_string", b""):
            scope = {**scope, "query_string": normalised}

        idem_header = runtime.api.idempotency_header
        key = headers.get(idem_header) if idem_header else None
        if key and op.operation_id in runtime.api.idempotent_operations:
            return await self._idempotent(runtime, op, scope, raw_body, parsed, key)
        return await self._call(runtime, op, scope, raw_body)

    async def _idempotent(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        raw_body: bytes,
        parsed: Any,
        key: str,
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
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
            status, headers, body = await self._call(runtime, op, scope, raw_body)
            if status < 500:
                runtime.api.store.idempotency[key] = CachedResponse(fingerprint, status, headers, body)
            return status, headers, body

    async def _call(
        self, runtime: ApiRuntime, op: OperationValidator, scope: Scope, raw_body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        sent = False

        async def replay() -> Message:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": raw_body, "more_body": False}

        captured: dict[str, Any] = {"status": 500, "headers": [], "body": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                captured["headers"] = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))

        if not op.has_body:
            # The operation takes no body: hide any the client sent (and its media type) from
            # the handler layer, so e.g. a stray multipart header cannot make it fail.
            scope = {
                **scope,
                "headers": [
                    (k, v)
                    for k, v in scope.get("headers", [])
                    if k.lower() not in (b"content-type", b"content-length", b"transfer-encoding")
                ],
            }
        try:
            await self.app(scope, replay, capture)
            status = captured["status"]
            headers = [(k, v) for k, v in captured["headers"] if k.lower() != b"content-length"]
            body = b"".join(captured["body"])
        except MockError as error:
            status, headers, body = runtime.error_response(error)
        except HTTPException as exc:  # the inner router disagreed with the outer one
            kind = ProblemKind.METHOD_NOT_ALLOWED if exc.status_code == 405 else ProblemKind.ROUTE_NOT_FOUND
            return runtime.problem_response(
                Problem(kind, f"Unrecognized request URL ({scope['method']}: {scope['path']}).")
            )
        except Exception as exc:  # a handler bug: report it, never leak a traceback
            return self._internal_error(runtime, op, exc, "the handler")

        mimetype = _header(headers, b"content-type").split(";")[0].strip() or "application/json"
        reasons = op.response_problems(
            status, body, mimetype, {k.decode("latin-1"): v.decode("latin-1") for k, v in headers}
        )
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
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
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
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
