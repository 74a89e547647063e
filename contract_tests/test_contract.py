"""Each API's contract, checked by Schemathesis against the mock (in-process by default).

* stateless: every operation, positive and negative data, every check (one test per operation,
  all from one run per API);
* stateful: the spec's links (create -> retrieve / update / delete for every resource) with
  ``use_after_free`` and ``ensure_resource_availability``;
* deep (``--contract-deep``, ``make contract``): both again with a budget of >= 10,000 cases.

An API whose plug-in or spec is not there is skipped with the reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Api:
    name: str
    title: str
    #: Cases the deep pass must reach. VINR's deep pass carries the >= 10,000 of `make contract`;
    #: Voucherify's (7 operations) adds to them.
    deep_min_cases: int


APIS = [Api("vinr", "VINR", DEEP_MIN_CASES), Api("voucherify", "Voucherify", DEEP_MIN_CASES // 10)]


def api_params() -> Iterator[object]:
    for api in APIS:
        missing = spec_of(api.name) is None
        marks = pytest.mark.skip(reason=f"the {api.title} plug-in is not there yet") if missing else ()
        yield pytest.param(api, id=api.name, marks=marks)


def operation_params() -> Iterator[object]:
    for api in APIS:
        if spec_of(api.name) is None:
            continue
        for operation_id in operation_ids(api.name):
            yield pytest.param(api, operation_id, id=f"{api.name}-{operation_id}")


@pytest.fixture(scope="module")
def stateless(run_contract_for: Callable[..., ContractReport]) -> Callable[[Api], ContractReport]:
    """One stateless run per API, shared by that API's tests."""
    reports: dict[str, ContractReport] = {}

    def report(api: Api) -> ContractReport:
        if api.name not in reports:
            reports[api.name] = run_contract_for(api.name, f"{api.title} stateless", stateful=False)
        return reports[api.name]

    return report


@pytest.mark.parametrize(("api", "operation_id"), list(operation_params()))
def test_operation_conforms(
    stateless: Callable[[Api], ContractReport], api: Api, operation_id: str
) -> None:
    check_operation(stateless(api), operation_id)


@pytest.mark.parametrize("api", list(api_params()))
def test_stateless_run_is_clean(stateless: Callable[[Api], ContractReport], api: Api) -> None:
    check_run(stateless(api))


@pytest.mark.parametrize("api", list(api_params()))
def test_links_and_use_after_free(
    run_contract_for: Callable[..., ContractReport], contract_settings: ContractSettings, api: Api
) -> None:
    report = run_contract_for(api.name, f"{api.title} stateful", stateless=False)
    # Against another server (no fixtures to start chains from) following every link is not guaranteed.
    check_stateful(report, require_every_link=contract_settings.base_url is None)


@pytest.mark.slow
@pytest.mark.parametrize("api", list(api_params()))
def test_deep_pass(run_contract_for: Callable[..., ContractReport], api: Api) -> None:
    report = run_contract_for(
        api.name,
        f"{api.title} deep",
        max_examples=DEEP_MAX_EXAMPLES,
        stateful_rounds=DEEP_STATEFUL_ROUNDS,
    )
    assert report.ok, (
        f"deep contract run failed (seed {report.seed}):\n\n" + report.describe_failures()
    )
    assert report.total_cases >= api.deep_min_cases, report.summary_table()
    check_stateful(report, require_every_link=True)
