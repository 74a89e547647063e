"""Voucherify's campaigns: entities, rules and the backend holding them.

Every public method of :class:`VoucherifyBackend` runs in a unit of work (the
request's, see :mod:`mockserver.store`): campaigns are read, changed and saved back,
so a request that fails changes nothing. Entities render themselves (``to_dict``) in the vendor's
key order; list views leave out ``validation_rules_assignments`` and
``promotion`` the way the vendor does.

Asynchronous work (code generation, deletion) completes before the method
returns; only the response that started it shows the in-between state
(``IN_PROGRESS`` after a create, ``MODIFYING`` after an update).
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError
from mockserver.store import Backend, Store, UnitOfWork, transactional

from .codes import CodeSpec, generate
from .dates import format_millis, normalize, to_millis
from .exceptions import DuplicateFound, NotFound
from .filters import Predicate, Subject

Record = dict[str, Any]

#: campaign_type -> the type of its vouchers, and the voucher property holding their value.
VOUCHER_KINDS: dict[str, tuple[str, str]] = {
    "DISCOUNT_COUPONS": ("DISCOUNT_VOUCHER", "discount"),
    "REFERRAL_PROGRAM": ("DISCOUNT_VOUCHER", "discount"),
    "GIFT_VOUCHERS": ("GIFT_VOUCHER", "gift"),
    "LOYALTY_PROGRAM": ("LOYALTY_CARD", "loyalty_card"),
}
PROMOTION = "PROMOTION"
LOYALTY = "LOYALTY_PROGRAM"
REFERRAL = "REFERRAL_PROGRAM"
STANDALONE = "STANDALONE"

#: Campaign-level validity fields that the vendor repeats inside ``voucher``.
_MIRRORED = ("start_date", "expiration_date", "validity_timeframe")

#: Update fields each campaign type takes (everything else is silently skipped).
_COMMON_UPDATES = frozenset(
    {
        "start_date",
        "expiration_date",
        "validity_timeframe",
        "validity_day_of_week",
        "validity_hours",
        "description",
        "category",
        "category_id",
        "metadata",
        "unset_metadata_fields",
    }
)
_VOUCHER_UPDATES = _COMMON_UPDATES | {
    "activity_duration_after_publishing",
    "join_once",
    "auto_join",
    "type",
}
_UPDATES: dict[str, frozenset[str]] = {
    "DISCOUNT_COUPONS": _VOUCHER_UPDATES | {"discount"},
    "REFERRAL_PROGRAM": _VOUCHER_UPDATES | {"discount", "referral_program"},
    "GIFT_VOUCHERS": _VOUCHER_UPDATES | {"gift"},
    "LOYALTY_PROGRAM": _VOUCHER_UPDATES | {"loyalty_tiers_expiration"},
    "PROMOTION": _COMMON_UPDATES,
}

_EMPTY_LIST = {"object": "list", "data_ref": "data", "data": [], "total": 0}


def _optional(record: Record, key: str, value: Any) -> None:
    """Set ``key`` only when ``value`` is set (the vendor leaves unset properties out)."""
    if value is not None:
        record[key] = value


# -- entities ---------------------------------------------------------------------------------


@dataclass
class Category:
    """A campaign category, as far as the mock knows it (fixtures may give only the id)."""

    id: str
    name: str | None = None
    hierarchy: int | None = None
    created_at: int | None = None

    def to_dict(self) -> Record:
        record: Record = {"id": self.id}
        _optional(record, "name", self.name)
        _optional(record, "hierarchy", self.hierarchy)
        if self.created_at is not None:
            record["created_at"] = format_millis(self.created_at)
        record["object"] = "category"
        return record


def _row(entity: Any) -> Record:
    """An entity as a stored row (nested dataclasses become dicts)."""
    return dataclasses.asdict(entity)


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


def _assignments_list(assignments: list[Assignment]) -> Record:
    return {
        "object": "list",
        "data_ref": "data",
        "data": [a.to_dict() for a in assignments],
        "total": len(assignments),
    }


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

    def to_dict(self, campaign: Campaign, categories: Mapping[str, Category]) -> Record:
        record: Record = {"id": self.id, "created_at": format_millis(self.created_at)}
        _optional(record, "name", self.name)
        _optional(record, "banner", self.banner)
        _optional(record, "action", copy.deepcopy(self.action))
        record["metadata"] = dict(self.metadata)
        record["hierarchy"] = self.hierarchy
        record["promotion_id"] = campaign.id
        record["campaign"] = campaign.short_dict()
        record["campaign_id"] = campaign.id
        record["active"] = self.active
        _optional(record, "start_date", self.start_date)
        _optional(record, "expiration_date", self.expiration_date)
        _optional(record, "validity_timeframe", copy.deepcopy(self.validity_timeframe))
        _optional(record, "validity_day_of_week", copy.copy(self.validity_day_of_week))
        _optional(record, "validity_hours", copy.deepcopy(self.validity_hours))
        record["summary"] = {
            "redemptions": {"total_redeemed": 0},
            "orders": {"total_amount": 0, "total_discount_amount": 0},
        }
        record["object"] = "promotion_tier"
        record["validation_rule_assignments"] = _assignments_list(self.assignments)
        if self.category_id is not None:
            record["category_id"] = self.category_id
            record["categories"] = _categories(self.category_id, categories)
        return record


def _categories(category_id: str | None, categories: Mapping[str, Category]) -> list[Record]:
    category = categories.get(category_id) if category_id else None
    return [category.to_dict()] if category else []


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
    voucher_codes: list[str] = field(default_factory=list)
    #: Deleted without ``force``: hidden, but its name (and its codes) stay taken.
    in_bin: bool = False

    @property
    def has_vouchers(self) -> bool:
        return self.campaign_type != PROMOTION

    @property
    def is_referral_code(self) -> bool:
        return bool(self.voucher and self.voucher.get("is_referral_code"))

    def to_dict(
        self, categories: Mapping[str, Category], *, detail: bool, expand: str | None = None
    ) -> Record:
        """The vendor's rendering: ``detail`` for single-campaign responses, else a list entry."""
        r: Record = {"id": self.id, "name": self.name}
        r["campaign_type"] = self.campaign_type
        r["type"] = self.type
        _optional(r, "voucher", copy.deepcopy(self.voucher))
        _optional(r, "referral_program", copy.deepcopy(self.referral_program))
        r["auto_join"] = self.auto_join
        r["join_once"] = self.join_once
        r["use_voucher_metadata_schema"] = self.use_voucher_metadata_schema
        _optional(r, "description", self.description)
        _optional(r, "start_date", self.start_date)
        _optional(r, "expiration_date", self.expiration_date)
        _optional(r, "validity_timeframe", copy.deepcopy(self.validity_timeframe))
        _optional(r, "validity_day_of_week", copy.copy(self.validity_day_of_week))
        _optional(r, "validity_hours", copy.deepcopy(self.validity_hours))
        _optional(r, "activity_duration_after_publishing", self.activity_duration_after_publishing)
        if self.has_vouchers:
            r["vouchers_count"] = len(self.voucher_codes)
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
            r["validation_rules_assignments"] = _assignments_list(self.assignments)
        r["category_id"] = self.category_id
        if (detail and self.category_id) or expand == "category":
            r["categories"] = _categories(self.category_id, categories)
        if detail and self.campaign_type == PROMOTION:
            r["promotion"] = self._promotion(categories)
        _optional(r, "loyalty_tiers_expiration", copy.deepcopy(self.loyalty_tiers_expiration))
        if expand == "access_settings_assignments":
            r["access_settings_assignments"] = dict(_EMPTY_LIST)
        r["object"] = "campaign"
        return r

    def short_dict(self) -> Record:
        """The campaign as promotion tiers show it."""
        r: Record = {"id": self.id}
        _optional(r, "start_date", self.start_date)
        _optional(r, "expiration_date", self.expiration_date)
        _optional(r, "validity_timeframe", copy.deepcopy(self.validity_timeframe))
        _optional(r, "validity_day_of_week", copy.copy(self.validity_day_of_week))
        _optional(r, "validity_hours", copy.deepcopy(self.validity_hours))
        r["active"] = self.active
        r["category_id"] = self.category_id
        r["object"] = "campaign"
        return r

    @classmethod
    def from_row(cls, row: Record) -> Campaign:
        fields = dict(row)
        fields["assignments"] = [Assignment(**a) for a in row["assignments"]]
        fields["tiers"] = [
            PromotionTier(**{**t, "assignments": [Assignment(**a) for a in t["assignments"]]})
            for t in row["tiers"]
        ]
        return cls(**fields)

    def _promotion(self, categories: Mapping[str, Category]) -> Record:
        tiers = sorted(self.tiers, key=lambda tier: tier.hierarchy)
        return {
            "object": "list",
            "data_ref": "tiers",
            "tiers": [tier.to_dict(self, categories) for tier in tiers],
            "total": len(tiers),
            "has_more": False,
        }

    def subject(self, categories: Mapping[str, Category]) -> Subject:
        """What filters see of this campaign."""
        category = categories.get(self.category_id) if self.category_id else None
        days = self.validity_day_of_week
        return Subject(
            id=self.id,
            name=self.name,
            type=self.type,
            creation_status=self.creation_status,
            vouchers_generation_status=self.vouchers_generation_status,
            category_id=self.category_id,
            category_name=category.name if category else None,
            voucher_type=self.voucher.get("type") if self.voucher else None,
            is_referral_code=self.is_referral_code,
            active=self.active,
            created_at=self.created_at,
            updated_at=self.updated_at,
            start_date=to_millis(self.start_date) if self.start_date else None,
            expiration_date=to_millis(self.expiration_date) if self.expiration_date else None,
            validity_day_of_week=tuple(days) if days else None,
            has_validity_timeframe=self.validity_timeframe is not None,
        )

    def mirror_validity(self) -> None:
        """Repeat the campaign's validity inside its voucher definition, as the vendor does."""
        if self.voucher is None:
            return
        for name in _MIRRORED:
            value = getattr(self, name)
            if value is None:
                self.voucher.pop(name, None)
            else:
                self.voucher[name] = copy.deepcopy(value)

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
            updated_at=_millis(record["updated_at"], record["id"])
            if "updated_at" in record
            else None,
            category_id=record["category_id"],
            creation_status=record["creation_status"],
            vouchers_generation_status=record["vouchers_generation_status"],
        )


