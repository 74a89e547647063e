"""The access log: one line per request in one format, API, admin and unmatched alike."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app

from ..admin.conftest import TOKEN
from .shop import ShopAPI, spec_file

DURATION = r"\d+\.\dms"


def lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "mockserver.access"]


def test_every_request_has_one_line_in_one_format(
    app: Any, api: TestClient, admin: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="mockserver.access"):
        api.get("/v1/campaigns", params={"limit": 2})
        api.get("/v1/campaigns", params={"limit": 0})
        api.get("/v1/nothing")
        api.delete("/v1/campaigns")
        admin.get("/__admin/clock")
        admin.get("/__admin/clock", headers={"Host": "evil.example"})  # refused by the admin guard
        admin.post("/__admin/faults", json={"operation": "listEvents", "status": 503, "times": 1})
        api.get("/v1/events")
        api.get("/v1/events", headers={"Prefer": "code=400"})
    expected = [
        rf"GET /v1/campaigns\?limit=2 listCampaigns 200 {DURATION}",
        rf"GET /v1/campaigns\?limit=0 listCampaigns 400 parameter_invalid {DURATION}",
        rf"GET /v1/nothing - 404 resource_missing {DURATION}",
        rf"DELETE /v1/campaigns - 405 method_not_allowed {DURATION}",
        rf"GET /__admin/clock getClock 200 {DURATION}",
        rf"GET /__admin/clock - 403 forbidden_host {DURATION}",
        rf"POST /__admin/faults createFault 201 {DURATION}",
        rf"GET /v1/events listEvents 503 internal_error {DURATION} fault=flt_1",
        rf"GET /v1/events listEvents 400 parameter_missing {DURATION} prefer=code=400",
    ]
    found = lines(caplog)
    assert len(found) == len(expected), found
    for line, pattern in zip(found, expected, strict=True):
        assert re.fullmatch(pattern, line), (line, pattern)


def test_credentials_in_the_query_string_are_redacted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app([ApiOptions("shop", spec=spec_file(tmp_path), api_cls=ShopAPI)])
    with caplog.at_level(logging.INFO, logger="mockserver.access"), TestClient(app) as client:
        client.get("/items/itm_lamp", params={"api_key": "s3cret", "page": "2"})
    [line] = lines(caplog)
    assert line.startswith("GET /items/itm_lamp?api_key=%5Bredacted%5D&page=2 getItem 200 ")
    assert "s3cret" not in line


def test_a_client_leaving_mid_body_is_logged_as_abandoned(
    app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/campaigns",
        "raw_path": b"/v1/campaigns",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"host", b"127.0.0.1"),
            (b"authorization", b"Bearer sk_test_123"),
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages = iter([{"type": "http.request", "body": b'{"na', "more_body": True}, {"type": "http.disconnect"}])

    async def receive() -> Any:
        return next(messages)

    async def send(message: Any) -> None:
        raise AssertionError(f"nothing is answered to a client that left: {message}")

    with caplog.at_level(logging.INFO, logger="mockserver.access"):
        asyncio.run(app(scope, receive, send))
    assert lines(caplog) == ["POST /v1/campaigns createCampaign abandoned by the client"]
    assert TOKEN
