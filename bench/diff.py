"""Benchmark ``mockserver diff`` on the official Voucherify document against a modified copy.

    make bench-diff
    python bench/diff.py [--spec PATH] [--repeat 3]

The copy changes a few things a real release might: one path removed, a property removed from
a schema many responses use, an enum value added to a response, a required request property
added, a parameter's maximum lowered. Measured, median over ``--repeat`` runs:

- ``command``: the whole ``python -m mockserver diff OLD NEW --format json`` process (start-up,
  reading and repairing both 2.9 MB documents, comparing, printing), wall time and CPU time
  (user + system: on a shared machine the wall time is mostly waiting for a core);
- ``compare``: in-process, the spec model of both documents and the comparison only.

The goal is under 2 s for the command. Results also go to ``bench/results/diff-latest.json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_SPEC = ROOT.parent / "shared" / "reference" / "voucherify-openapi.json"
RESULTS = ROOT / "bench" / "results"

from mockserver.diff import diff  # noqa: E402
from mockserver.documents import load_document  # noqa: E402


def modified(raw: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy with a handful of changes, and what they are."""
    new = copy.deepcopy(raw)
    done = []
    schemas = new["components"]["schemas"]
    path = sorted(new["paths"])[0]
    del new["paths"][path]
    done.append(f"path {path} removed")
    # the schema referenced most often
    text = json.dumps(raw["paths"])
    name = max(
        (n for n, s in schemas.items() if isinstance(s, dict) and s.get("properties")),
        key=lambda n: text.count(f'"#/components/schemas/{n}"'),
    )
    prop = sorted(schemas[name]["properties"])[0]
    del schemas[name]["properties"][prop]
    done.append(f"{name}.{prop} removed")
    for schema_name, schema in schemas.items():
        props = schema.get("properties") if isinstance(schema, dict) else None
        enum_prop = next((p for p, s in (props or {}).items() if isinstance(s, dict) and isinstance(s.get("enum"), list)), None)
        if enum_prop and schema_name.endswith("ResponseBody"):
            props[enum_prop]["enum"].append("NEW_VALUE")
            done.append(f"{schema_name}.{enum_prop} enum value added")
            break
    for schema_name, schema in schemas.items():
        if isinstance(schema, dict) and schema_name.endswith("RequestBody") and schema.get("type") == "object":
            schema.setdefault("properties", {})["bench_required"] = {"type": "string"}
            schema.setdefault("required", []).append("bench_required")
            done.append(f"{schema_name}.bench_required added, required")
            break
    for item in new["paths"].values():
        for op in item.values():
            for parameter in (op.get("parameters", []) if isinstance(op, dict) else []):
                if isinstance(parameter, dict) and isinstance(parameter.get("schema", {}).get("maximum"), int):
                    parameter["schema"]["maximum"] -= 1
                    done.append(f"parameter {parameter['name']} maximum lowered")
                    break
            else:
                continue
            break
        else:
            continue
        break
    return new, done


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--spec", type=Path, default=DEFAULT_SPEC)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if not args.spec.is_file():
        sys.exit(f"bench: {args.spec} not found (--spec PATH)")
    raw = load_document(args.spec)
    new, edits = modified(raw)
    with tempfile.TemporaryDirectory(prefix="bench-diff-") as tmp:
        copy_path = Path(tmp) / "voucherify-modified.json"
        copy_path.write_text(json.dumps(new))
        command_s = []
        command_cpu_s = []
        output = ""
        for _ in range(args.repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "mockserver", "diff", str(args.spec), str(copy_path), "--format", "json"],
                capture_output=True, text=True, cwd=ROOT,
            )
            command_s.append(time.perf_counter() - started)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            command_cpu_s.append(
                after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
            )
            output = done.stdout
            if done.returncode not in (0, 1):
                sys.exit(f"bench: mockserver diff failed ({done.returncode}): {done.stderr[-500:]}")
    compare_s = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        changes = diff(raw, new)
        compare_s.append(time.perf_counter() - started)
    found = json.loads(output)["changes"]
    levels = Counter(c["level"] for c in found)
    result = {
        "spec": str(args.spec),
        "operations": sum(1 for item in raw["paths"].values() for k in item if k in ("get", "put", "post", "delete", "patch")),
        "schemas": len(raw["components"]["schemas"]),
        "edits": edits,
        "changes": len(found),
        "levels": dict(levels),
        "checks": dict(Counter(c["id"] for c in found)),
        "command_s": round(statistics.median(command_s), 3),
        "command_cpu_s": round(statistics.median(command_cpu_s), 3),
        "loadavg": [round(x, 2) for x in os.getloadavg()],
        "compare_s": round(statistics.median(compare_s), 3),
        "in_process_changes": len(changes),
    }
    print(f"document: {args.spec.name}, {result['operations']} operations, {result['schemas']} schemas")
    print("edits: " + "; ".join(edits))
    print(f"found: {len(found)} changes {dict(levels)}: {result['checks']}")
    print(
        f"mockserver diff (whole command): {result['command_s']:.2f} s wall, "
        f"{result['command_cpu_s']:.2f} s CPU  (goal < 2 s; load average {result['loadavg'][0]})"
    )
    print(f"model + comparison in-process:   {result['compare_s']:.2f} s")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "diff-latest.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0 if result["command_s"] < 2 else 1


if __name__ == "__main__":
    sys.exit(main())
