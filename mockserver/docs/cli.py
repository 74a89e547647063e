"""``mockserver docs``: render an API reference from a spec, with every example executed."""

from __future__ import annotations

import gc
import sys
import time
from pathlib import Path

import click

from mockserver.docs.build import DEFAULT_BASE_URL, Target, build
from mockserver.docs.execute import ExampleError
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import available_apis


@click.command(name="docs")
@click.option(
    "--api",
    "apis",
    multiple=True,
    type=click.Choice(sorted(available_apis())),
    help="API to document (repeat for several; each goes to OUT/<name>/). Its examples run "
    "against a fresh in-process mock of it. Default: vinr, unless --spec is given alone.",
)
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="OpenAPI document to render: with one --api, the document that API's mock serves; "
    "alone, any document (its own examples are shown, not executed).",
)
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Directory to write the site to.",
)
@click.option(
    "--format",
    "format_",
    type=click.Choice(["html", "markdown", "both"]),
    default="both",
    show_default=True,
    help="HTML pages, their Markdown twins (with llms.txt and examples.json), or both.",
)
@click.option(
    "--base-url",
    default=DEFAULT_BASE_URL,
    show_default=True,
    help="Base URL the code samples call.",
)
@click.option("--single-file", is_flag=True, help="Write the HTML as one self-contained file.")
@click.option(
    "--keep-going",
    is_flag=True,
    help="Show a sample that answers other than documented on its page (and count it) "
    "instead of failing the build. For third-party documents whose examples are wrong.",
)
@click.option(
    "--no-execute", is_flag=True, help="Do not run the examples: show the document's own."
)
@click.option(
    "--changelog-from",
    metavar="OLD",
    help="An earlier version of the document (a file, or git:REV:path): adds a Changelog page, "
    "the contract's changes since then as `mockserver diff` finds them (one API only).",
)
def docs_command(
    apis: tuple[str, ...],
    spec: Path | None,
    out: Path,
    format_: str,
    base_url: str,
    single_file: bool,
    keep_going: bool,
    no_execute: bool,
    changelog_from: str | None,
) -> None:
    """Generate the API reference (HTML and Markdown) from the spec.

    \b
    Every operation gets a section (anchor = operationId) with its parameters, body,
    responses and code samples in curl, Python and JavaScript; each sample is run against
    a fresh in-process mock when the docs are built, and the response shown is the one the
    mock gave, validated against the spec. A sample answering other than documented fails
    the build, naming the operation.

    \b
      mockserver docs --out build/docs                        # VINR
      mockserver docs --api vinr --api voucherify --out build/docs
      mockserver docs --api voucherify --spec voucherify-openapi.json --out build/official --keep-going
      mockserver docs --api vinr --out build/docs --changelog-from git:v1.0:mockserver/apis/vinr/openapi.yaml
    """
    names = list(dict.fromkeys(apis))
    if spec is not None and len(names) > 1:
        raise click.UsageError("--spec can only be used with a single --api")
    if spec is not None:
        targets = [Target(api=names[0] if names else None, spec=spec)]
    else:
        targets = [Target(api=name) for name in names or ["vinr"]]
    formats = ("html", "markdown") if format_ == "both" else (format_,)
    start = time.perf_counter()
    # One short build of many small objects (attribute trees, tokens): the cycle collector's
    # passes cost about a tenth of the run and would free little before the process ends.
    gc.disable()
    try:
        results = build(
            targets,
            out,
            formats=formats,
            base_url=base_url,
            single_file=single_file,
            execute=not no_execute,
            keep_going=keep_going,
            changelog_from=changelog_from,
        )
    except ExampleError as exc:
        click.echo("mockserver docs: samples did not answer as documented:", err=True)
        for problem in exc.problems:
            click.echo(f"  {problem}", err=True)
        sys.exit(1)
    except ConfigurationError as exc:
        click.echo(f"mockserver docs: {exc}", err=True)
        sys.exit(2)
    finally:
        gc.enable()
    for built in results:
        click.echo(built.summary())
    size = sum(len(text.encode()) for built in results for text in built.files.values())
    click.echo(f"wrote {out} ({size / 1024:.0f} KiB) in {time.perf_counter() - start:.2f}s")
