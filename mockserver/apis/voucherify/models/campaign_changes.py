"""Creating, updating and deleting campaigns, with the rules the vendor documents.

Bodies arrive reduced to what the mock's request schemas declare (see :mod:`..payloads`):
properties nobody declared are gone, and ``null`` inside a definition means "not given".
At the top of an update ``null`` clears what can be cleared (dates, validity, texts, the
category) and leaves the rest as it was.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mockserver.store import transactional

from ..codes import CodeSpec
from ..dates import normalize
from ..exceptions import DuplicateFound, InvalidPayload
from . import access
from .async_actions import DELETE, GENERATE, UPDATE, done
from .base import (
    CAMPAIGN_TYPES,
    CAMPAIGNS,
    LOYALTY,
    NAMES,
    REFERRAL,
    STANDALONE,
    VOUCHER_KINDS,
    Record,
    check_dates,
    new_id,
    require,
)
from .campaigns import MIRRORED, Campaign
from .promotions import VALIDITY, apply_validity, assign
from .vouchers import VoucherRules

#: Update fields each campaign type takes (everything else is silently skipped).
_COMMON_UPDATES = frozenset(
    {*VALIDITY, "description", "category", "category_id", "metadata", "unset_metadata_fields", "access_settings"}
)
_VOUCHER_UPDATES = _COMMON_UPDATES | {"activity_duration_after_publishing", "join_once", "auto_join", "type"}
_UPDATES: dict[str, frozenset[str]] = {
    "DISCOUNT_COUPONS": _VOUCHER_UPDATES | {"discount"},
    "REFERRAL_PROGRAM": _VOUCHER_UPDATES | {"discount", "referral_program"},
    "GIFT_VOUCHERS": _VOUCHER_UPDATES | {"gift"},
    "LOYALTY_PROGRAM": _VOUCHER_UPDATES | {"loyalty_tiers_expiration"},
    "PROMOTION": _COMMON_UPDATES,
}


def check_validity(body: Mapping[str, Any], start_date: str | None, end_date: str | None) -> None:
    """Seed page 002: ``start_date`` is required when a request includes ``validity_timeframe``;
    and a campaign cannot expire before it starts."""
    if body.get("validity_timeframe") is not None and start_date is None:
        raise InvalidPayload("start_date: property is required when validity_timeframe is included")
    check_dates(start_date, end_date)


class CampaignChanges(VoucherRules):
    # -- create ----------------------------------------------------------------------------

    @transactional
    def create_campaign(self, body: Record) -> Record:
        """A new campaign and its vouchers; the response shows the generation still running."""
        campaign_type = self._check_create(body)
        self._check_name_free(body["name"])
        now = self.now()
        kind = body.get("type") or "STATIC"
        campaign = Campaign(
            id=new_id("camp_", 24),
            name=body["name"],
            campaign_type=campaign_type,
            type=kind,
            created_at=now,
            auto_join=bool(body.get("auto_join")),
            join_once=_join_once(campaign_type, kind, body.get("join_once")),
            use_voucher_metadata_schema=bool(body.get("use_voucher_metadata_schema")),
            active=body.get("active") is not False,
            metadata=copy.deepcopy(body.get("metadata") or {}),
            description=body.get("description"),
            referral_program=copy.deepcopy(body.get("referral_program")) if campaign_type == REFERRAL else None,
            activity_duration_after_publishing=body.get("activity_duration_after_publishing"),
            category_id=self.category_for(body),
        )
        apply_validity(campaign, body)
        check_validity(body, campaign.start_date, campaign.expiration_date)
        campaign.assignments = assign(body.get("validation_rules"), campaign.id, "campaign", now)
        campaign.access = access.apply([], body.get("access_settings"), now)
        wanted = body.get("vouchers_count") or 0
        if campaign.has_vouchers:
            campaign.voucher, campaign.voucher_validity = _definition(campaign_type, body["voucher"])
            campaign.mirror_validity()
            issued = self.issue(campaign, wanted, {})
            campaign.vouchers_generation_status = "DONE" if len(issued) == wanted else "FAILED"
            if wanted:
                self.record_action(GENERATE, done(f"Generated {len(issued)} vouchers.", len(issued)))
        else:
            campaign.tiers = self.build_tiers(campaign.id, (body.get("promotion") or {}).get("tiers"), now)
        self.insert(campaign)
        snapshot = self.render(campaign)
        if campaign.has_vouchers:
            snapshot["vouchers_count"] = 0
            snapshot["creation_status"] = "IN_PROGRESS"
            snapshot["vouchers_generation_status"] = "IN_PROGRESS"
        return snapshot

    @staticmethod
    def _check_create(body: Record) -> str:
        """What the mock's schema requires (a served document that requires less, such as the
        vendor's, lets such bodies through to here), and the rules no schema states."""
        require(body, ("name", "campaign_type"))
        campaign_type = body["campaign_type"]
        if campaign_type not in CAMPAIGN_TYPES:
            raise InvalidPayload(
                f"campaign_type: must be equal to one of {','.join(CAMPAIGN_TYPES)} "
                f"(actual value is '{campaign_type}')"
            )
        if campaign_type in VOUCHER_KINDS:
            require(body, ("voucher",))
            require(body["voucher"], (VOUCHER_KINDS[campaign_type][1],), "voucher.")
        if campaign_type == LOYALTY and body.get("type") == STANDALONE:
            raise InvalidPayload(
                "type: must be equal to one of AUTO_UPDATE,STATIC for a LOYALTY_PROGRAM campaign "
                "(actual value is 'STANDALONE')"
            )
        return str(campaign_type)

    def _check_name_free(self, name: str) -> None:
        holder = self.holder_of(name)
        if holder is not None:
            raise DuplicateFound(
                f"Campaign with name: {name} already exists",
                resource_id=holder.id,
                resource_type="campaign",
            )

    # -- update ----------------------------------------------------------------------------

    @transactional
    def update_campaign(self, ident: str, body: Record) -> Record:
        """Apply the fields the campaign's type takes; the others are silently skipped."""
        campaign = self.find(ident)
        allowed = _UPDATES[campaign.campaign_type]
        changes = {name: value for name, value in body.items() if name in allowed}
        if "category_id" in changes or "category" in changes:
            campaign.category_id = self.category_for(changes)
        apply_validity(campaign, changes)
        check_validity(changes, campaign.start_date, campaign.expiration_date)
        for name in ("description", "activity_duration_after_publishing"):
            if name in changes:
                setattr(campaign, name, changes[name])
        _apply_flags(campaign, changes)
        _apply_metadata(campaign, changes)
        _apply_values(campaign, changes)
        campaign.access = access.apply(campaign.access, changes.get("access_settings"), self.now())
        campaign.mirror_validity()
        campaign.updated_at = self.now()
        self.save(campaign)
        snapshot = self.render(campaign)
        if campaign.has_vouchers:
            count = campaign.vouchers_count
            self.record_action(UPDATE, done(f"Updated {count} vouchers.", count))
            snapshot["creation_status"] = "MODIFYING"
            snapshot["vouchers_generation_status"] = "MODIFYING"
        return snapshot

    # -- delete ----------------------------------------------------------------------------

    @transactional
    def delete_campaign(self, ident: str, force: bool = False) -> Record:
        """Delete through an (immediately completed) async action.

        Without ``force`` the campaign goes to the bin with its vouchers: hidden, but its
        name and codes stay taken. With ``force`` it and its vouchers are gone for good.
        """
        campaign = self.find(ident)
        if force:
            count = self.forget_vouchers(campaign)
            self.unit.delete(CAMPAIGNS, campaign.id)
            self.unit.delete(NAMES, campaign.name)
        else:
            count = campaign.vouchers_count
            campaign.in_bin = True
            self.save(campaign)
        action = self.record_action(DELETE, done(f"Deleted {count} vouchers.", count))
        return {"async_action_id": action}


