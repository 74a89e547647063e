"""The sample request of each operation, built from the spec alone.

Values come from the spec (parameter and media-type examples, then the schema's example,
default, first enum value, or one built from its type) and from ids that exist: path
parameters take, in order, the parameter's example when the fixtures hold it, the first id
the fixtures hold for the collection, an id listed earlier in the run (for collections the
fixtures leave empty, such as VINR's events), then the parameter's example. Credentials
satisfy the operation's first security requirement.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

from mockserver.spec import MISSING, Document, Operation, Parameter, Schema

__all__ = [
    "DOCS_KEY",
    "Call",
    "Ids",
    "build_call",
    "credentials",
    "kind",
    "plan_order",
    "sample_value",
]

#: The credential every sample sends (the mock accepts any non-empty key by default).
DOCS_KEY = "sk_test_docs"

_KIND_RANK = {"create": 0, "list": 1, "retrieve": 2, "update": 3, "action": 4}


@dataclass
class Call:
    """One sample request and what came back."""

    operation: Operation
    method: str
    #: The path with its parameters filled in (``/v1/campaigns/cmp_...``), without query.
    path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    #: The JSON body sent, or :data:`MISSING`.
    body: Any = MISSING
    status: int | None = None
    #: The JSON response body (or text), or :data:`MISSING` when there was none.
    response: Any = MISSING
    #: ``True``: the mock answered this request; ``False``: the document's own example.
    executed: bool = False
    #: Why it was not executed (``""`` when it was).
    note: str = ""
    #: Position in the run (0 first); -1 when not run.
    order: int = -1
    #: Why this sample fails the build (it answered other than documented), or ``""``.
    problem: str = ""

    @property
    def url_path(self) -> str:
        """Path and query string."""
        return self.path + ("?" + urlencode(self.query, safe="*[]:,") if self.query else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "operation": self.operation.name,
            "order": self.order,
            "method": self.method.upper(),
            "path": self.url_path,
            "headers": self.headers,
            "body": None if self.body is MISSING else self.body,
            "status": self.status,
            "response": None if self.response is MISSING else self.response,
            "executed": self.executed,
            "note": self.note,
            "problem": self.problem,
        }


def kind(op: Operation) -> str:
    """``create``, ``list``, ``retrieve``, ``update``, ``delete`` or ``action``, from method and path."""
    last = op.path.rstrip("/").rsplit("/", 1)[-1]
    item = last.startswith("{")
    has_params = "{" in op.path
    if op.method == "delete":
        return "delete"
    if op.method == "get":
        return "retrieve" if item else "list"
    if op.method in ("put", "patch") or (op.method == "post" and item):
        return "update"
    if op.method == "post" and not has_params:
        return "create"
    return "action"


def plan_order(document: Document) -> list[Operation]:
    """The operations in the order their samples run (see the module docstring)."""
    tags = {name: index for index, name in enumerate(document.tags)}

    def tag_index(op: Operation) -> int:
        return min((tags[t] for t in op.tags if t in tags), default=len(tags))

    position = {id(op): index for index, op in enumerate(document.operations)}
    regular = [op for op in document.operations if kind(op) != "delete"]
    deletes = [op for op in document.operations if kind(op) == "delete"]
    regular.sort(key=lambda op: (tag_index(op), _KIND_RANK[kind(op)], position[id(op)]))
    deletes.sort(key=lambda op: (-tag_index(op), -op.path.count("/"), position[id(op)]))
    return regular + deletes


# -- values from the spec ----------------------------------------------------------------


def sample_value(schema: Schema | None, depth: int = 0) -> Any:
    """A value for ``schema``: its example, default, first enum value, or one built from its type."""
    if schema is None:
        return "string"
    for candidate in (schema.example, schema.default, schema.const):
        if candidate is not MISSING:
            return candidate
    if schema.enum:
        return next((e for e in schema.enum if e is not None), schema.enum[0])
    if depth > 6:
        return None
    members = schema.all_of or schema.variants
    if members and not schema.type:
        if schema.all_of:
            merged: dict[str, Any] = {}
            for member in schema.all_of:
                value = sample_value(member, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
                else:
                    return value
            return merged
        return sample_value(members[0], depth + 1)
    kind_ = schema.type
    if kind_ == "object" or (kind_ is None and schema.properties):
        properties, required = schema.object_properties()
        return {
            name: sample_value(prop, depth + 1)
            for name, prop in properties.items()
            if name in required and not prop.read_only
        }
    if kind_ == "array":
        return [sample_value(schema.items, depth + 1)] if schema.min_items else []
    if kind_ == "integer":
        return int(schema.minimum or schema.exclusive_minimum or 0) + (
            1 if schema.exclusive_minimum is not None else 0
        )
    if kind_ == "number":
        return schema.minimum or 0
    if kind_ == "boolean":
        return True
    return "string"


def _parameter_value(parameter: Parameter) -> Any:
    example = parameter.example
    if example is not MISSING:
        return example
    return sample_value(parameter.schema)


def _serialise_query(parameter: Parameter, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, bool):
        return [(parameter.name, "true" if value else "false")]
    if isinstance(value, list):
        if parameter.explode is False:
            return [(parameter.name, ",".join(_scalar(v) for v in value))]
        return [(parameter.name, _scalar(v)) for v in value]
    if isinstance(value, Mapping):
        if parameter.style == "deepObject":
            return [(f"{parameter.name}[{k}]", _scalar(v)) for k, v in value.items()]
        return [(str(k), _scalar(v)) for k, v in value.items()]
    return [(parameter.name, _scalar(value))]


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def credentials(
    document: Document, op: Operation, key: str = DOCS_KEY
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Headers and query parameters satisfying the operation's first security requirement."""
    headers: dict[str, str] = {}
    query: list[tuple[str, str]] = []
    for requirement in op.security[:1]:
        for name in requirement:
            scheme = document.security_schemes.get(name)
            if scheme is None:
                continue
            if scheme.type == "apiKey":
                if scheme.location == "query":
                    query.append((scheme.param_name, key))
                elif scheme.location == "cookie":
                    headers["Cookie"] = f"{scheme.param_name}={key}"
                else:
                    headers[scheme.param_name] = key
            elif scheme.type == "http" and scheme.scheme.lower() == "basic":
                headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
            else:
                headers["Authorization"] = f"Bearer {key}"
    return headers, query


