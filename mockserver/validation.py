"""Request and response validation with openapi-core, prepared once per operation.

openapi-core's public ``validate_request``/``validate_response`` look the path up
again on every call and rebuild validators for every schema. We already know the
operation (Connexion's router found it), so at start-up we prepare one
:class:`OperationValidator` per operation holding the resolved spec paths, and at
request time hand openapi-core the operation directly. Errors come back as
API-neutral :class:`~mockserver.exceptions.Problem` objects; the API renders them.

This is the one module a performance pass needs to touch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.exceptions import DeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.util import forcebool
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
)
from openapi_core.validation.request.validators import V30RequestValidator, V31RequestValidator
from openapi_core.validation.response.validators import (
    V30ResponseValidator,
    V31ResponseValidator,
)
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue
from openapi_core.validation.schemas.factories import SchemaValidatorsFactory
from openapi_core.validation.schemas.validators import SchemaValidator

from mockserver.exceptions import Problem, ProblemKind

_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected|\('([^)]+)' (?:was|were) unexpected")


@dataclass
class RequestData:
    """The parts of an HTTP request openapi-core reads (its ``Request`` protocol)."""

    parameters: RequestParameters
    body: bytes | None
    content_type: str
    method: str = "get"
    path: str = "/"
    host_url: str = "http://localhost"
    full_url_pattern: str = "http://localhost/"


@dataclass
class OperationValidator:
    """Everything needed to validate one operation's requests and responses."""

    operation_id: str
    method: str
    path_template: str
    operation: SchemaPath
    path: SchemaPath
    request_validator: V30RequestValidator | V31RequestValidator
    response_validator: V30ResponseValidator | V31ResponseValidator
    has_body: bool
    body_required: bool
    immutable_fields: tuple[str, ...] = ()
    security: list[dict[str, list[str]]] = field(default_factory=list)
    #: Query parameters of type boolean: openapi-core accepts ``yes``/``on``/``1``..., the
    #: handler layer only ``true``/``false``, so :meth:`normalise_query` rewrites them.
    boolean_query: frozenset[str] = frozenset()
    #: Every query parameter the operation declares.
    query_names: frozenset[str] = frozenset()

    def unknown_query_problem(self, query: Iterable[str]) -> Problem | None:
        """A problem naming the first query parameter the operation does not declare."""
        for name in query:
            if name not in self.query_names:
                return Problem(
                    ProblemKind.UNKNOWN_PARAMETER,
                    f"Received unknown query parameter: {name}.",
                    name,
                    "query",
                )
        return None

    def normalise_query(self, query_string: bytes) -> bytes:
        """``query_string`` with validated boolean values spelled ``true``/``false``."""
        if not self.boolean_query or not query_string:
            return query_string
        pairs = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        changed = False
        for index, (name, value) in enumerate(pairs):
            if name in self.boolean_query and value not in ("true", "false"):
                pairs[index] = (name, "true" if forcebool(value) else "false")
                changed = True
        return urlencode(pairs).encode("latin-1") if changed else query_string

    def request_problems(self, request: RequestData, body: Any) -> list[Problem]:
        """Every problem openapi-core finds with ``request`` (``body`` is the parsed JSON)."""
        problems: list[Problem] = []
        if self.immutable_fields and isinstance(body, dict):
            for name in self.immutable_fields:
                if name in body:
                    problems.append(
                        Problem(
                            ProblemKind.IMMUTABLE_PARAMETER,
                            f"{name} cannot be changed after creation.",
                            name,
                            "body",
                        )
                    )
            if problems:
                return problems
        validator = self.request_validator
        for error in validator._iter_parameters_errors(request, self.operation, self.path):
            problems.append(_parameter_problem(error))
        if self.has_body:
            if request.body is None or request.body == b"":
                if self.body_required:
                    problems.append(
                        Problem(ProblemKind.MISSING_BODY, "A JSON request body is required.")
                    )
            else:
                for error in validator._iter_body_errors(request, self.operation):
                    problems.extend(_body_problems(error))
        return problems

    def response_problems(
        self, status: int, body: bytes, mimetype: str, headers: Mapping[str, str]
    ) -> list[str]:
        """Human-readable reasons why a response breaks the contract (empty when it conforms)."""
        validator = self.response_validator
        reasons: list[str] = []
        for error in validator._iter_data_errors(status, body, mimetype, self.operation):
            reasons.append(_describe_response_error(error))
        for error in validator._iter_headers_errors(status, headers, self.operation):
            reasons.append(_describe_response_error(error))
        return reasons


