"""The engine's request pipeline: one ASGI middleware serving every mounted API.

It sits in Connexion's stack in front of Connexion's own routing, and for a request
whose path and method the spec defines (found with :class:`~mockserver.routing.RouteIndex`
on the raw path, so an encoded ``/`` stays inside its segment):

1. enforces the spec's security requirements (401);
2. reads the body under a size cap (413; a body the client abandons is never acted on),
   checks its media type (415) and decodes it strictly (:mod:`mockserver.decoding`: 400
   for malformed JSON, ``NaN``, lone surrogates, integers beyond int64, deep nesting);
3. validates parameters and body with openapi-core, prepared per operation
   (:mod:`mockserver.validation`; 400 naming the parameter);
4. opens a unit of work on the API's store (:mod:`mockserver.store`) and, inside it,
   replays an idempotent create already answered, or calls the API's handler with the
   validated values (:mod:`mockserver.dispatch`), turning its domain errors into responses;
5. validates the response with openapi-core: a response that breaks the contract becomes
   a 500 saying so, is logged, and is recorded in ``violations`` so a test run can never
   pass with one;
6. commits the unit only for a success: any error response (a domain 4xx, a handler crash,
   a broken response) rolls back everything the handler did, so a failed request changes
   nothing; an idempotency key remembers successes and the handler's 4xx, never a 5xx;
7. logs one line: method, path, operationId, status, duration.

Any exception escaping a step ends as a 500 in the API's own format, recorded as a
violation, never as Connexion's problem document.

A path the spec does not define goes on down Connexion's stack (Swagger UI, the
served spec, Connexion's 404). A path it defines with another method gets a 405
with ``Allow``, in the API's error format.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import time
from typing import Any
from urllib.parse import parse_qsl, unquote

from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver import decoding
from mockserver.dispatch import RawHeaders, current_scope
from mockserver.exceptions import MockError, Problem, ProblemKind
from mockserver.runtime import ApiRuntime, MockServer, Violation
from mockserver.store import MAX_ATTEMPTS, Conflict, UnitOfWork
from mockserver.validation import OperationValidator

access_log = logging.getLogger("mockserver.access")
log = logging.getLogger("mockserver")

JSON_TYPES = ("application/json",)
#: The table of each API's store remembering responses by idempotency key.
IDEMPOTENCY = "__idempotency__"

Response = tuple[int, RawHeaders, bytes]


class _Abandoned(Exception):
    """The client went away before its request was complete: there is nobody to answer."""


class ErrorGuard:
    """The outermost layer: an exception nothing else caught is a 500 in the API's format.

    It is recorded as a violation of the server (so a test suite's safety net sees it),
    never rendered as Connexion's ``about:blank`` problem document or a traceback.
    """

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Any) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.exception("unhandled error serving %s %s", scope["method"], scope["path"])
            runtime = self.server.runtime_for_path(scope["path"])
            self.server.errors.append(
                Violation(runtime.api.name if runtime else "-", "-", 500, [f"unhandled {exc!r}"])
            )
            if started:
                raise
            problem = Problem(
                ProblemKind.INTERNAL,
                f"The mock failed to handle the request ({type(exc).__name__}).",
            )
            if runtime is not None:
                status, headers, body = runtime.problem_response(problem)
            else:
                status, headers = 500, [(b"content-type", b"application/json")]
                body = json.dumps({"error": {"code": "internal", "message": problem.message}}).encode()
            await _send_response(send, status, headers, body)


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
            segments = _relative_segments(scope, runtime.base_path)
            match = runtime.routes.match_segments(scope["method"], segments)
            head = scope["method"] == "HEAD"
            if head and match is not None and match.target is None and "GET" in match.allowed:
                # HEAD is GET without the body (RFC 9110), as Starlette answers it
                match = runtime.routes.match_segments("GET", segments)
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
            try:
                status, headers, body = await self._handle(runtime, op, match.params, scope, receive)
            except _Abandoned:
                access_log.info("%s %s %s abandoned by the client", scope["method"], path, op.operation_id)
                return
            except Exception as exc:  # any bug of ours ends in the API's format, recorded
                status, headers, body = self._internal_error(runtime, op, exc, "the request pipeline")
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
                content_type = headers.get("content-type", "")
                if not _is_json(content_type) and op.declares_media_type(content_type):
                    # a form the spec declares (multipart/form-data, ...): openapi-core decodes it
                    parsed, problem = op.decode_body(raw_body, content_type)
                else:
                    parsed, problem = _parse_json(headers, raw_body, runtime.api.int64_only)
            if problem is not None:
                return runtime.problem_response(problem)
        elif scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            # no body is expected, but what is sent must arrive whole before anything acts
            _, problem = await _read_body(headers, receive, runtime.max_body)
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
        if not (key and op.operation_id in runtime.api.idempotent_operations):
            key = None
        return await self._execute(runtime, op, scope, values, parsed, key)

    async def _execute(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        values: dict[str, dict[str, Any]],
        parsed: Any,
        key: str | None,
    ) -> Response:
        """Run the operation in a unit of work: committed for a success, else rolled back."""
        store = runtime.api.store
        fingerprint = _fingerprint(op, parsed) if key else ""
        for _ in range(MAX_ATTEMPTS):
            unit = store.begin()
            try:
                response, keep = await self._in_unit(
                    runtime, op, scope, values, parsed, unit, key, fingerprint
                )
                if keep:
                    unit.commit()
                else:
                    unit.rollback()
            except Conflict:
                unit.rollback()
                continue
            except BaseException:
                unit.rollback()
                raise
            status = response[0]
            if key and 400 <= status < 500 and not keep:
                # the handler refused (a rule, not the schema): a retry with the same key gets
                # the same answer, as Stripe does; its writes are gone with the rollback
                store.run(functools.partial(_remember, key=key, fingerprint=fingerprint, response=response))
            return response
        return self._internal_error(
            runtime,
            op,
            Conflict(f"gave up after {MAX_ATTEMPTS} conflicting attempts"),
            "the unit of work",
        )

    async def _in_unit(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        values: dict[str, dict[str, Any]],
        parsed: Any,
        unit: UnitOfWork,
        key: str | None,
        fingerprint: str,
    ) -> tuple[Response, bool]:
        """(the response, whether to commit the unit's writes)."""
        if key:
            cached = unit.get(IDEMPOTENCY, key)
            if cached is not None:
                if cached["fingerprint"] != fingerprint:
                    problem = Problem(
                        ProblemKind.IDEMPOTENCY_MISMATCH,
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.",
                    )
                    return runtime.problem_response(problem), False
                replayed = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in cached["headers"]]
                replayed.append((b"idempotent-replayed", b"true"))
                return (cached["status"], replayed, cached["body"].encode()), False
        response = await self._call(runtime, op, scope, values, parsed)
        keep = response[0] < 400
        if keep and key:
            _remember(unit, key, fingerprint, response)
        return response, keep

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
    """The whole body, or a 413 problem; :class:`_Abandoned` when the client gives up first."""
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
            raise _Abandoned()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", too_large
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), None


