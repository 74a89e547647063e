"""Every response of the mock validates against the vendor's **official** schemas.

The official document (``../shared/reference/voucherify-openapi.json``) is loaded with the
repairs strict tools need (see :func:`conftest.repaired_official_document`), then a scenario
touching every operation, campaign type, expansion and error is replayed through the mock:
each success body must match the official schema of its operation and status, each error body
the official ``Error`` schema. Skipped, saying so, when the document is absent.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from jsonschema import FormatChecker
from jsonschema.exceptions import best_match
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from starlette.testclient import TestClient

from mockserver.apis.voucherify import vendor
from mockserver.applications import create_app

from .conftest import AUTH, assert_no_violations, fixture_campaigns
from .helpers import OPERATIONS, discount_campaign, path

Validate = Callable[[dict[str, Any], Any], None]

#: Every format the official document uses is checked except ``time``: the vendor documents
#: ``validity_hours.daily[].start_time``/``expiration_time`` as ``HH:mm`` ("12:00" in its own
#: examples), which RFC 3339's ``time`` (``12:00:00Z``) rejects; the mock echoes what clients send.
FORMATS = FormatChecker()
FORMATS.checkers = {
    name: check for name, check in oas30_format_checker.checkers.items() if name != "time"
}


def repair_defects(components: dict[str, Any]) -> None:
    """The official document's defects worked around, in a copy of its components: those
    :func:`mockserver.apis.voucherify.vendor.repair` repairs when the document is served
    (each makes a whole family of values impossible to validate, the vendor's own examples
    included: ``test_each_repair_is_needed_by_the_vendors_own_examples`` proves it)."""
    assert vendor.repair({"components": components})


def validator_for(components: dict[str, Any]) -> Validate:
    validators: dict[str, Any] = {}

    def validate(schema: dict[str, Any], instance: Any) -> None:
        key = json.dumps(schema, sort_keys=True)
        validator = validators.get(key)
        if validator is None:
            validator = validators[key] = OAS30Validator(
                {**schema, "components": components}, format_checker=FORMATS
            )
        error = best_match(validator.iter_errors(instance))
        assert error is None, (
            f"{'/'.join(map(str, error.absolute_path)) or '<body>'}: {error.message}"
        )

    return validate


@pytest.fixture(scope="module")
def official(official_document: dict[str, Any]) -> Validate:
    """``validate(schema, instance)`` against the official document's components, with the
    document's defects worked around (:func:`repair_defects`)."""
    components = copy.deepcopy(official_document["components"])
    repair_defects(components)
    return validator_for(components)


#: Examples that break their schema for another reason than the repaired defects.
OTHER_DEFECTS = {
    # it holds a CUSTOMERS.IMPORT_CSV action
    ("/v1/async-actions/{asyncActionId}", "CAMPAIGN.VOUCHERS_IMPORT_CSV"),
    # `junction: AND` is not in the enum (and, or), `$after` is an array where a string is typed
    ("/v1/campaigns/{campaignId}/transactions/export", "Example"),
}


def test_each_repair_is_needed_by_the_vendors_own_examples(official_document: dict[str, Any]) -> None:
    """The vendor's own response examples of the repaired schemas fail without the repairs
    and pass with them: each repair fixes the document, never the mock."""
    raw = validator_for(copy.deepcopy(official_document["components"]))
    repaired_components = copy.deepcopy(official_document["components"])
    repair_defects(repaired_components)
    repaired = validator_for(repaired_components)
    cases = [
        ("/v1/async-actions/{asyncActionId}", "get", "200"),
        ("/v1/campaigns/{campaignId}/summary", "get", "200"),
        ("/v1/campaigns/{campaignId}/transactions/export", "post", "200"),
    ]
    for route, method, status in cases:
        media = official_document["paths"][route][method]["responses"][status]["content"]["application/json"]
        for name, example in media["examples"].items():
            value = copy.deepcopy(example["value"])
            if route.endswith("/summary"):
                # the example's standalone voucher lacks the `code_config` CampaignVoucher
                # requires (a defect of the example, not of the schema): given one, only the
                # oneOf defect is left
                value["campaign"]["voucher"]["code_config"] = {"length": 8, "charset": "ab", "pattern": "#"}
            with pytest.raises(AssertionError):
                raw(media["schema"], value)
            if (route, name) not in OTHER_DEFECTS:
                repaired(media["schema"], value)
    unit = {"type": "UNIT", "effect": "ADD_MANY_ITEMS", "units": [{"unit_off": 1, "effect": "ADD_NEW_ITEMS"}]}
    with pytest.raises(AssertionError):
        raw({"$ref": "#/components/schemas/Discount"}, unit)
    repaired({"$ref": "#/components/schemas/Discount"}, unit)


