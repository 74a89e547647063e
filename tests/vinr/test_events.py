"""Events: created/updated/deleted/ended with snapshots and previous_attributes."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import DAY, assert_error, new_campaign, new_coupon, new_offer, order


def events(client: TestClient, type_: str) -> list[dict]:
    response = client.get("/v1/events", params={"type": type_, "limit": 100})
    assert response.status_code == 200
    return response.json()["data"]


def test_campaign_events(empty_client: TestClient, clock: Clock) -> None:
    clock.freeze()
    campaign = new_campaign(empty_client, clock.timestamp(), ends_at=clock.timestamp() + DAY)
    [created] = events(empty_client, "campaign.created")
    assert created["data"]["object"] == campaign
    assert created["data"]["previous_attributes"] is None
    assert empty_client.get(f"/v1/events/{created['id']}").json() == created

    empty_client.post(f"/v1/campaigns/{campaign['id']}", json={"name": "Renamed"})
    [updated] = events(empty_client, "campaign.updated")
    assert updated["data"]["object"]["name"] == "Renamed"
    assert updated["data"]["previous_attributes"] == {"name": "Test campaign"}

    assert events(empty_client, "campaign.ended") == []
    clock.advance(DAY)
    [ended] = events(empty_client, "campaign.ended")
    assert ended["created"] == campaign["ends_at"]
    assert ended["data"]["object"]["status"] == "ended"
    assert {e["type"] for e in events(empty_client, "campaign.*")} == {
        "campaign.created",
        "campaign.updated",
        "campaign.ended",
    }


def test_offer_coupon_and_redemption_events(empty_client: TestClient, clock: Clock) -> None:
    clock.freeze()
    now = clock.timestamp()
    offer = new_offer(empty_client, ends_at=now + 60)
    empty_client.post(f"/v1/offers/{offer['id']}", json={"active": False})
    [updated] = events(empty_client, "offer.updated")
    assert updated["data"]["previous_attributes"] == {"active": True}
    clock.advance(60)
    assert len(events(empty_client, "offer.ended")) == 1

    campaign = new_campaign(empty_client, clock.timestamp())
    coupon = new_coupon(empty_client, campaign["id"], code="ONE", max_redemptions=1)
    redemption = empty_client.post("/v1/redemptions", json={"coupon": "ONE", "order": order()}).json()
    [red_event] = events(empty_client, "redemption.created")
    assert red_event["data"]["object"] == redemption
    [coupon_ended] = events(empty_client, "coupon.ended")
    assert coupon_ended["data"]["object"]["id"] == coupon["id"]
    assert coupon_ended["data"]["object"]["valid"] is False
    empty_client.delete(f"/v1/coupons/{coupon['id']}")
    assert len(events(empty_client, "coupon.deleted")) == 1


def test_unknown_event_is_404(client: TestClient) -> None:
    assert_error(client.get("/v1/events/evt_nope"), 404, "resource_missing")
