"""POST /v1/campaigns: the five campaign types, code generation, then each rejection."""

from __future__ import annotations

import re

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import assert_error, create, discount_campaign, get

ALPHANUMERIC = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def test_discount_campaign_generates_its_codes(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_700_000_000.123)
    created = create(
        vf_client,
        discount_campaign(
            start_date="2020-08-16T00:00:00Z",
            expiration_date="2030-12-26T00:00:00+01:00",
            validity_timeframe={"interval": "P2D", "duration": "P1D"},
            validity_day_of_week=[0, 1, 2],
            activity_duration_after_publishing="P24D",
            join_once=True,
            metadata={"region": "AMER"},
        ),
    )
    assert re.fullmatch(r"camp_[A-Za-z0-9]{24}", created["id"])
    assert created["object"] == "campaign"
    assert created["created_at"] == "2023-11-14T22:13:20.123Z"
    assert "updated_at" not in created
    # Generation is asynchronous: the response shows it in progress, with no vouchers yet.
    assert (created["creation_status"], created["vouchers_generation_status"]) == (
        "IN_PROGRESS",
        "IN_PROGRESS",
    )
    assert created["vouchers_count"] == 0
    assert created["voucher"] == {
        "type": "DISCOUNT_VOUCHER",
        "discount": {"type": "PERCENT", "percent_off": 10},
        "redemption": {"quantity": None},
        "code_config": {"length": 7, "charset": ALPHANUMERIC, "pattern": "10OFF-#######"},
        "is_referral_code": False,
        "start_date": "2020-08-16T00:00:00.000Z",
        "expiration_date": "2030-12-25T23:00:00.000Z",
        "validity_timeframe": {"interval": "P2D", "duration": "P1D"},
    }
    assert created["start_date"] == "2020-08-16T00:00:00.000Z"
    assert created["validity_day_of_week"] == [0, 1, 2]
    assert (
        created["active"],
        created["join_once"],
        created["auto_join"],
        created["protected"],
    ) == (True, True, False, False)
    assert created["validation_rules_assignments"] == {
        "object": "list",
        "data_ref": "data",
        "data": [],
        "total": 0,
    }
    assert created["category_id"] is None

    fetched = get(vf_client, created["id"])
    assert (fetched["creation_status"], fetched["vouchers_generation_status"]) == ("DONE", "DONE")
    assert fetched["vouchers_count"] == 3
    assert {
        k: v
        for k, v in fetched.items()
        if k not in ("creation_status", "vouchers_generation_status", "vouchers_count")
    } == {
        k: v
        for k, v in created.items()
        if k not in ("creation_status", "vouchers_generation_status", "vouchers_count")
    }


def test_defaults(vf_empty_client: TestClient) -> None:
    created = create(
        vf_empty_client,
        {
            "name": "Bare",
            "campaign_type": "DISCOUNT_COUPONS",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 1000}},
        },
    )
    assert created["type"] == "STATIC"
    assert created["metadata"] == {}
    assert created["voucher"]["code_config"] == {
        "length": 8,
        "charset": ALPHANUMERIC,
        "pattern": "########",
    }
    assert (created["join_once"], created["auto_join"], created["use_voucher_metadata_schema"]) == (
        False,
        False,
        False,
    )
    assert get(vf_empty_client, "Bare")["vouchers_count"] == 0


def test_gift_campaign(vf_client: TestClient) -> None:
    created = create(
        vf_client,
        {
            "name": "Gift Card Campaign",
            "campaign_type": "GIFT_VOUCHERS",
            "vouchers_count": 2,
            "voucher": {
                "type": "GIFT_VOUCHER",
                "gift": {"amount": 1000, "effect": "APPLY_TO_ORDER"},
                "redemption": {"quantity": 10},
                "code_config": {
                    "length": 5,
                    "charset": "XYZ",
                    "prefix": "GIFT-",
                    "postfix": "-2024",
                },
            },
        },
    )
    assert created["voucher"]["gift"] == {"amount": 1000, "effect": "APPLY_TO_ORDER"}
    assert created["voucher"]["redemption"] == {"quantity": 10}
    assert created["voucher"]["code_config"] == {
        "length": 5,
        "charset": "XYZ",
        "pattern": "#####",
        "prefix": "GIFT-",
        "postfix": "-2024",
    }
    assert get(vf_client, created["id"])["vouchers_count"] == 2


