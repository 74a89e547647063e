# mypy: disable-error-code="union-attr,arg-type,index,attr-defined"
# (the generated SDK types every field of every model as Optional)
"""Voucherify's official Python SDK (``voucherify`` 6.x, urllib3) against the mock on a real port."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

voucherify = pytest.importorskip(
    "voucherify", reason="the official SDK (pip install voucherify) is not installed"
)

from voucherify import ApiClient, ApiException, CampaignsApi, Configuration  # noqa: E402
from voucherify.models import (  # noqa: E402
    CampaignsCreateRequestBody,
    CampaignsCreateRequestBodyVoucher,
    CampaignsUpdateRequestBody,
    CodeConfig,
    Discount,
    FilterConditionsString,
    ParameterCampaignType,
    ParameterExpandListCampaigns,
    ParameterFiltersListCampaigns,
    ParameterFiltersListCampaignsCampaigns,
    ParameterOrderListCampaigns,
)

from .conftest import fixture_campaigns  # noqa: E402

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
