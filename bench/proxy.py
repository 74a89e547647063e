"""Benchmark ``mockserver proxy``: its overhead on GETs, and against Stoplight Prism's proxy.

    make bench-proxy                                   # ~3 minutes
    make bench-proxy BENCH_ARGS="--quick"              # one short run per target
    python bench/proxy.py [--quick] [--no-prism] [--seconds 10] [--repeat 3]
                          [--connections 16] [--threads 1]

One upstream, the mock (``python -m mockserver serve --api vinr``), and three ways to reach it
with the same GET requests, driven by ``wrk --latency``:

- ``direct``: wrk talks to the mock;
- ``mockserver proxy``: ``python -m mockserver proxy --api vinr --target <mock>``, validating
  every request and response;
- ``prism proxy``: ``npx -y @stoplight/prism-cli@5 proxy SPEC <mock> -v error`` (validating
  requests and responses, adding its ``sl-violations`` header), same document;
- ``bare proxy``: ``bench/passthrough.py``, aiohttp's pool behind uvicorn with no check at all:
  what the extra hop alone costs on this stack (the floor under our proxy's figure).

All three run for the whole benchmark; they are loaded one at a time, round-robin
(direct, ours, Prism, direct, ...), so each round compares the three under the same machine
load. Each figure is the median over ``--repeat`` rounds of wrk's Requests/sec and latency
percentiles after a warm-up. Before loading, one probe per target checks the answer: status
200, and for the proxies no violation header (the mock keeps its contract, so a violation there
would be a false positive).

Ratios printed: ours/direct (what is left of the throughput through our proxy; the goal is at
least 0.5), Prism/direct, and ours/Prism (>1: we are faster). Proxied requests cross two
loopback hops and three processes share the machine's cores with wrk, so a proxy in front of a
fast local upstream is the worst case for the ratio; in front of a real server across a network,
its share of the latency is smaller.

Results: a table on stdout, and JSON in ``bench/results/proxy-<UTC timestamp>.json`` and
``bench/results/proxy-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from run import (
    PRISM_PACKAGE,
    RESULTS_DIR,
    ROOT,
    VINR_SPEC,
    ServerFailed,
    ensure_wrk,
    free_port,
    log_tail,
    machine_info,
    parse_wrk,
    prism_version,
    running,
)

HEADERS = {"Authorization": "Bearer sk_bench"}
#: (case name, path): GETs of one campaign and of a page of ten.
CASES = (
    ("get", "/v1/campaigns/cmp_6Eg4rSWelcome"),
    ("list", "/v1/campaigns?limit=10"),
)
WARMUP_REQUESTS = 300
DIRECT, OURS, PRISM, BARE = "direct", "mockserver proxy", "prism proxy", "bare proxy"


@dataclass
class Figures:
    runs: list[dict[str, float]] = field(default_factory=list)
    probe: str = ""
    #: Runs refused (socket errors or non-2xx answers seen by wrk), not in the medians.
    errors: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [run[key] for run in self.runs]
        return round(statistics.median(values), 3) if values else None


def wait_for(url: str, what: str, log: Path, proc: Any, timeout: float = 120.0) -> httpx.Response:
    """The first answer ``url`` gives (raises ServerFailed when the process exits first)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ServerFailed(f"{what} exited with status {proc.returncode}: {log_tail(log)}")
        try:
            return httpx.get(url, headers=HEADERS, timeout=10)
        except httpx.TransportError:
            time.sleep(0.05)
    raise ServerFailed(f"{what} did not answer within {timeout:.0f}s: {log_tail(log)}")


def probe(base: str, path: str) -> str:
    """'' when the target answers ``path`` as it should, else why not."""
    response = httpx.get(base + path, headers=HEADERS, timeout=10)
    if response.status_code != 200:
        return f"status {response.status_code}: {response.text[:200]}"
    for header in ("contract-violations", "sl-violations"):
        if header in response.headers:
            return f"{header}: {response.headers[header][:300]}"
    return ""


