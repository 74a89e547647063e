"""What ``mockserver serve`` accepts from a connection: sizes of the request head, and timeouts.

uvicorn covers part of it with its own settings, passed through by :meth:`ServerLimits.uvicorn_options`:

=====================  =================================  ======================================
limit                  how                                when it is exceeded
=====================  =================================  ======================================
``keep_alive``         uvicorn ``timeout_keep_alive``     an idle kept-alive connection is closed
``max_connections``    uvicorn ``limit_concurrency``      new requests get ``503``
``shutdown_timeout``   uvicorn ``timeout_graceful_        requests still running are cancelled
                       shutdown``                         on shutdown
``max_url``            :class:`LimitedProtocol`           ``414 URI Too Long``
``max_header_bytes``   :class:`LimitedProtocol`           ``431 Request Header Fields Too Large``
``max_headers``        :class:`LimitedProtocol`           ``431``
``header_timeout``     :class:`LimitedProtocol`           ``408 Request Timeout``, closed
``body_timeout``       :class:`LimitedProtocol`           ``408`` (or closed if answered), closed
=====================  =================================  ======================================

The rest has no setting in uvicorn's httptools protocol (the fast one, and the one uvicorn
picks): llhttp, through httptools, has no limit on the request line or the headers, and
both uvicorn (``self.url += url``) and httptools (each header value) build them by
concatenating every chunk, so a 64 MiB header costs time quadratic in its size and memory
several times it. h11 has one setting (``h11_max_incomplete_event_size``, the whole head)
answered with a ``400``, no URL or header-count limit, no read timeout, and is slower.
So :class:`LimitedProtocol` is uvicorn's httptools protocol with a small guard:

* the parser is fed at most ``max_url + max_header_bytes`` (+ a little for the method and
  version) bytes of a request head: a head still incomplete after that is refused with
  ``431`` without buffering the rest; the URL is refused with ``414`` as soon as it is
  longer than ``max_url``, and the headers with ``431`` as soon as their size or count is
  over the limit;
* a refusal is written, the connection half-closed, and whatever the client still sends
  is read and dropped (at most :data:`LINGER` seconds), so the client reads the answer
  instead of a reset;
* the head must arrive within ``header_timeout`` of the connection opening or of its first
  byte (a client sending one header line every few seconds is cut off), and the body
  within ``body_timeout`` of the end of the head. The application then sees a disconnect.

It also gives the application a way to close the connection without answering (a ``drop``
fault, :mod:`mockserver.pipeline.faults`): the callable in the request scope's
``extensions`` under :data:`DROP_EXTENSION`.
"""

from __future__ import annotations

import asyncio
import http
from dataclasses import dataclass
from typing import Any, ClassVar

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

#: Bytes of a request head besides the URL and the headers (method, version, line ends).
HEAD_SLACK = 256
#: How long a refused connection is read (and dropped) before it is closed, in seconds.
LINGER = 2.0
#: The scope extension holding a callable that closes the connection without an answer.
DROP_EXTENSION = "mockserver.drop"


@dataclass(frozen=True)
class ServerLimits:
    """Limits for ``mockserver serve``: sizes in bytes, timeouts in seconds."""

    max_url: int = 8 * 1024
    max_header_bytes: int = 16 * 1024
    max_headers: int = 100
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    keep_alive: float = 5.0
    max_connections: int = 1000
    shutdown_timeout: float = 5.0

    def uvicorn_options(self) -> dict[str, Any]:
        """Keyword arguments for ``uvicorn.run``/``uvicorn.Config`` enforcing these limits."""
        protocol = type("LimitedProtocol", (LimitedProtocol,), {"limits": self})
        return {
            "http": protocol,
            "ws": "none",
            "timeout_keep_alive": self.keep_alive,
            "limit_concurrency": self.max_connections,
            "timeout_graceful_shutdown": self.shutdown_timeout,
        }


