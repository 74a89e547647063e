"""Never stricter than the vendor on requests, and every difference said out loud.

* Our request schemas are compared with the official document's, operation by operation,
  property by property (:mod:`.schema_diff`): nullability, types, enums, undeclared
  properties, required properties, limits and formats. Every difference found must be one of
  :data:`DIFFERENCES`, each with its reason, and every entry there must still be found.
* Every request example the official document gives for an operation the mock serves is
  accepted (2xx), as the vendor's own server accepts its examples.
"""

from __future__ import annotations

import copy
import fnmatch
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from mockserver.apis.voucherify import VoucherifyAPI
from mockserver.applications import ApiOptions, create_app
from mockserver.plugins import load_document
from mockserver.spec import load

from ..conftest import assert_no_violations
from .conftest import AUTH
from .helpers import OPERATIONS
from .schema_diff import Difference, differences


@dataclass(frozen=True)
class Documented:
    """Differences whose ``"<operationId> <path>"`` matches ``where`` (fnmatch), of ``kind``."""

    where: str
    kind: str
    stricter: bool
    reason: str

    def covers(self, difference: Difference) -> bool:
        return (
            difference.kind == self.kind
            and difference.stricter == self.stricter
            and fnmatch.fnmatchcase(difference.where, self.where)
        )


