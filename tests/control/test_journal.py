"""The request journal (``/__admin/requests``): entries, every filter, count, clear, redaction,
a journal turned off, and its bound."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import create_app

from ..admin.conftest import TOKEN, checked_client
from ..conftest import AUTH
from .conftest import count, error_code, journal

CAMPAIGN = {"name": "Journal test", "type": "coupon", "ends_at": 4102444800}


def test_an_entry_shows_what_the_client_sent_and_what_it_got(
    api: TestClient, admin: TestClient
) -> None:
    created = api.post("/v1/campaigns?", json=CAMPAIGN, headers={"Idempotency-Key": "k-1"})
    assert created.status_code == 200
    [entry] = journal(admin)
    assert entry["method"] == "POST"
    assert entry["path"] == "/v1/campaigns"
    assert entry["api"] == "vinr"
    assert entry["operation_id"] == "createCampaign"
    assert entry["status"] == 200
    assert entry["error_code"] is None
    assert entry["duration_ms"] > 0
    assert entry["request"]["body"] == CAMPAIGN
    assert entry["request"]["headers"]["idempotency-key"] == "k-1"
    assert entry["request"]["headers"]["authorization"] == "[redacted]"
    assert entry["response"]["body"] == created.json()
    assert entry["response"]["headers"]["content-type"] == "application/json"
    assert entry["violations"] == [] and entry["fault"] is None and entry["prefer"] is None
    # the credential is told apart by a fingerprint, never shown
    scheme, _, fingerprint = entry["credential"].partition(":")
    assert scheme and len(fingerprint) == 12 and "sk_test_123" not in str(entry)
    assert abs(entry["received_at"] - time.time()) < 60


def test_entries_are_newest_first_with_the_query_and_path_parameters(
    api: TestClient, admin: TestClient
) -> None:
    api.get("/v1/campaigns", params={"limit": 2, "active": "true"})
    api.get("/v1/campaigns/cmp_6Eg4rSWelcome")
    newest, oldest = journal(admin)
    assert newest["id"] > oldest["id"]
    assert newest["operation_id"] == "retrieveCampaign"
    assert newest["path_params"] == {"id": "cmp_6Eg4rSWelcome"}
    assert oldest["query"] == {"limit": "2", "active": "true"}


def test_a_refused_request_carries_its_error_code_and_violations(
    api: TestClient, admin: TestClient
) -> None:
    refused = api.post("/v1/campaigns", json={"name": 5, "type": "coupon", "ends_at": 4102444800})
    assert refused.status_code == 400
    [entry] = journal(admin)
    assert entry["error_code"] == "parameter_invalid"
    assert entry["violations"] == [
        {
            "source": "request",
            "kind": "invalid_parameter",
            "field": "name",
            "in": "body",
            "message": "Invalid value for name: 5 is not of type 'string'.",
        }
    ]


def test_admin_requests_are_not_journaled_and_unmatched_ones_are(
    api: TestClient, admin: TestClient
) -> None:
    admin.get("/__admin/clock")
    missing = api.get("/v1/nothing")
    assert missing.status_code == 404
    [entry] = journal(admin)
    assert entry["operation_id"] is None
    assert (entry["path"], entry["status"], entry["error_code"]) == ("/v1/nothing", 404, "resource_missing")


@pytest.fixture
def traffic(api: TestClient) -> dict[str, Any]:
    """A few requests of every kind, and when the second half started."""
    api.get("/v1/campaigns")
    api.get("/v1/campaigns/cmp_6Eg4rSWelcome")
    api.get("/v1/campaigns/cmp_missing")
    time.sleep(0.01)
    since = time.time()
    time.sleep(0.01)
    api.post("/v1/campaigns", json=CAMPAIGN)
    api.post("/v1/campaigns", json={"type": "coupon"})
    api.delete("/v1/campaigns")
    return {"since": since}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, 6),
        ({"operation": "retrieveCampaign"}, 2),
        ({"operation": "createCampaign", "status": "200"}, 1),
        ({"method": "post"}, 2),
        ({"method": "DELETE"}, 1),
        ({"path": "/v1/campaigns"}, 4),
        ({"path": "/v1/campaigns/*"}, 2),
        ({"path": "/v1/campaigns/cmp_missing"}, 1),
        ({"status": "404"}, 1),
        ({"status": "4XX"}, 3),
        ({"status": "2xx"}, 3),
        ({"api": "vinr"}, 6),
        ({"api": "voucherify"}, 0),
        ({"operation": "listCampaigns", "method": "POST"}, 0),
    ],
)
def test_every_filter_selects_in_the_list_and_in_the_count(
    traffic: dict[str, Any], admin: TestClient, filters: dict[str, str], expected: int
) -> None:
    listed = journal(admin, **filters)
    assert len(listed) == expected, listed
    body: dict[str, Any] = {k: (int(v) if k == "status" and v.isdigit() else v) for k, v in filters.items()}
    assert count(admin, **body) == expected


def test_since_and_limit(traffic: dict[str, Any], admin: TestClient) -> None:
    recent = journal(admin, since=traffic["since"])
    assert [e["method"] for e in recent] == ["DELETE", "POST", "POST"]
    assert count(admin, since=traffic["since"]) == 3
    assert [e["id"] for e in journal(admin, limit=2)] == [e["id"] for e in recent[:2]]


@pytest.mark.parametrize(
    ("params", "param"),
    [
        ({"status": "600"}, "status"),
        ({"status": "4X"}, "status"),
        ({"limit": "0"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"method": "GE T"}, "method"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_filters_are_400_naming_the_parameter(
    admin: TestClient, params: dict[str, str], param: str
) -> None:
    response = admin.get("/__admin/requests", params=params)
    assert response.status_code == 400
    assert (error_code(response), response.json()["error"]["param"]) == ("invalid_request", param)


def test_count_refuses_unknown_and_wrongly_typed_filters(admin: TestClient) -> None:
    for body, param in (({"colour": "red"}, "colour"), ({"status": True}, "status"), ({"limit": 3}, "limit")):
        response = admin.post("/__admin/requests/count", json=body)
        assert response.status_code == 400, body
        assert response.json()["error"]["param"] == param


def test_clear_forgets_and_reset_does_too(api: TestClient, admin: TestClient) -> None:
    api.get("/v1/campaigns")
    api.get("/v1/campaigns")
    assert admin.delete("/__admin/requests").json() == {"cleared": 2}
    assert journal(admin) == []
    api.get("/v1/campaigns")
    assert admin.post("/__admin/reset").status_code == 200
    assert journal(admin) == []


def test_clear_and_reset_of_one_api_forget_only_its_requests() -> None:
    app = create_app(["vinr", "voucherify"])
    voucherify_auth = {"X-App-Id": "app", "X-App-Token": "secret-token"}
    with TestClient(app, base_url="http://127.0.0.1") as client, checked_client(app, headers=TOKEN) as admin:
        client.get("/vinr/v1/campaigns", headers=AUTH)
        client.get("/voucherify/v1/campaigns", headers=voucherify_auth)
        client.get("/voucherify/v1/campaigns", headers=voucherify_auth)
        entry = journal(admin, api="voucherify")[0]
        # every header a security scheme reads is redacted
        assert entry["request"]["headers"]["x-app-token"] == "[redacted]"
        assert entry["request"]["headers"]["x-app-id"] == "[redacted]"
        assert "secret-token" not in str(journal(admin))
        assert admin.delete("/__admin/requests", params={"api": "voucherify"}).json() == {"cleared": 2}
        assert [e["api"] for e in journal(admin)] == ["vinr"]
        client.get("/voucherify/v1/campaigns", headers=voucherify_auth)
        admin.post("/__admin/reset", params={"api": "vinr"})
        assert [e["api"] for e in journal(admin)] == ["voucherify"]


def test_a_journal_turned_off_says_so() -> None:
    app = create_app(["vinr"], journal_size=0)
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client, checked_client(
        app, headers=TOKEN
    ) as admin:
        assert client.get("/v1/campaigns").status_code == 200
        for response in (
            admin.get("/__admin/requests"),
            admin.post("/__admin/requests/count", json={}),
            admin.get("/__admin/requests/unmatched"),
            admin.delete("/__admin/requests"),
        ):
            assert response.status_code == 409
            assert error_code(response) == "journal_disabled"


def test_bodies_beyond_64_kib_are_cut_and_say_so(api: TestClient, admin: TestClient) -> None:
    metadata = {f"k{i}": "v" * 400 for i in range(20)}
    api.post("/v1/campaigns", json={**CAMPAIGN, "metadata": metadata})
    entry = journal(admin)[0]
    assert "truncated" not in entry["request"]
    big = b"{" + b" " * (70 * 1024) + b"}"
    api.post("/v1/campaigns", content=big, headers={"Content-Type": "application/json"})
    entry = journal(admin)[0]
    assert entry["request"]["truncated"] is True
    assert isinstance(entry["request"]["body"], str) and len(entry["request"]["body"]) == 64 * 1024


async def _get(app: Any, path: str) -> int:
    """One GET straight through the ASGI app (no HTTP client: 10,000 of them stay quick)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer sk_test_123")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return int(sent[0]["status"])