def _millis(text: str, ident: str) -> int:
    millis = to_millis(text)
    if millis is None:
        raise ConfigurationError(f"campaign {ident}: {text!r} is not a usable timestamp")
    return millis


# -- the backend ------------------------------------------------------------------------------

#: Tables: campaigns by id, categories by id, generated voucher codes (code -> campaign),
#: and the unique index of campaign names (name -> campaign id; a binned campaign keeps its
#: name taken).
CAMPAIGNS = "campaigns"
CATEGORIES = "categories"
VOUCHERS = "vouchers"
NAMES = "campaign_names"


class _TakenCodes:
    """The voucher codes already issued, as :func:`.codes.generate` asks for them."""

    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.unit.get(VOUCHERS, code) is not None

    def __len__(self) -> int:
        return self.unit.count(VOUCHERS)


class VoucherifyBackend(Backend):
    """All campaigns, their vouchers and categories, and the rules applying to them."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    # -- storage and small helpers ----------------------------------------------------------------

    @property
    def unit(self) -> UnitOfWork:
        unit = self.store.current
        if unit is None:
            raise RuntimeError("Voucherify state is only reachable inside a unit of work")
        return unit

    def now(self) -> int:
        """The mock's clock, in Unix milliseconds."""
        return int(self.clock.now() * 1000)

    def _save(self, campaign: Campaign) -> None:
        self.unit.put(CAMPAIGNS, campaign.id, _row(campaign))

    def _category_map(self) -> dict[str, Category]:
        return {row["id"]: Category(**row) for row in self.unit.rows(CATEGORIES)}

    def _render(
        self, campaign: Campaign, *, detail: bool = True, expand: str | None = None
    ) -> Record:
        return campaign.to_dict(self._category_map(), detail=detail, expand=expand)

    def _holder_of(self, name: str) -> Campaign | None:
        """The campaign holding ``name`` (live or in the bin)."""
        entry = self.unit.get(NAMES, name)
        row = self.unit.get(CAMPAIGNS, entry["id"]) if entry is not None else None
        return Campaign.from_row(row) if row is not None else None

    @transactional
    def find(self, ident: str) -> Campaign:
        """The live campaign with this id or, failing that, this exact name."""
        row = self.unit.get(CAMPAIGNS, ident)
        campaign = Campaign.from_row(row) if row is not None else None
        if campaign is None or campaign.in_bin:
            campaign = self._holder_of(ident)
        if campaign is not None and not campaign.in_bin:
            return campaign
        raise NotFound("campaign", ident)

    # -- fixtures --------------------------------------------------------------------------------

    def load(self, records: Mapping[str, list[Record]]) -> None:
        """Campaigns from fixtures; each gets as many generated vouchers as its ``vouchers_count``."""
        self.store.run(lambda _unit: self._load(records))

    def _load(self, records: Mapping[str, list[Record]]) -> None:
        for record in records.get("campaigns", []):
            self._load_campaign(record)

    def _load_campaign(self, record: Record) -> None:
        campaign = Campaign.from_record(record)
        if self.unit.get(CAMPAIGNS, campaign.id) is not None:
            raise ConfigurationError(f"campaign {campaign.id} appears twice in the fixtures")
        if self.unit.get(NAMES, campaign.name) is not None:
            raise ConfigurationError(
                f"campaign name {campaign.name!r} appears twice in the fixtures"
            )
        if campaign.category_id is not None:
            self._remember_category(campaign.category_id, record.get("category"))
        wanted = record.get("vouchers_count") or 0
        if campaign.has_vouchers and wanted:
            spec = CodeSpec.from_config((campaign.voucher or {}).get("code_config"))
            codes = self._issue_codes(campaign.id, spec, wanted)
            if len(codes) < wanted:
                raise ConfigurationError(
                    f"campaign {campaign.id}: cannot generate {wanted} unique codes from its code_config"
                )
            campaign.voucher_codes = codes
        self._insert(campaign)

    def _insert(self, campaign: Campaign) -> None:
        self.unit.add(CAMPAIGNS, campaign.id, _row(campaign))
        self.unit.put(NAMES, campaign.name, {"id": campaign.id})

    def _remember_category(self, category_id: str, name: str | None) -> None:
        known = self.unit.get(CATEGORIES, category_id)
        if known is None:
            self.unit.put(CATEGORIES, category_id, _row(Category(id=category_id, name=name)))
        elif known.get("name") is None and name is not None:
            self.unit.put(CATEGORIES, category_id, {**known, "name": name})

    # -- list ------------------------------------------------------------------------------------

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
    ) -> Record:
        """One page of the live campaigns matching every criterion, and how many match."""
        categories = self._category_map()
        now = self.now()
        selected = [
            campaign
            for campaign in map(Campaign.from_row, self.unit.rows(CAMPAIGNS))
            if not campaign.in_bin
            and (campaign_type is None or campaign.campaign_type == campaign_type)
            and (campaign_status is None or campaign.creation_status == campaign_status)
            and (is_referral_code is None or campaign.is_referral_code == is_referral_code)
            and (matches is None or matches(campaign.subject(categories), now))
        ]
        selected = _sorted(selected, order)
        window = selected[(page - 1) * limit : page * limit]
        return {
            "object": "list",
            "data_ref": "campaigns",
            "campaigns": [c.to_dict(categories, detail=False, expand=expand) for c in window],
            "total": len(selected),
        }

    # -- create ----------------------------------------------------------------------------------

    @transactional
    def create_campaign(self, body: Record) -> Record:
        """A new campaign and its vouchers; the response shows the generation still running."""
        self._check_name_free(body["name"])
        now = self.now()
        campaign_type = body["campaign_type"]
        campaign = Campaign(
            id=_new_id("camp_", 24),
            name=body["name"],
            campaign_type=campaign_type,
            type=body.get("type") or "STATIC",
            created_at=now,
            auto_join=bool(body.get("auto_join")),
            join_once=self._join_once(campaign_type, body.get("type"), body.get("join_once")),
            use_voucher_metadata_schema=bool(body.get("use_voucher_metadata_schema")),
            metadata=copy.deepcopy(body.get("metadata") or {}),
            description=body.get("description"),
            referral_program=copy.deepcopy(body.get("referral_program"))
            if campaign_type == REFERRAL
            else None,
            category_id=self._category_for(body),
        )
        self._apply_validity(campaign, body)
        campaign.activity_duration_after_publishing = body.get(
            "activity_duration_after_publishing"
        )
        campaign.assignments = self._assign(body.get("validation_rules"), campaign.id, "campaign", now)
        if campaign.has_vouchers:
            campaign.voucher = self._voucher_definition(campaign_type, body["voucher"])
            campaign.mirror_validity()
            self._generate_vouchers(campaign, body.get("vouchers_count") or 0)
        else:
            campaign.tiers = self._tiers(campaign.id, (body.get("promotion") or {}).get("tiers"), now)
        self._insert(campaign)
        snapshot = self._render(campaign)
        if campaign.has_vouchers:
            snapshot["vouchers_count"] = 0
            snapshot["creation_status"] = "IN_PROGRESS"
            snapshot["vouchers_generation_status"] = "IN_PROGRESS"
        return snapshot

    def _check_name_free(self, name: str) -> None:
        holder = self._holder_of(name)
        if holder is not None:
            raise DuplicateFound(
                f"Campaign with name: {name} already exists",
                resource_id=holder.id,
                resource_type="campaign",
            )

    @staticmethod
    def _join_once(campaign_type: str, kind: str | None, requested: bool | None) -> bool:
        if campaign_type == LOYALTY:
            return True
        if kind == STANDALONE:
            return False
        return bool(requested)

    def _category_for(self, body: Mapping[str, Any]) -> str | None:
        """The category id a body names (``category_id`` first, else ``category`` by name)."""
        category_id = body.get("category_id")
        if category_id is not None:
            if self.unit.get(CATEGORIES, category_id) is None:
                raise NotFound("category", category_id)
            return str(category_id)
        name = body.get("category")
        if name is None:
            return None
        for row in self.unit.rows(CATEGORIES):
            if row.get("name") == name:
                return str(row["id"])
        category = Category(
            id="cat_" + secrets.token_hex(9), name=name, hierarchy=1, created_at=self.now()
        )
        self.unit.add(CATEGORIES, category.id, _row(category))
        return category.id

    def _apply_validity(self, target: Campaign | PromotionTier, body: Mapping[str, Any]) -> None:
        for name in ("start_date", "expiration_date"):
            if name in body:
                value = body[name]
                setattr(target, name, normalize(value) if value is not None else None)
        for name in ("validity_timeframe", "validity_day_of_week", "validity_hours"):
            if name in body:
                setattr(target, name, copy.deepcopy(body[name]))

    @staticmethod
    def _assign(
        rule_ids: Iterable[str] | None, owner: str, owner_type: str, now: int
    ) -> list[Assignment]:
        return [
            Assignment(
                id=_new_id("asgm_", 16),
                rule_id=rule_id,
                related_object_id=owner,
                related_object_type=owner_type,
                created_at=now,
            )
            for rule_id in rule_ids or ()
        ]

    @staticmethod
    def _voucher_definition(campaign_type: str, requested: Record) -> Record:
        voucher_type, value_key = VOUCHER_KINDS[campaign_type]
        redemption = requested.get("redemption") or {}
        return {
            "type": voucher_type,
            value_key: copy.deepcopy(requested[value_key]),
            "redemption": {"quantity": redemption.get("quantity")},
            "code_config": CodeSpec.from_config(requested.get("code_config")).to_config(),
            "is_referral_code": campaign_type == REFERRAL,
        }

    def _generate_vouchers(self, campaign: Campaign, count: int) -> None:
        spec = CodeSpec.from_config((campaign.voucher or {}).get("code_config"))
        codes = self._issue_codes(campaign.id, spec, count)
        campaign.voucher_codes.extend(codes)
        campaign.vouchers_generation_status = "DONE" if len(codes) == count else "FAILED"

    def _issue_codes(self, campaign_id: str, spec: CodeSpec, count: int) -> list[str]:
        codes = generate(spec, count, _TakenCodes(self.unit))
        for code in codes:
            self.unit.put(VOUCHERS, code, {"code": code, "campaign_id": campaign_id})
        return codes

    def _tiers(
        self, campaign_id: str, params: list[Record] | None, now: int
    ) -> list[PromotionTier]:
        tiers: list[PromotionTier] = []
        for position, param in enumerate(params or (), start=1):
            hierarchy = param.get("hierarchy")
            tier = PromotionTier(
                id=_new_id("promo_", 24),
                created_at=now,
                hierarchy=position if hierarchy is None else int(hierarchy),
                name=param.get("name"),
                banner=param.get("banner"),
                action=copy.deepcopy(param.get("action")),
                metadata=copy.deepcopy(param.get("metadata") or {}),
                active=param.get("active") is not False,
                category_id=self._category_for(param),
            )
            self._apply_validity(tier, param)
            tier.assignments = self._assign(
                param.get("validation_rules"), tier.id, "promotion_tier", now
            )
            tiers.append(tier)
        return tiers

    # -- read, update, enable/disable, delete ---------------------------------------------------

    @transactional
    def get_campaign(self, ident: str) -> Record:
        return self._render(self.find(ident))

    @transactional
    def update_campaign(self, ident: str, body: Record) -> Record:
        """Apply the fields the campaign's type takes; the others are silently skipped."""
        campaign = self.find(ident)
        allowed = _UPDATES[campaign.campaign_type]
        changes = {name: value for name, value in body.items() if name in allowed}
        if "category_id" in changes or "category" in changes:
            campaign.category_id = self._category_for(changes)
        self._apply_validity(campaign, changes)
        self._apply_texts(campaign, changes)
        self._apply_flags(campaign, changes)
        self._apply_metadata(campaign, changes)
        self._apply_values(campaign, changes)
        campaign.mirror_validity()
        campaign.updated_at = self.now()
        self._save(campaign)
        snapshot = self._render(campaign)
        if campaign.has_vouchers:
            snapshot["creation_status"] = "MODIFYING"
            snapshot["vouchers_generation_status"] = "MODIFYING"
        return snapshot

    @staticmethod
    def _apply_texts(campaign: Campaign, changes: Mapping[str, Any]) -> None:
        for name in ("description", "activity_duration_after_publishing"):
            if name in changes:
                setattr(campaign, name, changes[name])

    @staticmethod
    def _apply_flags(campaign: Campaign, changes: Mapping[str, Any]) -> None:
        if changes.get("auto_join") is not None:
            campaign.auto_join = changes["auto_join"]
        fixed_join_once = campaign.campaign_type == LOYALTY or campaign.type == STANDALONE
        if changes.get("join_once") is not None and not fixed_join_once:
            campaign.join_once = changes["join_once"]
        if changes.get("type") is not None and campaign.type != STANDALONE:
            campaign.type = changes["type"]

    @staticmethod
    def _apply_metadata(campaign: Campaign, changes: Mapping[str, Any]) -> None:
        if changes.get("metadata") is not None:
            campaign.metadata.update(copy.deepcopy(changes["metadata"]))
        for key in changes.get("unset_metadata_fields") or ():
            campaign.metadata.pop(key, None)

    @staticmethod
    def _apply_values(campaign: Campaign, changes: Mapping[str, Any]) -> None:
        voucher = campaign.voucher
        for name in ("discount", "gift"):
            if name in changes and voucher is not None:
                voucher[name] = copy.deepcopy(changes[name])
        if "referral_program" in changes:
            campaign.referral_program = copy.deepcopy(changes["referral_program"])
        if "loyalty_tiers_expiration" in changes:
            campaign.loyalty_tiers_expiration = copy.deepcopy(changes["loyalty_tiers_expiration"])

    @transactional
    def set_active(self, ident: str, active: bool) -> Record:
        """Enable or disable a campaign; the vendor answers with an empty object."""
        campaign = self.find(ident)
        campaign.active = active
        campaign.updated_at = self.now()
        self._save(campaign)
        return {}

    @transactional
    def delete_campaign(self, ident: str, force: bool = False) -> Record:
        """Delete through an (immediately completed) async action.

        Without ``force`` the campaign goes to the bin: it is hidden but its name and
        codes stay taken. With ``force`` it and its vouchers are gone for good.
        """
        campaign = self.find(ident)
        if force:
            for code in campaign.voucher_codes:
                self.unit.delete(VOUCHERS, code)
            self.unit.delete(CAMPAIGNS, campaign.id)
            self.unit.delete(NAMES, campaign.name)
        else:
            campaign.in_bin = True
            self._save(campaign)
        return {"async_action_id": "aa_" + secrets.token_hex(9)}


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


def _new_id(prefix: str, length: int) -> str:
    """A random id in the vendor's style (``camp_`` + 24 characters)."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


_ID_ALPHABET = string.ascii_letters + string.digits
