"""The vendor's official OpenAPI document, repaired where it contradicts itself.

``mockserver serve --api voucherify --spec voucherify-openapi.json`` serves the vendor's own
document. A few of its schemas can validate no value at all, not even the vendor's own
examples; served literally, the mock would refuse the vendor's example requests and report
its own answers as contract violations. :func:`repair` fixes those schemas in the loaded
document (the engine's generic repairs, :mod:`mockserver.documents`, have already run):

* an async action's ``result``, a campaign summary and an import item are ``oneOf``
  branches that allow any property, so a value matches several of them (or, for an import
  item without a value of its own, none): they are read as ``anyOf``, and an import item's
  value is not required (the campaign's applies);
* ``Discount``'s ``DiscountUnit`` branch allows ``ADD_MANY_ITEMS``, the effect that defines
  ``DiscountUnitMultiple``, so every multi-unit discount matches both: ``DiscountUnit``
  loses that one value;
* an export's ``filters.campaign_id.conditions.$in`` items are at most one character long,
  so no campaign id fits: the bound goes;
* no operation documents an error response (200, 202 and 204 only), though its ``Error``
  object is defined: every operation without one gets a ``4XX`` answer of that object, so a
  campaign not found is the vendor's 404, not a contract violation of the mock.

Each repair applies only where the document still has the defect, so a corrected document
is left as it is. ``tests/voucherify/test_official.py`` proves each one needed by the
vendor's own examples.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any

Document = MutableMapping[str, Any]


def _schemas(document: Document) -> MutableMapping[str, Any]:
    schemas: MutableMapping[str, Any] = document.get("components", {}).get("schemas", {})
    return schemas


def _any_of(node: Any) -> bool:
    if isinstance(node, MutableMapping) and "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
        return True
    return False


def _async_action_result(document: Document) -> bool:
    members = _schemas(document).get("AsyncAction", {}).get("allOf", [])
    return any(_any_of(m.get("properties", {}).get("result")) for m in members if isinstance(m, dict))


def _campaign_summary(document: Document) -> bool:
    return _any_of(_schemas(document).get("CampaignsSummaryGetResponseBody"))


def _import_item(document: Document) -> bool:
    schemas = _schemas(document)
    changed = _any_of(schemas.get("CampaignsImportVoucherItem"))
    for name, value in (
        ("VoucherImportDiscount", "discount"),
        ("VoucherImportGift", "gift"),
        ("VoucherImportLoyaltyCard", "loyalty_card"),
    ):
        schema = schemas.get(name, {})
        for part in [schema, *schema.get("allOf", [])]:
            if isinstance(part, MutableMapping) and value in part.get("required", []):
                part["required"] = [r for r in part["required"] if r != value]
                if not part["required"]:
                    del part["required"]
                changed = True
    return changed


def _unit_effect(document: Document) -> bool:
    effect = _schemas(document).get("DiscountUnitVouchersEffectTypes", {})
    if "ADD_MANY_ITEMS" in effect.get("enum", []):
        effect["enum"] = [e for e in effect["enum"] if e != "ADD_MANY_ITEMS"]
        return True
    return False


def _export_campaign_id(document: Document) -> bool:
    schema = _schemas(document).get("TransactionsExportFilterConditionsWithCampaign", {})
    try:
        conditions = schema["properties"]["campaign_id"]["properties"]["conditions"]
        item = conditions["properties"]["$in"]["items"]
    except (KeyError, TypeError):
        return False
    return bool(item.pop("maxLength", None) == 1)


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _error_responses(document: Document) -> bool:
    if "Error" not in _schemas(document):
        return False
    answer = {
        "description": "An error, in the vendor's error object.",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    changed = False
    for item in document.get("paths", {}).values():
        for method in _METHODS:
            responses = item.get(method, {}).get("responses") if isinstance(item, dict) else None
            if not isinstance(responses, MutableMapping):
                continue
            if not any(str(code).startswith("4") or code == "default" for code in responses):
                responses["4XX"] = answer
                changed = True
    return changed


REPAIRS: dict[str, Callable[[Document], bool]] = {
    "async action results read as anyOf (its oneOf branches overlap)": _async_action_result,
    "campaign summaries read as anyOf (its oneOf branches overlap)": _campaign_summary,
    "import items read as anyOf, their value not required (no branch took an item without one)": _import_item,
    "DiscountUnit without ADD_MANY_ITEMS (it is DiscountUnitMultiple's)": _unit_effect,
    "an export's campaign ids longer than one character": _export_campaign_id,
    "its Error object as the 4XX answer of operations documenting no error": _error_responses,
}


def repair(document: Document) -> list[str]:
    """Repair ``document`` in place; what was repaired (empty for any other document)."""
    return [description for description, fix in REPAIRS.items() if fix(document)]
