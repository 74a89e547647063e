"""Read OpenAPI documents (YAML or JSON), repairing what strict tools refuse but means nothing.

Vendors' published documents are not always valid against the OpenAPI schema that
Connexion checks them with. Two defects are common and have one safe reading, so
they are repaired in memory, each kind reported once as a warning:

* ``required: []``: OpenAPI 3.0 wants at least one name; an empty list requires
  nothing, so removing it changes nothing (Voucherify's document has 364);
* a ``default`` its own ``enum`` does not allow: no request or response can carry
  it, so it is dropped;
* a 3.1 Schema Object's ``examples`` written as a mapping of names to values (the Media
  Type's form) instead of the array JSON Schema requires: its values become the array;
* ``nullable: true`` in an OpenAPI 3.1 document (a 3.0 keyword 3.1 replaced with
  ``type: [T, "null"]``): read as 3.0 reads it, as Schemathesis and most tools do, so
  ``"null"`` joins the ``type``.

Anything else wrong with a document is left for Connexion to report at start-up.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import orjson

from mockserver.exceptions import ConfigurationError

log = logging.getLogger("mockserver")


def load_document(path: Path) -> dict[str, Any]:
    """Read a YAML or JSON document and repair it (see the module docstring)."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise ConfigurationError(f"cannot read {path}: {exc.strerror}") from exc
    try:
        data = orjson.loads(raw) if str(path).endswith(".json") else _yaml(raw)
    except ValueError as exc:  # UnicodeDecodeError and (see _yaml) YAML's errors included
        raise ConfigurationError(f"{path} is not valid YAML/JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigurationError(f"{path} does not hold a mapping at the top level")
    for repair in repair_document(data):
        log.warning("%s: %s", Path(path).name, repair)
    return data


def _yaml(raw: bytes) -> Any:
    """A YAML document, by PyYAML's safe loader (through libyaml when it is there, about ten
    times faster); imported here, as JSON documents do not need it."""
    import yaml

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        return yaml.load(raw.decode("utf-8"), Loader=loader)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from exc


def _same_json(a: Any, b: Any) -> bool:
    """Equality as JSON Schema's ``enum`` sees it: ``true`` is not ``1``, ``1`` is ``1.0``."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same_json(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same_json(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    return bool(a == b)


def repair_document(document: dict[str, Any]) -> list[str]:
    """Repair ``document`` in place; one line per kind of repair made."""
    empty_required = 0
    nullable = 0
    mapped_examples = 0
    defaults: list[str] = []
    is_31 = str(document.get("openapi", "")).startswith("3.1")
    path: list[Any] = []  # keys down to the node (its JSON pointer is written only if needed)

    def walk(node: Any) -> None:
        nonlocal empty_required, nullable, mapped_examples
        if isinstance(node, dict):
            if node.get("required") == []:
                del node["required"]
                empty_required += 1
            if is_31:
                examples = node.get("examples")
                if (
                    isinstance(examples, dict)
                    and not {"schema", "content", "in"} & node.keys()
                    and any(not isinstance(v, dict) for v in examples.values())
                ):
                    node["examples"] = list(examples.values())
                    mapped_examples += 1
                if node.get("nullable") is True and isinstance(node.get("type"), (str, list)):
                    types = [node["type"]] if isinstance(node["type"], str) else list(node["type"])
                    node["type"] = [*types, "null"] if "null" not in types else types
                    del node["nullable"]
                    nullable += 1
            enum = node.get("enum")
            if (
                "default" in node
                and isinstance(enum, list)
                and not any(_same_json(node["default"], e) for e in enum)
            ):
                pointer = "".join(
                    f"/{str(key).replace('~', '~0').replace('/', '~1')}" for key in path
                )
                defaults.append(f"{pointer or '/'} ({json.dumps(node['default'])[:40]})")
                del node["default"]
            for key, value in node.items():
                if isinstance(value, (dict, list)):
                    path.append(key)
                    walk(value)
                    path.pop()
        elif isinstance(node, list):
            for index, value in enumerate(node):
                if isinstance(value, (dict, list)):
                    path.append(index)
                    walk(value)
                    path.pop()

    walk(document)
    repairs = []
    if empty_required:
        repairs.append(
            f"removed {empty_required} empty `required` lists (OpenAPI 3.0 needs at least one "
            "name; an empty list requires nothing)"
        )
    if mapped_examples:
        repairs.append(
            f"read {mapped_examples} schema `examples` written as a mapping as the array of its values"
        )
    if nullable:
        repairs.append(
            f"read {nullable} `nullable: true` (OpenAPI 3.0) of this 3.1 document as a `null` type"
        )
    if defaults:
        repairs.append(
            f"dropped {len(defaults)} `default` value(s) their own `enum` does not allow: "
            + ", ".join(defaults[:5])
            + (" ..." if len(defaults) > 5 else "")
        )
    return repairs
