"""Values made up from a schema: seeded, reproducible, and checked against the schema.

>>> from mockserver import spec
>>> doc = spec.load("tests/generic/corpus/petstore-expanded/openapi.json")
>>> faker = SchemaFaker(seed=1)
>>> pet = faker.value(doc.schema("Pet"))          # {"name": ..., "tag": ..., "id": ...}
>>> faker.errors(doc.schema("Pet"), pet)
[]

Strings follow their ``format`` (Faker's providers: ``date-time``, ``email``, ``uuid``,
``uri``, ``ipv4``, ...) or ``pattern`` (rstr), numbers their bounds and ``multipleOf``,
arrays and objects their sizes; ``enum``/``const`` are kept; ``allOf`` is merged, one
``oneOf``/``anyOf`` variant is chosen (its discriminator value set). ``static=True`` prefers
what the document shows (``example``, ``default``) over made-up values, as Prism's static
mode does. The same seed gives the same values.

A schema can say what no simple generator satisfies (a ``not``, a pattern with
look-arounds, a ``oneOf`` whose variants overlap): :meth:`SchemaFaker.errors` tells, and
callers try another seed or fall back to an example.
"""

from __future__ import annotations

import base64
import datetime as dt
import random
import string
import uuid
from collections.abc import Mapping
from typing import Any

import rstr
from faker import Faker
from jsonschema.protocols import Validator
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
)

from mockserver.spec import MISSING, Schema

__all__ = ["SchemaFaker", "schema_errors"]

#: Deeper than this, only required properties are generated (recursive schemas end).
_OPTIONAL_DEPTH = 4
#: Deeper than this, objects are empty and arrays hold nothing (a required cycle).
_MAX_DEPTH = 10
#: How many deep ``oneOf`` variants may be made whole again in one value.
_MAX_DEEPENED = 20
_EPOCH_2026 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

_validators: dict[tuple[int, str], Validator] = {}


def schema_errors(schema: Schema, value: Any, *, direction: str = "response") -> list[str]:
    """Why ``value`` does not match ``schema`` (empty when it does), as OpenAPI reads it.

    ``direction``: ``"response"`` (a ``writeOnly`` property must not appear) or
    ``"request"`` (a ``readOnly`` one must not).
    """
    key = (id(schema), direction)
    validator = _validators.get(key)
    if validator is None:
        validator = _validators[key] = _validator(schema, direction)
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '<root>'}: {error.message}"
        for error in validator.iter_errors(value)
    ]


def _validator(schema: Schema, direction: str) -> Validator:
    root = schema.context.root
    document: dict[str, Any] = {
        key: root[key] for key in ("components", "$defs") if isinstance(root.get(key), Mapping)
    }
    raw = dict(schema.raw)
    # the schema's own local references (#/components/...) resolve against the document
    wrapped = {**document, **raw}
    if schema.context.openapi31:
        return OAS31Validator(wrapped)
    cls = OAS30ReadValidator if direction == "response" else OAS30WriteValidator
    return cls(wrapped)


