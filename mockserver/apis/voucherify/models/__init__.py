"""Voucherify's domain: campaigns, their vouchers, async actions and reports, with their rules.

One module per resource (entity and rules), moto style; :class:`VoucherifyBackend`
assembles them:

``base``              tables, ids, the clock and the unit of work
``categories``        categories, created by name or known from fixtures
``promotions``        promotion tiers and validation-rule assignments
``async_actions``     the reports of bulk work (generate, import, update, delete)
``campaigns``         the campaign entity, reading and listing, enable/disable
``access``            areas and stores assignments
``vouchers``          the voucher entity: generated, added, read back and listed
``campaign_changes``  create, update and delete, with their rules
``imports``           importing vouchers (JSON items or a CSV file)
``reports``           a campaign's summary, transactions and their export

Every public method runs in a unit of work (:func:`mockserver.store.transactional`):
entities are read from the store, changed and saved back, so a request that fails changes
nothing. Asynchronous work (code generation, imports, deletion) completes before the
method returns; only the response that started it shows the in-between state
(``IN_PROGRESS`` after a create, ``MODIFYING`` after an update).
"""

from __future__ import annotations

from collections.abc import Mapping

from mockserver.exceptions import ConfigurationError

from ..codes import CodeSpec
from .base import CAMPAIGNS, NAMES, Record
from .campaign_changes import CampaignChanges
from .campaigns import Campaign
from .imports import ImportRules
from .reports import ReportRules
from .vouchers import Voucher

__all__ = ["Campaign", "Record", "Voucher", "VoucherifyBackend"]


class VoucherifyBackend(CampaignChanges, ImportRules, ReportRules):
    """All Voucherify state (through a store) and every rule."""

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
            raise ConfigurationError(f"campaign name {campaign.name!r} appears twice in the fixtures")
        if campaign.category_id is not None:
            self.remember_category(campaign.category_id, record.get("category"))
        wanted = record.get("vouchers_count") or 0
        if campaign.has_vouchers and wanted:
            spec = CodeSpec.from_config((campaign.voucher or {}).get("code_config"))
            # fixture vouchers date from their campaign
            issued = self.issue(campaign, wanted, {}, spec, at=campaign.created_at)
            if len(issued) < wanted:
                raise ConfigurationError(
                    f"campaign {campaign.id}: cannot generate {wanted} unique codes from its code_config"
                )
        self.insert(campaign)
