"""Benchmark the docs generator against Redocly on Voucherify's official document.

    make bench-docs                          # 3 interleaved runs of each, ~1 minute
    python bench/docs.py [--repeat 3] [--spec PATH] [--no-redocly]

Measured, one process at a time, interleaved (ours, Redocly, ours, ...) so both see the
same machine load:

- ``ours (one HTML file)``: ``python -m mockserver docs --api voucherify --spec SPEC
  --single-file --format html --no-execute``: the equivalent of Redocly's output (one
  self-contained HTML file, nothing executed);
- ``ours (make docs' way)``: the default build: HTML pages and Markdown twins, every sample
  run against a fresh in-process mock (the seven operations the mock implements execute, the
  other 234 show the document's own example), ``--keep-going`` because some of the vendor's
  own examples fail its own schema;
- ``redocly``: ``npx -y @redocly/cli@2 build-docs SPEC -o OUT.html``, npx resolving its cached
  package included (that is what a user runs).

Also timed, in-process: reading the document into the shared model (``mockserver.spec``),
the step every reader of the spec starts from (median of 5).

Figures: wall seconds (median of ``--repeat``), CPU seconds (user + system of the process
tree, median), output bytes and gzip bytes (what a server would send), and ours/Redocly
ratios (time and size: < 1 means ours is faster or smaller). A warm-up run of each comes
first (npx's download and cache, Jinja's compiled templates), not measured.

The goals (issue 11): the one-file build in at most a third of Redocly's wall time, and no
larger than Redocly's file; the table ends with whether each is met. Scripts and stylesheets
a page loads from elsewhere (``<script src="https://...">``, module imports, preloads) are
listed: they are not in the output's size, and the page does not work offline without them.

Results: a table on stdout and ``bench/results/docs-<UTC timestamp>.json`` plus
``bench/results/docs-latest.json``. This is a shared, noisy machine: read the ratios.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OFFICIAL = ROOT.parent / "shared" / "reference" / "voucherify-openapi.json"
RESULTS = ROOT / "bench" / "results"
#: A script or stylesheet loaded from another host: <script src>, <link href> (stylesheets,
#: preloads), ES module imports.
EXTERNAL = re.compile(
    r"""<(?:script|link)\b[^>]*?\b(?:src|href)=["'](https?://[^"']+)["']"""
    r"""|\bimport\b[^;"']*?["'](https?://[^"']+)["']"""
)
#: Issue 11: the one-file build at most a third of Redocly's wall time, and no larger.
GOAL_TIME = 1 / 3
GOAL_SIZE = 1.0


