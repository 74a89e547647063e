"""Request and response validation with openapi-core, prepared once per operation.

openapi-core's public ``validate_request``/``validate_response`` find the path again on
every call, walk the spec through ``SchemaPath`` accessors for every parameter, and build
a fresh JSON Schema validator (deep-copying a format checker) for every value. All of that
depends only on the spec, so here it is done once per operation, the first time the
operation is used (a 241-operation document starts as fast as a 7-operation one):

* each parameter's name, location, default and empty-value rule are read once, and its
  openapi-core style deserializer (with its caster) and schema validator are built once;
* the request body's and each response's media types are looked up once per content type
  with openapi-core's own finder, and their schema validators built once;
* response headers the spec declares get the same treatment as parameters.

Per call only what must be done per call remains: pull each value from the request,
deserialize and cast it with openapi-core's deserializer, and validate it with
openapi-core's schema validator (jsonschema with the OpenAPI dialect and formats). The
decisions mirror ``openapi_core.validation.request.validators`` and ``...response...``
step by step, raising the same exception types; ``tests/test_validation_equivalence.py``
checks on a generated corpus that they accept and reject exactly what naive openapi-core
does. Errors come back as API-neutral :class:`~mockserver.exceptions.Problem` objects;
the API renders them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import orjson
from jsonschema_path import SchemaPath
from openapi_core import OpenAPI
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.datatypes import RequestParameters
from openapi_core.deserializing.exceptions import DeserializeError
from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError
from openapi_core.deserializing.styles.exceptions import EmptyQueryParameterValue
from openapi_core.exceptions import OpenAPIError
from openapi_core.schema.parameters import get_style_and_explode
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.templating.media_types.finders import MediaTypeFinder
from openapi_core.templating.responses.exceptions import ResponseNotFound
from openapi_core.validation.request.exceptions import (
    InvalidParameter,
    InvalidRequestBody,
    MissingRequiredParameter,
    ParameterValidationError,
    RequestBodyValidationError,
)
from openapi_core.validation.request.validators import V30RequestValidator, V31RequestValidator
from openapi_core.validation.response.exceptions import (
    DataValidationError,
    HeaderValidationError,
    InvalidData,
    InvalidHeader,
    MissingData,
    MissingRequiredHeader,
)
from openapi_core.validation.response.validators import (
    V30ResponseValidator,
    V31ResponseValidator,
)
from openapi_core.validation.schemas.exceptions import ValidateError
from openapi_core.validation.schemas.validators import SchemaValidator

from mockserver import dialects
from mockserver.bodies import is_json
from mockserver.compiled import Compiler
from mockserver.exceptions import Problem, ProblemKind
from mockserver.problems import (
    body_problems,
    describe_response_error,
    error_text,
    parameter_problem,
)

_METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
#: Content types remembered per body/response (more distinct ones are looked up each time).
_MEDIA_CACHE_SIZE = 32

AnyRequestValidator = V30RequestValidator | V31RequestValidator
AnyResponseValidator = V30ResponseValidator | V31ResponseValidator


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


class _Validators:
    """The openapi-core request and response validators of one document (factories only)."""

    def __init__(self, openapi: OpenAPI, compile_schemas: bool = True) -> None:
        self.spec: SchemaPath = openapi.spec
        self.v31 = str(openapi.spec["openapi"] if "openapi" in openapi.spec else "3.0").startswith("3.1")
        request_cls = V31RequestValidator if self.v31 else V30RequestValidator
        response_cls = V31ResponseValidator if self.v31 else V30ResponseValidator
        # 3.1: readOnly/writeOnly read as 3.0 does (see mockserver.dialects)
        self.request: AnyRequestValidator = request_cls(
            self.spec, schema_validators_factory=dialects.write_factory if self.v31 else None
        )
        self.response: AnyResponseValidator = response_cls(
            self.spec, schema_validators_factory=dialects.read_factory if self.v31 else None
        )
        self.compile_schemas = compile_schemas and not self.v31
        self._compilers: dict[str, Compiler] = {}

    def schema_validator(self, on: AnyRequestValidator | AnyResponseValidator, schema: SchemaPath) -> SchemaValidator:
        """Built as ``BaseValidator._validate_schema`` builds it, but once (and compiled)."""
        inner = on.schema_validators_factory.create(
            self.spec,
            schema,
            format_validators=on.format_validators,
            extra_format_validators=on.extra_format_validators,
            forbid_unspecified_additional_properties=on.forbid_unspecified_additional_properties,
            enforce_properties_required=on.enforce_properties_required,
        )
        if not self.compile_schemas or on.forbid_unspecified_additional_properties or on.enforce_properties_required:
            return inner
        direction = "write" if on is self.request else "read"
        compiler = self._compilers.get(direction)
        if compiler is None:
            with self.spec.open() as root:
                compiler = Compiler(root, direction, inner.validator.format_checker)
            self._compilers[direction] = compiler
        with schema.open() as contents:
            return compiler.validator(inner, contents)


_MISSING = object()
#: Header parameters OpenAPI says to ignore: described by content types and security instead.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


class _Value:
    """One parameter or response header: how to read, cast and check it.

    Mirrors ``BaseValidator._get_param_or_header_and_schema``: a missing value raises
    ``KeyError`` (the caller decides whether that is an error), an empty query value is
    rejected unless ``allowEmptyValue``, a schema ``default`` stands in for a missing value
    and is validated like a sent one.
    """

    def __init__(
        self,
        validators: _Validators,
        on: AnyRequestValidator | AnyResponseValidator,
        node: SchemaPath,
        name: str,
        location: str,
    ) -> None:
        self.node = node
        self.name = name
        self.location = location
        self.required = (node / "required").read_bool(default=False)
        self.complex = "content" in node
        self.on = on
        self.deserializer: Any = None
        self.validator: SchemaValidator | None = None
        self.default: Any = _MISSING
        self.reject_empty = False
        if self.complex:
            return
        schema = node / "schema"
        style, explode = get_style_and_explode(node)
        deserializer = on.style_deserializers_factory.create(
            validators.spec, schema, style, explode, name=name
        )
        self.deserializer = _PreparedStyle.of(deserializer, schema) or deserializer
        self.validator = validators.schema_validator(on, schema)
        if "default" in schema:
            self.default = (schema / "default").read_value()
        allow_empty = (node / "allowEmptyValue").read_bool(default=None)
        self.reject_empty = location == "query" and not allow_empty

    def read(self, source: Mapping[str, Any], check: bool = True) -> Any:
        """The cast, validated value (``KeyError`` when absent and without default).

        ``check=False`` deserializes and casts but skips the schema validation.
        """
        if self.complex:
            value, _ = self.on._get_param_or_header_and_schema(self.node, source, name=self.name)
            return value
        try:
            value = self.deserializer.deserialize(source)
        except KeyError:
            if self.default is _MISSING:
                raise
            value = self.default
        else:
            if self.reject_empty and value == "":
                raise EmptyQueryParameterValue(self.name)
        if check:
            assert self.validator is not None
            self.validator.validate(value)
        return value


class _PreparedStyle:
    """openapi-core's ``StyleDeserializer.deserialize`` for a scalar, with the schema read once.

    ``SchemaCaster.cast`` reads ``nullable`` and ``type`` through ``SchemaPath`` and builds
    a caster on every call; for a parameter whose schema is a single primitive type those
    are the same every time, so they are read here once. Arrays and objects keep
    openapi-core's deserializer (their casters descend into ``items``/``properties``).
    """

    __slots__ = ("deserializer", "style", "name", "explode", "schema_type", "nullable", "cast")

    @classmethod
    def of(cls, deserializer: Any, schema: SchemaPath) -> _PreparedStyle | None:
        schema_type = deserializer.schema_type
        if deserializer.deserializer_callable is None or schema_type in ("array", "object"):
            return None
        if "type" in schema and not isinstance(_read(schema, "type", None), str):
            return None
        caster = deserializer.caster
        return cls(
            deserializer,
            caster.get_type_caster(_read(schema, "type", None)),
            bool(_read(schema, "nullable", False)),
        )

    def __init__(self, deserializer: Any, cast: Any, nullable: bool) -> None:
        self.deserializer = deserializer.deserializer_callable
        self.style = deserializer.style
        self.name = deserializer.name
        self.explode = deserializer.explode
        self.schema_type = deserializer.schema_type
        self.cast = cast
        self.nullable = nullable

    def deserialize(self, location: Mapping[str, Any]) -> Any:
        try:
            value = self.deserializer(self.explode, self.name, self.schema_type, location)
        except (ValueError, TypeError, AttributeError) as exc:
            raise DeserializeError(self.style, self.name) from exc
        if value is None:  # SchemaCaster.cast: None is never cast
            return value
        try:
            return self.cast(value)
        except (ValueError, TypeError, AttributeError) as exc:
            raise CastError(value, self.schema_type or None) from exc


class _Content:
    """A ``content`` map: per content type, openapi-core's media type and its schema validator."""

    def __init__(
        self, validators: _Validators, on: AnyRequestValidator | AnyResponseValidator, content: SchemaPath
    ) -> None:
        self.validators = validators
        self.on = on
        self.content = content
        self._media: dict[str, tuple[str, Any, SchemaValidator | None]] = {}

    def media(self, content_type: str) -> tuple[str, Any, SchemaValidator | None]:
        """(mimetype, deserializer, schema validator) for ``content_type``; ``MediaTypeNotFound``."""
        cached = self._media.get(content_type)
        if cached is not None:
            return cached
        try:
            mimetype, parameters, media_type = MediaTypeFinder(self.content).find(content_type)
        except ValueError:  # a malformed media type parameter (``;charset`` without a value)
            raise MediaTypeNotFound(content_type, list(self.content.str_keys())) from None
        schema = media_type / "schema" if "schema" in media_type else None
        validator = self.validators.schema_validator(self.on, schema) if schema is not None else None
        encoding = media_type / "encoding" if "encoding" in media_type else None
        deserializer = self.on.media_type_deserializers_factory.create(
            self.validators.spec,
            mimetype,
            schema=schema,
            schema_validator=validator,
            parameters=parameters,
            encoding=encoding,
            extra_media_type_deserializers=self.on.extra_media_type_deserializers,
        )
        entry = (mimetype, deserializer, validator)
        if len(self._media) < _MEDIA_CACHE_SIZE:
            self._media[content_type] = entry
        return entry

    def check(self, raw: bytes, content_type: str, parsed: Any = _MISSING) -> None:
        """Decode ``raw`` as ``content_type`` and validate it against its schema, as
        openapi-core's ``_get_content_and_schema`` does (``parsed``: JSON already decoded).
        Raises openapi-core's errors."""
        mimetype, deserializer, validator = self.media(content_type)
        if not is_json(mimetype):
            try:
                parsed = deserializer.deserialize(raw)
            except OpenAPIError:
                raise
            except Exception as exc:  # openapi-core's form parser asserts on a part without a name
                raise MediaTypeDeserializeError(mimetype, raw) from exc
            if isinstance(parsed, Mapping):
                parsed = _form_fields(parsed, self.validators.v31)
        elif parsed is _MISSING:
            parsed = _loads(raw)
        if validator is not None:
            validator.validate(parsed)


