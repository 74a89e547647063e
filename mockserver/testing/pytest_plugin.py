"""pytest fixtures for client teams (loaded by pytest through the ``pytest11`` entry point).

``vinr_mock``, ``voucherify_mock``
    A real HTTP server of the API (any HTTP client works) on a free loopback port, started
    once per session (per xdist worker) in a background thread, reset to its fixtures (and
    real time) before every test that uses it. See :class:`~mockserver.testing.MockHandle`.
``mock_server_factory``
    ``mock_server_factory(api="vinr", fixtures=None, api_keys=None, no_fixtures=False)``: a
    server started with other settings, kept for the session (one per distinct setting) and
    reset before the test gets it.

A test after which a mock it used has recorded contract violations (responses that broke
the API's own spec: always a bug in the mock) fails, naming them, unless it is marked
``@pytest.mark.expects_violations``.
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.testing.handle import MockConfig, MockHandle, MockPool

#: The handles the running test uses, by configuration (each reset once, when first used).
_USED = pytest.StashKey[dict[MockConfig, MockHandle]]()

EXPECTS_VIOLATIONS = "expects_violations"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{EXPECTS_VIOLATIONS}: the test makes the mock break its contract on purpose "
        "(mockserver does not fail it for the violations it records)",
    )


@pytest.fixture(scope="session")
def mockserver_pool() -> Iterator[MockPool]:
    """The session's running mock servers (one per configuration)."""
    pool = MockPool()
    yield pool
    pool.close()


def _use(request: pytest.FixtureRequest, pool: MockPool, config: MockConfig) -> MockHandle:
    used: dict[MockConfig, MockHandle] = request.node.stash.setdefault(_USED, {})
    handle = used.get(config)
    if handle is None:
        handle = used[config] = pool.get(config)
        handle.reset()
    return handle


@pytest.fixture
def vinr_mock(request: pytest.FixtureRequest, mockserver_pool: MockPool) -> MockHandle:
    """A VINR mock with its fixtures, at ``vinr_mock.url``, accepting ``vinr_mock.api_key``."""
    return _use(request, mockserver_pool, MockConfig.build("vinr"))


@pytest.fixture
def voucherify_mock(request: pytest.FixtureRequest, mockserver_pool: MockPool) -> MockHandle:
    """A Voucherify mock with its fixtures, at ``voucherify_mock.url``; send
    ``voucherify_mock.api_key`` as ``X-App-Id`` and ``X-App-Token`` (or as a bearer token)."""
    return _use(request, mockserver_pool, MockConfig.build("voucherify"))


@pytest.fixture
def mock_server_factory(
    request: pytest.FixtureRequest, mockserver_pool: MockPool
) -> Callable[..., MockHandle]:
    """``mock_server_factory(api="vinr", fixtures=None, api_keys=None, no_fixtures=False)``.

    ``fixtures``: a directory of fixture files to seed from instead of the API's own;
    ``api_keys``: the only keys accepted (default ``[DEFAULT_API_KEY]``; ``[]``: any key);
    ``no_fixtures``: start empty. Within one test, the same arguments give the same handle.
    """

    def factory(
        api: str = "vinr",
        *,
        fixtures: str | Path | None = None,
        api_keys: Iterable[str] | None = None,
        no_fixtures: bool = False,
    ) -> MockHandle:
        config = MockConfig.build(
            api, fixtures=fixtures, api_keys=api_keys, no_fixtures=no_fixtures
        )
        return _use(request, mockserver_pool, config)

    return factory


def describe_violations(handle: MockHandle, violations: list[Any]) -> str:
    lines = [
        f"the {handle.api} mock at {handle.url} recorded {len(violations)} contract "
        "violation(s) during this test (responses that broke its own spec; the client got a 500 "
        "instead). This is a bug in the mock, not in your client:"
    ]
    for violation in violations:
        reasons = "; ".join(violation.reasons)
        lines.append(f"  {violation.operation_id} (its {violation.status} response): {reasons}")
    return "\n".join(lines)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Generator[None, object, object]:
    try:
        result = yield
    except Exception as exc:
        for report in _reports(item):
            exc.add_note(report)
        raise
    reports = _reports(item)
    if reports:
        pytest.fail("\n".join(reports), pytrace=False)
    return result


def _reports(item: pytest.Item) -> list[str]:
    if item.get_closest_marker(EXPECTS_VIOLATIONS):
        return []
    reports = []
    for handle in item.stash.get(_USED, {}).values():
        if handle.running:
            violations = handle.violations()
            if violations:
                reports.append(describe_violations(handle, violations))
    return reports
