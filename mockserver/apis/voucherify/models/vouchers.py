"""Vouchers: the codes of a campaign, generated, added or imported, and read back.

A voucher stores only what is its own (code, category, metadata, its redemption limit,
dates, the value an import gave it); the rest (type, discount, gift credits, loyalty
points, validity) comes from its campaign's voucher definition when it is rendered, so a
change to the campaign shows on its vouchers. A voucher whose campaign is in the bin is
hidden (404), and its code stays taken; a campaign deleted with ``force`` takes its
vouchers with it.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from mockserver.store import UnitOfWork, transactional

from ..codes import CodeSpec, generate
from ..dates import format_millis, normalize, to_millis
from ..exceptions import DuplicateFound, InvalidPayload, InvalidQueryParams, NotFound
from .async_actions import GENERATE, done
from .base import CAMPAIGNS, MAX_VOUCHERS_PER_REQUEST, VOUCHERS, Record, as_row, new_id, optional
from .campaigns import Campaign, CampaignReads
from .categories import Category, categories_of

#: Properties a voucher may hold for itself (over its campaign's definition).
SETTINGS = ("category_id", "metadata", "redemption", "additional_info", "start_date", "expiration_date", "active")


@dataclass
class Voucher:
    id: str
    code: str
    campaign_id: str
    created_at: int
    active: bool = True
    category_id: str | None = None
    metadata: Record = field(default_factory=dict)
    additional_info: str | None = None
    #: ``{"quantity": n}`` when the voucher has its own limit (else the campaign's applies).
    redemption: Record | None = None
    start_date: str | None = None
    expiration_date: str | None = None
    validity_timeframe: Record | None = None
    validity_day_of_week: list[int] | None = None
    #: The voucher's own value, from an import: a discount, gift credits or loyalty points.
    discount: Record | None = None
    gift: Record | None = None
    loyalty_card: Record | None = None
    #: Times it was redeemed before it was imported (a CSV's ``Redeemed Quantity``).
    redeemed_quantity: int = 0
    updated_at: int | None = None

    def to_dict(self, campaign: Campaign, categories: Mapping[str, Category], *, detail: bool) -> Record:
        definition = campaign.voucher or {}
        category = categories.get(self.category_id) if self.category_id else None
        kind = definition.get("type") or "DISCOUNT_VOUCHER"
        r: Record = {"id": self.id, "code": self.code}
        r["campaign"] = campaign.name
        r["campaign_id"] = campaign.id
        r["category"] = category.name if category else None
        r["category_id"] = self.category_id
        r["categories"] = categories_of(self.category_id, categories)
        r["type"] = kind
        if kind == "DISCOUNT_VOUCHER":
            optional(r, "discount", copy.deepcopy(self.discount or definition.get("discount")))
        r["gift"] = self._gift(definition) if kind == "GIFT_VOUCHER" else None
        r["loyalty_card"] = self._loyalty(definition) if kind == "LOYALTY_CARD" else None
        r["start_date"] = self.start_date or definition.get("start_date")
        r["expiration_date"] = self.expiration_date or definition.get("expiration_date")
        for name in ("validity_timeframe", "validity_day_of_week", "validity_hours"):
            own = getattr(self, name, None)
            inherited = definition.get(name) if name in definition else getattr(campaign, name)
            optional(r, name, copy.deepcopy(own if own is not None else inherited))
        r["active"] = self.active
        r["additional_info"] = self.additional_info
        r["metadata"] = copy.deepcopy(self.metadata)
        r["is_referral_code"] = campaign.is_referral_code
        r["created_at"] = format_millis(self.created_at)
        r["updated_at"] = format_millis(self.updated_at) if self.updated_at is not None else None
        if detail:
            r["validation_rules_assignments"] = {"object": "list", "data_ref": "data", "data": [], "total": 0}
        own = self.redemption if self.redemption is not None else definition.get("redemption") or {}
        path = quote(self.code, safe="")
        r["redemption"] = {
            "quantity": own.get("quantity"),
            "redeemed_quantity": self.redeemed_quantity,
            "object": "list",
            "url": f"/v1/vouchers/{path}/redemptions?page=1&limit=10",
        }
        r["publish"] = {
            "object": "list",
            "count": 0,
            "url": f"/v1/vouchers/{path}/publications?page=1&limit=10",
        }
        r["object"] = "voucher"
        return r

    def _gift(self, definition: Record) -> Record:
        gift = definition.get("gift") or {}
        own = self.gift or {}
        amount = own.get("amount", gift.get("amount")) or 0
        record: Record = {"amount": amount, "balance": own.get("balance", amount)}
        optional(record, "effect", gift.get("effect"))
        return record

    def _loyalty(self, definition: Record) -> Record:
        card = definition.get("loyalty_card") or {}
        own = self.loyalty_card or {}
        points = own.get("points", card.get("points")) or 0
        return {"points": points, "balance": own.get("balance", points)}


class TakenCodes:
    """The voucher codes already issued, as :func:`.codes.generate` asks for them."""

    def __init__(self, unit: UnitOfWork) -> None:
        self.unit = unit

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.unit.get(VOUCHERS, code) is not None

    def __len__(self) -> int:
        return self.unit.count(VOUCHERS)


class VoucherRules(CampaignReads):
    # -- storage ---------------------------------------------------------------------------

    def vouchers_of(self, campaign_id: str) -> list[Voucher]:
        return [Voucher(**row) for row in self.rows(VOUCHERS) if row["campaign_id"] == campaign_id]

    def voucher_settings(self, body: Mapping[str, Any]) -> Record:
        """What a request gives a voucher of its own (category resolved, dates normalised)."""
        settings: Record = {}
        if body.get("category_id") is not None or body.get("category") is not None:
            settings["category_id"] = self.category_for(body)
        for name in ("metadata", "redemption", "additional_info", "active"):
            if body.get(name) is not None:
                settings[name] = copy.deepcopy(body[name])
        for name in ("start_date", "expiration_date"):
            if isinstance(body.get(name), str):
                settings[name] = normalize(body[name])
        return settings

    def new_voucher(self, campaign: Campaign, code: str, settings: Mapping[str, Any], now: int) -> Voucher:
        """Store a voucher with ``code`` in ``campaign`` (which the caller saves)."""
        if self.unit.get(VOUCHERS, code) is not None:
            raise DuplicateFound(
                f"Voucher with code: {code} already exists", resource_id=code, resource_type="voucher"
            )
        voucher = Voucher(id=new_id("v_", 32), code=code, campaign_id=campaign.id, created_at=now)
        for name, value in settings.items():
            setattr(voucher, name, copy.deepcopy(value))
        self.unit.add(VOUCHERS, code, as_row(voucher))
        campaign.vouchers_count += 1
        return voucher

    def issue(
        self,
        campaign: Campaign,
        count: int,
        settings: Mapping[str, Any],
        spec: CodeSpec | None = None,
        *,
        at: int | None = None,
    ) -> list[Voucher]:
        """Up to ``count`` vouchers with codes generated from ``spec`` (the campaign's own
        ``code_config`` by default), created ``at`` (now by default); fewer when the code
        space runs out."""
        spec = spec or CodeSpec.from_config((campaign.voucher or {}).get("code_config"))
        now = self.now() if at is None else at
        codes = generate(spec, count, TakenCodes(self.unit))
        return [self.new_voucher(campaign, code, settings, now) for code in codes]

    def render_voucher(self, voucher: Voucher, campaign: Campaign, *, detail: bool = True) -> Record:
        return voucher.to_dict(campaign, self.category_map(), detail=detail)

    def forget_vouchers(self, campaign: Campaign) -> int:
        """Remove the campaign's vouchers for good (their codes are free again)."""
        vouchers = self.vouchers_of(campaign.id)
        for voucher in vouchers:
            self.unit.delete(VOUCHERS, voucher.code)
        return len(vouchers)

    def voucher_campaign(self, ident: str) -> Campaign:
        campaign = self.find(ident)
        if not campaign.has_vouchers:
            raise InvalidPayload(
                f"Campaign {campaign.name} is a PROMOTION campaign: it has promotion tiers, not vouchers."
            )
        return campaign

    # -- operations ------------------------------------------------------------------------

    @transactional
    def add_vouchers(self, ident: str, count: int | None, body: Record) -> tuple[Record, int]:
        """One voucher (200, the voucher) or several (202, their async action)."""
        campaign = self.voucher_campaign(ident)
        count = 1 if count is None else count
        if count > MAX_VOUCHERS_PER_REQUEST:
            raise InvalidQueryParams(
                f"vouchers_count: must be <= {MAX_VOUCHERS_PER_REQUEST} (actual value is {count})"
            )
        code = body.get("code")
        if code is not None and count != 1:
            raise InvalidPayload("code: can only be given when adding a single voucher (vouchers_count 1).")
        settings = self.voucher_settings(body)
        spec = CodeSpec.from_config(body["code_config"]) if body.get("code_config") else None
        if count == 1:
            if code is not None:
                voucher = self.new_voucher(campaign, code, settings, self.now())
            else:
                issued = self.issue(campaign, 1, settings, spec)
                if not issued:
                    raise InvalidPayload("code_config: no unique code is left to generate.")
                voucher = issued[0]
            self.save(campaign)
            return self.render_voucher(voucher, campaign), 200
        issued = self.issue(campaign, count, settings, spec)
        self.save(campaign)
        action = self.record_action(GENERATE, done(f"Generated {len(issued)} vouchers.", len(issued)))
        return {"async_action_id": action}, 202

    @transactional
    def add_voucher_with_code(self, ident: str, code: str, body: Record) -> Record:
        campaign = self.voucher_campaign(ident)
        voucher = self.new_voucher(campaign, code, self.voucher_settings(body), self.now())
        self.save(campaign)
        return self.render_voucher(voucher, campaign)

    @transactional
    def get_voucher(self, code: str) -> Record:
        row = self.unit.get(VOUCHERS, code)
        campaign = self.campaign_by_id(row["campaign_id"]) if row is not None else None
        if row is None or campaign is None or campaign.in_bin:
            raise NotFound("voucher", code)
        return self.render_voucher(Voucher(**row), campaign)

    @transactional
    def list_vouchers(
        self,
        *,
        limit: int = 10,
        page: int = 1,
        order: str | None = None,
        campaign: str | None = None,
        campaign_id: str | None = None,
        category: str | None = None,
        customer: str | None = None,
        code: str | None = None,
        ids: list[str] | None = None,
        created_at: Mapping[str, str] | None = None,
        updated_at: Mapping[str, str] | None = None,
    ) -> Record:
        """One page of the vouchers of live campaigns matching every criterion."""
        campaigns = {c.id: c for c in map(Campaign.from_row, self.rows(CAMPAIGNS)) if not c.in_bin}
        if campaign is not None:
            campaigns = {k: c for k, c in campaigns.items() if campaign in (c.name, c.id)}
        if campaign_id is not None:
            campaigns = {k: c for k, c in campaigns.items() if c.id == campaign_id}
        categories = self.category_map()
        created = _interval(created_at, "created_at")
        updated = _interval(updated_at, "updated_at")
        selected = [
            v
            for v in map(lambda row: Voucher(**row), self.rows(VOUCHERS))
            if v.campaign_id in campaigns
            and customer is None  # the mock's vouchers have no holder
            and (code is None or v.code == code)
            and (not ids or v.id in ids)
            and (category is None or _in_category(v, category, categories))
            and created(v.created_at)
            and updated(v.updated_at)
        ]
        window = self.page(_ordered(selected, order or "-created_at"), limit, page)
        return {
            "object": "list",
            "data_ref": "vouchers",
            "vouchers": [v.to_dict(campaigns[v.campaign_id], categories, detail=False) for v in window],
            "total": len(selected),
        }


