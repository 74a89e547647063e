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
"""

from __future__ import annotations

import copy
import itertools
import re
import sys
import threading
import time
import tomllib
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit
from xml.etree import ElementTree

from mockserver.exceptions import ConfigurationError
from mockserver.plugins import api_class, available_apis, load_document
from mockserver.spec import Document

#: Seed used when none is given: CI runs are reproducible, ``--seed`` explores elsewhere.
DEFAULT_SEED = 20261101
#: Hypothesis examples per operation (fuzzing) and scenarios (stateful) in the default pass.
DEFAULT_MAX_EXAMPLES = 25
#: The credential sent by default (the in-process mock is started accepting only this key).
DEFAULT_API_KEY = "sk_test_contract"
#: The admin token sent to a live mock's ``/__admin`` by default (a mock started without
#: ``--admin-token`` accepts any).
DEFAULT_ADMIN_TOKEN = "admin"
#: Stateful scenarios per Hypothesis example budget: a scenario is a handful of requests.
STATEFUL_SCENARIOS_PER_EXAMPLE = 4
#: Stateful rounds at most (seed, seed + 1, ...) while a declared link was never followed: on a
#: loaded machine Hypothesis's state machine gives up on some seeds sooner (a CI run once missed one link after 4).
STATEFUL_ROUNDS = 8
#: Longest stateful scenario: long enough for create -> update -> delete -> read after delete.
DEFAULT_MAX_STEPS = 12
#: Base URL shown in reproduction commands of in-process runs: where ``make serve`` listens.
DEFAULT_REPRO_BASE_URL = "http://127.0.0.1:8000"

STATELESS_PHASES = ("examples", "coverage", "fuzzing")
STATEFUL_PHASES = ("stateful",)
#: The header conventionally carrying an idempotency key (IETF draft, Stripe).
STANDARD_IDEMPOTENCY_HEADER = "Idempotency-Key"

_ASGI_BASE = "http://testserver"
_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


# -- the report ------------------------------------------------------------------------------


@dataclass
class OperationStats:
    """What one operation went through."""

    label: str
    operation_id: str | None = None
    stateless_cases: int = 0
    stateful_cases: int = 0
    failures: int = 0

    @property
    def cases(self) -> int:
        return self.stateless_cases + self.stateful_cases


@dataclass
class ContractFailure:
    """One distinct failure, as Schemathesis reported it, with a curl reproduction."""

    operation: str
    checks: list[str]
    codes: list[str]
    title: str
    text: str
    curl: str | None
    status: int | None
    phase: str

    def headline(self) -> str:
        return f"{self.operation}: {', '.join(self.checks)} - {self.title}"


@dataclass
class ContractReport:
    """The outcome of :func:`run_contract`."""

    api: str | None
    spec: Path
    target: str
    seed: int
    max_examples: int
    stateful: bool
    operations: dict[str, OperationStats] = field(default_factory=dict)
    failures: list[ContractFailure] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    #: Responses the in-process mock itself found to break the contract (``app.mock.violations()``).
    violations: list[str] = field(default_factory=list)
    #: OpenAPI links followed in the stateful pass, by link, and the links the spec declares.
    links_followed: Counter[str] = field(default_factory=Counter)
    links_declared: list[str] = field(default_factory=list)
    #: Reads of a just-deleted resource that answered 404 (``use_after_free`` at work).
    use_after_free_probes: int = 0
    #: Deviations from the defaults in force, and other things worth knowing.
    notes: list[str] = field(default_factory=list)
    elapsed: float = 0.0
    junit_xml: Path | None = None

    @property
    def total_cases(self) -> int:
        return sum(op.cases for op in self.operations.values())

    @property
    def ok(self) -> bool:
        return not (self.failures or self.errors or self.violations)

    def failures_for(self, label: str) -> list[ContractFailure]:
        return [f for f in self.failures if f.operation == label]

    def stats_for(self, operation_id: str) -> OperationStats:
        for stats in self.operations.values():
            if stats.operation_id == operation_id:
                return stats
        raise KeyError(operation_id)

    # -- rendering -----------------------------------------------------------------------

    def describe_failures(self, failures: Iterable[ContractFailure] | None = None) -> str:
        """Every failure in full (checks, response, curl), then errors and mock violations."""
        chosen = self.failures if failures is None else list(failures)
        blocks = []
        for index, failure in enumerate(chosen, 1):
            blocks.append(
                f"{index}. {failure.operation} [{failure.phase}] "
                f"check: {', '.join(failure.checks)}\n{failure.text}"
            )
        if failures is None:
            blocks += [f"ERROR: {error}" for error in self.errors]
            blocks += [f"MOCK VIOLATION: {violation}" for violation in self.violations]
        return "\n\n".join(blocks)

    def summary_table(self) -> str:
        width = max([len(self._row_name(op)) for op in self.operations.values()] + [9])
        lines = [
            f"{'Operation'.ljust(width)}  {'stateless':>9}  {'stateful':>8}  {'cases':>6}  {'failures':>8}",
        ]
        for op in sorted(self.operations.values(), key=lambda o: _label_key(o.label)):
            lines.append(
                f"{self._row_name(op).ljust(width)}  {op.stateless_cases:>9}  {op.stateful_cases:>8}"
                f"  {op.cases:>6}  {op.failures:>8}"
            )
        total_stateless = sum(o.stateless_cases for o in self.operations.values())
        total_stateful = sum(o.stateful_cases for o in self.operations.values())
        total_failures = len(self.failures)
        lines.append(
            f"{'Total'.ljust(width)}  {total_stateless:>9}  {total_stateful:>8}  {self.total_cases:>6}"
            f"  {total_failures:>8}"
        )
        return "\n".join(lines)

    @staticmethod
    def _row_name(op: OperationStats) -> str:
        return f"{op.label} ({op.operation_id})" if op.operation_id else op.label

    def print_summary(self, file: IO[str] | None = None) -> None:
        """Failures in full, then a table of cases and failures per operation, then the verdict."""
        out = file or sys.stdout
        if self.failures or self.errors or self.violations:
            print("\n" + "=" * 30 + " FAILURES " + "=" * 30, file=out)
            print(self.describe_failures(), file=out)
        print("\n" + "=" * 30 + " SUMMARY " + "=" * 31, file=out)
        print(f"API: {self.api or '-'}   spec: {self.spec}   target: {self.target}", file=out)
        print(self.summary_table(), file=out)
        if self.stateful:
            followed = sum(1 for link in self.links_declared if self.links_followed.get(link))
            print(
                f"Links followed: {followed}/{len(self.links_declared)} "
                f"({sum(self.links_followed.values())} transitions); "
                f"use-after-free probes answered 404: {self.use_after_free_probes}",
                file=out,
            )
            missing = [link for link in self.links_declared if not self.links_followed.get(link)]
            if missing:
                print("Links never followed: " + "; ".join(missing), file=out)
        for note in self.notes:
            print(f"Note: {note}", file=out)
        if self.junit_xml is not None:
            print(f"JUnit XML: {self.junit_xml}", file=out)
        verdict = "PASSED" if self.ok else "FAILED"
        problems = []
        if self.failures:
            problems.append(f"{len(self.failures)} failure(s)")
        if self.errors:
            problems.append(f"{len(self.errors)} error(s)")
        if self.violations:
            problems.append(f"{len(self.violations)} mock violation(s)")
        detail = f" ({', '.join(problems)})" if problems else ""
        print(
            f"{verdict}{detail}: {self.total_cases} cases in {self.elapsed:.1f}s; "
            f"seed {self.seed} (rerun with --seed {self.seed}), max examples {self.max_examples}",
            file=out,
        )

    def write_junit(self, path: str | Path) -> Path:
        """One test case per operation (its failures as ``<failure>``), plus run-level errors."""
        path = Path(path)
        cases = []
        for op in sorted(self.operations.values(), key=lambda o: _label_key(o.label)):
            cases.append((self._row_name(op), op.cases, self.failures_for(op.label)))
        other = sorted({f.operation for f in self.failures} - set(self.operations))
        for label in other:
            cases.append((label, 0, self.failures_for(label)))
        errors = self.errors + [f"mock violation: {v}" for v in self.violations]
        n_failed = sum(1 for _, _, failures in cases if failures)
        counts = {
            "tests": str(len(cases) + (1 if errors else 0)),
            "failures": str(n_failed),
            "errors": str(1 if errors else 0),
            "skipped": "0",
        }
        suites = ElementTree.Element("testsuites", {**counts, "time": f"{self.elapsed:.3f}"})
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            {
                "name": f"contract.{self.api or self.spec.stem}",
                **counts,
                "time": f"{self.elapsed:.3f}",
            },
        )
        for name, n_cases, failures in cases:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                {"classname": f"contract.{self.api or self.spec.stem}", "name": name},
            )
            for failure in failures:
                element = ElementTree.SubElement(
                    case, "failure", {"type": ",".join(failure.checks), "message": failure.title}
                )
                element.text = _xml_safe(failure.text)
            ElementTree.SubElement(case, "system-out").text = f"{n_cases} cases"
        if errors:
            case = ElementTree.SubElement(
                suite,
                "testcase",
                {"classname": f"contract.{self.api or self.spec.stem}", "name": "run"},
            )
            for error in errors:
                ElementTree.SubElement(
                    case, "error", {"message": error.splitlines()[0][:200]}
                ).text = _xml_safe(error)
        ElementTree.indent(suites)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            '<?xml version="1.0" encoding="utf-8"?>\n'
            + ElementTree.tostring(suites, encoding="unicode"),
            encoding="utf-8",
        )
        self.junit_xml = path
        return path


# -- running ---------------------------------------------------------------------------------


def resolve_spec(api: str | None, spec: str | Path | None) -> Path:
    """The spec to test: ``spec`` if given, else the registered API's default document."""
    if spec is not None:
        path = Path(spec)
        if not path.is_file():
            raise ConfigurationError(f"spec {path} does not exist")
        return path
    if api is None:
        raise ConfigurationError("give an API name or a spec path")
    return Path(api_class(api).spec_path)