def load(url: str, args: argparse.Namespace) -> dict[str, float]:
    import subprocess

    for _ in range(WARMUP_REQUESTS // 50):
        with httpx.Client(headers=HEADERS) as client:
            for _ in range(50):
                client.get(url)
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
        *(part for name, value in HEADERS.items() for part in ("-H", f"{name}: {value}")),
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=args.seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    run = parse_wrk(done.stdout)
    if run.non_2xx_3xx or run.socket_errors:
        raise RuntimeError(f"wrk saw errors: non-2xx {run.non_2xx_3xx}, sockets {run.socket_errors}")
    return {"rps": run.rps, "p50_ms": run.p50_ms, "p99_ms": run.p99_ms}


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def measure(args: argparse.Namespace, prism: bool) -> dict[str, dict[str, Figures]]:
    targets = [DIRECT, BARE, OURS, *([PRISM] if prism else [])]
    results = {target: {name: Figures() for name, _ in CASES} for target in targets}
    with tempfile.TemporaryDirectory(prefix="bench-proxy-") as workdir:
        logs = Path(workdir)
        mock_port, ours_port, prism_port, bare_port = free_port(), free_port(), free_port(), free_port()
        upstream = f"http://127.0.0.1:{mock_port}"
        mock = [sys.executable, "-m", "mockserver", "serve", "--api", "vinr",
                "--port", str(mock_port), "--log-level", "warning"]
        ours = [sys.executable, "-m", "mockserver", "proxy", "--api", "vinr", "--target", upstream,
                "--port", str(ours_port), "--log-level", "warning"]
        theirs = ["npx", "-y", PRISM_PACKAGE, "proxy", str(VINR_SPEC), upstream,
                  "-p", str(prism_port), "-h", "127.0.0.1", "-v", "error"]
        bare = [sys.executable, str(ROOT / "bench" / "passthrough.py"), str(bare_port), upstream]
        bases = {DIRECT: upstream, OURS: f"http://127.0.0.1:{ours_port}",
                 PRISM: f"http://127.0.0.1:{prism_port}", BARE: f"http://127.0.0.1:{bare_port}"}
        with running(mock, logs / "mock.log") as mock_proc:
            wait_for(bases[DIRECT] + CASES[0][1], "the mock", logs / "mock.log", mock_proc)
            with running(ours, logs / "ours.log") as ours_proc, running(bare, logs / "bare.log") as bare_proc:
                wait_for(bases[OURS] + CASES[0][1], "mockserver proxy", logs / "ours.log", ours_proc)
                wait_for(bases[BARE] + CASES[0][1], "bare proxy", logs / "bare.log", bare_proc)
                with running(theirs if prism else ["sleep", "3600"], logs / "prism.log") as prism_proc:
                    if prism:
                        wait_for(bases[PRISM] + CASES[0][1], "prism proxy", logs / "prism.log", prism_proc)
                    for target in targets:
                        for name, path in CASES:
                            results[target][name].probe = probe(bases[target], path)
                    for round_ in range(args.repeat):
                        for name, path in CASES:
                            for target in targets:
                                figures = results[target][name]
                                if figures.probe:
                                    continue
                                try:
                                    run = load(bases[target] + path, args)
                                except RuntimeError as exc:  # a starved machine: keep the others
                                    figures.errors.append(str(exc))
                                    print(f"  round {round_ + 1} {name:<5} {target:<17} FAILED: {exc}", flush=True)
                                    continue
                                figures.runs.append(run)
                                print(f"  round {round_ + 1} {name:<5} {target:<17} "
                                      f"{run['rps']:>9.1f} req/s  p99 {run['p99_ms']:.2f} ms", flush=True)
    return results


def report(results: dict[str, dict[str, Figures]]) -> dict[str, Any]:
    table: dict[str, Any] = {}
    for name, _ in CASES:
        rps = {target: results[target][name].median("rps") for target in results}
        p99 = {target: results[target][name].median("p99_ms") for target in results}
        table[name] = {
            "rps": rps,
            "p99_ms": p99,
            "probe_failures": {t: results[t][name].probe for t in results if results[t][name].probe},
            "failed_runs": {t: results[t][name].errors for t in results if results[t][name].errors},
            "ours_vs_direct": ratio(rps.get(OURS), rps.get(DIRECT)),
            "bare_vs_direct": ratio(rps.get(BARE), rps.get(DIRECT)),
            "ours_vs_bare": ratio(rps.get(OURS), rps.get(BARE)),
            "prism_vs_direct": ratio(rps.get(PRISM), rps.get(DIRECT)),
            "ours_vs_prism": ratio(rps.get(OURS), rps.get(PRISM)),
        }
    return table


def print_table(table: dict[str, Any]) -> None:
    def fmt(value: float | None, digits: int = 1) -> str:
        return "-" if value is None else f"{value:,.{digits}f}"

    print("\ncase   direct req/s  bare req/s  ours req/s  Prism req/s  ours/direct  bare/direct"
          "  ours/bare  ours/Prism  p99 direct/bare/ours/Prism ms")
    for name, row in table.items():
        rps, p99 = row["rps"], row["p99_ms"]
        print(
            f"{name:<6} {fmt(rps.get(DIRECT)):>12} {fmt(rps.get(BARE)):>11} {fmt(rps.get(OURS)):>11}"
            f" {fmt(rps.get(PRISM)):>12}  {fmt(row['ours_vs_direct'], 2):>11}"
            f"  {fmt(row['bare_vs_direct'], 2):>11}  {fmt(row['ours_vs_bare'], 2):>9}"
            f"  {fmt(row['ours_vs_prism'], 2):>10}  "
            f"{fmt(p99.get(DIRECT), 2)} / {fmt(p99.get(BARE), 2)} / {fmt(p99.get(OURS), 2)}"
            f" / {fmt(p99.get(PRISM), 2)}"
        )
        for target, why in row["probe_failures"].items():
            print(f"       {target}: probe FAILED ({why})")
        for target, errors in row["failed_runs"].items():
            print(f"       {target}: {len(errors)} run(s) refused ({errors[0]})")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="--seconds 3 --repeat 1")
    parser.add_argument("--no-prism", action="store_true", help="do not measure Prism's proxy")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeat = 3, 1
    ensure_wrk()
    version, check_s, why_not = (None, 0.0, "--no-prism") if args.no_prism else prism_version()
    if why_not and not args.no_prism:
        print(f"bench: {why_not}")
    results = measure(args, prism=why_not is None)
    table = report(results)
    print_table(table)
    data = {
        "machine": machine_info(version, check_s),
        "settings": {k: v for k, v in vars(args).items() if k != "quick"},
        "cases": dict(CASES),
        "runs": {t: {n: asdict(f) for n, f in per.items()} for t, per in results.items()},
        "summary": table,
    }
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"proxy-{stamp}.json"
    text = json.dumps(data, indent=2) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "proxy-latest.json").write_text(text)
    print(f"\nJSON: {path.relative_to(ROOT)} (and bench/results/proxy-latest.json)")
    failed = any(row["probe_failures"].get(OURS) for row in table.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
