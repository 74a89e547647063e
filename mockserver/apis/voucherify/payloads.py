"""Request bodies reduced to what the mock's own request schemas declare.

The vendor accepts properties nobody declared (and ignores them) and the official SDKs
send every unset property as ``null``: the request schemas take both, and this module
drops them before the backend sees the body, so the backend stores (and returns) exactly
what the vendor would store. The walk follows the mock's own document, whichever document
is served:

* an object's undeclared properties are dropped; an object that declares none (``metadata``)
  is kept whole;
* ``null`` is dropped, except at the top of a body that gives ``null`` a meaning (an
  update, where it clears);
* a ``oneOf``/``anyOf`` follows the branch its ``discriminator`` names, or the branch whose
  enumerated properties (a discount's ``type`` and ``effect``) fit the value best.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mockserver.documents import load_document
from mockserver.spec import Document, Schema, load


@functools.cache
def _document(path: Path) -> Document:
    return load(load_document(path))


class Payloads:
    """The request bodies of one document's operations, reduced to their declared shape."""

    def __init__(self, spec_path: Path) -> None:
        self.document = _document(spec_path)

    def body(self, operation_id: str, value: Any, *, keep_null: bool = False) -> Any:
        """``value`` (the body of ``operation_id``) without what the schema does not declare."""
        request = self.document.operation(operation_id).request_body
        media = request.json if request is not None else None
        if media is None or media.schema is None:
            return value
        return prune(media.schema, value, keep_null=keep_null)


def _members(schema: Schema) -> list[Schema]:
    found = [schema]
    for member in schema.all_of:
        found.extend(_members(member))
    return found


def _branch(schema: Schema, value: Mapping[str, Any]) -> Schema | None:
    """The ``oneOf``/``anyOf`` branch ``value`` follows (``None``: no combinator)."""
    for member in _members(schema):
        variants = member.variants
        if not variants:
            continue
        discriminator = member.discriminator
        if discriminator is not None:
            chosen = member.discriminated().get(str(value.get(discriminator.property_name)))
            if chosen is not None:
                return chosen
        return max(variants, key=lambda variant: _fit(variant, value))
    return None


def _fit(variant: Schema, value: Mapping[str, Any]) -> tuple[int, int, int]:
    """How well ``value`` fits ``variant``: no enum refused, then single-value enums matched,
    then declared properties present."""
    properties, _ = variant.object_properties()
    refused = exact = present = 0
    for name, item in value.items():
        prop = properties.get(name)
        if prop is None:
            continue
        present += 1
        enum = prop.enum
        if enum is not None:
            if item not in enum:
                refused += 1
            elif len([e for e in enum if e is not None]) == 1:
                exact += 1
    return -refused, exact, present


def prune(schema: Schema, value: Any, *, keep_null: bool = False) -> Any:
    """``value`` without undeclared properties and (below the top, unless ``keep_null``) nulls."""
    if isinstance(value, list):
        items = next((m.items for m in _members(schema) if m.items is not None), None)
        if items is None:
            return list(value)
        return [prune(items, item) for item in value if item is not None]
    if not isinstance(value, dict):
        return value
    properties: dict[str, Schema] = {}
    chosen = _branch(schema, value)
    for source in ([chosen] if chosen is not None else []) + _members(schema):
        for name, prop in source.object_properties()[0].items():
            properties.setdefault(name, prop)
    if not properties:
        return dict(value)
    pruned: dict[str, Any] = {}
    for name, item in value.items():
        declared = properties.get(name)
        if declared is None:
            continue
        if item is None:
            if keep_null:
                pruned[name] = None
            continue
        pruned[name] = prune(declared, item)
    return pruned
