"""The admin API under ``/__admin``, outside every mocked API's contract.

``GET  /__admin/health``        which APIs are mounted where.
``POST /__admin/reset``         every API (or ``?api=NAME``) back to its fixtures, and the
                                clock back to real time.
``GET  /__admin/clock``         the mock's current time.
``POST /__admin/clock``         move it: ``{"advance": seconds}``, ``{"set": unix}``,
                                ``{"freeze": true|false}``, ``{"reset": true}``.
``GET  /__admin/violations``    responses that broke the contract (always a bug).
``GET  /__admin/openapi.json``  this API's own document (``openapi.yaml`` here).

It is a plug-in of the engine like the mocked APIs (:class:`~mockserver.admin.api.AdminAPI`):
its requests go through the same security check (``Authorization: Bearer <token>``),
validation and dispatch, and its responses are validated against its document.
:class:`~mockserver.admin.guard.AdminGuard` refuses, in front of that, what a web page could
send (foreign ``Host`` or ``Origin``, preflights, non-JSON bodies); the pipeline then reads
each body with the strict decoder (:mod:`mockserver.decoding`), as for every API.

Layout: one module per concern (``status``, ``state``, ``clock``), each with thin handlers;
``errors`` (the one error format), ``hosts`` (loopback and allowed hosts), ``guard``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mockserver.admin.api import AdminAPI
from mockserver.admin.guard import AdminGuard
from mockserver.admin.hosts import HostPolicy, is_loopback

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime, MockServer

__all__ = ["MAX_BODY", "PREFIX", "AdminAPI", "AdminGuard", "AdminOptions", "is_loopback", "mount"]

PREFIX = "/__admin"
#: Largest admin request body, in bytes.
MAX_BODY = 64 * 1024


@dataclass(frozen=True)
class AdminOptions:
    """Who may use the admin API."""

    #: The only bearer token accepted (``None``: any non-empty token).
    token: str | None = None
    #: Host names the admin API answers besides loopback and the bound address.
    allowed_hosts: Sequence[str] = ()
    #: The address the server is bound to (``None``: in-process, loopback only).
    bound_host: str | None = None

    def host_policy(self) -> HostPolicy:
        return HostPolicy.build(self.bound_host, self.allowed_hosts)


def mount(server: MockServer, options: AdminOptions) -> ApiRuntime:
    """Build the admin API's runtime and mount it on ``server`` at :data:`PREFIX`."""
    from mockserver.runtime import ApiRuntime

    api = AdminAPI(server, options.token)
    api.mounted_at(PREFIX)
    runtime = ApiRuntime(api=api, base_path=PREFIX, max_body=MAX_BODY, validate=True)
    server.admin = runtime
    return runtime
