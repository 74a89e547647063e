"""A schema of the document, with its ``$ref`` resolved and its keywords read for you.

:class:`Schema` wraps the resolved dict of a Schema Object. Sub-schemas (properties,
items, ``allOf``/``oneOf``/``anyOf``, ...) are wrapped on first access and kept, and a
named component is the same :class:`Schema` object wherever it is referenced: a
recursive schema is a cycle of shared objects, so a reader walking it stops at a
``ref_name`` (or an object) it has already seen::

    def walk(schema, seen=frozenset()):
        if schema.ref_name in seen:
            return
        for _, child in schema.children():
            walk(child, seen | {schema.ref_name})

OpenAPI 3.0 (``nullable``, boolean ``exclusiveMinimum``) and 3.1 (``type`` lists,
numeric ``exclusiveMinimum``, ``const``, ``examples``, ``prefixItems``, boolean schemas)
read the same way.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from mockserver.spec.refs import MISSING, Context, pointer_name

__all__ = ["Discriminator", "Schema"]

if TYPE_CHECKING:
    _cached = functools.cached_property
else:

    class _cached:
        """``functools.cached_property`` without the lock Python 3.11 takes on every first read
        (3.12 dropped it): a large document's reference reads thousands of these once each.
        The value is computed from the immutable schema, so a race computes it twice at worst."""

        def __init__(self, func):
            self.func = func
            self.name = func.__name__
            self.__doc__ = func.__doc__

        def __set_name__(self, owner, name):
            self.name = name

        def __get__(self, instance, owner=None):
            if instance is None:
                return self
            value = instance.__dict__[self.name] = self.func(instance)
            return value

_LIMIT_KEYWORDS = (
    "minimum",
    "exclusiveMinimum",
    "maximum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)


@dataclass(frozen=True, eq=False)
class Discriminator:
    """``discriminator``: the property naming the variant, and value -> schema pointer."""

    property_name: str
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Schema:
    """One Schema Object, resolved. ``raw`` is the resolved dict (never a ``$ref``)."""

    raw: Mapping[str, Any] = field(repr=False)
    #: The pointer this schema was reached through (``#/components/schemas/Campaign``).
    ref: str | None
    context: Context = field(repr=False)

    @classmethod
    def of(cls, node: Any, context: Context) -> Schema:
        """The schema for a raw node (a Schema Object, a ``$ref`` to one, or a boolean)."""
        target, ref = context.follow(node)
        if ref is not None and not (
            context.openapi31 and isinstance(node, Mapping) and len(node) > 1
        ):
            key = ("schema", ref)
            cached = context.objects.get(key)
            if cached is None:
                cached = context.objects[key] = cls(_as_mapping(target), ref, context)
            return cached
        return cls(_as_mapping(target), ref, context)

    def _sub(self, node: Any) -> Schema:
        return Schema.of(node, self.context)

    # -- identity --------------------------------------------------------------------------

    @property
    def ref_name(self) -> str | None:
        """The component's name when reached through a ``$ref`` (``Campaign``), else ``None``."""
        return pointer_name(self.ref) if self.ref else None

    @property
    def title(self) -> str | None:
        return _str(self.raw.get("title"))

    @property
    def description(self) -> str:
        return str(self.raw.get("description") or "")

    @property
    def extensions(self) -> dict[str, Any]:
        return {k: v for k, v in self.raw.items() if k.startswith("x-")}

    # -- type ------------------------------------------------------------------------------

    @_cached
    def types(self) -> tuple[str, ...]:
        """Every JSON type allowed, ``"null"`` included when null is (empty: any type)."""
        declared = self.raw.get("type")
        if isinstance(declared, str):
            types = [declared]
        elif isinstance(declared, list):
            types = [str(t) for t in declared]
        else:
            types = []
        if types and self.raw.get("nullable") is True and "null" not in types:
            types.append("null")
        return tuple(types)

    @_cached
    def type(self) -> str | None:
        """The first non-null type (``None``: no type given, or only ``null``)."""
        return next((t for t in self.types if t != "null"), None)

    @property
    def nullable(self) -> bool:
        """Whether ``null`` is allowed by the type (3.0 ``nullable``, 3.1 ``"null"`` in type)."""
        if "null" in self.types or self.raw.get("nullable") is True:
            return True
        enum = self.enum
        return enum is not None and None in enum

    @property
    def format(self) -> str | None:
        return _str(self.raw.get("format"))

    @property
    def enum(self) -> tuple[Any, ...] | None:
        enum = self.raw.get("enum")
        return tuple(enum) if isinstance(enum, list) else None

    @property
    def const(self) -> Any:
        """The ``const`` value, or :data:`MISSING`."""
        return self.raw.get("const", MISSING)

    @property
    def default(self) -> Any:
        """The ``default`` value, or :data:`MISSING` (``None`` is a default of ``null``)."""
        return self.raw.get("default", MISSING)

    @property
    def example(self) -> Any:
        """The first example (3.0 ``example``, else 3.1 ``examples[0]``), or :data:`MISSING`."""
        if "example" in self.raw:
            return self.raw["example"]
        examples = self.raw.get("examples")
        return examples[0] if isinstance(examples, list) and examples else MISSING

    @property
    def examples(self) -> tuple[Any, ...]:
        examples = self.raw.get("examples")
        found = list(examples) if isinstance(examples, list) else []
        if "example" in self.raw:
            found.insert(0, self.raw["example"])
        return tuple(found)

    @property
    def read_only(self) -> bool:
        return self.raw.get("readOnly") is True

    @property
    def write_only(self) -> bool:
        return self.raw.get("writeOnly") is True

    @property
    def deprecated(self) -> bool:
        return self.raw.get("deprecated") is True

    # -- limits ----------------------------------------------------------------------------

    def _number(self, key: str) -> int | float | None:
        value = self.raw.get(key)
        return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None

    @property
    def minimum(self) -> int | float | None:
        """The inclusive lower bound (``None`` when there is none or it is exclusive)."""
        return None if self.raw.get("exclusiveMinimum") is True else self._number("minimum")

    @property
    def maximum(self) -> int | float | None:
        return None if self.raw.get("exclusiveMaximum") is True else self._number("maximum")

    @property
    def exclusive_minimum(self) -> int | float | None:
        """The exclusive lower bound, read the same from 3.0 (boolean) and 3.1 (number)."""
        if self.raw.get("exclusiveMinimum") is True:
            return self._number("minimum")
        return self._number("exclusiveMinimum")

    @property
    def exclusive_maximum(self) -> int | float | None:
        if self.raw.get("exclusiveMaximum") is True:
            return self._number("maximum")
        return self._number("exclusiveMaximum")

    @property
    def multiple_of(self) -> int | float | None:
        return self._number("multipleOf")

    @property
    def min_length(self) -> int | None:
        return _int(self.raw.get("minLength"))

    @property
    def max_length(self) -> int | None:
        return _int(self.raw.get("maxLength"))

    @property
    def pattern(self) -> str | None:
        return _str(self.raw.get("pattern"))

    @property
    def min_items(self) -> int | None:
        return _int(self.raw.get("minItems"))

    @property
    def max_items(self) -> int | None:
        return _int(self.raw.get("maxItems"))

    @property
    def unique_items(self) -> bool:
        return self.raw.get("uniqueItems") is True

    @property
    def min_properties(self) -> int | None:
        return _int(self.raw.get("minProperties"))

    @property
    def max_properties(self) -> int | None:
        return _int(self.raw.get("maxProperties"))

    def limits(self) -> dict[str, Any]:
        """The limits this schema sets, by keyword, exclusive bounds read as in 3.1.

        ``{"minimum": 1, "maximum": 100}``, ``{"exclusiveMinimum": 0}``, ``{"maxLength": 64,
        "pattern": "^cmp_"}``: what a reader shows as ranges and rules.
        """
        found: dict[str, Any] = {}
        for keyword in _LIMIT_KEYWORDS:
            if keyword not in self.raw:
                continue
            value = self.raw[keyword]
            if keyword in ("exclusiveMinimum", "exclusiveMaximum") and isinstance(value, bool):
                continue
            if keyword == "uniqueItems" and value is not True:
                continue
            found[keyword] = value
        if self.raw.get("exclusiveMinimum") is True and "minimum" in found:
            found["exclusiveMinimum"] = found.pop("minimum")
        if self.raw.get("exclusiveMaximum") is True and "maximum" in found:
            found["exclusiveMaximum"] = found.pop("maximum")
        return found

    # -- structure -------------------------------------------------------------------------

    @_cached
    def properties(self) -> dict[str, Schema]:
        """Declared properties, in document order (``allOf`` members not merged in)."""
        raw = self.raw.get("properties")
        if not isinstance(raw, Mapping):
            return {}
        return {str(name): self._sub(node) for name, node in raw.items()}

    @property
    def required(self) -> tuple[str, ...]:
        required = self.raw.get("required")
        return tuple(str(r) for r in required) if isinstance(required, list) else ()

    @_cached
    def additional_properties(self) -> Schema | bool | None:
        """``False``/``True``, a schema, or ``None`` when the keyword is absent."""
        value = self.raw.get("additionalProperties")
        if value is None or isinstance(value, bool):
            return value
        return self._sub(value)

    @_cached
    def pattern_properties(self) -> dict[str, Schema]:
        raw = self.raw.get("patternProperties")
        if not isinstance(raw, Mapping):
            return {}
        return {str(k): self._sub(v) for k, v in raw.items()}

    @_cached
    def items(self) -> Schema | None:
        """The schema of array items (3.1 ``items`` after ``prefixItems`` included)."""
        value = self.raw.get("items")
        if isinstance(value, list):  # draft-4 style tuple validation: not OpenAPI, read loosely
            return self._sub(value[0]) if value else None
        return self._sub(value) if value is not None else None

    @_cached
    def prefix_items(self) -> tuple[Schema, ...]:
        return self._subs("prefixItems")

    @_cached
    def all_of(self) -> tuple[Schema, ...]:
        return self._subs("allOf")

    @_cached
    def one_of(self) -> tuple[Schema, ...]:
        return self._subs("oneOf")

    @_cached
    def any_of(self) -> tuple[Schema, ...]:
        return self._subs("anyOf")

    @_cached
    def not_(self) -> Schema | None:
        value = self.raw.get("not")
        return self._sub(value) if value is not None else None

    def _subs(self, keyword: str) -> tuple[Schema, ...]:
        value = self.raw.get(keyword)
        return tuple(self._sub(v) for v in value) if isinstance(value, list) else ()

    @_cached
    def discriminator(self) -> Discriminator | None:
        value = self.raw.get("discriminator")
        if not isinstance(value, Mapping) or "propertyName" not in value:
            return None
        mapping = value.get("mapping")
        return Discriminator(
            property_name=str(value["propertyName"]),
            mapping={str(k): str(v) for k, v in mapping.items()}
            if isinstance(mapping, Mapping)
            else {},
        )

    def discriminated(self) -> dict[str, Schema]:
        """Discriminator value -> variant schema (explicit ``mapping``, else the ``oneOf`` names)."""
        discriminator = self.discriminator
        if discriminator is None:
            return {}
        if discriminator.mapping:
            return {
                value: self._sub(
                    {"$ref": target if target.startswith("#") else f"#/components/schemas/{target}"}
                )
                for value, target in discriminator.mapping.items()
            }
        return {v.ref_name: v for v in (*self.one_of, *self.any_of) if v.ref_name}

    @property
    def variants(self) -> tuple[Schema, ...]:
        """The alternatives a value may match: ``oneOf`` then ``anyOf``."""
        return (*self.one_of, *self.any_of)

    def children(self) -> Iterator[tuple[str, Schema]]:
        """Every direct sub-schema with the keyword path leading to it (``properties/name``)."""
        for name, schema in self.properties.items():
            yield f"properties/{name}", schema
        for pattern, schema in self.pattern_properties.items():
            yield f"patternProperties/{pattern}", schema
        if isinstance(self.additional_properties, Schema):
            yield "additionalProperties", self.additional_properties
        for index, schema in enumerate(self.prefix_items):
            yield f"prefixItems/{index}", schema
        if self.items is not None:
            yield "items", self.items
        for keyword, schemas in (
            ("allOf", self.all_of),
            ("oneOf", self.one_of),
            ("anyOf", self.any_of),
        ):
            for index, schema in enumerate(schemas):
                yield f"{keyword}/{index}", schema
        if self.not_ is not None:
            yield "not", self.not_

    def object_properties(self) -> tuple[dict[str, Schema], frozenset[str]]:
        """Properties and required names with every ``allOf`` member merged in.

        A member's properties come after the schema's own; the first declaration of a name
        wins. A recursive ``allOf`` is merged once.
        """
        properties: dict[str, Schema] = {}
        required: set[str] = set()
        seen: set[int] = set()

        def merge(schema: Schema) -> None:
            if id(schema) in seen:
                return
            seen.add(id(schema))
            for name, prop in schema.properties.items():
                properties.setdefault(name, prop)
            required.update(schema.required)
            for member in schema.all_of:
                merge(member)

        merge(self)
        return properties, frozenset(required)

    def properties_for(self, direction: str) -> dict[str, Schema]:
        """The properties a message in ``direction`` carries (``allOf`` merged).

        ``"request"`` leaves out ``readOnly`` properties, ``"response"`` leaves out
        ``writeOnly`` ones, as OpenAPI defines them; anything else keeps every property.
        """
        properties, _ = self.object_properties()
        if direction == "request":
            return {k: v for k, v in properties.items() if not v.read_only}
        if direction == "response":
            return {k: v for k, v in properties.items() if not v.write_only}
        return properties

    def required_for(self, direction: str) -> frozenset[str]:
        """Required names in ``direction``: a required ``readOnly`` property is not required
        in a request (nor a ``writeOnly`` one in a response)."""
        _, required = self.object_properties()
        return frozenset(required & set(self.properties_for(direction)))

    def __repr__(self) -> str:
        label = self.ref_name or "/".join(self.types) or "any"
        return f"Schema({label})"


def _as_mapping(node: Any) -> Mapping[str, Any]:
    """Boolean schemas (3.1) as their dict equivalent: ``true`` is ``{}``, ``false`` ``{"not": {}}``."""
    if node is True:
        return {}
    if node is False:
        return {"not": {}}
    return node if isinstance(node, Mapping) else {}


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
