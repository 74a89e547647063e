"""The document and its operations: what every reader of the spec shares.

Building a :class:`Document` reads the paths, operations, parameters, responses, tags,
security and events; schemas are wrapped, never walked, so building costs milliseconds
even for a 2.9 MB document, and sub-schemas are resolved only when a reader asks.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.spec.objects import (
    Example,
    Parameter,
    RequestBody,
    Response,
    SecurityScheme,
    Server,
    Tag,
    _event_names,
    extensions_of,
)
from mockserver.spec.refs import MISSING, Context, SpecError, escape
from mockserver.spec.schema import Schema

__all__ = ["METHODS", "Document", "Event", "Operation", "Requirement", "security_schemes"]

#: HTTP methods a Path Item can hold, in the order readers list them.
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

#: One security requirement: scheme name -> scopes. An empty one means "no credentials".
Requirement = Mapping[str, tuple[str, ...]]


def _requirements(value: Any) -> tuple[Requirement, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(
        {str(k): tuple(str(s) for s in (v or ())) for k, v in item.items()}
        for item in value
        if isinstance(item, Mapping)
    )


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str) else ""


@dataclass(frozen=True, eq=False)
class Operation:
    """One operation, with path-level parameters merged in and its security decided."""

    method: str
    path: str
    id: str | None
    tags: tuple[str, ...] = ()
    summary: str = ""
    description: str = ""
    deprecated: bool = False
    #: Path-level parameters first, then the operation's; an operation-level parameter
    #: replaces the path-level one with the same name and location.
    parameters: tuple[Parameter, ...] = ()
    request_body: RequestBody | None = None
    #: Status string (``"200"``, ``"4XX"``, ``"default"``) -> response, in document order.
    responses: dict[str, Response] = field(default_factory=dict)
    #: The requirements in force: the operation's own, else the document's (OR of ANDs).
    security: tuple[Requirement, ...] = ()
    #: Whether the operation declares ``security`` itself (``security: []`` included).
    security_declared: bool = False
    #: Callback name -> its operations (``path`` is the callback's runtime expression).
    callbacks: dict[str, tuple[Operation, ...]] = field(default_factory=dict)
    servers: tuple[Server, ...] = ()
    #: Event types the operation declares it emits (``x-events``).
    events: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, repr=False)
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(
        cls,
        method: str,
        path: str,
        item: Mapping[str, Any],
        context: Context,
        document_security: Any,
    ) -> Operation:
        raw = _mapping(item.get(method))
        merged: dict[tuple[str, str], Parameter] = {}
        for node in [*_list(item.get("parameters")), *_list(raw.get("parameters"))]:
            parameter = Parameter.read(node, context)
            merged.pop(parameter.key, None)  # the operation's own goes where it is declared
            merged[parameter.key] = parameter
        body = raw.get("requestBody")
        callbacks: dict[str, tuple[Operation, ...]] = {}
        for name, callback in _mapping(raw.get("callbacks")).items():
            target, _ = context.follow(callback)
            callbacks[str(name)] = tuple(
                op
                for expression, cb_item in _mapping(target).items()
                for op in _path_item_operations(
                    str(expression), cb_item, context, document_security
                )
            )
        declared = "security" in raw
        return cls(
            method=method,
            path=path,
            id=raw.get("operationId") if isinstance(raw.get("operationId"), str) else None,
            tags=tuple(str(t) for t in _list(raw.get("tags"))),
            summary=_text(raw.get("summary")),
            description=_text(raw.get("description")),
            deprecated=raw.get("deprecated") is True,
            parameters=tuple(merged.values()),
            request_body=RequestBody.read(body, context) if body is not None else None,
            responses={
                str(status): Response.read(str(status), node, context)
                for status, node in _mapping(raw.get("responses")).items()
            },
            security=_requirements(raw["security"] if declared else document_security),
            security_declared=declared,
            callbacks=callbacks,
            servers=tuple(Server.read(s) for s in _list(raw.get("servers") or item.get("servers"))),
            events=tuple(_event_names(raw.get("x-events"))),
            raw=raw,
            extensions=extensions_of(raw),
        )

    @property
    def label(self) -> str:
        """``"GET /v1/campaigns/{id}"``."""
        return f"{self.method.upper()} {self.path}"

    @property
    def name(self) -> str:
        """The operationId, else the label."""
        return self.id or self.label

    def parameters_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    def parameter(self, name: str, location: str | None = None) -> Parameter | None:
        return next(
            (p for p in self.parameters if p.name == name and location in (None, p.location)),
            None,
        )

    def response(self, status: int | str) -> Response | None:
        """The response documented for ``status``: exact, else its range (``4XX``), else default."""
        text = str(status)
        return (
            self.responses.get(text)
            or self.responses.get(f"{text[:1]}XX")
            or self.responses.get(f"{text[:1]}xx")
            or self.responses.get("default")
        )

    @property
    def success(self) -> Response | None:
        """The first documented 2xx response."""
        return next((r for r in self.responses.values() if r.is_success), None)

    @property
    def requires_auth(self) -> bool:
        return bool(self.security) and {} not in [dict(r) for r in self.security]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _path_item_operations(
    path: str, node: Any, context: Context, document_security: Any
) -> list[Operation]:
    item, _ = context.follow(node)
    item = _mapping(item)
    return [
        Operation.read(method, path, item, context, document_security)
        for method in METHODS
        if isinstance(item.get(method), Mapping)
    ]


@dataclass(frozen=True, eq=False)
class Event:
    """An event type the API emits (declared with ``x-events``, or an OpenAPI webhook)."""

    name: str
    summary: str = ""
    description: str = ""
    #: The payload's schema (the event object, or what the webhook's request body carries).
    schema: Schema | None = None
    #: The schema of the resource the event carries a snapshot of (``object`` in ``x-events``).
    object: Schema | None = None
    tags: tuple[str, ...] = ()
    #: Where it was declared: ``"x-events"`` or ``"webhooks"``.
    source: str = "x-events"
    #: The webhook's operation, for events declared as webhooks.
    operation: Operation | None = None
    examples: dict[str, Example] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True, eq=False)
class Document:
    """One OpenAPI 3.0/3.1 document, read once and shared by every reader."""

    raw: Mapping[str, Any] = field(repr=False)
    openapi: str
    title: str
    version: str
    description: str
    servers: tuple[Server, ...]
    #: Declared tags in document order, then tags operations use without declaring them.
    tags: dict[str, Tag]
    operations: tuple[Operation, ...]
    security_schemes: dict[str, SecurityScheme]
    #: The document-level requirements (what an operation without ``security`` gets).
    security: tuple[Requirement, ...]
    #: Webhook name -> its operations (3.1 ``webhooks``, or ``x-webhooks``).
    webhooks: dict[str, tuple[Operation, ...]]
    #: Event type -> event, from ``x-events`` (document, tags) and webhooks.
    events: dict[str, Event]
    context: Context = field(repr=False)
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    # -- building --------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> Document:
        """Read a document already loaded (as :func:`mockserver.documents.load_document` returns)."""
        if not isinstance(raw, Mapping):
            raise SpecError("an OpenAPI document must be a mapping")
        version = str(raw.get("openapi", ""))
        if not version.startswith("3."):
            raise SpecError(
                f"only OpenAPI 3.x documents are supported (openapi: {version or 'missing'!r})"
            )
        context = Context(raw)
        document_security = raw.get("security")
        operations: list[Operation] = []
        for path, item in _mapping(raw.get("paths")).items():
            if str(path).startswith("x-"):
                continue
            operations.extend(_path_item_operations(str(path), item, context, document_security))
        webhooks_raw = raw.get("webhooks") or raw.get("x-webhooks")
        webhooks = {
            str(name): tuple(_path_item_operations(str(name), item, context, document_security))
            for name, item in _mapping(webhooks_raw).items()
        }
        tags: dict[str, Tag] = {}
        for node in _list(raw.get("tags")):
            tag = Tag.read(node)
            if tag.name and tag.name not in tags:
                tags[tag.name] = tag
        for operation in operations:
            for name in operation.tags:
                if name not in tags:
                    tags[name] = Tag(name=name, display_name=name, declared=False)
        components = _mapping(raw.get("components"))
        info = _mapping(raw.get("info"))
        return cls(
            raw=raw,
            openapi=version,
            title=_text(info.get("title")),
            version=_text(info.get("version")),
            description=_text(info.get("description")),
            servers=tuple(Server.read(s) for s in _list(raw.get("servers"))),
            tags=tags,
            operations=tuple(operations),
            security_schemes=_security_schemes(components, context),
            security=_requirements(document_security),
            webhooks=webhooks,
            events=_read_events(raw, webhooks, context),
            context=context,
            extensions=extensions_of(raw),
        )

    @classmethod
    def from_path(cls, path: str | Path) -> Document:
        """Load a YAML or JSON file (repaired as the engine serves it) and read it."""
        from mockserver.documents import load_document

        return cls.from_dict(load_document(Path(path)))

    # -- reading ---------------------------------------------------------------------------

    @property
    def is_31(self) -> bool:
        return self.context.openapi31

    @functools.cached_property
    def by_id(self) -> dict[str, Operation]:
        """operationId -> operation (operations without one are left out)."""
        return {op.id: op for op in self.operations if op.id}

    def operation(self, operation_id: str) -> Operation:
        try:
            return self.by_id[operation_id]
        except KeyError:
            raise KeyError(
                f"no operation {operation_id!r} in {self.title or 'the document'}"
            ) from None

    def find(self, method: str, path: str) -> Operation | None:
        """The operation at a path template (``/v1/campaigns/{id}``), if the document has it."""
        method = method.lower()
        return next((op for op in self.operations if op.method == method and op.path == path), None)

    @functools.cached_property
    def paths(self) -> dict[str, tuple[Operation, ...]]:
        """Path template -> its operations, in document order."""
        found: dict[str, list[Operation]] = {}
        for op in self.operations:
            found.setdefault(op.path, []).append(op)
        return {path: tuple(ops) for path, ops in found.items()}

    def tag_operations(self, tag: str) -> tuple[Operation, ...]:
        return tuple(op for op in self.operations if tag in op.tags)

    @functools.cached_property
    def schemas(self) -> dict[str, Schema]:
        """``components.schemas`` by name, each wrapped (resolved lazily)."""
        names = _mapping(_mapping(self.raw.get("components")).get("schemas"))
        return {str(name): self.schema(str(name)) for name in names}

    def schema(self, name: str) -> Schema:
        """The component schema called ``name`` (``KeyError`` when there is none)."""
        names = _mapping(_mapping(self.raw.get("components")).get("schemas"))
        if name not in names:
            raise KeyError(f"no schema {name!r} in components.schemas")
        return Schema.of({"$ref": f"#/components/schemas/{escape(name)}"}, self.context)

    def schema_at(self, ref: str) -> Schema:
        """The schema a local pointer designates (``#/$defs/Money``)."""
        return Schema.of({"$ref": ref}, self.context)

    def resolve(self, node: Any) -> Any:
        """A raw node with its ``$ref`` chain followed (a pointer string is accepted too)."""
        if isinstance(node, str):
            node = {"$ref": node}
        return self.context.follow(node)[0]

    def events_for_tag(self, tag: str) -> tuple[Event, ...]:
        """The tag's events: declared on the tag, tagged on the event, or emitted by its operations."""
        names: list[str] = list(self.tags[tag].events) if tag in self.tags else []
        names += [name for name, event in self.events.items() if tag in event.tags]
        for op in self.tag_operations(tag):
            names += op.events
        return tuple(self.events[n] for n in dict.fromkeys(names) if n in self.events)

    def emitters(self, event: str) -> tuple[Operation, ...]:
        """The operations that declare (``x-events``) that they emit ``event``."""
        return tuple(op for op in self.operations if event in op.events)


def _security_schemes(components: Mapping[str, Any], context: Context) -> dict[str, SecurityScheme]:
    return {
        str(name): SecurityScheme.read(str(name), node, context)
        for name, node in _mapping(components.get("securitySchemes")).items()
    }


def security_schemes(raw: Mapping[str, Any]) -> dict[str, SecurityScheme]:
    """Only the security schemes of a raw document (cheaper than a whole :class:`Document`)."""
    return _security_schemes(_mapping(raw.get("components")), Context(raw))


def _read_events(
    raw: Mapping[str, Any], webhooks: Mapping[str, tuple[Operation, ...]], context: Context
) -> dict[str, Event]:
    """Events from the document's ``x-events``, the tags' ``x-events`` objects, and webhooks.

    ``x-events`` is a mapping (event type -> object) or a list of objects with ``name``;
    each object may carry ``summary``, ``description``, ``tags``, ``schema`` (the payload),
    ``object`` (the resource it carries a snapshot of) and ``example``/``examples``. A tag's ``x-events`` may list names only, or objects
    (which then also declare the event, tagged with the tag).
    """
    events: dict[str, Event] = {}

    def add(name: str, node: Any, tags: tuple[str, ...]) -> None:
        body = _mapping(context.follow(node)[0])
        schema = body.get("schema", body.get("payload"))
        carried = body.get("object")
        declared_tags = tuple(str(t) for t in _list(body.get("tags")))
        examples: dict[str, Example] = {}
        if "example" in body:
            examples["example"] = Example(name="example", value=body["example"])
        for key, value in _mapping(body.get("examples")).items():
            examples[str(key)] = Example.read(str(key), value, context)
        previous = events.get(name)
        events[name] = Event(
            name=name,
            summary=_text(body.get("summary")) or (previous.summary if previous else ""),
            description=_text(body.get("description"))
            or (previous.description if previous else ""),
            schema=Schema.of(schema, context)
            if schema is not None
            else (previous.schema if previous else None),
            object=Schema.of(carried, context)
            if carried is not None
            else (previous.object if previous else None),
            tags=tuple(
                dict.fromkeys([*(previous.tags if previous else ()), *declared_tags, *tags])
            ),
            examples=examples or (previous.examples if previous else {}),
            extensions=extensions_of(body),
        )

    def read(value: Any, tags: tuple[str, ...]) -> None:
        if isinstance(value, Mapping):
            for name, node in value.items():
                add(str(name), node, tags)
        elif isinstance(value, list):
            for node in value:
                if isinstance(node, Mapping) and isinstance(node.get("name"), str):
                    add(node["name"], node, tags)

    read(raw.get("x-events"), ())
    for tag in _list(raw.get("tags")):
        if isinstance(tag, Mapping) and isinstance(tag.get("name"), str):
            read(tag.get("x-events"), (tag["name"],))
    for name, operations in webhooks.items():
        for op in operations:
            body = op.request_body.json if op.request_body else None
            events.setdefault(
                name,
                Event(
                    name=name,
                    summary=op.summary,
                    description=op.description,
                    schema=body.schema if body else None,
                    tags=op.tags,
                    source="webhooks",
                    operation=op,
                    examples={
                        k: v
                        for k, v in (body.examples if body else {}).items()
                        if v.value is not MISSING
                    },
                    extensions=op.extensions,
                ),
            )
    return events
