"""The formats of ``mockserver diff``: text (terminals), Markdown (pull requests, job summaries),
JSON (scripts) and JUnit XML (CI test reports)."""

from __future__ import annotations

from collections.abc import Sequence

from mockserver.diff.checks import Change, Level
from mockserver.diff.ignore import Accepted
from mockserver.reports import Failure, JUnitCase, json_text, junit_xml, markdown_table

__all__ = ["FORMATS", "render", "summary"]

FORMATS = ("text", "markdown", "json", "junit")
TITLES = {
    Level.ERR: "Breaking changes",
    Level.WARN: "Possibly breaking changes",
    Level.INFO: "Other changes",
}


def summary(changes: Sequence[Change], accepted: Sequence[tuple[Change, Accepted]] = ()) -> str:
    counts = {level: sum(1 for c in changes if c.level == level) for level in Level}
    text = (
        f"{len(changes)} change{'s' if len(changes) != 1 else ''}: {counts[Level.ERR]} ERR, "
        f"{counts[Level.WARN]} WARN, {counts[Level.INFO]} INFO"
    )
    return text + (f" ({len(accepted)} accepted by the ignore file)" if accepted else "")


def _ordered(changes: Sequence[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: -c.level)


def render(
    changes: Sequence[Change],
    fmt: str,
    *,
    fail_on: Level = Level.ERR,
    accepted: Sequence[tuple[Change, Accepted]] = (),
    title: str = "mockserver diff",
) -> str:
    if fmt == "json":
        return json_text(
            {
                "changes": [c.as_json() for c in changes],
                "accepted": [{**c.as_json(), "reason": a.reason} for c, a in accepted],
            }
        )
    if fmt == "markdown":
        return _markdown(changes, accepted, title)
    if fmt == "junit":
        return _junit(changes, fail_on)
    lines = [
        f"{c.level.name:<4}  {c.id:<36}  {c.operation}  {c.location + ': ' if c.location else ''}{c.message}"
        for c in _ordered(changes)
    ]
    return "\n".join([*lines, summary(changes, accepted)]) + "\n"


def _markdown(
    changes: Sequence[Change], accepted: Sequence[tuple[Change, Accepted]], title: str
) -> str:
    parts = [f"# {title}", "", summary(changes, accepted), ""]
    for level in (Level.ERR, Level.WARN, Level.INFO):
        rows = [[c.operation, c.location, c.message, c.id] for c in changes if c.level == level]
        if rows:
            parts += [f"## {TITLES[level]} ({level.name})", ""]
            parts.append(markdown_table(["operation", "where", "change", "check"], rows))
    if accepted:
        parts += ["## Accepted", ""]
        parts.append(
            markdown_table(
                ["operation", "where", "change", "check", "reason"],
                [[c.operation, c.location, c.message, c.id, a.reason] for c, a in accepted],
            )
        )
    return "\n".join(parts)


def _junit(changes: Sequence[Change], fail_on: Level) -> str:
    cases: dict[str, JUnitCase] = {}
    for change in changes:
        case = cases.setdefault(change.operation, JUnitCase(change.operation))
        line = f"[{change.level.name}] {change.id}: {change.location}: {change.message}"
        if change.level >= fail_on:
            case.failures.append(Failure(change.id, f"{change.location}: {change.message}", line))
        else:
            case.output += line + "\n"
    if not cases:
        cases["contract"] = JUnitCase("contract", output="no changes\n")
    return junit_xml("diff", list(cases.values()))