def official_response_schema(
    document: dict[str, Any], operation_id: str, status: int
) -> dict[str, Any]:
    for (method, route), op_id in OPERATIONS.items():
        if op_id == operation_id:
            operation = document["paths"][route][method]
            assert operation["operationId"] == operation_id
            response = operation["responses"][str(status)]
            schema: dict[str, Any] = response["content"]["application/json"]["schema"]
            return schema
    raise KeyError(operation_id)


def scenario(client: TestClient) -> list[tuple[str, Any]]:
    """``(operationId, response)`` for a walk through every operation, success and failure."""
    calls: list[tuple[str, Any]] = []

    def call(operation_id: str, response: Any) -> Any:
        calls.append((operation_id, response))
        return response

    for query in (
        "",
        "?expand=category",
        "?expand=access_settings_assignments&limit=3&page=2",
        "?order=updated_at&filters[active][conditions][$enabled]=",
        "?limit=1000",
        "?filters[x]=1",
    ):
        call("list-campaigns", client.get(f"/v1/campaigns{query}"))
    bodies = [
        discount_campaign(
            "Discount",
            start_date="2020-08-16T00:00:00Z",
            expiration_date="2030-01-01T00:00:00Z",
            validity_timeframe={"interval": "P2D", "duration": "P1D"},
            validity_day_of_week=[1, 2],
            validity_hours={
                "daily": [{"start_time": "12:00", "expiration_time": "14:00", "days_of_week": [1]}]
            },
            category="Seasonal",
            validation_rules=["val_1"],
            metadata={"a": 1},
        ),
        discount_campaign(
            "Unit",
            voucher={
                "discount": {
                    "type": "UNIT",
                    "unit_off": 1,
                    "effect": "ADD_NEW_ITEMS",
                    "product": {"id": "prod_1"},
                }
            },
        ),
        discount_campaign(
            "Many units",
            voucher={
                "discount": {
                    "type": "UNIT",
                    "effect": "ADD_MANY_ITEMS",
                    "units": [{"unit_off": 1, "effect": "ADD_MISSING_ITEMS"}],
                }
            },
        ),
        discount_campaign(
            "Fixed",
            voucher={
                "discount": {"type": "FIXED", "fixed_amount": 500, "effect": "APPLY_TO_ITEMS"}
            },
        ),
        discount_campaign(
            "Failing",
            vouchers_count=5,
            voucher={
                "discount": {"type": "AMOUNT", "amount_off": 1},
                "code_config": {"pattern": "#", "charset": "a"},
            },
        ),
        {
            "name": "Gift",
            "campaign_type": "GIFT_VOUCHERS",
            "vouchers_count": 2,
            "voucher": {
                "gift": {"amount": 1000, "effect": "APPLY_TO_ORDER"},
                "code_config": {"prefix": "G-", "postfix": "-X"},
            },
        },
        {
            "name": "Loyalty",
            "campaign_type": "LOYALTY_PROGRAM",
            "vouchers_count": 1,
            "voucher": {
                "loyalty_card": {
                    "points": 10,
                    "expiration_rules": {"period_type": "MONTH", "period_value": 3},
                }
            },
        },
        {
            "name": "Referral",
            "campaign_type": "REFERRAL_PROGRAM",
            "referral_program": {
                "conversion_event_type": "redemption",
                "referee_reward": {
                    "type": "GIFT_VOUCHER",
                    "amount": 500,
                    "related_object_parent": {"id": "camp_1", "object": "CAMPAIGN"},
                },
            },
            "voucher": {
                "discount": {"type": "PERCENT", "percent_off": 5},
                "redemption": {"quantity": 1},
            },
        },
        {
            "name": "Promotion",
            "campaign_type": "PROMOTION",
            "category_id": "cat_0b688929a2476386a8",
            "promotion": {
                "tiers": [
                    {
                        "name": "Tier",
                        "banner": "b",
                        "action": {"discount": {"type": "AMOUNT", "amount_off": 100}},
                        "validation_rules": ["val_2"],
                        "category": "Tiers",
                        "start_date": "2024-01-01T00:00:00Z",
                        "validity_day_of_week": [0],
                    }
                ]
            },
        },
        {"name": "Promotion", "campaign_type": "PROMOTION"},
        {"name": "Bad", "campaign_type": "GIFT_VOUCHERS"},
        {"name": "Bad", "campaign_type": "PROMOTION", "category_id": "cat_missing"},
    ]
    created = [call("create-campaign", client.post("/v1/campaigns", json=body)) for body in bodies]
    call(
        "create-campaign",
        client.post("/v1/campaigns", content=b"{", headers={"Content-Type": "application/json"}),
    )
    call(
        "create-campaign",
        client.post("/v1/campaigns", content=b"x", headers={"Content-Type": "text/plain"}),
    )
    ids = [r.json()["id"] for r in created if r.status_code == 200]
    for campaign_id in ids + [c["id"] for c in fixture_campaigns()]:
        call("get-campaign", client.get(path(campaign_id)))
    call("get-campaign", client.get(path("Loyalty Program Fall 2022")))
    call("get-campaign", client.get(path("camp_missing")))
    updates = {
        "Discount": {
            "description": "d",
            "discount": {"type": "AMOUNT", "amount_off": 5},
            "start_date": None,
            "category_id": None,
        },
        "Gift": {"gift": {"amount": 5}, "type": "STATIC", "join_once": True, "auto_join": True},
        "Loyalty": {
            "loyalty_tiers_expiration": {
                "qualification_type": "POINTS_IN_PERIOD",
                "qualification_period": "YEAR",
                "expiration_date": {"type": "END_OF_PERIOD", "rounding": {"type": "MONTH"}},
            },
            "options": {"recalculate_tiers": True},
        },
        "Referral": {
            "referral_program": {
                "conversion_event_type": "custom_event",
                "custom_event": {"name": "signup"},
            }
        },
        "Promotion": {
            "metadata": {"b": 2},
            "unset_metadata_fields": ["b"],
            "validity_timeframe": {"duration": "PT1H"},
        },
        "Static Campaign": {"category": "Fresh"},
    }
    for ident, body in updates.items():
        call("update-campaign", client.put(path(ident), json=body))
    call("update-campaign", client.put(path("camp_missing"), json={}))
    call("update-campaign", client.put(path("Gift"), json={"type": "STANDALONE"}))
    for ident in ("Gift", "Static Campaign"):
        call("disable-campaign", client.post(path(ident, "/disable")))
        call("enable-campaign", client.post(path(ident, "/enable")))
    call("enable-campaign", client.post(path("camp_missing", "/enable")))
    call("list-campaigns", client.get("/v1/campaigns?limit=100&expand=category&order=-updated_at"))
    vouchers_scenario(client, call)
    call("delete-campaign", client.delete(path("Gift")))
    call("delete-campaign", client.delete(path("Loyalty") + "?force=true"))
    call("delete-campaign", client.delete(path("Gift")))
    call("delete-campaign", client.delete(path("Referral") + "?force=maybe"))
    call("list-campaigns", client.get("/v1/campaigns", headers={"X-App-Token": "", "X-App-Id": ""}))
    return calls


