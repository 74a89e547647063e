"""``mockserver.compiled``: OpenAPI 3.0 schemas compiled to jsonschema-rs decide as openapi-core does.

Every verdict of a compiled validator is compared with the reference,
openapi-schema-validator's ``OAS30ReadValidator`` (responses) or ``OAS30WriteValidator``
(requests), given the same schema with the document's ``components`` beside it so that
``#/components/...`` references resolve.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema_path import SchemaPath
from openapi_core.validation.schemas import (
    oas30_read_schema_validators_factory,
    oas30_write_schema_validators_factory,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_core.validation.schemas.validators import SchemaValidator
from openapi_schema_validator import OAS30ReadValidator, OAS30WriteValidator

from mockserver.compiled import CompiledSchemaValidator, Compiler

REFERENCE = {"read": OAS30ReadValidator, "write": OAS30WriteValidator}
FACTORIES = {
    "read": oas30_read_schema_validators_factory,
    "write": oas30_write_schema_validators_factory,
}

Schemas = Mapping[str, Any]


def _root(schemas: Schemas | None = None) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {},
        "components": {"schemas": dict(schemas or {})},
    }


def _compile(schema: Any, direction: str, schemas: Schemas | None = None) -> Any:
    checker = REFERENCE[direction].FORMAT_CHECKER
    return Compiler(_root(schemas), direction, checker).compile(schema)


def _reference(schema: Mapping[str, Any], direction: str, schemas: Schemas | None = None) -> Any:
    cls = REFERENCE[direction]
    return cls(
        {**schema, "components": {"schemas": dict(schemas or {})}},
        format_checker=cls.FORMAT_CHECKER,
    )


def _check(
    schema: Mapping[str, Any],
    direction: str,
    valid: list[Any],
    invalid: list[Any],
    schemas: Schemas | None = None,
) -> None:
    """The compiled validator and the reference both accept ``valid`` and reject ``invalid``."""
    compiled = _compile(schema, direction, schemas)
    assert compiled is not None, f"{schema} was not compiled"
    reference = _reference(schema, direction, schemas)
    got = {
        "valid": [(v, compiled.is_valid(v), reference.is_valid(v)) for v in valid],
        "invalid": [(v, compiled.is_valid(v), reference.is_valid(v)) for v in invalid],
    }
    assert got == {
        "valid": [(v, True, True) for v in valid],
        "invalid": [(v, False, False) for v in invalid],
    }


def _agree(
    schema: Mapping[str, Any], direction: str, values: list[Any], schemas: Schemas | None = None
) -> None:
    """Whatever the verdict (it may depend on the regex engine installed), the two agree."""
    compiled = _compile(schema, direction, schemas)
    assert compiled is not None
    reference = _reference(schema, direction, schemas)
    assert [(v, compiled.is_valid(v)) for v in values] == [
        (v, reference.is_valid(v)) for v in values
    ]


# -- nullable -------------------------------------------------------------------------------------


def test_nullable_with_type_admits_none() -> None:
    _check({"type": "string", "nullable": True}, "read", ["a", "", None], [1, True, {}, []])
    _check(
        {"type": "object", "nullable": True, "required": ["a"]},
        "write",
        [None, {"a": 1}],
        [{}, "x"],
    )


def test_nullable_without_type_means_nothing() -> None:
    _check({"nullable": True, "minLength": 2}, "read", [None, "ab", 1, {}], ["a"])
    _check({"nullable": True, "enum": ["a"]}, "read", ["a"], [None, "b"])


def test_nullable_false_and_absent_reject_none() -> None:
    _check({"type": "string", "nullable": False}, "read", ["a"], [None])
    _check({"type": "integer"}, "write", [1], [None])
    _check({"type": "array", "items": {"type": "string"}}, "read", [[], ["a"]], [None, [None]])


def test_nullable_with_enum_still_needs_none_in_the_enum() -> None:
    _check({"type": "string", "nullable": True, "enum": ["a"]}, "read", ["a"], [None, "b"])
    _check({"type": "string", "nullable": True, "enum": ["a", None]}, "read", ["a", None], ["b"])


def test_nullable_beside_a_ref_does_not_reach_the_referenced_type() -> None:
    schemas = {"Code": {"type": "string"}, "MaybeCode": {"type": "string", "nullable": True}}

    _check(
        {"$ref": "#/components/schemas/Code", "nullable": True}, "read", ["a"], [None, 1], schemas
    )
    _check({"$ref": "#/components/schemas/MaybeCode"}, "read", ["a", None], [1], schemas)


# -- $ref ---------------------------------------------------------------------------------------


def test_ref_siblings_apply() -> None:
    schemas = {"Code": {"type": "string", "minLength": 1}}

    _check(
        {"$ref": "#/components/schemas/Code", "maxLength": 2},
        "read",
        ["a", "ab"],
        ["", "abc", 1, None],
        schemas,
    )


def test_ref_siblings_apply_in_properties_and_required() -> None:
    schemas = {"Thing": {"type": "object", "properties": {"a": {"type": "integer"}}}}
    schema = {
        "type": "object",
        "properties": {
            "thing": {"$ref": "#/components/schemas/Thing", "required": ["b"]},
            "code": {"$ref": "#/components/schemas/Thing", "maxProperties": 1},
        },
    }

    _check(
        schema,
        "write",
        [{}, {"thing": {"b": 1}}, {"thing": {"a": 1, "b": None}}, {"code": {"a": 2}}],
        [{"thing": {}}, {"thing": {"a": "x", "b": 1}}, {"code": {"a": 1, "b": 2}}, {"code": []}],
        schemas,
    )


def test_ref_chains_and_escaped_pointers() -> None:
    schemas = {
        "A": {"$ref": "#/components/schemas/B"},
        "B": {"type": "integer", "minimum": 3},
        "a/b": {"type": "boolean"},
        "p%c": {"type": "string"},
        "t~x": {"type": "array"},
    }
    schema = {
        "type": "object",
        "properties": {
            "a": {"$ref": "#/components/schemas/A"},
            "slash": {"$ref": "#/components/schemas/a~1b"},
            "percent": {"$ref": "#/components/schemas/p%25c"},
            "tilde": {"$ref": "#/components/schemas/t~0x"},
        },
    }

    _check(
        schema,
        "read",
        [{"a": 3, "slash": True, "percent": "x", "tilde": []}, {}],
        [{"a": 2}, {"a": "3"}, {"slash": 1}, {"percent": 1}, {"tilde": {}}],
        schemas,
    )


def test_the_same_ref_used_twice() -> None:
    schemas = {"Code": {"type": "string", "pattern": "^[A-Z]+$"}}
    ref = {"$ref": "#/components/schemas/Code"}

    _check(
        {"type": "object", "properties": {"a": ref, "b": {"type": "array", "items": ref}}},
        "write",
        [{"a": "AB", "b": ["C", "D"]}],
        [{"a": "ab"}, {"b": ["C", "d"]}],
        schemas,
    )


# -- readOnly / writeOnly ------------------------------------------------------------------------------

ACCOUNT = {
    "type": "object",
    "required": ["id", "name", "password"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
    },
}


def test_read_only_property_in_a_request_is_rejected_and_not_required() -> None:
    _check(
        ACCOUNT,
        "write",
        [{"name": "n", "password": "p"}],
        [
            {"id": "x", "name": "n", "password": "p"},
            {"id": None, "name": "n", "password": "p"},
            {"name": "n"},
        ],
    )


def test_write_only_property_in_a_response_is_rejected_and_not_required() -> None:
    _check(
        ACCOUNT,
        "read",
        [{"id": "x", "name": "n"}],
        [{"id": "x", "name": "n", "password": "p"}, {"name": "n"}, {"id": "x"}],
    )


def test_read_only_in_a_response_and_write_only_in_a_request_are_fine() -> None:
    _check({"type": "string", "readOnly": True}, "read", ["a"], [1])
    _check({"type": "string", "writeOnly": True}, "write", ["a"], [1])
    _check({"type": "string", "readOnly": False}, "write", ["a"], [1])
    _check({"type": "string", "writeOnly": False}, "read", ["a"], [1])


def test_a_read_only_schema_rejects_every_value_in_a_request() -> None:
    _check({"type": "string", "nullable": True, "readOnly": True}, "write", [], ["a", None, 1, {}])
    _check({"type": "string", "nullable": True, "writeOnly": True}, "read", [], ["a", None, 1])


def test_required_looks_only_at_the_property_schema_itself_not_at_its_ref() -> None:
    schemas = {"Id": {"type": "string", "readOnly": True}}
    via_ref = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"$ref": "#/components/schemas/Id"}},
    }
    flagged = {
        "type": "object",
        "required": ["id"],
        "properties": {"id": {"$ref": "#/components/schemas/Id", "readOnly": True}},
    }

    # still required in a request, and read-only there: no object passes
    _check(via_ref, "write", [], [{}, {"id": "x"}], schemas)
    _check(via_ref, "read", [{"id": "x"}], [{}], schemas)
    # the flag on the property's own schema lifts the requirement
    _check(flagged, "write", [{}], [{"id": "x"}], schemas)


def test_required_ignores_a_missing_property_schema() -> None:
    _check(
        {"type": "object", "required": ["a", "b"], "properties": {"a": {"readOnly": True}}},
        "write",
        [{"b": 1}],
        [{}],
    )


# -- formats ---------------------------------------------------------------------------------------


def test_int32_and_int64_ranges() -> None:
    _check(
        {"type": "integer", "format": "int32"},
        "write",
        [0, 2**31 - 1, -(2**31)],
        [2**31, -(2**31) - 1, 1.0, True],
    )
    _check(
        {"type": "integer", "format": "int64"},
        "read",
        [2**63 - 1, -(2**63)],
        [2**63, -(2**63) - 1, 2**70],
    )
    # a format only checks the values it is about
    _check({"format": "int32"}, "read", [1.5, 3e10, "x", True, None, []], [2**31])


def test_date_time_when_the_checker_has_it() -> None:
    if "date-time" not in OAS30ReadValidator.FORMAT_CHECKER.checkers:
        pytest.skip("no date-time checker installed (rfc3339-validator)")
    _check(
        {"type": "string", "format": "date-time"},
        "read",
        ["2024-02-29T12:00:00Z", "2024-01-01T00:00:00.123+02:00"],
        ["2024-02-30T12:00:00Z", "2024-01-01", "yesterday", "", None],
    )


def test_other_known_formats() -> None:
    _check({"type": "string", "format": "byte"}, "write", ["aGk=", ""], ["!!", "aGk"])
    _check(
        {"type": "string", "format": "uuid"},
        "read",
        ["12345678-1234-5678-1234-567812345678"],
        ["12345678", "x"],
    )
    _check(
        {"type": "string", "format": "date"}, "read", ["2020-01-31"], ["2020-13-01", "2020-01-32"]
    )


def test_an_unknown_format_is_ignored() -> None:
    _check({"type": "string", "format": "made-up"}, "read", ["anything", ""], [1])
    _check({"format": "made-up"}, "write", ["x", 1, None], [])


def test_none_with_a_format_passes_the_format() -> None:
    _check(
        {"type": "string", "format": "date", "nullable": True}, "read", [None, "2020-01-01"], ["x"]
    )
    _check({"format": "date"}, "read", [None], ["x"])
    _check({"type": "string", "format": "date"}, "read", ["2020-01-01"], [None])


# -- pattern ------------------------------------------------------------------------------------------


def test_pattern_is_an_unanchored_search() -> None:
    _check({"pattern": "b"}, "read", ["abc", "b", "bb"], ["ac", ""])
    _check({"pattern": "^a[0-9]+$"}, "write", ["a1", "a123"], ["a1x", "ba1", "a"])


def test_pattern_ignores_non_strings() -> None:
    _check({"pattern": "^x$"}, "read", [1, 1.5, None, True, [], {}, ["y"], {"y": 1}], ["y"])


def test_pattern_edge_cases_agree_with_the_reference() -> None:
    _agree({"pattern": "^\\w+$"}, "read", ["é", "a_1", "東京", "a b"])
    _agree({"pattern": "a$"}, "read", ["a", "a\n", "ab"])
    _agree({"pattern": "\\d"}, "read", ["١", "1", "x"])
    _agree({"pattern": "^.$"}, "read", ["😀", "é", "\n"])


# -- numbers and types ------------------------------------------------------------------------------------


def test_minimum_with_exclusive_minimum() -> None:
    _check({"minimum": 1, "exclusiveMinimum": True}, "read", [1.5, 2, "1", None], [1, 1.0, 0, -5])
    _check({"minimum": 1, "exclusiveMinimum": False}, "read", [1, 1.0], [0.99])
    _check({"maximum": 1, "exclusiveMaximum": True}, "write", [0.5, 0], [1, 1.0, 2])
    _check({"minimum": 0}, "read", [0, 0.0, 2**70], [-1, -(2**70), -0.5])


def test_integer_rejects_floats_and_booleans() -> None:
    _check(
        {"type": "integer"}, "read", [1, -3, 0, 2**70, -(2**70)], [1.0, 1.5, True, False, "1", None]
    )
    _check({"type": "number"}, "read", [1, 1.0, -2.5, 2**70], [True, "1", None])
    _check({"type": "boolean"}, "write", [True, False], [1, 0, "true"])
    _check({"type": "string"}, "read", ["", "1"], [1, b"x".decode() and 2])


def test_enum_numbers_and_booleans() -> None:
    _check({"enum": [1]}, "read", [1, 1.0], [True, "1", 2])
    _check({"enum": [1.0]}, "read", [1, 1.0], [True])
    _check({"enum": [True]}, "read", [True], [1, 1.0, "true"])
    _check({"enum": [0, False]}, "read", [0, 0.0, False], [True, 1, None])
    _check(
        {"enum": [[1], {"a": 0}]}, "read", [[1], [1.0], {"a": 0.0}], [[True], {"a": False}, [1, 1]]
    )


def test_keywords_openapi_3_0_ignores_are_ignored() -> None:
    schema = {
        "const": 1,
        "contains": {"type": "string"},
        "propertyNames": {"maxLength": 1},
        "dependencies": {"a": ["b"]},
        "if": {"type": "string"},
        "then": {"maxLength": 0},
        "additionalItems": False,
        "items": {},
        "examples": [1],
        "x-vendor": {"type": "string"},
    }

    _check(schema, "read", [2, [1], [1, 2], {"aa": 1}, {"a": 1}, "x"], [])


# -- objects, arrays, combinators ----------------------------------------------------------------------


def test_additional_properties() -> None:
    closed = {"type": "object", "properties": {"a": {}}, "additionalProperties": False}
    typed = {"properties": {"a": {}}, "additionalProperties": {"type": "integer"}}

    _check(closed, "write", [{}, {"a": 1}], [{"b": 1}, {"a": 1, "b": 2}, []])
    _check(typed, "read", [{"a": "x", "b": 1}, {}, "x"], [{"b": "x"}, {"a": 1, "b": None}])
    _check({"additionalProperties": True}, "read", [{"z": 1}], [])


def test_arrays_and_sizes() -> None:
    _check(
        {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
        "read",
        [[1], [1, 2]],
        [[], [1, 2, 3], [1.0], ["1"], "x", {}],
    )
    _check({"minLength": 2, "maxLength": 3}, "read", ["ab", "😀😀", "abc", 1], ["a", "😀", "abcd"])
    _check({"minProperties": 1, "maxProperties": 1}, "read", [{"a": 1}, []], [{}, {"a": 1, "b": 2}])


def test_all_of() -> None:
    _check({"allOf": [{"type": "integer"}, {"minimum": 2}]}, "read", [2, 3], [1, "a", 2.5])


def test_one_of() -> None:
    _check({"oneOf": [{"type": "integer"}, {"minimum": 2}]}, "read", [1, 2.5, "a"], [2, 1.5])


def test_any_of() -> None:
    _check({"anyOf": [{"type": "integer"}, {"minimum": 2}]}, "read", [1, 2, 2.5, "a"], [1.5])


def test_not() -> None:
    _check({"not": {"type": "integer"}}, "read", ["a", None, 1.5], [1, -1])
    # ``required`` holds for what is not an object, so ``not`` of it rejects it
    _check({"not": {"required": ["a"]}}, "write", [{}, {"b": 1}], [{"a": None}, "a", 1])


# -- what is not compiled ---------------------------------------------------------------------------------

UNSUPPORTED_SCHEMAS = {
    "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
    "A": {"type": "object", "properties": {"b": {"$ref": "#/components/schemas/B"}}},
    "B": {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
    "Pet": {
        "type": "object",
        "required": ["kind"],
        "properties": {"kind": {"type": "string"}},
        "discriminator": {"propertyName": "kind"},
    },
}


@pytest.mark.parametrize(
    "schema",
    [
        {
            "oneOf": [{"$ref": "#/components/schemas/Pet"}],
            "discriminator": {"propertyName": "kind"},
        },
        {"$ref": "#/components/schemas/Pet"},
        {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
        {"$ref": "#/components/schemas/Node"},
        {"$ref": "#/components/schemas/A"},
        {"type": "object", "properties": {"deep": {"items": {"$ref": "#/components/schemas/B"}}}},
        {"type": "integer", "multipleOf": 2},
        {"type": "array", "uniqueItems": True},
        {"type": "array", "uniqueItems": False},
        {"type": "object", "patternProperties": {"^x-": {"type": "string"}}},
        {"$ref": "other.yaml#/components/schemas/X"},
        {"$ref": "https://example.com/schemas.json#/X"},
        {"properties": {"a": {"$ref": "other.yaml"}}},
        {"type": ["string", "null"]},
        {"$ref": "#/components/schemas/Missing"},
        {"type": "array", "items": [{"type": "string"}]},
        {"allOf": [True]},
    ],
)
def test_unsupported_constructs_are_not_compiled(schema: dict[str, Any]) -> None:
    assert _compile(schema, "read", UNSUPPORTED_SCHEMAS) is None
    assert _compile(schema, "write", UNSUPPORTED_SCHEMAS) is None


def test_an_uncompiled_schema_leaves_openapi_core_s_validator_alone() -> None:
    root = _root(UNSUPPORTED_SCHEMAS)
    spec = SchemaPath.from_dict(root)
    inner = FACTORIES["read"].create(spec, spec / "components" / "schemas" / "Node")
    compiler = Compiler(root, "read", inner.validator.format_checker)

    with (spec / "components" / "schemas" / "Node").open() as contents:
        assert compiler.validator(inner, contents) is inner


def test_compiler_rejects_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="both"):
        Compiler(_root(), "both", OAS30ReadValidator.FORMAT_CHECKER)


def test_a_failed_reference_does_not_poison_the_next_compile() -> None:
    compiler = Compiler(_root(UNSUPPORTED_SCHEMAS), "read", OAS30ReadValidator.FORMAT_CHECKER)

    assert compiler.compile({"$ref": "#/components/schemas/Node"}) is None
    assert compiler.compile({"$ref": "#/components/schemas/Node"}) is None
    compiled = compiler.compile({"properties": {"kind": {"type": "string"}}})
    assert compiled is not None
    assert compiled.is_valid({"kind": "x"}) is True
    assert compiled.is_valid({"kind": 1}) is False


# -- CompiledSchemaValidator ----------------------------------------------------------------------------

BODY_SCHEMAS = {
    "Code": {"type": "string", "minLength": 1},
    "File": {"type": "string", "format": "binary"},
    "Body": {
        "type": "object",
        "additionalProperties": False,
        "required": ["code", "amount"],
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "code": {"$ref": "#/components/schemas/Code", "maxLength": 4},
            "amount": {"type": "integer", "format": "int64", "minimum": 0},
            "ratio": {"type": "number"},
            "file": {"type": "string", "format": "binary"},
            "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
            "extra": {"type": "object"},
        },
    },
}


def _validators(
    direction: str, name: str = "Body"
) -> tuple[CompiledSchemaValidator, SchemaValidator]:
    """(compiled, plain) openapi-core validators of ``components/schemas/<name>``."""
    root = _root(BODY_SCHEMAS)
    spec = SchemaPath.from_dict(root)
    schema = spec / "components" / "schemas" / name
    inner = FACTORIES[direction].create(spec, schema)
    plain = FACTORIES[direction].create(spec, schema)
    compiler = Compiler(root, direction, inner.validator.format_checker)
    with schema.open() as contents:
        compiled = compiler.validator(inner, contents)
    assert isinstance(compiled, CompiledSchemaValidator)
    return compiled, plain


def _messages(errors: Iterable[Exception]) -> list[str]:
    assert all(isinstance(e, SchemaError) for e in errors)
    return sorted(e.message for e in errors if isinstance(e, SchemaError))


def _outcome(validator: SchemaValidator, value: Any) -> tuple[str, Any, list[str]] | None:
    """(schema type, value, error messages) of the ``InvalidSchemaValue`` raised, ``None`` if valid."""
    validate: Callable[[Any], object] = validator.validate
    try:
        result = validate(value)
    except InvalidSchemaValue as exc:
        return (str(exc.type), exc.value, _messages(exc.schema_errors))
    assert result is None
    return None


@pytest.mark.parametrize(
    "value",
    [
        {"code": "AB", "amount": 1},
        {"code": "ABCD", "amount": 2**63 - 1, "tags": ["a"], "ratio": 1.5},
        {"code": "AB", "amount": 0, "extra": {"anything": [None]}},
        {"code": "ABCDE", "amount": 1},
        {"code": "", "amount": 1},
        {"code": "AB"},
        {"amount": -1},
        {"code": "AB", "amount": 1, "id": "x"},
        {"code": "AB", "amount": 1, "unknown": True},
        {"code": "AB", "amount": 1.0},
        {"code": "AB", "amount": True},
        {"code": "AB", "amount": 2**63},
        {"code": "AB", "amount": 2**70, "tags": ["c", 1]},
        {"code": 1, "amount": None, "ratio": "x", "tags": "a"},
        [],
        None,
    ],
)
def test_compiled_validator_raises_what_openapi_core_raises(value: Any) -> None:
    compiled, plain = _validators("write")

    assert _outcome(compiled, value) == _outcome(plain, value)


def test_compiled_validator_error_messages_are_openapi_core_s() -> None:
    compiled, _ = _validators("write")

    with pytest.raises(InvalidSchemaValue) as raised:
        compiled.validate({"code": "ABCDE", "amount": 2**63, "id": "x"})

    assert _messages(raised.value.schema_errors) == [
        "'ABCDE' is too long",
        "9223372036854775808 is not a 'int64'",
        "Tried to write read-only property with x",
    ]
    assert raised.value.type == "object"


def test_compiled_validator_returns_none_for_valid_values_without_asking_openapi_core(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    compiled, _ = _validators("write")

    def fail(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("openapi-core was asked")

    class Refusing:
        iter_errors = fail

    monkeypatch.setattr(compiled, "validator", Refusing())

    assert _outcome(compiled, {"code": "AB", "amount": 1, "tags": ["b"]}) is None
    assert _outcome(compiled, {"code": "AB", "amount": 5, "ratio": 2**70}) is None


def test_integers_beyond_64_bits_are_taken_by_jsonschema_rs() -> None:
    compiled, plain = _validators("read")

    big = {"code": "AB", "amount": 1, "ratio": 2**70}
    too_big = {"code": "AB", "amount": 2**70}
    negative = {"code": "AB", "amount": -(2**70), "ratio": -(2**70)}

    # jsonschema-rs compares them exactly (no exception, no fallback needed)
    assert compiled.compiled.is_valid(big) is True
    assert _outcome(compiled, big) is None
    assert compiled.compiled.is_valid(too_big) is False  # beyond int64
    assert compiled.compiled.is_valid(negative) is False  # below the minimum
    assert _outcome(compiled, too_big) == _outcome(plain, too_big)
    assert _outcome(compiled, negative) == _outcome(plain, negative)
    assert _outcome(plain, negative) == (
        "object",
        negative,
        [
            "-1180591620717411303424 is less than the minimum of 0",
            "-1180591620717411303424 is not a 'int64'",
        ],
    )


def test_a_value_jsonschema_rs_cannot_take_gets_openapi_core_s_verdict() -> None:
    compiled, plain = _validators("write", "File")

    # openapi-core accepts bytes for ``format: binary``; jsonschema-rs cannot take bytes
    with pytest.raises(ValueError, match="bytes"):
        compiled.compiled.is_valid(b"\x00\xff")
    assert _outcome(plain, b"\x00\xff") is None
    assert _outcome(compiled, b"\x00\xff") is None


def test_a_value_jsonschema_rs_cannot_take_and_openapi_core_rejects() -> None:
    compiled, plain = _validators("write")
    value = {1: "a", "code": "AB", "amount": 1}

    with pytest.raises(ValueError):
        compiled.compiled.is_valid(value)
    outcome = _outcome(compiled, value)
    assert outcome == _outcome(plain, value)
    assert outcome == (
        "object",
        value,
        ["Additional properties are not allowed (1 was unexpected)"],
    )


@pytest.mark.parametrize(
    "value",
    [
        {"code": "AB", "amount": 1, "file": b"\x00\xff"},  # openapi-core accepts bytes for binary
        {"code": "AB", "amount": 1, "ratio": b"1"},
        {"code": "AB", "amount": 1, "unknown": b"x"},
        {"code": "AB", "amount": 1, "extra": {1: "a"}},  # a key that is not a string
        {"code": "AB", "amount": 1, "extra": {"a": {1, 2}}},
    ],
)
def test_nested_values_jsonschema_rs_cannot_take_get_openapi_core_s_verdict(value: Any) -> None:
    compiled, plain = _validators("write")

    assert _outcome(compiled, value) == _outcome(plain, value)


def test_what_the_compiled_validator_rejects_and_openapi_core_accepts_is_accepted() -> None:
    compiled, plain = _validators("read")
    value = {"code": "AB", "amount": 1, "ratio": float("inf")}  # json.loads reads Infinity

    assert compiled.compiled.is_valid(value) is False
    assert _outcome(plain, value) is None
    assert _outcome(compiled, value) is None


# -- property-based: arbitrary JSON values --------------------------------------------------------------

KEYS = ["id", "name", "n", "tags", "kind", "x", "password"]

PROPERTY_SCHEMAS: dict[str, Any] = {
    "Name": {"type": "string", "minLength": 1, "pattern": "^[a-z]"},
    "Base": {
        "type": "object",
        "required": ["id", "name"],
        "minProperties": 1,
        "properties": {
            "id": {"type": "string", "readOnly": True},
            "name": {"type": "string", "writeOnly": True, "nullable": True},
            "password": {"$ref": "#/components/schemas/Secret"},
        },
    },
    "Secret": {"type": "string", "writeOnly": True},
    "Pair": {
        "type": "object",
        "required": ["x", "id"],
        "properties": {"x": {"writeOnly": True}, "id": {"type": "integer", "format": "int32"}},
    },
}

PROPERTY_CASES: list[tuple[str, dict[str, Any]]] = [
    (
        "write",
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "name", "n"],
            "properties": {
                "id": {"type": "string", "readOnly": True},
                "name": {"$ref": "#/components/schemas/Name", "maxLength": 4},
                "n": {
                    "type": "integer",
                    "format": "int32",
                    "minimum": 0,
                    "exclusiveMinimum": True,
                    "nullable": True,
                },
                "tags": {
                    "type": "array",
                    "items": {"type": "string", "enum": ["a", "b"]},
                    "maxItems": 2,
                },
                "kind": {"enum": ["a", 1, True, None, [0]]},
                "x": {"type": "object", "properties": {"n": {"type": "number", "maximum": 1.5}}},
            },
        },
    ),
    (
        "read",
        {
            "oneOf": [
                {
                    "type": "object",
                    "required": ["kind"],
                    "properties": {"kind": {"enum": ["a", 1]}},
                },
                {
                    "type": "object",
                    "required": ["n"],
                    "properties": {"n": {"type": "number", "maximum": 10}},
                },
                {"type": "array", "items": {"$ref": "#/components/schemas/Pair"}},
                {"type": "string", "format": "date-time", "nullable": True},
            ],
            "not": {"type": "object", "required": ["password"]},
        },
    ),
    (
        "read",
        {
            "type": "array",
            "maxItems": 3,
            "items": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "properties": {
                            "tags": {
                                "type": "array",
                                "items": {"$ref": "#/components/schemas/Name"},
                            }
                        }
                    },
                ],
                "not": {"required": ["x"]},
            },
        },
    ),
    (
        "write",
        {
            "type": "object",
            "nullable": True,
            "properties": {
                "id": {"nullable": True, "maxLength": 2},
                "n": {
                    "anyOf": [
                        {"type": "integer", "maximum": -1},
                        {"type": "string", "pattern": "1"},
                    ]
                },
                "name": {"$ref": "#/components/schemas/Base"},
            },
            "additionalProperties": {"type": "integer", "format": "int64", "nullable": True},
            "maxProperties": 3,
        },
    ),
]

_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6)
    | st.sampled_from(["a", "ab", "abcde", "1", "A", "2024-01-01T00:00:00Z", "x1"])
)
JSON_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS), children, max_size=5)
    ),
    max_leaves=12,
)
#: Objects close to what the schemas describe, so that both verdicts come up often.
_NEAR_VALUES = {
    "id": st.sampled_from(["x", 7, 2**31]),
    "name": st.sampled_from(["ab", "a", "abcd", "abcde", None]),
    "n": st.sampled_from([1, 5, None, 0, 2**31]),
    "tags": st.sampled_from([[], ["a"], ["b", "a"], ["c"], ["a", "b", "a"], ["ab"]]),
    "kind": st.sampled_from(["a", 1, 1.0, None, [0], True, "b", False]),
    "x": st.sampled_from([{"n": 1}, {}, {"n": 2}, 3]),
    "password": st.sampled_from(["p", 1]),
}
NEAR_OBJECTS = st.sets(st.sampled_from(KEYS)).flatmap(
    lambda keys: st.fixed_dictionaries({key: _NEAR_VALUES[key] for key in sorted(keys)})
)
VALUES = (
    JSON_VALUES
    | NEAR_OBJECTS
    | st.lists(NEAR_OBJECTS, max_size=3)
    | st.sampled_from(
        [{"name": "ab", "n": 1}, {"name": "a", "n": None, "tags": ["a"], "kind": 1.0}]
    )
)

_PROPERTY_VALIDATORS = [
    (
        _compile(schema, direction, PROPERTY_SCHEMAS),
        _reference(schema, direction, PROPERTY_SCHEMAS),
    )
    for direction, schema in PROPERTY_CASES
]


def test_the_property_schemas_compile() -> None:
    assert all(compiled is not None for compiled, _ in _PROPERTY_VALIDATORS)


@settings(max_examples=200, derandomize=True, database=None, deadline=None)
@given(value=VALUES)
def test_arbitrary_json_values_get_the_reference_verdict(value: Any) -> None:
    verdicts = [
        (compiled.is_valid(value), reference.is_valid(value))
        for compiled, reference in _PROPERTY_VALIDATORS
    ]

    assert [c for c, _ in verdicts] == [r for _, r in verdicts]
