"""Configuration of a run: the APIs' policy files, the Schemathesis configuration, and what a
spec declares (operations, links, credentials, its idempotency header)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.exceptions import ConfigurationError
from mockserver.plugins import api_class, available_apis
from mockserver.spec import Document

#: The header conventionally carrying an idempotency key (IETF draft, Stripe).
STANDARD_IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass
class Policy:
    """Check configuration for one spec, read from the ``[[project]]`` matching its title."""

    project: dict[str, Any]
    notes: list[str]
    #: The ``[dictionaries.*]`` tables the project's parameter bindings name.
    dictionaries: dict[str, Any] = field(default_factory=dict)
    #: The file it came from (relative paths in it are relative to its folder).
    path: Path | None = None


def policy_files() -> list[Path]:
    """The contract-check policy of every installed API that ships one."""
    files = []
    for name in sorted(available_apis()):
        try:
            policy = api_class(name).contract_policy
        except ConfigurationError:
            continue
        if policy is not None:
            files.append(Path(policy))
    return files


def load_policy(raw_spec: Mapping[str, Any], paths: Iterable[Path] | None = None) -> Policy:
    """The ``[[project]]`` block whose ``title`` is the spec's title, from the APIs' policy files."""
    title = raw_spec.get("info", {}).get("title")
    for path in policy_files() if paths is None else paths:
        policy = _policy_in(path, title)
        if policy is not None:
            return policy
    return Policy({}, [])


def _policy_in(path: Path, title: Any) -> Policy | None:
    if not path.is_file():
        return None
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    for project in data.get("project", []):
        if project.get("title") == title:
            project = {k: v for k, v in project.items() if k != "title"}
            notes = [
                f"{path.name} [{title}] {line}"
                for line in _describe_checks(project.get("checks", {}))
            ]
            used = set(re.findall(r"'dictionary': '([^']+)'", repr(project)))
            dictionaries = {k: v for k, v in data.get("dictionaries", {}).items() if k in used}
            if dictionaries:
                notes.append(
                    f"{path.name} [{title}] generation also draws from: {', '.join(sorted(dictionaries))}"
                )
            return Policy(project, notes, dictionaries, path)
    return None


def _describe_checks(checks: Mapping[str, Any]) -> list[str]:
    lines = []
    for name, value in checks.items():
        if not isinstance(value, Mapping):
            continue
        if value.get("enabled") is False:
            lines.append(f"check {name} disabled")
        if "expected-statuses" in value:
            lines.append(f"check {name} expects {', '.join(map(str, value['expected-statuses']))}")
    return lines


def build_config(
    *,
    raw_spec: Mapping[str, Any],
    policy: Policy,
    key: str,
    seed: int,
    max_examples: int,
    phases: Sequence[str],
    base_url: str | None,
    max_steps: int | None,
    stateful_examples: int,
    request_timeout: float,
) -> Any:
    """A validated Schemathesis configuration for one pass."""
    from schemathesis.config import SchemathesisConfig

    stateful: dict[str, Any] = {
        "enabled": "stateful" in phases,
        # Chains only grow from successful responses: feed them valid data. (Negative data is
        # the stateless pass's job; the links' targets still get invalid ids and bodies there.)
        "generation": {"mode": "positive", "max-examples": stateful_examples},
    }
    if max_steps is not None:
        stateful["max-steps"] = max_steps
    policy_project = dict(policy.project)
    if "stateful" in phases and "operations" in policy_project:
        # Stateful chains take ids from responses (links). Dictionary ids there would only let
        # inferred links act on fixture objects (delete the fixture campaign every coupon needs).
        policy_project["operations"] = [
            {
                **block,
                "parameters": {
                    key: value
                    for key, value in block.get("parameters", {}).items()
                    if not key.startswith("path.")
                },
            }
            for block in policy_project["operations"]
        ]
    project: dict[str, Any] = {
        **policy_project,
        "workers": 1,
        "request-timeout": request_timeout,
        "generation": {
            **policy_project.get("generation", {}),
            "mode": "all",
            "max-examples": max_examples,
            "deterministic": True,
            "database": "none",
        },
        "phases": {
            "examples": {"enabled": "examples" in phases},
            "coverage": {"enabled": "coverage" in phases},
            "fuzzing": {"enabled": "fuzzing" in phases},
            "stateful": stateful,
        },
    }
    auth = auth_config(raw_spec, key)
    if auth:
        project["auth"] = {"openapi": auth}
    if base_url is not None:
        project["base-url"] = base_url
    data = {
        **project,
        "seed": seed,
        "color": False,
        # No cross-run learning: the same seed must give the same run, on any machine.
        "cache": {"enabled": False},
        # Our own code redacts a user-given key; the rest (idempotency keys...) must stay as sent.
        "output": {"sanitization": {"enabled": False}},
    }
    if policy.dictionaries:
        data["dictionaries"] = policy.dictionaries
    base_dir = policy.path.parent if policy.path is not None else Path.cwd()
    return SchemathesisConfig.from_dict(data, base_dir=str(base_dir))


def auth_config(raw_spec: Mapping[str, Any], key: str) -> dict[str, dict[str, str]]:
    """Credentials for every security scheme of the spec Schemathesis can fill in with ``key``."""
    auth: dict[str, dict[str, str]] = {}
    for name, scheme in raw_spec.get("components", {}).get("securitySchemes", {}).items():
        kind = scheme.get("type")
        if kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
            auth[name] = {"bearer": key}
        elif kind == "http" and str(scheme.get("scheme", "")).lower() == "basic":
            auth[name] = {"username": key, "password": key}
        elif kind == "apiKey":
            auth[name] = {"api_key": key}
    return auth


def credential_headers(raw_spec: Mapping[str, Any], key: str) -> dict[str, str]:
    """Headers satisfying the spec's first global security requirement that headers can satisfy."""
    schemes = raw_spec.get("components", {}).get("securitySchemes", {})
    for requirement in raw_spec.get("security", []):
        headers: dict[str, str] = {}
        for name in requirement:
            scheme = schemes.get(name, {})
            if scheme.get("type") == "http" and str(scheme.get("scheme", "")).lower() == "bearer":
                headers["Authorization"] = f"Bearer {key}"
            elif scheme.get("type") == "apiKey" and scheme.get("in") == "header":
                headers[scheme["name"]] = key
            else:
                break
        else:
            if headers:
                return headers
    return {}


