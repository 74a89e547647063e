# mypy: disable-error-code="union-attr,arg-type,index,attr-defined"
# (the generated SDK types every field of every model as Optional)
"""Voucherify's official Python SDK (``voucherify`` 6.x, urllib3) against the mock on a real port."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

voucherify = pytest.importorskip(
    "voucherify", reason="the official SDK (pip install voucherify) is not installed"
)

from voucherify import (  # noqa: E402
    ApiClient,
    ApiException,
    AsyncActionsApi,
    CampaignsApi,
    Configuration,
    VouchersApi,
)
from voucherify.models import (  # noqa: E402
    CampaignsCreateRequestBody,
    CampaignsCreateRequestBodyVoucher,
    CampaignsImportVoucherItem,
    CampaignsTransactionsExportCreateRequestBody,
    CampaignsUpdateRequestBody,
    CampaignsVouchersCreateInBulkRequestBody,
    CampaignsVouchersCreateRequestBody,
    CodeConfig,
    Discount,
    FilterConditionsString,
    ParameterCampaignsAccessSetttings,
    ParameterCampaignStatusListCampaigns,
    ParameterCampaignType,
    ParameterExpandListCampaigns,
    ParameterFiltersListCampaigns,
    ParameterFiltersListCampaignsCampaigns,
    ParameterOrderListCampaigns,
)

from mockserver.applications import ApiOptions, create_app  # noqa: E402

from ..conftest import assert_no_violations  # noqa: E402
from .conftest import (  # noqa: E402
    fixture_campaigns,
    official_request_examples,
    serve,
)

NEWEST_FIRST = [c["name"] for c in fixture_campaigns()]
NAME = "SDK Summer 50% $ale"


@pytest.fixture
def campaigns(vf_server: tuple[str, Any]) -> Iterator[CampaignsApi]:
    base_url, _app = vf_server
    config = Configuration(
        host=base_url, api_key={"X-App-Id": "sdk-app-id", "X-App-Token": "sdk-app-token"}
    )
    with ApiClient(config) as client:
        yield CampaignsApi(client)


def name_filter(**conditions: Any) -> ParameterFiltersListCampaigns:
    return ParameterFiltersListCampaigns(
        campaigns=ParameterFiltersListCampaignsCampaigns(
            conditions=FilterConditionsString(**conditions)
        )
    )


def test_list_with_paging_order_and_filters(campaigns: CampaignsApi) -> None:
    page = campaigns.list_campaigns(
        limit=2, page=2, order=ParameterOrderListCampaigns.MINUS_CREATED_AT
    )
    assert (page.object, page.data_ref, page.total) == ("list", "campaigns", 6)
    assert [c.name for c in page.campaigns] == NEWEST_FIRST[2:4]
    oldest = campaigns.list_campaigns(limit=1, order=ParameterOrderListCampaigns.CREATED_AT)
    assert oldest.campaigns[0].name == NEWEST_FIRST[-1]

    loyalty = campaigns.list_campaigns(campaign_type=ParameterCampaignType.LOYALTY_PROGRAM)
    assert [c.name for c in loyalty.campaigns] == ["Loyalty Program Fall 2022"]
    assert loyalty.campaigns[0].voucher.loyalty_card.expiration_rules.period_value == 7

    by_name = campaigns.list_campaigns(filters=name_filter(var_is="Dynamic Discounts"))
    assert [c.name for c in by_name.campaigns] == ["Dynamic Discounts"]
    assert by_name.total == 1
    several = campaigns.list_campaigns(
        filters=name_filter(var_in=["Static Campaign", "Voucher Metadata"])
    )
    assert [c.name for c in several.campaigns] == ["Voucher Metadata", "Static Campaign"]
    prefixed = campaigns.list_campaigns(
        filters=name_filter(starts_with="$20"), is_referral_code=False
    )
    assert [c.name for c in prefixed.campaigns] == ["$20 OFF Entire Order"]

    # Names with reserved characters travel URL-encoded, decoded once by the server.
    for campaign in fixture_campaigns():
        assert campaigns.get_campaign(campaign["name"]).id == campaign["id"]

    expanded = campaigns.list_campaigns(expand=ParameterExpandListCampaigns.CATEGORY, limit=4)
    categories = {c.name: [cat.id for cat in c.categories] for c in expanded.campaigns}
    assert categories["Dynamic Discounts"] == ["cat_0b688929a2476386a8"]
    assert categories["Static Campaign"] == []

    done = campaigns.list_campaigns(campaign_status=ParameterCampaignStatusListCampaigns.DONE)
    assert done.total == 6
    assert campaigns.list_campaigns(campaign_status=ParameterCampaignStatusListCampaigns.FAILED).total == 0
    nowhere = ParameterCampaignsAccessSetttings.from_dict({"filter": {"areas_ids": ["ar_1"]}})
    assert campaigns.list_campaigns(access_settings=nowhere).total == 0


def test_create_get_update_disable_delete_then_404(campaigns: CampaignsApi) -> None:
    body = CampaignsCreateRequestBody(
        name=NAME,
        campaign_type="DISCOUNT_COUPONS",
        type="AUTO_UPDATE",
        vouchers_count=5,
        metadata={"region": "EMEA"},
        voucher=CampaignsCreateRequestBodyVoucher(
            type="DISCOUNT_VOUCHER",
            discount=Discount(type="PERCENT", percent_off=50, effect="APPLY_TO_ORDER"),
            code_config=CodeConfig(pattern="SUMMER-####", charset="ABCDEFGH"),
        ),
    )
    created = campaigns.create_campaign(body)
    assert created.id.startswith("camp_")
    assert (
        created.creation_status,
        created.vouchers_generation_status,
        created.vouchers_count,
    ) == (
        "IN_PROGRESS",
        "IN_PROGRESS",
        0,
    )
    assert created.voucher.code_config.pattern == "SUMMER-####"
    assert created.voucher.code_config.length == 4

    fetched = campaigns.get_campaign(created.id)
    assert (fetched.creation_status, fetched.vouchers_count) == ("DONE", 5)
    by_name = campaigns.get_campaign(NAME)
    assert by_name.id == created.id

    updated = campaigns.update_campaign(created.id, CampaignsUpdateRequestBody(description="By id"))
    assert updated.description == "By id"
    assert updated.updated_at is not None and updated.metadata == {"region": "EMEA"}
    renamed = campaigns.update_campaign(
        NAME, CampaignsUpdateRequestBody(metadata={"team": "growth"})
    )
    assert renamed.id == created.id
    assert renamed.metadata == {"region": "EMEA", "team": "growth"}
    assert renamed.description == "By id"

    campaigns.disable_campaign(NAME)
    assert campaigns.get_campaign(created.id).active is False
    campaigns.enable_campaign(created.id)
    assert campaigns.get_campaign(created.id).active is True

    deleted = campaigns.delete_campaign(created.id, force=True)
    assert deleted.async_action_id.startswith("aa_")
    with pytest.raises(ApiException) as caught:
        campaigns.get_campaign(created.id)
    assert caught.value.status == 404
    error = voucherify.models.Error.from_json(caught.value.body)
    assert (error.code, error.key, error.resource_type, error.resource_id) == (
        404,
        "not_found",
        "campaign",
        created.id,
    )
    with pytest.raises(ApiException) as by_name_gone:
        campaigns.get_campaign(NAME)
    assert by_name_gone.value.status == 404


def test_a_duplicate_name_is_an_sdk_error(campaigns: CampaignsApi) -> None:
    body = CampaignsCreateRequestBody(name="Static Campaign", campaign_type="PROMOTION")
    with pytest.raises(ApiException) as duplicate:
        campaigns.create_campaign(body)
    assert duplicate.value.status == 409
    error = voucherify.models.Error.from_json(duplicate.value.body)
    assert (error.key, error.resource_id) == ("duplicate_found", "camp_HgsbCKauXmEoPnnh8aas0ISe")


def test_credentials(vf_server: tuple[str, Any]) -> None:
    base_url, _app = vf_server
    with ApiClient(Configuration(host=base_url)) as client:
        anonymous = CampaignsApi(client)
        with pytest.raises(ApiException) as caught:
            anonymous.list_campaigns()
        assert caught.value.status == 401
        assert voucherify.models.Error.from_json(caught.value.body).key == "unauthorized"
        # An OAuth access token works too.
        page = anonymous.list_campaigns(limit=1, _headers={"Authorization": "Bearer oauth-token"})
        assert page.total == 6


# -- the vendor's own request examples, through ``from_dict`` ------------------------------------


@pytest.fixture
def sdk(vf_examples_fixtures: Path) -> Iterator[ApiClient]:
    """An SDK client of a live mock whose fixtures also hold the vendor's example category."""
    app = create_app([ApiOptions("voucherify", fixtures=vf_examples_fixtures)])
    with serve(app) as base_url:
        config = Configuration(host=base_url, api_key={"X-App-Id": "a", "X-App-Token": "t"})
        with ApiClient(config) as client:
            yield client
    assert_no_violations(app)


