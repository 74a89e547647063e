"""Events: what happened to every object, newest first (``campaign.created``, ``offer.ended``...)."""

from __future__ import annotations

from mockserver.store import transactional

from ..exceptions import ResourceMissing
from .base import BackendBase, Record
from .redemptions import _row_created, _row_id


class EventRules(BackendBase):
    @transactional
    def retrieve_event(self, ident: str) -> Record:
        event = self.unit.get("events", ident)
        if event is None:
            raise ResourceMissing("event", ident)
        return event

    @transactional
    def list_events(
        self,
        *,
        type_: str | None,
        limit: int,
        starting_after: str | None,
        ending_before: str | None,
    ) -> Record:
        rows = self.unit.rows("events")
        if type_ is not None:
            if type_.endswith(".*"):
                prefix = type_[:-1]
                rows = [e for e in rows if e["type"].startswith(prefix)]
            else:
                rows = [e for e in rows if e["type"] == type_]
        return self._list(
            rows,
            lambda e: e,
            "/v1/events",
            key=_row_id,
            created=_row_created,
            limit=limit,
            starting_after=starting_after,
            ending_before=ending_before,
        )
