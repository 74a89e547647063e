"""Shared fixtures for the docs generator's tests: a built site, a live mock, a browser.

The VINR and Voucherify references are built once per session (about three seconds,
every example executed). Live mocks are uvicorn servers on free loopback ports; each
starts from the fixtures.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from mockserver.applications import create_app
from mockserver.docs.build import Built, Target, build

from ..conftest import assert_no_violations

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared"
OFFICIAL_SPEC = SHARED / "reference" / "voucherify-openapi.json"
SEEDS = SHARED / "seeds"
#: Where the browser test leaves its screenshots for review.
SCREENSHOTS = ROOT / "build" / "docs-screenshots"
CHROMIUM = Path("/usr/bin/chromium")
#: Chromium must not try to reach the network (this machine's network is closed).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def built_docs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Built]]:
    """VINR and Voucherify, both formats, written to a directory (as ``make docs`` does)."""
    out = tmp_path_factory.mktemp("docs")
    results = build([Target("vinr"), Target("voucherify")], out)
    return out, results


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveMock:
    """A mock served by uvicorn on a loopback port, in a thread."""

    def __init__(self, apis: list[str]) -> None:
        self.app = create_app(apis)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="docs-mock", daemon=True)

    def __enter__(self) -> LiveMock:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the mock server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: Any) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        assert_no_violations(self.app)


@pytest.fixture
def live_vinr() -> Iterator[LiveMock]:
    with LiveMock(["vinr"]) as mock:
        yield mock
