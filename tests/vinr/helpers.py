"""Small builders for VINR scenarios."""

from __future__ import annotations

from typing import Any

from starlette.testclient import TestClient

DAY = 86_400


def error(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}, body
    return body["error"]


def assert_error(response: Any, status: int, code: str, param: str | None = ...) -> dict[str, Any]:  # type: ignore[assignment]
    assert response.status_code == status, response.text
    err = error(response)
    assert err["code"] == code, err
    if param is not ...:
        assert err["param"] == param, err
    return err


def new_campaign(client: TestClient, now: int, **overrides: Any) -> dict[str, Any]:
    body = {"name": "Test campaign", "type": "coupon", "starts_at": now - DAY, "ends_at": now + 30 * DAY}
    body.update(overrides)
    response = client.post("/v1/campaigns", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def new_coupon(client: TestClient, campaign: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": "CODE" + campaign[-6:], "campaign": campaign, "percent_off": 10}
    body.update(overrides)
    response = client.post("/v1/coupons", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def new_offer(client: TestClient, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"name": "Ten off", "type": "fixed_discount", "value": 1000, "currency": "usd"}
    body.update(overrides)
    response = client.post("/v1/offers", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def order(amount: int = 5000, currency: str = "usd", **extra: Any) -> dict[str, Any]:
    return {"amount": amount, "currency": currency, **extra}
