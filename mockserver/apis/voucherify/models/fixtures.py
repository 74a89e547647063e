"""Loading the fixtures: campaigns, the vouchers they hold and the async actions already done.

Records come exactly as the API returns them (each checked against its schema by
:mod:`mockserver.fixtures`); here they are checked against each other and stored:

``campaigns``      each campaign, holding as many vouchers as its ``vouchers_count``;
``vouchers``       vouchers pinned in their campaign (``campaign_id``) with their own code, id,
                   dates and settings; they count towards the campaign's ``vouchers_count``,
                   and only the rest are generated (random codes);
``async_actions``  finished actions, as the mock records them (``DONE``, progress 100).

Every pinned voucher and action must read back exactly as written: a record the mock would
render otherwise (a voucher naming another campaign's name or type, an action still in
progress) is a :class:`~mockserver.exceptions.ConfigurationError` naming its file and record,
as are a voucher in an unknown campaign or in one without vouchers, a code or id used twice,
and more vouchers pinned to a campaign than its ``vouchers_count``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from mockserver.exceptions import ConfigurationError

from ..codes import CodeSpec
from ..dates import to_millis
from .async_actions import AsyncAction
from .base import ASYNC_ACTIONS, CAMPAIGNS, NAMES, VOUCHERS, Record, as_row
from .campaigns import Campaign
from .vouchers import Voucher, VoucherRules

#: What a pinned voucher may hold over its campaign's definition, where the record differs
#: from what the campaign gives (the rest must read back as the campaign renders it).
OWN_VALUES = ("discount", "start_date", "expiration_date", "validity_timeframe", "validity_day_of_week")


class _Sources:
    """Where each resource's records come from, to name them in errors."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources

    def __call__(self, resource: str, what: str) -> str:
        return f"{self.sources.get(resource, f'{resource} fixtures')}: {what}"


