"""The vendor's JavaScript SDK (``@voucherify/sdk`` 2.x), installed with npm for the tests.

``tests/voucherify/js/package.json`` pins the major version; the test set-up copies it into
``build/js-sdk`` (gitignored) and runs ``npm install`` there once, again only when the
package file changes. Without node or the npm registry the tests fail with a message that
says so: they are part of the proof, never silently skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(__file__).resolve().parent / "js"
TARGET = ROOT / "build" / "js-sdk"
#: The script that drives the SDK (one node process for a whole lifecycle).
LIFECYCLE = SOURCE / "lifecycle.cjs"


def install() -> Path:
    """``build/js-sdk`` with ``@voucherify/sdk`` installed (``pytest.fail`` when it cannot be)."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        pytest.fail("the JavaScript SDK tests need node (>= 18) and npm on the PATH", pytrace=False)
    manifest = (SOURCE / "package.json").read_text(encoding="utf-8")
    stamp = TARGET / ".installed"
    installed = TARGET / "node_modules" / "@voucherify" / "sdk" / "package.json"
    if installed.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == manifest:
        return TARGET
    TARGET.mkdir(parents=True, exist_ok=True)
    (TARGET / "package.json").write_text(manifest, encoding="utf-8")
    try:
        done = subprocess.run(
            [npm, "install", "--no-audit", "--no-fund", "--loglevel=error"],
            cwd=TARGET,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("npm install @voucherify/sdk timed out after 600 s", pytrace=False)
    if done.returncode != 0 or not installed.is_file():
        pytest.fail(
            "npm could not install @voucherify/sdk into build/js-sdk (is the npm registry "
            f"reachable?):\n{done.stderr.strip() or done.stdout.strip()}",
            pytrace=False,
        )
    stamp.write_text(manifest, encoding="utf-8")
    return TARGET


def version(target: Path) -> str:
    package = target / "node_modules" / "@voucherify" / "sdk" / "package.json"
    return str(json.loads(package.read_text(encoding="utf-8"))["version"])


def run_lifecycle(target: Path, base_url: str, input_file: Path) -> dict[str, Any]:
    """Run :data:`LIFECYCLE` against ``base_url``; what each step answered."""
    done = subprocess.run(
        ["node", str(LIFECYCLE), base_url, str(input_file)],
        cwd=target,
        # the script lives in the tests; its require() finds the SDK through NODE_PATH
        env={**os.environ, "NODE_PATH": str(target / "node_modules")},
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(f"the JavaScript SDK lifecycle failed:\n{done.stderr}", pytrace=False)
    results: dict[str, Any] = json.loads(done.stdout)
    return results
