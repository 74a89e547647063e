"""Stripe-style cursor pagination, newest first."""

from __future__ import annotations

from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import assert_error, new_campaign


def test_cursor_pagination_walks_every_object_once(empty_client: TestClient, clock: Clock) -> None:
    clock.freeze()
    ids = [new_campaign(empty_client, clock.timestamp(), name=f"c{i}")["id"] for i in range(7)]
    newest_first = list(reversed(ids))

    first = empty_client.get("/v1/campaigns", params={"limit": 3}).json()
    assert [c["id"] for c in first["data"]] == newest_first[:3]
    assert first["has_more"] is True
    second = empty_client.get(
        "/v1/campaigns", params={"limit": 3, "starting_after": first["data"][-1]["id"]}
    ).json()
    assert [c["id"] for c in second["data"]] == newest_first[3:6]
    third = empty_client.get(
        "/v1/campaigns", params={"limit": 3, "starting_after": second["data"][-1]["id"]}
    ).json()
    assert [c["id"] for c in third["data"]] == newest_first[6:]
    assert third["has_more"] is False

    back = empty_client.get(
        "/v1/campaigns", params={"limit": 2, "ending_before": third["data"][0]["id"]}
    ).json()
    assert [c["id"] for c in back["data"]] == newest_first[4:6]
    assert back["has_more"] is True


def test_default_and_bounds_of_limit(empty_client: TestClient, clock: Clock) -> None:
    for i in range(12):
        new_campaign(empty_client, clock.timestamp(), name=f"c{i}")
    assert len(empty_client.get("/v1/campaigns").json()["data"]) == 10
    assert_error(empty_client.get("/v1/campaigns", params={"limit": 0}), 400, "parameter_invalid", "limit")
    assert_error(empty_client.get("/v1/campaigns", params={"limit": 101}), 400, "parameter_invalid", "limit")
    assert len(empty_client.get("/v1/campaigns", params={"limit": 100}).json()["data"]) == 12


def test_unknown_cursor_is_400(empty_client: TestClient) -> None:
    assert_error(
        empty_client.get("/v1/campaigns", params={"starting_after": "cmp_nope"}),
        400,
        "resource_missing",
        "starting_after",
    )
