"""Benchmark the mock against Stoplight Prism: throughput, latency, start-up time, memory.

    make bench                                  # everything, ~4 minutes
    make bench BENCH_ARGS="--quick --api vinr"  # one short run per case, for development
    python bench/run.py [--api vinr|voucherify|all] [--quick] [--no-prism]
                        [--threads 1] [--connections 16] [--seconds 10] [--repeat 3]
                        [--voucherify-spec PATH]

Three servers are measured, one at a time (never two at once), each a single process tree on a
free loopback port:

- ``mockserver``: ``python -m mockserver serve`` with request and response validation on;
- ``mockserver --no-validate``: the same with schema validation off (everything else stays), so
  that validated/unvalidated is the cost of validation;
- ``prism``: ``npx -y @stoplight/prism-cli@5 mock SPEC -v error`` on the same OpenAPI document
  (stateless, validating requests, error-level logging).

Every server gets the same requests (the ``CASES`` below). Before loading a server with a case, one
probe request checks the answer's status class (2xx, or 4xx for ``invalid-create``); a wrong
answer fails that (server, case) and skips its load run. The load is ``wrk --latency`` after a
warm-up of 200 requests.

What each figure means:

- ``req/s``: wrk's Requests/sec, the median over ``--repeat`` runs;
- ``p50 ms`` / ``p99 ms``: wrk's latency distribution (percentiles of every request of one run,
  measured by the client), median over the runs;
- ``start-up s``: from ``Popen`` to the first answer with the expected status to the probe of the
  API's first case (polled every 20 ms). Prism's includes npx resolving its cached package
  (``prism_version_check_s`` in the JSON's machine facts is roughly that overhead);
- ``peak RSS MiB``: after the load runs, the sum of ``VmHWM`` (peak resident memory) over the
  server process and all its descendants. For Prism that is npm's ``npm exec`` process, a shell
  and Prism's own node process (the JSON lists each). Ours includes the state the ``create``
  runs added (tens of thousands of campaigns with the defaults); Prism keeps none;
- ratios: ours/Prism per case (req/s: >1 means we are faster; p99, start-up, RSS: <1 means we are
  lighter), and validated/unvalidated req/s (<1 is what validation costs).

A figure is refused (the case is marked FAILED) when wrk saw responses of the wrong status class
(a 2xx case answered "Non-2xx or 3xx responses", or a 4xx case answered anything but 4xx, counted
by a wrk Lua script) or socket errors: those would measure error paths, not the case.

Caveats: this is a shared, noisy machine and wrk runs on the same cores as the server, so absolute
figures move between runs; compare ratios within one run. Our server runs one uvicorn worker and
Prism one node process: both are single-core. POST cases grow our in-memory state (they run after
the GET cases); Prism is stateless. The first run downloads Prism through npx (done before any
measurement).

Results: a table on stdout, and the same data as JSON in ``bench/results/<UTC timestamp>.json``
and ``bench/results/latest.json``. The exit status is 1 only when our validated server failed a
case; Prism's failures and the unvalidated server's are reported but do not fail the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VINR_SPEC = ROOT / "mockserver" / "apis" / "vinr" / "openapi.yaml"
VOUCHERIFY_SPEC = ROOT.parent / "shared" / "reference" / "voucherify-openapi.json"
PRISM_PACKAGE = "@stoplight/prism-cli@5"

STARTUP_TIMEOUT_S = 120.0
POLL_INTERVAL_S = 0.02
WRONG_ANSWER_GRACE_S = 5.0  # how long a server that is up but answers the wrong status is given
STOP_TIMEOUT_S = 10.0
WARMUP_REQUESTS = 200
EXCERPT_BYTES = 300
LOG_TAIL_LINES = 4
REASON_CHARS = 500
TRACEBACK = "Traceback (most recent call last):"

OURS, OURS_UNVALIDATED, PRISM = "mockserver", "mockserver-novalidate", "prism"


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    expect: int  # expected status class: 2 for 2xx, 4 for 4xx
    body: dict[str, Any] | None = None
    #: Only meaningful with validation on (``--no-validate`` has nothing that rejects it).
    validated_only: bool = False

    @property
    def payload(self) -> str | None:
        return None if self.body is None else json.dumps(self.body)


@dataclass(frozen=True)
class Api:
    name: str
    spec: Path
    serve_args: tuple[str, ...]  # what selects this API in `mockserver serve`
    headers: dict[str, str]
    cases: tuple[Case, ...]  # GET cases first: POST cases grow our state
    #: Server keys measured on this API (``None``: all of them).
    only: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Server:
    key: str
    label: str


@dataclass(frozen=True)
class Settings:
    threads: int
    connections: int
    seconds: int
    repeat: int
    warmup_requests: int


@dataclass
class WrkRun:
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    status_classes: dict[str, int] | None  # counted by Lua, only for cases expecting non-2xx


@dataclass
class CaseResult:
    probe_status: int | None = None
    rps: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    runs: list[WrkRun] = field(default_factory=list)
    error: str | None = None
    #: Why the case does not apply to this server (not a failure).
    not_applicable: str | None = None


@dataclass
class ServerResult:
    startup_s: float | None = None
    peak_rss_mib: float | None = None
    rss_processes: list[dict[str, Any]] = field(default_factory=list)
    cases: dict[str, CaseResult] = field(default_factory=dict)
    error: str | None = None


class ServerFailed(Exception):
    """The server exited or never answered; the message says why."""


VINR_CREATE = {"name": "Bench campaign", "type": "offer", "ends_at": 4102444800}

VINR = Api(
    name="vinr",
    spec=VINR_SPEC,
    serve_args=("--api", "vinr"),
    headers={"Authorization": "Bearer sk_bench"},
    cases=(
        Case("get", "GET", "/v1/campaigns/cmp_6Eg4rSWelcome", 2),
        Case("list", "GET", "/v1/campaigns?limit=10", 2),
        Case("create", "POST", "/v1/campaigns", 2, VINR_CREATE),
        Case(
            "invalid-create", "POST", "/v1/campaigns", 4, {"name": 5, "type": "offer"},
            validated_only=True,
        ),
    ),
)


def voucherify_api(spec: Path) -> Api:
    return Api(
        name="voucherify",
        spec=spec,
        serve_args=("--api", "voucherify", "--spec", str(spec)),
        # The official document's one security requirement ANDs the X-App-Id/X-App-Token pair
        # with its OAuth scheme, so servers faithful to it (ours and Prism) also want a bearer.
        headers={"X-App-Id": "bench", "X-App-Token": "bench", "Authorization": "Bearer bench"},
        cases=(Case("voucherify-list", "GET", "/v1/campaigns?limit=10", 2),),
    )


#: The same Voucherify case on our own 7-operation document, our validated server only: next to
#: the 241-operation official document it shows whether start-up and per-request cost grow
#: with the number of operations.
VOUCHERIFY_SMALL = Api(
    name="voucherify-7op",
    spec=ROOT / "mockserver" / "apis" / "voucherify" / "openapi.yaml",
    serve_args=("--api", "voucherify"),
    headers={"X-App-Id": "bench", "X-App-Token": "bench"},
    cases=(Case("voucherify-list", "GET", "/v1/campaigns?limit=10", 2),),
    only=(OURS,),
)


SERVERS = (
    Server(OURS, "mockserver"),
    Server(OURS_UNVALIDATED, "mockserver --no-validate"),
    Server(PRISM, "prism"),
)


# --- tools and machine facts -------------------------------------------------------------------


def ensure_wrk() -> None:
    """Install wrk with apt when running as root; otherwise say how and exit."""
    if shutil.which("wrk"):
        return
    if os.geteuid() != 0:
        sys.exit("bench: wrk is not installed; install it with `sudo apt-get install -y wrk`")
    print("bench: wrk is missing, installing it with apt-get", flush=True)
    subprocess.run(["apt-get", "update"], check=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)


def prism_version() -> tuple[str | None, float, str | None]:
    """(version, seconds it took, why Prism is unavailable); also makes npx fetch Prism once."""
    if not shutil.which("npx"):
        return None, 0.0, "npx is not installed (install Node.js), Prism skipped"
    started = time.perf_counter()
    done = subprocess.run(
        ["npx", "-y", PRISM_PACKAGE, "--version"], capture_output=True, text=True, timeout=600
    )
    elapsed = time.perf_counter() - started
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return (
            None,
            elapsed,
            f"`npx {PRISM_PACKAGE} --version` failed: {done.stderr.strip()[-500:]}",
        )
    return lines[-1].strip(), elapsed, None


def command_output(command: list[str]) -> str | None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return (done.stdout or done.stderr).strip() or None


def cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine_info(prism: str | None, prism_check_s: float) -> dict[str, Any]:
    wrk = command_output(["wrk", "-v"]) or ""
    git = command_output(["git", "rev-parse", "--short", "HEAD"])
    dirty = bool(command_output(["git", "status", "--porcelain", "--untracked-files=no"]))
    return {
        "date_utc": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": cpu_model(),
        "loadavg_at_start": [round(load, 2) for load in os.getloadavg()],
        "platform": platform.platform(),
        "python": platform.python_version(),
        "wrk": wrk.splitlines()[0].split(" Copyright")[0].removeprefix("wrk ") if wrk else None,
        "node": command_output(["node", "--version"]) if shutil.which("node") else None,
        "prism": prism,
        "prism_version_check_s": round(prism_check_s, 2) if prism else None,
        "git_commit": f"{git}{'-dirty' if dirty else ''}" if git else None,
    }


# --- processes ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_command(server: Server, api: Api, port: int) -> list[str]:
    if server.key == PRISM:
        prism = ["npx", "-y", PRISM_PACKAGE, "mock", str(api.spec)]
        return [*prism, "-p", str(port), "-h", "127.0.0.1", "-v", "error"]
    ours = [sys.executable, "-m", "mockserver", "serve", *api.serve_args]
    command = [*ours, "--port", str(port), "--log-level", "warning"]
    if server.key == OURS_UNVALIDATED:
        command.append("--no-validate")
    return command


@contextmanager
def running(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run ``command`` in its own process group, output to ``log``; stop the whole group after."""
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command,
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield proc
        finally:
            stop_group(proc)


