"""Strict JSON: the one decoder for every request body the mock reads (API and admin).

RFC 8259 JSON and nothing more, so that whatever a client sends can be stored, echoed
back and serialised again without surprises:

* ``NaN``, ``Infinity`` and ``-Infinity`` are refused (they are not JSON numbers), and so
  is a number too large to be a double (``1e400``);
* strings must be valid Unicode: a lone surrogate escape (``"\\ud800"``) is refused, as
  is invalid UTF-8;
* integers must fit in a signed 64-bit integer (what the specs' ``int64`` and most
  serialisers can hold), unless the API accepts bigger ones (``int64=False``: a server
  written in JavaScript takes any integer literal), in which case they are kept exact;
* nesting deeper than :data:`MAX_DEPTH` arrays and objects is refused.

A refusal is a :class:`DecodeError` whose ``pointer`` names the offending value
(``order.amount``, ``items.0.quantity``) when the value is known.

The fast path is orjson, which already refuses the first two classes; the decoded value
is then walked once for depth and integer range. An integer literal of 19 digits or
more, which orjson would silently turn into a float, sends the body through the standard
library's decoder instead, which keeps integers exact so the range check can see them.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: Deepest nesting of arrays and objects accepted in a body.
MAX_DEPTH = 64
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

_LONG_INTEGER = re.compile(rb"\d{19}")
_NON_JSON_NUMBER = re.compile(rb"(?<![\w\"])-?(?:NaN|Infinity)(?![\w\"])")


class DecodeError(ValueError):
    """The bytes are not acceptable JSON; ``pointer`` names the value at fault, if known."""

    def __init__(self, message: str, pointer: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer


def loads(raw: bytes | str, *, max_depth: int = MAX_DEPTH, int64: bool = True) -> Any:
    """Decode ``raw`` strictly (see the module docstring) or raise :class:`DecodeError`.

    ``int64=False`` keeps integers beyond 64 bits (exactly) instead of refusing them.
    """
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    if _LONG_INTEGER.search(data):
        value = _exact(data)
    else:
        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise DecodeError(_explain(str(exc), data)) from None
    check(value, max_depth=max_depth, int64=int64)
    return value


def check(value: Any, *, max_depth: int = MAX_DEPTH, int64: bool = True) -> None:
    """Refuse a decoded value nested deeper than ``max_depth`` or (``int64``) holding an
    integer beyond int64."""
    stack: list[tuple[Any, int, tuple[Any, ...]]] = [(value, 0, ())]
    while stack:
        node, depth, path = stack.pop()
        if isinstance(node, dict):
            if depth >= max_depth:
                raise DecodeError(f"The JSON nests deeper than {max_depth} levels.")
            stack.extend((child, depth + 1, (*path, key)) for key, child in node.items())
        elif isinstance(node, list):
            if depth >= max_depth:
                raise DecodeError(f"The JSON nests deeper than {max_depth} levels.")
            stack.extend((child, depth + 1, (*path, index)) for index, child in enumerate(node))
        elif int64 and isinstance(node, int) and not isinstance(node, bool):
            if not INT64_MIN <= node <= INT64_MAX:
                raise DecodeError(
                    f"{_pointer(path) or 'The value'}: {node} is outside the range of a 64-bit "
                    "integer.",
                    _pointer(path),
                )


def _exact(data: bytes) -> Any:
    """The standard library's decoder, for bodies with integers orjson would round."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError(f"The body is not valid UTF-8 (byte {exc.start}).") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except DecodeError:
        raise
    except RecursionError:
        raise DecodeError(f"The JSON nests deeper than {MAX_DEPTH} levels.") from None
    except ValueError as exc:
        raise DecodeError(_explain(str(exc), data)) from None
    try:
        # the standard library lets lone surrogate escapes through; encoding finds them
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError:
        raise DecodeError(f"The JSON nests deeper than {MAX_DEPTH} levels.") from None
    except UnicodeEncodeError:
        raise DecodeError(
            "A string holds a lone UTF-16 surrogate escape (such as \\ud800), which is not "
            "valid Unicode."
        ) from None
    return value


def _refuse_constant(name: str) -> Any:
    raise DecodeError(f"{name} is not a JSON number: send a finite number (or null).")


def _explain(message: str, data: bytes) -> str:
    if _NON_JSON_NUMBER.search(data):
        return (
            "NaN, Infinity and -Infinity are not JSON numbers: send a finite number (or null) "
            f"({message})."
        )
    if "infinity" in message:
        return f"A number is too large to be a double-precision float ({message})."
    if "depth limit" in message:
        return f"The JSON nests deeper than {MAX_DEPTH} levels."
    if "surrogate" in message:
        return f"A string is not valid Unicode: {message}."
    return f"The body is not valid JSON: {message}."


def _pointer(path: tuple[Any, ...]) -> str | None:
    return ".".join(str(part) for part in path) if path else None