def vouchers_scenario(client: TestClient, call: Callable[[str, Any], Any]) -> None:
    """A campaign's vouchers, summaries, transactions, exports and async actions."""
    for ident in ("Discount", "Gift", "Loyalty", "Referral"):
        call("add-vouchers-to-campaign", client.post(path(ident, "/vouchers")))
        added = call("add-vouchers-to-campaign", client.post(path(ident, "/vouchers") + "?vouchers_count=2", json={"metadata": {"k": "v"}, "category": "Added"}))
        call("get-async-action", client.get(f"/v1/async-actions/{added.json()['async_action_id']}"))
        call(
            "add-voucher-with-specific-code-to-campaign",
            client.post(path(ident, f"/vouchers/{ident}-CODE"), json={"additional_info": "x", "redemption": {"quantity": 3}, "start_date": "2024-01-01T00:00:00Z"}),
        )
        items = [{"code": f"{ident}-IMPORT-1", "category": "Imported"}, {"code": f"{ident}-CODE"}, {"active": False}]
        if ident == "Gift":
            items.append({"code": "Gift-IMPORT-2", "gift": {"amount": 300}})
        if ident == "Loyalty":
            items.append({"code": "Loyalty-IMPORT-2", "loyalty_card": {"points": 30}})
        imported = call("import-vouchers-to-campaign", client.post(path(ident, "/import"), json=items))
        call("get-async-action", client.get(f"/v1/async-actions/{imported.json()['async_action_id']}"))
        csv = f"Code,Category,Active,Loyalty Points,Gift Amount,Colour\n{ident}-CSV-1,Imported,true,,,red\n,x,,,,\n{ident}-CSV-2,,maybe,,,\n"
        by_csv = call("import-vouchers-to-campaign-using-csv", client.post(path(ident, "/importCSV"), files={"file": ("codes.csv", csv.encode(), "text/csv")}))
        call("get-async-action", client.get(f"/v1/async-actions/{by_csv.json()['async_action_id']}"))
        call("get-campaign-summary", client.get(path(ident, "/summary")))
        call("get-campaign-summary", client.get(path(ident, "/summary") + "?start_date=2020-01-01&end_date=2020-01-02"))
        call("list-campaign-transactions", client.get(path(ident, "/transactions") + "?limit=5&order=-id"))
        call("export-campaign-transactions", client.post(path(ident, "/transactions/export"), json={"parameters": {"order": "-created_at", "fields": ["id", "amount"], "filters": {"voucher_id": {"conditions": {"$in": ["v_1"]}}}}}))
        call("get-voucher", client.get(f"/v1/vouchers/{ident}-CODE"))
        call("list-vouchers", client.get(f"/v1/vouchers?campaign={ident}&limit=100&order=code"))
    call("get-campaign-summary", client.get(path("Promotion", "/summary")))
    call("export-campaign-transactions", client.post(path("Promotion", "/transactions/export")))
    call("add-vouchers-to-campaign", client.post(path("Promotion", "/vouchers")))
    call("add-vouchers-to-campaign", client.post(path("Discount", "/vouchers"), json={"code": "Discount-CODE"}))
    call("import-vouchers-to-campaign", client.post(path("camp_missing", "/import"), json=[]))
    call("import-vouchers-to-campaign-using-csv", client.post(path("Discount", "/importCSV"), files={"file": ("x.csv", b"Name\nx\n", "text/csv")}))
    call("get-campaign-summary", client.get(path("camp_missing", "/summary")))
    call("list-campaign-transactions", client.get(path("Discount", "/transactions") + "?filters[id][conditions][$xx]=1"))
    call("get-voucher", client.get("/v1/vouchers/NO-SUCH-CODE"))
    call("list-vouchers", client.get("/v1/vouchers?expand=x&created_at[after]=2020-01-01&updated_at[before]=2030-01-01T00:00:00Z"))
    call("list-vouchers", client.get("/v1/vouchers?created_at[after]=soon"))
    call("list-async-actions", client.get("/v1/async-actions?limit=3"))
    call("list-async-actions", client.get("/v1/async-actions?end_date=2000-01-01T00:00:00Z"))
    call("get-async-action", client.get("/v1/async-actions/aa_missing"))