def run_contract(
    *,
    api: str | None = None,
    spec: str | Path | None = None,
    base_url: str | None = None,
    app: Any | None = None,
    api_key: str | None = None,
    max_examples: int = DEFAULT_MAX_EXAMPLES,
    seed: int | None = None,
    stateless: bool = True,
    stateful: bool = True,
    operations: Sequence[str] | None = None,
    phases: Sequence[str] | None = None,
    max_steps: int | None = DEFAULT_MAX_STEPS,
    stateful_examples: int | None = None,
    stateful_rounds: int = 1,
    junit_xml: str | Path | None = None,
    progress: Callable[[str], None] | None = None,
    reset: bool = True,
    repro_base_url: str = DEFAULT_REPRO_BASE_URL,
    request_timeout: float = 10.0,
    admin_token: str | None = None,
    policies: Sequence[Path] | None = None,
) -> ContractReport:
    """Run the contract checks and return what they found.

    ``api``: a name from :func:`mockserver.plugins.available_apis` (default spec, in-process mock);
    ``spec``: an OpenAPI document to use instead of the API's own.
    Target: ``base_url`` (any live server), else ``app`` (an ASGI app, tested in-process), else a
    fresh in-process mock of ``api`` accepting only ``api_key``.
    ``api_key``: the credential sent for every security scheme of the spec (default
    :data:`DEFAULT_API_KEY`); ``ignored_auth`` still probes without it and with a wrong one.
    ``operations``: restrict the stateless pass to these operationIds.
    ``phases``: restrict to these Schemathesis phases (default: all that ``stateless``/``stateful``
    select). ``max_steps``: the longest stateful scenario; ``stateful_examples``: how many
    scenarios (default ``STATEFUL_SCENARIOS_PER_EXAMPLE * max_examples``);
    ``stateful_rounds``: how many stateful runs at least, from ``seed``, ``seed + 1``... (more
    happen, up to :data:`STATEFUL_ROUNDS`, while a declared link was never followed).
    ``admin_token``: the bearer token for a live mock's admin API (health, reset; default
    :data:`DEFAULT_ADMIN_TOKEN`).
    ``policies``: where to look for the spec's ``[[project]]`` policy (default: the
    installed APIs' own, :func:`policy_files`).
    """
    started = time.perf_counter()
    seed = DEFAULT_SEED if seed is None else seed
    spec_path = resolve_spec(api, spec)
    raw_spec = load_document(spec_path)
    key = api_key or DEFAULT_API_KEY
    say = progress or (lambda _message: None)

    if base_url is None and app is None:
        if api is None:
            raise ConfigurationError("an in-process run needs an API name (or pass app=...)")
        from mockserver.applications import ApiOptions, create_app

        app = create_app([ApiOptions(name=api, spec=Path(spec) if spec else None)], api_keys=[key])
    target = Target(
        app=app,
        base_url=base_url.rstrip("/") if base_url else None,
        api=api,
        timeout=request_timeout,
        admin_token=admin_token or DEFAULT_ADMIN_TOKEN,
    )
    if target.base_url is not None:
        from mockserver.preflight import check_target

        # one refusal in one line, rather than every case failing against the wrong server
        check_target(
            target.base_url,
            raw_spec,
            api,
            own_spec=spec is None,
            admin_token=target.admin_token,
            timeout=request_timeout,
        )

    report = ContractReport(
        api=api,
        spec=spec_path,
        target=target.describe(),
        seed=seed,
        max_examples=max_examples,
        stateful=stateful and (phases is None or "stateful" in phases),
    )
    report.links_declared = declared_links(raw_spec)
    labels = operation_labels(raw_spec)
    selected = set(operations) if operations else None
    for label, operation_id in labels.items():
        if selected is None or operation_id in selected:
            report.operations[label] = OperationStats(label=label, operation_id=operation_id)
    if selected:
        unknown = selected - set(labels.values())
        if unknown:
            raise ConfigurationError(
                f"no operation with id {', '.join(sorted(unknown))} in {spec_path}"
            )

    policy = load_policy(raw_spec, policies)
    report.notes += policy.notes
    violations_before = len(target.violations())
    is_mock = target.is_mock()
    accepts_any_key = is_mock and target.base_url is not None and target.accepts_any_key(raw_spec)
    if accepts_any_key:
        report.notes.append(
            "the target is the mock started without --api-key, so it accepts any key by design "
            "(documented in the spec): ignored_auth still requires a 401 without credentials, "
            "but its wrong-key probe does not count. Start the mock with --api-key to check it too."
        )
    if not is_mock and reset:
        report.notes.append("the target is not the mock: no state reset between passes")
    if not is_mock and target.admin_refused:
        report.notes.append(
            "the target's /__admin refused the admin token (401): if it is the mock, pass its "
            "--admin-token so that state is reset between passes"
        )

    passes: list[tuple[str, tuple[str, ...]]] = []
    wanted = set(phases) if phases is not None else None
    unknown_phases = (wanted or set()) - set(STATELESS_PHASES) - set(STATEFUL_PHASES)
    if unknown_phases:
        raise ConfigurationError(f"unknown phase(s): {', '.join(sorted(unknown_phases))}")
    if stateless:
        chosen = tuple(p for p in STATELESS_PHASES if wanted is None or p in wanted)
        if chosen:
            passes.append(("stateless", chosen))
    if stateful and (wanted is None or "stateful" in wanted):
        passes.append(("stateful", STATEFUL_PHASES))

    idempotency_header = _idempotency_header(api, raw_spec)
    say(
        f"contract: {api or spec_path.stem} ({spec_path}) against {target.describe()}; seed {seed}, "
        f"max examples {max_examples}, passes: {', '.join(name for name, _ in passes) or 'none'}"
    )
    wrong_key_accepted = 0
    for pass_name, pass_phases in passes:
        # The stateful pass goes round again, from the next seed, while some declared link was
        # never followed (Schemathesis' state machine sometimes gives up early on a seed).
        rounds = 1
        if pass_name == "stateful":
            rounds = max(stateful_rounds, STATEFUL_ROUNDS if report.links_declared else 1)
        for round_index in range(rounds):
            if reset and is_mock:
                target.reset()
            round_seed = seed + round_index
            config = build_config(
                raw_spec=raw_spec,
                policy=policy,
                key=key,
                seed=round_seed,
                max_examples=max_examples,
                phases=pass_phases,
                base_url=target.schemathesis_base_url(),
                max_steps=max_steps,
                stateful_examples=stateful_examples
                or STATEFUL_SCENARIOS_PER_EXAMPLE * max_examples,
                request_timeout=request_timeout,
            )
            state = _RunState(
                idempotency_header=idempotency_header,
                drop_wrong_key_auth_failures=accepts_any_key,
            )
            if round_index:
                say(f"[{pass_name}] round {round_index + 1} (seed {round_seed})")
            _execute(
                report,
                raw_spec=raw_spec,
                spec_path=spec_path,
                config=config,
                app=target.app if target.base_url is None else None,
                operations=operations if pass_name == "stateless" else link_operations(raw_spec),
                pass_name=pass_name,
                state=state,
                say=say,
            )
            wrong_key_accepted += state.dropped_wrong_key_failures
            unfollowed = [
                link for link in report.links_declared if not report.links_followed.get(link)
            ]
            enough = round_index + 1 >= stateful_rounds and not unfollowed
            if pass_name != "stateful" or enough or report.failures or report.errors:
                if round_index:
                    report.notes.append(
                        f"stateful: {round_index + 1} rounds, seeds {seed}..{round_seed}"
                    )
                break
        else:
            if pass_name == "stateful":
                report.notes.append(f"stateful: {rounds} rounds, seeds {seed}..{seed + rounds - 1}")

    if wrong_key_accepted:
        report.notes.append(
            f"{wrong_key_accepted} wrong-key ignored_auth probe(s) answered 2xx, as expected from "
            "the mock without --api-key"
        )
    for label, stats in report.operations.items():
        if stats.cases == 0 and stateless and (wanted is None or wanted & set(STATELESS_PHASES)):
            report.errors.append(f"{label}: no test case was run against this operation")
    report.violations = [_describe_violation(v) for v in target.violations()[violations_before:]]
    for failure in report.failures:
        if failure.operation in report.operations:
            report.operations[failure.operation].failures += 1
    report.failures.sort(key=lambda f: (_label_key(f.operation), f.phase, f.title))
    report.notes = list(dict.fromkeys(report.notes))
    report.elapsed = time.perf_counter() - started
    if target.base_url is None:
        _rewrite_reproductions(
            report, _ASGI_BASE + target.base_path(), repro_base_url + target.base_path()
        )
    elif api_key:
        _redact_key(report, api_key)
    if junit_xml is not None:
        report.write_junit(junit_xml)
    return report


