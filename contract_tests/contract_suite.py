"""The contract suite for one API, shared by ``test_<api>_contract.py`` (not a test module itself)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from mockserver.contract import ContractReport, operation_labels
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import api_class, load_document

#: The deep pass (``--contract-deep``, ``make contract``): examples per operation, and stateful
#: runs from as many consecutive seeds. Well over 10,000 generated cases for VINR alone.
DEEP_MAX_EXAMPLES = 300
DEEP_STATEFUL_ROUNDS = 4
DEEP_MIN_CASES = 10_000


@dataclass(frozen=True)
class ContractSettings:
    """The session's contract options (see ``conftest.py``)."""

    seed: int
    max_examples: int
    base_url: str | None
    api_key: str | None
    deep: bool


def spec_of(api: str) -> Path | None:
    """The API's spec, or ``None`` while the API (its plug-in or its spec) is not there yet."""
    try:
        path = Path(api_class(api).spec_path)
    except (ImportError, AttributeError, ConfigurationError):
        return None
    return path if path.is_file() else None


def operation_ids(api: str) -> list[str]:
    spec = spec_of(api)
    if spec is None:
        return []
    return [op for op in operation_labels(load_document(spec)).values() if op]


def check_operation(report: ContractReport, operation_id: str) -> None:
    """The operation was exercised and no check failed on it."""
    stats = report.stats_for(operation_id)
    failures = report.failures_for(stats.label)
    assert not failures, (
        f"{len(failures)} contract failure(s) on {stats.label} ({operation_id}), "
        f"seed {report.seed}:\n\n" + report.describe_failures(failures)
    )
    assert stats.cases > 0, f"{stats.label} ({operation_id}) was never exercised"


def check_run(report: ContractReport) -> None:
    """Nothing went wrong outside a single operation: errors, mock violations, run-level checks."""
    problems = report.errors + [f"mock violation: {v}" for v in report.violations]
    stray = [f for f in report.failures if f.operation not in report.operations]
    assert not problems and not stray, "\n\n".join(
        problems + [report.describe_failures(stray)] if stray else problems
    )


def check_stateful(report: ContractReport, *, require_every_link: bool) -> None:
    """The stateful pass passed and walked the links: create -> retrieve / update / delete."""
    assert report.ok, (
        f"stateful contract run failed (seed {report.seed}):\n\n" + report.describe_failures()
    )
    if not report.links_declared:
        pytest.skip("the spec declares no OpenAPI links")
    missing = [link for link in report.links_declared if not report.links_followed.get(link)]
    if require_every_link:
        assert not missing, (
            f"the stateful pass never followed {len(missing)} declared link(s) (seed {report.seed}): "
            + "; ".join(missing)
        )
        assert report.use_after_free_probes > 0, "no resource was read back after its deletion"
