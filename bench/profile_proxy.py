"""Profile ``mockserver proxy`` in-process: its own cost per request, in front of a real mock.

    python bench/profile_proxy.py [--case get|list] [--requests 3000] [--concurrency 16]
                                  [--bare] [--no-profile]

The upstream is the mock in a process of its own (``python -m mockserver serve --api vinr``),
reached over loopback through the proxy's real transport (aiohttp's pool); the proxy's ASGI
application is driven directly, without a server in front of it (no sockets on that side).
Prints the proxy process's CPU time per request (what it costs, whatever the upstream takes)
and, unless ``--no-profile``, pyinstrument's view of where that time goes. ``--bare`` drives
``bench/passthrough.py``'s forwarding (no checks) instead, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from proxy import CASES, HEADERS, wait_for
from run import free_port, running

ROOT = Path(__file__).resolve().parent.parent


def scope_for(path_and_query: str) -> dict[str, Any]:
    path, _, query = path_and_query.partition("?")
    headers = [(b"host", b"127.0.0.1:8080"), (b"user-agent", b"wrk"), (b"accept", b"*/*")]
    headers += [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }


async def drive(
    app: Any, scope: dict[str, Any], count: int, concurrency: int, rounds: int
) -> tuple[list[float], float, dict[int, int]]:
    """(CPU seconds per request in each round, requests per wall second, statuses) for
    ``rounds`` rounds of ``count`` requests, ``concurrency`` at a time."""
    statuses: dict[int, int] = {}

    async def one() -> None:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                statuses[message["status"]] = statuses.get(message["status"], 0) + 1
                for key, _ in message["headers"]:
                    if key == b"contract-violations":
                        raise AssertionError(f"a violation in front of the mock: {message['headers']}")

        await app(dict(scope), receive, send)

    async def worker(n: int) -> None:
        for _ in range(n):
            await one()

    await asyncio.gather(*(worker(20) for _ in range(concurrency)))  # warm-up
    statuses.clear()
    share = max(1, count // concurrency)
    per_request = []
    wall = time.perf_counter()
    for _ in range(rounds):
        cpu = time.process_time()
        await asyncio.gather(*(worker(share) for _ in range(concurrency)))
        per_request.append((time.process_time() - cpu) / (share * concurrency))
    return per_request, share * concurrency * rounds / (time.perf_counter() - wall), statuses


def build(args: argparse.Namespace, upstream: str) -> Any:
    if args.bare:
        from passthrough import application

        return application(upstream)
    from mockserver import collector
    from mockserver.proxy.cli import build_proxy

    proxy = build_proxy(None, "vinr", upstream)
    collector.install()  # as ``mockserver proxy`` does
    if args.client == "httpx":
        proxy.upstream = httpx_upstream(upstream)
    return proxy


def httpx_upstream(target: str) -> Any:
    """The proxy's httpx client over aiohttp's pool (``httpx-aiohttp``), set up as the default
    client is: what the proxy used before it called aiohttp directly."""
    import aiohttp
    from httpx_aiohttp import AiohttpTransport

    from mockserver.proxy.upstream import HttpxUpstream

    def session() -> aiohttp.ClientSession:
        return aiohttp.ClientSession(
            auto_decompress=False,
            skip_auto_headers=("User-Agent", "Accept", "Accept-Encoding", "Content-Type"),
            cookie_jar=aiohttp.DummyCookieJar(),
        )

    return HttpxUpstream(target, AiohttpTransport(client=session))


async def session(app: Any, args: argparse.Namespace) -> tuple[list[float], float, dict[int, int]]:
    """Start the app (its lifespan), drive it, shut it down."""
    messages: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    completed: asyncio.Queue[str] = asyncio.Queue()

    async def send(message: dict[str, Any]) -> None:
        await completed.put(message["type"])

    lifespan = asyncio.ensure_future(app({"type": "lifespan"}, messages.get, send))
    await messages.put({"type": "lifespan.startup"})
    await completed.get()
    try:
        return await drive(
            app, scope_for(dict(CASES)[args.case]), args.requests, args.concurrency, args.rounds
        )
    finally:
        await messages.put({"type": "lifespan.shutdown"})
        await lifespan


def stdlib_profilers() -> tuple[Any, Any]:
    """``cProfile`` and ``pstats`` (``bench/profile.py`` shadows the stdlib's ``profile``)."""
    here = str(Path(__file__).resolve().parent)
    saved = list(sys.path)
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(here)]
    shadow = sys.modules.pop("profile", None)
    try:
        import cProfile
        import pstats
    finally:
        sys.path[:] = saved
        if shadow is not None:
            sys.modules["profile"] = shadow
    return cProfile, pstats


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--case", default="get", choices=[name for name, _ in CASES])
    parser.add_argument("--requests", type=int, default=2000, help="per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--bare", action="store_true", help="profile the bare pass-through instead")
    parser.add_argument(
        "--client", choices=["aiohttp", "httpx"], default="aiohttp",
        help="the proxy's upstream client: aiohttp directly (the default) or httpx's transport "
        "API over aiohttp's pool (httpx-aiohttp)",
    )
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--cpu", action="store_true",
        help="cProfile on the process's CPU clock instead of pyinstrument (wall clock): on a "
        "shared machine, time spent descheduled is not charged to whatever was running",
    )
    args = parser.parse_args()
    import uvloop

    with tempfile.TemporaryDirectory(prefix="profile-proxy-") as workdir:
        port = free_port()
        upstream = f"http://127.0.0.1:{port}"
        mock = [sys.executable, "-m", "mockserver", "serve", "--api", "vinr", "--port", str(port),
                "--log-level", "warning"]
        log = Path(workdir) / "mock.log"
        with running(mock, log) as proc:
            wait_for(upstream + CASES[0][1], "the mock", log, proc)
            app = build(args, upstream)
            if args.no_profile:
                cpu, rate, statuses = uvloop.run(session(app, args))
            elif args.cpu:
                cProfile, pstats = stdlib_profilers()
                profile = cProfile.Profile(time.process_time)
                cpu, rate, statuses = profile.runcall(uvloop.run, session(app, args))
                pstats.Stats(profile).sort_stats("tottime").print_stats(40)
                pstats.Stats(profile).sort_stats("cumulative").print_stats(60)
            else:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0002, async_mode="disabled")
                profiler.start()
                cpu, rate, statuses = uvloop.run(session(app, args))
                profiler.stop()
                print(profiler.output_text(unicode=False, color=False, show_all=False))
    what = "bare" if args.bare else f"proxy ({args.client})"
    best, median = min(cpu), statistics.median(cpu)
    print(f"statuses: {statuses}")
    print(f"{what} {args.case}: {best * 1e6:.0f} us CPU per request in the proxy process at best, "
          f"{median * 1e6:.0f} median of {args.rounds} rounds ({1 / best:.0f} req/s on one core); "
          f"{rate:.0f} req/s wall")


if __name__ == "__main__":
    main()
