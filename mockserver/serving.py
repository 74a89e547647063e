"""Put an app on a socket: in the foreground (``mockserver serve``) or in a background thread
(the pytest plugin, any embedding).

The socket is bound **before** anything is printed or started, so a port that is taken is
reported at once, in one line, instead of after the server's banner
(:class:`BindError`). uvicorn then serves on that socket with the limits of
:mod:`mockserver.limits`.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import uvicorn

from mockserver.exceptions import ConfigurationError
from mockserver.limits import ServerLimits

T = TypeVar("T")

#: Connections the kernel queues while the server is busy.
BACKLOG = 2048


class BindError(ConfigurationError):
    """The address cannot be listened on (port taken, address not local, permission)."""

    def __init__(self, host: str, port: int, reason: OSError) -> None:
        self.host, self.port, self.reason = host, port, reason
        if reason.errno == errno.EADDRINUSE:
            why = f"port {port} is already in use (another server is running there)"
        elif reason.errno == errno.EACCES:
            why = f"permission denied for port {port}"
        elif reason.errno == errno.EADDRNOTAVAIL:
            why = f"{host} is not an address of this machine"
        else:
            why = reason.strerror or str(reason)
        super().__init__(
            f"cannot listen on {_netloc(host, port)}: {why}. "
            "Pick another port with --port N (--port 0: any free port)."
        )


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (``port`` 0: a free one), or :class:`BindError`."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise BindError(host, port, OSError(errno.EADDRNOTAVAIL, str(exc))) from None
    family, kind, proto, _name, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        # Listening now: a client connecting from here on waits in the queue until the
        # server accepts, rather than being refused.
        sock.listen(BACKLOG)
    except OSError as exc:
        sock.close()
        raise BindError(host, port, exc) from None
    sock.set_inheritable(True)
    return sock


def bound_port(sock: socket.socket) -> int:
    return int(sock.getsockname()[1])


def _netloc(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def http_url(host: str, port: int) -> str:
    """``http://host:port``, with an IPv6 address in brackets."""
    return f"http://{_netloc(host, port)}"


def server_config(
    app: Any,
    *,
    limits: ServerLimits | None = None,
    log_level: str = "info",
    configure_logging: bool = True,
) -> uvicorn.Config:
    """uvicorn's configuration for the mock (no access log: the mock logs its own line).

    ``configure_logging=False`` leaves the process's logging alone (inside a test run).
    """
    options: dict[str, Any] = {"log_level": log_level, "access_log": False}
    if not configure_logging:
        options["log_config"] = None
    return uvicorn.Config(app, **options, **(limits or ServerLimits()).uvicorn_options())


def serve_forever(config: uvicorn.Config, sock: socket.socket) -> None:
    """Serve on ``sock`` in this thread until interrupted (Ctrl+C, SIGTERM); returns once the
    server has shut down gracefully, as ``uvicorn.run`` does (uvicorn raises the signal it
    caught again after its shutdown: the KeyboardInterrupt of a Ctrl+C ends here)."""
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except KeyboardInterrupt:
        pass


class BackgroundServer:
    """uvicorn serving an app on a bound socket, in a daemon thread of this process.

    >>> server = BackgroundServer(server_config(app), bind("127.0.0.1", 0)).start()
    >>> server.url                  # http://127.0.0.1:<port>
    >>> server.call(do_something)   # runs on the server's event loop, between requests
    >>> server.stop()
    """

    def __init__(self, config: uvicorn.Config, sock: socket.socket) -> None:
        self._server = uvicorn.Server(config)
        self._socket = sock
        self.host, self.port = sock.getsockname()[:2]
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"mockserver:{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return http_url(str(self.host), int(self.port))

    def start(self, timeout: float = 30.0) -> BackgroundServer:
        """Start serving; returns once the server accepts requests (or raises why not)."""
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"the mock server at {self.url} failed to start") from self._failure
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the mock server at {self.url} did not start within {timeout} s")
            time.sleep(0.005)
        return self

    def call(self, function: Callable[[], T], timeout: float = 30.0) -> T:
        """Run ``function`` on the server's event loop (between two requests) and return its
        result: state changes made this way never interleave with a request being served."""
        if self._loop is None or not self._thread.is_alive():
            raise RuntimeError(f"the mock server at {self.url} is not running")

        async def run() -> T:
            return function()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop serving: running requests get the configured shutdown time, then the thread ends."""
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._socket.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive() and bool(self._server.started)

    def _run(self) -> None:
        async def main() -> None:
            self._loop = asyncio.get_running_loop()
            await self._server.serve(sockets=[self._socket])

        try:
            asyncio.run(main())
        except BaseException as exc:  # reported by start(); a daemon thread has no one else
            self._failure = exc
