"""Who may use the admin API: the token, the Host, the Origin, preflights and media types."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.admin import AdminOptions
from mockserver.applications import create_app

from ..conftest import assert_no_violations
from .conftest import TOKEN, checked_client


def error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == code, body
    return dict(body["error"])


ENDPOINTS = [
    ("GET", "/__admin/health"),
    ("POST", "/__admin/reset"),
    ("GET", "/__admin/clock"),
    ("GET", "/__admin/violations"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
def test_every_endpoint_needs_a_bearer_token(anonymous: TestClient, method: str, path: str) -> None:
    err = error(anonymous.request(method, path), 401, "authentication_required")
    assert "Bearer" in err["message"]
    for header in ("Bearer ", "Basic YWRtaW46YWRtaW4=", "admin"):
        error(anonymous.request(method, path, headers={"Authorization": header}), 401, "authentication_required")


def test_401_says_how_to_authenticate(anonymous: TestClient) -> None:
    response = anonymous.get("/__admin/health")
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_without_admin_token_any_non_empty_token_works(anonymous: TestClient) -> None:
    for token in ("admin", "anything-at-all"):
        response = anonymous.get("/__admin/health", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ok"


def test_with_admin_token_only_that_token_works() -> None:
    app = create_app(["vinr"], admin=AdminOptions(token="s3cret"))
    with checked_client(app) as client:
        err = error(client.post("/__admin/reset", headers=TOKEN), 401, "invalid_token")
        assert "s3cret" not in err["message"]
        error(client.get("/__admin/clock", headers={"Authorization": "Bearer s3cre"}), 401, "invalid_token")
        ok = client.post("/__admin/reset", headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200, ok.text
        # the mocked API's own keys are a different matter: any key still works there
        assert client.get("/v1/campaigns", headers={"Authorization": "Bearer k"}).status_code == 200
    assert_no_violations(app)


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.nip.io", "localhost.evil.example", "[::2]:80"]
)
def test_a_foreign_host_is_refused(admin: TestClient, host: str) -> None:
    # DNS rebinding: a page on evil.example re-points its name at 127.0.0.1
    err = error(admin.post("/__admin/reset", headers={"Host": host}), 403, "forbidden_host")
    assert host in err["message"]
    error(admin.get("/__admin/openapi.json", headers={"Host": host}), 403, "forbidden_host")


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "127.8.9.10", "localhost", "LOCALHOST.:80", "[::1]:8000"])
def test_loopback_hosts_are_answered(admin: TestClient, host: str) -> None:
    assert admin.get("/__admin/health", headers={"Host": host}).status_code == 200


def test_allowed_host_admits_a_name() -> None:
    app = create_app(["vinr"], admin=AdminOptions(allowed_hosts=("mock.internal",)))
    with checked_client(app, base_url="http://mock.internal:8000", headers=TOKEN) as client:
        assert client.get("/__admin/health").status_code == 200
        origin = {"Origin": "http://mock.internal:3000"}
        assert client.post("/__admin/reset", headers=origin).status_code == 200
        error(client.get("/__admin/health", headers={"Host": "other.internal"}), 403, "forbidden_host")
    assert_no_violations(app)


def test_the_bound_address_is_answered() -> None:
    app = create_app(["vinr"], admin=AdminOptions(token="t", bound_host="192.168.7.7"))
    auth = {"Authorization": "Bearer t"}
    with checked_client(app, base_url="http://192.168.7.7:8000", headers=auth) as client:
        assert client.get("/__admin/health").status_code == 200
        error(client.get("/__admin/health", headers={"Host": "10.0.0.1"}), 403, "forbidden_host")
    # bound to every interface, any address is the bound address, but names still are not
    app = create_app(["vinr"], admin=AdminOptions(token="t", bound_host="0.0.0.0"))
    with checked_client(app, base_url="http://10.1.2.3:8000", headers=auth) as client:
        assert client.get("/__admin/health").status_code == 200
        error(client.get("/__admin/health", headers={"Host": "evil.example"}), 403, "forbidden_host")


@pytest.mark.parametrize(
    "origin", ["https://evil.example", "http://evil.example:8000", "null", "http://127.0.0.1.evil.example"]
)
def test_a_foreign_origin_is_refused(admin: TestClient, origin: str) -> None:
    # what a page the developer visits sends along with a "simple" cross-site request
    response = admin.post("/__admin/reset", headers={"Origin": origin})
    err = error(response, 403, "forbidden_origin")
    assert origin in err["message"]


def test_a_cross_site_fetch_without_origin_is_refused(admin: TestClient) -> None:
    error(admin.get("/__admin/health", headers={"Sec-Fetch-Site": "cross-site"}), 403, "forbidden_origin")
    assert admin.get("/__admin/health", headers={"Sec-Fetch-Site": "same-origin"}).status_code == 200


@pytest.mark.parametrize("origin", ["http://localhost:3000", "http://127.0.0.1:8000", "http://[::1]:5173"])
def test_loopback_origins_are_accepted(admin: TestClient, origin: str) -> None:
    assert admin.get("/__admin/clock", headers={"Origin": origin}).status_code == 200


def test_preflights_are_refused(admin: TestClient) -> None:
    preflight = {
        "Origin": "http://localhost:3000",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type",
    }
    response = admin.options("/__admin/reset", headers=preflight)
    error(response, 403, "preflight_refused")
    assert "access-control-allow-origin" not in response.headers
    error(admin.options("/__admin/clock"), 403, "preflight_refused")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"advance": 60}'),
        ("application/x-www-form-urlencoded", b"advance=60"),
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b'{"advance": 60}'),
    ],
)
def test_bodies_that_are_not_json_are_415(admin: TestClient, content_type: str | None, body: bytes) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    before = admin.get("/__admin/clock").json()
    response = admin.post("/__admin/clock", content=body, headers=headers)
    error(response, 415, "unsupported_media_type")
    # a text/plain reset, the classic cross-site form post, changes nothing either
    error(admin.post("/__admin/reset", content=body, headers=headers), 415, "unsupported_media_type")
    after = admin.get("/__admin/clock").json()
    assert after["real_time"] == before["real_time"] is True


def test_the_text_plain_cross_site_reset_from_the_issue_changes_nothing(admin_app: Any) -> None:
    with TestClient(admin_app, base_url="http://127.0.0.1", headers={"Authorization": "Bearer k"}) as api:
        created = api.post("/v1/campaigns", json={"name": "Keep me", "type": "offer", "ends_at": 4102444800})
        assert created.status_code == 200
        attack = api.post(
            "/__admin/reset",
            content=b"x",
            headers={"Content-Type": "text/plain", "Origin": "https://evil.example", "Authorization": ""},
        )
        assert attack.status_code == 403
        assert api.get(f"/v1/campaigns/{created.json()['id']}").status_code == 200
