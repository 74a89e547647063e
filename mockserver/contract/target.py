"""Where a run's requests go: an in-process ASGI app or a live base URL (the mock or not)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from mockserver.contract.config import _document, credential_headers

#: The admin token sent to a live mock's ``/__admin`` by default (a mock started without
#: ``--admin-token`` accepts any).
DEFAULT_ADMIN_TOKEN = "admin"

_ASGI_BASE = "http://testserver"


@dataclass
class Target:
    """Where requests go: an in-process ASGI app or a base URL."""

    app: Any | None
    base_url: str | None
    api: str | None
    timeout: float = 10.0
    #: Bearer token for a live mock's admin API.
    admin_token: str = DEFAULT_ADMIN_TOKEN
    #: The admin API answered 401 to ``admin_token``.
    admin_refused: bool = field(default=False, init=False)
    _admin: Mapping[str, Any] | None = field(default=None, init=False)
    _admin_checked: bool = field(default=False, init=False)

    def describe(self) -> str:
        if self.base_url is not None:
            return self.base_url
        return f"in-process ASGI app ({_ASGI_BASE}{self.base_path() or '/'})"

    def mock(self) -> Any | None:
        return getattr(self.app, "mock", None) if self.base_url is None else None

    def base_path(self) -> str:
        mock = self.mock()
        if mock is None:
            return ""
        for runtime in mock.runtimes:
            if self.api is None or runtime.api.name == self.api:
                return str(runtime.base_path)
        return ""

    def schemathesis_base_url(self) -> str | None:
        if self.base_url is not None:
            return self.base_url
        path = self.base_path()
        return f"{_ASGI_BASE}{path}" if path else None

    def violations(self) -> list[Any]:
        mock = self.mock()
        return list(mock.violations()) if mock is not None else []

    # Live targets: is it the mock (its admin API answers)?

    def _origin(self) -> str:
        assert self.base_url is not None
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}"

    def admin_health(self) -> Mapping[str, Any] | None:
        if self.base_url is None or self._admin_checked:
            return self._admin
        self._admin_checked = True
        import requests

        try:
            response = requests.get(
                self._origin() + "/__admin/health",
                headers=self._admin_headers(),
                timeout=self.timeout,
            )
            self.admin_refused = response.status_code == 401
            payload = response.json() if response.status_code == 200 else None
        except (requests.RequestException, ValueError):
            payload = None
        if isinstance(payload, Mapping) and isinstance(payload.get("apis"), list):
            self._admin = payload
        return self._admin

    def _admin_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.admin_token}"}

    def is_mock(self) -> bool:
        if self.base_url is None:
            return self.mock() is not None
        return self.admin_health() is not None

    def reset(self) -> None:
        """Back to the fixtures; a no-op against anything but the mock."""
        mock = self.mock()
        if mock is not None:
            if self.api is not None and any(r.api.name == self.api for r in mock.runtimes):
                mock.reset(self.api)
            else:
                mock.reset()
            return
        health = self.admin_health()
        if health is None:
            return
        import requests

        mounted = {
            entry.get("api") for entry in health.get("apis", []) if isinstance(entry, Mapping)
        }
        query = f"?api={self.api}" if self.api in mounted else ""
        try:
            requests.post(
                self._origin() + "/__admin/reset" + query,
                headers=self._admin_headers(),
                timeout=self.timeout,
            )
        except requests.RequestException:
            pass

    def accepts_any_key(self, raw_spec: Mapping[str, Any]) -> bool:
        """Whether a secured read succeeds with a random key (the mock without --api-key)."""
        assert self.base_url is not None
        probe = _probe_operation(raw_spec)
        headers = credential_headers(raw_spec, "sk_contract_probe_" + uuid.uuid4().hex)
        if probe is None or not headers:
            return False
        import requests

        try:
            response = requests.get(self.base_url + probe, headers=headers, timeout=self.timeout)
        except requests.RequestException:
            return False
        return 200 <= response.status_code < 300


def _probe_operation(raw_spec: Mapping[str, Any]) -> str | None:
    """A GET path without parameters that requires authentication, if the spec has one."""
    for op in _document(raw_spec).operations:
        if op.method != "get" or "{" in op.path:
            continue
        if op.requires_auth and not any(p.required for p in op.parameters):
            return op.path
    return None
