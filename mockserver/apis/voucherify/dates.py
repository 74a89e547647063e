"""Voucherify's timestamps: ISO 8601 in UTC with milliseconds, e.g. ``2022-09-20T09:32:29.530Z``.

The mock keeps its own instants (``created_at``, ``updated_at``) as Unix milliseconds
and dates sent by clients as normalised strings, the way the vendor echoes them
(``2020-08-16T00:00:00Z`` comes back as ``2020-08-16T00:00:00.000Z``).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?$"
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def to_millis(text: str) -> int | None:
    """Unix milliseconds of an RFC 3339 timestamp, or ``None`` when Python cannot represent it.

    A timestamp without an offset is read as UTC; a leap second counts as the second before.
    """
    match = _RFC3339.match(text)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(part) for part in match.groups()[:6])
    millis = int((match.group(7) or "0")[:3].ljust(3, "0"))
    try:
        moment = datetime(
            year, month, day, hour, minute, min(second, 59), millis * 1000, _offset(match.group(8))
        )
        return (moment - _EPOCH) // timedelta(milliseconds=1)
    except (ValueError, OverflowError):
        return None


def _offset(text: str | None) -> timezone:
    if text is None or text in "Zz":
        return UTC
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def format_millis(millis: int) -> str:
    """``2022-09-20T09:32:29.530Z`` for Unix milliseconds."""
    moment = _EPOCH + timedelta(milliseconds=millis)
    return (
        f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d}T"
        f"{moment.hour:02d}:{moment.minute:02d}:{moment.second:02d}.{millis % 1000:03d}Z"
    )


def normalize(text: str) -> str:
    """The vendor's rendering of a client's timestamp (unchanged when it is out of range)."""
    millis = to_millis(text)
    if millis is None:
        return text
    try:
        return format_millis(millis)
    except OverflowError:
        return text
