"""How the proxy reaches the real server: one request out, its answer back, as raw HTTP parts.

:class:`ContractProxy <mockserver.proxy.app.ContractProxy>` forwards through an
:class:`Upstream`: ``send(method, target, headers, body)`` with the raw request target (path and
query, still percent-encoded), raw header pairs and the body (bytes, or an async iterator for a
body too large to hold), and gets an :class:`Answer` back: status, raw headers, and the body as
it arrives. Two clients implement it:

- :class:`AiohttpUpstream`, the default: aiohttp's connection pool and C parser, called
  directly, with nothing of its own added on the way (no ``User-Agent``, ``Accept``,
  ``Accept-Encoding`` or ``Content-Type`` the client did not send, no decompression, no
  cookie jar, no redirects);
- :class:`HttpxUpstream`: any ``httpx.AsyncBaseTransport`` (``httpx.AsyncHTTPTransport``,
  ``httpx_aiohttp.AiohttpTransport``, ``httpx.ASGITransport`` to put an ASGI app behind the
  proxy in-process, as the tests do), through httpx's request and response objects.

Why two: in front of a fast upstream, the proxy's own CPU time per request is what limits its
throughput, and httpx's objects were a third of it. ``httpx.URL`` checks every character of
every URL in Python (20-30 µs of CPU for a 50-character URL here, against under 1 µs for
yarl's), and ``httpx.Request``/``Response`` add their header normalisation and stream
wrappers: ``bench/profile_proxy.py`` measures the proxy at 300-420 µs of CPU per small GET on
aiohttp directly, 500-650 µs through ``httpx-aiohttp``'s transport (``--client httpx``). The
default therefore speaks to aiohttp; httpx stays the interface for every other transport.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol
from urllib.parse import quote_from_bytes

import aiohttp
import httpx
from yarl import URL

from mockserver.exceptions import ConfigurationError

RawHeaders = list[tuple[bytes, bytes]]
#: A request body: whole, or streamed on (what was read already, then the rest).
Body = bytes | AsyncIterator[bytes]

#: Characters kept as they are when a raw request target holds bytes beyond ASCII (those are
#: percent-encoded): everything a URL may carry, ``%`` included, so escapes stay escapes.
_TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"
#: What aiohttp raises when the upstream cannot be reached or stops answering.
_AIOHTTP_ERRORS = (TimeoutError, aiohttp.ClientError, OSError)
#: The same through httpx (httpx-aiohttp maps most of aiohttp's errors to httpx's, not all).
_HTTPX_ERRORS = (httpx.HTTPError, *_AIOHTTP_ERRORS)


class UpstreamError(Exception):
    """The upstream could not be reached, or failed before its answer was read."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(f"{type(cause).__name__}: {cause}")
        self.kind = type(cause).__name__


class Answer:
    """The upstream's response: status, raw headers (as received), and the body as it arrives."""

    __slots__ = ("status", "headers", "_chunks")

    def __init__(self, status: int, headers: RawHeaders, chunks: AsyncIterator[bytes]) -> None:
        self.status = status
        self.headers = headers
        self._chunks = chunks

    async def read_upto(self, limit: int) -> tuple[bytes, bool]:
        """The body, whole (``True``), or its first chunks past ``limit`` (``False``)."""
        parts: list[bytes] = []
        size = 0
        async for chunk in self._chunks:
            parts.append(chunk)
            size += len(chunk)
            if size > limit:
                return b"".join(parts), False
        return b"".join(parts), True

    def rest(self) -> AsyncIterator[bytes]:
        """What :meth:`read_upto` left unread."""
        return self._chunks

    async def aclose(self) -> None:
        """Give the connection back to the pool (or close it, when the body was not read whole)."""


class Upstream(Protocol):
    """A client for one upstream server."""

    #: The server's origin and base path, e.g. ``http://127.0.0.1:9000/base`` (for messages).
    target: str

    async def send(self, method: str, target: bytes, headers: RawHeaders, body: Body) -> Answer:
        """Send the request; ``target`` is the raw path and query, below the base path.

        Raises :class:`UpstreamError` when no answer comes back.
        """
        ...

    async def aclose(self) -> None:
        """Close the pooled connections."""
        ...


