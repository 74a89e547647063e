"""The ``filters`` of List Campaigns: ``filters[<field>][conditions][<operator>]=<value>``.

The vendor nests brackets three levels deep, which the engine's request validator
(openapi-core's ``deepObject``) cannot read, so the spec documents the grammar in
prose and this module parses and checks it: an unknown field, operator or value is
an ``invalid_query_params`` error naming the offending key.

:func:`parse_brackets` turns the raw query into a tree, :func:`compile_filters`
turns the tree into a predicate over :class:`Subject` (what a campaign exposes to
filters), evaluated at a given instant.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .dates import to_millis
from .exceptions import InvalidQueryParams

DAY_MS = 86_400_000

STATUSES = ("DONE", "IN_PROGRESS", "FAILED", "DRAFT", "MODIFYING")
VOUCHER_TYPES = ("GIFT_VOUCHER", "DISCOUNT_VOUCHER", "LOYALTY_CARD")
CAMPAIGN_KINDS = ("AUTO_UPDATE", "BULK", "STANDALONE", "STATIC")


@dataclass(frozen=True)
class Subject:
    """What a campaign exposes to filters (instants in Unix milliseconds)."""

    id: str
    name: str
    type: str
    creation_status: str
    vouchers_generation_status: str
    category_id: str | None
    category_name: str | None
    voucher_type: str | None
    is_referral_code: bool
    active: bool
    created_at: int
    updated_at: int | None
    start_date: int | None
    expiration_date: int | None
    validity_day_of_week: tuple[int, ...] | None
    #: The instant a validity timeframe counts from (its campaign's ``start_date``), when the
    #: campaign has a timeframe.
    validity_timeframe_start: int | None


Predicate = Callable[[Subject, int], bool]
Tree = dict[str, Any]


# -- the query string -------------------------------------------------------------------------


def parse_brackets(pairs: Iterable[tuple[str, str]], root: str) -> Tree | None:
    """The nested object sent as ``root[a][b]=v`` pairs (``None`` when there are none).

    A key repeated at the same place collects its values in a list.
    """
    tree: Tree = {}
    found = False
    prefix = root + "["
    for key, value in pairs:
        if key == root:
            raise InvalidQueryParams(
                f"Invalid query parameter {root}: use the bracket form "
                f"{root}[<field>][conditions][<operator>]=<value>."
            )
        if not key.startswith(prefix):
            continue
        found = True
        _insert(tree, _segments(key, root), value, key)
    return tree if found else None


def _segments(key: str, root: str) -> list[str]:
    rest = key[len(root) :]
    segments: list[str] = []
    while rest:
        if not rest.startswith("[") or "]" not in rest:
            raise InvalidQueryParams(f"Invalid query parameter {key}: malformed brackets.")
        end = rest.index("]")
        segments.append(rest[1:end])
        rest = rest[end + 1 :]
    return segments


def _insert(tree: Tree, segments: list[str], value: str, key: str) -> None:
    node = tree
    for segment in segments[:-1]:
        child = node.setdefault(segment, {})
        if not isinstance(child, dict):
            raise InvalidQueryParams(f"Invalid query parameter {key}: conflicts with another key.")
        node = child
    last = segments[-1]
    if isinstance(node.get(last), dict):
        raise InvalidQueryParams(f"Invalid query parameter {key}: conflicts with another key.")
    if last in node:
        previous = node[last]
        node[last] = [*previous, value] if isinstance(previous, list) else [previous, value]
    else:
        node[last] = value


# -- compiling ---------------------------------------------------------------------------------


def compile_filters(tree: Tree, fields: Mapping[str, Field] | None = None) -> Predicate:
    """One predicate for the whole ``filters`` tree (fields combined by ``junction``).

    ``fields``: the fields a list takes (List Campaigns' by default, with its flag fields).
    """
    junction = tree.get("junction", "and")
    if not isinstance(junction, str) or junction.lower() not in ("and", "or"):
        raise InvalidQueryParams(
            "Invalid query parameter filters[junction]: must be 'and' or 'or'."
        )
    checks = [
        _compile_field(name, spec, fields) for name, spec in tree.items() if name != "junction"
    ]
    combine = all if junction.lower() == "and" else any
    if not checks:
        return lambda subject, now: True
    return lambda subject, now: combine(check(subject, now) for check in checks)


def _compile_field(name: str, spec: Any, fields: Mapping[str, Field] | None) -> Predicate:
    where = f"filters[{name}]"
    flags = _FLAG_FIELDS if fields is None else frozenset()
    if name in flags:
        return _compile_flags(name, spec, where)
    table = _FIELDS if fields is None else fields
    field = table.get(name)
    if field is None:
        known = ", ".join(sorted([*table, *flags, "junction"]))
        raise InvalidQueryParams(
            f"Invalid query parameter {where}: unknown filter (known: {known})."
        )
    conditions = _conditions(spec, where)
    checks = [
        field.compile(op, value, f"{where}[conditions][{op}]") for op, value in conditions.items()
    ]
    return lambda subject, now: all(check(subject, now) for check in checks)


def _conditions(spec: Any, where: str) -> Mapping[str, Any]:
    if (
        not isinstance(spec, dict)
        or set(spec) != {"conditions"}
        or not isinstance(spec["conditions"], dict)
    ):
        raise InvalidQueryParams(
            f"Invalid query parameter {where}: expected {where}[conditions][<operator>]=<value>."
        )
    conditions: Mapping[str, Any] = spec["conditions"]
    if not conditions:
        raise InvalidQueryParams(f"Invalid query parameter {where}: no condition given.")
    return conditions


# -- value parsing -----------------------------------------------------------------------------


def _scalar(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise InvalidQueryParams(f"Invalid query parameter {where}: expected a single value.")
    return value


def values_of(value: Any, where: str) -> list[str]:
    """An array operator's values: repeated keys, indexed keys, a JSON/Python list or a CSV."""
    if isinstance(value, list):
        return [_scalar(item, where) for item in value]
    if isinstance(value, dict):
        if not all(key.isdigit() for key in value):
            raise InvalidQueryParams(f"Invalid query parameter {where}: expected a list of values.")
        return [_scalar(value[key], where) for key in sorted(value, key=int)]
    text = _scalar(value, where)
    if text.startswith("[") and text.endswith("]"):
        parsed = _literal_list(text)
        if parsed is not None:
            return parsed
    return [part for part in text.split(",")] if text else []


def _literal_list(text: str) -> list[str] | None:
    # The official Python SDK sends lists as their Python repr: ['a', 'b'].
    for parse in (json.loads, ast.literal_eval):
        try:
            parsed = parse(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        if isinstance(parsed, list) and all(isinstance(item, (str, int)) for item in parsed):
            return [str(item) for item in parsed]
    return None


def _allowed(values: list[str], allowed: tuple[str, ...], where: str) -> list[str]:
    for value in values:
        if value not in allowed:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}: {value!r} is not one of {', '.join(allowed)}."
            )
    return values


