"""What the request journal costs: throughput with it on and off, side by side in one run.

    python bench/journal.py [--seconds 5] [--repeat 3] [--connections 16] [--baseline REF]
    python bench/journal.py --in-process [--rounds 40] [--batch 250] [--baseline REF]

Servers, each ``python -m mockserver serve --api vinr --log-level warning`` on a free loopback
port, one at a time, the order rotated run by run (so drift on a shared machine spreads over
all of them):

- ``journal on``: ``--journal-size 1000`` (the default; full after the first second, so
  every request also drops the oldest entry);
- ``journal off``: ``--journal-size 0``;
- ``baseline`` (with ``--baseline REF``): the code of git ref ``REF`` (``git archive`` into
  a temporary directory, run with this virtualenv), e.g. the pipeline before it had an
  outcome record and observers. It has no ``--journal-size``.

Each case is ``wrk -t1 -cN -dS``, and two figures are kept per run (medians over
``--repeat`` runs):

- requests/s, as wrk counts them;
- the server's CPU time per request (user + system time of the server process over the run,
  from ``/proc/<pid>/stat``, divided by the requests wrk completed). On a shared machine whose
  other work takes cores from the server, throughput moves with that load; the CPU a request
  costs the server hardly does, so the ratios are computed from it: a throughput ratio
  on/off is cpu(off) / cpu(on) per request.

The cases:

- ``get``: ``GET /v1/campaigns/{id}`` (200);
- ``create``: ``POST /v1/campaigns`` with a JSON body (200; grows the state);
- ``invalid``: ``POST /v1/campaigns`` whose body fails validation (400).

``--in-process`` measures the same servers without HTTP: one child process per server drives
its app (``create_app``, with the garbage-collector settings ``serve`` uses) with synthetic
ASGI requests, and the children take turns, one batch of ``--batch`` requests each, for
``--rounds`` rounds, so that whatever else the machine does falls on all of them alike. Each
child reports the CPU time each batch took; the figure is the median batch's CPU per
request. The children run on one core (``taskset``), the same for all. It leaves out
uvicorn's HTTP parsing (the same in every server), so the journal's share is, if anything,
overstated.

Prints a table with journal on / off per case (the goal is at least 0.90) and, with a
baseline, off / baseline, both from CPU per request (req/s beside them).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
REQUESTS = re.compile(r"^\s+(\d+) requests in", re.MULTILINE)
TICK = os.sysconf("SC_CLK_TCK")
AUTH = "Authorization: Bearer sk_bench"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    status: int
    body: dict[str, object] | None = None


CASES = (
    Case("get", "GET", "/v1/campaigns/cmp_6Eg4rSWelcome", 200),
    Case("create", "POST", "/v1/campaigns", 200, {"name": "Bench", "type": "offer", "ends_at": 4102444800}),
    Case("invalid", "POST", "/v1/campaigns", 400, {"name": 5, "type": "offer"}),
)


@dataclass(frozen=True)
class Server:
    label: str
    args: tuple[str, ...]
    #: Where ``mockserver`` is imported from (``None``: this checkout).
    source: Path | None = None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(server: Server) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = None
    if server.source is not None:
        env = {**os.environ, "PYTHONPATH": str(server.source)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--api", "vinr", "--port", str(port),
         "--log-level", "warning", *server.args],
        cwd=server.source or ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            response = httpx.get(
                f"http://127.0.0.1:{port}{CASES[0].path}",
                headers={"Authorization": "Bearer sk_bench"},
                timeout=1,
            )
            if response.status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{server.label}: the server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def check(port: int, case: Case) -> None:
    response = httpx.request(
        case.method,
        f"http://127.0.0.1:{port}{case.path}",
        headers={"Authorization": "Bearer sk_bench"},
        json=case.body,
        timeout=5,
    )
    if response.status_code != case.status:
        raise SystemExit(f"{case.name}: expected {case.status}, got {response.status_code}: {response.text}")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def wrk(
    proc: subprocess.Popen[bytes], port: int, case: Case, seconds: int, connections: int, scripts: Path
) -> tuple[float, float]:
    """(requests/s, server CPU microseconds per request) of one wrk run."""
    command = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "-H", AUTH]
    if case.body is not None:
        script = scripts / f"{case.name}.lua"
        script.write_text(
            f'wrk.method = "{case.method}"\n'
            f"wrk.body = {json.dumps(json.dumps(case.body))}\n"
            'wrk.headers["Content-Type"] = "application/json"\n'
        )
        command += ["-s", str(script)]
    command.append(f"http://127.0.0.1:{port}{case.path}")
    before = cpu_seconds(proc.pid)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(proc.pid) - before
    rate, count = RPS.search(output), REQUESTS.search(output)
    if rate is None or count is None:
        raise SystemExit(f"wrk printed no Requests/sec:\n{output}")
    return float(rate.group(1)), used / int(count.group(1)) * 1e6


def export(ref: str, into: Path) -> Path:
    """The tree of git ``ref`` in ``into`` (nothing of the working tree is touched)."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def child(journal_size: int | None) -> None:
    """``--child``: serve batches to the parent: reads ``CASE COUNT`` lines, answers the CPU
    seconds the batch took (the app is built from whatever ``mockserver`` is importable)."""
    import asyncio
    import inspect
    import logging

    logging.disable(logging.WARNING)
    from mockserver import collector
    from mockserver.applications import create_app

    options = {}
    if journal_size is not None and "journal_size" in inspect.signature(create_app).parameters:
        options["journal_size"] = journal_size
    app = create_app(["vinr"], **options)
    collector.install()
    cases = {case.name: case for case in CASES}

    async def one(case: Case) -> None:
        body = json.dumps(case.body).encode() if case.body is not None else b""
        headers = [(b"host", b"127.0.0.1"), (b"authorization", b"Bearer sk_bench")]
        if body:
            headers += [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
            "method": case.method, "scheme": "http", "path": case.path,
            "raw_path": case.path.encode(), "root_path": "", "query_string": b"",
            "headers": headers, "client": ("127.0.0.1", 5000), "server": ("127.0.0.1", 8000),
        }  # fmt: skip
        status: list[int] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": body, "more_body": False}

        async def send(message: dict[str, object]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))  # type: ignore[call-overload]

        await app(scope, receive, send)
        if status != [case.status]:
            raise SystemExit(f"{case.name}: answered {status}")

    async def serve_batches() -> None:
        for line in sys.stdin:
            name, count = line.split()
            case = cases[name]
            started = time.process_time()
            for _ in range(int(count)):
                await one(case)
            print(time.process_time() - started, flush=True)

    asyncio.run(serve_batches())


