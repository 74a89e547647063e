"""``mockserver proxy``: the validating reverse proxy from the command line."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from mockserver.exceptions import ConfigurationError
from mockserver.plugins import available_apis

if TYPE_CHECKING:  # the proxy's modules are imported when the command runs, not with the CLI
    from mockserver.proxy.app import ContractProxy

#: The body limit (``mockserver.runtime.DEFAULT_MAX_BODY``, which is heavy to import here).
MAX_BODY = 1024 * 1024


@click.command(
    "proxy",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit status: 0 after a clean shutdown, 2 on a usage or set-up error.",
)
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OpenAPI document to check the traffic against (default: the --api's own).",
)
@click.option(
    "--api",
    type=click.Choice(sorted(available_apis())),
    help="The API behind the target: its spec (unless --spec) and its error format for "
    "--strict answers. Without it, errors are {\"error\": {\"code\", \"message\"}}.",
)
@click.option("--target", required=True, metavar="URL", help="The real server, e.g. https://staging.example.com.")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option(
    "--strict",
    is_flag=True,
    help="Answer a response that breaks the contract with a 502 naming the violation "
    "(default: pass it on, with a Contract-Violations header).",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the violations at shutdown: JSON, Markdown or JUnit XML by extension "
    "(.json, .md, .xml).",
)
@click.option(
    "--admin-token",
    envvar="MOCKSERVER_ADMIN_TOKEN",
    help="Token /__admin/violations requires as `Authorization: Bearer <token>` "
    "(env: MOCKSERVER_ADMIN_TOKEN). Default: any non-empty token.",
)
@click.option(
    "--max-body",
    default=MAX_BODY,
    show_default=True,
    type=click.IntRange(min=1),
    help="Largest body held for checking, in bytes; larger bodies stream through unchecked.",
)
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Upstream timeout, seconds.")
@click.option(
    "--client",
    default="aiohttp",
    show_default=True,
    type=click.Choice(["aiohttp", "httpx"]),
    help="HTTP client the proxy forwards with, each with its connection pool: aiohttp "
    "(the faster, see bench/proxy.py) or httpx's async transport.",
)
@click.option(
    "--log-level",
    default="info",
    show_default=True,
    type=click.Choice(["debug", "info", "warning", "error"]),
)
def proxy_command(
    spec: Path | None,
    api: str | None,
    target: str,
    host: str,
    port: int,
    strict: bool,
    report: Path | None,
    admin_token: str | None,
    max_body: int,
    timeout: float,
    client: str,
    log_level: str,
) -> None:
    """Check a real server's traffic against an OpenAPI contract, as a reverse proxy.

    \b
    Every request and response is validated with the mock's own validators and passed on
    unchanged; a response that breaks the contract carries a Contract-Violations header (a
    JSON array of short messages). The findings are listed at /__admin/violations
    (Authorization: Bearer <token>) and written to --report at shutdown (Ctrl-C).

    \b
      mockserver proxy --api vinr --target https://staging.example.com --report violations.xml
      mockserver proxy --spec openapi.yaml --target http://127.0.0.1:9000 --strict
    """
    import uvicorn

    from mockserver import collector
    from mockserver.serve_cli import configure_logging

    configure_logging(log_level)
    try:
        app = build_proxy(
            spec,
            api,
            target,
            strict=strict,
            report=report,
            admin_token=admin_token,
            max_body=max_body,
            timeout=timeout,
            client=client,
        )
    except ConfigurationError as exc:
        click.echo(f"mockserver proxy: cannot start: {exc}", err=True)
        sys.exit(2)
    click.echo(f"proxy: http://{host}:{port} -> {app.target}  (spec: {app.log.spec})")
    click.echo(f"violations: http://{host}:{port}/__admin/violations (Authorization: Bearer <token>)")
    collector.install()  # the spec and validators stay out of full collections, as in the mock
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_level=log_level,
        access_log=False,
        server_header=False,
        date_header=False,
        # the client address is the one that connected: X-Forwarded-For from a client is
        # passed on with that address appended, never taken as the client's own
        proxy_headers=False,
    )


def build_proxy(
    spec: Path | None,
    api: str | None,
    target: str,
    *,
    strict: bool = False,
    report: Path | None = None,
    admin_token: str | None = None,
    max_body: int = MAX_BODY,
    timeout: float = 30.0,
    client: str = "aiohttp",
) -> ContractProxy:
    """The proxy the command line describes (``ConfigurationError`` for a bad option)."""
    import httpx

    from mockserver.clock import Clock
    from mockserver.plugins import api_class, load_document
    from mockserver.proxy.app import ContractProxy
    from mockserver.proxy.errors import ErrorFormat
    from mockserver.reports import format_for

    plugin = None
    if api is not None:
        plugin = api_class(api)(clock=Clock(), spec_path=spec)
        document = plugin.spec
        spec = plugin.spec_file
    elif spec is not None:
        document = load_document(spec)
    else:
        raise ConfigurationError("give --spec FILE, --api NAME, or both")
    if report is not None:
        try:
            format_for(report)
        except ValueError as exc:
            raise ConfigurationError(f"--report {exc}") from exc
    return ContractProxy(
        document,
        target,
        spec_name=str(spec),
        strict=strict,
        report=report,
        admin_token=admin_token,
        max_body=max_body,
        timeout=timeout,
        errors=ErrorFormat(plugin),
        # httpx: its async transport's pool (no AsyncClient policies), 100 connections as aiohttp
        transport=(
            httpx.AsyncHTTPTransport(limits=httpx.Limits(max_connections=100))
            if client == "httpx"
            else None
        ),
    )
