"""The same controls in-process (``app.mock.control``), as test helpers and fixtures use them."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from mockserver.applications import create_app
from mockserver.pipeline import FaultError, JournalDisabled


def test_requests_and_count_take_the_admin_filters(app: Any, api: TestClient) -> None:
    control = app.mock.control
    api.get("/v1/campaigns")
    api.get("/v1/campaigns/cmp_missing")
    assert [e["status"] for e in control.requests()] == [404, 200]
    assert [e["operation_id"] for e in control.requests(status="4XX")] == ["retrieveCampaign"]
    assert control.count(operation="listCampaigns", status=200) == 1
    assert control.count(path="/v1/campaigns/*", method="get") == 1
    assert len(control.requests(limit=1)) == 1
    with pytest.raises(ValueError, match="4XX"):
        control.count(status="4xxx")
    with pytest.raises(TypeError):
        control.count(colour="red")


def test_a_journal_turned_off_raises() -> None:
    control = create_app(["vinr"], journal_size=0).mock.control
    with pytest.raises(JournalDisabled):
        control.requests()
    with pytest.raises(JournalDisabled):
        control.count()


def test_faults_are_checked_against_the_mounted_apis(app: Any, api: TestClient) -> None:
    control, runtimes = app.mock.control, app.mock.runtimes
    with pytest.raises(FaultError) as unknown:
        control.add_fault(runtimes, operation="nope", status=500)
    assert unknown.value.field == "operation"
    with pytest.raises(FaultError) as other_api:
        control.add_fault(runtimes, api="voucherify", status=500)
    assert other_api.value.field == "api"
    fault = control.add_fault(runtimes, operation="listCampaigns", status=500, times=1)
    assert api.get("/v1/campaigns").status_code == 500
    assert fault.applied == 1 and fault.remaining == 0 and control.faults.active == []
    report = control.coverage.report(runtimes)
    [listing] = [op for op in report["operations"] if op["operation_id"] == "listCampaigns"]
    assert listing["undocumented_statuses"] == {"500": 1}
