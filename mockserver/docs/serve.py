"""The reference served by the running mock under ``/docs``.

``/docs/`` is the reference of the mounted API (with several APIs, a list linking
``/docs/<name>/``). Each site is built on its first request, for the address it was
requested at (so the samples and the try-it console call this very server), with its
examples run against a fresh in-process mock, never against the running one (whose state
is yours). Built sites are kept for the life of the process.
"""

from __future__ import annotations

import asyncio
import mimetypes
from typing import TYPE_CHECKING

from starlette.types import ASGIApp, Receive, Scope, Send

from mockserver.exceptions import ConfigurationError

if TYPE_CHECKING:
    from mockserver.docs.build import Built
    from mockserver.runtime import ApiRuntime, MockServer

PREFIX = "/docs"


class DocsMiddleware:
    """Serves ``/docs``; every other request goes on to the app."""

    def __init__(self, app: ASGIApp, server: MockServer) -> None:
        self.app = app
        self.server = server
        self._sites: dict[tuple[str, str], Built] = {}
        self._lock = asyncio.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not (path == PREFIX or path.startswith(PREFIX + "/")):
            await self.app(scope, receive, send)
            return
        if scope["method"] not in ("GET", "HEAD"):
            await _respond(send, 405, b"Method not allowed", "text/plain", {"allow": "GET, HEAD"})
            return
        if path == PREFIX:
            await _respond(send, 308, b"", "text/plain", {"location": PREFIX + "/"})
            return
        origin = _origin(scope)
        relative = path[len(PREFIX) + 1 :] or "index.html"
        if len(self.server.runtimes) > 1 and relative in {r.api.name for r in self.server.runtimes}:
            await _respond(send, 308, b"", "text/plain", {"location": f"{path}/"})
            return
        try:
            files = await self._files(origin, relative)
        except ConfigurationError as exc:  # a document the generator cannot read
            await _respond(send, 500, f"The docs cannot be built: {exc}".encode(), "text/plain")
            return
        if relative.endswith("/"):
            relative += "index.html"
        content = files.get(relative)
        if content is None:
            await _respond(send, 404, b"No such page in the docs.", "text/plain")
            return
        kind = "text/markdown" if relative.endswith(".md") else mimetypes.guess_type(relative)[0]
        body = content.encode()
        await _respond(
            send,
            200,
            b"" if scope["method"] == "HEAD" else body,
            kind or "text/plain",
            length=len(body),
        )

    async def _files(self, origin: str, relative: str) -> dict[str, str]:
        """The files of the site ``relative`` belongs to, keyed by path under ``/docs/``."""
        runtimes = self.server.runtimes
        if len(runtimes) == 1:
            return (await self._site(origin, runtimes[0])).files
        name, _, _ = relative.partition("/")
        for runtime in runtimes:
            if runtime.api.name == name:
                built = await self._site(origin, runtime)
                return {f"{name}/{path}": text for path, text in built.files.items()}
        from mockserver.docs.build import root_index

        sites = [await self._site(origin, runtime) for runtime in runtimes]
        return root_index(sites)

    async def _site(self, origin: str, runtime: ApiRuntime) -> Built:
        from mockserver.docs.build import Target, build_target  # the generator loads on first use

        key = (origin, runtime.api.name)
        async with self._lock:
            if key not in self._sites:
                api = runtime.api
                spec = api.spec_file if api.spec_file != type(api).spec_path else None
                target = Target(api=api.name, spec=spec)
                self._sites[key] = await asyncio.to_thread(
                    build_target,
                    target,
                    base_url=origin + runtime.base_path,
                    keep_going=True,
                )
            return self._sites[key]


def _origin(scope: Scope) -> str:
    headers = dict(scope.get("headers") or [])
    host = headers.get(b"host", b"").decode("latin-1")
    if not host:
        server = scope.get("server") or ("127.0.0.1", 80)
        host = f"{server[0]}:{server[1]}"
    return f"{scope.get('scheme', 'http')}://{host}"


async def _respond(
    send: Send,
    status: int,
    body: bytes,
    content_type: str,
    extra: dict[str, str] | None = None,
    *,
    length: int | None = None,
) -> None:
    headers = [
        (b"content-type", f"{content_type}; charset=utf-8".encode()),
        (b"content-length", str(len(body) if length is None else length).encode()),
    ]
    headers += [(k.encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