@pytest.fixture(scope="module")
def recorded() -> list[tuple[str, Any]]:
    app = create_app(["voucherify"])
    with TestClient(app, headers=AUTH) as client:
        calls = scenario(client)
    assert_no_violations(app)
    return calls


def test_the_scenario_covers_every_operation_and_outcome(recorded: list[tuple[str, Any]]) -> None:
    outcomes = {(op, r.status_code) for op, r in recorded}
    assert {op for op, _ in outcomes} == set(OPERATIONS.values())
    assert {status for _, status in outcomes} >= {200, 202, 400, 401, 404, 409, 415}
    assert all(
        any(op == operation and status < 300 for op, status in outcomes)
        for operation in OPERATIONS.values()
    ), "every operation succeeds at least once"


def test_every_success_matches_the_official_schema(
    recorded: list[tuple[str, Any]], official: Validate, official_document: dict[str, Any]
) -> None:
    successes = [(op, r) for op, r in recorded if r.status_code < 300]
    assert len(successes) > 30
    for operation_id, response in successes:
        schema = official_response_schema(official_document, operation_id, response.status_code)
        official(schema, response.json())


def test_every_error_matches_the_official_error_schema(
    recorded: list[tuple[str, Any]], official: Validate
) -> None:
    errors = [r for _, r in recorded if r.status_code >= 400]
    assert len(errors) > 10
    for response in errors:
        official({"$ref": "#/components/schemas/Error"}, response.json())


