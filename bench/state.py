"""Benchmark the state backends: memory, SQLite and Redis, with one and two workers.

    make bench-state                                   # ~4 minutes
    python bench/state.py [--seconds 10] [--repeat 3] [--connections 16] [--quick]

Servers measured, one at a time, each ``python -m mockserver serve --api vinr`` on a free
loopback port with validation on:

- ``memory x1``: the default, one worker;
- ``sqlite x1``: ``--state sqlite:///<tmp>/state.db``, one worker (every create is synced to
  disk before its answer, with group commit);
- ``sqlite x2``: the same file with ``--workers 2`` (units of work run one at a time across the
  workers: what the second worker adds is the part of a request outside its unit);
- ``redis x1``: ``--state redis://...``, one worker (what one worker costs and gives);
- ``redis x2``: the same with ``--workers 2``.

Redis is a ``redis-server`` this script starts on a free port in a temporary directory
(without persistence) and stops at the end; each server starts on an empty database.

Cases: ``get`` (``GET /v1/campaigns/{id}`` of a fixture) and ``create``
(``POST /v1/campaigns``), each loaded with ``wrk --latency`` after a warm-up; the figure is
the median Requests/sec over ``--repeat`` runs. A run with a non-2xx answer or a socket error
is refused, as in ``bench/run.py``.

Goals (issue 16): ``redis x2`` at least 1.5x ``memory x1`` on ``get``; ``sqlite x1`` at least
0.5x ``memory x1`` on ``create``. Both ratios are printed, with the per-worker figures used to
extrapolate to more cores and hosts. wrk and redis-server run on the same two cores as the
workers, so the two-worker figures are what is left after them. Results: a table on stdout
and JSON in ``bench/results/state-<UTC timestamp>.json`` and ``bench/results/state-latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as bench  # noqa: E402 (the sibling script's wrk and process helpers)

CASES = (
    bench.Case("get", "GET", "/v1/campaigns/cmp_6Eg4rSWelcome", 2),
    bench.Case("create", "POST", "/v1/campaigns", 2, bench.VINR_CREATE),
)
API = bench.Api(
    name="vinr",
    spec=bench.VINR_SPEC,
    serve_args=("--api", "vinr"),
    headers={"Authorization": "Bearer sk_bench"},
    cases=CASES,
)


@dataclass(frozen=True)
class Config:
    key: str
    state: str  # memory, sqlite or redis
    workers: int


CONFIGS = (
    Config("memory x1", "memory", 1),
    Config("sqlite x1", "sqlite", 1),
    Config("sqlite x2", "sqlite", 2),
    Config("redis x1", "redis", 1),
    Config("redis x2", "redis", 2),
)


@dataclass
class Measured:
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    #: CPU time per request (µs, median over the runs): the server's workers, redis-server, wrk
    server_cpu_us: float | None = None
    redis_cpu_us: float | None = None
    wrk_cpu_us: float | None = None
    #: requests/s the configuration would serve on two otherwise idle cores, from its CPU time
    #: per request (see ``capacity``)
    capacity_rps: float | None = None
    runs: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None


TICK = os.sysconf("SC_CLK_TCK")
CORES = 2


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes ``pids`` so far."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def capacity(config: Config, m: Measured) -> float | None:
    """Requests/s on :data:`CORES` idle cores, from the CPU time each request costs.

    One worker can use one core at most. Several workers share the cores with redis-server and
    wrk, so their bound counts those too; one worker leaves wrk and Redis the other core. This
    reads the same on a quiet and on a busy machine, where throughput does not (other
    processes take turns with ours, and every wait for Redis or the disk loses the core).
    """
    if not m.server_cpu_us:
        return None
    per_worker = 1e6 / (m.server_cpu_us / config.workers)
    if config.workers == 1:
        return round(per_worker, 1)
    shared = (m.server_cpu_us or 0) + (m.redis_cpu_us or 0) + (m.wrk_cpu_us or 0)
    return round(min(config.workers * per_worker, CORES * 1e6 / shared), 1)


@contextmanager
def redis_server(directory: Path) -> Iterator[tuple[str, int]]:
    binary = shutil.which("redis-server")
    if binary is None:
        sys.exit("bench: redis-server is not installed (apt-get install -y redis-server)")
    import redis

    port = bench.free_port()
    log = directory / "redis.log"
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(directory)]
    command += ["--save", "", "--appendonly", "no", "--logfile", str(log)]
    with bench.running(command, directory / "redis.out") as process:
        url = f"redis://127.0.0.1:{port}/0"
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    sys.exit(f"bench: redis-server did not start: {log.read_text()}")
                time.sleep(0.02)
        try:
            yield url, process.pid
        finally:
            client.close()


def state_url(config: Config, directory: Path, redis_url: str) -> str:
    if config.state == "sqlite":
        path = directory / f"{config.key.replace(' ', '-')}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    if config.state == "redis":
        import redis

        client = redis.Redis.from_url(redis_url)
        client.flushdb()
        client.close()
        return redis_url
    return "memory"


def measure(
    config: Config, state: str, settings: bench.Settings, directory: Path, redis_pid: int
) -> dict[str, Measured]:
    port = bench.free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "mockserver", "serve", *API.serve_args]
    command += ["--port", str(port), "--log-level", "warning", "--state", state]
    command += ["--workers", str(config.workers)]
    log = directory / f"{config.key.replace(' ', '-')}.log"
    results: dict[str, Measured] = {}
    with bench.running(command, log) as proc, httpx.Client(timeout=30) as client:
        bench.wait_until_up(proc, client, base, API, log)
        if config.workers > 1:
            time.sleep(3)  # the other workers finish starting (each builds the app)
        for case in CASES:
            measured = results.setdefault(case.name, Measured())
            try:
                bench.warm_up(client, base, API, case, settings.warmup_requests)
                script = bench.wrk_script(case, directory)
                command = bench.wrk_command(base + case.path, API, case, settings, script)
                servers = bench.process_tree(proc.pid)
                for _ in range(settings.repeat):
                    before = (cpu_seconds(servers), cpu_seconds([redis_pid]), children_cpu())
                    run = bench.run_wrk(command, settings.seconds)
                    after = (cpu_seconds(servers), cpu_seconds([redis_pid]), children_cpu())
                    if run.non_2xx_3xx or run.socket_errors:
                        raise RuntimeError(
                            f"wrk saw {run.non_2xx_3xx} non-2xx answers, socket errors "
                            f"{run.socket_errors}: {bench.log_tail(log)}"
                        )
                    cpu = [(b - a) / run.requests * 1e6 for a, b in zip(before, after, strict=True)]
                    measured.runs.append(
                        {
                            **asdict(run),
                            "server_cpu_us": cpu[0],
                            "redis_cpu_us": cpu[1],
                            "wrk_cpu_us": cpu[2],
                        }
                    )
            except (RuntimeError, httpx.HTTPError) as exc:
                measured.error = str(exc)
                continue
            measured.rps = round(statistics.median(r["rps"] for r in measured.runs), 1)
            measured.p50_ms = statistics.median(r["p50_ms"] for r in measured.runs)
            measured.p99_ms = statistics.median(r["p99_ms"] for r in measured.runs)
            for name in ("server_cpu_us", "wrk_cpu_us") + (
                ("redis_cpu_us",) if config.state == "redis" else ()
            ):
                setattr(measured, name, round(statistics.median(r[name] for r in measured.runs), 1))
            measured.capacity_rps = capacity(config, measured)
    return results


def children_cpu() -> float:
    """CPU time of this script's finished children (the wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def ratio(
    results: dict[str, dict[str, Measured]], top: str, bottom: str, case: str, what: str = "rps"
) -> float | None:
    a, b = getattr(results[top][case], what), getattr(results[bottom][case], what)
    return round(a / b, 2) if a and b else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--quick", action="store_true", help="one 3-second run per case")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeat = 3, 1
    settings = bench.Settings(
        args.threads, args.connections, args.seconds, args.repeat, bench.WARMUP_REQUESTS
    )
    bench.ensure_wrk()
    facts = bench.machine_info(None, 0.0)
    results: dict[str, dict[str, Measured]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-state-") as tmp:
        directory = Path(tmp)
        with redis_server(directory) as (redis_url, redis_pid):
            for config in CONFIGS:
                print(f"bench: {config.key} ...", flush=True)
                state = state_url(config, directory, redis_url)
                results[config.key] = measure(config, state, settings, directory, redis_pid)

    pairs = [
        ("get", "redis x2", "memory x1", "goal >= 1.5"),
        ("create", "sqlite x1", "memory x1", "goal >= 0.5"),
        ("get", "redis x1", "memory x1", "one worker's cost"),
        ("create", "redis x1", "memory x1", ""),
        ("create", "redis x2", "memory x1", ""),
        ("get", "redis x2", "redis x1", "scaling"),
        ("get", "sqlite x1", "memory x1", ""),
        ("get", "sqlite x2", "sqlite x1", ""),
        ("create", "sqlite x2", "sqlite x1", ""),
    ]
    capacities = {
        f"{case}: {top} / {bottom}" + (f" ({note})" if note else ""): ratio(
            results, top, bottom, case, "capacity_rps"
        )
        for case, top, bottom, note in pairs
    }
    ratios = {
        "get: redis x2 / memory x1 (goal >= 1.5)": ratio(results, "redis x2", "memory x1", "get"),
        "create: sqlite x1 / memory x1 (goal >= 0.5)": ratio(
            results, "sqlite x1", "memory x1", "create"
        ),
        "get: redis x1 / memory x1 (one worker's cost)": ratio(
            results, "redis x1", "memory x1", "get"
        ),
        "create: redis x1 / memory x1": ratio(results, "redis x1", "memory x1", "create"),
        "get: redis x2 / redis x1 (scaling, 2 cores)": ratio(
            results, "redis x2", "redis x1", "get"
        ),
        "create: redis x2 / redis x1": ratio(results, "redis x2", "redis x1", "create"),
        "create: redis x2 / memory x1": ratio(results, "redis x2", "memory x1", "create"),
        "get: sqlite x1 / memory x1": ratio(results, "sqlite x1", "memory x1", "get"),
        "get: sqlite x2 / sqlite x1": ratio(results, "sqlite x2", "sqlite x1", "get"),
        "create: sqlite x2 / sqlite x1": ratio(results, "sqlite x2", "sqlite x1", "create"),
    }
    print()
    header = f"{'server':<10} {'case':<7} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7}"
    print(f"{header} {'cpu µs: server':>15} {'redis':>6} {'wrk':>5} {'capacity req/s':>15}")
    for key, cases in results.items():
        for name, m in cases.items():
            if m.error:
                print(f"{key:<10} {name:<7} FAILED: {m.error[:200]}")
                continue
            redis_cpu = f"{m.redis_cpu_us:.0f}" if m.redis_cpu_us is not None else "-"
            print(
                f"{key:<10} {name:<7} {m.rps:>8.1f} {m.p50_ms:>7.2f} {m.p99_ms:>7.2f} "
                f"{m.server_cpu_us:>15.0f} {redis_cpu:>6} {m.wrk_cpu_us:>5.0f} {m.capacity_rps:>15.0f}"
            )
    print("\nratios of measured req/s (this machine, as loaded now):")
    for label, value in ratios.items():
        print(f"  {label:<46} {value if value is not None else 'n/a'}")
    print(f"\nratios of capacity on {CORES} idle cores (from CPU time per request):")
    for label, value in capacities.items():
        print(f"  {label:<46} {value if value is not None else 'n/a'}")
    print(f"\nmachine: {facts['nproc']} cores, load at start {facts['loadavg_at_start']}")

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    payload = {
        "machine": facts,
        "settings": asdict(settings),
        "results": {k: {c: asdict(m) for c, m in v.items()} for k, v in results.items()},
        "ratios": ratios,
        "capacity_ratios": capacities,
    }
    bench.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for name in (f"state-{stamp}.json", "state-latest.json"):
        (bench.RESULTS_DIR / name).write_text(json.dumps(payload, indent=2) + "\n")
    failed = any(m.error for cases in results.values() for m in cases.values())
    return 1 if failed else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
