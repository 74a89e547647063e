"""Stored objects: the request merged with what the server owns, always valid for the schema.

The server owns the id (named by the item path's parameter, typed and formatted as its schema
says: an integer sequence, a uuid, a string matching the ``pattern``), ``readOnly``
properties (timestamps with ``date-time``/``date``, counters), and defaults. What no rule
fills is made up from the schema; what the client sent and the response schema cannot hold is
left out (:func:`fit`).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from typing import Any

from mockserver.fake import SchemaFaker, schema_errors
from mockserver.generate import made_up
from mockserver.generic.inference import Resource
from mockserver.spec import MISSING, Schema
from mockserver.store import UnitOfWork

__all__ = ["fit", "merge_patch", "new_id", "server_fields", "view"]

_CREATED = re.compile(r"(?i)^(created|inserted|added)(_?at|_?on|_?date|_?time)?$|^date_?created$")
_UPDATED = re.compile(r"(?i)^(updated|modified|changed|last_?modified)(_?at|_?on|_?date|_?time)?$")
_SEQUENCES = "generic:__sequences__"


def fit(schema: Schema, value: Any, *, seed: int = 0, keep: tuple[str, ...] = ()) -> Any:
    """``value`` if it matches ``schema``; else a valid value keeping as much of it as fits.

    An object starts from a value made up for the schema, then takes each of ``value``'s
    properties (``keep`` first) that leaves it valid.
    """
    if not schema_errors(schema, value):
        return value
    base, _, errors = made_up(schema, seed=seed, static=True)
    if errors or not isinstance(value, dict) or not isinstance(base, dict):
        return base
    result = dict(base)
    names = [*(k for k in keep if k in value), *(k for k in value if k not in keep)]
    for name in names:
        trial = {**result, name: value[name]}
        if not schema_errors(schema, trial):
            result = trial
    return result


def integral(schema: Schema | None, value: Any, depth: int = 0) -> Any:
    """``value`` with integer-valued floats (``4.0``) as integers where the schema says integer.

    JSON Schema takes ``4.0`` as an integer; clients reading the object back (and a link
    putting it in a URL) expect ``4``.
    """
    if schema is None or depth > 8:
        return value
    if isinstance(value, float) and value.is_integer() and schema.type == "integer":
        return int(value)
    if isinstance(value, dict):
        properties = schema.object_properties()[0]
        return {k: integral(properties.get(k), v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [integral(schema.items, v, depth + 1) for v in value]
    return value


def view(schema: Schema | None, value: dict[str, Any]) -> dict[str, Any]:
    """The object as responses show it: without its ``writeOnly`` properties."""
    if schema is None:
        return value
    properties = schema.object_properties()[0]
    return {k: v for k, v in value.items() if not (k in properties and properties[k].write_only)}


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch: ``null`` removes a member, objects merge, the rest replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def timestamp(schema: Schema, now: int) -> Any:
    """``now`` as the schema stores a moment (``date-time``, ``date``, epoch seconds), or MISSING."""
    moment = dt.datetime.fromtimestamp(now, dt.UTC)
    if schema.format == "date-time":
        return moment.isoformat().replace("+00:00", "Z")
    if schema.format == "date":
        return moment.date().isoformat()
    if schema.type == "integer":
        return now
    return MISSING


def server_fields(
    resource: Resource, now: int, *, created: bool, previous: dict[str, Any] | None = None
) -> dict[str, Any]:
    """What the server sets on a create (``created``) or an update: timestamps, defaults."""
    schema = resource.schema
    if schema is None:
        return {}
    fields: dict[str, Any] = {}
    for name, prop in schema.object_properties()[0].items():
        if _UPDATED.match(name) or (created and _CREATED.match(name)):
            value = timestamp(prop, now)
            if value is not MISSING:
                fields[name] = value
        elif previous is not None and prop.read_only and name in previous:
            fields[name] = previous[name]
        elif created and prop.read_only and prop.type == "integer" and prop.default is MISSING:
            low = prop.minimum if prop.minimum is not None else 0
            fields[name] = max(0, int(low))  # a counter starts at zero
    return fields


def defaults(resource: Resource) -> dict[str, Any]:
    schema = resource.schema
    if schema is None:
        return {}
    return {
        name: prop.default
        for name, prop in schema.object_properties()[0].items()
        if prop.default is not MISSING
    }


def new_id(
    resource: Resource, unit: UnitOfWork, table: str, seed: int, route: Schema | None = None
) -> Any:
    """A fresh id for ``resource``, typed as its schema says and free in ``table``.

    ``route``: the item path parameter's schema; an id it refuses could never be read back,
    so integers stay within its bounds (freed ids are reused when the range is small).
    """
    schema = resource.id_schema
    if route is not None and schema is not None and schema.type == "integer" and route.maximum is not None:
        low = max(int(route.minimum) if route.minimum is not None else 1, 1)
        for number in range(low, int(route.maximum) + 1):
            if unit.get(table, str(number)) is None and not schema_errors(schema, number):
                return number
    row = unit.get(_SEQUENCES, resource.name) or {"next": 0}
    fallback: Any = None
    for _ in range(50):
        row["next"] += 1
        number = row["next"]
        value = _candidate(resource, schema, number, seed)
        if unit.get(table, str(value)) is not None:
            continue
        if route is None or not schema_errors(route, value):
            unit.put(_SEQUENCES, resource.name, row)
            return value
        fallback = value if fallback is None else fallback
    if fallback is None:
        raise RuntimeError(f"no free id for {resource.name} after 50 tries")
    unit.put(_SEQUENCES, resource.name, row)
    return fallback


def _candidate(resource: Resource, schema: Schema | None, number: int, seed: int) -> Any:
    if schema is None:
        return str(number)
    if schema.type in ("integer", "number"):
        low = schema.minimum if schema.minimum is not None else 1
        if schema.exclusive_minimum is not None:
            low = schema.exclusive_minimum + 1
        return int(low) + number - 1
    if schema.format is None and schema.pattern is None and schema.enum is None:
        prefix = re.sub(r"[^a-z0-9]", "", resource.name.split(".")[-1].lower())[:3] or "obj"
        simple = f"{prefix}_{number}"
        if not schema_errors(schema, simple):
            return simple
    faker = SchemaFaker(seed + zlib.crc32(resource.name.encode()) + number)
    for _ in range(8):
        value = faker.value(schema)
        if not schema_errors(schema, value):
            return value
    return str(number)
