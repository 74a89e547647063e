"""The bad-input corpus: hostile requests against both APIs never break the mock.

Every class of input that once took the mock down for everyone (a lone surrogate stored
and then unlistable, ``NaN`` and ``Infinity`` taken for numbers, integers beyond 64 bits,
deep nesting, bodies that are not UTF-8) is sent to both APIs, followed by
Hypothesis-generated raw bodies, headers, paths and query strings. Every answer must be
a 4xx in the API's own error format, or a 2xx whose object reads back intact; never a
5xx; and the collection must still list afterwards (the autouse safety net of
``tests/conftest.py`` also fails the test if any response broke the contract).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from mockserver.applications import create_app

VINR_AUTH = {"Authorization": "Bearer sk_test_123"}
VOUCHERIFY_AUTH = {"X-App-Id": "test-app-id", "X-App-Token": "test-app-token"}
JSON = {"Content-Type": "application/json"}


def vinr_error(body: Any) -> str:
    """The error code of a VINR error body (asserting its shape)."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    error = body["error"]
    assert set(error) == {"type", "code", "message", "param"}, error
    assert isinstance(error["message"], str) and error["message"], error
    return str(error["code"])


def voucherify_error(body: Any) -> str:
    """The error key of a Voucherify error body (asserting its shape)."""
    assert isinstance(body, dict), body
    assert {"code", "key", "message", "details", "request_id"} <= set(body), body
    assert re.fullmatch(r"v-[0-9a-f]{18}", body["request_id"]), body
    return str(body["key"])


@dataclass
class Target:
    """One API: where to create, how to read back, how its errors look."""

    name: str
    auth: dict[str, str]
    collection: str
    error_code: Callable[[Any], str]
    valid: Callable[[], dict[str, Any]]
    #: The path of a created object (from the create response).
    item: Callable[[dict[str, Any]], str]
    #: A numeric field of the create body, as a JSON-pointer-like dotted path.
    number_field: str


def _vinr_campaign() -> dict[str, Any]:
    return {"name": "Corpus", "type": "coupon", "ends_at": 4102444800}


def _voucherify_campaign() -> dict[str, Any]:
    return {
        "name": "Corpus",
        "campaign_type": "DISCOUNT_COUPONS",
        "voucher": {
            "type": "DISCOUNT_VOUCHER",
            "discount": {"type": "PERCENT", "percent_off": 10},
            "code_config": {"length": 8},
        },
    }


TARGETS = {
    "vinr": Target(
        "vinr",
        VINR_AUTH,
        "/v1/campaigns",
        vinr_error,
        _vinr_campaign,
        lambda created: f"/v1/campaigns/{created['id']}",
        "ends_at",
    ),
    "voucherify": Target(
        "voucherify",
        VOUCHERIFY_AUTH,
        "/v1/campaigns",
        voucherify_error,
        _voucherify_campaign,
        lambda created: f"/v1/campaigns/{quote(created['id'], safe='')}",
        "voucher.code_config.length",
    ),
}


@pytest.fixture(params=sorted(TARGETS))
def target(request: pytest.FixtureRequest) -> Target:
    return TARGETS[request.param]


