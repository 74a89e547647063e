"""Unit tests of the Voucherify rules: codes, timestamps, filters, the backend and error mapping."""

from __future__ import annotations

import re
from typing import Any

import pytest

from mockserver.apis.voucherify.codes import DEFAULT_CHARSET, CodeSpec, generate
from mockserver.apis.voucherify.dates import format_millis, normalize, to_millis
from mockserver.apis.voucherify.exceptions import (
    DuplicateFound,
    InvalidQueryParams,
    NotFound,
    VoucherifyError,
    error_for,
)
from mockserver.apis.voucherify.filters import compile_filters, parse_brackets
from mockserver.apis.voucherify.models import Campaign, VoucherifyBackend
from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError, Problem, ProblemKind
from mockserver.store import MemoryStore

from .conftest import fixture_campaigns

# -- code generation ----------------------------------------------------------------------------


def test_pattern_hashes_become_charset_characters_between_prefix_and_postfix() -> None:
    spec = CodeSpec.from_config(
        {"pattern": "AB-###", "charset": "xyz", "prefix": "P-", "postfix": "-S"}
    )
    codes = generate(spec, 20, set())
    assert len(codes) == 20 == len(set(codes))
    assert all(re.fullmatch(r"P-AB-[xyz]{3}-S", code) for code in codes)
    assert spec.to_config() == {
        "length": 3,
        "charset": "xyz",
        "pattern": "AB-###",
        "prefix": "P-",
        "postfix": "-S",
    }


def test_length_without_pattern_and_the_defaults() -> None:
    assert CodeSpec.from_config({"length": 5}).pattern == "#####"
    assert CodeSpec.from_config({"length": 5.0}).length == 5
    default = CodeSpec.from_config(None)
    assert (default.pattern, default.charset, default.prefix, default.postfix) == (
        "#" * 8,
        DEFAULT_CHARSET,
        "",
        "",
    )
    assert re.fullmatch(r"[0-9a-zA-Z]{8}", generate(default, 1, set())[0])
    # The pattern overrides the length.
    assert CodeSpec.from_config({"length": 2, "pattern": "####"}).length == 4


def test_codes_avoid_taken_ones_and_stop_when_the_space_runs_out() -> None:
    spec = CodeSpec.from_config({"pattern": "#", "charset": "abc"})
    assert sorted(generate(spec, 3, set())) == ["a", "b", "c"]
    assert generate(spec, 3, {"a", "b"}) == ["c"]
    assert generate(spec, 1, {"a", "b", "c"}) == []
    assert generate(CodeSpec.from_config({"pattern": "FIXED"}), 2, set()) == ["FIXED"]
    assert generate(CodeSpec.from_config({"pattern": "#", "charset": ""}), 1, set()) == []
    assert generate(spec, 0, set()) == []
    assert CodeSpec.from_config({"pattern": "##", "charset": "aab"}).space() == 4, (
        "repeated characters count once"
    )


def test_large_spaces_draw_randomly_without_duplicates() -> None:
    spec = CodeSpec.from_config({"pattern": "######", "charset": DEFAULT_CHARSET})
    taken = set(generate(spec, 500, set()))
    more = generate(spec, 500, taken)
    assert len(taken) == 500 and len(more) == 500 and not taken & set(more)


# -- timestamps ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2020-08-16T00:00:00Z", "2020-08-16T00:00:00.000Z"),
        ("2020-08-16T02:30:00+02:30", "2020-08-16T00:00:00.000Z"),
        ("2020-08-16t00:00:00.1234567z", "2020-08-16T00:00:00.123Z"),
        ("2016-12-31T23:59:60Z", "2016-12-31T23:59:59.000Z"),
        ("0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z"),
        ("not a date", "not a date"),
    ],
)
def test_normalize(given: str, expected: str) -> None:
    assert normalize(given) == expected


