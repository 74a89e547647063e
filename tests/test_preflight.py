"""``mockserver contract --base-url``: a server that does not answer, or serves another API, is a
set-up error (exit status 2, one line), found before any case is generated."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from mockserver.contract_cli import contract_command
from mockserver.testing import MockHandle, start_mock

from .served import free_port, serve


@pytest.fixture(scope="module")
def vinr() -> Iterator[MockHandle]:
    with start_mock("vinr") as mock:
        yield mock


def contract(*args: str) -> Result:
    return CliRunner().invoke(contract_command, ["--max-examples", "1", *args])


def one_line(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == "", "nothing was run, so nothing is summarised"
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


def test_nothing_listening_is_refused_at_once() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    started = time.perf_counter()
    line = one_line(contract("--api", "vinr", "--base-url", url))
    assert time.perf_counter() - started < 5
    assert line == (
        f"mockserver contract: {url} does not answer (connection refused: nothing listens on "
        "that port): start the server first (the mock: `mockserver serve --port PORT`), or "
        "check --base-url"
    )


def test_not_an_http_url() -> None:
    line = one_line(contract("--api", "vinr", "--base-url", "127.0.0.1:8000"))
    assert "is not an http(s) URL" in line


def test_the_mock_of_another_api_is_named(vinr: MockHandle) -> None:
    line = one_line(
        contract("--api", "voucherify", "--base-url", vinr.url, "--admin-token", vinr.admin_token)
    )
    assert line == (
        f"mockserver contract: {vinr.url} is the mock of vinr, not voucherify: pass --api vinr, "
        "or start the mock with --api voucherify"
    )


def test_another_api_is_recognised_by_its_document(vinr: MockHandle) -> None:
    # without the admin token, the mock is just a server publishing /openapi.json
    line = one_line(contract("--api", "voucherify", "--base-url", vinr.url))
    assert line == (
        f"mockserver contract: {vinr.url} serves another API ('VINR Promotions API' at "
        f"{vinr.url}/openapi.json, none of whose operations is in 'Voucherify Campaigns API "
        "(mock)'): check --base-url and --api"
    )


def test_a_path_where_no_api_is_mounted() -> None:
    with serve("--api", "vinr", "--api", "voucherify") as served:
        line = one_line(contract("--api", "vinr", "--base-url", served.base))
        assert line == (
            f"mockserver contract: the mock at {served.base} serves no API at / (it serves vinr "
            f"at {served.base}/vinr, voucherify at {served.base}/voucherify): pass one of those "
            "as --base-url"
        )
        wrong = one_line(contract("--api", "vinr", "--base-url", served.base + "/voucherify"))
        assert "is the mock of voucherify, not vinr" in wrong
