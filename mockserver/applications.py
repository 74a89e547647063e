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
from mockserver.clock import Clock
from mockserver.dispatch import dumps
from mockserver.docs.serve import DocsMiddleware
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.middleware import ErrorGuard, MockMiddleware
from mockserver.plugins import MockAPI, api_class
from mockserver.runtime import DEFAULT_MAX_BODY, ApiRuntime, MockServer


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


def create_app(
    apis: Sequence[str | ApiOptions],
    *,
    clock: Clock | None = None,
    api_keys: Sequence[str] = (),
    max_body: int = DEFAULT_MAX_BODY,
    validate: bool = True,
    admin: admin_api.AdminOptions | None = None,
) -> AsyncApp:
    """A Connexion app serving ``apis`` (names or :class:`ApiOptions`).

    One API is served at the root; several are each served under ``/<name>``
    unless an explicit prefix is given. ``validate=False`` turns off the schema
    validation of requests and responses (for measuring what it costs; never for tests).
    ``admin``: the admin API's token and hosts (default: any token, loopback only).
    """
    if not apis:
        raise ConfigurationError("no API to serve")
    clock = clock or Clock()
    options = [a if isinstance(a, ApiOptions) else ApiOptions(name=a) for a in apis]
    names = [o.name for o in options]
    if len(set(names)) != len(names):
        raise ConfigurationError("each API can be mounted only once")

    runtimes: list[ApiRuntime] = []
    for option in options:
        cls = option.api_cls or api_class(option.name)
        fixtures = None if option.no_fixtures else (option.fixtures or cls.default_fixtures)
        api = cls(clock=clock, fixtures=fixtures, api_keys=api_keys, spec_path=option.spec)
        api.reset()
        prefix = option.prefix if option.prefix is not None else ("" if len(options) == 1 else f"/{option.name}")
        api.mounted_at(prefix.rstrip("/"))
        runtimes.append(
            ApiRuntime(api=api, base_path=prefix.rstrip("/"), max_body=max_body, validate=validate)
        )

    server = MockServer(runtimes, clock)
    admin = admin or admin_api.AdminOptions()
    admin_runtime = admin_api.mount(server, admin)
    policy = admin.host_policy()

    def admin_guard(app: Any) -> admin_api.AdminGuard:
        return admin_api.AdminGuard(app, admin_api.PREFIX, policy, admin_runtime.error_response)

    def mock(app: Any) -> MockMiddleware:
        return MockMiddleware(app, server)

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
            SwaggerUIMiddleware,
            RoutingMiddleware,
            LifespanMiddleware,
            ContextMiddleware,
        ],
    )
    for runtime in server.mounted():
        # Connexion checks the document against the OpenAPI schema here, and serves it
        # (``/openapi.json``, Swagger UI at ``/ui``). Its handlers are never reached: an
        # operation the API has no handler for answers 501 from the mock middleware.
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


def _unreachable(operation_id: str) -> Any:
    def handler(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(f"Connexion dispatched {operation_id}, which the mock middleware serves")

    return handler
