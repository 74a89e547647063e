"""Schemathesis against every corpus document served by the generic plug-in.

Stateless (every check) and stateful (the document's links plus the links Schemathesis
infers) runs, with zero failures, each document with its own policy file
(``tests/generic/corpus/<name>/schemathesis.toml``, the reason beside each relaxation).
The default pass keeps a small budget (seconds per document: the examples and fuzzing
phases, short stateful scenarios); ``--contract-deep`` (``make contract``) adds the coverage
phase and ten times the examples.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mockserver.applications import ApiOptions, create_app
from mockserver.contract import ContractReport
from tests.generic.corpus_support import KEY, NAMES, OFFICIAL_VOUCHERIFY, policy_of, spec_of

#: The default pass: fast enough for `make test`.
QUICK = {"max_examples": 2, "phases": ["examples", "fuzzing", "stateful"], "stateful_examples": 8, "max_steps": 8}
#: The deep pass (`make contract`).
DEEP = {"max_examples": 10, "stateful_examples": 60}


def _run(run_contract_for: Callable[..., ContractReport], name: str, spec: Path, **budget: Any) -> ContractReport:
    app = create_app([ApiOptions("generic", spec=spec)], api_keys=[KEY])
    return run_contract_for(
        None, f"generic: {name}", spec=spec, app=app, api_key=KEY, policies=policy_of(name), base_url=None, **budget
    )


@pytest.mark.parametrize("name", NAMES)
def test_corpus_document_conforms(run_contract_for: Callable[..., ContractReport], name: str) -> None:
    report = _run(run_contract_for, name, spec_of(name), **QUICK)
    assert report.ok, report.describe_failures()
    assert report.total_cases > 0


@pytest.mark.slow
@pytest.mark.parametrize("name", NAMES)
def test_corpus_document_conforms_deep(run_contract_for: Callable[..., ContractReport], name: str) -> None:
    report = _run(run_contract_for, name, spec_of(name), **DEEP)
    assert report.ok, report.describe_failures()


@pytest.mark.slow
def test_official_voucherify_document_conforms(run_contract_for: Callable[..., ContractReport]) -> None:
    if not OFFICIAL_VOUCHERIFY.is_file():
        pytest.skip(f"the official Voucherify document is not at {OFFICIAL_VOUCHERIFY}")
    report = _run(run_contract_for, "voucherify-official", OFFICIAL_VOUCHERIFY, **QUICK)
    assert report.ok, report.describe_failures()