def operation_labels(raw_spec: Mapping[str, Any] | Document) -> dict[str, str | None]:
    """``"GET /v1/things/{id}"`` -> operationId, for every operation of the spec, in order."""
    return {op.label: op.id for op in _document(raw_spec).operations}


def declared_links(raw_spec: Mapping[str, Any] | Document) -> list[str]:
    """Every OpenAPI link, named the way Schemathesis names transitions."""
    document = _document(raw_spec)
    links = []
    for op in document.operations:
        for status, response in op.responses.items():
            for name, link in response.links.items():
                target = document.by_id.get(link.operation_id or "")
                if target is not None:
                    links.append(f"{op.label} -> [{status}] {name} -> {target.label}")
    return links


def link_operations(raw_spec: Mapping[str, Any] | Document) -> list[str] | None:
    """operationIds that are the source or the target of an OpenAPI link (``None``: no links)."""
    ids: set[str] = set()
    for op in _document(raw_spec).operations:
        for response in op.responses.values():
            for link in response.links.values():
                if link.operation_id and op.id:
                    ids.update((link.operation_id, op.id))
    return sorted(ids) or None


def _document(raw_spec: Mapping[str, Any] | Document) -> Document:
    return raw_spec if isinstance(raw_spec, Document) else Document.from_dict(raw_spec)


def _idempotency_header(api: str | None, raw_spec: Mapping[str, Any]) -> str | None:
    """The request header carrying idempotency keys, if the API has one."""
    if api is not None:
        try:
            from mockserver.plugins import api_class

            header = api_class(api).idempotency_header
        except (ConfigurationError, ImportError):
            header = None
        if header:
            return header
    wanted = STANDARD_IDEMPOTENCY_HEADER.lower()
    for op in _document(raw_spec).operations:
        for parameter in op.parameters_in("header"):
            if parameter.name.lower() == wanted:
                return parameter.name
    return None