# -- configuration ---------------------------------------------------------------------------


@dataclass
class Policy:
    """Check configuration for one spec, read from the ``[[project]]`` matching its title."""

    project: dict[str, Any]
    notes: list[str]
    #: The ``[dictionaries.*]`` tables the project's parameter bindings name.
    dictionaries: dict[str, Any] = field(default_factory=dict)
    #: The file it came from (relative paths in it are relative to its folder).
    path: Path | None = None


def policy_files() -> list[Path]:
    """The contract-check policy of every installed API that ships one."""
    files = []
    for name in sorted(available_apis()):
        try:
            policy = api_class(name).contract_policy
        except ConfigurationError:
            continue
        if policy is not None:
            files.append(Path(policy))
    return files


def load_policy(raw_spec: Mapping[str, Any], paths: Iterable[Path] | None = None) -> Policy:
    """The ``[[project]]`` block whose ``title`` is the spec's title, from the APIs' policy files."""
    title = raw_spec.get("info", {}).get("title")
    for path in policy_files() if paths is None else paths:
        policy = _policy_in(path, title)
        if policy is not None:
            return policy
    return Policy({}, [])


def _policy_in(path: Path, title: Any) -> Policy | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    for project in data.get("project", []):
        if project.get("title") == title:
            project = {k: v for k, v in project.items() if k != "title"}
            notes = [
                f"{path.name} [{title}] {line}"
                for line in _describe_checks(project.get("checks", {}))
            ]
            used = set(re.findall(r"'dictionary': '([^']+)'", repr(project)))
            dictionaries = {k: v for k, v in data.get("dictionaries", {}).items() if k in used}
            if dictionaries:
                notes.append(
                    f"{path.name} [{title}] generation also draws from: {', '.join(sorted(dictionaries))}"
                )
            return Policy(project, notes, dictionaries, path)
    return None


