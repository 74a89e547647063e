"""The generic plug-in: any OpenAPI 3.0/3.1 document served statefully, with no code.

``mockserver serve --spec FILE`` (no ``--api``) serves it. Every operation goes to
:class:`~mockserver.generic.behaviour.GenericBehaviour` (the API has no handler of its own);
engine-detected problems (400 invalid request, 401, 404 route, 405, 415) come in the
document's most common error shape for their status. Seed data: ``--fixtures DIR`` (one
``<resource>.json`` per resource, named as ``mockserver inspect`` names them, each a list of
objects as the API returns them), else the objects the document's own examples show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mockserver.exceptions import ConfigurationError, MockError, Problem
from mockserver.fake import schema_errors
from mockserver.fixtures import fixture_files, load_document_list
from mockserver.generic.errors import problem_error
from mockserver.generic.inference import Resource
from mockserver.plugins import MockAPI
from mockserver.spec import MISSING

__all__ = ["GenericAPI"]


class GenericAPI(MockAPI):
    """Whatever the document describes, inferred (see :mod:`mockserver.generic.inference`)."""

    name = "generic"
    #: No default document: ``--spec`` names it.
    spec_path = Path("openapi.yaml")
    #: Integers are kept exact whatever their size: a document says int64 where it means it.
    int64_only = False

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.get("spec_path") is None:
            raise ConfigurationError("the generic API serves the document given with --spec FILE")
        super().__init__(**kwargs)

    def default_prefix(self) -> str:
        """The path of the document's first server URL (``/api`` of ``https://host/api``)."""
        servers = self.spec.get("servers")
        if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
            return ""
        url = str(servers[0].get("url", ""))
        for name, variable in (servers[0].get("variables") or {}).items():
            url = url.replace("{" + str(name) + "}", str(variable.get("default", "")))
        path = urlsplit(url).path if "://" in url else url
        return path.rstrip("/")

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        return {}

    def error_for(self, problem: Problem) -> MockError:
        return problem_error(self.generic.document, problem)

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        behaviour = self.generic
        unit = self.store.current
        assert unit is not None
        by_name = {r.name: r for r in behaviour.inference.resources}
        if self.fixtures_dir is None:
            records = {r.name: _examples(r) for r in behaviour.inference.resources if not r.scope_params}
        for name, rows in records.items():
            resource = by_name[name]
            for index, record in enumerate(rows):
                scope = tuple(str(record.get(p, "")) for p in resource.scope_params)
                if resource.id_field is not None and resource.id_field in record:
                    key = str(record[resource.id_field])
                else:
                    key = str(index + 1)
                unit.put(resource.table(scope), key, {"key": key, "object": record})

    def _fixture_records(self) -> dict[str, list[dict[str, Any]]]:
        """The fixtures directory's records; without one, ``{}`` (the document's examples seed)."""
        if self.fixtures_dir is None:
            return {}
        directory = Path(self.fixtures_dir)
        if not directory.is_dir():
            raise ConfigurationError(f"fixtures directory {directory} does not exist")
        by_name = {r.name: r for r in self.generic.inference.resources}
        records: dict[str, list[dict[str, Any]]] = {}
        for path in fixture_files(directory):
            resource = by_name.get(path.stem)
            if resource is None:
                known = ", ".join(sorted(by_name)) or "none"
                raise ConfigurationError(f"{path}: no resource {path.stem!r} (inferred: {known})")
            rows = load_document_list(path)
            for index, record in enumerate(rows):
                problems = schema_errors(resource.schema, record) if resource.schema else []
                missing = [p for p in resource.scope_params if not isinstance(record, dict) or p not in record]
                if problems or missing:
                    reason = problems[0] if problems else f"names no {missing[0]!r} (its parent's id)"
                    raise ConfigurationError(f"{path}: record #{index} {reason}")
            records[path.stem] = rows
        return records


def _examples(resource: Resource) -> list[dict[str, Any]]:
    """The objects the document shows for ``resource`` (list and retrieve examples) that validate."""
    found: list[dict[str, Any]] = []
    schema = resource.schema
    if schema is None:
        return found
    candidates: list[Any] = []
    listing = resource.operations.get("list")
    envelope = resource.envelope
    if listing is not None and envelope is not None and listing.success and listing.success.json:
        for value in _media_examples(listing.success.json):
            items = value if envelope.items is None else (value.get(envelope.items) if isinstance(value, dict) else None)
            candidates.extend(items if isinstance(items, list) else [])
    retrieve = resource.operations.get("retrieve")
    if retrieve is not None and retrieve.success and retrieve.success.json:
        candidates.extend(_media_examples(retrieve.success.json))
    seen: set[str] = set()
    for candidate in candidates:
        if not isinstance(candidate, dict) or schema_errors(schema, candidate):
            continue
        key = str(candidate.get(resource.id_field, "")) if resource.id_field else ""
        if not key or key in seen:
            continue
        seen.add(key)
        found.append(candidate)
    return found


def _media_examples(media: Any) -> list[Any]:
    values = [e.value for e in media.examples.values() if e.value is not MISSING]
    if media.schema is not None and media.schema.example is not MISSING:
        values.append(media.schema.example)
    return values