def _client(target: Target) -> Iterator[TestClient]:
    app = create_app([target.name])
    with TestClient(app, headers=dict(target.auth), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def client(target: Target) -> Iterator[TestClient]:
    yield from _client(target)


@pytest.fixture
def vinr() -> Iterator[TestClient]:
    yield from _client(TARGETS["vinr"])


@pytest.fixture
def voucherify() -> Iterator[TestClient]:
    yield from _client(TARGETS["voucherify"])


def _with(body: dict[str, Any], dotted: str, raw_value: str) -> bytes:
    """``body`` as JSON text with the value at ``dotted`` replaced by ``raw_value`` verbatim."""
    marker = "__corpus_marker__"
    node = body
    *parents, last = dotted.split(".")
    for part in parents:
        node = node[part]
    node[last] = marker
    return json.dumps(body).replace(f'"{marker}"', raw_value).encode()


def _assert_refused(target: Target, response: Any, status: int = 400) -> str:
    assert response.status_code == status, response.text
    return target.error_code(response.json())


def _assert_still_lists(target: Target, client: TestClient) -> None:
    listed = client.get(target.collection)
    assert listed.status_code == 200, listed.text


# -- the classes of the issue, one by one ---------------------------------------------------


def test_a_lone_surrogate_is_refused_and_the_state_stays_listable(
    target: Target, client: TestClient
) -> None:
    before = client.get(target.collection).json()
    for raw in ('"\\ud800"', '"abc\\udfff"', '"\\udc00\\ud800"'):
        response = client.post(target.collection, content=_with(target.valid(), "name", raw), headers=JSON)
        code = _assert_refused(target, response)
        assert code in ("malformed_json", "invalid_payload"), code
        assert "Unicode" in response.text or "surrogate" in response.text, response.text
    assert client.get(target.collection).json() == before


@pytest.mark.parametrize(
    "raw", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400", str(10**400), str(2**63), "[NaN]"]
)
def test_numbers_json_cannot_hold_are_refused(target: Target, client: TestClient, raw: str) -> None:
    response = client.post(
        target.collection, content=_with(target.valid(), target.number_field, raw), headers=JSON
    )
    _assert_refused(target, response)
    _assert_still_lists(target, client)


def test_an_integer_beyond_64_bits_is_refused_naming_its_field(vinr: TestClient) -> None:
    target, client = TARGETS["vinr"], vinr
    body = {"coupon": "WELCOME10", "order": {"amount": 10**400, "currency": "usd"}}
    response = client.post("/v1/redemptions", json=body)
    assert _assert_refused(target, response) == "malformed_json"
    assert response.json()["error"]["param"] == "order.amount"


@pytest.mark.parametrize("opener", ["[", '{"a":', '{"a":['])
@pytest.mark.parametrize("depth", [65, 980, 5000])
def test_deep_nesting_is_a_400(target: Target, client: TestClient, opener: str, depth: int) -> None:
    closer = {"[": "]", '{"a":': "}", '{"a":[': "]}"}[opener]
    raw = (opener * depth + "1" + closer * depth).encode()
    response = client.post(target.collection, content=raw, headers=JSON)
    _assert_refused(target, response)
    _assert_still_lists(target, client)


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe{}",
        b'{"name": "\xc3\x28"}',
        b"\xef\xbb\xbf{}",
        b"{",
        b'{"name": "x",}',
        b"",
        b" ",
        b"null",
        b"[]",
        b'"just a string"',
        b"12",
        b'{"name": "a\x00b"}',
    ],
)
def test_malformed_or_foreign_bodies_are_4xx(target: Target, client: TestClient, raw: bytes) -> None:
    response = client.post(target.collection, content=raw, headers=JSON)
    assert 400 <= response.status_code < 500, response.text
    target.error_code(response.json())
    _assert_still_lists(target, client)


def test_non_json_numbers_in_vinr_coupons_and_redemptions(vinr: TestClient) -> None:
    target, client = TARGETS["vinr"], vinr
    for raw in ("NaN", "Infinity", "1e400"):
        body = f'{{"code": "NUM{raw[:2]}", "campaign": "cmp_6Eg4rSWelcome", "percent_off": {raw}}}'
        _assert_refused(target, client.post("/v1/coupons", content=body, headers=JSON))
        redemption = f'{{"coupon": "WELCOME10", "order": {{"amount": {raw}, "currency": "usd"}}}}'
        _assert_refused(target, client.post("/v1/redemptions", content=redemption, headers=JSON))
    # the largest documented amount with a fractional percentage: exact, no overflow
    created = client.post(
        "/v1/coupons",
        json={"code": "FRACTION", "campaign": "cmp_6Eg4rSWelcome", "percent_off": 33.3},
    )
    assert created.status_code == 200, created.text
    order = {"amount": 999_999_999_999, "currency": "usd", "shipping": 999_999_999_999}
    redeemed = client.post("/v1/redemptions", json={"coupon": "FRACTION", "order": order})
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["amount_discounted"] == 332_999_999_999
    too_big = client.post(
        "/v1/redemptions",
        json={"coupon": "FRACTION", "order": {**order, "amount": 1_000_000_000_000}},
    )
    assert _assert_refused(target, too_big) == "parameter_invalid"


def test_voucherify_names_with_a_slash_are_reachable_url_encoded(voucherify: TestClient) -> None:
    client = voucherify
    body = {**_voucherify_campaign(), "name": "Summer/Winter 50%"}
    created = client.post("/v1/campaigns", json=body)
    assert created.status_code == 200, created.text
    fetched = client.get("/v1/campaigns/" + quote("Summer/Winter 50%", safe=""))
    assert fetched.status_code == 200, fetched.text
    assert fetched.json()["id"] == created.json()["id"]
    assert client.post("/v1/campaigns/" + quote("Summer/Winter 50%", safe="") + "/disable").status_code == 200


# -- generated input ------------------------------------------------------------------------

FUZZ = settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_leaves,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


def _check_answer(target: Target, client: TestClient, response: Any, sent: Any = None) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        target.error_code(response.json())
    elif isinstance(sent, dict) and response.request.method == "POST":
        created = response.json()
        read = client.get(target.item(created))
        assert read.status_code == 200, read.text
        assert read.json()["name"] == sent["name"], "the created object reads back intact"