def stop_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the process group we started, SIGKILL it if still there after a while."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if not signal_group(proc.pid, sig):
            break
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline and signal_group(proc.pid, 0):
            proc.poll()  # reap the leader so that it stops counting as alive
            time.sleep(0.05)
    proc.wait()


def signal_group(pgid: int, sig: int) -> bool:
    """Send ``sig`` to the group; False when no process of it is left."""
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        return False
    return True


def log_tail(log: Path) -> str:
    """Why the server stopped, from its output: the exception or error line, else the last lines."""
    lines = log.read_text(errors="replace").splitlines()
    lines = [line for line in lines if line.strip() and not line.startswith("npm warn")]
    if TRACEBACK in lines:  # a Python exception: the first unindented line after the last frame
        after = lines[len(lines) - lines[::-1].index(TRACEBACK) :]
        exception = next((line for line in after if not line[0].isspace()), None)
        if exception:
            return exception[:REASON_CHARS]
    errors = [line for line in lines if line.startswith("Error:")]  # click's usage errors
    if errors:
        return errors[-1][:REASON_CHARS]
    return " | ".join(lines[-LOG_TAIL_LINES:])[-REASON_CHARS:] or "(no output)"


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants, found through the ppid field of /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(stat.parent.name))
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return tree


def peak_rss(root: int) -> tuple[float, list[dict[str, Any]]]:
    """(sum of VmHWM over the tree in MiB, one {pid, name, vmhwm_mib} per process)."""
    processes: list[dict[str, Any]] = []
    total = 0.0
    for pid in process_tree(root):
        if (peak := vmhwm_mib(pid)) is not None:
            name, mib = peak
            processes.append({"pid": pid, "name": name, "vmhwm_mib": mib})
            total += mib
    return round(total, 1), processes


