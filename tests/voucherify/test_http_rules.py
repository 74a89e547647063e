"""Authentication, routing, body limits and mounting, all answered in the vendor's error format."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app
from mockserver.exceptions import ConfigurationError

from .conftest import AUTH, assert_no_violations
from .helpers import assert_error, discount_campaign


@pytest.mark.parametrize(
    "headers",
    [
        {"X-App-Id": "app", "X-App-Token": "token"},
        {"Authorization": "Bearer some-oauth-token"},
        {"authorization": "bearer some-oauth-token", "X-App-Id": "app"},
    ],
)
def test_either_app_keys_or_a_bearer_token_authenticate(
    vf_app: Any, headers: dict[str, str]
) -> None:
    with TestClient(vf_app, headers=headers) as client:
        response = client.get("/v1/campaigns?limit=1")
    assert response.status_code == 200, response.text
    assert response.json()["total"] == 6


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-App-Id": "app"},
        {"X-App-Token": "token"},
        {"X-App-Id": "app", "X-App-Token": ""},
        {"Authorization": "Bearer "},
        {"Authorization": "Basic YXBwOnRva2Vu"},
        {"Authorization": "some-token"},
    ],
)
def test_missing_or_partial_credentials_are_401_unauthorized(
    vf_app: Any, headers: dict[str, str]
) -> None:
    with TestClient(vf_app, headers=headers) as client:
        for response in (
            client.get("/v1/campaigns"),
            client.post("/v1/campaigns", json=discount_campaign()),
            client.get("/v1/campaigns/Static%20Campaign"),
            client.put("/v1/campaigns/Static%20Campaign", json={}),
            client.delete("/v1/campaigns/Static%20Campaign"),
            client.post("/v1/campaigns/Static%20Campaign/disable"),
        ):
            body = assert_error(response, 401, "unauthorized")
            assert body["message"] == "Unauthorized"
        assert client.get("/v1/campaigns", headers=AUTH).json()["total"] == 6, "nothing changed"


def test_configured_keys_are_enforced() -> None:
    # every credential of the satisfied requirement must be configured: the app id and its token
    app = create_app(["voucherify"], api_keys=["app", "secret-token"])
    with TestClient(app) as client:
        good = client.get(
            "/v1/campaigns", headers={"X-App-Id": "app", "X-App-Token": "secret-token"}
        )
        assert good.status_code == 200
        assert (
            client.get(
                "/v1/campaigns", headers={"Authorization": "Bearer secret-token"}
            ).status_code
            == 200
        )
        wrong = client.get("/v1/campaigns", headers={"X-App-Id": "app", "X-App-Token": "guess"})
        assert "Invalid API key" in assert_error(wrong, 401, "unauthorized")["details"]
        other_app = client.get(
            "/v1/campaigns", headers={"X-App-Id": "other", "X-App-Token": "secret-token"}
        )
        assert_error(other_app, 401, "unauthorized")
        assert_error(
            client.get("/v1/campaigns", headers={"Authorization": "Bearer guess"}),
            401,
            "unauthorized",
        )
    assert_no_violations(app)


def test_unknown_route_is_404_and_wrong_method_is_405(vf_client: TestClient) -> None:
    missing = assert_error(vf_client.get("/v1/validation-rules"), 404, "not_found")
    assert "/v1/validation-rules" in missing["details"]
    wrong = assert_error(
        vf_client.patch("/v1/campaigns/Static%20Campaign", json={}), 405, "method_not_allowed"
    )
    assert "PATCH" in wrong["details"]
    assert_error(vf_client.put("/v1/campaigns", json={}), 405, "method_not_allowed")
    assert_error(vf_client.get("/v1/campaigns/Static%20Campaign/enable"), 405, "method_not_allowed")


def test_body_over_the_limit_is_413() -> None:
    app = create_app(["voucherify"], max_body=200)
    with TestClient(app, headers=AUTH) as client:
        big = discount_campaign(description="x" * 500)
        body = assert_error(client.post("/v1/campaigns", json=big), 413, "query_too_large")
        assert "200 bytes" in body["details"]
        assert_error(
            client.put("/v1/campaigns/Static%20Campaign", json={"description": "x" * 500}),
            413,
            "query_too_large",
        )
        assert (
            client.post(
                "/v1/campaigns", json={"name": "Small", "campaign_type": "PROMOTION"}
            ).status_code
            == 200
        )
    assert_no_violations(app)


def test_served_under_a_prefix() -> None:
    app = create_app([ApiOptions("voucherify", prefix="/voucherify")])
    with TestClient(app, headers=AUTH) as client:
        listed = client.get("/voucherify/v1/campaigns?limit=2")
        assert listed.status_code == 200 and listed.json()["total"] == 6
        campaign = client.get("/voucherify/v1/campaigns/Static%20Campaign")
        assert campaign.json()["id"] == "camp_HgsbCKauXmEoPnnh8aas0ISe"
        assert_error(client.get("/voucherify/v1/campaigns/nope"), 404, "not_found")
        assert_error(TestClient(app).get("/voucherify/v1/campaigns"), 401, "unauthorized")
    assert_no_violations(app)


def test_both_apis_in_one_server() -> None:
    try:
        app = create_app(["vinr", "voucherify"])
    except (ImportError, ConfigurationError) as exc:
        pytest.skip(f"VINR cannot be mounted yet: {exc}")
    with TestClient(app, headers=AUTH) as client:
        listed = client.get("/voucherify/v1/campaigns")
        assert listed.status_code == 200
        assert listed.json()["total"] == 6
        assert listed.json()["campaigns"][0]["id"] == "camp_SibPsDRKQvg3SUtptgPZCNZb"
        assert_error(client.get("/voucherify/v1/campaigns/nope"), 404, "not_found")
        assert client.get("/v1/campaigns").status_code == 404, "nothing at the root"
    assert_no_violations(app)