def test_loyalty_campaign_always_joins_once(vf_client: TestClient) -> None:
    created = create(
        vf_client,
        {
            "name": "Loyalty Campaign",
            "campaign_type": "LOYALTY_PROGRAM",
            "join_once": False,
            "auto_join": True,
            "vouchers_count": 1,
            "voucher": {
                "loyalty_card": {
                    "points": 1000,
                    "expiration_rules": {"period_type": "MONTH", "period_value": 3},
                },
                "code_config": {"pattern": "LOYALTY-CARD-#######"},
            },
        },
    )
    assert created["voucher"]["type"] == "LOYALTY_CARD"
    assert created["voucher"]["loyalty_card"]["points"] == 1000
    assert (created["join_once"], created["auto_join"]) == (True, True)


def test_referral_campaign_has_referral_codes(vf_client: TestClient) -> None:
    created = create(
        vf_client,
        {
            "name": "Referral Campaign",
            "campaign_type": "REFERRAL_PROGRAM",
            "referral_program": {"conversion_event_type": "redemption"},
            "voucher": {
                "discount": {"type": "PERCENT", "percent_off": 45, "amount_limit": 15},
                "is_referral_code": False,
            },
        },
    )
    assert created["voucher"]["is_referral_code"] is True
    assert created["referral_program"] == {"conversion_event_type": "redemption"}


def test_standalone_campaign_never_joins_once(vf_client: TestClient) -> None:
    created = create(vf_client, discount_campaign("Standalone", type="STANDALONE", join_once=True))
    assert (created["type"], created["join_once"]) == ("STANDALONE", False)


def test_promotion_campaign_with_tiers(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_700_000_000)
    created = create(
        vf_client,
        {
            "name": "Promotion - API - 4",
            "campaign_type": "PROMOTION",
            "start_date": "2020-08-16T00:00:00Z",
            "validation_rules": ["val_q8qUBMOh5qIQ"],
            "promotion": {
                "tiers": [
                    {
                        "name": "Percent Discount",
                        "banner": "Get 40% off",
                        "action": {
                            "discount": {
                                "type": "PERCENT",
                                "percent_off": 40,
                                "effect": "APPLY_TO_ORDER",
                            }
                        },
                        "metadata": {"level": "B"},
                        "active": False,
                        "validation_rules": ["val_tier"],
                        "category": "Tiers",
                    },
                    {"name": "Order more than $100", "hierarchy": 0},
                ]
            },
        },
    )
    assert "voucher" not in created and "vouchers_count" not in created
    assert (created["creation_status"], created["vouchers_generation_status"]) == ("DONE", "DONE")
    rule = created["validation_rules_assignments"]["data"][0]
    assert (rule["rule_id"], rule["related_object_id"], rule["related_object_type"]) == (
        "val_q8qUBMOh5qIQ",
        created["id"],
        "campaign",
    )
    promotion = created["promotion"]
    assert (
        promotion["object"],
        promotion["data_ref"],
        promotion["total"],
        promotion["has_more"],
    ) == ("list", "tiers", 2, False)
    second, first = promotion["tiers"]  # sorted by hierarchy
    assert (second["name"], second["hierarchy"]) == ("Order more than $100", 0)
    assert re.fullmatch(r"promo_[A-Za-z0-9]{24}", first["id"])
    assert (first["hierarchy"], first["active"], first["banner"]) == (1, False, "Get 40% off")
    assert first["campaign"] == {
        "id": created["id"],
        "start_date": "2020-08-16T00:00:00.000Z",
        "active": True,
        "category_id": None,
        "object": "campaign",
    }
    assert (first["promotion_id"], first["campaign_id"], first["object"]) == (
        created["id"],
        created["id"],
        "promotion_tier",
    )
    assert (
        first["validation_rule_assignments"]["data"][0]["related_object_type"] == "promotion_tier"
    )
    assert first["categories"][0]["name"] == "Tiers"
    assert first["summary"] == {
        "redemptions": {"total_redeemed": 0},
        "orders": {"total_amount": 0, "total_discount_amount": 0},
    }
    listed = vf_client.get("/v1/campaigns?campaign_type=PROMOTION").json()["campaigns"][0]
    assert "promotion" not in listed


