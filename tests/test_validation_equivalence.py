"""The mock's fast-path validator decides exactly what naive openapi-core decides.

``mockserver.validation`` prepares one :class:`~mockserver.validation.OperationValidator`
per operation from openapi-core's own deserializers and schema validators, built once,
and puts a jsonschema-rs translation of each schema in front of them
(:mod:`mockserver.compiled`). That is only a speed-up if it never changes a verdict, so
this module replays a corpus of requests and responses through both:

* **fast**: ``build_validators(OpenAPI.from_dict(spec))[operationId]`` and its
  ``request_problems`` / ``response_problems``, called the way
  :mod:`mockserver.middleware` calls them;
* **naive**: a separate ``OpenAPI.from_dict(spec)`` and its public
  ``iter_request_errors`` / ``iter_response_errors`` (what ``validate_request`` /
  ``validate_response`` raise the first of), which finds the path and operation itself
  from the method and the concrete path.

The corpus, for VINR, Voucherify and a small synthetic spec covering what those two do
not use (array query parameters in both explode styles, numeric and boolean query
parameters with bounds and enums, a required header, a cookie, an integer path parameter,
nullable fields, oneOf/anyOf bodies, readOnly/writeOnly, string formats, a declared
response header, ``default`` and ``2XX`` responses, a 204 without content):

* requests Schemathesis generates for every operation, in positive and negative mode
  (``APIOperation.as_strategy`` drawn with ``hypothesis.given``), turned into the request
  an HTTP client would send, plus hand-written edge cases;
* responses generated from each documented JSON response schema (Schemathesis's own
  OpenAPI-to-JSON-Schema conversion and JSON Schema strategy) and mutated into invalid
  ones, plus undeclared statuses, wrong media types, empty bodies and response headers.

For each case both must accept, or both reject; when both reject a request they must
also agree on where: the same set of (parameter, location) pairs, and both or neither
reporting a body error. A response verdict is compared as accept/reject only: the fast
path reports responses as free-text reasons.

Every disagreement fails the test with the full case and both verdicts, grouped by kind,
except the known ones, each explained where it is handled and counted in the summary
(``Tally.notes``):

* ``known_difference``: naive openapi-core *raises* ``ValueError`` on a media type
  parameter without a value (``application/json; charset``); the fast path rejects;
* ``URLJOIN_NOTE``: naive openapi-core re-parses the decoded path as a URL, which drops
  TAB/CR/LF and more; for those requests it is handed the router's path parameters.

Out of scope, counted and reported rather than compared (``Tally.skipped``):

* security: the engine checks credentials separately; every generated request carries
  valid credentials and a case is in scope only if naive openapi-core finds no security
  error in it (none is lost that way: asserted);
* routing: a request the router cannot send to the operation (a path parameter that is
  empty or holds a ``/`` once decoded) never reaches either validator.

Each test prints its tally (run with ``-s`` to see the counts).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urljoin, urlsplit

import jsonschema_rs
import pytest
import requests
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from openapi_core.templating.paths.finders import APICallPathFinder
from openapi_core.validation.request.exceptions import (
    ParameterValidationError,
    RequestBodyValidationError,
    SecurityValidationError,
)
from requests.structures import CaseInsensitiveDict
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi._hypothesis import make_positive_strategy
from starlette.datastructures import Headers, QueryParams

from mockserver.exceptions import Problem, ProblemKind
from mockserver.validation import OperationValidator, RequestData, build_validators

ROOT = Path(__file__).resolve().parent.parent
JSON = "application/json"
METHODS = ("get", "put", "post", "delete", "patch")
PARAMETER_LOCATIONS = frozenset({"query", "header", "cookie", "path"})
BODY_KINDS = frozenset(
    {ProblemKind.MISSING_BODY, ProblemKind.MALFORMED_JSON, ProblemKind.UNSUPPORTED_MEDIA_TYPE}
)
#: Headers an HTTP client adds on its own (and Schemathesis's test-case id): no operation
#: declares them, so they change nothing; dropped to keep the failure reports readable.
CLIENT_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "accept", "connection", "x-schemathesis-testcaseid"}
)

#: Generated examples per operation and mode (requests), by spec, and per response schema.
REQUEST_EXAMPLES = {"vinr": 12, "voucherify": 12, "synthetic": 30}
RESPONSE_EXAMPLES = 3


# -- the synthetic spec: what VINR and Voucherify do not exercise ----------------------------

_ERROR = {"$ref": "#/components/responses/Error"}
SYNTHETIC_SPEC: dict[str, Any] = {
    "openapi": "3.0.3",
    "info": {"title": "Validation equivalence (synthetic)", "version": "1"},
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "style": "form",
                        "explode": True,
                        "schema": {
                            "type": "array",
                            "maxItems": 4,
                            "items": {"type": "string", "minLength": 1, "maxLength": 8},
                        },
                    },
                    {
                        "name": "ids",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {
                            "type": "array",
                            "maxItems": 3,
                            "items": {"type": "integer", "minimum": 1, "maximum": 999},
                        },
                    },
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                    },
                    {
                        "name": "ratio",
                        "in": "query",
                        "schema": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                    {"name": "flag", "in": "query", "schema": {"type": "boolean"}},
                    {
                        "name": "sort",
                        "in": "query",
                        "schema": {"type": "string", "enum": ["name", "-name", "created"]},
                    },
                    {
                        "name": "since",
                        "in": "query",
                        "schema": {"type": "string", "format": "date-time"},
                    },
                    {
                        "name": "filter",
                        "in": "query",
                        "style": "deepObject",
                        "explode": True,
                        "schema": {
                            "type": "object",
                            "additionalProperties": False,
                            "properties": {
                                "min": {"type": "integer", "minimum": 0},
                                "max": {"type": "integer", "maximum": 100},
                            },
                        },
                    },
                    {
                        "name": "q",
                        "in": "query",
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["term"],
                                    "properties": {"term": {"type": "string", "minLength": 1}},
                                }
                            }
                        },
                    },
                    {
                        "name": "X-Request-Id",
                        "in": "header",
                        "required": True,
                        "schema": {"type": "string", "format": "uuid"},
                    },
                    {
                        "name": "session",
                        "in": "cookie",
                        "schema": {"type": "string", "pattern": "^[a-z0-9]{3,12}$"},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page of items.",
                        "headers": {
                            "X-Total-Count": {
                                "required": True,
                                "schema": {"type": "integer", "minimum": 0},
                            }
                        },
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/ItemList"}
                            }
                        },
                    },
                    "default": _ERROR,
                },
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "400": _ERROR,
                    "default": _ERROR,
                },
            },
        },
        "/items/{itemId}": {
            "parameters": [
                {
                    "name": "itemId",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "integer", "minimum": 1, "maximum": 100000},
                }
            ],
            "get": {
                "operationId": "getItem",
                "responses": {
                    "200": {
                        "description": "The item.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "404": _ERROR,
                },
            },
            "put": {
                "operationId": "replaceItem",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Media"}}
                    },
                },
                "responses": {
                    "2XX": {
                        "description": "Replaced.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Media"}}
                        },
                    },
                    "default": _ERROR,
                },
            },
            "patch": {
                "operationId": "patchItem",
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/ItemPatch"}}
                    },
                },
                "responses": {
                    "200": {
                        "description": "Patched.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Item"}}
                        },
                    },
                    "404": _ERROR,
                },
            },
            "delete": {
                "operationId": "deleteItem",
                # overrides the path item's integer itemId (same name and location)
                "parameters": [
                    {
                        "name": "itemId",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string", "pattern": "^[0-9]{1,4}$"},
                    }
                ],
                "responses": {"204": {"description": "Deleted, no content."}, "404": _ERROR},
            },
        },
        "/notes": {
            "post": {
                "operationId": "createNote",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/Note"}},
                        "text/plain": {"schema": {"type": "string", "maxLength": 20}},
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/Note"}
                        },
                    },
                },
                "responses": {
                    "201": {
                        "description": "Created.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Note"}},
                            "text/plain": {"schema": {"type": "string", "maxLength": 20}},
                        },
                    },
                    "4XX": _ERROR,
                },
            }
        },
    },
    "components": {
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        "responses": {
            "Error": {
                "description": "An error.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/Error"}}
                },
            }
        },
        "schemas": {
            "Error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["code", "message"],
                "properties": {
                    "code": {"type": "string", "enum": ["invalid", "not_found", "conflict"]},
                    "message": {"type": "string"},
                    "param": {"type": "string", "nullable": True},
                },
            },
            "Item": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "name", "kind"],
                "properties": {
                    "id": {"type": "string", "format": "uuid", "readOnly": True},
                    "name": {"type": "string", "minLength": 1, "maxLength": 40},
                    "kind": {"type": "string", "enum": ["book", "disc"]},
                    "owner": {"type": "string", "format": "email"},
                    "released": {"type": "string", "format": "date-time"},
                    "note": {"type": "string", "nullable": True, "maxLength": 80},
                    "price": {
                        "type": "number",
                        "minimum": 0,
                        "maximum": 1000,
                        "nullable": True,
                    },
                    "quantity": {"type": "integer", "minimum": 0, "maximum": 1000},
                    "secret": {"type": "string", "writeOnly": True, "minLength": 4},
                },
            },
            "ItemList": {
                "type": "object",
                "additionalProperties": False,
                "required": ["data", "has_more"],
                "properties": {
                    "data": {
                        "type": "array",
                        "maxItems": 3,
                        "items": {"$ref": "#/components/schemas/Item"},
                    },
                    "has_more": {"type": "boolean"},
                },
            },
            "Book": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "isbn"],
                "properties": {
                    "kind": {"type": "string", "enum": ["book"]},
                    "isbn": {"type": "string", "pattern": "^[0-9]{13}$"},
                    "title": {"type": "string", "nullable": True},
                },
            },
            "Disc": {
                "type": "object",
                "additionalProperties": False,
                "required": ["kind", "tracks"],
                "properties": {
                    "kind": {"type": "string", "enum": ["disc"]},
                    "tracks": {"type": "integer", "minimum": 1, "maximum": 99},
                    "title": {"type": "string", "nullable": True},
                },
            },
            "Media": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Book"},
                    {"$ref": "#/components/schemas/Disc"},
                ]
            },
            "Note": {
                "type": "object",
                "additionalProperties": False,
                "required": ["text"],
                "properties": {
                    "text": {"type": "string", "minLength": 1, "maxLength": 20},
                    "pinned": {"type": "boolean"},
                },
            },
            "ItemPatch": {
                "anyOf": [
                    {
                        "type": "object",
                        "required": ["name"],
                        "properties": {"name": {"type": "string", "minLength": 1}},
                    },
                    {
                        "type": "object",
                        "required": ["note"],
                        "properties": {"note": {"type": "string", "nullable": True}},
                    },
                ]
            },
        },
    },
}


def _load_yaml(name: str) -> dict[str, Any]:
    api = name.removesuffix(".yaml")
    return yaml.safe_load((ROOT / "mockserver" / "apis" / api / "openapi.yaml").read_text(encoding="utf-8"))


SPECS: dict[str, Callable[[], dict[str, Any]]] = {
    "vinr": lambda: _load_yaml("vinr.yaml"),
    "voucherify": lambda: _load_yaml("voucherify.yaml"),
    "synthetic": lambda: copy.deepcopy(SYNTHETIC_SPEC),
}

#: Valid credentials for each spec's security requirement (checked by naive openapi-core).
CREDENTIALS: dict[str, dict[str, str]] = {
    "vinr": {"Authorization": "Bearer sk_test"},
    # X-App-Id + X-App-Token is the requirement naive openapi-core checks first; the OAuth
    # alternative (a bearer token) is fixed too, or negative generation spends its cases on it.
    "voucherify": {"X-App-Id": "app", "X-App-Token": "token", "Authorization": "Bearer oauth"},
    "synthetic": {"Authorization": "Bearer sk_test"},
}

#: Fewest cases each test must compare for each spec (the corpus is deterministic).
MIN_GENERATED = {"vinr": 200, "voucherify": 150, "synthetic": 150}
MIN_RESPONSES = {"vinr": 300, "voucherify": 100, "synthetic": 80}


# -- the two validators under comparison -----------------------------------------------------


@dataclass
class SpecContext:
    name: str
    spec: dict[str, Any]
    #: Naive openapi-core: its own OpenAPI object, nothing shared with the fast path.
    naive: OpenAPI
    fast: dict[str, OperationValidator]
    schema: Any  # schemathesis' OpenApiSchema
    path_finder: APICallPathFinder
    #: operationId -> (method, path template)
    operations: dict[str, tuple[str, str]]


@cache
def context(name: str) -> SpecContext:
    spec = SPECS[name]()
    naive = OpenAPI.from_dict(copy.deepcopy(spec))
    fast = build_validators(OpenAPI.from_dict(copy.deepcopy(spec)))
    # An explicit default config: the project's schemathesis.toml (dictionaries of fixture
    # ids for the contract runs) must not steer this corpus.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(spec), config=SchemathesisConfig())
    operations = {
        op["operationId"]: (method, path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }
    assert set(operations) == set(fast), "build_validators must cover every operation"
    return SpecContext(
        name, spec, naive, fast, schema, APICallPathFinder(naive.spec), operations
    )


@dataclass(frozen=True)
class Verdict:
    """What one validator decided about one case."""

    accepted: bool
    #: (name, location) of every parameter reported.
    params: frozenset[tuple[str, str]] = frozenset()
    #: A body problem was reported.
    body: bool = False
    #: Problems that name neither a parameter nor the body.
    unlocated: bool = False
    #: The validator raised instead of answering (type name).
    crash: str | None = None
    #: Human-readable detail, for failure reports only.
    detail: tuple[str, ...] = ()

    def where(self) -> tuple[Any, ...]:
        return (self.params, self.body, self.unlocated, self.crash)

    def show(self) -> str:
        if self.accepted:
            return "accepted"
        params = ", ".join(f"{loc}:{name}" for name, loc in sorted(self.params, key=str))
        parts = [f"params=[{params}]", f"body={self.body}"]
        if self.unlocated:
            parts.append("unlocated=True")
        if self.crash:
            parts.append(f"crash={self.crash}")
        lines = "".join(f"\n        - {line[:300]}" for line in self.detail)
        return "rejected " + " ".join(parts) + lines


def agree(fast: Verdict, naive: Verdict, *, compare_where: bool = True) -> bool:
    if fast.accepted != naive.accepted:
        return False
    return fast.accepted or not compare_where or fast.where() == naive.where()


#: A media type parameter without ``=value`` (``application/json; charset``).
_VALUELESS_MEDIA_PARAMETER = re.compile(r";\s*[^=;\s]+\s*(;|$)")
MEDIA_TYPE_NOTE = (
    "known difference: naive openapi-core raises ValueError on a media type parameter without "
    "a value, the fast path reports an unsupported media type"
)


FORM_PART_NOTE = (
    "known difference: naive openapi-core's multipart/form-data parser asserts on a part "
    "without a name (an AssertionError, the engine would answer 500), the fast path reports "
    "a malformed body"
)


def known_difference(
    fast: Verdict, naive: Verdict, content_type: str, *, request: bool
) -> str | None:
    """The reason a disagreement is known and intended, or None (then it is a mismatch).

    Two of them. openapi-core's ``MediaTypeFinder`` splits each media type parameter on
    ``=`` and raises a bare ``ValueError`` for ``application/json; charset``, which escapes
    ``validate_request``/``validate_response`` (an error, not a verdict: the engine would
    answer 500). The fast path turns it into ``MediaTypeNotFound``: a request body problem
    (415), a response that breaks the contract. And its ``multipart/form-data`` parser
    asserts that every part has a name: the fast path reports such a body as malformed (400).
    """
    if (
        naive.crash == "ValueError"
        and fast.crash is None
        and not fast.accepted
        and (fast.body or not request)  # a request body problem; any response rejection
        and _VALUELESS_MEDIA_PARAMETER.search(content_type)
    ):
        return MEDIA_TYPE_NOTE
    if (
        naive.crash == "AssertionError"
        and fast.crash is None
        and not fast.accepted
        and fast.body
        and content_type.startswith("multipart/form-data")
    ):
        return FORM_PART_NOTE
    return None


def fast_request_verdict(op: OperationValidator, data: RequestData, parsed: Any) -> Verdict:
    try:
        problems: list[Problem] = op.request_problems(data, parsed)
    except Exception as exc:  # a crash is a verdict too (the engine answers 500)
        return Verdict(False, crash=type(exc).__name__, detail=(repr(exc),))
    params: set[tuple[str, str]] = set()
    body = unlocated = False
    for problem in problems:
        if problem.location in PARAMETER_LOCATIONS and problem.param:
            params.add((problem.param, problem.location))
        elif problem.location == "body" or problem.kind in BODY_KINDS:
            body = True
        else:
            unlocated = True
    return Verdict(
        not problems,
        frozenset(params),
        body,
        unlocated,
        detail=tuple(f"{p.kind}: {p.message} ({p.location}:{p.param})" for p in problems),
    )


def describe_error(error: BaseException) -> str:
    """``str(error)`` and its cause, for reports (openapi-core's ``__str__`` can itself raise,
    e.g. ``MediaTypeDeserializeError`` on a body that is not UTF-8)."""
    try:
        text = str(error)
    except Exception:
        text = repr(error.args)
    return f"{type(error).__name__}: {text} (cause: {error.__cause__!r})"


class OutOfScope(Exception):
    """The case is not one the fast path is ever asked about (see the module docstring)."""


def naive_request_verdict(ctx: SpecContext, data: RequestData) -> Verdict:
    try:
        errors = list(ctx.naive.iter_request_errors(data))
    except Exception as exc:
        return Verdict(False, crash=type(exc).__name__, detail=(repr(exc),))
    params: set[tuple[str, str]] = set()
    body = unlocated = False
    for error in errors:
        if isinstance(error, SecurityValidationError):
            raise OutOfScope("naive openapi-core reports a security error")
        if isinstance(error, PathError):
            raise OutOfScope("naive openapi-core finds no operation for the path")
        if isinstance(error, ParameterValidationError):
            params.add((error.name, error.location))
        elif isinstance(error, RequestBodyValidationError):
            body = True
        else:
            unlocated = True
    return Verdict(
        not errors,
        frozenset(params),
        body,
        unlocated,
        detail=tuple(describe_error(e) for e in errors),
    )


# -- concrete requests -----------------------------------------------------------------------


@dataclass(frozen=True)
class HttpRequest:
    """A request as it reaches the engine: decoded path, raw query string, header list."""

    origin: str
    operation_id: str
    method: str
    path: str
    query_string: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes | None = None

    def describe(self) -> str:
        return (
            f"[{self.origin}] {self.operation_id}: {self.method.upper()} {self.path!r}"
            f"\n      query:   {self.query_string!r}"
            f"\n      headers: {list(self.headers)!r}"
            f"\n      body:    {_shown(self.body)}"
        )


def _shown(body: bytes | None, limit: int = 2000) -> str:
    if body is None or len(body) <= limit:
        return repr(body)
    return f"{body[:limit]!r}... ({len(body)} bytes)"


def engine_cookies(headers: Headers) -> dict[str, str]:
    """Cookies parsed the way ``mockserver.middleware._cookies`` parses them."""
    raw = headers.get("cookie")
    if not raw:
        return {}
    return dict(parse_qsl(raw.replace("; ", "&"), keep_blank_values=True))


def _group(name: str) -> str:
    return re.sub(r"\W", "_", name)


def _template_regex(template: str) -> re.Pattern[str]:
    # As the engine's router (``mockserver.routing.RouteIndex``) matches: each ``{param}``
    # binds one whole, non-empty segment of the decoded path, as a string (an integer path
    # parameter too: casting it is the validators' job, and compared here).
    pattern = ""
    for literal, name in re.findall(r"([^{]*)(?:\{([^}]+)\})?", template):
        pattern += re.escape(literal)
        if name:
            pattern += f"(?P<{_group(name)}>[^/]+)"
    return re.compile(pattern)


def route(ctx: SpecContext, request: HttpRequest) -> tuple[dict[str, str], dict[str, str] | None]:
    """(path parameters the router hands the engine, those naive openapi-core would find).

    The second is ``None`` when naive openapi-core's path finder does not land on the
    operation. Raises OutOfScope for a request the router would not send to the operation.
    """
    method, template = ctx.operations[request.operation_id]
    names = re.findall(r"\{([^}]+)\}", template)
    match = _template_regex(template).fullmatch(request.path)
    if match is None:
        raise OutOfScope("the router cannot reach the operation (empty or '/' path parameter)")
    routed = {name: match.group(_group(name)) for name in names}
    try:
        # exactly the URL naive openapi-core builds (``BaseAPICallValidator._find_path``)
        found = ctx.path_finder.find(method, urljoin("http://localhost", request.path))
    except PathError:
        return routed, None
    if found.path.parts[-1] != template:
        return routed, None
    return routed, dict(found.path_result.variables)


@dataclass
class PatternRequestData(RequestData):
    """openapi-core's ``SupportsPathPattern`` request: the router's template and parameters."""

    path_pattern: str = ""


def request_data(request: HttpRequest, path_params: Mapping[str, str]) -> RequestData:
    """RequestData built the way ``MockMiddleware._handle`` builds it."""
    headers = Headers(
        raw=[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
    )
    return RequestData(
        parameters=RequestParameters(
            query=QueryParams(request.query_string),
            header=headers,
            cookie=engine_cookies(headers),
            path=dict(path_params),
        ),
        body=request.body or None,
        content_type=headers.get("content-type", "application/json"),
        method=request.method,
        path=request.path,
    )


def parsed_body(request: HttpRequest) -> Any:
    """The body as ``mockserver.bodies.parse_json`` hands it over: JSON media types only.

    (The engine answers 415 / 400 itself before validating a body of another media type or
    one that is not JSON; the validator is still asked here, with ``None``.)
    """
    content_type = dict((k.lower(), v) for k, v in request.headers).get("content-type", "")
    mimetype = content_type.split(";")[0].strip().lower()
    if not request.body or not (mimetype == JSON or mimetype.endswith("+json")):
        return None
    try:
        return json.loads(request.body)
    except ValueError:
        return None


def from_case(ctx: SpecContext, case: Any, origin: str) -> HttpRequest:
    """The request an HTTP client sends for a Schemathesis case (with valid credentials)."""
    kwargs = case.as_transport_kwargs(base_url="http://localhost")
    prepared = requests.PreparedRequest()
    prepared.prepare_method(kwargs["method"])
    prepared.prepare_url(kwargs["url"], kwargs.get("params"))
    prepared.prepare_headers({})
    prepared.prepare_body(kwargs.get("data"), kwargs.get("files"), kwargs.get("json"))
    # requests' precedence: the caller's headers win over those it derives from the body.
    merged = CaseInsensitiveDict(prepared.headers)
    merged.update(kwargs["headers"])
    headers: dict[str, str] = {}
    for name, value in merged.items():
        if name.lower() not in CLIENT_HEADERS and name.lower() != "content-length":
            headers[name] = str(value)
    cookies = kwargs.get("cookies") or {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    # Valid credentials, applied after Schemathesis's own header exclusions so that negative
    # generation cannot strip them (security is out of scope, see the module docstring).
    for name in list(headers):
        if name.lower() in {c.lower() for c in CREDENTIALS[ctx.name]}:
            del headers[name]
    headers.update(CREDENTIALS[ctx.name])
    url = urlsplit(prepared.url)
    body = prepared.body
    if isinstance(body, str):
        body = body.encode("utf-8")
    return HttpRequest(
        origin=origin,
        operation_id=case.operation.definition.raw["operationId"],
        method=case.method.lower(),
        path=unquote(url.path),
        query_string=url.query,
        headers=tuple(headers.items()),
        body=body,
    )


def draw_all(strategy: st.SearchStrategy[Any], max_examples: int) -> list[Any]:
    """Every value ``hypothesis.given`` draws from ``strategy`` (deterministically)."""
    drawn: list[Any] = []

    @settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.generate],
    )
    @given(strategy)
    def collect(value: Any) -> None:
        drawn.append(value)

    try:
        collect()
    except Unsatisfiable:  # nothing to generate (e.g. nothing to negate): no cases
        pass
    return drawn


# -- comparing -------------------------------------------------------------------------------


@dataclass
class Tally:
    label: str
    compared: int = 0
    accepted: int = 0
    rejected: int = 0
    #: Cases not compared, by reason (out of scope, see the module docstring).
    skipped: Counter[str] = field(default_factory=Counter)
    #: Cases compared with a documented adjustment, by reason.
    notes: Counter[str] = field(default_factory=Counter)
    #: Compared cases per operationId.
    operations: Counter[str] = field(default_factory=Counter)
    #: Mismatches grouped by kind: signature -> full reports of every case.
    mismatches: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def record(
        self,
        operation_id: str,
        description: str,
        fast: Verdict,
        naive: Verdict,
        *,
        where: bool = True,
        content_type: str = "",
    ) -> None:
        self.compared += 1
        self.operations[operation_id] += 1
        if naive.accepted:
            self.accepted += 1
        else:
            self.rejected += 1
        if agree(fast, naive, compare_where=where) and not (fast.crash or naive.crash):
            return
        known = known_difference(fast, naive, content_type, request=where)
        if known is not None:
            self.notes[known] += 1
            return
        if fast.crash or naive.crash:
            what = f"crash (fast: {fast.crash}, naive: {naive.crash})"
        elif fast.accepted != naive.accepted:
            what = f"decision (fast accepts: {fast.accepted}, naive accepts: {naive.accepted})"
        else:
            what = "location"
        self.mismatches.setdefault(what, []).append(
            f"{description}\n    fast:  {fast.show()}\n    naive: {naive.show()}"
        )

    @property
    def mismatch_count(self) -> int:
        return sum(len(cases) for cases in self.mismatches.values())

    def summary(self) -> str:
        skipped = ", ".join(f"{n} x {why}" for why, n in self.skipped.most_common()) or "none"
        notes = "".join(f"; {n} x {why}" for why, n in self.notes.most_common())
        return (
            f"{self.label}: {self.compared} compared ({self.accepted} accepted, "
            f"{self.rejected} rejected by naive openapi-core), {self.mismatch_count} "
            f"mismatches; skipped: {skipped}{notes}; {self.seconds:.1f}s"
        )

    def report(self, per_kind: int = 3) -> str:
        """The summary, then for each kind of mismatch its count and its first cases."""
        parts = [self.summary()]
        for what, cases in self.mismatches.items():
            shown = "\n\n".join(f"  {case}" for case in cases[:per_kind])
            more = f"\n  ... and {len(cases) - per_kind} more" if len(cases) > per_kind else ""
            parts.append(f"{len(cases)} x {what} mismatch:\n{shown}{more}")
        return "\n\n".join(parts)


#: Known difference, not a fast-path one: naive openapi-core finds the operation and its path
#: parameters by re-parsing the (already decoded) path as a URL, ``urljoin(host_url, path)``,
#: and urllib drops every TAB, CR and LF, resolves ``.`` and ``..`` segments and drops an
#: empty trailing ``;`` parameter, and the path finder stops at a ``?``. So for ``/v1/campaigns/a%0Ab`` it would validate ``ab`` (which Voucherify's
#: ``campaignId`` pattern exists to reject), and for ``/v1/campaigns/a%3F/enable`` it finds no
#: operation at all. The router hands the engine the real values. For those requests only,
#: naive openapi-core is given what the router matched, the openapi-core way (a request with
#: ``path_pattern`` and the path parameters), and validates everything else itself.
URLJOIN_NOTE = "naive openapi-core given the router's match (urljoin alters the path)"


def compare_request(ctx: SpecContext, request: HttpRequest, tally: Tally) -> None:
    try:
        routed, found = route(ctx, request)
    except OutOfScope as why:
        tally.skipped[str(why)] += 1
        return
    if found == routed:
        # naive openapi-core gets no path parameters: it finds them from the concrete path.
        naive_request = request_data(request, {})
    else:
        tally.notes[URLJOIN_NOTE] += 1
        data = request_data(request, routed)
        naive_request = PatternRequestData(
            parameters=data.parameters,
            body=data.body,
            content_type=data.content_type,
            method=data.method,
            path=data.path,
            path_pattern=ctx.operations[request.operation_id][1],
        )
    try:
        naive = naive_request_verdict(ctx, naive_request)
    except OutOfScope as why:
        tally.skipped[str(why)] += 1
        return
    fast = fast_request_verdict(
        ctx.fast[request.operation_id], request_data(request, routed), parsed_body(request)
    )
    content_type = dict((k.lower(), v) for k, v in request.headers).get("content-type", "")
    tally.record(
        request.operation_id, request.describe(), fast, naive, content_type=content_type
    )


def generated_requests(ctx: SpecContext, mode: GenerationMode) -> Iterator[HttpRequest]:
    for result in ctx.schema.get_all_operations():
        operation = result.ok()
        # Credentials as fixed headers: negative generation then mutates the rest instead.
        strategy = operation.as_strategy(generation_mode=mode, headers=CREDENTIALS[ctx.name])
        for case in draw_all(strategy, REQUEST_EXAMPLES[ctx.name]):
            yield from_case(ctx, case, mode.value)


def finish(tally: Tally, started: float) -> None:
    tally.seconds = time.perf_counter() - started
    print(tally.summary())
    if tally.mismatches:
        pytest.fail(tally.report(), pytrace=False)


# -- tests: generated requests ---------------------------------------------------------------

SPEC_NAMES = ["vinr", "voucherify", "synthetic"]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize("name", SPEC_NAMES)
def test_generated_requests_get_the_same_verdict(name: str, mode: GenerationMode) -> None:
    started = time.perf_counter()
    ctx = context(name)
    tally = Tally(f"{name} requests ({mode.value})")
    for request in generated_requests(ctx, mode):
        compare_request(ctx, request, tally)
    finish(tally, started)
    assert tally.compared >= MIN_GENERATED[name], tally.summary()
    expected = set(ctx.operations)
    if mode is GenerationMode.NEGATIVE:
        # an operation that takes nothing (no parameter, no body) has nothing to get wrong
        expected -= {
            op for op, validator in ctx.fast.items()
            if not validator.parameters and not validator.has_body
        }
    assert set(tally.operations) == expected, "every operation has compared cases"
    # Credentials are always valid: not a single case may be lost to security.
    assert not [why for why in tally.skipped if "security" in why], tally.summary()
    if mode is GenerationMode.POSITIVE:
        assert tally.accepted >= tally.compared // 2, tally.summary()
    else:
        assert tally.rejected >= tally.compared // 2, tally.summary()


# -- tests: hand-written request edge cases --------------------------------------------------

def edge(
    ctx: SpecContext,
    operation_id: str,
    path: str,
    query: str = "",
    *,
    body: Any = None,
    raw_body: bytes | None = None,
    content_type: str | None = JSON,
    headers: Iterable[tuple[str, str]] = (),
    note: str = "",
) -> HttpRequest:
    all_headers = list(CREDENTIALS[ctx.name].items()) + list(headers)
    if raw_body is None and body is not None:
        raw_body = json.dumps(body).encode()
    if content_type is not None and raw_body is not None:
        all_headers.append(("Content-Type", content_type))
    return HttpRequest(
        origin=f"edge: {note}" if note else "edge",
        operation_id=operation_id,
        method=ctx.operations[operation_id][0],
        path=path,
        query_string=query,
        headers=tuple(all_headers),
        body=raw_body,
    )


def _common_edges(ctx: SpecContext, create: str, path: str, valid: dict[str, Any]) -> list[HttpRequest]:
    """Body edge cases every spec has: ``create`` is an operation with a required JSON body."""
    return [
        edge(ctx, create, path, body=valid, note="valid body"),
        edge(ctx, create, path, note="missing required body"),
        edge(ctx, create, path, raw_body=b"", note="empty body"),
        edge(ctx, create, path, body=valid, content_type="text/plain", note="wrong content type"),
        edge(ctx, create, path, body=valid, content_type=None, note="no content type"),
        edge(
            ctx, create, path, body=valid, content_type="application/json; charset=utf-8",
            note="content type with charset",
        ),
        edge(ctx, create, path, raw_body=b"{not json", note="malformed JSON"),
        edge(ctx, create, path, raw_body=b'{"name": "\xff"}', note="body not UTF-8"),
        edge(ctx, create, path, body=[valid], note="array instead of object"),
        edge(ctx, create, path, body={**valid, "zz_unknown": 1}, note="extra body property"),
        edge(ctx, create, path, body={}, note="empty object"),
    ] + [
        edge(ctx, create, path, body=valid, content_type=content_type, note=f"content type {content_type!r}")
        for content_type in (
            "application/json;charset=utf-8",
            "APPLICATION/JSON",
            "application/json ; charset=latin-1",
            "application/json; charset",
            "application/vnd.api+json",
            "application/json, text/plain",
            "*/*",
            "",
        )
    ]


def vinr_edges(ctx: SpecContext) -> list[HttpRequest]:
    campaign = {"name": "Spring", "type": "coupon", "ends_at": 1788220800}
    cases = _common_edges(ctx, "createCampaign", "/v1/campaigns", campaign)
    cases += [
        edge(ctx, "createCampaign", "/v1/campaigns", body={**campaign, "type": "bogus"},
             note="unknown enum"),
        edge(ctx, "createCampaign", "/v1/campaigns", body=campaign,
             headers=[("Idempotency-Key", "")], note="empty idempotency key"),
        edge(ctx, "createCampaign", "/v1/campaigns", body={**campaign, "metadata": {"a": 1}},
             note="metadata value not a string"),
        edge(ctx, "updateCampaign", "/v1/campaigns/cmp_abc", body={"name": "x"}),
        edge(ctx, "updateCampaign", "/v1/campaigns/bad-id", body={"name": "x"},
             note="path pattern and valid body"),
        edge(ctx, "updateCampaign", "/v1/campaigns/bad-id", body={"name": 5},
             note="path pattern and bad body"),
        edge(ctx, "retrieveCampaign", "/v1/campaigns/cmp_" + "a" * 70, note="path too long"),
        edge(ctx, "deleteCampaign", "/v1/campaigns/cmp_abc", body={"x": 1},
             note="body on an operation without one"),
    ]
    for query, note in [
        ("", "no query"),
        ("limit=", "empty query value"),
        ("limit=0", "below minimum"),
        ("limit=101", "above maximum"),
        ("limit=abc", "not an integer"),
        ("limit=1.0", "integer spelled as float"),
        ("limit=10&limit=abc", "repeated, last invalid"),
        ("limit=abc&limit=10", "repeated, first invalid"),
        ("active=yes", "boolean yes"),
        ("active=1", "boolean 1"),
        ("active=True", "boolean True"),
        ("active=off", "boolean off"),
        ("active=maybe", "not a boolean"),
        ("active=", "empty boolean"),
        ("starting_after=" + "x" * 65, "cursor too long"),
        ("unknown=1", "undeclared query parameter"),
        ("active=maybe&limit=0&starting_after=" + "x" * 65, "three bad parameters"),
    ]:
        cases.append(edge(ctx, "listCampaigns", "/v1/campaigns", query, note=note))
    cases += [
        edge(ctx, "listOffers", "/v1/offers", "campaign=cmp_abc&active=false"),
        edge(ctx, "listOffers", "/v1/offers", "campaign=abc", note="pattern"),
        edge(ctx, "listEvents", "/v1/events", "type=campaign.*"),
        edge(ctx, "listEvents", "/v1/events", "type=Campaign", note="pattern"),
        edge(ctx, "listCoupons", "/v1/coupons", "code=ab", note="too short"),
    ]
    return cases


def voucherify_edges(ctx: SpecContext) -> list[HttpRequest]:
    campaign = {
        "name": "Spring",
        "campaign_type": "DISCOUNT_COUPONS",
        "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {"type": "AMOUNT", "amount_off": 500}},
    }
    cases = _common_edges(ctx, "create-campaign", "/v1/campaigns", campaign)
    cases += [
        edge(ctx, "create-campaign", "/v1/campaigns",
             body={**campaign, "campaign_type": "BOGUS"}, note="unknown enum"),
        edge(ctx, "create-campaign", "/v1/campaigns",
             body={**campaign, "voucher": {"type": "DISCOUNT_VOUCHER", "discount": {}}},
             note="oneOf with no branch"),
        edge(ctx, "create-campaign", "/v1/campaigns",
             body={**campaign, "start_date": "yesterday"}, note="bad date-time"),
        edge(ctx, "update-campaign", "/v1/campaigns/camp_1", body={"description": None},
             note="nullable"),
        edge(ctx, "update-campaign", "/v1/campaigns/camp_1", body={"start_date": "nope"},
             note="bad date-time"),
        edge(ctx, "update-campaign", "/v1/campaigns/camp_1", note="missing body"),
        edge(ctx, "get-campaign", "/v1/campaigns/some name", note="name with a space"),
        edge(ctx, "get-campaign", "/v1/campaigns/some\nname", note="name with a line break"),
        edge(ctx, "get-campaign", "/v1/campaigns/some\tname", note="name with a tab"),
        edge(ctx, "get-campaign", "/v1/campaigns/what?", note="name with a question mark"),
        edge(ctx, "enable-campaign", "/v1/campaigns/a#b/enable", note="name with a hash"),
        edge(ctx, "enable-campaign", "/v1/campaigns/a;/enable", note="name with a semicolon"),
        edge(ctx, "get-campaign", "/v1/campaigns/x;", note="name ending with a semicolon"),
        edge(ctx, "get-campaign", "/v1/campaigns/..", note="name '..'"),
        edge(ctx, "enable-campaign", "/v1/campaigns/camp_1/enable"),
    ]
    for query, note in [
        ("", "no query"),
        ("limit=", "empty query value"),
        ("page=0", "below minimum"),
        ("limit=100&page=100", "at maximum"),
        ("campaign_type=UNKNOWN", "unknown enum"),
        ("campaign_type=", "empty enum"),
        ("expand=category", "enum"),
        ("order=-updated_at", "enum with a dash"),
        ("is_referral_code=yes", "boolean yes"),
        ("is_referral_code=1", "boolean 1"),
        ("is_referral_code=FALSE", "boolean FALSE"),
        ("is_referral_code=nope", "not a boolean"),
        ("limit=abc&page=-1&order=x", "three bad parameters"),
    ]:
        cases.append(edge(ctx, "list-campaigns", "/v1/campaigns", query, note=note))
    for query in ["force=true", "force=yes", "force=0", "force=", "force=perhaps"]:
        cases.append(edge(ctx, "delete-campaign", "/v1/campaigns/camp_1", query, note=query))
    return cases


UUID = "123e4567-e89b-12d3-a456-426614174000"


def synthetic_edges(ctx: SpecContext) -> list[HttpRequest]:
    item = {"name": "Dune", "kind": "book"}
    cases = _common_edges(ctx, "createItem", "/items", item)
    rid = [("X-Request-Id", UUID)]
    for query, headers, note in [
        ("", rid, "valid"),
        ("", [], "missing required header"),
        ("", [("X-Request-Id", "not-a-uuid")], "header format"),
        ("", [("X-Request-Id", "")], "empty required header"),
        ("tags=a&tags=b", rid, "exploded array"),
        ("tags=a,b", rid, "exploded array given one comma value"),
        ("tags=", rid, "empty array item"),
        ("tags=a&tags=b&tags=c&tags=d&tags=e", rid, "too many items (exploded)"),
        ("ids=1,2,3", rid, "non-exploded array"),
        ("ids=1,x", rid, "non-exploded array, bad item"),
        ("ids=1&ids=2", rid, "non-exploded array sent exploded"),
        ("ids=1,2,3,4", rid, "too many items (non-exploded)"),
        ("ids=", rid, "empty non-exploded array"),
        ("limit=0", rid, "integer below minimum"),
        ("limit=51", rid, "integer above maximum"),
        ("limit=", rid, "empty integer"),
        ("limit=2e1", rid, "integer in exponent form"),
        ("ratio=0.5", rid, "number"),
        ("ratio=1.5", rid, "number above maximum"),
        ("ratio=-0", rid, "negative zero"),
        ("ratio=nan", rid, "NaN"),
        ("ratio=inf", rid, "infinity"),
        ("ratio=abc", rid, "not a number"),
        ("flag=yes", rid, "boolean yes"),
        ("flag=1", rid, "boolean 1"),
        ("flag=TRUE", rid, "boolean TRUE"),
        ("flag=maybe", rid, "not a boolean"),
        ("sort=-name", rid, "enum"),
        ("sort=bogus", rid, "unknown enum"),
        ("since=2024-01-01T00:00:00Z", rid, "date-time"),
        ("since=2024-01-01", rid, "date, not date-time"),
        ("since=yesterday", rid, "not a date-time"),
        ("filter%5Bmin%5D=1&filter%5Bmax%5D=5", rid, "deepObject"),
        ("filter%5Bmin%5D=x", rid, "deepObject, bad property value"),
        ("filter%5Bother%5D=1", rid, "deepObject, unknown property"),
        ("q=%7B%22term%22%3A%22x%22%7D", rid, "content (JSON) parameter"),
        ("q=%7B%7D", rid, "content parameter missing its required property"),
        ("q=notjson", rid, "content parameter not JSON"),
        ("q=", rid, "content parameter empty"),
        ("", [*rid, ("Cookie", "session=abc123")], "cookie"),
        ("", [*rid, ("Cookie", "session=AB")], "cookie pattern"),
        ("", [*rid, ("Cookie", "other=1; session=")], "empty cookie"),
        ("limit=0&flag=maybe", [("X-Request-Id", "x"), ("Cookie", "session=!")],
         "four bad parameters in three locations"),
    ]:
        cases.append(edge(ctx, "listItems", "/items", query, headers=headers, note=note))
    for item_id in ["1", "100000", "0", "-1", "abc", "1.5", "01", "+1", "1e3", "99999999999999999999"]:
        cases.append(edge(ctx, "getItem", f"/items/{item_id}", note=f"itemId {item_id}"))
        cases.append(edge(ctx, "deleteItem", f"/items/{item_id}", note=f"itemId {item_id}"))
    full = {
        "name": "Dune",
        "kind": "book",
        "owner": "ann@example.com",
        "released": "2024-01-01T10:00:00+02:00",
        "note": None,
        "price": None,
        "quantity": 3,
    }
    for body, note in [
        (full, "every property, nullables null"),
        ({**item, "id": UUID}, "readOnly property sent"),
        ({**item, "secret": "hunter22"}, "writeOnly property sent"),
        ({**item, "secret": "abc"}, "writeOnly property too short"),
        ({"kind": "book"}, "missing required"),
        ({**item, "name": None}, "null for a non-nullable property"),
        ({**item, "owner": "not-an-email"}, "email format"),
        ({**item, "released": "2024-13-01T00:00:00Z"}, "date-time format"),
        ({**item, "price": 1000.5}, "number above maximum"),
        ({**item, "quantity": 1.5}, "integer property as float"),
        ({**item, "quantity": True}, "integer property as boolean"),
        ({**item, "kind": "tape"}, "unknown enum"),
    ]:
        cases.append(edge(ctx, "createItem", "/items", body=body, note=note))
    for body, note in [
        ({"kind": "book", "isbn": "9780441013593"}, "oneOf first branch"),
        ({"kind": "disc", "tracks": 12, "title": None}, "oneOf second branch"),
        ({"kind": "book", "tracks": 12}, "oneOf neither branch"),
        ({"kind": "disc", "isbn": "9780441013593", "tracks": 2}, "oneOf mixed"),
        ({}, "oneOf empty object"),
        ("book", "oneOf given a string"),
    ]:
        cases.append(edge(ctx, "replaceItem", "/items/7", body=body, note=note))
    cases.append(edge(ctx, "replaceItem", "/items/x", body={}, note="bad path and bad body"))
    form = "application/x-www-form-urlencoded"
    for raw_body, content_type, note in [
        (b'{"text": "hi"}', JSON, "JSON"),
        (b"hello", "text/plain", "text"),
        (b"hello", "text/plain; charset=latin-1", "text with a charset"),
        (b"\xe9t\xe9", "text/plain", "text not UTF-8"),
        (b"a" * 21, "text/plain", "text too long"),
        (b"text=hi&pinned=true", form, "form"),
        (b"text=hi&pinned=yes", form, "form boolean yes"),
        (b"text=hi&pinned=maybe", form, "form not a boolean"),
        (b"text=", form, "form empty text"),
        (b"text=hi&other=1", form, "form unknown field"),
        (b"pinned=true", form, "form missing required"),
        (b"text=hi", "multipart/form-data; boundary=x", "undeclared media type"),
    ]:
        cases.append(
            edge(ctx, "createNote", "/notes", raw_body=raw_body, content_type=content_type, note=note)
        )
    for body, note in [
        (None, "optional body absent"),
        ({}, "anyOf neither branch"),
        ({"name": "x"}, "anyOf first branch"),
        ({"note": None}, "anyOf second branch, null"),
        ({"name": "x", "note": "y"}, "anyOf both branches"),
        ({"name": ""}, "anyOf first branch too short"),
    ]:
        cases.append(edge(ctx, "patchItem", "/items/7", body=body, note=note))
    return cases


EDGES: dict[str, Callable[[SpecContext], list[HttpRequest]]] = {
    "vinr": vinr_edges,
    "voucherify": voucherify_edges,
    "synthetic": synthetic_edges,
}


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_hand_written_requests_get_the_same_verdict(name: str) -> None:
    started = time.perf_counter()
    ctx = context(name)
    tally = Tally(f"{name} requests (hand-written)")
    cases = EDGES[name](ctx)
    for request in cases:
        compare_request(ctx, request, tally)
    finish(tally, started)
    assert tally.compared == len(cases), tally.summary()
    assert tally.accepted >= 3 and tally.rejected >= 10, tally.summary()


# -- responses -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HttpResponse:
    origin: str
    operation_id: str
    status: int
    body: bytes
    mimetype: str = JSON
    headers: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        return (
            f"[{self.origin}] {self.operation_id}: response {self.status} {self.mimetype}"
            f"\n      headers: {list(self.headers)!r}\n      body:    {_shown(self.body)}"
        )


@dataclass
class NaiveResponse:
    """openapi-core's Response protocol."""

    status_code: int
    data: bytes
    content_type: str
    headers: Mapping[str, str]


