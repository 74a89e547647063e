"""Where ``mockserver diff`` reads its documents: a file, or ``git:REV:path`` from a repository.

``git:main:openapi.yaml`` is the file as committed on ``main`` (any revision ``git show``
understands: a branch, a tag, ``HEAD~3``, a commit), read from the repository the command runs
in (or ``repo``). The document is read and repaired as the engine serves it
(:func:`mockserver.documents.load_document`) and turned into the shared spec model.
"""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.documents import load_document
from mockserver.exceptions import ConfigurationError
from mockserver.spec import Document, load

__all__ = ["SourceError", "read_document", "read_raw"]

PREFIX = "git:"


class SourceError(ConfigurationError):
    """A document cannot be read: the message names it and says why."""


def read_raw(source: str, repo: Path | None = None) -> dict[str, Any]:
    """The raw (repaired) document ``source`` names: a path, or ``git:REV:path``."""
    if source.startswith(PREFIX):
        revision, sep, path = source[len(PREFIX) :].partition(":")
        if not sep or not revision or not path:
            raise SourceError(f"{source!r}: write git:REV:path, e.g. git:main:openapi.yaml")
        return _from_git(revision, path, repo)
    try:
        return load_document(Path(source))
    except ConfigurationError as exc:
        raise SourceError(str(exc)) from exc


def read_document(source: str | Mapping[str, Any] | Document, repo: Path | None = None) -> Document:
    """The spec model of ``source`` (a path, ``git:REV:path``, a loaded dict or a Document)."""
    if isinstance(source, Document):
        return source
    raw = source if isinstance(source, Mapping) else read_raw(source, repo)
    try:
        return load(raw)
    except ConfigurationError as exc:
        raise SourceError(f"{source if isinstance(source, str) else 'the document'}: {exc}") from exc


def _from_git(revision: str, path: str, repo: Path | None) -> dict[str, Any]:
    cwd = repo or Path.cwd()
    try:
        done = subprocess.run(
            ["git", "show", f"{revision}:{path}"], cwd=cwd, capture_output=True, timeout=60
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SourceError(f"git:{revision}:{path}: cannot run git: {exc}") from exc
    if done.returncode != 0:
        why = done.stderr.decode(errors="replace").strip().splitlines()
        raise SourceError(f"git:{revision}:{path}: {why[-1] if why else 'git show failed'}")
    suffix = Path(path).suffix or ".yaml"
    with tempfile.TemporaryDirectory(prefix="mockserver-diff-") as tmp:
        copy = Path(tmp) / f"{Path(path).stem}@{revision.replace('/', '_')}{suffix}"
        copy.write_bytes(done.stdout)
        try:
            return load_document(copy)
        except ConfigurationError as exc:
            raise SourceError(f"git:{revision}:{path}: {exc}") from exc
