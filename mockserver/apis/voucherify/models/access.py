"""Areas and stores (an enterprise feature of the vendor): a campaign's assignments.

``access_settings.assign`` on create or update assigns the campaign to areas
(``areas_ids``), to all the stores of areas (``area_all_stores_ids``) or to single stores
(``area_stores_ids``); ``unassign`` removes the same assignments. They are shown with
``expand=access_settings_assignments`` and filter List Campaigns through
``access_settings[filter][...]``. The mock knows no areas or stores beyond their ids, so
a store is not known to belong to an area.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ..dates import format_millis
from ..exceptions import InvalidQueryParams
from ..filters import parse_brackets, values_of
from .base import Record

#: access_settings key -> (the assignment's property holding the id, its all_stores flag)
KINDS: dict[str, tuple[str, bool | None]] = {
    "areas_ids": ("area_id", False),
    "area_all_stores_ids": ("area_id", True),
    "area_stores_ids": ("area_store_id", None),
}


def _key(kind: str, ident: str) -> tuple[str, str]:
    return kind, ident


def _kind_of(assignment: Mapping[str, Any]) -> str:
    if "area_store_id" in assignment:
        return "area_stores_ids"
    return "area_all_stores_ids" if assignment.get("all_stores") else "areas_ids"


def _ident_of(assignment: Mapping[str, Any]) -> str:
    return str(assignment.get("area_store_id") or assignment.get("area_id"))


def apply(assignments: list[Record], settings: Mapping[str, Any] | None, now: int) -> list[Record]:
    """The assignments after ``settings`` (``{"assign": {...}, "unassign": {...}}``)."""
    if not settings:
        return assignments
    result = list(assignments)
    present = {(_kind_of(a), _ident_of(a)) for a in result}
    for kind, ids in _pairs(settings.get("unassign")):
        gone = {_key(kind, ident) for ident in ids}
        result = [a for a in result if (_kind_of(a), _ident_of(a)) not in gone]
        present -= gone
    for kind, ids in _pairs(settings.get("assign")):
        prop, all_stores = KINDS[kind]
        for ident in ids:
            if (kind, ident) in present:
                continue
            present.add((kind, ident))
            assignment: Record = {"id": "arsca_" + secrets.token_hex(9), prop: ident}
            if all_stores is not None:
                assignment["all_stores"] = all_stores
            assignment["created_at"] = now
            result.append(assignment)
    return result


def _pairs(ids: Mapping[str, Any] | None) -> Iterable[tuple[str, list[str]]]:
    for kind in KINDS:
        values = (ids or {}).get(kind)
        if values:
            yield kind, [str(v) for v in values]


def assignments_list(assignments: list[Record]) -> Record:
    return {
        "object": "list",
        "data_ref": "data",
        "data": [
            {
                **{k: v for k, v in a.items() if k != "created_at"},
                "created_at": format_millis(a["created_at"]),
                "object": "area_store_campaign_assignment",
            }
            for a in assignments
        ],
        "total": len(assignments),
    }


@dataclass(frozen=True)
class AreaFilter:
    """``access_settings[filter][<kind>]``: campaigns assigned to any of the ids."""

    wanted: frozenset[tuple[str, str]]

    def matches(self, assignments: list[Record]) -> bool:
        return any((_kind_of(a), _ident_of(a)) in self.wanted for a in assignments)


def area_filter(query: Iterable[tuple[str, str]]) -> AreaFilter | None:
    """The filter the raw query's ``access_settings[filter][...]`` keys describe, if any."""
    tree = parse_brackets(query, "access_settings")
    if tree is None:
        return None
    filters = tree.get("filter")
    if set(tree) != {"filter"} or not isinstance(filters, dict) or not filters:
        raise InvalidQueryParams(
            "Invalid query parameter access_settings: use access_settings[filter][<kind>]=<id> "
            f"with <kind> one of {', '.join(KINDS)}."
        )
    wanted: set[tuple[str, str]] = set()
    for kind, raw in filters.items():
        where = f"access_settings[filter][{kind}]"
        if kind not in KINDS:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}: unknown filter (known: {', '.join(KINDS)})."
            )
        wanted.update((kind, ident) for ident in values_of(raw, where))
    return AreaFilter(frozenset(wanted))
