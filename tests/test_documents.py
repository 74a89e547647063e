"""``load_document`` and ``repair_document``: reading vendors' OpenAPI documents."""

from __future__ import annotations

import copy
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import yaml

from mockserver.documents import load_document, repair_document
from mockserver.exceptions import ConfigurationError

VOUCHERIFY = (
    Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "voucherify-openapi.json"
)

CLEAN: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Clean", "version": "1"},
    "paths": {
        "/things/{id}": {
            "get": {
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                    {
                        "name": "order",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["asc", "desc"], "default": "asc"},
                    },
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "size": {"type": "integer", "default": 3}},
            }
        }
    },
}

EMPTY_REQUIRED = "removed {} empty `required` lists (OpenAPI 3.0 needs at least one name; an empty list requires nothing)"


def _records(caplog: pytest.LogCaptureFixture) -> list[tuple[str, int, str]]:
    return [(r.name, r.levelno, r.getMessage()) for r in caplog.records]


# -- loading ---------------------------------------------------------------------------------------


def test_loads_yaml(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "api.yaml"
    path.write_text(yaml.safe_dump(CLEAN), encoding="utf-8")

    with caplog.at_level(logging.DEBUG, logger="mockserver"):
        document = load_document(path)

    assert document == CLEAN
    assert _records(caplog) == []


def test_loads_yml_and_a_string_path(tmp_path: Path) -> None:
    path = tmp_path / "api.yml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: Ünïcode, version: '1'}\npaths: {}\n", encoding="utf-8"
    )

    assert load_document(str(path)) == {  # type: ignore[arg-type]
        "openapi": "3.0.3",
        "info": {"title": "Ünïcode", "version": "1"},
        "paths": {},
    }


