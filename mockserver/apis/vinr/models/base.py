"""What every VINR resource shares: the store, the clock, events, lists and the unit-of-work helper.

Every public method of the backend is a :func:`~mockserver.store.transactional` one: it runs
in the request's unit of work (or in one of its own when called directly), after the clock's
progress has emitted the ``*.ended`` events that fell due (:meth:`BackendBase.on_unit`). Entities are read from the store, changed,
and written back with ``save``; nothing is changed in place, so a request that fails
(any error response) leaves the store as it was.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from mockserver.clock import Clock
from mockserver.store import Backend, CursorNotFound, Store, UnitOfWork, paginate

from ..exceptions import InvalidRequest

Record = dict[str, Any]
R = TypeVar("R")

_ALPHABET = string.ascii_letters + string.digits

#: Queue of the campaigns and offers whose end is still to be announced.
ENDINGS = "endings"


def new_id(prefix: str, length: int = 14) -> str:
    """A random id such as ``cmp_4Fj7tNq2...`` (62^14 possibilities: never handed out twice)."""
    return prefix + "".join(secrets.choice(_ALPHABET) for _ in range(length))


def merge_metadata(current: Mapping[str, str], update: Mapping[str, Any]) -> dict[str, str]:
    """Stripe semantics: keys set to ``""`` (or null) are removed, others are set."""
    merged = dict(current)
    for key, value in update.items():
        if value == "" or value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


class BackendBase(Backend):
    """The store and the clock, and what the resources share."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock
        #: Path prefix the API is served under, for the ``url`` of list objects.
        self.url_prefix = ""

    @property
    def unit(self) -> UnitOfWork:
        """The unit of work of the request being handled."""
        unit = self.store.current
        if unit is None:
            raise RuntimeError("VINR state is only reachable inside a unit of work")
        return unit

    def now(self) -> int:
        return self.clock.timestamp()

    def on_unit(self) -> None:
        self._tick()

    # -- time -------------------------------------------------------------------------------

    def _schedule_end(self, at: int, kind: str, ident: str) -> None:
        self.unit.schedule(ENDINGS, f"{kind}:{ident}", at)

    def _tick(self) -> int:
        """Emit ``*.ended`` for everything whose end has passed; return the time."""
        now = self.now()
        for at, member in self.unit.pop_due(ENDINGS, now):
            kind, _, ident = member.partition(":")
            self._announce_end(kind, ident, at, now)
        return now

    def _announce_end(self, kind: str, ident: str, at: int, now: int) -> None:
        """Emit ``<kind>.ended`` for the object if its end is still ``at`` (overridden)."""

    # -- events -----------------------------------------------------------------------------

    def _emit(
        self,
        type_: str,
        snapshot: Record,
        *,
        previous: Record | None = None,
        at: int | None = None,
    ) -> None:
        event_id = new_id("evt_")
        self.unit.add(
            "events",
            event_id,
            {
                "id": event_id,
                "object": "event",
                "type": type_,
                "created": self.now() if at is None else at,
                "data": {"object": snapshot, "previous_attributes": previous},
            },
        )

    def _emit_update(self, type_: str, before: Record, after: Record) -> None:
        previous = {k: v for k, v in before.items() if after.get(k) != v}
        if previous:
            self._emit(type_, after, previous=previous)

    # -- listing ----------------------------------------------------------------------------

    def _list(
        self,
        rows: list[R],
        render: Callable[[R], Record],
        url: str,
        *,
        key: Callable[[R], str],
        created: Callable[[R], int],
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        """A Stripe list object: newest first (the later stored first within a second)."""
        ordered = sorted(reversed(rows), key=created, reverse=True)
        try:
            page = paginate(
                ordered,
                limit=limit,
                starting_after=starting_after,
                ending_before=ending_before,
                key=key,
            )
        except CursorNotFound as exc:
            raise InvalidRequest(
                f"No such object in this list: '{exc.cursor}'",
                param=exc.param,
                code="resource_missing",
            ) from None
        return {
            "object": "list",
            "data": [render(row) for row in page.items],
            "has_more": page.has_more,
            "url": self.url_prefix + url,
        }
