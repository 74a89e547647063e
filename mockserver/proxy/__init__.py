"""``mockserver proxy``: a reverse proxy that checks real traffic against an OpenAPI contract.

:mod:`.app` forwards and checks each exchange, :mod:`.report` counts the findings and writes
the report, :mod:`.admin` guards ``/__admin/violations``, :mod:`.errors` renders the proxy's own
answers in the API's error format, :mod:`.cli` is the command.

The names below are imported on first use: ``mockserver --help`` (which loads :mod:`.cli`)
does not pay for the proxy's HTTP client and validators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mockserver.proxy.app import ContractProxy
    from mockserver.proxy.errors import ErrorFormat
    from mockserver.proxy.report import Finding, ViolationLog

__all__ = ["ContractProxy", "ErrorFormat", "Finding", "ViolationLog"]

_HOME = {
    "ContractProxy": "mockserver.proxy.app",
    "ErrorFormat": "mockserver.proxy.errors",
    "Finding": "mockserver.proxy.report",
    "ViolationLog": "mockserver.proxy.report",
}


def __getattr__(name: str) -> Any:
    if name in _HOME:
        return getattr(importlib.import_module(_HOME[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
