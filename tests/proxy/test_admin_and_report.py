"""The proxy's admin endpoint (bearer token, same origin) and its report formats."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

import pytest

from mockserver.proxy.admin import AdminGuard, answer
from mockserver.proxy.report import MAX_DISTINCT, ViolationLog


def filled_log() -> ViolationLog:
    log = ViolationLog("http://staging.test", "vinr.yaml")
    log.exchanges.update({"retrieveCampaign": 3, "listCampaigns": 1})
    for _ in range(2):
        log.record("response", "retrieveCampaign", "GET", "/v1/campaigns/cmp_1", 200, ["name: 5 is not of type 'string'"])
    log.record("request", "listCampaigns", "GET", "/v1/campaigns", 400, ["Invalid query parameter limit: 500 | 7"])
    log.notice("retrieveCampaign", "response body over 10 bytes: not checked")
    return log


def test_identical_findings_are_counted_not_repeated() -> None:
    data = filled_log().as_json()
    assert data["total"] == 3 and data["distinct"] == 2 and data["exchanges"] == 4
    counts = {(v["side"], v["operation"]): v["count"] for v in data["violations"]}
    assert counts == {("response", "retrieveCampaign"): 2, ("request", "listCampaigns"): 1}


def test_distinct_findings_are_capped() -> None:
    log = ViolationLog("t", "s")
    for i in range(MAX_DISTINCT + 5):
        log.record("response", "op", "GET", "/", 200, [f"value {i}"])
    data = log.as_json()
    assert data["distinct"] == MAX_DISTINCT and data["dropped"] == 5 and data["total"] == MAX_DISTINCT + 5


@pytest.mark.parametrize("name", ["report.json", "report.md", "report.xml"])
def test_report_formats(tmp_path: Path, name: str) -> None:
    path = filled_log().write(tmp_path / name)
    text = path.read_text()
    if name.endswith(".json"):
        assert json.loads(text)["total"] == 3
    elif name.endswith(".md"):
        assert "| response | retrieveCampaign | 200 | 2 | name: 5 is not of type 'string' |" in text
        assert "limit: 500 \\| 7" in text  # a pipe in a message does not break the table
        assert "## Not checked" in text
    else:
        suites = ElementTree.fromstring(text)
        assert suites.get("tests") == "2" and suites.get("failures") == "2"
        cases = {case.get("name"): case for case in suites.iter("testcase")}
        failure = cases["retrieveCampaign"].find("failure")
        assert failure is not None and failure.get("type") == "response-violation"
        assert "seen 2 times" in (failure.text or "")


def test_report_needs_a_known_extension(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="use a .json, .md or .xml"):
        filled_log().write(tmp_path / "report.txt")


HOST = {"host": "127.0.0.1:8080"}


def test_admin_requires_a_bearer_token() -> None:
    log = filled_log()
    status, headers, body = answer("GET", HOST, AdminGuard(), log)
    assert status == 401 and json.loads(body)["error"]["code"] == "unauthorized"
    assert (b"www-authenticate", b'Bearer realm="mockserver-proxy"') in headers
    assert answer("GET", {**HOST, "authorization": "Bearer "}, AdminGuard(), log)[0] == 401
    assert answer("GET", {**HOST, "authorization": "Basic abc"}, AdminGuard(), log)[0] == 401
    status, _, body = answer("GET", {**HOST, "authorization": "Bearer anything"}, AdminGuard(), log)
    assert status == 200 and json.loads(body)["total"] == 3


def test_admin_with_a_configured_token_accepts_only_it() -> None:
    guard = AdminGuard("s3cret")
    log = filled_log()
    status, _, body = answer("GET", {**HOST, "authorization": "Bearer other"}, guard, log)
    assert status == 401 and json.loads(body)["error"]["message"] == "Invalid admin token."
    assert answer("GET", {**HOST, "authorization": "Bearer s3cret"}, guard, log)[0] == 200


@pytest.mark.parametrize(
    ("origin", "status"),
    [
        ("http://127.0.0.1:8080", 200),
        ("https://127.0.0.1:8080", 200),
        ("http://evil.example", 403),
        ("http://127.0.0.1:9999", 403),
        ("null", 403),
    ],
)
def test_admin_refuses_foreign_origins(origin: str, status: int) -> None:
    headers = {**HOST, "authorization": "Bearer t", "origin": origin}
    assert answer("GET", headers, AdminGuard(), filled_log())[0] == status


def test_admin_delete_clears_and_other_methods_are_405() -> None:
    log = filled_log()
    auth = {**HOST, "authorization": "Bearer t"}
    status, _, body = answer("DELETE", auth, AdminGuard(), log)
    assert status == 200 and json.loads(body)["total"] == 0 and log.findings() == []
    status, headers, _ = answer("POST", auth, AdminGuard(), log)
    assert status == 405 and (b"allow", b"GET, DELETE") in headers