def vmhwm_mib(pid: int) -> tuple[str, float] | None:
    """(process name, peak resident memory in MiB); None for gone processes and zombies."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
    if "VmHWM" not in fields:
        return None
    return fields["Name"].strip(), round(int(fields["VmHWM"].split()[0]) / 1024, 1)


# --- requests ----------------------------------------------------------------------------------


def request_headers(api: Api, case: Case) -> dict[str, str]:
    if case.body is None:
        return dict(api.headers)
    return {**api.headers, "Content-Type": "application/json"}


def send(client: httpx.Client, base: str, api: Api, case: Case) -> httpx.Response:
    return client.request(
        case.method, base + case.path, headers=request_headers(api, case), content=case.payload
    )


def excerpt(response: httpx.Response) -> str:
    return response.content[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def wait_until_up(
    proc: subprocess.Popen[bytes], client: httpx.Client, base: str, api: Api, log: Path
) -> float | None:
    """Seconds from Popen to the first expected-status answer to the API's first case.

    None when the server is up but keeps answering that probe with another status (the case then
    fails on its own probe). Raises ServerFailed when it exits or never answers.
    """
    case = api.cases[0]
    started = time.perf_counter()
    deadline = started + STARTUP_TIMEOUT_S
    while time.perf_counter() < deadline:
        if proc.poll() is not None:
            raise ServerFailed(f"exited with status {proc.returncode}: {log_tail(log)}")
        try:
            response = send(client, base, api, case)
        except httpx.TransportError:
            time.sleep(POLL_INTERVAL_S)
            continue
        if response.status_code // 100 == case.expect:
            return round(time.perf_counter() - started, 3)
        deadline = min(deadline, time.perf_counter() + WRONG_ANSWER_GRACE_S)
        time.sleep(POLL_INTERVAL_S)
    if proc.poll() is None and not any_answer(client, base):
        raise ServerFailed(f"no answer within {STARTUP_TIMEOUT_S:.0f}s: {log_tail(log)}")
    return None


def any_answer(client: httpx.Client, base: str) -> bool:
    try:
        client.get(base + "/")
    except httpx.TransportError:
        return False
    return True


def warm_up(client: httpx.Client, base: str, api: Api, case: Case, count: int) -> None:
    for _ in range(count):
        send(client, base, api, case)


# --- wrk ---------------------------------------------------------------------------------------

LATENCY_LINE = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
TO_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
RPS_LINE = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
TOTAL_LINE = re.compile(r"(\d+) requests in ")
NON_2XX_LINE = re.compile(r"Non-2xx or 3xx responses:\s+(\d+)")
SOCKET_LINE = re.compile(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")
STATUS_LINE = re.compile(r"^status classes: (.*)$", re.MULTILINE)

# Counts responses per status class (wrk's own summary only tells 2xx/3xx from the rest).
STATUS_TALLY_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) tally = {0, 0, 0, 0, 0} end
function response(status, headers, body)
  local class = math.floor(status / 100)
  if class >= 1 and class <= 5 then tally[class] = tally[class] + 1 end
end
function done(summary, latency, requests)
  local total = {0, 0, 0, 0, 0}
  for _, thread in ipairs(threads) do
    local counts = thread:get("tally")
    for class = 1, 5 do total[class] = total[class] + counts[class] end
  end
  io.write(string.format("status classes: 1xx=%d 2xx=%d 3xx=%d 4xx=%d 5xx=%d\\n",
    total[1], total[2], total[3], total[4], total[5]))
end
"""


