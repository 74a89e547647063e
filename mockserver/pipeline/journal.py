"""The request journal: the last N requests to the mocked APIs, to see and verify what a
client sent (WireMock's request journal).

An observer of the pipeline: :meth:`Journal.record` is given each request's
:class:`~mockserver.pipeline.outcome.Outcome` once it has been answered. Requests to the
admin API are not journaled (reading the journal would fill it); requests no operation
matched are, with ``operation_id`` null.

:class:`Journal` is the interface a backend implements; :class:`MemoryJournal` keeps the
outcomes themselves in a bounded deque (oldest dropped) and renders an entry only when it
is read, so recording a request costs an append. A shared backend would render at
:meth:`~Journal.record` (:func:`render` gives the JSON entry) and store that.

An entry (:func:`render`) is what ``GET /__admin/requests`` returns: ``id``,
``received_at`` (Unix seconds with milliseconds, wall clock: not the mock's clock), ``api``, ``method``, ``path``, ``query``,
``operation_id``, ``path_params``, ``status`` (null when nothing was answered: a dropped
connection, a client that left), ``error_code``, ``duration_ms``,
``credential`` (``scheme:fingerprint``), ``fault``, ``prefer``, ``request`` and
``response`` (``headers``, ``body``), ``violations``. Credentials are redacted: every
header, query parameter and cookie a security scheme of the API reads, plus
``Authorization``, ``Proxy-Authorization``, ``Cookie`` and ``Set-Cookie``, and any header or
query value holding the admin token.
"""

from __future__ import annotations

import fnmatch
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import parse_qsl

import orjson

from mockserver.pipeline.outcome import BODY_CAP, Outcome, credential_of, error_code

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime

#: The default number of requests kept (``--journal-size``).
DEFAULT_SIZE = 1000
REDACTED = "[redacted]"
#: Headers redacted whatever the API's security schemes say.
ALWAYS_REDACTED = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie"})

Entry = dict[str, Any]


@dataclass(frozen=True)
class RequestFilter:
    """Which journal entries to select; every field given must match (``None``: any)."""

    api: str | None = None
    #: An operationId.
    operation: str | None = None
    method: str | None = None
    #: The request path, exactly, or a pattern where ``*`` matches anything (``/v1/campaigns/*``).
    path: str | None = None
    #: A status (``404``) or a class (``"4XX"``).
    status: int | str | None = None
    #: Received at or after this instant (Unix seconds).
    since: float | None = None

    @classmethod
    def of(
        cls,
        api: str | None = None,
        operation: str | None = None,
        method: str | None = None,
        path: str | None = None,
        status: int | str | None = None,
        since: float | None = None,
    ) -> RequestFilter:
        """A filter from keyword arguments (``status`` may be ``"404"``, ``404`` or ``"4XX"``)."""
        if isinstance(status, str) and status.isdigit():
            status = int(status)
        if isinstance(status, str) and not (
            len(status) == 3 and status[0] in "12345" and status[1:].upper() == "XX"
        ):
            raise ValueError(f"status is a status (404) or a class (4XX), not {status!r}")
        return cls(api=api, operation=operation, method=method, path=path, status=status, since=since)

    def matches(self, entry: Entry) -> bool:
        if self.api is not None and entry["api"] != self.api:
            return False
        if self.operation is not None and entry["operation_id"] != self.operation:
            return False
        if self.method is not None and entry["method"] != self.method.upper():
            return False
        if self.path is not None and not _path_matches(self.path, entry["path"]):
            return False
        if self.status is not None and not status_matches(self.status, entry["status"]):
            return False
        return self.since is None or entry["received_at"] >= self.since


def status_matches(wanted: int | str, status: int | None) -> bool:
    if status is None:
        return False
    if isinstance(wanted, int):
        return status == wanted
    return str(status)[:1] == wanted[:1] and wanted[1:].upper() == "XX"


