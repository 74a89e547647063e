"""``POST /reset``: every API (or one) back to its fixtures, and the clock back to real time.

With the state, the journal forgets the API's requests and its faults are removed (a fault
for every API goes only with a reset of every API): see ``MockServer.reset``. The spec
coverage is kept (``DELETE /coverage``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.admin.clock import clock_state
from mockserver.admin.errors import AdminError

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    def reset_state(api: str | None = None) -> dict[str, Any]:
        try:
            names = server.reset(api)
        except KeyError:
            raise AdminError(404, "not_found", f"No API named {api!r} is mounted.", "api") from None
        # one clock serves every API: whichever is reset, it goes back to real time
        server.clock.reset()
        return {"reset": names, "clock": clock_state(server.clock)}

    return {"resetState": reset_state}
