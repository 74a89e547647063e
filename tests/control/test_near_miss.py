"""Near misses (``/__admin/requests/unmatched``): one test per kind of mismatch."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

from mockserver.applications import create_app

from ..admin.conftest import TOKEN, checked_client
from ..conftest import AUTH


def near_misses(admin: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = admin.get("/__admin/requests/unmatched", params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["requests"]
    return found


def only(admin: TestClient) -> dict[str, Any]:
    [miss] = near_misses(admin)
    return miss


def closest(miss: dict[str, Any]) -> tuple[str, str, str]:
    found = miss["closest"]
    return found["operation_id"], found["method"], found["path"]


def test_a_method_the_path_does_not_have(api: TestClient, admin: TestClient) -> None:
    assert api.put("/v1/campaigns/cmp_6Eg4rSWelcome", json={}).status_code == 405
    miss = only(admin)
    assert miss["request"]["status"] == 405
    assert closest(miss)[2] == "/v1/campaigns/{id}"
    [difference] = miss["differences"]
    assert difference["kind"] == "method"
    assert difference["actual"] == "PUT"
    assert difference["expected"] in ("GET", "POST", "DELETE")
    assert "GET, POST, DELETE" in difference["message"] or "DELETE, GET, POST" in difference["message"]


def test_a_mistyped_path_segment(api: TestClient, admin: TestClient) -> None:
    assert api.get("/v1/campaing/cmp_6Eg4rSWelcome").status_code == 404
    miss = only(admin)
    assert closest(miss) == ("retrieveCampaign", "GET", "/v1/campaigns/{id}")
    assert miss["differences"] == [
        {
            "kind": "path",
            "field": "segment 2",
            "in": "path",
            "expected": "campaigns",
            "actual": "campaing",
            "message": "Path segment 2 is 'campaing'; the operation has 'campaigns' there.",
        }
    ]


def test_a_segment_too_many(api: TestClient, admin: TestClient) -> None:
    assert api.get("/v1/campaigns/cmp_6Eg4rSWelcome/coupons").status_code == 404
    miss = only(admin)
    assert closest(miss) == ("retrieveCampaign", "GET", "/v1/campaigns/{id}")
    [difference] = miss["differences"]
    assert (difference["kind"], difference["field"], difference["actual"]) == ("path", "segment 4", "coupons")
    assert difference["expected"] is None


def test_a_missing_segment_such_as_the_api_prefix() -> None:
    app = create_app(["vinr", "voucherify"])
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as api, checked_client(
        app, headers=TOKEN
    ) as admin:
        assert api.get("/v1/redemptions").status_code == 404
        miss = only(admin)
        assert miss["request"]["api"] is None
        assert miss["closest"] == {
            "api": "vinr",
            "operation_id": "listRedemptions",
            "method": "GET",
            "path": "/v1/redemptions",
        }
        [difference] = miss["differences"]
        assert (difference["kind"], difference["expected"], difference["actual"]) == ("path", "vinr", None)
        assert difference["message"] == "The path lacks segment 'vinr' at position 1."


def test_a_parameter_that_fails_its_schema_and_one_not_documented(
    api: TestClient, admin: TestClient
) -> None:
    assert api.get("/v1/campaigns", params={"limit": 1000}).status_code == 400
    assert api.get("/v1/campaigns", params={"colour": "red"}).status_code == 400
    unknown, invalid = near_misses(admin)
    assert closest(invalid) == ("listCampaigns", "GET", "/v1/campaigns")
    [difference] = invalid["differences"]
    assert (difference["kind"], difference["field"], difference["in"]) == ("parameter", "limit", "query")
    assert "limit" in difference["message"]
    [difference] = unknown["differences"]
    assert (difference["kind"], difference["field"], difference["in"]) == ("parameter", "colour", "query")


def test_body_fields_every_one_of_them(api: TestClient, admin: TestClient) -> None:
    response = api.post("/v1/campaigns", json={"name": 5, "type": "coupon"})
    assert response.status_code == 400
    miss = only(admin)
    assert closest(miss) == ("createCampaign", "POST", "/v1/campaigns")
    found = {(d["kind"], d["field"], d["in"]) for d in miss["differences"]}
    assert found == {("body", "ends_at", "body"), ("body", "name", "body")}


def test_a_body_that_is_not_json_and_a_wrong_media_type(api: TestClient, admin: TestClient) -> None:
    api.post("/v1/campaigns", content=b"{nope", headers={"Content-Type": "application/json"})
    api.post("/v1/campaigns", content=b"name=x", headers={"Content-Type": "application/x-www-form-urlencoded"})
    media, malformed = near_misses(admin)
    assert [d["kind"] for d in malformed["differences"]] == ["body"]
    assert [d["kind"] for d in media["differences"]] == ["media_type"]


def test_missing_credentials(app: Any, admin: TestClient) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as anonymous:
        assert anonymous.get("/v1/campaigns").status_code == 401
    miss = only(admin)
    assert closest(miss) == ("listCampaigns", "GET", "/v1/campaigns")
    assert [d["kind"] for d in miss["differences"]] == ["credentials"]


def test_what_matched_the_contract_is_no_near_miss(api: TestClient, admin: TestClient) -> None:
    assert api.get("/v1/campaigns/cmp_missing").status_code == 404  # the API's rule, not the contract
    assert api.get("/openapi.json").status_code == 200  # the document, served
    assert api.get("/v1/campaigns").status_code == 200
    assert near_misses(admin) == []


def test_newest_first_and_limited(api: TestClient, admin: TestClient) -> None:
    for path in ("/v1/a", "/v1/b", "/v1/c"):
        api.get(path)
    assert [m["request"]["path"] for m in near_misses(admin, limit=2)] == ["/v1/c", "/v1/b"]
