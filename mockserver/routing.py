"""Find the operation a request is for, in time that does not grow with the spec.

A Starlette router (what Connexion routes with) tries each route's regular
expression in turn, so finding the last of 241 operations costs 241 matches.
:class:`RouteIndex` is a tree of path segments instead: a static segment is one
dict lookup, a ``{param}`` segment one branch, so a lookup costs the depth of the
path, whatever the number of operations.

>>> index = RouteIndex()
>>> index.add("/v1/campaigns/{id}", "get", "retrieveCampaign")
>>> index.match("GET", "/v1/campaigns/cmp_1")
Match(target='retrieveCampaign', params={'id': 'cmp_1'}, allowed=('GET',))
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")

_PARAM = re.compile(r"\{([^}/]+)\}")


@dataclass
class _Node(Generic[T]):
    static: dict[str, _Node[T]] = field(default_factory=dict)
    #: A segment that is one whole ``{name}``.
    param: tuple[str, _Node[T]] | None = None
    #: Segments mixing text and parameters (``{name}.{ext}``): a regex each.
    patterns: list[tuple[re.Pattern[str], _Node[T]]] = field(default_factory=list)
    #: Upper-case method -> target, for a template ending here.
    methods: dict[str, T] = field(default_factory=dict)


@dataclass(frozen=True)
class Match(Generic[T]):
    """A path the index knows: the target for the method (``None``: 405) and the methods allowed."""

    target: T | None
    params: dict[str, str]
    allowed: tuple[str, ...]


class RouteIndex(Generic[T]):
    """Path templates with methods, looked up segment by segment."""

    def __init__(self) -> None:
        self._root: _Node[T] = _Node()

    def add(self, template: str, method: str, target: T) -> None:
        node = self._root
        for segment in template.split("/"):
            whole = _PARAM.fullmatch(segment)
            if whole:
                if node.param is None:
                    node.param = (whole.group(1), _Node())
                name, child = node.param
                if name != whole.group(1):
                    # the same position named differently in two templates: route by a
                    # pattern, so each template binds its own name
                    node = self._pattern_child(node, segment)
                    continue
                node = child
            elif "{" in segment:
                node = self._pattern_child(node, segment)
            else:
                node = node.static.setdefault(segment, _Node())
        node.methods[method.upper()] = target

    @staticmethod
    def _pattern_child(node: _Node[T], segment: str) -> _Node[T]:
        parts = re.split(r"(\{[^}/]+\})", segment)
        regex = re.compile(
            "".join(
                f"(?P<{_group(p[1:-1])}>[^/]+)" if p.startswith("{") else re.escape(p)
                for p in parts
                if p
            )
        )
        for existing, known in node.patterns:
            if existing.pattern == regex.pattern:
                return known
        child: _Node[T] = _Node()
        node.patterns.append((regex, child))
        return child

    def match(self, method: str, path: str) -> Match[T] | None:
        """The operation for ``method`` on ``path``; ``None`` when no template matches the path."""
        return self.match_segments(method, path.split("/"))

    def match_segments(self, method: str, segments: list[str]) -> Match[T] | None:
        """:meth:`match` for a path already split at its slashes, each segment decoded.

        Splitting the raw (still percent-encoded) path before decoding keeps an encoded
        slash (``%2F``) inside its segment: ``/v1/campaigns/a%2Fb`` names campaign ``a/b``.
        """
        first: tuple[_Node[T], dict[str, str]] | None = None
        allowed: set[str] = set()
        for node, params in self._walk(self._root, segments, 0, {}):
            target = node.methods.get(method)
            if target is not None:
                return Match(target, params, tuple(sorted(node.methods)))
            if first is None:
                first = (node, params)
            allowed.update(node.methods)
        if first is None:
            return None
        return Match(None, first[1], tuple(sorted(allowed)))

    def _walk(
        self, node: _Node[T], segments: list[str], index: int, params: dict[str, str]
    ) -> Iterator[tuple[_Node[T], dict[str, str]]]:
        """Nodes whose template matches ``segments``: static segments first, as routers do."""
        if index == len(segments):
            if node.methods:
                yield node, params
            return
        segment = segments[index]
        child = node.static.get(segment)
        if child is not None:
            yield from self._walk(child, segments, index + 1, params)
        if not segment:
            return
        if node.param is not None:
            name, child = node.param
            yield from self._walk(child, segments, index + 1, {**params, name: segment})
        for regex, child in node.patterns:
            found = regex.fullmatch(segment)
            if found:
                bound = {_ungroup(k): v for k, v in found.groupdict().items()}
                yield from self._walk(child, segments, index + 1, {**params, **bound})


def _group(name: str) -> str:
    """A regex group name for an OpenAPI parameter name (which may hold any character)."""
    return "p" + name.encode().hex()


def _ungroup(group: str) -> str:
    return bytes.fromhex(group[1:]).decode()
