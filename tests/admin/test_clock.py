"""Moving the clock: valid moves, every bad value refused with a 400 naming the field, and the
mocked API still working afterwards. The clock itself refuses what the admin API would."""

from __future__ import annotations

import math
from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.clock import MAX_TIMESTAMP, Clock, ClockRangeError

from .conftest import API_KEY

DAY = 86_400


def bad(response: Any, code: str = "invalid_clock", param: str | None = None) -> dict[str, Any]:
    assert response.status_code == 400, response.text
    err = response.json()["error"]
    assert err["code"] == code, err
    if param is not None:
        assert err["param"] == param, err
        assert param in err["message"], err
    return dict(err)


def api_still_works(admin: TestClient) -> None:
    listed = admin.get("/v1/campaigns", headers=API_KEY)
    assert listed.status_code == 200, listed.text
    created = admin.post(
        "/v1/campaigns", headers=API_KEY, json={"name": "After", "type": "offer", "ends_at": 4102444800}
    )
    assert created.status_code == 200, created.text
    redeemed = admin.post(
        "/v1/redemptions", headers=API_KEY, json={"coupon": "WELCOME10", "order": {"amount": 5000, "currency": "usd"}}
    )
    assert redeemed.status_code in (200, 400), redeemed.text
    assert admin.get("/__admin/clock").json()["real_time"] is True


def test_get_and_move(admin: TestClient) -> None:
    start = admin.get("/__admin/clock").json()
    assert start["frozen"] is False and start["real_time"] is True
    moved = admin.post("/__admin/clock", json={"advance": DAY}).json()
    assert moved["now"] >= start["now"] + DAY
    assert moved["real_time"] is False
    frozen = admin.post("/__admin/clock", json={"set": 1767225600, "freeze": True}).json()
    assert frozen == {"now": 1767225600, "frozen": True, "real_time": False}
    back = admin.post("/__admin/clock", json={"advance": -DAY}).json()
    assert back["now"] == 1767225600 - DAY
    running = admin.post("/__admin/clock", json={"freeze": False}).json()
    assert running["frozen"] is False
    reset = admin.post("/__admin/clock", json={"reset": True}).json()
    assert reset["real_time"] is True and reset["frozen"] is False


def test_the_edges_of_the_range_are_accepted(admin: TestClient) -> None:
    last = admin.post("/__admin/clock", json={"set": MAX_TIMESTAMP, "freeze": True}).json()
    assert last["now"] == MAX_TIMESTAMP
    # the mocked API lives through the last second of year 9999
    assert admin.get("/v1/campaigns", headers=API_KEY).status_code == 200
    first = admin.post("/__admin/clock", json={"set": 0}).json()
    assert first["now"] == 0
    assert admin.get("/v1/campaigns", headers=API_KEY).status_code == 200
    admin.post("/__admin/clock", json={"reset": True})


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"advance": 1e300}, "advance"),
        ({"advance": -1e12}, "advance"),
        ({"set": 1e300}, "set"),
        ({"set": -1e12}, "set"),
        ({"set": -1}, "set"),
        ({"set": MAX_TIMESTAMP + 1}, "set"),
        ({"advance": MAX_TIMESTAMP + 1}, "advance"),
        ({"advance": MAX_TIMESTAMP}, "advance"),  # in the schema's range, but not from today
        ({"advance": -(10**12)}, "advance"),
        ({"set": 1767225600.5}, "set"),
        ({"advance": "86400"}, "advance"),
        ({"set": "2026-01-01T00:00:00Z"}, "set"),
        ({"advance": True}, "advance"),
        ({"set": False}, "set"),
        ({"advance": None}, "advance"),
        ({"advance": [1]}, "advance"),
        ({"freeze": "yes"}, "freeze"),
        ({"freeze": 1}, "freeze"),
        ({"reset": "true"}, "reset"),
        ({"reset": False}, "reset"),
        ({"set": 1767225600, "advance": 60}, "advance"),
        ({"bogus": 1}, "bogus"),
    ],
)
def test_bad_values_are_400_naming_the_field(admin: TestClient, body: dict[str, Any], param: str) -> None:
    bad(admin.post("/__admin/clock", json=body), param=param)
    api_still_works(admin)


@pytest.mark.parametrize(
    ("raw", "mentions"),
    [
        (b'{"advance": NaN}', "NaN"),
        (b'{"advance": Infinity}', "Infinity"),
        (b'{"set": -Infinity}', "Infinity"),
        (b'{"set": 1e400}', "too large"),
        (b'{"advance": 1000000000000000000000000000000}', "advance"),
        (b'{"advance": 86400', "not valid JSON"),
        (b'{"advance": "\\ud800"}', "surrogate"),
    ],
)
def test_non_json_numbers_are_400(admin: TestClient, raw: bytes, mentions: str) -> None:
    # what the issue sent: NaN, Infinity, 10**30; refused by the strict decoder before the
    # schema sees them (it cannot say which field held a NaN, its message says what it was)
    err = bad(admin.post("/__admin/clock", content=raw, headers={"Content-Type": "application/json"}), "malformed_json")
    assert mentions in err["message"], err
    api_still_works(admin)


