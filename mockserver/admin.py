"""The admin API under ``/__admin``, outside every mocked API's contract.

``GET  /__admin/health``      which APIs are mounted where.
``POST /__admin/reset``       every API back to its fixtures (``?api=NAME`` for one).
``GET  /__admin/clock``       the mock's current time.
``POST /__admin/clock``       move it: ``{"advance": seconds}``, ``{"set": unix}``,
                              ``{"freeze": true|false}`` or ``{"reset": true}``.
``GET  /__admin/violations``  responses that broke the contract (always a bug).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.types import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from mockserver.runtime import MockServer

PREFIX = "/__admin"


class AdminMiddleware:
    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(PREFIX):
            await self.app(scope, receive, send)
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > 64 * 1024:
                break
        status, payload = self.dispatch(scope["method"], scope["path"][len(PREFIX) :], scope, body)
        data = json.dumps(payload).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(data)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})

    def dispatch(self, method: str, path: str, scope: Scope, body: bytes) -> tuple[int, Any]:
        server = self.server
        path = path.rstrip("/")
        if path == "/health" and method == "GET":
            return 200, {"status": "ok", "apis": server.describe()}
        if path == "/reset" and method == "POST":
            query = dict(
                pair.split("=", 1)
                for pair in scope.get("query_string", b"").decode().split("&")
                if "=" in pair
            )
            try:
                names = server.reset(query.get("api"))
            except KeyError as exc:
                return 404, {"error": f"no API named {exc.args[0]!r} is mounted"}
            return 200, {"reset": names}
        if path == "/clock" and method == "GET":
            return 200, server.clock_state()
        if path == "/clock" and method == "POST":
            try:
                command = json.loads(body or b"{}")
            except ValueError:
                return 400, {"error": "the body must be JSON"}
            if not isinstance(command, dict):
                return 400, {"error": "the body must be a JSON object"}
            return self._move_clock(command)
        if path == "/violations" and method == "GET":
            return 200, {"violations": [v.__dict__ for v in server.violations()]}
        return 404, {"error": f"unknown admin endpoint {method} {PREFIX}{path}"}

    def _move_clock(self, command: dict[str, Any]) -> tuple[int, Any]:
        clock = self.server.clock
        number = (int, float)
        if "advance" in command and isinstance(command["advance"], number):
            clock.advance(float(command["advance"]))
        elif "set" in command and isinstance(command["set"], number):
            clock.set(float(command["set"]))
        elif "freeze" in command and isinstance(command["freeze"], bool):
            clock.freeze() if command["freeze"] else clock.unfreeze()
        elif command.get("reset") is True:
            clock.reset()
        else:
            return 400, {
                "error": 'send {"advance": seconds}, {"set": unix}, {"freeze": bool} or {"reset": true}'
            }
        return 200, self.server.clock_state()