def _in_category(voucher: Voucher, wanted: str, categories: Mapping[str, Category]) -> bool:
    if voucher.category_id is None:
        return False
    category = categories.get(voucher.category_id)
    return wanted == voucher.category_id or (category is not None and category.name == wanted)


def _interval(bounds: Mapping[str, str] | None, name: str) -> Any:
    """A test of an instant against ``{"before": ..., "after": ...}`` (ISO 8601 or dates)."""
    before = _instant(bounds, "before", name)
    after = _instant(bounds, "after", name)

    def inside(moment: int | None) -> bool:
        if before is None and after is None:
            return True
        if moment is None:
            return False
        return (before is None or moment < before) and (after is None or moment > after)

    return inside


def _instant(bounds: Mapping[str, str] | None, key: str, name: str) -> int | None:
    text = (bounds or {}).get(key)
    if text is None:
        return None
    millis = to_millis(text if "T" in text or " " in text else f"{text}T00:00:00Z")
    if millis is None:
        raise InvalidQueryParams(
            f"Invalid query parameter {name}[{key}]: expected an ISO 8601 date or date-time "
            f"(actual value is '{text}')."
        )
    return millis


def _ordered(vouchers: list[Voucher], order: str) -> list[Voucher]:
    descending = order.startswith("-")
    field_name = order.lstrip("-")

    def key(voucher: Voucher) -> Any:
        if field_name == "code":
            return voucher.code
        if field_name == "updated_at" and voucher.updated_at is not None:
            return voucher.updated_at
        return voucher.created_at

    ordered = list(reversed(vouchers)) if descending else vouchers
    return sorted(ordered, key=key, reverse=descending)
