"""The fixtures' pinned vouchers and async actions: read back exactly as written, counted in
their campaign, restored by a reset on every state backend; and every inconsistent fixture
refused at start with an error naming its file and record."""

from __future__ import annotations

import contextlib
import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.apis.voucherify import VoucherifyAPI
from mockserver.applications import ApiOptions, create_app
from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError

from ..conftest import BACKENDS, assert_no_violations
from .conftest import AUTH, fixture_campaigns
from .helpers import assert_error

DEFAULTS = VoucherifyAPI.default_fixtures
every_backend = pytest.mark.parametrize("state_url", BACKENDS, indirect=True)


def fixture_records(resource: str) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads((DEFAULTS / f"{resource}.json").read_text(encoding="utf-8"))
    return records


PINNED = fixture_records("vouchers")[0]
ACTION = fixture_records("async_actions")[0]


def listed(voucher: dict[str, Any]) -> dict[str, Any]:
    """A voucher as lists show it (without its validation rules assignments)."""
    return {k: v for k, v in voucher.items() if k != "validation_rules_assignments"}


def campaign_record(campaign_id: str) -> dict[str, Any]:
    return next(c for c in fixture_campaigns() if c["id"] == campaign_id)


# -- the default fixtures, through HTTP ---------------------------------------------------------


@every_backend
def test_the_pinned_voucher_reads_back_as_written(vf_client: TestClient) -> None:
    response = vf_client.get(f"/v1/vouchers/{PINNED['code']}")
    assert response.status_code == 200, response.text
    assert response.json() == PINNED
    assert PINNED["metadata"] == {"channel": "newsletter"} and PINNED["category"] == "test"
    assert PINNED["expiration_date"] == "2030-12-31T23:59:59.000Z"


@every_backend
def test_the_pinned_voucher_is_listed_under_its_campaign_and_counted_in_it(vf_client: TestClient) -> None:
    campaign_id = PINNED["campaign_id"]
    by_campaign = vf_client.get("/v1/vouchers", params={"campaign_id": campaign_id})
    assert by_campaign.status_code == 200
    assert by_campaign.json() == {"object": "list", "data_ref": "vouchers", "vouchers": [listed(PINNED)], "total": 1}
    campaign = vf_client.get(f"/v1/campaigns/{campaign_id}").json()
    # the campaign's vouchers_count in campaigns.json counts the pinned voucher: none is generated
    assert campaign["vouchers_count"] == campaign_record(campaign_id)["vouchers_count"] == 1
    # every campaign holds as many vouchers as it counts, the pinned one included
    everything = vf_client.get("/v1/vouchers", params={"limit": 100}).json()
    assert everything["total"] == sum(c.get("vouchers_count", 0) for c in fixture_campaigns()) == 6
    assert PINNED["code"] in {v["code"] for v in everything["vouchers"]}


@every_backend
def test_the_fixture_async_action_reads_back_and_is_listed(vf_client: TestClient) -> None:
    response = vf_client.get(f"/v1/async-actions/{ACTION['id']}")
    assert response.status_code == 200, response.text
    assert response.json() == ACTION
    assert ACTION["type"] == "CAMPAIGN.VOUCHERS_GENERATE" and ACTION["result"]["done_count"] == 1
    actions = vf_client.get("/v1/async-actions").json()
    without_result = {k: v for k, v in ACTION.items() if k != "result"}
    assert actions == {"object": "list", "data_ref": "async_actions", "async_actions": [without_result], "has_more": False}


@every_backend
def test_reset_restores_the_pinned_voucher_and_the_action(vf_client: TestClient) -> None:
    campaign_id = PINNED["campaign_id"]
    deleted = vf_client.delete(f"/v1/campaigns/{campaign_id}", params={"force": "true"})
    assert deleted.status_code == 202, deleted.text
    assert_error(vf_client.get(f"/v1/vouchers/{PINNED['code']}"), 404, "not_found")
    assert len(vf_client.get("/v1/async-actions").json()["async_actions"]) == 2  # the delete's too
    admin = {"Host": "127.0.0.1", "Authorization": "Bearer admin"}  # loopback, any token
    reset = vf_client.post("/__admin/reset", headers=admin)
    assert reset.status_code == 200 and reset.json()["reset"] == ["voucherify"]
    assert vf_client.get(f"/v1/vouchers/{PINNED['code']}").json() == PINNED
    assert vf_client.get(f"/v1/campaigns/{campaign_id}").json()["vouchers_count"] == 1
    assert [a["id"] for a in vf_client.get("/v1/async-actions").json()["async_actions"]] == [ACTION["id"]]
    assert vf_client.get(f"/v1/async-actions/{ACTION['id']}").json() == ACTION


