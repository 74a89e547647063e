"""Thin Voucherify handlers: the engine passes the validated parameters, the backend does the rest.

Handlers are keyed by the vendor's operationIds. Bodies are reduced to what the mock's own
request schemas declare (:mod:`.payloads`) before the backend sees them. ``filters`` and
``access_settings`` are read from the raw query string (they nest deeper than the
``deepObject`` style the request validator reads). Operations routed without a handler
here answer ``501 not_implemented``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from mockserver.dispatch import current_query

from .exceptions import InvalidQueryParams
from .filters import compile_filters, parse_brackets
from .models import Record, VoucherifyBackend
from .models.access import area_filter
from .payloads import Payloads


def handlers(backend: VoucherifyBackend, spec_path: Path) -> dict[str, Callable[..., Any]]:
    """operationId -> handler, each bound to ``backend``."""
    payloads = Payloads(spec_path)

    def clean(operation_id: str, body: Any, *, keep_null: bool = False) -> Any:
        return payloads.body(operation_id, body, keep_null=keep_null) if body is not None else {}

    # -- campaigns ---------------------------------------------------------------------------

    def list_campaigns(
        limit: int = 10,
        page: int = 1,
        order: str = "-created_at",
        campaign_type: str | None = None,
        campaign_status: str | None = None,
        is_referral_code: bool | None = None,
        expand: str | None = None,
    ) -> Record:
        query = current_query()
        tree = parse_brackets(query, "filters")
        return backend.list_campaigns(
            limit=limit,
            page=page,
            order=order,
            campaign_type=campaign_type,
            campaign_status=campaign_status,
            is_referral_code=is_referral_code,
            expand=expand,
            matches=compile_filters(tree) if tree is not None else None,
            areas=area_filter(query),
        )

    def create_campaign(body: Record) -> Record:
        return backend.create_campaign(clean("create-campaign", body))

    def get_campaign(campaignId: str) -> Record:  # the spec's parameter name
        return backend.get_campaign(campaignId)

    def update_campaign(campaignId: str, body: Record) -> Record:
        return backend.update_campaign(campaignId, clean("update-campaign", body, keep_null=True))

    def delete_campaign(campaignId: str, force: bool = False) -> tuple[Record, int]:
        return backend.delete_campaign(campaignId, force=force), 202

    def enable_campaign(campaignId: str) -> Record:
        return backend.set_active(campaignId, True)

    def disable_campaign(campaignId: str) -> Record:
        return backend.set_active(campaignId, False)

    # -- a campaign's vouchers ---------------------------------------------------------------

    def add_vouchers(campaignId: str, body: Record | None = None, vouchers_count: int | None = None) -> tuple[Record, int]:
        return backend.add_vouchers(campaignId, vouchers_count, clean("add-vouchers-to-campaign", body))

    def add_voucher_with_code(campaignId: str, code: str, body: Record | None = None) -> Record:
        settings = clean("add-voucher-with-specific-code-to-campaign", body)
        return backend.add_voucher_with_code(campaignId, code, settings)

    def import_vouchers(campaignId: str, body: list[Record]) -> tuple[Record, int]:
        items = clean("import-vouchers-to-campaign", body)
        return backend.import_vouchers(campaignId, items), 202

    def import_vouchers_csv(campaignId: str, body: Mapping[str, Any]) -> Record:
        return backend.import_vouchers_csv(campaignId, body)

    # -- reports -------------------------------------------------------------------------------

    def campaign_summary(campaignId: str, start_date: str | None = None, end_date: str | None = None) -> Record:
        return backend.campaign_summary(campaignId, start_date, end_date)

    def campaign_transactions(campaignId: str) -> Record:
        return backend.list_campaign_transactions(campaignId, parse_brackets(current_query(), "filters"))

    def export_transactions(campaignId: str, body: Record | None = None) -> Record:
        return backend.export_campaign_transactions(campaignId, clean("export-campaign-transactions", body))

    # -- vouchers and async actions ------------------------------------------------------------

    def get_voucher(code: str) -> Record:
        return backend.get_voucher(code)

    def list_vouchers(
        limit: int = 10,
        page: int = 1,
        order: str | None = None,
        campaign: str | None = None,
        campaign_id: str | None = None,
        category: str | None = None,
        customer: str | None = None,
        code: str | None = None,
        ids: list[str] | None = None,
        created_at: Mapping[str, str] | None = None,
        updated_at: Mapping[str, str] | None = None,
    ) -> Record:
        if parse_brackets(current_query(), "filters") is not None:
            raise InvalidQueryParams(
                "Invalid query parameter filters: advanced filters of List Vouchers are not served "
                "by the mock; use campaign, campaign_id, category, code, ids, created_at or updated_at."
            )
        return backend.list_vouchers(
            limit=limit,
            page=page,
            order=order,
            campaign=campaign,
            campaign_id=campaign_id,
            category=category,
            customer=customer,
            code=code,
            ids=ids,
            created_at=created_at,
            updated_at=updated_at,
        )

    def get_async_action(asyncActionId: str) -> Record:
        return backend.get_async_action(asyncActionId)

    def list_async_actions(limit: int = 10, end_date: str | None = None) -> Record:
        return backend.list_async_actions(limit=limit, end_date=end_date)

    return {
        "list-campaigns": list_campaigns,
        "create-campaign": create_campaign,
        "get-campaign": get_campaign,
        "update-campaign": update_campaign,
        "delete-campaign": delete_campaign,
        "enable-campaign": enable_campaign,
        "disable-campaign": disable_campaign,
        "add-vouchers-to-campaign": add_vouchers,
        "add-voucher-with-specific-code-to-campaign": add_voucher_with_code,
        "import-vouchers-to-campaign": import_vouchers,
        "import-vouchers-to-campaign-using-csv": import_vouchers_csv,
        "get-campaign-summary": campaign_summary,
        "list-campaign-transactions": campaign_transactions,
        "export-campaign-transactions": export_transactions,
        "get-voucher": get_voucher,
        "list-vouchers": list_vouchers,
        "get-async-action": get_async_action,
        "list-async-actions": list_async_actions,
    }