def test_loads_json(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "api.json"
    path.write_text(json.dumps(CLEAN), encoding="utf-8")

    with caplog.at_level(logging.DEBUG, logger="mockserver"):
        document = load_document(path)

    assert document == CLEAN
    assert _records(caplog) == []


def test_a_json_document_with_big_integers_and_unicode(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_bytes(
        b'{"openapi": "3.0.3", "x-max": 9223372036854775807, "x-name": "Z\\u00fcrich \xe6\x9d\xb1"}'
    )

    assert load_document(path) == {"openapi": "3.0.3", "x-max": 2**63 - 1, "x-name": "Zürich 東"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("list.yaml", "- a\n- b\n"),
        ("scalar.yaml", "just a string\n"),
        ("empty.yaml", ""),
        ("list.json", "[1, 2]"),
        ("null.json", "null"),
        ("number.json", "3"),
    ],
)
def test_a_document_that_is_not_a_mapping_is_a_configuration_error(
    tmp_path: Path, name: str, text: str
) -> None:
    path = tmp_path / name
    path.write_text(text)

    with pytest.raises(ConfigurationError) as raised:
        load_document(path)

    assert str(raised.value) == f"{path} does not hold a mapping at the top level"


def test_a_missing_file_is_a_configuration_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "nowhere" / "api.yaml"

    with pytest.raises(ConfigurationError) as raised:
        load_document(path)

    assert str(raised.value) == f"cannot read {path}: No such file or directory"
    assert isinstance(raised.value.__cause__, FileNotFoundError)


def test_an_unreadable_path_is_a_configuration_error_naming_the_path(tmp_path: Path) -> None:
    path = tmp_path / "a-directory.json"
    path.mkdir()

    with pytest.raises(ConfigurationError) as raised:
        load_document(path)

    assert str(raised.value) == f"cannot read {path}: Is a directory"


def test_invalid_json_is_a_configuration_error(tmp_path: Path) -> None:
    path = tmp_path / "api.json"
    path.write_text('{"openapi": "3.0.3",')

    with pytest.raises(ConfigurationError) as raised:
        load_document(path)

    assert str(raised.value).startswith(f"{path} is not valid YAML/JSON: ")


def test_json_is_not_read_as_yaml(tmp_path: Path) -> None:
    # valid YAML, invalid JSON: a .json file is held to JSON
    path = tmp_path / "api.json"
    path.write_text("openapi: 3.0.3\n")

    with pytest.raises(ConfigurationError, match="is not valid YAML/JSON"):
        load_document(path)


@pytest.mark.parametrize("raw", [b"openapi: [3.0\n", b"a: b: c\n", b"\xff\xfe not utf-8: x\n"])
def test_invalid_yaml_is_a_configuration_error(tmp_path: Path, raw: bytes) -> None:
    path = tmp_path / "api.yaml"
    path.write_bytes(raw)

    with pytest.raises(ConfigurationError) as raised:
        load_document(path)

    assert str(raised.value).startswith(f"{path} is not valid YAML/JSON: ")


# -- repairs ------------------------------------------------------------------------------------------


def test_a_clean_document_is_left_alone() -> None:
    document = copy.deepcopy(CLEAN)

    assert repair_document(document) == []
    assert document == CLEAN


def test_empty_required_lists_are_removed_anywhere() -> None:
    document: dict[str, Any] = {
        "required": [],
        "components": {
            "schemas": {
                "A": {
                    "type": "object",
                    "required": [],
                    "properties": {"b": {"type": "object", "required": []}},
                },
                "B": {"allOf": [{"required": []}, {"required": ["x"]}, [{"required": []}]]},
                "C": {"type": "object", "required": ["id"]},
            }
        },
        "paths": {"/x": {"get": {"parameters": [{"name": "q", "in": "query", "required": False}]}}},
    }

    repairs = repair_document(document)

    assert repairs == [EMPTY_REQUIRED.format(5)]
    assert document == {
        "components": {
            "schemas": {
                "A": {"type": "object", "properties": {"b": {"type": "object"}}},
                "B": {"allOf": [{}, {"required": ["x"]}, [{}]]},
                "C": {"type": "object", "required": ["id"]},
            }
        },
        "paths": {"/x": {"get": {"parameters": [{"name": "q", "in": "query", "required": False}]}}},
    }


def test_a_property_named_required_is_not_a_required_list() -> None:
    document: dict[str, Any] = {
        "type": "object",
        "properties": {"required": {"type": "boolean"}, "enum": {"type": "array"}, "default": {}},
    }
    before = copy.deepcopy(document)

    assert repair_document(document) == []
    assert document == before


def test_a_default_outside_its_enum_is_dropped_and_reported_with_its_pointer() -> None:
    document: dict[str, Any] = {
        "paths": {
            "/v1/campaigns/{id}": {
                "get": {
                    "parameters": [
                        {
                            "name": "order",
                            "in": "query",
                            "schema": {"enum": ["asc", "desc"], "default": "up"},
                        }
                    ]
                }
            }
        },
        "components": {"schemas": {"a~b": {"type": "integer", "enum": [1, 2], "default": 3}}},
    }

    repairs = repair_document(document)

    assert repairs == [
        "dropped 2 `default` value(s) their own `enum` does not allow: "
        '/paths/~1v1~1campaigns~1{id}/get/parameters/0/schema ("up"), '
        "/components/schemas/a~0b (3)"
    ]
    assert document == {
        "paths": {
            "/v1/campaigns/{id}": {
                "get": {
                    "parameters": [
                        {"name": "order", "in": "query", "schema": {"enum": ["asc", "desc"]}}
                    ]
                }
            }
        },
        "components": {"schemas": {"a~b": {"type": "integer", "enum": [1, 2]}}},
    }


def test_a_default_at_the_top_level_is_reported_as_slash() -> None:
    document: dict[str, Any] = {"enum": ["a"], "default": "b"}

    assert repair_document(document) == [
        'dropped 1 `default` value(s) their own `enum` does not allow: / ("b")'
    ]
    assert document == {"enum": ["a"]}


def test_a_default_inside_its_enum_is_kept() -> None:
    document: dict[str, Any] = {
        "a": {"enum": ["asc", "desc"], "default": "desc"},
        "b": {"enum": [None, "x"], "default": None, "nullable": True},
        "c": {"enum": [[1], {"k": "v"}], "default": {"k": "v"}},
        "d": {"default": "anything"},  # no enum
        "e": {"enum": "not a list", "default": "x"},
    }
    before = copy.deepcopy(document)

    assert repair_document(document) == []
    assert document == before


@pytest.mark.parametrize(
    ("default", "enum"),
    [(False, [0, 1]), (1, [True, False])],
)
def test_a_boolean_is_not_a_number_when_checking_a_default_against_its_enum(
    default: Any, enum: list[Any]
) -> None:
    # JSON Schema's enum (and openapi-spec-validator, which refuses such a document) tell
    # booleans from numbers: ``false`` is not one of ``[0, 1]``.
    document: dict[str, Any] = {
        "components": {"schemas": {"Flag": {"enum": enum, "default": default}}}
    }

    repairs = repair_document(document)

    assert repairs == [
        "dropped 1 `default` value(s) their own `enum` does not allow: "
        f"/components/schemas/Flag ({json.dumps(default)})"
    ]
    assert document == {"components": {"schemas": {"Flag": {"enum": enum}}}}


def test_more_than_five_defaults_are_listed_five_and_an_ellipsis() -> None:
    document: dict[str, Any] = {
        f"s{i}": {"enum": ["a"], "default": f"{'x' * 50}{i}"} for i in range(7)
    }

    (repair,) = repair_document(document)

    long = json.dumps("x" * 50)[:40]
    assert repair == (
        "dropped 7 `default` value(s) their own `enum` does not allow: "
        + ", ".join(f"/s{i} ({long})" for i in range(5))
        + " ..."
    )
    assert all("default" not in schema for schema in document.values())


def test_a_second_repair_finds_nothing() -> None:
    document: dict[str, Any] = {"a": {"required": []}, "b": {"enum": [1], "default": 2}}

    assert len(repair_document(document)) == 2
    assert repair_document(document) == []


def test_one_warning_line_per_kind_of_repair(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    document = copy.deepcopy(CLEAN)
    schemas = document["components"]["schemas"]
    schemas["Empty1"] = {"type": "object", "required": []}
    schemas["Empty2"] = {"type": "object", "required": [], "properties": {"x": {"required": []}}}
    schemas["Bad1"] = {"type": "string", "enum": ["a"], "default": "b"}
    schemas["Bad2"] = {"type": "string", "enum": ["a"], "default": "c"}
    path = tmp_path / "vendor.yaml"
    path.write_text(yaml.safe_dump(document))

    with caplog.at_level(logging.DEBUG, logger="mockserver"):
        loaded = load_document(path)

    assert _records(caplog) == [
        ("mockserver", logging.WARNING, "vendor.yaml: " + EMPTY_REQUIRED.format(3)),
        (
            "mockserver",
            logging.WARNING,
            "vendor.yaml: dropped 2 `default` value(s) their own `enum` does not allow: "
            '/components/schemas/Bad1 ("b"), /components/schemas/Bad2 ("c")',
        ),
    ]
    assert loaded["components"]["schemas"]["Empty2"] == {"type": "object", "properties": {"x": {}}}
    assert loaded["components"]["schemas"]["Bad2"] == {"type": "string", "enum": ["a"]}


def test_the_official_voucherify_document() -> None:
    if not VOUCHERIFY.is_file():
        pytest.skip(f"the official Voucherify document is not at {VOUCHERIFY}")
    document = json.loads(VOUCHERIFY.read_bytes())

    repairs = repair_document(document)

    assert repairs == [
        EMPTY_REQUIRED.format(364),
        "dropped 1 `default` value(s) their own `enum` does not allow: "
        '/components/schemas/MetadataSchemasListResponseBody/properties/data_ref ("data")',
    ]
    assert repair_document(document) == []


def test_loading_the_official_voucherify_document_warns_twice(
    caplog: pytest.LogCaptureFixture,
) -> None:
    if not VOUCHERIFY.is_file():
        pytest.skip(f"the official Voucherify document is not at {VOUCHERIFY}")

    with caplog.at_level(logging.WARNING, logger="mockserver"):
        document = load_document(VOUCHERIFY)

    messages = [message for _, _, message in _records(caplog)]
    assert [m.split(": ", 1)[1].split(" ", 2)[:2] for m in messages] == [
        ["removed", "364"],
        ["dropped", "1"],
    ]
    assert all(m.startswith("voucherify-openapi.json: ") for m in messages)
    assert (
        "default"
        not in document["components"]["schemas"]["MetadataSchemasListResponseBody"]["properties"][
            "data_ref"
        ]
    )


def test_openapi_31_nullable_and_mapped_schema_examples_are_read_as_meant() -> None:
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "components": {
            "schemas": {
                "Planet": {
                    "type": "object",
                    "properties": {
                        "image": {"type": "string", "nullable": True, "examples": {"mars": "@mars.jpg"}},
                        "tags": {"type": ["array"], "nullable": True, "items": {"type": "string"}},
                    },
                }
            }
        },
        "paths": {
            "/p": {
                "get": {
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {"examples": {"one": {"value": 1}}}},
                        }
                    }
                }
            }
        },
    }
    repairs = repair_document(document)
    props = document["components"]["schemas"]["Planet"]["properties"]
    assert props["image"] == {"type": ["string", "null"], "examples": ["@mars.jpg"]}
    assert props["tags"]["type"] == ["array", "null"] and "nullable" not in props["tags"]
    # a media type's named examples are a mapping by design: left alone
    media = document["paths"]["/p"]["get"]["responses"]["200"]["content"]["application/json"]
    assert media["examples"] == {"one": {"value": 1}}
    assert any("2 `nullable: true`" in r for r in repairs)
    assert any("1 schema `examples` written as a mapping" in r for r in repairs)


def test_nullable_in_a_30_document_is_left_to_30_rules() -> None:
    document = {"openapi": "3.0.3", "x": {"type": "string", "nullable": True}}
    assert repair_document(document) == []
    assert document["x"] == {"type": "string", "nullable": True}