def _join_once(campaign_type: str, kind: str | None, requested: bool | None) -> bool:
    if campaign_type == LOYALTY:
        return True
    if kind == STANDALONE:
        return False
    return bool(requested)


def _definition(campaign_type: str, requested: Record) -> tuple[Record, Record]:
    """The voucher definition a campaign keeps, and the validity given inside it."""
    voucher_type, value_key = VOUCHER_KINDS[campaign_type]
    redemption = requested.get("redemption") or {}
    definition = {
        "type": voucher_type,
        value_key: copy.deepcopy(requested[value_key]),
        "redemption": {"quantity": redemption.get("quantity")},
        "code_config": CodeSpec.from_config(requested.get("code_config")).to_config(),
        "is_referral_code": campaign_type == REFERRAL,
    }
    validity: Record = {}
    for name in MIRRORED:
        value = requested.get(name)
        if value is not None:
            validity[name] = normalize(value) if isinstance(value, str) else copy.deepcopy(value)
    check_dates(validity.get("start_date"), validity.get("expiration_date"), end_name="voucher.expiration_date")
    return definition, validity


def _apply_flags(campaign: Campaign, changes: Mapping[str, Any]) -> None:
    if changes.get("auto_join") is not None:
        campaign.auto_join = changes["auto_join"]
    fixed_join_once = campaign.campaign_type == LOYALTY or campaign.type == STANDALONE
    if changes.get("join_once") is not None and not fixed_join_once:
        campaign.join_once = changes["join_once"]
    if changes.get("type") is not None and campaign.type != STANDALONE:
        campaign.type = changes["type"]


def _apply_metadata(campaign: Campaign, changes: Mapping[str, Any]) -> None:
    if changes.get("metadata") is not None:
        campaign.metadata.update(copy.deepcopy(changes["metadata"]))
    for key in changes.get("unset_metadata_fields") or ():
        campaign.metadata.pop(key, None)


def _apply_values(campaign: Campaign, changes: Mapping[str, Any]) -> None:
    voucher = campaign.voucher
    for name in ("discount", "gift"):
        if changes.get(name) is not None and voucher is not None:
            voucher[name] = copy.deepcopy(changes[name])
    for name in ("referral_program", "loyalty_tiers_expiration"):
        if changes.get(name) is not None:
            setattr(campaign, name, copy.deepcopy(changes[name]))
