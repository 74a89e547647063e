"""The document's objects other than operations and schemas, each with its ``$ref`` resolved.

Every class is a frozen dataclass built by its ``read`` class method from a raw node (the
object itself or a ``$ref`` to it); ``ref`` keeps the pointer it was reached through, so
a reader can tell a shared component (``#/components/responses/NotFound``) from an
inline one. ``extensions`` holds the object's ``x-*`` keys.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from mockserver.spec.refs import MISSING, Context, pointer_name
from mockserver.spec.schema import Schema

__all__ = [
    "Example",
    "Link",
    "MediaType",
    "Parameter",
    "RequestBody",
    "Response",
    "SecurityScheme",
    "Server",
    "Tag",
    "extensions_of",
    "is_json_media_type",
]


def extensions_of(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {str(k): v for k, v in raw.items() if str(k).startswith("x-")}


def is_json_media_type(media_type: str) -> bool:
    """``application/json``, ``application/problem+json``, ``application/json; charset=utf-8``."""
    base = media_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json") or base == "*/*"


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _text(value: Any) -> str:
    return str(value) if isinstance(value, str) else ""


@dataclass(frozen=True, eq=False)
class Example:
    """An Example Object, or a bare ``example`` value (then ``name`` is ``"example"``)."""

    name: str
    value: Any
    summary: str = ""
    description: str = ""
    external_value: str | None = None
    ref: str | None = None

    @classmethod
    def read(cls, name: str, node: Any, context: Context) -> Example:
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        return cls(
            name=name,
            value=raw.get("value", MISSING),
            summary=_text(raw.get("summary")),
            description=_text(raw.get("description")),
            external_value=raw.get("externalValue")
            if isinstance(raw.get("externalValue"), str)
            else None,
            ref=ref,
        )


def _examples(raw: Mapping[str, Any], context: Context) -> dict[str, Example]:
    """``example`` (as ``"example"``) and ``examples`` of a parameter or media type."""
    found: dict[str, Example] = {}
    if "example" in raw:
        found["example"] = Example(name="example", value=raw["example"])
    for name, node in _mapping(raw.get("examples")).items():
        found[str(name)] = Example.read(str(name), node, context)
    return found


@dataclass(frozen=True, eq=False)
class MediaType:
    """One entry of a ``content`` map."""

    name: str
    schema: Schema | None
    examples: dict[str, Example] = field(default_factory=dict)
    encoding: Mapping[str, Any] = field(default_factory=dict, repr=False)
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, name: str, node: Any, context: Context) -> MediaType:
        raw = _mapping(node)
        schema = raw.get("schema")
        return cls(
            name=name,
            schema=Schema.of(schema, context) if schema is not None else None,
            examples=_examples(raw, context),
            encoding=_mapping(raw.get("encoding")),
            extensions=extensions_of(raw),
        )

    @property
    def is_json(self) -> bool:
        return is_json_media_type(self.name)

    @property
    def example(self) -> Any:
        """The first example's value (the media type's, else the schema's), or :data:`MISSING`."""
        for example in self.examples.values():
            if example.value is not MISSING:
                return example.value
        return self.schema.example if self.schema is not None else MISSING


def _content(raw: Any, context: Context) -> dict[str, MediaType]:
    return {str(k): MediaType.read(str(k), v, context) for k, v in _mapping(raw).items()}


def _json_of(content: Mapping[str, MediaType]) -> MediaType | None:
    return next((m for m in content.values() if m.is_json), None)


