"""Voucher codes from a campaign's ``code_config``.

Each ``#`` of ``pattern`` becomes a random character of ``charset``; without a
pattern, ``length`` hashes are used. ``prefix`` and ``postfix`` surround the
result. Codes are unique across the whole project, so generation takes the set of
codes already in use and may run out of unique codes (the campaign's generation
then fails, as the vendor reports it: ``vouchers_generation_status`` ``FAILED``).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

DEFAULT_CHARSET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
DEFAULT_LENGTH = 8
#: Random draws per code before concluding that the code space is exhausted.
_ATTEMPTS = 64
#: Below this many candidates per wanted code, enumerate the whole space instead of drawing.
_ENUMERATE_FACTOR = 4

_rng = random.SystemRandom()


@dataclass(frozen=True)
class CodeSpec:
    """A normalised ``code_config``."""

    pattern: str
    charset: str
    prefix: str = ""
    postfix: str = ""

    @classmethod
    def from_config(cls, config: Mapping[str, Any] | None) -> CodeSpec:
        """Read a client's (or a fixture's) ``code_config``, applying the vendor's defaults."""
        config = config or {}
        pattern = config.get("pattern")
        if pattern is None:
            length = config.get("length")
            pattern = "#" * (DEFAULT_LENGTH if length is None else int(length))
        charset = config.get("charset")
        return cls(
            pattern=pattern,
            charset=DEFAULT_CHARSET if charset is None else charset,
            prefix=config.get("prefix") or "",
            postfix=config.get("postfix") or "",
        )

    @property
    def length(self) -> int:
        """Number of random characters in a code."""
        return self.pattern.count("#")

    def to_config(self) -> dict[str, Any]:
        """The ``code_config`` the vendor returns: length, charset and pattern, then the affixes."""
        config: dict[str, Any] = {
            "length": self.length,
            "charset": self.charset,
            "pattern": self.pattern,
        }
        if self.prefix:
            config["prefix"] = self.prefix
        if self.postfix:
            config["postfix"] = self.postfix
        return config

    def space(self) -> int:
        """How many distinct codes this spec can produce."""
        symbols: int = len(set(self.charset))
        return 1 if self.length == 0 else symbols**self.length

    def render(self, characters: tuple[str, ...] | list[str]) -> str:
        """The code whose hashes are filled, in order, with ``characters``."""
        filled = iter(characters)
        body = "".join(next(filled) if char == "#" else char for char in self.pattern)
        return self.prefix + body + self.postfix


class CodeSet(Protocol):
    """The codes already taken: membership and size are all generation needs."""

    def __contains__(self, code: object, /) -> bool: ...

    def __len__(self) -> int: ...


def generate(spec: CodeSpec, count: int, taken: CodeSet) -> list[str]:
    """Up to ``count`` new codes not in ``taken`` (fewer when the space runs out).

    ``taken`` is not modified; the caller records the codes it keeps.
    """
    if count <= 0:
        return []
    if spec.length and not spec.charset:
        return []
    if spec.space() <= _ENUMERATE_FACTOR * (count + len(taken)):
        return _enumerate(spec, count, taken)
    return _draw(spec, count, taken)


def _draw(spec: CodeSpec, count: int, taken: CodeSet) -> list[str]:
    symbols = sorted(set(spec.charset))
    codes: list[str] = []
    seen: set[str] = set()
    for _ in range(count):
        for _attempt in range(_ATTEMPTS):
            code = spec.render([_rng.choice(symbols) for _ in range(spec.length)])
            if code not in seen and code not in taken:
                seen.add(code)
                codes.append(code)
                break
        else:
            break
    return codes


def _enumerate(spec: CodeSpec, count: int, taken: CodeSet) -> list[str]:
    symbols = sorted(set(spec.charset))
    candidates = [spec.render(chars) for chars in itertools.product(symbols, repeat=spec.length)]
    _rng.shuffle(candidates)
    fresh = [code for code in dict.fromkeys(candidates) if code not in taken]
    return fresh[:count]