def test_an_integer_beyond_64_bits_is_named(admin: TestClient) -> None:
    raw = b'{"advance": 1000000000000000000000000000000}'
    err = bad(admin.post("/__admin/clock", content=raw, headers={"Content-Type": "application/json"}), "malformed_json")
    assert err["param"] == "advance"
    assert "64-bit" in err["message"]


def test_a_client_that_leaves_mid_body_changes_nothing(admin_app: Any) -> None:
    # straight to the ASGI app: half a body, then the client is gone
    import asyncio

    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
        "scheme": "http", "path": "/__admin/clock", "raw_path": b"/__admin/clock", "query_string": b"",
        "root_path": "", "server": ("127.0.0.1", 8000), "client": ("127.0.0.1", 5000),
        "headers": [
            (b"host", b"127.0.0.1:8000"), (b"authorization", b"Bearer admin"),
            (b"content-type", b"application/json"), (b"content-length", b"30"),
        ],
    }  # fmt: skip
    messages = [
        {"type": "http.request", "body": b'{"set": 1767225600', "more_body": True},
        {"type": "http.disconnect"},
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(admin_app(scope, receive, send))
    assert sent == []
    assert admin_app.mock.clock.real_time


def test_deep_nesting_is_400_not_500(admin: TestClient) -> None:
    for body in (b"[" * 980 + b"]" * 980, b'{"advance":' + b"[" * 980 + b"]" * 980 + b"}", b"[" * 60_000):
        err = bad(admin.post("/__admin/clock", content=body, headers={"Content-Type": "application/json"}), "malformed_json")
        assert "nest" in err["message"] or "JSON" in err["message"], err
    bad(admin.post("/__admin/clock", json=[]), "invalid_clock")
    bad(admin.post("/__admin/clock", json={}), "invalid_clock")
    api_still_works(admin)


def test_empty_and_oversized_bodies(admin: TestClient) -> None:
    empty = admin.post("/__admin/clock", content=b"", headers={"Content-Type": "application/json"})
    assert empty.status_code == 400, empty.text
    big = b'{"advance": 1, "pad": "' + b"x" * 70_000 + b'"}'
    large = admin.post("/__admin/clock", content=big, headers={"Content-Type": "application/json"})
    assert large.status_code == 413
    assert large.json()["error"]["code"] == "body_too_large"


def test_reset_restores_the_clock_and_says_so(admin: TestClient) -> None:
    admin.post("/__admin/clock", json={"set": 1767225600, "freeze": True})
    created = admin.post(
        "/v1/campaigns", headers=API_KEY, json={"name": "Temp", "type": "offer", "ends_at": 4102444800}
    ).json()
    reset = admin.post("/__admin/reset")
    assert reset.status_code == 200
    body = reset.json()
    assert body["reset"] == ["vinr"]
    assert body["clock"]["real_time"] is True and body["clock"]["frozen"] is False
    assert body["clock"]["now"] > 1767225600 + DAY
    assert admin.get(f"/v1/campaigns/{created['id']}", headers=API_KEY).status_code == 404
    # one API by name, and an unknown name
    assert admin.post("/__admin/reset", params={"api": "vinr"}).json()["reset"] == ["vinr"]
    err = admin.post("/__admin/reset", params={"api": "nope"})
    assert err.status_code == 404
    assert err.json()["error"] == {"code": "not_found", "message": "No API named 'nope' is mounted.", "param": "api"}
    unknown = admin.post("/__admin/reset", params={"ap": "vinr"})
    assert unknown.status_code == 400
    assert unknown.json()["error"]["param"] == "ap"


# -- the clock itself (defence in depth) ---------------------------------------------------------


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 1e300, -1.0, MAX_TIMESTAMP + 1, 10**30, True, "1"])
def test_the_clock_refuses_instants_out_of_range(value: Any) -> None:
    clock = Clock()
    for move in (clock.set, clock.freeze, lambda v: clock.move(set=v)):
        with pytest.raises(ClockRangeError):
            move(value)
    assert clock.real_time


@pytest.mark.parametrize("value", [math.nan, math.inf, 1e300, -1e12, 10**30, 10**400, MAX_TIMESTAMP, False])
def test_the_clock_refuses_advances_out_of_range(value: Any) -> None:
    clock = Clock()
    clock.freeze(1_767_225_600)
    for move in (clock.advance, lambda v: clock.move(advance=v)):
        with pytest.raises(ClockRangeError) as raised:
            move(value)
        assert raised.value.field == "advance"
    assert clock.now() == 1_767_225_600


def test_a_running_clock_stops_at_the_last_second() -> None:
    clock = Clock()
    clock.set(MAX_TIMESTAMP)
    assert clock.timestamp() == MAX_TIMESTAMP
    clock.advance(-MAX_TIMESTAMP)
    assert 0 <= clock.timestamp() <= 2
