"""``mockserver contract``: the contract checks from the command line (see :mod:`mockserver.contract`)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from mockserver.contract import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, run_contract
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import available_apis


@click.command(
    "contract",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit status: 0 when every check passed, 1 on any failure, 2 on a usage or setup error.",
)
@click.option(
    "--api",
    type=click.Choice(sorted(available_apis())),
    default="vinr",
    show_default=True,
    help="API whose contract to check (its spec, unless --spec is given).",
)
@click.option(
    "--base-url",
    metavar="URL",
    help="Server to check: a staging deployment of the real API, or the mock on a port "
    "(e.g. http://127.0.0.1:8000 after `make serve`). Default: the mock, in-process.",
)
@click.option(
    "--api-key",
    metavar="KEY",
    envvar="MOCKSERVER_API_KEY",
    help="Credential sent for every security scheme of the spec (env: MOCKSERVER_API_KEY). "
    "Default: a test key, which the mock accepts.",
)
@click.option(
    "--admin-token",
    metavar="TOKEN",
    envvar="MOCKSERVER_ADMIN_TOKEN",
    help="Bearer token for the mock's admin API, used to reset its state between passes "
    "(env: MOCKSERVER_ADMIN_TOKEN). Needed when the mock was started with --admin-token.",
)
@click.option(
    "--max-examples",
    type=click.IntRange(min=1),
    default=DEFAULT_MAX_EXAMPLES,
    show_default=True,
    help="Generated examples per operation; the stateful pass runs 4x as many scenarios.",
)
@click.option(
    "--seed",
    type=int,
    default=DEFAULT_SEED,
    show_default=True,
    help="Seed of the (derandomized) generation: the same seed replays the same run.",
)
@click.option(
    "--junit-xml",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write a JUnit XML report (one test case per operation) to FILE.",
)
@click.option(
    "--stateful/--no-stateful",
    default=True,
    show_default=True,
    help="Also follow the spec's links (create -> retrieve -> update -> delete, use after free).",
)
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OpenAPI document to check against instead of the API's own.",
)
def contract_command(
    api: str,
    base_url: str | None,
    api_key: str | None,
    admin_token: str | None,
    max_examples: int,
    seed: int,
    junit_xml: Path | None,
    stateful: bool,
    spec: Path | None,
) -> None:
    """Check that a server honours an API's OpenAPI contract (Schemathesis).

    \b
    Runs every operation with positive and negative generated data and every Schemathesis
    check, then (unless --no-stateful) follows the spec's links. Prints progress, the
    failures (each with a curl command that reproduces it), cases and failures per operation,
    and exits non-zero on any failure.

    \b
      mockserver contract --api vinr                                   # the mock, in-process
      mockserver contract --api vinr --base-url http://127.0.0.1:8000  # the mock from `make serve`
      mockserver contract --api vinr --base-url https://staging.example.com --api-key "$KEY"
    """

    def progress(message: str) -> None:
        click.echo(message, err=True)

    if base_url is None:
        # In-process, the mock logs into this terminal: keep its findings (the `mockserver`
        # logger), drop Connexion's complaint about every undocumented query parameter sent.
        logging.getLogger("connexion.decorators.parameter").setLevel(logging.CRITICAL)

    try:
        report = run_contract(
            api=api,
            spec=spec,
            base_url=base_url,
            api_key=api_key,
            admin_token=admin_token,
            max_examples=max_examples,
            seed=seed,
            stateful=stateful,
            junit_xml=junit_xml,
            progress=progress,
        )
    except ConfigurationError as exc:
        click.echo(f"mockserver contract: {exc}", err=True)
        sys.exit(2)
    report.print_summary(sys.stdout)
    sys.exit(0 if report.ok else 1)
