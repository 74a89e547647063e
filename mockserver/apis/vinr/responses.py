"""Thin VINR handlers: Connexion passes the validated parameters, the backend does the rest."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .models import Record, VinrBackend


def handlers(backend: VinrBackend) -> dict[str, Callable[..., Any]]:
    """operationId -> handler, each bound to ``backend``."""

    def page(kwargs: dict[str, Any]) -> dict[str, Any]:
        return {
            "limit": kwargs.get("limit", 10),
            "starting_after": kwargs.get("starting_after"),
            "ending_before": kwargs.get("ending_before"),
        }

    def listCampaigns(active: bool | None = None, **kwargs: Any) -> Record:
        return backend.list_campaigns(active=active, **page(kwargs))

    def createCampaign(body: Record) -> Record:
        return backend.create_campaign(body)

    def retrieveCampaign(id: str) -> Record:
        return backend.retrieve_campaign(id)

    def updateCampaign(id: str, body: Record) -> Record:
        return backend.update_campaign(id, body)

    def deleteCampaign(id: str) -> Record:
        return backend.delete_campaign(id)

    def listOffers(active: bool | None = None, campaign: str | None = None, **kwargs: Any) -> Record:
        return backend.list_offers(active=active, campaign=campaign, **page(kwargs))

    def createOffer(body: Record) -> Record:
        return backend.create_offer(body)

    def retrieveOffer(id: str) -> Record:
        return backend.retrieve_offer(id)

    def updateOffer(id: str, body: Record) -> Record:
        return backend.update_offer(id, body)

    def deleteOffer(id: str) -> Record:
        return backend.delete_offer(id)

    def listCoupons(campaign: str | None = None, code: str | None = None, **kwargs: Any) -> Record:
        return backend.list_coupons(campaign=campaign, code=code, **page(kwargs))

    def createCoupon(body: Record) -> Record:
        return backend.create_coupon(body)

    def retrieveCoupon(id: str) -> Record:
        return backend.retrieve_coupon(id)

    def updateCoupon(id: str, body: Record) -> Record:
        return backend.update_coupon(id, body)

    def deleteCoupon(id: str) -> Record:
        return backend.delete_coupon(id)

    def listRedemptions(
        coupon: str | None = None, offer: str | None = None, campaign: str | None = None, **kwargs: Any
    ) -> Record:
        return backend.list_redemptions(coupon=coupon, offer=offer, campaign=campaign, **page(kwargs))

    def createRedemption(body: Record) -> Record:
        return backend.create_redemption(body)

    def retrieveRedemption(id: str) -> Record:
        return backend.retrieve_redemption(id)

    def listEvents(type: str | None = None, **kwargs: Any) -> Record:
        return backend.list_events(type_=type, **page(kwargs))

    def retrieveEvent(id: str) -> Record:
        return backend.retrieve_event(id)

    return {name: fn for name, fn in locals().items() if callable(fn) and name[0].islower() and name != "page"}
