"""``mockserver diff OLD NEW``: breaking-change detection between two versions of a document."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from mockserver.diff.checks import CHECKS, Level
from mockserver.diff.compare import diff_documents
from mockserver.diff.ignore import IgnoreError, read_ignore_file, split
from mockserver.diff.report import FORMATS, render, summary
from mockserver.diff.sources import SourceError, read_document


def _list_checks() -> str:
    width = max(len(c) for c in CHECKS)
    return "\n".join(f"{c.id:<{width}}  {c.level.name:<4}  {c.summary}" for c in CHECKS.values()) + "\n"


@click.command(
    "diff",
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit status: 0 when no change reaches --fail-on, 1 when one does, 2 when a document "
    "or the ignore file cannot be read.",
)
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--fail-on",
    type=click.Choice(["ERR", "WARN"], case_sensitive=False),
    default="ERR",
    show_default=True,
    help="Exit 1 when a change at or above this level is found.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--ignore",
    "ignore_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="YAML list of accepted changes: {id, operation, reason[, location]} each.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to FILE instead of stdout.")
@click.option("--list-checks", is_flag=True, help="List every check (id, level, what it finds) and exit.")
def diff_command(
    old: str | None,
    new: str | None,
    fail_on: str,
    fmt: str,
    ignore_file: Path | None,
    output: Path | None,
    list_checks: bool,
) -> None:
    """Compare two versions of an OpenAPI document and report what breaks clients.

    \b
    OLD and NEW are files or git:REV:path (read from the repository of the current
    directory). Changes are ERR (breaking), WARN (possibly breaking) or INFO.
      mockserver diff git:main:openapi.yaml openapi.yaml
      mockserver diff old.json new.json --fail-on WARN --format markdown -o diff.md
      mockserver diff --list-checks
    """
    if list_checks:
        click.echo(_list_checks(), nl=False)
        return
    if old is None or new is None:
        raise click.UsageError("give OLD and NEW (files or git:REV:path), or --list-checks")
    try:
        accepted = read_ignore_file(ignore_file) if ignore_file is not None else []
        changes = diff_documents(read_document(old), read_document(new))
    except (SourceError, IgnoreError) as exc:
        click.echo(f"mockserver diff: {exc}", err=True)
        sys.exit(2)
    kept, ignored = split(changes, accepted)
    threshold = Level[fail_on.upper()]
    text = render(kept, fmt, fail_on=threshold, accepted=ignored, title=f"{old} -> {new}")
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8")
        click.echo(summary(kept, ignored), err=True)
    else:
        click.echo(text, nl=False)
    sys.exit(1 if any(c.level >= threshold for c in kept) else 0)
