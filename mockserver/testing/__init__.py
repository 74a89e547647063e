"""The mock for client teams' test suites: a real HTTP server per API, owned by the test process.

With the package installed, pytest loads :mod:`mockserver.testing.pytest_plugin` by itself
(entry point ``pytest11``): the fixtures ``vinr_mock``, ``voucherify_mock`` and
``mock_server_factory`` are available in every test, with no import and no ``conftest.py``.

Outside pytest, :func:`start_mock` gives the same :class:`MockHandle`::

    mock = start_mock("vinr")
    httpx.get(mock.url + "/v1/campaigns", headers={"Authorization": f"Bearer {mock.api_key}"})
    mock.clock.advance(86400)
    mock.count(operation="listCampaigns")       # 1: the request journal
    mock.faults.add(status=503, operation="listCampaigns", times=1)
    mock.reset()
    mock.close()
"""

from mockserver.testing.control import InvalidArgument, InvalidFault, InvalidFilter, MockFaults
from mockserver.testing.handle import DEFAULT_API_KEY, MockHandle, MockPool, start_mock

__all__ = [
    "DEFAULT_API_KEY",
    "InvalidArgument",
    "InvalidFault",
    "InvalidFilter",
    "MockFaults",
    "MockHandle",
    "MockPool",
    "start_mock",
]
