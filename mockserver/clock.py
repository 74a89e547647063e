"""The mock's single clock: every time rule of every API reads it.

Real time by default. It can be frozen at an instant or shifted by an offset, so
tests (and the admin API) can move time forward and watch campaigns end.

The clock never leaves the range of timestamps the APIs can represent, 0 (1970-01-01)
to :data:`MAX_TIMESTAMP` (9999-12-31 23:59:59 UTC, the largest ``starts_at``/``ends_at``
VINR allows): a move that would take it outside raises :class:`ClockRangeError` and
changes nothing, and a running clock set near the end stops at the last second. A value
that is not a finite number (NaN, infinity, a boolean) is refused the same way.
"""

from __future__ import annotations

import threading
import time
from typing import Any

#: The earliest and latest instants the clock can show (Unix seconds, UTC).
MIN_TIMESTAMP = 0
MAX_TIMESTAMP = 253_402_300_799


class ClockRangeError(ValueError):
    """A move the clock refuses; ``field`` names the input at fault (``set``, ``advance``)."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class Clock:
    """A clock that is real by default and can be frozen or offset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset: float = 0.0

    def now(self) -> float:
        """Current time as Unix seconds (float), within ``MIN_TIMESTAMP..MAX_TIMESTAMP``."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return min(max(time.time() + self._offset, MIN_TIMESTAMP), MAX_TIMESTAMP)

    def timestamp(self) -> int:
        """Current time as whole Unix seconds, the unit of every timestamp we expose."""
        return int(self.now())

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock at ``at`` (or at the current mock time)."""
        with self._lock:
            self._frozen_at = self.now() if at is None else _instant(at, "at")

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        with self._lock:
            target = _advanced(self.now(), seconds)
            if self._frozen_at is not None:
                self._frozen_at = target
            else:
                self._offset = target - time.time()

    def set(self, at: float) -> None:
        """Jump to ``at``, keeping the clock running (or frozen) as it was."""
        with self._lock:
            instant = _instant(at, "set")
            if self._frozen_at is not None:
                self._frozen_at = instant
            else:
                self._offset = instant - time.time()

    def unfreeze(self) -> None:
        """Let the clock run again from where it stands."""
        with self._lock:
            if self._frozen_at is not None:
                self._offset = self._frozen_at - time.time()
                self._frozen_at = None

    def reset(self) -> None:
        """Back to real time."""
        with self._lock:
            self._frozen_at = None
            self._offset = 0.0

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
        with self._lock:
            wall = time.time()
            frozen = False if reset else self._frozen_at is not None
            start = wall if reset else self.now()
            target = start
            if set is not None:
                target = _instant(set, "set")
            elif advance is not None:
                target = _advanced(start, advance)
            if freeze is not None:
                frozen = freeze
            if frozen:
                self._frozen_at, self._offset = target, 0.0
            else:
                self._frozen_at, self._offset = None, target - wall

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None

    @property
    def real_time(self) -> bool:
        """Whether the clock shows real time (running, no offset)."""
        return self._frozen_at is None and self._offset == 0.0


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
