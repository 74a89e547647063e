"""Thin Voucherify handlers: the engine passes the validated parameters, the backend does the rest.

Handlers are keyed by the vendor's operationIds. ``filters`` is read from the raw
query string (see :mod:`.filters` for why it is not a declared parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mockserver.dispatch import current_query

from .filters import compile_filters, parse_brackets
from .models import Record, VoucherifyBackend


def handlers(backend: VoucherifyBackend) -> dict[str, Callable[..., Any]]:
    """operationId -> handler, each bound to ``backend``."""

    def list_campaigns(
        limit: int = 10,
        page: int = 1,
        order: str = "-created_at",
        campaign_type: str | None = None,
        campaign_status: str | None = None,
        is_referral_code: bool | None = None,
        expand: str | None = None,
    ) -> Record:
        tree = parse_brackets(current_query(), "filters")
        return backend.list_campaigns(
            limit=limit,
            page=page,
            order=order,
            campaign_type=campaign_type,
            campaign_status=campaign_status,
            is_referral_code=is_referral_code,
            expand=expand,
            matches=compile_filters(tree) if tree is not None else None,
        )

    def create_campaign(body: Record) -> Record:
        return backend.create_campaign(body)

    def get_campaign(campaignId: str) -> Record:  # the spec's parameter name
        return backend.get_campaign(campaignId)

    def update_campaign(campaignId: str, body: Record) -> Record:
        return backend.update_campaign(campaignId, body)

    def delete_campaign(campaignId: str, force: bool = False) -> tuple[Record, int]:
        return backend.delete_campaign(campaignId, force=force), 202

    def enable_campaign(campaignId: str) -> Record:
        return backend.set_active(campaignId, True)

    def disable_campaign(campaignId: str) -> Record:
        return backend.set_active(campaignId, False)

    return {
        "list-campaigns": list_campaigns,
        "create-campaign": create_campaign,
        "get-campaign": get_campaign,
        "update-campaign": update_campaign,
        "delete-campaign": delete_campaign,
        "enable-campaign": enable_campaign,
        "disable-campaign": disable_campaign,
    }
