"""Errors in the document's own shape: its documented error schema, filled with the problem.

The schema documented for the status (exact, ``4XX``, ``default``) is made up in static mode,
then a message-like string property (``message``, ``detail``, ``error_description``...) gets
the message and a code-like one (``code``, ``error_code``, ``status``...) the code or the
status, as far as the schema allows; nested error objects (``{"error": {...}}``) too.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from mockserver.exceptions import MockError, Problem
from mockserver.fake import schema_errors
from mockserver.generate import made_up
from mockserver.spec import MISSING, Document, Operation, Schema

__all__ = ["DocumentError", "document_error_schema", "error_body"]

_MESSAGES = ("message", "detail", "details", "error_description", "errorMessage", "error_message", "msg", "description", "title", "error")
_CODES = ("code", "error_code", "errorCode", "key", "type", "reason")
_STATUSES = ("status", "statusCode", "status_code", "http_status")


class DocumentError(MockError):
    """An error response whose body was made from the document."""

    def __init__(self, status: int, body: Any, message: str, media_type: str = "application/json") -> None:
        self.status = status
        self._body = body
        self.media_type = media_type
        self.headers = {"Content-Type": media_type}
        super().__init__(message)

    def body(self) -> Any:
        return self._body


def error_body(schema: Schema | None, status: int, message: str, code: str) -> Any:
    """A body for ``schema`` carrying the problem (``MISSING`` when the response has none)."""
    if schema is None:
        return MISSING
    base, _, errors = made_up(schema, seed=status, static=True)
    if errors:
        return base
    return _fill(schema, base, status, message, code, depth=0)


def _fill(schema: Schema, value: Any, status: int, message: str, code: str, depth: int) -> Any:
    if not isinstance(value, dict) or depth > 2:
        return value
    properties = schema.object_properties()[0]
    candidates: list[tuple[str, Any]] = []
    message_name = next((n for n in _MESSAGES if n in properties and _is_string(properties[n])), None)
    if message_name:
        candidates.append((message_name, message))
    for name in _CODES:
        if name in properties and _is_string(properties[name]) and properties[name].format is None:
            candidates.append((name, code))
            break
    for name in (*_STATUSES, "code"):
        if name in properties and properties[name].type == "integer":
            candidates.append((name, status))
        elif name in _STATUSES and name in properties and _is_string(properties[name]):
            candidates.append((name, str(status)))
    result = dict(value)
    for name, filled in candidates:
        trial = {**result, name: filled}
        if not schema_errors(schema, trial):
            result = trial
    for name, prop in properties.items():
        if isinstance(result.get(name), dict) and name not in dict(candidates):
            nested = _fill(prop, result[name], status, message, code, depth + 1)
            trial = {**result, name: nested}
            if not schema_errors(schema, trial):
                result = trial
    return result


def _is_string(schema: Schema) -> bool:
    return schema.type == "string" and not schema.enum and schema.const is MISSING


def operation_error(op: Operation, status: int, message: str, code: str) -> DocumentError | None:
    """The error ``op`` documents for ``status`` (``None``: it documents none)."""
    response = op.response(status)
    if response is None:
        return None
    media = response.json
    body = error_body(media.schema if media else None, status, message, code)
    return DocumentError(status, body, message, media.name if media else "application/json")


def document_error_schema(document: Document, status: int) -> tuple[Schema, str] | None:
    """The error schema (and media type) the document uses most for ``status``.

    Looked for among the responses documented for ``status``, then ``4XX``/``5XX``, then
    ``default``, then any 4xx.
    """
    keys: list[str | None] = [str(status), f"{str(status)[0]}XX", "default", None]
    for key in keys:
        found: Counter[str] = Counter()
        schemas: dict[str, tuple[Schema, str]] = {}
        for op in document.operations:
            responses = (
                [op.responses[key]] if key in op.responses else []
                if key is not None
                else [r for s, r in op.responses.items() if s.startswith("4")]
            )
            for response in responses:
                media = response.json
                if media is not None and media.schema is not None and _is_object(media.schema):
                    name = media.schema.ref_name or repr(sorted(media.schema.raw))
                    found[name] += 1
                    schemas[name] = (media.schema, media.name)
        if found:
            return schemas[found.most_common(1)[0][0]]
    return None


def _is_object(schema: Schema) -> bool:
    return schema.type == "object" or bool(schema.object_properties()[0])


def problem_error(document: Document, problem: Problem) -> DocumentError:
    """An engine-detected problem in the document's most common error shape for its status."""
    found = document_error_schema(document, problem.status)
    schema, media = found if found is not None else (None, "application/json")
    body = error_body(schema, problem.status, problem.message, str(problem.kind))
    if body is MISSING:
        body = {"code": str(problem.kind), "message": problem.message}
        if problem.param:
            body["param"] = problem.param
    return DocumentError(problem.status, body, problem.message, media)
