"""Mock control through the pytest plugin's handles: the request journal, the spec coverage,
faults, and the session's coverage report (``--mockserver-coverage-report``).

Black-box: a real client (httpx) against the fixtures' servers, and the handles' answers
compared with what the admin API answers over HTTP for the same question.
"""

from __future__ import annotations

import json
import re
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import httpx
import pytest

from mockserver.testing import InvalidFault, InvalidFilter, MockHandle

pytest_plugins = ["pytester"]

ORDER = {"coupon": "WELCOME10", "order": {"amount": 5000, "currency": "usd"}}


def auth(mock: MockHandle) -> dict[str, str]:
    return {"Authorization": f"Bearer {mock.api_key}"}


def admin(mock: MockHandle) -> dict[str, str]:
    return {"Authorization": f"Bearer {mock.admin_token}"}


# -- the request journal ---------------------------------------------------------------------


def test_requests_and_count_show_what_the_client_sent(vinr_mock: MockHandle) -> None:
    assert vinr_mock.count() == 0 and vinr_mock.requests() == []  # reset before the test
    url, key = vinr_mock.url, auth(vinr_mock)
    assert httpx.get(f"{url}/v1/coupons/cpn_WELCOME10", headers=key).status_code == 200
    assert httpx.get(f"{url}/v1/coupons/cpn_NOPE", headers=key).status_code == 404
    assert httpx.post(f"{url}/v1/redemptions", headers=key, json=ORDER).status_code == 200
    # the admin API is not journaled
    assert httpx.get(f"{url}/__admin/requests", headers=admin(vinr_mock)).status_code == 200

    assert vinr_mock.count() == 3
    assert vinr_mock.count(operation="retrieveCoupon") == 2
    assert vinr_mock.count(operation="retrieveCoupon", status=200) == 1
    assert vinr_mock.count(status="4XX") == 1 and vinr_mock.count(status="4xx") == 1
    assert vinr_mock.count(status=404) == 1 and vinr_mock.count(status="404") == 1
    assert vinr_mock.count(status="5XX") == 0
    assert vinr_mock.count(method="post") == 1 and vinr_mock.count(method="DELETE") == 0
    assert vinr_mock.count(path="/v1/coupons/*") == 2 and vinr_mock.count(path="/v1/coupons") == 0
    assert vinr_mock.count(path="/v1/redemptions", api="vinr") == 1
    assert vinr_mock.count(api="voucherify") == 0
    assert vinr_mock.count(since=time.time() + 3600) == 0

    entries = vinr_mock.requests()
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("POST", "/v1/redemptions", 200),
        ("GET", "/v1/coupons/cpn_NOPE", 404),
        ("GET", "/v1/coupons/cpn_WELCOME10", 200),
    ]
    assert [e["path"] for e in vinr_mock.requests(limit=1)] == ["/v1/redemptions"]
    [missing] = vinr_mock.requests(status="4XX")
    assert missing["operation_id"] == "retrieveCoupon" and missing["path_params"] == {"id": "cpn_NOPE"}
    assert missing["error_code"] == "resource_missing"
    assert missing["request"]["headers"]["authorization"] == "[redacted]"
    [redeemed] = vinr_mock.requests(operation="createRedemption")
    assert redeemed["request"]["body"] == ORDER
    assert redeemed["response"]["body"]["amount_discounted"] == 500

    # one code path: the admin API answers the same entries for the same filters
    listed = httpx.get(
        f"{url}/__admin/requests", headers=admin(vinr_mock), params={"path": "/v1/coupons/*"}
    )
    assert listed.json() == {"requests": vinr_mock.requests(path="/v1/coupons/*")}
    counted = httpx.post(
        f"{url}/__admin/requests/count", headers=admin(vinr_mock), json={"status": "4XX"}
    )
    assert counted.json() == {"count": vinr_mock.count(status="4XX")}

    # what a test does with the entries it got changes nothing in the journal
    entries[0]["status"] = 599
    assert vinr_mock.requests(limit=1)[0]["status"] == 200

    vinr_mock.reset()
    assert vinr_mock.count() == 0 and vinr_mock.requests() == []


