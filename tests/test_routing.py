"""``RouteIndex``: path templates looked up segment by segment."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mockserver.routing import Match, RouteIndex


def _index(*routes: tuple[str, str, str]) -> RouteIndex[str]:
    index: RouteIndex[str] = RouteIndex()
    for template, method, target in routes:
        index.add(template, method, target)
    return index


# -- static and parameter segments -----------------------------------------------------------


def test_a_parameter_segment_binds_the_value() -> None:
    index = _index(("/v1/campaigns/{id}", "get", "retrieve"))

    assert index.match("GET", "/v1/campaigns/cmp_1") == Match("retrieve", {"id": "cmp_1"}, ("GET",))


def test_a_static_segment_beats_a_parameter_at_the_same_position() -> None:
    index = _index(
        ("/v1/campaigns/{id}", "get", "retrieve"),
        ("/v1/campaigns/summary", "get", "summary"),
    )

    assert index.match("GET", "/v1/campaigns/summary") == Match("summary", {}, ("GET",))
    assert index.match("GET", "/v1/campaigns/other") == Match("retrieve", {"id": "other"}, ("GET",))


def test_static_wins_whatever_the_order_the_templates_were_added_in() -> None:
    index = _index(
        ("/v1/campaigns/summary", "get", "summary"),
        ("/v1/campaigns/{id}", "get", "retrieve"),
    )

    assert index.match("GET", "/v1/campaigns/summary") == Match("summary", {}, ("GET",))


def test_falls_back_to_the_parameter_when_the_static_route_lacks_the_method() -> None:
    index = _index(
        ("/v1/campaigns/summary", "get", "summary"),
        ("/v1/campaigns/{id}", "delete", "delete"),
    )

    assert index.match("DELETE", "/v1/campaigns/summary") == Match(
        "delete", {"id": "summary"}, ("DELETE",)
    )
    assert index.match("GET", "/v1/campaigns/summary") == Match("summary", {}, ("GET",))


def test_falls_back_to_the_parameter_when_the_static_branch_dead_ends_deeper() -> None:
    index = _index(
        ("/v1/campaigns/summary", "get", "summary"),
        ("/v1/campaigns/{id}/vouchers", "get", "vouchers"),
    )

    assert index.match("GET", "/v1/campaigns/summary/vouchers") == Match(
        "vouchers", {"id": "summary"}, ("GET",)
    )


def test_the_methods_of_a_template_are_case_insensitive_when_added() -> None:
    index = _index(("/things", "post", "create"), ("/things", "Get", "list"))

    assert index.match("POST", "/things") == Match("create", {}, ("GET", "POST"))
    assert index.match("GET", "/things") == Match("list", {}, ("GET", "POST"))


def test_the_root_path() -> None:
    index = _index(("/", "get", "root"), ("/x", "get", "x"))

    assert index.match("GET", "/") == Match("root", {}, ("GET",))
    assert index.match("GET", "/x") == Match("x", {}, ("GET",))


# -- 405 ---------------------------------------------------------------------------------------


def test_a_known_path_with_another_method_lists_the_allowed_methods() -> None:
    index = _index(
        ("/v1/campaigns/{id}", "get", "retrieve"),
        ("/v1/campaigns/{id}", "put", "update"),
    )

    assert index.match("POST", "/v1/campaigns/cmp_1") == Match(
        None, {"id": "cmp_1"}, ("GET", "PUT")
    )


def test_the_allowed_methods_are_the_union_of_every_matching_template_sorted() -> None:
    index = _index(
        ("/v1/campaigns/summary", "get", "summary"),
        ("/v1/campaigns/summary", "post", "summarize"),
        ("/v1/campaigns/{id}", "put", "update"),
        ("/v1/campaigns/{id}", "delete", "delete"),
        ("/v1/campaigns/{id}.{ext}", "patch", "patch"),
        ("/v1/campaigns", "head", "count"),
    )

    match = index.match("OPTIONS", "/v1/campaigns/summary")

    assert match == Match(None, {}, ("DELETE", "GET", "POST", "PUT"))
    # a path the mixed template also matches adds its methods; the first template's params
    assert index.match("OPTIONS", "/v1/campaigns/a.json") == Match(
        None, {"id": "a.json"}, ("DELETE", "PATCH", "PUT")
    )


def test_an_empty_method_gives_the_allowed_methods_only() -> None:
    index = _index(("/things", "post", "create"), ("/things", "get", "list"))

    assert index.match("", "/things") == Match(None, {}, ("GET", "POST"))


# -- no match ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/v1/campaigns/cmp_1/",  # trailing slash
        "/v1/campaigns/",  # the parameter may not be empty
        "/v1/campaigns//x",  # empty segment
        "/v1/campaigns/cmp_1/x/y/z",  # extra segment
        "/v1/campaigns/cmp_1/x",  # a segment short
        "/v1/campaigns/cmp_1/vouchers/extra",
        "/v2/campaigns/cmp_1",  # unknown prefix
        "/campaigns/cmp_1",
        "/v1",  # a prefix of a template is no template
        "/v1/campaigns",
        "",
        "v1/campaigns/cmp_1",  # not absolute
        "//v1/campaigns/cmp_1",
    ],
)
def test_no_template_matches(path: str) -> None:
    index = _index(
        ("/v1/campaigns/{id}", "get", "retrieve"),
        ("/v1/campaigns/{id}/vouchers", "get", "vouchers"),
        ("/v1/campaigns/{id}/x/{code}", "get", "code"),
    )

    assert index.match("GET", path) is None
    assert index.match("POST", path) is None


def test_an_empty_index_matches_nothing() -> None:
    index: RouteIndex[str] = RouteIndex()

    assert index.match("GET", "/") is None
    assert index.match("GET", "/x") is None


# -- mixed segments and awkward names -------------------------------------------------------------


def test_a_mixed_segment_binds_each_parameter() -> None:
    index = _index(("/files/{name}.{ext}", "get", "file"))

    assert index.match("GET", "/files/report.pdf") == Match(
        "file", {"name": "report", "ext": "pdf"}, ("GET",)
    )
    # like Starlette's ``[^/]+``: the first parameter takes as much as it can
    assert index.match("GET", "/files/a.tar.gz") == Match(
        "file", {"name": "a.tar", "ext": "gz"}, ("GET",)
    )
    assert index.match("GET", "/files/report") is None
    assert index.match("GET", "/files/.pdf") is None


def test_a_mixed_segment_with_a_literal_prefix_and_regex_characters() -> None:
    index = _index(("/v1/items/item-{id}(+)", "get", "item"))

    assert index.match("GET", "/v1/items/item-42(+)") == Match("item", {"id": "42"}, ("GET",))
    assert index.match("GET", "/v1/items/item-42") is None
    assert index.match("GET", "/v1/items/item-42((+)") == Match("item", {"id": "42("}, ("GET",))


@pytest.mark.parametrize("name", ["campaign-id", "a.b", "a b", "1st", "x(y)", "é", "a+b*"])
def test_parameter_names_regexes_dislike(name: str) -> None:
    index = _index(
        (f"/v1/campaigns/{{{name}}}", "get", "whole"),
        (f"/v1/files/{{{name}}}.json", "get", "mixed"),
    )

    assert index.match("GET", "/v1/campaigns/cmp_1") == Match("whole", {name: "cmp_1"}, ("GET",))
    assert index.match("GET", "/v1/files/f_1.json") == Match("mixed", {name: "f_1"}, ("GET",))


def test_two_templates_naming_the_same_position_differently_bind_their_own_name() -> None:
    index = _index(
        ("/a/{x}/b", "get", "xb"),
        ("/a/{y}/c", "get", "yc"),
        ("/a/{y}/d", "get", "yd"),
        ("/a/{z}", "get", "z"),
    )

    assert index.match("GET", "/a/1/b") == Match("xb", {"x": "1"}, ("GET",))
    assert index.match("GET", "/a/2/c") == Match("yc", {"y": "2"}, ("GET",))
    assert index.match("GET", "/a/3/d") == Match("yd", {"y": "3"}, ("GET",))
    assert index.match("GET", "/a/4") == Match("z", {"z": "4"}, ("GET",))
    assert index.match("GET", "/a/5/e") is None


def test_nested_parameters_bind_every_level() -> None:
    index = _index(("/v1/campaigns/{campaignId}/vouchers/{code}", "post", "add"))

    assert index.match("POST", "/v1/campaigns/cmp_1/vouchers/ABC") == Match(
        "add", {"campaignId": "cmp_1", "code": "ABC"}, ("POST",)
    )


# -- values ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "segment",
    ["a%20b", "a%2Fb", "%", "a+b", "a b", "a;b=c", "a.b", "~!$&'()*,:@", "{id}", "10%25"],
)
def test_path_parameter_values_are_passed_through_as_given(segment: str) -> None:
    index = _index(("/v1/vouchers/{code}", "get", "voucher"))

    assert index.match("GET", f"/v1/vouchers/{segment}") == Match(
        "voucher", {"code": segment}, ("GET",)
    )


def test_unicode_segments() -> None:
    index = _index(("/v1/städte/{name}", "get", "city"))

    assert index.match("GET", "/v1/städte/Zürich") == Match("city", {"name": "Zürich"}, ("GET",))
    assert index.match("GET", "/v1/städte/東京") == Match("city", {"name": "東京"}, ("GET",))
    assert index.match("GET", "/v1/stadte/Zürich") is None


def test_the_same_index_returns_independent_params() -> None:
    index = _index(("/a/{x}/b/{y}", "get", "ab"))

    first = index.match("GET", "/a/1/b/2")
    second = index.match("GET", "/a/3/b/4")

    assert first is not None and second is not None
    assert first.params == {"x": "1", "y": "2"}
    assert second.params == {"x": "3", "y": "4"}


def test_adding_a_template_twice_keeps_the_last_target() -> None:
    index = _index(("/a/{x}", "get", "first"), ("/a/{x}", "GET", "second"))

    assert index.match("GET", "/a/1") == Match("second", {"x": "1"}, ("GET",))


# -- cost ----------------------------------------------------------------------------------------


def test_a_lookup_visits_as_many_nodes_whatever_the_number_of_routes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    index: RouteIndex[int] = RouteIndex()
    count = 5_000
    for i in range(count):
        index.add(f"/r{i}/items/{{id}}", "get", i)
    visits = 0
    walk = RouteIndex._walk

    def counting(self: RouteIndex[Any], *args: Any) -> Iterator[Any]:
        nonlocal visits
        visits += 1
        return walk(self, *args)

    monkeypatch.setattr(RouteIndex, "_walk", counting)

    first = index.match("GET", "/r0/items/x")
    first_visits, visits = visits, 0
    last = index.match("GET", f"/r{count - 1}/items/x")
    last_visits, visits = visits, 0
    missing = index.match("GET", f"/r{count}/items/x")
    missing_visits = visits

    assert first == Match(0, {"id": "x"}, ("GET",))
    assert last == Match(count - 1, {"id": "x"}, ("GET",))
    assert missing is None
    depth = 3  # r{i}, items, {id}
    assert first_visits == last_visits
    assert first_visits <= depth + 2
    assert missing_visits <= first_visits
