"""What the templates render: plain records of the pages, built by :mod:`mockserver.docs.pages`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from mockserver.docs.calls import Call
from mockserver.docs.samples import Sample
from mockserver.docs.schemas import Attribute, Place, Variant
from mockserver.spec import Document, Operation

__all__ = [
    "Body",
    "ErrorStatus",
    "EventView",
    "ObjectView",
    "OperationView",
    "Page",
    "ParameterRow",
    "ResponseRow",
    "Site",
]


@dataclass
class ParameterRow:
    name: str
    location: str
    type: str
    required: bool
    default: str | None
    example: str | None
    limits: list[str]
    enum: list[str]
    description: str
    deprecated: bool = False
    attributes: list[Attribute] = field(default_factory=list)


@dataclass
class ResponseRow:
    status: str
    description: str
    schema: str | None = None
    link: Place | None = None
    headers: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Body:
    anchor: str
    description: str
    required: bool
    media_type: str
    type: str
    attributes: list[Attribute]
    variants: list[Variant]
    link: tuple[Place, str] | None = None


@dataclass
class OperationView:
    op: Operation
    anchor: str
    title: str
    description: str
    security: list[str]
    parameters: list[ParameterRow]
    body: Body | None
    responses: list[ResponseRow]
    returns: Body | None
    samples: list[Sample]
    call: Call
    example: str | None
    events: list[tuple[str, Place]]
    #: Why the sample was not executed, when the site does not say it once for all
    #: (:attr:`Site.common_note`); ``""`` otherwise.
    note: str = ""

    @property
    def method(self) -> str:
        return self.op.method.upper()


@dataclass
class ObjectView:
    title: str
    anchor: str
    name: str
    description: str
    attributes: list[Attribute]
    variants: list[Variant]
    example: str | None


@dataclass
class EventView:
    name: str
    anchor: str
    summary: str
    description: str
    resources: list[tuple[str, Place]]
    emitted_by: list[tuple[str, Place]]
    payload: tuple[str, Place | None] | None
    carries: tuple[str, Place | None] | None
    example: str | None
    #: The example is a payload the mock emitted while the samples ran (not the spec's).
    observed: bool = False


@dataclass
class ErrorStatus:
    status: str
    anchor: str
    descriptions: list[str]
    operations: list[tuple[str, Place]]
    examples: list[str]


@dataclass
class Page:
    slug: str
    kind: str
    title: str
    summary: str = ""
    description: str = ""
    object: ObjectView | None = None
    operations: list[OperationView] = field(default_factory=list)
    events: list[EventView] = field(default_factory=list)
    errors: list[ErrorStatus] = field(default_factory=list)
    error_objects: list[ObjectView] = field(default_factory=list)
    error_types: list[tuple[str, list[str]]] = field(default_factory=list)
    #: Links to the resources (overview page).
    resources: list[tuple[str, str, str]] = field(default_factory=list)
    auth: list[str] = field(default_factory=list)
    #: A page written elsewhere (the changelog): its body as HTML and as Markdown.
    html: str = ""
    markdown: str = ""


@dataclass
class Site:
    name: str
    document: Document
    base_url: str
    pages: list[Page]
    calls: list[Call]
    #: The most common reason a sample was not executed, and how many it holds for: said once,
    #: on the overview, rather than in each of those operations.
    common_note: str = ""
    common_note_count: int = 0

    def share_notes(self) -> None:
        """Say the most common reason for not executing a sample once (the overview says it)
        and, in each operation, only a reason that differs from it."""
        notes = Counter(call.note for call in self.calls if not call.executed)
        self.common_note, self.common_note_count = notes.most_common(1)[0] if notes else ("", 0)
        for page in self.pages:
            for view in page.operations:
                executed = view.call.executed
                view.note = (
                    view.call.note if not executed and view.call.note != self.common_note else ""
                )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "operations": len(self.document.operations),
            "executed": sum(c.executed for c in self.calls),
            "not_executed": sum(not c.executed for c in self.calls),
            "failed": sum(bool(c.problem) for c in self.calls),
        }
