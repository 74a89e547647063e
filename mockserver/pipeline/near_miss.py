"""Near misses: for each request that matched no operation, or that the pipeline refused,
the closest operation and why the request did not match it (WireMock's near-miss report).

Read from the journal (:mod:`mockserver.pipeline.journal`), when asked: nothing is computed
while requests are served.

* A request no operation matched (answered 404 or 405): every operation of every mounted
  API is compared with it, path segment by segment (an alignment: a ``{param}`` segment
  matches any non-empty segment, a mistyped segment costs less than a missing or extra
  one) and by method; the closest wins. Its differences are ``path`` (a segment that is
  not the operation's, one too many, one missing: a wrong base path shows as a missing
  ``/vinr``) and ``method`` (the methods the path allows).
* A request an operation matched but the pipeline refused: the differences are what the
  refusal found, every one of them: ``parameter`` (query, header, path or cookie, named),
  ``body`` (the field, a body missing or not JSON), ``media_type``, ``credentials``.

Requests a handler refused (a rule of the API, such as an unknown id) matched the
contract: they are not near misses.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mockserver.exceptions import ProblemKind

if TYPE_CHECKING:
    from mockserver.runtime import ApiRuntime

Entry = dict[str, Any]

_PROBLEM_KINDS = {
    ProblemKind.UNSUPPORTED_MEDIA_TYPE.value: "media_type",
    ProblemKind.AUTHENTICATION_REQUIRED.value: "credentials",
    ProblemKind.INVALID_API_KEY.value: "credentials",
    ProblemKind.MALFORMED_JSON.value: "body",
    ProblemKind.MISSING_BODY.value: "body",
    ProblemKind.BODY_TOO_LARGE.value: "body",
}
#: What a method that differs costs next to a path segment that differs (1).
METHOD_COST = 0.5


@dataclass(frozen=True)
class _Candidate:
    api: str
    operation_id: str
    method: str
    template: str
    #: The template's segments, the API's base path included.
    segments: tuple[str, ...]


def near_misses(
    entries: Iterable[Entry], runtimes: Sequence[ApiRuntime], limit: int | None = None
) -> list[dict[str, Any]]:
    """The near misses among ``entries`` (newest first, as given), at most ``limit``."""
    candidates = [
        _Candidate(
            runtime.api.name,
            op.operation_id,
            op.method.upper(),
            op.path_template,
            tuple(_segments(runtime.base_path + op.path_template)),
        )
        for runtime in runtimes
        for op in runtime.validators.values()
    ]
    found: list[dict[str, Any]] = []
    cache: dict[tuple[str, str], tuple[_Candidate | None, list[dict[str, Any]]]] = {}
    for entry in entries:
        if limit is not None and len(found) >= limit:
            break
        report = _report(entry, candidates, cache)
        if report is not None:
            found.append(report)
    return found


def _report(
    entry: Entry,
    candidates: list[_Candidate],
    cache: dict[tuple[str, str], tuple[_Candidate | None, list[dict[str, Any]]]],
) -> dict[str, Any] | None:
    status = entry["status"]
    summary = {
        key: entry[key]
        for key in ("id", "received_at", "api", "method", "path", "query", "status", "error_code")
    }
    if entry["operation_id"] is None:
        if status not in (404, 405):
            return None  # served by something else (the documents, Swagger UI)
        key = (entry["method"], entry["path"])
        if key not in cache:
            cache[key] = _closest(entry["method"], entry["path"], candidates)
        closest, differences = cache[key]
        return {
            "request": summary,
            "closest": _describe(closest),
            "differences": differences,
        }
    refused = [v for v in entry["violations"] if v["source"] == "request"]
    if not refused:
        return None
    operation = next(
        (c for c in candidates if c.api == entry["api"] and c.operation_id == entry["operation_id"]),
        None,
    )
    return {
        "request": summary,
        "closest": _describe(operation),
        "differences": [_difference(v) for v in refused],
    }


def _describe(candidate: _Candidate | None) -> dict[str, str] | None:
    if candidate is None:
        return None
    return {
        "api": candidate.api,
        "operation_id": candidate.operation_id,
        "method": candidate.method,
        "path": candidate.template,
    }


def _difference(violation: dict[str, Any]) -> dict[str, Any]:
    kind = _PROBLEM_KINDS.get(violation["kind"])
    if kind is None:
        kind = "body" if violation["in"] == "body" else "parameter"
    return {
        "kind": kind,
        "field": violation["field"],
        "in": violation["in"],
        "expected": None,
        "actual": None,
        "message": violation["message"],
    }


def _segments(path: str) -> list[str]:
    return [segment for segment in path.split("/") if segment != ""]


def _closest(
    method: str, path: str, candidates: list[_Candidate]
) -> tuple[_Candidate | None, list[dict[str, Any]]]:
    actual = _segments(path)
    best: tuple[float, int, _Candidate] | None = None
    for candidate in candidates:
        cost = _distance(actual, candidate.segments)
        if candidate.method != method:
            cost += METHOD_COST
        rank = (cost, len(candidate.segments), candidate)
        if best is None or rank[:2] < best[:2]:
            best = rank
    if best is None:
        return None, []
    candidate = best[2]
    differences = _path_differences(actual, candidate.segments)
    if candidate.method != method:
        allowed = sorted(
            c.method
            for c in candidates
            if c.api == candidate.api and c.template == candidate.template
        )
        differences.insert(
            0,
            {
                "kind": "method",
                "field": None,
                "in": None,
                "expected": candidate.method,
                "actual": method,
                "message": f"{method} is not one of the methods of {candidate.template}: "
                f"{', '.join(allowed)}.",
            },
        )
    return candidate, differences


def _is_param(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}")


def _substitution(actual: str, expected: str) -> float:
    if _is_param(expected):
        return 0.0
    if actual == expected:
        return 0.0
    # a mistyped segment is nearer than a missing one: 0.5 (almost the same) to 1
    return 1.0 - 0.5 * difflib.SequenceMatcher(None, actual, expected).ratio()


def _table(actual: Sequence[str], expected: Sequence[str]) -> list[list[float]]:
    rows, cols = len(actual), len(expected)
    table = [[0.0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(1, rows + 1):
        table[i][0] = float(i)
    for j in range(1, cols + 1):
        table[0][j] = float(j)
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            table[i][j] = min(
                table[i - 1][j] + 1,
                table[i][j - 1] + 1,
                table[i - 1][j - 1] + _substitution(actual[i - 1], expected[j - 1]),
            )
    return table


def _distance(actual: Sequence[str], expected: Sequence[str]) -> float:
    return _table(actual, expected)[len(actual)][len(expected)]


def _path_differences(actual: Sequence[str], expected: Sequence[str]) -> list[dict[str, Any]]:
    """Walk the alignment back: each segment that differs, is extra or is missing."""
    table = _table(actual, expected)
    i, j = len(actual), len(expected)
    found: list[dict[str, Any]] = []
    while i > 0 or j > 0:
        if i > 0 and j > 0:
            cost = _substitution(actual[i - 1], expected[j - 1])
            # when a segment could as well be one too many as fill a {param}, it is the extra
            # one: /v1/campaigns/{id} against .../cmp_1/coupons reports "coupons"
            extra = _is_param(expected[j - 1]) and table[i][j] == table[i - 1][j] + 1
            if not extra and table[i][j] == table[i - 1][j - 1] + cost:
                if cost:
                    found.append(
                        _segment(
                            i,
                            expected[j - 1],
                            actual[i - 1],
                            f"Path segment {i} is {actual[i - 1]!r}; the operation has "
                            f"{expected[j - 1]!r} there.",
                        )
                    )
                i, j = i - 1, j - 1
                continue
        if i > 0 and table[i][j] == table[i - 1][j] + 1:
            found.append(
                _segment(i, None, actual[i - 1], f"Path segment {i} ({actual[i - 1]!r}) is one too many.")
            )
            i -= 1
            continue
        found.append(
            _segment(
                i + 1, expected[j - 1], None, f"The path lacks segment {expected[j - 1]!r} at position {i + 1}."
            )
        )
        j -= 1
    found.reverse()
    return found


def _segment(position: int, expected: str | None, actual: str | None, message: str) -> dict[str, Any]:
    return {
        "kind": "path",
        "field": f"segment {position}",
        "in": "path",
        "expected": expected,
        "actual": actual,
        "message": message,
    }
