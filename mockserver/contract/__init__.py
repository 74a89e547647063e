"""Contract checks: run Schemathesis against a mock API (in-process) or any live base URL.

This is the one runner behind both the pytest suite in ``contract_tests/`` and the
``mockserver contract`` command. It is generic: it knows OpenAPI documents, the
engine's plug-in registry (to find an API's default spec and to build the mock
in-process) and the mock's admin API, never a particular API.

>>> report = run_contract(api="vinr")                                  # the mock, in-process
>>> report = run_contract(api="vinr", base_url="http://127.0.0.1:8000", api_key="sk_test_1")
>>> report.print_summary()
>>> report.ok
True

What runs (Schemathesis 4, its own engine, every built-in check enabled):

* **stateless**: the ``examples``, ``coverage`` and ``fuzzing`` phases over every operation,
  positive and negative data;
* **stateful**: the ``stateful`` phase, which follows the spec's OpenAPI links
  (create -> retrieve / update / delete) and so exercises ``use_after_free`` and
  ``ensure_resource_availability``.

The two passes run one after the other, each on a freshly reset mock (``app.mock.reset()``
in-process, ``POST /__admin/reset`` when the base URL is the mock; nothing against another
server). Generation is derandomized from ``seed``: the same seed replays the same run.

Per-API deviations from Schemathesis' defaults (a check known to be a false positive for an
API, always with its reason) live in each API package's ``schemathesis.toml``
(:attr:`MockAPI.contract_policy`), one ``[[project]]`` per spec title; the report lists the
ones in force.

The package, one module per part, each importing only the ones before it:
:mod:`.report` (what a run found, its summary and JUnit XML), :mod:`.config` (the policy files
and the Schemathesis configuration built from a spec), :mod:`.target` (the in-process app or
live URL requests go to), :mod:`.engine` (one Schemathesis pass and its hooks) and
:mod:`.runner` (:func:`run_contract`, the passes and rounds).
"""

from __future__ import annotations

from mockserver.contract.config import credential_headers as credential_headers
from mockserver.contract.config import declared_links as declared_links
from mockserver.contract.config import link_operations as link_operations
from mockserver.contract.config import operation_labels as operation_labels
from mockserver.contract.report import ContractFailure, ContractReport, OperationStats
from mockserver.contract.runner import (
    DEFAULT_API_KEY,
    DEFAULT_MAX_EXAMPLES,
    DEFAULT_SEED,
    run_contract,
)

__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_SEED",
    "ContractFailure",
    "ContractReport",
    "OperationStats",
    "run_contract",
]
