"""The validating proxy in front of a deliberately wrong server and in front of the mock.

The test client reaches the proxy in-process (``httpx.ASGITransport``). The proxy reaches its
upstream, an ASGI app, with each of its two clients (the ``proxy_for`` fixture): httpx's
transport API (``httpx.ASGITransport``, in-process) and the default, aiohttp's pool over
loopback (the app served by uvicorn on a free port). ``test_cli.py`` runs the real command.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import ExitStack
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit

import httpx
import pytest

from mockserver.apis.voucherify import VoucherifyAPI
from mockserver.applications import create_app
from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.plugins import api_class
from mockserver.proxy import ContractProxy, ErrorFormat

from ..conftest import AUTH
from .servers import answering, serving
from .upstream import CAMPAIGNS, wrong_vinr

T = TypeVar("T")
ADMIN = {"Authorization": "Bearer admin-token"}
Scenario = Callable[[httpx.AsyncClient], Awaitable[T]]


def vinr_spec() -> dict[str, Any]:
    return api_class("vinr")(clock=Clock()).spec


class ProxyFor(Protocol):
    def __call__(self, upstream: Any, base: str = "", **options: Any) -> ContractProxy: ...


@pytest.fixture(params=["httpx", "aiohttp"])
def proxy_for(request: pytest.FixtureRequest) -> Iterator[ProxyFor]:
    """Builds a proxy in front of an ASGI app (``base``: the target's base path), reaching it
    through httpx's transport API or through the default client."""

    with ExitStack() as servers:

        def build(upstream: Any, base: str = "", **options: Any) -> ContractProxy:
            if request.param == "httpx":
                transport = httpx.ASGITransport(upstream)
                return ContractProxy(vinr_spec(), "http://upstream.test" + base, transport=transport, **options)
            return ContractProxy(vinr_spec(), servers.enter_context(serving(upstream)) + base, **options)

        yield build


def drive(proxy: ContractProxy, scenario: Scenario[T], headers: dict[str, str] | None = None) -> T:
    """Run ``scenario`` with a client talking to ``proxy``, then close the proxy."""

    async def run() -> T:
        transport = httpx.ASGITransport(proxy, client=("10.0.0.7", 4000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://proxy.test", headers=headers
        ) as client:
            try:
                return await scenario(client)
            finally:
                await proxy.aclose()

    return asyncio.run(run())


def violations(response: httpx.Response) -> list[str]:
    header = response.headers.get("contract-violations")
    return json.loads(header) if header else []


def test_each_broken_response_is_found_and_passed_on_unchanged(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr())

    async def scenario(client: httpx.AsyncClient) -> dict[str, httpx.Response]:
        return {ident: await client.get(f"/v1/campaigns/{ident}") for ident in CAMPAIGNS}

    responses = drive(proxy, scenario, AUTH)
    for ident, (status, _, body, _, breaks) in CAMPAIGNS.items():
        response = responses[ident]
        assert response.status_code == status, ident
        if isinstance(body, str):
            assert response.text == body
        else:
            assert response.json() == body, ident
        found = violations(response)
        if breaks is None:
            assert found == [], ident
        else:
            assert len(found) == 1, (ident, found)
            assert found[0].startswith("response: "), found
            assert breaks in found[0], (ident, found)
    listed = proxy.log.as_json()
    broken = {ident for ident, case in CAMPAIGNS.items() if case[4] is not None}
    assert listed["total"] == len(broken)
    assert {v["side"] for v in listed["violations"]} == {"response"}
    assert listed["operations"] == {"retrieveCampaign": len(CAMPAIGNS)}


def test_invalid_requests_are_found_and_a_2xx_to_them_is_the_servers_fault(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr())

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.get("/v1/campaigns", params={"limit": 500}, headers=AUTH),
            await client.get("/v1/campaigns"),  # no credentials, and the server answers 200
        ]

    limit, anonymous = drive(proxy, scenario)
    assert limit.status_code == 200
    assert violations(limit) == [
        "request: Invalid query parameter limit: 500 is greater than the maximum of 100.",
        "response: answered 200 to a request that breaks the contract (Invalid query "
        "parameter limit: 500 is greater than the maximum of 100.)",
    ]
    found = violations(anonymous)
    assert found[0].startswith("request: No valid credentials provided.")
    assert found[1].startswith("response: answered 200 to a request that breaks the contract")


def test_response_headers_compressed_bodies_and_undocumented_routes(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr())

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.post("/v1/campaigns", json={"name": "New", "type": "coupon", "ends_at": 4102444800}),
            await client.get("/v1/campaigns/cmp_gzip", headers={"Accept-Encoding": "gzip"}),
            await client.get("/v1/nowhere"),
            await client.delete("/v1/campaigns"),
        ]

    created, compressed, nowhere, not_allowed = drive(proxy, scenario, AUTH)
    assert created.headers["idempotent-replayed"] == "perhaps"
    assert violations(created) == [
        "response: header Idempotent-Replayed: 'perhaps' is not one of ['true']"
    ]
    # passed on still compressed (httpx decodes it here), found broken after decoding
    assert compressed.headers["content-encoding"] == "gzip"
    assert compressed.json()["active"] == "yes"
    assert violations(compressed) == ["response: active: 'yes' is not of type 'boolean'"]
    assert violations(nowhere) == ["request: the spec has no path matching /v1/nowhere"]
    assert nowhere.status_code == 404  # the upstream's own answer
    assert violations(not_allowed) == [
        "request: the spec does not allow DELETE on /v1/campaigns (only GET, POST)"
    ]


