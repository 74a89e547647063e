"""Admin API fixtures: an in-process mock and a client whose every admin response is checked
against the admin API's own OpenAPI document (``mockserver/admin/openapi.yaml``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_schema_validator import OAS30Validator
from starlette.testclient import TestClient

from mockserver.admin.api import AdminAPI
from mockserver.applications import create_app
from mockserver.clock import Clock
from mockserver.documents import load_document
from mockserver.routing import RouteIndex

from ..conftest import assert_no_violations

ADMIN_SPEC = load_document(AdminAPI.spec_path)
ADMIN_OPENAPI = OpenAPI.from_dict(ADMIN_SPEC)
#: The admin document's operations by path template (``/faults/{faultId}``) and method.
ADMIN_ROUTES: RouteIndex[str] = RouteIndex()
for _template, _item in ADMIN_SPEC["paths"].items():
    for _method in _item:
        ADMIN_ROUTES.add(_template, _method, _item[_method]["operationId"])
TOKEN = {"Authorization": "Bearer admin"}
#: The API's own credential (VINR accepts any key when started without --api-key).
API_KEY = {"Authorization": "Bearer sk_test_123"}


@dataclass
class _Request:
    """An httpx request as openapi-core reads one."""

    request: httpx.Request
    parameters: RequestParameters = field(init=False)

    def __post_init__(self) -> None:
        self.parameters = RequestParameters(
            query=dict(self.request.url.params), header=dict(self.request.headers)
        )

    @property
    def host_url(self) -> str:
        return f"{self.request.url.scheme}://{self.request.url.netloc.decode()}"

    @property
    def path(self) -> str:
        return self.request.url.path

    @property
    def method(self) -> str:
        return self.request.method.lower()

    @property
    def body(self) -> bytes | None:
        return self.request.content or None

    @property
    def content_type(self) -> str:
        return self.request.headers.get("content-type", "")


@dataclass
class _Response:
    response: httpx.Response

    @property
    def data(self) -> bytes:
        return self.response.content

    @property
    def status_code(self) -> int:
        return self.response.status_code

    @property
    def content_type(self) -> str:
        return self.response.headers.get("content-type", "")

    @property
    def headers(self) -> Mapping[str, str]:
        return self.response.headers


def documented(method: str, path: str) -> bool:
    """Whether the admin document has an operation for ``method`` on ``path`` (under /__admin)."""
    relative = path.removeprefix("/__admin") or "/"
    match = ADMIN_ROUTES.match(method, relative)
    return match is not None and match.target is not None


def check_admin_response(response: httpx.Response) -> None:
    """Every admin response matches the admin document: its operation's response, or (for a
    method or path the document does not have) the document's error format."""
    response.read()
    request = response.request
    path = urlsplit(str(request.url)).path
    if not (path == "/__admin" or path.startswith("/__admin/")) or path == "/__admin/openapi.json":
        return
    if path.startswith("/__admin/ui"):
        return
    if documented(request.method, path):
        ADMIN_OPENAPI.validate_response(_Request(request), _Response(response))
        return
    assert response.headers["content-type"] == "application/json", response.headers
    errors = list(
        OAS30Validator(ADMIN_SPEC["components"]["schemas"]["Error"]).iter_errors(response.json())
    )
    assert not errors, (response.text, errors)


@pytest.fixture
def admin_app(clock: Clock) -> Iterator[Any]:
    app = create_app(["vinr"], clock=clock)
    yield app
    assert_no_violations(app)


def checked_client(app: Any, base_url: str = "http://127.0.0.1", **kwargs: Any) -> TestClient:
    """A test client of ``app`` checking every admin response against the admin document."""
    client = TestClient(app, base_url=base_url, **kwargs)
    client.event_hooks = {"request": [], "response": [check_admin_response]}
    return client


@pytest.fixture
def admin(admin_app: Any) -> Iterator[TestClient]:
    """A loopback client sending the admin token."""
    with checked_client(admin_app, headers=TOKEN) as client:
        yield client


@pytest.fixture
def anonymous(admin_app: Any) -> Iterator[TestClient]:
    """A loopback client sending no credentials."""
    with checked_client(admin_app) as client:
        yield client