def wrk_script(case: Case, directory: Path) -> Path | None:
    """The Lua script wrk needs for this case (method, body, status tally), if any."""
    lines = []
    if case.method != "GET":
        lines.append(f'wrk.method = "{case.method}"')
    if case.payload is not None:
        lines.append(f"wrk.body = {json.dumps(case.payload)}")  # a JSON string is a Lua string
    if case.expect != 2:
        lines.append(STATUS_TALLY_LUA)
    if not lines:
        return None
    script = directory / f"{case.name}.lua"
    script.write_text("\n".join(lines) + "\n")
    return script


def wrk_command(
    url: str, api: Api, case: Case, settings: Settings, script: Path | None
) -> list[str]:
    load = [f"-t{settings.threads}", f"-c{settings.connections}", f"-d{settings.seconds}s"]
    command = ["wrk", *load, "--latency"]
    for name, value in request_headers(api, case).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    return [*command, url]


def run_wrk(command: list[str], seconds: int) -> WrkRun:
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    return parse_wrk(done.stdout)


def parse_wrk(out: str) -> WrkRun:
    latency = {pct: float(value) * TO_MS[unit] for pct, value, unit in LATENCY_LINE.findall(out)}
    rps, total = RPS_LINE.search(out), TOTAL_LINE.search(out)
    if rps is None or total is None or set(latency) != {"50", "99"}:
        raise RuntimeError(f"cannot parse wrk's output:\n{out}")
    non_2xx = NON_2XX_LINE.search(out)
    return WrkRun(
        rps=float(rps.group(1)),
        p50_ms=round(latency["50"], 3),
        p99_ms=round(latency["99"], 3),
        requests=int(total.group(1)),
        non_2xx_3xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=socket_errors(out),
        status_classes=status_classes(out),
    )


