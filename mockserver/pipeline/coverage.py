"""Spec coverage of a client's test suite: which parts of each API's contract it exercised.

An observer of the pipeline. For every operation of every mocked API it counts the calls
and the statuses produced, and remembers which documented parameters (and top-level
request body fields) were ever sent. :meth:`Coverage.report` then lists, per operation,
the documented statuses never produced and the parameters never sent: the error paths and
options the client's tests never touched.

Statuses are matched as openapi-core matches a response: the exact code, else its range
(``4XX``), else ``default``. ``default`` is not a status, so it is never "uncovered"; a
status no response documents is listed as ``undocumented``. Every answer counts: the
handler's, the pipeline's own refusals (401, 400...), faults and ``Prefer`` answers.

Observing a request costs a few dictionary updates: the parameters still unsent are
checked against the request, and once every one has been seen nothing more is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.pipeline.generated import document
from mockserver.pipeline.outcome import Outcome

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime
    from mockserver.validation import OperationValidator


@dataclass
class _Operation:
    """What one operation has seen so far."""

    calls: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    #: Parameters never sent yet, by location: query and cookie names, and header names
    #: (lower-cased bytes, as ASGI gives them) -> as documented.
    unsent_query: set[str] = field(default_factory=set)
    unsent_headers: dict[bytes, str] = field(default_factory=dict)
    unsent_cookies: set[str] = field(default_factory=set)
    #: Top-level request body fields never sent yet.
    unsent_fields: set[str] = field(default_factory=set)

    def unsent(self) -> list[tuple[str, str]]:
        """(location, name) of every parameter never sent."""
        return sorted(
            [("query", n) for n in self.unsent_query]
            + [("header", n) for n in self.unsent_headers.values()]
            + [("cookie", n) for n in self.unsent_cookies]
        )


class Coverage:
    """Calls, statuses and parameters seen, per (API, operationId)."""

    def __init__(self) -> None:
        #: By operation (its validator: one per operation of a mounted API).
        self._seen: dict[OperationValidator, _Operation] = {}

    def observe(self, outcome: Outcome) -> None:
        op, status = outcome.operation, outcome.status
        if op is None or not status or outcome.admin:
            return
        seen = self._seen.get(op)
        if seen is None:
            runtime = outcome.runtime
            assert runtime is not None  # an operation is always of a mounted API
            seen = self._seen[op] = self._start(runtime, op)
        seen.calls += 1
        statuses = seen.statuses
        statuses[status] = statuses.get(status, 0) + 1
        if seen.unsent_headers:
            for name, _ in outcome.raw_headers:
                if name in seen.unsent_headers:
                    del seen.unsent_headers[name]
        if seen.unsent_query and outcome.raw_query and outcome.query is not None:
            seen.unsent_query.difference_update(outcome.query.keys())
        if seen.unsent_cookies and outcome.cookies:
            seen.unsent_cookies.difference_update(outcome.cookies)
        if seen.unsent_fields and isinstance(outcome.parsed, dict):
            seen.unsent_fields.difference_update(outcome.parsed)

    def _start(self, runtime: ApiRuntime, op: OperationValidator) -> _Operation:
        seen = _Operation()
        for parameter in op.parameters:
            if parameter.location == "query":
                seen.unsent_query.add(parameter.name)
            elif parameter.location == "header":
                seen.unsent_headers[parameter.name.lower().encode("latin-1")] = parameter.name
            elif parameter.location == "cookie":
                seen.unsent_cookies.add(parameter.name)
        operation = document(runtime).find(op.method, op.path_template)
        body = operation.request_body.json if operation and operation.request_body else None
        if body is not None and body.schema is not None:
            seen.unsent_fields = set(body.schema.object_properties()[0])
        return seen

    def clear(self, runtimes: list[ApiRuntime]) -> None:
        """Forget what ``runtimes``' operations have seen."""
        for runtime in runtimes:
            for op in runtime.validators.values():
                self._seen.pop(op, None)

    def report(self, runtimes: list[ApiRuntime]) -> dict[str, Any]:
        """Every operation of ``runtimes``' documents: calls, statuses, what was never sent."""
        operations: list[dict[str, Any]] = []
        for runtime in runtimes:
            model = document(runtime)
            for op in runtime.validators.values():
                seen = self._seen.get(op)
                if seen is None:
                    seen = self._start(runtime, op)
                operation = model.find(op.method, op.path_template)
                documented = list(operation.responses) if operation is not None else []
                operations.append(_operation_report(runtime.api.name, op, seen, documented))
        return {"operations": operations, "totals": _totals(operations)}


