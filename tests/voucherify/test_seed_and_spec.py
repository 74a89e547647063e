"""The fixtures are seed 001's six campaigns; the spec loads cleanly in every tool we use."""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
import yaml
from starlette.testclient import TestClient

from mockserver.apis.voucherify import VoucherifyAPI
from mockserver.fixtures import schema_validator
from mockserver.plugins import load_document

from .conftest import FIXTURES, SEED_LIST, fixture_campaigns
from .helpers import NOT_SERVED, OPERATIONS

SPEC = VoucherifyAPI.spec_path


def seed_list_response() -> dict[str, Any]:
    """The List Campaigns response shown in seed 001 (the first JSON object of the page)."""
    if not SEED_LIST.is_file():
        pytest.skip(f"seed 001 is not at {SEED_LIST}")
    text = SEED_LIST.read_text(encoding="utf-8")
    start = text.index('{\n  "object": "list"')
    response, _ = json.JSONDecoder().raw_decode(text[start:])
    assert isinstance(response, dict)
    return response


def test_fixtures_are_the_six_campaigns_of_seed_001() -> None:
    seed = seed_list_response()
    assert seed["total"] == 6
    assert fixture_campaigns() == seed["campaigns"]
    # Same field order too, so the file reads like the vendor's page.
    assert [list(c) for c in fixture_campaigns()] == [list(c) for c in seed["campaigns"]]


def test_the_mock_lists_exactly_seed_001(vf_client: TestClient) -> None:
    """Seed 001's response, with the empty `categories` seed 002 says lists always carry."""
    seed = seed_list_response()
    expected = {
        **seed,
        "campaigns": [
            {
                **{k: v for k, v in c.items() if k != "object"},
                "categories": [],
                "object": c["object"],
            }
            for c in seed["campaigns"]
        ],
    }
    response = vf_client.get("/v1/campaigns")
    assert response.status_code == 200
    assert response.json() == expected
    assert json.dumps(response.json()) == json.dumps(expected), "same key order"


def test_every_fixture_matches_our_campaign_schema() -> None:
    validator = schema_validator(load_document(SPEC), VoucherifyAPI.fixture_schemas["campaigns"])
    for record in json.loads(FIXTURES.read_text(encoding="utf-8")):
        assert list(validator.iter_errors(record)) == [], record["id"]


# -- the spec -----------------------------------------------------------------------------------


def test_spec_is_valid_openapi() -> None:
    from openapi_core import OpenAPI
    from openapi_spec_validator import validate

    validate(yaml.safe_load(SPEC.read_text(encoding="utf-8")))
    OpenAPI.from_file_path(str(SPEC))


def test_spec_loads_in_schemathesis_without_warnings() -> None:
    import schemathesis

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        schema = schemathesis.openapi.from_path(str(SPEC))
        operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert sorted(op.label for op in operations) == sorted(
        f"{method.upper()} {path}" for method, path in {**OPERATIONS, **NOT_SERVED}
    )


def test_operations_use_the_vendors_ids_statuses_and_security() -> None:
    spec = load_document(SPEC)
    found = {
        (method, path): operation["operationId"]
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }
    assert found == {**OPERATIONS, **NOT_SERVED}
    assert "202" in spec["paths"]["/v1/campaigns/{campaignId}"]["delete"]["responses"]
    assert spec["security"] == [{"X-App-Id": [], "X-App-Token": []}, {"X-Voucherify-OAuth": []}]
    schemes = spec["components"]["securitySchemes"]
    assert schemes["X-Voucherify-OAuth"] == {
        **schemes["X-Voucherify-OAuth"],
        "type": "http",
        "scheme": "bearer",
    }


def test_create_links_to_every_operation_on_the_campaign() -> None:
    spec = load_document(SPEC)
    links = spec["paths"]["/v1/campaigns"]["post"]["responses"]["200"]["links"]
    assert {link["operationId"] for link in links.values()} == {
        "get-campaign",
        "update-campaign",
        "delete-campaign",
        "enable-campaign",
        "disable-campaign",
        "add-vouchers-to-campaign",
        "get-campaign-summary",
    }
    assert all(
        link["parameters"] == {"campaignId": "$response.body#/id"} for link in links.values()
    )


def test_every_declared_response_schema_is_strict() -> None:
    """Response objects forbid unknown properties, so drift in the mock is caught."""
    schemas = load_document(SPEC)["components"]["schemas"]
    for name in (
        "Campaign",
        "CampaignVoucher",
        "CampaignsListResponseBody",
        "AsyncActionCreated",
        "AsyncAction",
        "AsyncActionBase",
        "AsyncActionResult",
        "AsyncActionsListResponseBody",
        "Voucher",
        "VouchersListResponseBody",
        "CampaignSummary",
        "CampaignTransactionsList",
        "CampaignTransactionsExport",
        "AccessSettingsCampaignAssignmentsList",
        "AreaStoreCampaignAssignment",
        "EmptyJson",
        "Error",
        "Category",
        "PromotionTier",
        "PromotionTiersList",
        "ValidationRulesAssignmentsList",
        "ValidationRuleAssignment",
    ):
        assert schemas[name].get("additionalProperties") is False, name
