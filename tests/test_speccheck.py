"""Connexion checks each distinct document once per process (``mockserver.speccheck``)."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from connexion.exceptions import InvalidSpecification
from connexion.spec import Specification

from mockserver import speccheck

DOCUMENT: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Checked once", "version": "1"},
    "paths": {"/things": {"get": {"operationId": "listThings", "responses": {"200": {"description": "OK"}}}}},
}


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The documents Connexion's own check really ran on, in order."""
    seen: list[dict[str, Any]] = []
    original = speccheck._CHECK

    def counting(cls: type, spec: dict[str, Any]) -> None:
        seen.append(spec)
        original(cls, spec)

    monkeypatch.setattr(speccheck, "_CHECK", counting)
    monkeypatch.setattr(speccheck, "_VALID", set())
    speccheck.install()
    return seen


def test_a_valid_document_is_checked_once_whatever_its_copy(checks: list[dict[str, Any]]) -> None:
    Specification.from_dict(copy.deepcopy(DOCUMENT))
    Specification.from_dict(copy.deepcopy(DOCUMENT))
    assert len(checks) == 1
    changed = copy.deepcopy(DOCUMENT)
    changed["info"]["title"] = "Another document"
    Specification.from_dict(changed)
    assert len(checks) == 2  # other content: checked


def test_an_invalid_document_is_refused_every_time(checks: list[dict[str, Any]]) -> None:
    broken = copy.deepcopy(DOCUMENT)
    broken["paths"]["/things"]["get"]["responses"] = {"200": {"content": {}}}  # no description
    for _ in range(2):
        with pytest.raises(InvalidSpecification):
            Specification.from_dict(copy.deepcopy(broken))
    assert len(checks) == 2
