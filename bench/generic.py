"""The generic plug-in side by side with Stoplight Prism, on documents of the corpus.

    make bench-generic                                    # the default documents, ~2 minutes
    python bench/generic.py [--doc petstore-expanded --doc train-travel ...] [--seconds 10]
                            [--connections 16] [--repeat 3] [--no-prism]

For each document, each server in turn (never two at once) on a free loopback port:

- ``mockserver``: ``python -m mockserver serve --spec DOC`` (the generic plug-in, validating);
- ``prism``: ``npx -y @stoplight/prism-cli@5 mock DOC`` (stateless, validating requests).

1. **Round trip**: the first inferred resource with a create and a retrieve: ``POST`` a body
   made from the request schema, take the id from the answer, ``GET`` the item and check that it
   is the object just created (every field sent comes back); then ``DELETE`` and ``GET`` again
   (404 where the document documents it). ``ok`` or the first step that did not hold.
2. **Throughput**: ``wrk`` on ``GET`` of the resource's collection (its list), ``--repeat``
   runs, the median; ours/Prism is the ratio.

Results: a table, and JSON in ``bench/results/generic-<UTC timestamp>.json`` and
``bench/results/generic-latest.json``. A shared, noisy machine: compare ratios within a run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run as base  # noqa: E402  (bench/run.py: process groups, wrk, Prism's package)

from mockserver.generate import choose_status, made_up  # noqa: E402
from mockserver.generic.inference import Resource, infer  # noqa: E402
from mockserver.spec import Document, load  # noqa: E402

CORPUS = base.ROOT / "tests" / "generic" / "corpus"
DEFAULT_DOCS = ("petstore-expanded", "train-travel")
KEY = "sk_bench"


def prism_command(spec: Path, port: int) -> list[str]:
    return ["npx", "-y", base.PRISM_PACKAGE, "mock", str(spec), "-p", str(port), "-h", "127.0.0.1", "-v", "error"]


def ours_command(spec: Path, port: int) -> list[str]:
    return [sys.executable, "-m", "mockserver", "serve", "--spec", str(spec), "--port", str(port), "--log-level", "warning"]


def server_prefix(document: Document) -> str:
    """The path Prism and we serve under: the first server URL's path."""
    if not document.servers:
        return ""
    url = document.servers[0].url
    path = url.split("://", 1)[1].split("/", 1)[1] if "://" in url and "/" in url.split("://", 1)[1] else ""
    return ("/" + path).rstrip("/") if path else ""


def subject(document: Document) -> Resource:
    for resource in infer(document).resources:
        if {"create", "retrieve", "list"} <= resource.operations.keys() and not resource.scope_params:
            return resource
    raise SystemExit(f"{document.title}: no top-level resource with create, retrieve and list")


def headers(document: Document) -> dict[str, str]:
    found = {"Authorization": f"Bearer {KEY}"}
    for scheme in document.security_schemes.values():
        if scheme.type == "apiKey" and scheme.location == "header":
            found[scheme.param_name] = KEY
    return found


def round_trip(client: httpx.Client, root: str, document: Document, resource: Resource) -> str:
    """``ok``, or what did not hold."""
    create = resource.operations["create"]
    media = create.request_body.json if create.request_body is not None else None
    body: Any = None
    if media is not None and media.schema is not None:
        body, _, _ = made_up(media.schema, seed=11, direction="request")
    if resource.client_ids and isinstance(body, dict):
        body.pop(resource.id_field or "", None)
    created = client.post(root + (resource.collection or ""), json=body)
    if created.status_code != choose_status(create)[0]:
        return f"create answered {created.status_code}"
    sent_back = created.json()
    key = sent_back.get(resource.id_field) if isinstance(sent_back, dict) and resource.id_field else None
    if key is None:
        return "create gave no id"
    item = root + (resource.item or "").replace("{" + (resource.id_param or "") + "}", quote(str(key), safe=""))
    got = client.get(item)
    if got.status_code != 200:
        return f"retrieve of the created id answered {got.status_code}"
    shown = got.json()
    if isinstance(body, dict):
        differing = sorted(k for k, v in body.items() if not isinstance(shown, dict) or shown.get(k) != v)
        if differing:
            return f"retrieve shows another object (fields {', '.join(differing[:3])} differ from what was created)"
    if isinstance(shown, dict) and str(shown.get(resource.id_field)) != str(key):
        return "retrieve shows another object (another id)"
    delete = resource.operations.get("delete")
    if delete is not None:
        client.delete(item)
        after = client.get(item)
        if resource.operations["retrieve"].response(404) is not None and after.status_code != 404:
            return f"retrieve after delete answered {after.status_code}, not 404"
    return "ok"


