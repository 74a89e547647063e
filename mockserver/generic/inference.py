"""What a document's paths mean: resources, their collections, items, ids and lists.

>>> inferred = infer(spec.load("tests/generic/corpus/petstore-expanded/openapi.json"))
>>> [(r.name, r.collection, r.item, r.id_field) for r in inferred.resources]
[('pets', '/pets', '/pets/{id}', 'id')]
>>> inferred.actions["addPet"].action
'create'

A **collection** is a path whose ``GET`` lists (an array, or an object holding one) or that
takes a ``POST``; its **item** is the same path with one more ``{param}`` segment. ``POST``
on the collection creates, ``GET`` lists; ``GET``/``PUT``/``PATCH``/``DELETE`` on the item
retrieve, replace, merge and remove. A collection below another resource's item
(``/owners/{ownerId}/pets``) is scoped to it. Everything else is left to examples, with
the reason (:attr:`Inference.left`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mockserver.spec import Document, Operation, Schema

__all__ = ["Action", "Envelope", "Inference", "Resource", "infer", "operation_key"]

_PARAM = re.compile(r"^\{([^{}/]+)\}$")
_ITEM_ACTIONS = {"get": "retrieve", "put": "replace", "patch": "update", "delete": "delete"}
#: Array properties that hold a list's items, best first.
_ITEMS_NAMES = ("data", "items", "results", "records", "entries", "values", "list", "content")
#: Property names that mark an object as unique among its collection, besides its id.
_KEY_NAMES = ("slug", "username", "email", "code", "key", "filename", "handle")


def operation_key(op: Operation) -> str:
    """How the engine names an operation: its operationId, else ``"method /path"``."""
    return op.id or f"{op.method} {op.path}"


@dataclass
class Envelope:
    """How a list comes back: a bare array, or an object whose ``items`` property holds it."""

    schema: Schema
    item_schema: Schema | None
    #: The array property (``None``: the body is the array itself).
    items: str | None = None

    def describe(self) -> str:
        if self.items is None:
            return "bare array"
        fields = [n for n in self.schema.object_properties()[0] if n != self.items]
        return f"object, items in {self.items!r}" + (f" (+ {', '.join(fields)})" if fields else "")


@dataclass(eq=False)
class Resource:
    """One kind of object the API stores, reached through a collection and/or an item path."""

    name: str
    collection: str | None
    item: str | None
    #: The item path's last parameter (``petId``).
    id_param: str | None
    #: Path parameters above the collection (the scope: ``ownerId``).
    scope_params: tuple[str, ...]
    parent: Resource | None = None
    #: The object as the API returns it.
    schema: Schema | None = None
    #: The object's property holding the id (``None``: the id lives only in the URL).
    id_field: str | None = None
    #: The id's schema (the property's, else the path parameter's).
    id_schema: Schema | None = None
    #: The client may choose the id (a writable property of the create body); else generated.
    client_ids: bool = False
    #: Properties that must be unique in the collection (``x-unique``, or an obvious key).
    unique: tuple[str, ...] = ()
    envelope: Envelope | None = None
    #: action -> operation (create, list, retrieve, replace, update, delete).
    operations: dict[str, Operation] = field(default_factory=dict)

    def table(self, scope: tuple[str, ...]) -> str:
        """The store table holding the objects of one scope."""
        return "generic:" + self.name + "".join(f"/{s}" for s in scope)


@dataclass(frozen=True)
class Action:
    resource: Resource
    #: ``create``, ``list``, ``retrieve``, ``replace``, ``update``, ``delete``.
    action: str


@dataclass
class Inference:
    document: Document
    resources: list[Resource]
    #: operation key -> what it does to which resource.
    actions: dict[str, Action]
    #: operation key -> why it is answered from the document's examples instead.
    left: dict[str, str]


def infer(document: Document) -> Inference:
    """Resources, their operations and what is left to examples (see the module docstring)."""
    paths = document.paths
    by_collection: dict[str, Resource] = {}

    def resource_for(collection: str) -> Resource:
        found = by_collection.get(collection)
        if found is None:
            segments = collection.split("/")
            found = by_collection[collection] = Resource(
                name=_name(collection, by_collection),
                collection=collection if collection in paths else None,
                item=None,
                id_param=None,
                scope_params=tuple(m.group(1) for s in segments if (m := _PARAM.match(s))),
            )
        return found

    for path, operations in paths.items():
        segments = path.split("/")
        last = _PARAM.match(segments[-1]) if len(segments) > 1 else None
        methods = {op.method for op in operations}
        if last is not None and not _is_collection(path, operations, paths):
            resource = resource_for("/".join(segments[:-1]) or "/")
            resource.item = path
            resource.id_param = last.group(1)
        elif "post" in methods or _lists(_get(operations)):
            resource_for(path)

    actions: dict[str, Action] = {}
    left: dict[str, str] = {}
    resources = [r for r in by_collection.values() if r.item or r.collection]
    for resource in resources:
        _bind(resource, paths, actions)
        _describe(resource)
    for resource in resources:
        parent_path = "/".join((resource.collection or resource.item or "").split("/")[:-1])
        resource.parent = next((r for r in resources if r.item and r.item == parent_path), None)
    kept = []
    for resource in resources:
        if _stateful(resource):
            kept.append(resource)
            continue
        for op in resource.operations.values():
            actions.pop(operation_key(op), None)
        resource.operations = {}
    resources = kept
    for op in document.operations:
        key = operation_key(op)
        if key not in actions:
            left[key] = _why_left(op, resources)
    return Inference(document, resources, actions, left)


def _bind(resource: Resource, paths: dict[str, tuple[Operation, ...]], actions: dict[str, Action]) -> None:
    for op in paths.get(resource.collection or "", ()) if resource.collection else ():
        if op.method == "post" and _json_or_none(op):
            resource.operations["create"] = op
        elif op.method == "get" and _lists(op):
            resource.operations["list"] = op
    for op in paths.get(resource.item or "", ()) if resource.item else ():
        action = _ITEM_ACTIONS.get(op.method)
        if action is not None and _json_or_none(op):
            resource.operations[action] = op
    for action, op in resource.operations.items():
        actions[operation_key(op)] = Action(resource, action)


def _describe(resource: Resource) -> None:
    """The object's schema, its id field, who chooses ids, unique keys and the list envelope."""
    ops = resource.operations
    candidates = [
        _success_schema(ops.get("retrieve")),
        _success_schema(ops.get("create")),
        _success_schema(ops.get("replace")),
        _success_schema(ops.get("update")),
    ]
    listing = ops.get("list")
    if listing is not None:
        resource.envelope = _envelope(_success_schema(listing))
        if resource.envelope is not None:
            candidates.append(resource.envelope.item_schema)
    resource.schema = next((s for s in candidates if s is not None and _is_object(s)), None)
    properties = resource.schema.object_properties()[0] if resource.schema else {}
    resource.id_field = _id_field(resource.id_param, properties)
    id_param_schema = None
    for op in ops.values():
        parameter = op.parameter(resource.id_param or "", "path")
        if parameter is not None and parameter.schema is not None:
            id_param_schema = parameter.schema
            break
    resource.id_schema = (
        properties[resource.id_field] if resource.id_field in properties else id_param_schema
    )
    create = ops.get("create")
    body = create.request_body.json.schema if create and create.request_body and create.request_body.json else None
    body_props, body_required = body.object_properties() if body is not None else ({}, frozenset())
    resource.client_ids = bool(
        resource.id_field
        and resource.id_field in body_props
        and not body_props[resource.id_field].read_only
    )
    unique = [n for n, s in properties.items() if s.raw.get("x-unique") is True]
    if not unique and not resource.client_ids:
        unique = [
            n for n in _KEY_NAMES if n in body_required and n != resource.id_field and n in properties
        ][:1]
    resource.unique = tuple(unique)