@dataclass(frozen=True, eq=False)
class Parameter:
    """A Parameter Object; also a response's Header Object (``location == "header"``)."""

    name: str
    location: str
    required: bool = False
    description: str = ""
    deprecated: bool = False
    schema: Schema | None = None
    style: str | None = None
    explode: bool | None = None
    allow_empty_value: bool = False
    allow_reserved: bool = False
    examples: dict[str, Example] = field(default_factory=dict)
    #: ``content`` instead of ``schema`` (a parameter serialised as, say, JSON).
    content: dict[str, MediaType] = field(default_factory=dict)
    ref: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, node: Any, context: Context, *, header: str | None = None) -> Parameter:
        """A parameter (or, with ``header=name``, a response header called ``name``)."""
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        schema = raw.get("schema")
        content = _content(raw.get("content"), context)
        if schema is None and content:
            first = next(iter(content.values()))
            schema_obj = first.schema
        else:
            schema_obj = Schema.of(schema, context) if schema is not None else None
        location = "header" if header is not None else _text(raw.get("in"))
        return cls(
            name=header if header is not None else _text(raw.get("name")),
            location=location,
            required=raw.get("required") is True or location == "path",
            description=_text(raw.get("description")),
            deprecated=raw.get("deprecated") is True,
            schema=schema_obj,
            style=raw.get("style") if isinstance(raw.get("style"), str) else None,
            explode=raw.get("explode") if isinstance(raw.get("explode"), bool) else None,
            allow_empty_value=raw.get("allowEmptyValue") is True,
            allow_reserved=raw.get("allowReserved") is True,
            examples=_examples(raw, context),
            content=content,
            ref=ref,
            extensions=extensions_of(raw),
        )

    @property
    def key(self) -> tuple[str, str]:
        """What makes a parameter unique in an operation: location and name (headers: any case)."""
        return self.location, self.name.lower() if self.location == "header" else self.name

    @property
    def example(self) -> Any:
        """The parameter's first example value, else its schema's, else :data:`MISSING`."""
        for example in self.examples.values():
            if example.value is not MISSING:
                return example.value
        return self.schema.example if self.schema is not None else MISSING

    @property
    def default(self) -> Any:
        return self.schema.default if self.schema is not None else MISSING


@dataclass(frozen=True, eq=False)
class RequestBody:
    description: str = ""
    required: bool = False
    content: dict[str, MediaType] = field(default_factory=dict)
    ref: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, node: Any, context: Context) -> RequestBody:
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        return cls(
            description=_text(raw.get("description")),
            required=raw.get("required") is True,
            content=_content(raw.get("content"), context),
            ref=ref,
            extensions=extensions_of(raw),
        )

    @property
    def json(self) -> MediaType | None:
        """The first JSON media type (``application/json`` or ``*+json``), if any."""
        return _json_of(self.content)


@dataclass(frozen=True, eq=False)
class Link:
    """A Link Object: how a value of this response feeds another operation."""

    name: str
    operation_id: str | None = None
    operation_ref: str | None = None
    #: parameter name (optionally ``in.name``) -> runtime expression or constant.
    parameters: dict[str, Any] = field(default_factory=dict)
    #: runtime expression or constant for the target's body, or :data:`MISSING`.
    request_body: Any = MISSING
    description: str = ""
    server: Mapping[str, Any] | None = None
    ref: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, name: str, node: Any, context: Context) -> Link:
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        return cls(
            name=name,
            operation_id=raw.get("operationId")
            if isinstance(raw.get("operationId"), str)
            else None,
            operation_ref=raw.get("operationRef")
            if isinstance(raw.get("operationRef"), str)
            else None,
            parameters=dict(_mapping(raw.get("parameters"))),
            request_body=raw.get("requestBody", MISSING),
            description=_text(raw.get("description")),
            server=raw.get("server") if isinstance(raw.get("server"), Mapping) else None,
            ref=ref,
            extensions=extensions_of(raw),
        )


@dataclass(frozen=True, eq=False)
class Response:
    """One documented response of an operation, under its status (``"200"``, ``"4XX"``, ``"default"``)."""

    status: str
    description: str = ""
    headers: dict[str, Parameter] = field(default_factory=dict)
    content: dict[str, MediaType] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    ref: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, status: str, node: Any, context: Context) -> Response:
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        return cls(
            status=status,
            description=_text(raw.get("description")),
            headers={
                str(name): Parameter.read(value, context, header=str(name))
                for name, value in _mapping(raw.get("headers")).items()
            },
            content=_content(raw.get("content"), context),
            links={
                str(name): Link.read(str(name), value, context)
                for name, value in _mapping(raw.get("links")).items()
            },
            ref=ref,
            extensions=extensions_of(raw),
        )

    @property
    def ref_name(self) -> str | None:
        return pointer_name(self.ref) if self.ref else None

    @property
    def code(self) -> int | None:
        """The status as an integer (``None`` for ``default`` and ranges such as ``4XX``)."""
        return int(self.status) if self.status.isdigit() else None

    @property
    def is_success(self) -> bool:
        return self.status.startswith("2")

    @property
    def json(self) -> MediaType | None:
        return _json_of(self.content)


