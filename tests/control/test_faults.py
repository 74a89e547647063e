"""Faults (``/__admin/faults``): every kind, ``times``, ``probability`` (seeded), and that a
fault never changes state."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver import spec
from mockserver.apis.vinr import VinrAPI
from mockserver.applications import create_app

from ..admin.conftest import TOKEN, checked_client
from ..conftest import AUTH
from ..served import Served, serve
from .conftest import error_code, journal

CAMPAIGN = {"name": "Faulty", "type": "coupon", "ends_at": 4102444800}
VINR_SPEC = spec.load(VinrAPI.spec_path)


def add(admin: TestClient, **fault: Any) -> dict[str, Any]:
    response = admin.post("/__admin/faults", json=fault)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def campaign_count(api: TestClient) -> int:
    return len(api.get("/v1/campaigns", params={"limit": 100}).json()["data"])


def test_a_documented_status_answers_the_documented_example(api: TestClient, admin: TestClient) -> None:
    fault = add(admin, operation="retrieveCampaign", status=404)
    assert fault["id"].startswith("flt_") and fault["applied"] == 0 and fault["remaining"] is None
    response = api.get("/v1/campaigns/cmp_6Eg4rSWelcome")
    assert response.status_code == 404
    documented = VINR_SPEC.operation("retrieveCampaign").responses["404"].json
    assert documented is not None and response.json() == documented.example
    [entry] = journal(admin)
    assert entry["fault"] == {"id": fault["id"], "status": 404, "delay_ms": 0}
    assert admin.get(f"/__admin/faults/{fault['id']}").json()["applied"] == 1
    # other operations are untouched
    assert api.get("/v1/campaigns").status_code == 200


def test_an_undocumented_status_answers_in_the_api_format_and_changes_nothing(
    api: TestClient, admin: TestClient, app: Any
) -> None:
    before = campaign_count(api)
    store_before = app.mock.api("vinr").store.dump()
    add(admin, operation="createCampaign", status=503)
    response = api.post("/v1/campaigns", json=CAMPAIGN)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["type"] == "api_error" and "503" in error["message"]
    assert app.mock.api("vinr").store.dump() == store_before
    assert campaign_count(api) == before
    assert app.mock.violations() == []  # asked for: not a contract violation


def test_a_fault_for_every_operation_and_for_one_api() -> None:
    app = create_app(["vinr", "voucherify"])
    voucherify = {"X-App-Id": "a", "X-App-Token": "b"}
    with TestClient(app, base_url="http://127.0.0.1") as client, checked_client(app, headers=TOKEN) as admin:
        add(admin, api="voucherify", status=500)
        assert client.get("/vinr/v1/campaigns", headers=AUTH).status_code == 200
        assert client.get("/voucherify/v1/campaigns", headers=voucherify).status_code == 500
        assert client.get("/voucherify/v1/campaigns/x", headers=voucherify).status_code == 500
        add(admin, status=502)
        assert client.get("/vinr/v1/events", headers=AUTH).status_code == 502
        # a reset of one API removes its faults only; of every API, all of them
        admin.post("/__admin/reset", params={"api": "voucherify"})
        assert [f["status"] for f in admin.get("/__admin/faults").json()["faults"]] == [502]
        admin.post("/__admin/reset")
        assert admin.get("/__admin/faults").json() == {"faults": []}


def test_a_delay_then_the_request_as_usual(api: TestClient, admin: TestClient) -> None:
    add(admin, operation="createCampaign", delay_ms=300)
    before = campaign_count(api)
    started = time.perf_counter()
    created = api.post("/v1/campaigns", json=CAMPAIGN)
    assert time.perf_counter() - started >= 0.3
    assert created.status_code == 200
    assert campaign_count(api) == before + 1
    entry = journal(admin, operation="createCampaign")[0]
    assert entry["fault"]["delay_ms"] == 300 and entry["duration_ms"] >= 300


def test_a_delay_range_is_drawn_from_the_seed(app: Any, api: TestClient, admin: TestClient) -> None:
    add(admin, operation="listCampaigns", delay_ms=[10, 60], seed=3)
    for _ in range(4):
        api.get("/v1/campaigns")
    drawn = [e["fault"]["delay_ms"] for e in reversed(journal(admin))]
    assert all(10 <= d <= 60 for d in drawn) and len(set(drawn)) > 1
    other = create_app(["vinr"])
    with TestClient(other, base_url="http://127.0.0.1", headers=AUTH) as api2, checked_client(
        other, headers=TOKEN
    ) as admin2:
        add(admin2, operation="listCampaigns", delay_ms=[10, 60], seed=3)
        for _ in range(4):
            api2.get("/v1/campaigns")
        assert [e["fault"]["delay_ms"] for e in reversed(journal(admin2))] == drawn


def test_a_delay_is_waited_outside_the_unit_of_work(app: Any) -> None:
    """While one request waits its delay, another is served: nothing holds the store."""
    with checked_client(app, headers=TOKEN) as admin:
        add(admin, operation="createCampaign", delay_ms=500)

    async def both() -> tuple[float, float]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=AUTH) as client:
            started = time.perf_counter()

            async def timed(request: Any) -> float:
                response = await request
                assert response.status_code == 200
                return time.perf_counter() - started

            return await asyncio.gather(
                timed(client.post("/v1/campaigns", json=CAMPAIGN)),
                timed(client.post("/v1/campaigns/cmp_6Eg4rSWelcome", json={"name": "Renamed"})),
            )

    slow, fast = asyncio.run(both())
    assert fast < 0.4 <= slow


def test_a_drop_in_process_answers_nothing_and_changes_nothing(
    app: Any, api: TestClient, admin: TestClient
) -> None:
    before = app.mock.api("vinr").store.dump()
    add(admin, operation="createCampaign", drop=True, times=1)
    with pytest.raises(AssertionError, match="did not receive any response"):
        api.post("/v1/campaigns", json=CAMPAIGN)
    assert app.mock.api("vinr").store.dump() == before
    [entry] = journal(admin, operation="createCampaign")
    assert entry["status"] is None
    assert entry["fault"]["drop"] is True
    assert entry["request"]["body"] == CAMPAIGN
    assert api.post("/v1/campaigns", json=CAMPAIGN).status_code == 200  # times=1: gone


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    with serve("--log-level", "info", "--seed", "11") as running:
        yield running


def test_a_drop_on_a_real_server_closes_the_connection_unanswered(served: Served) -> None:
    auth = {"Authorization": "Bearer sk_test_123"}
    with httpx.Client(base_url=served.base, headers=auth) as client:
        client.delete("/__admin/faults", headers=TOKEN)
        fault = client.post(
            "/__admin/faults", json={"operation": "listCampaigns", "drop": True, "times": 1}, headers=TOKEN
        ).json()
        with pytest.raises(httpx.RemoteProtocolError):
            client.get("/v1/campaigns")
        assert client.get("/v1/campaigns").status_code == 200  # a new connection, no fault left
        entry = client.get("/__admin/requests", params={"operation": "listCampaigns"}, headers=TOKEN).json()
        assert [e["status"] for e in entry["requests"]] == [200, None]
    log = served.output()
    assert "GET /v1/campaigns listCampaigns - " in log and f"dropped fault={fault['id']}" in log
    assert "ASGI callable returned without" not in log and "Exception in ASGI" not in log


def test_times_bounds_how_often(api: TestClient, admin: TestClient) -> None:
    fault = add(admin, operation="listCampaigns", status=500, times=2)
    assert fault["remaining"] == 2
    assert api.get("/v1/campaigns").status_code == 500
    assert admin.get(f"/__admin/faults/{fault['id']}").json()["remaining"] == 1
    assert api.get("/v1/campaigns").status_code == 500
    assert api.get("/v1/campaigns").status_code == 200
    missing = admin.get(f"/__admin/faults/{fault['id']}")
    assert (missing.status_code, error_code(missing)) == (404, "not_found")


def pattern(app: Any, **fault: Any) -> list[int]:
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as api, checked_client(
        app, headers=TOKEN
    ) as admin:
        add(admin, operation="listEvents", status=500, **fault)
        return [api.get("/v1/events").status_code for _ in range(40)]


def test_probability_is_seeded_and_reproducible() -> None:
    first = pattern(create_app(["vinr"]), probability=0.5, seed=42)
    assert 5 < first.count(500) < 35 and set(first) == {200, 500}
    assert pattern(create_app(["vinr"]), probability=0.5, seed=42) == first
    # without a seed of its own, a fault's draws come from the server's --seed
    from_server = pattern(create_app(["vinr"], seed=5), probability=0.3)
    assert pattern(create_app(["vinr"], seed=5), probability=0.3) == from_server
    assert 0 < from_server.count(500) < 40


def test_list_get_delete_and_clear(admin: TestClient) -> None:
    first = add(admin, operation="listCampaigns", status=500)
    second = add(admin, delay_ms=[0, 5], probability=0.25)
    listed = admin.get("/__admin/faults").json()["faults"]
    assert [f["id"] for f in listed] == [first["id"], second["id"]]
    assert listed[1]["delay_ms"] == [0, 5] and listed[1]["operation"] is None
    deleted = admin.delete(f"/__admin/faults/{first['id']}")
    assert deleted.status_code == 200 and deleted.json()["id"] == first["id"]
    assert admin.delete(f"/__admin/faults/{first['id']}").status_code == 404
    assert admin.delete("/__admin/faults").json() == {"removed": 1}
    assert admin.get("/__admin/faults").json() == {"faults": []}


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"status": 503, "drop": True}, "drop"),
        ({"delay_ms": [900, 100]}, "delay_ms"),
        ({"delay_ms": [1, 2, 3]}, "delay_ms"),
        ({"delay_ms": 60001}, "delay_ms"),
        ({"operation": "noSuchOperation", "status": 500}, "operation"),
        ({"api": "nope", "status": 500}, "api"),
        ({"times": 2}, "status"),
        ({"status": 200}, "status"),
        ({"status": 503, "probability": 0}, "probability"),
        ({"status": 503, "probability": 1.5}, "probability"),
        ({"status": 503, "times": 0}, "times"),
        ({"status": 503, "drop": False}, "drop"),
        ({"status": 503, "colour": "red"}, "colour"),
    ],
)
def test_a_fault_that_makes_no_sense_is_a_400_naming_the_field(
    admin: TestClient, body: dict[str, Any], param: str
) -> None:
    response = admin.post("/__admin/faults", json=body)
    assert response.status_code == 400, response.text
    assert (error_code(response), response.json()["error"]["param"]) == ("invalid_request", param)
    assert admin.get("/__admin/faults").json() == {"faults": []}
