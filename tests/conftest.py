"""Shared test fixtures.

Safety net: after every test, every mock server the test built must have produced no
response that breaks its own contract (and no handler crash). A test that provokes
violations on purpose says so with ``@pytest.mark.expects_violations``.

State backends: the apps built by the fixtures below keep their state where ``state_url``
says. The black-box modules of :data:`ALL_BACKENDS` run once per backend (memory, SQLite, a
real Redis), the others on memory only; ``--state-backends memory,sqlite`` narrows the list.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import create_app
from mockserver.clock import Clock
from mockserver.runtime import MockServer

from .servers import flush, redis_server

AUTH = {"Authorization": "Bearer sk_test_123"}

#: Black-box modules run against every state backend (the rest run on memory only, to keep
#: ``make test`` within minutes): VINR's campaigns, redemptions (every rule), clock-driven
#: events, rollback and concurrency, and Voucherify's create, read, update, delete, through HTTP.
ALL_BACKENDS = {
    "tests.vinr.test_campaigns",
    "tests.vinr.test_concurrency",
    "tests.vinr.test_events",
    "tests.vinr.test_redemptions",
    "tests.vinr.test_rollback",
    "tests.voucherify.test_campaign",
    "tests.voucherify.test_create",
}
BACKENDS = ("memory", "sqlite", "redis")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--state-backends",
        default=",".join(BACKENDS),
        help="State backends the black-box modules run against (comma-separated; default: all).",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "state_url" not in metafunc.fixturenames or metafunc.module.__name__ not in ALL_BACKENDS:
        return
    chosen = [b for b in metafunc.config.getoption("--state-backends").split(",") if b]
    unknown = set(chosen) - set(BACKENDS)
    if unknown:
        raise pytest.UsageError(f"--state-backends: unknown {sorted(unknown)}; known: {BACKENDS}")
    metafunc.parametrize("state_url", chosen, indirect=True)


def assert_no_violations(app: Any) -> None:
    violations = app.mock.violations()
    assert not violations, f"the mock broke its own contract: {violations}"


@pytest.fixture(autouse=True)
def _no_contract_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    before = set(MockServer.instances)
    yield
    if request.node.get_closest_marker("expects_violations"):
        return
    for server in set(MockServer.instances) - before:
        violations = server.violations()
        assert not violations, f"the mock broke its own contract: {violations}"


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real ``redis-server`` for the whole session (skips when it is not installed)."""
    with redis_server(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty state of the backend ``request.param`` names (memory, sqlite, redis)."""
    kind = getattr(request, "param", "memory")
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'state.db'}"
    if kind == "redis":
        url: str = request.getfixturevalue("redis_url")
        flush(url)
        return url
    return "memory"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vinr_app(clock: Clock, state_url: str) -> Iterator[Any]:
    app = create_app(["vinr"], clock=clock, state=state_url)
    yield app
    app.mock.close()
    assert_no_violations(app)


@pytest.fixture
def client(vinr_app: Any) -> Iterator[TestClient]:
    with TestClient(vinr_app, headers=AUTH) as test_client:
        yield test_client


@pytest.fixture
def empty_app(clock: Clock, state_url: str) -> Iterator[Any]:
    from mockserver.applications import ApiOptions

    app = create_app([ApiOptions("vinr", no_fixtures=True)], clock=clock, state=state_url)
    yield app
    app.mock.close()
    assert_no_violations(app)


@pytest.fixture
def empty_client(empty_app: Any) -> Iterator[TestClient]:
    with TestClient(empty_app, headers=AUTH) as test_client:
        yield test_client
