"""What a contract run found: per-operation stats, failures, the summary and JUnit XML."""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO
from xml.etree import ElementTree

_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")


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


def _label_key(label: str) -> tuple[str, int, str]:
    method, _, path = label.partition(" ")
    order = {m.upper(): i for i, m in enumerate(_METHODS)}
    return (path, order.get(method, 99), method)


def _xml_safe(text: str) -> str:
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]", "?", text)