def _describe_checks(checks: Mapping[str, Any]) -> list[str]:
    lines = []
    for name, value in checks.items():
        if not isinstance(value, Mapping):
            continue
        if value.get("enabled") is False:
            lines.append(f"check {name} disabled")
        if "expected-statuses" in value:
            lines.append(f"check {name} expects {', '.join(map(str, value['expected-statuses']))}")
    return lines


def build_config(
    *,
    raw_spec: Mapping[str, Any],
    policy: Policy,
    key: str,
    seed: int,
    max_examples: int,
    phases: Sequence[str],
    base_url: str | None,
    max_steps: int | None,
    stateful_examples: int,
    request_timeout: float,
) -> Any:
    """A validated Schemathesis configuration for one pass."""
    from schemathesis.config import SchemathesisConfig

    stateful: dict[str, Any] = {
        "enabled": "stateful" in phases,
        # Chains only grow from successful responses: feed them valid data. (Negative data is
        # the stateless pass's job; the links' targets still get invalid ids and bodies there.)
        "generation": {"mode": "positive", "max-examples": stateful_examples},
    }
    if max_steps is not None:
        stateful["max-steps"] = max_steps
    policy_project = dict(policy.project)
    if "stateful" in phases and "operations" in policy_project:
        # Stateful chains take ids from responses (links). Dictionary ids there would only let
        # inferred links act on fixture objects (delete the fixture campaign every coupon needs).
        policy_project["operations"] = [
            {
                **block,
                "parameters": {
                    key: value
                    for key, value in block.get("parameters", {}).items()
                    if not key.startswith("path.")
                },
            }
            for block in policy_project["operations"]
        ]
    project: dict[str, Any] = {
        **policy_project,
        "workers": 1,
        "request-timeout": request_timeout,
        "generation": {
            **policy_project.get("generation", {}),
            "mode": "all",
            "max-examples": max_examples,
            "deterministic": True,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": "examples" in phases},
            "coverage": {"enabled": "coverage" in phases},
            "fuzzing": {"enabled": "fuzzing" in phases},
            "stateful": stateful,
        },
    }
    auth = auth_config(raw_spec, key)
    if auth:
        project["auth"] = {"openapi": auth}
    if base_url is not None:
        project["base-url"] = base_url
    data = {
        **project,
        "seed": seed,
        "color": False,
        # No cross-run learning: the same seed must give the same run, on any machine.
        "cache": {"enabled": False},
        # Our own code redacts a user-given key; the rest (idempotency keys...) must stay as sent.
        "output": {"sanitization": {"enabled": False}},
    }
    if policy.dictionaries:
        data["dictionaries"] = policy.dictionaries
    base_dir = policy.path.parent if policy.path is not None else Path.cwd()
    return SchemathesisConfig.from_dict(data, base_dir=str(base_dir))


