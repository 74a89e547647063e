"""The ``Prefer`` header (Prism-compatible): every documented status of one operation, named
examples, generated bodies (seeded), and what is refused."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver import spec
from mockserver.apis.vinr import VinrAPI
from mockserver.applications import ApiOptions, create_app
from mockserver.clock import Clock

from ..admin.conftest import TOKEN, checked_client
from ..conftest import AUTH, assert_no_violations
from .conftest import error_code, journal
from .shop import ShopAPI, spec_file

CAMPAIGN = {"name": "Preferred", "type": "coupon", "ends_at": 4102444800}
CREATE = spec.load(VinrAPI.spec_path).operation("createCampaign")


@pytest.mark.parametrize("status", sorted(CREATE.responses))
def test_every_documented_status_of_one_operation(
    app: Any, api: TestClient, admin: TestClient, status: str
) -> None:
    before = app.mock.api("vinr").store.dump()
    response = api.post("/v1/campaigns", json=CAMPAIGN, headers={"Prefer": f"code={status}"})
    assert response.status_code == int(status)
    documented = CREATE.responses[status].json
    assert documented is not None
    if documented.example is not spec.MISSING:
        assert response.json() == documented.example  # the example, when there is one
    else:
        assert set(response.json()) >= set(documented.schema.required if documented.schema else ())
    # the handler never ran: nothing was created, and the answer kept the contract
    assert app.mock.api("vinr").store.dump() == before
    assert app.mock.violations() == []
    [entry] = journal(admin)
    assert (entry["prefer"], entry["status"]) == (f"code={status}", int(status))


def test_an_undocumented_code_is_a_400_naming_the_codes_that_exist(api: TestClient) -> None:
    response = api.get("/v1/campaigns", headers={"Prefer": "code=404"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["param"]) == ("parameter_invalid", "Prefer")
    assert "it documents 200, 400, 401" in error["message"]
    for bad in ("code=abc", "code=2000"):
        assert api.get("/v1/campaigns", headers={"Prefer": bad}).status_code == 400


def test_an_invalid_request_is_still_refused(api: TestClient) -> None:
    response = api.post("/v1/campaigns", json={"name": 5}, headers={"Prefer": "code=200"})
    assert response.status_code == 400
    assert response.json()["error"]["param"] in ("name", "type", "ends_at")


def test_other_preferences_are_ignored(api: TestClient) -> None:
    response = api.get("/v1/campaigns/cmp_6Eg4rSWelcome", headers={"Prefer": "return=minimal"})
    assert response.status_code == 200
    assert response.json()["id"] == "cmp_6Eg4rSWelcome"


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Any]:
    app = create_app([ApiOptions("shop", spec=spec_file(tmp_path), api_cls=ShopAPI)], seed=7)
    yield app
    assert_no_violations(app)


def get(app: Any, prefer: str | None = None) -> Any:
    headers = {"Prefer": prefer} if prefer else {}
    with TestClient(app, base_url="http://127.0.0.1") as client:
        return client.get("/items/itm_lamp", params={"api_key": "k"}, headers=headers)


def test_a_named_example_of_the_success_or_of_a_status(shop: Any) -> None:
    chair = get(shop, "example=chair")
    assert (chair.status_code, chair.json()["id"]) == (200, "itm_chair")
    lamp = get(shop, "code=200; example=lamp")
    assert lamp.json()["id"] == "itm_lamp"
    limited = get(shop, "code=429")
    assert limited.status_code == 429
    assert limited.json() == {"code": "rate_limited", "message": "Too many requests."}
    assert limited.headers["retry-after"] == "30"  # documented headers come too


def test_an_unknown_example_is_a_400_naming_those_that_exist(shop: Any) -> None:
    response = get(shop, "example=sofa")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_parameter"
    assert "known: chair, lamp" in response.json()["message"]


def test_a_status_documented_by_its_schema_alone_gets_a_body_made_from_it(shop: Any) -> None:
    missing = get(shop, "code=404")
    assert missing.status_code == 404
    assert set(missing.json()) == {"code", "message"}
    # a code only `default` covers is documented too
    assert get(shop, "code=503").status_code == 503


def test_dynamic_bodies_are_generated_and_reproducible_with_the_seed(tmp_path: Path) -> None:
    def run(seed: int) -> list[dict[str, Any]]:
        clock = Clock()
        clock.freeze(at=1767225600)  # generated timestamps come from the mock's clock
        app = create_app(
            [ApiOptions("shop", spec=spec_file(tmp_path), api_cls=ShopAPI)], seed=seed, clock=clock
        )
        bodies = [get(app, "dynamic=true").json() for _ in range(3)]
        assert_no_violations(app)
        return bodies

    first = run(7)
    assert run(7) == first
    assert run(8) != first
    assert len({body["id"] for body in first}) == 3  # each answer drawn anew
    for body in first:
        assert body["id"].startswith("itm_") and "T" in body["created"]
        assert body not in ({"id": "itm_lamp"}, {"id": "itm_chair"})


def test_credentials_in_the_query_and_cookies_are_redacted(shop: Any) -> None:
    with TestClient(shop, base_url="http://127.0.0.1") as client, checked_client(
        shop, headers=TOKEN
    ) as admin:
        client.get("/items/itm_lamp", params={"api_key": "s3cret", "x": "1"})
        client.get("/items/itm_lamp", headers={"Cookie": "session=c00kie"})
        cookie, query = journal(admin)
        assert query["query"] == {"api_key": "[redacted]", "x": "1"}
        assert cookie["request"]["headers"]["cookie"] == "[redacted]"
        assert "s3cret" not in str(journal(admin)) and "c00kie" not in str(journal(admin))
        assert query["credential"].startswith("queryKey:")
        assert cookie["credential"].startswith("sessionCookie:")


def test_prefer_does_not_reach_the_admin_api(admin: TestClient) -> None:
    response = admin.get("/__admin/clock", headers={**TOKEN, "Prefer": "code=401"})
    assert response.status_code == 200


def test_prefer_on_voucherify(tmp_path: Path) -> None:
    app = create_app(["voucherify"])
    with TestClient(app, base_url="http://127.0.0.1", headers={"X-App-Id": "a", "X-App-Token": "b"}) as client:
        response = client.get("/v1/campaigns/camp_1", headers={"Prefer": "code=404"})
        assert response.status_code == 404
        assert response.json()["key"] == "not_found"
    assert_no_violations(app)


def test_error_code_helper_reads_vinr(api: TestClient) -> None:
    response = api.get("/v1/campaigns", headers={"Prefer": "code=401"})
    assert (response.status_code, error_code(response)) == (401, "authentication_required")
    assert AUTH  # the client did send credentials: the answer is the documented example
