"""Benchmark ``mockserver proxy``: its overhead on GETs, and against Stoplight Prism's proxy.

    make bench-proxy                                   # ~6 minutes
    make bench-proxy BENCH_ARGS="--quick"              # one short run per target
    python bench/proxy.py [--quick] [--no-prism] [--no-pin] [--seconds 10] [--repeat 3]
                          [--connections 16] [--threads 1]

One upstream, the mock (``python -m mockserver serve --api vinr``), and four ways to reach it
with the same GET requests, driven by ``wrk --latency``:

- ``direct``: wrk talks to the mock;
- ``bare proxy``: ``bench/passthrough.py``, aiohttp's pool behind uvicorn with no check at all:
  what the extra hop alone costs on this stack (the floor under our proxy's figure);
- ``mockserver proxy``: ``python -m mockserver proxy --api vinr --target <mock>``, validating
  every request and response;
- ``prism proxy``: ``npx -y @stoplight/prism-cli@5 proxy SPEC <mock> -v error`` (validating
  requests and responses, adding its ``sl-violations`` header), same document.

All run for the whole benchmark; they are loaded one at a time, round-robin (direct, bare,
ours, Prism, direct, ...), so each round compares them under the same machine load. Each
figure is the median over ``--repeat`` rounds of wrk's Requests/sec and latency percentiles
after a warm-up. Before loading, one probe per target checks the answer: status 200, and for
the proxies no violation header (the mock keeps its contract, so a violation there would be a
false positive).

Cores. On a machine with two or more CPUs the processes are pinned (``taskset``) unless
``--no-pin``: the upstream on the last CPU, alone; wrk and the proxy under test on the others.
So the upstream has the same CPU whether it is reached directly or through a proxy, as a real
server on its own machine would, and a proxy takes its CPU from the client's side, not from the
server it fronts. Unpinned, the three processes share every core with each other (and with
whatever else runs), and a proxy's share comes partly out of the upstream's. The layout and the
load average (at start and at the end) are printed and saved with the figures.

CPU per request. Around each wrk run the CPU time of the upstream, the proxy under test and wrk
is read (``/proc/<pid>/stat`` for each process group, ``getrusage`` for wrk) and divided by the
requests served: what each process spends on one request, whatever the machine's load did to
the throughput. When every process gets a similar share of a loaded machine, the throughput
ratio through a proxy tends to upstream CPU / proxy CPU per request.

Ratios printed: ours/direct (what is left of the throughput through our proxy; the goal is at
least 0.5), bare/direct, ours/bare, and ours/Prism (>1: we are faster). Proxied requests cross
two loopback hops and a proxy in front of a fast local upstream is the worst case for the ratio;
in front of a real server across a network, its share of the latency is smaller.

Results: a table on stdout, and JSON in ``bench/results/proxy-<UTC timestamp>.json`` and
``bench/results/proxy-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
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
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Layout:
    """Which CPUs (``taskset -c`` lists) the upstream and the client side (wrk, proxies) get."""

    upstream: str | None = None
    client: str | None = None

    @classmethod
    def choose(cls, pin: bool) -> Layout:
        cpus = sorted(os.sched_getaffinity(0))
        if not pin or len(cpus) < 2:
            return cls()
        return cls(upstream=str(cpus[-1]), client=",".join(str(c) for c in cpus[:-1]))

    def wrap(self, command: list[str], cpus: str | None) -> list[str]:
        return ["taskset", "-c", cpus, *command] if cpus else command

    def describe(self) -> str:
        count = len(os.sched_getaffinity(0))
        if self.upstream is None:
            return f"{count} CPUs, nothing pinned: wrk, the upstream and the proxy share them all"
        return (
            f"{count} CPUs, pinned: the upstream (the mock) alone on CPU {self.upstream}; wrk and "
            f"the proxy under test on CPU {self.client} (the other proxies idle there between "
            "their runs)"
        )


def group_cpu(pgid: int) -> float:
    """CPU seconds (user + system) used so far by the processes of group ``pgid``."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[2]) == pgid:  # fields[0] is the state, [2] the process group
            total += int(fields[11]) + int(fields[12])
    return total / TICKS


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Figures:
    runs: list[dict[str, float]] = field(default_factory=list)
    probe: str = ""
    #: Runs refused (socket errors or non-2xx answers seen by wrk), not in the medians.
    errors: list[str] = field(default_factory=list)

    def median(self, key: str) -> float | None:
        values = [run[key] for run in self.runs if key in run]
        return round(statistics.median(values), 3) if values else None


def wait_for(url: str, what: str, log: Path, proc: Any, timeout: float = 120.0) -> httpx.Response:
    """The first answer ``url`` gives (raises ServerFailed when the process exits first)."""
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