@FUZZ
@given(body=st.binary(max_size=200))
def test_generated_raw_bodies(target: Target, client: TestClient, body: bytes) -> None:
    _check_answer(target, client, client.post(target.collection, content=body, headers=JSON))


@FUZZ
@given(patch=st.dictionaries(st.sampled_from(["name", "type", "campaign_type", "ends_at", "voucher", "metadata", "active", "starts_at", "x"]), json_values, max_size=4))
def test_generated_create_bodies(target: Target, client: TestClient, patch: dict[str, Any]) -> None:
    body = {**target.valid(), **patch}
    try:
        raw = json.dumps(body).encode()
    except ValueError:
        return
    _check_answer(target, client, client.post(target.collection, content=raw, headers=JSON), body)


header_names = st.text(
    alphabet=st.characters(min_codepoint=33, max_codepoint=126, blacklist_characters=":"),
    min_size=1,
    max_size=20,
)
header_values = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=60)


@FUZZ
@given(headers=st.dictionaries(header_names, header_values, max_size=5))
def test_generated_headers(target: Target, client: TestClient, headers: dict[str, str]) -> None:
    _check_answer(target, client, client.get(target.collection, headers=headers))


@FUZZ
@given(segments=st.lists(st.text(max_size=12), min_size=1, max_size=4))
def test_generated_paths(target: Target, client: TestClient, segments: list[str]) -> None:
    path = target.collection + "/" + "/".join(quote(s, safe="") for s in segments)
    _check_answer(target, client, client.get(path))
    _check_answer(target, client, client.post(path, json={}))


@FUZZ
@given(query=st.lists(st.tuples(st.text(max_size=15), st.text(max_size=15)), max_size=5))
def test_generated_query_strings(
    target: Target, client: TestClient, query: list[tuple[str, str]]
) -> None:
    raw = "&".join(f"{quote(k, safe='[]$')}={quote(v, safe='')}" for k, v in query)
    _check_answer(target, client, client.get(f"{target.collection}?{raw}"))


# -- the admin API --------------------------------------------------------------------------

ADMIN_TOKEN = {"Authorization": "Bearer admin"}


def admin_error(body: Any) -> str:
    """The error code of an admin error body (asserting its one documented shape)."""
    assert isinstance(body, dict) and set(body) == {"error"}, body
    assert {"code", "message"} <= set(body["error"]) <= {"code", "message", "param"}, body
    return str(body["error"]["code"])


@pytest.fixture
def admin() -> Iterator[TestClient]:
    app = create_app(["vinr", "voucherify"])
    with TestClient(
        app, base_url="http://localhost", headers=ADMIN_TOKEN, raise_server_exceptions=False
    ) as test_client:
        yield test_client


def _admin_still_serves(admin: TestClient) -> None:
    assert admin.get("/__admin/clock").status_code == 200
    listed = admin.get("/vinr/v1/campaigns", headers=VINR_AUTH)
    assert listed.status_code == 200, listed.text
    listed = admin.get("/voucherify/v1/campaigns", headers=VOUCHERIFY_AUTH)
    assert listed.status_code == 200, listed.text


def _check_admin_answer(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        admin_error(response.json())


@FUZZ
@given(body=st.binary(max_size=120) | json_values.map(lambda v: json.dumps(v).encode()))
def test_generated_admin_clock_bodies(admin: TestClient, body: bytes) -> None:
    _check_admin_answer(admin.post("/__admin/clock", content=body, headers=JSON))
    _admin_still_serves(admin)
    admin.post("/__admin/clock", json={"reset": True})


@FUZZ
@given(command=st.dictionaries(st.sampled_from(["advance", "set", "freeze", "reset", "x"]), json_values, max_size=3))
def test_generated_admin_clock_commands(admin: TestClient, command: dict[str, Any]) -> None:
    _check_admin_answer(admin.post("/__admin/clock", json=command))
    _admin_still_serves(admin)
    admin.post("/__admin/clock", json={"reset": True})


@FUZZ
@given(
    headers=st.dictionaries(header_names, header_values, max_size=5),
    segments=st.lists(st.text(max_size=12), max_size=3),
)
def test_generated_admin_headers_and_paths(
    admin: TestClient, headers: dict[str, str], segments: list[str]
) -> None:
    path = "/__admin/" + "/".join(quote(s, safe="") for s in segments)
    _check_admin_answer(admin.get(path, headers=headers))
    _check_admin_answer(admin.post(path, headers=headers))
    _admin_still_serves(admin)
