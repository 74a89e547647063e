"""Every document of the corpus served by the generic plug-in: every inferred resource round-trips.

create -> retrieve -> list -> update (PUT/PATCH) -> delete -> 404, through HTTP, for every
resource `mockserver inspect` reports; every response validated by the pipeline (the session's
safety net fails a test on any contract violation).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import ApiOptions, create_app
from mockserver.generic.cli import describe
from tests.generic.corpus_support import KEY, NAMES, OFFICIAL_VOUCHERIFY, round_trip, spec_of

DOCUMENTS = [*NAMES, "voucherify-official"]


def _path(name: str) -> Path:
    if name == "voucherify-official":
        if not OFFICIAL_VOUCHERIFY.is_file():
            pytest.skip(f"the official Voucherify document is not at {OFFICIAL_VOUCHERIFY}")
        return OFFICIAL_VOUCHERIFY
    return spec_of(name)


def _headers(app: Any) -> dict[str, str]:
    """A bearer token (http bearer, OAuth 2) and every header API key the document declares."""
    spec = app.mock.runtimes[0].api.spec
    headers = {"Authorization": f"Bearer {KEY}"}
    for scheme in spec.get("components", {}).get("securitySchemes", {}).values():
        if scheme.get("type") == "apiKey" and scheme.get("in") == "header":
            headers[scheme["name"]] = KEY
    return headers


@pytest.fixture(scope="module", params=DOCUMENTS)
def served(request: pytest.FixtureRequest) -> Iterator[tuple[str, Any]]:
    app = create_app([ApiOptions("generic", spec=_path(request.param))])
    yield request.param, app
    assert app.mock.violations() == []


def test_every_inferred_resource_round_trips(served: tuple[str, Any]) -> None:
    name, app = served
    runtime = app.mock.runtimes[0]
    resources = runtime.api.generic.inference.resources
    with TestClient(app, headers=_headers(app)) as client:
        trips = [round_trip(client, runtime.base_path, resource) for resource in resources]
    unsatisfiable = [t.unsatisfiable for t in trips if t.unsatisfiable]
    if name == "voucherify-official":
        # the vendor's document has create bodies that are a `oneOf` of variants that all match
        # the same values (no property required to tell them apart): no request satisfies them
        assert len(unsatisfiable) <= 3, unsatisfiable
        assert len(trips) - len(unsatisfiable) >= 25
    else:
        assert unsatisfiable == []
    assert app.mock.violations() == []


def test_inspect_explains_every_operation(served: tuple[str, Any]) -> None:
    _, app = served
    inference = app.mock.runtimes[0].api.generic.inference
    text = describe(inference)
    for op in inference.document.operations:
        key = op.id or f"{op.method} {op.path}"
        assert (key in inference.actions) != (key in inference.left), key
        assert op.label in text
    for resource in inference.resources:
        assert f"resource {resource.name}" in text


def test_the_plugin_overrides_its_operations_and_the_rest_fall_back() -> None:
    spec = _path("voucherify-official")
    app = create_app([ApiOptions("voucherify", spec=spec)])
    headers = {"X-App-Id": "app", "X-App-Token": "token", "Authorization": "Bearer t"}
    with TestClient(app, headers=headers) as client:
        # the hand-written plug-in: the vendor's six seeded campaigns
        campaigns = client.get("/v1/campaigns")
        assert campaigns.status_code == 200
        assert campaigns.json()["data_ref"] == "campaigns"
        assert campaigns.json()["total"] == 6
        # inferred from the document: customers are stored, listed and deleted
        created = client.post("/v1/customers", json={"source_id": "c-1", "name": "Ann"})
        assert created.status_code == 200
        customer = created.json()
        assert customer["object"] == "customer" and customer["name"] == "Ann"
        got = client.get(f"/v1/customers/{customer['id']}")
        assert got.json()["id"] == customer["id"]
        listed = client.get("/v1/customers").json()
        assert [c["id"] for c in listed["customers"]] == [customer["id"]]
        assert listed["total"] == 1
        assert client.delete(f"/v1/customers/{customer['id']}").status_code == 204
        assert client.get("/v1/customers").json()["customers"] == []
        # no operation answers 501 any more: each is served, by its handler or the fallback
        runtime = app.mock.runtimes[0]
        assert all(runtime.dispatcher(op) is not None for op in runtime.validators.values())
        assert len(runtime.validators) == 241
    assert app.mock.violations() == []
