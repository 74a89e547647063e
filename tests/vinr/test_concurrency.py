"""Concurrent redemptions never over-redeem and never lose a counter update."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from mockserver.applications import ApiOptions, create_app
from mockserver.clock import Clock
from mockserver.exceptions import MockError

from ..conftest import AUTH, assert_no_violations

DAY = 86_400


def test_concurrent_http_redemptions_respect_max_redemptions(state_url: str) -> None:
    app = create_app([ApiOptions("vinr", no_fixtures=True)], state=state_url)
    now = app.mock.clock.timestamp()

    async def scenario() -> tuple[list[int], dict[str, Any], dict[str, Any]]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://mock", headers=AUTH) as client:
            campaign = (
                await client.post(
                    "/v1/campaigns",
                    json={"name": "Rush", "type": "coupon", "starts_at": now - 10, "ends_at": now + DAY},
                )
            ).json()
            await client.post(
                "/v1/coupons",
                json={"code": "RUSH", "campaign": campaign["id"], "percent_off": 5, "max_redemptions": 25},
            )
            body = {"coupon": "RUSH", "order": {"amount": 1000, "currency": "usd"}}
            responses = await asyncio.gather(
                *(client.post("/v1/redemptions", json=body) for _ in range(120))
            )
            coupon = (await client.get("/v1/coupons", params={"code": "RUSH"})).json()["data"][0]
            campaign_after = (await client.get(f"/v1/campaigns/{campaign['id']}")).json()
            return [r.status_code for r in responses], coupon, campaign_after

    statuses, coupon, campaign = asyncio.run(scenario())
    assert statuses.count(200) == 25
    assert statuses.count(400) == 95
    assert coupon["times_redeemed"] == 25
    assert campaign["redemption_count"] == 25
    app.mock.close()
    assert_no_violations(app)


def test_threads_hammering_the_backend_lose_no_update() -> None:
    from mockserver.apis.vinr import VinrAPI

    api = VinrAPI(clock=Clock())
    api.reset()
    backend = api.backend
    now = api.clock.timestamp()
    campaign = backend.create_campaign(
        {"name": "Threads", "type": "coupon", "starts_at": now - 10, "ends_at": now + DAY}
    )
    coupon = backend.create_coupon({"code": "THREADS", "campaign": campaign["id"], "percent_off": 1})

    def redeem(_: int) -> bool:
        try:
            backend.create_redemption({"coupon": "THREADS", "order": {"amount": 100, "currency": "usd"}})
        except MockError:
            return False
        return True

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(redeem, range(400)))
    assert all(results)
    assert backend.retrieve_coupon(coupon["id"])["times_redeemed"] == 400
    assert backend.retrieve_campaign(campaign["id"])["redemption_count"] == 400
