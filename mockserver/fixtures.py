"""Seed data: read a fixtures directory and check every record against its schema.

A fixtures directory holds one file per resource, ``<resource>.json`` (or
``.yaml``), each a list of objects exactly as the API would return them. The API
declares which component schema each file's records must satisfy
(:attr:`MockAPI.fixture_schemas`); a record that does not is a
:class:`~mockserver.exceptions.ConfigurationError` naming the file, the record
and the problem, and the server refuses to start.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from jsonschema.protocols import Validator
from openapi_schema_validator import OAS30Validator, OAS31Validator

from mockserver.exceptions import ConfigurationError

if TYPE_CHECKING:
    from mockserver.plugins import MockAPI

_SUFFIXES = (".json", ".yaml", ".yml")


def schema_validator(spec: dict[str, Any], schema_name: str) -> Validator:
    """A JSON-schema validator for ``#/components/schemas/<schema_name>`` of ``spec``."""
    if schema_name not in spec.get("components", {}).get("schemas", {}):
        raise ConfigurationError(f"the spec has no schema named {schema_name!r}")
    root = {"$ref": f"#/components/schemas/{schema_name}", "components": spec["components"]}
    cls = OAS31Validator if str(spec.get("openapi", "")).startswith("3.1") else OAS30Validator
    return cls(root)


def fixture_files(directory: Path) -> Iterator[Path]:
    for path in sorted(Path(directory).iterdir()):
        if path.suffix in _SUFFIXES and not path.name.startswith("."):
            yield path


def read_fixtures(api: MockAPI, directory: Path) -> dict[str, list[dict[str, Any]]]:
    """Every record of ``directory``, by resource, each validated against its schema."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ConfigurationError(f"fixtures directory {directory} does not exist")
    records: dict[str, list[dict[str, Any]]] = {}
    for path in fixture_files(directory):
        stem = path.stem
        if stem not in api.fixture_schemas:
            known = ", ".join(sorted(api.fixture_schemas))
            raise ConfigurationError(
                f"{path}: unknown fixture file for API {api.name!r} (expected one of: {known})"
            )
        data = load_document_list(path)
        validator = schema_validator(api.spec, api.fixture_schemas[stem])
        for index, record in enumerate(data):
            errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
            if errors:
                first = errors[0]
                where = "/".join(str(p) for p in first.absolute_path) or "<record>"
                ident = record.get("id", f"#{index}") if isinstance(record, dict) else f"#{index}"
                raise ConfigurationError(
                    f"{path}: record {ident} does not match schema "
                    f"{api.fixture_schemas[stem]} at {where}: {first.message}"
                )
        records[stem] = data
    return records


def load_document_list(path: Path) -> list[dict[str, Any]]:
    """Read one fixture file, which must hold a list of records."""
    data: Any
    if path.suffix == ".json":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ConfigurationError(f"{path} is not valid JSON: {exc}") from exc
    else:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ConfigurationError(f"{path} is not valid YAML: {exc}") from exc
    if not isinstance(data, list):
        raise ConfigurationError(f"{path} must hold a list of records")
    return data
