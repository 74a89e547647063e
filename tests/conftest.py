"""Shared test fixtures. Every app built here fails the test if the mock ever produced
a response that breaks its own contract (or a handler raised)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import create_app
from mockserver.clock import Clock

AUTH = {"Authorization": "Bearer sk_test_123"}


def assert_no_violations(app: Any) -> None:
    violations = app.mock.violations()
    assert not violations, f"the mock broke its own contract: {violations}"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def vinr_app(clock: Clock) -> Iterator[Any]:
    app = create_app(["vinr"], clock=clock)
    yield app
    assert_no_violations(app)


@pytest.fixture
def client(vinr_app: Any) -> Iterator[TestClient]:
    with TestClient(vinr_app, headers=AUTH) as test_client:
        yield test_client


@pytest.fixture
def empty_app(clock: Clock) -> Iterator[Any]:
    from mockserver.applications import ApiOptions

    app = create_app([ApiOptions("vinr", no_fixtures=True)], clock=clock)
    yield app
    assert_no_violations(app)


@pytest.fixture
def empty_client(empty_app: Any) -> Iterator[TestClient]:
    with TestClient(empty_app, headers=AUTH) as test_client:
        yield test_client