def _is_json(content_type: str) -> bool:
    mimetype = content_type.split(";")[0].strip().lower()
    return mimetype in JSON_TYPES or mimetype.endswith("+json")


def _parse_json(headers: Headers, raw: bytes, int64: bool) -> tuple[Any, Problem | None]:
    content_type = headers.get("content-type", "")
    mimetype = content_type.split(";")[0].strip().lower()
    if not _is_json(content_type):
        shown = mimetype or "none"
        return None, Problem(
            ProblemKind.UNSUPPORTED_MEDIA_TYPE,
            f"Unsupported Content-Type {shown!r}: send the body as application/json.",
        )
    try:
        return decoding.loads(raw, int64=int64), None
    except decoding.DecodeError as exc:
        return None, Problem(
            ProblemKind.MALFORMED_JSON, exc.message, param=exc.pointer, location="body"
        )


def _relative_segments(scope: Scope, base_path: str) -> list[str]:
    """The request path below ``base_path``, split at its raw slashes, each segment decoded."""
    raw = scope.get("raw_path")
    if raw:
        text = raw.decode("latin-1").split("?", 1)[0]
        if base_path and text.startswith(base_path):
            text = text[len(base_path) :]
        return [unquote(segment) for segment in (text or "/").split("/")]
    relative = scope["path"][len(base_path) :] or "/"
    return relative.split("/")


def _fingerprint(op: OperationValidator, parsed: Any) -> str:
    return hashlib.sha256(
        (op.operation_id + "\n" + json.dumps(parsed, sort_keys=True, default=repr)).encode()
    ).hexdigest()


def _remember(unit: UnitOfWork, key: str, fingerprint: str, response: Response) -> None:
    """Record ``response`` under idempotency ``key`` (first answer wins)."""
    if unit.get(IDEMPOTENCY, key) is not None:
        return
    status, headers, body = response
    unit.put(
        IDEMPOTENCY,
        key,
        {
            "fingerprint": fingerprint,
            "status": status,
            "headers": [(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
            "body": body.decode(),
        },
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
