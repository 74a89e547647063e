"""The contract checks bite: deliberately broken variants of the mock make them fail.

Each variant wraps (or patches) the real VINR app without touching the mock's code, runs
:func:`mockserver.contract.run_contract` in-process on the affected operations, and asserts the
run fails on that operation, naming the Schemathesis check and the problem, with a curl
reproduction. The same runs against the unbroken mock pass, so each failure comes from the
breakage. The last tests drive ``mockserver contract`` against the mock served on a port.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import httpx
import pytest
import yaml
from click.testing import CliRunner

from mockserver.apis.vinr import VinrAPI
from mockserver.applications import create_app
from mockserver.contract import DEFAULT_API_KEY, ContractReport, run_contract
from mockserver.contract_cli import contract_command

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]

SPEC = VinrAPI.spec_path
FAST = {"max_examples": 8, "seed": 7}


def vinr_app() -> Any:
    return create_app(["vinr"], api_keys=[DEFAULT_API_KEY])


class Wrapper:
    """An ASGI app in front of the mock: it may answer itself, edit the request or the response."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.mock = app.mock  # so the runner still resets it and reads its violations

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope = self.edit_request(scope)
        answer = self.answer(scope)
        if answer is not None:
            await _send(send, *answer)
            return
        status, headers, body = await _capture(self.app, scope, receive)
        await _send(send, *self.edit_response(scope, status, headers, body))

    def edit_request(self, scope: Scope) -> Scope:
        return scope

    def answer(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        return None

    def edit_response(
        self, scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        return status, headers, body


async def _capture(
    app: Any, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    result: dict[str, Any] = {"status": 500, "headers": [], "body": b""}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            result["status"] = message["status"]
            result["headers"] = [
                (k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"
            ]
        elif message["type"] == "http.response.body":
            result["body"] += message.get("body", b"")

    await app(scope, receive, send)
    return result["status"], result["headers"], result["body"]


async def _send(send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes) -> None:
    headers = [(k, v) for k, v in headers if k.lower() != b"content-length"]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [*headers, (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _json(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    return [
        *(h for h in headers if h[0].lower() != b"content-type"),
        (b"content-type", b"application/json"),
    ]


# -- the broken variants ---------------------------------------------------------------------


class WrongFieldType(Wrapper):
    """A campaign's ``redemption_count`` comes back as a string."""

    def edit_response(
        self, scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        if (
            scope["method"] == "GET"
            and re.fullmatch(r"/v1/campaigns/[^/]+", scope["path"])
            and status == 200
        ):
            data = json.loads(body)
            data["redemption_count"] = str(data["redemption_count"])
            body = json.dumps(data).encode()
        return status, headers, body


class CrashOnRareInput(Wrapper):
    """Listing campaigns with ``limit=100`` (one valid value in a hundred) is a 500."""

    def answer(self, scope: Scope) -> tuple[int, list[tuple[bytes, bytes]], bytes] | None:
        query = dict(
            pair.split("=", 1) for pair in scope["query_string"].decode().split("&") if "=" in pair
        )
        if (
            scope["method"] == "GET"
            and scope["path"] == "/v1/campaigns"
            and query.get("limit") == "100"
        ):
            error = {
                "error": {
                    "type": "api_error",
                    "code": "internal_error",
                    "message": "boom",
                    "param": None,
                }
            }
            return 500, [(b"content-type", b"application/json")], json.dumps(error).encode()
        return None


class ServesDeletedObjects(Wrapper):
    """A deleted object can still be retrieved: the last copy seen is served instead of a 404."""

    def __init__(self, app: Any) -> None:
        super().__init__(app)
        self.copies: dict[str, bytes] = {}
        self.deleted: set[str] = set()

    def edit_response(
        self, scope: Scope, status: int, headers: list[tuple[bytes, bytes]], body: bytes
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        method, path = scope["method"], scope["path"]
        if status == 200 and method in ("GET", "POST"):
            data = json.loads(body)
            if (
                isinstance(data, dict)
                and isinstance(data.get("id"), str)
                and data.get("object") != "list"
            ):
                collection = path if path.count("/") == 2 else path.rsplit("/", 1)[0]
                self.copies[f"{collection}/{data['id']}"] = body
        if method == "DELETE" and status == 200:
            self.deleted.add(path)
        if method == "GET" and status == 404 and path in self.deleted and path in self.copies:
            return 200, _json(headers), self.copies[path]
        return status, headers, body


class IgnoresAuth(Wrapper):
    """A request without credentials is served as if it carried a valid key."""

    def edit_request(self, scope: Scope) -> Scope:
        if not any(k.lower() == b"authorization" for k, _ in scope["headers"]):
            scope = {
                **scope,
                "headers": [
                    *scope["headers"],
                    (b"authorization", f"Bearer {DEFAULT_API_KEY}".encode()),
                ],
            }
        return scope


class AcceptsInvalidLimit(Wrapper):
    """An out-of-range ``limit`` is silently clamped to 1..100 instead of rejected with a 400."""

    def edit_request(self, scope: Scope) -> Scope:
        if scope["path"] != "/v1/campaigns":
            return scope
        pairs = [
            pair.split("=", 1) for pair in scope["query_string"].decode().split("&") if "=" in pair
        ]
        fixed = []
        for key, value in pairs:
            if key == "limit":
                try:
                    value = str(min(max(int(value), 1), 100))
                except ValueError:
                    value = "10"
            fixed.append(f"{key}={value}")
        return {**scope, "query_string": "&".join(fixed).encode()}


def _only_failure_on(report: ContractReport, label: str) -> str:
    assert not report.ok, "the contract run passed against a broken mock"
    labels = {failure.operation for failure in report.failures}
    assert label in labels, f"no failure on {label}: {report.describe_failures()}"
    return report.describe_failures(report.failures_for(label))


# -- controls: the same runs pass against the real mock --------------------------------------


@pytest.mark.parametrize(
    ("operations", "stateful"),
    [
        pytest.param(["retrieveCampaign", "listCampaigns"], False, id="stateless"),
        pytest.param(None, True, id="stateful"),
    ],
)
def test_the_same_runs_pass_against_the_real_mock(
    operations: list[str] | None, stateful: bool
) -> None:
    report = run_contract(
        api="vinr",
        app=vinr_app(),
        operations=operations,
        stateless=not stateful,
        stateful=stateful,
        **FAST,
    )
    assert report.ok, report.describe_failures()
    assert report.total_cases > 0


# -- each variant fails, naming the check ----------------------------------------------------


def test_a_field_of_the_wrong_type_fails_response_schema_conformance() -> None:
    report = run_contract(
        api="vinr",
        app=WrongFieldType(vinr_app()),
        operations=["retrieveCampaign"],
        stateful=False,
        **FAST,
    )
    text = _only_failure_on(report, "GET /v1/campaigns/{id}")
    failure = report.failures_for("GET /v1/campaigns/{id}")[0]
    assert "response_schema_conformance" in failure.checks
    assert "properties/redemption_count" in text and 'is not of type "integer"' in text
    assert "curl -X GET" in text and "http://127.0.0.1:8000/v1/campaigns/" in text


@pytest.mark.expects_violations
def test_a_handler_returning_the_wrong_type_is_caught_by_the_mock_and_the_contract(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = vinr_app()
    backend = app.mock.api("vinr").backend
    original = backend.retrieve_campaign

    def broken(campaign_id: str) -> dict[str, Any]:
        return {**original(campaign_id), "redemption_count": "42"}

    monkeypatch.setattr(backend, "retrieve_campaign", broken)
    report = run_contract(
        api="vinr", app=app, operations=["retrieveCampaign"], stateful=False, **FAST
    )
    text = _only_failure_on(report, "GET /v1/campaigns/{id}")
    assert "not_a_server_error" in report.failures_for("GET /v1/campaigns/{id}")[0].checks
    assert "response_validation_failed" in text
    # ...and the mock's own record of the broken response fails the run as well
    assert report.violations and "retrieveCampaign" in report.violations[0]
    assert "redemption_count" in report.violations[0]


def test_a_500_on_a_rare_input_fails_not_a_server_error() -> None:
    report = run_contract(
        api="vinr",
        app=CrashOnRareInput(vinr_app()),
        operations=["listCampaigns"],
        stateful=False,
        **FAST,
    )
    text = _only_failure_on(report, "GET /v1/campaigns")
    assert "not_a_server_error" in report.failures_for("GET /v1/campaigns")[0].checks
    assert "Server error" in text and "limit=100" in text


def test_a_deleted_object_still_served_fails_use_after_free() -> None:
    report = run_contract(api="vinr", app=ServesDeletedObjects(vinr_app()), stateless=False, **FAST)
    assert not report.ok
    uaf = [f for f in report.failures if "use_after_free" in f.checks]
    assert uaf, report.describe_failures()
    text = uaf[0].text
    assert "did not return a `HTTP 404 Not Found`" in text and "previously deleted" in text
    assert re.search(r"curl -X DELETE .*\n.*curl -X GET", text), text


def test_ignoring_credentials_fails_ignored_auth() -> None:
    report = run_contract(
        api="vinr",
        app=IgnoresAuth(vinr_app()),
        operations=["listCampaigns"],
        stateful=False,
        **FAST,
    )
    text = _only_failure_on(report, "GET /v1/campaigns")
    assert "ignored_auth" in report.failures_for("GET /v1/campaigns")[0].checks
    assert "API accepts requests without authentication" in text


def test_accepting_invalid_data_fails_negative_data_rejection() -> None:
    report = run_contract(
        api="vinr",
        app=AcceptsInvalidLimit(vinr_app()),
        operations=["listCampaigns"],
        stateful=False,
        **FAST,
    )
    text = _only_failure_on(report, "GET /v1/campaigns")
    assert "negative_data_rejection" in report.failures_for("GET /v1/campaigns")[0].checks
    assert "limit" in text


# -- the command line against the mock on a port (what `make serve` starts) ------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def served_mock() -> Iterator[str]:
    """``mockserver serve`` on a loopback port, exactly as ``make serve`` starts it."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver",
            "serve",
            "--api",
            "vinr",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                httpx.get(f"{base}/__admin/health", headers={"Authorization": "Bearer admin"}, timeout=1)
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.time() < deadline, "the mock did not start"
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_cli_passes_against_the_served_mock(served_mock: str, tmp_path: Path) -> None:
    junit = tmp_path / "contract.xml"
    result = CliRunner().invoke(
        contract_command,
        [
            "--api",
            "vinr",
            "--base-url",
            served_mock,
            "--max-examples",
            "5",
            "--junit-xml",
            str(junit),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "[fuzzing] GET /v1/campaigns" in result.output  # progress
    assert "GET /v1/campaigns (listCampaigns)" in result.output  # the summary table
    assert "PASSED" in result.output
    assert "accepts any key by design" in result.output
    suite = ElementTree.parse(junit).getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0" and int(suite.get("tests", "0")) >= 20


def test_cli_fails_with_a_reproducible_curl_when_the_server_breaks_the_contract(
    served_mock: str, tmp_path: Path
) -> None:
    # The served mock is healthy; the contract it is checked against says redemption_count is a string.
    spec = yaml.safe_load(SPEC.read_text())
    spec["components"]["schemas"]["Campaign"]["properties"]["redemption_count"] = {"type": "string"}
    stricter = tmp_path / "vinr-string-count.yaml"
    stricter.write_text(yaml.safe_dump(spec))
    junit = tmp_path / "contract.xml"
    result = CliRunner().invoke(
        contract_command,
        [
            "--base-url",
            served_mock,
            "--spec",
            str(stricter),
            "--max-examples",
            "3",
            "--no-stateful",
            "--api-key",
            "sk_live_secret",
            "--junit-xml",
            str(junit),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "response_schema_conformance" in result.output
    assert "redemption_count" in result.output
    assert "curl -X GET -H 'Authorization: Bearer '\"$API_KEY\"''" in result.output
    assert "sk_live_secret" not in result.output
    assert "FAILED" in result.output
    failures = ElementTree.parse(junit).getroot().iter("failure")
    assert any("response_schema_conformance" in (f.get("type") or "") for f in failures)
