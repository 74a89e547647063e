"""The mock's single clock: every time rule of every API reads it.

Real time by default. It can be frozen at an instant or shifted by an offset, so
tests (and the admin API) can move time forward and watch campaigns end.

The clock never leaves the range of timestamps the APIs can represent, 0 (1970-01-01)
to :data:`MAX_TIMESTAMP` (9999-12-31 23:59:59 UTC, the largest ``starts_at``/``ends_at``
VINR allows): a move that would take it outside raises :class:`ClockRangeError` and
changes nothing, and a running clock set near the end stops at the last second. A value
that is not a finite number (NaN, infinity, a boolean) is refused the same way.

What the clock keeps (frozen or not, and its offset from real time) lives in a
:class:`ClockState`: in this process by default (:class:`LocalClockState`), or beside the
APIs' state when that outlives the process or is shared by several (SQLite, Redis: see
:mod:`mockserver.store.clock`), so that moving the clock through one worker moves it for
every worker. Each move is one atomic read-modify-write of that state.
"""

from __future__ import annotations

import abc
import threading
import time
from collections.abc import Callable
from typing import Any

#: The earliest and latest instants the clock can show (Unix seconds, UTC).
MIN_TIMESTAMP = 0
MAX_TIMESTAMP = 253_402_300_799

#: What the clock keeps: the instant it is frozen at (``None``: running) and its offset
#: from real time (seconds, used while running).
State = tuple[float | None, float]
REAL_TIME: State = (None, 0.0)


class ClockRangeError(ValueError):
    """A move the clock refuses; ``field`` names the input at fault (``set``, ``advance``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class ClockState(abc.ABC):
    """Where a clock's :data:`State` lives."""

    @abc.abstractmethod
    def read(self) -> State:
        """The current state."""

    @abc.abstractmethod
    def update(self, change: Callable[[State], State]) -> None:
        """Replace the state with ``change(state)`` atomically (nothing changes if it raises)."""

    def close(self) -> None:  # noqa: B027 (the local state holds nothing to release)
        """Release connections (the state is not used again)."""


class LocalClockState(ClockState):
    """The state in this process (``--state memory``)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = REAL_TIME

    def read(self) -> State:
        return self._state

    def update(self, change: Callable[[State], State]) -> None:
        with self._lock:
            self._state = change(self._state)


def shown(state: State, wall: float) -> float:
    """The instant a clock in ``state`` shows when real time is ``wall``."""
    frozen, offset = state
    if frozen is not None:
        return frozen
    return min(max(wall + offset, MIN_TIMESTAMP), MAX_TIMESTAMP)


class Clock:
    """A clock that is real by default and can be frozen or offset."""

    def __init__(self, state: ClockState | None = None) -> None:
        self.state = state if state is not None else LocalClockState()

    def now(self) -> float:
        """Current time as Unix seconds (float), within ``MIN_TIMESTAMP..MAX_TIMESTAMP``."""
        return shown(self.state.read(), time.time())

    def timestamp(self) -> int:
        """Current time as whole Unix seconds, the unit of every timestamp we expose."""
        return int(self.now())

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock at ``at`` (or at the current mock time)."""
        instant = None if at is None else _instant(at, "at")

        def change(state: State) -> State:
            return (shown(state, time.time()) if instant is None else instant), state[1]

        self.state.update(change)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""

        def change(state: State) -> State:
            wall = time.time()
            target = _advanced(shown(state, wall), seconds)
            return (target, state[1]) if state[0] is not None else (None, target - wall)

        self.state.update(change)

    def set(self, at: float) -> None:
        """Jump to ``at``, keeping the clock running (or frozen) as it was."""
        instant = _instant(at, "set")

        def change(state: State) -> State:
            return (instant, state[1]) if state[0] is not None else (None, instant - time.time())

        self.state.update(change)

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""

        def change(state: State) -> State:
            frozen = state[0]
            return state if frozen is None else (None, frozen - time.time())

        self.state.update(change)

    def reset(self) -> None:
        """Back to real time."""
        self.state.update(lambda _state: REAL_TIME)

    def move(
        self,
        *,
        reset: bool = False,
        set: float | None = None,
        advance: float | None = None,
        freeze: bool | None = None,
    ) -> None:
        """Several moves at once, all or nothing: ``reset``, then ``set`` or ``advance``, then
        ``freeze`` (``True`` stops the clock where it then stands, ``False`` lets it run)."""
        if set is not None and advance is not None:
            raise ClockRangeError("Send either set or advance, not both.", "advance")
        instant = None if set is None else _instant(set, "set")

        def change(state: State) -> State:
            wall = time.time()
            frozen = False if reset else state[0] is not None
            start = wall if reset else shown(state, wall)
            target = start
            if instant is not None:
                target = instant
            elif advance is not None:
                target = _advanced(start, advance)
            if freeze is not None:
                frozen = freeze
            return (target, 0.0) if frozen else (None, target - wall)

        self.state.update(change)

    @property
    def frozen(self) -> bool:
        return self.state.read()[0] is not None

    @property
    def real_time(self) -> bool:
        """Whether the clock shows real time (running, no offset)."""
        frozen, offset = self.state.read()
        return frozen is None and offset == 0.0


def _number(value: Any, field: str) -> float | int:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ClockRangeError(f"{field} must be a number of seconds, not {value!r}.", field)
    if isinstance(value, float) and value != value:
        raise ClockRangeError(f"{field} must be a finite number, not NaN.", field)
    return value


def _instant(value: Any, field: str) -> float:
    at = _number(value, field)
    if not MIN_TIMESTAMP <= at <= MAX_TIMESTAMP:
        raise ClockRangeError(
            f"{field}: {at!r} is outside the clock's range, {MIN_TIMESTAMP} to {MAX_TIMESTAMP} "
            "(9999-12-31T23:59:59Z).",
            field,
        )
    return float(at)


def _advanced(now: float, value: Any) -> float:
    seconds = _number(value, "advance")
    span = MAX_TIMESTAMP - MIN_TIMESTAMP
    if not -span <= seconds <= span or not MIN_TIMESTAMP <= now + seconds <= MAX_TIMESTAMP:
        raise ClockRangeError(
            f"advance: moving the clock by {seconds!r} seconds from {int(now)} would leave its "
            f"range, {MIN_TIMESTAMP} to {MAX_TIMESTAMP} (9999-12-31T23:59:59Z).",
            "advance",
        )
    return now + float(seconds)
