"""A campaign's vouchers, black-box: added, imported, read back and counted, and the async
actions that report the bulk work."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.clock import Clock

from .helpers import assert_error, create, discount_campaign, get, path


def gift_campaign(client: TestClient, name: str = "Gifts", **overrides: Any) -> dict[str, Any]:
    body = {
        "name": name,
        "campaign_type": "GIFT_VOUCHERS",
        "vouchers_count": 1,
        "voucher": {"gift": {"amount": 1000, "effect": "APPLY_TO_ORDER"}, "code_config": {"prefix": "G-"}},
        **overrides,
    }
    return create(client, body)


def codes(client: TestClient, query: str) -> list[str]:
    response = client.get(f"/v1/vouchers?{query}")
    assert response.status_code == 200, response.text
    return [v["code"] for v in response.json()["vouchers"]]


def action(client: TestClient, response: Any) -> dict[str, Any]:
    assert response.status_code in (200, 202), response.text
    found = client.get(f"/v1/async-actions/{response.json()['async_action_id']}")
    assert found.status_code == 200, found.text
    result: dict[str, Any] = found.json()
    return result


# -- generated and added ------------------------------------------------------------------------


def test_generated_codes_can_be_read_back(vf_client: TestClient) -> None:
    created = create(vf_client, discount_campaign("Readable", vouchers_count=3))
    listed = vf_client.get(f"/v1/vouchers?campaign_id={created['id']}").json()
    assert listed["total"] == 3 and len(listed["vouchers"]) == 3
    for voucher in listed["vouchers"]:
        assert voucher["code"].startswith("10OFF-")
        one = vf_client.get(path(voucher["code"]).replace("/v1/campaigns/", "/v1/vouchers/")).json()
        assert one == {**voucher, "validation_rules_assignments": one["validation_rules_assignments"]}
        assert (one["campaign"], one["campaign_id"], one["type"]) == ("Readable", created["id"], "DISCOUNT_VOUCHER")
        assert one["discount"] == {"type": "PERCENT", "percent_off": 10}
        assert one["redemption"]["url"].startswith(f"/v1/vouchers/{one['code']}/redemptions")


def test_fixture_campaigns_have_their_vouchers(vf_client: TestClient) -> None:
    listed = vf_client.get("/v1/vouchers?limit=100").json()
    assert listed["total"] == 6
    loyalty = vf_client.get("/v1/vouchers?campaign=Loyalty%20Program%20Fall%202022").json()["vouchers"]
    assert loyalty[0]["loyalty_card"] == {"points": 0, "balance": 0}
    assert loyalty[0]["code"].startswith("LOYALTY-CARD-")
    assert loyalty[0]["created_at"] == "2022-09-19T07:56:22.103Z", "fixture vouchers date from their campaign"
    metadata = vf_client.get("/v1/vouchers?campaign=Voucher%20Metadata").json()["vouchers"][0]
    assert (metadata["start_date"], metadata["validity_day_of_week"]) == ("2022-09-20T00:00:00.000Z", [1, 2, 3, 4])


def test_add_one_voucher_with_or_without_a_code(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    campaign = gift_campaign(vf_client)
    generated = vf_client.post(path("Gifts", "/vouchers"))
    assert generated.status_code == 200, generated.text
    assert generated.json()["code"].startswith("G-")
    assert generated.json()["gift"] == {"amount": 1000, "balance": 1000, "effect": "APPLY_TO_ORDER"}
    given = vf_client.post(
        path(campaign["id"], "/vouchers"),
        json={
            "code": "GIFT-ONE",
            "category": "Given",
            "metadata": {"channel": "email"},
            "redemption": {"quantity": 2},
            "additional_info": "hello",
            "start_date": "2027-01-01T00:00:00Z",
            "expiration_date": "2027-12-31T00:00:00+01:00",
            "active": False,
        },
    ).json()
    assert given["code"] == "GIFT-ONE"
    assert (given["category"], given["categories"][0]["name"]) == ("Given", "Given")
    assert (given["metadata"], given["additional_info"], given["active"]) == ({"channel": "email"}, "hello", False)
    assert given["redemption"]["quantity"] == 2
    assert (given["start_date"], given["expiration_date"]) == ("2027-01-01T00:00:00.000Z", "2027-12-30T23:00:00.000Z")
    assert given["created_at"] == "2027-01-15T08:00:00.000Z"
    specific = vf_client.post(path("Gifts", "/vouchers/GIFT%2FTWO"), json={"metadata": {"a": 1}})
    assert specific.status_code == 200, specific.text
    assert vf_client.get("/v1/vouchers/GIFT%2FTWO").json()["metadata"] == {"a": 1}
    assert get(vf_client, "Gifts")["vouchers_count"] == 4


def test_add_several_vouchers_is_an_async_action(vf_client: TestClient) -> None:
    gift_campaign(vf_client)
    response = vf_client.post(
        path("Gifts", "/vouchers") + "?vouchers_count=5",
        json={"code_config": {"pattern": "BULK-###", "charset": "XYZ"}, "metadata": {"batch": 7}},
    )
    assert response.status_code == 202
    generated = action(vf_client, response)
    assert generated["type"] == "CAMPAIGN.VOUCHERS_GENERATE" and generated["status"] == "DONE"
    assert generated["result"] == {"message": "Generated 5 vouchers.", "done_count": 5}
    bulk = vf_client.get("/v1/vouchers?campaign=Gifts&limit=100&order=code").json()["vouchers"]
    made = [v for v in bulk if v["code"].startswith("BULK-")]
    assert len(made) == 5 and all(v["metadata"] == {"batch": 7} for v in made)
    assert [v["code"] for v in bulk] == sorted(v["code"] for v in bulk)
    assert get(vf_client, "Gifts")["vouchers_count"] == 6


def test_add_errors(vf_client: TestClient) -> None:
    gift_campaign(vf_client)
    vf_client.post(path("Gifts", "/vouchers"), json={"code": "TAKEN"})
    taken = assert_error(vf_client.post(path("Gifts", "/vouchers"), json={"code": "TAKEN"}), 409, "duplicate_found")
    assert (taken["resource_type"], taken["resource_id"]) == ("voucher", "TAKEN")
    assert_error(vf_client.post(path("Gifts", "/vouchers/TAKEN")), 409, "duplicate_found")
    several = vf_client.post(path("Gifts", "/vouchers") + "?vouchers_count=2", json={"code": "X"})
    assert "code" in assert_error(several, 400, "invalid_payload")["details"]
    promotion = create(vf_client, {"name": "Tiers only", "campaign_type": "PROMOTION"})
    assert "PROMOTION" in assert_error(vf_client.post(path(promotion["id"], "/vouchers")), 400, "invalid_payload")["details"]
    assert_error(vf_client.post(path("camp_missing", "/vouchers")), 404, "not_found")
    assert_error(vf_client.post(path("Gifts", "/vouchers") + "?vouchers_count=0"), 400, "invalid_query_params")
    unknown_category = vf_client.post(path("Gifts", "/vouchers/NEW"), json={"category_id": "cat_missing"})
    assert assert_error(unknown_category, 404, "not_found")["resource_type"] == "category"
    exhausted = vf_client.post(path("Gifts", "/vouchers"), json={"code_config": {"pattern": "#", "charset": "a"}})
    assert exhausted.status_code == 200
    again = vf_client.post(path("Gifts", "/vouchers"), json={"code_config": {"pattern": "#", "charset": "a"}})
    assert "code_config" in assert_error(again, 400, "invalid_payload")["details"]
    assert get(vf_client, "Gifts")["vouchers_count"] == 3, "failed requests added nothing"


# -- imports ------------------------------------------------------------------------------------


def test_import_reports_each_item_that_fails(vf_client: TestClient) -> None:
    gift_campaign(vf_client)
    vf_client.post(path("Gifts", "/vouchers"), json={"code": "OLD"})
    response = vf_client.post(
        path("Gifts", "/import"),
        json=[
            {"code": "NEW-1", "gift": {"amount": 250}, "category": "Imported", "active": False},
            {"code": "NEW-2", "redemption": {"quantity": 4}, "validity_day_of_week": [1]},
            {"code": "NEW-1"},
            {"code": "OLD"},
            {"metadata": {"no": "code"}},
            {"code": "NEW-3", "discount": {"type": "AMOUNT", "amount_off": 1}},
            {"code": "NEW-4", "type": "LOYALTY_CARD"},
        ],
    )
    assert response.status_code == 202
    imported = action(vf_client, response)
    assert imported["type"] == "CAMPAIGN.VOUCHERS_IMPORT"
    assert imported["result"] == {
        "message": "2 voucher(s) imported successfully, 5 failed.",
        "failed": [
            {"code": "NEW-1", "reason": "code: a voucher with code NEW-1 already exists"},
            {"code": "OLD", "reason": "code: a voucher with code OLD already exists"},
            {"reason": "code: property is required"},
            {"code": "NEW-3", "reason": "discount: not allowed in a GIFT_VOUCHERS campaign"},
            {"code": "NEW-4", "reason": "type: must be equal to GIFT_VOUCHER (actual value is 'LOYALTY_CARD')"},
        ],
        "done_count": 2,
        "failed_count": 5,
    }
    first = vf_client.get("/v1/vouchers/NEW-1").json()
    assert (first["gift"], first["category"], first["active"]) == (
        {"amount": 250, "balance": 250, "effect": "APPLY_TO_ORDER"}, "Imported", False
    )
    second = vf_client.get("/v1/vouchers/NEW-2").json()
    assert (second["gift"]["amount"], second["redemption"]["quantity"], second["validity_day_of_week"]) == (1000, 4, [1])
    assert get(vf_client, "Gifts")["vouchers_count"] == 4


def test_import_csv(vf_client: TestClient) -> None:
    create(vf_client, {"name": "Cards", "campaign_type": "LOYALTY_PROGRAM", "voucher": {"loyalty_card": {"points": 10}}})
    csv = (
        "\ufeffcode,Category,Active,Loyalty Points,Redeemed Quantity,Favourite colour\n"
        "CARD-1,Gold,false,120,3,green\n"
        "CARD-2,,TRUE,,,\n"
        ",Gold,,,,\n"
        "CARD-3,,maybe,,,\n"
        "CARD-4,,,lots,,\n"
        "CARD-5,,,,,\n"
        "\n"
    )
    response = vf_client.post(path("Cards", "/importCSV"), files={"file": ("cards.csv", csv.encode(), "text/csv")})
    assert response.status_code == 200, response.text
    imported = action(vf_client, response)
    assert imported["type"] == "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    assert imported["result"]["failed"] == [
        {"row": 3, "reason": "code: property is required"},
        {"code": "CARD-3", "row": 4, "reason": "Active: must be true or false (actual value is 'maybe')"},
        {"code": "CARD-4", "row": 5, "reason": "Loyalty Points: must be a number (actual value is 'lots')"},
    ]
    assert imported["result"]["done_count"] == 3
    card = vf_client.get("/v1/vouchers/CARD-1").json()
    assert (card["loyalty_card"], card["active"], card["category"]) == ({"points": 120, "balance": 120}, False, "Gold")
    assert (card["metadata"], card["redemption"]["redeemed_quantity"]) == ({"Favourite colour": "green"}, 3)
    assert vf_client.get("/v1/vouchers/CARD-2").json()["loyalty_card"] == {"points": 10, "balance": 10}
    assert vf_client.get("/v1/vouchers/CARD-5").json()["metadata"] == {"Favourite colour": ""}


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"Name,Category\nx,y\n", "Code column"),
        (b"", "file"),
        (b"Code\n\xff\xfe\n", "UTF-8"),
    ],
)
def test_import_csv_file_errors(vf_client: TestClient, content: bytes, fragment: str) -> None:
    response = vf_client.post(path("Static Campaign", "/importCSV"), files={"file": ("x.csv", content, "text/csv")})
    assert fragment in assert_error(response, 400, "invalid_payload")["details"]


def test_import_csv_needs_a_form(vf_client: TestClient) -> None:
    missing = vf_client.post(path("Static Campaign", "/importCSV"), files={"other": ("x.csv", b"Code\nA\n", "text/csv")})
    assert "file" in assert_error(missing, 400, "invalid_payload")["details"]
    as_json = vf_client.post(path("Static Campaign", "/importCSV"), json={"file": "Code\nA\n"})
    assert_error(as_json, 415, "unsupported_media_type")


def test_gift_csv_amounts(vf_client: TestClient) -> None:
    gift_campaign(vf_client, vouchers_count=0)
    csv = b"Code,Gift Amount,Redeemed Amount\nG-1,500,120\nG-2,,\nG-3,,50\n"
    action(vf_client, vf_client.post(path("Gifts", "/importCSV"), files={"file": ("g.csv", csv, "text/csv")}))
    assert vf_client.get("/v1/vouchers/G-1").json()["gift"]["balance"] == 380
    assert vf_client.get("/v1/vouchers/G-2").json()["gift"] == {"amount": 1000, "balance": 1000, "effect": "APPLY_TO_ORDER"}
    assert vf_client.get("/v1/vouchers/G-3").json()["gift"]["balance"] == 950


# -- reading back, filtered ---------------------------------------------------------------------


def test_list_filters(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    campaign = gift_campaign(vf_client, vouchers_count=0)
    vf_client.post(path("Gifts", "/vouchers"), json={"code": "A-1", "category": "Red"})
    vf_clock.advance(86_400)
    second = vf_client.post(path("Gifts", "/vouchers"), json={"code": "A-2"}).json()
    assert codes(vf_client, "campaign=Gifts") == ["A-2", "A-1"]
    assert codes(vf_client, f"campaign={campaign['id']}") == ["A-2", "A-1"]
    assert codes(vf_client, f"campaign_id={campaign['id']}&order=created_at") == ["A-1", "A-2"]
    assert codes(vf_client, "category=Red") == ["A-1"]
    red = vf_client.get("/v1/vouchers/A-1").json()["category_id"]
    assert codes(vf_client, f"category={red}") == ["A-1"]
    assert codes(vf_client, "code=A-2") == ["A-2"]
    assert codes(vf_client, f"ids={second['id']}&ids=v_none") == ["A-2"]
    assert codes(vf_client, "campaign=Gifts&created_at[after]=2027-01-16") == ["A-2"]
    assert codes(vf_client, "campaign=Gifts&created_at[before]=2027-01-16T00:00:00Z") == ["A-1"]
    assert codes(vf_client, "campaign=Gifts&updated_at[after]=2020-01-01") == [], "never updated"
    assert codes(vf_client, "customer=cust_1") == [], "the mock's vouchers have no holder"
    assert codes(vf_client, "campaign=Gifts&limit=1&page=2") == ["A-1"]
    assert vf_client.get("/v1/vouchers?campaign=Gifts&limit=1").json()["total"] == 2
    assert codes(vf_client, "campaign=Nobody") == []


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("filters[code][conditions][$is]=x", "filters"),
        ("created_at[after]=soon", "created_at"),
        ("page=100", "page"),
        ("order=name", "order"),
    ],
)
def test_list_errors(vf_client: TestClient, query: str, param: str) -> None:
    assert param in assert_error(vf_client.get(f"/v1/vouchers?{query}"), 400, "invalid_query_params")["details"]


def test_the_bin_hides_vouchers_and_keeps_their_codes_force_frees_them(vf_client: TestClient) -> None:
    gift_campaign(vf_client, vouchers_count=0)
    vf_client.post(path("Gifts", "/vouchers"), json={"code": "KEEP"})
    binned = vf_client.delete(path("Gifts"))
    assert action(vf_client, binned)["result"] == {"message": "Deleted 1 vouchers.", "done_count": 1}
    assert_error(vf_client.get("/v1/vouchers/KEEP"), 404, "not_found")
    assert codes(vf_client, "code=KEEP") == []
    other = gift_campaign(vf_client, "Other", vouchers_count=0)
    assert_error(vf_client.post(path("Other", "/vouchers"), json={"code": "KEEP"}), 409, "duplicate_found")
    vf_client.post(path("Other", "/vouchers"), json={"code": "FREE"})
    action(vf_client, vf_client.delete(path(other["id"]) + "?force=true"))
    third = gift_campaign(vf_client, "Third", vouchers_count=0)
    assert vf_client.post(path(third["id"], "/vouchers"), json={"code": "FREE"}).status_code == 200
    missing = assert_error(vf_client.get("/v1/vouchers/NOTHING"), 404, "not_found")
    assert (missing["resource_type"], missing["details"]) == ("voucher", "Cannot find voucher with id NOTHING")


def test_a_campaign_update_shows_on_its_vouchers(vf_client: TestClient) -> None:
    create(vf_client, discount_campaign("Shifting", vouchers_count=1))
    vf_client.put(path("Shifting"), json={"discount": {"type": "AMOUNT", "amount_off": 700}, "expiration_date": "2030-01-01T00:00:00Z"})
    voucher = vf_client.get("/v1/vouchers?campaign=Shifting").json()["vouchers"][0]
    assert voucher["discount"] == {"type": "AMOUNT", "amount_off": 700}
    assert voucher["expiration_date"] == "2030-01-01T00:00:00.000Z"
    updated = vf_client.get("/v1/async-actions?limit=1").json()["async_actions"][0]
    assert updated["type"] == "CAMPAIGN.VOUCHERS_UPDATE"


# -- async actions ------------------------------------------------------------------------------


def test_async_actions_newest_first_without_results(vf_client: TestClient, vf_clock: Clock) -> None:
    vf_clock.freeze(1_800_000_000)
    create(vf_client, discount_campaign("First", vouchers_count=1))
    vf_clock.advance(60)
    create(vf_client, discount_campaign("Second", vouchers_count=2))
    listed = vf_client.get("/v1/async-actions").json()
    fixture = "2022-07-12T15:12:02.575Z"  # the fixtures' one action (fixtures/async_actions.json)
    assert [a["created_at"] for a in listed["async_actions"]] == ["2027-01-15T08:01:00.000Z", "2027-01-15T08:00:00.000Z", fixture]
    assert listed["has_more"] is False
    assert all(set(a) == {"id", "type", "status", "created_at", "updated_at", "request_id", "progress", "processing_time", "object"} for a in listed["async_actions"])
    assert vf_client.get("/v1/async-actions?limit=1").json()["has_more"] is True
    before = vf_client.get("/v1/async-actions?end_date=2027-01-15T08:00:30Z").json()["async_actions"]
    assert [a["created_at"] for a in before] == ["2027-01-15T08:00:00.000Z", fixture]
    one = vf_client.get(f"/v1/async-actions/{listed['async_actions'][0]['id']}").json()
    assert one["result"] == {"message": "Generated 2 vouchers.", "done_count": 2}
    assert one["progress"] == 100 and one["request_id"].startswith("v-")
    missing = assert_error(vf_client.get("/v1/async-actions/aa_nothing"), 404, "not_found")
    assert missing["resource_type"] == "async_action"
