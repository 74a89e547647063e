"""VINR's domain: campaigns, offers, coupons, redemptions and events, with their rules.

One module per resource (entity and rules), moto style; :class:`VinrBackend` assembles
them. Every public method runs in a unit of work (see :mod:`.base`): entities are read
from the store, changed and saved back, so a request that fails changes nothing.
Entities render themselves with ``to_dict(now)`` because ``active``, ``status`` and
``valid`` depend on the mock's clock.
"""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.exceptions import ConfigurationError

from ..exceptions import VinrError
from .base import Record
from .campaigns import Campaign
from .coupons import Coupon
from .events import EventRules
from .offers import Offer
from .redemptions import RedemptionRules, coupon_discount, offer_discount, unmet_criteria

__all__ = [
    "Campaign",
    "Coupon",
    "Offer",
    "Record",
    "VinrBackend",
    "VinrError",
    "coupon_discount",
    "offer_discount",
    "unmet_criteria",
]


class VinrBackend(RedemptionRules, EventRules):
    """All VINR state (through a store) and every rule."""

    def _announce_end(self, kind: str, ident: str, at: int, now: int) -> None:
        if kind == "campaign":
            self._announce_campaign_end(ident, at, now)
        else:
            self._announce_offer_end(ident, at, now)

    # -- fixtures ---------------------------------------------------------------------------

    def load(self, records: Mapping[str, list[Record]]) -> None:
        """Fill the (empty) store from validated fixture records, checking their invariants."""
        self.store.run(lambda _unit: self._load(records))

    def _load(self, records: Mapping[str, list[Record]]) -> None:
        unit = self.unit
        now = self.now()
        for record in records.get("campaigns", []):
            campaign = Campaign.from_record(record)
            campaign.ended_notified = campaign.ends_at <= now
            self._insert("campaigns", campaign.id, campaign.to_row())
            self._schedule_end(campaign.ends_at, "campaign", campaign.id)
        for record in records.get("offers", []):
            offer = Offer.from_record(record, now)
            offer.ended_notified = offer.ends_at is not None and offer.ends_at <= now
            self._check_reference(offer.campaign, "offer", offer.id, "offer", required=False)
            self._insert("offers", offer.id, offer.to_row())
            if offer.ends_at is not None:
                self._schedule_end(offer.ends_at, "offer", offer.id)
        for record in records.get("coupons", []):
            coupon = Coupon.from_record(record)
            self._check_reference(coupon.campaign, "coupon", coupon.id, "coupon", required=True)
            if unit.get("coupon_codes", coupon.code.lower()) is not None:
                raise ConfigurationError(f"coupons: code {coupon.code!r} appears twice")
            if unit.get("coupons", coupon.id) is not None:
                raise ConfigurationError(f"fixture id {coupon.id!r} appears twice")
            self._insert_coupon(coupon)
        for record in records.get("redemptions", []):
            self._insert("redemptions", record["id"], dict(record))
        for record in records.get("events", []):
            self._insert("events", record["id"], dict(record))
        self._check_counters()

    def _insert(self, table: str, key: str, row: Record) -> None:
        if self.unit.get(table, key) is not None:
            raise ConfigurationError(f"fixture id {key!r} appears twice")
        self.unit.put(table, key, row)

    def _check_reference(
        self, campaign_id: str | None, kind: str, ident: str, campaign_type: str, *, required: bool
    ) -> None:
        if campaign_id is None:
            if required:
                raise ConfigurationError(f"{kind} {ident} has no campaign")
            return
        campaign = self._find_campaign(campaign_id)
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
        for redemption in self.unit.rows("redemptions"):
            if redemption["campaign"]:
                by_campaign[redemption["campaign"]] = by_campaign.get(redemption["campaign"], 0) + 1
            if redemption["coupon"]:
                by_coupon[redemption["coupon"]] = by_coupon.get(redemption["coupon"], 0) + 1
        for row in self.unit.rows("campaigns"):
            campaign = Campaign.from_row(row)
            expected = by_campaign.get(campaign.id, 0)
            if campaign.redemption_count != expected:
                raise ConfigurationError(
                    f"campaign {campaign.id} says redemption_count={campaign.redemption_count} "
                    f"but the fixtures hold {expected} redemptions for it"
                )
        for row in self.unit.rows("coupons"):
            coupon = Coupon.from_row(row)
            expected = by_coupon.get(coupon.id, 0)
            if coupon.times_redeemed != expected:
                raise ConfigurationError(
                    f"coupon {coupon.id} says times_redeemed={coupon.times_redeemed} "
                    f"but the fixtures hold {expected} redemptions of it"
                )