# -- running -------------------------------------------------------------------------------


class Ids:
    """Ids known per collection path: from the fixtures (listed first), then from the run."""

    def __init__(self) -> None:
        self.fixtures: dict[str, list[Mapping[str, Any]]] = {}
        self.seen: dict[str, list[Mapping[str, Any]]] = {}

    @staticmethod
    def items(body: Any) -> list[Mapping[str, Any]]:
        """The objects of a list response: the first array of objects in it (or itself)."""
        if isinstance(body, list):
            return [i for i in body if isinstance(i, Mapping)]
        if isinstance(body, Mapping):
            for value in body.values():
                if isinstance(value, list) and value and all(isinstance(i, Mapping) for i in value):
                    return list(value)
        return []

    def value(self, collection: str, parameter: Parameter) -> Any:
        """An id for ``parameter`` of an item of ``collection``, or :data:`MISSING`."""
        example = parameter.example
        for source in (self.fixtures, self.seen):
            records = source.get(collection, [])
            keys = [parameter.name, "id"]
            if example is not MISSING and any(r.get(k) == example for r in records for k in keys):
                return example
            for record in records:
                for key in keys:
                    if isinstance(record.get(key), (str, int)) and not isinstance(
                        record.get(key), bool
                    ):
                        return record[key]
        return MISSING


def _collection(path: str, parameter: str) -> str:
    """``/v1/campaigns/{id}/enable`` and ``id`` -> ``/v1/campaigns``."""
    head = path.split("{" + parameter + "}", 1)[0]
    return head.rstrip("/") or "/"


def build_call(document: Document, op: Operation, ids: Ids, key: str = DOCS_KEY) -> Call:
    """The sample request for ``op`` (not run)."""
    headers, query = credentials(document, op, key)
    path = op.path
    problems = []
    for parameter in op.parameters:
        if parameter.location == "path":
            value = ids.value(_collection(op.path, parameter.name), parameter)
            if value is MISSING:
                value = _parameter_value(parameter)
            if value is MISSING or value is None:
                problems.append(parameter.name)
                value = parameter.name
            path = path.replace("{" + parameter.name + "}", quote(_scalar(value), safe=""))
        elif parameter.location == "query":
            if parameter.required or parameter.example is not MISSING:
                query += _serialise_query(parameter, _parameter_value(parameter))
        elif parameter.location == "header" and (
            parameter.required or parameter.example is not MISSING
        ):
            headers[parameter.name] = _scalar(_parameter_value(parameter))
    body: Any = MISSING
    note = ""
    if op.request_body is not None:
        media = op.request_body.json
        if media is not None:
            body = media.example
            if body is MISSING and (op.request_body.required or media.schema is not None):
                body = sample_value(media.schema)
            headers["Content-Type"] = "application/json"
        elif op.request_body.required and op.request_body.content:
            note = (
                f"its body is {next(iter(op.request_body.content))}, which the samples do not send"
            )
    call = Call(operation=op, method=op.method, path=path, query=query, headers=headers, body=body)
    if problems:
        call.note = f"no value for path parameter(s) {', '.join(problems)}"
    elif note:
        call.note = note
    return call
