"""Categories, as far as the mock knows them: created by name with a campaign or a voucher,
or known by id from the fixtures. (The vendor's categories endpoints are not served.)"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..dates import format_millis
from ..exceptions import NotFound
from .base import CATEGORIES, BackendBase, Record, as_row, optional


@dataclass
class Category:
    id: str
    name: str | None = None
    hierarchy: int | None = None
    created_at: int | None = None

    def to_dict(self) -> Record:
        record: Record = {"id": self.id}
        optional(record, "name", self.name)
        optional(record, "hierarchy", self.hierarchy)
        if self.created_at is not None:
            record["created_at"] = format_millis(self.created_at)
        record["object"] = "category"
        return record


def categories_of(category_id: str | None, categories: Mapping[str, Category]) -> list[Record]:
    """The ``categories`` array of an object in category ``category_id``."""
    category = categories.get(category_id) if category_id else None
    return [category.to_dict()] if category else []


class CategoryRules(BackendBase):
    def category_map(self) -> dict[str, Category]:
        return {row["id"]: Category(**row) for row in self.rows(CATEGORIES)}

    def category_for(self, body: Mapping[str, Any]) -> str | None:
        """The category a body names: ``category_id`` (which must exist, else 404), else
        ``category`` by name (created when no category has it), else none."""
        category_id = body.get("category_id")
        if category_id is not None:
            if self.unit.get(CATEGORIES, category_id) is None:
                raise NotFound("category", category_id)
            return str(category_id)
        name = body.get("category")
        if name is None:
            return None
        found = self.category_named(name)
        if found is not None:
            return found
        category = Category(
            id="cat_" + secrets.token_hex(9), name=name, hierarchy=1, created_at=self.now()
        )
        self.unit.add(CATEGORIES, category.id, as_row(category))
        return category.id

    def category_named(self, name: str) -> str | None:
        for row in self.rows(CATEGORIES):
            if row.get("name") == name:
                return str(row["id"])
        return None

    def remember_category(self, category_id: str, name: str | None) -> None:
        """A category a fixture names (by id, and maybe its name)."""
        known = self.unit.get(CATEGORIES, category_id)
        if known is None:
            self.unit.put(CATEGORIES, category_id, as_row(Category(id=category_id, name=name)))
        elif known.get("name") is None and name is not None:
            self.unit.put(CATEGORIES, category_id, {**known, "name": name})
