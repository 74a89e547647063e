"""Server limits of ``mockserver serve``, black-box on raw sockets against a real server.

The server runs with small limits and timeouts (set by the flags under test) so each test
takes about a second.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from .served import Served, serve

AUTH = b"Authorization: Bearer sk_test_123\r\n"
HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
MAX_URL = 1024
MAX_HEADER_BYTES = 2048
MAX_HEADERS = 20
MAX_CONNECTIONS = 40


@pytest.fixture(scope="module")
def server() -> Iterator[Served]:
    with serve(
        "--log-level",
        "warning",
        "--max-url",
        str(MAX_URL),
        "--max-header-bytes",
        str(MAX_HEADER_BYTES),
        "--max-headers",
        str(MAX_HEADERS),
        "--header-timeout",
        str(HEADER_TIMEOUT),
        "--body-timeout",
        str(BODY_TIMEOUT),
        "--keep-alive",
        "1",
        "--max-connections",
        str(MAX_CONNECTIONS),
    ) as served:
        yield served


def connect(server: Served, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        data += chunk
    return data


def exchange(server: Served, raw: bytes) -> bytes:
    with connect(server) as sock:
        sock.sendall(raw)
        return read_all(sock)


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:200]
    return int(response.split(b" ", 2)[1])


def get(path: bytes, headers: bytes = b"") -> bytes:
    return b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + headers + b"Connection: close\r\n\r\n"


def served_normally(server: Served) -> None:
    response = httpx.get(f"{server.base}/v1/campaigns", headers={"Authorization": "Bearer k"}, timeout=5)
    assert response.status_code == 200, response.text


def test_an_ordinary_request_is_served(server: Served) -> None:
    response = exchange(server, get(b"/v1/campaigns?limit=1"))
    assert status_of(response) == 200


def test_a_url_over_the_limit_is_414(server: Served) -> None:
    path = b"/v1/campaigns?limit=1&x=" + b"a" * MAX_URL
    response = exchange(server, get(path))
    assert status_of(response) == 414
    assert b"connection: close" in response.lower()
    assert f"longer than {MAX_URL} bytes".encode() in response
    # a URL at the limit is read and answered by the API (400: an unknown parameter)
    at_limit = b"/v1/campaigns?limit=1&x=" + b"a" * (MAX_URL - len(b"/v1/campaigns?limit=1&x="))
    assert status_of(exchange(server, get(at_limit))) == 400


def test_headers_over_the_limit_are_431(server: Served) -> None:
    big = b"X-Big: " + b"a" * MAX_HEADER_BYTES + b"\r\n"
    response = exchange(server, get(b"/v1/campaigns", big))
    assert status_of(response) == 431
    assert f"larger than {MAX_HEADER_BYTES} bytes".encode() in response
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(MAX_HEADERS))
    response = exchange(server, get(b"/v1/campaigns", many))
    assert status_of(response) == 431
    assert f"more than {MAX_HEADERS} header fields".encode() in response
    # within both limits: served
    some = b"".join(b"X-H%d: 1\r\n" % i for i in range(MAX_HEADERS - 4))
    assert status_of(exchange(server, get(b"/v1/campaigns", some))) == 200


@pytest.mark.parametrize("mebibytes", [16, 64])
def test_a_huge_header_is_refused_without_stalling_or_memory(server: Served, mebibytes: int) -> None:
    peak_before = server.peak_rss_kib()
    sock = connect(server)
    sent: list[BaseException] = []

    def send_huge() -> None:
        try:
            sock.sendall(b"GET /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Huge: ")
            chunk = b"a" * (1 << 20)
            for _ in range(mebibytes):
                sock.sendall(chunk)
            sock.sendall(b"\r\n\r\n")
            sock.shutdown(socket.SHUT_WR)
        except OSError as exc:  # the server may close before all of it is sent
            sent.append(exc)

    sender = threading.Thread(target=send_huge)
    sender.start()
    served_normally(server)  # another client, meanwhile
    response = read_all(sock)
    sender.join(timeout=30)
    sock.close()
    assert status_of(response) == 431
    served_normally(server)
    # the head is never buffered: the server's peak memory does not follow the header's size
    grown_mib = (server.peak_rss_kib() - peak_before) / 1024
    assert grown_mib < 16, f"peak RSS grew by {grown_mib:.0f} MiB for a {mebibytes} MiB header"


def test_a_slow_loris_is_cut_off_while_others_are_served(server: Served) -> None:
    slow = connect(server)
    slow.sendall(b"GET /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    started = time.monotonic()
    closed_after = None
    answer = b""
    for line in range(20):
        served_normally(server)  # the slow client holds nothing others need
        try:
            slow.sendall(b"X-Line-%d: drip\r\n" % line)
        except OSError:
            break
        slow.settimeout(0.3)
        try:
            chunk = slow.recv(65536)
        except TimeoutError:
            continue
        except ConnectionResetError:
            chunk = b""
        answer += chunk
        if not chunk or answer.endswith(b"s."):
            break
    slow.settimeout(5)
    answer += read_all(slow)
    closed_after = time.monotonic() - started
    slow.close()
    assert status_of(answer) == 408, answer
    assert b"head did not arrive" in answer
    assert HEADER_TIMEOUT * 0.9 <= closed_after < HEADER_TIMEOUT + 2.5, closed_after


def test_a_connection_that_sends_nothing_is_closed(server: Served) -> None:
    with connect(server) as idle:
        started = time.monotonic()
        answer = read_all(idle)
    assert status_of(answer) == 408
    assert time.monotonic() - started < HEADER_TIMEOUT + 2.5


def test_half_a_body_then_silence_is_cut_off(server: Served) -> None:
    before = httpx.get(f"{server.base}/v1/campaigns?limit=100", headers={"Authorization": "Bearer k"}).json()
    body = b'{"name": "Half a body", "type": "offer", "ends_at": 4102444800}'
    with connect(server) as sock:
        sock.sendall(
            b"POST /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH
            + b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
            + body[: len(body) // 2]
        )
        started = time.monotonic()
        served_normally(server)
        answer = read_all(sock)
        waited = time.monotonic() - started
    assert status_of(answer) == 408
    assert b"body did not arrive" in answer
    assert BODY_TIMEOUT * 0.9 <= waited < BODY_TIMEOUT + 2.5, waited
    after = httpx.get(f"{server.base}/v1/campaigns?limit=100", headers={"Authorization": "Bearer k"}).json()
    assert after["data"] == before["data"]


def test_a_body_trickled_byte_by_byte_is_cut_off(server: Served) -> None:
    with connect(server) as sock:
        sock.sendall(
            b"POST /v1/campaigns HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH
            + b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        )
        started = time.monotonic()
        sock.settimeout(0.25)
        answer = b""
        for _ in range(40):
            try:
                sock.sendall(b" ")
                answer += sock.recv(65536)
                break
            except TimeoutError:
                continue
            except OSError:
                break
        sock.settimeout(5)
        answer += read_all(sock)
    assert status_of(answer) == 408
    assert time.monotonic() - started < BODY_TIMEOUT + 2.5


def test_an_idle_kept_alive_connection_is_closed(server: Served) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /v1/campaigns?limit=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n" + AUTH + b"\r\n")
        started = time.monotonic()
        answer = read_all(sock)  # the response, then the close after --keep-alive 1
    assert status_of(answer) == 200
    assert time.monotonic() - started < 1 + 2.5


def test_connections_beyond_the_limit_get_503(server: Served) -> None:
    idle = [connect(server) for _ in range(MAX_CONNECTIONS)]
    try:
        time.sleep(0.2)
        response = exchange(server, get(b"/v1/campaigns?limit=1"))
        assert status_of(response) == 503
    finally:
        for sock in idle:
            sock.close()
    time.sleep(0.3)
    assert status_of(exchange(server, get(b"/v1/campaigns?limit=1"))) == 200


def test_limits_are_documented_in_help() -> None:
    from click.testing import CliRunner

    from mockserver.cli import main

    output = CliRunner().invoke(main, ["serve", "--help"]).output
    for flag in (
        "--max-url",
        "--max-header-bytes",
        "--max-headers",
        "--header-timeout",
        "--body-timeout",
        "--keep-alive",
        "--max-connections",
        "--shutdown-timeout",
    ):
        assert flag in output
