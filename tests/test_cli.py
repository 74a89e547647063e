"""The command line: help, start-up errors, and a real server on a loopback port."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from click.testing import CliRunner

from mockserver.cli import main


def test_help_documents_every_command() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "serve" in result.output
    serve = CliRunner().invoke(main, ["serve", "--help"])
    for option in ("--api", "--host", "--port", "--fixtures", "--no-fixtures", "--api-key", "--max-body"):
        assert option in serve.output


def test_invalid_fixtures_refuse_to_start(tmp_path: Path) -> None:
    (tmp_path / "campaigns.json").write_text(json.dumps([{"id": "cmp_x"}]))
    result = CliRunner().invoke(main, ["serve", "--fixtures", str(tmp_path)])
    assert result.exit_code == 2
    assert "campaigns.json: record cmp_x does not match schema Campaign" in result.output


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_on_loopback() -> None:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", str(port), "--api-key", "sk_cli"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 30
        while True:
            try:
                health = httpx.get(f"{base}/__admin/health", headers={"Authorization": "Bearer admin"}, timeout=1)
                break
            except httpx.HTTPError:
                assert time.time() < deadline, "server did not start"
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                time.sleep(0.2)
        assert health.json()["apis"][0]["api"] == "vinr"
        listed = httpx.get(f"{base}/v1/campaigns", headers={"Authorization": "Bearer sk_cli"})
        assert listed.status_code == 200
        assert listed.json()["object"] == "list"
        assert httpx.get(f"{base}/v1/campaigns", headers={"Authorization": "Bearer bad"}).status_code == 401
        assert httpx.get(f"{base}/ui/").status_code == 200
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=10)
    assert f"vinr: http://127.0.0.1:{port}/" in out
    assert f"Swagger UI: http://127.0.0.1:{port}/ui/" in out
    assert "GET /v1/campaigns listCampaigns 200" in err


def test_the_command_prints_no_warning_of_its_dependencies() -> None:
    # every command imports the engine (Connexion, Starlette, jsonschema) first
    result = subprocess.run(
        [sys.executable, "-m", "mockserver", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.startswith("Usage: ")


def test_a_taken_port_is_one_line_before_any_banner() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "mockserver", "serve", "--port", str(port)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 2
    assert result.stdout == "", "no banner for a server that cannot start"
    assert result.stderr == (
        f"mockserver: cannot listen on 127.0.0.1:{port}: port {port} is already in use (another "
        "server is running there). Pick another port with --port N (--port 0: any free port).\n"
    )


def test_port_zero_serves_on_a_free_port_and_says_which() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockserver", "serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert proc.stdout is not None
        banner = proc.stdout.readline()
        assert banner.startswith("vinr: http://127.0.0.1:"), banner
        base = banner.split()[1].rstrip("/")
        assert int(base.rsplit(":", 1)[1]) > 0
        # the socket listens from the banner on: a request now waits for the server, never refused
        listed = httpx.get(f"{base}/v1/campaigns", headers={"Authorization": "Bearer k"}, timeout=30)
        assert listed.status_code == 200
    finally:
        proc.terminate()
        proc.communicate(timeout=10)
