"""Accepted changes: an ignore file lists them by check id and operation, each with a reason.

A YAML (or JSON) list::

    - id: response-enum-value-added
      operation: GET /v1/campaigns/{id}     # or its operationId, or "*" for every operation
      location: "response 200 application/json: status"   # optional: only this place
      reason: Clients treat status as an open set (see docs/clients.md).

Every entry needs ``id``, ``operation`` and a non-empty ``reason``; an entry naming a check that
does not exist is refused, so a typo cannot silently accept nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from mockserver.diff.checks import CHECKS, Change
from mockserver.exceptions import ConfigurationError

__all__ = ["Accepted", "IgnoreError", "read_ignore_file", "split"]


class IgnoreError(ConfigurationError):
    pass


@dataclass(frozen=True)
class Accepted:
    id: str
    operation: str
    reason: str
    location: str | None = None

    def matches(self, change: Change) -> bool:
        if change.id != self.id:
            return False
        if self.operation != "*" and self.operation not in (change.operation, change.operation_id):
            return False
        return self.location is None or self.location == change.location


def read_ignore_file(path: Path) -> list[Accepted]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise IgnoreError(f"cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise IgnoreError(f"{path} is not valid YAML: {exc}") from exc
    if data is None:
        return []
    if not isinstance(data, list):
        raise IgnoreError(f"{path}: expected a list of {{id, operation, reason}} entries")
    accepted = []
    for index, entry in enumerate(data, 1):
        where = f"{path}: entry {index}"
        if not isinstance(entry, dict):
            raise IgnoreError(f"{where}: expected a mapping with id, operation and reason")
        missing = [k for k in ("id", "operation", "reason") if not str(entry.get(k) or "").strip()]
        if missing:
            raise IgnoreError(f"{where}: missing {', '.join(missing)} (every accepted change needs a reason)")
        if entry["id"] not in CHECKS:
            raise IgnoreError(f"{where}: no check named {entry['id']!r} (see mockserver diff --list-checks)")
        location = entry.get("location")
        accepted.append(
            Accepted(str(entry["id"]), str(entry["operation"]), str(entry["reason"]).strip(),
                     str(location) if location is not None else None)
        )
    return accepted


def split(
    changes: Iterable[Change], accepted: list[Accepted]
) -> tuple[list[Change], list[tuple[Change, Accepted]]]:
    """(changes still reported, changes accepted with the entry that accepted them)."""
    kept: list[Change] = []
    ignored: list[tuple[Change, Accepted]] = []
    for change in changes:
        entry = next((a for a in accepted if a.matches(change)), None)
        if entry is None:
            kept.append(change)
        else:
            ignored.append((change, entry))
    return kept, ignored