#: Every deliberate difference between our request schemas and the vendor's, and why.
DIFFERENCES = [
    # -- where the mock is stricter ---------------------------------------------------------
    Documented(
        "create-campaign body<*>.name", "required", True,
        "A campaign needs a name: it is unique (409) and a second key (Get Campaign by name). "
        "The vendor's document requires nothing anywhere (it publishes 364 empty `required` lists).",
    ),
    Documented("create-campaign body<*>.name", "nullable", True, "The same: a campaign needs a name."),
    Documented(
        "create-campaign body<*>.name", "limit", True,
        "An empty name could not be fetched by name (an empty path segment).",
    ),
    Documented(
        "create-campaign body<*>.campaign_type", "required", True,
        "`campaign_type` chooses the schema the body follows (a discriminator); the vendor's "
        "branches differ by it alone.",
    ),
    Documented(
        "create-campaign body<*>.voucher", "required", True,
        "A voucher campaign's codes are generated from its voucher definition: without one "
        "there is nothing to generate, and no value (discount, gift, points) to give them.",
    ),
    Documented(
        "create-campaign body<*>.voucher", "nullable", True,
        "The same: a voucher campaign needs its definition (the vendor's discount and referral "
        "definitions declare no `type`, so they take even null).",
    ),
    Documented(
        "create-campaign body<*>.voucher", "type", True,
        "A voucher definition is an object (the vendor's discount and referral definitions "
        "declare no `type`, so they take any JSON value).",
    ),
    Documented(
        "* *discount<Discount*>.type", "required", True,
        "A discount's `type` decides which of the vendor's five discount shapes applies; "
        "without it the vendor's own `oneOf` matches several shapes and refuses the value.",
    ),
    Documented(
        "* *discount<DiscountUnitMultiple>.effect", "required", True,
        "`ADD_MANY_ITEMS` is what tells a multiple-units discount from a single-unit one.",
    ),
    Documented(
        "* *discount<DiscountUnit>.effect", "enum", True,
        "`ADD_MANY_ITEMS` is the Unit Multiple shape: in the vendor's `oneOf` it matches both "
        "unit shapes, so the vendor's document refuses every such discount; the mock takes it "
        "as Unit Multiple.",
    ),
    Documented(
        "* *code_config.*", "limit", True,
        "Generation is capped so that one request cannot exhaust the mock: at most 100 random "
        "characters, 100-character pattern, prefix and postfix, 1000-character charset.",
    ),
    Documented(
        "* *vouchers_count", "limit", True,
        "At most 10,000 vouchers per request (the mock does the work at once, in memory); "
        "adding takes at least 1.",
    ),
    Documented(
        "import-vouchers-to-campaign body", "limit", True,
        "At most 10,000 vouchers per import, for the same reason.",
    ),
    Documented(
        "create-campaign body<*>.promotion.tiers", "limit", True,
        "At most 100 promotion tiers per campaign.",
    ),
    Documented(
        "* path.*", "limit", True,
        "An ID, name or code is one path segment: an empty one names nothing, and one with a "
        "line break is answered 404 (nothing can be looked up by it).",
    ),
    Documented(
        "add-vouchers-to-campaign body.code", "limit", True,
        "An empty code could never be read back (an empty path segment).",
    ),
    Documented(
        "create-campaign body<*>.active", "extra", True,
        "Not in the vendor's create schema, but in its own Promotion example: honoured "
        "(`false` creates the campaign disabled), so it must be a boolean.",
    ),
    Documented(
        "create-campaign body<*>.voucher.is_referral_code", "extra", True,
        "Every fetched campaign's voucher definition has it, so copying a campaign into a "
        "create must work; the campaign type decides it (true for referral programs).",
    ),
    Documented(
        "create-campaign body<*>.voucher.*_date", "extra", True,
        "Seed 004 defines a voucher definition with `start_date` and `expiration_date`, and a "
        "fetched campaign's definition repeats them: stored (the campaign's own, when it has "
        "them, win) and given to the vouchers.",
    ),
    Documented(
        "create-campaign body<*>.voucher.validity_timeframe", "extra", True,
        "The same for the timeframe a fetched campaign's definition repeats.",
    ),
    Documented(
        "add-vouchers-to-campaign body.*", "extra", True,
        "`category_id` and `active` are not in the vendor's schema but in its own Add Voucher "
        "example: honoured.",
    ),
    Documented(
        "add-voucher-with-specific-code-to-campaign body.*", "extra", True,
        "The same: the vendor's example sends `category_id` and `active`.",
    ),
    Documented(
        "import-vouchers-to-campaign-using-csv body.file", "required", True,
        "An import needs its file.",
    ),
    Documented(
        "import-vouchers-to-campaign-using-csv body.file", "nullable", True,
        "The same: an import needs its file.",
    ),
    Documented(
        "update-campaign body<*>.loyalty_tiers_expiration.expiration_date.rounding", "type", True,
        "Stored and returned as the rounding object the vendor's responses show.",
    ),
    # -- where the mock is more lenient -----------------------------------------------------
    Documented(
        "*", "nullable", False,
        "`null` means \"not given\": the Python SDK sends every unset property it knows as "
        "null (a discount's `effect`, a tier's `action`, ...), also where the vendor's "
        "document says non-nullable, and the vendor's server takes those bodies.",
    ),
    Documented(
        "* *validity_hours.daily[].*_time", "format", False,
        "`HH:mm` as the vendor's own examples write it is not an RFC 3339 `time`; echoed as sent.",
    ),
    Documented(
        "import-vouchers-to-campaign body[]<*>.*", "required", False,
        "One item schema for every campaign type: an item's value is optional (the campaign's "
        "applies) and must be of the campaign's kind, else the item is reported as failed.",
    ),
    Documented(
        "import-vouchers-to-campaign body[]<*>.type", "enum", False,
        "The same single item schema: an item of another voucher type is reported as failed.",
    ),
    Documented(
        "import-vouchers-to-campaign body[]<VoucherImportLoyaltyCard>.loyalty_card.*", "undeclared", False,
        "Accepted and ignored: an imported card has its points and balance; expirations and "
        "pending points come from earning rules the mock does not serve.",
    ),
    Documented(
        "list-campaigns query.*.*", "undeclared", False,
        "`filters` and `access_settings` nest deeper than the deepObject style the request "
        "validator reads: their schema is open and the mock checks every key itself (an "
        "unknown field, operator or value is a 400).",
    ),
    Documented(
        "list-campaign-transactions query.filters.*", "undeclared", False,
        "The same for the transactions' `filters`.",
    ),
    Documented(
        "export-campaign-transactions body.parameters.filters.*.conditions.*", "undeclared", False,
        "The conditions of an export's filters are stored and returned as sent (the mock "
        "produces no export files to apply them to).",
    ),
    Documented(
        "export-campaign-transactions body.parameters.filters.junction", "enum", False,
        "The vendor's own export example answers `junction: AND`: both cases are taken.",
    ),
    Documented(
        "list-vouchers query.*_at.*", "format", False,
        "The vendor's description of these parameters allows a date (`2016-11-16`) as well as "
        "an instant; a value that is neither is a 400.",
    ),
    Documented(
        "import-vouchers-to-campaign-using-csv body", "format", False,
        "`format: binary` on the form object itself means nothing; its `file` part is binary.",
    ),
]


@pytest.fixture(scope="module")
def found(official_document: dict[str, Any]) -> list[Difference]:
    """The differences, for the operations the mock serves (those it routes to a 501 take
    nothing to compare)."""
    ours = load(load_document(VoucherifyAPI.spec_path))
    served = set(OPERATIONS.values())
    return [d for d in differences(ours, load(official_document)) if d.operation in served]


