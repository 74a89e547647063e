"""Build the ASGI application: Connexion serving one or more mock APIs.

>>> app = create_app(["vinr"])                      # VINR at the root
>>> app = create_app(["vinr", "voucherify"])        # each under /<name>

The returned Connexion ``AsyncApp`` carries ``app.mock``, a :class:`MockServer`
giving tests and the admin API access to the clock, reset and contract
violations. The admin API (:mod:`mockserver.admin`) is mounted at ``/__admin`` as one
more runtime of the same pipeline, behind its own guard.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from connexion import AsyncApp
from connexion.lifecycle import ConnexionRequest, ConnexionResponse
from connexion.middleware.context import ContextMiddleware
from connexion.middleware.exceptions import ExceptionMiddleware
from connexion.middleware.lifespan import LifespanMiddleware
from connexion.middleware.routing import RoutingMiddleware
from connexion.middleware.server_error import ServerErrorMiddleware
from connexion.middleware.swagger_ui import SwaggerUIMiddleware
from connexion.options import SwaggerUIOptions
from connexion.resolver import Resolver
from starlette.exceptions import HTTPException

from mockserver import admin as admin_api
from mockserver import speccheck
from mockserver.clock import Clock
from mockserver.dispatch import dumps
from mockserver.docs.serve import DocsMiddleware
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.middleware import ErrorGuard, MockMiddleware
from mockserver.pipeline import DEFAULT_SIZE as DEFAULT_JOURNAL_SIZE
from mockserver.pipeline import Control
from mockserver.plugins import MockAPI, api_class
from mockserver.runtime import DEFAULT_MAX_BODY, ApiRuntime, MockServer
from mockserver.spec_route import SpecRoute, check_openapi31, is_openapi31
from mockserver.store import Store, open_store
from mockserver.store.clock import open_clock

log = logging.getLogger("mockserver")


@dataclass
class ApiOptions:
    """How to start one API."""

    name: str
    prefix: str | None = None
    fixtures: Path | None = None
    no_fixtures: bool = False
    spec: Path | None = None
    #: Use this class instead of looking ``name`` up in the registry (tests, embedding).
    api_cls: type[MockAPI] | None = None
    #: Seed of the bodies the generic behaviour makes up (``--seed``).
    seed: int = 0


def create_app(
    apis: Sequence[str | ApiOptions],
    *,
    clock: Clock | None = None,
    api_keys: Sequence[str] = (),
    max_body: int = DEFAULT_MAX_BODY,
    validate: bool = True,
    state: str = "memory",
    admin: admin_api.AdminOptions | None = None,
    journal_size: int = DEFAULT_JOURNAL_SIZE,
    seed: int | None = None,
) -> AsyncApp:
    """A Connexion app serving ``apis`` (names or :class:`ApiOptions`).

    One API is served at the root; several are each served under ``/<name>``
    unless an explicit prefix is given. ``validate=False`` turns off the schema
    validation of requests and responses (for measuring what it costs; never for tests).
    ``state`` says where the APIs' state and the clock live (``memory``,
    ``sqlite:///PATH``, ``redis://HOST:PORT/DB``, see :mod:`mockserver.store`): each API
    gets its own store there, seeded from its fixtures only when it holds nothing yet.
    ``admin``: the admin API's token and hosts (default: any token, loopback only).
    ``journal_size``: requests the journal keeps (0: no journal); ``seed``: makes fault
    probabilities and generated bodies reproducible (:mod:`mockserver.pipeline`).
    """
    if not apis:
        raise ConfigurationError("no API to serve")
    speccheck.install()  # each distinct document checked against the OpenAPI schema once
    options = [a if isinstance(a, ApiOptions) else ApiOptions(name=a) for a in apis]
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise ConfigurationError("each API can be mounted only once")
    owned = clock is None
    clock = clock or Clock(open_clock(state))
    stores: list[Store] = []
    try:
        runtimes = _build_runtimes(options, clock, state, stores, api_keys, max_body, validate)
    except BaseException:
        for store in stores:
            store.close()
        if owned:
            clock.state.close()
        raise

    server = MockServer(runtimes, clock, state=state, owns_clock=owned)
    server.control = Control(journal_size=journal_size, seed=seed)
    admin = admin or admin_api.AdminOptions()
    admin_runtime = admin_api.mount(server, admin)
    if admin.token and server.control.journal is not None:
        server.control.journal.secret_values = frozenset({admin.token})
    policy = admin.host_policy()

    def admin_guard(app: Any) -> admin_api.AdminGuard:
        return admin_api.AdminGuard(app, admin_api.PREFIX, policy, admin_runtime.error_response)

    def mock(app: Any) -> MockMiddleware:
        return MockMiddleware(app, server)

    def spec_route(app: Any) -> SpecRoute:
        return SpecRoute(app, [r for r in server.runtimes if is_openapi31(r.api.spec)])

    def error_guard(app: Any) -> ErrorGuard:
        return ErrorGuard(app, server)

    # The mock middleware answers every request for an operation of a mounted API itself;
    # what comes after it sees only the rest (Swagger UI, the served spec, and 404s).
    app = AsyncApp(
        __name__,
        middlewares=[
            ServerErrorMiddleware,
            error_guard,
            ExceptionMiddleware,
            admin_guard,
            functools.partial(DocsMiddleware, server=server),
            mock,
            spec_route,
            SwaggerUIMiddleware,
            RoutingMiddleware,
            LifespanMiddleware,
            ContextMiddleware,
        ],
    )
    for runtime in server.mounted():
        if is_openapi31(runtime.api.spec):
            continue  # Connexion 3 refuses 3.1: checked above, served by SpecRoute
        # Connexion checks the document against the OpenAPI schema here, and serves it
        # (``/openapi.json``, Swagger UI at ``/ui``). Its handlers are never reached: the
        # mock middleware answers every operation (the generic behaviour where the API has
        # no handler).
        app.add_api(
            runtime.api.spec,
            base_path=runtime.base_path or None,
            name=runtime.api.name,
            resolver=Resolver(function_resolver=_unreachable),
            swagger_ui_options=SwaggerUIOptions(swagger_ui_path="/ui"),
        )

    def http_error(request: ConnexionRequest, exc: Exception) -> ConnexionResponse:
        runtime = server.runtime_for_path(request.url.path)
        status = exc.status_code if isinstance(exc, HTTPException) else 500
        kind = {404: ProblemKind.ROUTE_NOT_FOUND, 405: ProblemKind.METHOD_NOT_ALLOWED}.get(
            status, ProblemKind.INTERNAL
        )
        message = (
            f"{request.method} is not allowed on {request.url.path}."
            if status == 405
            else f"Unrecognized request URL ({request.method}: {request.url.path})."
        )
        extra = dict(exc.headers or {}) if isinstance(exc, HTTPException) else {}
        if status == 405:
            extra["Allow"] = ", ".join(server.allowed_methods(request.url.path))
        if runtime is None:
            return ConnexionResponse(
                status_code=status,
                headers=extra,
                body=dumps({"error": message}),
                mimetype="application/json",
            )
        error = runtime.api.error_for(Problem(kind, message))
        return ConnexionResponse(
            status_code=error.status,
            body=dumps(error.body()),
            mimetype="application/json",
            headers={**runtime.api.error_headers(), **error.headers, **extra},
        )

    app.add_error_handler(HTTPException, http_error)
    app.mock = server
    return app


def _build_runtimes(
    options: list[ApiOptions],
    clock: Clock,
    state: str,
    stores: list[Store],
    api_keys: Sequence[str],
    max_body: int,
    validate: bool,
) -> list[ApiRuntime]:
    runtimes: list[ApiRuntime] = []
    for option in options:
        cls = option.api_cls or api_class(option.name)
        fixtures = None if option.no_fixtures else (option.fixtures or cls.default_fixtures)
        store = open_store(state, option.name)
        stores.append(store)
        api = cls(
            clock=clock, fixtures=fixtures, api_keys=api_keys, spec_path=option.spec, store=store
        )
        api.seed = option.seed
        if is_openapi31(api.spec):
            check_openapi31(api.spec, api.spec_file)
        if not api.start():
            log.info("%s: kept the state found in %s (fixtures not loaded)", api.name, state)
        prefix = option.prefix
        if prefix is None:
            prefix = api.default_prefix() if len(options) == 1 else f"/{option.name}{api.default_prefix()}"
        api.mounted_at(prefix.rstrip("/"))
        runtimes.append(
            ApiRuntime(api=api, base_path=prefix.rstrip("/"), max_body=max_body, validate=validate)
        )
    return runtimes


def _unreachable(operation_id: str) -> Any:
    def handler(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"Connexion dispatched {operation_id}, which the mock middleware serves")

    return handler