def _id_field(id_param: str | None, properties: dict[str, Schema]) -> str | None:
    if id_param is None:
        return "id" if "id" in properties else None
    snake = re.sub(r"(?<!^)(?=[A-Z])", "_", id_param).lower()
    camel = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), id_param)
    for name in (id_param, snake, camel):
        if name in properties:
            return name
    if re.search(r"(?i)(^|_)id$|[a-z]Id$", id_param) and "id" in properties:
        return "id"
    return None


def _envelope(schema: Schema | None) -> Envelope | None:
    if schema is None:
        return None
    if schema.type == "array" or (schema.items is not None and not schema.properties):
        return Envelope(schema, schema.items, None)
    properties = schema.object_properties()[0]
    arrays = [n for n, s in properties.items() if s.type == "array" or s.items is not None]
    if not arrays:
        return None
    chosen = next((n for n in _ITEMS_NAMES if n in arrays), arrays[0] if len(arrays) == 1 else None)
    if chosen is None:
        return None
    return Envelope(schema, properties[chosen].items, chosen)


def _success_schema(op: Operation | None) -> Schema | None:
    if op is None:
        return None
    response = op.success
    media = response.json if response is not None else None
    return media.schema if media is not None else None


def _is_object(schema: Schema) -> bool:
    return schema.type == "object" or bool(schema.object_properties()[0])