def auth_config(raw_spec: Mapping[str, Any], key: str) -> dict[str, dict[str, str]]:
    """Credentials for every security scheme of the spec Schemathesis can fill in with ``key``."""
    auth: dict[str, dict[str, str]] = {}
    for name, scheme in raw_spec.get("components", {}).get("securitySchemes", {}).items():
        kind = scheme.get("type")
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            auth[name] = {"bearer": key}
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            auth[name] = {"username": key, "password": key}
        elif kind == "apiKey":
            auth[name] = {"api_key": key}
    return auth


def credential_headers(raw_spec: Mapping[str, Any], key: str) -> dict[str, str]:
    """Headers satisfying the spec's first global security requirement that headers can satisfy."""
    schemes = raw_spec.get("components", {}).get("securitySchemes", {})
    for requirement in raw_spec.get("security", []):
        headers: dict[str, str] = {}
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                headers["Authorization"] = f"Bearer {key}"
            elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                headers[scheme["name"]] = key
            else:
                break
        else:
            if headers:
                return headers
    return {}


def operation_labels(raw_spec: Mapping[str, Any] | Document) -> dict[str, str | None]:
    """``"GET /v1/things/{id}"`` -> operationId, for every operation of the spec, in order."""
    return {op.label: op.id for op in _document(raw_spec).operations}


def declared_links(raw_spec: Mapping[str, Any] | Document) -> list[str]:
    """Every OpenAPI link, named the way Schemathesis names transitions."""
    document = _document(raw_spec)
    links = []
    for op in document.operations:
        for status, response in op.responses.items():
            for name, link in response.links.items():
                target = document.by_id.get(link.operation_id or "")
                if target is not None:
                    links.append(f"{op.label} -> [{status}] {name} -> {target.label}")
    return links


def link_operations(raw_spec: Mapping[str, Any] | Document) -> list[str] | None:
    """operationIds that are the source or the target of an OpenAPI link (``None``: no links)."""
    ids: set[str] = set()
    for op in _document(raw_spec).operations:
        for response in op.responses.values():
            for link in response.links.values():
                if link.operation_id and op.id:
                    ids.update((link.operation_id, op.id))
    return sorted(ids) or None