@dataclass(frozen=True, eq=False)
class SecurityScheme:
    name: str
    type: str
    #: HTTP scheme (``bearer``, ``basic``) for ``type: http``.
    scheme: str = ""
    bearer_format: str = ""
    #: Where an ``apiKey`` goes (``header``, ``query``, ``cookie``) and under which name.
    location: str = ""
    param_name: str = ""
    description: str = ""
    flows: Mapping[str, Any] = field(default_factory=dict, repr=False)
    open_id_connect_url: str = ""
    ref: str | None = None
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, name: str, node: Any, context: Context) -> SecurityScheme:
        raw, ref = context.follow(node)
        raw = _mapping(raw)
        return cls(
            name=name,
            type=_text(raw.get("type")),
            scheme=_text(raw.get("scheme")),
            bearer_format=_text(raw.get("bearerFormat")),
            location=_text(raw.get("in")),
            param_name=_text(raw.get("name")),
            description=_text(raw.get("description")),
            flows=_mapping(raw.get("flows")),
            open_id_connect_url=_text(raw.get("openIdConnectUrl")),
            ref=ref,
            extensions=extensions_of(raw),
        )

    @property
    def is_bearer(self) -> bool:
        """Sent as ``Authorization: Bearer <token>`` (HTTP bearer, OAuth 2, OpenID Connect)."""
        if self.type == "http":
            return self.scheme.lower() == "bearer"
        return self.type in ("oauth2", "openIdConnect")


@dataclass(frozen=True, eq=False)
class Tag:
    """A tag: a group of operations (a resource, in a reference)."""

    name: str
    description: str = ""
    #: A one-line summary: ``summary`` (OpenAPI 3.2) or ``x-summary``, else ``""``.
    summary: str = ""
    #: ``x-displayName`` when given, else the name.
    display_name: str = ""
    external_docs: Mapping[str, Any] | None = None
    #: Event types declared on the tag with ``x-events`` (names, in order).
    events: tuple[str, ...] = ()
    #: Whether the document's ``tags`` list declares it (else only operations use it).
    declared: bool = True
    extensions: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, node: Any) -> Tag:
        raw = _mapping(node)
        name = _text(raw.get("name"))
        events = raw.get("x-events")
        return cls(
            name=name,
            description=_text(raw.get("description")),
            summary=_text(raw.get("summary")) or _text(raw.get("x-summary")),
            display_name=_text(raw.get("x-displayName")) or name,
            external_docs=raw.get("externalDocs")
            if isinstance(raw.get("externalDocs"), Mapping)
            else None,
            events=tuple(_event_names(events)),
            extensions=extensions_of(raw),
        )


def _event_names(value: Any) -> list[str]:
    """Names from an ``x-events`` list (strings, or objects with ``name``) or mapping."""
    if isinstance(value, Mapping):
        return [str(k) for k in value]
    if isinstance(value, list):
        names = []
        for item in value:
            if isinstance(item, str):
                names.append(item)
            elif isinstance(item, Mapping) and isinstance(item.get("name"), str):
                names.append(item["name"])
        return names
    return []


@dataclass(frozen=True, eq=False)
class Server:
    url: str
    description: str = ""
    variables: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def read(cls, node: Any) -> Server:
        raw = _mapping(node)
        return cls(
            url=_text(raw.get("url")) or "/",
            description=_text(raw.get("description")),
            variables=_mapping(raw.get("variables")),
        )
