"""Shared fixtures for the Voucherify tests.

Every app built here fails the test if the mock ever produced a response that breaks its
own contract (or a handler raised). The vendor's reference material lives in ``../shared``
beside the repository; tests that need it skip, saying so, when it is absent.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.testclient import TestClient

from mockserver.apis.voucherify import VoucherifyAPI
from mockserver.applications import ApiOptions, create_app
from mockserver.clock import Clock

from ..conftest import assert_no_violations

#: ``../shared`` beside the repository (this file is tests/voucherify/conftest.py).
SHARED = Path(__file__).resolve().parents[2].parent / "shared"
OFFICIAL_SPEC = SHARED / "reference" / "voucherify-openapi.json"
SEED_LIST = SHARED / "seeds" / "001_6d8e566c9611d874.txt"
FIXTURES = VoucherifyAPI.default_fixtures / "campaigns.json"

AUTH = {"X-App-Id": "test-app-id", "X-App-Token": "test-app-token"}


def fixture_campaigns() -> list[dict[str, Any]]:
    campaigns: list[dict[str, Any]] = json.loads(FIXTURES.read_text(encoding="utf-8"))
    return campaigns


@pytest.fixture
def vf_clock() -> Clock:
    return Clock()


@pytest.fixture
def vf_app(vf_clock: Clock, state_url: str) -> Iterator[Any]:
    """Voucherify alone, at the root, seeded with the six campaigns of seed 001."""
    app = create_app(["voucherify"], clock=vf_clock, state=state_url)
    yield app
    app.mock.close()
    assert_no_violations(app)


@pytest.fixture
def vf_client(vf_app: Any) -> Iterator[TestClient]:
    with TestClient(vf_app, headers=AUTH) as client:
        yield client


@pytest.fixture
def vf_empty_client(vf_clock: Clock, state_url: str) -> Iterator[TestClient]:
    """Voucherify without fixtures."""
    app = create_app([ApiOptions("voucherify", no_fixtures=True)], clock=vf_clock, state=state_url)
    with TestClient(app, headers=AUTH) as client:
        yield client
    app.mock.close()
    assert_no_violations(app)


# -- a real server for the official SDK (it uses urllib3) -------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(app: Any) -> Iterator[str]:
    """The base URL of ``app`` served by uvicorn on a free loopback port, while the block runs."""
    port = _free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="voucherify-mock", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the mock server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def vf_server() -> Iterator[tuple[str, Any]]:
    """``(base_url, app)`` of the mock served by uvicorn on a free loopback port."""
    app = create_app(["voucherify"])
    with serve(app) as base_url:
        yield base_url, app
    assert_no_violations(app)


# -- the vendor's official document -----------------------------------------------------------


def repaired_official_document() -> dict[str, Any]:
    """The official OpenAPI document with the repairs strict tools need, made in memory.

    The published file has 364 empty ``required: []`` lists (OpenAPI 3.0 requires at least
    one item) and one ``default`` outside its ``enum``
    (``MetadataSchemasListResponseBody.data_ref``).
    """
    document: dict[str, Any] = json.loads(OFFICIAL_SPEC.read_text(encoding="utf-8"))
    _drop_empty_required(document)
    data_ref = document["components"]["schemas"]["MetadataSchemasListResponseBody"]["properties"][
        "data_ref"
    ]
    if data_ref.get("default") not in data_ref.get("enum", [data_ref.get("default")]):
        data_ref["default"] = data_ref["enum"][0]
    return document


def _drop_empty_required(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("required") == []:
            del node["required"]
        for value in node.values():
            _drop_empty_required(value)
    elif isinstance(node, list):
        for value in node:
            _drop_empty_required(value)


@pytest.fixture(scope="session")
def official_document() -> dict[str, Any]:
    if not OFFICIAL_SPEC.is_file():
        pytest.skip(f"the vendor's official OpenAPI document is not at {OFFICIAL_SPEC}")
    return repaired_official_document()


def official_request_examples(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """Example name -> value, of the official document's request body of an operation."""
    body = document["paths"][path][method].get("requestBody", {})
    media = body.get("content", {}).get("application/json", {})
    return {name: example["value"] for name, example in media.get("examples", {}).items()}


#: A category the official document's examples name by id (Add Voucher with Specific Code):
#: served fixtures holding it let those examples run as written.
EXAMPLE_CATEGORY = {"id": "cat_0bb81a481615a37b5e", "name": "Examples"}


@pytest.fixture
def vf_examples_fixtures(tmp_path: Path) -> Path:
    """The default fixtures plus a promotion campaign in the category the vendor's examples use."""
    campaigns = fixture_campaigns()
    campaigns.append(
        {
            "id": "camp_ExampleCategoryHolder0001",
            "name": "Example category holder",
            "campaign_type": "PROMOTION",
            "type": "STATIC",
            "auto_join": False,
            "join_once": False,
            "use_voucher_metadata_schema": False,
            "active": True,
            "metadata": {},
            "created_at": "2022-01-01T00:00:00.000Z",
            "category": EXAMPLE_CATEGORY["name"],
            "creation_status": "DONE",
            "vouchers_generation_status": "DONE",
            "protected": False,
            "category_id": EXAMPLE_CATEGORY["id"],
            "object": "campaign",
        }
    )
    (tmp_path / "campaigns.json").write_text(json.dumps(campaigns), encoding="utf-8")
    return tmp_path