def test_a_body_over_the_limit_streams_through_unchecked(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr(), max_body=2048)

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/v1/campaigns/cmp_big")

    response = drive(proxy, scenario, AUTH)
    assert response.status_code == 200
    assert len(response.json()["metadata"]) == 40
    assert "contract-violations" not in response.headers
    assert proxy.log.as_json()["not_checked"] == [
        {"operation": "retrieveCampaign", "reason": "response body over 2048 bytes: not checked", "count": 1}
    ]


def test_requests_pass_through_unchanged(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr(), "/base", max_body=100)
    body = b'{"k": "v", "n": 1}' * 200  # larger than the limit below: streamed on

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        raw = "/echo/a%2Fb/caf%C3%A9?x=1&x=2&y=%20"
        headers = {
            **AUTH,
            "X-App-Token": "secret",
            "Cookie": "session=abc; theme=dark",
            "Content-Type": "application/json",
            "Connection": "keep-alive, x-drop-me",
            "X-Drop-Me": "1",
        }
        return [
            await client.post(raw, content=body, headers=headers),
            await client.get("/echo/plain", headers={"X-Forwarded-For": "192.0.2.1"}),
        ]

    posted, plain = drive(proxy, scenario)
    seen = posted.json()
    assert seen["method"] == "POST"
    assert seen["raw_path"] == "/base/echo/a%2Fb/caf%C3%A9"
    assert seen["query"] == "x=1&x=2&y=%20"
    assert seen["body"] == body.decode()
    headers = dict(seen["headers"])
    assert headers["authorization"] == AUTH["Authorization"]
    assert headers["x-app-token"] == "secret"
    assert headers["cookie"] == "session=abc; theme=dark"
    assert headers["host"] == urlsplit(proxy.target).netloc
    assert headers["x-forwarded-host"] == "proxy.test"
    assert headers["x-forwarded-for"] == "10.0.0.7"
    assert "x-drop-me" not in headers and "connection" not in headers
    assert dict(plain.json()["headers"])["x-forwarded-for"] == "192.0.2.1, 10.0.0.7"


