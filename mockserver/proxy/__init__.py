"""``mockserver proxy``: a reverse proxy that checks real traffic against an OpenAPI contract.

:mod:`.app` forwards and checks each exchange, :mod:`.report` counts the findings and writes
the report, :mod:`.admin` guards ``/__admin/violations``, :mod:`.errors` renders the proxy's own
answers in the API's error format, :mod:`.cli` is the command.
"""

from mockserver.proxy.app import ContractProxy
from mockserver.proxy.errors import ErrorFormat
from mockserver.proxy.report import Finding, ViolationLog

__all__ = ["ContractProxy", "ErrorFormat", "Finding", "ViolationLog"]
