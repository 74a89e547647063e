"""Responses the mock answers without running a handler, made from the document by
:mod:`mockserver.generate` (the operation's examples, else its schemas): for ``Prefer``
(:mod:`mockserver.pipeline.prefer`) and for status faults.

A status fault answers the operation's documented response for that status (exact, range
or ``default``). A status the operation does not document is answered anyway, in the
API's error format: another operation's documented response for exactly that status when
the document has one, else the API's own error for an internal problem, with that status.
Such an answer is not validated against the operation (the client asked for it).
"""

from __future__ import annotations

import datetime as dt
import http
import weakref
from typing import TYPE_CHECKING

from mockserver import generate
from mockserver.dispatch import RawHeaders, dumps
from mockserver.exceptions import Problem, ProblemKind
from mockserver.spec import Document, Operation, is_json_media_type
from mockserver.spec import load as load_spec

if TYPE_CHECKING:
    from mockserver.plugins import MockAPI
    from mockserver.runtime import ApiRuntime
    from mockserver.validation import OperationValidator

Response = tuple[int, RawHeaders, bytes]

_DOCUMENTS: weakref.WeakKeyDictionary[MockAPI, Document] = weakref.WeakKeyDictionary()


def document(runtime: ApiRuntime) -> Document:
    """The spec model of ``runtime``'s document, read once."""
    api = runtime.api
    found = _DOCUMENTS.get(api)
    if found is None:
        found = _DOCUMENTS[api] = load_spec(api.spec)
    return found


def operation(runtime: ApiRuntime, op: OperationValidator) -> Operation:
    found = document(runtime).find(op.method, op.path_template)
    if found is None:  # the validators and the model read the same document
        raise LookupError(f"{op.method.upper()} {op.path_template} is not in the document")
    return found


def rendered(result: generate.Generated) -> Response:
    """A generated response as the pipeline sends it."""
    headers: RawHeaders = [
        (name.lower().encode("latin-1"), value.encode("latin-1"))
        for name, value in result.headers.items()
    ]
    if not result.has_body:
        return result.status, headers, b""
    media = result.media_type or "application/json"
    headers.insert(0, (b"content-type", media.encode("latin-1")))
    body = result.body
    if isinstance(body, str) and not is_json_media_type(media.split(";")[0].strip().lower()):
        return result.status, headers, body.encode()
    return result.status, headers, dumps(body)


def fault_response(
    runtime: ApiRuntime, op: OperationValidator, status: int, seed: int
) -> tuple[Response, bool]:
    """(the answer to a status fault, whether ``op`` documents that status)."""
    moment = now(runtime)
    spec_op = operation(runtime, op)
    if spec_op.response(status) is not None:
        return rendered(generate.respond(spec_op, status, seed=seed, now=moment)), True
    for other in document(runtime).operations:
        if str(status) in other.responses:
            return rendered(generate.respond(other, status, seed=seed, now=moment)), False
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else ""
    error = runtime.api.error_for(
        Problem(ProblemKind.INTERNAL, f"A fault injected into the mock: {status} {phrase}".strip() + ".")
    )
    error.status = status
    return runtime.error_response(error), False


def now(runtime: ApiRuntime) -> dt.datetime:
    """The mock's clock, for the timestamps of generated bodies."""
    return dt.datetime.fromtimestamp(runtime.api.clock.now(), dt.UTC)
