"""Async actions: how the vendor reports bulk work (generating, importing, updating and
deleting a campaign's vouchers).

The mock does the work inside the request that starts it, and records the action as the
vendor reports a finished one: ``DONE``, progress 100, with its result. The request gets
the action's id (``async_action_id``) where the vendor gives it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from mockserver.store import transactional

from ..dates import format_millis, to_millis
from ..exceptions import NotFound
from .base import ASYNC_ACTIONS, BackendBase, Record, as_row, new_hex_id

GENERATE = "CAMPAIGN.VOUCHERS_GENERATE"
IMPORT = "CAMPAIGN.VOUCHERS_IMPORT"
IMPORT_CSV = "CAMPAIGN.VOUCHERS_IMPORT_CSV"
UPDATE = "CAMPAIGN.VOUCHERS_UPDATE"
DELETE = "CAMPAIGN.VOUCHERS_DELETE"


@dataclass
class AsyncAction:
    id: str
    type: str
    created_at: int
    request_id: str
    result: Record

    def to_dict(self, *, detail: bool = True) -> Record:
        moment = format_millis(self.created_at)
        record: Record = {
            "id": self.id,
            "type": self.type,
            "status": "DONE",
            "created_at": moment,
            "updated_at": moment,
            "request_id": self.request_id,
            "progress": 100,
            "processing_time": 0,
        }
        if detail:
            record["result"] = copy.deepcopy(self.result)
        record["object"] = "async_action"
        return record


def done(message: str, count: int) -> Record:
    """The result of an action that cannot fail item by item."""
    return {"message": message, "done_count": count}


def imported(done_count: int, failed: list[Record]) -> Record:
    """The result of an import: what was imported, and each item that was not."""
    return {
        "message": f"{done_count} voucher(s) imported successfully, {len(failed)} failed.",
        "failed": failed,
        "done_count": done_count,
        "failed_count": len(failed),
    }


class AsyncActionRules(BackendBase):
    def record_action(self, kind: str, result: Record) -> str:
        """Record a finished action; its id."""
        action = AsyncAction(
            id=new_hex_id("aa_"),
            type=kind,
            created_at=self.now(),
            request_id=new_hex_id("v-"),
            result=result,
        )
        self.unit.add(ASYNC_ACTIONS, action.id, as_row(action))
        return action.id

    @transactional
    def get_async_action(self, ident: str) -> Record:
        row = self.unit.get(ASYNC_ACTIONS, ident)
        if row is None:
            raise NotFound("async_action", ident)
        return AsyncAction(**row).to_dict()

    @transactional
    def list_async_actions(self, *, limit: int = 10, end_date: Any = None) -> Record:
        """Newest first; ``end_date`` keeps the actions scheduled before it."""
        actions = [AsyncAction(**row) for row in self.rows(ASYNC_ACTIONS)]
        if end_date is not None:
            bound = to_millis(end_date if isinstance(end_date, str) else end_date.isoformat())
            if bound is not None:
                actions = [a for a in actions if a.created_at < bound]
        actions = sorted(reversed(actions), key=lambda a: a.created_at, reverse=True)
        return {
            "object": "list",
            "data_ref": "async_actions",
            "async_actions": [a.to_dict(detail=False) for a in actions[:limit]],
            "has_more": len(actions) > limit,
        }