def load(
    url: str, args: argparse.Namespace, layout: Layout, upstream: int, proxy: int | None
) -> dict[str, float]:
    """One wrk run on ``url`` after a warm-up: req/s, latency, and CPU per request of the
    upstream's process group, the proxy's (``None``: direct) and wrk."""
    for _ in range(WARMUP_REQUESTS // 50):
        with httpx.Client(headers=HEADERS) as client:
            for _ in range(50):
                client.get(url)
    command = [
        "wrk", f"-t{args.threads}", f"-c{args.connections}", f"-d{args.seconds}s", "--latency",
        *(part for name, value in HEADERS.items() for part in ("-H", f"{name}: {value}")),
        url,
    ]
    before = (group_cpu(upstream), group_cpu(proxy) if proxy else 0.0, children_cpu())
    done = subprocess.run(
        layout.wrap(command, layout.client), capture_output=True, text=True, timeout=args.seconds + 60
    )
    after = (group_cpu(upstream), group_cpu(proxy) if proxy else 0.0, children_cpu())
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed: {done.stderr or done.stdout}")
    run = parse_wrk(done.stdout)
    if run.non_2xx_3xx or run.socket_errors:
        raise RuntimeError(f"wrk saw errors: non-2xx {run.non_2xx_3xx}, sockets {run.socket_errors}")
    served = run.rps * args.seconds
    upstream_us, proxy_us, wrk_us = ((b - a) / served * 1e6 for a, b in zip(before, after, strict=True))
    figures = {
        "rps": run.rps, "p50_ms": run.p50_ms, "p99_ms": run.p99_ms,
        "upstream_cpu_us": round(upstream_us, 1), "wrk_cpu_us": round(wrk_us, 1),
    }
    if proxy:
        figures["proxy_cpu_us"] = round(proxy_us, 1)
    return figures


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def measure(args: argparse.Namespace, prism: bool, layout: Layout) -> dict[str, dict[str, Figures]]:
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
        mock = layout.wrap(mock, layout.upstream)
        ours, theirs, bare = (layout.wrap(c, layout.client) for c in (ours, theirs, bare))
        bases = {DIRECT: upstream, OURS: f"http://127.0.0.1:{ours_port}",
                 PRISM: f"http://127.0.0.1:{prism_port}", BARE: f"http://127.0.0.1:{bare_port}"}
        with running(mock, logs / "mock.log") as mock_proc:
            wait_for(bases[DIRECT] + CASES[0][1], "the mock", logs / "mock.log", mock_proc)
            with running(ours, logs / "ours.log") as ours_proc, running(bare, logs / "bare.log") as bare_proc:
                wait_for(bases[OURS] + CASES[0][1], "mockserver proxy", logs / "ours.log", ours_proc)
                wait_for(bases[BARE] + CASES[0][1], "bare proxy", logs / "bare.log", bare_proc)
                with running(theirs if prism else ["sleep", "3600"], logs / "prism.log") as prism_proc:
                    pids = {DIRECT: None, OURS: ours_proc.pid, BARE: bare_proc.pid, PRISM: prism_proc.pid}
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
                                    run = load(bases[target] + path, args, layout, mock_proc.pid, pids[target])
                                except RuntimeError as exc:  # a starved machine: keep the others
                                    figures.errors.append(str(exc))
                                    print(f"  round {round_ + 1} {name:<5} {target:<17} FAILED: {exc}", flush=True)
                                    continue
                                figures.runs.append(run)
                                print(f"  round {round_ + 1} {name:<5} {target:<17} "
                                      f"{run['rps']:>9.1f} req/s  p99 {run['p99_ms']:>7.2f} ms  CPU/request: "
                                      f"upstream {run['upstream_cpu_us']:>4.0f} us, proxy "
                                      f"{run.get('proxy_cpu_us', 0):>4.0f} us, wrk {run['wrk_cpu_us']:>3.0f} us  "
                                      f"(load {os.getloadavg()[0]:.1f})", flush=True)
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
            "ours_vs_direct_by_round": by_round(results, name, OURS, DIRECT),
            "cpu_us_per_request": {
                target: {
                    part: results[target][name].median(f"{part}_cpu_us")
                    for part in ("upstream", "proxy", "wrk")
                }
                for target in results
            },
        }
    return table


def by_round(results: dict[str, dict[str, Figures]], name: str, a: str, b: str) -> list[float]:
    """``a``/``b`` in each round (each pair measured one after the other)."""
    runs_a, runs_b = results[a][name].runs, results[b][name].runs
    if len(runs_a) != len(runs_b):  # a refused run: rounds no longer line up
        return []
    return [round(x["rps"] / y["rps"], 3) for x, y in zip(runs_a, runs_b, strict=True)]


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
    print("\nCPU per request, us (median of the rounds): upstream / proxy / wrk; ours/direct by round")
    for name, row in table.items():
        cpu = row["cpu_us_per_request"]
        parts = [
            f"{target}: " + " / ".join(fmt(cpu[target][part], 0) for part in ("upstream", "proxy", "wrk"))
            for target in cpu
        ]
        rounds = ", ".join(f"{r:.2f}" for r in row["ours_vs_direct_by_round"]) or "-"
        print(f"{name:<6} {';  '.join(parts)};  ours/direct {rounds}")


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
    parser.add_argument(
        "--no-pin", action="store_true",
        help="let every process run on every CPU (default: the upstream alone on one CPU, wrk "
        "and the proxy under test on the others)",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeat = 3, 1
    ensure_wrk()
    version, check_s, why_not = (None, 0.0, "--no-prism") if args.no_prism else prism_version()
    if why_not and not args.no_prism:
        print(f"bench: {why_not}")
    layout = Layout.choose(pin=not args.no_pin)
    setup = {
        "layout": layout.describe(),
        "upstream_cpus": layout.upstream,
        "client_cpus": layout.client,
        "processes": "wrk (1 process, --threads), the mock (1 process), bench/passthrough.py, "
        "mockserver proxy, Prism (node): one of the proxies loaded at a time",
    }
    print(f"setup: {setup['layout']}; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    results = measure(args, prism=why_not is None, layout=layout)
    setup["loadavg_at_end"] = [round(load, 2) for load in os.getloadavg()]
    table = report(results)
    print_table(table)
    print(f"\nsetup: {setup['layout']}; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    data = {
        "machine": machine_info(version, check_s),
        "settings": {k: v for k, v in vars(args).items() if k != "quick"},
        "setup": setup,
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
