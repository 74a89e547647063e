"""The curl samples of the generated Markdown, run with a real ``curl`` against a running mock.

The docs are built for the live mock's address (``--base-url``), then every operation's
``sh`` block is run in the order the build ran them (``examples.json``) against a fresh
mock. Ids the build got from its own creates (an event id, say) are replaced by the ones
the live mock handed out, as a client chaining these calls would; every sample must answer
with the status the page documents.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from mockserver.docs.cli import docs_command

from .conftest import LiveMock

pytestmark = pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")

_ID = re.compile(r"^[a-z]+_[A-Za-z0-9]+$")


def _sample(out: Path, operation: str) -> str:
    """The curl command of the operation's section (the first ``sh`` block after its anchor)."""
    for page in out.glob("*.md"):
        text = page.read_text(encoding="utf-8")
        start = text.find(f'<a id="{operation}"></a>\n## ')
        if start >= 0:
            match = re.compile(r"```sh\n(.*?)\n```", re.S).search(text, start)
            assert match, f"no curl sample for {operation}"
            return match.group(1)
    raise AssertionError(f"no section for {operation}")


def _pair_ids(built: Any, live: Any, into: dict[str, str]) -> None:
    """Record build-time id -> live id for every id-like string at the same place."""
    if isinstance(built, dict) and isinstance(live, dict):
        for key in built.keys() & live.keys():
            _pair_ids(built[key], live[key], into)
    elif isinstance(built, list) and isinstance(live, list):
        for a, b in zip(built, live, strict=False):
            _pair_ids(a, b, into)
    elif isinstance(built, str) and isinstance(live, str) and built != live and _ID.match(built):
        into[built] = live


def test_curl_samples_answer_with_the_documented_status(
    live_vinr: LiveMock, tmp_path: Path
) -> None:
    out = tmp_path / "docs"
    result = CliRunner().invoke(
        docs_command,
        ["--api", "vinr", "--out", str(out), "--format", "markdown", "--base-url", live_vinr.url],
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "examples.json").read_text(encoding="utf-8"))
    assert len(manifest) == 20
    ids: dict[str, str] = {}
    for entry in manifest:
        command = _sample(out, entry["operation"])
        assert command.startswith("curl ") and live_vinr.url in command
        for old, new in ids.items():
            command = command.replace(old, new)
        run = subprocess.run(
            ["bash", "-c", command + " -sS -w '\\n%{http_code}'"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        body, _, status = run.stdout.rpartition("\n")
        assert run.returncode == 0, run.stderr
        assert int(status) == entry["status"], f"{entry['operation']}: {status} {body[:300]}"
        _pair_ids(entry["response"], json.loads(body), ids)
    # the chained ids came from the live mock's own answers (the event the run created)
    assert any(old.startswith("evt_") for old in ids)