def socket_errors(out: str) -> dict[str, int]:
    """wrk prints its "Socket errors" line only when there were some."""
    found = SOCKET_LINE.search(out)
    if found is None:
        return {}
    return dict(zip(("connect", "read", "write", "timeout"), map(int, found.groups()), strict=True))


def status_classes(out: str) -> dict[str, int] | None:
    """The tally printed by STATUS_TALLY_LUA, e.g. {"2xx": 0, "4xx": 1234, ...}."""
    found = STATUS_LINE.search(out)
    if found is None:
        return None
    pairs = (item.split("=") for item in found.group(1).split())
    return {name: int(count) for name, count in pairs}


def pollution(run: WrkRun, case: Case) -> str | None:
    """Why this run's figures measure something else than the case, if they do."""
    if run.requests == 0:
        return "wrk completed no request"
    if any(run.socket_errors.values()):
        return f"socket errors under load: {run.socket_errors}"
    if case.expect == 2 and run.non_2xx_3xx:
        return f"{run.non_2xx_3xx} of {run.requests} responses were not 2xx/3xx under load"
    if case.expect != 2:
        classes = run.status_classes or {}
        wrong = sum(n for cls, n in classes.items() if cls != f"{case.expect}xx")
        if wrong or not classes:
            return f"expected only {case.expect}xx under load, got {classes or 'no tally'}"
    return None


# --- one server --------------------------------------------------------------------------------


def run_case(
    client: httpx.Client, base: str, api: Api, case: Case, settings: Settings, scripts: Path
) -> CaseResult:
    result = CaseResult()
    try:
        probe = send(client, base, api, case)
    except httpx.HTTPError as exc:
        result.error = f"probe failed: {exc!r}"
        return result
    result.probe_status = probe.status_code
    if probe.status_code // 100 != case.expect:
        result.error = (
            f"probe answered {probe.status_code}, expected {case.expect}xx: {excerpt(probe)}"
        )
        return result
    try:
        warm_up(client, base, api, case, settings.warmup_requests)
        command = wrk_command(base + case.path, api, case, settings, wrk_script(case, scripts))
        for _ in range(settings.repeat):
            run = run_wrk(command, settings.seconds)
            result.runs.append(run)
            if problem := pollution(run, case):
                result.error = f"figure refused: {problem}"
                return result
    except (httpx.HTTPError, RuntimeError, subprocess.TimeoutExpired) as exc:
        result.error = str(exc)
        return result
    result.rps = round(statistics.median(run.rps for run in result.runs), 1)
    result.p50_ms = round(statistics.median(run.p50_ms for run in result.runs), 3)
    result.p99_ms = round(statistics.median(run.p99_ms for run in result.runs), 3)
    return result