class _Refused(Exception):
    """Raised from a parser callback: the request is refused with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class LimitedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on the request head and read timeouts."""

    limits: ClassVar[ServerLimits] = ServerLimits()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = self.limits
        self._head_budget = limits.max_url + limits.max_header_bytes + HEAD_SLACK
        self._reading_head = True  # between two requests, or inside a request's head
        self._head_started = False
        self._head_bytes = 0
        self._header_bytes = 0
        self._header_count = 0
        self._body_pending = False  # head complete, body not yet
        self._refusal: _Refused | None = None
        self._refused = False
        self._head_timer: asyncio.TimerHandle | None = None
        self._body_timer: asyncio.TimerHandle | None = None

    # -- connection --------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        # a connection that never sends a complete head is closed after header_timeout
        self._head_timer = self.loop.call_later(self.limits.header_timeout, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._cancel(self._head_timer)
        self._cancel(self._body_timer)
        self._head_timer = self._body_timer = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        while data and not self._refused:
            if not self._reading_head:
                self._feed(data)
                break
            room = self._head_budget - self._head_bytes
            if room <= 0:
                self._refuse(
                    431,
                    f"The request head is larger than {self._head_budget} bytes "
                    f"(URL up to {self.limits.max_url}, headers up to "
                    f"{self.limits.max_header_bytes}).",
                )
                return
            piece, data = data[:room], data[room:]
            self._head_bytes += len(piece)
            self._feed(piece)
        self._arm_timers()

    def _feed(self, data: bytes) -> None:
        """uvicorn's ``data_received``, answering a refusal raised by a callback below."""
        self._unset_keepalive_if_required()
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            refusal, self._refusal = self._refusal, None
            if refusal is not None:
                self._refuse(refusal.status, refusal.message)
            else:
                msg = "Invalid HTTP request received."
                self.logger.warning(msg)
                self.send_400_response(msg)
        except httptools.HttpParserUpgrade:
            # no WebSocket support is configured: uvicorn's warning, then plain HTTP
            self._unsupported_upgrade_warning()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._arm_timers()  # a pipelined request may start reading its body now

    # -- parser callbacks ----------------------------------------------------------------------

    def on_message_begin(self) -> None:
        self._head_started = True
        super().on_message_begin()

    def on_url(self, url: bytes) -> None:
        if len(self.url) + len(url) > self.limits.max_url:
            self._refusal = _Refused(
                414, f"The request URL is longer than {self.limits.max_url} bytes."
            )
            raise self._refusal
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        self._header_bytes += len(name) + len(value) + 4
        if self._header_count > self.limits.max_headers:
            self._refusal = _Refused(
                431, f"The request has more than {self.limits.max_headers} header fields."
            )
            raise self._refusal
        if self._header_bytes > self.limits.max_header_bytes:
            self._refusal = _Refused(
                431,
                f"The request's header fields are larger than {self.limits.max_header_bytes} "
                "bytes.",
            )
            raise self._refusal
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        extensions: dict[str, Any] = {**self.scope.get("extensions", {}), DROP_EXTENSION: self._drop}
        self.scope["extensions"] = extensions
        self._reading_head = False
        self._body_pending = True
        self._cancel(self._head_timer)
        self._head_timer = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._reading_head = True
        self._head_started = False
        self._body_pending = False
        self._head_bytes = self._header_bytes = self._header_count = 0
        self._cancel(self._body_timer)
        self._body_timer = None
        super().on_message_complete()

    # -- timeouts ------------------------------------------------------------------------------

    def _arm_timers(self) -> None:
        """Start the deadline of a head or body that is under way (once each)."""
        if self._refused or self.transport.is_closing():
            return
        if self._reading_head:
            if self._head_started and self._head_timer is None:
                self._head_timer = self.loop.call_later(
                    self.limits.header_timeout, self._head_timed_out
                )
        elif self._body_pending and self._body_timer is None and not self.pipeline:
            self._body_timer = self.loop.call_later(
                self.limits.body_timeout, self._body_timed_out
            )

    def _head_timed_out(self) -> None:
        self._head_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:
            self._write_refusal(
                408, f"The request head did not arrive within {self.limits.header_timeout} s."
            )
        self.transport.close()

    def _body_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is not None and not cycle.response_started:
            # the application sees a disconnect; nothing it sends goes out any more
            cycle.disconnected = True
            cycle.message_event.set()
            self._write_refusal(
                408, f"The request body did not arrive within {self.limits.body_timeout} s."
            )
        self.transport.close()

    def _drop(self) -> None:
        """Close the connection without answering the request being handled."""
        if self.cycle is not None:
            self.cycle.disconnected = True  # uvicorn then sends nothing more, and no 500
        self.transport.close()

    # -- refusing ------------------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        """Answer ``status``, half-close, drop what still comes, close after :data:`LINGER`."""
        self._refused = True
        self._cancel(self._head_timer)
        self._cancel(self._body_timer)
        self._head_timer = self._body_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            # a pipelined request is still being answered: its response must not be cut
            self.transport.close()
            return
        self.logger.warning("Refused a request: %s", message)
        self._write_refusal(status, message)
        self.flow.resume_reading()
        try:
            self.transport.write_eof()
        except (NotImplementedError, OSError, RuntimeError):
            self.transport.close()
            return
        self.loop.call_later(LINGER, self.transport.close)

    def _write_refusal(self, status: int, message: str) -> None:
        body = message.encode("ascii", "replace")
        phrase = http.HTTPStatus(status).phrase
        head = [
            f"HTTP/1.1 {status} {phrase}",
            "content-type: text/plain; charset=utf-8",
            f"content-length: {len(body)}",
            "connection: close",
        ]
        for name, value in self.server_state.default_headers:
            head.append(f"{name.decode('latin-1')}: {value.decode('latin-1')}")
        self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)

    @staticmethod
    def _cancel(timer: asyncio.TimerHandle | None) -> None:
        if timer is not None:
            timer.cancel()
