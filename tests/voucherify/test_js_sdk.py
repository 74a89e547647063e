"""The vendor's JavaScript SDK (``@voucherify/sdk`` 2.x) through every call of its campaigns
namespace, against the mock on a real port.

One node process runs the whole lifecycle (``js/lifecycle.cjs``) and reports what each call
answered; the tests below check those answers. The SDK is installed with npm by the test
set-up (:mod:`.js_sdk`); the vendor's own create examples come from its official document.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mockserver.applications import create_app

from ..conftest import assert_no_violations
from . import js_sdk
from .conftest import OFFICIAL_SPEC, official_request_examples, repaired_official_document, serve

NAME = "JS Summer 50% $ale / 2026"


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """What each step of the lifecycle answered (``{"ok": true, "value": ...}`` or the error)."""
    target = js_sdk.install()
    work = tmp_path_factory.mktemp("js")
    examples: dict[str, Any] = {}
    if OFFICIAL_SPEC.is_file():
        examples = official_request_examples(repaired_official_document(), "/v1/campaigns", "post")
    csv = work / "codes.csv"
    csv.write_text("Code,Category,Active,Colour\nJS-CSV-1,Imported,true,red\nJS-CSV-2,,false,blue\n")
    source = work / "input.json"
    source.write_text(json.dumps({"examples": examples, "csv": str(csv)}), encoding="utf-8")
    app = create_app(["voucherify"])
    with serve(app) as base_url:
        yield js_sdk.run_lifecycle(target, base_url, source)
    assert_no_violations(app)


def ok(steps: dict[str, Any], name: str) -> Any:
    step = steps[name]
    assert step["ok"], f"{name}: {step}"
    return step["value"]


def failed(steps: dict[str, Any], name: str, code: int, key: str) -> dict[str, Any]:
    step = steps[name]
    assert not step["ok"], f"{name} should have failed: {step}"
    assert (step["code"], step["key"]) == (code, key), step
    result: dict[str, Any] = step
    return result


def test_the_installed_sdk_is_the_pinned_major() -> None:
    assert js_sdk.version(js_sdk.install()).startswith("2.")


def test_the_vendors_own_create_examples(steps: dict[str, Any]) -> None:
    if not OFFICIAL_SPEC.is_file():
        pytest.skip(f"the vendor's official OpenAPI document is not at {OFFICIAL_SPEC}")
    created = {name[len("create ") :]: ok(steps, name) for name in steps if name.startswith("create ") and name[7:] in (
        "Discount Campaign", "Gift Card Campaign", "Loyalty Program", "Promotion", "Referral Program"
    )}
    assert set(created) == {"Discount Campaign", "Gift Card Campaign", "Loyalty Program", "Promotion", "Referral Program"}
    assert {c["campaign_type"] for c in created.values()} == {
        "DISCOUNT_COUPONS", "GIFT_VOUCHERS", "LOYALTY_PROGRAM", "PROMOTION", "REFERRAL_PROGRAM"
    }
    # the example's top-level `active: false` is honoured
    assert created["Promotion"]["active"] is False
    assert [t["name"] for t in created["Promotion"]["promotion"]["tiers"]] == [
        "Percent Discount", "Order more than $100"
    ]
    assert created["Referral Program"]["voucher"]["is_referral_code"] is True


def test_create_get_by_id_and_by_name(steps: dict[str, Any]) -> None:
    created = ok(steps, "create")
    assert created["vouchers_count"] == 0 and created["creation_status"] == "IN_PROGRESS"
    assert created["voucher"]["code_config"]["pattern"] == "JS-####"
    by_id, by_name = ok(steps, "get by id"), ok(steps, "get by name")
    assert by_id["id"] == by_name["id"] == created["id"]
    assert (by_id["vouchers_count"], by_id["creation_status"]) == (3, "DONE")
    assert by_id["categories"] == []


def test_update_disable_and_enable(steps: dict[str, Any]) -> None:
    updated = ok(steps, "update by name")
    assert updated["description"] == "From JS"
    assert updated["metadata"] == {"region": "EMEA", "team": "growth"}
    assert ok(steps, "disable") == {} and ok(steps, "enable") == {}
    assert ok(steps, "get disabled")["active"] is False
    assert ok(steps, "get enabled")["active"] is True


def test_add_vouchers(steps: dict[str, Any]) -> None:
    generated = ok(steps, "add voucher")
    assert generated["code"].startswith("JS-") and generated["object"] == "voucher"
    given = ok(steps, "add voucher with code")
    assert (given["code"], given["metadata"], given["campaign"]) == ("JS-CODE-1", {"channel": "email"}, NAME)
    assert ok(steps, "add vouchers")["async_action_id"].startswith("aa_")
    certain = ok(steps, "add certain voucher")
    assert (certain["code"], certain["additional_info"]) == ("JS-CODE-2", "given")
    assert certain["redemption"]["quantity"] == 2
    taken = failed(steps, "add a taken code", 409, "duplicate_found")
    assert taken["resource_type"] == "voucher"


def test_imports_are_async_actions_done_at_once(steps: dict[str, Any]) -> None:
    generated = ok(steps, "async add vouchers")
    assert (generated["type"], generated["status"]) == ("CAMPAIGN.VOUCHERS_GENERATE", "DONE")
    assert generated["result"] == {"message": "Generated 4 vouchers.", "done_count": 4}
    imported = ok(steps, "async import")
    assert imported["type"] == "CAMPAIGN.VOUCHERS_IMPORT"
    assert (imported["result"]["done_count"], imported["result"]["failed_count"]) == (2, 1)
    assert imported["result"]["failed"][0]["code"] == "JS-CODE-1"
    csv = ok(steps, "async import CSV")
    assert csv["type"] == "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    assert csv["result"]["done_count"] == 2
    listed = ok(steps, "async list")
    assert listed["object"] == "list" and len(listed["async_actions"]) == 3
    assert listed["has_more"] is True
    assert all("result" not in action for action in listed["async_actions"])


def test_the_vouchers_read_back(steps: dict[str, Any]) -> None:
    voucher = ok(steps, "voucher")
    assert (voucher["code"], voucher["campaign"], voucher["type"]) == ("JS-CODE-1", NAME, "DISCOUNT_VOUCHER")
    assert voucher["discount"] == {"type": "PERCENT", "percent_off": 50, "effect": "APPLY_TO_ORDER"}
    imported = ok(steps, "voucher imported")
    assert imported["active"] is False
    by_name, by_id = ok(steps, "vouchers by campaign name"), ok(steps, "vouchers by campaign id")
    codes = {v["code"] for v in by_name["vouchers"]}
    assert codes == {v["code"] for v in by_id["vouchers"]}
    assert {"JS-CODE-1", "JS-CODE-2", "JS-IMPORT-1", "JS-IMPORT-2", "JS-CSV-1", "JS-CSV-2"} <= codes
    csv = next(v for v in by_name["vouchers"] if v["code"] == "JS-CSV-1")
    assert (csv["category"], csv["metadata"]) == ("Imported", {"Colour": "red"})
    # vouchers_count is true: 3 generated, 1 + 1 + 4 + 1 added, 2 + 2 imported
    assert by_name["total"] == len(codes) == 14
    assert ok(steps, "get after vouchers")["vouchers_count"] == 14


def test_list_with_every_seed_001_parameter(steps: dict[str, Any]) -> None:
    every = ok(steps, "list")
    assert every["object"] == "list" and every["data_ref"] == "campaigns"
    assert len(every["campaigns"]) == 10 and every["total"] > 10
    paged = ok(steps, "list paged")
    assert [c["name"] for c in paged["campaigns"]] == ["Dynamic Discounts", "Loyalty Program Fall 2022"]
    loyalty = ok(steps, "list by type")
    assert {c["campaign_type"] for c in loyalty["campaigns"]} == {"LOYALTY_PROGRAM"}
    fall = next(c for c in loyalty["campaigns"] if c["name"] == "Loyalty Program Fall 2022")
    assert [c["id"] for c in fall["categories"]] == ["cat_0bb343dee3cdb5ec0c"]
    referral = ok(steps, "list by status and referral")
    assert {c["campaign_type"] for c in referral["campaigns"]} <= {"REFERRAL_PROGRAM"}
    filtered = ok(steps, "list filtered")
    assert sorted(c["name"] for c in filtered["campaigns"]) == sorted([NAME, "Static Campaign"])
    assert ok(steps, "list by area")["total"] == 0


def test_qualification_is_routed_and_not_served(steps: dict[str, Any]) -> None:
    failed(steps, "qualifications", 501, "not_implemented")


def test_delete_to_the_bin_and_for_good(steps: dict[str, Any]) -> None:
    assert ok(steps, "delete")["async_action_id"].startswith("aa_")
    action = ok(steps, "async delete")
    assert (action["type"], action["result"]) == (
        "CAMPAIGN.VOUCHERS_DELETE",
        {"message": "Deleted 14 vouchers.", "done_count": 14},
    )
    failed(steps, "get deleted", 404, "not_found")
    failed(steps, "voucher of deleted", 404, "not_found")
    failed(steps, "create deleted name", 409, "duplicate_found")
    assert ok(steps, "delete force")["async_action_id"].startswith("aa_")
    assert ok(steps, "create forced name")["name"] == "JS forced"


def test_every_campaigns_namespace_call_was_made(steps: dict[str, Any]) -> None:
    """create, update, get, delete, addVoucher, addCertainVoucher, importVouchers,
    importVouchersCSV, list, enable, disable, qualifications.examine."""
    lifecycle = Path(js_sdk.LIFECYCLE).read_text(encoding="utf-8")
    for call in (
        "create", "update", "get", "delete", "addVoucher", "addCertainVoucher", "importVouchers",
        "importVouchersCSV", "list", "enable", "disable", "qualifications.examine",
    ):
        assert f"campaigns.{call}(" in lifecycle, call
    assert all(step["ok"] or step["code"] in (404, 409, 501) for step in steps.values())
