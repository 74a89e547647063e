"""A client following the seed pages line by line is never refused (seeds 000 and 003).

The pages say what a client sends: a campaign is created with its name, type and schedule and
updated by name, end date or active status; an offer is created with its type, value and
qualifying criteria (no name, no currency) and updated by active status or end date; both are
listed by `active` with a `limit`.
"""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import DAY, order


def test_seed_000_campaigns(client: TestClient, clock: Clock) -> None:
    now = clock.timestamp()
    # "Define the campaign name, type, and schedule."
    created = client.post(
        "/v1/campaigns",
        json={"name": "Summer Sale 2026", "type": "coupon", "starts_at": now, "ends_at": now + 30 * DAY},
    )
    assert created.status_code == 200, created.text
    campaign = created.json()
    assert set(campaign) >= {"id", "name", "type", "starts_at", "ends_at", "active", "redemption_count", "created"}
    # "Update the campaign name, end date, or active status."
    for change in ({"name": "Summer Sale (extended)"}, {"ends_at": now + 60 * DAY}, {"active": False}):
        response = client.post(f"/v1/campaigns/{campaign['id']}", json=change)
        assert response.status_code == 200, response.text
    # "Filter by active to show only currently running campaigns." / "Default 10, max 100."
    for query in ("active=true", "active=false&limit=100", "limit=1"):
        assert client.get(f"/v1/campaigns?{query}").status_code == 200
    assert client.delete(f"/v1/campaigns/{campaign['id']}").status_code == 200


def test_seed_003_offers_by_type_value_and_criteria_alone(client: TestClient, clock: Clock) -> None:
    """"Define the offer type, value, and qualifying criteria." No name, no currency."""
    shipping = client.post(
        "/v1/offers",
        json={"type": "free_shipping", "value": 999, "criteria": {"minimum_amount": 5000}},
    )
    assert shipping.status_code == 200, shipping.text
    offer = shipping.json()
    assert (offer["name"], offer["value"], offer["currency"], offer["active"]) == (
        "Free shipping", 999, None, True
    )
    fixed = client.post("/v1/offers", json={"type": "fixed_discount", "value": 500, "criteria": {}})
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["name"] == "Fixed discount"
    bogo = client.post("/v1/offers", json={"type": "bogo", "value": None, "criteria": {"product_ids": ["sku_1"]}})
    assert bogo.status_code == 200, bogo.text
    assert (bogo.json()["name"], bogo.json()["value"]) == ("Buy one, get one free", None)
    # "Offers become active immediately unless a future starts_at is provided."
    later = client.post("/v1/offers", json={"type": "fixed_discount", "value": 100, "criteria": {}, "starts_at": clock.timestamp() + DAY})
    assert later.json()["active"] is False
    # an offer without a currency applies to orders in any currency
    for currency in ("usd", "eur"):
        redeemed = client.post(
            "/v1/redemptions",
            json={"offer": fixed.json()["id"], "order": order(2000, currency=currency)},
        )
        assert redeemed.status_code == 200, redeemed.text
        assert redeemed.json()["amount_discounted"] == 500
    # "Toggle the offer active state or extend the end date."
    for change in ({"active": False}, {"ends_at": clock.timestamp() + 10 * DAY}):
        assert client.post(f"/v1/offers/{offer['id']}", json=change).status_code == 200
    for query in ("active=true", "active=false", "limit=5"):
        assert client.get(f"/v1/offers?{query}").status_code == 200
