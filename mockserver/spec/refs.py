"""Local ``$ref`` resolution for one OpenAPI document.

References are JSON pointers into the same document (``#/components/schemas/Campaign``,
``#/$defs/Money``, ``#/paths/~1v1~1campaigns/get/parameters/0``). A reference to another
file or URL is refused with a :class:`SpecError` naming it: the engine serves one
self-contained document.

Resolution is lazy and cached: nothing is looked up until a reader asks for it, and the
same pointer always yields the same object (so a recursive schema is a cycle of shared
objects, never an infinite tree).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any

from mockserver.exceptions import ConfigurationError

__all__ = ["MISSING", "Missing", "Context", "SpecError", "escape", "pointer_name", "unescape"]


class SpecError(ConfigurationError):
    """The document cannot be read as OpenAPI: the message names the place and the problem."""


class Missing(enum.Enum):
    """The type of :data:`MISSING`."""

    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: "Not given", where ``None`` is a legitimate value (``default: null``, ``example: null``).
MISSING = Missing.MISSING


def unescape(token: str) -> str:
    """One JSON-pointer token, decoded (``~1`` is ``/``, ``~0`` is ``~``)."""
    return token.replace("~1", "/").replace("~0", "~")


def escape(token: str) -> str:
    """One JSON-pointer token, encoded."""
    return token.replace("~", "~0").replace("/", "~1")


def pointer_name(ref: str) -> str:
    """The last token of a pointer: ``#/components/schemas/Campaign`` -> ``Campaign``."""
    return unescape(ref.rsplit("/", 1)[-1])


class Context:
    """The raw document, its version, and the caches every model object shares."""

    __slots__ = ("root", "openapi31", "_targets", "objects")

    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        version = str(root.get("openapi", ""))
        #: OpenAPI 3.1 (JSON Schema 2020-12: ``type`` lists, ``examples``, sibling keywords).
        self.openapi31 = version.startswith("3.1") or version.startswith("3.2")
        self._targets: dict[str, Any] = {}
        #: (kind, pointer) -> the model object built for it (shared, built once).
        self.objects: dict[tuple[str, str], Any] = {}

    def lookup(self, ref: str) -> Any:
        """The raw node ``ref`` points at (one step: a ``$ref`` found there is not followed)."""
        try:
            return self._targets[ref]
        except KeyError:
            pass
        if not ref.startswith("#"):
            raise SpecError(
                f"$ref {ref!r} points outside the document; only local references (#/...) "
                "are supported"
            )
        node: Any = self.root
        tokens = ref[1:].split("/")
        for token in tokens[1:] if tokens[0] == "" else tokens:
            key = unescape(token)
            if isinstance(node, Mapping) and key in node:
                node = node[key]
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                raise SpecError(f"$ref {ref!r} does not resolve (no {key!r})")
        self._targets[ref] = node
        return node

    def follow(self, node: Any) -> tuple[Any, str | None]:
        """``node`` with its chain of ``$ref`` followed, and the first pointer of the chain.

        A chain that comes back to a pointer it already followed is a :class:`SpecError`.
        In OpenAPI 3.1, keywords beside a ``$ref`` are kept over the target's (summary,
        description, and for schemas any keyword); in 3.0 they are ignored, as the
        specification says.
        """
        first: str | None = None
        seen: list[str] = []
        siblings: dict[str, Any] = {}
        while isinstance(node, Mapping) and isinstance(node.get("$ref"), str):
            ref = node["$ref"]
            if ref in seen:
                raise SpecError(f"$ref cycle: {' -> '.join([*seen, ref])}")
            if self.openapi31 and len(node) > 1:
                siblings = {**{k: v for k, v in node.items() if k != "$ref"}, **siblings}
            seen.append(ref)
            first = first or ref
            node = self.lookup(ref)
        if siblings and isinstance(node, Mapping):
            node = {**node, **siblings}
        return node, first
