"""Pages to files: HTML (one file per page, or one self-contained file) and Markdown twins.

Everything is rendered to memory first (relative path -> text), so the same site can be
written to a directory or served by the running mock under ``/docs``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from importlib.resources import files
from typing import Any

from jinja2 import Environment, FileSystemBytecodeCache, PackageLoader, select_autoescape

from mockserver.docs.schemas import Attribute, Place
from mockserver.docs.text import (
    code_html,
    description,
    inline,
    markdown,
    parts_html,
    plain,
    text_html,
)
from mockserver.docs.trees import attributes_html, variants_html
from mockserver.docs.views import Site

__all__ = ["render_html", "render_markdown", "render_single", "search_index"]

Href = Callable[[Place], str]


def _cell(text: Any) -> str:
    """Text made safe for one Markdown table cell (one line, pipes escaped)."""
    return " ".join(str(text or "").split()).replace("|", "\\|")


@functools.cache
def _env() -> Environment:
    env = Environment(
        loader=PackageLoader("mockserver.docs", "templates"),
        # compiled templates are kept between runs (in the temporary directory, by checksum)
        bytecode_cache=FileSystemBytecodeCache(),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        extensions=["jinja2.ext.loopcontrols"],
        trim_blocks=False,
        lstrip_blocks=False,
    )
    env.globals["attributes_html"] = attributes_html
    env.globals["variants_html"] = variants_html
    env.filters["md"] = markdown
    env.filters["mdd"] = description
    env.filters["text"] = text_html
    env.filters["inline"] = inline
    env.filters["code"] = code_html
    env.filters["parts"] = parts_html
    env.filters["cell"] = _cell
    return env


@functools.cache
def asset(name: str) -> str:
    return (files("mockserver.docs") / "static" / name).read_text(encoding="utf-8")


def _page_href(current: str, ext: str) -> Href:
    def href(place: Place) -> str:
        page, anchor = place
        if anchor == "top":
            return f"{page}.{ext}"
        if page == current:
            return f"#{anchor}"
        return f"{page}.{ext}#{anchor}"

    return href


def _single_href(place: Place) -> str:
    page, anchor = place
    return f"#page-{page}" if anchor == "top" else f"#{anchor}"


def search_index(site: Site, href: Href) -> list[list[str]]:
    """``[title, url, kind, words]`` for every page, object, attribute, operation and event."""
    entries: list[list[str]] = []

    def attributes(items: list[Attribute], owner: str, page: str, depth: int) -> None:
        for a in items:
            if a.kind != "attribute":
                continue
            entries.append(
                [a.name, href((page, a.anchor)), f"{owner} attribute", plain(a.description)[:80]]
            )
            if depth < 1:
                attributes(a.children, owner, page, depth + 1)

    for page in site.pages:
        entries.append([page.title, href((page.slug, "top")), "page", plain(page.summary)[:120]])
        if page.object is not None:
            entries.append(
                [
                    page.object.title,
                    href((page.slug, page.object.anchor)),
                    "object",
                    page.object.name,
                ]
            )
            attributes(page.object.attributes, page.object.name or page.title, page.slug, 0)
        for view in page.operations:
            op = view.op
            entries.append(
                [
                    view.title,
                    href((page.slug, view.anchor)),
                    f"{view.method} {op.path}",
                    f"{op.id or ''} {plain(op.description)[:80]}",
                ]
            )
        for event in page.events if page.kind == "events" else []:
            entries.append(
                [event.name, href((page.slug, event.anchor)), "event", plain(event.summary)[:80]]
            )
        for status in page.errors:
            entries.append(
                [
                    f"{status.status} error",
                    href((page.slug, status.anchor)),
                    "error",
                    plain(" ".join(status.descriptions))[:80],
                ]
            )
    return entries


def _index_js(entries: list[list[str]]) -> str:
    data = json.dumps(entries, separators=(",", ":"), ensure_ascii=False).replace("</", "<\\/")
    return f"window.DOCS_INDEX={data};"


def render_html(site: Site) -> dict[str, str]:
    """One HTML file per page plus ``assets/`` (stylesheet, script, search index)."""
    env = _env()
    template = env.get_template("page.html.j2")
    out: dict[str, str] = {}
    for page in site.pages:
        href = _page_href(page.slug, "html")
        out[f"{page.slug}.html"] = template.render(
            site=site,
            pages=[page],
            current=page,
            href=href,
            title=f"{page.title} | {site.document.title}" if page.kind != "index" else page.title,
            description=plain(page.summary or site.document.title)[:160],
            single=False,
            inline_assets=False,
            asset_prefix="",
        )
    out["assets/docs.css"] = asset("docs.css")
    out["assets/docs.js"] = asset("docs.js")
    out["assets/search-index.js"] = _index_js(
        search_index(site, lambda place: _page_href("", "html")(place))
    )
    return out


def render_single(site: Site) -> str:
    """Every page in one self-contained HTML file (styles and script inline).

    The search index is not written out: docs.js reads the same entries from the page
    (:func:`search_index` says which) the first time the reader searches.
    """
    return (
        _env()
        .get_template("page.html.j2")
        .render(
            site=site,
            pages=site.pages,
            current=None,
            href=_single_href,
            title=site.document.title or site.name,
            description=plain(site.document.title)[:160],
            single=True,
            inline_assets=True,
            css=asset("docs.css"),
            js=asset("docs.js").replace("</", "<\\/"),
        )
    )


def render_markdown(site: Site) -> dict[str, str]:
    """A Markdown twin of every page, and ``llms.txt`` (the index, llmstxt.org style)."""
    template = _env().get_template("page.md.j2")
    out: dict[str, str] = {}
    for page in site.pages:
        text = template.render(site=site, page=page, href=_page_href(page.slug, "md"))
        out[f"{page.slug}.md"] = _tidy(text)
    out["llms.txt"] = llms_txt(site)
    return out


def llms_txt(site: Site) -> str:
    doc = site.document
    lines = [f"# {doc.title or site.name}", ""]
    summary = plain(doc.description.split("\n\n", 1)[0]) if doc.description else ""
    if summary:
        lines += [f"> {summary}", ""]
    counts = site.counts
    lines += [
        f"API reference generated from the OpenAPI document (version {doc.version}). "
        f"{counts['executed']} of {counts['operations']} operations' examples were executed against the mock "
        "and validated against the spec when these pages were built.",
        "",
        "## Reference",
        "",
    ]
    for page in site.pages:
        note = f": {plain(page.summary)}" if page.summary else ""
        lines.append(f"- [{page.title}]({page.slug}.md){note}")
        for view in page.operations:
            lines.append(
                f"  - [{view.title}]({page.slug}.md#{view.anchor}): `{view.method} {view.op.path}`"
            )
    return "\n".join(lines) + "\n"


def _tidy(text: str) -> str:
    """At most one blank line in a row; one newline at the end."""
    lines: list[str] = []
    blank = False
    fence = False
    for line in text.splitlines():
        if line.startswith("```"):
            fence = not fence
        if not line.strip() and not fence:
            if blank:
                continue
            blank = True
            lines.append("")
            continue
        blank = False
        lines.append(line.rstrip() if not fence else line)
    return "\n".join(lines).strip() + "\n"
