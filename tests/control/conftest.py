"""Fixtures for the mock-control tests (journal, near misses, coverage, faults, Prefer, log).

An in-process VINR mock with a client sending its API key and an admin client whose every
admin response is checked against the admin API's own document.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.applications import create_app
from mockserver.clock import Clock

from ..admin.conftest import TOKEN, checked_client
from ..conftest import AUTH, assert_no_violations


@pytest.fixture
def app(clock: Clock) -> Iterator[Any]:
    built = create_app(["vinr"], clock=clock, seed=7)
    yield built
    assert_no_violations(built)


@pytest.fixture
def api(app: Any) -> Iterator[TestClient]:
    """A client of the mocked API (VINR's key)."""
    with TestClient(app, base_url="http://127.0.0.1", headers=AUTH) as client:
        yield client


@pytest.fixture
def admin(app: Any) -> Iterator[TestClient]:
    """A client of the admin API, its responses checked against the admin document."""
    with checked_client(app, headers=TOKEN) as client:
        yield client


def journal(admin: TestClient, **params: Any) -> list[dict[str, Any]]:
    response = admin.get("/__admin/requests", params=params)
    assert response.status_code == 200, response.text
    entries: list[dict[str, Any]] = response.json()["requests"]
    return entries


def count(admin: TestClient, **filters: Any) -> int:
    response = admin.post("/__admin/requests/count", json=filters)
    assert response.status_code == 200, response.text
    return int(response.json()["count"])


def error_code(response: httpx.Response) -> str:
    body = response.json()
    return str(body["error"]["code"])


__all__ = ["count", "error_code", "journal"]
