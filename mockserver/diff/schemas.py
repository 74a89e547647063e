"""Compare two schemas of the spec model with the direction the data flows.

``side="request"``: values clients send; a change that refuses a value the old schema accepted
breaks them. ``side="response"``: values clients read; a change that lets through a value the
old schema did not breaks them. Sub-schemas are compared recursively (properties with
``allOf`` members merged, items, ``additionalProperties``, ``oneOf``/``anyOf`` alternatives
matched by component name, else by position).

A named component compared with a named component is compared once per side and the result
reused wherever it is referenced (a document that uses ``Campaign`` in 20 responses costs one
comparison); a recursive schema stops where it comes back to a pair already being compared.
A component whose text is the same in both documents, and so is every component it refers
to, is not walked at all (:class:`Unchanged`): a release that touches a few schemas of a
document with hundreds costs a few comparisons.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Literal

import orjson

from mockserver.spec import MISSING, Schema
from mockserver.spec.refs import unescape

Side = Literal["request", "response"]
#: (check id, location relative to the compared schema, message)
Found = tuple[str, str, str]

__all__ = ["Found", "SchemaComparer", "Side", "Unchanged", "join"]

_REF = re.compile(rb'"\$ref":"#/([^"]*)"')
_COMPONENT = "components/schemas/"

_BOUNDS = (
    # (keyword read, upper bound?, request check, response check, what)
    ("maximum", True, "request-max-decreased", "response-max-increased", "maximum"),
    ("exclusive_maximum", True, "request-max-decreased", "response-max-increased", "exclusive maximum"),
    ("minimum", False, "request-min-increased", "response-min-decreased", "minimum"),
    ("exclusive_minimum", False, "request-min-increased", "response-min-decreased", "exclusive minimum"),
    ("max_length", True, "request-max-length-decreased", "response-max-length-increased", "maxLength"),
    ("min_length", False, "request-min-length-increased", "response-min-length-decreased", "minLength"),
    ("max_items", True, "request-max-items-decreased", "response-max-items-increased", "maxItems"),
    ("min_items", False, "request-min-items-increased", "response-min-items-decreased", "minItems"),
)


def join(base: str, part: str) -> str:
    if not base:
        return part
    if part.startswith("["):
        return base + part
    return f"{base}.{part}"


def _types(schema: Schema) -> set[str]:
    return {t for t in schema.types if t != "null"}


def _accepts_all(wider: set[str], narrower: set[str]) -> bool:
    """Whether every value of types ``narrower`` is of one of types ``wider`` (no type: any)."""
    if not wider:
        return True
    if not narrower:
        return False
    return all(t in wider or (t == "integer" and "number" in wider) for t in narrower)


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


class Unchanged:
    """Which ``components.schemas`` are the same in two documents, references included.

    A component is unchanged when its JSON text (keys sorted) is the same in both and every
    component it refers to is unchanged too; one that refers anywhere else than to a whole
    component (``#/components/schemas/A/properties/b``) is never taken as unchanged.
    """

    def __init__(self, old_root: Mapping[str, Any], new_root: Mapping[str, Any]) -> None:
        old, new = _components(old_root), _components(new_root)
        depends: dict[str, set[str]] = {}
        for name, schema in old.items():
            if name not in new:
                continue
            text = _text(schema)
            if text is None or text != _text(new[name]):
                continue
            refs = set()
            for pointer in _REF.findall(text):
                target = pointer.decode()
                if not target.startswith(_COMPONENT) or "/" in target[len(_COMPONENT) :]:
                    break
                refs.add(unescape(target[len(_COMPONENT) :]))
            else:
                depends[name] = refs
        names = set(depends)
        while True:
            kept = {n for n in names if depends[n] <= names}
            if kept == names:
                break
            names = kept
        self.names = frozenset(names)

    def __contains__(self, name: object) -> bool:
        return name in self.names


def _components(root: Mapping[str, Any]) -> Mapping[str, Any]:
    components = root.get("components")
    schemas = components.get("schemas") if isinstance(components, Mapping) else None
    return schemas if isinstance(schemas, Mapping) else {}


def _text(schema: Any) -> bytes | None:
    try:
        return orjson.dumps(schema, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # a value orjson cannot write (an integer beyond 64 bits): walk it
        return None


class SchemaComparer:
    """Compares schemas; shared by every operation of one diff (its cache is per diff)."""

    def __init__(self, unchanged: Unchanged | None = None) -> None:
        self._cache: dict[tuple[int, int, str], list[Found]] = {}
        self._active: set[tuple[int, int, str]] = set()
        self._unchanged = unchanged

    def compare(self, old: Schema, new: Schema, side: Side) -> list[Found]:
        name = old.ref_name
        if (
            self._unchanged is not None
            and name is not None
            and old.ref == new.ref
            and old.ref == f"#/{_COMPONENT}{name.replace('~', '~0').replace('/', '~1')}"
            and name in self._unchanged
        ):
            return []
        key = (id(old), id(new), side)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:  # a recursive schema: the enclosing comparison covers it
            return []
        self._active.add(key)
        try:
            found: list[Found] = []
            self._compare(old, new, side, found.append)
        finally:
            self._active.discard(key)
        if old.ref_name and new.ref_name:
            self._cache[key] = found
        return found

    def _nested(
        self, old: Schema, new: Schema, side: Side, where: str, emit: Callable[[Found], None]
    ) -> None:
        for id_, location, message in self.compare(old, new, side):
            emit((id_, join(where, location) if location else where, message))

    def _compare(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        request = side == "request"
        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            wider, narrower = (new_types, old_types) if request else (old_types, new_types)
            if not _accepts_all(wider, narrower):
                shown_old = "/".join(sorted(old_types)) or "any"
                shown_new = "/".join(sorted(new_types)) or "any"
                emit((f"{side}-type-changed", "", f"type changed from {shown_old} to {shown_new}"))
                return  # what else changed is noise once the type has
        self._format(old, new, side, emit)
        if old.nullable != new.nullable:
            if request:
                id_ = "request-became-nullable" if new.nullable else "request-became-not-nullable"
            else:
                id_ = "response-became-nullable" if new.nullable else "response-became-not-nullable"
            emit((id_, "", "now accepts null" if new.nullable else "no longer accepts null"))
        self._enum(old, new, side, emit)
        self._bounds(old, new, side, emit)
        self._pattern(old, new, side, emit)
        if request and old.default is not MISSING and new.default != old.default:
            shown = _show(new.default) if new.default is not MISSING else "none"
            emit(("request-default-changed", "", f"default changed from {_show(old.default)} to {shown}"))
        self._objects(old, new, side, emit)
        if old.items is not None and new.items is not None:
            self._nested(old.items, new.items, side, "[]", emit)
        old_extra, new_extra = old.additional_properties, new.additional_properties
        if isinstance(old_extra, Schema) and isinstance(new_extra, Schema):
            self._nested(old_extra, new_extra, side, "*", emit)
        elif request and old_extra is not False and new_extra is False and (old.properties or new.properties):
            emit(("request-additional-properties-closed", "", "undeclared properties are now refused"))
        self._variants(old, new, side, emit)
        self._all_of(old, new, side, emit)

    def _format(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        if old.format == new.format:
            return
        message = f"format changed from {old.format or 'none'} to {new.format or 'none'}"
        if side == "request" and new.format is not None:
            emit(("request-format-changed", "", message))
        elif side == "response" and old.format is not None:
            emit(("response-format-changed", "", message))

    def _enum(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        old_enum, new_enum = old.enum, new.enum
        if old_enum == new_enum:
            return
        if new_enum is None:  # no longer restricted: every old value still allowed
            if side == "response":
                emit(("response-enum-value-added", "", "is no longer restricted to an enum"))
            return
        removed = [v for v in (old_enum or ()) if v not in new_enum]
        added = [v for v in new_enum if old_enum is not None and v not in old_enum]
        if old_enum is None:
            if side == "request":
                emit(("request-enum-value-removed", "", f"restricted to {_show(list(new_enum))}"))
            return
        for value in removed:
            emit((f"{side}-enum-value-removed", "", f"enum value {_show(value)} removed"))
        for value in added:
            emit((f"{side}-enum-value-added", "", f"enum value {_show(value)} added"))

    def _bounds(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        request = side == "request"
        relaxed: list[str] = []
        for attribute, upper, request_id, response_id, what in _BOUNDS:
            before, after = getattr(old, attribute), getattr(new, attribute)
            if before == after:
                continue
            # narrower: a bound added, or moved inwards
            if after is not None and (before is None or (after < before if upper else after > before)):
                narrower = True
            else:
                narrower = False
            message = f"{what} changed from {before if before is not None else 'none'} to {after if after is not None else 'none'}"
            if request and narrower:
                emit((request_id, "", message))
            elif not request and not narrower:
                emit((response_id, "", message))
            elif request:
                relaxed.append(message)
        for message in relaxed:
            emit(("request-limit-relaxed", "", message))

    def _pattern(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        if old.pattern == new.pattern:
            return
        message = f"pattern changed from {_show(old.pattern or 'none')} to {_show(new.pattern or 'none')}"
        if side == "request":
            if old.pattern is None:
                emit(("request-pattern-added", "", f"must now match {_show(new.pattern)}"))
            elif new.pattern is not None:
                emit(("request-pattern-changed", "", message))
            else:
                emit(("request-limit-relaxed", "", message))
        elif old.pattern is not None:
            emit(("response-pattern-changed", "", message))

    def _objects(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        request = side == "request"
        old_props, old_required = old.object_properties()
        new_props, new_required = new.object_properties()
        hidden = "read_only" if request else "write_only"  # never sent / never read on this side
        for name, schema in old_props.items():
            if getattr(schema, hidden):
                continue
            if name not in new_props:
                if request:
                    emit(("request-property-removed", name, "property removed"))
                elif name in old_required:
                    emit(("response-required-property-removed", name, "required property removed"))
                else:
                    emit(("response-optional-property-removed", name, "optional property removed"))
                continue
            if getattr(new_props[name], hidden):
                continue
            was, now = name in old_required, name in new_required
            if was != now:
                state = "required" if now else "optional"
                emit((f"{side}-property-became-{state}", name, f"became {state}"))
            self._nested(schema, new_props[name], side, name, emit)
        for name, schema in new_props.items():
            if name in old_props or getattr(schema, hidden):
                continue
            if request:
                id_ = "new-required-request-property" if name in new_required else "new-optional-request-property"
                emit((id_, name, f"new {'required' if name in new_required else 'optional'} property"))
            else:
                emit(("response-property-added", name, "new property"))

    def _variants(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        olds, news = old.variants, new.variants
        if not olds and not news:
            return
        keyword = "oneOf" if old.one_of or new.one_of else "anyOf"
        pairs, removed, added = _match(olds, news)
        for index, (a, b) in enumerate(pairs):
            self._nested(a, b, side, f"{keyword}[{b.ref_name or index}]", emit)
        if not olds or not news:  # a plain schema became a choice (or back): compared above
            return
        for schema in removed:
            emit((f"{side}-variant-removed", keyword, f"alternative {_label(schema)} removed"))
        for schema in added:
            emit((f"{side}-variant-added", keyword, f"alternative {_label(schema)} added"))

    def _all_of(self, old: Schema, new: Schema, side: Side, emit: Callable[[Found], None]) -> None:
        old_names = {s.ref_name for s in old.all_of if s.ref_name}
        new_names = {s.ref_name for s in new.all_of if s.ref_name}
        for name in sorted(old_names - new_names):
            emit((f"{side}-all-of-changed", "allOf", f"member {name} removed"))
        for name in sorted(new_names - old_names):
            emit((f"{side}-all-of-changed", "allOf", f"member {name} added"))


def _label(schema: Schema) -> str:
    return schema.ref_name or "/".join(schema.types) or "(inline)"


def _match(
    olds: tuple[Schema, ...], news: tuple[Schema, ...]
) -> tuple[list[tuple[Schema, Schema]], list[Schema], list[Schema]]:
    """Alternatives paired by component name, the unnamed ones by position."""
    pairs: list[tuple[Schema, Schema]] = []
    by_name = {s.ref_name: s for s in news if s.ref_name}
    left_new = [s for s in news if not s.ref_name]
    removed: list[Schema] = []
    unnamed_old: list[Schema] = []
    for schema in olds:
        if schema.ref_name:
            match = by_name.pop(schema.ref_name, None)
            if match is None:
                removed.append(schema)
            else:
                pairs.append((schema, match))
        else:
            unnamed_old.append(schema)
    for a, b in zip(unnamed_old, left_new, strict=False):
        pairs.append((a, b))
    removed += unnamed_old[len(left_new) :]
    added = list(by_name.values()) + left_new[len(unnamed_old) :]
    return pairs, removed, added
