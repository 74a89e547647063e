"""What the server limits cost, and what they save: ours against uvicorn's own httptools protocol.

    python bench/limits.py [--seconds 5] [--repeat 3] [--connections 16]

Two servers serve the same app (``create_app(["vinr"])``), one at a time on a free loopback
port, alternating run by run:

- ``limited``: uvicorn with :class:`mockserver.limits.LimitedProtocol` and the default
  :class:`~mockserver.limits.ServerLimits` (what ``mockserver serve`` runs);
- ``plain``: uvicorn's ``httptools`` protocol with no limits (what ``serve`` ran before).

Measured for each: ``wrk -t1 -cN`` requests per second on ``GET /v1/campaigns/{id}`` (median
of ``--repeat`` runs), then one request with a 16 MiB and one with a 64 MiB header: the time
until the answer and the server's peak RSS (``VmHWM``) afterwards. Prints a table and the
ratios limited/plain; a shared, noisy machine, so read the ratios.
"""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
CAMPAIGN = "/v1/campaigns/cmp_6Eg4rSWelcome"
RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)


def serve(kind: str, port: int) -> None:
    """Child process: one server of ``kind`` on ``port``."""
    import logging

    import uvicorn

    from mockserver.applications import create_app
    from mockserver.limits import ServerLimits

    logging.disable(logging.WARNING)
    app = create_app(["vinr"])
    options = ServerLimits().uvicorn_options() if kind == "limited" else {"http": "httptools"}
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="error", access_log=False, **options)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start(kind: str) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--serve", kind, "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            response = httpx.get(
                f"http://127.0.0.1:{port}{CAMPAIGN}", headers={"Authorization": "Bearer k"}, timeout=1
            )
            if response.status_code == 200:
                return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"{kind}: the server did not start")


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    proc.wait(timeout=20)


def peak_rss_mib(proc: subprocess.Popen[bytes]) -> float:
    with open(f"/proc/{proc.pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(port: int, seconds: int, connections: int) -> float:
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s",
        "-H", "Authorization: Bearer k", f"http://127.0.0.1:{port}{CAMPAIGN}",
    ]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = RPS.search(output)
    if found is None:
        raise SystemExit(f"wrk printed no Requests/sec:\n{output}")
    return float(found.group(1))


def huge_header(port: int, mebibytes: int) -> tuple[float, str]:
    """Seconds until the server answers a request with a ``mebibytes`` MiB header, and its status."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=120)
    started = time.perf_counter()

    def send() -> None:
        try:
            sock.sendall(b"GET /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
            chunk = b"a" * (1 << 20)
            for _ in range(mebibytes):
                sock.sendall(chunk)
            sock.sendall(b"\r\n\r\n")
        except OSError:
            pass

    sender = threading.Thread(target=send)
    sender.start()
    try:
        first = sock.recv(64)
    except OSError as exc:
        first = repr(exc).encode()
    elapsed = time.perf_counter() - started
    sock.close()
    sender.join()
    status = first.split(b"\r\n", 1)[0].decode("latin-1", "replace") or "(closed)"
    return elapsed, status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--serve", choices=["limited", "plain"], help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return

    kinds = ("limited", "plain")
    rps: dict[str, list[float]] = {kind: [] for kind in kinds}
    for _ in range(args.repeat):
        for kind in kinds:
            proc, port = start(kind)
            try:
                wrk(port, 1, args.connections)  # warm-up
                rps[kind].append(wrk(port, args.seconds, args.connections))
            finally:
                stop(proc)
    huge: dict[str, dict[int, tuple[float, str, float]]] = {kind: {} for kind in kinds}
    for kind in kinds:
        for mebibytes in (16, 64):
            proc, port = start(kind)
            try:
                elapsed, status = huge_header(port, mebibytes)
                huge[kind][mebibytes] = (elapsed, status, peak_rss_mib(proc))
            finally:
                stop(proc)

    median = {kind: statistics.median(rps[kind]) for kind in kinds}
    print(f"GET {CAMPAIGN}, wrk -t1 -c{args.connections} -d{args.seconds}s, median of {args.repeat}")
    print(f"{'server':<10} {'req/s':>10}   runs")
    for kind in kinds:
        print(f"{kind:<10} {median[kind]:>10,.0f}   {', '.join(f'{r:,.0f}' for r in rps[kind])}")
    print(f"limited/plain req/s: {median['limited'] / median['plain']:.3f}")
    print()
    print(f"{'server':<10} {'header':>7} {'answer':<48} {'seconds':>8} {'peak RSS MiB':>13}")
    for kind in kinds:
        for mebibytes, (elapsed, status, rss) in huge[kind].items():
            print(f"{kind:<10} {mebibytes:>4} MiB {status:<48} {elapsed:>8.2f} {rss:>13.0f}")


if __name__ == "__main__":
    main()