def test_the_pinned_code_is_taken_and_the_example_code_is_free(vf_client: TestClient) -> None:
    taken = vf_client.post(f"/v1/campaigns/{PINNED['campaign_id']}/vouchers/{PINNED['code']}", json={})
    assert_error(taken, 409, "duplicate_found")
    free = vf_client.post(f"/v1/campaigns/{PINNED['campaign_id']}/vouchers/10OFF-HxZ5P7w", json={})
    assert free.status_code == 200 and free.json()["code"] == "10OFF-HxZ5P7w"


# -- a fixtures directory of one's own ----------------------------------------------------------


def write_fixtures(directory: Path, **resources: list[dict[str, Any]]) -> Path:
    for name, records in resources.items():
        (directory / f"{name}.json").write_text(json.dumps(records), encoding="utf-8")
    return directory


def voucher(code: str, campaign_id: str, **changes: Any) -> dict[str, Any]:
    """The default pinned voucher, moved to ``code`` in ``campaign_id``."""
    campaign = campaign_record(campaign_id)
    record = copy.deepcopy(PINNED)
    record.update(id=f"v_{code}", code=code, campaign=campaign["name"], campaign_id=campaign_id)
    record["created_at"] = campaign["created_at"]
    record["discount"] = copy.deepcopy(campaign["voucher"]["discount"])
    record["redemption"]["quantity"] = campaign["voucher"]["redemption"]["quantity"]
    record["redemption"]["url"] = f"/v1/vouchers/{code}/redemptions?page=1&limit=10"
    record["publish"]["url"] = f"/v1/vouchers/{code}/publications?page=1&limit=10"
    record.update(changes)
    return record


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Any]:
    """``serve(**resources)``: a client of Voucherify started with these fixture files."""
    apps: list[Any] = []
    with contextlib.ExitStack() as stack:

        def serve(**resources: list[dict[str, Any]]) -> TestClient:
            directory = write_fixtures(tmp_path, **resources)
            app = create_app([ApiOptions(name="voucherify", fixtures=directory)], clock=Clock())
            apps.append(app)
            return stack.enter_context(TestClient(app, headers=AUTH))

        yield serve
    for app in apps:
        app.mock.close()
        assert_no_violations(app)


STATIC = "camp_HgsbCKauXmEoPnnh8aas0ISe"  # Static Campaign: AMOUNT 3000, redeemable once


def test_only_the_vouchers_not_pinned_are_generated(served: Any) -> None:
    campaigns = fixture_campaigns()
    static = next(c for c in campaigns if c["id"] == STATIC)
    static["vouchers_count"] = 3
    pinned = voucher("STATIC01", STATIC, category=None, category_id=None, categories=[], start_date=None, expiration_date=None)
    client = served(campaigns=campaigns, vouchers=[pinned])
    assert client.get(f"/v1/campaigns/{STATIC}").json()["vouchers_count"] == 3
    held = client.get("/v1/vouchers", params={"campaign_id": STATIC}).json()
    assert held["total"] == 3
    codes = {v["code"] for v in held["vouchers"]}
    assert "STATIC01" in codes
    # the other two from the campaign's code_config (8 letters and digits)
    assert all(re.fullmatch(r"[0-9a-zA-Z]{8}", code) for code in codes - {"STATIC01"})
    read = client.get("/v1/vouchers/STATIC01")
    assert read.status_code == 200 and read.json() == pinned
    assert read.json()["redemption"]["quantity"] == 1  # the campaign's limit


def test_a_pinned_voucher_keeps_its_own_values_over_its_campaign(served: Any) -> None:
    own = voucher(
        "OWN-1",
        STATIC,
        discount={"type": "AMOUNT", "amount_off": 1000, "effect": "APPLY_TO_ORDER"},
        redemption={"quantity": 5, "redeemed_quantity": 2, "object": "list", "url": "/v1/vouchers/OWN-1/redemptions?page=1&limit=10"},
        active=False,
        updated_at="2023-01-01T00:00:00.000Z",
    )
    client = served(campaigns=fixture_campaigns(), vouchers=[own])
    read = client.get("/v1/vouchers/OWN-1")
    assert read.status_code == 200 and read.json() == own
    # the campaign keeps its own definition
    assert client.get(f"/v1/campaigns/{STATIC}").json()["voucher"]["discount"]["amount_off"] == 3000


