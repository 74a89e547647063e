"""``--workers 2`` on one shared state: the workers behave as one server.

The real command runs with two worker processes, against a real ``redis-server`` started for
the test (and against one SQLite file). Each HTTP connection is served by one worker; the
tests find out which (from ``/proc``), so that every scenario provably crosses workers.
"""

from __future__ import annotations

import http.client
import json
import threading
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from .conftest import AUTH
from .servers import children, flush, mock_process, serving_process

DAY = 86_400
HEADERS = {**AUTH, "Content-Type": "application/json"}


class Worker:
    """One keep-alive connection, and the worker process serving it."""

    def __init__(self, base: str, pids: set[int]) -> None:
        parts = urlsplit(base)
        self.port = int(parts.port or 80)
        self.conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", self.port, timeout=60)
        self.request("GET", "/__admin/health")  # accepted by a worker once answered
        self.pid = serving_process(self.port, self.conn.sock.getsockname()[1], pids)

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], Any]:
        payload = None if body is None else json.dumps(body)
        self.conn.request(method, path, body=payload, headers={**HEADERS, **(headers or {})})
        response = self.conn.getresponse()
        data = response.read()
        return response.status, dict(response.getheaders()), json.loads(data) if data else None

    def close(self) -> None:
        self.conn.close()


def connections(base: str, pids: set[int], per_worker: int) -> dict[int, list[Worker]]:
    """``per_worker`` connections to each worker process of the server."""
    found: dict[int, list[Worker]] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        worker = Worker(base, pids)
        if worker.pid is None or len(found.setdefault(worker.pid, [])) >= per_worker:
            worker.close()
        else:
            found[worker.pid].append(worker)
        if len(found) >= 2 and all(len(ws) >= per_worker for ws in found.values()):
            return found
    raise AssertionError(f"could not reach two workers: {{pid: n}} = { {p: len(w) for p, w in found.items()} }")


@pytest.fixture(scope="module", params=["redis", "sqlite"])
def two_workers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, set[int]]]:
    """The mock with ``--workers 2`` on a fresh shared state: (base URL, worker pids).

    One server per backend for the module: each test uses names and codes of its own.
    """
    if request.param == "redis":
        state = request.getfixturevalue("redis_url")
        flush(state)
    else:
        state = f"sqlite:///{tmp_path_factory.mktemp('shared') / 'state.db'}"
    with mock_process("--state", state, "--workers", "2") as (base, process):
        deadline = time.monotonic() + 60
        while len(pids := children(process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        yield base, pids


@pytest.fixture
def pair(two_workers: tuple[str, set[int]]) -> Iterator[tuple[Worker, Worker]]:
    base, pids = two_workers
    found = connections(base, pids, 1)
    first, second = (ws[0] for ws in list(found.values())[:2])
    yield first, second
    first.close()
    second.close()


def _campaign(worker: Worker, name: str, **extra: Any) -> dict[str, Any]:
    now = int(time.time())
    status, _, body = worker.request(
        "POST", "/v1/campaigns", {"name": name, "type": "coupon", "ends_at": now + 30 * DAY, **extra}
    )
    assert status == 200, body
    return body  # type: ignore[no-any-return]


def test_an_object_created_through_one_worker_reads_back_through_the_other(
    pair: tuple[Worker, Worker],
) -> None:
    first, second = pair
    assert first.pid != second.pid
    created = _campaign(first, "Across")
    assert second.request("GET", f"/v1/campaigns/{created['id']}")[2] == created
    assert second.request("DELETE", f"/v1/campaigns/{created['id']}")[0] == 200
    assert first.request("GET", f"/v1/campaigns/{created['id']}")[0] == 404


def test_moving_the_clock_through_one_worker_moves_it_for_both(pair: tuple[Worker, Worker]) -> None:
    first, second = pair
    now = int(time.time())
    campaign = _campaign(first, "Ends soon", ends_at=now + 3600)
    status, _, clock = first.request("POST", "/__admin/clock", {"advance": 2 * 3600})
    assert status == 200
    seen = second.request("GET", "/__admin/clock")[2]
    assert abs(seen["now"] - clock["now"]) <= 2
    assert seen["now"] >= now + 2 * 3600
    after = second.request("GET", f"/v1/campaigns/{campaign['id']}")[2]
    assert after["active"] is False
    ended = second.request("GET", "/v1/events?type=campaign.ended&limit=100")[2]["data"]
    assert [e["data"]["object"]["id"] for e in ended].count(campaign["id"]) == 1
    assert first.request("POST", "/__admin/clock", {"reset": True})[0] == 200
    assert abs(second.request("GET", "/__admin/clock")[2]["now"] - time.time()) < 5


def test_the_same_idempotency_key_sent_to_both_workers_gives_one_object(
    pair: tuple[Worker, Worker],
) -> None:
    now = int(time.time())
    body = {"name": "Once", "type": "coupon", "ends_at": now + DAY}
    results: list[tuple[int, dict[str, str], Any]] = []
    barrier = threading.Barrier(2)

    def send(worker: Worker) -> None:
        barrier.wait()
        results.append(worker.request("POST", "/v1/campaigns", body, {"Idempotency-Key": "same-key"}))

    threads = [threading.Thread(target=send, args=(worker,)) for worker in pair]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [status for status, _, _ in results] == [200, 200]
    assert results[0][2] == results[1][2]
    assert sorted(headers.get("idempotent-replayed", "") for _, headers, _ in results) == ["", "true"]
    names = [c["name"] for c in pair[0].request("GET", "/v1/campaigns?limit=100")[2]["data"]]
    assert names.count("Once") == 1


def test_concurrent_redemptions_over_both_workers_respect_max_redemptions(
    two_workers: tuple[str, set[int]],
) -> None:
    base, pids = two_workers
    found = connections(base, pids, 32)
    workers = [w for ws in found.values() for w in ws][:64]
    assert len({w.pid for w in workers}) == 2 and len(workers) == 64
    campaign = _campaign(workers[0], "Rush")
    status, _, _ = workers[1].request(
        "POST",
        "/v1/coupons",
        {"code": "RUSH10", "campaign": campaign["id"], "percent_off": 5, "max_redemptions": 10},
    )
    assert status == 200
    barrier = threading.Barrier(len(workers))
    outcomes: list[tuple[int, int | None, str]] = []
    lock = threading.Lock()

    def redeem(worker: Worker) -> None:
        barrier.wait()
        status, _, body = worker.request(
            "POST", "/v1/redemptions", {"coupon": "RUSH10", "order": {"amount": 1000, "currency": "usd"}}
        )
        with lock:
            outcomes.append((status, worker.pid, "" if status == 200 else body["error"]["code"]))

    threads = [threading.Thread(target=redeem, args=(worker,)) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for worker in workers:
        worker.close()
    successes = [o for o in outcomes if o[0] == 200]
    assert len(successes) == 10, outcomes
    assert {code for status, _, code in outcomes if status != 200} == {"coupon_exhausted"}
    assert len(outcomes) == 64
    checker = Worker(base, pids)
    coupon = checker.request("GET", "/v1/coupons?code=RUSH10")[2]["data"][0]
    assert coupon["times_redeemed"] == 10
    assert checker.request("GET", f"/v1/campaigns/{campaign['id']}")[2]["redemption_count"] == 10
    checker.close()


def test_more_than_one_worker_is_refused_with_memory_state() -> None:
    from click.testing import CliRunner

    from mockserver.cli import main

    result = CliRunner().invoke(main, ["serve", "--workers", "2"])
    assert result.exit_code == 2
    assert "--workers 2 needs a state the workers can share" in result.output
