"""Coupons: codes customers enter, belonging to a coupon campaign."""

from __future__ import annotations

from dataclasses import dataclass, field

from mockserver.store import transactional

from ..exceptions import InvalidRequest, ResourceExists, ResourceMissing
from .base import BackendBase, Record, merge_metadata, new_id
from .campaigns import Campaign, CampaignRules, _created, _ident

#: Unique index: lower-cased code -> coupon id (codes are unique whatever their case).
CODES = "coupon_codes"


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

    def to_row(self) -> Record:
        return dict(self.__dict__)

    @classmethod
    def from_row(cls, row: Record) -> Coupon:
        return cls(**row)

    @classmethod
    def from_record(cls, record: Record) -> Coupon:
        """A coupon from a fixture record (exactly as the API returns it)."""
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


class CouponRules(CampaignRules, BackendBase):
    # -- storage ----------------------------------------------------------------------------

    def _find_coupon(self, ident: str) -> Coupon | None:
        row = self.unit.get("coupons", ident)
        return None if row is None else Coupon.from_row(row)

    def _coupon_by_code(self, code: str) -> Coupon | None:
        entry = self.unit.get(CODES, code.lower())
        return None if entry is None else self._find_coupon(entry["id"])

    def _save_coupon(self, coupon: Coupon) -> None:
        self.unit.put("coupons", coupon.id, coupon.to_row())

    def _insert_coupon(self, coupon: Coupon) -> None:
        self.unit.add("coupons", coupon.id, coupon.to_row())
        self.unit.put(CODES, coupon.code.lower(), {"id": coupon.id})

    def _coupon(self, ident: str) -> Coupon:
        coupon = self._find_coupon(ident)
        if coupon is None:
            raise ResourceMissing("coupon", ident)
        return coupon

    def _render_coupon(self, coupon: Coupon, now: int) -> Record:
        return coupon.to_dict(now, self._find_campaign(coupon.campaign))

    # -- operations -------------------------------------------------------------------------

    @transactional
    def create_coupon(self, params: Record) -> Record:
        now = self.now()
        code = params["code"]
        if self.unit.get(CODES, code.lower()) is not None:
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
            id=new_id("cpn_"),
            code=code,
            campaign=params["campaign"],
            percent_off=percent_off,
            amount_off=amount_off,
            currency=currency,
            max_redemptions=params.get("max_redemptions"),
            created=now,
            metadata=dict(params.get("metadata") or {}),
        )
        self._insert_coupon(coupon)
        snapshot = self._render_coupon(coupon, now)
        self._emit("coupon.created", snapshot)
        return snapshot

    @transactional
    def retrieve_coupon(self, ident: str) -> Record:
        return self._render_coupon(self._coupon(ident), self.now())

    @transactional
    def update_coupon(self, ident: str, params: Record) -> Record:
        now = self.now()
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
            coupon.metadata = merge_metadata(coupon.metadata, params["metadata"])
        self._save_coupon(coupon)
        after = self._render_coupon(coupon, now)
        self._emit_update("coupon.updated", before, after)
        return after

    @transactional
    def delete_coupon(self, ident: str) -> Record:
        coupon = self._coupon(ident)
        self.unit.delete("coupons", ident)
        self.unit.delete(CODES, coupon.code.lower())
        self._emit("coupon.deleted", self._render_coupon(coupon, self.now()))
        return {"id": coupon.id, "object": "coupon", "deleted": True}

    @transactional
    def list_coupons(
        self,
        *,
        campaign: str | None,
        code: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        now = self.now()
        if code is not None:
            found = self._coupon_by_code(code)
            rows = [found] if found is not None else []
        else:
            rows = [Coupon.from_row(row) for row in self.unit.rows("coupons")]
        if campaign is not None:
            rows = [c for c in rows if c.campaign == campaign]
        campaigns = {c: self._find_campaign(c) for c in {coupon.campaign for coupon in rows}}
        return self._list(
            rows,
            lambda c: c.to_dict(now, campaigns[c.campaign]),
            "/v1/coupons",
            key=_ident,
            created=_created,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
        )
