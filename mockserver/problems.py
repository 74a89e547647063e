r"""openapi-core's errors turned into :class:`~mockserver.exceptions.Problem`\ s.

openapi-core reports a bad request as nested exceptions (a parameter or body error wrapping
jsonschema's errors); the engine answers with one problem per fault, naming the field where
there is one, in words an API can render its own way. :mod:`mockserver.validation` raises and
collects the errors; this module reads them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from jsonschema.exceptions import ValidationError as SchemaError
from openapi_core.casting.schemas.exceptions import CastError
from openapi_core.deserializing.exceptions import DeserializeError
from openapi_core.deserializing.media_types.exceptions import MediaTypeDeserializeError
from openapi_core.templating.media_types.exceptions import MediaTypeNotFound
from openapi_core.validation.request.exceptions import (
    InvalidRequestBody,
    MissingRequiredParameter,
    MissingRequiredRequestBody,
    ParameterValidationError,
)
from openapi_core.validation.response.exceptions import HeaderValidationError
from openapi_core.validation.schemas.exceptions import InvalidSchemaValue

from mockserver.exceptions import Problem, ProblemKind

__all__ = ["body_problems", "describe_response_error", "error_text", "parameter_problem"]

_UNEXPECTED = re.compile(r"'([^']+)' (?:was|were) unexpected|\('([^)]+)' (?:was|were) unexpected")


def parameter_problem(error: Exception) -> Problem:
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
    return Problem(ProblemKind.INVALID_PARAMETER, error_text(error))


def _cause_detail(error: BaseException) -> str:
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue) and cause.schema_errors:
        return _schema_error_message(next(iter(cause.schema_errors)))
    if isinstance(cause, CastError):
        return f"{cause.value!r} is not a valid {cause.type}."
    if isinstance(cause, DeserializeError):
        return error_text(cause) or "could not be parsed."
    if cause is not None:
        return error_text(cause)
    return "invalid value."


def body_problems(error: Exception) -> Iterator[Problem]:
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
        yield Problem(
            ProblemKind.MALFORMED_JSON, f"The request body could not be parsed: {error_text(cause)}"
        )
        return
    yield Problem(ProblemKind.INVALID_PARAMETER, error_text(cause or error))


def _leaf_errors(errors: Iterable[SchemaError]) -> Iterator[SchemaError]:
    """Replace combinator errors (oneOf/anyOf) by their most specific sub-error."""
    for error in errors:
        yield _leaf(error)


def _leaf(error: SchemaError) -> SchemaError:
    """The sub-error that explains a failed ``oneOf``/``anyOf`` best.

    A branch whose tag (a property with one allowed value: ``type: PERCENT`` against
    ``enum: [AMOUNT]``) does not match the value is not the one the client meant: the
    deepest error of the other branches is reported. When every branch is ruled out that way on the
    same property, the error names that property and every value the branches allow.
    (A ``oneOf`` with a ``discriminator`` never gets here: openapi-schema-validator
    validates the value against the branch the discriminator names, reporting that
    branch's own errors.)
    """
    if not error.context:
        return error
    depth = len(error.absolute_path)
    branches: dict[Any, list[SchemaError]] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)

    def ruled_out(sub: SchemaError) -> bool:
        """A property with one allowed value (a branch's tag) holds another one."""
        if len(sub.absolute_path) != depth + 1:
            return False
        if sub.validator == "const":
            return True
        values = sub.validator_value if sub.validator == "enum" else ()
        return isinstance(values, list) and len([v for v in values if v is not None]) == 1

    plausible = [subs for subs in branches.values() if not any(map(ruled_out, subs))]
    if plausible:
        return _leaf(max((e for subs in plausible for e in subs), key=lambda e: len(e.absolute_path)))
    mismatches = [e for e in error.context if ruled_out(e)]
    names = {e.absolute_path[-1] for e in mismatches}
    if len(names) == 1:
        allowed: list[Any] = []
        for mismatch in mismatches:
            values = mismatch.validator_value if mismatch.validator == "enum" else [mismatch.validator_value]
            allowed.extend(v for v in values if v not in allowed)
        first = mismatches[0]
        return SchemaError(
            f"{first.instance!r} is not one of {allowed!r}",
            validator="enum",
            validator_value=allowed,
            instance=first.instance,
            path=first.absolute_path,
            schema_path=first.absolute_schema_path,
        )
    return max(error.context, key=lambda e: len(e.absolute_path))


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
        return Problem(
            ProblemKind.MISSING_PARAMETER, f"Missing required param: {name}.", name, "body",
            rule="required",
        )
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        allowed = set(error.schema.get("properties", {}) if isinstance(error.schema, dict) else ())
        extra = [name for name in instance if name not in allowed]
        if not extra:
            match = _UNEXPECTED.search(error.message)
            extra = [match.group(1) or match.group(2)] if match else ["?"]
        name = _param_name([*location, extra[0]])
        return Problem(
            ProblemKind.UNKNOWN_PARAMETER, f"Received unknown parameter: {name}.", name, "body",
            rule="additionalProperties",
        )
    discriminated = _discriminator_problem(error, location)
    if discriminated is not None:
        return discriminated
    name = _param_name(location)
    message = _schema_error_message(error)
    if name:
        message = f"Invalid value for {name}: {message}"
    return Problem(
        ProblemKind.INVALID_PARAMETER, message, name, "body",
        rule=str(error.validator), expected=error.validator_value, value=instance,
    )


def _discriminator_problem(error: SchemaError, location: list[Any]) -> Problem | None:
    """A ``oneOf``/``anyOf`` whose ``discriminator`` property is missing or names no branch."""
    schema = error.schema if isinstance(error.schema, Mapping) else {}
    discriminator = schema.get("discriminator")
    if error.validator not in ("oneOf", "anyOf") or not isinstance(discriminator, Mapping):
        return None
    prop = str(discriminator.get("propertyName"))
    name = _param_name([*location, prop])
    instance = error.instance
    if not isinstance(instance, dict) or instance.get(prop) in (None, ""):
        return Problem(
            ProblemKind.MISSING_PARAMETER, f"Missing required param: {name}.", name, "body",
            rule="required",
        )
    mapping = discriminator.get("mapping")
    allowed = list(mapping) if isinstance(mapping, Mapping) and mapping else [
        str(branch.get("$ref", "")).rsplit("/", 1)[-1]
        for branch in schema.get(str(error.validator), [])
        if isinstance(branch, Mapping)
    ]
    value = instance[prop]
    return Problem(
        ProblemKind.INVALID_PARAMETER,
        f"Invalid value for {name}: {value!r} is not one of {allowed!r}.",
        name,
        "body",
        rule="enum",
        expected=allowed,
        value=value,
    )


def _schema_error_message(error: SchemaError) -> str:
    message = str(error.message)
    if len(message) > 300:
        message = message[:297] + "..."
    return message if message.endswith(".") else message + "."


def describe_response_error(error: Exception) -> str:
    cause = error.__cause__
    if isinstance(cause, InvalidSchemaValue) and cause.schema_errors:
        parts = []
        whole = f"header {error.name}" if isinstance(error, HeaderValidationError) else "<body>"
        for schema_error in list(_leaf_errors(cause.schema_errors))[:5]:
            where = _param_name(schema_error.absolute_path) or whole
            parts.append(f"{where}: {schema_error.message[:200]}")
        return "; ".join(parts)
    if cause is not None:
        return f"{error_text(error)}: {error_text(cause)}"
    return error_text(error) or type(error).__name__


def error_text(error: BaseException) -> str:
    """``str(error)``, which some openapi-core errors cannot do for every value they hold
    (``MediaTypeDeserializeError`` decodes its bytes as UTF-8)."""
    if isinstance(error, MediaTypeDeserializeError):
        return f"the value is not valid {error.mimetype}"
    try:
        return str(error)
    except Exception:
        return type(error).__name__