def _path_matches(pattern: str, path: str) -> bool:
    if "*" not in pattern:
        return path == pattern
    return fnmatch.fnmatchcase(path, pattern.replace("[", "[[]"))


class Journal(Protocol):
    """Where journaled requests are kept."""

    #: The most entries kept; the oldest go first.
    size: int
    #: Redacted wherever they appear in a header or a query value (the admin token).
    secret_values: frozenset[str]

    def record(self, outcome: Outcome) -> None:
        """Keep ``outcome`` (called once per answered request)."""

    def entries(self) -> Iterator[Entry]:
        """Every entry kept, newest first, as :func:`render` gives them."""

    def clear(self, api: str | None = None) -> int:
        """Forget every entry (or ``api``'s); how many were forgotten."""


class MemoryJournal:
    """The journal in this process: a bounded deque of kept requests, rendered when read."""

    def __init__(self, size: int = DEFAULT_SIZE, secret_values: frozenset[str] = frozenset()) -> None:
        if size < 1:
            raise ValueError("a journal keeps at least one request")
        self.size = size
        #: Redacted wherever they appear in a header or a query value (the admin token).
        self.secret_values = secret_values
        self._kept: deque[Kept] = deque(maxlen=size)
        self._rendered: dict[int, Entry] = {}
        self._ids = itertools.count(1)

    def __len__(self) -> int:
        return len(self._kept)

    def record(self, outcome: Outcome) -> None:
        kept = self._kept
        if len(kept) == self.size and self._rendered:
            self._rendered.pop(kept[0][0], None)
        kept.append(keep(outcome, next(self._ids)))

    def entries(self) -> Iterator[Entry]:
        rendered = self._rendered
        for kept in reversed(list(self._kept)):
            entry = rendered.get(kept[0])
            if entry is None:
                entry = rendered[kept[0]] = render(kept, self.secret_values)
            yield entry

    def clear(self, api: str | None = None) -> int:
        before = len(self._kept)
        if api is None:
            self._kept.clear()
            self._rendered.clear()
        else:
            left = [k for k in self._kept if k[2] is None or k[2].api.name != api]
            self._kept = deque(left, maxlen=self.size)
            alive = {k[0] for k in left}
            self._rendered = {i: e for i, e in self._rendered.items() if i in alive}
        return before - len(self._kept)


def select(entries: Iterable[Entry], where: RequestFilter, limit: int | None = None) -> list[Entry]:
    """The entries matching ``where``, in the order given, at most ``limit``."""
    found = (entry for entry in entries if where.matches(entry))
    return list(itertools.islice(found, limit))


# -- rendering -------------------------------------------------------------------------------------


_SECRETS: dict[int, tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}


def secret_names(runtime: ApiRuntime | None) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(headers, query parameters, cookies) that carry credentials for ``runtime``'s API."""
    if runtime is None:
        return ALWAYS_REDACTED, frozenset(), frozenset()
    found = _SECRETS.get(id(runtime))
    if found is None:
        headers, query, cookies = set(ALWAYS_REDACTED), set(), set()
        for scheme in runtime.security.schemes.values():
            if scheme.type != "apiKey":
                continue
            if scheme.location == "header":
                headers.add(scheme.param.lower())
            elif scheme.location == "query":
                query.add(scheme.param)
            elif scheme.location == "cookie":
                cookies.add(scheme.param)
        found = _SECRETS[id(runtime)] = (frozenset(headers), frozenset(query), frozenset(cookies))
    return found


#: A request as the journal keeps it (see :func:`keep`).
Kept = tuple[Any, ...]