@pytest.mark.parametrize(
    ("filters", "field", "message"),
    [
        ({"status": "abc"}, "status", "Invalid value for status: 'abc' is not of type 'integer'."),
        ({"status": 99}, "status", "Invalid value for status: 99 is less than the minimum of 100."),
        ({"method": "G T"}, "method", "Invalid value for method: 'G T' does not match '^[A-Za-z]{1,16}$'."),
        ({"since": -1}, "since", "Invalid value for since: -1 is less than the minimum of 0."),
        ({"operation": ""}, "operation", "Invalid value for operation: '' should be non-empty."),
        ({"colour": "red"}, "colour", "Received unknown parameter: colour."),
        ({"limit": 0}, "limit", "Invalid value for limit: 0 is not an integer of at least 1."),
    ],
)
def test_a_bad_filter_raises_naming_it_as_the_admin_api_does(
    vinr_mock: MockHandle, filters: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(InvalidFilter, match=re.escape(message)) as raised:
        vinr_mock.requests(**filters)
    assert raised.value.field == field
    if "limit" in filters:
        return
    with pytest.raises(InvalidFilter) as raised:
        vinr_mock.count(**filters)
    assert (raised.value.field, raised.value.message) == (field, message)
    counted = httpx.post(f"{vinr_mock.url}/__admin/requests/count", headers=admin(vinr_mock), json=filters)
    assert counted.status_code == 400
    assert counted.json()["error"] == {"code": "invalid_request", "message": message, "param": field}


# -- coverage --------------------------------------------------------------------------------


def test_coverage_after_a_subset_of_calls(mock_server_factory: Any) -> None:
    # a server of its own: the coverage counts every request a server answered this session
    mock: MockHandle = mock_server_factory("vinr", api_keys=["sk_test_coverage_only"])
    url = f"{mock.url}/v1/coupons"
    assert httpx.get(f"{url}/cpn_WELCOME10", headers=auth(mock)).status_code == 200
    assert httpx.get(f"{url}/cpn_NOPE", headers=auth(mock)).status_code == 404
    assert httpx.get(f"{url}/cpn_WELCOME10", headers={"Authorization": "Bearer no"}).status_code == 401

    report = mock.coverage()
    [coupon] = [op for op in report["operations"] if op["operation_id"] == "retrieveCoupon"]
    assert coupon == {
        "api": "vinr",
        "operation_id": "retrieveCoupon",
        "method": "GET",
        "path": "/v1/coupons/{id}",
        "calls": 3,
        "documented_statuses": ["200", "400", "401", "404"],
        "statuses_produced": {"200": 1, "401": 1, "404": 1},
        "statuses_never_produced": ["400"],
        "undocumented_statuses": {},
        "parameters_never_sent": [],
        "body_fields_never_sent": [],
    }
    [redemption] = [op for op in report["operations"] if op["operation_id"] == "createRedemption"]
    assert redemption["calls"] == 0
    assert redemption["statuses_never_produced"] == ["200", "400", "401", "413", "415"]
    assert report["totals"]["operations_called"] == 1
    # the same report as the admin API's
    assert httpx.get(f"{mock.url}/__admin/coverage", headers=admin(mock)).json() == report
    # a reset forgets the requests, not the coverage (it describes the whole run)
    mock.reset()
    assert mock.count() == 0 and mock.coverage() == report


# -- faults ----------------------------------------------------------------------------------


def test_a_503_fault_answers_once_in_vinrs_error_format(vinr_mock: MockHandle) -> None:
    fault = vinr_mock.faults.add(status=503, operation="createRedemption", times=1)
    assert re.fullmatch(r"flt_[0-9]+", fault["id"])
    assert {k: v for k, v in fault.items() if k not in ("id", "seed")} == {
        "api": None,
        "operation": "createRedemption",
        "status": 503,
        "times": 1,
        "remaining": 1,
        "probability": 1.0,
        "applied": 0,
    }
    assert vinr_mock.faults.list() == [fault] == list(vinr_mock.faults)
    assert httpx.get(f"{vinr_mock.url}/__admin/faults", headers=admin(vinr_mock)).json() == {
        "faults": [fault]
    }
    # another operation is not concerned
    assert httpx.get(f"{vinr_mock.url}/v1/coupons/cpn_WELCOME10", headers=auth(vinr_mock)).status_code == 200

    failed = httpx.post(f"{vinr_mock.url}/v1/redemptions", headers=auth(vinr_mock), json=ORDER)
    assert failed.status_code == 503
    assert failed.json() == {
        "error": {
            "type": "api_error",
            "code": "internal_error",
            "message": "A fault injected into the mock: 503 Service Unavailable.",
            "param": None,
        }
    }
    assert vinr_mock.faults.list() == [] and len(vinr_mock.faults) == 0  # times=1: gone
    redeemed = httpx.post(f"{vinr_mock.url}/v1/redemptions", headers=auth(vinr_mock), json=ORDER)
    assert redeemed.status_code == 200 and redeemed.json()["amount_discounted"] == 500

    second, first = vinr_mock.requests(operation="createRedemption")
    assert first["fault"] == {"id": fault["id"], "status": 503, "delay_ms": 0}
    assert second["fault"] is None and second["status"] == 200
    assert vinr_mock.violations() == []  # asked for: not a contract violation


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"status": 200}, "status"),
        ({"status": "503"}, "status"),
        ({"status": 503, "drop": True}, "drop"),
        ({"status": 503, "drop": False}, "drop"),
        ({"delay_ms": [900, 100]}, "delay_ms"),
        ({"delay_ms": [1, 2, 3]}, "delay_ms"),
        ({"delay_ms": 60001}, "delay_ms"),
        ({"operation": "noSuchOperation", "status": 500}, "operation"),
        ({"api": "voucherify", "status": 500}, "api"),
        ({"times": 2}, "status"),
        ({"status": 503, "probability": 0}, "probability"),
        ({"status": 503, "times": 0}, "times"),
        ({"status": 503, "colour": "red"}, "colour"),
        ({"status": 503, "seed": {1, 2}}, "seed"),
    ],
)
def test_a_fault_that_makes_no_sense_raises_naming_the_field(
    vinr_mock: MockHandle, fields: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidFault) as raised:
        vinr_mock.faults.add(**fields)
    assert raised.value.field == field
    assert vinr_mock.faults.list() == []
    if "seed" in fields:  # a set is no JSON: the admin API cannot even be sent it
        return
    # the admin API refuses it the same way
    refused = httpx.post(f"{vinr_mock.url}/__admin/faults", headers=admin(vinr_mock), json=fields)
    assert refused.status_code == 400
    assert refused.json()["error"] == {
        "code": "invalid_request",
        "message": raised.value.message,
        "param": field,
    }