class CachingSchemaValidatorsFactory(SchemaValidatorsFactory):
    """Build each schema's validator once instead of on every request.

    openapi-core's factory deep-copies a format checker and resolves the schema
    every time it validates a value; the validators it builds are stateless, so we
    keep them by schema location (and options) for the life of the process.
    """

    def __init__(self, inner: SchemaValidatorsFactory) -> None:
        self.inner = inner
        self._cache: dict[tuple[Any, ...], SchemaValidator] = {}

    def create(self, spec: SchemaPath, schema: SchemaPath, *args: Any, **kwargs: Any) -> SchemaValidator:
        key = (id(spec), tuple(schema.parts), args, tuple(sorted(kwargs.items(), key=str)))
        try:
            return self._cache[key]
        except (KeyError, TypeError):
            pass
        validator = self.inner.create(spec, schema, *args, **kwargs)
        try:
            self._cache[key] = validator
        except TypeError:  # unhashable options: do not cache
            pass
        return validator


def build_validators(openapi: OpenAPI) -> dict[str, OperationValidator]:
    """One :class:`OperationValidator` per operationId of the document."""
    spec = openapi.spec
    v31 = str(spec["openapi"] if "openapi" in spec else "3.0").startswith("3.1")
    req_cls = V31RequestValidator if v31 else V30RequestValidator
    resp_cls = V31ResponseValidator if v31 else V30ResponseValidator
    request_validator = req_cls(
        spec,
        schema_validators_factory=CachingSchemaValidatorsFactory(req_cls.schema_validators_factory),
    )
    response_validator = resp_cls(
        spec,
        schema_validators_factory=CachingSchemaValidatorsFactory(resp_cls.schema_validators_factory),
    )
    global_security = _read(spec, "security", [])
    validators: dict[str, OperationValidator] = {}
    with (spec / "paths").open() as paths_dict:
        path_names = list(paths_dict.keys())
    for path_name in path_names:
        path = spec / "paths" / path_name
        for method in ("get", "put", "post", "delete", "patch", "options", "head", "trace"):
            if method not in path:
                continue
            operation = path / method
            operation_id = _read(operation, "operationId", f"{method} {path_name}")
            has_body = "requestBody" in operation
            body_required = has_body and bool(
                _read(operation / "requestBody", "required", False)
            )
            validators[operation_id] = OperationValidator(
                operation_id=operation_id,
                method=method,
                path_template=path_name,
                operation=operation,
                path=path,
                request_validator=request_validator,
                response_validator=response_validator,
                has_body=has_body,
                body_required=body_required,
                immutable_fields=tuple(_read(operation, "x-immutable-fields", ())),
                security=list(_read(operation, "security", global_security)),
                boolean_query=_query_parameters(path, operation, only_type="boolean"),
                query_names=_query_parameters(path, operation),
            )
    return validators


def _query_parameters(*nodes: SchemaPath, only_type: str | None = None) -> frozenset[str]:
    """Names of the query parameters declared on ``nodes`` (of schema type ``only_type``)."""
    names = set()
    for node in nodes:
        if "parameters" not in node:
            continue
        for parameter in node / "parameters":
            if (parameter / "in").read_str() != "query":
                continue
            if only_type is not None:
                schema = parameter / "schema" if "schema" in parameter else None
                if schema is None or "type" not in schema:
                    continue
                if (schema / "type").read_str() != only_type:
                    continue
            names.add((parameter / "name").read_str())
    return frozenset(names)


def _read(node: SchemaPath, key: str, default: Any) -> Any:
    if key not in node:
        return default
    with (node / key).open() as value:
        return _plain(value)


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


# -- turning openapi-core errors into Problems ---------------------------------------------


