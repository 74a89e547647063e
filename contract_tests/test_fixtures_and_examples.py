"""Sweep over every registered API: its data must satisfy its own contract.

* every record of every default fixture file validates against the schema the API declares for
  that file (``MockAPI.fixture_schemas``), with the engine's own validator
  (:func:`mockserver.fixtures.schema_validator`);
* every documented ``example`` / ``examples`` value of the spec (schemas and their properties,
  parameters, headers, request and response bodies) validates against the schema it illustrates.

APIs whose plug-in or spec is not there yet are skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from jsonschema.exceptions import best_match
from openapi_schema_validator import (
    OAS30Validator,
    OAS31Validator,
    oas30_format_checker,
    oas31_format_checker,
)

from mockserver.exceptions import ConfigurationError
from mockserver.fixtures import fixture_files, load_document_list, schema_validator
from mockserver.plugins import MockAPI, api_class, available_apis, load_document

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


def _api(name: str) -> type[MockAPI] | None:
    try:
        cls = api_class(name)
    except (ImportError, AttributeError, ConfigurationError):
        return None
    return cls if Path(cls.spec_path).is_file() else None


def _fixture_params() -> list[Any]:
    params = []
    for name in sorted(available_apis()):
        cls = _api(name)
        directory = cls.default_fixtures if cls is not None else None
        files = (
            list(fixture_files(directory)) if directory is not None and directory.is_dir() else []
        )
        if not files:
            reason = "has no default document" if cls is None else "has no default fixtures"
            params.append(
                pytest.param(
                    name, None, id=f"{name}-none", marks=pytest.mark.skip(reason=f"{name} {reason}")
                )
            )
        for path in files:
            params.append(pytest.param(name, path, id=f"{name}-{path.stem}"))
    return params


@pytest.mark.parametrize(("api", "path"), _fixture_params())
def test_fixture_file_matches_its_schema(api: str, path: Path) -> None:
    cls = _api(api)
    assert cls is not None
    assert path.stem in cls.fixture_schemas, (
        f"{path}: {api} declares no schema for fixture file {path.stem!r} "
        f"(known: {', '.join(sorted(cls.fixture_schemas))})"
    )
    spec = load_document(cls.spec_path)
    schema_name = cls.fixture_schemas[path.stem]
    validator = schema_validator(spec, schema_name)
    records = load_document_list(path)
    problems = []
    for index, record in enumerate(records):
        ident = record.get("id", f"#{index}") if isinstance(record, dict) else f"#{index}"
        for error in sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path)):
            where = "/".join(str(p) for p in error.absolute_path) or "<record>"
            problems.append(f"{path.name}: record {ident} at {where}: {error.message}")
    assert not problems, (
        f"{len(problems)} fixture record problem(s) against {schema_name}:\n" + "\n".join(problems)
    )


# -- documented examples ---------------------------------------------------------------------


def iter_examples(spec: Mapping[str, Any]) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    """``(where, example value, schema it illustrates)`` for every example in the document."""
    components = spec.get("components", {})
    for name, schema in components.get("schemas", {}).items():
        yield from _schema_examples(f"#/components/schemas/{name}", schema)
    for name, parameter in components.get("parameters", {}).items():
        yield from _holder_examples(spec, f"#/components/parameters/{name}", parameter)
    for name, header in components.get("headers", {}).items():
        yield from _holder_examples(spec, f"#/components/headers/{name}", header)
    for name, response in components.get("responses", {}).items():
        yield from _response_examples(spec, f"#/components/responses/{name}", response)
    for name, body in components.get("requestBodies", {}).items():
        yield from _content_examples(spec, f"#/components/requestBodies/{name}", body)
    for path, item in spec.get("paths", {}).items():
        if not isinstance(item, Mapping):
            continue
        base = f"#/paths/{_escape(path)}"
        for index, parameter in enumerate(item.get("parameters", [])):
            yield from _holder_examples(spec, f"{base}/parameters/{index}", parameter)
        for method in METHODS:
            operation = item.get(method)
            if not isinstance(operation, Mapping):
                continue
            where = f"{base}/{method}"
            for index, parameter in enumerate(operation.get("parameters", [])):
                yield from _holder_examples(spec, f"{where}/parameters/{index}", parameter)
            if "requestBody" in operation:
                yield from _content_examples(spec, f"{where}/requestBody", operation["requestBody"])
            for status, response in operation.get("responses", {}).items():
                yield from _response_examples(spec, f"{where}/responses/{status}", response)


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def _is_ref(node: Any) -> bool:
    return isinstance(node, Mapping) and "$ref" in node


def _resolve(spec: Mapping[str, Any], node: Any) -> Any:
    for _ in range(20):
        if not _is_ref(node):
            return node
        target: Any = spec
        for part in str(node["$ref"]).lstrip("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def _schema_examples(where: str, schema: Any) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    if not isinstance(schema, Mapping) or _is_ref(schema):
        return
    if "example" in schema:
        yield f"{where}/example", schema["example"], schema
    for name, sub in schema.get("properties", {}).items():
        yield from _schema_examples(f"{where}/properties/{_escape(name)}", sub)
    if isinstance(schema.get("additionalProperties"), Mapping):
        yield from _schema_examples(f"{where}/additionalProperties", schema["additionalProperties"])
    if isinstance(schema.get("items"), Mapping):
        yield from _schema_examples(f"{where}/items", schema["items"])
    for keyword in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(schema.get(keyword, [])):
            yield from _schema_examples(f"{where}/{keyword}/{index}", sub)
    if isinstance(schema.get("not"), Mapping):
        yield from _schema_examples(f"{where}/not", schema["not"])


def _holder_examples(
    spec: Mapping[str, Any], where: str, holder: Any
) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    """A parameter, header or media type: ``example``/``examples`` against its ``schema``."""
    if _is_ref(holder) or not isinstance(holder, Mapping):
        return  # checked where it is defined
    schema = holder.get("schema")
    if not isinstance(schema, Mapping):
        return
    if "example" in holder:
        yield f"{where}/example", holder["example"], schema
    for name, example in (holder.get("examples") or {}).items():
        example = _resolve(spec, example)
        if isinstance(example, Mapping) and "value" in example:
            yield f"{where}/examples/{_escape(name)}", example["value"], schema
    yield from _schema_examples(f"{where}/schema", schema)


def _content_examples(
    spec: Mapping[str, Any], where: str, holder: Any
) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    if _is_ref(holder) or not isinstance(holder, Mapping):
        return
    for media_type, content in (holder.get("content") or {}).items():
        yield from _holder_examples(spec, f"{where}/content/{_escape(media_type)}", content)


def _response_examples(
    spec: Mapping[str, Any], where: str, response: Any
) -> Iterator[tuple[str, Any, Mapping[str, Any]]]:
    if _is_ref(response) or not isinstance(response, Mapping):
        return
    yield from _content_examples(spec, where, response)
    for name, header in (response.get("headers") or {}).items():
        yield from _holder_examples(spec, f"{where}/headers/{_escape(name)}", header)


def example_problems(spec: Mapping[str, Any]) -> tuple[int, list[str]]:
    """How many examples the spec documents, and what is wrong with them."""
    v31 = str(spec.get("openapi", "")).startswith("3.1")
    cls = OAS31Validator if v31 else OAS30Validator
    checker = oas31_format_checker if v31 else oas30_format_checker
    count = 0
    problems = []
    for where, value, schema in iter_examples(spec):
        count += 1
        root = {"allOf": [schema], "components": spec.get("components", {})}
        error = best_match(cls(root, format_checker=checker).iter_errors(value))
        if error is not None:
            at = "/".join(str(p) for p in error.absolute_path) or "<value>"
            problems.append(f"{where} (at {at}): {error.message}")
    return count, problems


def _api_params() -> list[Any]:
    return [
        pytest.param(
            name,
            id=name,
            marks=[] if _api(name) else [pytest.mark.skip(reason=f"{name} has no default document")],
        )
        for name in sorted(available_apis())
    ]


@pytest.mark.parametrize("api", _api_params())
def test_every_documented_example_matches_its_schema(api: str) -> None:
    cls = _api(api)
    assert cls is not None
    spec = load_document(cls.spec_path)
    count, problems = example_problems(spec)
    assert count > 0, f"{cls.spec_path} documents no example at all"
    assert not problems, (
        f"{len(problems)} of {count} documented examples break their schema:\n"
        + "\n".join(problems)
    )


def test_the_example_sweep_catches_a_bad_example() -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/things": {
                "get": {
                    "parameters": [
                        {
                            "name": "limit",
                            "in": "query",
                            "schema": {"type": "integer", "maximum": 10},
                            "example": 11,
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Thing"},
                                    "examples": {"bad": {"value": {"size": "big"}}},
                                }
                            },
                        }
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "Thing": {
                    "type": "object",
                    "properties": {"size": {"type": "integer", "example": "large"}},
                    "example": {"size": 3},
                }
            }
        },
    }
    count, problems = example_problems(spec)
    assert count == 4
    assert sorted(p.split(" ")[0] for p in problems) == [
        "#/components/schemas/Thing/properties/size/example",
        "#/paths/~1things/get/parameters/0/example",
        "#/paths/~1things/get/responses/200/content/application~1json/examples/bad",
    ]
