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
Every request, whatever answers it (an API, the admin API, Connexion's 404), has one
record, :class:`~mockserver.pipeline.outcome.Outcome`, opened by :class:`ErrorGuard` (the
outermost layer) and filled in by the steps: the operation and path parameters matched,
the problems the request's validation found, the response sent, its timings, the fault or
``Prefer`` choice applied. Once the request is answered, the observers read it: the
journal, the spec coverage and the access log (:mod:`mockserver.pipeline`).

Two steps can answer without the handler, before any unit of work is opened, so neither
ever changes state: a fault (:mod:`mockserver.pipeline.faults`: a delay is waited right
after routing; an error status or a dropped connection comes once the body is read) and,
after validation, the ``Prefer`` header (:mod:`mockserver.pipeline.prefer`). Their
responses are validated like the handler's.

Any exception escaping a step ends as a 500 in the API's own format, recorded as a
violation, never as Connexion's problem document.

A path the spec does not define goes on down Connexion's stack (Swagger UI, the
served spec, Connexion's 404). A path it defines with another method gets a 405
with ``Allow``, in the API's error format.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import json
import logging
from typing import Any
from urllib.parse import unquote

from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams
from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.bodies import Abandoned, is_form, parse_json, read_body
from mockserver.dispatch import RawHeaders, current_scope
from mockserver.exceptions import MockError, Problem, ProblemKind
from mockserver.limits import DROP_EXTENSION
from mockserver.pipeline import generated, prefer
from mockserver.pipeline.outcome import BODY_CAP, OUTCOME, Outcome, cookie_values
from mockserver.runtime import ApiRuntime, MockServer, Violation
from mockserver.store import MAX_ATTEMPTS, Conflict, UnitOfWork
from mockserver.validation import OperationValidator

log = logging.getLogger("mockserver")

#: The table of each API's store remembering responses by idempotency key.
IDEMPOTENCY = "__idempotency__"

Response = tuple[int, RawHeaders, bytes]


class _Drop(Exception):
    """A ``drop`` fault applies: close the connection without answering."""


class ErrorGuard:
    """The outermost layer: the request's outcome record, its observers, and the last resort.

    It opens the :class:`Outcome` of every HTTP request, copies the response into it as it
    is sent, and hands it to the server's observers once the request is over. An exception
    nothing else caught is a 500 in the API's format, recorded as a violation of the server
    (so a test suite's safety net sees it), never Connexion's ``about:blank`` problem
    document or a traceback.
    """

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        server = self.server
        outcome = Outcome(scope)
        runtime = outcome.runtime = server.runtime_for_path(scope["path"])
        outcome.admin = runtime is not None and runtime is server.admin
        scope[OUTCOME] = outcome

        async def observed_send(message: Any) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
                outcome.response_headers = message.get("headers", [])
            else:
                outcome.sent(message)
            await send(message)

        try:
            await self.app(scope, receive, observed_send)
        except Exception as exc:
            log.exception("unhandled error serving %s %s", scope["method"], scope["path"])
            server.errors.append(
                Violation(runtime.api.name if runtime else "-", "-", 500, [f"unhandled {exc!r}"])
            )
            if outcome.status:
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
            await _send_response(observed_send, status, headers, body)
        finally:
            for error in server.control.finish(outcome):
                server.errors.append(Violation("-", "-", 0, [f"an observer raised {error!r}"]))


class MockMiddleware:
    """Security, body handling, validation, faults, Prefer, dispatch and idempotency."""

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server
        self.control = server.control

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        outcome: Outcome | None = scope.get(OUTCOME)
        if outcome is None:  # served without ErrorGuard in front: a record nobody reads
            outcome = Outcome(scope)
            outcome.runtime = self.server.runtime_for_path(path)
        runtime = outcome.runtime
        match = None
        if runtime is not None:
            segments = _relative_segments(scope, runtime.base_path)
            match = runtime.routes.match_segments(scope["method"], segments)
            head = scope["method"] == "HEAD"
            if head and match is not None and match.target is None and "GET" in match.allowed:
                # HEAD is GET without the body (RFC 9110), as Starlette answers it
                match = runtime.routes.match_segments("GET", segments)
        if runtime is None or match is None:
            if not outcome.admin:
                receive = _recording(receive, outcome)
            await self.app(scope, receive, send)
            return
        op = match.target
        outcome.path_params = match.params
        if op is None:
            outcome.allowed = match.allowed
            status, headers, body = runtime.problem_response(
                Problem(ProblemKind.METHOD_NOT_ALLOWED, f"{scope['method']} is not allowed on {path}.")
            )
            headers.append((b"allow", ", ".join(match.allowed).encode()))
        else:
            outcome.operation = op
            try:
                status, headers, body = await self._handle(runtime, op, match.params, scope, receive, outcome)
            except Abandoned:
                outcome.abandoned = True
                return
            except _Drop:
                outcome.dropped = True
                drop = scope.get("extensions", {}).get(DROP_EXTENSION)
                if drop is not None:
                    drop()
                # in-process (no connection: a test client calling the app) the request is
                # left unanswered, which such clients raise as an error
                return
            except Exception as exc:  # any bug of ours ends in the API's format, recorded
                status, headers, body = self._internal_error(runtime, op, exc, "the request pipeline")
        await _send_response(send, status, headers, body, head=scope["method"] == "HEAD")

    async def _handle(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        path_params: dict[str, str],
        scope: Scope,
        receive: Receive,
        outcome: Outcome,
    ) -> Response:
        headers = outcome.headers = Headers(scope=scope)
        query = outcome.query = QueryParams(scope.get("query_string", b""))
        cookies = outcome.cookies = cookie_values(_raw_header(outcome.raw_headers, b"cookie") or "")
        fault = None
        if self.control.faults.active and not outcome.admin:
            fault = outcome.fault = self.control.faults.pick(runtime.api.name, op.operation_id)
            if fault is not None:
                delay = outcome.delay_ms = fault.draw_delay()
                if delay:
                    await asyncio.sleep(delay / 1000)  # before any unit of work is opened
                if fault.drop or fault.status is not None:
                    outcome.request_body, _ = await read_body(headers, receive, runtime.max_body)
                    if fault.drop:
                        raise _Drop()
                    assert fault.status is not None
                    response, documented = generated.fault_response(
                        runtime, op, fault.status, self.control.static_seed
                    )
                    # a status the operation does not document is answered anyway, in the
                    # API's error format: asked for, it is no violation of the contract
                    return self._checked(runtime, op, response, outcome) if documented else response

        problem = runtime.security.check(op.security, headers, query, cookies)
        if problem is not None:
            return self._refuse(runtime, [problem], outcome)

        if runtime.api.reject_unknown_query:
            problem = op.unknown_query_problem(query.keys())
            if problem is not None:
                return self._refuse(runtime, [problem], outcome)

        raw_body = b""
        parsed: Any = None
        if op.has_body:
            raw_body, problem = await read_body(headers, receive, runtime.max_body)
            outcome.request_body = raw_body
            if problem is None and raw_body:
                content_type = headers.get("content-type", "")
                if (
                    runtime.api.form_bodies
                    and is_form(content_type)
                    and op.declares_media_type(content_type)
                ):
                    # a form the spec declares (multipart/form-data, ...): openapi-core decodes it
                    # (other non-JSON types, XML included, stay a 415: no decoder is trusted there)
                    parsed, problem = op.decode_body(raw_body, content_type)
                else:
                    parsed, problem = parse_json(headers, raw_body, runtime.api.int64_only)
                outcome.parsed = parsed
            if problem is not None:
                return self._refuse(runtime, [problem], outcome)
        elif scope["method"] in ("POST", "PUT", "PATCH", "DELETE"):
            # no body is expected, but what is sent must arrive whole before anything acts
            outcome.request_body, problem = await read_body(headers, receive, runtime.max_body)
            if problem is not None:
                return self._refuse(runtime, [problem], outcome)

        problems = op.immutable_problems(parsed)
        if problems:
            return self._refuse(runtime, problems, outcome)
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
            return self._refuse(runtime, problems, outcome)

        if not outcome.admin:
            preference = _raw_header(outcome.raw_headers, b"prefer")
            choice = None
            if preference:
                control = self.control
                choice = prefer.answer(runtime, op, preference, control.static_seed, control.next_seed)
            if choice is not None:
                outcome.prefer = choice.label
                if choice.problem is not None:
                    return self._refuse(runtime, [choice.problem], outcome)
                assert choice.response is not None
                return self._checked(runtime, op, choice.response, outcome)

        idem_header = runtime.api.idempotency_header
        key = _raw_header(outcome.raw_headers, idem_header.lower().encode()) if idem_header else None
        if not (key and op.operation_id in runtime.api.idempotent_operations):
            key = None
        return await self._execute(runtime, op, scope, values, parsed, key, outcome)

    @staticmethod
    def _refuse(runtime: ApiRuntime, problems: list[Problem], outcome: Outcome) -> Response:
        """The pipeline's own refusal of a request: every problem recorded, the first answered."""
        # openapi-core may report one twice (compared, not hashed: a rule's values can be lists)
        outcome.problems = [p for i, p in enumerate(problems) if p not in problems[:i]]
        return runtime.problem_response(problems[0])

    async def _execute(
        self,
        runtime: ApiRuntime,
        op: OperationValidator,
        scope: Scope,
        values: dict[str, dict[str, Any]],
        parsed: Any,
        key: str | None,
        outcome: Outcome,
    ) -> Response:
        """Run the operation in a unit of work: committed for a success, else rolled back."""
        store = runtime.api.store
        fingerprint = _fingerprint(op, parsed) if key else ""
        for attempt in range(MAX_ATTEMPTS):
            if attempt:
                await asyncio.sleep(store.backoff(attempt))
            unit = store.begin()
            try:
                response, keep = await self._in_unit(
                    runtime, op, scope, values, parsed, unit, key, fingerprint, outcome
                )
                if keep:
                    await unit.acommit()  # durable (SQLite) before the answer is sent
                else:
                    unit.verify()  # a refusal must rest on one consistent state too
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
        outcome: Outcome,
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
        response = await self._call(runtime, op, scope, values, parsed, outcome)
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
        outcome: Outcome,
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
            response = reply.status, reply.headers, reply.body
        except MockError as error:
            response = runtime.error_response(error)
        except Exception as exc:  # a handler bug: report it, never leak a traceback
            return self._internal_error(runtime, op, exc, "the handler")
        finally:
            current_scope.reset(token)
        return self._checked(runtime, op, response, outcome)

    def _checked(
        self, runtime: ApiRuntime, op: OperationValidator, response: Response, outcome: Outcome
    ) -> Response:
        """``response`` if it keeps the contract; else a 500 saying so, recorded as a violation."""
        if not runtime.validate:
            return response
        status, headers, body = response
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
            outcome.violations = reasons
            runtime.violations.append(Violation(runtime.api.name, op.operation_id, status, reasons))
            return runtime.problem_response(
                Problem(
                    ProblemKind.RESPONSE_INVALID,
                    f"The mock produced a {status} response for {op.operation_id} that does not "
                    f"match the API contract: {reasons[0]}",
                )
            )
        return response

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


def _recording(receive: Receive, outcome: Outcome) -> Receive:
    """``receive``, keeping what it delivers of the body (up to the outcome's cap) in ``outcome``."""

    async def recording() -> Any:
        message = await receive()
        chunk = message.get("body", b"") if message["type"] == "http.request" else b""
        if chunk and len(outcome.request_body) < BODY_CAP:
            outcome.request_body += chunk[: BODY_CAP - len(outcome.request_body)]
        return message

    return recording


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


def _raw_header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    """The value of request header ``name`` (lower case, as ASGI servers give names), without
    the exception ``Headers.get`` raises inside for a header that is absent."""
    for key, value in headers:
        if key == name:
            return value.decode("latin-1")
    return None


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