def bench_server(server: Server, api: Api, settings: Settings, workdir: Path) -> ServerResult:
    """Start ``server`` on ``api``, run every case, read its peak memory, stop it."""
    result = ServerResult()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = workdir / f"{server.key}-{api.name}.log"
    with (
        httpx.Client(timeout=10, trust_env=False) as client,
        running(server_command(server, api, port), log) as proc,
    ):
        try:
            result.startup_s = wait_until_up(proc, client, base, api, log)
        except ServerFailed as exc:
            result.error = f"did not start: {exc}"
            return result
        for case in api.cases:
            print(f"  {server.label:<25} {case.name:<16}", end=" ", flush=True)
            if case.validated_only and server.key == OURS_UNVALIDATED:
                reason = "not applicable: without validation nothing rejects the invalid body"
                result.cases[case.name] = CaseResult(not_applicable=reason)
                print(reason)
                continue
            result.cases[case.name] = outcome = run_case(client, base, api, case, settings, workdir)
            print(f"{outcome.rps} req/s" if outcome.error is None else f"FAILED: {outcome.error}")
        if proc.poll() is None:
            result.peak_rss_mib, result.rss_processes = peak_rss(proc.pid)
        else:
            result.error = f"exited during the run with status {proc.returncode}: {log_tail(log)}"
    return result


# --- ratios and output -------------------------------------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return round(numerator / denominator, 3)


def case_figure(
    results: dict[str, dict[str, ServerResult]], server: str, api: str, case: str, name: str
) -> float | None:
    outcome = results.get(server, {}).get(api)
    if outcome is None or case not in outcome.cases:
        return None
    value: float | None = getattr(outcome.cases[case], name)
    return value


def server_figure(
    results: dict[str, dict[str, ServerResult]], server: str, api: str, name: str
) -> float | None:
    outcome = results.get(server, {}).get(api)
    value: float | None = getattr(outcome, name) if outcome is not None else None
    return value


def api_ratios(results: dict[str, dict[str, ServerResult]], api: Api) -> dict[str, Any]:
    def vs_prism(figure: str, case: str | None = None) -> dict[str, float | None]:
        def get(server: str) -> float | None:
            if case is None:
                return server_figure(results, server, api.name, figure)
            return case_figure(results, server, api.name, case, figure)

        prism = get(PRISM)
        return {
            "validated": ratio(get(OURS), prism),
            "unvalidated": ratio(get(OURS_UNVALIDATED), prism),
        }

    names = [case.name for case in api.cases]
    return {
        "rps_ours_vs_prism": {name: vs_prism("rps", name) for name in names},
        "p99_ours_vs_prism": {name: vs_prism("p99_ms", name) for name in names},
        "startup_ours_vs_prism": vs_prism("startup_s"),
        "rss_ours_vs_prism": vs_prism("peak_rss_mib"),
        "rps_validated_vs_unvalidated": {
            name: ratio(
                case_figure(results, OURS, api.name, name, "rps"),
                case_figure(results, OURS_UNVALIDATED, api.name, name, "rps"),
            )
            for name in names
        },
    }


def fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(title: str, header: list[str], rows: list[list[str]], numeric_from: int) -> None:
    """Columns before ``numeric_from`` are left-aligned, the others right-aligned."""
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    print(f"\n{title}")
    for row in [header, *rows]:
        cells = [
            cell.ljust(width) if i < numeric_from else cell.rjust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def print_report(report: dict[str, Any], apis: list[Api], servers: list[Server]) -> None:
    machine, settings = report["machine"], report["settings"]
    print("\nMachine: " + ", ".join(f"{key}={value}" for key, value in machine.items()))
    load = f"wrk -t{settings['threads']} -c{settings['connections']} -d{settings['seconds']}s"
    runs = f"median of {settings['repeat']} run(s)"
    print(f"Load: {load}, {runs}, after {settings['warmup_requests']} warm-up requests per case")
    results, ratios = report["servers"], report["ratios"]
    print_table(
        "Throughput and latency",
        ["API", "case", "server", "probe", "req/s", "p50 ms", "p99 ms"],
        [
            case_row(api, case, server, results[server.key][api.name])
            for api in apis
            for case in api.cases
            for server in servers
            if api.name in results[server.key]
        ],
        numeric_from=3,
    )
    print_table(
        "Start-up and memory",
        ["API", "server", "start-up s", "peak RSS MiB", "(per process, MiB)"],
        [
            server_row(api, server, results[server.key][api.name])
            for api in apis
            for server in servers
            if api.name in results[server.key]
        ],
        numeric_from=2,
    )
    versus_prism = ["req/s ours/Prism", "noval/Prism", "p99 ours/Prism", "noval/Prism"]
    print_table(
        "Ratios per case (ours/Prism req/s: >1 = we are faster; p99: <1 = we are faster; "
        "validated/unvalidated req/s: what validation leaves of the throughput)",
        ["API", "case", *versus_prism, "req/s val/noval"],
        [
            ratio_case_row(api, case, ratios[api.name])
            for api in apis
            if api.only is None
            for case in api.cases
        ],
        numeric_from=2,
    )
    print_table(
        "Ratios per server (ours/Prism: <1 = we start faster, use less memory)",
        ["API", "figure", "ours/Prism", "noval/Prism"],
        [
            ratio_server_row(api, figure, ratios[api.name])
            for api in apis
            if api.only is None
            for figure in SERVER_FIGURES
        ],
        numeric_from=2,
    )
    large = results[OURS].get("voucherify", {})
    small = results[OURS].get(VOUCHERIFY_SMALL.name, {})
    if large and small:
        figures = [
            ("start-up s", large["startup_s"], small["startup_s"]),
            ("peak RSS MiB", large["peak_rss_mib"], small["peak_rss_mib"]),
            *(
                (f"{name} {case}", large["cases"][case][key], small["cases"][case][key])
                for case in ("voucherify-list",)
                for name, key in (("req/s", "rps"), ("p99 ms", "p99_ms"))
            ),
        ]
        print_table(
            "Large spec (ours, validated): the official 241-operation document vs our "
            "7-operation one, same handler",
            ["figure", "241 ops", "7 ops", "241/7"],
            [[name, fmt(big, 2), fmt(little, 2), fmt(ratio(big, little), 2)] for name, big, little in figures],
            numeric_from=1,
        )


SERVER_FIGURES = {"start-up": "startup_ours_vs_prism", "peak RSS": "rss_ours_vs_prism"}


def case_row(api: Api, case: Case, server: Server, outcome: dict[str, Any]) -> list[str]:
    figures = outcome["cases"].get(case.name)
    if figures is None:  # the server did not start
        return [api.name, case.name, server.label, "-", "FAILED", "-", "-"]
    if figures["not_applicable"]:
        return [api.name, case.name, server.label, "-", "n/a", "-", "-"]
    rps = "FAILED" if figures["error"] else fmt(figures["rps"])
    probe = str(figures["probe_status"] or "-")
    latency = [fmt(figures["p50_ms"], 2), fmt(figures["p99_ms"], 2)]
    return [api.name, case.name, server.label, probe, rps, *latency]


def server_row(api: Api, server: Server, outcome: dict[str, Any]) -> list[str]:
    processes = outcome["rss_processes"]
    detail = ", ".join(f"{p['name']}: {p['vmhwm_mib']}" for p in processes)
    figures = [fmt(outcome["startup_s"], 2), fmt(outcome["peak_rss_mib"])]
    return [api.name, server.label, *figures, detail if len(processes) > 1 else ""]


def ratio_case_row(api: Api, case: Case, ratios: dict[str, Any]) -> list[str]:
    rps, p99 = ratios["rps_ours_vs_prism"][case.name], ratios["p99_ours_vs_prism"][case.name]
    validation = ratios["rps_validated_vs_unvalidated"][case.name]
    pairs = [rps["validated"], rps["unvalidated"], p99["validated"], p99["unvalidated"]]
    return [api.name, case.name, *(fmt(value, 2) for value in [*pairs, validation])]


def ratio_server_row(api: Api, figure: str, ratios: dict[str, Any]) -> list[str]:
    both = ratios[SERVER_FIGURES[figure]]
    return [api.name, figure, fmt(both["validated"], 2), fmt(both["unvalidated"], 2)]


def failures(results: dict[str, dict[str, ServerResult]]) -> list[tuple[str, str, str, str]]:
    """(server key, API, case or '*', reason) for everything that failed."""
    found = []
    for server, per_api in results.items():
        for api, outcome in per_api.items():
            if outcome.error:
                found.append((server, api, "*", outcome.error))
            for case, figures in outcome.cases.items():
                if figures.error and not figures.not_applicable:
                    found.append((server, api, case, figures.error))
    return found


def write_json(report: dict[str, Any]) -> Path:
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS_DIR / f"{stamp}.json"
    text = json.dumps(report, indent=2) + "\n"
    path.write_text(text)
    (RESULTS_DIR / "latest.json").write_text(text)
    return path


# --- main --------------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--api", choices=["vinr", "voucherify", "all"], default="all")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    parser.add_argument(
        "--seconds", type=int, default=10, help="length of one wrk run (default 10)"
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="wrk runs per case, median reported (default 3)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="--seconds 3 --repeat 1, for development"
    )
    parser.add_argument("--no-prism", action="store_true", help="do not measure Prism")
    parser.add_argument(
        "--voucherify-spec",
        type=Path,
        default=VOUCHERIFY_SPEC,
        help=f"Voucherify's official OpenAPI document (default {VOUCHERIFY_SPEC})",
    )
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.repeat = 3, 1
    return args