def _int(value: Any, where: str) -> int:
    text = _scalar(value, where)
    try:
        return int(text)
    except ValueError:
        raise InvalidQueryParams(f"Invalid query parameter {where}: expected an integer.") from None


def _instant(value: Any, where: str) -> int:
    millis = to_millis(_scalar(value, where))
    if millis is None:
        raise InvalidQueryParams(
            f"Invalid query parameter {where}: expected an ISO 8601 date-time."
        )
    return millis


# -- fields ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextField:
    """A string-valued field and the operators it takes."""

    get: Callable[[Subject], str | None]
    operators: tuple[str, ...]
    allowed: tuple[str, ...] | None = None
    aliases: Mapping[str, tuple[str, ...]] | None = None

    def compile(self, op: str, raw: Any, where: str) -> Predicate:
        if op not in self.operators:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}: unsupported operator "
                f"(use one of {', '.join(self.operators)})."
            )
        get = self.get
        if op in ("$has_value", "$is_unknown"):
            present = op == "$has_value"
            return lambda s, now: (get(s) is not None) == present
        if op in ("$in", "$not_in"):
            wanted = set(self._expand(self._check(values_of(raw, where), where)))
            inside = op == "$in"
            return lambda s, now: (get(s) in wanted) == inside
        value = _scalar(raw, where)
        if op in ("$is", "$is_not"):
            wanted = set(self._expand(self._check([value], where)))
            equal = op == "$is"
            return lambda s, now: (get(s) in wanted) == equal
        return _text_test(op, value, get)

    def _check(self, values: list[str], where: str) -> list[str]:
        return values if self.allowed is None else _allowed(values, self.allowed, where)

    def _expand(self, values: list[str]) -> list[str]:
        aliases = self.aliases or {}
        return [item for value in values for item in aliases.get(value, (value,))]


def _text_test(op: str, value: str, get: Callable[[Subject], str | None]) -> Predicate:
    tests: dict[str, Callable[[str], bool]] = {
        "$starts_with": lambda text: text.startswith(value),
        "$ends_with": lambda text: text.endswith(value),
        "$contains": lambda text: value in text,
        "$not_contain": lambda text: value not in text,
    }
    test = tests[op]
    absent = op == "$not_contain"

    def check(subject: Subject, now: int) -> bool:
        text = get(subject)
        return absent if text is None else test(text)

    return check


@dataclass(frozen=True)
class _DateField:
    """An instant-valued field."""

    get: Callable[[Subject], int | None]
    operators: tuple[str, ...] = (
        "$after",
        "$before",
        "$has_value",
        "$is_unknown",
        "$more_than",
        "$less_than",
    )

    def compile(self, op: str, raw: Any, where: str) -> Predicate:
        if op not in self.operators:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}: unsupported operator "
                f"(use one of {', '.join(self.operators)})."
            )
        get = self.get
        if op in ("$has_value", "$is_unknown"):
            present = op == "$has_value"
            return lambda s, now: (get(s) is not None) == present
        if op in ("$after", "$before"):
            bound = _instant(raw, where)
            after = op == "$after"
            return lambda s, now: _compare(get(s), bound, after)
        days = _int(raw, where)
        older = op == "$more_than"
        return lambda s, now: _compare(get(s), now - days * DAY_MS, not older)