@pytest.mark.parametrize(
    ("api", "expected"),
    [
        (None, {"error": {"code": "contract_violation"}}),
        ("vinr", {"error": {"type": "api_error", "code": "response_validation_failed", "param": None}}),
    ],
)
def test_strict_turns_a_broken_response_into_a_502_in_the_api_format(
    proxy_for: ProxyFor, api: str | None, expected: dict[str, Any]
) -> None:
    plugin = api_class(api)(clock=Clock()) if api else None
    proxy = proxy_for(wrong_vinr(), strict=True, errors=ErrorFormat(plugin))

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [await client.get("/v1/campaigns/cmp_wrongtype"), await client.get("/v1/campaigns/cmp_good")]

    broken, good = drive(proxy, scenario, AUTH)
    assert broken.status_code == 502
    error = broken.json()["error"]
    for key, value in expected["error"].items():
        assert error[key] == value
    assert "retrieveCampaign" in error["message"]
    assert "redemption_count: '5' is not of type 'integer'" in error["message"]
    assert violations(broken) == ["response: redemption_count: '5' is not of type 'integer'"]
    assert good.status_code == 200 and violations(good) == []


def test_strict_with_voucherify_uses_the_vendor_error_format() -> None:
    errors = ErrorFormat(VoucherifyAPI(clock=Clock()))
    status, headers, body = errors.render(Problem(ProblemKind.RESPONSE_INVALID, "broken"), 502)
    payload = json.loads(body)
    assert status == 502 and payload["code"] == 502
    assert {"key", "message", "details", "request_id"} <= set(payload)
    assert (b"content-type", b"application/json") in headers


@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
def test_an_unreachable_upstream_is_a_502_naming_it(client: str) -> None:
    transport = httpx.AsyncHTTPTransport() if client == "httpx" else None
    errors = ErrorFormat(api_class("vinr")(clock=Clock()))
    proxy = ContractProxy(vinr_spec(), "http://127.0.0.1:9", transport=transport, errors=errors)

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.get("/v1/campaigns/cmp_x")

    response = drive(proxy, scenario, AUTH)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "internal_error"
    assert "could not get an answer from http://127.0.0.1:9" in response.json()["error"]["message"]
    assert proxy.log.as_json()["exchanges"] == 1


@pytest.mark.parametrize("client", ["httpx", "aiohttp"])
def test_an_answer_cut_short_is_a_502_not_a_broken_response(client: str) -> None:
    truncated = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        b'{"id": "cmp_'
    )
    with answering(truncated) as upstream:
        transport = httpx.AsyncHTTPTransport() if client == "httpx" else None
        proxy = ContractProxy(vinr_spec(), upstream, transport=transport)

        async def scenario(client: httpx.AsyncClient) -> httpx.Response:
            return await client.get("/v1/campaigns/cmp_x")

        response = drive(proxy, scenario, AUTH)
    assert response.status_code == 502
    assert response.json()["error"]["code"] == "upstream_unavailable"
    assert f"could not get an answer from {upstream}" in response.json()["error"]["message"]
    assert [v for v in proxy.log.as_json()["violations"] if v["side"] == "response"] == []


def test_head_responses_pass_with_their_headers_and_are_counted_unchecked(proxy_for: ProxyFor) -> None:
    proxy = proxy_for(wrong_vinr())

    async def scenario(client: httpx.AsyncClient) -> httpx.Response:
        return await client.head("/v1/campaigns/cmp_good")

    response = drive(proxy, scenario, AUTH)
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"] == "application/json"
    assert "contract-violations" not in response.headers
    assert proxy.log.as_json()["not_checked"] == [
        {"operation": "retrieveCampaign", "reason": "HEAD response: its (absent) body is not checked", "count": 1}
    ]


def test_a_raw_path_beyond_ascii_is_passed_on_percent_encoded(proxy_for: ProxyFor) -> None:
    """Bytes HTTP does not allow in a request target (some clients send them raw): encoded, so
    that the upstream gets a valid request; escapes already there are kept as they are."""
    proxy = proxy_for(wrong_vinr())
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": "/echo/café/a/b", "raw_path": b"/echo/caf\xc3\xa9/a%2Fb",
        "root_path": "", "query_string": b"q=%C3%A9", "headers": [(b"host", b"proxy.test")],
        "client": ("10.0.0.7", 4000), "server": ("proxy.test", 80),
    }
    sent: list[dict[str, Any]] = []

    async def run() -> None:
        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        try:
            await proxy(scope, receive, send)
        finally:
            await proxy.aclose()

    asyncio.run(run())
    assert sent[0]["status"] == 200
    seen = json.loads(b"".join(m.get("body", b"") for m in sent[1:]))
    assert seen["raw_path"] == "/echo/caf%C3%A9/a%2Fb"
    assert seen["query"] == "q=%C3%A9"


