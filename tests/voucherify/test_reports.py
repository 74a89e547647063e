"""A campaign's summary, transactions and their export; areas and stores; seed 002's rules."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import assert_error, create, discount_campaign, get, path

ZEROS = dict.fromkeys(
    (
        "redemptions",
        "redemptions_succeeded",
        "redemptions_failed",
        "rollbacks",
        "rollbacks_succeeded",
        "rollbacks_failed",
        "validations",
        "validations_succeeded",
        "validations_failed",
        "orders_amount",
        "orders_rolledback_amount",
        "discounted_amount",
        "rolledback_discounted_amount",
    ),
    0,
)


def summary(client: TestClient, ident: str, query: str = "") -> dict[str, Any]:
    response = client.get(path(ident, "/summary") + query)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_summary_of_each_campaign_type(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)  # 2027-01-15
    create(vf_client, discount_campaign("Discounts", vouchers_count=2))
    discounts = summary(vf_client, "Discounts")
    assert discounts["object"] == "campaign_summary"
    assert discounts["campaign"]["name"] == "Discounts"
    # the summary shows the campaign without its categories, rules or assignments
    assert discounts["campaign"]["categories"] == []
    assert "validation_rules_assignments" not in discounts["campaign"]
    assert {k: discounts[k] for k in ZEROS} == ZEROS
    assert (discounts["vouchers_created"], discounts["vouchers_deleted"], discounts["publications"]) == (2, 0, 0)
    assert "created_vouchers_amount" not in discounts

    create(vf_client, {"name": "Gifts", "campaign_type": "GIFT_VOUCHERS", "vouchers_count": 2, "voucher": {"gift": {"amount": 500}}})
    vf_client.post(path("Gifts", "/import"), json=[{"code": "BIG", "gift": {"amount": 10000}}])
    gifts = summary(vf_client, "Gifts")
    assert (gifts["vouchers_created"], gifts["created_vouchers_amount"], gifts["amount_redeemed"]) == (3, 11000, 0)

    create(vf_client, {"name": "Cards", "campaign_type": "LOYALTY_PROGRAM", "vouchers_count": 3, "voucher": {"loyalty_card": {"points": 40}}})
    cards = summary(vf_client, "Cards")
    assert (cards["created_vouchers_points"], cards["points_added"], cards["pending_points_added"]) == (120, 0, 0)

    create(vf_client, {"name": "Friends", "campaign_type": "REFERRAL_PROGRAM", "voucher": {"discount": {"type": "AMOUNT", "amount_off": 5}}})
    assert summary(vf_client, "Friends")["referred_customers"] == 0

    create(vf_client, {"name": "Tiers", "campaign_type": "PROMOTION"})
    tiers = summary(vf_client, "Tiers")
    assert "vouchers_created" not in tiers and tiers["discounted_amount"] == 0


def test_summary_totals_are_as_unbounded_as_the_amounts(vf_client: TestClient) -> None:
    """The vendor bounds neither a card's amount nor the summary's total: a negative or a huge
    amount sums as it is (found by the stateful contract pass: 2150 negative cards)."""
    create(vf_client, {"name": "Owed", "campaign_type": "GIFT_VOUCHERS", "vouchers_count": 3, "voucher": {"gift": {"amount": -4_000_000_000_000_000}}})
    assert summary(vf_client, "Owed")["created_vouchers_amount"] == -12_000_000_000_000_000
    create(vf_client, {"name": "Huge", "campaign_type": "GIFT_VOUCHERS", "vouchers_count": 3, "voucher": {"gift": {"amount": 9_300_000_000_000_000_000}}})
    assert summary(vf_client, "Huge")["created_vouchers_amount"] == 27_900_000_000_000_000_000
    create(vf_client, {"name": "Debt", "campaign_type": "LOYALTY_PROGRAM", "vouchers_count": 2, "voucher": {"loyalty_card": {"points": -5}}})
    assert summary(vf_client, "Debt")["created_vouchers_points"] == -10


def test_summary_over_a_period(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)  # 2027-01-15T08:00Z
    create(vf_client, discount_campaign("Periods", vouchers_count=1))
    vf_clock.advance(2 * 86_400)
    vf_client.post(path("Periods", "/vouchers") + "?vouchers_count=2")
    assert summary(vf_client, "Periods")["vouchers_created"] == 3
    assert summary(vf_client, "Periods", "?start_date=2027-01-15&end_date=2027-01-15")["vouchers_created"] == 1
    assert summary(vf_client, "Periods", "?start_date=2027-01-16")["vouchers_created"] == 2
    assert summary(vf_client, "Periods", "?end_date=2027-01-14")["vouchers_created"] == 0
    bad = vf_client.get(path("Periods", "/summary") + "?start_date=yesterday")
    assert "start_date" in assert_error(bad, 400, "invalid_query_params")["details"]
    assert_error(vf_client.get(path("camp_missing", "/summary")), 404, "not_found")


def test_transactions_are_empty_and_their_filters_checked(vf_client: TestClient) -> None:
    listed = vf_client.get(path("Loyalty Program Fall 2022", "/transactions") + "?limit=5&order=id")
    assert listed.json() == {"object": "list", "data_ref": "data", "data": [], "has_more": False}
    filtered = vf_client.get(
        path("Static Campaign", "/transactions")
        + "?filters[voucher_id][conditions][$in]=v_1&filters[junction]=or&starting_after_id=vtx_1"
    )
    assert filtered.status_code == 200
    for query, param in (
        ("filters[amount][conditions][$is]=1", "filters[amount]"),
        ("filters[id][conditions][$after]=x", "filters[id][conditions][$after]"),
        ("order=created_at", "order"),
        ("limit=0", "limit"),
    ):
        response = vf_client.get(path("Static Campaign", "/transactions") + f"?{query}")
        assert param in assert_error(response, 400, "invalid_query_params")["details"]
    assert_error(vf_client.get(path("camp_missing", "/transactions")), 404, "not_found")


def test_export_is_scheduled_with_the_campaign_filter(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    campaign = get(vf_client, "Loyalty Program Fall 2022")
    response = vf_client.post(
        path("Loyalty Program Fall 2022", "/transactions/export"),
        json={
            "parameters": {
                "order": "-created_at",
                "fields": ["id", "type", "created_at"],
                "filters": {"created_at": {"conditions": {"$after": ["2024-10-01T00:00:00.000Z"]}}},
                "ignored": True,
            }
        },
    )
    assert response.status_code == 200, response.text
    export = response.json()
    assert export["id"].startswith("exp_")
    assert (export["object"], export["status"], export["channel"], export["exported_object"]) == (
        "export", "SCHEDULED", "API", "voucher_transactions"
    )
    assert export["created_at"] == "2027-01-15T08:00:00.000Z"
    assert export["parameters"] == {
        "order": "-created_at",
        "fields": ["id", "type", "created_at"],
        "filters": {
            "created_at": {"conditions": {"$after": ["2024-10-01T00:00:00.000Z"]}},
            "junction": "and",
            "campaign_id": {"conditions": {"$in": [campaign["id"]]}},
        },
    }
    assert (export["result"], export["user_id"]) == (None, None)
    bare = vf_client.post(path("Static Campaign", "/transactions/export")).json()
    assert bare["parameters"] == {"filters": {"campaign_id": {"conditions": {"$in": ["camp_HgsbCKauXmEoPnnh8aas0ISe"]}}}}
    bad = vf_client.post(path("Static Campaign", "/transactions/export"), json={"parameters": {"fields": ["colour"]}})
    assert "parameters.fields[0]" in assert_error(bad, 400, "invalid_payload")["details"]
    not_served = assert_error(vf_client.get(f"/v1/exports/{export['id']}"), 501, "not_implemented")
    assert "get-export" in not_served["details"]


# -- areas and stores ---------------------------------------------------------------------------


def test_access_settings_are_stored_returned_and_filter_the_list(vf_client: TestClient) -> None:
    created = create(
        vf_client,
        {
            "name": "In stores",
            "campaign_type": "PROMOTION",
            "access_settings": {"assign": {"areas_ids": ["ar_1"], "area_stores_ids": ["ars_1", "ars_2"], "area_all_stores_ids": ["ar_2"]}},
        },
    )
    assigned = created["access_settings_assignments"]
    assert (assigned["object"], assigned["total"]) == ("list", 4)
    assert [(a.get("area_id"), a.get("all_stores"), a.get("area_store_id")) for a in assigned["data"]] == [
        ("ar_1", False, None), ("ar_2", True, None), (None, None, "ars_1"), (None, None, "ars_2")
    ]
    assert all(a["object"] == "area_store_campaign_assignment" and a["id"].startswith("arsca_") for a in assigned["data"])

    def names(query: str) -> list[str]:
        response = vf_client.get(f"/v1/campaigns?{query}")
        assert response.status_code == 200, response.text
        return [c["name"] for c in response.json()["campaigns"]]

    assert names("access_settings[filter][areas_ids]=ar_1") == ["In stores"]
    assert names("access_settings[filter][area_stores_ids][0]=ars_9&access_settings[filter][area_stores_ids][1]=ars_2") == ["In stores"]
    assert names("access_settings[filter][area_all_stores_ids]=ar_1") == [], "all stores of ar_2 only"
    assert names("access_settings[filter][areas_ids]=ar_9") == []
    listed = vf_client.get("/v1/campaigns?expand=access_settings_assignments&limit=1").json()["campaigns"][0]
    assert listed["access_settings_assignments"]["total"] == 4
    assert "access_settings_assignments" not in vf_client.get("/v1/campaigns?limit=1").json()["campaigns"][0]

    updated = vf_client.put(
        path("In stores"),
        json={"access_settings": {"unassign": {"area_stores_ids": ["ars_1"], "areas_ids": ["ar_1"]}, "assign": {"areas_ids": ["ar_3"]}}},
    ).json()
    assert [(a.get("area_id"), a.get("area_store_id")) for a in updated["access_settings_assignments"]["data"]] == [
        ("ar_2", None), (None, "ars_2"), ("ar_3", None)
    ]
    assert names("access_settings[filter][areas_ids]=ar_1") == []
    for query in ("access_settings[areas_ids]=ar_1", "access_settings[filter][regions]=r", "access_settings=x"):
        assert "access_settings" in assert_error(vf_client.get(f"/v1/campaigns?{query}"), 400, "invalid_query_params")["details"]


# -- seed 002's rules ---------------------------------------------------------------------------


def test_categories_are_empty_unless_expanded(vf_client: TestClient) -> None:
    plain = {c["name"]: c for c in vf_client.get("/v1/campaigns").json()["campaigns"]}
    assert all(c["categories"] == [] for c in plain.values())
    expanded = {c["name"]: c for c in vf_client.get("/v1/campaigns?expand=category").json()["campaigns"]}
    assert [c["id"] for c in expanded["Dynamic Discounts"]["categories"]] == ["cat_0b688929a2476386a8"]
    assert get(vf_client, "Dynamic Discounts")["categories"][0]["name"] == "test"


def test_a_timeframe_needs_a_start_date(vf_client: TestClient) -> None:
    timeframe = {"interval": "P2D", "duration": "P1D"}
    create(vf_client, {"name": "Framed", "campaign_type": "PROMOTION"})
    refused = vf_client.put(path("Framed"), json={"validity_timeframe": timeframe})
    assert assert_error(refused, 400, "invalid_payload")["details"].startswith("start_date: property is required")
    assert "validity_timeframe" not in get(vf_client, "Framed"), "a refused update changes nothing"
    both = vf_client.put(path("Framed"), json={"validity_timeframe": timeframe, "start_date": "2026-01-01T00:00:00Z"})
    assert both.status_code == 200 and both.json()["validity_timeframe"] == timeframe
    again = vf_client.put(path("Framed"), json={"validity_timeframe": {"interval": "P3D", "duration": "PT1H"}})
    assert again.status_code == 200, "the campaign already starts"
    backwards = vf_client.put(path("Framed"), json={"expiration_date": "2025-12-31T00:00:00Z"})
    assert "expiration_date" in assert_error(backwards, 400, "invalid_payload")["details"]


def test_a_loyalty_program_is_never_standalone(vf_client: TestClient) -> None:
    body = {"name": "Loyal", "campaign_type": "LOYALTY_PROGRAM", "voucher": {"loyalty_card": {"points": 5}}}
    refused = vf_client.post("/v1/campaigns", json={**body, "type": "STANDALONE"})
    assert assert_error(refused, 400, "invalid_payload")["details"].startswith("type:")
    assert create(vf_client, {**body, "type": "AUTO_UPDATE"})["join_once"] is True
    standalone = create(vf_client, discount_campaign("Generic", type="STANDALONE", join_once=True))
    assert (standalone["type"], standalone["join_once"]) == ("STANDALONE", False)


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("$has_value]=", ["Voucher Metadata"]),
        ("$is_unknown]=", ["Static Campaign", "Loyalty Program Fall 2022", "Dynamic Discounts", "$20 OFF Entire Order", "3% OFF Entire Order"]),
        ("$after]=2022-09-01T00:00:00Z", ["Voucher Metadata"]),
        ("$before]=2022-09-01T00:00:00Z", []),
        ("$more_than]=30", ["Voucher Metadata"]),
        ("$less_than]=30", []),
    ],
)
def test_the_validity_timeframe_filter_takes_every_date_operator(
    vf_client: TestClient, condition: str, expected: list[str]
) -> None:
    """The timeframe counts from the campaign's start date (seed 002: one needs the other)."""
    response = vf_client.get(f"/v1/campaigns?filters[validity_timeframe][conditions][{condition}")
    assert response.status_code == 200, response.text
    assert [c["name"] for c in response.json()["campaigns"]] == expected


