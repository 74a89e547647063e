"""Every example of every spec works when sent as is, as Swagger UI's "Try it out" sends it.

For each operation of each registered API and each of its request-body examples (or once,
without a body), a request is built from the documented examples only: path, query and header
parameters from their ``example``, the body from the media type's example (else the schema's).
It goes, with a key the mock accepts, to a mock freshly reset to its fixtures (a real server:
the ``mock_server_factory`` fixture of our own pytest plugin). It must get the operation's
documented success status, and what it creates must not have ended already.

So every id an example names comes from the fixtures, and every date lies in the future.
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from mockserver.contract import credential_headers
from mockserver.plugins import api_class, available_apis, load_document
from mockserver.spec import MISSING, Document, Operation
from mockserver.testing import MockHandle


def _cases() -> list[Any]:
    cases = []
    for api in sorted(available_apis()):
        spec = Path(api_class(api).spec_path)
        if not spec.is_file():  # the generic plug-in: no document of its own (--spec names one)
            continue
        document = Document.from_dict(load_document(spec))
        for op in document.operations:
            media = op.request_body.json if op.request_body is not None else None
            if media is None and op.request_body is not None:
                media = op.request_body.content.get("multipart/form-data")
            examples = {name: e.value for name, e in media.examples.items()} if media else {}
            if media is not None and not examples and media.schema is not None:
                examples = {"schema": media.schema.example}
            for name, body in (examples or {"-": MISSING}).items():
                cases.append(pytest.param(api, op, body, id=f"{api}-{op.name}-{name}"))
    return cases


def build_request(op: Operation, body: Any) -> tuple[str, dict[str, Any], dict[str, str], Any]:
    """``(path, query, headers, body)`` from the operation's documented examples."""
    path = op.path
    query: dict[str, Any] = {}
    headers: dict[str, str] = {}
    for parameter in op.parameters:
        example = parameter.example
        if example is MISSING:
            assert not parameter.required, f"{op.label}: required {parameter.name} has no example"
            continue
        if parameter.location == "path":
            path = path.replace("{" + parameter.name + "}", quote(str(example), safe=""))
        elif parameter.location == "query":
            query[parameter.name] = str(example).lower() if isinstance(example, bool) else example
        elif parameter.location == "header":
            headers[parameter.name] = str(example)
    return path, query, headers, body


def _has_ended(payload: Any, now: float) -> str | None:
    """What in a created or updated object has already ended (VINR and Voucherify dates)."""
    if not isinstance(payload, dict):
        return None
    ends_at = payload.get("ends_at")
    if isinstance(ends_at, int) and ends_at <= now:
        return f"ends_at {ends_at} is in the past"
    expiration = payload.get("expiration_date")
    if isinstance(expiration, str) and datetime.fromisoformat(expiration).timestamp() <= now:
        return f"expiration_date {expiration} is in the past"
    return None


@pytest.mark.parametrize(("api", "op", "body"), _cases())
def test_example_works_when_sent_as_is(
    mock_server_factory: Any, api: str, op: Operation, body: Any
) -> None:
    mock: MockHandle = mock_server_factory(api)
    raw_spec = mock.mock.api(api).spec
    path, query, headers, payload = build_request(op, body)
    headers.update(credential_headers(raw_spec, mock.api_key))
    form = op.request_body is not None and "multipart/form-data" in op.request_body.content
    if form and isinstance(payload, dict):
        # a form, as Swagger UI sends it: each binary part as a file, the others as fields
        response = httpx.request(
            op.method.upper(),
            mock.url + path,
            params=query,
            headers=headers,
            files={k: (f"{k}.csv", str(v).encode()) for k, v in payload.items()},
            timeout=10,
        )
    else:
        response = httpx.request(
            op.method.upper(),
            mock.url + path,
            params=query,
            headers=headers,
            json=None if payload is MISSING else payload,
            timeout=10,
        )
    if op.raw.get("x-not-served"):
        # routed on purpose without a handler, its 501 documented (and why)
        assert "501" in op.raw["responses"], op.label
        assert response.status_code == 501, f"{op.label}: {response.status_code} {response.text}"
        return
    success = op.success
    assert success is not None and success.code is not None, f"{op.label} documents no 2xx"
    assert response.status_code == success.code, (
        f"{op.label} with its examples (query {query}, body {payload!r}): "
        f"{response.status_code} {response.text}"
    )
    if op.method in ("post", "put", "patch") and response.content:
        ended = _has_ended(response.json(), time.time())
        assert ended is None, f"{op.label}: the example makes an object that has ended: {ended}"
