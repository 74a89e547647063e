"""Request bodies as the engine reads them: whole, within the size limit, then decoded.

One place says which media types the engine decodes (JSON, and forms where a plug-in asks)
and turns a body it cannot take into a :class:`~mockserver.exceptions.Problem`: 413 over the
limit, 415 for a media type it does not read, 400 for JSON :mod:`mockserver.decoding` refuses.
"""

from __future__ import annotations

from typing import Any

from starlette.datastructures import Headers
from starlette.types import Receive

from mockserver import decoding
from mockserver.exceptions import Problem, ProblemKind

__all__ = ["Abandoned", "FORM_TYPES", "is_form", "is_json", "mimetype", "parse_json", "read_body"]

#: JSON media types besides every ``*+json`` one.
JSON_TYPES = ("application/json",)


class Abandoned(Exception):
    """The client went away before its request was complete: there is nobody to answer."""


async def read_body(
    headers: Headers, receive: Receive, limit: int
) -> tuple[bytes, Problem | None]:
    """The whole body, or a 413 problem; :class:`Abandoned` when the client gives up first."""
    too_large = Problem(
        ProblemKind.BODY_TOO_LARGE, f"The request body exceeds the limit of {limit} bytes."
    )
    declared = headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return b"", too_large
    chunks: list[bytes] = []
    size = 0
    more = True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise Abandoned()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", too_large
        chunks.append(chunk)
        more = message.get("more_body", False)
    return b"".join(chunks), None


#: Form media types, decoded only for a plug-in that asks (``MockAPI.form_bodies``).
FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})


def mimetype(content_type: str) -> str:
    """``application/json`` of ``Application/JSON; charset=utf-8``."""
    return content_type.split(";")[0].strip().lower()


def is_form(content_type: str) -> bool:
    return mimetype(content_type) in FORM_TYPES


def is_json(content_type: str) -> bool:
    media = mimetype(content_type)
    return media in JSON_TYPES or media.endswith("+json")


def parse_json(headers: Headers, raw: bytes, int64: bool) -> tuple[Any, Problem | None]:
    """The body as JSON (``int64``: integers beyond 64 bits refused), or the problem: 415 for
    another media type, 400 for what :mod:`mockserver.decoding` refuses."""
    content_type = headers.get("content-type", "")
    if not is_json(content_type):
        shown = mimetype(content_type) or "none"
        return None, Problem(
            ProblemKind.UNSUPPORTED_MEDIA_TYPE,
            f"Unsupported Content-Type {shown!r}: send the body as application/json.",
        )
    try:
        return decoding.loads(raw, int64=int64), None
    except decoding.DecodeError as exc:
        return None, Problem(
            ProblemKind.MALFORMED_JSON, exc.message, param=exc.pointer, location="body"
        )
