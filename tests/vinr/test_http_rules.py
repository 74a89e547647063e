"""Cross-cutting HTTP rules on the VINR API: auth, bodies, idempotency, unknown routes."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app

from ..conftest import assert_no_violations
from .helpers import assert_error


def test_no_credentials_is_401_in_vinr_format(vinr_app: Any) -> None:
    with TestClient(vinr_app) as anonymous:
        response = anonymous.get("/v1/campaigns")
    err = assert_error(response, 401, "authentication_required")
    assert err["type"] == "authentication_error"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_configured_api_keys() -> None:
    app = create_app([ApiOptions("vinr")], api_keys=["sk_live_ok"])
    with TestClient(app) as c:
        assert_error(c.get("/v1/campaigns", headers={"Authorization": "Bearer nope"}), 401, "invalid_api_key")
        assert c.get("/v1/campaigns", headers={"Authorization": "Bearer sk_live_ok"}).status_code == 200
    assert_no_violations(app)


def test_body_limits_and_types(client: TestClient) -> None:
    big = {"name": "x" * 100, "type": "coupon", "ends_at": 4102444800, "metadata": {"k": "v" * 400}}
    headers = {"Content-Type": "application/json"}
    huge = b'{"name": "' + b"x" * (1024 * 1024 + 10) + b'"}'
    assert_error(client.post("/v1/campaigns", content=huge, headers=headers), 413, "body_too_large")
    assert_error(
        client.post("/v1/campaigns", content=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"}),
        415,
        "unsupported_media_type",
    )
    assert_error(client.post("/v1/campaigns", content=b"{", headers=headers), 400, "malformed_json")
    assert client.post("/v1/campaigns", json=big).status_code == 200


def test_idempotent_create_replays(client: TestClient) -> None:
    body = {"name": "Once", "type": "offer", "ends_at": 4102444800}
    first = client.post("/v1/campaigns", json=body, headers={"Idempotency-Key": "abc"})
    second = client.post("/v1/campaigns", json=body, headers={"Idempotency-Key": "abc"})
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert second.headers["idempotent-replayed"] == "true"
    err = assert_error(
        client.post("/v1/campaigns", json={**body, "name": "Twice"}, headers={"Idempotency-Key": "abc"}),
        400,
        "idempotency_error",
    )
    assert err["type"] == "idempotency_error"
    names = [c["name"] for c in client.get("/v1/campaigns", params={"limit": 100}).json()["data"]]
    assert names.count("Once") == 1


def test_unknown_route_and_method(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing"), 404, "resource_missing")
    assert_error(client.put("/v1/campaigns"), 405, "method_not_allowed")


def test_reset_returns_to_fixtures(client: TestClient) -> None:
    before = client.get("/v1/campaigns", params={"limit": 100}).json()["data"]
    client.post("/v1/campaigns", json={"name": "Temp", "type": "offer", "ends_at": 4102444800})
    client.delete(f"/v1/campaigns/{before[0]['id']}")
    # the admin API answers loopback hosts only (TestClient's default host is "testserver")
    assert client.post("http://localhost/__admin/reset").status_code == 200
    assert client.get("/v1/campaigns", params={"limit": 100}).json()["data"] == before


def test_stray_body_on_a_bodyless_operation_is_ignored(client: TestClient) -> None:
    response = client.request(
        "GET",
        "/v1/offers/ofr_3Fj7tNFreeShip",
        headers={"Content-Type": "multipart/form-data"},
        content=b"garbage",
    )
    assert response.status_code == 200
    assert response.json()["id"] == "ofr_3Fj7tNFreeShip"


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.put("/v1/campaigns")
    assert response.status_code == 405
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}


def test_boolean_query_spellings_openapi_accepts_reach_the_handler(client: TestClient) -> None:
    for spelling, expected in (("yes", True), ("1", True), ("off", False), ("false", False)):
        response = client.get("/v1/campaigns", params={"active": spelling, "limit": 100})
        assert response.status_code == 200, (spelling, response.text)
        assert all(c["active"] is expected for c in response.json()["data"])


def test_undeclared_query_parameter_is_rejected_by_name(client: TestClient) -> None:
    # a typo must not silently return an unfiltered list
    err = assert_error(client.get("/v1/campaigns", params={"activ": "true"}), 400, "parameter_unknown", "activ")
    assert "activ" in err["message"]


def test_list_url_includes_the_mount_prefix() -> None:
    app = create_app(["vinr", "voucherify"])
    with TestClient(app, headers={"Authorization": "Bearer k"}) as c:
        listed = c.get("/vinr/v1/campaigns")
    assert listed.status_code == 200
    assert listed.json()["url"] == "/vinr/v1/campaigns"