def test_millis_round_trip() -> None:
    millis = to_millis("2022-09-20T09:32:29.530Z")
    assert millis == 1_663_666_349_530
    assert format_millis(millis) == "2022-09-20T09:32:29.530Z"
    assert format_millis(0) == "1970-01-01T00:00:00.000Z"
    assert to_millis("2022-02-30T00:00:00Z") is None


# -- filters ------------------------------------------------------------------------------------


def test_brackets_build_a_tree_and_repeated_keys_a_list() -> None:
    pairs = [
        ("limit", "3"),
        ("filters[campaigns][conditions][$in]", "a"),
        ("filters[campaigns][conditions][$in]", "b"),
        ("filters[junction]", "or"),
    ]
    assert parse_brackets(pairs, "filters") == {
        "campaigns": {"conditions": {"$in": ["a", "b"]}},
        "junction": "or",
    }
    assert parse_brackets([("limit", "3")], "filters") is None
    with pytest.raises(InvalidQueryParams) as caught:
        parse_brackets([("filters[a]b", "1")], "filters")
    assert "malformed brackets" in caught.value.details


@pytest.mark.parametrize(
    "value", ["['A', 'B']", '["A", "B"]', "A,B", {"0": "A", "1": "B"}, ["A", "B"]]
)
def test_array_values_in_every_form_clients_send(value: Any) -> None:
    check = compile_filters({"campaigns": {"conditions": {"$in": value}}})
    backend = _backend()
    subjects = {c.name: c.subject({}) for c in _campaigns(backend)}
    assert subjects
    matching = {name for name, subject in subjects.items() if check(subject, 0)}
    assert matching == set()  # no fixture is called A or B
    named = compile_filters(
        {
            "campaigns": {"conditions": {"$in": value}},
            "junction": "or",
            "campaigns_id": {"conditions": {"$is": "camp_HgsbCKauXmEoPnnh8aas0ISe"}},
        }
    )
    assert {name for name, subject in subjects.items() if named(subject, 0)} == {"Static Campaign"}


# -- the backend --------------------------------------------------------------------------------


def _backend(clock: Clock | None = None) -> VoucherifyBackend:
    backend = VoucherifyBackend(MemoryStore(), clock or Clock())
    backend.load({"campaigns": fixture_campaigns()})
    return backend


def _campaigns(backend: VoucherifyBackend) -> list[Campaign]:
    rows = backend.store.dump()["tables"].get("campaigns", {})
    return [Campaign.from_row(row) for row in rows.values()]


def _vouchers(backend: VoucherifyBackend) -> dict[str, str]:
    """Issued code -> campaign id."""
    rows = backend.store.dump()["tables"].get("vouchers", {})
    return {code: row["campaign_id"] for code, row in rows.items()}


def _codes(backend: VoucherifyBackend, campaign: Campaign) -> list[str]:
    return sorted(code for code, owner in _vouchers(backend).items() if owner == campaign.id)


def test_fixtures_get_as_many_vouchers_as_they_count_with_codes_from_their_config() -> None:
    backend = _backend()
    by_name = {c.name: c for c in _campaigns(backend)}
    assert all(c.vouchers_count == 1 == len(_codes(backend, c)) for c in by_name.values())
    assert len(_vouchers(backend)) == 6
    code = _codes(backend, by_name["Voucher Metadata"])[0]
    assert re.fullmatch(r"Discount-[0-9a-zA-Z]{9}YY", code)
    assert re.fullmatch(
        r"LOYALTY-CARD-[0-9a-zA-Z]{8}", _codes(backend, by_name["Loyalty Program Fall 2022"])[0]
    )
    assert set(_vouchers(backend).values()) == {c.id for c in _campaigns(backend)}


