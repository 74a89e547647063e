"""``Dispatcher``: calling a handler Connexion-style, and turning its result into bytes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from starlette.types import Scope

from mockserver.dispatch import Dispatcher, Reply, current_query, current_scope, dumps, reply

JSON = (b"content-type", b"application/json")


def _values(
    path: dict[str, Any] | None = None, query: dict[str, Any] | None = None
) -> dict[str, dict[str, Any]]:
    return {"path": path or {}, "query": query or {}, "header": {}, "cookie": {}}


def _call(dispatcher: Dispatcher, values: dict[str, dict[str, Any]], body: Any = None) -> Reply:
    return asyncio.run(dispatcher(values, body))


# -- arguments ----------------------------------------------------------------------------------


def test_arguments_are_passed_by_their_sanitized_names() -> None:
    seen: dict[str, Any] = {}

    def handler(campaignid: str, pagesize: int, filters: list[str]) -> Any:
        seen.update(campaignid=campaignid, pagesize=pagesize, filters=filters)
        return {"ok": True}

    dispatcher = Dispatcher(
        handler,
        [("path", "campaign-id"), ("query", "page-size"), ("query", "filters[]")],
        has_body=False,
    )
    result = _call(
        dispatcher,
        _values({"campaign-id": "cmp_1"}, {"page-size": 10, "filters[]": ["a", "b"]}),
    )

    assert seen == {"campaignid": "cmp_1", "pagesize": 10, "filters": ["a", "b"]}
    assert dispatcher.arguments == [
        ("path", "campaign-id", "campaignid"),
        ("query", "page-size", "pagesize"),
        ("query", "filters[]", "filters"),
    ]
    assert result == Reply(200, [JSON], b'{"ok":true}')


def test_only_the_arguments_the_signature_takes_are_passed() -> None:
    seen: dict[str, Any] = {}

    def handler(id: str) -> Any:
        seen["id"] = id
        return {}

    dispatcher = Dispatcher(
        handler,
        [("path", "id"), ("query", "limit"), ("header", "X-Key"), ("cookie", "session")],
        has_body=True,
    )
    _call(dispatcher, _values({"id": "v_1"}, {"limit": 3}), body={"a": 1})

    assert seen == {"id": "v_1"}
    assert dispatcher.arguments == [("path", "id", "id")]
    assert dispatcher.pass_body is False


def test_kwargs_takes_every_path_and_query_value_and_the_body() -> None:
    seen: dict[str, Any] = {}

    def handler(**kwargs: Any) -> Any:
        seen.update(kwargs)
        return None

    dispatcher = Dispatcher(
        handler,
        [("path", "campaign-id"), ("query", "limit"), ("header", "X-Key"), ("cookie", "s")],
        has_body=True,
    )
    values = _values({"campaign-id": "cmp_1"}, {"limit": 3})
    values["header"]["X-Key"] = "k"
    values["cookie"]["s"] = "c"
    _call(dispatcher, values, body={"name": "x"})

    # headers and cookies are never handler arguments (as in Connexion)
    assert seen == {"campaignid": "cmp_1", "limit": 3, "body": {"name": "x"}}


def test_the_body_is_passed_only_when_the_operation_has_one_and_the_handler_takes_it() -> None:
    seen: list[dict[str, Any]] = []

    def with_body(body: Any = "unset") -> Any:
        seen.append({"body": body})
        return {}

    def with_kwargs(**kwargs: Any) -> Any:
        seen.append(kwargs)
        return {}

    _call(Dispatcher(with_body, [], has_body=True), _values(), body={"a": 1})
    _call(Dispatcher(with_body, [], has_body=True), _values(), body=None)
    _call(Dispatcher(with_body, [], has_body=False), _values(), body={"a": 1})
    _call(Dispatcher(with_kwargs, [], has_body=False), _values(), body={"a": 1})

    assert seen == [{"body": {"a": 1}}, {"body": None}, {"body": "unset"}, {}]


def test_query_values_absent_from_the_request_are_not_passed() -> None:
    seen: list[tuple[int, str | None]] = []

    def handler(limit: int = 10, order: str | None = None) -> Any:
        seen.append((limit, order))
        return []

    dispatcher = Dispatcher(handler, [("query", "limit"), ("query", "order")], has_body=False)
    _call(dispatcher, _values(query={}))
    _call(dispatcher, _values(query={"limit": 2}))
    _call(dispatcher, _values(query={"order": "-name"}))

    assert seen == [(10, None), (2, None), (10, "-name")]


def test_a_value_of_none_the_request_carried_is_passed() -> None:
    seen: list[Any] = []

    def handler(filter: Any = "default") -> Any:
        seen.append(filter)
        return {}

    _call(
        Dispatcher(handler, [("query", "filter")], has_body=False), _values(query={"filter": None})
    )

    assert seen == [None]


def test_sync_and_async_handlers() -> None:
    def sync_handler(id: str) -> Any:
        return {"id": id, "kind": "sync"}

    async def async_handler(id: str) -> Any:
        await asyncio.sleep(0)
        return {"id": id, "kind": "async"}, 201

    sync = Dispatcher(sync_handler, [("path", "id")], has_body=False)
    asynchronous = Dispatcher(async_handler, [("path", "id")], has_body=False)

    assert sync.is_async is False
    assert asynchronous.is_async is True
    assert _call(sync, _values({"id": "a"})) == Reply(200, [JSON], b'{"id":"a","kind":"sync"}')
    assert _call(asynchronous, _values({"id": "b"})) == Reply(
        201, [JSON], b'{"id":"b","kind":"async"}'
    )


def test_a_handler_exception_propagates() -> None:
    def handler() -> Any:
        raise LookupError("nope")

    with pytest.raises(LookupError, match="nope"):
        _call(Dispatcher(handler, [], has_body=False), _values())


# -- reply ----------------------------------------------------------------------------------------


def test_reply_a_dict_is_200_json() -> None:
    assert reply({"a": [1, None]}) == Reply(200, [JSON], b'{"a":[1,null]}')


def test_reply_a_list_a_string_and_false_are_json_too() -> None:
    assert reply([1, 2]) == Reply(200, [JSON], b"[1,2]")
    assert reply("text") == Reply(200, [JSON], b'"text"')
    assert reply(False) == Reply(200, [JSON], b"false")
    assert reply(0) == Reply(200, [JSON], b"0")


def test_reply_body_and_status() -> None:
    assert reply(({"id": "x"}, 201)) == Reply(201, [JSON], b'{"id":"x"}')


def test_reply_body_status_and_headers_lower_cased() -> None:
    assert reply(({"id": "x"}, 202, {"X-Thing": "1", "Retry-After": 5})) == Reply(
        202, [(b"x-thing", b"1"), (b"retry-after", b"5"), JSON], b'{"id":"x"}'
    )


def test_reply_a_content_type_header_replaces_the_json_one() -> None:
    assert reply(({"a": 1}, 200, {"Content-Type": "application/problem+json"})) == Reply(
        200, [(b"content-type", b"application/problem+json")], b'{"a":1}'
    )


def test_reply_none_is_204_with_an_empty_body() -> None:
    assert reply(None) == Reply(204, [], b"")


def test_reply_none_with_a_status_keeps_the_status() -> None:
    assert reply((None, 201)) == Reply(201, [], b"")
    assert reply((None, 202, {"Location": "/x"})) == Reply(202, [(b"location", b"/x")], b"")


def test_reply_bytes_pass_through_without_a_content_type() -> None:
    assert reply(b"\x00raw") == Reply(200, [], b"\x00raw")
    assert reply((b"a,b\n", 200, {"Content-Type": "text/csv"})) == Reply(
        200, [(b"content-type", b"text/csv")], b"a,b\n"
    )


@pytest.mark.parametrize("result", [(), ({},), ({}, 200, {}, "extra")])
def test_reply_a_tuple_of_another_length_is_a_type_error(result: tuple[Any, ...]) -> None:
    with pytest.raises(TypeError, match=f"a handler returned a tuple of {len(result)} items"):
        reply(result)


# -- dumps ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        {"a": 1, "b": [True, False, None], "c": {"d": "e"}},
        [],
        {},
        'quote " backslash \\ newline \n tab \t',
        0,
        -17,
        2**63 - 1,
        -(2**63),
        1.5,
        -0.25,
        0.1,
        [{"nested": [[], [{}]]}],
        None,
    ],
)
def test_dumps_is_compact_json(value: Any) -> None:
    assert dumps(value) == json.dumps(value, separators=(",", ":")).encode()


def test_dumps_keeps_unicode_as_utf8() -> None:
    value = {"name": "Zürich 東京 😀"}

    assert dumps(value) == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    assert json.loads(dumps(value)) == value


@pytest.mark.parametrize("big", [2**64, -(2**64) - 1, 10**30, -(10**40)])
def test_dumps_an_integer_beyond_64_bits_falls_back_to_json_and_round_trips(big: int) -> None:
    value = {"amount": big, "name": "é", "list": [1, big]}

    out = dumps(value)

    assert out == json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    assert json.loads(out) == value
    assert json.loads(out)["amount"] == big


def test_dumps_non_string_keys_fall_back_to_json() -> None:
    assert dumps({1: "a"}) == b'{"1":"a"}'


def test_dumps_an_unserialisable_value_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        dumps({"x": object()})


# -- current_query ----------------------------------------------------------------------------------


def _scope(query_string: bytes) -> Scope:
    return {
        "type": "http",
        "method": "GET",
        "path": "/x",
        "query_string": query_string,
        "headers": [],
    }


def _with_scope(scope: Scope, dispatcher: Dispatcher) -> Reply:
    async def run() -> Reply:
        token = current_scope.set(scope)
        try:
            return await dispatcher(_values(), None)
        finally:
            current_scope.reset(token)

    return asyncio.run(run())


def test_current_query_inside_a_handler_keeps_repeated_keys_and_blank_values_in_order() -> None:
    seen: list[list[tuple[str, str]]] = []

    def handler() -> Any:
        seen.append(current_query())
        return {}

    scope = _scope(b"filters[a][conditions][$in][]=1&b=&filters[a][conditions][$in][]=2&c&d=%20x+y")
    _with_scope(scope, Dispatcher(handler, [], has_body=False))

    assert seen == [
        [
            ("filters[a][conditions][$in][]", "1"),
            ("b", ""),
            ("filters[a][conditions][$in][]", "2"),
            ("c", ""),
            ("d", " x y"),
        ]
    ]


def test_current_query_in_an_async_handler_and_an_empty_query() -> None:
    seen: list[list[tuple[str, str]]] = []

    async def handler() -> Any:
        seen.append(current_query())
        return {}

    _with_scope(_scope(b"a=1&a=2"), Dispatcher(handler, [], has_body=False))
    _with_scope(_scope(b""), Dispatcher(handler, [], has_body=False))
    _with_scope({"type": "http"}, Dispatcher(handler, [], has_body=False))

    assert seen == [[("a", "1"), ("a", "2")], [], []]


def test_current_query_outside_a_request_is_a_lookup_error() -> None:
    with pytest.raises(LookupError):
        current_query()
