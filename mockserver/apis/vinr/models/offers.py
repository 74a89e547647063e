"""Offers: automatic promotions defined by type, value and qualifying criteria (seed page 003)."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockserver.store import transactional

from ..exceptions import InvalidRequest, ResourceMissing
from .base import BackendBase, Record, merge_metadata, new_id
from .campaigns import CampaignRules, _created, _ident

#: The name an offer created without one gets, from its type (seed 003 defines an offer by
#: its type, value and criteria alone).
DEFAULT_NAMES = {
    "bogo": "Buy one, get one free",
    "free_shipping": "Free shipping",
    "fixed_discount": "Fixed discount",
}


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

    def to_row(self) -> Record:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row: Record) -> Offer:
        return cls(**row)

    @classmethod
    def from_record(cls, record: Record, now: int) -> Offer:
        """An offer from a fixture record (exactly as the API returns it)."""
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


class OfferRules(CampaignRules, BackendBase):
    # -- storage ----------------------------------------------------------------------------

    def _find_offer(self, ident: str) -> Offer | None:
        row = self.unit.get("offers", ident)
        return None if row is None else Offer.from_row(row)

    def _save_offer(self, offer: Offer) -> None:
        self.unit.put("offers", offer.id, offer.to_row())

    def _offer(self, ident: str, param: str | None = None) -> Offer:
        offer = self._find_offer(ident)
        if offer is None or offer.deleted:
            raise ResourceMissing("offer", ident, param=param)
        return offer

    def _announce_offer_end(self, ident: str, at: int, now: int) -> None:
        offer = self._find_offer(ident)
        if offer and not offer.ended_notified and offer.ends_at == at:
            offer.ended_notified = True
            self._save_offer(offer)
            self._emit("offer.ended", offer.to_dict(now), at=max(at, offer.created))

    # -- operations -------------------------------------------------------------------------

    @transactional
    def create_offer(self, params: Record) -> Record:
        now = self.now()
        type_ = params["type"]
        value = params.get("value")
        currency = params.get("currency")
        if type_ == "bogo":
            if value is not None:
                raise InvalidRequest("value must be null for a bogo offer.", param="value")
            if currency is not None:
                raise InvalidRequest("currency must be null for a bogo offer.", param="currency")
        elif value is None:
            raise InvalidRequest(
                f"value is required for a {type_} offer.", param="value", code="parameter_missing"
            )
        # no currency: the offer applies to orders in any currency (seed 003 defines an offer
        # by its type, value and criteria alone)
        campaign = params.get("campaign")
        if campaign is not None:
            self._campaign_param(campaign, "offer")
        starts_at = params.get("starts_at", now)
        ends_at = params.get("ends_at")
        if ends_at is not None and ends_at <= starts_at:
            raise InvalidRequest("ends_at must be after starts_at.", param="ends_at")
        criteria = dict(params.get("criteria") or {})
        offer = Offer(
            id=new_id("ofr_"),
            name=params.get("name") or DEFAULT_NAMES[type_],
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
        self.unit.add("offers", offer.id, offer.to_row())
        if ends_at is not None:
            self._schedule_end(ends_at, "offer", offer.id)
        snapshot = offer.to_dict(now)
        self._emit("offer.created", snapshot)
        self._tick()
        return snapshot

    @transactional
    def retrieve_offer(self, ident: str) -> Record:
        return self._offer(ident).to_dict(self.now())

    @transactional
    def update_offer(self, ident: str, params: Record) -> Record:
        now = self.now()
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
            offer.metadata = merge_metadata(offer.metadata, params["metadata"])
        self._save_offer(offer)
        self._emit_update("offer.updated", before, offer.to_dict(now))
        self._tick()
        return self._offer(ident).to_dict(self.now())

    @transactional
    def delete_offer(self, ident: str) -> Record:
        offer = self._offer(ident)
        offer.deleted = True
        self._save_offer(offer)
        self._emit("offer.deleted", offer.to_dict(self.now()))
        return {"id": offer.id, "object": "offer", "deleted": True}

    @transactional
    def list_offers(
        self,
        *,
        active: bool | None,
        campaign: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        now = self.now()
        rows = [Offer.from_row(row) for row in self.unit.rows("offers")]
        rows = [o for o in rows if not o.deleted]
        if active is not None:
            rows = [o for o in rows if o.is_active(now) == active]
        if campaign is not None:
            rows = [o for o in rows if o.campaign == campaign]
        return self._list(
            rows,
            lambda o: o.to_dict(now),
            "/v1/offers",
            key=_ident,
            created=_created,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
        )
