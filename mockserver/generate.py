"""A response for any operation, from the document alone: its examples, else its schemas.

>>> from mockserver import spec
>>> from mockserver.generate import respond
>>> doc = spec.load("tests/generic/corpus/petstore-expanded/openapi.json")
>>> op = doc.operation("findPets")
>>> respond(op).status                                   # the first documented 2xx
200
>>> respond(op, status=404).body                         # the `default` response's schema
{'code': ..., 'message': ...}
>>> respond(op, dynamic=True, seed=7) == respond(op, dynamic=True, seed=7)
True

What it answers with, as Prism does (``Prefer: code=, example=, dynamic=true``):

* ``status``: the one asked for (exact, then ``4XX``, then ``default``), else the lowest
  documented 2xx (``2XX``/``default`` answer 200), else the lowest documented status;
* ``example``: that named example of the media type (:class:`NoResponse` when absent);
* otherwise, unless ``dynamic``: the media type's first example, else its ``example``,
  else the schema's own ``example``, else a value made up from the schema in static mode
  (property examples and defaults first); an example that does not match its own schema
  (published documents have them) is passed over;
* ``dynamic=True``: a value made up from the schema with Faker, reproducible from ``seed``.

Every body is checked against the response schema as OpenAPI reads it (``writeOnly``
properties never appear); :attr:`Generated.errors` lists what still does not match when
nothing could be made that does (a schema no value satisfies), so the caller decides.
Documented response headers get their example, else a made-up value.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from mockserver.fake import SchemaFaker, schema_errors
from mockserver.spec import MISSING, MediaType, Operation, Parameter, Response, Schema

__all__ = ["Generated", "NoResponse", "choose_status", "respond", "serialize_header"]

#: Draws tried before giving up on a schema (each from the next seed).
ATTEMPTS = 8


class NoResponse(LookupError):
    """The operation documents no response for the status, or no example of that name."""


@dataclass(frozen=True)
class Generated:
    """A response made from the document."""

    status: int
    #: Response headers (documented ones), values already serialized.
    headers: dict[str, str] = field(default_factory=dict)
    #: The body as a JSON value (``MISSING`` for a response without content).
    body: Any = MISSING
    #: The media type the body is for (``None`` without content).
    media_type: str | None = None
    #: Where the body came from: ``"example:NAME"``, ``"schema example"``, ``"static"``
    #: (made up, examples and defaults first), ``"dynamic"``, ``"empty"``.
    source: str = "empty"
    #: What still does not match the schema (empty: the body is valid).
    errors: tuple[str, ...] = ()

    @property
    def has_body(self) -> bool:
        return self.body is not MISSING


def choose_status(operation: Operation, status: int | str | None = None) -> tuple[int, Response]:
    """The status to answer with and its documented response (:class:`NoResponse` if none)."""
    if status is not None:
        response = operation.response(status)
        if response is None:
            raise NoResponse(f"{operation.label} documents no {status} response")
        return int(status), response
    codes = sorted((code, r) for r in operation.responses.values() if (code := r.code) is not None)
    for code, response in codes:
        if 200 <= code < 300:
            return code, response
    for key in ("2XX", "2xx", "default"):
        if key in operation.responses:
            return 200, operation.responses[key]
    if codes:
        return codes[0]
    raise NoResponse(f"{operation.label} documents no response")


def respond(
    operation: Operation,
    status: int | str | None = None,
    *,
    example: str | None = None,
    dynamic: bool = False,
    seed: int = 0,
    media_type: str | None = None,
    now: dt.datetime | None = None,
) -> Generated:
    """A response to ``operation`` made from the document (see the module docstring)."""
    code, response = choose_status(operation, status)
    headers = {
        name: serialize_header(_header_value(header, seed, now))
        for name, header in response.headers.items()
        if name.lower() != "content-type" and (header.schema is not None or header.examples)
    }
    media = _media(response, media_type)
    if media is None:
        if example is not None:
            raise NoResponse(f"the {code} response of {operation.label} has no content")
        return Generated(code, headers)
    body, source, errors = _body(media, example, dynamic, seed, now)
    return Generated(code, headers, body, media.name, source, tuple(errors))


def _media(response: Response, wanted: str | None) -> MediaType | None:
    if not response.content:
        return None
    if wanted is not None and wanted in response.content:
        return response.content[wanted]
    return response.json or next(iter(response.content.values()))


def _body(
    media: MediaType, example: str | None, dynamic: bool, seed: int, now: dt.datetime | None
) -> tuple[Any, str, list[str]]:
    schema = media.schema
    if example is not None:
        found = media.examples.get(example)
        if found is None or found.value is MISSING:
            known = ", ".join(n for n, e in media.examples.items() if e.value is not MISSING)
            raise NoResponse(f"no example {example!r} (known: {known or 'none'})")
        return found.value, f"example:{example}", _errors(schema, found.value)
    if not dynamic:
        for name, candidate in media.examples.items():
            if candidate.value is not MISSING and not _errors(schema, candidate.value):
                return candidate.value, f"example:{name}", []
        if schema is not None and schema.example is not MISSING and not _errors(schema, schema.example):
            return schema.example, "schema example", []
    if schema is None:
        return "", "empty", []
    return made_up(schema, seed=seed, static=not dynamic, now=now)


def made_up(
    schema: Schema, *, seed: int = 0, static: bool = False, now: dt.datetime | None = None,
    direction: str = "response",
) -> tuple[Any, str, list[str]]:
    """A value for ``schema``: (value, ``"static"``/``"dynamic"``, what does not match)."""
    source = "static" if static else "dynamic"
    value: Any = None
    errors: list[str] = []
    for attempt in range(ATTEMPTS):
        # static mode first shows the document's examples and defaults; when they do not
        # validate together, made-up values take over
        faker = SchemaFaker(seed + attempt, static=static and attempt == 0, now=now)
        value = faker.value(schema, direction=direction)
        errors = schema_errors(schema, value, direction=direction)
        if not errors:
            break
    return value, source, errors


def _errors(schema: Schema | None, value: Any) -> list[str]:
    return schema_errors(schema, value) if schema is not None else []


def _header_value(header: Parameter, seed: int, now: dt.datetime | None) -> Any:
    example = header.example
    if example is not MISSING:
        return example
    if header.schema is None:
        return ""
    value, _, _ = made_up(header.schema, seed=seed, static=True, now=now)
    return value


def serialize_header(value: Any) -> str:
    """A header value as the ``simple`` style writes it (lists joined by commas)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(serialize_header(v) for v in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{serialize_header(v)}" for k, v in value.items())
    return "" if value is None else str(value)