def test_the_default_client_keeps_upstream_connections_open() -> None:
    """aiohttp's pool: one connection for sequential requests, bodies read whole or not."""
    ports: list[int] = []
    inner = wrong_vinr()

    async def recording(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            ports.append(scope["client"][1])
        await inner(scope, receive, send)

    with serving(recording) as upstream:
        proxy = ContractProxy(vinr_spec(), upstream, max_body=2048)

        async def scenario(client: httpx.AsyncClient) -> list[int]:
            paths = ["/v1/campaigns/cmp_good", "/v1/campaigns/cmp_big", "/v1/campaigns/cmp_good"]
            return [(await client.get(path)).status_code for path in paths * 2]

        statuses = drive(proxy, scenario, AUTH)
    assert statuses == [200] * 6
    assert len(ports) == 6 and len(set(ports)) == 1, ports


def test_a_target_with_a_query_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="takes no query"):
        ContractProxy(vinr_spec(), "http://upstream.test/base?key=1")


def test_in_front_of_the_mock_nothing_is_found(proxy_for: ProxyFor) -> None:
    mock = create_app(["vinr"])
    proxy = proxy_for(mock)

    async def scenario(client: httpx.AsyncClient) -> list[int]:
        statuses = []
        created = await client.post(
            "/v1/campaigns", json={"name": "Through the proxy", "type": "coupon", "ends_at": 4102444800}
        )
        campaign = created.json()["id"]
        coupon = await client.post(
            "/v1/coupons", json={"code": "PROXY10", "campaign": campaign, "percent_off": 10}
        )
        for response in (
            created,
            coupon,
            await client.get("/v1/campaigns", params={"limit": 3, "active": "true"}),
            await client.get(f"/v1/campaigns/{campaign}"),
            await client.post(f"/v1/campaigns/{campaign}", json={"name": "Renamed"}),
            await client.post(
                "/v1/redemptions", json={"coupon": "PROXY10", "order": {"amount": 4999, "currency": "usd"}}
            ),
            await client.get("/v1/events", params={"limit": 5}),
            await client.get("/v1/offers"),
            await client.get("/v1/campaigns/cmp_doesnotexist"),
            await client.delete(f"/v1/campaigns/{campaign}"),
            await client.get(f"/v1/campaigns/{campaign}"),
        ):
            assert violations(response) == [], response.text
            statuses.append(response.status_code)
        return statuses

    statuses = drive(proxy, scenario, AUTH)
    assert statuses == [200, 200, 200, 200, 200, 200, 200, 200, 404, 200, 404]
    assert proxy.log.as_json()["total"] == 0


def test_in_front_of_the_mock_bad_requests_are_the_clients_only(proxy_for: ProxyFor) -> None:
    mock = create_app(["vinr"])
    proxy = proxy_for(mock)

    async def scenario(client: httpx.AsyncClient) -> list[httpx.Response]:
        return [
            await client.post("/v1/campaigns", json={"name": 5, "type": "coupon"}, headers=AUTH),
            await client.get("/v1/campaigns"),
            await client.post("/v1/campaigns", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"}),
        ]

    for response in drive(proxy, scenario):
        assert response.status_code in (400, 401)
        assert violations(response) and all(v.startswith("request: ") for v in violations(response))
    assert {v["side"] for v in proxy.log.as_json()["violations"]} == {"request"}


def test_gzip_helper_reads_what_servers_send() -> None:
    from mockserver.proxy.app import _decode

    data = b'{"a": 1}'
    assert _decode(gzip.compress(data), "gzip", 100) == data
    assert _decode(data, "identity", 100) == data
    assert _decode(zlib.compress(data), "deflate", 100) == data
    assert _decode(b"xx", "br", 100) is None
    assert _decode(gzip.compress(b"x" * 1000), "gzip", 100) is None  # over the limit once decoded
