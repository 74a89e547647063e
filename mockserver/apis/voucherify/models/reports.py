"""What a campaign reports: its summary, its transactions and their export.

The mock serves no redemptions, validations, publications or balance changes, so the
counters of those are 0 and the transactions list is empty; the summary counts the
vouchers the campaign created (generated, added or imported) and what they were created
with. An export is recorded and answered as the vendor answers (``SCHEDULED``); reading
it back is not served.
"""

from __future__ import annotations

import copy
from typing import Any

from mockserver.store import transactional

from ..dates import format_millis, to_millis
from ..exceptions import InvalidQueryParams
from ..filters import STRING_OPERATORS, TextField, Tree, compile_filters
from .base import EXPORTS, LOYALTY, PROMOTION, REFERRAL, Record, new_id
from .vouchers import Voucher, VoucherRules

DAY_MS = 86_400_000

_COMMON = (
    "redemptions",
    "redemptions_succeeded",
    "redemptions_failed",
    "rollbacks",
    "rollbacks_succeeded",
    "rollbacks_failed",
    "validations",
    "validations_succeeded",
    "validations_failed",
    "orders_amount",
    "orders_rolledback_amount",
)
_VOUCHERS = ("vouchers_created", "vouchers_deleted", "publications", "publications_succeeded", "publications_failed")
_DISCOUNTS = ("discounted_amount", "rolledback_discounted_amount")
_GIFT = ("created_vouchers_amount", "amount_added", "amount_deleted", "amount_redeemed", "amount_rolledback", "amount_subtracted")
_LOYALTY = (
    "created_vouchers_points",
    "points_deleted",
    "points_subtracted",
    "points_added",
    "points_rewarded",
    "points_redeemed",
    "points_rolledback",
    "points_expired",
    "points_transferred_out",
    "points_transferred_in",
    "pending_points_added",
    "pending_points_subtracted",
    "pending_points_activated",
    "pending_points_canceled",
)

#: ``filters[...]`` of List Campaign Transactions (there are no transactions to test them on,
#: but a bad filter is still a 400, as for any list).
_TRANSACTION_FILTERS = {
    "id": TextField(lambda s: None, STRING_OPERATORS),
    "voucher_id": TextField(lambda s: None, STRING_OPERATORS),
}


def _day(text: Any, name: str, *, end: bool) -> int | None:
    if text is None:
        return None
    day = str(text)
    millis = to_millis(f"{day}T00:00:00Z")
    if millis is None:
        raise InvalidQueryParams(f"Invalid query parameter {name}: expected an ISO 8601 date (actual value is '{day}').")
    return millis + DAY_MS if end else millis


class ReportRules(VoucherRules):
    @transactional
    def campaign_summary(self, ident: str, start_date: Any = None, end_date: Any = None) -> Record:
        campaign = self.find(ident)
        begins = _day(start_date, "start_date", end=False)
        ends = _day(end_date, "end_date", end=True)
        summary: Record = {"object": "campaign_summary"}
        summary["campaign"] = self.render(campaign, detail=False, summary=True)
        summary.update(dict.fromkeys(_COMMON, 0))
        summary.update(dict.fromkeys(_DISCOUNTS, 0))
        if campaign.campaign_type == PROMOTION:
            return summary
        created = [
            v
            for v in self.vouchers_of(campaign.id)
            if (begins is None or v.created_at >= begins) and (ends is None or v.created_at < ends)
        ]
        summary.update(dict.fromkeys(_VOUCHERS, 0))
        summary["vouchers_created"] = len(created)
        rendered = [self._values(v, campaign) for v in created]
        if campaign.campaign_type == "GIFT_VOUCHERS":
            summary.update(dict.fromkeys(_GIFT, 0))
            summary["created_vouchers_amount"] = int(sum(r["gift"]["amount"] for r in rendered))
        elif campaign.campaign_type == LOYALTY:
            summary.update(dict.fromkeys(_LOYALTY, 0))
            summary["created_vouchers_points"] = int(sum(r["loyalty_card"]["points"] for r in rendered))
        elif campaign.campaign_type == REFERRAL:
            summary["referred_customers"] = 0
        return summary

    @staticmethod
    def _values(voucher: Voucher, campaign: Any) -> Record:
        return voucher.to_dict(campaign, {}, detail=False)

    @transactional
    def list_campaign_transactions(self, ident: str, filters: Tree | None = None) -> Record:
        """Always empty: no operation the mock serves moves a card's balance."""
        self.find(ident)
        if filters is not None:
            compile_filters(filters, _TRANSACTION_FILTERS)
        return {"object": "list", "data_ref": "data", "data": [], "has_more": False}

    @transactional
    def export_campaign_transactions(self, ident: str, body: Record | None) -> Record:
        campaign = self.find(ident)
        requested = copy.deepcopy((body or {}).get("parameters") or {})
        parameters: Record = {}
        for name in ("order", "fields"):
            if requested.get(name) is not None:
                parameters[name] = requested[name]
        filters = dict(requested.get("filters") or {})
        if filters and "junction" not in filters:
            filters["junction"] = "and"
        filters["campaign_id"] = {"conditions": {"$in": [campaign.id]}}
        parameters["filters"] = filters
        ident = new_id("exp_", 24)
        export: Record = {
            "id": ident,
            "object": "export",
            "created_at": format_millis(self.now()),
            "status": "SCHEDULED",
            "channel": "API",
            "exported_object": "voucher_transactions",
            "parameters": parameters,
            "result": None,
            "user_id": None,
        }
        self.unit.add(EXPORTS, ident, export)
        return export
