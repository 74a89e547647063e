"""OpenAPI 3.0 schemas compiled to jsonschema-rs validators, behind openapi-core's validators.

openapi-core validates a value with jsonschema (pure Python) extended with OpenAPI
3.0's rules (``openapi_schema_validator.OAS30ReadValidator`` for responses,
``OAS30WriteValidator`` for requests). On a list of six Voucherify campaigns that
costs milliseconds. jsonschema-rs (Rust) checks the same thing in microseconds, once
the schema is translated into the JSON Schema draft 4 it understands, rule for rule:

* ``$ref`` is inlined (OpenAPI 3.0 applies a ``$ref``'s siblings, draft 4 ignores them,
  so siblings become an ``allOf`` beside it);
* ``nullable: true`` next to ``type`` becomes ``type: [T, "null"]`` (elsewhere it means
  nothing, as in openapi-schema-validator);
* ``readOnly: true`` fails any value in a request and ``writeOnly: true`` any value in a
  response, and such properties are not ``required`` in that direction;
* ``format`` and ``pattern`` call back into Python, into the very format checker and
  regex search openapi-core uses (jsonschema-rs's own differ at the edges);
* only the keywords openapi-schema-validator's OAS 3.0 dialect implements are kept:
  anything else it ignores is dropped.

A schema using something with no exact translation (``discriminator``, recursion,
``multipleOf``, ``uniqueItems``, ``patternProperties``, external references, OpenAPI
3.1) is not compiled and stays with openapi-core alone.

:class:`CompiledSchemaValidator` is an openapi-core ``SchemaValidator`` that asks the
compiled validator first: a value it accepts is valid; anything else (a value it
rejects, or cannot take, such as an integer beyond 64 bits) goes to openapi-core's
own validator, which decides and explains. So the fast path can never reject what
openapi-core accepts, and ``tests/test_validation_equivalence.py`` checks on a
generated corpus that it accepts nothing openapi-core rejects.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

import jsonschema_rs
from jsonschema import FormatChecker
from openapi_core.validation.schemas.validators import SchemaValidator
from openapi_schema_validator._regex import ECMARegexSyntaxError, has_ecma_regex
from openapi_schema_validator._regex import search as ecma_search

log = logging.getLogger("mockserver")

#: Keywords of openapi-schema-validator's OAS 3.0 dialect with the same meaning in draft 4.
_SAME = frozenset(
    {"maximum", "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength",
     "maxItems", "minItems", "maxProperties", "minProperties", "enum"}
)
#: Keywords that change how values validate and have no exact translation here.
_UNSUPPORTED = frozenset(
    {"discriminator", "multipleOf", "uniqueItems", "patternProperties"}
)


class Unsupported(Exception):
    """The schema uses something this module does not translate exactly."""


class CompiledSchemaValidator(SchemaValidator):
    """openapi-core's validator, with a compiled validator deciding the common case."""

    def __init__(self, inner: SchemaValidator, compiled: Any) -> None:
        super().__init__(inner.schema, inner.validator)
        self.compiled = compiled

    def validate(self, value: Any) -> None:
        try:
            if self.compiled.is_valid(value):
                return
        except Exception:  # a value jsonschema-rs cannot take: openapi-core decides
            pass
        super().validate(value)

    def evolve(self, schema: Any) -> SchemaValidator:
        """A sub-schema's validator (openapi-core asks, e.g. for a form's parts): its own."""
        with schema.resolve() as resolved:
            validator = self.validator.evolve(schema=resolved.contents, _resolver=resolved.resolver)
            return SchemaValidator(schema, validator)