def in_process(servers: list[Server], rounds: int, batch: int) -> dict[tuple[str, str], float]:
    """CPU microseconds per request, per (server, case), the children taking turns."""
    children: dict[str, subprocess.Popen[str]] = {}
    # every child on the same core: they take turns, so each batch meets the same core
    core = max(os.sched_getaffinity(0))
    for server in servers:
        size = server.args[-1] if server.args else "none"
        children[server.label] = subprocess.Popen(
            ["taskset", "-c", str(core), sys.executable, str(Path(__file__).resolve()), "--child", size],
            cwd=server.source or ROOT,
            env={**os.environ, "PYTHONPATH": str(server.source)} if server.source else None,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(label: str, case: Case, count: int) -> float:
        proc = children[label]
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(f"{case.name} {count}\n")
        proc.stdin.flush()
        answer = proc.stdout.readline()
        if not answer:
            raise SystemExit(f"{label}: the child stopped")
        return float(answer)

    cost: dict[tuple[str, str], float] = {}
    try:
        for case in CASES:
            for server in servers:
                run(server.label, case, 300)  # warm-up: every operation prepared
            spent: dict[str, list[float]] = {s.label: [] for s in servers}
            for turn in range(rounds):
                order = servers[turn % len(servers) :] + servers[: turn % len(servers)]
                for server in order:
                    spent[server.label].append(run(server.label, case, batch))
            for label, seconds in spent.items():
                # the median batch: a batch that shared its core with a burst elsewhere is
                # an outlier, not the cost
                cost[(label, case.name)] = statistics.median(seconds) / batch * 1e6
                print(f"{label:<22} {case.name:<8} {cost[(label, case.name)]:>7.1f} us CPU/request", flush=True)
    finally:
        for proc in children.values():
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait(timeout=30)
    return cost


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline", metavar="REF", help="also measure the code of this git ref")
    parser.add_argument("--in-process", action="store_true", help="no HTTP: children take turns")
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--batch", type=int, default=250)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.child is not None:
        child(None if options.child == "none" else int(options.child))
        return

    with tempfile.TemporaryDirectory(prefix="bench-journal-") as temp:
        scripts = Path(temp)
        servers = [Server("journal on", ("--journal-size", "1000")), Server("journal off", ("--journal-size", "0"))]
        if options.baseline:
            source = export(options.baseline, scripts / "baseline")
            servers.append(Server(f"baseline {options.baseline}", (), source))
        if options.in_process:
            report_in_process(servers, in_process(servers, options.rounds, options.batch))
            return
        rates: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        for run in range(options.repeat):
            order = servers[run % len(servers) :] + servers[: run % len(servers)]
            for server in order:
                proc, port = start(server)
                try:
                    for case in CASES:
                        check(port, case)
                        rate, cpu = wrk(proc, port, case, options.seconds, options.connections, scripts)
                        rates.setdefault((server.label, case.name), []).append(rate)
                        cpus.setdefault((server.label, case.name), []).append(cpu)
                        print(
                            f"run {run + 1} {server.label:<22} {case.name:<8} {rate:>9,.0f} req/s"
                            f" {cpu:>8.1f} us CPU/request",
                            flush=True,
                        )
                finally:
                    stop(proc)

    print()
    labels = [s.label for s in servers]
    header = "| case | " + " | ".join(f"{label}: CPU us/req (req/s)" for label in labels) + " | on/off |"
    if options.baseline:
        header += " off/baseline |"
    print(header)
    print("|---" * (len(labels) + 2 + bool(options.baseline)) + "|")
    for case in CASES:
        cpu = {label: statistics.median(cpus[(label, case.name)]) for label in labels}
        rate = {label: statistics.median(rates[(label, case.name)]) for label in labels}
        row = f"| {case.name} | " + " | ".join(
            f"{cpu[label]:.0f} ({rate[label]:,.0f})" for label in labels
        )
        row += f" | {cpu['journal off'] / cpu['journal on']:.2f} |"
        if options.baseline:
            row += f" {cpu[labels[2]] / cpu['journal off']:.2f} |"
        print(row)


def report_in_process(servers: list[Server], cost: dict[tuple[str, str], float]) -> None:
    labels = [s.label for s in servers]
    print()
    header = "| case | " + " | ".join(f"{label}: CPU us/req" for label in labels) + " | on/off |"
    if len(labels) > 2:
        header += " off/baseline |"
    print(header)
    print("|---" * (len(labels) + 2 + (len(labels) > 2)) + "|")
    for case in CASES:
        row = f"| {case.name} | " + " | ".join(f"{cost[(label, case.name)]:.1f}" for label in labels)
        row += f" | {cost[('journal off', case.name)] / cost[('journal on', case.name)]:.2f} |"
        if len(labels) > 2:
            row += f" {cost[(labels[2], case.name)] / cost[('journal off', case.name)]:.2f} |"
        print(row)


if __name__ == "__main__":
    main()
