"""Promotion tiers and validation-rule assignments (of campaigns and of tiers).

Validation rules themselves are not served: a campaign or tier created with rule ids gets
the assignments the vendor shows, without a rules resource behind them. Tiers are stored
with their campaign and shown with zero counters (the mock serves no redemptions).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..dates import format_millis, normalize
from .base import BackendBase, Record, new_id, optional
from .categories import Category, CategoryRules, categories_of


@dataclass
class Assignment:
    """A validation rule assigned to a campaign or a promotion tier."""

    id: str
    rule_id: str
    related_object_id: str
    related_object_type: str
    created_at: int

    def to_dict(self) -> Record:
        return {
            "id": self.id,
            "rule_id": self.rule_id,
            "related_object_id": self.related_object_id,
            "related_object_type": self.related_object_type,
            "created_at": format_millis(self.created_at),
            "object": "validation_rules_assignment",
        }


def assignments_list(assignments: list[Assignment]) -> Record:
    return {
        "object": "list",
        "data_ref": "data",
        "data": [a.to_dict() for a in assignments],
        "total": len(assignments),
    }


def assign(rule_ids: Iterable[str] | None, owner: str, owner_type: str, now: int) -> list[Assignment]:
    return [
        Assignment(
            id=new_id("asgm_", 16),
            rule_id=rule_id,
            related_object_id=owner,
            related_object_type=owner_type,
            created_at=now,
        )
        for rule_id in rule_ids or ()
    ]


#: The validity properties campaigns, tiers and vouchers share.
VALIDITY = ("start_date", "expiration_date", "validity_timeframe", "validity_day_of_week", "validity_hours")


@dataclass
class PromotionTier:
    """A promotion tier of a promotion campaign."""

    id: str
    created_at: int
    hierarchy: int
    name: str | None = None
    banner: str | None = None
    action: Record | None = None
    metadata: Record = field(default_factory=dict)
    active: bool = True
    start_date: str | None = None
    expiration_date: str | None = None
    validity_timeframe: Record | None = None
    validity_day_of_week: list[int] | None = None
    validity_hours: Record | None = None
    category_id: str | None = None
    assignments: list[Assignment] = field(default_factory=list)

    @classmethod
    def from_row(cls, row: Record) -> PromotionTier:
        return cls(**{**row, "assignments": [Assignment(**a) for a in row["assignments"]]})

    def to_dict(self, campaign: Record, categories: Mapping[str, Category]) -> Record:
        """``campaign``: the tier's campaign in short (id, validity, active, category)."""
        record: Record = {"id": self.id, "created_at": format_millis(self.created_at)}
        optional(record, "name", self.name)
        optional(record, "banner", self.banner)
        optional(record, "action", copy.deepcopy(self.action))
        record["metadata"] = dict(self.metadata)
        record["hierarchy"] = self.hierarchy
        record["promotion_id"] = campaign["id"]
        record["campaign"] = campaign
        record["campaign_id"] = campaign["id"]
        record["active"] = self.active
        for name in VALIDITY:
            optional(record, name, copy.deepcopy(getattr(self, name)))
        record["summary"] = {
            "redemptions": {"total_redeemed": 0},
            "orders": {"total_amount": 0, "total_discount_amount": 0},
        }
        record["object"] = "promotion_tier"
        record["validation_rule_assignments"] = assignments_list(self.assignments)
        if self.category_id is not None:
            record["category_id"] = self.category_id
            record["categories"] = categories_of(self.category_id, categories)
        return record


def apply_validity(target: object, body: Mapping[str, object]) -> None:
    """Copy the validity properties ``body`` sends onto ``target`` (dates normalised)."""
    for name in VALIDITY:
        if name not in body:
            continue
        value = body[name]
        if name in ("start_date", "expiration_date") and isinstance(value, str):
            value = normalize(value)
        setattr(target, name, copy.deepcopy(value))


class PromotionRules(CategoryRules, BackendBase):
    def build_tiers(self, campaign_id: str, params: list[Record] | None, now: int) -> list[PromotionTier]:
        tiers: list[PromotionTier] = []
        for position, param in enumerate(params or (), start=1):
            hierarchy = param.get("hierarchy")
            tier = PromotionTier(
                id=new_id("promo_", 24),
                created_at=now,
                hierarchy=position if hierarchy is None else int(hierarchy),
                name=param.get("name"),
                banner=param.get("banner"),
                action=copy.deepcopy(param.get("action")),
                metadata=copy.deepcopy(param.get("metadata") or {}),
                active=param.get("active") is not False,
                category_id=self.category_for(param),
            )
            apply_validity(tier, param)
            tier.assignments = assign(param.get("validation_rules"), tier.id, "promotion_tier", now)
            tiers.append(tier)
        return tiers
