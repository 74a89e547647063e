"""Mock control from a test: the request journal, the spec coverage and faults, in process.

What a :class:`~mockserver.testing.MockHandle` offers beyond the clock and reset is the admin
API's mock control (``/__admin/requests``, ``/__admin/coverage``, ``/__admin/faults``) without
HTTP: the same :class:`~mockserver.pipeline.Control` methods the admin handlers call, run on
the server's event loop (between two requests, never in the middle of one).

Arguments are checked against the admin API's own document, as its requests are: the
filters against ``RequestFilter`` (the body of ``POST /__admin/requests/count``), a fault's
fields against ``FaultCommand`` (the body of ``POST /__admin/faults``). So a bad argument
raises the same message the admin API answers with, naming the same field:
:class:`InvalidFilter` for a filter, :class:`InvalidFault` for a fault (both
:class:`InvalidArgument`, a ``ValueError``). They live here, not in :mod:`mockserver.pipeline`,
so that a client's test module can import them without importing the engine (whose
dependencies warn on import: an error under ``-W error``).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

import orjson

if TYPE_CHECKING:
    from mockserver.runtime import MockServer
    from mockserver.serving import BackgroundServer

T = TypeVar("T")

#: Faults as the admin API shows them (``GET /__admin/faults``'s items).
FaultDescription = dict[str, Any]


class InvalidArgument(ValueError):
    """An argument the admin API would refuse with a 400; ``field`` names it, ``message`` is
    the admin API's."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class InvalidFilter(InvalidArgument):
    """A journal filter the admin API would refuse (``/__admin/requests``)."""


class InvalidFault(InvalidArgument):
    """A fault the admin API would refuse (``POST /__admin/faults``)."""


def json_copy(value: T) -> T:
    """``value`` as the admin API would send it (a copy the test may change freely)."""
    copied: T = orjson.loads(orjson.dumps(value))
    return copied


def problems(mock: MockServer, operation_id: str, body: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, message) for each way ``body`` breaks the request body of the admin API's
    ``operation_id``, as validation finds them for an HTTP request."""
    from openapi_core.datatypes import RequestParameters

    if mock.admin is None:  # every server the handles start mounts the admin API
        return []
    for name, value in body.items():
        try:
            orjson.dumps(value)
        except TypeError:
            return [(name, f"Invalid value for {name}: {value!r} is not a JSON value.")]
    data = json_copy(dict(body))
    validator = mock.admin.validators[operation_id]
    found, _ = validator.validate_request(
        RequestParameters(), orjson.dumps(data), "application/json", data
    )
    return [(p.param or "body", p.message) for p in found]


def select_requests(mock: MockServer, limit: int | None, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The journal entries matching ``filters``, newest first (``/__admin/requests``)."""
    check_filters(mock, filters)
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidFilter("limit", f"Invalid value for limit: {limit!r} is not an integer of at least 1.")
    return json_copy(mock.control.requests(limit=limit, **filters))


def count_requests(mock: MockServer, filters: Mapping[str, Any]) -> int:
    """How many journal entries match ``filters`` (``POST /__admin/requests/count``)."""
    check_filters(mock, filters)
    return mock.control.count(**filters)


def check_filters(mock: MockServer, filters: Mapping[str, Any]) -> None:
    for field, message in problems(mock, "countRequests", filters):
        raise InvalidFilter(field, message)


class MockFaults:
    """The faults in force on one mock (``/__admin/faults``), driven from the test.

    ``add(**fields)``  a fault: ``operation``, ``status``, ``delay_ms``, ``drop``, ``times``,
                       ``probability``, ``seed``, ``api`` (the admin API's fields); returns
                       it as the admin API shows it (``{"id": "flt_1", ...}``)
    ``list()``         every fault in force, in the order they apply (also ``iter()``,
                       ``len()``)
    ``get(id)``        one fault, with how often it has applied
    ``remove(id)``     remove one (returns it as it was)
    ``clear()``        remove every fault; how many were removed

    A reset (:meth:`MockHandle.reset`, done before each test) removes the faults too.
    """

    def __init__(self, server: BackgroundServer, mock: MockServer) -> None:
        self._server = server
        self._mock = mock

    def _call(self, function: Callable[[], T]) -> T:
        return self._server.call(function)

    def add(self, **fields: Any) -> FaultDescription:
        """Put a fault in force; :class:`InvalidFault` naming the field (``.field``) when the
        admin API would answer 400 for it."""
        from mockserver.pipeline.faults import FaultError  # loaded with the server

        mock = self._mock

        def add() -> FaultDescription:
            for field, message in problems(mock, "createFault", fields):
                raise InvalidFault(field, message)
            try:
                fault = mock.control.add_fault(mock.runtimes, **fields)
            except FaultError as exc:
                raise InvalidFault(exc.field, exc.message) from None
            return json_copy(fault.describe())

        return self._call(add)

    def list(self) -> builtins.list[FaultDescription]:
        """Every fault in force, in the order they apply."""
        return self._call(lambda: [json_copy(f.describe()) for f in self._mock.control.faults])

    def get(self, fault_id: str) -> FaultDescription:
        """One fault in force (``KeyError`` when none has that id)."""
        return self._call(lambda: json_copy(self._found(fault_id).describe()))

    def remove(self, fault_id: str) -> FaultDescription:
        """Remove one fault; returns it as it was (``KeyError`` when none has that id)."""

        def remove() -> FaultDescription:
            fault = self._found(fault_id)
            self._mock.control.faults.remove(fault.id)
            return json_copy(fault.describe())

        return self._call(remove)

    def clear(self) -> int:
        """Remove every fault; how many were removed."""
        return self._call(self._mock.control.faults.clear)

    def _found(self, fault_id: str) -> Any:
        for fault in self._mock.control.faults:
            if fault.id == fault_id:
                return fault
        raise KeyError(f"No fault {fault_id!r} is in force.")

    def __iter__(self) -> Iterator[FaultDescription]:
        return iter(self.list())

    def __len__(self) -> int:
        return self._call(lambda: len(self._mock.control.faults.active))

    def __repr__(self) -> str:
        return f"<MockFaults {self.list()!r}>"