def split_target(target: str) -> tuple[str, bytes]:
    """(origin, base path without its trailing slash) of an ``http(s)://`` target URL."""
    url = httpx.URL(target)
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"--target must be an http(s) URL, not {target!r}")
    if url.query or url.fragment:
        raise ConfigurationError(f"--target takes no query or fragment: {target!r}")
    origin = f"{url.scheme}://{url.netloc.decode('ascii')}"
    return origin, url.raw_path.rstrip(b"/")


def _ascii_target(target: bytes) -> str:
    """The raw target as text; bytes beyond ASCII (which HTTP does not allow there, but some
    clients send) percent-encoded."""
    if target.isascii():
        return target.decode("ascii")
    return quote_from_bytes(target, safe=_TARGET_SAFE)


class AiohttpUpstream:
    """:class:`Upstream` over an ``aiohttp.ClientSession`` (created on first use, in the loop)."""

    def __init__(self, target: str, *, timeout: float = 30.0, max_connections: int = 100) -> None:
        origin, prefix = split_target(target)
        self.target = origin + prefix.decode("ascii")
        self._timeout = aiohttp.ClientTimeout(
            total=None, connect=timeout, sock_connect=timeout, sock_read=timeout
        )
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        """The connection pool, set up to change nothing on the way."""
        self._session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self._max_connections),
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
            timeout=self._timeout,
        )
        return self._session

    async def send(self, method: str, target: bytes, headers: RawHeaders, body: Body) -> Answer:
        session = self._session or self._open()
        url = URL(self.target + _ascii_target(target), encoded=True)
        try:
            response = await session.request(
                method,
                url,
                headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in headers],
                data=body or None,
                allow_redirects=False,
            )
        except _AIOHTTP_ERRORS as exc:
            raise UpstreamError(exc) from exc
        return _AiohttpAnswer(response)

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


class _AiohttpAnswer(Answer):
    __slots__ = ("_response",)

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        super().__init__(response.status, list(response.raw_headers), _aiohttp_chunks(response))
        self._response = response

    async def read_upto(self, limit: int) -> tuple[bytes, bool]:
        length = self._response.content_length
        if length is not None and length <= limit:  # the common case: one read, no loop
            try:
                return await self._response.read(), True
            except _AIOHTTP_ERRORS as exc:
                raise UpstreamError(exc) from exc
        return await super().read_upto(limit)

    async def aclose(self) -> None:
        if self._response.content.is_eof():
            self._response.release()
        else:
            self._response.close()


async def _aiohttp_chunks(response: aiohttp.ClientResponse) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.content.iter_any():
            yield chunk
    except _AIOHTTP_ERRORS as exc:
        raise UpstreamError(exc) from exc


class HttpxUpstream:
    """:class:`Upstream` over an ``httpx.AsyncBaseTransport`` (no ``AsyncClient`` above it: a
    proxy wants none of its policies, redirects, cookie jar or auth)."""

    def __init__(
        self, target: str, transport: httpx.AsyncBaseTransport, *, timeout: float = 30.0
    ) -> None:
        origin, prefix = split_target(target)
        self.target = origin + prefix.decode("ascii")
        self.transport = transport
        self._origin = httpx.URL(origin)
        self._prefix = prefix
        self._extensions = {"timeout": httpx.Timeout(timeout).as_dict()}

    async def send(self, method: str, target: bytes, headers: RawHeaders, body: Body) -> Answer:
        url = self._origin.copy_with(raw_path=_ascii_target(self._prefix + target).encode("ascii"))
        request = httpx.Request(method, url, headers=headers, content=body, extensions=self._extensions)
        try:
            response = await self.transport.handle_async_request(request)
        except _HTTPX_ERRORS as exc:
            raise UpstreamError(exc) from exc
        return _HttpxAnswer(response)

    async def aclose(self) -> None:
        await self.transport.aclose()


class _HttpxAnswer(Answer):
    __slots__ = ("_response",)

    def __init__(self, response: httpx.Response) -> None:
        super().__init__(response.status_code, list(response.headers.raw), _httpx_chunks(response))
        self._response = response

    async def aclose(self) -> None:
        await self._response.aclose()


async def _httpx_chunks(response: httpx.Response) -> AsyncIterator[bytes]:
    try:
        async for chunk in response.aiter_raw():
            yield chunk
    except _HTTPX_ERRORS as exc:
        raise UpstreamError(exc) from exc
