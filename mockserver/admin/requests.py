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
from mockserver.pipeline.journal import Journal, RequestFilter, select
from mockserver.pipeline.near_miss import near_misses

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def request_filter(
    api: str | None = None,
    operation: str | None = None,
    method: str | None = None,
    path: str | None = None,
    status: int | str | None = None,
    since: float | None = None,
) -> RequestFilter:
    """A filter from the admin API's parameters (already checked by its document)."""
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    return RequestFilter(
        api=api, operation=operation, method=method, path=path, status=status, since=since
    )


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    def journal() -> Journal:
        found = server.control.journal
        if found is None:
            raise AdminError(
                409,
                "journal_disabled",
                "The request journal is off: the mock was started with --journal-size 0.",
            )
        return found

    def list_requests(limit: int | None = None, **filters: Any) -> dict[str, Any]:
        where = request_filter(**filters)
        return {"requests": select(journal().entries(), where, limit)}

    def count_requests(body: dict[str, Any]) -> dict[str, Any]:
        where = request_filter(**body)
        return {"count": sum(1 for entry in journal().entries() if where.matches(entry))}

    def clear_requests(api: str | None = None) -> dict[str, Any]:
        return {"cleared": journal().clear(api)}

    def list_near_misses(limit: int | None = None) -> dict[str, Any]:
        entries = journal().entries()
        return {"requests": near_misses(entries, server.runtimes, limit)}

    return {
        "listRequests": list_requests,
        "countRequests": count_requests,
        "clearRequests": clear_requests,
        "listNearMisses": list_near_misses,
    }
