"""``mockserver proxy`` for real: ports, a subprocess, the report written at shutdown; and a
whole Schemathesis contract run through the proxy in front of the mock."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from xml.etree import ElementTree

import httpx
from click.testing import CliRunner

from mockserver.applications import create_app
from mockserver.cli import main
from mockserver.contract import run_contract
from mockserver.proxy.cli import build_proxy

from ..conftest import AUTH
from .servers import free_port, serving
from .upstream import wrong_vinr


def test_proxy_command_checks_traffic_and_writes_its_report_at_shutdown(tmp_path: Path) -> None:
    report = tmp_path / "violations.xml"
    port = free_port()
    with serving(wrong_vinr()) as upstream:
        command = [
            sys.executable, "-m", "mockserver", "proxy", "--api", "vinr", "--target", upstream,
            "--port", str(port), "--report", str(report), "--admin-token", "tok",
            "--log-level", "warning",
        ]
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    good = httpx.get(f"{base}/v1/campaigns/cmp_good", headers=AUTH, timeout=2)
                    break
                except httpx.TransportError:
                    assert proc.poll() is None, proc.communicate()
                    assert time.monotonic() < deadline, "the proxy did not start"
                    time.sleep(0.1)
            broken = httpx.get(f"{base}/v1/campaigns/cmp_wrongtype", headers=AUTH)
            admin = httpx.get(f"{base}/__admin/violations", headers={"Authorization": "Bearer tok"})
            refused = httpx.get(f"{base}/__admin/violations", headers={"Authorization": "Bearer no"})
            echoed = httpx.get(f"{base}/echo/x", headers={"X-Forwarded-For": "192.0.2.1"})
        finally:
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=30)
    assert good.status_code == 200 and "contract-violations" not in good.headers
    assert json.loads(broken.headers["contract-violations"]) == [
        "response: redemption_count: '5' is not of type 'integer'"
    ]
    assert admin.status_code == 200
    assert [v["message"] for v in admin.json()["violations"]] == [
        "redemption_count: '5' is not of type 'integer'"
    ]
    assert refused.status_code == 401
    # the address that connected is appended; the client's own X-Forwarded-For is not taken
    # for it (uvicorn's proxy-headers rewriting is off)
    assert dict(echoed.json()["headers"])["x-forwarded-for"] == "192.0.2.1, 127.0.0.1"
    assert proc.returncode == 0, stderr
    suites = ElementTree.parse(report).getroot()
    # retrieveCampaign (its broken response) and the undocumented /echo path
    assert suites.get("tests") == "2" and suites.get("failures") == "2"
    assert "redemption_count" in ElementTree.tostring(suites, encoding="unicode")


def test_proxy_command_refuses_bad_options(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["proxy", "--target", "http://127.0.0.1:1"])
    assert missing.exit_code == 2 and "give --spec FILE, --api NAME, or both" in missing.output
    bad_report = runner.invoke(
        main, ["proxy", "--api", "vinr", "--target", "http://x.test", "--report", str(tmp_path / "r.txt")]
    )
    assert bad_report.exit_code == 2 and "use a .json, .md or .xml" in bad_report.output
    bad_target = runner.invoke(main, ["proxy", "--api", "vinr", "--target", "ftp://x.test"])
    assert bad_target.exit_code == 2 and "--target must be an http(s) URL" in bad_target.output
    not_openapi = tmp_path / "spec.yaml"
    not_openapi.write_text("openapi: 3.0.3\ninfo: {}\npaths: {}\n")
    invalid = runner.invoke(main, ["proxy", "--spec", str(not_openapi), "--target", "http://x.test"])
    assert invalid.exit_code == 2 and "is not a valid OpenAPI document" in invalid.output


def test_a_contract_run_through_the_proxy_in_front_of_the_mock_finds_nothing() -> None:
    """Schemathesis' positive and negative traffic, stateful links included, through the proxy:
    the run passes as it does against the mock directly, and the proxy finds no response that
    breaks the contract (the negative requests are the client's findings only)."""
    mock = create_app(["vinr"])
    with serving(mock) as upstream:
        proxy = build_proxy(None, "vinr", upstream)
        with serving(proxy) as through:
            report = run_contract(api="vinr", base_url=through, max_examples=3)
    assert report.ok, report.describe_failures()
    found = proxy.log.as_json()
    assert found["exchanges"] > 300
    assert [v for v in found["violations"] if v["side"] == "response"] == []
    assert not mock.mock.violations()


def test_the_httpx_client_forwards_as_aiohttp_does() -> None:
    """``--client httpx``: the same answers through httpx's pooled async transport."""
    from mockserver.proxy.upstream import AiohttpUpstream, HttpxUpstream

    mock = create_app(["vinr"])
    with serving(mock) as upstream:
        assert isinstance(build_proxy(None, "vinr", upstream).upstream, AiohttpUpstream)
        proxy = build_proxy(None, "vinr", upstream, client="httpx")
        assert isinstance(proxy.upstream, HttpxUpstream)
        with serving(proxy) as through:
            direct = httpx.get(f"{upstream}/v1/campaigns?limit=2", headers=AUTH)
            proxied = httpx.get(f"{through}/v1/campaigns?limit=2", headers=AUTH)
            missing = httpx.get(f"{through}/v1/campaigns/cmp_missing", headers=AUTH)
    assert (proxied.status_code, proxied.json()) == (200, direct.json())
    assert "contract-violations" not in proxied.headers
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "resource_missing")
    assert proxy.log.as_json()["violations"] == []
