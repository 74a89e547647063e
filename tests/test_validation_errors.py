"""Which error a failed ``oneOf``/``anyOf`` reports: the one of the branch the value meant.

A small spec written here, validated through :mod:`mockserver.validation` (the engine's own
request validation), with no API behind it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from starlette.datastructures import Headers, QueryParams

from mockserver.exceptions import Problem, ProblemKind
from mockserver.validation import build_validators

SHAPES = {
    "Circle": {
        "type": "object",
        "required": ["kind", "radius"],
        "properties": {"kind": {"type": "string", "enum": ["circle"]}, "radius": {"type": "number"}},
    },
    "Square": {
        "type": "object",
        "required": ["kind", "side"],
        "properties": {
            "kind": {"type": "string", "enum": ["square"]},
            "side": {"type": "number"},
            "corners": {"type": "string", "enum": ["sharp", "round"]},
        },
    },
}


def spec(body: dict[str, Any]) -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {"title": "Shapes", "version": "1"},
        "paths": {
            "/shapes": {
                "post": {
                    "operationId": "draw",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
                    "responses": {"200": {"description": "drawn"}},
                }
            }
        },
        "components": {"schemas": SHAPES},
    }


ONE_OF = {"oneOf": [{"$ref": "#/components/schemas/Circle"}, {"$ref": "#/components/schemas/Square"}]}
DISCRIMINATED = {
    **ONE_OF,
    "discriminator": {
        "propertyName": "kind",
        "mapping": {"circle": "#/components/schemas/Circle", "square": "#/components/schemas/Square"},
    },
}


def first_problem(body_schema: dict[str, Any], value: Any) -> Problem:
    validator = build_validators(OpenAPI.from_dict(spec(body_schema)))["draw"]
    parameters = RequestParameters(query=QueryParams(""), header=Headers({}), cookie={}, path={})
    problems, _ = validator.validate_request(parameters, json.dumps(value).encode(), "application/json", value)
    assert problems, f"{value!r} was accepted"
    return problems[0]


@pytest.mark.parametrize("schema", [ONE_OF, DISCRIMINATED], ids=["oneOf", "discriminator"])
def test_the_branch_the_value_names_explains_the_error(schema: dict[str, Any]) -> None:
    """A square without its side: the square's error, never the circle's ``kind`` enum."""
    problem = first_problem(schema, {"kind": "square", "radius": 2})
    assert (problem.kind, problem.param, problem.rule) == (ProblemKind.MISSING_PARAMETER, "side", "required")
    wrong = first_problem(schema, {"kind": "square", "side": "two"})
    assert (wrong.param, wrong.rule, wrong.expected, wrong.value) == ("side", "type", "number", "two")
    corners = first_problem(schema, {"kind": "square", "side": 2, "corners": "soft"})
    assert (corners.param, corners.rule, corners.expected) == ("corners", "enum", ["sharp", "round"])


def test_a_value_no_branch_takes_names_the_property_and_every_allowed_value() -> None:
    problem = first_problem(ONE_OF, {"kind": "triangle"})
    assert (problem.kind, problem.param, problem.rule) == (ProblemKind.INVALID_PARAMETER, "kind", "enum")
    assert (problem.expected, problem.value) == (["circle", "square"], "triangle")
    assert problem.message == "Invalid value for kind: 'triangle' is not one of ['circle', 'square']."


def test_a_discriminator_missing_or_unknown_names_its_property() -> None:
    missing = first_problem(DISCRIMINATED, {"side": 2})
    assert (missing.kind, missing.param, missing.message) == (
        ProblemKind.MISSING_PARAMETER, "kind", "Missing required param: kind."
    )
    unknown = first_problem(DISCRIMINATED, {"kind": "triangle"})
    assert (unknown.param, unknown.rule, unknown.expected) == ("kind", "enum", ["circle", "square"])
