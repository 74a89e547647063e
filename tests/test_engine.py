"""The generic engine, exercised through a tiny API written here (no VINR code)."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app
from mockserver.exceptions import ConfigurationError, MockError, Problem
from mockserver.plugins import MockAPI
from mockserver.store import UnitOfWork

TINY_SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "Tiny", "version": "1"},
    "security": [{"bearer": []}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Thing": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "size"],
                "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
            },
            "Error": {
                "type": "object",
                "required": ["kind", "message"],
                "properties": {
                    "kind": {"type": "string"},
                    "message": {"type": "string"},
                    "param": {"type": "string", "nullable": True},
                },
            },
        },
        "responses": {
            "Error": {
                "description": "error",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            }
        },
    },
    "paths": {
        "/things": {
            "post": {
                "operationId": "createThing",
                "parameters": [
                    {"name": "Idempotency-Key", "in": "header", "schema": {"type": "string"}}
                ],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["size"],
                                "properties": {
                                    "size": {"type": "integer", "minimum": 0},
                                    "broken": {"type": "boolean"},
                                },
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "default": {"$ref": "#/components/responses/Error"},
                },
            },
            "get": {
                "operationId": "listThings",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 5},
                    }
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Thing"},
                                }
                            }
                        },
                    },
                    "default": {"$ref": "#/components/responses/Error"},
                },
            },
        },
        "/things/{id}/archive": {
            "post": {
                "operationId": "archiveThing",
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"default": {"$ref": "#/components/responses/Error"}},
            }
        },
        "/things/{id}": {
            "patch": {
                "operationId": "updateThing",
                "x-immutable-fields": ["id"],
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {
                            "schema": {
                                "type": "object",
                                "additionalProperties": False,
                                "properties": {"size": {"type": "integer"}},
                            }
                        }
                    },
                },
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Thing"}}
                        },
                    },
                    "default": {"$ref": "#/components/responses/Error"},
                },
            }
        },
    },
}


class TinyError(MockError):
    def __init__(self, status: int, kind: str, message: str, param: str | None = None) -> None:
        self.status = status
        self.kind = kind
        self.param = param
        super().__init__(message)

    def body(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message, "param": self.param}


class TinyAPI(MockAPI):
    name = "tiny"
    fixture_schemas: ClassVar[Mapping[str, str]] = {"things": "Thing"}
    idempotency_header = "Idempotency-Key"
    idempotent_operations = frozenset({"createThing"})

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        def unit() -> UnitOfWork:
            current = self.store.current
            assert current is not None, "handlers run inside the request's unit of work"
            return current

        def createThing(body: dict[str, Any]) -> Any:
            ident = "t_" + secrets.token_hex(6)
            thing = {"id": ident, "size": body["size"]}
            unit().put("things", ident, thing)
            if body.get("broken"):
                # stored, then a response that breaks the contract: the write must not survive
                return {"id": ident, "size": "not a number"}
            if body["size"] == 13:
                raise RuntimeError("unlucky")  # a crash after writing: rolled back too
            return thing

        def listThings(limit: int = 5) -> Any:
            return unit().rows("things")[:limit]

        def updateThing(id: str, body: dict[str, Any]) -> Any:
            thing = unit().get("things", id)
            if thing is None:
                raise TinyError(404, "missing", f"no thing {id}", "id")
            thing.update(body)
            unit().put("things", id, thing)
            return thing

        return {"createThing": createThing, "listThings": listThings, "updateThing": updateThing}

    def error_for(self, problem: Problem) -> MockError:
        return TinyError(problem.status, problem.kind.value, problem.message, problem.param)

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        unit = self.store.current
        assert unit is not None
        for record in records.get("things", []):
            unit.put("things", record["id"], record)


@pytest.fixture
def spec_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(yaml.safe_dump(TINY_SPEC))
    return path


@pytest.fixture
def tiny(spec_file: Path) -> Iterator[Any]:
    app = create_app([ApiOptions("tiny", spec=spec_file, api_cls=TinyAPI)], max_body=200)
    yield app


@pytest.fixture
def client(tiny: Any) -> Iterator[TestClient]:
    with TestClient(tiny, headers={"Authorization": "Bearer k"}) as c:
        yield c


def test_happy_path_round_trip(client: TestClient, tiny: Any) -> None:
    created = client.post("/things", json={"size": 3})
    assert created.status_code == 200
    assert created.json()["size"] == 3
    listed = client.get("/things", params={"limit": 2})
    assert listed.status_code == 200
    assert listed.json() == [created.json()]
    assert tiny.mock.violations() == []


def test_missing_credentials_is_401(tiny: Any) -> None:
    with TestClient(tiny) as anonymous:
        response = anonymous.get("/things")
    assert response.status_code == 401
    assert response.json()["kind"] == "authentication_required"
    with TestClient(tiny, headers={"Authorization": "Bearer "}) as blank:
        assert blank.get("/things").status_code == 401


def test_configured_keys_reject_other_keys(spec_file: Path) -> None:
    app = create_app([ApiOptions("tiny", spec=spec_file, api_cls=TinyAPI)], api_keys=["good"])
    with TestClient(app) as c:
        bad = c.get("/things", headers={"Authorization": "Bearer bad"})
        good = c.get("/things", headers={"Authorization": "Bearer good"})
    assert bad.status_code == 401
    assert bad.json()["kind"] == "invalid_api_key"
    assert good.status_code == 200


def test_query_parameter_out_of_range_names_the_parameter(client: TestClient) -> None:
    response = client.get("/things", params={"limit": 50})
    assert response.status_code == 400
    assert response.json()["param"] == "limit"
    response = client.get("/things", params={"limit": "abc"})
    assert response.status_code == 400
    assert response.json()["param"] == "limit"


@pytest.mark.parametrize(
    ("body", "kind", "param"),
    [
        ({}, "missing_parameter", "size"),
        ({"size": -1}, "invalid_parameter", "size"),
        ({"size": "x"}, "invalid_parameter", "size"),
        ({"size": 1, "colour": "red"}, "unknown_parameter", "colour"),
    ],
)
def test_body_errors_name_the_field(
    client: TestClient, body: dict[str, Any], kind: str, param: str
) -> None:
    response = client.post("/things", json=body)
    assert response.status_code == 400
    assert response.json()["kind"] == kind
    assert response.json()["param"] == param


def test_malformed_json_wrong_type_and_size(client: TestClient) -> None:
    headers = {"Content-Type": "application/json"}
    malformed = client.post("/things", content=b"{not json", headers=headers)
    assert malformed.status_code == 400
    assert malformed.json()["kind"] == "malformed_json"
    wrong_type = client.post("/things", content=b"size=1", headers={"Content-Type": "text/plain"})
    assert wrong_type.status_code == 415
    assert wrong_type.json()["kind"] == "unsupported_media_type"
    too_big = client.post("/things", content=json.dumps({"size": 1, "pad": "x" * 500}), headers=headers)
    assert too_big.status_code == 413
    empty = client.post("/things", content=b"", headers=headers)
    assert empty.status_code == 400
    assert empty.json()["kind"] == "missing_body"


def test_immutable_field_is_named(client: TestClient) -> None:
    thing = client.post("/things", json={"size": 1}).json()
    response = client.patch(f"/things/{thing['id']}", json={"id": "other"})
    assert response.status_code == 400
    assert response.json() == {
        "kind": "immutable_parameter",
        "message": "id cannot be changed after creation.",
        "param": "id",
    }


@pytest.mark.expects_violations
def test_response_that_breaks_the_schema_becomes_a_recorded_500(client: TestClient, tiny: Any) -> None:
    before = tiny.mock.api("tiny").store.dump()
    response = client.post("/things", json={"size": 1, "broken": True})
    assert response.status_code == 500
    assert response.json()["kind"] == "response_invalid"
    assert "size" in response.json()["message"]
    [violation] = tiny.mock.violations()
    assert violation.operation_id == "createThing"
    assert tiny.mock.api("tiny").store.dump() == before, "what the handler stored is rolled back"


@pytest.mark.expects_violations
def test_handler_crash_is_a_clean_500_without_traceback(client: TestClient, tiny: Any) -> None:
    before = tiny.mock.api("tiny").store.dump()
    response = client.post("/things", json={"size": 13})
    assert response.status_code == 500
    assert response.json()["kind"] == "internal"
    assert "Traceback" not in response.text
    assert len(tiny.mock.violations()) == 1
    assert tiny.mock.api("tiny").store.dump() == before, "what the handler stored is rolled back"


@pytest.mark.expects_violations
def test_a_5xx_is_never_remembered_under_its_idempotency_key(client: TestClient, tiny: Any) -> None:
    key = {"Idempotency-Key": "retry-me"}
    assert client.post("/things", json={"size": 13}, headers=key).status_code == 500
    assert client.post("/things", json={"size": 13}, headers=key).status_code == 500
    assert tiny.mock.api("tiny").store.dump()["tables"].get("__idempotency__") is None


def test_unknown_route_and_method_use_the_api_error_format(client: TestClient) -> None:
    missing = client.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["kind"] == "route_not_found"
    wrong_method = client.delete("/things")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["kind"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "GET, POST"


def test_head_is_get_without_the_body(client: TestClient) -> None:
    client.post("/things", json={"size": 2})
    got = client.get("/things")
    head = client.head("/things")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == str(len(got.content))
    assert head.headers["content-type"] == "application/json"
    # HEAD where the spec has no GET is still a 405
    assert client.head("/things/t_1/archive").status_code == 405


def test_an_operation_without_a_handler_falls_back_to_the_generic_behaviour(
    client: TestClient, tiny: Any
) -> None:
    # archiveThing documents only `default` (the error schema): the generic behaviour answers
    # from the document, a body of that schema, validated like any handler's
    response = client.post("/things/t_1/archive")
    assert response.status_code == 200
    assert set(response.json()) >= {"kind", "message"}
    assert tiny.mock.violations() == []


def test_an_api_can_turn_the_fallback_off_and_answer_501(spec_file: Path) -> None:
    class Strict(TinyAPI):
        generic_fallback = False

    app = create_app([ApiOptions("tiny", spec=spec_file, api_cls=Strict)])
    with TestClient(app, headers={"Authorization": "Bearer k"}) as strict:
        response = strict.post("/things/t_1/archive")
    assert response.status_code == 501
    assert response.json()["kind"] == "not_implemented"
    assert "archiveThing" in response.json()["message"]
    assert app.mock.violations() == []


def test_connexion_still_serves_the_spec_and_swagger_ui(client: TestClient) -> None:
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert set(spec.json()["paths"]) == set(TINY_SPEC["paths"])
    ui = client.get("/ui/")
    assert ui.status_code == 200
    assert "swagger" in ui.text.lower()


def test_without_validation_parameters_are_still_cast_but_not_checked(spec_file: Path) -> None:
    app = create_app([ApiOptions("tiny", spec=spec_file, api_cls=TinyAPI)], validate=False)
    with TestClient(app, headers={"Authorization": "Bearer k"}) as c:
        # out of the schema's range, accepted: no schema check
        assert c.get("/things", params={"limit": 9}).status_code == 200
        # not an integer at all: the handler needs an int, the cast still refuses it
        not_a_number = c.get("/things", params={"limit": "many"})
        assert not_a_number.status_code == 400
        assert not_a_number.json()["param"] == "limit"
        # a response that breaks the schema goes out as it is, unrecorded
        broken = c.post("/things", json={"size": 1, "broken": True})
        assert broken.status_code == 200
        assert broken.json()["size"] == "not a number"
        # security still applies
        assert c.get("/things", headers={"Authorization": ""}).status_code == 401
    assert app.mock.violations() == []


def test_idempotency_replays_and_rejects_a_different_body(client: TestClient) -> None:
    headers = {"Idempotency-Key": "k-1"}
    first = client.post("/things", json={"size": 5}, headers=headers)
    again = client.post("/things", json={"size": 5}, headers=headers)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert again.headers["idempotent-replayed"] == "true"
    different = client.post("/things", json={"size": 6}, headers=headers)
    assert different.status_code == 400
    assert different.json()["kind"] == "idempotency_mismatch"
    assert len(client.get("/things").json()) == 1


def test_invalid_fixture_refuses_to_start(spec_file: Path, tmp_path: Path) -> None:
    fixtures = tmp_path / "fx"
    fixtures.mkdir()
    (fixtures / "things.json").write_text(json.dumps([{"id": "t_1", "size": "big"}]))
    with pytest.raises(ConfigurationError, match=r"things.json: record t_1 .* size"):
        create_app([ApiOptions("tiny", spec=spec_file, api_cls=TinyAPI, fixtures=fixtures)])
    (fixtures / "things.json").write_text(json.dumps([{"id": "t_1", "size": 2}]))
    app = create_app([ApiOptions("tiny", spec=spec_file, api_cls=TinyAPI, fixtures=fixtures)])
    with TestClient(app, headers={"Authorization": "Bearer k"}, base_url="http://localhost") as c:
        c.post("/things", json={"size": 4})
        assert len(c.get("/things").json()) == 2
        reset = c.post("/__admin/reset").json()
        assert reset["reset"] == ["tiny"]
        assert reset["clock"]["real_time"] is True
        assert c.get("/things").json() == [{"id": "t_1", "size": 2}]


def test_admin_clock_moves_time(client: TestClient, tiny: Any) -> None:
    admin = "http://localhost/__admin"
    before = client.get(f"{admin}/clock").json()["now"]
    moved = client.post(f"{admin}/clock", json={"advance": 3600}).json()
    assert moved["now"] >= before + 3600
    frozen = client.post(f"{admin}/clock", json={"freeze": True}).json()
    assert frozen["frozen"] is True
    bogus = client.post(f"{admin}/clock", json={"bogus": 1})
    assert bogus.status_code == 400
    assert bogus.json()["error"]["code"] == "invalid_clock"


@pytest.mark.expects_violations
def test_an_error_nothing_else_caught_is_a_recorded_500_in_the_api_format(tiny: Any) -> None:
    from mockserver.middleware import ErrorGuard

    async def crashing(scope: Any, receive: Any, send: Any) -> None:
        raise RecursionError("maximum recursion depth exceeded")

    guarded = ErrorGuard(crashing, tiny.mock)
    response = TestClient(guarded, raise_server_exceptions=False).get("/things")
    assert response.status_code == 500
    assert response.json()["kind"] == "internal"
    assert "about:blank" not in response.text and "Traceback" not in response.text
    [violation] = tiny.mock.violations()
    assert "RecursionError" in violation.reasons[0]
