"""The admin API's locks on a real ``mockserver serve``, over real HTTP."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import httpx
import pytest

from ..served import Served, free_port, serve
from .conftest import check_admin_response

TOKEN = "t0ken-for-tests"


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    with serve("--log-level", "warning", "--admin-token", TOKEN, "--allowed-host", "mock.test") as served:
        yield served


def call(server: Served, method: str, path: str, **kwargs: object) -> httpx.Response:
    with httpx.Client(base_url=server.base, event_hooks={"response": [check_admin_response]}) as client:
        return client.request(method, path, **kwargs)  # type: ignore[arg-type]


def code(response: httpx.Response) -> str:
    return str(response.json()["error"]["code"])


def test_the_token_is_required_and_must_be_the_configured_one(server: Served) -> None:
    assert code(call(server, "GET", "/__admin/health")) == "authentication_required"
    wrong = call(server, "POST", "/__admin/reset", headers={"Authorization": "Bearer admin"})
    assert wrong.status_code == 401
    assert code(wrong) == "invalid_token"
    right = call(server, "POST", "/__admin/reset", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200
    assert right.json()["clock"]["real_time"] is True


def test_hosts_origins_preflights_and_media_types(server: Served) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    foreign = call(server, "GET", "/__admin/clock", headers={**auth, "Host": "evil.example"})
    assert (foreign.status_code, code(foreign)) == (403, "forbidden_host")
    allowed = call(server, "GET", "/__admin/clock", headers={**auth, "Host": "mock.test:8000"})
    assert allowed.status_code == 200
    origin = call(server, "POST", "/__admin/reset", headers={**auth, "Origin": "https://evil.example"})
    assert (origin.status_code, code(origin)) == (403, "forbidden_origin")
    preflight = call(
        server,
        "OPTIONS",
        "/__admin/reset",
        headers={"Origin": "http://localhost:3000", "Access-Control-Request-Method": "POST"},
    )
    assert (preflight.status_code, code(preflight)) == (403, "preflight_refused")
    plain = call(
        server, "POST", "/__admin/clock", content=b'{"advance": 1}', headers={**auth, "Content-Type": "text/plain"}
    )
    assert (plain.status_code, code(plain)) == (415, "unsupported_media_type")


def test_bad_clock_values_leave_the_api_working(server: Served) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}"}
    json = {**auth, "Content-Type": "application/json"}
    for raw in (b'{"advance": NaN}', b'{"set": Infinity}', b'{"set": 1e300}', b'{"advance": -1e12}',
                b'{"advance": 1000000000000000000000000000000}', b"[" * 980 + b"]" * 980):
        response = call(server, "POST", "/__admin/clock", content=raw, headers=json)
        assert response.status_code == 400, (raw[:40], response.text)
    listed = httpx.get(f"{server.base}/v1/campaigns", headers={"Authorization": "Bearer k"})
    assert listed.status_code == 200
    created = httpx.post(
        f"{server.base}/v1/campaigns",
        headers={"Authorization": "Bearer k"},
        json={"name": "Still fine", "type": "offer", "ends_at": 4102444800},
    )
    assert created.status_code == 200, created.text


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.0.2.10", "example.com"])
def test_binding_beyond_loopback_needs_an_admin_token(host: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--host", host, "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert f"refusing to listen on {host} without --admin-token" in result.stderr
    assert "admin API:" not in result.stdout and "vinr:" not in result.stdout


def test_loopback_binding_needs_no_admin_token() -> None:
    with serve("--host", "localhost", "--log-level", "warning") as served:
        response = httpx.get(f"{served.base}/__admin/health", headers={"Authorization": "Bearer any"})
        assert response.status_code == 200
