"""Enforce the spec's security requirements.

A request passes when it satisfies one of the operation's requirements (OR),
that is, carries credentials for every scheme the requirement names (AND). Any
non-empty credential is accepted unless API keys were configured, in which case
every credential the satisfied requirement reads must be one of those keys (for
Voucherify's pair: configure both the application id and its token).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from mockserver.exceptions import Problem, ProblemKind
from mockserver.spec import Document, security_schemes


@dataclass(frozen=True)
class Scheme:
    name: str
    type: str
    scheme: str = ""
    location: str = "header"
    param: str = "Authorization"

    def credential(
        self, headers: Mapping[str, str], query: Mapping[str, str], cookies: Mapping[str, str]
    ) -> str | None:
        """The credential this scheme reads from the request, or ``None`` when it is absent."""
        if self.type == "apiKey":
            source = {"header": headers, "query": query, "cookie": cookies}.get(self.location, {})
            value = source.get(self.param)
            return value.strip() or None if value else None
        authorization = headers.get("authorization", "")
        prefix, _, token = authorization.partition(" ")
        expected = "basic" if self.type == "http" and self.scheme.lower() == "basic" else "bearer"
        if prefix.lower() != expected:
            return None
        return token.strip() or None

    def describe(self) -> str:
        if self.type == "apiKey":
            return f"{self.param} {self.location}"
        if self.type == "http" and self.scheme.lower() == "basic":
            return "Authorization: Basic"
        return "Authorization: Bearer <key>"


def read_schemes(spec: Mapping[str, Any] | Document) -> dict[str, Scheme]:
    """The document's security schemes (``$ref`` resolved), as the policy enforces them."""
    schemes = spec.security_schemes if isinstance(spec, Document) else security_schemes(spec)
    return {
        name: Scheme(
            name=name,
            type=raw.type,
            scheme=raw.scheme,
            location=raw.location or "header",
            param=raw.param_name or "Authorization",
        )
        for name, raw in schemes.items()
    }


class SecurityPolicy:
    """Checks requests against one API's security schemes and configured keys."""

    def __init__(self, schemes: Mapping[str, Scheme], api_keys: frozenset[str]) -> None:
        self.schemes = dict(schemes)
        self.api_keys = api_keys

    def check(
        self,
        requirements: Sequence[Mapping[str, Any]],
        headers: Mapping[str, str],
        query: Mapping[str, str],
        cookies: Mapping[str, str],
    ) -> Problem | None:
        if not requirements:
            return None
        presented = False
        for requirement in requirements:
            if not requirement:
                return None
            values = []
            for scheme_name in requirement:
                scheme = self.schemes.get(scheme_name)
                value = scheme.credential(headers, query, cookies) if scheme else None
                if value is None:
                    break
                values.append(value)
            else:
                presented = True
                if not self.api_keys or all(v in self.api_keys for v in values):
                    return None
        if presented:
            return Problem(ProblemKind.INVALID_API_KEY, "Invalid API key provided.")
        accepted = " or ".join(
            " + ".join(self.schemes[n].describe() for n in req if n in self.schemes)
            for req in requirements
        )
        return Problem(
            ProblemKind.AUTHENTICATION_REQUIRED,
            f"No valid credentials provided. Authenticate with {accepted}.",
        )
