"""Redemptions: a coupon or an offer applied to an order, and the discount rules.

Amounts are integers in the currency's smallest unit and every discount is computed in
exact integer arithmetic: a percentage is read as the decimal the client wrote
(``12.5`` is 125/10, not the nearest binary float) and the result is rounded down.
"""

from __future__ import annotations

from fractions import Fraction

from mockserver.store import transactional

from ..exceptions import InvalidRequest, RedemptionRejected, ResourceMissing
from .base import BackendBase, Record, new_id
from .campaigns import Campaign, CampaignRules
from .coupons import Coupon, CouponRules
from .offers import Offer, OfferRules

# -- discount rules -------------------------------------------------------------------------


def coupon_discount(coupon: Coupon, order: Record) -> int:
    amount = int(order["amount"])
    if coupon.percent_off is not None:
        return min(amount, int(amount * Fraction(str(coupon.percent_off)) // 100))
    return min(coupon.amount_off or 0, amount)


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


class RedemptionRules(CouponRules, OfferRules, CampaignRules, BackendBase):
    def _check_campaign_open(self, campaign_id: str, now: int) -> Campaign:
        campaign = self._find_campaign(campaign_id)
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

    @transactional
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
        now = self.now()
        if code is not None:
            return self._redeem_coupon(code, order, params, now)
        return self._redeem_offer(str(offer_id), order, params, now)

    def _redeem_coupon(self, code: str, order: Record, params: Record, now: int) -> Record:
        coupon = self._coupon_by_code(code)
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
        self._save_coupon(coupon)
        self._save_campaign(campaign)
        redemption = self._record_redemption(
            order, discount, params, now, coupon=coupon.id, campaign=campaign.id
        )
        if coupon.exhausted():
            self._emit("coupon.ended", coupon.to_dict(now, campaign))
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
            self._save_campaign(campaign)
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
            "id": new_id("red_"),
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
        self.unit.add("redemptions", redemption["id"], redemption)
        self._emit("redemption.created", redemption)
        return redemption

    @transactional
    def retrieve_redemption(self, ident: str) -> Record:
        redemption = self.unit.get("redemptions", ident)
        if redemption is None:
            raise ResourceMissing("redemption", ident)
        return redemption

    @transactional
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
        rows = self.unit.rows("redemptions")
        for name, value in (("coupon", coupon), ("offer", offer), ("campaign", campaign)):
            if value is not None:
                rows = [r for r in rows if r[name] == value]
        return self._list(
            rows,
            dict,
            "/v1/redemptions",
            key=_row_id,
            created=_row_created,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
        )


def _row_id(row: Record) -> str:
    return str(row["id"])


def _row_created(row: Record) -> int:
    return int(row["created"])
