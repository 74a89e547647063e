"""Executed examples: every operation's sample request, run against a fresh mock.

For each operation the reference shows one request and the response the mock gave to it.
The requests are built from the spec alone (examples, defaults, enums, security schemes)
and from ids that exist in the API's fixtures, then run in-process, in an order that makes
those ids exist: creates, lists, retrievals, updates and other actions resource by resource
(in tag order), deletes last (in reverse tag order). The mock validates every response
against the spec itself; a response it flags, or a status other than the operation's
documented success, is an :class:`ExampleError` naming the operation.

An operation the mock cannot execute (the API has no handler for it, as for most of the
official Voucherify document) keeps the document's own example and is marked as not
executed; its request is built and shown all the same.

How each request is made from the spec: :mod:`mockserver.docs.calls` (the ids the fixtures
hold are found by listing each collection on the fresh state before anything runs).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from mockserver.docs.calls import DOCS_KEY, Call, Ids, build_call, credentials, kind, plan_order
from mockserver.spec import MISSING, Document, Operation, Schema

__all__ = ["ExampleError", "Run", "run_examples"]


class ExampleError(Exception):
    """Samples that did not answer as documented: one line per operation."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


def _document_example(op: Operation) -> tuple[int | None, Any]:
    """The document's own example of the first documented success response."""
    for response in op.responses.values():
        if not response.is_success:
            continue
        media = response.json or next(iter(response.content.values()), None)
        value = media.example if media is not None else MISSING
        return response.code, value
    return None, MISSING


@dataclass
class Run:
    """What running the samples produced."""

    #: Every operation's sample, in the order they ran (not-executed ones included).
    calls: list[Call]
    #: Event type -> a payload of that type the mock emitted during the run (see
    #: :func:`_event_payloads`); empty when nothing ran.
    events: dict[str, Any] = field(default_factory=dict)


def run_examples(
    document: Document,
    api: str | None,
    spec: Path | None = None,
    *,
    key: str = DOCS_KEY,
    keep_going: bool = False,
) -> Run:
    """Run every operation's sample against a fresh in-process mock of ``api``.

    ``api`` is a registered API name (its handlers execute the samples), ``spec`` the
    document it serves instead of its default. Without an API nothing runs: every call
    carries the document's own example, marked as not executed. A sample of an operation
    the API implements that answers other than documented raises :class:`ExampleError`
    (with ``keep_going``, it is kept with its ``problem`` set instead).
    """
    order = plan_order(document)
    if api is None:
        calls = [build_call(document, op, Ids(), key) for op in order]
        for call in calls:
            call.status, call.response = _document_example(call.operation)
            call.note = call.note or "no mock API was given to run it against"
        return Run(calls)
    run = asyncio.run(_run(document, api, spec, order, key))
    problems = [call.problem for call in run.calls if call.problem]
    if problems and not keep_going:
        raise ExampleError(problems)
    return run


async def _run(
    document: Document, api: str, spec: Path | None, order: list[Operation], key: str
) -> Run:
    from mockserver.applications import ApiOptions, create_app

    app = create_app([ApiOptions(name=api, spec=spec)])
    implemented = set(app.mock.runtimes[0].api.handlers())
    ids = Ids()
    for op in document.operations:  # what the fixtures hold, before anything changes
        if op.id not in implemented or kind(op) != "list":
            continue
        if any(p.required for p in op.parameters if p.location != "header"):
            continue
        headers, query = credentials(document, op, key)
        status, _, body = await _asgi(app, "GET", op.path, query, headers, MISSING)
        if status is not None and 200 <= status < 300:
            ids.fixtures[op.path] = Ids.items(body)
    calls: list[Call] = []
    for index, op in enumerate(order):
        call = build_call(document, op, ids, key)
        calls.append(call)
        if call.note:
            call.status, call.response = _document_example(op)
            continue
        if op.id not in implemented:
            call.note = "the mock does not implement this operation"
            call.status, call.response = _document_example(op)
            continue
        before = len(app.mock.violations())
        status, _, body = await _asgi(
            app, call.method.upper(), call.path, call.query, call.headers, call.body
        )
        violations = app.mock.violations()[before:]
        documented = [r.code for r in op.responses.values() if r.is_success and r.code]
        call.order, call.status, call.response, call.executed = index, status, body, True
        if violations:
            call.problem = (
                f"{op.name} ({op.label}): the response broke the contract: {violations[0].reasons}"
            )
        elif status not in documented:
            call.problem = (
                f"{op.name} ({call.method.upper()} {call.url_path}): the sample answered {status}, "
                f"documented {'/'.join(map(str, documented)) or 'no 2xx'}: {_brief(body)}"
            )
        if kind(op) == "list" and status is not None and 200 <= status < 300:
            ids.seen.setdefault(op.path, Ids.items(body))
    return Run(calls, await _event_payloads(app, document, implemented, key))