def _document(raw_spec: Mapping[str, Any] | Document) -> Document:
    return raw_spec if isinstance(raw_spec, Document) else Document.from_dict(raw_spec)


def _idempotency_header(api: str | None, raw_spec: Mapping[str, Any]) -> str | None:
    """The request header carrying idempotency keys, if the API has one."""
    if api is not None:
        try:
            from mockserver.plugins import api_class

            header = api_class(api).idempotency_header
        except (ConfigurationError, ImportError):
            header = None
        if header:
            return header
    wanted = STANDARD_IDEMPOTENCY_HEADER.lower()
    for op in _document(raw_spec).operations:
        for parameter in op.parameters_in("header"):
            if parameter.name.lower() == wanted:
                return parameter.name
    return None


# -- the target ------------------------------------------------------------------------------


@dataclass
class Target:
    """Where requests go: an in-process ASGI app or a base URL."""

    app: Any | None
    base_url: str | None
    api: str | None
    timeout: float = 10.0
    #: Bearer token for a live mock's admin API.
    admin_token: str = DEFAULT_ADMIN_TOKEN
    #: The admin API answered 401 to ``admin_token``.
    admin_refused: bool = field(default=False, init=False)
    _admin: Mapping[str, Any] | None = field(default=None, init=False)
    _admin_checked: bool = field(default=False, init=False)

    def describe(self) -> str:
        if self.base_url is not None:
            return self.base_url
        return f"in-process ASGI app ({_ASGI_BASE}{self.base_path() or '/'})"

    def mock(self) -> Any | None:
        return getattr(self.app, "mock", None) if self.base_url is None else None

    def base_path(self) -> str:
        mock = self.mock()
        if mock is None:
            return ""
        for runtime in mock.runtimes:
            if self.api is None or runtime.api.name == self.api:
                return str(runtime.base_path)
        return ""

    def schemathesis_base_url(self) -> str | None:
        if self.base_url is not None:
            return self.base_url
        path = self.base_path()
        return f"{_ASGI_BASE}{path}" if path else None

    def violations(self) -> list[Any]:
        mock = self.mock()
        return list(mock.violations()) if mock is not None else []

    # Live targets: is it the mock (its admin API answers)?

    def _origin(self) -> str:
        assert self.base_url is not None
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def admin_health(self) -> Mapping[str, Any] | None:
        if self.base_url is None or self._admin_checked:
            return self._admin
        self._admin_checked = True
        import requests

        try:
            response = requests.get(
                self._origin() + "/__admin/health",
                headers=self._admin_headers(),
                timeout=self.timeout,
            )
            self.admin_refused = response.status_code == 401
            payload = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError):
            payload = None
        if isinstance(payload, Mapping) and isinstance(payload.get("apis"), list):
            self._admin = payload
        return self._admin

    def _admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def is_mock(self) -> bool:
        if self.base_url is None:
            return self.mock() is not None
        return self.admin_health() is not None

    def reset(self) -> None:
        """Back to the fixtures; a no-op against anything but the mock."""
        mock = self.mock()
        if mock is not None:
            if self.api is not None and any(r.api.name == self.api for r in mock.runtimes):
                mock.reset(self.api)
            else:
                mock.reset()
            return
        health = self.admin_health()
        if health is None:
            return
        import requests

        mounted = {
            entry.get("api") for entry in health.get("apis", []) if isinstance(entry, Mapping)
        }
        query = f"?api={self.api}" if self.api in mounted else ""
        try:
            requests.post(
                self._origin() + "/__admin/reset" + query,
                headers=self._admin_headers(),
                timeout=self.timeout,
            )
        except requests.RequestException:
            pass

    def accepts_any_key(self, raw_spec: Mapping[str, Any]) -> bool:
        """Whether a secured read succeeds with a random key (the mock without --api-key)."""
        assert self.base_url is not None
        probe = _probe_operation(raw_spec)
        headers = credential_headers(raw_spec, "sk_contract_probe_" + uuid.uuid4().hex)
        if probe is None or not headers:
            return False
        import requests

        try:
            response = requests.get(self.base_url + probe, headers=headers, timeout=self.timeout)
        except requests.RequestException:
            return False
        return 200 <= response.status_code < 300


def _probe_operation(raw_spec: Mapping[str, Any]) -> str | None:
    """A GET path without parameters that requires authentication, if the spec has one."""
    for op in _document(raw_spec).operations:
        if op.method != "get" or "{" in op.path:
            continue
        if op.requires_auth and not any(p.required for p in op.parameters):
            return op.path
    return None


# -- the engine ------------------------------------------------------------------------------


@dataclass
class _RunState:
    """What the hooks need to know about the run in progress."""

    idempotency_header: str | None
    drop_wrong_key_auth_failures: bool
    nonce: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    counter: Iterator[int] = field(default_factory=itertools.count)
    dropped_wrong_key_failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fresh_key(self) -> str:
        with self.lock:
            return f"contract-{self.nonce}-{next(self.counter)}"


