"""Faults: make the mock misbehave on purpose (WireMock's delays and faults).

A fault applies to one operation (by operationId, optionally of one API) or to every
operation, and does one of, or a delay with one of:

* ``delay_ms``: wait that long (or a uniformly drawn time within ``[low, high]``) before
  the request is handled as usual;
* ``status``: answer that status with the API's own error body for it (the operation's
  documented response, else the API's error format), without running the handler;
* ``drop``: close the connection without answering.

``times`` bounds how many requests it applies to (then it is gone); ``probability`` makes
it apply to that share of the requests it matches, drawn from a generator of its own
seeded from the server's ``--seed`` (or the fault's ``seed``), so a run is reproducible.

Faults never change state: a status or drop fault answers before any unit of work is
opened, and a delay is waited before one is (the memory store holds a lock for the length
of a unit). Where requests first meet faults is :mod:`mockserver.middleware`; this module
only keeps them and decides which one a request gets.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from typing import Any

#: The longest delay a fault may ask for, in milliseconds.
MAX_DELAY_MS = 60_000


@dataclass(eq=False)
class Fault:
    """One fault and how often it has applied."""

    id: str
    api: str | None = None
    operation: str | None = None
    status: int | None = None
    #: Milliseconds, or ``(low, high)`` to draw from.
    delay_ms: int | tuple[int, int] | None = None
    drop: bool = False
    #: How many requests it applies to in all (``None``: no limit).
    times: int | None = None
    probability: float = 1.0
    #: Seeds the draws of ``probability`` and of a delay range.
    seed: int | None = None
    applied: int = field(default=0, init=False)
    #: How many more requests it applies to (``None``: no limit).
    remaining: int | None = field(default=None, init=False)
    _random: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.remaining = self.times
        self._random = random.Random(self.seed)

    def concerns(self, api: str, operation: str) -> bool:
        return (self.api is None or self.api == api) and (
            self.operation is None or self.operation == operation
        )

    def fires(self) -> bool:
        """Whether it applies to the request at hand (drawn when ``probability`` < 1)."""
        return self.probability >= 1.0 or self._random.random() < self.probability

    def draw_delay(self) -> int:
        delay = self.delay_ms
        if delay is None:
            return 0
        if isinstance(delay, int):
            return delay
        return self._random.randint(delay[0], delay[1])

    def describe(self) -> dict[str, Any]:
        """The fault as the admin API shows it."""
        shown: dict[str, Any] = {"id": self.id, "api": self.api, "operation": self.operation}
        if self.status is not None:
            shown["status"] = self.status
        if self.delay_ms is not None:
            delay = self.delay_ms
            shown["delay_ms"] = list(delay) if isinstance(delay, tuple) else delay
        if self.drop:
            shown["drop"] = True
        shown.update(
            times=self.times,
            remaining=self.remaining,
            probability=self.probability,
            seed=self.seed,
            applied=self.applied,
        )
        return shown


class Faults:
    """The faults in force, in the order they were added: the first that fires applies."""

    def __init__(self, seed: int | None = None) -> None:
        #: The server's ``--seed``: each fault without a seed of its own gets one from it.
        self.seed = seed
        #: The faults in force, in order (empty: the pipeline looks no further).
        self.active: list[Fault] = []
        self._ids = itertools.count(1)
        self._seeds = random.Random(seed)

    def __iter__(self) -> Any:
        return iter(list(self.active))

    def add(
        self,
        *,
        api: str | None = None,
        operation: str | None = None,
        status: int | None = None,
        delay_ms: int | tuple[int, int] | list[int] | None = None,
        drop: bool = False,
        times: int | None = None,
        probability: float = 1.0,
        seed: int | None = None,
    ) -> Fault:
        """Add a fault (``ValueError`` naming the field when it makes no sense)."""
        if status is None and delay_ms is None and not drop:
            raise FaultError("status", "A fault needs a status, a delay_ms or drop: true.")
        if status is not None and drop:
            raise FaultError("drop", "A fault either answers a status or drops the connection.")
        if status is not None and not 400 <= status <= 599:
            raise FaultError("status", "A fault's status is an error status, 400 to 599.")
        delay: int | tuple[int, int] | None = None
        if isinstance(delay_ms, (list, tuple)):
            if len(delay_ms) != 2 or delay_ms[0] > delay_ms[1]:
                raise FaultError("delay_ms", "A delay range is [low, high] with low <= high.")
            delay = (int(delay_ms[0]), int(delay_ms[1]))
            bounds = delay
        elif delay_ms is not None:
            delay = int(delay_ms)
            bounds = (delay, delay)
        if delay is not None and not (0 <= bounds[0] and bounds[1] <= MAX_DELAY_MS):
            raise FaultError("delay_ms", f"A delay is 0 to {MAX_DELAY_MS} ms.")
        if times is not None and times < 1:
            raise FaultError("times", "times is at least 1 (omit it for no limit).")
        if not 0.0 < probability <= 1.0:
            raise FaultError("probability", "probability is more than 0 and at most 1.")
        fault = Fault(
            id=f"flt_{next(self._ids)}",
            api=api,
            operation=operation,
            status=status,
            delay_ms=delay,
            drop=drop,
            times=times,
            probability=probability,
            seed=seed if seed is not None else self._seeds.randrange(2**32),
        )
        self.active.append(fault)
        return fault

    def remove(self, fault_id: str) -> Fault | None:
        for fault in self.active:
            if fault.id == fault_id:
                self.active.remove(fault)
                return fault
        return None

    def clear(self, api: str | None = None) -> int:
        """Remove every fault (or those that concern only ``api``); how many were removed."""
        before = len(self.active)
        self.active = [f for f in self.active if api is not None and f.api != api]
        return before - len(self.active)

    def pick(self, api: str, operation: str) -> Fault | None:
        """The fault the request for ``operation`` of ``api`` gets (counted as applied), if any."""
        for fault in self.active:
            if fault.concerns(api, operation) and fault.fires():
                fault.applied += 1
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.active.remove(fault)
                return fault
        return None


class FaultError(ValueError):
    """A fault that makes no sense; ``field`` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