async def _event_payloads(
    app: Any, document: Document, implemented: set[str], key: str
) -> dict[str, Any]:
    """A payload of each event type the run made the mock emit.

    Read back through the API itself: a list operation whose items are the events' payload
    schema (VINR's ``GET /v1/events``), asked for its largest page; an item belongs to the
    event type one of its string fields names. The mock validates that response like any.
    """
    payloads = {id(e.schema) for e in document.events.values() if e.schema is not None}
    found: dict[str, Any] = {}
    for op in document.operations:
        schema = _success_schema(op)
        if op.id not in implemented or kind(op) != "list" or schema is None:
            continue
        properties, _ = schema.object_properties()
        if not any(p.items is not None and id(p.items) in payloads for p in properties.values()):
            continue
        headers, query = credentials(document, op, key)
        for parameter in op.parameters_in("query"):
            limit = parameter.schema.maximum if parameter.schema is not None else None
            if parameter.name in ("limit", "page_size", "per_page") and isinstance(limit, int):
                query.append((parameter.name, str(limit)))
        before = len(app.mock.violations())
        status, _, body = await _asgi(app, "GET", op.path, query, headers, MISSING)
        if status is None or not 200 <= status < 300 or len(app.mock.violations()) > before:
            continue
        for item in reversed(Ids.items(body)):  # oldest first: the first of each type
            for value in item.values():
                if isinstance(value, str) and value in document.events and value not in found:
                    found[value] = item
    return found


def _success_schema(op: Operation) -> Schema | None:
    response = op.success
    media = response.json if response is not None else None
    return media.schema if media is not None else None


def _brief(body: Any) -> str:
    return "" if body is MISSING else json.dumps(body)[:300]


async def _asgi(
    app: Any,
    method: str,
    path: str,
    query: list[tuple[str, str]],
    headers: Mapping[str, str],
    body: Any,
) -> tuple[int | None, list[tuple[bytes, bytes]], Any]:
    """One request through the ASGI app, in-process (no socket, no lifespan needed)."""
    payload = b"" if body is MISSING else json.dumps(body).encode()
    raw_headers = [(k.lower().encode(), v.encode()) for k, v in headers.items()]
    if payload:
        raw_headers.append((b"content-length", str(len(payload)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": urlencode(query).encode(),
        "root_path": "",
        "headers": raw_headers,
        "client": ("127.0.0.1", 0),
        "server": ("docs.invalid", 80),
    }
    messages: Iterator[dict[str, Any]] = iter(
        [{"type": "http.request", "body": payload, "more_body": False}]
    )

    async def receive() -> dict[str, Any]:
        return next(messages, {"type": "http.disconnect"})

    status: int | None = None
    response_headers: list[tuple[bytes, bytes]] = []
    chunks: list[bytes] = []

    async def send(message: dict[str, Any]) -> None:
        nonlocal status, response_headers
        if message["type"] == "http.response.start":
            status = message["status"]
            response_headers = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, send)
    data = b"".join(chunks)
    decoded: Any = MISSING
    if data:
        try:
            decoded = json.loads(data)
        except ValueError:
            decoded = data.decode("utf-8", "replace")
    return status, response_headers, decoded