def _parameter_problem(error: Exception) -> Problem:
    if isinstance(error, MissingRequiredParameter):
        return Problem(
            ProblemKind.MISSING_PARAMETER,
            f"Missing required {error.location} parameter: {error.name}.",
            error.name,
            error.location,
        )
    if isinstance(error, ParameterValidationError):
        detail = _cause_detail(error)
        return Problem(
            ProblemKind.INVALID_PARAMETER,
            f"Invalid {error.location} parameter {error.name}: {detail}",
            error.name,
            error.location,
        )
    return Problem(ProblemKind.INVALID_PARAMETER, str(error))


def _cause_detail(error: BaseException) -> str:
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue) and cause.schema_errors:
        return _schema_error_message(next(iter(cause.schema_errors)))
    if isinstance(cause, CastError):
        return f"{cause.value!r} is not a valid {cause.type}."
    if isinstance(cause, DeserializeError):
        return str(cause) or "could not be parsed."
    if cause is not None:
        return str(cause)
    return "invalid value."


def _body_problems(error: Exception) -> Iterator[Problem]:
    cause = error.__cause__
    if isinstance(error, MissingRequiredRequestBody):
        yield Problem(ProblemKind.MISSING_BODY, "A JSON request body is required.")
        return
    if isinstance(cause, MediaTypeNotFound):
        yield Problem(
            ProblemKind.UNSUPPORTED_MEDIA_TYPE,
            f"Unsupported content type {cause.mimetype!r}; use one of: "
            f"{', '.join(cause.availableMimetypes)}.",
        )
        return
    if isinstance(error, InvalidRequestBody) and isinstance(cause, InvalidSchemaValue):
        schema_errors: list[SchemaError] = list(cause.schema_errors)
        errors = sorted(schema_errors, key=lambda e: (len(e.absolute_path), str(e.path)))
        for schema_error in _leaf_errors(errors):
            yield _schema_problem(schema_error)
        return
    if isinstance(cause, DeserializeError):
        yield Problem(ProblemKind.MALFORMED_JSON, f"The request body could not be parsed: {cause}")
        return
    yield Problem(ProblemKind.INVALID_PARAMETER, str(cause or error))


def _leaf_errors(errors: Iterable[SchemaError]) -> Iterator[SchemaError]:
    """Replace combinator errors (oneOf/anyOf) by their most specific sub-error."""
    for error in errors:
        if error.context:
            best = max(error.context, key=lambda e: len(e.absolute_path))
            yield best
        else:
            yield error


def _param_name(path: Iterable[Any]) -> str | None:
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name or None


def _schema_problem(error: SchemaError) -> Problem:
    location = list(error.absolute_path)
    instance = error.instance
    if error.validator == "required" and isinstance(instance, dict):
        missing = [name for name in error.validator_value if name not in instance]
        name = _param_name([*location, missing[0]]) if missing else _param_name(location)
        return Problem(ProblemKind.MISSING_PARAMETER, f"Missing required param: {name}.", name, "body")
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}) if isinstance(error.schema, dict) else ())
        extra = [name for name in instance if name not in allowed]
        if not extra:
            match = _UNEXPECTED.search(error.message)
            extra = [match.group(1) or match.group(2)] if match else ["?"]
        name = _param_name([*location, extra[0]])
        return Problem(
            ProblemKind.UNKNOWN_PARAMETER, f"Received unknown parameter: {name}.", name, "body"
        )
    name = _param_name(location)
    message = _schema_error_message(error)
    if name:
        message = f"Invalid value for {name}: {message}"
    return Problem(ProblemKind.INVALID_PARAMETER, message, name, "body")


def _schema_error_message(error: SchemaError) -> str:
    message = str(error.message)
    if len(message) > 300:
        message = message[:297] + "..."
    return message if message.endswith(".") else message + "."


def _describe_response_error(error: Exception) -> str:
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue) and cause.schema_errors:
        parts = []
        for schema_error in list(_leaf_errors(cause.schema_errors))[:5]:
            where = _param_name(schema_error.absolute_path) or "<body>"
            parts.append(f"{where}: {schema_error.message[:200]}")
        return "; ".join(parts)
    if cause is not None:
        return f"{error}: {cause}"
    return str(error) or type(error).__name__


__all__ = [
    "InvalidParameter",
    "OperationValidator",
    "RequestData",
    "build_validators",
]