class SchemaFaker:
    """Makes up values matching schemas; one instance is one reproducible sequence."""

    def __init__(self, seed: int = 0, *, static: bool = False, now: dt.datetime | None = None) -> None:
        self.random = random.Random(seed)
        self.faker = Faker()
        self.faker.seed_instance(seed)
        self._rstr = rstr.Rstr(self.random)
        self.static = static
        self.now = now or _EPOCH_2026
        self._deepened = 0

    def errors(self, schema: Schema, value: Any, *, direction: str = "response") -> list[str]:
        return schema_errors(schema, value, direction=direction)

    def valid(
        self, schema: Schema, *, direction: str = "response", attempts: int = 8
    ) -> tuple[Any, list[str]]:
        """A value that validates, trying up to ``attempts`` draws: (value, errors of the last)."""
        value: Any = None
        errors: list[str] = []
        for _ in range(attempts):
            value = self.value(schema, direction=direction)
            errors = schema_errors(schema, value, direction=direction)
            if not errors:
                break
        return value, errors

    # -- values ------------------------------------------------------------------------------

    def value(self, schema: Schema, *, direction: str = "response", depth: int = 0) -> Any:
        """A value for ``schema`` (``direction`` leaves out ``writeOnly``/``readOnly`` properties)."""
        if depth == 0:
            self._deepened = 0
        if schema.const is not MISSING:
            return schema.const
        enum = schema.enum
        if enum:
            choices = [e for e in enum if e is not None] or list(enum)
            return choices[0] if self.static else self.random.choice(choices)
        if self.static:
            for shown in (schema.example, schema.default):
                if shown is not MISSING and not (shown is None and not schema.nullable):
                    return shown
        if schema.all_of:
            return self._all_of(schema, direction, depth)
        variants = schema.variants
        if variants and not schema.properties:
            return self._variant(schema, variants, direction, depth)
        kind = self._type(schema)
        if kind == "object":
            return self._object(schema, direction, depth)
        if kind == "array":
            return self._array(schema, direction, depth)
        if kind == "string":
            return self.string(schema)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return self.random.random() < 0.5
        if kind == "null":
            return None
        return self.faker.word()

    def _type(self, schema: Schema) -> str:
        kind = schema.type
        if kind is not None:
            return kind
        if schema.properties or schema.additional_properties or schema.raw.get("required"):
            return "object"
        if schema.items is not None or schema.prefix_items:
            return "array"
        if "null" in schema.types:
            return "null"
        return "string"

    def _all_of(self, schema: Schema, direction: str, depth: int) -> Any:
        if len(schema.all_of) == 1 and not schema.properties:  # a $ref wrapped to annotate it
            return self.value(schema.all_of[0], direction=direction, depth=depth + 1)
        if schema.properties or any(
            self._type(m) == "object" or m.properties or m.all_of for m in schema.all_of
        ):
            return self._object(schema, direction, depth)
        # scalars: every member's keywords together (``allOf: [{type: string}, {minLength: 1}]``)
        merged: dict[str, Any] = {}
        for member in (*schema.all_of, schema):
            merged.update({k: v for k, v in member.raw.items() if k != "allOf"})
        flat = Schema(merged, None, schema.context)
        return self.value(flat, direction=direction, depth=depth + 1)

    def _variant(self, schema: Schema, variants: tuple[Schema, ...], direction: str, depth: int) -> Any:
        discriminated = schema.discriminated()
        if discriminated:
            name, chosen = self.random.choice(sorted(discriminated.items(), key=lambda kv: kv[0]))
            made = self.value(chosen, direction=direction, depth=depth + 1)
            if isinstance(made, dict) and schema.discriminator is not None:
                made[schema.discriminator.property_name] = name
            return made
        # the first variant (from a random start) whose value the whole schema accepts: the
        # variants of a ``oneOf`` often overlap, and only some values match exactly one
        start = 0 if self.static else self.random.randrange(len(variants))
        value: Any = None
        for offset in range(len(variants)):
            chosen = variants[(start + offset) % len(variants)]
            value = self.value(chosen, direction=direction, depth=depth + 1)
            if not schema_errors(schema, value, direction=direction):
                break
            if depth >= _OPTIONAL_DEPTH - 1 and self._deepened < _MAX_DEEPENED:
                # deep down only required properties are made, and ``{}`` may match every
                # variant: make this one whole (a bounded number of times per value)
                self._deepened += 1
                value = self.value(chosen, direction=direction, depth=_OPTIONAL_DEPTH - 2)
                if not schema_errors(schema, value, direction=direction):
                    break
        return value

    def _object(self, schema: Schema, direction: str, depth: int) -> dict[str, Any]:
        properties, required = schema.object_properties()
        result: dict[str, Any] = {}
        if depth > _MAX_DEPTH:
            return result
        for name, prop in properties.items():
            if direction == "response" and prop.write_only and name not in required:
                continue
            if direction == "request" and prop.read_only and name not in required:
                continue
            if name not in required and depth >= _OPTIONAL_DEPTH:
                continue
            result[name] = self.value(prop, direction=direction, depth=depth + 1)
        for name in sorted(required - set(result)):  # required without a declaration
            extra_schema = schema.additional_properties
            result[name] = (
                self.value(extra_schema, direction=direction, depth=depth + 1)
                if isinstance(extra_schema, Schema)
                else self.faker.word()
            )
        discriminator = schema.discriminator
        if discriminator is not None and discriminator.property_name in properties:
            values = list(schema.discriminated())
            if values and result.get(discriminator.property_name) not in values:
                result[discriminator.property_name] = values[0]
        minimum = schema.min_properties or 0
        extra = schema.additional_properties
        while len(result) < minimum:
            key = f"{self.faker.word()}_{len(result)}"
            if isinstance(extra, Schema):
                result[key] = self.value(extra, direction=direction, depth=depth + 1)
            else:
                result[key] = self.faker.word()
        return result

    def _array(self, schema: Schema, direction: str, depth: int) -> list[Any]:
        if depth > _MAX_DEPTH:
            return []
        low = schema.min_items or 0
        high = schema.max_items if schema.max_items is not None else max(low, 2)
        count = low if self.static else self.random.randint(low, max(low, min(high, low + 2)))
        count = max(count, min(1, high)) if self.static and low == 0 else count
        items: list[Any] = [
            self.value(p, direction=direction, depth=depth + 1) for p in schema.prefix_items
        ]
        item_schema = schema.items
        tries = 0
        while len(items) < count and item_schema is not None and tries < count * 5:
            tries += 1
            item = self.value(item_schema, direction=direction, depth=depth + 1)
            if schema.unique_items and item in items:
                continue
            items.append(item)
        return items

    # -- scalars -----------------------------------------------------------------------------

    def string(self, schema: Schema) -> str:
        fmt = schema.format
        text = self._formatted(fmt) if fmt else None
        if text is None and schema.pattern:
            text = self._pattern(schema.pattern, schema.min_length, schema.max_length)
        if text is None:
            text = self._words(schema.min_length or 0, schema.max_length)
        return text

    def _formatted(self, fmt: str) -> str | None:
        faker = self.faker
        moment = self.now - dt.timedelta(seconds=self.random.randint(0, 86400 * 365))
        found: dict[str, Any] = {
            "date-time": lambda: moment.replace(microsecond=0).isoformat().replace("+00:00", "Z"),
            "date": lambda: moment.date().isoformat(),
            "time": lambda: moment.time().replace(microsecond=0).isoformat() + "Z",
            "email": faker.email,
            "idn-email": faker.email,
            "uuid": lambda: str(uuid.UUID(int=self.random.getrandbits(128), version=4)),
            "uri": faker.url,
            "url": faker.url,
            "iri": faker.url,
            "uri-reference": lambda: "/" + faker.uri_path(),
            "hostname": faker.hostname,
            "idn-hostname": faker.hostname,
            "ipv4": faker.ipv4,
            "ipv6": faker.ipv6,
            "byte": lambda: base64.b64encode(faker.binary(length=12)).decode(),
            "password": lambda: faker.password(length=12),
            "duration": lambda: f"P{self.random.randint(1, 30)}D",
        }
        maker = found.get(fmt)
        return str(maker()) if maker is not None else None

    def _pattern(self, pattern: str, low: int | None, high: int | None) -> str | None:
        for _ in range(5):
            try:
                text = self._rstr.xeger(pattern)
            except Exception:  # a construct rstr cannot expand (look-arounds, back-references)
                return None
            if (low is None or len(text) >= low) and (high is None or len(text) <= high):
                return text
        return None

    def _words(self, low: int, high: int | None) -> str:
        text = self.faker.word()
        while len(text) < low:
            text += self.random.choice(string.ascii_lowercase)
        if high is not None:
            text = text[:high]
        return text

    def integer(self, schema: Schema) -> int:
        low, high = _bounds(schema, integer=True)
        step = schema.multiple_of
        if isinstance(step, int) and step > 0:
            first = -(-low // step) * step
            if first > high:
                return int(first)
            return int(first + step * self.random.randint(0, (high - first) // step))
        return self.random.randint(low, high)

    def number(self, schema: Schema) -> float | int:
        low, high = _bounds(schema, integer=False)
        step = schema.multiple_of
        if step:
            count = int((high - low) // step)
            first = -(-low // step) * step
            found: float | int = first + step * self.random.randint(0, max(count - 1, 0))
            return found
        value = round(self.random.uniform(low, high), 2)
        clamped: float | int = min(max(value, low), high)
        return clamped


def _bounds(schema: Schema, *, integer: bool) -> tuple[Any, Any]:
    low: Any = schema.minimum
    high: Any = schema.maximum
    gap = 1 if integer else 0.01
    if schema.exclusive_minimum is not None:
        low = schema.exclusive_minimum + gap
    if schema.exclusive_maximum is not None:
        high = schema.exclusive_maximum - gap
    if low is None and high is None:
        low, high = (1, 1000) if integer else (1.0, 1000.0)
    elif low is None:
        low = min(high - 1000, 0) if high is not None else 0
    elif high is None:
        high = low + 1000
    if integer:
        low, high = int(-(-low // 1)), int(high // 1)
    return low, max(low, high)
