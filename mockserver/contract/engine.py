"""One Schemathesis pass: its hooks, its event stream read into the report, and the report's
final touches (mock violations, reproduction commands, redacted keys)."""

from __future__ import annotations

import copy
import itertools
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.contract.config import operation_labels
from mockserver.contract.report import ContractFailure, ContractReport, OperationStats


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
