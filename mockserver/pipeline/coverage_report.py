"""The coverage report as a file: JSON, Markdown or JUnit XML, chosen by the extension.

``mockserver serve --coverage-report FILE`` writes it when the server stops; the pytest
plugin can write it at the end of a session. The report is
:meth:`~mockserver.pipeline.coverage.Coverage.report`'s.

* ``.json``: the report as ``GET /__admin/coverage`` returns it;
* ``.md``: a summary line and one table row per operation;
* ``.xml``: JUnit XML, one test suite per API and one test case per documented status of
  each operation (``listCampaigns 400``): passed when the status was produced, skipped
  ("never produced") when not. CI tools then show the untested error paths without
  failing the build. Parameters never sent are in each suite's ``system-out``.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

FORMATS = (".json", ".md", ".xml")


def check_path(path: Path) -> None:
    """``ValueError`` when ``path``'s extension names no format."""
    if path.suffix.lower() not in FORMATS:
        raise ValueError(
            f"the coverage report's format comes from its extension: {', '.join(FORMATS)} "
            f"(got {path.name!r})"
        )


def write(report: dict[str, Any], path: Path) -> None:
    check_path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        text = json.dumps(report, indent=2) + "\n"
    elif suffix == ".md":
        text = markdown(report)
    else:
        text = junit(report)
    path.write_text(text, encoding="utf-8")


def markdown(report: dict[str, Any]) -> str:
    totals = report["totals"]
    lines = [
        "# API coverage",
        "",
        f"{totals['operations_called']} of {totals['operations']} operations called; "
        f"{totals['statuses_produced']} of {totals['statuses_documented']} documented statuses "
        f"produced; {totals['parameters_never_sent']} parameters never sent.",
        "",
        "| API | operation | calls | statuses produced | never produced | parameters never sent |",
        "|---|---|---:|---|---|---|",
    ]
    for op in report["operations"]:
        produced = ", ".join(f"{s} ×{n}" for s, n in op["statuses_produced"].items()) or "–"
        never = ", ".join(op["statuses_never_produced"]) or "–"
        unsent = [f"{p['name']} ({p['in']})" for p in op["parameters_never_sent"]]
        unsent += [f"{name} (body)" for name in op["body_fields_never_sent"]]
        lines.append(
            f"| {op['api']} | `{op['method']} {op['path']}` {op['operation_id']} | {op['calls']} "
            f"| {produced} | {never} | {', '.join(unsent) or '–'} |"
        )
    return "\n".join(lines) + "\n"


def junit(report: dict[str, Any]) -> str:
    root = ET.Element("testsuites", name="mockserver coverage")
    suites: dict[str, ET.Element] = {}
    counts: dict[str, list[int]] = {}
    unsent: dict[str, list[str]] = {}
    for op in report["operations"]:
        api = op["api"]
        suite = suites.get(api)
        if suite is None:
            suite = suites[api] = ET.SubElement(root, "testsuite", name=api)
            counts[api] = [0, 0]
            unsent[api] = []
        never = set(op["statuses_never_produced"])
        for status in op["documented_statuses"]:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"{api}.{op['operation_id']}",
                name=f"{op['operation_id']} {status}",
            )
            counts[api][0] += 1
            if status in never:
                counts[api][1] += 1
                reason = "operation never called" if not op["calls"] else "never produced"
                ET.SubElement(case, "skipped", message=f"{op['method']} {op['path']}: {status} {reason}")
        unsent[api] += [
            f"{op['operation_id']}: {p['name']} ({p['in']})" for p in op["parameters_never_sent"]
        ]
    total = skipped = 0
    for api, suite in suites.items():
        tests, missed = counts[api]
        suite.set("tests", str(tests))
        suite.set("skipped", str(missed))
        suite.set("failures", "0")
        suite.set("errors", "0")
        total, skipped = total + tests, skipped + missed
        if unsent[api]:
            ET.SubElement(suite, "system-out").text = "parameters never sent:\n" + "\n".join(unsent[api])
    root.set("tests", str(total))
    root.set("skipped", str(skipped))
    root.set("failures", "0")
    root.set("errors", "0")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
