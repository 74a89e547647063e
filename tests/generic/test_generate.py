"""The response generator: examples first, else values made up from the schema, always valid."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mockserver import spec
from mockserver.fake import SchemaFaker, schema_errors
from mockserver.generate import NoResponse, choose_status, respond, serialize_header

CORPUS = Path(__file__).parent / "corpus"


def _doc(name: str) -> spec.Document:
    return spec.load(CORPUS / name / "openapi.json")


SMALL: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "small", "version": "1"},
    "paths": {
        "/things": {
            "get": {
                "operationId": "listThings",
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {
                            "X-Total": {"schema": {"type": "integer", "minimum": 0}},
                            "X-Tags": {"schema": {"type": "array", "items": {"type": "string"}}, "example": ["a", "b"]},
                        },
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Thing"}},
                                "examples": {
                                    "wrong": {"value": [{"id": "not an integer"}]},
                                    "two": {"value": [{"id": 1, "code": "T-1"}, {"id": 2, "code": "T-2"}]},
                                },
                            }
                        },
                    },
                    "201": {"description": "never the first 2xx chosen"},
                },
            },
            "post": {
                "operationId": "createThing",
                "responses": {"204": {"description": "no content"}},
            },
        }
    },
    "components": {
        "schemas": {
            "Thing": {
                "type": "object",
                "required": ["id", "code"],
                "properties": {
                    "id": {"type": "integer", "minimum": 1, "maximum": 9},
                    "code": {"type": "string", "pattern": "^T-[0-9]{1,3}$"},
                    "secret": {"type": "string", "writeOnly": True},
                    "when": {"type": "string", "format": "date-time"},
                    "ref": {"type": "string", "format": "uuid"},
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "ratio": {"type": "number", "exclusiveMinimum": True, "minimum": 0, "maximum": 1},
                },
            }
        }
    },
}


def test_the_first_valid_named_example_is_served_and_invalid_ones_are_passed_over() -> None:
    op = spec.load(SMALL).operation("listThings")
    generated = respond(op)
    assert generated.status == 200
    assert generated.source == "example:two"
    assert generated.body == [{"id": 1, "code": "T-1"}, {"id": 2, "code": "T-2"}]
    assert generated.media_type == "application/json"
    assert generated.errors == ()


def test_a_named_example_is_served_as_asked_even_when_it_does_not_validate() -> None:
    op = spec.load(SMALL).operation("listThings")
    generated = respond(op, example="wrong")
    assert generated.body == [{"id": "not an integer"}]
    assert "0/id: 'not an integer' is not of type 'integer'" in generated.errors
    with pytest.raises(NoResponse, match="no example 'nope' \\(known: wrong, two\\)"):
        respond(op, example="nope")


def test_documented_headers_get_their_example_or_a_valid_made_up_value() -> None:
    op = spec.load(SMALL).operation("listThings")
    headers = respond(op).headers
    assert headers["X-Tags"] == "a,b"
    assert int(headers["X-Total"]) >= 0


def test_dynamic_bodies_are_valid_reproducible_and_change_with_the_seed() -> None:
    op = spec.load(SMALL).operation("listThings")
    first = respond(op, dynamic=True, seed=11)
    assert first.source == "dynamic"
    assert first.errors == ()
    assert first == respond(op, dynamic=True, seed=11)
    bodies = {repr(respond(op, dynamic=True, seed=s).body) for s in range(6)}
    assert len(bodies) > 1
    for item in first.body:
        assert "secret" not in item  # writeOnly never appears in a response


def test_a_response_without_content_has_no_body() -> None:
    op = spec.load(SMALL).operation("createThing")
    generated = respond(op)
    assert (generated.status, generated.has_body, generated.source) == (204, False, "empty")


def test_status_choice_follows_prism() -> None:
    doc = spec.load(SMALL)
    assert choose_status(doc.operation("listThings"))[0] == 200
    assert choose_status(doc.operation("listThings"), 201)[0] == 201
    with pytest.raises(NoResponse, match="documents no 404"):
        respond(doc.operation("listThings"), status=404)


def test_the_default_response_answers_any_status_in_the_documents_error_shape() -> None:
    op = _doc("petstore-expanded").operation("findPets")
    generated = respond(op, status=404)
    assert generated.status == 404
    assert isinstance(generated.body["code"], int)
    assert isinstance(generated.body["message"], str)
    assert generated.errors == ()


def test_named_examples_of_a_real_document() -> None:
    op = _doc("train-travel").operation("create-booking-payment")
    card = respond(op, example="Card")
    bank = respond(op, example="Bank")
    assert card.body["source"]["object"] == "card"
    assert bank.body["source"]["object"] == "bank_account"
    assert card.headers["RateLimit"]


@pytest.mark.parametrize("name", ["petstore-expanded", "link-example", "petstore-31", "readme", "galaxy", "train-travel"])
def test_every_response_of_the_corpus_can_be_made_valid(name: str) -> None:
    for op in _doc(name).operations:
        for status in op.responses:
            code = 599 if status == "default" else status
            for dynamic in (False, True):
                generated = respond(op, code, dynamic=dynamic, seed=3)
                assert generated.errors == (), (op.label, status, dynamic, generated.errors)


def test_scalar_formats_and_bounds() -> None:
    thing = spec.load(SMALL).schema("Thing")
    faker = SchemaFaker(seed=5)
    for _ in range(30):
        value = faker.value(thing)
        assert schema_errors(thing, value) == []
        assert 0 < value["ratio"] <= 1
        assert value["code"].startswith("T-")


def test_header_serialization() -> None:
    assert serialize_header(True) == "true"
    assert serialize_header([1, "a"]) == "1,a"
    assert serialize_header({"a": 1}) == "a,1"
    assert serialize_header(None) == ""