def test_every_official_create_example_through_from_dict(
    sdk: ApiClient, official_document: dict[str, Any]
) -> None:
    """``from_dict`` sends every unset property as ``null`` (a discount's ``amount_off``,
    ``effect``, ...): the mock takes them as the vendor does."""
    campaigns = CampaignsApi(sdk)
    examples = official_request_examples(official_document, "/v1/campaigns", "post")
    assert len(examples) == 5
    created = {}
    for name, example in examples.items():
        body = CampaignsCreateRequestBody.from_dict(example)
        sent = sdk.sanitize_for_serialization(body)
        assert None in sent.values(), "the SDK sends unset properties as null"
        created[name] = campaigns.create_campaign(body)
    assert {c.campaign_type for c in created.values()} == {
        "DISCOUNT_COUPONS", "GIFT_VOUCHERS", "LOYALTY_PROGRAM", "PROMOTION", "REFERRAL_PROGRAM"
    }
    for name, campaign in created.items():
        fetched = campaigns.get_campaign(campaign.id)
        assert fetched.vouchers_count == examples[name].get("vouchers_count"), name
        assert fetched.categories == []
    discount = campaigns.get_campaign(created["Discount Campaign"].id)
    assert (discount.voucher.discount.type, discount.voucher.discount.percent_off) == ("PERCENT", 10)
    assert discount.voucher.discount.effect is None, "the SDK's nulls were not kept"
    assert discount.voucher.code_config.pattern == "10OFF-#######"
    assert discount.voucher.redemption.quantity == 10
    loyalty = campaigns.get_campaign(created["Loyalty Program"].id)
    assert loyalty.voucher.loyalty_card.points == 1000 and loyalty.join_once is True
    promotion = campaigns.get_campaign(created["Promotion"].id)
    assert [tier.name for tier in promotion.promotion.tiers] == ["Percent Discount", "Order more than $100"]

    update = official_request_examples(official_document, "/v1/campaigns/{campaignId}", "put")
    for example in update.values():
        updated = campaigns.update_campaign(
            created["Gift Card Campaign"].id, CampaignsUpdateRequestBody.from_dict(example)
        )
        assert updated.description == example["description"]


