"""Before checking a live server's contract: does it answer, and does it serve that API?

Without this, a contract run against a port where nothing listens sends every generated case
into a refused connection (thousands of "Network Error" failures, half a minute), and a run
against a mock of another API reports that API's differences as schema failures.
:func:`check_target` asks once and refuses with one sentence
(:class:`~mockserver.exceptions.ConfigurationError`, exit status 2 on the command line).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from mockserver.exceptions import ConfigurationError


def check_target(
    base_url: str,
    raw_spec: Mapping[str, Any],
    api: str | None,
    *,
    own_spec: bool,
    admin_token: str,
    timeout: float = 10.0,
) -> None:
    """Raise :class:`ConfigurationError` unless ``base_url`` answers HTTP and, when it shows
    what it serves (the mock's admin API, or an OpenAPI document at ``/openapi.json``), serves
    the API of ``raw_spec`` (``api`` by name, when ``own_spec``: the API's own document)."""
    base = base_url.rstrip("/")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigurationError(f"--base-url {base_url!r} is not an http(s) URL")
    origin = f"{parts.scheme}://{parts.netloc}"
    _get(base + "/", timeout, base_url)  # anything at all: it answers
    health = _json(_get(origin + "/__admin/health", timeout, base_url, admin_token))
    if isinstance(health, Mapping) and isinstance(health.get("apis"), list):
        served = _mounted_at(health["apis"], parts.path.rstrip("/"))
        if served is None:
            where = ", ".join(
                f"{entry.get('api')} at {origin}{str(entry.get('base_path', '')).rstrip('/')}"
                for entry in health["apis"]
                if isinstance(entry, Mapping)
            )
            raise ConfigurationError(
                f"the mock at {origin} serves no API at {parts.path or '/'} (it serves {where}): "
                "pass one of those as --base-url"
            )
        if own_spec and api is not None and served != api:
            raise ConfigurationError(
                f"{base} is the mock of {served}, not {api}: pass --api {served}, "
                f"or start the mock with --api {api}"
            )
        if own_spec:
            return
    document = _json(_get(base + "/openapi.json", timeout, base_url))
    if _other_api(raw_spec, document):
        theirs = document["info"].get("title")
        ours = raw_spec.get("info", {}).get("title")
        raise ConfigurationError(
            f"{base} serves another API ({theirs!r} at {base}/openapi.json, none of whose "
            f"operations is in {ours!r}): check --base-url and --api"
        )


def _get(url: str, timeout: float, base_url: str, token: str | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        return requests.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.Timeout:
        raise ConfigurationError(
            f"{base_url} did not answer within {timeout:g} s: is the server running there?"
        ) from None
    except requests.RequestException as exc:
        raise ConfigurationError(
            f"{base_url} does not answer ({_reason(exc)}): start the server first "
            "(the mock: `mockserver serve --port PORT`), or check --base-url"
        ) from None


def _reason(exc: requests.RequestException) -> str:
    text = str(exc)
    if "Connection refused" in text:
        return "connection refused: nothing listens on that port"
    if "Name or service not known" in text or "nodename nor servname" in text:
        return "unknown host name"
    return type(exc).__name__


def _json(response: requests.Response) -> Any:
    if response.status_code != 200:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _mounted_at(apis: list[Any], path: str) -> str | None:
    for entry in apis:
        if isinstance(entry, Mapping) and str(entry.get("base_path", "")).rstrip("/") == path:
            return str(entry.get("api"))
    return None


def _operation_ids(document: Mapping[str, Any]) -> set[str]:
    ids = set()
    for item in (document.get("paths") or {}).values():
        if isinstance(item, Mapping):
            for operation in item.values():
                if isinstance(operation, Mapping) and isinstance(operation.get("operationId"), str):
                    ids.add(operation["operationId"])
    return ids


def _other_api(raw_spec: Mapping[str, Any], document: Any) -> bool:
    """Whether ``document`` is an OpenAPI document of another API: another title, and not
    one operation in common."""
    if not (
        isinstance(document, Mapping)
        and isinstance(document.get("info"), Mapping)
        and isinstance(document.get("paths"), Mapping)
        and ("openapi" in document or "swagger" in document)
    ):
        return False
    if document["info"].get("title") == raw_spec.get("info", {}).get("title"):
        return False
    return not (_operation_ids(raw_spec) & _operation_ids(document))