def test_category_by_name_is_created_once_and_by_id_must_exist(vf_client: TestClient) -> None:
    first = create(vf_client, {"name": "A", "campaign_type": "PROMOTION", "category": "Seasonal"})
    assert first["category"] == "Seasonal"
    assert re.fullmatch(r"cat_[0-9a-f]{18}", first["category_id"])
    assert first["categories"][0]["name"] == "Seasonal"
    second = create(vf_client, {"name": "B", "campaign_type": "PROMOTION", "category": "Seasonal"})
    assert second["category_id"] == first["category_id"]
    third = create(
        vf_client,
        {"name": "C", "campaign_type": "PROMOTION", "category_id": "cat_0b688929a2476386a8"},
    )
    assert third["category"] == "test"
    body = assert_error(
        vf_client.post(
            "/v1/campaigns",
            json={"name": "D", "campaign_type": "PROMOTION", "category_id": "cat_nope"},
        ),
        404,
        "not_found",
    )
    assert (body["resource_type"], body["resource_id"]) == ("category", "cat_nope")


def test_codes_run_out_and_generation_fails(vf_client: TestClient) -> None:
    created = create(
        vf_client,
        discount_campaign(
            "Two codes",
            vouchers_count=3,
            voucher={
                "discount": {"type": "AMOUNT", "amount_off": 100},
                "code_config": {"pattern": "X#", "charset": "12"},
            },
        ),
    )
    assert created["vouchers_generation_status"] == "IN_PROGRESS"
    fetched = get(vf_client, created["id"])
    assert (fetched["creation_status"], fetched["vouchers_generation_status"]) == ("DONE", "FAILED")
    assert fetched["vouchers_count"] == 2
    # Codes are unique across the project: the same pattern has nothing left.
    other = create(
        vf_client,
        discount_campaign(
            "Same space",
            vouchers_count=1,
            voucher={
                "discount": {"type": "AMOUNT", "amount_off": 100},
                "code_config": {"pattern": "X#", "charset": "21"},
            },
        ),
    )
    assert get(vf_client, other["id"])["vouchers_count"] == 0


def test_duplicate_name_is_409_duplicate_found(vf_client: TestClient) -> None:
    body = assert_error(
        vf_client.post("/v1/campaigns", json=discount_campaign("Static Campaign")),
        409,
        "duplicate_found",
    )
    assert body["resource_id"] == "camp_HgsbCKauXmEoPnnh8aas0ISe"
    assert body["resource_type"] == "campaign"
    assert "Static Campaign" in body["details"]


TYPES = "LOYALTY_PROGRAM,GIFT_VOUCHERS,DISCOUNT_COUPONS,PROMOTION,REFERRAL_PROGRAM"


