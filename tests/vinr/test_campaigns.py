"""Campaigns through HTTP: create, read, update, delete, list, then each rejection."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import DAY, assert_error, new_campaign


def test_create_then_retrieve_list_update_delete(client: TestClient, clock: Clock) -> None:
    now = clock.timestamp()
    created = new_campaign(client, now, name="Summer Sale 2026", metadata={"team": "growth"})
    assert created["id"].startswith("cmp_")
    assert created["object"] == "campaign"
    assert created["active"] is True
    assert created["status"] == "running"
    assert created["redemption_count"] == 0
    assert created["metadata"] == {"team": "growth"}
    assert abs(created["created"] - now) <= 2

    fetched = client.get(f"/v1/campaigns/{created['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == created

    listed = client.get("/v1/campaigns").json()
    assert listed["object"] == "list"
    assert listed["url"] == "/v1/campaigns"
    assert listed["data"][0]["id"] == created["id"], "newest first"

    updated = client.post(
        f"/v1/campaigns/{created['id']}",
        json={"name": "Summer Sale (extended)", "ends_at": now + 60 * DAY},
    )
    assert updated.status_code == 200
    assert updated.json()["name"] == "Summer Sale (extended)"
    assert updated.json()["ends_at"] == now + 60 * DAY

    deleted = client.delete(f"/v1/campaigns/{created['id']}")
    assert deleted.status_code == 200
    assert deleted.json() == {"id": created["id"], "object": "campaign", "deleted": True}
    assert_error(client.get(f"/v1/campaigns/{created['id']}"), 404, "resource_missing", "id")
    assert_error(client.delete(f"/v1/campaigns/{created['id']}"), 404, "resource_missing")


def test_starts_at_defaults_to_now(client: TestClient, clock: Clock) -> None:
    clock.freeze()
    now = clock.timestamp()
    response = client.post("/v1/campaigns", json={"name": "n", "type": "offer", "ends_at": now + DAY})
    assert response.status_code == 200
    assert response.json()["starts_at"] == now
    assert response.json()["active"] is True


def test_active_is_computed_from_the_window_and_the_switch(client: TestClient, clock: Clock) -> None:
    clock.freeze()
    now = clock.timestamp()
    scheduled = new_campaign(client, now, starts_at=now + DAY, ends_at=now + 2 * DAY)
    assert (scheduled["active"], scheduled["status"]) == (False, "scheduled")

    clock.advance(DAY)
    running = client.get(f"/v1/campaigns/{scheduled['id']}").json()
    assert (running["active"], running["status"]) == (True, "running")

    paused = client.post(f"/v1/campaigns/{scheduled['id']}", json={"active": False}).json()
    assert (paused["active"], paused["status"]) == (False, "deactivated")
    resumed = client.post(f"/v1/campaigns/{scheduled['id']}", json={"active": True}).json()
    assert resumed["active"] is True

    clock.advance(DAY)
    ended = client.get(f"/v1/campaigns/{scheduled['id']}").json()
    assert (ended["active"], ended["status"]) == (False, "ended")


def test_created_deactivated(client: TestClient, clock: Clock) -> None:
    created = new_campaign(client, clock.timestamp(), active=False)
    assert (created["active"], created["status"]) == (False, "deactivated")


def test_ends_at_must_follow_starts_at(client: TestClient, clock: Clock) -> None:
    now = clock.timestamp()
    response = client.post(
        "/v1/campaigns", json={"name": "n", "type": "coupon", "starts_at": now, "ends_at": now}
    )
    assert_error(response, 400, "parameter_invalid", "ends_at")
    created = new_campaign(client, now)
    response = client.post(f"/v1/campaigns/{created['id']}", json={"ends_at": created["starts_at"] - 1})
    assert_error(response, 400, "parameter_invalid", "ends_at")


def test_type_cannot_change(client: TestClient, clock: Clock) -> None:
    created = new_campaign(client, clock.timestamp())
    response = client.post(f"/v1/campaigns/{created['id']}", json={"type": "offer"})
    err = assert_error(response, 400, "parameter_immutable", "type")
    assert "type" in err["message"]
    assert client.get(f"/v1/campaigns/{created['id']}").json()["type"] == "coupon"


def test_create_validation_names_the_parameter(client: TestClient) -> None:
    assert_error(client.post("/v1/campaigns", json={"type": "coupon", "ends_at": 2}), 400, "parameter_missing", "name")
    assert_error(
        client.post("/v1/campaigns", json={"name": "n", "type": "banana", "ends_at": 2}),
        400,
        "parameter_invalid",
        "type",
    )
    assert_error(
        client.post("/v1/campaigns", json={"name": "n", "type": "coupon", "ends_at": 2, "colour": "red"}),
        400,
        "parameter_unknown",
        "colour",
    )


def test_list_filters_by_active(client: TestClient) -> None:
    active = client.get("/v1/campaigns", params={"active": "true", "limit": 100}).json()["data"]
    inactive = client.get("/v1/campaigns", params={"active": "false", "limit": 100}).json()["data"]
    assert active and inactive
    assert all(c["active"] for c in active)
    assert not any(c["active"] for c in inactive)
    everything = client.get("/v1/campaigns", params={"limit": 100}).json()["data"]
    assert len(active) + len(inactive) == len(everything)


def test_unknown_id_is_404(client: TestClient) -> None:
    assert_error(client.get("/v1/campaigns/cmp_doesnotexist"), 404, "resource_missing", "id")
    assert_error(client.post("/v1/campaigns/cmp_doesnotexist", json={"name": "x"}), 404, "resource_missing")


def test_malformed_id_is_400(client: TestClient) -> None:
    assert_error(client.get("/v1/campaigns/not-an-id"), 400, "parameter_invalid", "id")
