"""The mock's single clock: every time rule of every API reads it.

Real time by default. It can be frozen at an instant or shifted by an offset, so
tests (and the admin API) can move time forward and watch campaigns end.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """A clock that is real by default and can be frozen or offset."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._frozen_at: float | None = None
        self._offset: float = 0.0

    def now(self) -> float:
        """Current time as Unix seconds (float)."""
        frozen = self._frozen_at
        if frozen is not None:
            return frozen
        return time.time() + self._offset

    def timestamp(self) -> int:
        """Current time as whole Unix seconds, the unit of every timestamp we expose."""
        return int(self.now())

    def freeze(self, at: float | None = None) -> None:
        """Stop the clock at ``at`` (or at the current mock time)."""
        with self._lock:
            self._frozen_at = self.now() if at is None else float(at)

    def advance(self, seconds: float) -> None:
        """Move the clock forward (or back, with a negative value)."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at += seconds
            else:
                self._offset += seconds

    def set(self, at: float) -> None:
        """Jump to ``at``, keeping the clock running (or frozen) as it was."""
        with self._lock:
            if self._frozen_at is not None:
                self._frozen_at = float(at)
            else:
                self._offset = float(at) - time.time()

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

    @property
    def frozen(self) -> bool:
        return self._frozen_at is not None