def test_faults_are_listed_removed_and_cleared(vinr_mock: MockHandle) -> None:
    slow = vinr_mock.faults.add(delay_ms=[1, 5], seed=7)
    dropped = vinr_mock.faults.add(operation="listCampaigns", drop=True)
    assert slow["delay_ms"] == [1, 5] and slow["seed"] == 7 and dropped["drop"] is True
    assert [f["id"] for f in vinr_mock.faults] == [slow["id"], dropped["id"]]
    assert vinr_mock.faults.get(dropped["id"]) == dropped

    assert vinr_mock.faults.remove(dropped["id"]) == dropped
    assert vinr_mock.faults.list() == [slow]
    with pytest.raises(KeyError, match=f"No fault '{dropped['id']}' is in force"):
        vinr_mock.faults.remove(dropped["id"])
    with pytest.raises(KeyError):
        vinr_mock.faults.get("flt_0")
    # the delay still applies, and is counted
    assert httpx.get(f"{vinr_mock.url}/v1/campaigns", headers=auth(vinr_mock)).status_code == 200
    assert vinr_mock.faults.get(slow["id"])["applied"] == 1

    assert vinr_mock.faults.clear() == 1
    assert vinr_mock.faults.list() == [] and vinr_mock.faults.clear() == 0
    # a reset removes them too
    vinr_mock.faults.add(status=500)
    vinr_mock.reset()
    assert len(vinr_mock.faults) == 0
    assert httpx.get(f"{vinr_mock.url}/v1/campaigns", headers=auth(vinr_mock)).status_code == 200