def test_the_voucher_definition_keeps_its_own_dates(vf_client: TestClient) -> None:
    """Seed 004's voucher definition: dates given inside `voucher` (and not on the campaign)."""
    created = create(
        vf_client,
        {
            "name": "TC6 - test campaign - 11",
            "campaign_type": "DISCOUNT_COUPONS",
            "type": "AUTO_UPDATE",
            "description": "test",
            "active": True,
            "metadata": {"test": True},
            "vouchers_count": 1,
            "voucher": {
                "code_config": {"length": 8, "charset": "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", "prefix": None, "postfix": None, "pattern": "TC6-PROMO-#######"},
                "type": "DISCOUNT_VOUCHER",
                "discount": {"type": "PERCENT", "percent_off": 10},
                "start_date": "2016-09-26T00:00:00Z",
                "expiration_date": "2020-12-26T00:00:00Z",
                "redemption": {"quantity": 1},
                "is_referral_code": False,
            },
        },
    )
    assert (created["voucher"]["start_date"], created["voucher"]["expiration_date"]) == (
        "2016-09-26T00:00:00.000Z", "2020-12-26T00:00:00.000Z"
    )
    assert "start_date" not in created
    voucher = vf_client.get("/v1/vouchers?campaign=TC6%20-%20test%20campaign%20-%2011").json()["vouchers"][0]
    assert voucher["code"].startswith("TC6-PROMO-") and voucher["start_date"] == "2016-09-26T00:00:00.000Z"
    # the campaign's own dates win over the definition's
    updated = vf_client.put(path(created["id"]), json={"start_date": "2017-01-01T00:00:00Z"}).json()
    assert updated["voucher"]["start_date"] == "2017-01-01T00:00:00.000Z"


def test_a_fetched_campaign_can_be_created_again(vf_client: TestClient) -> None:
    """Everything a GET returns is taken by create: read-only properties are ignored."""
    fetched = get(vf_client, "Voucher Metadata")
    copy = {**fetched, "name": "Voucher Metadata (copy)"}
    created = create(vf_client, copy)
    assert created["id"] != fetched["id"]
    assert created["voucher"]["discount"] == fetched["voucher"]["discount"]
    assert created["voucher"]["code_config"] == fetched["voucher"]["code_config"]
    assert created["vouchers_count"] == 0 and get(vf_client, created["id"])["vouchers_count"] == 1
