"""``--state sqlite:///PATH``: what a client was told is stored survives SIGKILL and restarts.

These tests run the real command (``python -m mockserver serve``) in a process of their own
and kill it for real.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from .conftest import AUTH
from .servers import mock_process

DAY = 86_400
WRITERS = 4


def _all(client: httpx.Client, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every object of a VINR list, following its cursor."""
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {"limit": 100, **params}
        if cursor:
            query["starting_after"] = cursor
        page = client.get(path, params=query)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["data"]
        if not body["has_more"]:
            return items
        cursor = body["data"][-1]["id"]


def test_sigkill_during_a_stream_of_writes_keeps_every_acknowledged_write(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'state.db'}"
    sent: set[str] = set()
    acked: dict[str, str] = {}  # name -> id
    stop = threading.Event()
    lock = threading.Lock()

    def write(base: str, writer: int) -> None:
        now = int(time.time())
        with httpx.Client(base_url=base, headers=AUTH, timeout=30) as client:
            number = 0
            while not stop.is_set():
                name = f"kill-{writer}-{number}"
                number += 1
                with lock:
                    sent.add(name)
                try:
                    response = client.post(
                        "/v1/campaigns",
                        json={"name": name, "type": "coupon", "ends_at": now + 30 * DAY},
                    )
                except httpx.HTTPError:
                    return  # the server is gone: this one may or may not have been stored
                assert response.status_code == 200, response.text
                with lock:
                    acked[name] = response.json()["id"]

    with mock_process("--state", state) as (base, process):
        threads = [threading.Thread(target=write, args=(base, n)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acked) < 150 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # mid-stream: requests are in flight
        process.wait()
        stop.set()
        for thread in threads:
            thread.join()
    assert len(acked) >= 150, "the writers did not get going before the kill"

    with mock_process("--state", state) as (base, _), httpx.Client(base_url=base, headers=AUTH) as client:
        stored = {c["name"]: c["id"] for c in _all(client, "/v1/campaigns") if c["name"].startswith("kill-")}
        missing = set(acked) - set(stored)
        assert not missing, f"acknowledged but lost: {sorted(missing)[:5]}"
        assert {stored[name] for name in acked} == set(acked.values())
        assert set(stored) <= sent, "something was stored that nobody sent"
        # at most the requests in flight at the kill got in without their answer
        assert len(stored) - len(acked) <= WRITERS
        # each create is whole: the campaign and its event, or neither
        created = {
            e["data"]["object"]["id"]
            for e in _all(client, "/v1/events", type="campaign.created")
        }
        assert set(stored.values()) <= created
        # the fixtures were kept, not loaded again over the state
        coupons = client.get("/v1/coupons", params={"code": "WELCOME10"}).json()["data"]
        assert len(coupons) == 1


def test_a_restart_keeps_the_state_and_reset_brings_back_the_fixtures(tmp_path: Path) -> None:
    state = f"sqlite:///{tmp_path / 'state.db'}"
    now = int(time.time())
    with mock_process("--state", state) as (base, _), httpx.Client(base_url=base, headers=AUTH) as client:
        fixtures = {c["id"] for c in _all(client, "/v1/campaigns")}
        created = client.post(
            "/v1/campaigns", json={"name": "Kept", "type": "coupon", "ends_at": now + DAY}
        ).json()
        gone = sorted(fixtures)[0]
        assert client.delete(f"/v1/campaigns/{gone}").status_code == 200
        assert client.post("/__admin/clock", json={"advance": 3600}).status_code == 200
        moved = client.get("/__admin/clock").json()["now"]

    with mock_process("--state", state) as (base, _), httpx.Client(base_url=base, headers=AUTH) as client:
        assert client.get(f"/v1/campaigns/{created['id']}").json() == created
        assert client.get(f"/v1/campaigns/{gone}").status_code == 404
        assert client.get("/__admin/clock").json()["now"] >= moved, "the clock's offset is kept"
        assert client.post("/__admin/reset").status_code == 200
        assert {c["id"] for c in _all(client, "/v1/campaigns")} == fixtures
        assert client.get(f"/v1/campaigns/{created['id']}").status_code == 404


def test_a_state_file_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    import sqlite3
    import subprocess
    import sys

    path = tmp_path / "state.db"
    with mock_process("--state", f"sqlite:///{path}"):
        pass
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 99")
    conn.close()
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--state", f"sqlite:///{path}", "--port", "1"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "schema version 99" in result.stderr
    assert "reads schema version 1" in result.stderr
