"""A request that fails changes nothing: VINR's unit of work, seen through HTTP.

A redemption that crashes after using up the coupon, and a create whose response breaks
the contract, must leave the store exactly as it was; the retry with the same
``Idempotency-Key`` (which must be safe after a 5xx) then succeeds.
"""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.vinr.models import campaigns as campaign_module
from mockserver.apis.vinr.models import redemptions as redemption_module

from .helpers import DAY, assert_error, new_campaign, new_coupon, order


def _store(app: Any) -> Any:
    return app.mock.api("vinr").store


@pytest.mark.expects_violations
def test_a_redemption_that_fails_after_using_the_coupon_leaves_it_unused(
    client: TestClient, vinr_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    now = vinr_app.mock.clock.timestamp()
    campaign = new_campaign(client, now)
    new_coupon(client, campaign["id"], code="ONCE", max_redemptions=1)
    before = _store(vinr_app).dump()

    original = redemption_module.RedemptionRules._record_redemption

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("the disk is full")

    monkeypatch.setattr(redemption_module.RedemptionRules, "_record_redemption", crash)
    key = {"Idempotency-Key": "redeem-once"}
    body = {"coupon": "ONCE", "order": order()}
    failed = client.post("/v1/redemptions", json=body, headers=key)
    assert_error(failed, 500, "internal_error")
    assert _store(vinr_app).dump() == before, "the coupon's use and the campaign's count are undone"
    vinr_app.mock.runtimes[0].violations.clear()  # the crash was on purpose

    monkeypatch.setattr(redemption_module.RedemptionRules, "_record_redemption", original)
    retried = client.post("/v1/redemptions", json=body, headers=key)
    assert retried.status_code == 200, retried.text
    assert "idempotent-replayed" not in retried.headers
    coupon = client.get("/v1/coupons", params={"code": "ONCE"}).json()["data"][0]
    assert coupon["times_redeemed"] == 1
    replayed = client.post("/v1/redemptions", json=body, headers=key)
    assert replayed.headers["idempotent-replayed"] == "true"
    assert replayed.json() == retried.json()


@pytest.mark.expects_violations
def test_a_create_whose_response_breaks_the_contract_is_not_stored(
    client: TestClient, vinr_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = client.get("/v1/campaigns", params={"limit": 100}).json()
    before = _store(vinr_app).dump()
    original = campaign_module.Campaign.to_dict

    def broken(self: Any, now: int) -> dict[str, Any]:
        return {**original(self, now), "status": "on fire"}

    monkeypatch.setattr(campaign_module.Campaign, "to_dict", broken)
    now = vinr_app.mock.clock.timestamp()
    response = client.post(
        "/v1/campaigns", json={"name": "Broken", "type": "coupon", "ends_at": now + DAY}
    )
    assert_error(response, 500, "response_validation_failed")
    vinr_app.mock.runtimes[0].violations.clear()  # broken on purpose
    monkeypatch.setattr(campaign_module.Campaign, "to_dict", original)
    assert _store(vinr_app).dump() == before
    assert client.get("/v1/campaigns", params={"limit": 100}).json() == listed


def test_a_rule_that_refuses_midway_changes_nothing(client: TestClient, vinr_app: Any) -> None:
    """An update that fails its last check must not keep the fields it applied first."""
    now = vinr_app.mock.clock.timestamp()
    campaign = new_campaign(client, now)
    before = _store(vinr_app).dump()
    response = client.post(
        f"/v1/campaigns/{campaign['id']}",
        json={"name": "Renamed", "ends_at": campaign["starts_at"] - 1},
    )
    assert_error(response, 400, "parameter_invalid", "ends_at")
    assert _store(vinr_app).dump() == before
    assert client.get(f"/v1/campaigns/{campaign['id']}").json()["name"] == campaign["name"]


def test_a_refused_idempotent_request_replays_its_refusal(client: TestClient, vinr_app: Any) -> None:
    key = {"Idempotency-Key": "exhausted"}
    body = {"coupon": "FIVE-OFF", "order": order()}
    first = client.post("/v1/redemptions", json=body, headers=key)
    assert_error(first, 400, "coupon_exhausted")
    again = client.post("/v1/redemptions", json=body, headers=key)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
