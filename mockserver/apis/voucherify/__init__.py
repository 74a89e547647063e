"""Voucherify's campaigns API: a faithful mock of the vendor's ``/v1/campaigns`` endpoints, the
vouchers they hold and the async actions that report their bulk work."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, ClassVar

from mockserver.exceptions import MockError, Problem
from mockserver.plugins import MockAPI

from . import vendor
from .exceptions import error_for
from .models import VoucherifyBackend
from .responses import handlers

HERE = Path(__file__).resolve().parent
log = logging.getLogger("mockserver")


class VoucherifyAPI(MockAPI):
    """Campaigns, their vouchers, summaries, transactions and async actions, in the vendor's format."""

    name = "voucherify"
    spec_path = HERE / "openapi.yaml"
    default_fixtures = HERE / "fixtures"
    contract_policy = HERE / "schemathesis.toml"
    fixture_schemas: ClassVar[Mapping[str, str]] = {
        "campaigns": "Campaign",
        "vouchers": "Voucher",
        "async_actions": "AsyncAction",
    }
    # The vendor's API runs on Node.js, whose JSON.parse takes any integer literal: the mock
    # must not be stricter (it keeps such integers exact).
    int64_only = False
    #: Vouchers are imported from a CSV file sent as a multipart form.
    form_bodies = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.spec_file != type(self).spec_path:
            # another document (the vendor's): where it contradicts itself, repaired
            repaired = vendor.repair(self.spec)
            if repaired:
                log.warning("%s: repaired %s", self.spec_file.name, "; ".join(repaired))
        self.backend = VoucherifyBackend(self.store, self.clock)

    def handlers(self) -> Mapping[str, Callable[..., Any]]:
        # bodies are reduced to what the mock's own document declares, whichever is served
        return handlers(self.backend, type(self).spec_path)

    def error_for(self, problem: Problem) -> MockError:
        return error_for(problem)

    def load_records(self, records: Mapping[str, list[dict[str, Any]]]) -> None:
        from mockserver.fixtures import fixture_files

        directory = self.fixtures_dir
        files = fixture_files(directory) if directory is not None and directory.is_dir() else ()
        self.backend.load(records, sources={path.stem: str(path) for path in files})
