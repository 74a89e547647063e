"""``GET /clock`` and ``POST /clock``: read or move the clock every API shares.

The document already bounds each field (integers within the clock's range, booleans);
the clock itself refuses a move whose result would leave its range
(:class:`~mockserver.clock.ClockRangeError`), which becomes ``400 invalid_clock``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.admin.errors import AdminError
from mockserver.clock import Clock, ClockRangeError

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def clock_state(clock: Clock) -> dict[str, Any]:
    return {"now": clock.timestamp(), "frozen": clock.frozen, "real_time": clock.real_time}


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    clock = server.clock

    def get_clock() -> dict[str, Any]:
        return clock_state(clock)

    def move_clock(body: dict[str, Any]) -> dict[str, Any]:
        try:
            clock.move(
                reset=body.get("reset", False),
                set=body.get("set"),
                advance=body.get("advance"),
                freeze=body.get("freeze"),
            )
        except ClockRangeError as exc:
            raise AdminError(400, "invalid_clock", exc.message, exc.field) from None
        return clock_state(clock)

    return {"getClock": get_clock, "moveClock": move_clock}
