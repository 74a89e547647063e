"""Start ``mockserver serve`` in a subprocess on a free loopback port, for black-box tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    proc: subprocess.Popen[bytes]
    port: int
    log: tempfile._TemporaryFileWrapper[bytes]

    def output(self) -> str:
        """What the server printed so far (stdout and stderr)."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read().decode("utf-8", "replace")

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def peak_rss_kib(self) -> int:
        """The server process's peak resident memory so far (Linux ``VmHWM``)."""
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
        raise AssertionError("no VmHWM in /proc status")


@contextmanager
def serve(*args: str, ready: str = "/__admin/openapi.json") -> Iterator[Served]:
    """``mockserver serve ARGS --port P`` until the block ends; ready when ``ready`` answers."""
    port = free_port()
    # a file, not a pipe: a pipe nobody reads would block a chatty server
    log = tempfile.NamedTemporaryFile(prefix="mockserver-", suffix=".log")
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port), *args],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    served = Served(proc, port, log)
    try:
        deadline = time.time() + 30
        while True:
            try:
                httpx.get(served.base + ready, timeout=1)
                break
            except httpx.HTTPError:
                if proc.poll() is not None:
                    raise AssertionError(f"the server exited: {served.output()}") from None
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.2)
        yield served
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