@dataclass
class Case:
    name: str
    command: list[str]
    out: Path
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    size: int = 0
    gzip_size: int = 0
    files: int = 0
    failed: str = ""
    #: URLs of scripts and stylesheets the output's pages load from elsewhere.
    external: list[str] = field(default_factory=list)

    def run(self, measure: bool) -> None:
        shutil.rmtree(self.out, ignore_errors=True)
        self.out.mkdir(parents=True)
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(self.command, capture_output=True, text=True, check=False, cwd=ROOT)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        if done.returncode != 0:
            self.failed = (done.stderr or done.stdout)[-2000:]
            return
        if measure:
            self.wall.append(wall)
            self.cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        files = [p for p in self.out.rglob("*") if p.is_file()]
        self.files = len(files)
        self.size = sum(p.stat().st_size for p in files)
        self.gzip_size = sum(len(gzip.compress(p.read_bytes(), 6)) for p in files)
        pages = [p.read_text(encoding="utf-8", errors="replace") for p in files if p.suffix == ".html"]
        self.external = sorted(
            {url for page in pages for found in EXTERNAL.findall(page) for url in found if url}
        )

    def summary(self) -> dict[str, Any]:
        return {
            "command": " ".join(self.command),
            "wall_s": self.wall,
            "wall_median_s": statistics.median(self.wall) if self.wall else None,
            "cpu_s": self.cpu,
            "cpu_median_s": statistics.median(self.cpu) if self.cpu else None,
            "bytes": self.size,
            "gzip_bytes": self.gzip_size,
            "files": self.files,
            "failed": self.failed,
            "external": self.external,
        }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spec", type=Path, default=OFFICIAL)
    parser.add_argument("--no-redocly", action="store_true")
    args = parser.parse_args()
    if not args.spec.is_file():
        print(f"bench/docs.py: {args.spec} is not there", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-docs-"))
    mockserver = [sys.executable, "-m", "mockserver", "docs", "--api", "voucherify", "--spec", str(args.spec)]
    cases = [
        Case(
            "ours (one HTML file)",
            [*mockserver, "--out", str(work / "ours-single"), "--single-file", "--format", "html", "--no-execute"],
            work / "ours-single",
        ),
        Case(
            "ours (make docs' way)",
            [*mockserver, "--out", str(work / "ours-full"), "--keep-going"],
            work / "ours-full",
        ),
    ]
    redocly = None
    if not args.no_redocly:
        if shutil.which("npx") is None:
            print("bench/docs.py: npx is not installed; run with --no-redocly", file=sys.stderr)
            return 2
        redocly = Case(
            "redocly",
            ["npx", "-y", "@redocly/cli@2", "build-docs", str(args.spec), "-o", str(work / "redocly" / "redoc.html")],
            work / "redocly",
        )
        cases.append(redocly)
    model = _model_seconds(args.spec)
    for case in cases:  # warm-up: npx's cache, compiled templates
        case.run(measure=False)
        if case.failed:
            print(f"{case.name} failed:\n{case.failed}", file=sys.stderr)
            return 1
    for _ in range(args.repeat):
        for case in cases:
            case.run(measure=True)
            print(f"  {case.name}: {case.wall[-1]:.2f} s", file=sys.stderr)

    print(f"\nRendering {args.spec.name} ({args.spec.stat().st_size / 1e6:.1f} MB), median of {args.repeat}:\n")
    print(f"| {'case':<24} | wall s | CPU s | output | gzip | files |")
    print(f"|{'-' * 26}|-------:|------:|-------:|-----:|------:|")
    for case in cases:
        s = case.summary()
        print(
            f"| {case.name:<24} | {s['wall_median_s']:6.2f} | {s['cpu_median_s']:5.2f} | "
            f"{case.size / 1e6:5.2f} MB | {case.gzip_size / 1e6:4.2f} MB | {case.files:5} |"
        )
    print(
        f"\nThe shared model (mockserver.spec.Document.from_dict) of the document: "
        f"{model['from_dict_s'] * 1000:.0f} ms ({model['load_and_model_s'] * 1000:.0f} ms with "
        "reading and repairing the file)"
    )
    ratios: dict[str, dict[str, float]] = {}
    goals: dict[str, dict[str, Any]] = {}
    if redocly is not None:
        base = redocly.summary()
        print("\nours / Redocly (< 1: ours is faster or smaller):\n")
        for case in cases[:-1]:
            s = case.summary()
            ratios[case.name] = {
                "wall": s["wall_median_s"] / base["wall_median_s"],
                "cpu": s["cpu_median_s"] / base["cpu_median_s"],
                "bytes": case.size / redocly.size,
                "gzip_bytes": case.gzip_size / redocly.gzip_size,
            }
            r = ratios[case.name]
            print(
                f"- {case.name}: time {r['wall']:.2f} (CPU {r['cpu']:.2f}), size {r['bytes']:.2f} "
                f"(gzip {r['gzip_bytes']:.2f})"
            )
        single = ratios[cases[0].name]
        goals = {
            "time": {"ratio": single["wall"], "goal": GOAL_TIME, "met": single["wall"] <= GOAL_TIME},
            "size": {"ratio": single["bytes"], "goal": GOAL_SIZE, "met": single["bytes"] <= GOAL_SIZE},
        }
        print(f"\nGoals ({cases[0].name} against Redocly):\n")
        for name, goal in goals.items():
            verdict = "met" if goal["met"] else "NOT met"
            print(f"- {name}: {goal['ratio']:.2f}, goal at most {goal['goal']:.2f}: {verdict}")
    for case in cases:
        for url in case.external:
            print(f"\n{case.name} loads {url} (not in its size; needed to render the page)")
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    data = {
        "when": stamp,
        "spec": str(args.spec),
        "repeat": args.repeat,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "model": model,
        "cases": {case.name: case.summary() for case in cases},
        "ratios_vs_redocly": ratios,
        "goals": goals,
    }
    for name in (f"docs-{stamp}.json", "docs-latest.json"):
        (RESULTS / name).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(work, ignore_errors=True)
    return 0


def _model_seconds(spec: Path) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from mockserver.documents import load_document
    from mockserver.spec import Document

    loads, models = [], []
    for _ in range(5):
        start = time.perf_counter()
        raw = load_document(spec)
        middle = time.perf_counter()
        Document.from_dict(raw)
        end = time.perf_counter()
        loads.append(end - start)
        models.append(end - middle)
    return {"from_dict_s": statistics.median(models), "load_and_model_s": statistics.median(loads)}


if __name__ == "__main__":
    sys.exit(main())
