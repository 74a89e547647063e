"""Every check of the catalogue fires on its minimal pair and stays quiet on its near pair."""

from __future__ import annotations

import pytest

from mockserver.diff import CHECKS, Change, diff

from .corpus import BASE, CASES, INSIDE, Case, Doc, near, nothing, pair


def ids(old: Doc, new: Doc) -> list[str]:
    return [change.id for change in diff(old, new)]


def test_every_check_has_a_case() -> None:
    assert sorted({case.check for case in CASES}) == sorted(CHECKS)
    assert len(CASES) == len(CHECKS)


def test_a_document_against_itself_has_no_change() -> None:
    assert diff(BASE, BASE) == []


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.check)
def test_the_check_fires_on_its_pair(case: Case) -> None:
    old, new = pair(case)
    changes: list[Change] = diff(old, new)
    fired = [c for c in changes if c.id == case.check]
    assert fired, f"{case.check} not found in {[c.id for c in changes]}"
    assert all(c.level == CHECKS[case.check].level for c in fired)
    assert all(c.message and c.operation for c in fired)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.check)
def test_the_check_stays_quiet_on_its_near_pair(case: Case) -> None:
    old, new = near(case)
    found = ids(old, new)
    assert old != new, "the near pair must be a change"
    assert case.check not in found


@pytest.mark.parametrize(("check", "edit", "location"), INSIDE, ids=[i[0] for i in INSIDE])
def test_changes_inside_callbacks_webhooks_and_events(check: str, edit: object, location: str) -> None:
    old, new = pair(Case(check, edit, edit))  # type: ignore[arg-type]
    locations = [c.location for c in diff(old, new) if c.id == check]
    assert location in locations, locations


def test_a_schema_change_is_reported_where_each_subscriber_sees_it() -> None:
    _, new = pair(Case("x", INSIDE[2][1], INSIDE[2][1]))  # Event.id: string -> integer
    subjects = {c.operation for c in diff(BASE, new) if c.id == "response-type-changed"}
    assert subjects == {"POST /items", "webhook itemChanged", "event item.created"}


def test_a_change_deep_in_a_referenced_component_reaches_every_reader() -> None:
    """Item's text is unchanged, but it refers to Circle, which changed: Item is walked."""
    new = pair(Case("x", lambda d: d["components"]["schemas"]["Circle"]["properties"]["radius"].update(type="string"), nothing))[1]
    found = {(c.operation, c.location) for c in diff(BASE, new) if c.id == "response-type-changed"}
    assert ("GET /items/{id}", "response 200 application/json: shape.oneOf[Circle].radius") in found
    assert ("GET /items/{id}", "response 200 application/json: base.radius") in found
    assert ("GET /items", "response 200 application/json: [].shape.oneOf[Circle].radius") in found
