"""A deliberately wrong VINR server: each route breaks the contract in one known way.

The proxy tests put :class:`~mockserver.proxy.app.ContractProxy` in front of it and check that
each break is found (and that the right routes are found clean).
"""

from __future__ import annotations

import gzip
import json
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

GOOD: dict[str, Any] = {
    "id": "cmp_6Eg4rSWelcome",
    "object": "campaign",
    "name": "Welcome Coupons 2026",
    "type": "coupon",
    "starts_at": 1767225600,
    "ends_at": 1893456000,
    "active": True,
    "status": "running",
    "redemption_count": 5,
    "metadata": {"team": "growth"},
    "created": 1765791000,
}

#: Campaign id -> (status, content type, body, extra headers, what breaks the contract).
CAMPAIGNS: dict[str, tuple[int, str, Any, dict[str, str], str | None]] = {
    "cmp_good": (200, "application/json", GOOD, {}, None),
    "cmp_wrongtype": (
        200, "application/json", {**GOOD, "redemption_count": "5"}, {},
        "redemption_count: '5' is not of type 'integer'",
    ),
    "cmp_missing": (
        200, "application/json", {k: v for k, v in GOOD.items() if k != "name"}, {},
        "'name' is a required property",
    ),
    "cmp_extra": (
        200, "application/json", {**GOOD, "colour": "red"}, {},
        "Additional properties are not allowed ('colour' was unexpected)",
    ),
    "cmp_enum": (
        200, "application/json", {**GOOD, "status": "paused"}, {},
        "status: 'paused' is not one of ['scheduled', 'running', 'deactivated', 'ended']",
    ),
    "cmp_teapot": (418, "application/json", {"tea": True}, {}, "Unknown response http status: 418"),
    "cmp_html": (200, "text/html", "<p>hello</p>", {}, "text/html"),
    "cmp_gone": (
        404, "application/json",
        {"error": {"type": "invalid_request_error", "code": "resource_missing",
                   "message": "No such campaign: 'cmp_gone'", "param": "id"}},
        {}, None,
    ),
}


def _body(content_type: str, body: Any) -> bytes:
    return body.encode() if isinstance(body, str) else json.dumps(body).encode()


async def retrieve(request: Request) -> Response:
    ident = request.path_params["id"]
    if ident == "cmp_gzip":  # broken, and compressed: found after decoding
        raw = gzip.compress(json.dumps({**GOOD, "active": "yes"}).encode())
        return Response(raw, 200, {"content-encoding": "gzip"}, media_type="application/json")
    if ident == "cmp_big":  # valid, but larger than the proxy's body limit in the tests
        big = {**GOOD, "metadata": {f"key{i}": "x" * 400 for i in range(40)}}
        return Response(json.dumps(big).encode(), 200, media_type="application/json")
    if ident not in CAMPAIGNS:
        ident = "cmp_gone"
    status, content_type, body, headers, _ = CAMPAIGNS[ident]
    return Response(_body(content_type, body), status, headers, media_type=content_type)


async def list_campaigns(request: Request) -> Response:
    # answers 200 whatever it is sent: no credentials, limit=500, ...
    listing = {"object": "list", "data": [GOOD], "has_more": False, "url": "/v1/campaigns"}
    return Response(json.dumps(listing).encode(), 200, media_type="application/json")


async def create_campaign(request: Request) -> Response:
    body = await request.json()
    campaign = {**GOOD, "id": "cmp_new", "name": body.get("name", "x")}
    headers = {"Idempotent-Replayed": "perhaps"}  # the spec allows only 'true'
    return Response(json.dumps(campaign).encode(), 200, headers, media_type="application/json")


async def echo(request: Request) -> Response:
    """Everything the upstream received, to check that the proxy changes nothing."""
    body = await request.body()
    seen = {
        "method": request.method,
        "path": request.url.path,
        "raw_path": request.scope.get("raw_path", b"").decode(),
        "query": request.scope.get("query_string", b"").decode(),
        "headers": [[k.decode(), v.decode()] for k, v in request.scope["headers"]],
        "body": body.decode("latin-1"),
    }
    return Response(json.dumps(seen).encode(), 200, media_type="application/json")


def wrong_vinr() -> Starlette:
    return Starlette(
        routes=[
            Route("/v1/campaigns", list_campaigns, methods=["GET"]),
            Route("/v1/campaigns", create_campaign, methods=["POST"]),
            Route("/v1/campaigns/{id}", retrieve, methods=["GET", "HEAD"]),
            Route("/echo/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE"]),
            Route("/base/echo/{rest:path}", echo, methods=["GET", "POST", "PUT", "DELETE"]),
        ]
    )
