"""``/faults``: make the mock misbehave on purpose (:mod:`mockserver.pipeline.faults`).

The document bounds each field; what it cannot say (a status and a drop together, a delay
range backwards, an operation no mounted API has) is a ``400 invalid_request`` naming the
field (:meth:`mockserver.pipeline.Control.add_fault`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from mockserver.admin.errors import AdminError
from mockserver.pipeline.faults import FaultError

if TYPE_CHECKING:
    from mockserver.runtime import MockServer


def handlers(server: MockServer) -> dict[str, Callable[..., Any]]:
    faults = server.control.faults

    def create_fault(body: dict[str, Any]) -> tuple[dict[str, Any], int]:
        try:
            fault = server.control.add_fault(server.runtimes, **body)
        except FaultError as exc:
            raise AdminError(400, "invalid_request", exc.message, exc.field) from None
        return fault.describe(), 201

    def list_faults() -> dict[str, Any]:
        return {"faults": [fault.describe() for fault in faults]}

    def clear_faults() -> dict[str, Any]:
        return {"removed": faults.clear()}

    def found(fault_id: str) -> Any:
        for fault in faults:
            if fault.id == fault_id:
                return fault
        raise AdminError(404, "not_found", f"No fault {fault_id!r} is in force.", "faultId")

    def get_fault(faultId: str) -> dict[str, Any]:
        return dict(found(faultId).describe())

    def delete_fault(faultId: str) -> dict[str, Any]:
        fault = found(faultId)
        faults.remove(fault.id)
        return dict(fault.describe())

    return {
        "createFault": create_fault,
        "listFaults": list_faults,
        "clearFaults": clear_faults,
        "getFault": get_fault,
        "deleteFault": delete_fault,
    }
