"""Schemas as the reference shows them: attribute trees with types, rules and links.

A named schema is expanded once in the whole site, at the place that owns it (a resource's
"The X object" section owns its object; otherwise the first place that shows it), and
linked from everywhere else, so a 2.9 MB document renders each of its 875 schemas once.
Small schemas (a few scalar fields) are shown inline wherever they appear.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from mockserver.spec import MISSING, Schema

__all__ = ["Attribute", "Place", "SchemaIndex", "Variant", "limits_text", "type_label"]

#: Where something is shown: (page slug, anchor).
Place = tuple[str, str]

_MAX_DEPTH = 8


@dataclass
class Variant:
    """One alternative of a ``oneOf``/``anyOf``."""

    title: str
    type: str
    attributes: list[Attribute] = field(default_factory=list)
    link: Place | None = None
    description: str = ""
    anchor: str = ""


@dataclass
class Attribute:
    name: str
    anchor: str
    type: str
    required: bool = False
    nullable: bool = False
    read_only: bool = False
    write_only: bool = False
    deprecated: bool = False
    enum: list[str] = field(default_factory=list)
    default: str | None = None
    #: The schema's example, for scalar values (JSON text).
    example: str | None = None
    limits: list[str] = field(default_factory=list)
    description: str = ""
    #: The named schema this attribute's value is, shown elsewhere: (place, name).
    link: tuple[Place, str] | None = None
    children: list[Attribute] = field(default_factory=list)
    variants: list[Variant] = field(default_factory=list)
    #: ``"attribute"``, or ``"includes"``: every attribute of the linked schema belongs here too.
    kind: str = "attribute"

    @property
    def flags(self) -> list[str]:
        found = ["required"] if self.required else []
        found += ["nullable"] * self.nullable + ["read-only"] * self.read_only
        found += ["write-only"] * self.write_only + ["deprecated"] * self.deprecated
        return found


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def effective(schema: Schema) -> Schema:
    """A schema that only wraps one ``allOf`` member (to add a description) reads as that member."""
    while (
        len(schema.all_of) == 1
        and not schema.properties
        and not schema.type
        and not schema.variants
    ):
        schema = schema.all_of[0]
    return schema


def type_label(schema: Schema | None) -> str:
    """``string``, ``integer``, ``enum``, ``array of strings``, ``object``, ``map of string``..."""
    if schema is None:
        return "any"
    schema = effective(schema)
    if schema.enum is not None and schema.type in (None, "string", "integer", "number"):
        return "enum"
    if schema.const is not MISSING:
        return "constant"
    variants = schema.variants
    if variants and not schema.properties:
        labels = list(dict.fromkeys(v.ref_name or type_label(v) for v in variants))
        return " or ".join(labels[:3]) + (" or ..." if len(labels) > 3 else "")
    kind = schema.type
    if kind == "array":
        item = schema.items
        inner = effective(item) if item is not None else None
        if inner is None:
            return "array"
        if inner.ref_name and (inner.properties or inner.all_of):
            return f"array of {inner.ref_name}"
        label = type_label(inner)
        return (
            f"array of {label}s"
            if label in ("string", "integer", "number", "boolean", "object")
            else f"array of {label}"
        )
    if kind == "object" or (kind is None and (schema.properties or schema.all_of)):
        if not schema.properties and isinstance(schema.additional_properties, Schema):
            return f"map of {type_label(schema.additional_properties)}"
        return "object"
    if kind is None:
        return "any"
    return f"{kind} ({schema.format})" if schema.format and kind == "string" else kind


def limits_text(schema: Schema | None) -> list[str]:
    """The schema's ranges and rules, in words: ``1 to 100``, ``at most 64 characters``..."""
    if schema is None:
        return []
    schema = effective(schema)
    limits = schema.limits()
    found: list[str] = []
    low = limits.get("minimum")
    high = limits.get("maximum")
    xlow = limits.get("exclusiveMinimum")
    xhigh = limits.get("exclusiveMaximum")
    if low is not None and high is not None:
        found.append(f"{low} to {high}")
    else:
        if low is not None:
            found.append(f"at least {low}")
        if high is not None:
            found.append(f"at most {high}")
    if xlow is not None:
        found.append(f"greater than {xlow}")
    if xhigh is not None:
        found.append(f"less than {xhigh}")
    if "multipleOf" in limits:
        found.append(f"multiple of {limits['multipleOf']}")
    short, long_ = limits.get("minLength"), limits.get("maxLength")
    if short is not None and long_ is not None:
        found.append(f"{short} to {long_} characters")
    elif long_ is not None:
        found.append(f"at most {long_} characters")
    elif short:
        found.append(f"at least {short} characters")
    if "pattern" in limits:
        found.append(f"pattern {limits['pattern']}")
    few, many = limits.get("minItems"), limits.get("maxItems")
    if few:
        found.append(f"at least {few} items")
    if many is not None:
        found.append(f"at most {many} items")
    if limits.get("uniqueItems"):
        found.append("unique items")
    if limits.get("minProperties"):
        found.append(f"at least {limits['minProperties']} keys")
    if "maxProperties" in limits:
        found.append(f"at most {limits['maxProperties']} keys")
    value = schema.additional_properties
    if isinstance(value, Schema) and not schema.properties:
        found += [f"values: {text}" for text in limits_text(value)]
    if (
        schema.type == "array"
        and schema.items is not None
        and not _is_object(effective(schema.items))
    ):
        found += [f"items: {text}" for text in limits_text(schema.items)]
    return found


