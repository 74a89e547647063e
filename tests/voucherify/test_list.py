"""GET /v1/campaigns: paging, order, the top-level filters, expand and ``filters[...]``."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .conftest import fixture_campaigns
from .helpers import assert_error, create, discount_campaign

NEWEST_FIRST = [c["name"] for c in fixture_campaigns()]


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.text
    return [campaign["name"] for campaign in response.json()["campaigns"]]


def test_lists_the_fixtures_newest_first(vf_client: TestClient) -> None:
    response = vf_client.get("/v1/campaigns")
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"object", "data_ref", "campaigns", "total"}
    assert (body["object"], body["data_ref"], body["total"]) == ("list", "campaigns", 6)
    assert names(response) == NEWEST_FIRST
    # seed 002: `categories` is an empty array unless `expand=category`
    assert all(
        "validation_rules_assignments" not in c and c["categories"] == [] for c in body["campaigns"]
    )


def test_limit_and_page_slice_the_list_and_total_counts_everything(vf_client: TestClient) -> None:
    assert names(vf_client.get("/v1/campaigns?limit=4")) == NEWEST_FIRST[:4]
    second = vf_client.get("/v1/campaigns?limit=4&page=2")
    assert names(second) == NEWEST_FIRST[4:]
    assert second.json()["total"] == 6
    beyond = vf_client.get("/v1/campaigns?limit=4&page=3")
    assert names(beyond) == [] and beyond.json()["total"] == 6


def test_default_limit_is_ten(vf_empty_client: TestClient) -> None:
    for index in range(12):
        create(vf_empty_client, {"name": f"Promo {index}", "campaign_type": "PROMOTION"})
    response = vf_empty_client.get("/v1/campaigns")
    assert len(names(response)) == 10
    assert response.json()["total"] == 12


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=1000", "limit"),
        ("limit=0", "limit"),
        ("page=0", "page"),
        ("page=101", "page"),
        ("limit=ten", "limit"),
        ("campaign_type=COUPONS", "campaign_type"),
        ("order=name", "order"),
        ("expand=vouchers", "expand"),
        ("is_referral_code=maybe", "is_referral_code"),
    ],
)
def test_bad_parameters_are_400_invalid_query_params(
    vf_client: TestClient, query: str, param: str
) -> None:
    body = assert_error(vf_client.get(f"/v1/campaigns?{query}"), 400, "invalid_query_params")
    assert param in body["details"]
    assert body["message"] == "Invalid query params"


def test_order_by_creation_and_update(vf_client: TestClient, vf_clock: Clock) -> None:
    assert names(vf_client.get("/v1/campaigns?order=created_at")) == NEWEST_FIRST[::-1]
    assert names(vf_client.get("/v1/campaigns?order=-created_at")) == NEWEST_FIRST
    vf_clock.freeze()
    assert vf_client.post("/v1/campaigns/Static%20Campaign/disable").status_code == 200
    by_update = names(vf_client.get("/v1/campaigns?order=-updated_at"))
    assert by_update[0] == "Static Campaign"
    # Never-updated campaigns sort by their created_at.
    assert names(vf_client.get("/v1/campaigns?order=updated_at"))[0] == "3% OFF Entire Order"


def test_campaign_type_campaign_status_and_is_referral_code(vf_client: TestClient) -> None:
    assert names(vf_client.get("/v1/campaigns?campaign_type=LOYALTY_PROGRAM")) == [
        "Loyalty Program Fall 2022"
    ]
    assert len(names(vf_client.get("/v1/campaigns?campaign_status=DONE"))) == 6
    assert names(vf_client.get("/v1/campaigns?campaign_status=FAILED")) == []
    create(
        vf_client,
        {
            "name": "Refer a friend",
            "campaign_type": "REFERRAL_PROGRAM",
            "voucher": {"discount": {"type": "AMOUNT", "amount_off": 500}},
        },
    )
    assert names(vf_client.get("/v1/campaigns?is_referral_code=true")) == ["Refer a friend"]
    assert len(names(vf_client.get("/v1/campaigns?is_referral_code=false"))) == 6


def test_expand_category(vf_client: TestClient) -> None:
    response = vf_client.get("/v1/campaigns?expand=category")
    by_name = {c["name"]: c for c in response.json()["campaigns"]}
    assert by_name["Dynamic Discounts"]["categories"] == [
        {"id": "cat_0b688929a2476386a8", "name": "test", "object": "category"}
    ]
    assert by_name["Loyalty Program Fall 2022"]["categories"] == [
        {"id": "cat_0bb343dee3cdb5ec0c", "object": "category"}
    ]
    assert by_name["Static Campaign"]["categories"] == []


def test_expand_access_settings_assignments(vf_client: TestClient) -> None:
    response = vf_client.get("/v1/campaigns?expand=access_settings_assignments&limit=1")
    campaign = response.json()["campaigns"][0]
    assert campaign["access_settings_assignments"] == {
        "object": "list",
        "data_ref": "data",
        "data": [],
        "total": 0,
    }


# -- filters[...] -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filters[campaigns][conditions][$is]=Dynamic Discounts", ["Dynamic Discounts"]),
        (
            "filters[campaigns][conditions][$is_not]=Dynamic Discounts",
            [n for n in NEWEST_FIRST if n != "Dynamic Discounts"],
        ),
        ("filters[campaigns][conditions][$starts_with]=$20", ["$20 OFF Entire Order"]),
        (
            "filters[campaigns][conditions][$ends_with]=Entire Order",
            ["$20 OFF Entire Order", "3% OFF Entire Order"],
        ),
        ("filters[campaigns][conditions][$contains]=Campaign", ["Static Campaign"]),
        (
            "filters[campaigns][conditions][$in]=Static Campaign&filters[campaigns][conditions][$in]=Voucher Metadata",
            ["Voucher Metadata", "Static Campaign"],
        ),
        ("filters[campaigns][conditions][$in][0]=Static Campaign", ["Static Campaign"]),
        (
            "filters[campaigns][conditions][$not_in]=Static Campaign,Voucher Metadata",
            NEWEST_FIRST[2:],
        ),
        (
            "filters[campaigns_id][conditions][$is]=camp_f7fBbQxUuTN7dI7tGOo5XMDA",
            ["Loyalty Program Fall 2022"],
        ),
        ("filters[categories][conditions][$is]=test", ["Dynamic Discounts"]),
        (
            "filters[category_ids][conditions][$has_value]=",
            ["Loyalty Program Fall 2022", "Dynamic Discounts"],
        ),
        (
            "filters[category_ids][conditions][$is_unknown]=",
            ["Voucher Metadata", "Static Campaign", "$20 OFF Entire Order", "3% OFF Entire Order"],
        ),
        ("filters[voucher_type][conditions][$is]=LOYALTY_CARD", ["Loyalty Program Fall 2022"]),
        ("filters[type][conditions][$in]=STATIC", ["Static Campaign"]),
        ("filters[type][conditions][$in]=BULK", NEWEST_FIRST),
        ("filters[campaign_status][conditions][$in]=DONE", NEWEST_FIRST),
        ("filters[is_referral_code][conditions][$is]=TRUE", []),
        ("filters[created_date][conditions][$before]=2022-08-01T00:00:00Z", NEWEST_FIRST[3:]),
        ("filters[created_date][conditions][$after]=2022-09-20T00:00:00.000Z", NEWEST_FIRST[:2]),
        ("filters[updated_at][conditions][$has_value]=", ["Static Campaign", "Dynamic Discounts"]),
        ("filters[start_date][conditions][$has_value]=", ["Voucher Metadata"]),
        (
            "filters[expiration_date][conditions][$before]=2023-01-01T00:00:00Z",
            ["Voucher Metadata"],
        ),
        ("filters[validity_day_of_week][conditions][$is]=0", NEWEST_FIRST[1:]),
        ("filters[validity_day_of_week][conditions][$is]=1", NEWEST_FIRST),
        ("filters[validity_timeframe][conditions][$has_value]=", ["Voucher Metadata"]),
        ("filters[active][conditions][$enabled]=", NEWEST_FIRST),
        ("filters[active][$disabled]=", []),
        ("filters[active][conditions][$expired]=", ["Voucher Metadata"]),
        ("filters[active][conditions][$active]=", NEWEST_FIRST[1:]),
        ("filters[status][conditions][$active]=", NEWEST_FIRST),
        ("filters[status][conditions][$expired]=", ["Voucher Metadata"]),
        ("filters[status][conditions][$failed]=", []),
        (
            "filters[junction]=or&filters[campaigns][conditions][$is]=Static Campaign"
            "&filters[voucher_type][conditions][$is]=LOYALTY_CARD",
            ["Static Campaign", "Loyalty Program Fall 2022"],
        ),
        (
            "filters[junction]=and&filters[campaigns][conditions][$is]=Static Campaign"
            "&filters[voucher_type][conditions][$is]=LOYALTY_CARD",
            [],
        ),
    ],
)
def test_filters(vf_client: TestClient, query: str, expected: list[str]) -> None:
    response = vf_client.get(f"/v1/campaigns?limit=100&{query}")
    assert names(response) == expected
    assert response.json()["total"] == len(expected)


def test_days_ago_filters_follow_the_clock(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze()
    create(vf_client, {"name": "Fresh", "campaign_type": "PROMOTION"})
    fresh = "filters[created_date][conditions][$less_than]=1"
    assert names(vf_client.get(f"/v1/campaigns?{fresh}")) == ["Fresh"]
    vf_clock.advance(2 * 86_400)
    assert names(vf_client.get(f"/v1/campaigns?{fresh}")) == []
    older = "filters[created_date][conditions][$more_than]=1"
    assert "Fresh" in names(vf_client.get(f"/v1/campaigns?limit=100&{older}"))


def test_filters_combine_with_paging_and_top_level_parameters(vf_client: TestClient) -> None:
    query = "campaign_type=DISCOUNT_COUPONS&filters[campaigns][conditions][$contains]=OFF&limit=1&page=2"
    response = vf_client.get(f"/v1/campaigns?{query}")
    assert names(response) == ["3% OFF Entire Order"]
    assert response.json()["total"] == 2


def test_disabled_and_failed_campaigns_are_found_by_filters(vf_client: TestClient) -> None:
    assert vf_client.post("/v1/campaigns/Static%20Campaign/disable").status_code == 200
    assert names(vf_client.get("/v1/campaigns?filters[active][conditions][$disabled]=")) == [
        "Static Campaign"
    ]
    create(
        vf_client,
        discount_campaign(
            "Tiny space",
            vouchers_count=3,
            voucher={
                "discount": {"type": "AMOUNT", "amount_off": 100},
                "code_config": {"pattern": "#", "charset": "AB"},
            },
        ),
    )
    assert names(vf_client.get("/v1/campaigns?filters[status][conditions][$failed]=")) == [
        "Tiny space"
    ]


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("filters[name][conditions][$is]=x", "filters[name]: unknown filter"),
        (
            "filters[campaigns][conditions][$like]=x",
            "filters[campaigns][conditions][$like]: unsupported operator",
        ),
        (
            "filters[campaigns][$is]=x",
            "expected filters[campaigns][conditions][<operator>]=<value>",
        ),
        ("filters[campaigns]=x", "expected filters[campaigns][conditions][<operator>]=<value>"),
        ("filters[campaign_status][conditions][$is]=LIVE", "'LIVE' is not one of DONE"),
        ("filters[type][conditions][$is]=STATIC", "unsupported operator"),
        ("filters[created_date][conditions][$before]=yesterday", "expected an ISO 8601 date-time"),
        ("filters[created_date][conditions][$more_than]=ten", "expected an integer"),
        ("filters[validity_day_of_week][conditions][$is]=7", "'7' is not one of 0"),
        (
            "filters[active][conditions][$on]=",
            "filters[active][conditions][$on]: unknown condition",
        ),
        ("filters[junction]=xor", "filters[junction]: must be 'and' or 'or'"),
        ("filters=x", "use the bracket form"),
        (
            "filters[campaigns][conditions][$is]=a&filters[campaigns][conditions][$is][x]=b",
            "conflicts with another key",
        ),
        (
            "filters[campaigns][conditions][$is]=a&filters[campaigns][conditions][$is]=b",
            "expected a single value",
        ),
    ],
)
def test_bad_filters_are_400_invalid_query_params(
    vf_client: TestClient, query: str, fragment: str
) -> None:
    body = assert_error(vf_client.get(f"/v1/campaigns?{query}"), 400, "invalid_query_params")
    assert fragment in body["details"]
