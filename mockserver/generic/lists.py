"""Lists: equality filters, pagination recognised by name, and the envelope the schema declares.

Query parameters naming a property of the listed objects filter by equality (a list value
matches any of its members). Pagination parameters are recognised by name: a page size
(``limit``, ``per_page``, ``page_size``...), a page number (``page``), an offset (``offset``,
``skip``) or a cursor (``starting_after``, ``after``, ``cursor``: the id of the last object
seen). The page goes out as a bare array or in the envelope object, whose total/count/
has_more/next-style fields are filled when it has them.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from mockserver.fake import schema_errors
from mockserver.generate import made_up
from mockserver.generic.inference import Envelope
from mockserver.generic.objects import fit
from mockserver.spec import Operation, Schema

__all__ = ["Page", "page", "render"]

LIMITS = ("limit", "per_page", "perPage", "page_size", "pageSize", "size", "max_results", "maxResults")
PAGES = ("page", "page_number", "pageNumber")
OFFSETS = ("offset", "skip", "start")
CURSORS = ("starting_after", "after", "cursor", "page_token", "pageToken", "next")
PAGINATION = frozenset((*LIMITS, *PAGES, *OFFSETS, *CURSORS))

_TOTALS = ("total", "total_count", "totalCount", "total_results", "totalResults", "total_items", "totalItems", "count")
_MORE = ("has_more", "hasMore", "more", "has_next", "hasNext")
_NEXT = ("next", "next_cursor", "nextCursor", "next_page", "nextPage", "more_starting_after", "next_page_token", "nextPageToken")
_PAGE_COUNTS = ("total_pages", "totalPages", "pages", "page_count", "pageCount")


@dataclass
class Page:
    """One page of a list, and where it sits."""

    items: list[tuple[str, dict[str, Any]]]
    total: int
    limit: int | None
    offset: int
    page: int | None
    has_more: bool
    next_cursor: str | None


def page(
    op: Operation,
    rows: list[tuple[str, dict[str, Any]]],
    query: dict[str, Any],
    properties: dict[str, Schema],
) -> Page:
    """Filter ``rows`` (key, object) with ``query`` and cut the page it asks for."""
    declared = {p.name: p for p in op.parameters_in("query")}
    for name, wanted in query.items():
        if name in PAGINATION or name not in properties or name not in declared:
            continue
        rows = [(k, o) for k, o in rows if _matches(o.get(name), wanted)]
    total = len(rows)
    limit = _first(query, declared, LIMITS)
    page_number = _first(query, declared, PAGES)
    offset = _first(query, declared, OFFSETS) or 0
    cursor = next((query[n] for n in CURSORS if n in query), None)
    if cursor is not None:
        keys = [k for k, _ in rows]
        offset = keys.index(str(cursor)) + 1 if str(cursor) in keys else len(rows)
    first_page = 1
    for name in PAGES:
        parameter = declared.get(name)
        if parameter is not None and parameter.schema is not None and parameter.schema.minimum == 0:
            first_page = 0
    if page_number is not None and limit:
        offset = max(0, int(page_number) - first_page) * int(limit)
    offset = max(0, int(offset))
    end = total if not limit else offset + int(limit)
    chosen = rows[offset:end]
    has_more = end < total
    return Page(
        items=chosen,
        total=total,
        limit=int(limit) if limit else None,
        offset=offset,
        page=int(page_number) if page_number is not None else None,
        has_more=has_more,
        next_cursor=chosen[-1][0] if has_more and chosen else None,
    )


def _first(query: dict[str, Any], declared: dict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        if name in query and isinstance(query[name], int) and not isinstance(query[name], bool):
            return query[name]
        parameter = declared.get(name)
        if name not in query and parameter is not None and parameter.schema is not None:
            default = parameter.schema.default
            if isinstance(default, int) and not isinstance(default, bool):
                return default
    return None


def _matches(value: Any, wanted: Any) -> bool:
    if isinstance(wanted, list):
        if isinstance(value, list):
            return any(_matches(v, w) for v in value for w in wanted)
        return any(_matches(value, w) for w in wanted)
    if isinstance(value, list):
        return any(_matches(v, wanted) for v in value)
    if value == wanted and type(value) is type(wanted):
        return True
    if isinstance(value, bool) or isinstance(wanted, bool):
        return str(value).lower() == str(wanted).lower()
    return value is not None and str(value) == str(wanted)


def render(
    envelope: Envelope, found: Page, item: Any, *, seed: int = 0, stored: Schema | None = None
) -> Any:
    """The page in the envelope: ``item`` turns a stored object into the listed view.

    ``stored``: the schema every stored object already matches (checked when written): items
    listed with that very schema are not checked again.
    """
    item_schema = envelope.item_schema
    items = [
        fit(item_schema, item(obj), seed=seed)
        if item_schema is not None and item_schema is not stored
        else item(obj)
        for _, obj in found.items
    ]
    if envelope.items is None:
        return items
    schema = envelope.schema
    made = _bases.setdefault(schema, {})
    base = made.get(seed)
    if base is None:
        base = made[seed] = made_up(schema, seed=seed, static=True)[0]
    if not isinstance(base, dict):
        return base
    # every field at once, checked once; field by field only when that does not validate
    fast = _meta(schema, {**base, envelope.items: items}, found, depth=0, check=False)
    if not schema_errors(schema, fast):
        return fast
    body = _with(schema, dict(base), envelope.items, items)
    return _meta(schema, body, found, depth=0)


#: The made-up envelope each list starts from, by schema and seed: the same every time
#: (weakly held: a document's schemas go with it).
_bases: weakref.WeakKeyDictionary[Schema, dict[int, Any]] = weakref.WeakKeyDictionary()


def _with(schema: Schema, body: dict[str, Any], name: str, value: Any, check: bool = True) -> dict[str, Any]:
    trial = {**body, name: value}
    return trial if not check or not schema_errors(schema, trial) else body


def _meta(schema: Schema, body: dict[str, Any], found: Page, depth: int, check: bool = True) -> dict[str, Any]:
    properties = schema.object_properties()[0]
    fills: list[tuple[str, Any]] = []
    for name, prop in properties.items():
        kind = prop.type
        if name in _TOTALS and kind == "integer":
            fills.append((name, found.total))
        elif name in _MORE and kind == "boolean":
            fills.append((name, found.has_more))
        elif name in _NEXT:
            if kind == "integer" and found.page is not None:
                fills.append((name, found.page + 1 if found.has_more else None))
            elif found.next_cursor is not None or prop.nullable:
                fills.append((name, found.next_cursor))
        elif name in _PAGE_COUNTS and kind == "integer" and found.limit:
            fills.append((name, -(-found.total // found.limit)))
        elif name in PAGES and kind == "integer" and found.page is not None:
            fills.append((name, found.page))
        elif name in LIMITS and kind == "integer" and found.limit is not None:
            fills.append((name, found.limit))
        elif name in OFFSETS and kind == "integer":
            fills.append((name, found.offset))
        elif depth == 0 and isinstance(body.get(name), dict):
            fills.append((name, _meta(prop, body[name], found, depth + 1, check)))
    for name, value in fills:
        body = _with(schema, body, name, value, check)
    return body
