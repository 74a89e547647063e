"""A bare reverse proxy for ``bench/proxy.py``: aiohttp's client pool behind uvicorn, no checks.

    python bench/passthrough.py PORT UPSTREAM

It forwards method, path, query, headers and body and answers with the upstream's status,
headers and body, nothing else: what any Python proxy on this stack pays for the extra hop,
the floor under ``mockserver proxy``'s figure.
"""

from __future__ import annotations

import sys
from typing import Any

import aiohttp
import uvicorn
from yarl import URL

HOP_BY_HOP = {b"connection", b"keep-alive", b"transfer-encoding", b"te", b"trailer", b"upgrade", b"host"}


def application(target: str) -> Any:
    """The pass-through's ASGI application, forwarding to ``target``."""
    upstream = URL(target)
    state: dict[str, aiohttp.ClientSession] = {}

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    state["session"] = aiohttp.ClientSession(
                        auto_decompress=False,
                        skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
                    )
                    await send({"type": "lifespan.startup.complete"})
                else:
                    await state["session"].close()
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        url = upstream.with_path(scope["raw_path"].decode(), encoded=True).with_query(
            scope["query_string"].decode()
        )
        headers = [(k.decode(), v.decode()) for k, v in scope["headers"] if k not in HOP_BY_HOP]
        async with state["session"].request(scope["method"], url, headers=headers, data=body or None) as response:
            content = await response.read()
            raw = [(k, v) for k, v in response.raw_headers if k.lower() not in HOP_BY_HOP]
            await send({"type": "http.response.start", "status": response.status, "headers": raw})
            await send({"type": "http.response.body", "body": content})

    return app


def main() -> None:
    app = application(sys.argv[2])
    port = int(sys.argv[1])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False,
                server_header=False, date_header=False)


if __name__ == "__main__":
    main()