def test_the_journal_stays_bounded_under_10000_requests() -> None:
    app = create_app(["vinr"], journal_size=1000)

    async def send_all() -> None:
        for index in range(10_000):
            assert await _get(app, f"/v1/campaigns/cmp_{index}") == 404

    asyncio.run(send_all())
    with checked_client(app, headers=TOKEN) as admin:
        entries = journal(admin)
        assert len(entries) == 1000
        assert entries[0]["path"] == "/v1/campaigns/cmp_9999"
        assert entries[-1]["path"] == "/v1/campaigns/cmp_9000"
        assert entries[0]["id"] - entries[-1]["id"] == 999
        assert count(admin) == 1000
    journal_object = app.mock.control.journal
    assert len(journal_object) == 1000 and len(journal_object._rendered) <= 1000


def test_the_admin_token_is_redacted_wherever_it_appears() -> None:
    from mockserver.admin import AdminOptions

    token = "adm-T0ken-for-journal"
    app = create_app(["vinr"], admin=AdminOptions(token=token))
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client, checked_client(
        app, headers={"Authorization": f"Bearer {token}"}
    ) as admin:
        client.get("/v1/campaigns", params={"note": token}, headers={"X-Debug": f"token={token}"})
        [entry] = journal(admin)
        assert entry["query"] == {"note": "[redacted]"}
        assert entry["request"]["headers"]["x-debug"] == "[redacted]"
        assert token not in str(entry)
