"""Offers and coupons through HTTP."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import DAY, assert_error, new_campaign, new_coupon, new_offer


def test_offer_lifecycle(client: TestClient, clock: Clock) -> None:
    offer = new_offer(client, criteria={"minimum_amount": 2000})
    assert offer["id"].startswith("ofr_")
    assert offer["active"] is True
    assert offer["ends_at"] is None
    assert offer["criteria"] == {"minimum_amount": 2000, "product_ids": [], "minimum_quantity": None}
    assert client.get(f"/v1/offers/{offer['id']}").json() == offer

    later = clock.timestamp() + 10 * DAY
    updated = client.post(f"/v1/offers/{offer['id']}", json={"ends_at": later, "active": False})
    assert updated.status_code == 200
    assert (updated.json()["ends_at"], updated.json()["active"]) == (later, False)

    assert client.delete(f"/v1/offers/{offer['id']}").json() == {
        "id": offer["id"],
        "object": "offer",
        "deleted": True,
    }
    assert_error(client.get(f"/v1/offers/{offer['id']}"), 404, "resource_missing")


@pytest.mark.parametrize("field", ["type", "value", "criteria", "name", "currency", "starts_at"])
def test_offer_immutable_fields(client: TestClient, field: str) -> None:
    offer = new_offer(client)
    values = {"type": "bogo", "value": 5, "criteria": {}, "name": "x", "currency": "eur", "starts_at": 1}
    response = client.post(f"/v1/offers/{offer['id']}", json={field: values[field]})
    assert_error(response, 400, "parameter_immutable", field)


def test_offer_value_rules(client: TestClient) -> None:
    assert_error(
        client.post("/v1/offers", json={"name": "b", "type": "bogo", "value": 100}), 400, "parameter_invalid", "value"
    )
    assert_error(
        client.post("/v1/offers", json={"name": "f", "type": "fixed_discount", "currency": "usd"}),
        400,
        "parameter_missing",
        "value",
    )
    bogo = client.post("/v1/offers", json={"name": "b", "type": "bogo", "criteria": {"product_ids": ["p1"]}})
    assert bogo.status_code == 200
    assert bogo.json()["value"] is None


def test_future_offer_is_not_active_until_it_starts(client: TestClient, clock: Clock) -> None:
    clock.freeze()
    offer = new_offer(client, starts_at=clock.timestamp() + DAY)
    assert offer["active"] is False
    clock.advance(DAY)
    assert client.get(f"/v1/offers/{offer['id']}").json()["active"] is True


def test_offer_campaign_must_be_an_offer_campaign(client: TestClient, clock: Clock) -> None:
    coupon_campaign = new_campaign(client, clock.timestamp(), type="coupon")
    assert_error(
        client.post(
            "/v1/offers",
            json={"name": "x", "type": "bogo", "campaign": coupon_campaign["id"]},
        ),
        400,
        "parameter_invalid",
        "campaign",
    )
    assert_error(
        client.post("/v1/offers", json={"name": "x", "type": "bogo", "campaign": "cmp_missing"}),
        400,
        "resource_missing",
        "campaign",
    )
    offer_campaign = new_campaign(client, clock.timestamp(), type="offer")
    offer = new_offer(client, campaign=offer_campaign["id"])
    listed = client.get("/v1/offers", params={"campaign": offer_campaign["id"]}).json()["data"]
    assert [o["id"] for o in listed] == [offer["id"]]


def test_coupon_lifecycle(client: TestClient, clock: Clock) -> None:
    campaign = new_campaign(client, clock.timestamp())
    coupon = new_coupon(client, campaign["id"], code="SPRING-10", max_redemptions=5)
    assert coupon["id"].startswith("cpn_")
    assert (coupon["valid"], coupon["times_redeemed"]) == (True, 0)
    assert client.get(f"/v1/coupons/{coupon['id']}").json() == coupon
    found = client.get("/v1/coupons", params={"code": "spring-10"}).json()["data"]
    assert [c["id"] for c in found] == [coupon["id"]]

    updated = client.post(f"/v1/coupons/{coupon['id']}", json={"max_redemptions": 9}).json()
    assert updated["max_redemptions"] == 9
    assert_error(
        client.post(f"/v1/coupons/{coupon['id']}", json={"code": "OTHER"}), 400, "parameter_immutable", "code"
    )
    assert client.delete(f"/v1/coupons/{coupon['id']}").json()["deleted"] is True
    assert_error(client.get(f"/v1/coupons/{coupon['id']}"), 404, "resource_missing")


def test_coupon_rules(client: TestClient, clock: Clock) -> None:
    campaign = new_campaign(client, clock.timestamp())
    new_coupon(client, campaign["id"], code="UNIQUE1")
    assert_error(
        client.post("/v1/coupons", json={"code": "unique1", "campaign": campaign["id"], "percent_off": 5}),
        409,
        "resource_already_exists",
        "code",
    )
    both = {"code": "BOTH1", "campaign": campaign["id"], "percent_off": 5, "amount_off": 100, "currency": "usd"}
    assert_error(client.post("/v1/coupons", json=both), 400, "parameter_invalid", "amount_off")
    assert_error(
        client.post("/v1/coupons", json={"code": "NONE1", "campaign": campaign["id"]}),
        400,
        "parameter_missing",
        "percent_off",
    )
    assert_error(
        client.post("/v1/coupons", json={"code": "AMT1", "campaign": campaign["id"], "amount_off": 100}),
        400,
        "parameter_missing",
        "currency",
    )
    offer_campaign = new_campaign(client, clock.timestamp(), type="offer")
    assert_error(
        client.post("/v1/coupons", json={"code": "OFR1", "campaign": offer_campaign["id"], "percent_off": 5}),
        400,
        "parameter_invalid",
        "campaign",
    )


def test_coupon_max_redemptions_cannot_drop_below_times_redeemed(client: TestClient) -> None:
    # FIVE-OFF in the fixtures has been redeemed 3 times.
    assert_error(
        client.post("/v1/coupons/cpn_FIVEOFF", json={"max_redemptions": 2}),
        400,
        "parameter_invalid",
        "max_redemptions",
    )