def test_fixture_problems_stop_the_start() -> None:
    backend = VoucherifyBackend(MemoryStore(), Clock())
    twice = [fixture_campaigns()[0], fixture_campaigns()[0]]
    with pytest.raises(ConfigurationError, match="appears twice"):
        backend.load({"campaigns": twice})
    impossible = {
        **fixture_campaigns()[0],
        "vouchers_count": 2,
        "voucher": {
            **fixture_campaigns()[0]["voucher"],
            "code_config": {"pattern": "X", "length": 1, "charset": "a"},
        },
    }
    with pytest.raises(ConfigurationError, match="cannot generate 2 unique codes"):
        VoucherifyBackend(MemoryStore(), Clock()).load({"campaigns": [impossible]})


def test_create_counts_what_it_generated_and_keeps_codes_unique_across_campaigns() -> None:
    backend = _backend()
    body = {
        "name": "N",
        "campaign_type": "GIFT_VOUCHERS",
        "vouchers_count": 4,
        "voucher": {"gift": {"amount": 1}, "code_config": {"pattern": "##", "charset": "ab"}},
    }
    created = backend.create_campaign(body)
    campaign = backend.find(created["id"])
    assert campaign.vouchers_count == 4 and campaign.vouchers_generation_status == "DONE"
    assert _codes(backend, campaign) == ["aa", "ab", "ba", "bb"]
    again = backend.find(backend.create_campaign({**body, "name": "M", "vouchers_count": 1})["id"])
    assert (_codes(backend, again), again.vouchers_count) == ([], 0)
    assert again.vouchers_generation_status == "FAILED"


def test_names_ids_bin_and_force() -> None:
    backend = _backend()
    static = backend.find("Static Campaign")
    assert backend.find(static.id) == static
    static_code = _codes(backend, static)[0]
    backend.delete_campaign(static.id)
    with pytest.raises(NotFound):
        backend.find("Static Campaign")
    with pytest.raises(DuplicateFound):
        backend.create_campaign({"name": "Static Campaign", "campaign_type": "PROMOTION"})
    assert static_code in _vouchers(backend), "binned vouchers keep their codes"
    dynamic = backend.find("Dynamic Discounts")
    dynamic_code = _codes(backend, dynamic)[0]
    backend.delete_campaign("Dynamic Discounts", force=True)
    assert dynamic.id not in {c.id for c in _campaigns(backend)}
    assert dynamic_code not in _vouchers(backend)
    assert (
        backend.create_campaign({"name": "Dynamic Discounts", "campaign_type": "PROMOTION"})["id"]
        != dynamic.id
    )


def test_the_clock_sets_created_and_updated_at() -> None:
    clock = Clock()
    clock.freeze(1_000_000_000.5)
    backend = _backend(clock)
    created = backend.create_campaign({"name": "T", "campaign_type": "PROMOTION"})
    assert created["created_at"] == "2001-09-09T01:46:40.500Z"
    clock.advance(1.25)
    backend.set_active("T", False)
    assert backend.get_campaign("T")["updated_at"] == "2001-09-09T01:46:41.750Z"


