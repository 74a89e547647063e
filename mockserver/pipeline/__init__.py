"""The request pipeline's record and the parts that read it or act on it.

:mod:`mockserver.middleware` orders the steps; each concern is a module here:

``outcome``     the one record per request the steps fill in and observers read
``journal``     the last N requests (``/__admin/requests``), credentials redacted
``near_miss``   for requests that matched no operation or failed validation: the closest
                operation and why it did not match
``coverage``    per operation: calls, statuses produced and never produced, parameters
                never sent (``/__admin/coverage``); ``coverage_report`` writes it as JSON,
                Markdown or JUnit XML
``faults``      delays, error statuses and dropped connections on purpose
                (``/__admin/faults``)
``prefer``      the ``Prefer`` header (Prism-compatible): a documented status, a named
                example, or a generated body, without running the handler
``access_log``  one log line per request, in one format for every request

:class:`Control` holds one server's journal, coverage and faults, and calls the
observers once a request has been answered.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from mockserver.pipeline.access_log import AccessLog
from mockserver.pipeline.coverage import Coverage
from mockserver.pipeline.faults import Fault, FaultError, Faults
from mockserver.pipeline.journal import (
    DEFAULT_SIZE,
    Entry,
    Journal,
    MemoryJournal,
    RequestFilter,
    select,
)
from mockserver.pipeline.outcome import OUTCOME, Outcome

__all__ = [
    "DEFAULT_SIZE",
    "OUTCOME",
    "AccessLog",
    "Control",
    "Coverage",
    "Fault",
    "FaultError",
    "Faults",
    "Journal",
    "JournalDisabled",
    "MemoryJournal",
    "Outcome",
    "RequestFilter",
]

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime

log = logging.getLogger("mockserver")

Observer = Callable[[Outcome], None]


class JournalDisabled(LookupError):
    """The journal is off (``--journal-size 0``): there is nothing to list or count."""


class Control:
    """One server's journal, coverage, faults and access log.

    ``journal_size=0`` turns the journal off. ``seed`` seeds every random draw the mock
    makes on its own (fault probabilities and delay ranges, generated bodies).
    """

    def __init__(self, journal_size: int = DEFAULT_SIZE, seed: int | None = None) -> None:
        #: ``--seed`` (``None``: dynamic answers differ from run to run).
        self.seed = seed
        #: What static answers (examples, schema-made bodies) are made from.
        self.static_seed = seed or 0
        self._seeds = random.Random(seed)
        self.journal: Journal | None = MemoryJournal(journal_size) if journal_size > 0 else None
        self.coverage = Coverage()
        self.faults = Faults(seed)
        self.access_log = AccessLog()
        #: Called in turn with each answered request's outcome (the journal last: it keeps
        #: only what it shows).
        self.observers: list[Observer] = [self.coverage.observe, self.access_log.observe]
        if self.journal is not None:
            self.observers.append(self._journal)

    # -- what tests and the admin API ask ----------------------------------------------------

    def requests(self, *, limit: int | None = None, **filters: Any) -> list[Entry]:
        """Journal entries matching ``filters`` (:class:`RequestFilter`'s fields), newest first.

        :class:`JournalDisabled` when the journal is off.
        """
        return select(self._journal_or_fail().entries(), RequestFilter.of(**filters), limit)

    def count(self, **filters: Any) -> int:
        """How many journal entries match ``filters`` (verification)."""
        where = RequestFilter.of(**filters)
        return sum(1 for entry in self._journal_or_fail().entries() if where.matches(entry))

    def add_fault(self, runtimes: Sequence[ApiRuntime], **fields: Any) -> Fault:
        """Add a fault (:meth:`Faults.add`'s fields) for an API and operation that are mounted
        (``runtimes``); :class:`FaultError` naming the field otherwise."""
        api, operation = fields.get("api"), fields.get("operation")
        targets = [r for r in runtimes if api is None or r.api.name == api]
        if not targets:
            raise FaultError("api", f"No API named {api!r} is mounted.")
        if operation is not None and not any(operation in r.validators for r in targets):
            where = f"API {api!r}" if api is not None else "any mounted API"
            raise FaultError("operation", f"No operation {operation!r} in {where}.")
        return self.faults.add(**fields)

    def _journal_or_fail(self) -> Journal:
        if self.journal is None:
            raise JournalDisabled("The request journal is off: the mock was started with --journal-size 0.")
        return self.journal

    def reset(self, api: str | None = None) -> None:
        """With the state of ``api`` (or every API): forget its requests, remove its faults.
        The coverage is kept: it describes a whole run."""
        if self.journal is not None:
            self.journal.clear(api)
        self.faults.clear(api)

    def next_seed(self) -> int:
        """A seed for the next dynamic answer: a reproducible sequence from ``--seed``."""
        return self._seeds.randrange(2**32)

    def _journal(self, outcome: Outcome) -> None:
        if not outcome.admin:
            assert self.journal is not None
            self.journal.record(outcome)

    def finish(self, outcome: Outcome) -> list[Exception]:
        """Hand ``outcome`` to every observer; the errors they raised (bugs, logged)."""
        outcome.duration_ms = (time.perf_counter() - outcome.started) * 1000
        errors: list[Exception] = []
        for observer in self.observers:
            try:
                observer(outcome)
            except Exception as exc:
                log.exception("observer %r failed on %s %s", observer, outcome.method, outcome.path)
                errors.append(exc)
        return errors
