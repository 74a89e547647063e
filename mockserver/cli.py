"""The ``mockserver`` command line."""

from __future__ import annotations

import logging
import sys
import warnings
from pathlib import Path

import click

from mockserver import __version__
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import available_apis

# connexion imports starlette's test client at import time, which warns on starlette >= 1.x;
# it is not ours to fix and only confuses people starting the server.
warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="mockserver")
def main() -> None:
    """A stateful, validating mock of promotions APIs (VINR, Voucherify), with contract tests.

    \b
    Quick start:
      mockserver serve                      # VINR on http://127.0.0.1:8000
      mockserver serve --api voucherify     # Voucherify's campaigns API at the root
      mockserver serve --api vinr --api voucherify   # both, under /vinr and /voucherify
      mockserver contract --api vinr --base-url http://127.0.0.1:8000
    """


@main.command()
@click.option(
    "--api",
    "apis",
    multiple=True,
    type=click.Choice(sorted(available_apis())),
    default=("vinr",),
    show_default=True,
    help="API to serve; repeat to serve several, each under /<name>.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
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
    type=click.IntRange(min=1),
    help="Largest request body accepted, in bytes (larger ones get 413). [default: 1048576]",
)
@click.option(
    "--no-validate",
    is_flag=True,
    help="Skip the schema validation of requests and responses (to measure what it costs; "
    "parameters are still cast, security and the API's rules still apply).",
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
    max_body: int | None,
    no_validate: bool,
    log_level: str,
) -> None:
    """Start the mock server (Swagger UI at /ui, admin API at /__admin)."""
    import uvicorn

    from mockserver import collector
    from mockserver.applications import ApiOptions, create_app
    from mockserver.runtime import DEFAULT_MAX_BODY  # here: every command loads this module

    configure_logging(log_level)
    names = list(dict.fromkeys(apis))
    if spec is not None and len(names) > 1:
        raise click.UsageError("--spec can only be used with a single --api")
    options = []
    for name in names:
        api_fixtures = fixtures
        if fixtures is not None and len(names) > 1:
            api_fixtures = fixtures / name
        options.append(
            ApiOptions(name=name, fixtures=api_fixtures, no_fixtures=no_fixtures, spec=spec)
        )
    try:
        app = create_app(
            options,
            api_keys=api_keys,
            max_body=max_body or DEFAULT_MAX_BODY,
            validate=not no_validate,
        )
    except ConfigurationError as exc:
        click.echo(f"mockserver: cannot start: {exc}", err=True)
        sys.exit(2)
    base = f"http://{host}:{port}"
    for runtime in app.mock.runtimes:
        prefix = runtime.base_path
        click.echo(f"{runtime.api.name}: {base}{prefix or '/'}  (Swagger UI: {base}{prefix}/ui/)")
    click.echo(f"admin API: {base}/__admin/health")
    if no_validate:
        click.echo("schema validation of requests and responses is OFF (--no-validate)")
    collector.install()
    uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)


def configure_logging(level: str) -> None:
    logging.basicConfig(
        level=getattr(logging, level.upper()),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )


from mockserver.contract_cli import contract_command  # noqa: E402 (after the group exists)

main.add_command(contract_command, name="contract")
from mockserver.proxy.cli import proxy_command  # noqa: E402

main.add_command(proxy_command, name="proxy")
from mockserver.diff.cli import diff_command  # noqa: E402

main.add_command(diff_command, name="diff")