def _compare(value: int | None, bound: int, after: bool) -> bool:
    if value is None:
        return False
    return value > bound if after else value < bound


@dataclass(frozen=True)
class _DaysField:
    """``validity_day_of_week``: campaigns valid on any of the days (or on every day)."""

    operators: tuple[str, ...] = ("$is",)

    def compile(self, op: str, raw: Any, where: str) -> Predicate:
        if op not in self.operators:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}: unsupported operator (use $is)."
            )
        days = set(_allowed(values_of(raw, where), tuple("0123456"), where))
        wanted = {int(day) for day in days}
        return lambda s, now: (
            not s.validity_day_of_week or bool(wanted & set(s.validity_day_of_week))
        )


STRING_OPERATORS = (
    "$in",
    "$not_in",
    "$is",
    "$is_not",
    "$has_value",
    "$is_unknown",
    "$starts_with",
    "$ends_with",
    "$contains",
    "$not_contain",
)
ENUM_OPERATORS = STRING_OPERATORS[:8]

Field = TextField | _DateField | _DaysField

_FIELDS: dict[str, Field] = {
    "campaigns": TextField(lambda s: s.name, STRING_OPERATORS),
    "campaigns_id": TextField(lambda s: s.id, STRING_OPERATORS),
    "categories": TextField(lambda s: s.category_name, STRING_OPERATORS),
    "category_ids": TextField(lambda s: s.category_id, STRING_OPERATORS),
    "campaign_status": TextField(lambda s: s.creation_status, ENUM_OPERATORS, STATUSES),
    "voucher_type": TextField(lambda s: s.voucher_type, ENUM_OPERATORS, VOUCHER_TYPES),
    "is_referral_code": TextField(
        lambda s: "TRUE" if s.is_referral_code else "FALSE", ("$is", "$is_not"), ("TRUE", "FALSE")
    ),
    "type": TextField(
        lambda s: s.type,
        ("$in", "$not_in"),
        CAMPAIGN_KINDS,
        {"BULK": ("AUTO_UPDATE", "STATIC")},
    ),
    "created_date": _DateField(lambda s: s.created_at),
    "updated_at": _DateField(lambda s: s.updated_at),
    "start_date": _DateField(lambda s: s.start_date),
    "expiration_date": _DateField(lambda s: s.expiration_date),
    "validity_timeframe": _DateField(lambda s: s.validity_timeframe_start),
    "validity_day_of_week": _DaysField(),
}


# -- flag fields: filters[active][conditions][$enabled]= --------------------------------------


def _expired(s: Subject, now: int) -> bool:
    return s.expiration_date is not None and s.expiration_date < now


def _started(s: Subject, now: int) -> bool:
    return s.start_date is None or s.start_date <= now


_FLAGS: dict[str, dict[str, Predicate]] = {
    "active": {
        "$enabled": lambda s, now: s.active,
        "$disabled": lambda s, now: not s.active,
        "$expired": _expired,
        "$active": lambda s, now: s.active and _started(s, now) and not _expired(s, now),
    },
    "status": {
        "$active": lambda s, now: s.vouchers_generation_status == "DONE",
        "$failed": lambda s, now: s.vouchers_generation_status == "FAILED",
        "$in_progress": lambda s, now: s.vouchers_generation_status in ("IN_PROGRESS", "MODIFYING"),
        "$expired": lambda s, now: s.vouchers_generation_status == "DONE" and _expired(s, now),
        "before_start": lambda s, now: (
            s.vouchers_generation_status == "DONE" and not _started(s, now)
        ),
    },
}
_FLAG_FIELDS = frozenset(_FLAGS)


def _compile_flags(name: str, spec: Any, where: str) -> Predicate:
    # The vendor documents both filters[active][$enabled] and filters[active][conditions][$enabled].
    if isinstance(spec, dict) and set(spec) == {"conditions"}:
        spec, where = spec["conditions"], f"{where}[conditions]"
    if not isinstance(spec, dict) or not spec:
        raise InvalidQueryParams(
            f"Invalid query parameter {where}: expected {where}[<condition>]= "
            f"with one of {', '.join(_FLAGS[name])}."
        )
    checks = []
    for flag in spec:
        check = _FLAGS[name].get(flag)
        if check is None:
            raise InvalidQueryParams(
                f"Invalid query parameter {where}[{flag}]: unknown condition "
                f"(use one of {', '.join(_FLAGS[name])})."
            )
        checks.append(check)
    return lambda subject, now: all(check(subject, now) for check in checks)