class FixtureLoading(VoucherRules):
    def load(self, records: Mapping[str, list[Record]], sources: Mapping[str, str] | None = None) -> None:
        """Fill the store from fixture records (resource -> records); ``sources`` names the
        file of each resource in errors. Runs in the unit of work open in this context (the
        engine's reset or start), else in one of its own."""
        self.store.run(lambda _unit: self._load(records, _Sources(sources or {})))

    def _load(self, records: Mapping[str, list[Record]], where: _Sources) -> None:
        campaigns: dict[str, tuple[Campaign, int]] = {}
        for record in records.get("campaigns", []):
            campaign = self._load_campaign(record, where)
            campaigns[campaign.id] = (campaign, record.get("vouchers_count") or 0)
        pinned = self._pin_vouchers(records.get("vouchers", []), campaigns, where)
        for campaign, wanted in campaigns.values():
            self._generate(campaign, wanted, where)
            self.save(campaign)
        categories = self.category_map()
        for record, voucher, campaign in pinned:
            # it reads back exactly as written (once every category is known)
            detail = "validation_rules_assignments" in record
            rendered = voucher.to_dict(campaign, categories, detail=detail)
            _same(rendered, record, where("vouchers", f"voucher {voucher.code}"))
        for record in records.get("async_actions", []):
            self._load_action(record, where)

    # -- campaigns -------------------------------------------------------------------------

    def _load_campaign(self, record: Record, where: _Sources) -> Campaign:
        campaign = Campaign.from_record(record)
        if self.unit.get(CAMPAIGNS, campaign.id) is not None:
            raise ConfigurationError(where("campaigns", f"campaign {campaign.id} appears twice"))
        if self.unit.get(NAMES, campaign.name) is not None:
            raise ConfigurationError(
                where("campaigns", f"campaign name {campaign.name!r} appears twice")
            )
        if campaign.category_id is not None:
            self.remember_category(campaign.category_id, record.get("category"))
        self.insert(campaign)
        return campaign

    def _generate(self, campaign: Campaign, wanted: int, where: _Sources) -> None:
        """The campaign's vouchers beyond those pinned to it, with generated codes."""
        missing = wanted - campaign.vouchers_count
        if not campaign.has_vouchers or missing <= 0:
            return
        spec = CodeSpec.from_config((campaign.voucher or {}).get("code_config"))
        # fixture vouchers date from their campaign
        issued = self.issue(campaign, missing, {}, spec, at=campaign.created_at)
        if len(issued) < missing:
            raise ConfigurationError(
                where(
                    "campaigns",
                    f"campaign {campaign.id}: cannot generate {missing} unique codes from its code_config",
                )
            )

    # -- pinned vouchers -------------------------------------------------------------------

    def _pin_vouchers(
        self, records: list[Record], campaigns: Mapping[str, tuple[Campaign, int]], where: _Sources
    ) -> list[tuple[Record, Voucher, Campaign]]:
        """Store each pinned voucher in its campaign; each with its voucher and campaign."""
        pinned: list[tuple[Record, Voucher, Campaign]] = []
        ids: set[str] = set()
        for record in records:
            label = where("vouchers", f"voucher {record['code']}")
            entry = campaigns.get(record["campaign_id"])
            if entry is None:
                raise ConfigurationError(
                    f"{label}: campaign {record['campaign_id']} is not among the fixture campaigns"
                )
            campaign, wanted = entry
            if not campaign.has_vouchers:
                raise ConfigurationError(
                    f"{label}: campaign {campaign.id} is a {campaign.campaign_type} campaign, "
                    "which holds no vouchers"
                )
            if self.unit.get(VOUCHERS, record["code"]) is not None:
                raise ConfigurationError(f"{label}: the code appears twice")
            if record["id"] in ids:
                raise ConfigurationError(f"{label}: the id {record['id']} appears twice")
            ids.add(record["id"])
            if campaign.vouchers_count >= wanted:
                raise ConfigurationError(
                    f"{label}: campaign {campaign.id} holds {wanted} voucher(s) (its vouchers_count) "
                    f"and more are pinned to it; its vouchers_count counts them all"
                )
            voucher = self._pinned(record, campaign, label)
            self.unit.add(VOUCHERS, voucher.code, as_row(voucher))
            campaign.vouchers_count += 1
            pinned.append((record, voucher, campaign))
        return pinned

    def _pinned(self, record: Record, campaign: Campaign, label: str) -> Voucher:
        """The voucher a record describes: its own fields, and its own values where they
        differ from what its campaign gives."""
        created = _millis(record["created_at"], label)
        if created < campaign.created_at:
            raise ConfigurationError(f"{label}: created_at is before its campaign's")
        if record["category_id"] is not None:
            self.remember_category(record["category_id"], record.get("category"))
        updated = record.get("updated_at")
        voucher = Voucher(
            id=record["id"],
            code=record["code"],
            campaign_id=campaign.id,
            created_at=created,
            active=record["active"],
            category_id=record["category_id"],
            metadata=copy.deepcopy(record["metadata"]),
            additional_info=record.get("additional_info"),
            redeemed_quantity=record["redemption"]["redeemed_quantity"],
            updated_at=_millis(updated, label) if updated is not None else None,
        )
        inherited = voucher.to_dict(campaign, {}, detail=False)
        for name in OWN_VALUES:
            if record.get(name) != inherited.get(name):
                setattr(voucher, name, copy.deepcopy(record.get(name)))
        for name, keys in (("gift", ("amount", "balance")), ("loyalty_card", ("points", "balance"))):
            value = record.get(name)
            if isinstance(value, dict) and value != inherited[name]:
                setattr(voucher, name, {key: value[key] for key in keys})
        quantity = record["redemption"]["quantity"]
        if quantity != inherited["redemption"]["quantity"]:
            voucher.redemption = {"quantity": quantity}
        return voucher

    # -- async actions ---------------------------------------------------------------------

    def _load_action(self, record: Record, where: _Sources) -> None:
        label = where("async_actions", f"record {record['id']}")
        if self.unit.get(ASYNC_ACTIONS, record["id"]) is not None:
            raise ConfigurationError(f"{label}: the id appears twice")
        action = AsyncAction(
            id=record["id"],
            type=record["type"],
            created_at=_millis(record["created_at"], label),
            request_id=record["request_id"],
            result=copy.deepcopy(record["result"]),
        )
        _same(action.to_dict(), record, label)
        self.unit.add(ASYNC_ACTIONS, action.id, as_row(action))


def _millis(text: str, label: str) -> int:
    millis = to_millis(text)
    if millis is None:
        raise ConfigurationError(f"{label}: {text!r} is not a usable timestamp")
    return millis


def _same(rendered: Record, record: Record, label: str) -> None:
    """``record`` is what the mock renders (``rendered``), else an error naming the first
    property that differs."""
    if rendered == record:
        return
    for name in [*rendered, *(key for key in record if key not in rendered)]:
        if rendered.get(name, _ABSENT) != record.get(name, _ABSENT):
            raise ConfigurationError(
                f"{label}: {name} reads back as {_shown(rendered, name)}, "
                f"not {_shown(record, name)} as written"
            )


_ABSENT: Any = object()


def _shown(record: Record, name: str) -> str:
    return repr(record[name]) if name in record else "absent"