@pytest.mark.parametrize("schema", ["CampaignBase", "Campaign"])
def test_fixtures_match_the_official_campaign_schemas(official: Validate, schema: str) -> None:
    for campaign in fixture_campaigns():
        official({"$ref": f"#/components/schemas/{schema}"}, campaign)


def test_the_repaired_official_document_loads_in_strict_tools(
    official_document: dict[str, Any],
) -> None:
    from openapi_core import OpenAPI
    from openapi_spec_validator import validate

    validate(official_document)
    OpenAPI.from_dict(official_document)


def test_our_campaign_properties_all_exist_in_the_official_schemas(
    official_document: dict[str, Any],
) -> None:
    """No invented fields: the mock's campaign, voucher and list shapes use only the vendor's names."""
    from mockserver.apis.voucherify import VoucherifyAPI
    from mockserver.plugins import load_document

    ours = load_document(VoucherifyAPI.spec_path)["components"]["schemas"]
    theirs = official_document["components"]["schemas"]
    official_campaign = set(theirs["CampaignBase"]["properties"]) | set(
        theirs["Campaign"]["allOf"][1]["properties"]
    )
    assert set(ours["Campaign"]["properties"]) <= official_campaign
    assert set(ours["CampaignVoucher"]["properties"]) <= set(
        theirs["CampaignVoucher"]["properties"]
    )
    assert set(ours["CampaignsListResponseBody"]["properties"]) == set(
        theirs["CampaignsListResponseBody"]["properties"]
    )
    assert set(ours["Error"]["properties"]) <= set(theirs["Error"]["properties"])
    for name in (
        "DiscountAmount",
        "DiscountPercent",
        "DiscountFixed",
        "DiscountUnit",
        "DiscountUnitMultiple",
        "Gift",
        "CodeConfig",
        "ValidityTimeframe",
        "ReferralProgram",
        "Category",
    ):
        assert set(ours[name]["properties"]) <= set(theirs[name]["properties"]), name


def _mutations(value: Any) -> list[Any]:
    """Near misses of ``value``: each top-level property dropped, retyped or nulled, plus an
    unknown one."""
    if not isinstance(value, dict):
        return [None, "x", 1.5, [value]]
    out: list[Any] = [{**value, "zz_unknown": 1}]
    for key in list(value)[:12]:
        out.append({k: v for k, v in value.items() if k != key})
        for replacement in (None, "x", 7, True, [], {}):
            out.append({**value, key: replacement})
    return out