def test_voucherify_faults_answer_in_voucherifys_format(voucherify_mock: MockHandle) -> None:
    keys = {"X-App-Id": voucherify_mock.api_key, "X-App-Token": voucherify_mock.api_key}
    voucherify_mock.faults.add(status=503, operation="list-campaigns")
    failed = httpx.get(f"{voucherify_mock.url}/v1/campaigns", headers=keys)
    assert failed.status_code == 503 and failed.json()["code"] == 503
    assert voucherify_mock.count(operation="list-campaigns", status=503) == 1


def test_merged_reports_add_up_and_keep_only_what_no_server_covered() -> None:
    from starlette.testclient import TestClient

    from mockserver.applications import create_app
    from mockserver.pipeline.coverage import merge_reports

    reports = []
    for params, campaign in (({"limit": 3}, {"name": "X"}), ({"active": "true"}, None)):
        app = create_app(["vinr"])
        with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": "Bearer k"}) as client:
            assert client.get("/v1/campaigns", params=params).status_code == 200
            if campaign is not None:
                assert client.post("/v1/campaigns", json=campaign).status_code == 400
        reports.append(app.mock.control.coverage.report(app.mock.runtimes))
    merged = merge_reports(reports)
    listing = operation(merged, "vinr", "listCampaigns")
    assert (listing["calls"], listing["statuses_produced"]) == (2, {"200": 2})
    assert listing["statuses_never_produced"] == ["400", "401"]
    # limit sent to one server, active to the other: neither is "never sent"
    assert listing["parameters_never_sent"] == [
        {"name": "ending_before", "in": "query"},
        {"name": "starting_after", "in": "query"},
    ]
    creating = operation(merged, "vinr", "createCampaign")
    assert (creating["calls"], creating["statuses_produced"]) == (1, {"400": 1})
    assert creating["body_fields_never_sent"] == operation(reports[0], "vinr", "createCampaign")[
        "body_fields_never_sent"
    ]
    assert "name" not in creating["body_fields_never_sent"]
    assert len(merged["operations"]) == len(reports[0]["operations"])
    assert merged["totals"] == {
        **reports[0]["totals"],
        "statuses_produced": 2,
        "parameters_never_sent": reports[0]["totals"]["parameters_never_sent"] - 1,
    }
    assert merge_reports([]) == {
        "operations": [],
        "totals": {
            "operations": 0,
            "operations_called": 0,
            "statuses_documented": 0,
            "statuses_produced": 0,
            "parameters_never_sent": 0,
        },
    }


# -- the session's coverage report -----------------------------------------------------------


# two files: under ``--dist loadfile`` each of two workers gets one, and only their merged
# coverage has retrieveCoupon's 200 and 404 both
SUITE_A = textwrap.dedent(
    """
    import httpx


    def test_vinr(vinr_mock):
        auth = {"Authorization": f"Bearer {vinr_mock.api_key}"}
        assert httpx.get(vinr_mock.url + "/v1/coupons/cpn_NOPE", headers=auth).status_code == 404
    """
)
SUITE_B = textwrap.dedent(
    """
    import httpx
    import pytest

    from mockserver.testing import InvalidFault


    def test_a_bad_fault(vinr_mock):
        with pytest.raises(InvalidFault, match="Received unknown parameter: colour"):
            vinr_mock.faults.add(status=503, colour="red")


    def test_another_vinr_server(mock_server_factory):
        mock = mock_server_factory("vinr", api_keys=["sk_other"])
        auth = {"Authorization": "Bearer sk_other"}
        assert httpx.get(mock.url + "/v1/coupons/cpn_WELCOME10", headers=auth).status_code == 200
        assert httpx.get(mock.url + "/v1/coupons/cpn_WELCOME10", headers=auth).status_code == 200


    def test_voucherify(voucherify_mock):
        keys = {"X-App-Id": voucherify_mock.api_key, "X-App-Token": voucherify_mock.api_key}
        assert httpx.get(voucherify_mock.url + "/v1/campaigns", headers=keys).status_code == 200
    """
)


