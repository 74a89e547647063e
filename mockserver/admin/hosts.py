"""Which hosts may talk to the admin API: loopback, the bound address, and allowed names.

Used twice: by ``mockserver serve`` to refuse binding beyond loopback without an admin
token, and by :class:`~mockserver.admin.guard.AdminGuard` to check each request's ``Host``
and ``Origin``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})
WILDCARD_ADDRESSES = frozenset({"0.0.0.0", "::", ""})


def normalise(name: str) -> str:
    """A host name or address as compared: lower case, no trailing dot, no IPv6 brackets."""
    name = name.strip().lower().rstrip(".")
    if name.startswith("[") and name.endswith("]"):
        name = name[1:-1]
    return name


def is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(normalise(name))
    except ValueError:
        return False
    return True


def is_loopback(name: str) -> bool:
    """``localhost``, or an address in 127.0.0.0/8 or ``::1``."""
    name = normalise(name)
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def host_of(header: str) -> str | None:
    """The host of a ``Host`` header value (``name``, ``name:port``, ``[v6]:port``)."""
    value = header.strip()
    if not value:
        return None
    if value.startswith("["):
        end = value.find("]")
        return normalise(value[: end + 1]) if end > 0 else None
    if value.count(":") == 1:
        value = value.split(":", 1)[0]
    return normalise(value) or None


def origin_host(origin: str) -> str | None:
    """The host of an ``Origin`` header value, or ``None`` for ``null`` and malformed ones."""
    try:
        host = urlsplit(origin.strip()).hostname
    except ValueError:
        return None
    return normalise(host) if host else None


@dataclass(frozen=True)
class HostPolicy:
    """The hosts and origins the admin API answers."""

    #: The address the server is bound to (``None``: unknown, e.g. in-process).
    bound: str | None = None
    #: Extra names (``--allowed-host``).
    allowed: frozenset[str] = frozenset()

    @classmethod
    def build(cls, bound: str | None = None, allowed: Iterable[str] = ()) -> HostPolicy:
        return cls(
            bound=normalise(bound) if bound is not None else None,
            allowed=frozenset(normalise(name) for name in allowed if name.strip()),
        )

    def _known(self, host: str) -> bool:
        return is_loopback(host) or host in self.allowed or (host == self.bound)

    def host_allowed(self, host: str) -> bool:
        """A ``Host`` the admin API answers: a DNS-rebinding attack needs a name it does not
        know. Bound to every interface, any IP address is the bound address."""
        if self._known(host):
            return True
        return self.bound in WILDCARD_ADDRESSES and is_ip(host)

    def origin_allowed(self, origin: str, host: str | None) -> bool:
        """An ``Origin`` from loopback, an allowed name, or the request's own (checked) host."""
        found = origin_host(origin)
        if found is None:
            return False
        return self._known(found) or (host is not None and found == host)
