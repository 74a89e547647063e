"""Whole-spec sweeps over every registered API (stripe-mock's TestResourcesCanBeGenerated).

- every operationId has a handler;
- every operation is reachable through the router and secured (401 in the API's format);
- every operation documents the error statuses it can produce.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import api_class, available_apis, load_document

METHODS = ("get", "put", "post", "delete", "patch")


def api_available(name: str) -> bool:
    try:
        cls = api_class(name)
    except (ImportError, AttributeError, ConfigurationError):
        return False
    return cls.spec_path.exists()


APIS = [pytest.param(name, id=name) for name in sorted(available_apis())]


def operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    ]


def skip_unless_available(name: str) -> None:
    if not api_available(name):
        pytest.skip(f"the {name} API has no default document (it serves the one given with --spec)")


@pytest.mark.parametrize("name", APIS)
def test_every_operation_has_a_handler(name: str) -> None:
    skip_unless_available(name)
    app = create_app([ApiOptions(name, no_fixtures=True)])
    api = app.mock.api(name)
    spec_ids = {op["operationId"] for _, _, op in operations(api.spec)}
    # an operation routed on purpose without a handler says so (and why), and documents its 501
    not_served = {op["operationId"] for _, _, op in operations(api.spec) if op.get("x-not-served")}
    assert spec_ids - not_served <= set(api.handlers()), spec_ids - not_served - set(api.handlers())
    assert not not_served & set(api.handlers()), not_served & set(api.handlers())
    for _, _, op in operations(api.spec):
        if op["operationId"] in not_served:
            assert "501" in op["responses"], op["operationId"]


@pytest.mark.parametrize("name", APIS)
def test_every_operation_is_routed_and_secured(name: str) -> None:
    skip_unless_available(name)
    app = create_app([ApiOptions(name, no_fixtures=True)])
    api = app.mock.api(name)
    with TestClient(app) as anonymous:
        for path, method, op in operations(api.spec):
            if op.get("security", api.spec.get("security")) in (None, [], [{}]):
                continue
            url = re.sub(r"\{[^}]+\}", "placeholder", path)
            response = anonymous.request(method.upper(), url)
            assert response.status_code == 401, (method, path, response.status_code, response.text)
    # each 401 went through response validation: it matches the operation's documented 401
    assert app.mock.violations() == []


def test_vinr_operations_document_their_error_statuses() -> None:
    spec = load_document(api_class("vinr").spec_path)
    for path, method, op in operations(spec):
        statuses = set(op["responses"])
        where = f"{method.upper()} {path}"
        assert {"400", "401"} <= statuses, where
        if "{" in path:
            assert "404" in statuses, where
        if "requestBody" in op:
            assert {"413", "415"} <= statuses, where
