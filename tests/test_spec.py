"""The shared OpenAPI model (mockserver.spec): small documents written here, then the real ones."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from mockserver.contract import declared_links, link_operations, operation_labels
from mockserver.documents import load_document
from mockserver.security import read_schemes
from mockserver.spec import MISSING, Document, Schema, SpecError, load

ROOT = Path(__file__).resolve().parent.parent
VINR = ROOT / "mockserver" / "apis" / "vinr" / "openapi.yaml"
VOUCHERIFY = ROOT / "mockserver" / "apis" / "voucherify" / "openapi.yaml"
OFFICIAL = ROOT.parent / "shared" / "reference" / "voucherify-openapi.json"

PETS: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1", "description": "A *pet* store."},
    "servers": [{"url": "https://pets.example/v1", "description": "production"}],
    "security": [{"key": []}],
    "tags": [
        {
            "name": "pets",
            "description": "Pets.",
            "x-displayName": "Pets",
            "x-events": ["pet.adopted"],
        },
    ],
    "x-events": {
        "pet.adopted": {
            "summary": "A pet found a home.",
            "schema": {"$ref": "#/components/schemas/Pet"},
            "example": {"id": "pet_1"},
        },
        "pet.born": {"description": "A pet was born.", "tags": ["pets"]},
    },
    "paths": {
        "/pets/{id}": {
            "parameters": [
                {"$ref": "#/components/parameters/PetId"},
                {"name": "verbose", "in": "query", "schema": {"type": "boolean"}},
            ],
            "get": {
                "operationId": "getPet",
                "tags": ["pets"],
                "summary": "Get a pet",
                "parameters": [
                    {
                        "name": "verbose",
                        "in": "query",
                        "required": True,
                        "schema": {"type": "integer"},
                    },
                    {"name": "X-Trace", "in": "header", "schema": {"type": "string"}},
                ],
                "responses": {
                    "200": {"$ref": "#/components/responses/PetResponse"},
                    "4XX": {"description": "client error"},
                    "default": {"description": "anything else"},
                },
            },
            "delete": {
                "operationId": "deletePet",
                "tags": ["pets", "admin"],
                "security": [],
                "deprecated": True,
                "responses": {"204": {"description": "gone"}},
                "x-events": ["pet.adopted"],
            },
        },
        "/pets": {
            "post": {
                "operationId": "createPet",
                "tags": ["pets"],
                "security": [{"key": [], "oauth": ["write"]}, {"basic": []}],
                "requestBody": {"$ref": "#/components/requestBodies/NewPet"},
                "callbacks": {
                    "onAdopted": {
                        "{$request.body#/callback}": {
                            "post": {
                                "operationId": "petAdoptedCallback",
                                "requestBody": {
                                    "content": {
                                        "application/json": {
                                            "schema": {"$ref": "#/components/schemas/Pet"}
                                        }
                                    }
                                },
                                "responses": {"200": {"description": "ok"}},
                            }
                        }
                    }
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/Pet"},
                                "examples": {"rex": {"$ref": "#/components/examples/Rex"}},
                            }
                        },
                        "links": {
                            "GetIt": {"$ref": "#/components/links/GetPet"},
                            "Inline": {
                                "operationId": "deletePet",
                                "parameters": {"id": "$response.body#/id"},
                            },
                        },
                    }
                },
            }
        },
    },
    "components": {
        "securitySchemes": {
            "key": {"type": "apiKey", "in": "header", "name": "X-Key"},
            "oauth": {"$ref": "#/components/securitySchemes/oauthReal"},
            "oauthReal": {
                "type": "oauth2",
                "flows": {"implicit": {"authorizationUrl": "https://a", "scopes": {}}},
            },
            "basic": {"type": "http", "scheme": "basic"},
        },
        "parameters": {
            "PetId": {
                "name": "id",
                "in": "path",
                "required": True,
                "description": "The pet's id.",
                "schema": {"type": "string", "pattern": "^pet_", "maxLength": 10},
                "example": "pet_1",
            }
        },
        "requestBodies": {
            "NewPet": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}
                },
            }
        },
        "responses": {
            "PetResponse": {
                "description": "The pet.",
                "headers": {"X-Rate": {"$ref": "#/components/headers/Rate"}},
                "content": {
                    "application/json": {
                        "schema": {"$ref": "#/components/schemas/Pet"},
                        "example": {"id": "pet_1", "name": "Rex"},
                    }
                },
            }
        },
        "headers": {
            "Rate": {"description": "Calls left.", "schema": {"type": "integer", "minimum": 0}}
        },
        "examples": {"Rex": {"summary": "A dog", "value": {"id": "pet_1", "name": "Rex"}}},
        "links": {"GetPet": {"operationId": "getPet", "parameters": {"id": "$response.body#/id"}}},
        "schemas": {
            "Pet": {
                "type": "object",
                "description": "A pet.",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string", "readOnly": True},
                    "name": {"type": "string", "minLength": 1, "maxLength": 50},
                    "age": {
                        "type": "integer",
                        "minimum": 0,
                        "exclusiveMaximum": True,
                        "maximum": 40,
                    },
                    "nickname": {"type": "string", "nullable": True, "default": None},
                    "parent": {"$ref": "#/components/schemas/Pet"},
                    "kind": {"type": "string", "enum": ["dog", "cat"], "default": "dog"},
                    "tags": {
                        "type": "array",
                        "items": {"type": "string"},
                        "maxItems": 5,
                        "uniqueItems": True,
                    },
                    "owner": {"$ref": "#/components/schemas/Owner"},
                },
                "example": {"id": "pet_1", "name": "Rex"},
            },
            "Owner": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Person"},
                    {"$ref": "#/components/schemas/Shelter"},
                ],
                "discriminator": {
                    "propertyName": "type",
                    "mapping": {"person": "Person", "shelter": "#/components/schemas/Shelter"},
                },
            },
            "Person": {
                "type": "object",
                "properties": {
                    "type": {"type": "string"},
                    "pets": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}},
                },
            },
            "Shelter": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"properties": {"city": {"type": "string"}}, "required": ["city"]},
                ]
            },
            "Base": {
                "properties": {"type": {"type": "string"}, "city": {"type": "integer"}},
                "required": ["type"],
            },
            "NewPet": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string"},
                    "password": {"type": "string", "writeOnly": True},
                },
                "additionalProperties": False,
            },
            "Alias": {"$ref": "#/components/schemas/Pet"},
        },
    },
}


@pytest.fixture
def pets() -> Document:
    return Document.from_dict(copy.deepcopy(PETS))


def test_document_header(pets: Document) -> None:
    assert (pets.openapi, pets.title, pets.version, pets.is_31) == ("3.0.3", "Pets", "1", False)
    assert pets.description == "A *pet* store."
    assert [(s.url, s.description) for s in pets.servers] == [
        ("https://pets.example/v1", "production")
    ]
    assert [op.label for op in pets.operations] == [
        "GET /pets/{id}",
        "DELETE /pets/{id}",
        "POST /pets",
    ]
    assert list(pets.paths) == ["/pets/{id}", "/pets"]
    assert pets.operation("getPet").path == "/pets/{id}"
    assert pets.find("DELETE", "/pets/{id}") is pets.operation("deletePet")
    with pytest.raises(KeyError, match="nope"):
        pets.operation("nope")


def test_path_level_parameters_merged_and_overridden(pets: Document) -> None:
    op = pets.operation("getPet")
    assert [(p.location, p.name) for p in op.parameters] == [
        ("path", "id"),
        ("query", "verbose"),
        ("header", "X-Trace"),
    ]
    verbose = op.parameter("verbose", "query")
    assert verbose is not None and verbose.required and verbose.schema is not None
    assert verbose.schema.type == "integer"  # the operation's own, not the path item's boolean
    pet_id = op.parameters[0]
    assert pet_id.ref == "#/components/parameters/PetId" and pet_id.required
    assert pet_id.description == "The pet's id." and pet_id.example == "pet_1"
    assert pet_id.schema is not None and pet_id.schema.limits() == {
        "pattern": "^pet_",
        "maxLength": 10,
    }
    # the delete inherits both path-level parameters
    assert [p.name for p in pets.operation("deletePet").parameters] == ["id", "verbose"]


def test_responses_headers_links_examples(pets: Document) -> None:
    op = pets.operation("getPet")
    assert list(op.responses) == ["200", "4XX", "default"]
    ok = op.responses["200"]
    assert ok.ref_name == "PetResponse" and ok.code == 200 and ok.is_success
    assert (
        ok.headers["X-Rate"].location == "header"
        and ok.headers["X-Rate"].description == "Calls left."
    )
    assert ok.json is not None and ok.json.example == {"id": "pet_1", "name": "Rex"}
    assert op.response(404) is op.responses["4XX"]
    assert op.response(503) is op.responses["default"]
    assert op.success is ok
    created = pets.operation("createPet").responses["201"]
    assert created.code == 201
    media = created.content["application/json"]
    assert media.examples["rex"].summary == "A dog" and media.example == {
        "id": "pet_1",
        "name": "Rex",
    }
    assert {name: link.operation_id for name, link in created.links.items()} == {
        "GetIt": "getPet",
        "Inline": "deletePet",
    }
    assert created.links["GetIt"].ref == "#/components/links/GetPet"
    assert created.links["Inline"].parameters == {"id": "$response.body#/id"}
    assert created.links["Inline"].request_body is MISSING


def test_request_body_and_callbacks(pets: Document) -> None:
    op = pets.operation("createPet")
    assert op.request_body is not None and op.request_body.required
    assert op.request_body.ref == "#/components/requestBodies/NewPet"
    body = op.request_body.json
    assert body is not None and body.schema is not None
    schema = body.schema
    assert schema.ref_name == "NewPet" and schema.required == ("name",)
    assert schema.additional_properties is False
    assert schema.properties["password"].write_only
    [callback] = op.callbacks["onAdopted"]
    assert (callback.id, callback.method, callback.path) == (
        "petAdoptedCallback",
        "post",
        "{$request.body#/callback}",
    )
    assert callback.request_body is not None and callback.request_body.json is not None
    assert callback.request_body.json.schema is pets.schema("Pet")


def test_security_operation_or_document(pets: Document) -> None:
    assert pets.operation("getPet").security == ({"key": ()},)
    assert not pets.operation("getPet").security_declared and pets.operation("getPet").requires_auth
    delete = pets.operation("deletePet")
    assert delete.security == () and delete.security_declared and not delete.requires_auth
    assert pets.operation("createPet").security == ({"key": (), "oauth": ("write",)}, {"basic": ()})
    schemes = pets.security_schemes
    assert (schemes["key"].type, schemes["key"].location, schemes["key"].param_name) == (
        "apiKey",
        "header",
        "X-Key",
    )
    assert schemes["oauth"].type == "oauth2" and schemes["oauth"].is_bearer  # through its $ref
    assert not schemes["basic"].is_bearer
    # the engine's reader of the schemes uses the model, from a dict or from a Document
    assert read_schemes(PETS)["key"].param == "X-Key"
    assert read_schemes(pets)["basic"].scheme == "basic"


def test_schema_keywords(pets: Document) -> None:
    pet = pets.schema("Pet")
    assert pet.ref_name == "Pet" and pet.type == "object" and pet.description == "A pet."
    assert pet.required == ("id", "name") and pet.example == {"id": "pet_1", "name": "Rex"}
    props = pet.properties
    assert props["id"].read_only and not props["id"].write_only
    assert props["name"].limits() == {"minLength": 1, "maxLength": 50}
    age = props["age"]
    assert (age.minimum, age.maximum, age.exclusive_maximum) == (0, None, 40)
    assert age.limits() == {"minimum": 0, "exclusiveMaximum": 40}
    nickname = props["nickname"]
    assert nickname.nullable and nickname.types == ("string", "null") and nickname.default is None
    assert props["kind"].enum == ("dog", "cat") and props["kind"].default == "dog"
    assert props["name"].default is MISSING and props["name"].example is MISSING
    tags = props["tags"]
    assert tags.items is not None and tags.items.type == "string"
    assert tags.limits() == {"maxItems": 5, "uniqueItems": True}


def test_request_and_response_polarity(pets: Document) -> None:
    pet = pets.schema("Pet")
    assert "id" not in pet.properties_for("request") and "id" in pet.properties_for("response")
    assert pet.required_for("request") == {"name"} and pet.required_for("response") == {"id", "name"}
    new = pets.schema("NewPet")
    assert "password" in new.properties_for("request") and "password" not in new.properties_for("response")


def test_recursive_schemas_are_shared_objects(pets: Document) -> None:
    pet = pets.schema("Pet")
    assert pet.properties["parent"] is pet  # one object, not an infinite tree
    owner = pet.properties["owner"]
    assert owner.discriminator is not None and owner.discriminator.property_name == "type"
    variants = owner.discriminated()
    assert {k: v.ref_name for k, v in variants.items()} == {
        "person": "Person",
        "shelter": "Shelter",
    }
    person = variants["person"]
    assert person.properties["pets"].items is pet
    assert [v.ref_name for v in owner.variants] == ["Person", "Shelter"]
    # a cycle-safe walk by ref_name visits every named schema once
    seen: list[str] = []

    def walk(schema: Schema) -> None:
        if schema.ref_name:
            if schema.ref_name in seen:
                return
            seen.append(schema.ref_name)
        for _, child in schema.children():
            walk(child)

    walk(pet)
    assert seen == ["Pet", "Owner", "Person", "Shelter", "Base"]
    # allOf merged: own properties first, first declaration wins, required united
    properties, required = variants["shelter"].object_properties()
    assert list(properties) == ["type", "city"] and properties["city"].type == "integer"
    assert required == {"type", "city"}
    assert pets.schema("Alias").ref_name == "Alias" and pets.schema("Alias").required == (
        "id",
        "name",
    )


def test_tags_and_events(pets: Document) -> None:
    assert list(pets.tags) == ["pets", "admin"]
    assert pets.tags["pets"].declared and pets.tags["pets"].display_name == "Pets"
    assert not pets.tags["admin"].declared
    assert [op.id for op in pets.tag_operations("pets")] == ["getPet", "deletePet", "createPet"]
    adopted = pets.events["pet.adopted"]
    assert adopted.summary == "A pet found a home." and adopted.schema is pets.schema("Pet")
    assert adopted.examples["example"].value == {"id": "pet_1"}
    assert [e.name for e in pets.events_for_tag("pets")] == ["pet.adopted", "pet.born"]
    assert [e.name for e in pets.events_for_tag("admin")] == ["pet.adopted"]  # deletePet emits it
    assert [op.id for op in pets.emitters("pet.adopted")] == ["deletePet"]


def test_openapi_31() -> None:
    doc = load(
        {
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "webhooks": {
                "orderPaid": {
                    "post": {
                        "summary": "An order was paid.",
                        "tags": ["orders"],
                        "requestBody": {
                            "content": {"application/json": {"schema": {"$ref": "#/$defs/Order"}}}
                        },
                        "responses": {"200": {"description": "ok"}},
                    }
                }
            },
            "$defs": {
                "Order": {
                    "type": "object",
                    "properties": {
                        "amount": {
                            "type": ["integer", "null"],
                            "exclusiveMinimum": 0,
                            "examples": [5, 6],
                        },
                        "id": {"const": "x"},
                        "any": True,
                        "none": False,
                        "pair": {
                            "type": "array",
                            "prefixItems": [{"type": "string"}],
                            "items": {"type": "integer"},
                        },
                        "note": {"$ref": "#/$defs/Note", "description": "Overridden."},
                    },
                },
                "Note": {"type": "string", "description": "A note.", "maxLength": 9},
            },
        }
    )
    assert doc.is_31 and doc.operations == ()
    [webhook] = doc.webhooks["orderPaid"]
    event = doc.events["orderPaid"]
    assert event.source == "webhooks" and event.operation is webhook and event.tags == ("orders",)
    assert event.summary == "An order was paid."
    order = event.schema
    assert order is not None and order.ref_name == "Order"
    amount = order.properties["amount"]
    assert amount.types == ("integer", "null") and amount.type == "integer" and amount.nullable
    assert (
        amount.exclusive_minimum == 0
        and amount.minimum is None
        and amount.limits() == {"exclusiveMinimum": 0}
    )
    assert amount.example == 5 and amount.examples == (5, 6)
    assert order.properties["id"].const == "x" and order.properties["id"].types == ()
    assert order.properties["any"].raw == {} and order.properties["none"].not_ is not None
    pair = order.properties["pair"]
    assert (
        [s.type for s in pair.prefix_items] == ["string"]
        and pair.items is not None
        and pair.items.type == "integer"
    )
    note = order.properties["note"]  # 3.1: keywords beside $ref are kept over the target's
    assert note.description == "Overridden." and note.max_length == 9 and note.ref_name == "Note"
    assert doc.schema_at("#/$defs/Note").description == "A note."


def test_refs_beside_keywords_ignored_in_30() -> None:
    doc = load(
        {
            "openapi": "3.0.0",
            "info": {"title": "t", "version": "1"},
            "paths": {},
            "components": {
                "schemas": {
                    "A": {
                        "type": "object",
                        "properties": {
                            "b": {"$ref": "#/components/schemas/B", "description": "ignored"}
                        },
                    },
                    "B": {"type": "string", "description": "B."},
                }
            },
        }
    )
    assert doc.schema("A").properties["b"].description == "B."


def test_bad_references_fail_loudly() -> None:
    base: dict[str, Any] = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}}
    with pytest.raises(SpecError, match="outside the document"):
        load(
            {
                **base,
                "paths": {
                    "/a": {"get": {"parameters": [{"$ref": "other.yaml#/P"}], "responses": {}}}
                },
            }
        )


def test_reference_errors() -> None:
    base: dict[str, Any] = {"openapi": "3.0.0", "info": {"title": "t", "version": "1"}, "paths": {}}
    cyclic = load(
        {
            **base,
            "components": {
                "schemas": {
                    "A": {"$ref": "#/components/schemas/B"},
                    "B": {"$ref": "#/components/schemas/A"},
                }
            },
        }
    )
    with pytest.raises(SpecError, match="cycle"):
        cyclic.schema("A")
    dangling = load(
        {
            **base,
            "components": {
                "schemas": {"A": {"properties": {"b": {"$ref": "#/components/schemas/Nope"}}}}
            },
        }
    )
    with pytest.raises(SpecError, match="does not resolve"):
        _ = dangling.schema("A").properties
    with pytest.raises(SpecError, match="OpenAPI 3"):
        load({"swagger": "2.0", "paths": {}})
    with pytest.raises(KeyError, match="Nope"):
        dangling.schema("Nope")


def test_vinr_document() -> None:
    doc = load(VINR)
    assert len(doc.operations) == 20 and all(op.id for op in doc.operations)
    assert list(doc.tags) == ["Campaigns", "Offers", "Coupons", "Redemptions", "Events"]
    create = doc.operation("createCampaign")
    assert [p.name for p in create.parameters] == ["Idempotency-Key"]
    assert create.security == ({"bearerAuth": ()},)
    body = (
        create.request_body.json.schema
        if create.request_body and create.request_body.json
        else None
    )
    assert body is not None and body.ref_name == "CampaignCreateParams"
    assert body.properties["type"].enum == ("coupon", "offer")
    assert set(create.responses["200"].links) >= {
        "RetrieveCampaign",
        "UpdateCampaign",
        "DeleteCampaign",
    }
    listing = doc.operation("listCampaigns")
    limit = listing.parameter("limit")
    assert limit is not None and limit.default == 10 and limit.schema is not None
    assert limit.schema.limits() == {"minimum": 1, "maximum": 100}
    assert (
        doc.operation("retrieveCampaign").parameters[0].ref == "#/components/parameters/CampaignId"
    )
    campaign = doc.schema("Campaign")
    assert campaign.properties["metadata"].all_of[0] is doc.schema("Metadata")
    assert [e.name for e in doc.events_for_tag("Campaigns")] == [
        "campaign.created",
        "campaign.updated",
        "campaign.deleted",
        "campaign.ended",
    ]
    assert doc.events["offer.ended"].object is doc.schema("Offer")
    assert {e.name for e in doc.events.values()} == set(
        doc.schema("Event").properties["type"].enum or ()
    )


def test_contract_readers_agree_with_the_raw_document() -> None:
    raw = load_document(VINR)
    labels = operation_labels(raw)
    assert labels["POST /v1/campaigns"] == "createCampaign" and len(labels) == 20
    links = declared_links(raw)
    assert "POST /v1/campaigns -> [200] RetrieveCampaign -> GET /v1/campaigns/{id}" in links
    assert "createRedemption" in (link_operations(raw) or [])


def test_voucherify_documents() -> None:
    doc = load(VOUCHERIFY)
    assert {op.id for op in doc.operations} >= {
        "list-campaigns",
        "create-campaign",
        "update-campaign",
    }
    if not OFFICIAL.is_file():
        pytest.skip(f"{OFFICIAL} is not there")
    official = load(OFFICIAL)
    assert len(official.operations) == 241 and len(official.schemas) == 875
    assert len(official.by_id) == 241
    # every schema of the 2.9 MB document resolves, recursively, without looping
    seen: set[int] = set()

    def walk(schema: Schema) -> None:
        if id(schema) in seen:
            return
        seen.add(id(schema))
        for _, child in schema.children():
            walk(child)

    for schema in official.schemas.values():
        walk(schema)
    for op in official.operations:
        for response in op.responses.values():
            for media in response.content.values():
                if media.schema is not None:
                    walk(media.schema)
    assert len(seen) > 875
    update = official.operation("update-campaign")
    assert update.parameters[0].name == "campaignId" and update.request_body is not None
