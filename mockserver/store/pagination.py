"""Cursor pagination over an ordered list (Stripe semantics)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


class CursorNotFound(LookupError):
    """A pagination cursor names an object that is not in the list."""

    def __init__(self, param: str, cursor: str) -> None:
        super().__init__(cursor)
        self.param = param
        self.cursor = cursor


@dataclass
class Page(Generic[T]):
    items: list[T]
    has_more: bool


def paginate(
    items: list[T],
    *,
    limit: int,
    starting_after: str | None = None,
    ending_before: str | None = None,
    key: Callable[[T], str],
) -> Page[T]:
    """Cursor pagination over an already ordered list (Stripe semantics)."""
    if starting_after is not None:
        index = _index_of(items, starting_after, key, "starting_after")
        window = items[index + 1 : index + 1 + limit]
        return Page(window, index + 1 + limit < len(items))
    if ending_before is not None:
        index = _index_of(items, ending_before, key, "ending_before")
        start = max(0, index - limit)
        return Page(items[start:index], start > 0)
    return Page(items[:limit], limit < len(items))


def _index_of(items: list[T], cursor: str, key: Callable[[T], str], param: str) -> int:
    for index, item in enumerate(items):
        if key(item) == cursor:
            return index
    raise CursorNotFound(param, cursor)
