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
``fixtures``          loading campaigns, pinned vouchers and async actions from fixtures

Every public method runs in a unit of work (:func:`mockserver.store.transactional`):
entities are read from the store, changed and saved back, so a request that fails changes
nothing. Asynchronous work (code generation, imports, deletion) completes before the
method returns; only the response that started it shows the in-between state
(``IN_PROGRESS`` after a create, ``MODIFYING`` after an update).
"""

from __future__ import annotations

from .base import Record
from .campaign_changes import CampaignChanges
from .campaigns import Campaign
from .fixtures import FixtureLoading
from .imports import ImportRules
from .reports import ReportRules
from .vouchers import Voucher

__all__ = ["Campaign", "Record", "Voucher", "VoucherifyBackend"]


class VoucherifyBackend(FixtureLoading, CampaignChanges, ImportRules, ReportRules):
    """All Voucherify state (through a store) and every rule; :meth:`load` fills it from
    fixtures (:mod:`.fixtures`)."""