def wait_up(proc: Any, client: httpx.Client, url: str, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < base.STARTUP_TIMEOUT_S:
        if proc.poll() is not None:
            raise base.ServerFailed(f"exited: {base.log_tail(log)}")
        try:
            if client.get(url).status_code < 500:
                return round(time.perf_counter() - started, 3)
        except httpx.TransportError:
            pass
        time.sleep(base.POLL_INTERVAL_S)
    raise base.ServerFailed(f"no answer: {base.log_tail(log)}")


def throughput(url: str, head: dict[str, str], args: argparse.Namespace) -> dict[str, Any]:
    runs = []
    for _ in range(args.repeat):
        command = ["wrk", "-t1", f"-c{args.connections}", f"-d{args.seconds}s", "--latency"]
        for name, value in head.items():
            command += ["-H", f"{name}: {value}"]
        runs.append(base.run_wrk([*command, url], args.seconds))
    bad = [r for r in runs if r.non_2xx_3xx or r.socket_errors]
    return {
        "rps": round(statistics.median(r.rps for r in runs), 1),
        "p99_ms": round(statistics.median(r.p99_ms for r in runs), 3),
        "polluted": bool(bad),
    }


def measure(name: str, command: list[str], document: Document, spec: Path, args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    resource = subject(document)
    port = base.free_port()
    # we serve under the document's server path (as its clients call it); Prism at the root
    root = f"http://127.0.0.1:{port}{server_prefix(document) if name == 'ours' else ''}"
    head = headers(document)
    log = workdir / f"{name}.log"
    result: dict[str, Any] = {"resource": resource.name}
    with base.running(command(spec, port) if callable(command) else command, log) as proc, httpx.Client(headers=head, timeout=10) as client:
        result["startup_s"] = wait_up(proc, client, root + (resource.collection or ""), log)
        result["round_trip"] = round_trip(client, root, document, resource)
        url = root + (resource.collection or "")
        for _ in range(base.WARMUP_REQUESTS):
            client.get(url)
        result["get_list"] = throughput(url, head, args)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--doc", action="append", help="corpus document (folder name); repeatable")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-prism", action="store_true")
    args = parser.parse_args()
    base.ensure_wrk()
    prism, _, why = (None, 0.0, "--no-prism") if args.no_prism else base.prism_version()
    report: dict[str, Any] = {"when": datetime.now(UTC).isoformat(), "prism": prism, "documents": {}}
    if prism is None:
        print(f"bench-generic: Prism not measured: {why}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for doc in args.doc or DEFAULT_DOCS:
            spec = CORPUS / doc / "openapi.json"
            document = load(spec)
            outcome: dict[str, Any] = {"ours": measure("ours", ours_command, document, spec, args, Path(tmp))}  # type: ignore[arg-type]
            if prism is not None:
                outcome["prism"] = measure("prism", prism_command, document, spec, args, Path(tmp))  # type: ignore[arg-type]
                outcome["rps_ratio"] = round(outcome["ours"]["get_list"]["rps"] / outcome["prism"]["get_list"]["rps"], 2)
            report["documents"][doc] = outcome
            for who in ("ours", "prism"):
                if who in outcome:
                    figures = outcome[who]
                    rows.append([doc, who, figures["round_trip"], f"{figures['get_list']['rps']:.0f}", f"{figures['get_list']['p99_ms']:.1f}", f"{figures['startup_s']:.2f}"])
            if "rps_ratio" in outcome:
                rows.append([doc, "ours/prism", "", f"{outcome['rps_ratio']:.2f}x", "", ""])
    base.print_table("generic plug-in vs Prism", ["document", "server", "round trip", "GET list req/s", "p99 ms", "start-up s"], rows, 3)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    base.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    for target in (base.RESULTS_DIR / f"generic-{stamp}.json", base.RESULTS_DIR / "generic-latest.json"):
        target.write_text(json.dumps(report, indent=2) + "\n")
    return 0 if all(d["ours"]["round_trip"] == "ok" for d in report["documents"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