def test_every_difference_is_documented_with_its_reason(found: list[Difference]) -> None:
    undocumented = [d for d in found if not any(rule.covers(d) for rule in DIFFERENCES)]
    assert not undocumented, "undocumented differences:\n" + "\n".join(map(str, undocumented))


def test_every_documented_difference_still_exists(found: list[Difference]) -> None:
    stale = [rule for rule in DIFFERENCES if not any(rule.covers(d) for d in found)]
    assert not stale, "documented differences that no longer exist:\n" + "\n".join(
        f"{rule.where} {rule.kind}" for rule in stale
    )


def test_the_mock_is_stricter_only_where_documented(found: list[Difference]) -> None:
    """The core promise: each place our schema refuses what the vendor's takes is a rule above."""
    stricter = [d for d in found if d.stricter]
    assert stricter, "the comparison found nothing at all: is it comparing anything?"
    assert all(any(rule.covers(d) for rule in DIFFERENCES if rule.stricter) for d in stricter)
    # the three cases the issue named are no longer refused
    refused = {(d.path, d.kind) for d in stricter if d.operation == "create-campaign"}
    assert not any("voucher.discount<DiscountPercent>.amount_off" in path for path, _ in refused)
    assert not any(kind == "additional" for _, kind in refused), "undeclared properties are taken"


# -- the vendor's own request examples ----------------------------------------------------------


@pytest.fixture
def vf_examples_client(vf_examples_fixtures: Path) -> Iterator[TestClient]:
    app = create_app([ApiOptions("voucherify", fixtures=vf_examples_fixtures)])
    with TestClient(app, headers=AUTH) as client:
        yield client
    assert_no_violations(app)


def _examples(document: dict[str, Any]) -> Iterator[tuple[str, str, str, str, Any]]:
    """(method, path, operationId, example name, value) of every official request example of
    an operation the mock serves."""
    for (method, route), operation_id in OPERATIONS.items():
        body = document["paths"][route][method].get("requestBody", {})
        for media in body.get("content", {}).values():
            for name, example in media.get("examples", {}).items():
                yield method, route, operation_id, name, example["value"]


def test_every_official_request_example_is_accepted(
    vf_examples_client: TestClient, official_document: dict[str, Any]
) -> None:
    client = vf_examples_client
    campaign_types = {
        "DISCOUNT_COUPONS": "Discount Campaign 4",
        "GIFT_VOUCHERS": "Gift Card Campaign",
        "LOYALTY_PROGRAM": "Loyalty Campaign",
    }
    seen: dict[str, str] = {}
    ordered = sorted(_examples(official_document), key=lambda e: (e[2] != "create-campaign", e[2], e[3]))
    for number, (method, route, operation_id, name, value) in enumerate(ordered):
        target = route
        if "{campaignId}" in route:
            # import examples fit the campaign of their kind; the others any campaign
            kind = {"Gift Cards": "GIFT_VOUCHERS", "Loyalty Cards": "LOYALTY_PROGRAM"}.get(name, "DISCOUNT_COUPONS")
            target = target.replace("{campaignId}", quote(campaign_types[kind], safe=""))
        code = f"EXAMPLE-{number}"
        response = client.request(method.upper(), target.replace("{code}", code), json=copy.deepcopy(value))
        assert response.status_code < 300, f"{operation_id} {name}: {response.text}"
        seen[operation_id] = code
    assert set(seen) == {
        "create-campaign",
        "update-campaign",
        "add-voucher-with-specific-code-to-campaign",
        "import-vouchers-to-campaign",
        "export-campaign-transactions",
    }
    # what the examples asked for was stored
    promotion = client.get("/v1/campaigns/Promotion%20-%20API%20-%204").json()
    assert promotion["active"] is False
    added = client.get(f"/v1/vouchers/{seen['add-voucher-with-specific-code-to-campaign']}").json()
    assert (added["category_id"], added["category"], added["active"]) == (
        "cat_0bb81a481615a37b5e", "Examples", False
    )
    imported = client.get("/v1/vouchers/CODE14").json()
    assert (imported["gift"]["amount"], imported["category"]) == (2000, "Second")
    loyalty = client.get("/v1/vouchers/CODE11").json()
    assert loyalty["loyalty_card"] == {"points": 2000, "balance": 2000}
