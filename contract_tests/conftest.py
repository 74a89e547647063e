"""Contract suite settings: which budget, which seed, which target.

By default every contract test runs against the mock **in-process** with the CI budget and the
fixed seed. Options:

``--contract-deep``            also run the deep pass (tests marked ``slow``; ``make contract``)
``--contract-seed S``          generate from another seed (reproduce a run, or explore)
``--contract-max-examples N``  examples per operation in the default pass
``--contract-base-url URL``    run against a live server instead (staging, or ``make serve``)
``--contract-api-key KEY``     credential for that server (env ``MOCKSERVER_API_KEY``)

The summaries of every contract run (cases and failures per operation) are printed at the end
of the pytest session.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from contract_suite import ContractSettings

from mockserver.contract import DEFAULT_MAX_EXAMPLES, DEFAULT_SEED, ContractReport, run_contract

_REPORTS = pytest.StashKey[list[tuple[str, ContractReport]]]()
#: Summary lines the pytest-xdist workers sent (controller only).
_WORKER_LINES = pytest.StashKey[list[str]]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("contract", "contract tests (Schemathesis)")
    group.addoption(
        "--contract-deep",
        action="store_true",
        default=False,
        help="run the deep contract pass too (tests marked slow): >= 10,000 generated cases",
    )
    group.addoption("--contract-seed", type=int, default=DEFAULT_SEED, help="generation seed")
    group.addoption(
        "--contract-max-examples",
        type=int,
        default=DEFAULT_MAX_EXAMPLES,
        help="examples per operation in the default contract pass",
    )
    group.addoption(
        "--contract-base-url",
        default=None,
        help="run the contract suite against this live server instead of the in-process mock",
    )
    group.addoption(
        "--contract-api-key",
        default=os.environ.get("MOCKSERVER_API_KEY"),
        help="API key for --contract-base-url (default: $MOCKSERVER_API_KEY)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.stash[_REPORTS] = []


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--contract-deep"):
        return
    skip = pytest.mark.skip(reason="deep contract pass: run with --contract-deep (make contract)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def contract_settings(pytestconfig: pytest.Config) -> ContractSettings:
    return ContractSettings(
        seed=pytestconfig.getoption("--contract-seed"),
        max_examples=pytestconfig.getoption("--contract-max-examples"),
        base_url=pytestconfig.getoption("--contract-base-url"),
        api_key=pytestconfig.getoption("--contract-api-key"),
        deep=pytestconfig.getoption("--contract-deep"),
    )


@pytest.fixture(scope="session")
def run_contract_for(
    pytestconfig: pytest.Config, contract_settings: ContractSettings
) -> Callable[..., ContractReport]:
    """``run(api, title, **overrides)``: a contract run with the session's settings, remembered
    for the end-of-session summary."""

    def run(api: str, title: str, **overrides: Any) -> ContractReport:
        options: dict[str, Any] = {
            "api": api,
            "seed": contract_settings.seed,
            "max_examples": contract_settings.max_examples,
            "base_url": contract_settings.base_url,
            "api_key": contract_settings.api_key,
        }
        options.update(overrides)
        report = run_contract(**options)
        pytestconfig.stash[_REPORTS].append((title, report))
        return report

    return run


def _summary_lines(reports: list[tuple[str, ContractReport]]) -> list[str]:
    lines = []
    for title, report in reports:
        verdict = "PASSED" if report.ok else "FAILED"
        lines.append(
            f"{title}: {verdict}, {report.total_cases} cases in {report.elapsed:.1f}s "
            f"(seed {report.seed}, max examples {report.max_examples}, target {report.target})"
        )
        lines += ["    " + line for line in report.summary_table().splitlines()]
        if report.stateful:
            followed = sum(1 for link in report.links_declared if report.links_followed.get(link))
            lines.append(
                f"    links followed {followed}/{len(report.links_declared)}, "
                f"use-after-free probes {report.use_after_free_probes}"
            )
    return lines


def pytest_sessionfinish(session: pytest.Session) -> None:
    # a pytest-xdist worker hands its summaries to the controller, which prints them
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["contract_summaries"] = _summary_lines(session.config.stash.get(_REPORTS, []))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    lines = getattr(node, "workeroutput", {}).get("contract_summaries", [])
    node.config.stash.setdefault(_WORKER_LINES, []).extend(lines)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = _summary_lines(config.stash.get(_REPORTS, [])) + config.stash.get(_WORKER_LINES, [])
    if not lines:
        return
    terminalreporter.section("contract runs")
    for line in lines:
        terminalreporter.write_line(line)
