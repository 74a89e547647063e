"""What the request journal costs: throughput with it on and off, side by side in one run.

    python bench/journal.py [--seconds 5] [--repeat 3] [--connections 16] [--baseline REF]

Servers, each ``python -m mockserver serve --api vinr --log-level warning`` on a free loopback
port, one at a time, the order rotated run by run (so drift on a shared machine spreads over
all of them):

- ``journal on``: ``--journal-size 1000`` (the default; full after the first second, so
  every request also drops the oldest entry);
- ``journal off``: ``--journal-size 0``;
- ``baseline`` (with ``--baseline REF``): the code of git ref ``REF`` (``git archive`` into
  a temporary directory, run with this virtualenv), e.g. the pipeline before it had an
  outcome record and observers. It has no ``--journal-size``.

Each case is ``wrk -t1 -cN -dS`` (median requests/s over ``--repeat`` runs):

- ``get``: ``GET /v1/campaigns/{id}`` (200);
- ``create``: ``POST /v1/campaigns`` with a JSON body (200; grows the state);
- ``invalid``: ``POST /v1/campaigns`` whose body fails validation (400).

Prints a table with journal on / off per case (the goal is at least 0.90) and, with a
baseline, off / baseline. A shared, noisy machine: read the ratios, not the figures.
"""

from __future__ import annotations

import argparse
import json
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
        import os

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


def wrk(port: int, case: Case, seconds: int, connections: int, scripts: Path) -> float:
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
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = RPS.search(output)
    if found is None:
        raise SystemExit(f"wrk printed no Requests/sec:\n{output}")
    return float(found.group(1))


def export(ref: str, into: Path) -> Path:
    """The tree of git ``ref`` in ``into`` (nothing of the working tree is touched)."""
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, capture_output=True, check=True).stdout
    into.mkdir()
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--baseline", metavar="REF", help="also measure the code of this git ref")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-journal-") as temp:
        scripts = Path(temp)
        servers = [Server("journal on", ("--journal-size", "1000")), Server("journal off", ("--journal-size", "0"))]
        if options.baseline:
            source = export(options.baseline, scripts / "baseline")
            servers.append(Server(f"baseline {options.baseline}", (), source))
        rates: dict[tuple[str, str], list[float]] = {}
        for run in range(options.repeat):
            order = servers[run % len(servers) :] + servers[: run % len(servers)]
            for server in order:
                proc, port = start(server)
                try:
                    for case in CASES:
                        check(port, case)
                        rate = wrk(port, case, options.seconds, options.connections, scripts)
                        rates.setdefault((server.label, case.name), []).append(rate)
                        print(f"run {run + 1} {server.label:<22} {case.name:<8} {rate:>9,.0f} req/s", flush=True)
                finally:
                    stop(proc)

    print()
    labels = [s.label for s in servers]
    header = f"| case | {' | '.join(labels)} | on/off |"
    if options.baseline:
        header += " off/baseline |"
    print(header)
    print("|---" * (len(labels) + 2 + bool(options.baseline)) + "|")
    for case in CASES:
        medians = {label: statistics.median(rates[(label, case.name)]) for label in labels}
        row = f"| {case.name} | " + " | ".join(f"{medians[label]:,.0f}" for label in labels)
        row += f" | {medians['journal on'] / medians['journal off']:.2f} |"
        if options.baseline:
            row += f" {medians['journal off'] / medians[labels[2]]:.2f} |"
        print(row)


if __name__ == "__main__":
    main()