_ACTIVE: _RunState | None = None
_HOOKS_INSTALLED = False
_RUN_LOCK = threading.Lock()


def _install_hooks() -> None:
    """Register our ``before_call`` hook once; it is inert unless a contract run is in progress."""
    global _HOOKS_INSTALLED
    if _HOOKS_INSTALLED:
        return
    import schemathesis

    @schemathesis.hook("before_call")
    def _mockserver_contract_before_call(context: Any, case: Any, kwargs: Any) -> None:
        state = _ACTIVE
        if state is not None:
            _fresh_idempotency_key(state, case)

    _HOOKS_INSTALLED = True


def _fresh_idempotency_key(state: _RunState, case: Any) -> None:
    """Give every schema-valid idempotency key a value never used before.

    Schemathesis draws header values from a small space (often the spec's example), so two
    scenarios would share a key: the second create then *replays* the first one's response,
    which is correct idempotency but makes ``ensure_resource_availability`` and
    ``use_after_free`` see an object deleted in an earlier scenario. Keys the generator made
    invalid on purpose (negative cases) are left alone.
    """
    from schemathesis.core.parameters import ParameterLocation

    name = state.idempotency_header
    headers = case.headers
    if not name or not headers:
        return
    for existing in list(headers):
        if existing.lower() != name.lower():
            continue
        value = headers[existing]
        meta = case.meta
        negative = meta is not None and meta.is_negative_at(ParameterLocation.HEADER)
        if isinstance(value, str) and 1 <= len(value) <= 255 and not negative:
            headers[existing] = state.fresh_key()


def _drop_wrong_key_failure(state: _RunState) -> Callable[..., bool]:
    def filter_failure(context: Any, failure: Any, case: Any, response: Any) -> bool:
        from schemathesis.openapi.checks import AuthScenario, IgnoredAuth

        if (
            state.drop_wrong_key_auth_failures
            and isinstance(failure, IgnoredAuth)
            and failure.scenario in (AuthScenario.INVALID_AUTH, AuthScenario.GENERATED_AUTH)
        ):
            state.dropped_wrong_key_failures += 1
            return False
        return True

    return filter_failure


def _execute(
    report: ContractReport,
    *,
    raw_spec: dict[str, Any],
    spec_path: Path,
    config: Any,
    app: Any | None,
    operations: Sequence[str] | None,
    pass_name: str,
    state: _RunState,
    say: Callable[[str], None],
) -> None:
    global _ACTIVE
    import schemathesis
    from schemathesis.config import OutputConfig
    from schemathesis.engine import Status, events, from_schema
    from schemathesis.engine.statistic import Statistic

    _install_hooks()
    schema: Any = schemathesis.openapi.from_dict(copy.deepcopy(raw_spec), config=config)
    schema.location = spec_path.resolve().as_uri()
    if app is not None:
        schema.app = app
    if operations:
        # `exclude`, not `include`: with `[[operations]]` blocks in the config, the loader already
        # installed a catch-all include filter, and a second include would be OR-ed with it.
        others = [
            op for op in operation_labels(raw_spec).values() if op and op not in set(operations)
        ]
        if others:
            schema = schema.exclude(operation_id=others)
    schema.hooks.register_hook_with_name(_drop_wrong_key_failure(state), "filter_failure")

    statistic = Statistic()
    output = OutputConfig(
        sanitization=config.output.sanitization,
        truncation=config.output.truncation,
    )
    check_names: dict[int, str] = {}
    phase_of_case: dict[str, str] = {}
    scenarios = 0
    stateful_requests = 0
    with _RUN_LOCK:
        _ACTIVE = state
        try:
            stream = from_schema(schema).execute()
            for event in stream:
                if isinstance(event, events.PhaseStarted) and event.phase.is_enabled:
                    say(f"[{pass_name}] phase {event.phase.name.value} started")
                    payload = event.payload
                    if payload is not None and hasattr(payload, "transitions_total"):
                        report.notes.append(
                            f"stateful: {payload.transitions_total} transitions "
                            f"({payload.inferred_transitions} inferred by Schemathesis from the "
                            "schema, the rest declared as OpenAPI links)"
                        )
                elif isinstance(event, events.PhaseFinished) and event.phase.is_enabled:
                    say(
                        f"[{pass_name}] phase {event.phase.name.value} finished: {event.status.value}"
                    )
                elif isinstance(event, events.NonFatalError):
                    report.errors.append(
                        f"[{event.phase.value if event.phase else pass_name}] {event.label}: "
                        + event.info.format(base_url_is_set=True).strip()
                    )
                    say(f"[{pass_name}] ERROR {event.label}: {event.info.title}")
                elif isinstance(event, events.FatalError):
                    report.errors.append(f"[{pass_name}] fatal: {event.exception!r}")
                    say(f"[{pass_name}] FATAL {event.exception!r}")
                elif isinstance(event, events.ScenarioFinished) and event.is_test_scenario:
                    recorder = event.recorder
                    phase = event.phase.value
                    for checks in recorder.checks.values():
                        for check in checks:
                            if check.failure_info is not None:
                                check_names[id(check.failure_info.failure)] = check.name
                    for case_id in recorder.cases:
                        phase_of_case[case_id] = phase
                    counted = _count_cases(report, recorder, stateful=phase == "stateful")
                    statistic.on_scenario_finished(recorder)
                    if phase == "stateful":
                        scenarios += 1
                        stateful_requests += counted
                        _record_links(report, recorder)
                        if event.status == Status.FAILURE or scenarios % 25 == 0:
                            marker = "FAIL" if event.status == Status.FAILURE else "ok"
                            followed = sum(
                                1
                                for link in report.links_declared
                                if report.links_followed.get(link)
                            )
                            say(
                                f"[stateful] {scenarios} scenarios, {stateful_requests} requests, "
                                f"{followed}/{len(report.links_declared)} declared links followed ({marker})"
                            )
                    elif counted:
                        marker = {Status.SUCCESS: "ok", Status.FAILURE: "FAIL"}.get(
                            event.status, event.status.value
                        )
                        say(f"[{phase}] {event.label or recorder.label}: {counted} cases {marker}")
                elif isinstance(event, events.EngineFinished):
                    for failure in event.failures:
                        report.errors.append(f"[{pass_name}] run-level check failed: {failure}")
        finally:
            _ACTIVE = None

    for label, groups in statistic.failures.items():
        for group in groups.values():
            names = sorted({check_names.get(id(f), _check_of(f)) for f in group.failures})
            text = group.format(index=None, curl=group.code_sample, config=output)
            operation = group.failures[0].operation or label
            report.failures.append(
                ContractFailure(
                    operation=operation if operation in report.operations else label,
                    checks=names,
                    codes=sorted({f.code for f in group.failures}),
                    title="; ".join(dict.fromkeys(f.title for f in group.failures)),
                    text=text.strip("\n"),
                    curl=group.code_sample,
                    status=group.response.status_code if group.response is not None else None,
                    phase=phase_of_case.get(group.case_id or "", pass_name),
                )
            )