def _form_fields(decoded: Mapping[Any, Any], v31: bool) -> dict[str, Any]:
    """A decoded form's fields by name. 3.1 types a file part as a string (3.0's validators
    take bytes for ``format: binary``, 3.1's do not): there each byte is kept as one character."""
    if v31:
        return {str(k): v.decode("latin-1") if isinstance(v, bytes) else v for k, v in decoded.items()}
    return {str(key): decoded[key] for key in decoded}


class _Response:
    """One documented response: its content and its declared headers."""

    def __init__(self, validators: _Validators, node: SchemaPath) -> None:
        on = validators.response
        self.content = _Content(validators, on, node / "content") if "content" in node else None
        self.headers: list[_Value] = []
        if "headers" in node:
            for name, header in (node / "headers").str_items():
                if name.lower() != "content-type":  # openapi-core ignores it too
                    self.headers.append(_Value(validators, on, header, name, "header"))


class OperationValidator:
    """Everything needed to validate one operation's requests and responses.

    Construction is cheap (it reads the operationId and nothing else); the rest is
    prepared on first use and kept.
    """

    def __init__(
        self, validators: _Validators, path: SchemaPath, operation: SchemaPath,
        operation_id: str, method: str, path_template: str,
    ) -> None:
        self._validators = validators
        self.path = path
        self.operation = operation
        self.operation_id = operation_id
        self.method = method
        self.path_template = path_template
        self._response_cache: dict[int, _Response] = {}

    # -- what the engine reads -------------------------------------------------------------

    @cached_property
    def has_body(self) -> bool:
        return "requestBody" in self.operation

    @cached_property
    def body_required(self) -> bool:
        return self.has_body and bool(_read(self.operation / "requestBody", "required", False))

    @cached_property
    def immutable_fields(self) -> tuple[str, ...]:
        return tuple(_read(self.operation, "x-immutable-fields", ()))

    @cached_property
    def security(self) -> list[dict[str, list[str]]]:
        return list(_read(self.operation, "security", _read(self._validators.spec, "security", [])))

    @cached_property
    def parameters(self) -> list[_Value]:
        """Operation parameters first, then the path item's not overridden (openapi-core's order)."""
        seen: set[tuple[str, str]] = set()
        values: list[_Value] = []
        for node in (self.operation, self.path):
            if "parameters" not in node:
                continue
            for parameter in node / "parameters":
                name = (parameter / "name").read_str()
                location = (parameter / "in").read_str()
                if (name, location) in seen:
                    continue
                seen.add((name, location))
                if location == "header" and name.lower() in _IGNORED_HEADERS:
                    continue  # "SHALL be ignored" (OpenAPI: Parameter Object, `in: header`)
                values.append(
                    _Value(self._validators, self._validators.request, parameter, name, location)
                )
        return values

    @cached_property
    def query_names(self) -> frozenset[str]:
        """Every query parameter the operation declares."""
        return frozenset(p.name for p in self.parameters if p.location == "query")

    @cached_property
    def _body(self) -> _Content | None:
        if not self.has_body:
            return None
        request = self._validators.request
        return _Content(self._validators, request, self.operation / "requestBody" / "content")

    @cached_property
    def _responses(self) -> SchemaPath:
        return self.operation / "responses"

    def _response(self, status: int) -> _Response:
        """openapi-core's ``ResponseFinder``: the exact code, then ``4XX``, then ``default``."""
        cache = self._response_cache
        found = cache.get(status)
        if found is None:
            key = str(status)
            responses = self._responses
            if key not in responses:
                key = f"{key[0]}XX"
                if key not in responses:
                    key = "default"
                    if key not in responses:
                        raise ResponseNotFound(str(status), list(responses.str_keys()))
            found = cache[status] = _Response(self._validators, responses / key)
        return found

    def declares_media_type(self, content_type: str) -> bool:
        """Whether the request body declares ``content_type`` (e.g. ``multipart/form-data``)."""
        if self._body is None:
            return False
        try:
            self._body.media(content_type)
        except MediaTypeNotFound:
            return False
        return True

    def decode_body(self, body: bytes, content_type: str) -> tuple[Any, Problem | None]:
        """A body of a declared non-JSON media type, decoded by openapi-core's deserializer
        (a form becomes a dict: field name -> value, bytes for a file)."""
        assert self._body is not None
        _, deserializer, _ = self._body.media(content_type)
        try:
            decoded = deserializer.deserialize(body)
        except Exception as exc:  # openapi-core raises many kinds on a broken form (asserts too)
            return None, Problem(
                ProblemKind.MALFORMED_JSON,
                f"The request body could not be parsed as {content_type.split(';')[0]}: {error_text(exc)}",
            )
        if isinstance(decoded, Mapping):
            decoded = _form_fields(decoded, self._validators.v31)
        return decoded, None

    def unknown_query_problem(self, query: Iterable[str]) -> Problem | None:
        """A problem naming the first query parameter the operation does not declare."""
        names = self.query_names
        for name in query:
            if name not in names:
                return Problem(
                    ProblemKind.UNKNOWN_PARAMETER,
                    f"Received unknown query parameter: {name}.",
                    name,
                    "query",
                )
        return None

    def immutable_problems(self, body: Any) -> list[Problem]:
        """The fields of ``x-immutable-fields`` an update sent (a mock rule, not openapi-core's)."""
        if not self.immutable_fields or not isinstance(body, dict):
            return []
        return [
            Problem(
                ProblemKind.IMMUTABLE_PARAMETER,
                f"{name} cannot be changed after creation.",
                name,
                "body",
            )
            for name in self.immutable_fields
            if name in body
        ]

    # -- requests ----------------------------------------------------------------------------

    def validate_request(
        self,
        parameters: RequestParameters,
        body: bytes | None,
        content_type: str,
        parsed: Any = _MISSING,
        *,
        check: bool = True,
    ) -> tuple[list[Problem], dict[str, dict[str, Any]]]:
        """(problems, parameter values by location, cast) for one request.

        ``parsed`` is the body already decoded as JSON, when it was (saves decoding twice).
        ``check=False`` only casts the parameters: no schema validation at all.
        """
        problems: list[Problem] = []
        values: dict[str, dict[str, Any]] = {"path": {}, "query": {}, "header": {}, "cookie": {}}
        for error, value, parameter in self._parameters(parameters, check):
            if error is not None:
                problems.append(parameter_problem(error))
            elif parameter is not None:
                values[parameter.location][parameter.name] = value
        if self.has_body and check:
            if not body:
                if self.body_required:
                    problems.append(Problem(ProblemKind.MISSING_BODY, "A JSON request body is required."))
            else:
                error = self._body_error(body, content_type, parsed)
                if error is not None:
                    problems.extend(body_problems(error))
        return problems, values

    def request_problems(self, request: RequestData, body: Any = _MISSING) -> list[Problem]:
        """Every problem openapi-core finds with ``request`` (``body``: the parsed JSON, if any)."""
        parsed = _MISSING if body is None and request.body else body
        problems, _ = self.validate_request(
            request.parameters, request.body, request.content_type, parsed
        )
        return problems

    def _parameters(
        self, parameters: RequestParameters, check: bool = True
    ) -> Iterator[tuple[Exception | None, Any, _Value | None]]:
        """openapi-core's ``_get_parameters``/``_get_parameter`` with prepared parameters."""
        for parameter in self.parameters:
            try:
                value = parameter.read(getattr(parameters, parameter.location), check)
            except KeyError:
                if parameter.required:
                    yield MissingRequiredParameter(parameter.name, parameter.location), None, None
                continue
            except OpenAPIError as exc:
                where = (parameter.name, parameter.location)
                yield _wrap(exc, ParameterValidationError, InvalidParameter, *where), None, None
                continue
            yield None, value, parameter

    def _body_error(self, body: bytes, content_type: str, parsed: Any) -> Exception | None:
        """openapi-core's ``_get_body`` for a non-empty body, prepared."""
        assert self._body is not None
        try:
            self._body.check(body, content_type, parsed)
        except OpenAPIError as exc:
            return _wrap(exc, RequestBodyValidationError, InvalidRequestBody)
        return None

    # -- responses ---------------------------------------------------------------------------

    def response_problems(
        self, status: int, body: bytes, mimetype: str, headers: Mapping[str, str]
    ) -> list[str]:
        """Human-readable reasons why a response breaks the contract (empty when it conforms).

        ``headers`` should be case-insensitive (``starlette.datastructures.Headers``), as
        HTTP header names are.
        """
        try:
            response = self._response(status)
        except ResponseNotFound as exc:
            return [describe_response_error(exc)]
        reasons: list[str] = []
        if response.content is not None:
            error = self._data_error(response.content, body, mimetype)
            if error is not None:
                reasons.append(describe_response_error(error))
        for header in response.headers:
            try:
                header.read(headers)
            except KeyError:
                if header.required:
                    reasons.append(describe_response_error(MissingRequiredHeader(header.name)))
            except OpenAPIError as exc:
                error = _wrap(exc, HeaderValidationError, InvalidHeader, header.name)
                reasons.append(describe_response_error(error))
        return reasons

    @staticmethod
    def _data_error(content: _Content, body: bytes, mimetype: str) -> Exception | None:
        try:
            if not body:
                raise MissingData()
            content.check(body, mimetype)
        except OpenAPIError as exc:
            return _wrap(exc, DataValidationError, InvalidData)
        return None


