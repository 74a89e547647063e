"""``/requests``: the request journal, its verification count, and the near-miss report.

Thin handlers over :mod:`mockserver.pipeline.journal` and
:mod:`mockserver.pipeline.near_miss`; the document bounds every filter, and a journal that
is off (``--journal-size 0``) answers ``409 journal_disabled`` rather than an empty list a
test could mistake for "nothing was sent".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.admin.errors import AdminError
from mockserver.pipeline import JournalDisabled
from mockserver.pipeline.journal import Journal
from mockserver.pipeline.near_miss import near_misses

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    control = server.control

    def journal() -> Journal:
        if control.journal is None:
            raise disabled()
        return control.journal

    def list_requests(limit: int | None = None, **filters: Any) -> dict[str, Any]:
        try:
            return {"requests": control.requests(limit=limit, **filters)}
        except JournalDisabled as exc:
            raise disabled() from exc

    def count_requests(body: dict[str, Any]) -> dict[str, Any]:
        try:
            return {"count": control.count(**body)}
        except JournalDisabled as exc:
            raise disabled() from exc

    def clear_requests(api: str | None = None) -> dict[str, Any]:
        return {"cleared": journal().clear(api)}

    def list_near_misses(limit: int | None = None) -> dict[str, Any]:
        return {"requests": near_misses(journal().entries(), server.runtimes, limit)}

    return {
        "listRequests": list_requests,
        "countRequests": count_requests,
        "clearRequests": clear_requests,
        "listNearMisses": list_near_misses,
    }


def disabled() -> AdminError:
    return AdminError(
        409,
        "journal_disabled",
        "The request journal is off: the mock was started with --journal-size 0.",
    )