def _check_of(failure: Any) -> str:
    checks = getattr(failure, "checks", ())
    return checks[0] if checks else type(failure).__name__


def _count_cases(report: ContractReport, recorder: Any, *, stateful: bool) -> int:
    counted = 0
    for node in recorder.cases.values():
        if recorder.interactions.get(node.value.id) is None:
            continue
        label = node.value.operation.label
        stats = report.operations.get(label)
        if stats is None:
            stats = report.operations[label] = OperationStats(label=label)
        if stateful:
            stats.stateful_cases += 1
        else:
            stats.stateless_cases += 1
        counted += 1
    return counted


def _record_links(report: ContractReport, recorder: Any) -> None:
    """Count the links followed and the reads of deleted resources that answered 404."""
    deleted: set[str] = set()
    for node in recorder.cases.values():
        if node.transition is not None and node.is_transition_applied:
            report.links_followed[node.transition.id] += 1
    for case_id, node in recorder.cases.items():
        case = node.value
        interaction = recorder.interactions.get(case_id)
        if interaction is None or interaction.response is None:
            continue
        status = interaction.response.status_code
        path = interaction.request.uri.split("?", 1)[0]
        method = case.method.upper()
        if method == "DELETE" and 200 <= status < 300:
            deleted.add(path)
        elif method == "GET" and status == 404 and path in deleted:
            report.use_after_free_probes += 1


def _describe_violation(violation: Any) -> str:
    reasons = getattr(violation, "reasons", None)
    if reasons is not None:
        return (
            f"{violation.api}.{violation.operation_id} answered {violation.status}: "
            + " | ".join(reasons)
        )
    return str(violation)


def _rewrite_reproductions(report: ContractReport, old: str, new: str) -> None:
    """In-process requests went to ``http://testserver``: show commands for ``make serve``."""
    pattern = re.compile(re.escape(old) + r"(?=[/?' ]|$)")
    for failure in report.failures:
        failure.text = pattern.sub(new, failure.text)
        if failure.curl:
            failure.curl = pattern.sub(new, failure.curl)
    if new != old:
        report.notes.append(
            f"reproduction commands target {new} (start the mock with `make serve`)"
        )


def _redact_key(report: ContractReport, key: str) -> None:
    """Never print a real key: reproductions read it from ``$API_KEY``."""
    replacement = "'\"$API_KEY\"'"
    for failure in report.failures:
        failure.text = failure.text.replace(key, replacement)
        if failure.curl:
            failure.curl = failure.curl.replace(key, replacement)
    report.errors = [error.replace(key, "$API_KEY") for error in report.errors]
    report.notes.append(
        "the API key is shown as $API_KEY in reproduction commands (export it first)"
    )


def _label_key(label: str) -> tuple[str, int, str]:
    method, _, path = label.partition(" ")
    order = {m.upper(): i for i, m in enumerate(_METHODS)}
    return (path, order.get(method, 99), method)


def _xml_safe(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "?", text)


__all__ = [
    "DEFAULT_API_KEY",
    "DEFAULT_MAX_EXAMPLES",
    "DEFAULT_SEED",
    "ContractFailure",
    "ContractReport",
    "OperationStats",
    "run_contract",
]
