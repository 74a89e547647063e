"""The generic plug-in, black-box through HTTP, on a small document written here."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app
from mockserver.cli import main
from mockserver.exceptions import ConfigurationError

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}


def _errors(*statuses: str) -> dict[str, Any]:
    return {
        s: {"description": "error", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
        for s in statuses
    }


def _ok(status: str, schema: dict[str, Any], media: str = "application/json") -> dict[str, Any]:
    return {status: {"description": "ok", "content": {media: {"schema": schema}}}}


OWNER = {"$ref": "#/components/schemas/Owner"}
PET = {"$ref": "#/components/schemas/Pet"}
OWNER_ID = {"name": "ownerId", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
PET_ID = {"name": "petId", "in": "path", "required": True, "schema": {"type": "string", "pattern": "^pet_[a-z0-9]{8}$"}}

SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Owners and pets", "version": "1"},
    "servers": [{"url": "https://api.example.com/v3"}],
    "paths": {
        "/owners": {
            "post": {
                "operationId": "createOwner",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewOwner"}}}},
                "responses": {**_ok("201", OWNER), **_errors("400", "409")},
            },
            "get": {
                "operationId": "listOwners",
                "parameters": [
                    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
                    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 2}},
                    {"name": "city", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {
                    **_ok(
                        "200",
                        {
                            "type": "object",
                            "required": ["object", "data", "total", "has_more"],
                            "properties": {
                                "object": {"type": "string", "enum": ["list"]},
                                "data": {"type": "array", "items": OWNER},
                                "total": {"type": "integer"},
                                "has_more": {"type": "boolean"},
                            },
                        },
                    ),
                    **_errors("400"),
                },
            },
        },
        "/owners/{ownerId}": {
            "parameters": [OWNER_ID],
            "get": {"operationId": "getOwner", "responses": {**_ok("200", OWNER), **_errors("404")}},
            "patch": {
                "operationId": "updateOwner",
                "requestBody": {"content": {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/OwnerPatch"}}}},
                "responses": {**_ok("200", OWNER), **_errors("400", "404")},
            },
            "delete": {"operationId": "deleteOwner", "responses": {"204": {"description": "gone"}, **_errors("404")}},
        },
        "/owners/{ownerId}/pets": {
            "parameters": [OWNER_ID],
            "post": {
                "operationId": "createPet",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {**_ok("201", PET), **_errors("404")},
            },
            "get": {
                "operationId": "listPets",
                "parameters": [
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}},
                    {"name": "starting_after", "in": "query", "schema": {"type": "string"}},
                ],
                "responses": {**_ok("200", {"type": "array", "items": PET}), **_errors("404")},
            },
        },
        "/owners/{ownerId}/pets/{petId}": {
            "parameters": [OWNER_ID, PET_ID],
            "get": {"operationId": "getPet", "responses": {**_ok("200", PET), **_errors("404")}},
            "put": {
                "operationId": "replacePet",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}},
                "responses": {**_ok("200", PET), **_errors("404")},
            },
        },
        "/stats": {
            "get": {
                "operationId": "getStats",
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {"type": "object", "required": ["pets"], "properties": {"pets": {"type": "integer"}}},
                                "examples": {"few": {"value": {"pets": 2}}, "many": {"value": {"pets": 2000}}},
                            }
                        },
                    },
                    **_errors("404"),
                },
            }
        },
    },
    "components": {
        "schemas": {
            "Error": ERROR,
            "NewOwner": {
                "type": "object",
                "required": ["email"],
                "properties": {"email": {"type": "string", "format": "email"}, "city": {"type": "string"}},
            },
            "OwnerPatch": {"type": "object", "properties": {"city": {"type": "string", "nullable": True}}},
            "Owner": {
                "type": "object",
                "required": ["id", "email", "created_at", "visits"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "readOnly": True},
                    "email": {"type": "string", "format": "email", "x-unique": True},
                    "city": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time", "readOnly": True},
                    "updated_at": {"type": "string", "format": "date-time", "readOnly": True},
                    "visits": {"type": "integer", "minimum": 0, "readOnly": True},
                    "tier": {"type": "string", "enum": ["free", "gold"], "default": "free"},
                },
            },
            "NewPet": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}, "tag": {"type": "string"}}},
            "Pet": {
                "allOf": [
                    {"$ref": "#/components/schemas/NewPet"},
                    {
                        "type": "object",
                        "required": ["petId"],
                        "properties": {"petId": {"type": "string", "pattern": "^pet_[a-z0-9]{8}$", "readOnly": True}},
                    },
                ]
            },
        }
    },
}


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "owners.yaml"
    path.write_text(yaml.safe_dump(SPEC))
    return path


@pytest.fixture
def app(spec_file: Path) -> Iterator[Any]:
    application = create_app([ApiOptions("generic", spec=spec_file, seed=7)])
    yield application
    assert application.mock.violations() == []


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver/v3") as c:
        yield c


def _owner(client: TestClient, email: str, city: str = "Oslo") -> dict[str, Any]:
    response = client.post("/owners", json={"email": email, "city": city})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_served_under_the_documents_server_path(client: TestClient) -> None:
    assert client.get("/owners").status_code == 200
    assert client.get("http://testserver/owners").status_code == 404


def test_create_fills_the_server_owned_fields(client: TestClient) -> None:
    owner = _owner(client, "ann@example.com")
    assert uuid.UUID(owner["id"]).version == 4
    assert owner["email"] == "ann@example.com" and owner["city"] == "Oslo"
    assert owner["created_at"].endswith("Z") and owner["updated_at"] == owner["created_at"]
    assert owner["visits"] == 0
    assert owner["tier"] == "free"  # the default
    assert client.get(f"/owners/{owner['id']}").json() == owner


def test_merge_patch_changes_and_removes_members_and_moves_updated_at(client: TestClient, app: Any) -> None:
    owner = _owner(client, "bob@example.com")
    app.mock.clock.advance(60)
    patched = client.patch(
        f"/owners/{owner['id']}",
        content=json.dumps({"city": None}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patched.status_code == 200, patched.text
    body = patched.json()
    assert "city" not in body
    assert body["email"] == "bob@example.com" and body["id"] == owner["id"]
    assert body["created_at"] == owner["created_at"] and body["updated_at"] > owner["created_at"]


def test_unique_property_is_a_409_where_documented(client: TestClient) -> None:
    _owner(client, "cat@example.com")
    again = client.post("/owners", json={"email": "cat@example.com"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "duplicate"
    assert "cat@example.com" in again.json()["error"]["message"]
    assert client.get("/owners").json()["total"] == 1  # nothing was stored


def test_delete_then_404_in_the_documents_error_shape(client: TestClient) -> None:
    owner = _owner(client, "dan@example.com")
    assert client.delete(f"/owners/{owner['id']}").status_code == 204
    missing = client.get(f"/owners/{owner['id']}")
    assert missing.status_code == 404
    assert missing.json() == {"error": {"code": "not_found", "message": f"No owners with id {owner['id']!r}."}}


def test_invalid_request_is_a_400_in_the_documents_error_shape(client: TestClient) -> None:
    bad = client.post("/owners", json={"city": "Rome"})
    assert bad.status_code == 400
    assert set(bad.json()["error"]) == {"code", "message"}
    assert "email" in bad.json()["error"]["message"]


def test_pages_filters_and_the_envelope(client: TestClient) -> None:
    for index, city in enumerate(["Oslo", "Rome", "Oslo", "Oslo"]):
        _owner(client, f"o{index}@example.com", city)
    first = client.get("/owners").json()  # per_page defaults to 2
    assert first["object"] == "list" and first["total"] == 4 and first["has_more"] is True
    assert [o["email"] for o in first["data"]] == ["o0@example.com", "o1@example.com"]
    last = client.get("/owners", params={"page": 2, "per_page": 3}).json()
    assert [o["email"] for o in last["data"]] == ["o3@example.com"] and last["has_more"] is False
    oslo = client.get("/owners", params={"city": "Oslo", "per_page": 10}).json()
    assert oslo["total"] == 3 and {o["city"] for o in oslo["data"]} == {"Oslo"}


def test_nested_collections_are_scoped_to_their_parent(client: TestClient) -> None:
    ann = _owner(client, "ann@example.com")
    bob = _owner(client, "bob@example.com")
    rex = client.post(f"/owners/{ann['id']}/pets", json={"name": "Rex"})
    assert rex.status_code == 201
    pet = rex.json()
    assert pet["petId"].startswith("pet_") and len(pet["petId"]) == 12  # the id's pattern
    assert client.get(f"/owners/{ann['id']}/pets").json() == [pet]
    assert client.get(f"/owners/{bob['id']}/pets").json() == []
    assert client.get(f"/owners/{bob['id']}/pets/{pet['petId']}").status_code == 404
    # a parent that does not exist is a 404 where the operation documents it
    orphan = client.post(f"/owners/{uuid.uuid4()}/pets", json={"name": "Tom"})
    assert orphan.status_code == 404
    replaced = client.put(f"/owners/{ann['id']}/pets/{pet['petId']}", json={"name": "Max"})
    assert replaced.json() == {"name": "Max", "petId": pet["petId"]}  # `tag` is gone: replaced


def test_cursor_pagination_by_id(client: TestClient) -> None:
    owner = _owner(client, "eve@example.com")
    ids = [client.post(f"/owners/{owner['id']}/pets", json={"name": f"p{i}"}).json()["petId"] for i in range(3)]
    page = client.get(f"/owners/{owner['id']}/pets", params={"limit": 1, "starting_after": ids[0]}).json()
    assert [p["petId"] for p in page] == [ids[1]]


def test_other_operations_answer_from_examples_and_prefer(client: TestClient) -> None:
    assert client.get("/stats").json() == {"pets": 2}  # the first example
    assert client.get("/stats", headers={"Prefer": "example=many"}).json() == {"pets": 2000}
    missing = client.get("/stats", headers={"Prefer": "code=404"})
    assert missing.status_code == 404 and set(missing.json()["error"]) == {"code", "message"}
    dynamic = client.get("/stats", headers={"Prefer": "dynamic=true"}).json()
    assert isinstance(dynamic["pets"], int)


def test_the_same_seed_makes_the_same_ids(spec_file: Path) -> None:
    def ids(seed: int) -> list[str]:
        app = create_app([ApiOptions("generic", spec=spec_file, seed=seed)])
        with TestClient(app, base_url="http://testserver/v3") as c:
            owner = c.post("/owners", json={"email": "x@example.com"}).json()
            return [owner["id"], c.post(f"/owners/{owner['id']}/pets", json={"name": "a"}).json()["petId"]]

    assert ids(3) == ids(3)
    assert ids(3) != ids(4)


def test_fixtures_seed_the_store_and_are_checked(spec_file: Path, tmp_path: Path) -> None:
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    owner = {"id": str(uuid.UUID(int=1)), "email": "seed@example.com", "created_at": "2026-01-01T00:00:00Z", "visits": 3}
    (fixtures / "owners.json").write_text(json.dumps([owner]))
    app = create_app([ApiOptions("generic", spec=spec_file, fixtures=fixtures)])
    with TestClient(app, base_url="http://testserver/v3") as c:
        assert c.get(f"/owners/{owner['id']}").json() == owner
        assert c.get("/owners").json()["total"] == 1
    (fixtures / "owners.json").write_text(json.dumps([{"email": "no-id@example.com"}]))
    with pytest.raises(ConfigurationError, match="owners.json: record #0 .*'id' is a required property"):
        create_app([ApiOptions("generic", spec=spec_file, fixtures=fixtures)])
    (fixtures / "owners.json").unlink()
    (fixtures / "cats.json").write_text("[]")
    with pytest.raises(ConfigurationError, match="no resource 'cats' \\(inferred: owners, owners.pets\\)"):
        create_app([ApiOptions("generic", spec=spec_file, fixtures=fixtures)])


def test_openapi_31_documents_are_served_and_validated(tmp_path: Path) -> None:
    spec = copy.deepcopy(SPEC)
    spec["openapi"] = "3.1.0"
    spec["components"]["schemas"]["OwnerPatch"]["properties"]["city"] = {"type": ["string", "null"]}
    path = tmp_path / "owners31.json"
    path.write_text(json.dumps(spec))
    app = create_app([ApiOptions("generic", spec=path)])
    with TestClient(app, base_url="http://testserver/v3") as c:
        assert c.get("/openapi.json").json()["openapi"] == "3.1.0"
        owner = c.post("/owners", json={"email": "ann@example.com"})  # readOnly id not required
        assert owner.status_code == 201, owner.text
        assert c.post("/owners", json={"email": 5}).status_code == 400
    assert app.mock.violations() == []


def test_an_invalid_31_document_is_refused_at_start(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"openapi": "3.1.0", "info": {"title": "t"}, "paths": {}}))
    with pytest.raises(ConfigurationError, match="not a valid OpenAPI 3.1 document"):
        create_app([ApiOptions("generic", spec=path)])


def test_the_generic_api_needs_a_document() -> None:
    with pytest.raises(ConfigurationError, match="--spec FILE"):
        create_app(["generic"])


def test_inspect_prints_what_was_inferred(spec_file: Path) -> None:
    result = CliRunner().invoke(main, ["inspect", str(spec_file)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Owners and pets 1 (OpenAPI 3.0.3): 10 operations, 2 resources (9 operations), 1 answered from examples" in out
    assert "id: property 'id', path {ownerId}: uuid" in out
    assert "id: property 'petId', path {petId}: string matching ^pet_[a-z0-9]{8}$" in out
    assert "list: object, items in 'data' (+ has_more, object, total); pagination: page, per_page; filters: city" in out
    assert "scoped by: ownerId in the path (resource owners)" in out
    assert "unique: email" in out
    assert "GET /stats  (getStats): reads what nothing creates" in out


def test_header_parameters_openapi_says_to_ignore_are_ignored(tmp_path: Path) -> None:
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "accept", "version": "1"},
        "paths": {
            "/ask": {
                "get": {
                    "operationId": "ask",
                    "parameters": [
                        {"name": "Accept", "in": "header", "schema": {"type": "string", "enum": ["text/event-stream"]}},
                        {"name": "X-Mode", "in": "header", "schema": {"type": "string", "enum": ["fast"]}},
                    ],
                    "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "object"}}}}, **_errors("400")},
                }
            }
        },
        "components": {"schemas": {"Error": ERROR}},
    }
    path = tmp_path / "accept.json"
    path.write_text(json.dumps(spec))
    app = create_app([ApiOptions("generic", spec=path)])
    with TestClient(app) as c:
        assert c.get("/ask", headers={"Accept": "*/*"}).status_code == 200
        refused = c.get("/ask", headers={"X-Mode": "slow"})
        assert refused.status_code == 400 and "X-Mode" in refused.json()["error"]["message"]