def selected_apis(choice: str, voucherify_spec: Path) -> tuple[list[Api], dict[str, str]]:
    apis, skipped = [], {}
    if choice in ("vinr", "all"):
        apis.append(VINR)
    if choice in ("voucherify", "all"):
        if voucherify_spec.is_file():
            apis.append(voucherify_api(voucherify_spec.resolve()))
            apis.append(VOUCHERIFY_SMALL)
        else:
            skipped["voucherify"] = f"{voucherify_spec} not found (--voucherify-spec PATH)"
            print(f"bench: skipping Voucherify: {skipped['voucherify']}")
    return apis, skipped


def measure_all(
    apis: list[Api], servers: list[Server], settings: Settings
) -> dict[str, dict[str, ServerResult]]:
    """Every server on every API, one server at a time."""
    results: dict[str, dict[str, ServerResult]] = {server.key: {} for server in servers}
    with tempfile.TemporaryDirectory(prefix="bench-") as workdir:
        for api in apis:
            print(f"\n{api.name} ({api.spec})")
            for server in servers:
                if api.only is not None and server.key not in api.only:
                    continue
                outcome = bench_server(server, api, settings, Path(workdir))
                results[server.key][api.name] = outcome
                if outcome.error:
                    print(f"  {server.label:<25} FAILED: {outcome.error}")
    return results


def print_failures(failed: list[tuple[str, str, str, str]]) -> None:
    if failed:
        print("\nFailures:")
    for server_key, api_name, case_name, reason in failed:
        print(f"  {server_key} / {api_name} / {case_name}: {reason}")


def main() -> int:
    args = parse_args()
    ensure_wrk()
    apis, skipped = selected_apis(args.api, args.voucherify_spec)
    if not apis:
        sys.exit("bench: nothing to measure")
    prism, prism_check_s, no_prism = (None, 0.0, "--no-prism") if args.no_prism else prism_version()
    if no_prism and not args.no_prism:
        print(f"bench: {no_prism}")
    servers = [server for server in SERVERS if server.key != PRISM or no_prism is None]
    settings = Settings(args.threads, args.connections, args.seconds, args.repeat, WARMUP_REQUESTS)
    machine = machine_info(prism, prism_check_s)
    results = measure_all(apis, servers, settings)
    report = {
        "machine": machine,
        "settings": {
            **asdict(settings),
            "apis": [api.name for api in apis],
            "prism": no_prism is None,
            "prism_skipped_because": no_prism,
            "skipped_apis": skipped,
        },
        "servers": {
            key: {name: asdict(outcome) for name, outcome in per_api.items()}
            for key, per_api in results.items()
        },
        "ratios": {api.name: api_ratios(results, api) for api in apis},
    }
    print_report(report, apis, servers)
    failed = failures(results)
    print_failures(failed)
    print(f"\nJSON: {write_json(report).relative_to(ROOT)} (and bench/results/latest.json)")
    return 1 if any(server_key == OURS for server_key, *_ in failed) else 0


if __name__ == "__main__":
    sys.exit(main())