class Compiler:
    """Translates and compiles the schemas of one OpenAPI 3.0 document.

    ``direction`` is ``"write"`` (requests) or ``"read"`` (responses);
    ``format_checker`` is the one openapi-core's validators use.
    """

    def __init__(self, root: Mapping[str, Any], direction: str, format_checker: FormatChecker) -> None:
        if direction not in ("read", "write"):
            raise ValueError(direction)
        self.root = root
        self.direction = direction
        self.format_checker = format_checker
        self._refs: dict[str, dict[str, Any]] = {}
        self._resolving: set[str] = set()
        self._keywords = {"x-oas-format": _format_keyword(format_checker), "x-oas-pattern": _Pattern}

    def compile(self, schema: Mapping[str, Any]) -> Any | None:
        """A jsonschema-rs validator for ``schema``, or ``None`` when it cannot be exact."""
        try:
            translated = self.translate(schema)
            return jsonschema_rs.Draft4Validator(
                translated, validate_formats=False, keywords=self._keywords
            )
        except Unsupported as exc:
            log.debug("schema left to openapi-core alone: %s", exc)
            return None
        except (ValueError, TypeError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
            log.debug("schema could not be compiled: %s", exc)
            return None

    def validator(self, inner: SchemaValidator, schema: Mapping[str, Any]) -> SchemaValidator:
        compiled = self.compile(schema)
        return inner if compiled is None else CompiledSchemaValidator(inner, compiled)

    # -- translation ---------------------------------------------------------------------------

    def translate(self, schema: Any) -> dict[str, Any]:
        if not isinstance(schema, Mapping):
            raise Unsupported(f"a schema that is not an object: {schema!r}")
        if "$ref" in schema:
            target = self._ref(schema["$ref"])
            siblings = {k: v for k, v in schema.items() if k != "$ref"}
            if not siblings:
                return target
            return {"allOf": [target, self.translate(siblings)]}
        unsupported = _UNSUPPORTED.intersection(schema)
        if unsupported:
            raise Unsupported(", ".join(sorted(unsupported)))
        out: dict[str, Any] = {k: schema[k] for k in _SAME.intersection(schema)}
        conditions: list[dict[str, Any]] = []
        if "type" in schema:
            kind = schema["type"]
            if not isinstance(kind, str):
                raise Unsupported(f"type {kind!r}")
            out["type"] = [kind, "null"] if schema.get("nullable") is True else kind
        if "format" in schema and schema["format"] in self.format_checker.checkers:
            out["x-oas-format"] = schema["format"]
        if "pattern" in schema:
            out["x-oas-pattern"] = schema["pattern"]
        for key in ("allOf", "oneOf", "anyOf"):
            if key in schema:
                out[key] = [self.translate(s) for s in schema[key]]
        if "not" in schema:
            out["not"] = self.translate(schema["not"])
        if "items" in schema:
            out["items"] = self.translate(schema["items"])
        if "properties" in schema:
            out["properties"] = {name: self.translate(s) for name, s in schema["properties"].items()}
        if "additionalProperties" in schema:
            extra = schema["additionalProperties"]
            out["additionalProperties"] = extra if isinstance(extra, bool) else self.translate(extra)
        if "required" in schema:
            required = [name for name in schema["required"] if not self._skip_required(schema, name)]
            if required:
                out["required"] = required
        forbidden = "readOnly" if self.direction == "write" else "writeOnly"
        if schema.get(forbidden) is True:
            conditions.append({"not": {}})
        if conditions:
            return {"allOf": [out, *conditions]}
        return out

    def _skip_required(self, schema: Mapping[str, Any], name: str) -> bool:
        """openapi-schema-validator's ``read_required``/``write_required``: the property's own
        schema (not what a ``$ref`` points to) marks it read-only or write-only."""
        prop = schema.get("properties", {}).get(name)
        if not isinstance(prop, Mapping):
            return False
        flag = "readOnly" if self.direction == "write" else "writeOnly"
        return bool(prop.get(flag, False))

    def _ref(self, ref: str) -> dict[str, Any]:
        if not isinstance(ref, str) or not ref.startswith("#"):
            raise Unsupported(f"reference {ref!r}")
        if ref in self._refs:
            return self._refs[ref]
        if ref in self._resolving:
            raise Unsupported(f"recursive reference {ref}")
        self._resolving.add(ref)
        try:
            node: Any = self.root
            for part in ref[1:].split("/")[1:]:
                key = unquote(part).replace("~1", "/").replace("~0", "~")
                if isinstance(node, list):
                    node = node[int(key)]
                elif isinstance(node, Mapping) and key in node:
                    node = node[key]
                else:
                    raise Unsupported(f"unresolvable reference {ref}")
            translated = self.translate(node)
        finally:
            self._resolving.discard(ref)
        self._refs[ref] = translated
        return translated


def _format_keyword(checker: FormatChecker) -> type:
    class Format:
        """``format``, checked by openapi-core's own format checker (``None`` always passes)."""

        def __init__(self, parent_schema: Any, value: str, schema_path: Any) -> None:
            self.format = value

        def validate(self, instance: Any) -> None:
            if instance is not None:
                checker.check(instance, self.format)

    return Format


class _Pattern:
    """``pattern`` as openapi-schema-validator searches it (ECMA regex when available)."""

    def __init__(self, parent_schema: Any, value: str, schema_path: Any) -> None:
        self.pattern = value

    def validate(self, instance: Any) -> None:
        if not isinstance(instance, str):
            return
        found: object
        if has_ecma_regex():
            try:
                found = ecma_search(self.pattern, instance)
            except ECMARegexSyntaxError as exc:
                raise ValueError(f"invalid pattern {self.pattern!r}") from exc
        else:
            found = re.search(self.pattern, instance)
        if not found:
            raise ValueError(f"{instance!r} does not match {self.pattern!r}")