def test_vouchers_of_a_campaign_through_the_sdk(
    sdk: ApiClient, official_document: dict[str, Any]
) -> None:
    campaigns, vouchers, actions = CampaignsApi(sdk), VouchersApi(sdk), AsyncActionsApi(sdk)
    examples = official_request_examples(official_document, "/v1/campaigns", "post")
    campaign = campaigns.create_campaign(
        CampaignsCreateRequestBody.from_dict({**examples["Gift Card Campaign"], "name": "SDK gifts"})
    )
    # one voucher with a given code, then three generated ones (an async action)
    one = campaigns.add_vouchers_to_campaign(
        campaign.id,
        vouchers_count=1,
        campaigns_vouchers_create_in_bulk_request_body=CampaignsVouchersCreateInBulkRequestBody.from_dict(
            {"code": "SDK-GIFT-1", "metadata": {"channel": "sdk"}}
        ),
    )
    assert (one.code, one.gift.amount, one.gift.balance) == ("SDK-GIFT-1", 1000, 1000)
    three = campaigns.add_vouchers_to_campaign("SDK gifts", vouchers_count=3)
    generated = actions.get_async_action(three.async_action_id)
    assert (generated.type, generated.status, generated.result) == (
        "CAMPAIGN.VOUCHERS_GENERATE", "DONE", {"message": "Generated 3 vouchers.", "done_count": 3}
    )
    # the vendor's example of a voucher with a specific code (its category is in the fixtures)
    example = official_request_examples(
        official_document, "/v1/campaigns/{campaignId}/vouchers/{code}", "post"
    )["Example"]
    specific = campaigns.add_voucher_with_specific_code_to_campaign(
        campaign.id, "SDK-GIFT-2", CampaignsVouchersCreateRequestBody.from_dict(example)
    )
    # (the SDK's model has no `category_id`: from_dict drops the example's)
    assert specific.additional_info == "Voucher added using API" and specific.active is True
    assert specific.start_date.isoformat().startswith("2022-09-24T00:00:00")
    # the vendor's import example for gift cards, then a CSV file
    items = official_request_examples(official_document, "/v1/campaigns/{campaignId}/import", "post")
    imported = campaigns.import_vouchers_to_campaign(
        campaign.id, [CampaignsImportVoucherItem.from_dict(item) for item in items["Gift Cards"]]
    )
    result = actions.get_async_action(imported.async_action_id).result
    assert (result["done_count"], result["failed_count"]) == (3, 0)
    csv = campaigns.import_vouchers_to_campaign_using_csv(
        campaign.id, file=b"Code,Gift Amount,Redeemed Amount,Note\nSDK-CSV-1,700,200,thanks\n"
    )
    assert actions.get_async_action(csv.async_action_id).type == "CAMPAIGN.VOUCHERS_IMPORT_CSV"
    read = vouchers.get_voucher("SDK-CSV-1")
    assert (read.gift.amount, read.gift.balance, read.metadata) == (700, 500, {"Note": "thanks"})
    assert vouchers.get_voucher("CODE14").gift.amount == 2000
    listed = vouchers.list_vouchers(campaign_id=campaign.id, limit=100)
    assert listed.total == 2 + 1 + 3 + 1 + 3 + 1 == campaigns.get_campaign(campaign.id).vouchers_count
    assert {v.code for v in vouchers.list_vouchers(campaign="SDK gifts", limit=100).vouchers} == {
        v.code for v in listed.vouchers
    }
    assert actions.list_async_actions(limit=2).has_more is True


