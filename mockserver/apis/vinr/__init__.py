"""VINR, our own promotions API: campaigns, offers, coupons, redemptions and events."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from mockserver.exceptions import MockError, Problem
from mockserver.plugins import MockAPI

from .exceptions import error_for
from .models import VinrBackend
from .responses import handlers

HERE = Path(__file__).resolve().parent


class VinrAPI(MockAPI):
    name = "vinr"
    spec_path = HERE / "openapi.yaml"
    default_fixtures = HERE / "fixtures"
    contract_policy = HERE / "schemathesis.toml"
    fixture_schemas: ClassVar[Mapping[str, str]] = {
        "campaigns": "Campaign",
        "offers": "Offer",
        "coupons": "Coupon",
        "redemptions": "Redemption",
        "events": "Event",
    }
    idempotency_header = "Idempotency-Key"
    idempotent_operations = frozenset(
        {"createCampaign", "createOffer", "createCoupon", "createRedemption"}
    )
    reject_unknown_query = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.backend = VinrBackend(self.store, self.clock)

    def mounted_at(self, path: str) -> None:
        super().mounted_at(path)
        self.backend.url_prefix = path

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        return handlers(self.backend)

    def error_for(self, problem: Problem) -> MockError:
        return error_for(problem)

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        self.backend.load(records)
