"""From the document (and the examples run against the mock) to the pages of the reference.

One page per resource (tag), following the pattern of the seed pages: title, one-line
summary and overview, "The X object", a section per operation (anchor = operationId)
and the resource's related events; plus an overview page, an Events page and an Errors
page. Everything comes from the spec; nothing here knows a particular API.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from mockserver.docs.calls import Call, kind
from mockserver.docs.samples import samples
from mockserver.docs.schemas import Attribute, Place, SchemaIndex, limits_text, type_label
from mockserver.docs.text import json_text, markdown_section, slug
from mockserver.docs.views import (
    Body,
    ErrorStatus,
    EventView,
    ObjectView,
    OperationView,
    Page,
    ParameterRow,
    ResponseRow,
    Site,
)
from mockserver.spec import MISSING, Document, Event, Operation, Schema, Tag

__all__ = ["RESERVED", "build_site", "object_title", "resource_object", "security_lines"]

#: Page names the generator uses itself; a tag of the same name gets another.
RESERVED = frozenset({"index", "event-types", "errors", "operations", "assets"})
_PAGE_ORDER = {"create": 0, "retrieve": 1, "update": 2, "delete": 3, "list": 4, "action": 5}


def _first_sentence(text: str) -> str:
    flat = " ".join(text.split())
    match = re.match(r"(.+?[.!?])(\s|$)", flat)
    return match.group(1) if match else flat


def _success_schema(op: Operation) -> Schema | None:
    response = op.success
    media = response.json if response is not None else None
    return media.schema if media is not None else None


def resource_object(document: Document, tag: Tag) -> Schema | None:
    """The object a resource is about: ``x-object`` on the tag, else what its retrieval returns."""
    declared = tag.extensions.get("x-object")
    if declared is not None:
        return Schema.of(declared, document.context)
    operations = document.tag_operations(tag.name)
    for op in operations:
        schema = _success_schema(op)
        if kind(op) == "retrieve" and schema is not None and schema.ref_name:
            return schema
    names = Counter(
        s.ref_name
        for op in operations
        if kind(op) in ("create", "update")
        for s in [_success_schema(op)]
        if s is not None and s.ref_name
    )
    if names:
        return document.schema(names.most_common(1)[0][0])
    return None


def object_title(schema: Schema) -> str:
    if schema.title:
        return schema.title
    name = schema.ref_name or "object"
    return f"The {name.lower() if re.fullmatch(r'[A-Z][a-z]+', name) else name} object"


def security_lines(document: Document, op: Operation) -> list[str]:
    """How to authenticate, one line per alternative: ``Authorization: Bearer <key>``."""
    lines = []
    for requirement in op.security:
        parts = []
        for name, scopes in requirement.items():
            scheme = document.security_schemes.get(name)
            if scheme is None:
                parts.append(name)
            elif scheme.type == "apiKey":
                parts.append(f"{scheme.param_name}: <key> ({scheme.location or 'header'} {name})")
            elif scheme.type == "http" and scheme.scheme.lower() == "basic":
                parts.append(f"Authorization: Basic <credentials> ({name})")
            else:
                scope_text = f", scopes {', '.join(scopes)}" if scopes else ""
                parts.append(f"Authorization: Bearer <token> ({name}{scope_text})")
        lines.append(" + ".join(parts) if parts else "no authentication")
    return lines


class _Builder:
    def __init__(
        self, document: Document, calls: list[Call], base_url: str, events: dict[str, Any]
    ) -> None:
        self.document = document
        self.emitted = events
        self.base_url = base_url
        self.calls = {call.operation.name: call for call in calls}
        self.index = SchemaIndex()
        self.tag_pages: dict[str, str] = {}
        for tag_name in document.tags:
            page_name = slug(tag_name)
            while page_name in RESERVED or page_name in self.tag_pages.values():
                page_name += "-api"
            self.tag_pages[tag_name] = page_name
        self.op_place: dict[str, Place] = {}
        for op in document.operations:
            page = self.tag_pages[op.tags[0]] if op.tags else "operations"
            self.op_place[op.name] = (page, self.anchor(op))
        self.objects: dict[str, Schema] = {}
        for tag in document.tags.values():
            schema = resource_object(document, tag)
            if schema is not None and schema.ref_name and schema.ref_name not in self.index.owners:
                self.objects[tag.name] = schema
                self.index.claim(
                    schema.ref_name,
                    (self.tag_pages[tag.name], f"{self.tag_pages[tag.name]}-object"),
                )
        self.error_schemas = self._error_schemas()
        for schema in self.error_schemas:
            if schema.ref_name:
                self.index.claim(
                    schema.ref_name, ("errors", f"error-object-{slug(schema.ref_name)}")
                )

    @staticmethod
    def anchor(op: Operation) -> str:
        return op.id if op.id and re.fullmatch(r"[A-Za-z][\w.-]*", op.id) else slug(op.name)

    def _error_schemas(self) -> list[Schema]:
        found: dict[str, Schema] = {}
        for op in self.document.operations:
            for response in op.responses.values():
                media = response.json
                if response.is_success or media is None or media.schema is None:
                    continue
                schema = media.schema
                found.setdefault(schema.ref_name or f"{op.name}-{response.status}", schema)
        return [s for s in found.values() if s.ref_name]

    # -- pages ---------------------------------------------------------------------------

    def site(self, name: str) -> Site:
        pages = [self.overview()]
        for tag in self.document.tags.values():
            if self.document.tag_operations(tag.name):
                pages.append(self.resource(tag))
        untagged = [op for op in self.document.operations if not op.tags]
        if untagged:
            pages.append(
                Page(
                    slug="operations",
                    kind="resource",
                    title="Other operations",
                    operations=[self.operation(op, "operations") for op in untagged],
                )
            )
        if self.document.events:
            pages.append(self.events_page())
        pages.append(self.errors_page())
        pages[0].resources = [(p.title, p.slug, p.summary) for p in pages[1:]]
        site = Site(
            name=name,
            document=self.document,
            base_url=self.base_url,
            pages=pages,
            calls=list(self.calls.values()),
        )
        site.share_notes()
        return site

    def overview(self) -> Page:
        doc = self.document
        auth = []
        for scheme in doc.security_schemes.values():
            how = security_lines(
                doc, Operation(method="get", path="/", id=None, security=({scheme.name: ()},))
            )
            auth.append(
                f"{scheme.name}: {how[0]}"
                + (f". {scheme.description}" if scheme.description else "")
            )
        return Page(
            slug="index",
            kind="index",
            title=doc.title or "API reference",
            summary=f"Version {doc.version}" if doc.version else "",
            description=doc.description,
            auth=auth,
        )

    def resource(self, tag: Tag) -> Page:
        page = self.tag_pages[tag.name]
        summary = tag.summary or _first_sentence(tag.description)
        description = tag.description
        obj = None
        schema = self.objects.get(tag.name)
        if schema is not None:
            anchor = f"{page}-object"
            attributes, variants = self.index.tree(schema, page, anchor)
            obj = ObjectView(
                title=object_title(schema),
                anchor=anchor,
                name=schema.ref_name or "",
                description=schema.description,
                attributes=attributes,
                variants=variants,
                example=self._object_example(tag, schema),
            )
        operations = sorted(
            self.document.tag_operations(tag.name),
            key=lambda op: _PAGE_ORDER[kind(op)],
        )
        return Page(
            slug=page,
            kind="resource",
            title=tag.display_name or tag.name,
            summary=summary,
            description=description,
            object=obj,
            operations=[self.operation(op, page) for op in operations],
            events=[self.event(e) for e in self.document.events_for_tag(tag.name)],
        )

    def _object_example(self, tag: Tag, schema: Schema) -> str | None:
        for op in self.document.tag_operations(tag.name):
            call = self.calls.get(op.name)
            if (
                call
                and call.executed
                and kind(op) == "retrieve"
                and _success_schema(op) is schema
                and call.response is not MISSING
            ):
                return json_text(call.response)
        example = schema.example
        return json_text(example) if example is not MISSING else None

    def operation(self, op: Operation, page: str) -> OperationView:
        anchor = self.anchor(op)
        call = self.calls[op.name]
        rows = []
        for p in op.parameters:
            attributes: list[Attribute] = []
            if p.schema is not None and (p.schema.properties or p.schema.all_of):
                attributes, _ = self.index.tree(p.schema, page, f"{anchor}-{p.location}-{p.name}")
            enum = p.schema.enum if p.schema is not None and p.schema.enum else ()
            rows.append(
                ParameterRow(
                    name=p.name,
                    location=p.location,
                    type=type_label(p.schema),
                    required=p.required,
                    default=None if p.default is MISSING else json_text(p.default),
                    example=None if p.example is MISSING else json_text(p.example),
                    limits=limits_text(p.schema),
                    enum=[str(v) for v in enum],
                    description=p.description or (p.schema.description if p.schema else ""),
                    deprecated=p.deprecated,
                    attributes=attributes,
                )
            )
        body = None
        if op.request_body is not None:
            media = op.request_body.json or next(iter(op.request_body.content.values()), None)
            if media is not None:
                body = self._body(
                    media.schema,
                    page,
                    f"{anchor}-body",
                    op.request_body.description,
                    op.request_body.required,
                    media.name,
                )
        responses = []
        for status, response in op.responses.items():
            media = response.json or next(iter(response.content.values()), None)
            schema = media.schema if media is not None else None
            link = (
                self.index.owners.get(schema.ref_name)
                if schema is not None and schema.ref_name
                else None
            )
            responses.append(
                ResponseRow(
                    status=status,
                    description=response.description,
                    schema=schema.ref_name if schema is not None else None,
                    link=link if link is not None and not link[1].startswith(anchor) else None,
                    headers=[(name, h.description) for name, h in response.headers.items()],
                )
            )
        returns = None
        success = op.success
        if success is not None:
            media = success.json or next(iter(success.content.values()), None)
            if media is not None and media.schema is not None:
                returns = self._body(
                    media.schema, page, f"{anchor}-returns", success.description, False, media.name
                )
        example = None
        if call.response is not MISSING:
            example = (
                json_text(call.response) if not isinstance(call.response, str) else call.response
            )
        return OperationView(
            op=op,
            anchor=anchor,
            title=op.summary or op.label,
            description=op.description,
            security=security_lines(self.document, op),
            parameters=rows,
            body=body,
            responses=responses,
            returns=returns,
            samples=samples(call, self.base_url),
            call=call,
            example=example,
            events=[
                (name, ("event-types", f"event-{slug(name)}"))
                for name in op.events
                if name in self.document.events
            ],
        )

    def _body(
        self,
        schema: Schema | None,
        page: str,
        anchor: str,
        description: str,
        required: bool,
        media_type: str,
    ) -> Body:
        if schema is None:
            return Body(anchor, description, required, media_type, "any", [], [])
        name = schema.ref_name
        owner = self.index.owners.get(name) if name else None
        if owner is not None and owner != (page, anchor):
            return Body(
                anchor,
                description,
                required,
                media_type,
                type_label(schema),
                [],
                [],
                link=(owner, name or ""),
            )
        attributes, variants = self.index.tree(schema, page, anchor)
        return Body(
            anchor, description, required, media_type, type_label(schema), attributes, variants
        )

    def event(self, event: Event) -> EventView:
        def schema_link(schema: Schema | None) -> tuple[str, Place | None] | None:
            if schema is None:
                return None
            name = schema.ref_name or type_label(schema)
            return name, self.index.owners.get(schema.ref_name) if schema.ref_name else None

        example = next(
            (e.value for e in event.examples.values() if e.value is not MISSING), MISSING
        )
        observed = example is MISSING and event.name in self.emitted
        if observed:
            example = self.emitted[event.name]
        return EventView(
            name=event.name,
            anchor=f"event-{slug(event.name)}",
            summary=event.summary,
            description=event.description,
            resources=[(t, (self.tag_pages[t], "top")) for t in event.tags if t in self.tag_pages],
            emitted_by=[
                (op.summary or op.name, self.op_place[op.name])
                for op in self.document.emitters(event.name)
            ],
            payload=schema_link(event.schema),
            carries=schema_link(event.object),
            example=json_text(example) if example is not MISSING else None,
            observed=observed,
        )

    def events_page(self) -> Page:
        objects = []
        for event in self.document.events.values():
            for schema in (event.schema, event.object):
                if schema is None or not schema.ref_name or schema.ref_name in self.index.owners:
                    continue
                anchor = f"schema-{slug(schema.ref_name)}"
                attributes, variants = self.index.tree(schema, "event-types", anchor)
                example = schema.example
                objects.append(
                    ObjectView(
                        title=object_title(schema),
                        anchor=anchor,
                        name=schema.ref_name,
                        description=schema.description,
                        attributes=attributes,
                        variants=variants,
                        example=json_text(example) if example is not MISSING else None,
                    )
                )
        events = [self.event(e) for e in self.document.events.values()]
        return Page(
            slug="event-types",
            kind="events",
            title="Event types",
            summary=f"Every event type the API emits ({len(events)}).",
            events=events,
            error_objects=objects,
        )

    def errors_page(self) -> Page:
        doc = self.document
        statuses: dict[str, ErrorStatus] = {}
        for op in doc.operations:
            for status, response in op.responses.items():
                if response.is_success:
                    continue
                entry = statuses.setdefault(
                    status, ErrorStatus(status, f"error-{slug(status)}", [], [], [])
                )
                if response.description and response.description not in entry.descriptions:
                    entry.descriptions.append(response.description)
                entry.operations.append((op.summary or op.name, self.op_place[op.name]))
                media = response.json
                if media is not None and media.example is not MISSING:
                    text = json_text(media.example)
                    if text not in entry.examples:
                        entry.examples.append(text)
        objects = []
        types: list[tuple[str, list[str]]] = []
        for schema in self.error_schemas:
            anchor = f"error-object-{slug(schema.ref_name or 'error')}"
            attributes, variants = self.index.tree(schema, "errors", anchor)
            example = schema.example
            objects.append(
                ObjectView(
                    title=object_title(schema),
                    anchor=anchor,
                    name=schema.ref_name or "",
                    description=schema.description,
                    attributes=attributes,
                    variants=variants,
                    example=json_text(example) if example is not MISSING else None,
                )
            )
            types += _enums(attributes, "")
        return Page(
            slug="errors",
            kind="errors",
            title="Errors",
            summary="The error format, every error type and code, and which operations return which.",
            description=markdown_section(doc.description, "error"),
            errors=sorted(statuses.values(), key=lambda s: s.status),
            error_objects=objects,
            error_types=types,
        )


def _enums(attributes: list[Attribute], prefix: str) -> list[tuple[str, list[str]]]:
    found = []
    for attribute in attributes:
        path = f"{prefix}{attribute.name}"
        if attribute.enum:
            found.append((path, attribute.enum))
        found += _enums(attribute.children, path + ".")
    return found


def build_site(
    document: Document,
    calls: list[Call],
    base_url: str,
    name: str,
    events: dict[str, Any] | None = None,
) -> Site:
    """The pages of one API; ``events`` are payloads the mock emitted while the samples ran."""
    return _Builder(document, calls, base_url, events or {}).site(name)