@pytest.mark.parametrize(
    ("payload", "details"),
    [
        ({"campaign_type": "PROMOTION"}, "name: property is required"),
        ({"name": "X"}, "campaign_type: property is required"),
        (
            {"name": "X", "campaign_type": "COUPONS"},
            f"campaign_type: must be equal to one of {TYPES} (actual value is 'COUPONS')",
        ),
        # the error names the property of the campaign's own type, never another type's
        ({"name": "X", "campaign_type": "GIFT_VOUCHERS"}, "voucher: property is required"),
        (
            {"name": "X", "campaign_type": "GIFT_VOUCHERS", "voucher": {"discount": {"type": "AMOUNT"}}},
            "voucher.gift: property is required",
        ),
        (
            {"name": "X", "campaign_type": "DISCOUNT_COUPONS", "voucher": {"type": "DISCOUNT_VOUCHER"}},
            "voucher.discount: property is required",
        ),
        (
            {"name": "X", "campaign_type": "DISCOUNT_COUPONS", "voucher": {"type": "GIFT_VOUCHER", "discount": {"type": "AMOUNT"}}},
            "voucher.type: must be equal to one of DISCOUNT_VOUCHER (actual value is 'GIFT_VOUCHER')",
        ),
        (
            {"name": "X", "campaign_type": "DISCOUNT_COUPONS", "voucher": {"discount": {"percent_off": 5}}},
            "voucher.discount.type: property is required",
        ),
        (
            {"name": "X", "campaign_type": "DISCOUNT_COUPONS", "voucher": {"discount": {"type": "HALF"}}},
            "voucher.discount.type: must be equal to one of AMOUNT,UNIT,PERCENT,FIXED (actual value is 'HALF')",
        ),
        (
            {"name": "X", "campaign_type": "DISCOUNT_COUPONS", "voucher": {"discount": {"type": "PERCENT", "percent_off": "x"}}},
            "voucher.discount.percent_off: must be a number (actual value is 'x')",
        ),
        (
            {"name": "X", "campaign_type": "GIFT_VOUCHERS", "voucher": {"gift": {"amount": "ten"}}},
            "voucher.gift.amount: must be a number (actual value is 'ten')",
        ),
        ({"name": None, "campaign_type": "PROMOTION"}, "name: must be a string (actual value is null)"),
        (
            {"name": "X", "campaign_type": "PROMOTION", "start_date": "tomorrow"},
            "Invalid value for start_date",
        ),
        (
            {"name": "X", "campaign_type": "PROMOTION", "validation_rules": ["a", "b"]},
            "validation_rules",
        ),
        (
            {
                "name": "X",
                "campaign_type": "DISCOUNT_COUPONS",
                "vouchers_count": 10001,
                "voucher": {"discount": {"type": "AMOUNT"}},
            },
            "vouchers_count",
        ),
        ({"name": "", "campaign_type": "PROMOTION"}, "name"),
        # the rules of seed 002 and of the vendor's enums
        (
            {"name": "X", "campaign_type": "PROMOTION", "validity_timeframe": {"interval": "P2D", "duration": "P1D"}},
            "start_date: property is required when validity_timeframe is included",
        ),
        (
            {"name": "X", "campaign_type": "LOYALTY_PROGRAM", "type": "STANDALONE", "voucher": {"loyalty_card": {"points": 1}}},
            "type: must be equal to one of AUTO_UPDATE,STATIC for a LOYALTY_PROGRAM campaign (actual value is 'STANDALONE')",
        ),
        (
            {"name": "X", "campaign_type": "PROMOTION", "start_date": "2030-01-02T00:00:00Z", "expiration_date": "2030-01-01T00:00:00Z"},
            "expiration_date: must not be before start_date (actual value is '2030-01-01T00:00:00.000Z')",
        ),
    ],
)
def test_invalid_bodies_are_400_invalid_payload_naming_the_property(
    vf_client: TestClient, payload: object, details: str
) -> None:
    body = assert_error(vf_client.post("/v1/campaigns", json=payload), 400, "invalid_payload")
    assert details in body["details"]
    assert body["message"] == "Invalid payload"
    assert vf_client.get("/v1/campaigns").json()["total"] == 6, "nothing was created"


@pytest.mark.parametrize(
    "extra",
    [
        {"colour": "red"},  # a property no schema declares: accepted and ignored
        {"voucher": {}},  # another type's property on a promotion
        {"object": "campaign", "id": "camp_x", "vouchers_count": None, "validation_rules_assignments": {}},
    ],
)
def test_what_the_vendor_ignores_is_accepted_and_ignored(vf_client: TestClient, extra: dict[str, object]) -> None:
    created = create(vf_client, {"name": "Quiet", "campaign_type": "PROMOTION", **extra})
    assert created["id"] != "camp_x"
    assert "colour" not in created and "voucher" not in created


def test_malformed_missing_and_non_json_bodies(vf_client: TestClient) -> None:
    malformed = vf_client.post(
        "/v1/campaigns", content=b"{", headers={"Content-Type": "application/json"}
    )
    assert "not valid JSON" in assert_error(malformed, 400, "invalid_payload")["details"]
    missing = vf_client.post("/v1/campaigns")
    assert "body is required" in assert_error(missing, 400, "invalid_payload")["details"]
    text = vf_client.post(
        "/v1/campaigns", content=b"name=x", headers={"Content-Type": "text/plain"}
    )
    assert_error(text, 415, "unsupported_media_type")
