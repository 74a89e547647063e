"""Throughput of the mock with full validation on: one GET and one POST.

Starts ``mockserver serve`` on a free loopback port, warms it up, then drives it
with ``wrk`` when installed (``apt-get install wrk``), or with a built-in
asyncio load generator otherwise (which measures the client as much as the
server, so compare ratios within one run, never absolute numbers across runs).

    python bench/run.py [--seconds 10] [--connections 16] [--prism]

``--prism`` also measures Stoplight Prism (``npx @stoplight/prism-cli mock``, stateless,
validating requests) serving the same spec in the same run, and prints our throughput as a
ratio of Prism's: the anchor the validation-performance work is measured against.
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


ROOT = Path(__file__).resolve().parent.parent


def start_server(api: str, port: int) -> subprocess.Popen[bytes]:
    command = [
        sys.executable, "-m", "mockserver", "serve", "--api", api,
        "--port", str(port), "--log-level", "warning",
    ]
    return wait_until_up(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port, "/__admin/health")


def start_prism(port: int) -> subprocess.Popen[bytes]:
    command = [
        "npx", "-y", "@stoplight/prism-cli@5", "mock", str(ROOT / "openapi" / "vinr.yaml"),
        "-p", str(port), "-h", "127.0.0.1", "--errors", "false",
    ]
    return wait_until_up(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL), port, "/v1/campaigns")


def wait_until_up(proc: subprocess.Popen[bytes], port: int, path: str) -> subprocess.Popen[bytes]:
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}{path}", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit(f"the server on port {port} did not start")


def measure(base: str, seconds: int, connections: int) -> tuple[str, float, float]:
    """(tool, GET req/s, POST req/s) against the server at ``base``."""
    get_url = f"{base}/v1/campaigns/cmp_6Eg4rSWelcome"
    post_url = f"{base}/v1/campaigns"
    for _ in range(50):
        httpx.get(get_url, headers={"Authorization": AUTH})
    if shutil.which("wrk"):
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
            lua.write(
                'wrk.method = "POST"\n'
                f"wrk.body = {json.dumps(json.dumps(POST_BODY))}\n"
                'wrk.headers["Content-Type"] = "application/json"\n'
            )
        try:
            return (
                "wrk",
                run_wrk(get_url, seconds, connections, None),
                run_wrk(post_url, seconds, connections, lua.name),
            )
        finally:
            os.unlink(lua.name)
    return (
        "python",
        asyncio.run(run_python(get_url, seconds, connections, False)),
        asyncio.run(run_python(post_url, seconds, connections, True)),
    )


def run_wrk(url: str, seconds: int, connections: int, script: str | None) -> float:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "-H", f"Authorization: {AUTH}"]
    if script:
        command += ["-s", script]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"{url} answered errors under load, the figure would be meaningless:\n{out}")
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
    parser.add_argument("--prism", action="store_true", help="also measure Stoplight Prism (needs npx)")
    args = parser.parse_args()

    port = free_port()
    proc = start_server("vinr", port)
    base = f"http://127.0.0.1:{port}"
    try:
        tool, get_rps, post_rps = measure(base, args.seconds, args.connections)
        violations = httpx.get(f"{base}/__admin/violations").json()["violations"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"load generator: {tool}, {args.connections} connections, {args.seconds}s each, 1 uvicorn worker")
    print(f"mockserver  GET  /v1/campaigns/{{id}}  {get_rps:9.1f} req/s  (request + response validated)")
    print(f"mockserver  POST /v1/campaigns       {post_rps:9.1f} req/s  (request + response validated)")
    print(f"contract violations during the run: {len(violations)}")
    if args.prism:
        port = free_port()
        prism = start_prism(port)
        try:
            _, prism_get, prism_post = measure(f"http://127.0.0.1:{port}", args.seconds, args.connections)
        finally:
            prism.terminate()
            prism.wait(timeout=10)
        print(f"prism       GET  /v1/campaigns/{{id}}  {prism_get:9.1f} req/s  (stateless, request validated)")
        print(f"prism       POST /v1/campaigns       {prism_post:9.1f} req/s  (stateless, request validated)")
        print(f"mockserver / prism: GET {get_rps / prism_get:.2f}x, POST {post_rps / prism_post:.2f}x")


if __name__ == "__main__":
    main()
