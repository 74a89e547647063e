"""GET, PUT and DELETE /v1/campaigns/{campaignId}, enable and disable: by id and by name."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .conftest import fixture_campaigns
from .helpers import assert_error, create, discount_campaign, get, path

FIXTURES = {c["name"]: c for c in fixture_campaigns()}


# -- get ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["$20 OFF Entire Order", "3% OFF Entire Order", "Static Campaign"])
def test_get_by_id_and_by_url_encoded_name(vf_client: TestClient, name: str) -> None:
    by_id = get(vf_client, FIXTURES[name]["id"])
    assert get(vf_client, name) == by_id
    # A single campaign adds its validation rules to the list view.
    assert by_id.pop("validation_rules_assignments") == {
        "object": "list",
        "data_ref": "data",
        "data": [],
        "total": 0,
    }
    # seed 002: `categories` is always there, empty for a campaign without one
    assert by_id.pop("categories") == []
    assert by_id == FIXTURES[name]


def test_get_shows_the_category(vf_client: TestClient) -> None:
    campaign = get(vf_client, "Dynamic Discounts")
    assert (campaign["category"], campaign["category_id"]) == ("test", "cat_0b688929a2476386a8")
    assert campaign["categories"] == [
        {"id": "cat_0b688929a2476386a8", "name": "test", "object": "category"}
    ]


def test_the_id_wins_over_a_name(vf_client: TestClient) -> None:
    created = create(
        vf_client, {"name": "camp_HgsbCKauXmEoPnnh8aas0ISe", "campaign_type": "PROMOTION"}
    )
    assert get(vf_client, "camp_HgsbCKauXmEoPnnh8aas0ISe")["name"] == "Static Campaign"
    assert get(vf_client, created["id"])["name"] == "camp_HgsbCKauXmEoPnnh8aas0ISe"


@pytest.mark.parametrize("ident", ["camp_unknown", "static campaign", "Static Campaign "])
def test_unknown_campaign_is_404_not_found(vf_client: TestClient, ident: str) -> None:
    body = assert_error(vf_client.get(path(ident)), 404, "not_found")
    assert body == {
        **body,
        "message": "Resource not found",
        "details": f"Cannot find campaign with id {ident}",
        "resource_id": ident,
        "resource_type": "campaign",
    }


# -- update -------------------------------------------------------------------------------------


def test_update_changes_only_the_fields_sent(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    before = get(vf_client, "Voucher Metadata")
    response = vf_client.put(
        path(before["id"]),
        json={
            "description": "New description",
            "expiration_date": "2031-01-01T00:00:00Z",
            "metadata": {"team": "growth"},
            "activity_duration_after_publishing": "P30D",
        },
    )
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["description"] == "New description"
    assert updated["expiration_date"] == "2031-01-01T00:00:00.000Z"
    assert updated["voucher"]["expiration_date"] == "2031-01-01T00:00:00.000Z", (
        "mirrored into the voucher"
    )
    assert updated["metadata"] == {"region": "AMER", "team": "growth"}
    assert updated["activity_duration_after_publishing"] == "P30D"
    assert updated["updated_at"] == "2027-01-15T08:00:00.000Z"
    assert (updated["creation_status"], updated["vouchers_generation_status"]) == (
        "MODIFYING",
        "MODIFYING",
    )
    untouched = {
        k
        for k in before
        if k
        not in {
            "description",
            "expiration_date",
            "voucher",
            "metadata",
            "activity_duration_after_publishing",
            "updated_at",
            "creation_status",
            "vouchers_generation_status",
        }
    }
    assert {k: updated[k] for k in untouched} == {k: before[k] for k in untouched}
    after = get(vf_client, before["id"])
    assert (after["creation_status"], after["vouchers_generation_status"]) == ("DONE", "DONE")
    assert {k: v for k, v in after.items() if "status" not in k} == {
        k: v for k, v in updated.items() if "status" not in k
    }


def test_update_by_name_moves_updated_at(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    first = vf_client.put(path("$20 OFF Entire Order"), json={"description": "one"}).json()
    vf_clock.advance(60)
    second = vf_client.put(path("$20 OFF Entire Order"), json={}).json()
    assert first["updated_at"] == "2027-01-15T08:00:00.000Z"
    assert second["updated_at"] == "2027-01-15T08:01:00.000Z"
    assert second["description"] == "one"


def test_update_clears_with_null_and_unsets_metadata(vf_client: TestClient) -> None:
    updated = vf_client.put(
        path("Voucher Metadata"),
        json={
            "start_date": None,
            "unset_metadata_fields": ["region", "absent"],
            "category": "Autumn",
        },
    ).json()
    assert "start_date" not in updated and "start_date" not in updated["voucher"]
    assert updated["metadata"] == {}
    assert updated["category"] == "Autumn" and updated["categories"][0]["name"] == "Autumn"
    cleared = vf_client.put(path("Voucher Metadata"), json={"category_id": None}).json()
    assert cleared["category_id"] is None and "category" not in cleared
    assert cleared["categories"] == []


def test_update_applies_the_types_own_fields_and_skips_the_others(vf_client: TestClient) -> None:
    discount = {"type": "AMOUNT", "amount_off": 500, "effect": "APPLY_TO_ORDER"}
    updated = vf_client.put(
        path("Dynamic Discounts"),
        json={
            "discount": discount,
            "gift": {"amount": 100},
            "loyalty_tiers_expiration": {"qualification_type": "BALANCE"},
            "name": "Renamed",
            "campaign_type": "GIFT_VOUCHERS",
            "vouchers_count": 99,
            "type": "STATIC",
        },
    ).json()
    assert updated["voucher"]["discount"] == discount
    assert "gift" not in updated["voucher"] and "loyalty_tiers_expiration" not in updated
    assert (updated["name"], updated["campaign_type"], updated["vouchers_count"]) == (
        "Dynamic Discounts",
        "DISCOUNT_COUPONS",
        1,
    )
    assert updated["type"] == "STATIC"

    loyalty = vf_client.put(
        path("Loyalty Program Fall 2022"),
        json={
            "join_once": False,
            "discount": discount,
            "loyalty_tiers_expiration": {"qualification_type": "BALANCE"},
        },
    ).json()
    assert loyalty["join_once"] is True, "always true for loyalty campaigns"
    assert "discount" not in loyalty["voucher"]
    assert loyalty["loyalty_tiers_expiration"] == {"qualification_type": "BALANCE"}

    promotion = create(vf_client, {"name": "Promo", "campaign_type": "PROMOTION"})
    changed = vf_client.put(
        path(promotion["id"]), json={"join_once": True, "type": "AUTO_UPDATE", "description": "d"}
    ).json()
    assert (changed["join_once"], changed["type"], changed["description"]) == (False, "STATIC", "d")
    assert (changed["creation_status"], changed["vouchers_generation_status"]) == ("DONE", "DONE")


def test_a_standalone_campaign_keeps_its_type(vf_client: TestClient) -> None:
    created = create(vf_client, discount_campaign("Standalone", type="STANDALONE"))
    updated = vf_client.put(
        path(created["id"]), json={"type": "AUTO_UPDATE", "join_once": True}
    ).json()
    assert (updated["type"], updated["join_once"]) == ("STANDALONE", False)


def test_gift_and_referral_updates(vf_client: TestClient) -> None:
    gift = create(
        vf_client,
        {"name": "Gift", "campaign_type": "GIFT_VOUCHERS", "voucher": {"gift": {"amount": 1}}},
    )
    assert vf_client.put(path("Gift"), json={"gift": {"amount": 5000}}).json()["voucher"][
        "gift"
    ] == {"amount": 5000}
    referral = create(
        vf_client,
        {
            "name": "Referral",
            "campaign_type": "REFERRAL_PROGRAM",
            "voucher": {"discount": {"type": "PERCENT", "percent_off": 1}},
        },
    )
    program = {
        "conversion_event_type": "custom_event",
        "custom_event": {"id": "ms_1", "name": "signup"},
    }
    assert (
        vf_client.put(path(referral["id"]), json={"referral_program": program}).json()[
            "referral_program"
        ]
        == program
    )
    assert gift["id"] != referral["id"]


def test_update_errors(vf_client: TestClient) -> None:
    assert_error(vf_client.put(path("camp_unknown"), json={"description": "x"}), 404, "not_found")
    bad_type = vf_client.put(path("Static Campaign"), json={"type": "STANDALONE"})
    assert "type" in assert_error(bad_type, 400, "invalid_payload")["details"]
    bad_discount = vf_client.put(
        path("Static Campaign"), json={"discount": {"type": "PERCENT", "percent_off": "x"}}
    )
    assert "discount" in assert_error(bad_discount, 400, "invalid_payload")["details"]
    assert_error(vf_client.put(path("Static Campaign")), 400, "invalid_payload")
    assert_error(vf_client.put(path("Static Campaign"), json=[1]), 400, "invalid_payload")
    assert get(vf_client, "Static Campaign") == {
        **FIXTURES["Static Campaign"],
        "categories": [],
        "validation_rules_assignments": {
            "object": "list",
            "data_ref": "data",
            "data": [],
            "total": 0,
        },
    }


# -- enable / disable ---------------------------------------------------------------------------


def test_disable_and_enable_toggle_active(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    campaign_id = FIXTURES["Static Campaign"]["id"]
    response = vf_client.post(path(campaign_id, "/disable"))
    assert (response.status_code, response.json()) == (200, {})
    disabled = get(vf_client, campaign_id)
    assert disabled["active"] is False
    assert disabled["updated_at"] == "2027-01-15T08:00:00.000Z"
    again = vf_client.post(path("Static Campaign", "/disable"))
    assert (again.status_code, again.json()) == (200, {})
    response = vf_client.post(path("Static Campaign", "/enable"))
    assert (response.status_code, response.json()) == (200, {})
    assert get(vf_client, campaign_id)["active"] is True


@pytest.mark.parametrize("action", ["/enable", "/disable"])
def test_enable_and_disable_unknown_campaign_is_404(vf_client: TestClient, action: str) -> None:
    body = assert_error(vf_client.post(path("camp_unknown", action)), 404, "not_found")
    assert body["resource_id"] == "camp_unknown"


# -- delete -------------------------------------------------------------------------------------


def test_delete_answers_202_with_an_async_action_and_the_campaign_is_gone(
    vf_client: TestClient,
) -> None:
    campaign_id = FIXTURES["Static Campaign"]["id"]
    response = vf_client.delete(path(campaign_id))
    assert response.status_code == 202
    assert set(response.json()) == {"async_action_id"}
    assert re.fullmatch(r"aa_[0-9a-f]{18}", response.json()["async_action_id"])
    assert_error(vf_client.get(path(campaign_id)), 404, "not_found")
    assert_error(vf_client.get(path("Static Campaign")), 404, "not_found")
    assert_error(vf_client.delete(path(campaign_id)), 404, "not_found")
    assert_error(vf_client.post(path(campaign_id, "/enable")), 404, "not_found")
    listed = vf_client.get("/v1/campaigns").json()
    assert listed["total"] == 5 and campaign_id not in {c["id"] for c in listed["campaigns"]}


def test_without_force_the_name_stays_taken_with_force_it_is_free(vf_client: TestClient) -> None:
    assert vf_client.delete(path("Static Campaign")).status_code == 202
    assert_error(
        vf_client.post("/v1/campaigns", json=discount_campaign("Static Campaign")),
        409,
        "duplicate_found",
    )

    assert vf_client.delete(path("Dynamic Discounts") + "?force=true").status_code == 202
    recreated = create(vf_client, discount_campaign("Dynamic Discounts"))
    assert recreated["id"] != FIXTURES["Dynamic Discounts"]["id"]


def test_force_frees_the_codes(vf_client: TestClient) -> None:
    config = {
        "discount": {"type": "AMOUNT", "amount_off": 1},
        "code_config": {"pattern": "#", "charset": "Q"},
    }
    first = create(vf_client, discount_campaign("One code", vouchers_count=1, voucher=config))
    assert get(vf_client, first["id"])["vouchers_count"] == 1
    assert vf_client.delete(path(first["id"]) + "?force=false").status_code == 202
    binned = create(vf_client, discount_campaign("Still taken", vouchers_count=1, voucher=config))
    assert get(vf_client, binned["id"])["vouchers_generation_status"] == "FAILED"
    assert vf_client.delete(path(binned["id"]) + "?force=true").status_code == 202
    assert vf_client.delete(path("camp_unknown") + "?force=true").status_code == 404


def test_delete_rejects_a_bad_force(vf_client: TestClient) -> None:
    body = assert_error(
        vf_client.delete(path("Static Campaign") + "?force=maybe"), 400, "invalid_query_params"
    )
    assert "force" in body["details"]
    assert get(vf_client, "Static Campaign")["id"] == FIXTURES["Static Campaign"]["id"]