def _operation_report(
    api: str, op: OperationValidator, seen: _Operation, documented: list[str]
) -> dict[str, Any]:
    produced: dict[str, int] = {}
    covered: set[str] = set()
    undocumented: dict[str, int] = {}
    for status, count in sorted(seen.statuses.items()):
        produced[str(status)] = count
        key = documented_key(status, documented)
        if key is None:
            undocumented[str(status)] = count
        else:
            covered.add(key)
    statuses = [s for s in documented if s != "default"]
    return {
        "api": api,
        "operation_id": op.operation_id,
        "method": op.method.upper(),
        "path": op.path_template,
        "calls": seen.calls,
        "documented_statuses": statuses,
        "statuses_produced": produced,
        "statuses_never_produced": [s for s in statuses if s not in covered],
        "undocumented_statuses": undocumented,
        "parameters_never_sent": [{"name": name, "in": location} for location, name in seen.unsent()],
        "body_fields_never_sent": sorted(seen.unsent_fields),
    }


def documented_key(status: int, documented: list[str]) -> str | None:
    """The response key ``status`` is answered under: exact, range, else ``default``."""
    text = str(status)
    for key in (text, f"{text[0]}XX", f"{text[0]}xx", "default"):
        if key in documented:
            return key
    return None


def _totals(operations: list[dict[str, Any]]) -> dict[str, int]:
    documented = sum(len(op["documented_statuses"]) for op in operations)
    never = sum(len(op["statuses_never_produced"]) for op in operations)
    return {
        "operations": len(operations),
        "operations_called": sum(1 for op in operations if op["calls"]),
        "statuses_documented": documented,
        "statuses_produced": documented - never,
        "parameters_never_sent": sum(len(op["parameters_never_sent"]) for op in operations),
    }


def merge_reports(reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One report from several of :meth:`Coverage.report` (servers of the same APIs, e.g. one
    per test configuration or per pytest-xdist worker): calls and statuses add up; a status is
    never produced, and a parameter or body field never sent, only if it is so in every report
    that has the operation."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for report in reports:
        for op in report["operations"]:
            key = (op["api"], op["operation_id"])
            seen = merged.get(key)
            if seen is None:
                merged[key] = {
                    **op,
                    "documented_statuses": list(op["documented_statuses"]),
                    "statuses_produced": dict(op["statuses_produced"]),
                    "statuses_never_produced": list(op["statuses_never_produced"]),
                    "undocumented_statuses": dict(op["undocumented_statuses"]),
                    "parameters_never_sent": list(op["parameters_never_sent"]),
                    "body_fields_never_sent": list(op["body_fields_never_sent"]),
                }
                continue
            seen["calls"] += op["calls"]
            for name in ("statuses_produced", "undocumented_statuses"):
                counts = seen[name]
                for status, count in op[name].items():
                    counts[status] = counts.get(status, 0) + count
                seen[name] = dict(sorted(counts.items()))
            for name in ("statuses_never_produced", "parameters_never_sent", "body_fields_never_sent"):
                seen[name] = [item for item in seen[name] if item in op[name]]
    operations = list(merged.values())
    return {"operations": operations, "totals": _totals(operations)}
