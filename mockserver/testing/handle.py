"""One running mock, seen from the test process that owns it.

A :class:`MockHandle` is a real HTTP server (uvicorn, on a free loopback port, in a daemon
thread of this process) serving one API, plus in-process access to everything the admin API
offers: reset, the clock, the contract violations, the request journal, the spec coverage and
faults. Because the test process owns the server, none of it goes through HTTP: every call
(:meth:`MockHandle.reset`, :meth:`MockHandle.requests`, ``MockHandle.faults.add``...) runs on
the server's event loop between two requests, and :attr:`MockHandle.clock` *is* the clock the
API reads. Mock control is :mod:`mockserver.testing.control`.

:class:`MockPool` keeps one server per configuration for a whole test session.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from mockserver.quiet import third_party_imports
from mockserver.testing.control import MockFaults, count_requests, select_requests

if TYPE_CHECKING:
    from mockserver.clock import Clock
    from mockserver.runtime import MockServer, Violation
    from mockserver.serving import BackgroundServer

#: The API key the fixtures' servers accept (``Authorization: Bearer sk_test_mockserver``).
DEFAULT_API_KEY = "sk_test_mockserver"


@dataclass(frozen=True)
class MockConfig:
    """What a mock server is started with; two equal configurations can share a server."""

    api: str
    #: Fixtures directory instead of the API's own (``None``: the API's default fixtures).
    fixtures: Path | None = None
    #: The only keys accepted (empty: any non-empty key).
    api_keys: tuple[str, ...] = (DEFAULT_API_KEY,)
    #: Start with empty state.
    no_fixtures: bool = False

    @classmethod
    def build(
        cls,
        api: str,
        *,
        fixtures: str | Path | None = None,
        api_keys: Iterable[str] | None = None,
        no_fixtures: bool = False,
    ) -> MockConfig:
        if isinstance(api_keys, str):
            raise TypeError("api_keys is a list of keys, not one string")
        keys = (DEFAULT_API_KEY,) if api_keys is None else tuple(api_keys)
        return cls(
            api=api,
            fixtures=Path(fixtures).resolve() if fixtures is not None else None,
            api_keys=keys,
            no_fixtures=no_fixtures,
        )


class MockHandle:
    """A running mock of one API: where it is, and how to drive it from a test.

    ``url``          base URL of the API (``http://127.0.0.1:<port>``); Swagger UI at ``url + "/ui/"``
    ``api``          the API's name (``vinr``, ``voucherify``)
    ``api_key``      a key the mock accepts
    ``admin_token``  the bearer token of its admin API (``url + "/__admin/..."``)
    ``clock``        the mock's clock: ``advance(seconds)``, ``set(ts)``, ``freeze()``,
                     ``unfreeze()``, ``reset()``, ``timestamp()``
    ``reset()``      back to the fixtures, and the clock back to real time; forgets the
                     requests and removes the faults
    ``violations()`` responses that broke the contract since the last reset (always a bug)
    ``requests(**filters)``  the requests since the last reset, newest first, as
                     ``GET /__admin/requests`` lists them; filters ``api``, ``operation``,
                     ``method``, ``path`` (``*`` for anything), ``status`` (``404``, ``"4XX"``),
                     ``since``, and ``limit``
    ``count(**filters)``     how many of them match (``POST /__admin/requests/count``)
    ``coverage()``   the spec coverage report (``GET /__admin/coverage``): of every request
                     the server answered this session, not only since the last reset
    ``faults``       the faults in force: ``add(**fields)``, ``list()``, ``get(id)``,
                     ``remove(id)``, ``clear()`` (see :class:`~mockserver.testing.control.MockFaults`)

    A bad filter raises :class:`~mockserver.testing.InvalidFilter`, a bad fault
    :class:`~mockserver.testing.InvalidFault`, each naming the field (``.field``) with the
    admin API's message.
    """

    def __init__(
        self,
        config: MockConfig,
        server: BackgroundServer,
        mock: MockServer,
        admin_token: str,
    ) -> None:
        self.config = config
        self.api = config.api
        self.api_key = config.api_keys[0] if config.api_keys else DEFAULT_API_KEY
        self.admin_token = admin_token
        #: The in-process server object (its APIs, stores, clock).
        self.mock = mock
        self._server = server
        self._before: list[Violation] = []
        self._baseline: set[int] = set()
        #: The faults in force (``/__admin/faults``).
        self.faults = MockFaults(server, mock)

    @property
    def url(self) -> str:
        """Base URL of the API, without a trailing slash."""
        return self._server.url

    @property
    def clock(self) -> Clock:
        """The clock every time rule of the API reads (the same one ``/__admin/clock`` moves)."""
        return self.mock.clock

    @property
    def running(self) -> bool:
        return self._server.running

    def reset(self) -> None:
        """Every API of the server back to its fixtures, and the clock back to real time.

        Runs on the server's event loop, so it never lands in the middle of a request. Also
        starts a new window for :meth:`violations`.
        """

        def reset() -> None:
            self.mock.reset()
            self.mock.clock.reset()
            # held, not just their ids: an id is unique only while its object lives
            self._before = self.mock.violations()
            self._baseline = {id(v) for v in self._before}

        self._server.call(reset)

    def violations(self) -> list[Violation]:
        """Responses the mock produced since the last :meth:`reset` that broke the API's
        contract (each a bug in the mock: it answered 500 instead)."""
        return self._server.call(
            lambda: [v for v in self.mock.violations() if id(v) not in self._baseline]
        )

    def requests(self, *, limit: int | None = None, **filters: Any) -> list[dict[str, Any]]:
        """The requests the mock answered since the last :meth:`reset`, newest first, each as
        ``GET /__admin/requests`` shows it (credentials redacted), matching every filter given:
        ``api``, ``operation`` (operationId), ``method``, ``path`` (exact, or with ``*``),
        ``status`` (``404`` or ``"4XX"``), ``since`` (Unix seconds, wall clock); at most
        ``limit``."""
        return self._server.call(lambda: select_requests(self.mock, limit, filters))

    def count(self, **filters: Any) -> int:
        """How many requests since the last :meth:`reset` match ``filters`` (those of
        :meth:`requests`): ``handle.count(operation="createRedemption", status=200) == 1``."""
        return self._server.call(lambda: count_requests(self.mock, filters))

    def coverage(self) -> dict[str, Any]:
        """The spec coverage report, as ``GET /__admin/coverage`` gives it: per operation, the
        calls, the statuses produced and never produced, the parameters never sent.

        It counts every request the server answered since it started (a reset keeps it, as
        ``POST /__admin/reset`` does): the fixtures' servers live for the session.
        """
        return self._server.call(self._coverage_report)

    def _coverage_report(self) -> dict[str, Any]:
        """:meth:`coverage`, computed in the calling thread: only for a server that has stopped
        (or from its own event loop)."""
        return self.mock.control.coverage.report(self.mock.runtimes)

    def close(self) -> None:
        """Stop the server (the port is freed)."""
        self._server.stop()

    def __enter__(self) -> MockHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<MockHandle {self.api} at {self.url}>"


def start_mock(
    api: str = "vinr",
    *,
    fixtures: str | Path | None = None,
    api_keys: Sequence[str] | None = None,
    no_fixtures: bool = False,
    host: str = "127.0.0.1",
    port: int = 0,
) -> MockHandle:
    """Start a mock of ``api`` in a background thread; returns once it accepts requests.

    ``api_keys``: the only keys accepted (default: :data:`DEFAULT_API_KEY`; ``[]``: any
    non-empty key). ``port`` 0 picks a free port. Stop it with :meth:`MockHandle.close` (or
    use it as a context manager).
    """
    config = MockConfig.build(api, fixtures=fixtures, api_keys=api_keys, no_fixtures=no_fixtures)
    return _start(config, host=host, port=port)


def _start(config: MockConfig, *, host: str = "127.0.0.1", port: int = 0) -> MockHandle:
    with third_party_imports():
        from mockserver.admin import AdminOptions
        from mockserver.applications import ApiOptions, create_app
        from mockserver.serving import BackgroundServer, bind, server_config

        token = "adm_" + secrets.token_urlsafe(16)
        app = create_app(
            [ApiOptions(config.api, fixtures=config.fixtures, no_fixtures=config.no_fixtures)],
            api_keys=config.api_keys,
            admin=AdminOptions(token=token, bound_host=host),
        )
    sock = bind(host, port)
    try:
        server = BackgroundServer(
            server_config(app, log_level="warning", configure_logging=False), sock
        ).start()
    except BaseException:
        sock.close()
        raise
    handle = MockHandle(config, server, app.mock, token)
    handle.reset()
    return handle


class MockPool:
    """One running server per configuration, started on first use, stopped by :meth:`close`."""

    def __init__(self) -> None:
        self._handles: dict[MockConfig, MockHandle] = {}
        #: Every handle started, including those that stopped and were replaced.
        self.started: list[MockHandle] = []

    def get(self, config: MockConfig) -> MockHandle:
        handle = self._handles.get(config)
        if handle is None or not handle.running:
            handle = self._handles[config] = _start(config)
            self.started.append(handle)
        return handle

    def coverage_reports(self) -> list[dict[str, Any]]:
        """The coverage report of every server this pool started (running or not)."""
        return [
            handle.coverage() if handle.running else handle._coverage_report()
            for handle in self.started
        ]

    def close(self) -> None:
        handles, self._handles = list(self._handles.values()), {}
        for handle in handles:
            handle.close()