def response_headers(response: HttpResponse) -> Headers:
    # As the middleware hands them over (``Headers(raw=...)``, case-insensitive); both
    # validators get this same object.
    return Headers(
        raw=[(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]
    )


def compare_response(ctx: SpecContext, response: HttpResponse, tally: Tally) -> None:
    method, template = ctx.operations[response.operation_id]
    concrete = re.sub(r"\{[^}]+\}", "1", template)
    request = RequestData(
        parameters=RequestParameters(), body=None, content_type=JSON, method=method, path=concrete
    )
    headers = response_headers(response)
    try:
        errors = list(
            ctx.naive.iter_response_errors(
                request, NaiveResponse(response.status, response.body, response.mimetype, headers)
            )
        )
        naive = Verdict(
            not errors, detail=tuple(describe_error(e) for e in errors)
        )
    except Exception as exc:
        naive = Verdict(False, crash=type(exc).__name__, detail=(repr(exc),))
    try:
        reasons = ctx.fast[response.operation_id].response_problems(
            response.status, response.body, response.mimetype, headers
        )
        fast = Verdict(not reasons, detail=tuple(reasons))
    except Exception as exc:
        fast = Verdict(False, crash=type(exc).__name__, detail=(repr(exc),))
    # Responses: accept/reject only (the fast path explains itself in free text).
    tally.record(
        response.operation_id,
        response.describe(),
        fast,
        naive,
        where=False,
        content_type=response.mimetype,
    )


def resolve(spec: Mapping[str, Any], node: Any) -> Any:
    while isinstance(node, Mapping) and "$ref" in node:
        target: Any = spec
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def object_shape(spec: Mapping[str, Any], schema: Any) -> tuple[dict[str, Any], set[str], bool]:
    """(properties, required, closed) of an object schema, looking through $ref and allOf."""
    schema = resolve(spec, schema)
    if not isinstance(schema, Mapping):
        return {}, set(), False
    properties: dict[str, Any] = {}
    required: set[str] = set(schema.get("required", ()))
    closed = schema.get("additionalProperties") is False
    for part in schema.get("allOf", ()):
        sub_props, sub_required, sub_closed = object_shape(spec, part)
        properties.update(sub_props)
        required |= sub_required
        closed = closed or sub_closed
    properties.update({k: resolve(spec, v) for k, v in schema.get("properties", {}).items()})
    return properties, required, closed


def _other_type(value: Any) -> Any:
    return 12345 if isinstance(value, str) else "not-the-declared-type"


def mutations(spec: Mapping[str, Any], schema: Any, instance: Any) -> Iterator[tuple[str, Any]]:
    """Invalid (or likely invalid) variants of a valid ``instance`` of ``schema``."""
    if not isinstance(instance, dict):
        yield "top-level value of another type", {"unexpected": instance}
        return
    properties, required, closed = object_shape(spec, schema)
    for name in sorted(required):
        if name in instance:
            yield f"drop required {name}", {k: v for k, v in instance.items() if k != name}
            break
    for name in sorted(instance):
        if name in properties:
            yield f"change type of {name}", {**instance, name: _other_type(instance[name])}
            break
    if closed:
        yield "unknown property", {**instance, "zz_unknown_property": True}
    for name, sub in sorted(properties.items()):
        if isinstance(sub, Mapping) and "enum" in sub:
            yield f"wrong enum value for {name}", {**instance, name: "zz-not-in-enum"}
            break
    for name in sorted(instance):
        sub = properties.get(name)
        if isinstance(sub, Mapping) and not sub.get("nullable") and instance[name] is not None:
            yield f"null for {name}", {**instance, name: None}
            break
    for name, sub in sorted(properties.items()):
        if isinstance(sub, Mapping) and sub.get("writeOnly"):
            yield f"writeOnly {name} in a response", {**instance, name: "secret-value"}
    for name in sorted(instance):  # one level down: the first list of objects (list responses)
        value = instance[name]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            items = resolve(spec, properties.get(name, {})).get("items")
            for label, item in mutations(spec, items, value[0]):
                yield f"{name}[0]: {label}", {**instance, name: [item, *value[1:]]}
            break


def status_for(key: str, declared: Iterable[str]) -> int:
    if key == "default":
        return next(s for s in (500, 503, 418, 422) if str(s) not in declared)
    if key.upper().endswith("XX"):
        return int(key[0]) * 100 + 1
    return int(key)


@cache
def valid_instances(ctx_name: str, template: str, method: str, key: str) -> tuple[Any, ...]:
    """Valid bodies for one documented response, from Schemathesis's JSON Schema strategy.

    ``get_schema`` is Schemathesis's own conversion of the OpenAPI schema to JSON Schema for a
    response (``nullable``, readOnly/writeOnly, ``$ref`` bundling), the one it validates
    responses with.
    """
    ctx = context(ctx_name)
    operation = ctx.schema[template][method.upper()]
    resolved = operation.responses.get(key).get_schema(JSON)
    if resolved.schema is None:
        return ()
    strategy = make_positive_strategy(
        resolved.schema,
        operation.label,
        ParameterLocation.BODY,
        JSON,
        ctx.schema.config.generation_for(operation=operation),
        jsonschema_rs.Draft4Validator,
    )
    return tuple(draw_all(strategy, RESPONSE_EXAMPLES))


def header_cases(headers: Mapping[str, Any], spec: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Response header variants for a response that declares ``headers``."""
    cases: list[tuple[str, list[tuple[str, str]]]] = [("no headers", [])]
    for name, header in headers.items():
        schema = resolve(spec, resolve(spec, header).get("schema", {}))
        if schema.get("enum"):
            good, bad = str(schema["enum"][0]), "zz-not-in-enum"
        elif schema.get("type") == "integer":
            good, bad = "5", "five"
        else:
            good, bad = "x", ""
        cases += [(f"{name}: {good}", [(name, good)]), (f"{name}: {bad}", [(name, bad)])]
        cases.append((f"{name} lower-cased", [(name.lower(), good)]))
    return cases


def generated_responses(ctx: SpecContext) -> Iterator[HttpResponse]:
    spec = ctx.spec
    for operation_id, (method, template) in ctx.operations.items():
        responses = spec["paths"][template][method]["responses"]
        declared = list(responses)
        undeclared = next(s for s in (418, 599, 299) if str(s) not in declared)
        for key, response in responses.items():
            response = resolve(spec, response)
            status = status_for(key, declared)
            schema = response.get("content", {}).get(JSON, {}).get("schema")
            instances = valid_instances(ctx.name, template, method, key)
            base = json.dumps(instances[0]).encode() if instances else b"{}"
            declared_headers = response.get("headers", {})
            if declared_headers:
                for label, headers in header_cases(declared_headers, spec):
                    yield HttpResponse(
                        f"{key} headers: {label}", operation_id, status, base, headers=tuple(headers)
                    )
            # A declared response header is often required: give the body cases a valid one.
            good_headers = tuple(header_cases(declared_headers, spec)[1][1]) if declared_headers else ()
            yield HttpResponse(f"{key} empty body", operation_id, status, b"", headers=good_headers)
            yield HttpResponse(
                f"{key} wrong media type", operation_id, status, base, "text/plain", good_headers
            )
            yield HttpResponse(
                f"{key} media type with a suffix", operation_id, status, base,
                "application/problem+json", good_headers,
            )
            if schema is None:
                yield HttpResponse(f"{key} no content, JSON body", operation_id, status, b'{"a": 1}')
                continue
            for index, instance in enumerate(instances):
                body = json.dumps(instance).encode()
                yield HttpResponse(f"{key} valid #{index}", operation_id, status, body, headers=good_headers)
                if index == 0:
                    yield HttpResponse(
                        f"{key} valid #0 at undeclared status {undeclared}",
                        operation_id,
                        undeclared,
                        body,
                    )
                for label, mutated in mutations(spec, schema, instance):
                    yield HttpResponse(
                        f"{key} #{index} {label}",
                        operation_id,
                        status,
                        json.dumps(mutated).encode(),
                        headers=good_headers,
                    )
            yield HttpResponse(f"{key} malformed JSON", operation_id, status, b"{", headers=good_headers)


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_responses_get_the_same_verdict(name: str) -> None:
    started = time.perf_counter()
    ctx = context(name)
    tally = Tally(f"{name} responses")
    for response in generated_responses(ctx):
        compare_response(ctx, response, tally)
    finish(tally, started)
    assert tally.compared >= MIN_RESPONSES[name], tally.summary()
    assert set(tally.operations) == set(ctx.operations), "every operation has compared cases"
    assert tally.accepted >= tally.compared // 10, tally.summary()
    assert tally.rejected >= tally.compared // 3, tally.summary()


# -- hand-written response edge cases --------------------------------------------------------

#: Raw JSON numbers where ``json.loads`` and faster parsers part ways (floats for integers,
#: the non-standard NaN/Infinity ``json`` accepts, integers beyond 64 bits, overflow).
RAW_NUMBERS = ("1.0", "1e2", "-0", "0.1e1", "NaN", "Infinity", "-Infinity", "99999999999999999999999", "1e400")
MIMETYPES = (
    "application/json; charset=utf-8",
    "application/json;charset=utf-8",
    "APPLICATION/JSON",
    "application/json; charset",
    "text/json",
    "*/*",
    "",
)
STATUSES = (100, 200, 201, 204, 299, 302, 404, 499, 500, 599)


def _with_raw(instance: dict[str, Any], name: str, raw: str) -> bytes:
    """``instance`` as JSON with the value of ``name`` spelled ``raw``, verbatim."""
    text = json.dumps({**instance, name: "__RAW__"})
    return text.replace('"__RAW__"', raw, 1).encode()


def response_edges(ctx: SpecContext) -> Iterator[HttpResponse]:
    """For each operation's first JSON response: raw-body, media type and status variants."""
    spec = ctx.spec
    for operation_id, (method, template) in ctx.operations.items():
        responses = spec["paths"][template][method]["responses"]
        for key, response in responses.items():
            response = resolve(spec, response)
            schema = response.get("content", {}).get(JSON, {}).get("schema")
            instances = valid_instances(ctx.name, template, method, key) if schema else ()
            if instances:
                break
        else:
            continue
        status = status_for(key, list(responses))
        declared = response.get("headers", {})
        headers = tuple(header_cases(declared, spec)[1][1]) if declared else ()
        instance = instances[0]
        body = json.dumps(instance).encode()

        def case(label: str, data: bytes, mimetype: str = JSON, code: int = status) -> HttpResponse:
            return HttpResponse(f"edge {key}: {label}", operation_id, code, data, mimetype, headers)  # noqa: B023

        yield case("as generated", body)
        yield case("not UTF-8", b"\xff" + body)
        yield case("UTF-16", body.decode().encode("utf-16"))
        yield case("UTF-8 BOM", b"\xef\xbb\xbf" + body)
        yield case("trailing newline", body + b"\n")
        yield case("trailing garbage", body + b" x")
        for other in (b"null", b"[]", b'""', b"0", b"{}"):
            yield case(f"body {other.decode()}", other)
        for mimetype in MIMETYPES:
            yield case(f"media type {mimetype!r}", body, mimetype)
        for code in STATUSES:
            yield case(f"status {code}", body, code=code)
        if not isinstance(instance, dict):
            continue
        properties, _, _ = object_shape(spec, schema)
        kinds = {name: resolve(spec, sub).get("type") for name, sub in sorted(properties.items())}
        numeric = [name for name, kind in kinds.items() if kind in ("integer", "number")]
        for name in numeric[:2]:
            for raw in RAW_NUMBERS:
                yield case(f"{name} = {raw}", _with_raw(instance, name, raw))
        strings = [name for name, kind in kinds.items() if kind == "string"]
        for name in strings[:1]:
            yield case(f"{name} = lone surrogate", _with_raw(instance, name, '"\\ud800"'))
            yield case(f"{name} = escaped NUL", _with_raw(instance, name, '"a\\u0000b"'))
        if instance:
            first = next(iter(instance))
            bad = "12345" if isinstance(instance[first], str) else '"zz"'
            text = body.decode()
            yield case(f"duplicate {first}, valid last", f'{{"{first}": {bad}, {text[1:]}'.encode())
            yield case(f"duplicate {first}, invalid last", f'{text[:-1]}, "{first}": {bad}}}'.encode())


@pytest.mark.parametrize("name", SPEC_NAMES)
def test_hand_written_responses_get_the_same_verdict(name: str) -> None:
    started = time.perf_counter()
    ctx = context(name)
    tally = Tally(f"{name} responses (hand-written)")
    for response in response_edges(ctx):
        compare_response(ctx, response, tally)
    finish(tally, started)
    assert tally.compared >= 20 * len(ctx.operations) // 2, tally.summary()
    assert tally.accepted >= 10 and tally.rejected >= 10, tally.summary()
