"""Where our request schemas accept less (or more) than the vendor's official ones.

Both documents are read with :mod:`mockserver.spec`; for each operation we serve, the request
body and the query parameters are walked side by side, property by property, and every
difference in what a value may be is reported:

* ``nullable``: one side accepts ``null`` and the other does not;
* ``type``: the JSON types allowed differ (``number`` against ``integer``);
* ``enum``: values one side allows and the other refuses;
* ``additional``: one side refuses properties it does not declare;
* ``required``: a property one side requires;
* ``limit`` / ``format``: a bound, length, pattern or format only one side checks;
* ``undeclared``: a property the vendor declares and we do not (we accept and ignore it);
* ``extra``: a property we declare and the vendor does not (the vendor accepts anything there);
* ``variant``: a ``oneOf``/``anyOf`` branch one side lacks.

Each :class:`Difference` says which side is stricter (``stricter=True``: ours refuses
something the vendor accepts). Semantics, not syntax, are compared: ``nullable`` next to a
``type``, an ``enum`` holding ``null``, ``allOf`` members (every one must accept the value).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mockserver.spec import Document, Operation, Schema

JSON_TYPES = frozenset({"object", "array", "string", "number", "integer", "boolean"})


@dataclass(frozen=True, order=True)
class Difference:
    operation: str
    #: ``body.voucher.discount<DiscountPercent>.effect``, ``query.limit``
    path: str
    kind: str
    stricter: bool
    detail: str

    @property
    def where(self) -> str:
        return f"{self.operation} {self.path}"

    def __str__(self) -> str:
        side = "ours stricter" if self.stricter else "ours more lenient"
        return f"{self.where}: {self.kind} ({side}) {self.detail}"


# -- what a schema allows, semantically ---------------------------------------------------


def _members(schema: Schema) -> Iterator[Schema]:
    """The schema and, recursively, its ``allOf`` members (all must hold)."""
    seen: set[int] = set()
    stack = [schema]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack.extend(current.all_of)


def accepts_null(schema: Schema) -> bool:
    for member in _members(schema):
        declared = [t for t in member.types if t != "null"]
        if declared and not member.nullable:
            return False
        if member.enum is not None and None not in member.enum:
            return False
    variants = _variants(schema)
    if variants and not any(accepts_null(v) for v in variants):
        return False
    return True


def allowed_types(schema: Schema) -> frozenset[str]:
    allowed = set(JSON_TYPES)
    for member in _members(schema):
        declared = {t for t in member.types if t != "null"}
        if declared:
            if "number" in declared:
                declared.add("integer")
            allowed &= declared
    variants = _variants(schema)
    if variants:
        union: set[str] = set()
        for variant in variants:
            union |= allowed_types(variant)
        allowed &= union
    return frozenset(allowed)


def enum_values(schema: Schema) -> frozenset[Any] | None:
    """The non-null values allowed by ``enum`` (``None``: no enum)."""
    values: set[Any] | None = None
    for member in _members(schema):
        if member.enum is not None:
            found = {v for v in member.enum if v is not None}
            values = found if values is None else values & found
    return frozenset(values) if values is not None else None


def properties(schema: Schema) -> dict[str, Schema]:
    props, _ = schema.object_properties()
    return props


def required(schema: Schema) -> frozenset[str]:
    _, names = schema.object_properties()
    return names


def allows_additional(schema: Schema) -> bool:
    return all(member.additional_properties is not False for member in _members(schema))


def limits(schema: Schema) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for member in _members(schema):
        found.update(member.limits())
        if member.format:
            found["format"] = member.format
    return found


def _variants(schema: Schema) -> tuple[Schema, ...]:
    variants: list[Schema] = []
    for member in _members(schema):
        variants.extend(member.variants)
    return tuple(variants)


def _name(schema: Schema) -> str:
    return schema.ref_name or schema.title or "?"


# -- the walk -------------------------------------------------------------------------------


class Comparer:
    def __init__(self, operation: str) -> None:
        self.operation = operation
        self.found: list[Difference] = []
        self._seen: set[tuple[int, int, int]] = set()

    def add(self, path: str, kind: str, stricter: bool, detail: str) -> None:
        self.found.append(Difference(self.operation, path, kind, stricter, detail))

    def compare(
        self, ours: Schema, theirs: Schema, path: str, siblings: frozenset[str] = frozenset()
    ) -> None:
        """``siblings``: names the vendor's other ``oneOf`` branches declare (no ``extra``)."""
        key = (id(ours), id(theirs), hash(siblings))
        if key in self._seen:  # recursive schemas
            return
        self._seen.add(key)
        our_variants, their_variants = _variants(ours), _variants(theirs)
        if their_variants and our_variants:
            self._pair_variants(ours, theirs, our_variants, their_variants, path)
            return
        if their_variants:
            # ours takes what any of the vendor's branches takes: a property one branch lacks
            # is no difference when another branch declares it
            siblings = frozenset(name for variant in their_variants for name in properties(variant))
            for variant in their_variants:
                self.compare(ours, variant, f"{path}<{_name(variant)}>", siblings)
            return
        if our_variants:
            for variant in our_variants:
                self.compare(variant, theirs, f"{path}<{_name(variant)}>")
            return
        self._compare_values(ours, theirs, path)
        if "object" in allowed_types(ours) & allowed_types(theirs):
            self._compare_objects(ours, theirs, path, siblings)
        our_items, their_items = _items(ours), _items(theirs)
        if our_items is not None and their_items is not None:
            self.compare(our_items, their_items, f"{path}[]")

    def _pair_variants(
        self,
        ours: Schema,
        theirs: Schema,
        our_variants: tuple[Schema, ...],
        their_variants: tuple[Schema, ...],
        path: str,
    ) -> None:
        unpaired = list(our_variants)
        for variant in their_variants:
            mine = next((v for v in unpaired if v.ref_name and v.ref_name == variant.ref_name), None)
            if mine is None:
                mine = next((v for v in unpaired if v.title and v.title == variant.title), None)
            where = f"{path}<{_name(variant)}>"
            if mine is None:
                self.add(where, "variant", True, "the vendor's branch has no counterpart")
                continue
            unpaired.remove(mine)
            self.compare(_with_parent(mine, ours), _with_parent(variant, theirs), where)
        for variant in unpaired:
            self.add(f"{path}<{_name(variant)}>", "variant", False, "a branch the vendor does not have")

    def _compare_values(self, ours: Schema, theirs: Schema, path: str) -> None:
        our_null, their_null = accepts_null(ours), accepts_null(theirs)
        if our_null != their_null:
            self.add(path, "nullable", their_null, "null " + ("refused" if their_null else "accepted"))
        our_types, their_types = allowed_types(ours), allowed_types(theirs)
        if our_types != their_types:
            self.add(
                path,
                "type",
                bool(their_types - our_types),
                f"ours {sorted(our_types)} against {sorted(their_types)}",
            )
        our_enum, their_enum = enum_values(ours), enum_values(theirs)
        if our_enum != their_enum:
            if their_enum is None or (our_enum is not None and their_enum - our_enum):
                refused = "any value" if their_enum is None else sorted(map(str, their_enum - (our_enum or frozenset())))
                self.add(path, "enum", True, f"ours refuses {refused}")
            if our_enum is None or (their_enum is not None and our_enum - their_enum):
                extra = "any value" if our_enum is None else sorted(map(str, our_enum - (their_enum or frozenset())))
                self.add(path, "enum", False, f"ours also accepts {extra}")
        our_limits, their_limits = limits(ours), limits(theirs)
        for keyword in sorted(set(our_limits) | set(their_limits)):
            if our_limits.get(keyword) != their_limits.get(keyword):
                kind = "format" if keyword == "format" else "limit"
                stricter = keyword in our_limits
                self.add(
                    path,
                    kind,
                    stricter,
                    f"{keyword}: ours {our_limits.get(keyword)!r}, theirs {their_limits.get(keyword)!r}",
                )

    def _compare_objects(
        self, ours: Schema, theirs: Schema, path: str, siblings: frozenset[str]
    ) -> None:
        our_props, their_props = properties(ours), properties(theirs)
        our_required, their_required = required(ours), required(theirs)
        our_more, their_more = allows_additional(ours), allows_additional(theirs)
        if our_more != their_more:
            self.add(path, "additional", their_more, "undeclared properties " + ("refused" if their_more else "accepted"))
        for name in sorted(our_required - their_required):
            self.add(_join(path, name), "required", True, "required by us only")
        for name in sorted(their_required - our_required):
            self.add(_join(path, name), "required", False, "required by the vendor only")
        for name, prop in their_props.items():
            if name in our_props:
                self.compare(our_props[name], prop, _join(path, name))
            else:
                self.add(_join(path, name), "undeclared", not our_more, "declared by the vendor only")
        for name in our_props:
            if name not in their_props and name not in siblings:
                self.add(_join(path, name), "extra", their_more, "declared by us only")


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _items(schema: Schema) -> Schema | None:
    for member in _members(schema):
        if member.items is not None:
            return member.items
    return None


