"""What the engine prepares at start-up for each mounted API, and the server holding them."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from openapi_core import Config, OpenAPI

from mockserver.clock import Clock
from mockserver.dispatch import Dispatcher, RawHeaders, dumps
from mockserver.exceptions import MockError, Problem
from mockserver.pipeline import Control
from mockserver.plugins import MockAPI
from mockserver.routing import Match, RouteIndex
from mockserver.security import SecurityPolicy, read_schemes
from mockserver.validation import OperationValidator, build_validators

DEFAULT_MAX_BODY = 1024 * 1024


@dataclass
class Violation:
    """A response that failed its own schema: always a bug in the mock."""

    api: str
    operation_id: str
    status: int
    reasons: list[str]


@dataclass
class ApiRuntime:
    """One mounted API with everything prepared at start-up."""

    api: MockAPI
    base_path: str
    max_body: int = DEFAULT_MAX_BODY
    #: ``False``: skip the schema validation of requests and responses (benchmarks only).
    validate: bool = True
    validators: dict[str, OperationValidator] = field(init=False)
    routes: RouteIndex[OperationValidator] = field(init=False)
    security: SecurityPolicy = field(init=False)
    violations: list[Violation] = field(default_factory=list)
    _idempotency_locks: dict[str, asyncio.Lock] = field(default_factory=dict)
    _handlers: Mapping[str, Callable[..., Any]] = field(init=False)
    _dispatchers: dict[str, Dispatcher | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Connexion has already checked the document against the OpenAPI schema: openapi-core
        # need not check it again (on a 2.9 MB document that is seconds of start-up).
        openapi = OpenAPI.from_dict(self.api.spec, config=Config(spec_validator_cls=None))
        self.validators = build_validators(openapi)
        self.routes = RouteIndex()
        for op in self.validators.values():
            self.routes.add(op.path_template, op.method, op)
        self.security = SecurityPolicy(read_schemes(self.api.spec), self.api.api_keys)
        self._handlers = self.api.handlers()

    def match(self, method: str, path: str) -> Match[OperationValidator] | None:
        """The operation for ``method`` on ``path`` (relative to the base path)."""
        return self.routes.match(method, path)

    def dispatcher(self, op: OperationValidator) -> Dispatcher | None:
        """How to call ``op``'s handler, prepared on first use.

        An operation the API has no handler for falls back to the generic behaviour
        inferred from the document (:attr:`MockAPI.generic`), unless the API turns it off
        (``generic_fallback = False``: then ``None``, a 501). So does an operation its
        document marks ``x-not-served`` (routed on purpose, its 501 documented).
        """
        try:
            return self._dispatchers[op.operation_id]
        except KeyError:
            pass
        handler = self._handlers.get(op.operation_id)
        dispatcher: Dispatcher | None = None
        if handler is not None:
            parameters = [(p.location, p.name) for p in op.parameters]
            dispatcher = Dispatcher(handler, parameters, op.has_body)
        elif self.api.generic_fallback and "x-not-served" not in op.operation:
            dispatcher = self.api.generic.dispatcher(op.operation_id)
        self._dispatchers[op.operation_id] = dispatcher
        return dispatcher

    def error_response(self, error: MockError) -> tuple[int, RawHeaders, bytes]:
        body = dumps(error.body())
        headers = {**self.api.error_headers(), **error.headers}
        # JSON, unless the error names its own media type (application/problem+json...)
        media = next((v for k, v in headers.items() if k.lower() == "content-type"), "application/json")
        raw = [(b"content-type", media.encode())]
        raw += [(k.lower().encode(), v.encode()) for k, v in headers.items() if k.lower() != "content-type"]
        return error.status, raw, body

    def problem_response(self, problem: Problem) -> tuple[int, RawHeaders, bytes]:
        return self.error_response(self.api.error_for(problem))


class MockServer:
    """The mounted APIs, their shared clock, and the operations on them all."""

    #: Every server built in this process (weakly held): lets a test suite check that no
    #: server it started ever produced a response that broke the contract.
    instances: ClassVar[weakref.WeakSet[MockServer]] = weakref.WeakSet()

    def __init__(
        self,
        runtimes: Sequence[ApiRuntime],
        clock: Clock,
        *,
        state: str = "memory",
        owns_clock: bool = False,
    ) -> None:
        MockServer.instances.add(self)
        self.runtimes = list(runtimes)
        self.clock = clock
        #: Where the APIs' state lives (the ``--state`` URL).
        self.state = state
        self._owns_clock = owns_clock
        self.by_base = {runtime.base_path: runtime for runtime in self.runtimes}
        #: Failures no API's pipeline caught (always a bug), e.g. in Connexion's own stack.
        self.errors: list[Violation] = []
        #: The admin API (``/__admin``), served by the same pipeline but not a mocked API.
        self.admin: ApiRuntime | None = None
        #: The request journal, spec coverage, faults and access log (:mod:`mockserver.pipeline`).
        self.control = Control()

    def mounted(self) -> list[ApiRuntime]:
        """Every runtime the pipeline serves: the mocked APIs and the admin API."""
        return self.runtimes if self.admin is None else [*self.runtimes, self.admin]

    def api(self, name: str) -> MockAPI:
        for runtime in self.runtimes:
            if runtime.api.name == name:
                return runtime.api
        raise KeyError(name)

    def runtime_for_path(self, path: str) -> ApiRuntime | None:
        best: ApiRuntime | None = None
        for runtime in self.mounted():
            base = runtime.base_path.rstrip("/")
            if (path == base or path.startswith(base + "/")) and (
                best is None or len(base) > len(best.base_path.rstrip("/"))
            ):
                best = runtime
        return best

    def allowed_methods(self, path: str) -> list[str]:
        """The HTTP methods the spec defines for the path ``path`` matches."""
        runtime = self.runtime_for_path(path)
        if runtime is None:
            return []
        match = runtime.match("", path[len(runtime.base_path) :] or "/")
        return list(match.allowed) if match is not None else []

    def reset(self, name: str | None = None) -> list[str]:
        targets = [r for r in self.runtimes if name is None or r.api.name == name]
        if not targets:
            raise KeyError(name)
        for runtime in targets:
            runtime.api.reset()
            # the idempotency cache went with the store; its per-key locks go too
            runtime._idempotency_locks.clear()
        # the journal forgets the requests, the faults go; the coverage is kept for the run
        self.control.reset(name)
        return [runtime.api.name for runtime in targets]

    def close(self) -> None:
        """Release every store's connections and files (and the clock's, if the server made it)."""
        for runtime in self.runtimes:
            runtime.api.store.close()
        if self._owns_clock:
            self.clock.state.close()

    def violations(self) -> list[Violation]:
        return [*self.errors, *(v for runtime in self.mounted() for v in runtime.violations)]

    def clock_state(self) -> dict[str, Any]:
        return {"now": self.clock.timestamp(), "frozen": self.clock.frozen}

    def describe(self) -> list[dict[str, str]]:
        return [
            {"api": r.api.name, "base_path": r.base_path or "/", "spec": str(r.api.spec_file)}
            for r in self.runtimes
        ]
