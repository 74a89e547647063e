"""One build: document -> executed examples -> pages -> files (in memory, then on disk)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from mockserver.docs.execute import run_examples
from mockserver.docs.pages import build_site
from mockserver.docs.render import render_html, render_markdown, render_single
from mockserver.docs.text import slug
from mockserver.docs.views import Page, Site
from mockserver.documents import load_document
from mockserver.exceptions import ConfigurationError
from mockserver.spec import Document

__all__ = ["DEFAULT_BASE_URL", "FORMATS", "Target", "Built", "build_target", "build", "root_index"]

#: Where ``make serve`` listens: what the samples call unless told otherwise.
DEFAULT_BASE_URL = "http://127.0.0.1:8000"
FORMATS = ("html", "markdown")


@dataclass
class Target:
    """What to document: a registered API (with its default or another spec), or a bare spec."""

    api: str | None
    spec: Path | None = None

    def spec_path(self) -> Path:
        if self.spec is not None:
            return self.spec
        if self.api is None:
            raise ConfigurationError("give an API or a spec to document")
        from mockserver.plugins import api_class

        return Path(api_class(self.api).spec_path)


@dataclass
class Built:
    """The outcome of one target's build."""

    name: str
    site: Site
    files: dict[str, str]
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        counts = self.site.counts
        parts = [
            f"{self.name}: {counts['operations']} operations, {counts['executed']} examples executed",
            f"{counts['not_executed']} not executed (the document's own example shown)",
        ]
        if counts["failed"]:
            parts.append(f"{counts['failed']} samples answered other than documented")
        timing = ", ".join(f"{k} {v:.2f}s" for k, v in self.seconds.items())
        return "; ".join(parts) + f" ({timing})"


def build_target(
    target: Target,
    *,
    formats: Sequence[str] = FORMATS,
    base_url: str = DEFAULT_BASE_URL,
    single_file: bool = False,
    execute: bool = True,
    keep_going: bool = False,
    name: str | None = None,
    changelog_from: str | None = None,
) -> Built:
    """Render one API's reference to memory (relative path -> text).

    ``changelog_from``: an earlier version of the document (a path or ``git:REV:path``, see
    :mod:`mockserver.diff.sources`): the reference gains a Changelog page, what
    ``mockserver diff`` finds between the two (``SourceError`` when it cannot be read).
    """
    seconds: dict[str, float] = {}
    start = time.perf_counter()
    path = target.spec_path()
    document = Document.from_dict(load_document(path))
    seconds["load"] = time.perf_counter() - start
    start = time.perf_counter()
    run = run_examples(
        document,
        target.api if execute else None,
        target.spec,
        keep_going=keep_going,
    )
    seconds["examples"] = time.perf_counter() - start
    start = time.perf_counter()
    label = name or target.api or slug(document.title or path.stem)
    site = build_site(document, run.calls, base_url, label, run.events)
    if changelog_from is not None:
        site.pages.append(changelog_page(changelog_from, document))
    files: dict[str, str] = {}
    if "html" in formats:
        if single_file:
            files[f"{label}.html"] = render_single(site)
        else:
            files.update(render_html(site))
    if "markdown" in formats:
        files.update(render_markdown(site))
        files["examples.json"] = json.dumps(
            [c.as_json() for c in run.calls if c.order >= 0 or not c.executed], indent=1
        )
    seconds["render"] = time.perf_counter() - start
    return Built(name=label, site=site, files=files, seconds=seconds)


def build(
    targets: Sequence[Target],
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    base_url: str = DEFAULT_BASE_URL,
    single_file: bool = False,
    execute: bool = True,
    keep_going: bool = False,
    changelog_from: str | None = None,
) -> list[Built]:
    """Build every target and write it under ``out`` (each in ``out/<name>/`` when several);
    ``changelog_from``: see :func:`build_target` (one target only)."""
    if changelog_from is not None and len(targets) != 1:
        raise ConfigurationError("a changelog compares one document with its earlier version: give one API")
    results = [
        build_target(
            t,
            formats=formats,
            base_url=base_url,
            single_file=single_file,
            execute=execute,
            keep_going=keep_going,
            changelog_from=changelog_from,
        )
        for t in targets
    ]
    several = len(results) > 1
    for built in results:
        write(built.files, out / built.name if several else out)
    if several:
        write(root_index(results), out)
    return results


def changelog_page(old: str, document: Document) -> Page:
    """The Changelog page: the contract's changes from ``old`` to ``document``."""
    from mockserver.diff.changelog import changelog_html, changelog_markdown
    from mockserver.diff.sources import read_document

    before = read_document(old)
    return Page(
        slug="changelog",
        kind="changelog",
        title="Changelog",
        summary=f"What changed in the contract since {before.version or old}: breaking changes "
        "first, as `mockserver diff` reports them.",
        html=changelog_html(before, document, heading=False),
        markdown=changelog_markdown(before, document, heading=False),
    )


def write(files: dict[str, str], out: Path) -> None:
    for relative, text in files.items():
        path = out / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def root_index(results: Sequence[Built]) -> dict[str, str]:
    """A landing page and ``llms.txt`` linking each API's reference."""
    from mockserver.docs.render import asset

    items = "".join(
        f'<li><a href="{b.name}/index.html">{_html(b.site.document.title or b.name)}</a> '
        f"<small>{_html(b.site.document.version)}</small></li>"
        for b in results
    )
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><title>API references</title>'
        '<link rel="icon" href="data:,">'
        f'<style>{asset("docs.css")}</style></head><body><main style="margin:0 auto;padding:2rem">'
        f'<h1>API references</h1><ul class="toc">{items}</ul></main></body></html>'
    )
    llms = "# API references\n\n" + "".join(
        f"- [{b.site.document.title or b.name}]({b.name}/llms.txt)\n" for b in results
    )
    return {"index.html": html, "llms.txt": llms}


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
