"""Report writers shared by the contract tools (``proxy``, ``diff``): JUnit XML, Markdown, JSON.

A CI system reads JUnit XML; a pull-request comment or a job summary reads Markdown; a script
reads JSON. Each tool turns its findings into :class:`JUnitCase` objects or table rows and
leaves the format to this module. The JUnit layout is the one ``mockserver contract`` writes
(:meth:`mockserver.contract.ContractReport.write_junit`): one ``<testsuites>`` holding one
``<testsuite>``, one ``<testcase>`` per subject (an operation), a ``<failure>`` per finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

__all__ = [
    "Failure",
    "JUnitCase",
    "format_for",
    "json_text",
    "junit_xml",
    "markdown_table",
    "write_text",
]

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Failure:
    """One finding: ``kind`` (a check id), a one-line ``message`` and optional detail text."""

    kind: str
    message: str
    text: str = ""


@dataclass
class JUnitCase:
    """One ``<testcase>``: passed when it has no failures."""

    name: str
    failures: list[Failure] = field(default_factory=list)
    output: str = ""


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _XML_UNSAFE.sub("?", text)


def junit_xml(suite: str, cases: Sequence[JUnitCase], elapsed: float = 0.0) -> str:
    """A JUnit XML document: one suite named ``suite``, ``cases`` in the given order."""
    failed = sum(1 for case in cases if case.failures)
    counts = {"tests": str(len(cases)), "failures": str(failed), "errors": "0", "skipped": "0"}
    timing = {"time": f"{elapsed:.3f}"}
    suites = ElementTree.Element("testsuites", {**counts, **timing})
    element = ElementTree.SubElement(suites, "testsuite", {"name": suite, **counts, **timing})
    for case in cases:
        node = ElementTree.SubElement(
            element, "testcase", {"classname": suite, "name": xml_safe(case.name)}
        )
        for failure in case.failures:
            attributes = {"type": xml_safe(failure.kind), "message": xml_safe(failure.message[:500])}
            ElementTree.SubElement(node, "failure", attributes).text = xml_safe(
                failure.text or failure.message
            )
        if case.output:
            ElementTree.SubElement(node, "system-out").text = xml_safe(case.output)
    ElementTree.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(
        suites, encoding="unicode"
    ) + "\n"


def markdown_cell(value: object) -> str:
    """A value fit for one Markdown table cell (pipes escaped, one line)."""
    text = str(value).replace("\\", "\\\\").replace("|", "\\|")
    return " ".join(text.split())


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = [
        "| " + " | ".join(markdown_cell(h) for h in header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
    ]
    lines += ["| " + " | ".join(markdown_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def json_text(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def format_for(path: Path) -> str:
    """``json``, ``markdown`` or ``junit``, from ``path``'s extension (``ValueError`` otherwise)."""
    suffix = path.suffix.lower()
    if suffix == ".json":
        return "json"
    if suffix in (".md", ".markdown"):
        return "markdown"
    if suffix == ".xml":
        return "junit"
    raise ValueError(f"{path.name}: use a .json, .md or .xml (JUnit) file name")


def write_text(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