def readme_block(name: str) -> str:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    start = readme.index(f"```python\n# {name}")
    return readme[start + len("```python\n") : readme.index("```", start + 3)]


def operation(report: dict[str, Any], api: str, operation_id: str) -> dict[str, Any]:
    [found] = [
        op for op in report["operations"] if (op["api"], op["operation_id"]) == (api, operation_id)
    ]
    return found


def test_the_session_coverage_report_merges_every_server(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_a=SUITE_A, test_b=SUITE_B, test_resilience=readme_block("test_resilience.py")
    )
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "error", "--mockserver-coverage-report", "out/coverage.json"
    )
    result.assert_outcomes(passed=5)
    path = pytester.path / "out" / "coverage.json"
    result.stdout.fnmatch_lines([f"mockserver: coverage report written to {path}"])
    report = json.loads(path.read_text())
    # two VINR servers (the fixture's and the factory's): one entry per operation, added up
    coupon = operation(report, "vinr", "retrieveCoupon")
    assert (coupon["calls"], coupon["statuses_produced"]) == (3, {"200": 2, "404": 1})
    assert coupon["statuses_never_produced"] == ["400", "401"]
    redemption = operation(report, "vinr", "createRedemption")
    assert (redemption["calls"], redemption["statuses_produced"]) == (2, {"200": 1, "503": 1})
    assert redemption["undocumented_statuses"] == {"503": 1}
    assert operation(report, "voucherify", "list-campaigns")["statuses_produced"] == {"200": 1}
    assert len(report["operations"]) == len({(op["api"], op["operation_id"]) for op in report["operations"]})
    assert report["totals"]["operations_called"] == 3


def test_the_session_coverage_report_under_xdist(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=SUITE_A, test_b=SUITE_B)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-W", "error", "-v", "-n", "2", "--dist", "loadfile",
        "--mockserver-coverage-report", "coverage.xml",
    )
    result.assert_outcomes(passed=4)
    [worker_a] = re.findall(r"\[(gw\d)\] .* PASSED test_a.py::test_vinr", result.stdout.str())
    [worker_b] = re.findall(r"\[(gw\d)\] .* PASSED test_b.py::test_voucherify", result.stdout.str())
    assert worker_a != worker_b
    root = ET.parse(pytester.path / "coverage.xml").getroot()
    cases = {
        case.get("name"): case.find("skipped") is None
        for suite in root.iter("testsuite")
        if suite.get("name") == "vinr"
        for case in suite.iter("testcase")
        if case.get("classname") == "vinr.retrieveCoupon"
    }
    # the workers' servers merged by the controller
    assert cases == {
        "retrieveCoupon 200": True,
        "retrieveCoupon 400": False,
        "retrieveCoupon 401": False,
        "retrieveCoupon 404": True,
    }
    assert {suite.get("name") for suite in root.iter("testsuite")} == {"vinr", "voucherify"}


def test_the_session_coverage_report_needs_a_known_extension(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_a=SUITE_A)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--mockserver-coverage-report", "cov.txt")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(
        ["*--mockserver-coverage-report: the coverage report's format comes from its extension: "
         ".json, .md, .xml (got 'cov.txt')*"]
    )
    assert not (pytester.path / "cov.txt").exists()