# -- error mapping ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "message", "status", "key"),
    [
        (ProblemKind.MISSING_PARAMETER, "Missing required param: name.", 400, "invalid_payload"),
        (
            ProblemKind.MISSING_PARAMETER,
            "Missing required query parameter: x.",
            400,
            "invalid_query_params",
        ),
        (
            ProblemKind.INVALID_PARAMETER,
            "Invalid query parameter limit: too big.",
            400,
            "invalid_query_params",
        ),
        # a path no campaign can match names no resource: 404, as the vendor answers
        (ProblemKind.INVALID_PARAMETER, "Invalid path parameter campaignId: bad.", 404, "not_found"),
        (ProblemKind.INVALID_PARAMETER, "Invalid value for name: bad.", 400, "invalid_payload"),
        (ProblemKind.UNKNOWN_PARAMETER, "Received unknown parameter: x.", 400, "invalid_payload"),
        (ProblemKind.IMMUTABLE_PARAMETER, "x cannot be changed.", 400, "invalid_payload"),
        (ProblemKind.MISSING_BODY, "A JSON request body is required.", 400, "invalid_payload"),
        (ProblemKind.MALFORMED_JSON, "Not JSON.", 400, "invalid_payload"),
        (ProblemKind.IDEMPOTENCY_MISMATCH, "Key reused.", 400, "invalid_payload"),
        (ProblemKind.UNSUPPORTED_MEDIA_TYPE, "Not JSON.", 415, "unsupported_media_type"),
        (ProblemKind.BODY_TOO_LARGE, "Too big.", 413, "query_too_large"),
        (ProblemKind.AUTHENTICATION_REQUIRED, "No key.", 401, "unauthorized"),
        (ProblemKind.INVALID_API_KEY, "Bad key.", 401, "unauthorized"),
        (ProblemKind.ROUTE_NOT_FOUND, "No route.", 404, "not_found"),
        (ProblemKind.METHOD_NOT_ALLOWED, "No method.", 405, "method_not_allowed"),
        (ProblemKind.RESPONSE_INVALID, "Broken.", 500, "internal_error"),
        (ProblemKind.NOT_IMPLEMENTED, "No handler.", 501, "not_implemented"),
        (ProblemKind.INTERNAL, "Broken.", 500, "internal_error"),
    ],
)
def test_every_engine_problem_has_a_vendor_error(
    kind: ProblemKind, message: str, status: int, key: str
) -> None:
    location = next((w for w in ("query", "path") if f" {w} parameter" in message), None)
    error = error_for(Problem(kind, message, location=location))
    assert isinstance(error, VoucherifyError)
    body = error.body()
    assert set(body) == {"code", "key", "message", "details", "request_id"}
    assert (error.status, body["code"], body["key"], body["details"]) == (
        status,
        status,
        key,
        message,
    )
    assert re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"])


def test_all_problem_kinds_are_mapped() -> None:
    for kind in ProblemKind:
        assert error_for(Problem(kind, "x")).status == Problem(kind, "x").status


def test_body_problems_are_worded_as_the_vendor_words_them() -> None:
    """``<property>: must be ... (actual value is ...)``, from the rule the engine saw broken."""
    unknown = Problem(
        ProblemKind.INVALID_PARAMETER,
        "Invalid value for campaign_type: 'X' is not one of [...].",
        "campaign_type",
        "body",
        rule="enum",
        expected=["PROMOTION", "GIFT_VOUCHERS"],
        value="X",
    )
    assert error_for(unknown).details == (
        "campaign_type: must be equal to one of PROMOTION,GIFT_VOUCHERS (actual value is 'X')"
    )
    retyped = Problem(
        ProblemKind.INVALID_PARAMETER, "...", "voucher.gift.amount", "body", rule="type",
        expected="number", value="ten",
    )
    assert error_for(retyped).details == "voucher.gift.amount: must be a number (actual value is 'ten')"
    nulled = Problem(
        ProblemKind.INVALID_PARAMETER, "...", "name", "body", rule="type", expected="string", value=None
    )
    assert error_for(nulled).details == "name: must be a string (actual value is null)"
    missing = Problem(ProblemKind.MISSING_PARAMETER, "...", "voucher", "body", rule="required")
    assert error_for(missing).details == "voucher: property is required"
    other = Problem(
        ProblemKind.INVALID_PARAMETER, "Invalid value for name: too long.", "name", "body", rule="maxLength"
    )
    assert error_for(other).details == other.message
    query = Problem(ProblemKind.INVALID_PARAMETER, "Invalid query parameter limit: x.", "limit", "query")
    assert error_for(query).details == query.message


def test_domain_errors_render_the_resource() -> None:
    assert NotFound("campaign", "camp_x").body() | {"request_id": "-"} == {
        "code": 404,
        "key": "not_found",
        "message": "Resource not found",
        "details": "Cannot find campaign with id camp_x",
        "request_id": "-",
        "resource_id": "camp_x",
        "resource_type": "campaign",
    }