def _scalar_example(schema: Schema, target: Schema) -> str | None:
    """The example of a scalar value (objects and arrays show theirs in the examples)."""
    example = schema.example if schema.example is not MISSING else target.example
    if example is MISSING or isinstance(example, (dict, list)):
        return None
    return _json(example)


def _is_object(schema: Schema) -> bool:
    return bool(schema.properties or schema.all_of or schema.variants) or schema.type == "object"


def _small(schema: Schema) -> bool:
    """Few scalar fields: shown inline wherever it appears rather than linked."""
    properties, _ = schema.object_properties()
    if len(properties) > 4 or schema.variants:
        return False
    return all(not _is_object(effective(p)) and p.type != "array" for p in properties.values())


class SchemaIndex:
    """Where each named schema is expanded (its owner), and the builder of attribute trees."""

    def __init__(self) -> None:
        self.owners: dict[str, Place] = {}

    def claim(self, name: str, place: Place) -> None:
        self.owners.setdefault(name, place)

    def tree(self, schema: Schema, page: str, anchor: str) -> tuple[list[Attribute], list[Variant]]:
        """The attributes (and alternatives) of ``schema`` shown at ``(page, anchor)``."""
        schema = effective(schema)
        name = schema.ref_name
        claimed = bool(name) and name not in self.owners
        if name:
            self.claim(name, (page, anchor))
        attributes, variants = self._children(schema, page, anchor, 0, {name} if name else set())
        if claimed and name and not attributes and not variants:
            del self.owners[name]  # nothing shown here: nothing to link to
        return attributes, variants

    def _children(
        self, schema: Schema, page: str, anchor: str, depth: int, path: set[str]
    ) -> tuple[list[Attribute], list[Variant]]:
        if depth > _MAX_DEPTH:
            return [], []
        if schema.type == "array" and schema.items is not None:
            return self._children(effective(schema.items), page, anchor, depth, path)
        properties, required, includes = self._merged(schema, page, anchor)
        attributes = [
            Attribute(
                name="",
                anchor=f"{anchor}-includes-{name}",
                type="",
                link=(place, name),
                kind="includes",
            )
            for name, place in includes
        ]
        attributes += [
            self._attribute(name, prop, name in required, page, f"{anchor}-{name}", depth, path)
            for name, prop in properties.items()
        ]
        variants = [
            self._variant(index, v, page, f"{anchor}-v{index}", depth, path)
            for index, v in enumerate(schema.variants)
        ]
        if not attributes and isinstance(schema.additional_properties, Schema):
            value = effective(schema.additional_properties)
            if _is_object(value):
                return self._children(value, page, anchor, depth + 1, path)
        return attributes, variants

    def _merged(
        self, schema: Schema, page: str, anchor: str
    ) -> tuple[dict[str, Schema], set[str], list[tuple[str, Place]]]:
        """Properties with ``allOf`` members merged in, except members shown elsewhere.

        A named member already expanded at another place becomes an "includes" link
        instead of being expanded again (documents that compose every response body from a
        shared base would otherwise repeat it in every operation).
        """
        properties: dict[str, Schema] = {}
        required: set[str] = set()
        includes: list[tuple[str, Place]] = []
        seen: set[int] = set()

        def merge(current: Schema) -> None:
            if id(current) in seen:
                return
            seen.add(id(current))
            for key, prop in current.properties.items():
                properties.setdefault(key, prop)
            required.update(current.required)
            for member in current.all_of:
                name = member.ref_name
                owner = self.owners.get(name) if name else None
                if name and owner is not None and owner != (page, anchor) and not _small(member):
                    includes.append((name, owner))
                    continue
                if name and not _small(member):
                    self.claim(name, (page, anchor))
                merge(member)

        merge(schema)
        return properties, required, includes

    def _expand(
        self, schema: Schema, page: str, anchor: str, depth: int, path: set[str]
    ) -> tuple[list[Attribute], list[Variant], tuple[Place, str] | None]:
        """Children of a nested schema, or a link to where it is expanded."""
        target = effective(schema)
        if target.type == "array" and target.items is not None:
            target = effective(target.items)
        if not _is_object(target) and not isinstance(target.additional_properties, Schema):
            return [], [], None
        name = target.ref_name
        if name and (
            name in path
            or (name in self.owners and self.owners[name] != (page, anchor) and not _small(target))
        ):
            owner = self.owners.get(name)
            return [], [], (owner, name) if owner else None
        if name and not _small(target):
            self.claim(name, (page, anchor))
        attributes, variants = self._children(
            target, page, anchor, depth + 1, path | ({name} if name else set())
        )
        return attributes, variants, None

    def _attribute(
        self,
        name: str,
        schema: Schema,
        required: bool,
        page: str,
        anchor: str,
        depth: int,
        path: set[str],
    ) -> Attribute:
        target = effective(schema)
        children, variants, link = self._expand(schema, page, anchor, depth, path)
        enum = (
            target.enum
            if target.enum is not None
            else (
                target.items.enum
                if target.type == "array" and target.items is not None and target.items.enum
                else None
            )
        )
        default = schema.default if schema.default is not MISSING else target.default
        return Attribute(
            name=name,
            anchor=anchor,
            type=type_label(schema),
            required=required,
            nullable=schema.nullable or target.nullable,
            read_only=schema.read_only or target.read_only,
            write_only=schema.write_only or target.write_only,
            deprecated=schema.deprecated or target.deprecated,
            enum=[_json(v) if not isinstance(v, str) else v for v in enum or ()],
            default=None if default is MISSING else _json(default),
            example=_scalar_example(schema, target),
            limits=limits_text(schema),
            description=schema.description or target.description,
            link=link,
            children=children,
            variants=variants,
        )

    def _variant(
        self, index: int, schema: Schema, page: str, anchor: str, depth: int, path: set[str]
    ) -> Variant:
        target = effective(schema)
        title = target.ref_name or target.title or f"Option {index + 1}"
        children, variants, link = self._expand(schema, page, anchor, depth, path)
        attributes = children
        if variants and not attributes:
            attributes = [
                Attribute(
                    name=v.title,
                    anchor=v.anchor,
                    type=v.type,
                    link=(v.link, v.title) if v.link else None,
                    children=v.attributes,
                    description=v.description,
                )
                for v in variants
            ]
        return Variant(
            anchor=anchor,
            title=title,
            type=type_label(schema),
            attributes=attributes,
            link=link[0] if link else None,
            description=target.description,
        )
