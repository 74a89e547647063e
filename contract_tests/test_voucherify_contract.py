"""Voucherify's contract (its campaigns API as the mock serves it), checked by Schemathesis.

The same suite as ``test_vinr_contract.py``: stateless per operation, stateful links with
``use_after_free``, and the deep pass with ``--contract-deep``. Skipped, with the reason, while the
Voucherify plug-in or its spec (``openapi/voucherify.yaml``) is not there yet.
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

API = "voucherify"

pytestmark = pytest.mark.skipif(
    spec_of(API) is None, reason="the Voucherify plug-in is not there yet"
)


@pytest.fixture(scope="module")
def stateless(run_contract_for: Callable[..., ContractReport]) -> ContractReport:
    return run_contract_for(API, "Voucherify stateless", stateful=False)


@pytest.fixture(scope="module")
def stateful(run_contract_for: Callable[..., ContractReport]) -> ContractReport:
    return run_contract_for(API, "Voucherify stateful", stateless=False)


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
        API, "Voucherify deep", max_examples=DEEP_MAX_EXAMPLES, stateful_rounds=DEEP_STATEFUL_ROUNDS
    )
    assert report.ok, (
        f"deep contract run failed (seed {report.seed}):\n\n" + report.describe_failures()
    )
    # The >= 10,000 cases of `make contract` come from VINR's deep pass; this one adds to them.
    assert report.total_cases >= DEEP_MIN_CASES // 10, report.summary_table()
    check_stateful(report, require_every_link=True)
