"""Throughput of the mock with full validation on: one GET and one POST.

Starts ``mockserver serve`` on a free loopback port, warms it up, then drives it
with ``wrk`` when installed (``apt-get install wrk``), or with a built-in
asyncio load generator otherwise (which measures the client as much as the
server, so compare ratios within one run, never absolute numbers across runs).

    python bench/run.py [--seconds 10] [--connections 16] [--api vinr]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

AUTH = "Bearer sk_bench"
POST_BODY = {"name": "Bench campaign", "type": "offer", "ends_at": 4102444800}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(api: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "mockserver", "serve", "--api", api,
        "--port", str(port), "--log-level", "warning",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/__admin/health", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the mock did not start")


def run_wrk(url: str, seconds: int, connections: int, script: str | None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Authorization: {AUTH}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        if line.startswith("Requests/sec:"):
            return float(line.split()[1])
    raise RuntimeError(out)


async def run_python(url: str, seconds: int, connections: int, post: bool) -> float:
    count = 0
    stop = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=connections)
    async with httpx.AsyncClient(headers={"Authorization": AUTH}, limits=limits) as client:

        async def worker() -> None:
            nonlocal count
            while time.perf_counter() < stop:
                if post:
                    response = await client.post(url, json=POST_BODY)
                else:
                    response = await client.get(url)
                assert response.status_code == 200, response.text
                count += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(connections)))
        return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--api", default="vinr")
    args = parser.parse_args()

    port = free_port()
    proc = start_server(args.api, port)
    base = f"http://127.0.0.1:{port}"
    get_url = f"{base}/v1/campaigns/cmp_6Eg4rSWelcome"
    post_url = f"{base}/v1/campaigns"
    try:
        for _ in range(50):
            httpx.get(get_url, headers={"Authorization": AUTH})
        tool = "wrk" if shutil.which("wrk") else "python"
        if tool == "wrk":
            with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
                lua.write(
                    'wrk.method = "POST"\n'
                    f"wrk.body = {json.dumps(json.dumps(POST_BODY))}\n"
                    'wrk.headers["Content-Type"] = "application/json"\n'
                )
            get_rps = run_wrk(get_url, args.seconds, args.connections, None)
            post_rps = run_wrk(post_url, args.seconds, args.connections, lua.name)
            os.unlink(lua.name)
        else:
            get_rps = asyncio.run(run_python(get_url, args.seconds, args.connections, False))
            post_rps = asyncio.run(run_python(post_url, args.seconds, args.connections, True))
        health = httpx.get(f"{base}/__admin/violations").json()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"load generator: {tool}, {args.connections} connections, {args.seconds}s each, 1 uvicorn worker")
    print(f"GET  /v1/campaigns/{{id}}  {get_rps:9.1f} req/s  (request + response validated)")
    print(f"POST /v1/campaigns       {post_rps:9.1f} req/s  (request + response validated)")
    print(f"contract violations during the run: {len(health['violations'])}")


if __name__ == "__main__":
    main()
