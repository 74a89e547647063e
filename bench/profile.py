"""Profile the mock in-process: drive the ASGI app with synthetic requests, no sockets.

    python bench/profile.py [--api vinr] [--requests 3000] [--case get|list|create|invalid]
                            [--spec PATH] [--no-profile]

Prints the mean cost of one request through the whole stack (routing, security,
validation of request and response, handler, serialisation) and, unless
``--no-profile``, pyinstrument's view of where that time goes.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

CASES: dict[str, dict[str, Any]] = {
    "get": {"method": "GET", "path": "/v1/campaigns/cmp_6Eg4rSWelcome", "body": None},
    "list": {"method": "GET", "path": "/v1/campaigns", "query": b"limit=10", "body": None},
    "create": {
        "method": "POST",
        "path": "/v1/campaigns",
        "body": {"name": "Bench campaign", "type": "offer", "ends_at": 4102444800},
    },
    "invalid": {"method": "POST", "path": "/v1/campaigns", "body": {"name": 5, "type": "offer"}},
    "voucherify-list": {"method": "GET", "path": "/v1/campaigns", "query": b"limit=10", "body": None},
}


def build_app(api: str, spec: Path | None) -> Any:
    from mockserver.applications import ApiOptions, create_app

    return create_app([ApiOptions(name=api, spec=spec)], api_keys=())


async def drive(app: Any, case: dict[str, Any], count: int, headers: list[tuple[bytes, bytes]]) -> float:
    body = json.dumps(case["body"]).encode() if case["body"] is not None else b""
    hdrs = list(headers)
    if body:
        hdrs += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    scope_base = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": case["method"],
        "scheme": "http",
        "path": case["path"],
        "raw_path": case["path"].encode(),
        "root_path": "",
        "query_string": case.get("query", b""),
        "headers": hdrs,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    statuses: dict[int, int] = {}

    async def one() -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                return {"type": "http.disconnect"}
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1

        await app(dict(scope_base), receive, send)

    for _ in range(50):  # warm-up: lazy start-up work, caches
        await one()
    started = time.perf_counter()
    for _ in range(count):
        await one()
    elapsed = time.perf_counter() - started
    print(f"statuses: {statuses}")
    return elapsed / count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api", default="vinr")
    parser.add_argument("--spec", type=Path)
    parser.add_argument("--case", default="get", choices=sorted(CASES))
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--no-profile", action="store_true")
    args = parser.parse_args()

    started = time.perf_counter()
    app = build_app(args.api, args.spec)
    print(f"app built in {time.perf_counter() - started:.2f}s")
    auth = [(b"authorization", b"Bearer sk_profile")]
    if args.api == "voucherify":
        auth = [(b"x-app-id", b"profile"), (b"x-app-token", b"profile"), (b"authorization", b"Bearer profile")]
    case = CASES[args.case]
    if args.no_profile:
        per = asyncio.run(drive(app, case, args.requests, auth))
    else:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0002)
        profiler.start()
        per = asyncio.run(drive(app, case, args.requests, auth))
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"{args.case}: {per * 1e6:.0f} us per request in-process ({1 / per:.0f} req/s on one core)")


if __name__ == "__main__":
    main()