def _get(operations: tuple[Operation, ...]) -> Operation | None:
    return next((op for op in operations if op.method == "get"), None)


def _lists(op: Operation | None) -> bool:
    return _envelope(_success_schema(op)) is not None


def _is_collection(path: str, operations: tuple[Operation, ...], paths: dict[str, tuple[Operation, ...]]) -> bool:
    """A ``.../{x}`` path that lists objects found one level down (``/categories/{section}``)."""
    below = [p for p in paths if p.startswith(path + "/") and _PARAM.match(p[len(path) + 1 :])]
    return bool(below) and _lists(_get(operations))


def _json_or_none(op: Operation) -> bool:
    """The operation speaks JSON (or sends no body at all) and documents a success."""
    if op.success is None:
        return False
    body = op.request_body
    if body is not None and body.content and body.json is None:
        return False
    response = op.success
    return response is None or not response.content or response.json is not None


def _name(collection: str, taken: dict[str, Resource]) -> str:
    words = [s for s in collection.split("/") if s and not _PARAM.match(s)]
    name = ".".join(words[-2:]) if len(words) > 1 and collection.count("{") else (words[-1] if words else "root")
    base, index = name, 2
    while any(r.name == name for r in taken.values()):
        name, index = f"{base}{index}", index + 1
    return name


def _stateful(resource: Resource) -> bool:
    """Whether storing objects means anything: what is created (or put) can be read back."""
    ops = resource.operations
    writes = "create" in ops or ("replace" in ops and resource.item is not None)
    return writes and ("retrieve" in ops or "list" in ops)


def _why_left(op: Operation, resources: list[Resource]) -> str:
    path_resource = next((r for r in resources if op.path in (r.collection, r.item)), None)
    if op.success is None:
        return "documents no success (2xx) response: answered with its lowest documented status"
    if path_resource is not None:
        if not _json_or_none(op):
            return "not JSON (form or other media type): answered from examples"
        return f"{op.method.upper()} on a {'collection' if op.path == path_resource.collection else 'item'} path is not CRUD"
    if op.method == "get":
        if _lists(op):
            return "lists objects nothing creates (no POST on the path, no item path to PUT)"
        return "reads what nothing creates (no collection with a create above it)"
    if op.method == "post" and _PARAM.match(op.path.split("/")[-1]) is None:
        return "a POST whose result nothing reads back (no item path, no list): an action"
    return "an action on no inferred resource (not a collection or item path)"
