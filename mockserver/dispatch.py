"""Call an API's handler with the validated request, and turn what it returns into bytes.

Handlers follow Connexion's conventions, so an API's ``responses.py`` reads like any
Connexion app: path and query parameters arrive as keyword arguments named as
Connexion names them (``sanitized``: ``campaign-id`` becomes ``campaignid``), with
the spec's defaults filled in and values already cast by openapi-core; the JSON body
arrives as ``body``; a handler returns the body, ``(body, status)`` or
``(body, status, headers)``. A handler only receives the arguments its signature
takes (all of them with ``**kwargs``).

What is prepared once per operation (the signature inspection, the argument map) is
kept in a :class:`Dispatcher`, so a call costs a dict build and the handler itself.
Handlers run on the event loop, sync or async: they must be short and never block
(the mock's are in-memory and CPU-only).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from connexion.decorators.parameter import sanitized
from starlette.types import Scope

RawHeaders = list[tuple[bytes, bytes]]

#: The ASGI scope of the request being handled, for handlers that need more than their
#: arguments (e.g. a query string with bracketed keys no OpenAPI style describes).
current_scope: ContextVar[Scope] = ContextVar("mockserver_current_scope")

_JSON = (b"content-type", b"application/json")


def current_query() -> list[tuple[str, str]]:
    """Every ``key=value`` pair of the current request's query string, in order."""
    raw = current_scope.get().get("query_string", b"")
    return parse_qsl(raw.decode("latin-1"), keep_blank_values=True)


@dataclass(frozen=True)
class Reply:
    status: int
    headers: RawHeaders
    body: bytes


class Dispatcher:
    """One operation's handler and how to call it."""

    def __init__(
        self,
        handler: Callable[..., Any],
        parameters: Iterable[tuple[str, str]],
        has_body: bool,
    ) -> None:
        """``parameters``: the operation's (location, name) pairs."""
        self.handler = handler
        self.is_async = inspect.iscoroutinefunction(handler)
        signature = inspect.signature(handler)
        takes_all = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
        accepted = set(signature.parameters)
        #: (location, spec name, argument name) for each value the handler takes.
        self.arguments = [
            (location, name, sanitized(name))
            for location, name in parameters
            if location in ("path", "query") and (takes_all or sanitized(name) in accepted)
        ]
        self.pass_body = has_body and (takes_all or "body" in accepted)

    async def __call__(self, values: dict[str, dict[str, Any]], body: Any) -> Reply:
        kwargs = {}
        for location, name, argument in self.arguments:
            found = values[location]
            if name in found:
                kwargs[argument] = found[name]
        if self.pass_body:
            kwargs["body"] = body
        result = self.handler(**kwargs)
        if self.is_async:
            result = await result
        return reply(result)


def reply(result: Any) -> Reply:
    """A handler's return value (``body``, ``(body, status)``, ``(body, status, headers)``)."""
    status = 200
    headers: dict[str, str] = {}
    if isinstance(result, tuple):
        if len(result) == 3:
            result, status, headers = result
        elif len(result) == 2:
            result, status = result
        else:
            raise TypeError(f"a handler returned a tuple of {len(result)} items")
    raw = [(k.lower().encode("latin-1"), str(v).encode("latin-1")) for k, v in headers.items()]
    if result is None:
        return Reply(204 if status == 200 else status, raw, b"")
    if isinstance(result, bytes):
        return Reply(status, raw, result)
    if not any(k == b"content-type" for k, _ in raw):
        raw.append(_JSON)
    return Reply(status, raw, dumps(result))


def dumps(value: Any) -> bytes:
    """Compact JSON, through orjson (an order of magnitude faster than ``json``).

    orjson refuses integers beyond 64 bits, which a client can send and an API echo back:
    those bodies go through ``json`` instead.
    """
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