def _wrap(
    exc: OpenAPIError, base: type[OpenAPIError], invalid: type[OpenAPIError], *args: Any
) -> Exception:
    """``exc`` as openapi-core's ``ValidationErrorWrapper`` re-raises it: as it is when it is
    already a ``base``, else as ``invalid`` (a schema failure) or ``base`` (anything else),
    caused by ``exc``."""
    if isinstance(exc, base):
        return exc
    error = (invalid if isinstance(exc, ValidateError) else base)(*args)
    error.__cause__ = exc
    return error


#: 19 digits in a row: perhaps an integer beyond 64 bits, which orjson would read as a float.
_LONG_NUMBER = re.compile(rb"\d{19}")


def _loads(body: bytes) -> Any:
    """JSON as openapi-core decodes it (``json.loads``), through orjson when that is exact.

    orjson reads integers beyond 64 bits as floats and rejects ``NaN``/``Infinity`` (which
    ``json`` accepts): those bodies are left to ``json``.
    """
    if not _LONG_NUMBER.search(body):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError:
            pass
    try:
        return json.loads(body)
    except ValueError:
        raise MediaTypeDeserializeError("application/json", body) from None


def build_validators(openapi: OpenAPI, compile_schemas: bool = True) -> dict[str, OperationValidator]:
    """One :class:`OperationValidator` per operationId of the document (each prepared lazily).

    ``compile_schemas=False`` leaves every value to openapi-core's jsonschema validators
    (no :mod:`mockserver.compiled` fast path).
    """
    validators = _Validators(openapi, compile_schemas)
    spec = validators.spec
    result: dict[str, OperationValidator] = {}
    with (spec / "paths").open() as paths_dict:
        path_names = [name for name in paths_dict.keys() if isinstance(name, str)]
    paths = spec / "paths"
    for path_name in path_names:
        path = paths / path_name
        with path.open() as item:
            methods = [m for m in _METHODS if m in item]
            ids = {m: item[m].get("operationId") if isinstance(item[m], Mapping) else None for m in methods}
        for method in methods:
            operation_id = ids[method] or f"{method} {path_name}"
            result[operation_id] = OperationValidator(
                validators, path, path / method, operation_id, method, path_name
            )
    return result


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


__all__ = [
    "InvalidParameter",
    "OperationValidator",
    "RequestData",
    "build_validators",
]
