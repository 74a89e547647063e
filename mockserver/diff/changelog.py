"""A changelog page from two versions of a document, for the generated reference.

``changelog_markdown(old, new)`` is a Markdown page, ``changelog_html(old, new)`` the same as
an HTML fragment (no ``<html>``/``<body>``: the docs' page template wraps it). Both take
anything :func:`mockserver.diff.sources.read_document` reads: a path, ``git:REV:path``, a
loaded dict or a :class:`~mockserver.spec.Document`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from mockserver.diff.checks import Change, Level
from mockserver.diff.compare import diff_documents
from mockserver.diff.report import TITLES
from mockserver.diff.sources import read_document
from mockserver.spec import Document

__all__ = ["changelog_html", "changelog_markdown"]

Source = str | Path | Mapping[str, Any] | Document


def _read(source: Source) -> Document:
    return read_document(str(source) if isinstance(source, Path) else source)


def _grouped(changes: Sequence[Change], level: Level) -> dict[str, list[Change]]:
    groups: dict[str, list[Change]] = {}
    for change in changes:
        if change.level == level:
            groups.setdefault(change.operation, []).append(change)
    return groups


def _heading(old: Document, new: Document) -> str:
    title = new.title or old.title or "API"
    if old.version and new.version and old.version != new.version:
        return f"{title}: {old.version} to {new.version}"
    return title


def changelog_markdown(old: Source, new: Source, *, heading: bool = True) -> str:
    """``heading=False``: without the page's ``# Changelog`` (a page template gives its own)."""
    before, after = _read(old), _read(new)
    changes = diff_documents(before, after)
    lines = [*(["# Changelog", ""] if heading else []), f"## {_heading(before, after)}", ""]
    if not changes:
        return "\n".join([*lines, "No change to the contract.", ""])
    for level in (Level.ERR, Level.WARN, Level.INFO):
        groups = _grouped(changes, level)
        if not groups:
            continue
        lines += [f"### {TITLES[level]}", ""]
        for operation, items in groups.items():
            lines.append(f"- **`{operation}`**")
            for change in items:
                where = f"`{change.location}`: " if change.location else ""
                lines.append(f"  - {where}{change.message} ({change.id})")
        lines.append("")
    return "\n".join(lines)


def changelog_html(old: Source, new: Source, *, heading: bool = True) -> str:
    """``heading=False``: without the ``<h1>Changelog</h1>`` (a page template gives its own)."""
    before, after = _read(old), _read(new)
    changes = diff_documents(before, after)
    parts = ['<section class="changelog">', *(["<h1>Changelog</h1>"] if heading else [])]
    parts.append(f"<h2>{escape(_heading(before, after))}</h2>")
    if not changes:
        parts.append("<p>No change to the contract.</p>")
    for level in (Level.ERR, Level.WARN, Level.INFO):
        groups = _grouped(changes, level)
        if not groups:
            continue
        parts.append(f'<h3 class="level-{level.name.lower()}">{escape(TITLES[level])}</h3>')
        parts.append("<ul>")
        for operation, items in groups.items():
            parts.append(f"<li><code>{escape(operation)}</code><ul>")
            for change in items:
                where = f"<code>{escape(change.location)}</code>: " if change.location else ""
                parts.append(
                    f'<li>{where}{escape(change.message)} <span class="check">{escape(change.id)}</span></li>'
                )
            parts.append("</ul></li>")
        parts.append("</ul>")
    parts.append("</section>")
    return "\n".join(parts) + "\n"
