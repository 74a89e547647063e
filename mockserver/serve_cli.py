"""``mockserver serve``: the mock server, with its connection limits and admin API.

Its own module so that the other commands (``docs``, ``contract``, ``diff``...) start without
loading uvicorn and the engine; :mod:`mockserver.cli` imports it when ``serve`` runs.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

import click

from mockserver.exceptions import ConfigurationError
from mockserver.limits import ServerLimits
from mockserver.plugins import available_apis

_LIMITS = ServerLimits()


def _default_max_body() -> int:
    """Read lazily: importing the runtime (openapi-core, Connexion) would slow every command."""
    from mockserver.runtime import DEFAULT_MAX_BODY

    return DEFAULT_MAX_BODY


def _default_journal_size() -> int:
    """Read lazily, as :func:`_default_max_body`."""
    from mockserver.pipeline.journal import DEFAULT_SIZE

    return DEFAULT_SIZE


@click.command(name="serve")
@click.option(
    "--api",
    "apis",
    multiple=True,
    type=click.Choice(sorted(available_apis())),
    help="API to serve; repeat to serve several, each under /<name>. Default: vinr, or "
    "generic (any document, inferred) when --spec is given alone.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port to listen on (0: any free port, printed at start-up).",
)
@click.option(
    "--fixtures",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Fixtures directory to seed from instead of the API's default "
    "(with several APIs, a directory holding one sub-directory per API).",
)
@click.option("--no-fixtures", is_flag=True, help="Start with empty state.")
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OpenAPI document to serve instead of the API's default (single API only).",
)
@click.option(
    "--api-key",
    "api_keys",
    multiple=True,
    help="Accept only this key (repeatable). Without it any non-empty credential is accepted.",
)
@click.option(
    "--max-body",
    default=_default_max_body,
    show_default="1048576",
    type=click.IntRange(min=1),
    help="Largest request body accepted, in bytes (larger ones get 413).",
)
@click.option(
    "--no-validate",
    is_flag=True,
    help="Skip the schema validation of requests and responses (to measure what it costs; "
    "parameters are still cast, security and the API's rules still apply).",
)
@click.option(
    "--admin-token",
    metavar="TOKEN",
    envvar="MOCKSERVER_ADMIN_TOKEN",
    help="The only bearer token the admin API (/__admin) accepts (env: MOCKSERVER_ADMIN_TOKEN). "
    "Without it any non-empty token is accepted, and only loopback --host is allowed.",
)
@click.option(
    "--allowed-host",
    "allowed_hosts",
    metavar="NAME",
    multiple=True,
    help="Host name the admin API also answers to, as Host or Origin (repeatable); "
    "loopback and the bound address always are.",
)
@click.option(
    "--max-url",
    default=_LIMITS.max_url,
    show_default=True,
    type=click.IntRange(min=64),
    help="Longest request URL (path and query), in bytes (longer: 414).",
)
@click.option(
    "--max-header-bytes",
    default=_LIMITS.max_header_bytes,
    show_default=True,
    type=click.IntRange(min=256),
    help="Largest total size of the request's header fields, in bytes (larger: 431).",
)
@click.option(
    "--max-headers",
    default=_LIMITS.max_headers,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most header fields in a request (more: 431).",
)
@click.option(
    "--header-timeout",
    default=_LIMITS.header_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has to send a request's head once it starts it (or opens the "
    "connection); then 408 and the connection is closed.",
)
@click.option(
    "--body-timeout",
    default=_LIMITS.body_timeout,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds a client has to send a request's whole body after its head; then 408 and "
    "the connection is closed.",
)
@click.option(
    "--keep-alive",
    default=_LIMITS.keep_alive,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    help="Seconds an idle kept-alive connection stays open between requests.",
)
@click.option(
    "--max-connections",
    default=_LIMITS.max_connections,
    show_default=True,
    type=click.IntRange(min=1),
    help="Most concurrent connections (or running requests); beyond it requests get 503.",
)
@click.option(
    "--shutdown-timeout",
    default=_LIMITS.shutdown_timeout,
    show_default=True,
    type=click.FloatRange(min=0),
    help="Seconds running requests get to finish when the server stops.",
)
@click.option(
    "--state",
    default="memory",
    show_default=True,
    envvar="MOCKSERVER_STATE",
    help="Where the APIs' state and the clock live: memory (this process), sqlite:///PATH "
    "(a file: survives restarts, shared by the workers of one host) or redis://HOST:PORT/DB "
    "(shared by every worker and host using it).",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="Worker processes answering on the port (more than one needs --state sqlite or redis).",
)
@click.option(
    "--journal-size",
    default=_default_journal_size,
    show_default=True,
    type=click.IntRange(min=0),
    help="Requests the journal (/__admin/requests) keeps (1000 by default), the oldest dropped first; "
    "0 turns the journal off.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    help="Seed for what the mock draws at random (fault probabilities and delay ranges, "
    "bodies made up from a schema: generic operations, Prefer: dynamic=true): the same seed, "
    "the same answers.",
)
@click.option(
    "--coverage-report",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write the spec coverage of the requests served to FILE when the server stops: "
    "JSON, Markdown or JUnit XML, by the extension (.json, .md, .xml).",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def serve(
    apis: tuple[str, ...],
    host: str,
    port: int,
    fixtures: Path | None,
    no_fixtures: bool,
    spec: Path | None,
    api_keys: tuple[str, ...],
    max_body: int,
    no_validate: bool,
    admin_token: str | None,
    allowed_hosts: tuple[str, ...],
    max_url: int,
    max_header_bytes: int,
    max_headers: int,
    header_timeout: float,
    body_timeout: float,
    keep_alive: float,
    max_connections: int,
    shutdown_timeout: float,
    state: str,
    workers: int,
    journal_size: int,
    seed: int | None,
    coverage_report: Path | None,
    log_level: str,
) -> None:
    """Start the mock server (Swagger UI at /ui, admin API at /__admin)."""
    from mockserver import collector
    from mockserver.admin import AdminOptions, is_loopback
    from mockserver.applications import ApiOptions, create_app
    from mockserver.pipeline import coverage_report as report_file
    from mockserver.serving import (
        BindError,
        bind,
        bound_port,
        http_url,
        serve_forever,
        server_config,
    )
    from mockserver.workers import refusal

    refused = refusal(state, workers)
    if refused:
        raise click.UsageError(refused)
    if coverage_report is not None and workers > 1:
        # each worker has its own journal and coverage (see the README's limits)
        raise click.UsageError("--coverage-report needs a single worker (each worker counts its own)")
    if not admin_token and not is_loopback(host):
        click.echo(
            f"mockserver: refusing to listen on {host} without --admin-token: anyone who can "
            "reach it could reset its state and move its clock. Pass --admin-token TOKEN "
            "(clients then send 'Authorization: Bearer TOKEN' to /__admin), or bind 127.0.0.1.",
            err=True,
        )
        sys.exit(2)
    if coverage_report is not None:
        try:
            report_file.check_path(coverage_report)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--coverage-report") from None
    limits = ServerLimits(
        max_url=max_url,
        max_header_bytes=max_header_bytes,
        max_headers=max_headers,
        header_timeout=header_timeout,
        body_timeout=body_timeout,
        keep_alive=keep_alive,
        max_connections=max_connections,
        shutdown_timeout=shutdown_timeout,
    )
    admin = AdminOptions(token=admin_token or None, allowed_hosts=allowed_hosts, bound_host=host)
    configure_logging(log_level)
    names = list(dict.fromkeys(apis)) or (["generic"] if spec is not None else ["vinr"])
    if spec is not None and len(names) > 1:
        raise click.UsageError("--spec can only be used with a single --api")
    options = []
    for name in names:
        api_fixtures = fixtures
        if fixtures is not None and len(names) > 1:
            api_fixtures = fixtures / name
        options.append(
            ApiOptions(name=name, fixtures=api_fixtures, no_fixtures=no_fixtures, spec=spec, seed=seed or 0)
        )
    app_options: dict[str, Any] = {
        "api_keys": api_keys,
        "max_body": max_body,
        "validate": not no_validate,
        "state": state,
        "journal_size": journal_size,
        "seed": seed,
    }
    try:
        app = create_app(options, admin=admin, **app_options)
        # bound before anything is printed: a port already taken is the only thing reported
        sock = bind(host, port)
    except BindError as exc:
        click.echo(f"mockserver: {exc}", err=True)
        sys.exit(2)
    except ConfigurationError as exc:
        click.echo(f"mockserver: cannot start: {exc}", err=True)
        sys.exit(2)
    base = http_url(host, bound_port(sock))
    for runtime in app.mock.runtimes:
        prefix = runtime.base_path
        click.echo(f"{runtime.api.name}: {base}{prefix or '/'}  (Swagger UI: {base}{prefix}/ui/)")
    click.echo(f"admin API: {base}/__admin/health")
    click.echo(f"state: {state}" + (f", {workers} workers" if workers > 1 else ""))
    if no_validate:
        click.echo("schema validation of requests and responses is OFF (--no-validate)")
    if workers > 1:
        from mockserver import workers as worker_processes

        app.mock.close()  # seeded; each worker opens the state for itself
        bound = bound_port(sock)
        sock.close()  # uvicorn's supervisor binds the port again for its workers
        worker_processes.serve(
            options,
            {**app_options, "admin": admin},
            limits,
            workers=workers,
            log_level=log_level,
            host=host,
            port=bound,
        )
        return
    collector.install()
    serve_forever(server_config(app, limits=limits, log_level=log_level), sock)
    if coverage_report is not None:
        server = app.mock
        report_file.write(server.control.coverage.report(server.runtimes), coverage_report)
        click.echo(f"coverage report written to {coverage_report}")


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
