"""Campaigns: the entity, how it renders, and the operations that read it or flip its switch.

A campaign renders itself (``to_dict``) in the vendor's key order. Lists leave out
``validation_rules_assignments`` and ``promotion`` and show ``categories`` empty unless
``expand=category``; the summary shows it empty too (seed page 002). Creating, updating
and deleting are in :mod:`.campaign_changes`.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.exceptions import ConfigurationError
from mockserver.store import transactional

from ..dates import format_millis, to_millis
from ..exceptions import NotFound
from ..filters import Predicate, Subject
from . import access
from .async_actions import AsyncActionRules
from .base import CAMPAIGNS, NAMES, PROMOTION, Record, as_row, optional
from .categories import Category, categories_of
from .promotions import VALIDITY, Assignment, PromotionRules, PromotionTier, assignments_list

#: The campaign's validity that the vendor repeats inside its voucher definition.
MIRRORED = ("start_date", "expiration_date", "validity_timeframe")


@dataclass
class Campaign:
    """A campaign of any of the five types."""

    id: str
    name: str
    campaign_type: str
    type: str
    created_at: int
    auto_join: bool = False
    join_once: bool = False
    use_voucher_metadata_schema: bool = False
    active: bool = True
    protected: bool = False
    metadata: Record = field(default_factory=dict)
    description: str | None = None
    #: The voucher definition (type, discount/gift/loyalty_card, redemption, code_config, ...).
    voucher: Record | None = None
    #: Validity the client gave inside ``voucher`` (used where the campaign sets none).
    voucher_validity: Record = field(default_factory=dict)
    referral_program: Record | None = None
    loyalty_tiers_expiration: Record | None = None
    start_date: str | None = None
    expiration_date: str | None = None
    validity_timeframe: Record | None = None
    validity_day_of_week: list[int] | None = None
    validity_hours: Record | None = None
    activity_duration_after_publishing: str | None = None
    updated_at: int | None = None
    category_id: str | None = None
    creation_status: str = "DONE"
    vouchers_generation_status: str = "DONE"
    assignments: list[Assignment] = field(default_factory=list)
    tiers: list[PromotionTier] = field(default_factory=list)
    #: How many vouchers the campaign holds (their rows are in the vouchers table).
    vouchers_count: int = 0
    #: Areas and stores assignments (see :mod:`.access`).
    access: list[Record] = field(default_factory=list)
    #: Deleted without ``force``: hidden, but its name (and its codes) stay taken.
    in_bin: bool = False

    @property
    def has_vouchers(self) -> bool:
        return self.campaign_type != PROMOTION

    @property
    def is_referral_code(self) -> bool:
        return bool(self.voucher and self.voucher.get("is_referral_code"))

    @property
    def voucher_type(self) -> str | None:
        return self.voucher.get("type") if self.voucher else None

    def to_dict(
        self,
        categories: Mapping[str, Category],
        *,
        detail: bool,
        expand: str | None = None,
        summary: bool = False,
    ) -> Record:
        """The vendor's rendering: ``detail`` for one campaign, else a list entry (or, with
        ``summary``, the campaign of a summary)."""
        r: Record = {"id": self.id, "name": self.name}
        r["campaign_type"] = self.campaign_type
        r["type"] = self.type
        optional(r, "voucher", copy.deepcopy(self.voucher))
        optional(r, "referral_program", copy.deepcopy(self.referral_program))
        r["auto_join"] = self.auto_join
        r["join_once"] = self.join_once
        r["use_voucher_metadata_schema"] = self.use_voucher_metadata_schema
        optional(r, "description", self.description)
        for name in VALIDITY:
            optional(r, name, copy.deepcopy(getattr(self, name)))
        optional(r, "activity_duration_after_publishing", self.activity_duration_after_publishing)
        if self.has_vouchers:
            r["vouchers_count"] = self.vouchers_count
        r["active"] = self.active
        r["metadata"] = copy.deepcopy(self.metadata)
        r["created_at"] = format_millis(self.created_at)
        if self.updated_at is not None:
            r["updated_at"] = format_millis(self.updated_at)
        category = categories.get(self.category_id) if self.category_id else None
        if category is not None and category.name is not None:
            r["category"] = category.name
        r["creation_status"] = self.creation_status
        r["vouchers_generation_status"] = self.vouchers_generation_status
        r["protected"] = self.protected
        if detail:
            r["validation_rules_assignments"] = assignments_list(self.assignments)
        r["category_id"] = self.category_id
        shown = not summary and (detail or expand == "category")
        r["categories"] = categories_of(self.category_id, categories) if shown else []
        if detail and self.campaign_type == PROMOTION:
            r["promotion"] = self._promotion(categories)
        optional(r, "loyalty_tiers_expiration", copy.deepcopy(self.loyalty_tiers_expiration))
        if not summary and (expand == "access_settings_assignments" or (detail and self.access)):
            r["access_settings_assignments"] = access.assignments_list(self.access)
        r["object"] = "campaign"
        return r

    def short_dict(self) -> Record:
        """The campaign as promotion tiers show it."""
        r: Record = {"id": self.id}
        for name in VALIDITY:
            optional(r, name, copy.deepcopy(getattr(self, name)))
        r["active"] = self.active
        r["category_id"] = self.category_id
        r["object"] = "campaign"
        return r

    def _promotion(self, categories: Mapping[str, Category]) -> Record:
        tiers = sorted(self.tiers, key=lambda tier: tier.hierarchy)
        short = self.short_dict()
        return {
            "object": "list",
            "data_ref": "tiers",
            "tiers": [tier.to_dict(copy.deepcopy(short), categories) for tier in tiers],
            "total": len(tiers),
            "has_more": False,
        }

    def mirror_validity(self) -> None:
        """Repeat the campaign's validity inside its voucher definition, as the vendor does
        (where the campaign sets none, the validity given in the definition itself stays)."""
        if self.voucher is None:
            return
        for name in MIRRORED:
            value = getattr(self, name)
            if value is None:
                value = self.voucher_validity.get(name)
            if value is None:
                self.voucher.pop(name, None)
            else:
                self.voucher[name] = copy.deepcopy(value)

    def subject(self, categories: Mapping[str, Category]) -> Subject:
        """What filters see of this campaign."""
        category = categories.get(self.category_id) if self.category_id else None
        days = self.validity_day_of_week
        start = to_millis(self.start_date) if self.start_date else None
        return Subject(
            id=self.id,
            name=self.name,
            type=self.type,
            creation_status=self.creation_status,
            vouchers_generation_status=self.vouchers_generation_status,
            category_id=self.category_id,
            category_name=category.name if category else None,
            voucher_type=self.voucher_type,
            is_referral_code=self.is_referral_code,
            active=self.active,
            created_at=self.created_at,
            updated_at=self.updated_at,
            start_date=start,
            expiration_date=to_millis(self.expiration_date) if self.expiration_date else None,
            validity_day_of_week=tuple(days) if days else None,
            validity_timeframe_start=start if self.validity_timeframe is not None else None,
        )

    @classmethod
    def from_row(cls, row: Record) -> Campaign:
        fields = dict(row)
        fields["assignments"] = [Assignment(**a) for a in row["assignments"]]
        fields["tiers"] = [PromotionTier.from_row(t) for t in row["tiers"]]
        return cls(**fields)

    @classmethod
    def from_record(cls, record: Record) -> Campaign:
        """A campaign from a fixture record (exactly as the API returns it)."""
        return cls(
            id=record["id"],
            name=record["name"],
            campaign_type=record["campaign_type"],
            type=record["type"],
            created_at=_millis(record["created_at"], record["id"]),
            auto_join=record["auto_join"],
            join_once=record["join_once"],
            use_voucher_metadata_schema=record["use_voucher_metadata_schema"],
            active=record["active"],
            protected=record["protected"],
            metadata=copy.deepcopy(record["metadata"]),
            description=record.get("description"),
            voucher=copy.deepcopy(record.get("voucher")),
            referral_program=copy.deepcopy(record.get("referral_program")),
            loyalty_tiers_expiration=copy.deepcopy(record.get("loyalty_tiers_expiration")),
            start_date=record.get("start_date"),
            expiration_date=record.get("expiration_date"),
            validity_timeframe=copy.deepcopy(record.get("validity_timeframe")),
            validity_day_of_week=copy.copy(record.get("validity_day_of_week")),
            validity_hours=copy.deepcopy(record.get("validity_hours")),
            activity_duration_after_publishing=record.get("activity_duration_after_publishing"),
            updated_at=_millis(record["updated_at"], record["id"]) if "updated_at" in record else None,
            category_id=record["category_id"],
            creation_status=record["creation_status"],
            vouchers_generation_status=record["vouchers_generation_status"],
        )


def _millis(text: str, ident: str) -> int:
    millis = to_millis(text)
    if millis is None:
        raise ConfigurationError(f"campaign {ident}: {text!r} is not a usable timestamp")
    return millis


def _sorted(campaigns: list[Campaign], order: str) -> list[Campaign]:
    """By ``created_at`` or ``updated_at``; the later stored first among equals when descending."""
    descending = order.startswith("-")
    by_update = order.lstrip("-") == "updated_at"

    def key(campaign: Campaign) -> int:
        if by_update and campaign.updated_at is not None:
            return campaign.updated_at
        return campaign.created_at

    ordered = list(reversed(campaigns)) if descending else campaigns
    return sorted(ordered, key=key, reverse=descending)


class CampaignReads(PromotionRules, AsyncActionRules):
    """Finding, rendering and listing campaigns, and their on/off switch."""

    def save(self, campaign: Campaign) -> None:
        self.unit.put(CAMPAIGNS, campaign.id, as_row(campaign))

    def insert(self, campaign: Campaign) -> None:
        self.unit.add(CAMPAIGNS, campaign.id, as_row(campaign))
        self.unit.put(NAMES, campaign.name, {"id": campaign.id})

    def render(self, campaign: Campaign, **options: Any) -> Record:
        return campaign.to_dict(self.category_map(), detail=options.pop("detail", True), **options)

    def holder_of(self, name: str) -> Campaign | None:
        """The campaign holding ``name`` (live or in the bin)."""
        entry = self.unit.get(NAMES, name)
        row = self.unit.get(CAMPAIGNS, entry["id"]) if entry is not None else None
        return Campaign.from_row(row) if row is not None else None

    def campaign_by_id(self, ident: str) -> Campaign | None:
        row = self.unit.get(CAMPAIGNS, ident)
        return Campaign.from_row(row) if row is not None else None

    @transactional
    def find(self, ident: str) -> Campaign:
        """The live campaign with this id or, failing that, this exact name."""
        campaign = self.campaign_by_id(ident)
        if campaign is None or campaign.in_bin:
            campaign = self.holder_of(ident)
        if campaign is not None and not campaign.in_bin:
            return campaign
        raise NotFound("campaign", ident)

    @transactional
    def get_campaign(self, ident: str) -> Record:
        return self.render(self.find(ident))

    @transactional
    def list_campaigns(
        self,
        *,
        limit: int = 10,
        page: int = 1,
        order: str = "-created_at",
        campaign_type: str | None = None,
        campaign_status: str | None = None,
        is_referral_code: bool | None = None,
        expand: str | None = None,
        matches: Predicate | None = None,
        areas: access.AreaFilter | None = None,
    ) -> Record:
        """One page of the live campaigns matching every criterion, and how many match."""
        categories = self.category_map()
        now = self.now()
        selected = [
            campaign
            for campaign in map(Campaign.from_row, self.rows(CAMPAIGNS))
            if not campaign.in_bin
            and (campaign_type is None or campaign.campaign_type == campaign_type)
            and (campaign_status is None or campaign.creation_status == campaign_status)
            and (is_referral_code is None or campaign.is_referral_code == is_referral_code)
            and (matches is None or matches(campaign.subject(categories), now))
            and (areas is None or areas.matches(campaign.access))
        ]
        window = self.page(_sorted(selected, order), limit, page)
        return {
            "object": "list",
            "data_ref": "campaigns",
            "campaigns": [c.to_dict(categories, detail=False, expand=expand) for c in window],
            "total": len(selected),
        }

    @transactional
    def set_active(self, ident: str, active: bool) -> Record:
        """Enable or disable a campaign; the vendor answers with an empty object."""
        campaign = self.find(ident)
        campaign.active = active
        campaign.updated_at = self.now()
        self.save(campaign)
        return {}