def start_error(tmp_path: Path, **resources: list[dict[str, Any]]) -> str:
    directory = write_fixtures(tmp_path, **resources)
    with pytest.raises(ConfigurationError) as raised:
        create_app([ApiOptions(name="voucherify", fixtures=directory)], clock=Clock())
    return str(raised.value)


def test_a_voucher_in_an_unknown_campaign_stops_the_start(tmp_path: Path) -> None:
    record = {**voucher("LOST-1", STATIC), "campaign_id": "camp_unknown"}
    message = start_error(tmp_path, campaigns=fixture_campaigns(), vouchers=[record])
    assert message == (
        f"{tmp_path / 'vouchers.json'}: voucher LOST-1: "
        "campaign camp_unknown is not among the fixture campaigns"
    )


def test_a_voucher_in_a_campaign_without_vouchers_stops_the_start(tmp_path: Path) -> None:
    promotion = {
        **{k: v for k, v in campaign_record(STATIC).items() if k not in ("voucher", "vouchers_count")},
        "id": "camp_Promo000000000000000001",
        "name": "Promotion",
        "campaign_type": "PROMOTION",
    }
    record = {**voucher("PROMO-1", STATIC), "campaign_id": promotion["id"]}
    message = start_error(tmp_path, campaigns=[*fixture_campaigns(), promotion], vouchers=[record])
    assert message == (
        f"{tmp_path / 'vouchers.json'}: voucher PROMO-1: campaign camp_Promo000000000000000001 "
        "is a PROMOTION campaign, which holds no vouchers"
    )


def test_a_code_pinned_twice_stops_the_start(tmp_path: Path) -> None:
    first = voucher("TWICE", STATIC)
    second = {**voucher("TWICE", STATIC), "id": "v_other"}
    campaigns = fixture_campaigns()
    next(c for c in campaigns if c["id"] == STATIC)["vouchers_count"] = 2
    message = start_error(tmp_path, campaigns=campaigns, vouchers=[first, second])
    assert message == f"{tmp_path / 'vouchers.json'}: voucher TWICE: the code appears twice"


def test_more_pinned_vouchers_than_the_campaign_counts_stops_the_start(tmp_path: Path) -> None:
    pinned = [voucher("ONE", STATIC), voucher("TWO", STATIC)]
    message = start_error(tmp_path, campaigns=fixture_campaigns(), vouchers=pinned)
    assert message == (
        f"{tmp_path / 'vouchers.json'}: voucher TWO: campaign {STATIC} holds 1 voucher(s) "
        "(its vouchers_count) and more are pinned to it; its vouchers_count counts them all"
    )


def test_a_voucher_that_would_read_back_otherwise_stops_the_start(tmp_path: Path) -> None:
    renamed = voucher("RENAMED", STATIC, campaign="Another name")
    message = start_error(tmp_path, campaigns=fixture_campaigns(), vouchers=[renamed])
    assert message == (
        f"{tmp_path / 'vouchers.json'}: voucher RENAMED: campaign reads back as 'Static Campaign', "
        "not 'Another name' as written"
    )


def test_an_async_action_the_mock_would_not_record_stops_the_start(tmp_path: Path) -> None:
    halfway = {**ACTION, "progress": 50}
    message = start_error(tmp_path, campaigns=fixture_campaigns(), async_actions=[halfway])
    assert message == (
        f"{tmp_path / 'async_actions.json'}: record {ACTION['id']}: progress reads back as 100, "
        "not 50 as written"
    )
    twice = start_error(tmp_path, campaigns=fixture_campaigns(), async_actions=[ACTION, ACTION])
    assert twice == f"{tmp_path / 'async_actions.json'}: record {ACTION['id']}: the id appears twice"


def test_a_fixture_that_fails_its_schema_names_file_and_record(tmp_path: Path) -> None:
    broken = {k: v for k, v in voucher("BROKEN", STATIC).items() if k != "publish"}
    message = start_error(tmp_path, campaigns=fixture_campaigns(), vouchers=[broken])
    assert message.startswith(f"{tmp_path / 'vouchers.json'}: record v_BROKEN does not match schema Voucher")
    assert "'publish' is a required property" in message
