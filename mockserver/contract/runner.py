"""Running the checks: :func:`run_contract`, its defaults, and the passes and rounds it runs."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from mockserver.contract.config import (
    _idempotency_header,
    build_config,
    declared_links,
    link_operations,
    load_policy,
    operation_labels,
)
from mockserver.contract.engine import (
    _describe_violation,
    _execute,
    _redact_key,
    _rewrite_reproductions,
    _RunState,
)
from mockserver.contract.report import ContractReport, OperationStats, _label_key
from mockserver.contract.target import _ASGI_BASE, DEFAULT_ADMIN_TOKEN, Target
from mockserver.exceptions import ConfigurationError
from mockserver.plugins import api_class, load_document

#: Seed used when none is given: CI runs are reproducible, ``--seed`` explores elsewhere.
DEFAULT_SEED = 20261101
#: Hypothesis examples per operation (fuzzing) and scenarios (stateful) in the default pass.
DEFAULT_MAX_EXAMPLES = 25
#: The credential sent by default (the in-process mock is started accepting only this key).
DEFAULT_API_KEY = "sk_test_contract"
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
