"""``mockserver diff``: what changed between two versions of an OpenAPI document, and whether
it breaks clients.

:mod:`.checks` is the catalogue (id, level, one line each), :mod:`.compare` walks two documents
of the shared spec model (:mod:`mockserver.spec`) and :mod:`.schemas` two schemas, with the
direction the data flows; :mod:`.sources` reads files and ``git:REV:path``, :mod:`.ignore` the
accepted changes, :mod:`.report` writes text, Markdown, JSON and JUnit, :mod:`.changelog` the
reference's changelog page, and :mod:`.cli` is the command.

>>> from mockserver.diff import diff
>>> changes = diff("git:main:mockserver/apis/vinr/openapi.yaml", "mockserver/apis/vinr/openapi.yaml")
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.diff.changelog import changelog_html, changelog_markdown
from mockserver.diff.checks import CHECKS, Change, Check, Level
from mockserver.diff.compare import diff_documents
from mockserver.diff.sources import SourceError, read_document
from mockserver.spec import Document

__all__ = [
    "CHECKS",
    "Change",
    "Check",
    "Level",
    "SourceError",
    "changelog_html",
    "changelog_markdown",
    "diff",
    "diff_documents",
]


def diff(
    old: str | Mapping[str, Any] | Document, new: str | Mapping[str, Any] | Document, repo: Path | None = None
) -> list[Change]:
    """Every change from ``old`` to ``new`` (paths, ``git:REV:path``, dicts or Documents)."""
    return diff_documents(read_document(old, repo), read_document(new, repo))
