"""Small builders and assertions for Voucherify scenarios."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from starlette.testclient import TestClient

#: The official operations the mock serves: (method, path) -> operationId.
OPERATIONS = {
    ("get", "/v1/campaigns"): "list-campaigns",
    ("post", "/v1/campaigns"): "create-campaign",
    ("get", "/v1/campaigns/{campaignId}"): "get-campaign",
    ("put", "/v1/campaigns/{campaignId}"): "update-campaign",
    ("delete", "/v1/campaigns/{campaignId}"): "delete-campaign",
    ("post", "/v1/campaigns/{campaignId}/enable"): "enable-campaign",
    ("post", "/v1/campaigns/{campaignId}/disable"): "disable-campaign",
    ("post", "/v1/campaigns/{campaignId}/vouchers"): "add-vouchers-to-campaign",
    ("post", "/v1/campaigns/{campaignId}/vouchers/{code}"): "add-voucher-with-specific-code-to-campaign",
    ("post", "/v1/campaigns/{campaignId}/import"): "import-vouchers-to-campaign",
    ("post", "/v1/campaigns/{campaignId}/importCSV"): "import-vouchers-to-campaign-using-csv",
    ("get", "/v1/campaigns/{campaignId}/summary"): "get-campaign-summary",
    ("get", "/v1/campaigns/{campaignId}/transactions"): "list-campaign-transactions",
    ("post", "/v1/campaigns/{campaignId}/transactions/export"): "export-campaign-transactions",
    ("get", "/v1/vouchers"): "list-vouchers",
    ("get", "/v1/vouchers/{code}"): "get-voucher",
    ("get", "/v1/async-actions"): "list-async-actions",
    ("get", "/v1/async-actions/{asyncActionId}"): "get-async-action",
}

#: Operations the mock routes but does not serve (501 not_implemented), and why.
NOT_SERVED = {
    ("post", "/v1/campaigns/qualification"): "examine-campaigns-qualification",
    ("post", "/v1/vouchers"): "generate-random-code",
    ("post", "/v1/vouchers/{code}"): "create-voucher",
    ("put", "/v1/vouchers/{code}"): "update-voucher",
    ("delete", "/v1/vouchers/{code}"): "delete-voucher",
    ("get", "/v1/exports/{exportId}"): "get-export",
}

ERROR_KEYS = {"code", "key", "message", "details", "request_id"}


def assert_error(response: Any, status: int, key: str) -> dict[str, Any]:
    """The vendor-format error body of ``response``, checked for ``status`` and ``key``."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert ERROR_KEYS <= set(body) <= ERROR_KEYS | {"resource_id", "resource_type"}, body
    assert body["code"] == status, body
    assert body["key"] == key, body
    assert re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"]), body
    assert body["message"] and body["details"], body
    return body


def discount_campaign(name: str = "Discount Campaign", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": name,
        "campaign_type": "DISCOUNT_COUPONS",
        "type": "AUTO_UPDATE",
        "vouchers_count": 3,
        "voucher": {
            "type": "DISCOUNT_VOUCHER",
            "discount": {"type": "PERCENT", "percent_off": 10},
            "code_config": {"pattern": "10OFF-#######"},
        },
    }
    body.update(overrides)
    return body


def create(client: TestClient, body: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/v1/campaigns", json=body)
    assert response.status_code == 200, response.text
    created: dict[str, Any] = response.json()
    return created


def path(ident: str, suffix: str = "") -> str:
    """``/v1/campaigns/<ident><suffix>`` with the id or name URL-encoded."""
    return f"/v1/campaigns/{quote(ident, safe='')}{suffix}"


def get(client: TestClient, ident: str) -> dict[str, Any]:
    response = client.get(path(ident))
    assert response.status_code == 200, response.text
    campaign: dict[str, Any] = response.json()
    return campaign
