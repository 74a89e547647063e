"""VINR's domain: campaigns, offers, coupons, redemptions and events, with their rules.

Every public method of :class:`VinrBackend` takes the store's lock for its whole
read-modify-write, first lets the clock's progress emit any due ``*.ended``
events, then applies one rule set. Entities render themselves with
``to_dict(now)`` because ``active``, ``status`` and ``valid`` depend on the
mock's clock.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from mockserver.clock import Clock
from mockserver.exceptions import ConfigurationError
from mockserver.store import CursorNotFound, Store, Table, paginate

from .exceptions import (
    InvalidRequest,
    RedemptionRejected,
    ResourceExists,
    ResourceMissing,
    VinrError,
)

Record = dict[str, Any]


# -- entities -------------------------------------------------------------------------------


@dataclass
class Campaign:
    id: str
    name: str
    type: str
    starts_at: int
    ends_at: int
    enabled: bool
    created: int
    redemption_count: int = 0
    metadata: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    ended_notified: bool = False

    def status(self, now: int) -> str:
        if now >= self.ends_at:
            return "ended"
        if now < self.starts_at:
            return "scheduled"
        return "running" if self.enabled else "deactivated"

    def to_dict(self, now: int) -> Record:
        status = self.status(now)
        return {
            "id": self.id,
            "object": "campaign",
            "name": self.name,
            "type": self.type,
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "active": status == "running",
            "status": status,
            "redemption_count": self.redemption_count,
            "metadata": dict(self.metadata),
            "created": self.created,
        }

    @classmethod
    def from_record(cls, record: Record) -> Campaign:
        return cls(
            id=record["id"],
            name=record["name"],
            type=record["type"],
            starts_at=record["starts_at"],
            ends_at=record["ends_at"],
            enabled=record["status"] != "deactivated",
            created=record["created"],
            redemption_count=record["redemption_count"],
            metadata=dict(record.get("metadata", {})),
        )


@dataclass
class Offer:
    id: str
    name: str
    type: str
    value: int | None
    currency: str | None
    criteria: Record
    campaign: str | None
    enabled: bool
    starts_at: int
    ends_at: int | None
    created: int
    metadata: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    ended_notified: bool = False

    def is_active(self, now: int) -> bool:
        return (
            self.enabled
            and now >= self.starts_at
            and (self.ends_at is None or now < self.ends_at)
        )

    def to_dict(self, now: int) -> Record:
        return {
            "id": self.id,
            "object": "offer",
            "name": self.name,
            "type": self.type,
            "value": self.value,
            "currency": self.currency,
            "criteria": {
                "minimum_amount": self.criteria.get("minimum_amount"),
                "product_ids": list(self.criteria.get("product_ids", [])),
                "minimum_quantity": self.criteria.get("minimum_quantity"),
            },
            "campaign": self.campaign,
            "active": self.is_active(now),
            "starts_at": self.starts_at,
            "ends_at": self.ends_at,
            "metadata": dict(self.metadata),
            "created": self.created,
        }

    @classmethod
    def from_record(cls, record: Record, now: int) -> Offer:
        window_open = record["starts_at"] <= now and (
            record["ends_at"] is None or now < record["ends_at"]
        )
        return cls(
            id=record["id"],
            name=record["name"],
            type=record["type"],
            value=record["value"],
            currency=record["currency"],
            criteria=dict(record["criteria"]),
            campaign=record["campaign"],
            # An offer inside its window but shown inactive was switched off by hand.
            enabled=record["active"] or not window_open,
            starts_at=record["starts_at"],
            ends_at=record["ends_at"],
            created=record["created"],
            metadata=dict(record.get("metadata", {})),
        )


@dataclass
class Coupon:
    id: str
    code: str
    campaign: str
    percent_off: float | None
    amount_off: int | None
    currency: str | None
    max_redemptions: int | None
    created: int
    times_redeemed: int = 0
    metadata: dict[str, str] = field(default_factory=dict)

    def exhausted(self) -> bool:
        return self.max_redemptions is not None and self.times_redeemed >= self.max_redemptions

    def to_dict(self, now: int, campaign: Campaign | None) -> Record:
        valid = (
            campaign is not None
            and not campaign.deleted
            and campaign.status(now) == "running"
            and not self.exhausted()
        )
        return {
            "id": self.id,
            "object": "coupon",
            "code": self.code,
            "campaign": self.campaign,
            "percent_off": self.percent_off,
            "amount_off": self.amount_off,
            "currency": self.currency,
            "max_redemptions": self.max_redemptions,
            "times_redeemed": self.times_redeemed,
            "valid": valid,
            "metadata": dict(self.metadata),
            "created": self.created,
        }

    @classmethod
    def from_record(cls, record: Record) -> Coupon:
        return cls(
            id=record["id"],
            code=record["code"],
            campaign=record["campaign"],
            percent_off=record["percent_off"],
            amount_off=record["amount_off"],
            currency=record["currency"],
            max_redemptions=record["max_redemptions"],
            created=record["created"],
            times_redeemed=record["times_redeemed"],
            metadata=dict(record.get("metadata", {})),
        )


# -- discount rules -------------------------------------------------------------------------


def coupon_discount(coupon: Coupon, order: Record) -> int:
    if coupon.percent_off is not None:
        return int(order["amount"] * coupon.percent_off // 100)
    return min(coupon.amount_off or 0, int(order["amount"]))


def offer_discount(offer: Offer, order: Record) -> int:
    if offer.type == "fixed_discount":
        return min(offer.value or 0, int(order["amount"]))
    if offer.type == "free_shipping":
        return min(offer.value or 0, int(order["shipping"]))
    products = set(offer.criteria.get("product_ids") or [])
    free = sum(
        (item["quantity"] // 2) * item["unit_amount"]
        for item in order["items"]
        if not products or item["product_id"] in products
    )
    return min(int(free), int(order["amount"]))


def unmet_criteria(offer: Offer, order: Record) -> tuple[str, str] | None:
    """``(param, reason)`` for the first criterion the order misses, else ``None``."""
    criteria = offer.criteria
    minimum = criteria.get("minimum_amount")
    if minimum is not None and order["amount"] < minimum:
        return "order.amount", f"the order amount must be at least {minimum}"
    min_quantity = criteria.get("minimum_quantity")
    quantity = sum(item["quantity"] for item in order["items"])
    if min_quantity is not None and quantity < min_quantity:
        return "order.items", f"the order must contain at least {min_quantity} items"
    products = set(criteria.get("product_ids") or [])
    if products and not any(item["product_id"] in products for item in order["items"]):
        return "order.items", "the order contains none of the offer's products"
    if offer.type == "bogo" and offer_discount(offer, order) == 0:
        return "order.items", "no product is bought in a quantity of two or more"
    return None


# -- the backend ----------------------------------------------------------------------------


class VinrBackend:
    """All VINR state (through a :class:`Store`) and every rule."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        #: Path prefix the API is served under, for the ``url`` of list objects.
        self.url_prefix = ""
        self._endings: list[tuple[int, str, str]] = []

    # tables
    @property
    def campaigns(self) -> Table[Campaign]:
        return cast("Table[Campaign]", self.store.table("campaigns"))

    @property
    def offers(self) -> Table[Offer]:
        return cast("Table[Offer]", self.store.table("offers"))

    @property
    def coupons(self) -> Table[Coupon]:
        return cast("Table[Coupon]", self.store.table("coupons"))

    @property
    def redemptions(self) -> Table[Record]:
        return cast("Table[Record]", self.store.table("redemptions"))

    @property
    def events(self) -> Table[Record]:
        return cast("Table[Record]", self.store.table("events"))

    def now(self) -> int:
        return self.clock.timestamp()

    # -- loading ----------------------------------------------------------------------------

    def clear(self) -> None:
        self._endings.clear()

    def load(self, records: Mapping[str, list[Record]]) -> None:
        now = self.now()
        for record in records.get("campaigns", []):
            campaign = Campaign.from_record(record)
            campaign.ended_notified = campaign.ends_at <= now
            self._insert(self.campaigns, campaign.id, campaign)
            self._schedule_end(campaign.ends_at, "campaign", campaign.id)
        for record in records.get("offers", []):
            offer = Offer.from_record(record, now)
            offer.ended_notified = offer.ends_at is not None and offer.ends_at <= now
            self._check_reference(offer.campaign, "offer", offer.id, "offer", required=False)
            self._insert(self.offers, offer.id, offer)
            if offer.ends_at is not None:
                self._schedule_end(offer.ends_at, "offer", offer.id)
        codes: set[str] = set()
        for record in records.get("coupons", []):
            coupon = Coupon.from_record(record)
            self._check_reference(coupon.campaign, "coupon", coupon.id, "coupon", required=True)
            if coupon.code.lower() in codes:
                raise ConfigurationError(f"coupons: code {coupon.code!r} appears twice")
            codes.add(coupon.code.lower())
            self._insert(self.coupons, coupon.id, coupon)
        for record in records.get("redemptions", []):
            self._insert(self.redemptions, record["id"], dict(record))
        for record in records.get("events", []):
            self._insert(self.events, record["id"], dict(record))
        self._check_counters()

    def _insert(self, table: Any, key: str, row: Any) -> None:
        if key in table:
            raise ConfigurationError(f"fixture id {key!r} appears twice")
        self.store.reserve_id(key)
        table.put(key, row)

    def _check_reference(
        self, campaign_id: str | None, kind: str, ident: str, campaign_type: str, *, required: bool
    ) -> None:
        if campaign_id is None:
            if required:
                raise ConfigurationError(f"{kind} {ident} has no campaign")
            return
        campaign = self.campaigns.get(campaign_id)
        if campaign is None:
            raise ConfigurationError(f"{kind} {ident} names unknown campaign {campaign_id}")
        if campaign.type != campaign_type:
            raise ConfigurationError(
                f"{kind} {ident} belongs to campaign {campaign_id} of type {campaign.type}, "
                f"expected {campaign_type}"
            )

    def _check_counters(self) -> None:
        by_campaign: dict[str, int] = {}
        by_coupon: dict[str, int] = {}
        for redemption in self.redemptions:
            if redemption["campaign"]:
                by_campaign[redemption["campaign"]] = by_campaign.get(redemption["campaign"], 0) + 1
            if redemption["coupon"]:
                by_coupon[redemption["coupon"]] = by_coupon.get(redemption["coupon"], 0) + 1
        for campaign in self.campaigns:
            expected = by_campaign.get(campaign.id, 0)
            if campaign.redemption_count != expected:
                raise ConfigurationError(
                    f"campaign {campaign.id} says redemption_count={campaign.redemption_count} "
                    f"but the fixtures hold {expected} redemptions for it"
                )
        for coupon in self.coupons:
            expected = by_coupon.get(coupon.id, 0)
            if coupon.times_redeemed != expected:
                raise ConfigurationError(
                    f"coupon {coupon.id} says times_redeemed={coupon.times_redeemed} "
                    f"but the fixtures hold {expected} redemptions of it"
                )

    # -- time -------------------------------------------------------------------------------

    def _schedule_end(self, at: int, kind: str, ident: str) -> None:
        heapq.heappush(self._endings, (at, kind, ident))

    def _tick(self) -> int:
        """Emit ``*.ended`` for everything whose end has passed; return the time."""
        now = self.now()
        while self._endings and self._endings[0][0] <= now:
            at, kind, ident = heapq.heappop(self._endings)
            if kind == "campaign":
                campaign = self.campaigns.get(ident)
                if campaign and not campaign.ended_notified and campaign.ends_at == at:
                    campaign.ended_notified = True
                    self._emit("campaign.ended", campaign.to_dict(now), at=max(at, campaign.created))
            else:
                offer = self.offers.get(ident)
                if offer and not offer.ended_notified and offer.ends_at == at:
                    offer.ended_notified = True
                    self._emit("offer.ended", offer.to_dict(now), at=max(at, offer.created))
        return now

    # -- events -----------------------------------------------------------------------------

    def _emit(
        self,
        type_: str,
        snapshot: Record,
        *,
        previous: Record | None = None,
        at: int | None = None,
    ) -> None:
        event_id = self.store.new_id("evt_")
        self.events.put(
            event_id,
            {
                "id": event_id,
                "object": "event",
                "type": type_,
                "created": self.now() if at is None else at,
                "data": {"object": snapshot, "previous_attributes": previous},
            },
        )

    def _emit_update(self, type_: str, before: Record, after: Record) -> None:
        previous = {k: v for k, v in before.items() if after.get(k) != v}
        if previous:
            self._emit(type_, after, previous=previous)

    # -- listing ----------------------------------------------------------------------------

    def _list(
        self,
        table: Any,
        rows: list[Any],
        render: Callable[[Any], Record],
        url: str,
        *,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        def key(row: Any) -> str:
            return str(row["id"] if isinstance(row, dict) else row.id)

        def created(row: Any) -> int:
            return int(row["created"] if isinstance(row, dict) else row.created)

        ordered = sorted(rows, key=lambda r: (created(r), table.sequence(key(r))), reverse=True)
        try:
            page = paginate(
                ordered,
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
                key=key,
            )
        except CursorNotFound as exc:
            raise InvalidRequest(
                f"No such object in this list: '{exc.cursor}'",
                param=exc.param,
                code="resource_missing",
            ) from None
        return {
            "object": "list",
            "data": [render(row) for row in page.items],
            "has_more": page.has_more,
            "url": self.url_prefix + url,
        }

    # -- campaigns --------------------------------------------------------------------------

    def _campaign(self, ident: str) -> Campaign:
        campaign = self.campaigns.get(ident)
        if campaign is None or campaign.deleted:
            raise ResourceMissing("campaign", ident)
        return campaign

    def create_campaign(self, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            starts_at = params.get("starts_at", now)
            ends_at = params["ends_at"]
            if ends_at <= starts_at:
                raise InvalidRequest(
                    "ends_at must be after starts_at.", param="ends_at"
                )
            campaign = Campaign(
                id=self.store.new_id("cmp_"),
                name=params["name"],
                type=params["type"],
                starts_at=starts_at,
                ends_at=ends_at,
                enabled=params.get("active", True),
                created=now,
                metadata=dict(params.get("metadata") or {}),
            )
            self.campaigns.put(campaign.id, campaign)
            self._schedule_end(campaign.ends_at, "campaign", campaign.id)
            snapshot = campaign.to_dict(now)
            self._emit("campaign.created", snapshot)
            self._tick()
            return snapshot

    def retrieve_campaign(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            return self._campaign(ident).to_dict(now)

    def update_campaign(self, ident: str, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            campaign = self._campaign(ident)
            before = campaign.to_dict(now)
            if "ends_at" in params:
                if params["ends_at"] <= campaign.starts_at:
                    raise InvalidRequest(
                        f"ends_at must be after starts_at ({campaign.starts_at}).", param="ends_at"
                    )
                campaign.ends_at = params["ends_at"]
                campaign.ended_notified = campaign.ends_at <= now and campaign.ended_notified
                self._schedule_end(campaign.ends_at, "campaign", campaign.id)
            if "name" in params:
                campaign.name = params["name"]
            if "active" in params:
                campaign.enabled = params["active"]
            if "metadata" in params:
                campaign.metadata = _merge_metadata(campaign.metadata, params["metadata"])
            after = campaign.to_dict(now)
            self._emit_update("campaign.updated", before, after)
            self._tick()
            return campaign.to_dict(self.now())

    def delete_campaign(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            campaign = self._campaign(ident)
            campaign.deleted = True
            self._emit("campaign.deleted", campaign.to_dict(now))
            return {"id": campaign.id, "object": "campaign", "deleted": True}

    def list_campaigns(
        self, *, active: bool | None, limit: int, starting_after: str | None, ending_before: str | None
    ) -> Record:
        with self.store.lock:
            now = self._tick()
            rows = [c for c in self.campaigns if not c.deleted]
            if active is not None:
                rows = [c for c in rows if (c.status(now) == "running") == active]
            return self._list(
                self.campaigns,
                rows,
                lambda c: c.to_dict(now),
                "/v1/campaigns",
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
            )

    # -- offers -----------------------------------------------------------------------------

    def _offer(self, ident: str, param: str | None = None) -> Offer:
        offer = self.offers.get(ident)
        if offer is None or offer.deleted:
            raise ResourceMissing("offer", ident, param=param)
        return offer

    def _campaign_param(self, ident: str, expected_type: str) -> Campaign:
        campaign = self.campaigns.get(ident)
        if campaign is None or campaign.deleted:
            raise ResourceMissing("campaign", ident, param="campaign")
        if campaign.type != expected_type:
            raise InvalidRequest(
                f"Campaign '{ident}' is a {campaign.type} campaign; "
                f"a {expected_type} campaign is required.",
                param="campaign",
            )
        return campaign

    def create_offer(self, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            type_ = params["type"]
            value = params.get("value")
            currency = params.get("currency")
            if type_ == "bogo":
                if value is not None:
                    raise InvalidRequest("value must be null for a bogo offer.", param="value")
                if currency is not None:
                    raise InvalidRequest("currency must be null for a bogo offer.", param="currency")
            else:
                if value is None:
                    raise InvalidRequest(
                        f"value is required for a {type_} offer.", param="value", code="parameter_missing"
                    )
                if currency is None:
                    raise InvalidRequest(
                        f"currency is required for a {type_} offer.",
                        param="currency",
                        code="parameter_missing",
                    )
            campaign = params.get("campaign")
            if campaign is not None:
                self._campaign_param(campaign, "offer")
            starts_at = params.get("starts_at", now)
            ends_at = params.get("ends_at")
            if ends_at is not None and ends_at <= starts_at:
                raise InvalidRequest("ends_at must be after starts_at.", param="ends_at")
            criteria = dict(params.get("criteria") or {})
            offer = Offer(
                id=self.store.new_id("ofr_"),
                name=params["name"],
                type=type_,
                value=value,
                currency=currency,
                criteria={
                    "minimum_amount": criteria.get("minimum_amount"),
                    "product_ids": list(criteria.get("product_ids") or []),
                    "minimum_quantity": criteria.get("minimum_quantity"),
                },
                campaign=campaign,
                enabled=params.get("active", True),
                starts_at=starts_at,
                ends_at=ends_at,
                created=now,
                metadata=dict(params.get("metadata") or {}),
            )
            self.offers.put(offer.id, offer)
            if ends_at is not None:
                self._schedule_end(ends_at, "offer", offer.id)
            snapshot = offer.to_dict(now)
            self._emit("offer.created", snapshot)
            self._tick()
            return snapshot

    def retrieve_offer(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            return self._offer(ident).to_dict(now)

    def update_offer(self, ident: str, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            offer = self._offer(ident)
            before = offer.to_dict(now)
            if "ends_at" in params:
                ends_at = params["ends_at"]
                if ends_at is not None and ends_at <= offer.starts_at:
                    raise InvalidRequest(
                        f"ends_at must be after starts_at ({offer.starts_at}).", param="ends_at"
                    )
                offer.ends_at = ends_at
                offer.ended_notified = ends_at is not None and ends_at <= now and offer.ended_notified
                if ends_at is not None:
                    self._schedule_end(ends_at, "offer", offer.id)
            if "active" in params:
                offer.enabled = params["active"]
            if "metadata" in params:
                offer.metadata = _merge_metadata(offer.metadata, params["metadata"])
            self._emit_update("offer.updated", before, offer.to_dict(now))
            self._tick()
            return offer.to_dict(self.now())

    def delete_offer(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            offer = self._offer(ident)
            offer.deleted = True
            self._emit("offer.deleted", offer.to_dict(now))
            return {"id": offer.id, "object": "offer", "deleted": True}

    def list_offers(
        self,
        *,
        active: bool | None,
        campaign: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        with self.store.lock:
            now = self._tick()
            rows = [o for o in self.offers if not o.deleted]
            if active is not None:
                rows = [o for o in rows if o.is_active(now) == active]
            if campaign is not None:
                rows = [o for o in rows if o.campaign == campaign]
            return self._list(
                self.offers,
                rows,
                lambda o: o.to_dict(now),
                "/v1/offers",
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
            )

    # -- coupons ----------------------------------------------------------------------------

    def _coupon(self, ident: str) -> Coupon:
        coupon = self.coupons.get(ident)
        if coupon is None:
            raise ResourceMissing("coupon", ident)
        return coupon

    def _render_coupon(self, coupon: Coupon, now: int) -> Record:
        return coupon.to_dict(now, self.campaigns.get(coupon.campaign))

    def create_coupon(self, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            code = params["code"]
            if any(c.code.lower() == code.lower() for c in self.coupons):
                raise ResourceExists(f"A coupon with code '{code}' already exists.", param="code")
            self._campaign_param(params["campaign"], "coupon")
            percent_off = params.get("percent_off")
            amount_off = params.get("amount_off")
            currency = params.get("currency")
            if (percent_off is None) == (amount_off is None):
                raise InvalidRequest(
                    "Specify exactly one of percent_off or amount_off.",
                    param="percent_off" if percent_off is None else "amount_off",
                    code="parameter_missing" if percent_off is None else "parameter_invalid",
                )
            if amount_off is not None and currency is None:
                raise InvalidRequest(
                    "currency is required with amount_off.", param="currency", code="parameter_missing"
                )
            if percent_off is not None and currency is not None:
                raise InvalidRequest(
                    "currency can only be set together with amount_off.", param="currency"
                )
            coupon = Coupon(
                id=self.store.new_id("cpn_"),
                code=code,
                campaign=params["campaign"],
                percent_off=percent_off,
                amount_off=amount_off,
                currency=currency,
                max_redemptions=params.get("max_redemptions"),
                created=now,
                metadata=dict(params.get("metadata") or {}),
            )
            self.coupons.put(coupon.id, coupon)
            snapshot = self._render_coupon(coupon, now)
            self._emit("coupon.created", snapshot)
            return snapshot

    def retrieve_coupon(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            return self._render_coupon(self._coupon(ident), now)

    def update_coupon(self, ident: str, params: Record) -> Record:
        with self.store.lock:
            now = self._tick()
            coupon = self._coupon(ident)
            before = self._render_coupon(coupon, now)
            if "max_redemptions" in params:
                maximum = params["max_redemptions"]
                if maximum is not None and maximum < coupon.times_redeemed:
                    raise InvalidRequest(
                        f"max_redemptions cannot be lower than times_redeemed "
                        f"({coupon.times_redeemed}).",
                        param="max_redemptions",
                    )
                coupon.max_redemptions = maximum
            if "metadata" in params:
                coupon.metadata = _merge_metadata(coupon.metadata, params["metadata"])
            after = self._render_coupon(coupon, now)
            self._emit_update("coupon.updated", before, after)
            return after

    def delete_coupon(self, ident: str) -> Record:
        with self.store.lock:
            now = self._tick()
            coupon = self._coupon(ident)
            self.coupons.pop(ident)
            self._emit("coupon.deleted", self._render_coupon(coupon, now))
            return {"id": coupon.id, "object": "coupon", "deleted": True}

    def list_coupons(
        self,
        *,
        campaign: str | None,
        code: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        with self.store.lock:
            now = self._tick()
            rows = list(self.coupons)
            if campaign is not None:
                rows = [c for c in rows if c.campaign == campaign]
            if code is not None:
                rows = [c for c in rows if c.code.lower() == code.lower()]
            return self._list(
                self.coupons,
                rows,
                lambda c: self._render_coupon(c, now),
                "/v1/coupons",
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
            )

    # -- redemptions ------------------------------------------------------------------------

    def _check_campaign_open(self, campaign_id: str, now: int) -> Campaign:
        campaign = self.campaigns.get(campaign_id)
        if campaign is None or campaign.deleted:
            raise RedemptionRejected(
                f"Campaign '{campaign_id}' has been deleted; no new redemptions can be recorded.",
                param="campaign",
                code="campaign_deleted",
            )
        status = campaign.status(now)
        if status == "scheduled":
            raise RedemptionRejected(
                f"Campaign '{campaign_id}' starts at {campaign.starts_at}.",
                param="campaign",
                code="campaign_not_started",
            )
        if status == "ended":
            raise RedemptionRejected(
                f"Campaign '{campaign_id}' ended at {campaign.ends_at}.",
                param="campaign",
                code="campaign_ended",
            )
        if status == "deactivated":
            raise RedemptionRejected(
                f"Campaign '{campaign_id}' has been deactivated.",
                param="campaign",
                code="campaign_inactive",
            )
        return campaign

    def create_redemption(self, params: Record) -> Record:
        order = {
            "amount": params["order"]["amount"],
            "currency": params["order"]["currency"],
            "shipping": params["order"].get("shipping", 0),
            "items": [dict(item) for item in params["order"].get("items", [])],
        }
        code = params.get("coupon")
        offer_id = params.get("offer")
        if code is not None and offer_id is not None:
            raise InvalidRequest("Specify either coupon or offer, not both.", param="offer")
        if code is None and offer_id is None:
            raise InvalidRequest(
                "Specify a coupon code or an offer id.", param="coupon", code="parameter_missing"
            )
        with self.store.lock:
            now = self._tick()
            if code is not None:
                return self._redeem_coupon(code, order, params, now)
            return self._redeem_offer(str(offer_id), order, params, now)

    def _redeem_coupon(self, code: str, order: Record, params: Record, now: int) -> Record:
        coupon = next((c for c in self.coupons if c.code.lower() == code.lower()), None)
        if coupon is None:
            raise ResourceMissing("coupon", code, param="coupon")
        campaign = self._check_campaign_open(coupon.campaign, now)
        if coupon.exhausted():
            raise RedemptionRejected(
                f"Coupon '{coupon.code}' has reached its max_redemptions "
                f"({coupon.max_redemptions}).",
                param="coupon",
                code="coupon_exhausted",
            )
        if coupon.currency is not None and coupon.currency != order["currency"]:
            raise RedemptionRejected(
                f"Coupon '{coupon.code}' is in {coupon.currency}; the order is in "
                f"{order['currency']}.",
                param="order.currency",
                code="currency_mismatch",
            )
        discount = coupon_discount(coupon, order)
        coupon.times_redeemed += 1
        campaign.redemption_count += 1
        redemption = self._record_redemption(
            order, discount, params, now, coupon=coupon.id, campaign=campaign.id
        )
        if coupon.exhausted():
            self._emit("coupon.ended", self._render_coupon(coupon, now))
        return redemption

    def _redeem_offer(self, offer_id: str, order: Record, params: Record, now: int) -> Record:
        offer = self._offer(offer_id, param="offer")
        if not offer.enabled:
            raise RedemptionRejected(
                f"Offer '{offer.id}' has been deactivated.", param="offer", code="offer_inactive"
            )
        if now < offer.starts_at:
            raise RedemptionRejected(
                f"Offer '{offer.id}' starts at {offer.starts_at}.",
                param="offer",
                code="offer_not_started",
            )
        if offer.ends_at is not None and now >= offer.ends_at:
            raise RedemptionRejected(
                f"Offer '{offer.id}' ended at {offer.ends_at}.", param="offer", code="offer_ended"
            )
        campaign = self._check_campaign_open(offer.campaign, now) if offer.campaign else None
        if offer.currency is not None and offer.currency != order["currency"]:
            raise RedemptionRejected(
                f"Offer '{offer.id}' is in {offer.currency}; the order is in {order['currency']}.",
                param="order.currency",
                code="currency_mismatch",
            )
        unmet = unmet_criteria(offer, order)
        if unmet is not None:
            param, reason = unmet
            raise RedemptionRejected(
                f"The order does not meet the criteria of offer '{offer.id}': {reason}.",
                param=param,
                code="criteria_not_met",
            )
        discount = offer_discount(offer, order)
        if campaign is not None:
            campaign.redemption_count += 1
        return self._record_redemption(
            order, discount, params, now, offer=offer.id, campaign=offer.campaign
        )

    def _record_redemption(
        self,
        order: Record,
        discount: int,
        params: Record,
        now: int,
        *,
        coupon: str | None = None,
        offer: str | None = None,
        campaign: str | None = None,
    ) -> Record:
        redemption = {
            "id": self.store.new_id("red_"),
            "object": "redemption",
            "coupon": coupon,
            "offer": offer,
            "campaign": campaign,
            "order": order,
            "amount_discounted": discount,
            "amount_total": max(0, order["amount"] + order["shipping"] - discount),
            "metadata": dict(params.get("metadata") or {}),
            "created": now,
        }
        self.redemptions.put(redemption["id"], redemption)
        self._emit("redemption.created", redemption)
        return dict(redemption)

    def retrieve_redemption(self, ident: str) -> Record:
        with self.store.lock:
            self._tick()
            redemption = self.redemptions.get(ident)
            if redemption is None:
                raise ResourceMissing("redemption", ident)
            return dict(redemption)

    def list_redemptions(
        self,
        *,
        coupon: str | None,
        offer: str | None,
        campaign: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        with self.store.lock:
            self._tick()
            rows = list(self.redemptions)
            for name, value in (("coupon", coupon), ("offer", offer), ("campaign", campaign)):
                if value is not None:
                    rows = [r for r in rows if r[name] == value]
            return self._list(
                self.redemptions,
                rows,
                dict,
                "/v1/redemptions",
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
            )

    # -- events -----------------------------------------------------------------------------

    def retrieve_event(self, ident: str) -> Record:
        with self.store.lock:
            self._tick()
            event = self.events.get(ident)
            if event is None:
                raise ResourceMissing("event", ident)
            return event

    def list_events(
        self,
        *,
        type_: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        with self.store.lock:
            self._tick()
            rows = list(self.events)
            if type_ is not None:
                if type_.endswith(".*"):
                    prefix = type_[:-1]
                    rows = [e for e in rows if e["type"].startswith(prefix)]
                else:
                    rows = [e for e in rows if e["type"] == type_]
            return self._list(
                self.events,
                rows,
                lambda e: e,
                "/v1/events",
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
            )


def _merge_metadata(current: dict[str, str], update: Mapping[str, Any]) -> dict[str, str]:
    """Stripe semantics: keys set to ``""`` are removed, others are set."""
    merged = dict(current)
    for key, value in update.items():
        if value == "" or value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


__all__ = [
    "Campaign",
    "Coupon",
    "Offer",
    "VinrBackend",
    "VinrError",
    "coupon_discount",
    "offer_discount",
    "unmet_criteria",
]