def keep(outcome: Outcome, ident: int) -> Kept:
    """``outcome`` as the journal keeps it: one tuple of what rendering needs, much of it
    immutable (numbers, strings, bytes, tuples of them), so that keeping 1,000 requests gives
    Python's garbage collector little to scan; the outcome itself is dropped. Kept by
    reference, never copied: the request's headers (the server's list, which nothing changes
    after the request) and the response's, the path parameters, the problems."""
    body = outcome.request_body
    fault = outcome.fault
    return (
        ident,
        outcome.received_at,
        outcome.runtime,
        outcome.operation,
        outcome.method,
        outcome.path,
        outcome.raw_query,
        outcome.path_params,
        outcome.status,
        outcome.duration_ms,
        (fault.id, fault.status, outcome.delay_ms, fault.drop) if fault is not None else None,
        outcome.prefer,
        outcome.raw_headers,
        body[:BODY_CAP],
        len(body) > BODY_CAP,
        outcome.response_headers,
        outcome.response_body,
        outcome.response_truncated,
        outcome.problems,
        outcome.violations,
    )


def render(kept: Kept, secret_values: frozenset[str] = frozenset()) -> Entry:
    """The journal entry of a kept request: plain JSON values, credentials redacted.

    ``secret_values``: values redacted wherever they appear in a header or query value (the
    admin token).
    """
    (
        ident, received_at, runtime, operation, method, path, raw_query, path_params, status,
        duration_ms, fault, prefer, raw_headers, request_body, request_truncated,
        response_headers, response_body, response_truncated, problems, broken,
    ) = kept  # fmt: skip
    secret_headers, secret_query, _ = secret_names(runtime)
    return {
        "id": ident,
        "received_at": round(received_at, 3),
        "api": runtime.api.name if runtime is not None else None,
        "method": method,
        "path": path,
        "query": _query(raw_query, secret_query, secret_values),
        "operation_id": operation.operation_id if operation is not None else None,
        "path_params": dict(path_params),
        "status": status or None,
        "error_code": error_code(response_body) if status >= 400 else None,
        "duration_ms": round(duration_ms, 3),
        "credential": credential_of(runtime, operation, raw_headers, raw_query),
        "fault": _fault(fault),
        "prefer": prefer,
        "request": {
            "headers": _headers(raw_headers, secret_headers, secret_values),
            "body": _body(request_body),
            **({"truncated": True} if request_truncated else {}),
        },
        "response": {
            "headers": _headers(response_headers, secret_headers, secret_values),
            "body": _body(response_body),
            **({"truncated": True} if response_truncated else {}),
        },
        "violations": [
            {
                "source": "request",
                "kind": problem.kind.value,
                "field": problem.param,
                "in": problem.location,
                "message": problem.message,
            }
            for problem in problems
        ]
        + [
            {"source": "response", "kind": "response_invalid", "field": None, "in": None, "message": reason}
            for reason in broken
        ],
    }


def _fault(applied: tuple[str, int | None, int, bool] | None) -> dict[str, Any] | None:
    if applied is None:
        return None
    fault_id, status, delay_ms, drop = applied
    shown: dict[str, Any] = {"id": fault_id, "delay_ms": delay_ms}
    if status is not None:
        shown["status"] = status
    if drop:
        shown["drop"] = True
    return shown


def _hides(text: str, values: frozenset[str]) -> bool:
    return any(value in text for value in values)


def _headers(
    raw: Iterable[tuple[bytes, bytes]], secret: frozenset[str], values: frozenset[str]
) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in raw:
        name = key.decode("latin-1").lower()
        text = value.decode("latin-1")
        if name in secret or _hides(text, values):
            text = REDACTED
        headers[name] = f"{headers[name]}, {text}" if name in headers else text
    return headers


def _query(raw: bytes, secret: frozenset[str], values: frozenset[str]) -> dict[str, str | list[str]]:
    query: dict[str, str | list[str]] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        text = REDACTED if name in secret or _hides(value, values) else value
        known = query.get(name)
        if known is None:
            query[name] = text
        elif isinstance(known, list):
            known.append(text)
        else:
            query[name] = [known, text]
    return query


def _body(raw: bytes) -> Any:
    """JSON bodies as JSON, anything else as text (``None``: no body)."""
    if not raw:
        return None
    if raw[:1] in (b"{", b"[", b'"') or raw[:1].isdigit():
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return raw.decode("utf-8", "replace")