def test_compiled_validators_decide_as_openapi_core_on_the_official_examples(
    official_document: dict[str, Any],
) -> None:
    """The official 241-operation document's schemas, compiled to jsonschema-rs
    (``mockserver.compiled``), accept exactly what openapi-core accepts, on every JSON
    example the document gives for a response and on near misses of each."""
    from jsonschema_path import SchemaPath
    from openapi_core.validation.schemas import oas30_read_schema_validators_factory

    from mockserver.compiled import Compiler

    spec = SchemaPath.from_dict(official_document)
    factory = oas30_read_schema_validators_factory
    compiler = Compiler(official_document, "read", factory.format_checker)
    compared = compiled_count = 0
    verdicts = {True: 0, False: 0}
    for path_name, item in official_document["paths"].items():
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, response in operation["responses"].items():
                media = response.get("content", {}).get("application/json", {})
                if "schema" not in media or not media.get("examples"):
                    continue
                node = spec / "paths" / path_name / method / "responses" / status
                node = node / "content" / "application/json" / "schema"
                reference = factory.create(spec, node)
                compiled = compiler.compile(media["schema"])
                if compiled is None:
                    continue
                compiled_count += 1
                for example in media["examples"].values():
                    if "value" not in example:
                        continue
                    for value in [example["value"], *_mutations(example["value"])]:
                        expected = not list(reference.validator.iter_errors(value))
                        # a compiled acceptance of an invalid value would be a fast-path bug;
                        # a compiled rejection of a valid one would only cost time (openapi-core
                        # then decides): neither happens
                        assert compiled.is_valid(value) is expected, (
                            f"{method.upper()} {path_name} {status}: compiled and openapi-core "
                            f"disagree ({expected=}) on {value!r:.300}"
                        )
                        verdicts[expected] += 1
                        compared += 1
    print(f"{compiled_count} response schemas compiled, {compared} values compared: {verdicts}")
    assert compiled_count >= 100, compiled_count
    assert compared >= 5_000, compared
    assert verdicts[True] >= 100 and verdicts[False] >= 1_000, verdicts


# -- the vendor's own document, served ----------------------------------------------------------


def test_the_vendors_document_served_with_its_repairs(
    tmp_path: Any, official_document: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """``--spec voucherify-openapi.json``: the operations the mock serves answer under the
    vendor's own schemas (repaired where they contradict themselves), with no violation; the
    others answer 501 in the vendor's format."""
    from mockserver.applications import ApiOptions

    from .conftest import OFFICIAL_SPEC

    with caplog.at_level("WARNING", logger="mockserver"):
        app = create_app([ApiOptions("voucherify", spec=OFFICIAL_SPEC)])
    assert any("repaired async action results" in r.getMessage() for r in caplog.records)
    # the vendor's document asks for its app keys and its OAuth token together
    headers = {**AUTH, "Authorization": "Bearer token"}
    with TestClient(app, headers=headers) as client:
        created = client.post("/v1/campaigns", json=discount_campaign("Served", vouchers_count=2))
        assert created.status_code == 200, created.text
        ident = created.json()["id"]
        bulk = client.post(path(ident, "/vouchers") + "?vouchers_count=2", json={})
        assert client.get(f"/v1/async-actions/{bulk.json()['async_action_id']}").status_code == 200
        assert client.get(path(ident, "/summary")).status_code == 200
        exported = client.post(path(ident, "/transactions/export"), json={})
        assert exported.status_code == 200, exported.text
        imported = client.post(path(ident, "/import"), json=[{"code": "SERVED-1", "category": "First"}])
        assert imported.status_code == 202, imported.text
        assert client.get("/v1/vouchers/SERVED-1").status_code == 200
        listed = client.get(f"/v1/vouchers?campaign_id={ident}")
        assert listed.json()["total"] == 5
        deleted = client.delete(path(ident))
        assert client.get(f"/v1/async-actions/{deleted.json()['async_action_id']}").status_code == 200
        # the vendor documents no error responses: its Error object is every operation's 4XX
        missing = client.get("/v1/campaigns/camp_missing")
        assert (missing.status_code, missing.json()["key"]) == (404, "not_found")
        # an operation the plug-in has no handler for gets the generic behaviour: customers
        # are stored and read back as the document describes them
        customer = client.post("/v1/customers", json={"source_id": "served-1", "name": "Ada"})
        assert customer.status_code == 200, customer.text
        listed_customers = client.get("/v1/customers").json()["customers"]
        assert [c["source_id"] for c in listed_customers] == ["served-1"]
    assert_no_violations(app)


def test_the_repairs_touch_only_the_vendors_defects(official_document: dict[str, Any]) -> None:
    from mockserver.apis.voucherify import VoucherifyAPI
    from mockserver.plugins import load_document

    document = copy.deepcopy(official_document)
    assert len(vendor.repair(document)) == len(vendor.REPAIRS)
    assert vendor.repair(document) == [], "a repaired document has nothing left to repair"
    assert vendor.repair(load_document(VoucherifyAPI.spec_path)) == [], "ours has none of them"
