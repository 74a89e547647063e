"""VINR's contract, checked by Schemathesis against the mock (in-process by default).

* stateless: every operation, positive and negative data, every check (one test per operation,
  all from one run);
* stateful: the spec's links (create -> retrieve / update / delete for every resource) with
  ``use_after_free`` and ``ensure_resource_availability``;
* deep (``--contract-deep``, ``make contract``): both again with a budget of >= 10,000 cases.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from contract_suite import (
    DEEP_MAX_EXAMPLES,
    DEEP_MIN_CASES,
    DEEP_STATEFUL_ROUNDS,
    ContractSettings,
    check_operation,
    check_run,
    check_stateful,
    operation_ids,
    spec_of,
)

from mockserver.contract import ContractReport

API = "vinr"

pytestmark = pytest.mark.skipif(spec_of(API) is None, reason="the VINR plug-in is not there yet")


@pytest.fixture(scope="module")
def stateless(run_contract_for: Callable[..., ContractReport]) -> ContractReport:
    return run_contract_for(API, "VINR stateless", stateful=False)


@pytest.fixture(scope="module")
def stateful(run_contract_for: Callable[..., ContractReport]) -> ContractReport:
    return run_contract_for(API, "VINR stateful", stateless=False)


@pytest.mark.parametrize("operation_id", operation_ids(API))
def test_operation_conforms(stateless: ContractReport, operation_id: str) -> None:
    check_operation(stateless, operation_id)


def test_stateless_run_is_clean(stateless: ContractReport) -> None:
    check_run(stateless)


def test_links_and_use_after_free(
    stateful: ContractReport, contract_settings: ContractSettings
) -> None:
    # Against another server (no fixtures to start chains from) following every link is not guaranteed.
    check_stateful(stateful, require_every_link=contract_settings.base_url is None)


@pytest.mark.slow
def test_deep_pass(run_contract_for: Callable[..., ContractReport]) -> None:
    report = run_contract_for(
        API, "VINR deep", max_examples=DEEP_MAX_EXAMPLES, stateful_rounds=DEEP_STATEFUL_ROUNDS
    )
    assert report.ok, (
        f"deep contract run failed (seed {report.seed}):\n\n" + report.describe_failures()
    )
    assert report.total_cases >= DEEP_MIN_CASES, report.summary_table()
    check_stateful(report, require_every_link=True)
