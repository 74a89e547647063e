"""What the proxy saw: contract violations, counted, and the report written at shutdown.

Real traffic repeats itself, so identical findings are counted, not listed again: a finding is
keyed by (side, operation, status, message), with the first path it was seen on. The number
of distinct findings is capped (:data:`MAX_DISTINCT`); beyond it only the total grows.

The report is JSON, Markdown or JUnit XML, chosen by the file's extension
(:func:`mockserver.reports.format_for`).
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from mockserver.reports import (
    Failure,
    JUnitCase,
    format_for,
    json_text,
    junit_xml,
    markdown_table,
    write_text,
)

#: Distinct findings kept (each with its count); further distinct ones are only counted.
MAX_DISTINCT = 1000

Side = Literal["request", "response"]


@dataclass
class Finding:
    """One distinct violation and how often it was seen."""

    #: ``request``: the client broke the contract; ``response``: the server did.
    side: Side
    #: The operationId, or ``METHOD /path`` for a request the spec has no operation for.
    operation: str
    method: str
    #: The first request path it was seen on.
    path: str
    #: The upstream's status (``None`` when the upstream was never reached).
    status: int | None
    message: str
    count: int = 1
    first_seen: float = 0.0
    last_seen: float = 0.0

    def short(self) -> str:
        """One line for the ``Contract-Violations`` header."""
        return f"{self.side}: {self.message}"


@dataclass
class Notice:
    """A response or request the proxy passed on without checking all of it, and why."""

    operation: str
    reason: str
    count: int = 1


class ViolationLog:
    """Every finding of one proxy run, with the traffic it was found in."""

    def __init__(self, target: str, spec: str) -> None:
        self.target = target
        self.spec = spec
        self.started = time.time()
        self._findings: dict[tuple[str, str, int | None, str], Finding] = {}
        self._notices: dict[tuple[str, str], Notice] = {}
        #: Requests per operation label (passing ones included).
        self.exchanges: Counter[str] = Counter()
        self.total = 0
        self.dropped = 0

    def record(
        self,
        side: Side,
        operation: str,
        method: str,
        path: str,
        status: int | None,
        messages: list[str],
    ) -> list[Finding]:
        now = time.time()
        found = []
        for message in messages:
            key = (side, operation, status, message)
            self.total += 1
            finding = self._findings.get(key)
            if finding is not None:
                finding.count += 1
                finding.last_seen = now
            elif len(self._findings) < MAX_DISTINCT:
                finding = Finding(side, operation, method, path, status, message, 1, now, now)
                self._findings[key] = finding
            else:
                self.dropped += 1
                finding = Finding(side, operation, method, path, status, message, 1, now, now)
            found.append(finding)
        return found

    def notice(self, operation: str, reason: str) -> None:
        key = (operation, reason)
        if key in self._notices:
            self._notices[key].count += 1
        else:
            self._notices[key] = Notice(operation, reason)

    def findings(self) -> list[Finding]:
        return sorted(self._findings.values(), key=lambda f: (f.operation, f.side, f.status or 0))

    def clear(self) -> None:
        self._findings.clear()
        self._notices.clear()
        self.exchanges.clear()
        self.total = self.dropped = 0

    # -- output ----------------------------------------------------------------------------

    def as_json(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "spec": self.spec,
            "exchanges": sum(self.exchanges.values()),
            "operations": dict(sorted(self.exchanges.items())),
            "total": self.total,
            "distinct": len(self._findings),
            "dropped": self.dropped,
            "violations": [asdict(f) for f in self.findings()],
            "not_checked": [asdict(n) for n in self._notices.values()],
        }

    def markdown(self) -> str:
        data = self.as_json()
        lines = [
            "# Contract violations seen by `mockserver proxy`",
            "",
            f"Target `{self.target}`, spec `{self.spec}`: {data['exchanges']} exchanges, "
            f"{self.total} violations ({len(self._findings)} distinct).",
            "",
        ]
        if self._findings:
            rows = [
                [f.side, f.operation, f.status if f.status is not None else "-", f.count, f.message]
                for f in self.findings()
            ]
            lines.append(markdown_table(["side", "operation", "status", "count", "message"], rows))
        else:
            lines.append("No violations.\n")
        if self._notices:
            lines += ["## Not checked", ""]
            rows = [[n.operation, n.count, n.reason] for n in self._notices.values()]
            lines.append(markdown_table(["operation", "count", "reason"], rows))
        return "\n".join(lines)

    def junit(self) -> str:
        """One test case per operation seen (or with findings); a failure per finding."""
        by_operation: dict[str, JUnitCase] = {}
        for operation, count in sorted(self.exchanges.items()):
            by_operation[operation] = JUnitCase(operation, output=f"{count} exchanges")
        for finding in self.findings():
            case = by_operation.setdefault(finding.operation, JUnitCase(finding.operation))
            status = f" {finding.status}" if finding.status is not None else ""
            case.failures.append(
                Failure(
                    f"{finding.side}-violation",
                    f"{finding.side}{status}: {finding.message}",
                    f"{finding.method} {finding.path} -> {finding.status}: {finding.message} "
                    f"(seen {finding.count} times)",
                )
            )
        elapsed = time.time() - self.started
        return junit_xml("proxy", list(by_operation.values()), elapsed)

    def write(self, path: Path) -> Path:
        kind = format_for(path)
        text = {"json": lambda: json_text(self.as_json()), "markdown": self.markdown}.get(
            kind, self.junit
        )()
        return write_text(path, text)