def _with_parent(variant: Schema, parent: Schema) -> Schema:
    """A ``oneOf`` branch seen with the properties its parent declares beside the ``oneOf``."""
    if not parent.properties and not parent.required:
        return variant
    raw = {"allOf": [variant.raw, {k: v for k, v in parent.raw.items() if k not in ("oneOf", "anyOf", "discriminator")}]}
    return Schema.of(raw, variant.context)


# -- documents ------------------------------------------------------------------------------


def operation_differences(ours: Operation, theirs: Operation) -> list[Difference]:
    comparer = Comparer(ours.id or ours.label)
    our_body = ours.request_body.content if ours.request_body else {}
    their_body = theirs.request_body.content if theirs.request_body else {}
    for media, content in their_body.items():
        mine = our_body.get(media)
        if mine is None:
            comparer.add(f"body[{media}]", "media", True, "a body type the vendor takes")
        elif mine.schema is not None and content.schema is not None:
            comparer.compare(mine.schema, content.schema, "body")
    for media in our_body:
        if media not in their_body:
            comparer.add(f"body[{media}]", "media", False, "a body type only we take")
    their_params = {p.key: p for p in theirs.parameters}
    for parameter in ours.parameters:
        key = parameter.key
        where = f"{parameter.location}.{parameter.name}"
        theirs_param = their_params.pop(key, None)
        if theirs_param is None:
            comparer.add(where, "extra", False, "a parameter only we declare")
            continue
        if parameter.required and not theirs_param.required:
            comparer.add(where, "required", True, "required by us only")
        if parameter.schema is not None and theirs_param.schema is not None:
            comparer.compare(parameter.schema, theirs_param.schema, where)
    for key in their_params:
        comparer.add(f"{key[0]}.{key[1]}", "undeclared", False, "a parameter only the vendor declares")
    return comparer.found


def differences(ours: Document, theirs: Document) -> list[Difference]:
    """Every difference, for each operation of ours that the vendor's document has too."""
    found: list[Difference] = []
    for operation_id, operation in ours.by_id.items():
        official = theirs.by_id.get(operation_id)
        if official is not None:
            found.extend(operation_differences(operation, official))
    return sorted(found)