def test_summary_transactions_export_and_delete_through_the_sdk(
    sdk: ApiClient, official_document: dict[str, Any]
) -> None:
    campaigns, actions = CampaignsApi(sdk), AsyncActionsApi(sdk)
    examples = official_request_examples(official_document, "/v1/campaigns", "post")
    loyalty = campaigns.create_campaign(CampaignsCreateRequestBody.from_dict(examples["Loyalty Program"]))
    summary = campaigns.get_campaign_summary(loyalty.id)
    assert (summary.object, summary.vouchers_created, summary.created_vouchers_points) == (
        "campaign_summary", 2, 2000
    )
    assert summary.campaign.categories == [] and summary.redemptions == 0
    assert campaigns.get_campaign_summary(loyalty.id, end_date=date(2000, 1, 1)).vouchers_created == 0
    assert campaigns.list_campaign_transactions(loyalty.id, limit=5).data == []
    # The SDK's own model refuses the export the vendor answers (its document limits the
    # campaign id in `filters.campaign_id.conditions.$in` to one character): read it raw.
    example = official_request_examples(
        official_document, "/v1/campaigns/{campaignId}/transactions/export", "post"
    )["Example"]
    raw = campaigns.export_campaign_transactions_without_preload_content(
        loyalty.id, CampaignsTransactionsExportCreateRequestBody.from_dict(example)
    )
    export = json.loads(raw.data)
    assert (raw.status, export["status"], export["exported_object"]) == (200, "SCHEDULED", "voucher_transactions")
    assert export["parameters"]["filters"]["campaign_id"] == {"conditions": {"$in": [loyalty.id]}}
    assert export["parameters"]["fields"] == ["id", "type", "source_id", "created_at"]
    binned = campaigns.delete_campaign(loyalty.id)
    assert actions.get_async_action(binned.async_action_id).result == {
        "message": "Deleted 2 vouchers.", "done_count": 2
    }
    with pytest.raises(ApiException) as gone:
        campaigns.get_campaign_summary(loyalty.id)
    assert gone.value.status == 404
