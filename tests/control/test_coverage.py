"""Spec coverage (``/__admin/coverage``, ``serve --coverage-report``): a subset exercised, and
exactly the statuses and parameters it left out."""

from __future__ import annotations

import json
import signal
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from mockserver.pipeline import coverage_report

from ..admin.conftest import TOKEN
from ..served import serve
from .conftest import error_code

CAMPAIGN = {"name": "Coverage", "type": "coupon", "ends_at": 4102444800}


def exercise(api: TestClient, anonymous: httpx.Client | TestClient) -> None:
    """listCampaigns 200 and 400, createCampaign 200 and 401, retrieveCampaign 404."""
    assert api.get("/v1/campaigns", params={"limit": 3}).status_code == 200
    assert api.get("/v1/campaigns", params={"limit": 1000}).status_code == 400
    assert api.post("/v1/campaigns", json=CAMPAIGN).status_code == 200
    assert anonymous.post("/v1/campaigns", json=CAMPAIGN).status_code == 401
    assert api.get("/v1/campaigns/cmp_missing").status_code == 404


def by_operation(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {op["operation_id"]: op for op in report["operations"]}


def coverage(admin: TestClient, **params: str) -> dict[str, Any]:
    response = admin.get("/__admin/coverage", params=params)
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


def test_a_subset_leaves_exactly_these_statuses_and_parameters_uncovered(
    app: Any, api: TestClient, admin: TestClient
) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as anonymous:
        exercise(api, anonymous)
    ops = by_operation(coverage(admin))
    listing = ops["listCampaigns"]
    assert listing["calls"] == 2
    assert listing["documented_statuses"] == ["200", "400", "401"]
    assert listing["statuses_produced"] == {"200": 1, "400": 1}
    assert listing["statuses_never_produced"] == ["401"]
    assert listing["parameters_never_sent"] == [
        {"name": "active", "in": "query"},
        {"name": "ending_before", "in": "query"},
        {"name": "starting_after", "in": "query"},
    ]
    create = ops["createCampaign"]
    assert create["statuses_produced"] == {"200": 1, "401": 1}
    assert create["statuses_never_produced"] == ["400", "413", "415"]
    assert create["parameters_never_sent"] == [{"name": "Idempotency-Key", "in": "header"}]
    assert create["body_fields_never_sent"] == ["active", "metadata", "starts_at"]
    retrieve = ops["retrieveCampaign"]
    assert retrieve["statuses_produced"] == {"404": 1}
    assert retrieve["statuses_never_produced"] == ["200", "400", "401"]
    untouched = ops["listEvents"]
    assert untouched["calls"] == 0
    assert untouched["statuses_never_produced"] == untouched["documented_statuses"] == ["200", "400", "401"]
    assert all(op["undocumented_statuses"] == {} for op in ops.values())


def test_totals_and_undocumented_statuses(api: TestClient, admin: TestClient) -> None:
    report = coverage(admin)
    documented = report["totals"]["statuses_documented"]
    assert report["totals"] == {
        "operations": 20,
        "operations_called": 0,
        "statuses_documented": documented,
        "statuses_produced": 0,
        "parameters_never_sent": report["totals"]["parameters_never_sent"],
    }
    admin.post("/__admin/faults", json={"operation": "listEvents", "status": 503, "times": 1})
    assert api.get("/v1/events").status_code == 503
    assert api.get("/v1/events").status_code == 200
    events = by_operation(coverage(admin))["listEvents"]
    assert events["undocumented_statuses"] == {"503": 1}
    assert events["statuses_produced"] == {"200": 1, "503": 1}
    assert coverage(admin)["totals"]["operations_called"] == 1


def test_coverage_survives_reset_and_is_cleared_on_demand(api: TestClient, admin: TestClient) -> None:
    api.get("/v1/campaigns")
    admin.post("/__admin/reset")
    assert by_operation(coverage(admin))["listCampaigns"]["calls"] == 1
    cleared = admin.delete("/__admin/coverage")
    assert cleared.status_code == 200
    assert by_operation(cleared.json())["listCampaigns"]["calls"] == 0
    missing = admin.get("/__admin/coverage", params={"api": "nope"})
    assert (missing.status_code, error_code(missing)) == (404, "not_found")


def test_admin_requests_and_unmatched_paths_are_not_counted(api: TestClient, admin: TestClient) -> None:
    api.get("/v1/nothing")
    admin.get("/__admin/clock")
    assert coverage(admin)["totals"]["operations_called"] == 0


def test_the_report_as_json_markdown_and_junit(app: Any, api: TestClient, tmp_path: Path) -> None:
    with TestClient(app, base_url="http://127.0.0.1") as anonymous:
        exercise(api, anonymous)
    report = app.mock.control.coverage.report(app.mock.runtimes)
    coverage_report.write(report, tmp_path / "coverage.json")
    assert json.loads((tmp_path / "coverage.json").read_text()) == report
    coverage_report.write(report, tmp_path / "coverage.md")
    markdown = (tmp_path / "coverage.md").read_text()
    assert "3 of 20 operations called" in markdown
    assert "| vinr | `GET /v1/campaigns` listCampaigns | 2 | 200 ×1, 400 ×1 | 401 |" in markdown
    coverage_report.write(report, tmp_path / "coverage.xml")
    root = ET.parse(tmp_path / "coverage.xml").getroot()
    [suite] = root.findall("testsuite")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert cases["listCampaigns 200"].find("skipped") is None
    skipped = cases["listCampaigns 401"].find("skipped")
    assert skipped is not None and "never produced" in (skipped.get("message") or "")
    never_called = cases["listEvents 200"].find("skipped")
    assert never_called is not None and "operation never called" in (never_called.get("message") or "")
    documented = report["totals"]["statuses_documented"]
    produced = report["totals"]["statuses_produced"]
    assert (suite.get("tests"), suite.get("skipped")) == (str(documented), str(documented - produced))
    with pytest.raises(ValueError, match="extension"):
        coverage_report.write(report, tmp_path / "coverage.txt")


def test_serve_writes_the_report_when_it_stops(tmp_path: Path) -> None:
    target = tmp_path / "coverage.json"
    with serve("--log-level", "warning", "--coverage-report", str(target)) as served:
        headers = {"Authorization": "Bearer sk_test_123"}
        assert httpx.get(f"{served.base}/v1/campaigns", headers=headers).status_code == 200
        assert httpx.get(f"{served.base}/__admin/coverage", headers=TOKEN).status_code == 200
        served.proc.send_signal(signal.SIGINT)
        served.proc.wait(timeout=20)
        assert "coverage report written" in served.output()
    report = json.loads(target.read_text())
    ops = by_operation(report)
    assert ops["listCampaigns"]["statuses_produced"] == {"200": 1}
    assert report["totals"]["operations_called"] == 1


def test_serve_refuses_a_report_it_cannot_name_the_format_of(tmp_path: Path) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--coverage-report", str(tmp_path / "c.txt")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert ".json, .md, .xml" in done.stderr
